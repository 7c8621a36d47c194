-- purge: ARGV ns, retention of Success and Stopped jobs (s), of Error jobs
-- (s), limit.  Deletes up to limit jobs of each kind that ended before
-- their retention, with their place in their execution.  Returns their
-- ids, so that their logs can go too.
local out = {}
local kinds = { { 'finished', tonumber(ARGV[2]) }, { 'failed', tonumber(ARGV[3]) } }
for _, k in ipairs(kinds) do
  local z = p .. k[1]
  local ids = redis.call('ZRANGEBYSCORE', z, '-inf', now - k[2], 'LIMIT', 0,
    tonumber(ARGV[4]))
  for _, id in ipairs(ids) do
    local job = p .. 'job:' .. id
    local e = redis.call('HGET', job, 'execution_id')
    if e and e ~= '' then
      redis.call('SREM', p .. 'exec:' .. e, id)
    end
    redis.call('DEL', job)
    redis.call('ZREM', z, id)
    out[#out + 1] = id
  end
end
return out
