#!lua flags=allow-oom
-- job_stop: ARGV ns, id.  A waiting job (Pending or Scheduled) leaves its
-- queue and ends Stopped at once, so it never runs; a Running one is
-- flagged and its pool told to stop it.  Returns "Stopped" or "Stopping",
-- or an error "NOENT" or "STATE <status>".
local id = ARGV[2]
local job = p .. 'job:' .. id
local f = redis.call('HMGET', job, 'status', 'name')
if not f[1] then
  return redis.error_reply('NOENT')
end
if f[1] == 'Pending' or f[1] == 'Scheduled' then
  redis.call('LREM', p .. 'q:' .. f[2], 1, id)
  redis.call('ZREM', p .. 'delayed', id)
  redis.call('SREM', p .. 'delayed:' .. f[2], id)
  finish(job, id, 'Stopped', '')
  return 'Stopped'
elseif f[1] == 'Running' then
  redis.call('HSET', job, 'stop', '1', 'update_time', now)
  redis.call('PUBLISH', p .. 'notify', 'stop ' .. id)
  return 'Stopping'
end
return redis.error_reply('STATE ' .. f[1])
