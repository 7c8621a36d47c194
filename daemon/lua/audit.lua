-- audit: ARGV ns, retention (ms), member.  Adds member (a record, made
-- unique by its prefix) to the audit trail scored by now (ms), and drops
-- at most 100 records older than the retention, so that every write costs
-- about the same however long nobody wrote.  Returns now (ms).
local z = p .. 'audit'
local old = redis.call('ZRANGEBYSCORE', z, '-inf',
  '(' .. (now_ms - tonumber(ARGV[2])), 'LIMIT', 0, 100)
if #old > 0 then
  redis.call('ZREM', z, unpack(old))
end
redis.call('ZADD', z, now_ms, ARGV[3])
return now_ms
