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
local stopped, ended, left = 0, {}, {}
-- now as a string, formatted once rather than at every command; and the
-- jobs' score in finished, which carries the microseconds: a batch's jobs
-- then go in after those of the batches before it, rather than each at a
-- random place among the many thousands stopped in the same second (which
-- costs Redis several times more).  Retention reads whole seconds anyway.
local at = string.format('%d', now)
local fin = string.format('%d.%06d', now, now_us % 1000000)
local ty = redis.call('HGET', s, 'type')
-- Ends a job Stopped as finish() does, in two commands when it holds no
-- claim token and no unique key: its moves in the lists of jobs and its
-- index in finished are made for the whole batch at once (left[status]:
-- the jobs that leave the lists of that status); f[1] is its status.
local function stop(job, id, f)
  redis.call('HSET', job, 'status', 'Stopped', 'end_time', at,
    'update_time', at, 'error', '')
  if f[2] then
    redis.call('HDEL', job, 'token')
  end
  if f[3] and f[3] ~= '' and redis.call('GET', f[3]) == id then
    redis.call('DEL', f[3])
  end
  left[f[1]] = left[f[1]] or {}
  table.insert(left[f[1]], id)
  ended[#ended + 1] = fin
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
if ty then
  index_status_many(left, ty, 'Stopped')
end
if #ended > 0 then
  many('ZADD', p .. 'finished', ended)
end
local total = redis.call('HINCRBY', s, 'stopped', stopped)
local more = redis.call('LLEN', s .. ':q') + redis.call('SCARD', s .. ':delayed')
if more == 0 and f[3] ~= '1' then
  redis.call('SREM', p .. 'stopping', sid)
  redis.call('HSET', s, 'done', '1')
  -- Long enough for the pool that asked to read the count.
  redis.call('EXPIRE', s, 86400)
end
return {total, more}
