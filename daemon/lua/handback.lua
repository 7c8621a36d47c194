#!lua flags=allow-oom
-- handback: ARGV ns, pool id, then triples of worker id, job id and claim
-- token, the claims this pool's slots hold.  Reconciles the pool's claims
-- in Redis with them, which replies lost on the way (a dropped connection,
-- a timeout) can make differ: a claim that no slot holds was made by a
-- claim or finish whose reply never arrived, so no handler ran it; it goes
-- back to the head of its queue without using up an attempt, a retry or a
-- crash retry (or ends Stopped if a stop was asked for).  The busy workers
-- are set to what the slots run.  Running it again changes nothing.
-- Returns {claims handed back, the given job ids whose claim is no longer
-- this pool's (recovered by another pool meanwhile)}.
local pool = ARGV[2]
local pj = p .. 'pool:' .. pool .. ':jobs'
local pw = p .. 'pool:' .. pool .. ':workers'
local held, gone = {}, {}
for i = 3, #ARGV - 2, 3 do
  local id, tok = ARGV[i + 1], ARGV[i + 2]
  if redis.call('HGET', p .. 'job:' .. id, 'token') == tok then
    held[id] = tok
    if redis.call('HGET', pw, ARGV[i]) ~= id then
      redis.call('HSET', pw, ARGV[i], id)
    end
  else
    gone[#gone + 1] = id
  end
end
local n = 0
local claimed = redis.call('HGETALL', pj)
for i = 1, #claimed, 2 do
  local id, tok = claimed[i], claimed[i + 1]
  if held[id] ~= tok then
    local job = p .. 'job:' .. id
    redis.call('HDEL', pj, id)
    if redis.call('HGET', job, 'token') == tok then
      local f = redis.call('HMGET', job, 'name', 'stop')
      redis.call('HINCRBY', job, 'attempts', -1)
      unclaim(job, id, f[1], f[2], '')
      n = n + 1
    end
  end
end
local busy = redis.call('HGETALL', pw)
for i = 1, #busy, 2 do
  if not held[busy[i + 1]] then
    redis.call('HDEL', pw, busy[i])
  end
end
return {n, gone}
