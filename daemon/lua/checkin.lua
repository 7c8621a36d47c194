-- checkin: ARGV ns, id, token, text.  Records a check-in of a job this
-- pool runs; nothing when the claim was taken from it.
local job = p .. 'job:' .. ARGV[2]
if redis.call('HGET', job, 'token') ~= ARGV[3] then
  return 0
end
redis.call('HSET', job, 'check_in', ARGV[4], 'check_in_at', now,
  'update_time', now)
return 1
