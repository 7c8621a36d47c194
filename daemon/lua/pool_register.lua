#!lua flags=allow-oom
-- pool_register: ARGV ns, pool id, pid, host, concurrency, identity, crash
-- retries, then the job types this pool serves.  Registers the pool.
-- Earlier pools with the same identity (boot, mount namespace and control
-- socket: jsvd_identity()) are gone, since this daemon now holds their
-- socket: their claimed jobs are recovered at once.  Returns {jobs
-- recovered, what this pool's record was before: "new" (none), "dead"
-- (declared dead meanwhile) or "ok"}.  Its run of timely heartbeats starts
-- anew (see heartbeat.lua).
local pool = ARGV[2]
local n = 0
for _, other in ipairs(redis.call('ZRANGE', p .. 'pools', 0, -1)) do
  if other ~= pool and
     redis.call('HGET', p .. 'pool:' .. other, 'identity') == ARGV[6] and
     redis.call('HGET', p .. 'pool:' .. other, 'status') ~= 'Dead' then
    n = n + recover(other, 'was restarted', tonumber(ARGV[7]))
  end
end
local pk = p .. 'pool:' .. pool
local was = redis.call('HGET', pk, 'status')
if not was then
  redis.call('HSET', pk, 'start_at', now)
end
redis.call('HSET', pk, 'id', pool, 'pid', ARGV[3], 'host', ARGV[4],
  'concurrency', ARGV[5], 'identity', ARGV[6], 'heartbeat_at', now,
  'status', 'Healthy', 'beating_since', now_ms)
redis.call('ZADD', p .. 'pools', now_ms, pool)
for i = 8, #ARGV do
  redis.call('SADD', p .. 'queues', ARGV[i])
end
return {n, was == 'Healthy' and 'ok' or (was and 'dead' or 'new')}
