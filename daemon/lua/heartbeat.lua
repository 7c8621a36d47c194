#!lua flags=allow-oom
-- heartbeat: ARGV ns, pool id, dead timeout (ms), crash retries.  Renews
-- this pool's heartbeat, recovers the jobs of pools whose heartbeat is
-- older than the timeout, forgets pools dead for more than an hour, and
-- puts back in the ready set the job types of this pool that have Pending
-- jobs and are not paused (see ready in prelude.lua): up to 100 types a
-- heartbeat, taking them in turn (HSCAN, its cursor kept in the pool's
-- heal_cursor), so that a heartbeat's cost does not grow with the number
-- of job types.
-- Returns the number of jobs recovered, or an error "NOPOOL" when this pool
-- was itself declared dead.
--
-- It runs under maxmemory too (it overwrites, it adds nothing), so that a
-- Redis short of memory, which still lets claims and results through, does
-- not get every pool declared dead.  And a pool declares others dead only
-- after its own heartbeats have been timely (no gap over half the dead
-- timeout) for a whole dead timeout: when its own heartbeats were failing
-- or late, so may have been everybody's, and their silence proves nothing.
local pool, dead_ms = ARGV[2], tonumber(ARGV[3])
local pk = p .. 'pool:' .. pool
if redis.call('HGET', pk, 'status') ~= 'Healthy' then
  return redis.error_reply('NOPOOL')
end
local last = tonumber(redis.call('ZSCORE', p .. 'pools', pool) or '0')
local since = tonumber(redis.call('HGET', pk, 'beating_since') or '0')
if now_ms - last > dead_ms / 2 then
  since = now_ms
end
redis.call('HSET', pk, 'heartbeat_at', now, 'beating_since', since)
redis.call('ZADD', p .. 'pools', now_ms, pool)
local n = 0
if now_ms - since >= dead_ms then
  local dead = redis.call('ZRANGEBYSCORE', p .. 'pools', '-inf',
    now_ms - dead_ms, 'LIMIT', 0, 100)
  for _, d in ipairs(dead) do
    if redis.call('HGET', p .. 'pool:' .. d, 'status') ~= 'Dead' then
      n = n + recover(d, 'died', tonumber(ARGV[4]))
    end
  end
end
local old = redis.call('ZRANGEBYSCORE', p .. 'pools', '-inf',
  now_ms - 3600000, 'LIMIT', 0, 100)
for _, d in ipairs(old) do
  redis.call('ZREM', p .. 'pools', d)
  redis.call('DEL', p .. 'pool:' .. d, p .. 'pool:' .. d .. ':queues')
end
local scan = redis.call('HSCAN', pk .. ':queues',
  redis.call('HGET', pk, 'heal_cursor') or '0', 'COUNT', 100)
redis.call('HSET', pk, 'heal_cursor', scan[1])
for i = 1, #scan[2], 2 do
  heal_ready(scan[2][i])
end
return n
