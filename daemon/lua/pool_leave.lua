#!lua flags=allow-oom
-- pool_leave: ARGV ns, pool id.  Removes a pool that shut down cleanly;
-- what it still held goes back to the queues without counting as lost.
local pool = ARGV[2]
local n = recover(pool, 'shut down', -1)
redis.call('ZREM', p .. 'pools', pool)
redis.call('DEL', p .. 'pool:' .. pool, p .. 'pool:' .. pool .. ':queues')
return n
