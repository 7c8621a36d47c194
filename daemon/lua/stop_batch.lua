-- stop_batch: ARGV ns, stop id, batch size, pool id, lease (ms), force
-- ("1": the pool that asked for the stop; "0": a pool resuming it).  Ends
-- up to that many of the stop's waiting jobs Stopped and counts them in
-- the stop's record, so that the count is exact however many pools work
-- on it.  A resuming pool leaves alone a stop another pool holds the
-- lease of.  Returns {jobs stopped in all, jobs left}, or an error "BUSY"
-- (leased to another pool) or "NOSTOP" (no such stop, it expired, or it
-- is over and this pool only resumed it).
local sid, n, pool = ARGV[2], tonumber(ARGV[3]), ARGV[4]
local s = p .. 'stop:' .. sid
local f = redis.call('HMGET', s, 'owner', 'lease', 'done')
if not f[1] or (f[3] == '1' and ARGV[6] ~= '1') then
  redis.call('SREM', p .. 'stopping', sid)
  return redis.error_reply('NOSTOP')
end
if f[3] ~= '1' then
  if ARGV[6] ~= '1' and f[1] ~= pool and tonumber(f[2]) > now_ms then
    return redis.error_reply('BUSY')
  end
  redis.call('HSET', s, 'owner', pool, 'lease', now_ms + tonumber(ARGV[5]))
end
local stopped, ended = 0, {}
local ty = redis.call('HGET', s, 'type')
-- Ends a job Stopped as finish() does, in two commands when it holds no
-- claim token and no unique key, its index in finished added for the whole
-- batch at once; f[1] is its status, which the lists of jobs move it from.
local function stop(job, id, f)
  redis.call('HSET', job, 'status', 'Stopped', 'end_time', now,
    'update_time', now, 'error', '')
  if ty then
    index_status(id, ty, f[1], 'Stopped')
  end
  if f[2] then
    redis.call('HDEL', job, 'token')
  end
  if f[3] and f[3] ~= '' and redis.call('GET', f[3]) == id then
    redis.call('DEL', f[3])
  end
  ended[#ended + 1] = now
  ended[#ended + 1] = id
  stopped = stopped + 1
end
local ids = redis.call('LPOP', s .. ':q', n) or {}
for _, id in ipairs(ids) do
  local job = p .. 'job:' .. id
  local jf = redis.call('HMGET', job, 'status', 'token', 'unique_key')
  if jf[1] == 'Pending' then
    stop(job, id, jf)
  end
end
if #ids < n then
  -- A delayed job is this stop's only if promote.lua did not queue it or
  -- stop it first: whoever takes it out of delayed owns it.
  for _, id in ipairs(redis.call('SPOP', s .. ':delayed', n - #ids)) do
    if redis.call('ZREM', p .. 'delayed', id) == 1 then
      local job = p .. 'job:' .. id
      local jf = redis.call('HMGET', job, 'status', 'token', 'unique_key')
      if jf[1] == 'Scheduled' or jf[1] == 'Pending' then
        stop(job, id, jf)
      end
    end
  end
end
if #ended > 0 then
  redis.call('ZADD', p .. 'finished', unpack(ended))
end
local total = redis.call('HINCRBY', s, 'stopped', stopped)
local left = redis.call('LLEN', s .. ':q') + redis.call('SCARD', s .. ':delayed')
if left == 0 and f[3] ~= '1' then
  redis.call('SREM', p .. 'stopping', sid)
  redis.call('HSET', s, 'done', '1')
  -- Long enough for the pool that asked to read the count.
  redis.call('EXPIRE', s, 86400)
end
return {total, left}
