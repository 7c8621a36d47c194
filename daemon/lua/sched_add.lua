-- sched_add: ARGV ns, vendor type, vendor id, cron, parameters, first fire
-- time (ms).  Returns the new schedule's id.
local id = redis.call('INCR', p .. 'sched:seq')
redis.call('HSET', p .. 'sched:' .. id, 'id', id, 'vendor_type', ARGV[2],
  'vendor_id', ARGV[3], 'cron', ARGV[4], 'parameters', ARGV[5],
  'create_time', now, 'update_time', now,
  'next_run', math.floor(tonumber(ARGV[6]) / 1000), 'last_fire', '',
  'last_job', '')
redis.call('ZADD', p .. 'schedules', id, id)
redis.call('ZADD', p .. 'sched:due', ARGV[6], id)
redis.call('SADD', p .. 'queues', ARGV[2])
redis.call('PUBLISH', p .. 'notify', 'timer')
return id
