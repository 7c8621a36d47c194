-- submit: ARGV ns, id, name, parameters (canonical JSON), unique ("0"/"1"),
-- execution id, max retries, run_at (Unix seconds, 0 = now).  A job due
-- later is Scheduled until then.  Returns the id, or an error
-- "UNIQUE <id>" naming the identical job that is still waiting.
local id, name, params = ARGV[2], ARGV[3], ARGV[4]
local run_at = tonumber(ARGV[8])
local job = p .. 'job:' .. id
local uk = ''
if ARGV[5] == '1' then
  uk = p .. 'unique:' .. name .. ':' .. redis.sha1hex(params)
  local other = redis.call('GET', uk)
  if other then
    return redis.error_reply('UNIQUE ' .. other)
  end
  redis.call('SET', uk, id)
end
local later = run_at > now
redis.call('HSET', job, 'id', id, 'name', name,
  'kind', later and 'Scheduled' or 'Generic', 'parameters', params,
  'enqueue_time', now, 'attempts', 0, 'max_retries', ARGV[7],
  'unique', ARGV[5], 'unique_key', uk, 'execution_id', ARGV[6])
if ARGV[6] ~= '' then
  redis.call('SADD', p .. 'exec:' .. ARGV[6], id)
end
redis.call('SADD', p .. 'queues', name)
index_new(id, name)
if later then
  delay(job, id, run_at * 1000, 'Scheduled')
else
  enqueue(job, id, name, false)
end
return id
