#!lua flags=no-writes
-- queue_list: ARGV ns.  Reads what `queues` and `status` show in one call,
-- at a cost that grows with the job types that may have Pending jobs (the
-- ready set) and the paused ones, not with those declared: a type in
-- neither has no Pending job, so its row is all zero and the caller fills
-- it in.  Returns {now, {the types in queues}, {type, count, enqueue_time,
-- paused, ...}}: now is Redis's TIME in seconds; a row for each type of
-- ready and paused (each once, unsorted) with the length of its queue, the
-- enqueue_time of the job at its head (false when there is none) and
-- whether it is paused (1 or 0).  It writes nothing, so it runs even when
-- Redis is out of memory.
local out, seen, paused = {}, {}, {}
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
  out[#out + 1] = paused[ty] and 1 or 0
end
local ps = redis.call('SMEMBERS', p .. 'paused')
for _, ty in ipairs(ps) do
  paused[ty] = true
end
for _, ty in ipairs(redis.call('ZRANGE', p .. 'ready', 0, -1)) do
  add(ty)
end
for _, ty in ipairs(ps) do
  add(ty)
end
return {now, redis.call('SMEMBERS', p .. 'queues'), out}
