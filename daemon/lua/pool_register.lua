#!lua flags=allow-oom
-- pool_register: ARGV ns, pool id, pid, host, concurrency, identity, crash
-- retries, then pairs of a job type this pool serves and its
-- max_concurrency.  Registers the pool, with the job types it serves,
-- and puts those with Pending jobs in the ready set (heal_ready()).
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
redis.call('DEL', pk .. ':queues')
for i = 8, #ARGV - 1, 2 do
  redis.call('SADD', p .. 'queues', ARGV[i])
  redis.call('HSET', pk .. ':queues', ARGV[i], ARGV[i + 1])
  heal_ready(ARGV[i])
end
return {n, was == 'Healthy' and 'ok' or (was and 'dead' or 'new')}
