#!lua flags=no-writes
-- job_list: ARGV ns, index (a key suffix: ix:all, ix:type:<type>,
-- ix:status:<status> or ix:type:<type>:<status>), offset, count, then the
-- job fields to read.  A page of a list of jobs, newest first, in one
-- call whose work is bounded by count, whatever the list's length.
-- Returns {the list's length, {id, field values..., ...}}; a job deleted
-- meanwhile is left out.  It writes nothing, so it runs even when Redis
-- is out of memory.
local key = p .. ARGV[2]
local off, cnt = tonumber(ARGV[3]), tonumber(ARGV[4])
local fields = {}
for i = 5, #ARGV do
  fields[#fields + 1] = ARGV[i]
end
local out = {}
for _, id in ipairs(redis.call('ZREVRANGE', key, off, off + cnt - 1)) do
  local v = redis.call('HMGET', p .. 'job:' .. id, unpack(fields))
  if v[1] then
    out[#out + 1] = id
    for j = 1, #fields do
      out[#out + 1] = v[j] or ''
    end
  end
end
return {redis.call('ZCARD', key), out}
