#!lua flags=no-writes
-- worker_jobs: ARGV ns, then job ids.  What the workers list shows of the
-- jobs busy workers run, in one call whatever their number: {{name,
-- start_time, check_in, check_in_at}, ...} in the order of the ids (false
-- for a field, or all four, of a job that is gone).
local out = {}
for i = 2, #ARGV do
  out[#out + 1] = redis.call('HMGET', p .. 'job:' .. ARGV[i], 'name',
    'start_time', 'check_in', 'check_in_at')
end
return out
