-- purge: ARGV ns, retention of Success and Stopped jobs (s), of Error jobs
-- (s), limit.  Deletes up to limit jobs of each kind that ended before
-- their retention, with their place in their execution and in the
-- lists of jobs.  Returns their
-- ids, so that their logs can go too.
local out = {}
local kinds = { { 'finished', tonumber(ARGV[2]) }, { 'failed', tonumber(ARGV[3]) } }
for _, k in ipairs(kinds) do
  local z = p .. k[1]
  local ids = redis.call('ZRANGEBYSCORE', z, '-inf', now - k[2], 'LIMIT', 0,
    tonumber(ARGV[4]))
  for _, id in ipairs(ids) do
    local job = p .. 'job:' .. id
    local f = redis.call('HMGET', job, 'execution_id', 'name', 'status')
    if f[1] and f[1] ~= '' then
      redis.call('SREM', p .. 'exec:' .. f[1], id)
    end
    if f[2] then
      unindex(id, f[2], f[3])
    end
    redis.call('DEL', job)
    redis.call('ZREM', z, id)
    out[#out + 1] = id
  end
end
return out
