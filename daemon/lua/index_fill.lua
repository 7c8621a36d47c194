-- index_fill: ARGV ns, then job ids (found by SCAN).  Adds the jobs that
-- are not in the lists of jobs yet (those of a database older than the
-- lists) to them, scored by their enqueue_time and update_time: a job's
-- entries, once there, are kept by set_status() and are left alone.  A
-- job deleted meanwhile is skipped.  Returns the number of jobs added.
local n = 0
for i = 2, #ARGV do
  local id = ARGV[i]
  local f = redis.call('HMGET', p .. 'job:' .. id, 'name', 'status',
    'enqueue_time', 'update_time')
  if f[1] and f[2] then
    local enq = tonumber(f[3] or '0') or 0
    local upd = tonumber(f[4] or '') or enq
    n = n + redis.call('ZADD', p .. 'ix:all', 'NX', enq * 1000000, id)
    redis.call('ZADD', p .. 'ix:type:' .. f[1], 'NX', enq * 1000000, id)
    redis.call('ZADD', p .. 'ix:status:' .. f[2], 'NX', upd * 1000000, id)
    redis.call('ZADD', p .. 'ix:type:' .. f[1] .. ':' .. f[2], 'NX',
      upd * 1000000, id)
  end
end
return n
