#!lua flags=no-writes
-- sched_page: ARGV ns, start, stop (ranks in schedules, from 0).  Reads a
-- page of the schedules list in one call, so that a page costs one round
-- trip whatever its size: returns {the number of schedules, {id, {its
-- vendor_type, vendor_id, cron, parameters, create_time, update_time,
-- next_run, last_fire, last_job}, the status of its last job ("" when
-- none), ...}}, leaving out the schedules deleted meanwhile.
local out = {}
for _, id in ipairs(redis.call('ZRANGE', p .. 'schedules', ARGV[2],
    ARGV[3])) do
  local f = redis.call('HMGET', p .. 'sched:' .. id, 'vendor_type',
    'vendor_id', 'cron', 'parameters', 'create_time', 'update_time',
    'next_run', 'last_fire', 'last_job')
  if f[1] then
    local st = ''
    if f[9] and f[9] ~= '' then
      st = redis.call('HGET', p .. 'job:' .. f[9], 'status') or ''
    end
    out[#out + 1] = id
    out[#out + 1] = f
    out[#out + 1] = st
  end
end
return {redis.call('ZCARD', p .. 'schedules'), out}
