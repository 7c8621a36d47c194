#!lua flags=allow-oom
-- finish: ARGV ns, id, token, pool id, worker id, result (Success, Error,
-- Stopped, or Requeue when this pool could not start the job: the attempt
-- does not count and it goes back to its queue after a wait that doubles
-- from 1 s with each such failure, up to the backoff), error text, backoff
-- (ms), and a new token ("" for none) and the job type this pool claimed
-- last, as for claim.lua.  Ends the run unless the claim is stale.  An Error
-- counts in the job's failures; while they are at most max_retries (runs
-- lost to dead pools do not count), the job waits out the backoff, then
-- goes back to its queue as Pending.  With a new token, the worker's next
-- job is claimed in the same step, saving a round trip per job.  A finish
-- sent again because its reply was lost is recognised (done_token) and
-- changes nothing.  Returns {the job's new status, "DONE" when this result
-- was recorded already, or "STALE" when the claim was taken from this pool
-- meanwhile; what claim() returns, or false}.  Runs under maxmemory too:
-- it moves a job, it does not add one.
local id, token, pool, worker = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local result, err, backoff = ARGV[6], ARGV[7], tonumber(ARGV[8])
local job = p .. 'job:' .. id
local function next_job()
  if (ARGV[9] or '') == '' or
     redis.call('HGET', p .. 'pool:' .. pool, 'status') ~= 'Healthy' then
    return false
  end
  return claim(pool, worker, ARGV[9], ARGV[10])
end
if redis.call('HGET', p .. 'pool:' .. pool .. ':workers', worker) == id then
  redis.call('HDEL', p .. 'pool:' .. pool .. ':workers', worker)
end
if redis.call('HGET', job, 'token') ~= token then
  if redis.call('HGET', job, 'done_token') == token then
    return {'DONE', false}
  end
  return {'STALE', false}
end
redis.call('HDEL', p .. 'pool:' .. pool .. ':jobs', id)
redis.call('HSET', job, 'done_token', token)
local f = redis.call('HMGET', job, 'name', 'max_retries', 'stop')
redis.call('SREM', p .. 'active:' .. f[1], id)
if f[3] == '1' then
  result = 'Stopped'
end
if result == 'Requeue' then
  local n = redis.call('HINCRBY', job, 'start_failures', 1)
  redis.call('HINCRBY', job, 'attempts', -1)
  redis.call('HSET', job, 'error', err, 'pool_id', '', 'worker_id', '')
  redis.call('HDEL', job, 'token')
  delay(job, id, now_ms + math.min(1000 * 2 ^ math.min(n - 1, 30), backoff),
    'Pending')
  return {'Pending', next_job()}
end
if result == 'Error' and redis.call('HINCRBY', job, 'failures', 1) <=
    tonumber(f[2] or '0') then
  redis.call('HSET', job, 'error', err, 'end_time', now)
  redis.call('HDEL', job, 'token')
  if backoff > 0 then
    delay(job, id, now_ms + backoff, 'Pending')
  else
    enqueue(job, id, f[1], false)
  end
  return {'Pending', next_job()}
end
finish(job, id, result, err)
return {result, next_job()}
