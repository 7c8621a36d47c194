#!lua flags=allow-oom
-- claim: ARGV ns, pool id, worker id, token, the job type this pool claimed
-- last ("" for none).  Returns what claim() does, or an error "NOPOOL"
-- when this pool was declared dead.  Runs under maxmemory too: a claim
-- moves a job, it adds none.
local pool = ARGV[2]
if redis.call('HGET', p .. 'pool:' .. pool, 'status') ~= 'Healthy' then
  return redis.error_reply('NOPOOL')
end
return claim(pool, ARGV[3], ARGV[4], ARGV[5])
