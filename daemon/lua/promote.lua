-- promote: ARGV ns, limit.  Queues up to limit delayed jobs whose time has
-- come.  One that a queue stop moved aside meanwhile (it is no longer in
-- its type's delayed set) ends Stopped instead, counted by that stop.
-- Returns {jobs queued or stopped, the next due time in ms or -1, Redis's
-- time in ms}.

-- Ends a due job Stopped if a stop of its type has it; true if one had.
local function stopped_by_stop(job, id, name)
  for _, sid in ipairs(redis.call('SMEMBERS', p .. 'stopping')) do
    local s = p .. 'stop:' .. sid
    if redis.call('HGET', s, 'type') == name and
       redis.call('SREM', s .. ':delayed', id) == 1 then
      finish(job, id, 'Stopped', '')
      redis.call('HINCRBY', s, 'stopped', 1)
      return true
    end
  end
  return false
end

local due = redis.call('ZRANGEBYSCORE', p .. 'delayed', '-inf', now_ms,
  'LIMIT', 0, tonumber(ARGV[2]))
for _, id in ipairs(due) do
  redis.call('ZREM', p .. 'delayed', id)
  local job = p .. 'job:' .. id
  local f = redis.call('HMGET', job, 'status', 'name')
  if f[1] == 'Scheduled' or f[1] == 'Pending' then
    if redis.call('SREM', p .. 'delayed:' .. f[2], id) == 1 or
       not stopped_by_stop(job, id, f[2]) then
      enqueue(job, id, f[2], false)
    end
  end
end
local nxt = redis.call('ZRANGE', p .. 'delayed', 0, 0, 'WITHSCORES')
return {#due, nxt[2] and tonumber(nxt[2]) or -1, now_ms}
