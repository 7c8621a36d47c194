-- sched_fire: ARGV ns, schedule id, due time it was read with (ms), next
-- due time (ms), new job id, max retries.  Fires one tick of a schedule,
-- exactly once however many daemons try: only the caller that still sees
-- the due time it read moves it on (compare and set), and the tick is the
-- pair (schedule, due time).  Firing is held while SCHEDULER is paused; the
-- next due time is computed from now, so ticks missed meanwhile fire once.
-- A schedule whose last job still waits to start fires nothing (no pile-up
-- behind a paused or slow queue).  Returns "FIRED", "SKIPPED", "PAUSED" or
-- "RACE" (another daemon fired it, or it was deleted).
local id = ARGV[2]
if redis.call('SISMEMBER', p .. 'paused', 'SCHEDULER') == 1 then
  return 'PAUSED'
end
local due = redis.call('ZSCORE', p .. 'sched:due', id)
if not due or tonumber(due) ~= tonumber(ARGV[3]) then
  return 'RACE'
end
redis.call('ZADD', p .. 'sched:due', ARGV[4], id)
local sk = p .. 'sched:' .. id
local f = redis.call('HMGET', sk, 'vendor_type', 'parameters', 'last_job')
redis.call('HSET', sk, 'next_run', math.floor(tonumber(ARGV[4]) / 1000),
  'last_fire', now)
if f[3] and f[3] ~= '' then
  local st = redis.call('HGET', p .. 'job:' .. f[3], 'status')
  if st == 'Pending' or st == 'Scheduled' then
    redis.call('HINCRBY', sk, 'skipped', 1)
    return 'SKIPPED'
  end
end
local jid = ARGV[5]
local job = p .. 'job:' .. jid
redis.call('HSET', job, 'id', jid, 'name', f[1], 'kind', 'Periodic',
  'parameters', f[2], 'enqueue_time', now, 'attempts', 0,
  'max_retries', ARGV[6], 'unique', 0, 'unique_key', '',
  'execution_id', '', 'schedule_id', id)
redis.call('SADD', p .. 'queues', f[1])
index_new(jid, f[1])
enqueue(job, jid, f[1], false)
redis.call('HSET', sk, 'last_job', jid)
return 'FIRED'
