#!lua flags=no-writes
-- queue_list: ARGV ns, then the job types configured here.  Reads what
-- `queues` and `status` show in one call, whatever the number of job
-- types: for these types and those in queues (each once, unsorted), the
-- length of its queue, the enqueue_time of the job at its head (false when
-- there is none) and whether it is paused (1 or 0).  Returns {now,
-- {type, count, enqueue_time, paused, ...}}; now is Redis's TIME in
-- seconds.  It writes nothing, so it runs even when Redis is out of
-- memory.
local out, seen = {}, {}
local function add(ty)
  if seen[ty] then
    return
  end
  seen[ty] = true
  local q = p .. 'q:' .. ty
  local head = redis.call('LINDEX', q, 0)
  local enq = false
  if head then
    enq = redis.call('HGET', p .. 'job:' .. head, 'enqueue_time')
  end
  out[#out + 1] = ty
  out[#out + 1] = redis.call('LLEN', q)
  out[#out + 1] = enq
  out[#out + 1] = redis.call('SISMEMBER', p .. 'paused', ty)
end
for i = 2, #ARGV do
  add(ARGV[i])
end
for _, ty in ipairs(redis.call('SMEMBERS', p .. 'queues')) do
  add(ty)
end
return {now, out}
