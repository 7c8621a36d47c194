-- stop_batch: ARGV ns, list key, batch size.  Ends up to that many jobs of
-- a moved queue Stopped.  Returns {stopped, left}.
local key, n = ARGV[2], tonumber(ARGV[3])
local ids = redis.call('LPOP', key, n)
local stopped = 0
if ids then
  for _, id in ipairs(ids) do
    local job = p .. 'job:' .. id
    if redis.call('HGET', job, 'status') == 'Pending' then
      finish(job, id, 'Stopped', '')
      stopped = stopped + 1
    end
  end
end
local left = redis.call('LLEN', key)
if left == 0 then
  redis.call('SREM', p .. 'stopping', key)
end
return {stopped, left}
