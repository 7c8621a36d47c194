#!lua flags=no-writes
-- exec_show: ARGV ns, execution id, offset, count.  Reads an execution in
-- one call, whatever its size: the number of its jobs and how many are in
-- each status (statuses in alphabetical order), and count of its jobs (ordered by id) from offset.  Returns
-- {total, {status, n, ...}, {id, name, status, ...}}, or an error "NOENT".
-- A job purged meanwhile is left out.  It writes nothing, so it runs even
-- when Redis is out of memory.
local key = p .. 'exec:' .. ARGV[2]
if redis.call('SCARD', key) == 0 then
  return redis.error_reply('NOENT')
end
local pattern = p .. 'job:*->'
local total, counts = 0, {}
for _, st in ipairs(redis.call('SORT_RO', key, 'BY', 'nosort', 'GET',
    pattern .. 'status')) do
  if st then
    total = total + 1
    counts[st] = (counts[st] or 0) + 1
  end
end
-- The statuses in alphabetical order, so that every reader shows them the
-- same way (pairs() has no order).
local names, flat = {}, {}
for st in pairs(counts) do
  names[#names + 1] = st
end
table.sort(names)
for _, st in ipairs(names) do
  flat[#flat + 1] = st
  flat[#flat + 1] = counts[st]
end
local page = {}
if tonumber(ARGV[4]) > 0 then
  local rows = redis.call('SORT_RO', key, 'ALPHA', 'LIMIT', ARGV[3], ARGV[4],
    'GET', '#', 'GET', pattern .. 'name', 'GET', pattern .. 'status')
  for i = 1, #rows, 3 do
    if rows[i + 2] then
      page[#page + 1] = rows[i]
      page[#page + 1] = rows[i + 1] or ''
      page[#page + 1] = rows[i + 2]
    end
  end
end
return {total, flat, page}
