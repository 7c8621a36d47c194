-- stop_begin: ARGV ns, job type, stop id, pool id, lease (ms).  Moves the
-- type's queue and its set of delayed jobs (Scheduled, or waiting out a
-- retry's backoff) aside in O(1), so that jobs submitted from now on are
-- not stopped, and records the stop, leased to this pool, for stop_batch.
-- Returns the number of jobs moved.
local ty, s = ARGV[2], p .. 'stop:' .. ARGV[3]
local q, d = p .. 'q:' .. ty, p .. 'delayed:' .. ty
local nq, nd = redis.call('LLEN', q), redis.call('SCARD', d)
redis.call('HSET', s, 'type', ty, 'stopped', 0, 'owner', ARGV[4],
  'lease', now_ms + tonumber(ARGV[5]))
if nq > 0 then
  redis.call('RENAME', q, s .. ':q')
end
if nd > 0 then
  redis.call('RENAME', d, s .. ':delayed')
end
redis.call('SADD', p .. 'stopping', ARGV[3])
return nq + nd
