-- promote: ARGV ns, limit.  Queues up to limit delayed jobs whose time has
-- come.  Returns {jobs queued, the next due time in ms or -1, Redis's time
-- in ms}.
local due = redis.call('ZRANGEBYSCORE', p .. 'delayed', '-inf', now_ms,
  'LIMIT', 0, tonumber(ARGV[2]))
for _, id in ipairs(due) do
  redis.call('ZREM', p .. 'delayed', id)
  local job = p .. 'job:' .. id
  local f = redis.call('HMGET', job, 'status', 'name')
  if f[1] == 'Scheduled' or f[1] == 'Pending' then
    enqueue(job, id, f[2], false)
  end
end
local nxt = redis.call('ZRANGE', p .. 'delayed', 0, 0, 'WITHSCORES')
return {#due, nxt[2] and tonumber(nxt[2]) or -1, now_ms}
