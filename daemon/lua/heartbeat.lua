-- heartbeat: ARGV ns, pool id, dead timeout (ms), crash retries.  Renews
-- this pool's heartbeat, recovers the jobs of pools whose heartbeat is
-- older than the timeout, and forgets pools dead for more than an hour.
-- Returns the number of jobs recovered, or an error "NOPOOL" when this pool
-- was itself declared dead.
local pool, dead_ms = ARGV[2], tonumber(ARGV[3])
local pk = p .. 'pool:' .. pool
if redis.call('HGET', pk, 'status') ~= 'Healthy' then
  return redis.error_reply('NOPOOL')
end
redis.call('HSET', pk, 'heartbeat_at', now)
redis.call('ZADD', p .. 'pools', now_ms, pool)
local n = 0
local dead = redis.call('ZRANGEBYSCORE', p .. 'pools', '-inf',
  now_ms - dead_ms, 'LIMIT', 0, 100)
for _, d in ipairs(dead) do
  if redis.call('HGET', p .. 'pool:' .. d, 'status') ~= 'Dead' then
    n = n + recover(d, 'died', tonumber(ARGV[4]))
  end
end
local old = redis.call('ZRANGEBYSCORE', p .. 'pools', '-inf',
  now_ms - 3600000, 'LIMIT', 0, 100)
for _, d in ipairs(old) do
  redis.call('ZREM', p .. 'pools', d)
  redis.call('DEL', p .. 'pool:' .. d)
end
return n
