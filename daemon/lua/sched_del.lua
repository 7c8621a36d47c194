-- sched_del: ARGV ns, id.  Returns 1, or 0 when there is no such schedule.
local id = ARGV[2]
if redis.call('ZREM', p .. 'schedules', id) == 0 then
  return 0
end
redis.call('ZREM', p .. 'sched:due', id)
redis.call('DEL', p .. 'sched:' .. id)
return 1
