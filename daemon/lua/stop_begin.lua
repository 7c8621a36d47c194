-- stop_begin: ARGV ns, job type, token.  Moves the whole queue aside in
-- O(1), so that jobs submitted from now on are not stopped, and records
-- the moved list for stop_batch.  Returns {count, list key}.
local q = p .. 'q:' .. ARGV[2]
local n = redis.call('LLEN', q)
if n == 0 then
  return {0, ''}
end
local dst = q .. ':stopping:' .. ARGV[3]
redis.call('RENAME', q, dst)
redis.call('SADD', p .. 'stopping', dst)
return {n, dst}
