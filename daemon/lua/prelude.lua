-- SPDX-License-Identifier: ISC
--
-- The start of every jobsvcd script (daemon/lua/embed.sh puts it there).
-- Every state change that touches more than one key is one script, so
-- Redis runs it atomically: a job is always in exactly one place (a queue,
-- the delayed set, a pool's claims, or finished).  ARGV[1] is the
-- namespace; the time always comes from Redis (TIME), never from a host,
-- so leases and due times do not depend on clocks agreeing.
--
-- Keys, under "<namespace>:":
--   job:<id>              hash, the job record (SPEC section 2 fields, plus
--                         failures: its runs that ended in Error, counted
--                         against max_retries; lost_runs: its runs lost to
--                         pools that died, counted against crash_retries;
--                         token, stop, unique_key, queued_at, and
--                         done_token: the token of the last run whose
--                         result was recorded; start_failures: the times a
--                         pool could not start it)
--   q:<type>              list, pending job ids, head first
--   ready                 zset, all scored 0 so that it is walked in name
--                         order: the job types that may have Pending
--                         jobs.  Every job queued adds its type; a claim
--                         drops the empty and the paused types it meets, so
--                         a claim costs what the ready types cost, not
--                         what all the declared ones would.  Resume and
--                         each pool's heartbeat add back the types whose
--                         queue is not empty, 100 types a heartbeat, so a
--                         type missing by mistake waits one heartbeat per
--                         100 types the pool serves at most.  A type with
--                         Pending jobs is in ready or in paused, so
--                         queue_list.lua reads only those
--   delayed               zset, jobs waiting for their time (ms): Scheduled
--                         jobs and retries waiting out their backoff
--   delayed:<type>        set, the ids in delayed of one job type
--   stop:<s>              hash, a queue stop in progress or just done:
--                         type, stopped (jobs ended so far), owner (the
--                         pool working on it), lease (ms, until when),
--                         done ("1" at the end; then it expires)
--   stop:<s>:q            list, the queue the stop moved aside
--   stop:<s>:delayed      set, the delayed:<type> the stop moved aside
--   stopping              set of the ids <s> of stops in progress
--   queues                set of job types ever declared
--   paused                set of paused job types (SCHEDULER pauses firing)
--   active:<type>         set of claimed job ids, for max_concurrency
--   pools                 zset, pool id scored by its last heartbeat (ms)
--   pool:<id>             hash, the pool record (beating_since: when its
--                         current run of timely heartbeats began, ms;
--                         heal_cursor: where heartbeat.lua's walk of the
--                         pool's job types goes on)
--   pool:<id>:jobs        hash, job id -> claim token
--   pool:<id>:workers     hash, worker id -> job id of busy workers
--   pool:<id>:queues      hash, job type -> max_concurrency (0: none), the
--                         job types the pool serves
--   unique:<type>:<sha1>  string, the id of the unique job that has not
--                         ended yet (waiting, running or waiting to retry)
--   exec:<execution id>   set of job ids
--   finished, failed      zsets, ended jobs by end time (Success and
--                         Stopped; Error), for retention
--   sched:seq             counter of schedule ids
--   sched:<id>            hash, the schedule record
--   schedules             zset, schedule ids scored by themselves (paging)
--   sched:due             zset, schedule ids by next fire time (ms)
--   ix:all                zset, every job by when it was submitted (µs)
--   ix:type:<type>        zset, the same for the jobs of one type
--   ix:status:<status>    zset, the jobs in a status by when they took it
--                         (µs; Pending again for a retry is taken anew)
--   ix:type:<type>:<status>  zset, the same for the jobs of one type.
--                         These four are the jobs command's lists, newest
--                         first, a page at a time: set_status() keeps them
--                         at every change of status, index_new() at
--                         submission, unindex() at purge; ix:built says
--                         that the jobs of a database made before them were
--                         added (index_fill.lua, daemon/joblist.c)
--   audit                 zset, the audit trail: "<pool id>-<n> <JSON
--                         record>" scored by when it was written (ms),
--                         kept for error_retention
--   notify                pub/sub channel: "job <type>", "stop <id>",
--                         "timer" (a due time changed)

local p = ARGV[1] .. ':'
local t = redis.call('TIME')
local now = tonumber(t[1])
local now_ms = now * 1000 + math.floor(tonumber(t[2]) / 1000)
local now_us = now * 1000000 + tonumber(t[2])

-- Moves job id of type name from the status indexes of old (nil: none)
-- to those of status, scored by now.
local function index_status(id, name, old, status)
  if old and old ~= status then
    redis.call('ZREM', p .. 'ix:status:' .. old, id)
    redis.call('ZREM', p .. 'ix:type:' .. name .. ':' .. old, id)
  end
  redis.call('ZADD', p .. 'ix:status:' .. status, now_us, id)
  redis.call('ZADD', p .. 'ix:type:' .. name .. ':' .. status, now_us, id)
end

-- Calls a variadic command (ZADD, ZREM) on key with the arguments in list,
-- 1000 at a time (a Lua call takes at most a few thousand arguments).
local function many(cmd, key, list)
  for i = 1, #list, 1000 do
    redis.call(cmd, key, unpack(list, i, math.min(i + 999, #list)))
  end
end

-- index_status() for many jobs of type name at once, in four commands a
-- thousand jobs: old maps each status the jobs leave to a list of their
-- ids.  (The score is formatted once: Redis formats a number argument
-- anew at every call.)
local function index_status_many(old, name, status)
  local scored, score = {}, string.format('%d', now_us)
  for was, ids in pairs(old) do
    if was ~= status then
      many('ZREM', p .. 'ix:status:' .. was, ids)
      many('ZREM', p .. 'ix:type:' .. name .. ':' .. was, ids)
    end
    for _, id in ipairs(ids) do
      scored[#scored + 1] = score
      scored[#scored + 1] = id
    end
  end
  many('ZADD', p .. 'ix:status:' .. status, scored)
  many('ZADD', p .. 'ix:type:' .. name .. ':' .. status, scored)
end

-- Indexes a new job of type name as submitted now.
local function index_new(id, name)
  redis.call('ZADD', p .. 'ix:all', now_us, id)
  redis.call('ZADD', p .. 'ix:type:' .. name, now_us, id)
end

-- Drops a job of type name in status from every index (it is deleted).
local function unindex(id, name, status)
  redis.call('ZREM', p .. 'ix:all', id)
  redis.call('ZREM', p .. 'ix:type:' .. name, id)
  if status then
    redis.call('ZREM', p .. 'ix:status:' .. status, id)
    redis.call('ZREM', p .. 'ix:type:' .. name .. ':' .. status, id)
  end
end

-- Sets a job's status, its update_time and the other field/value pairs
-- given, and moves it in the status indexes.  Every change of a job's
-- status goes through here.  (A record without a name, which no script
-- makes, is left out of the lists rather than failing the script half
-- way: Redis does not undo a script's writes.)
local function set_status(job, id, status, ...)
  local f = redis.call('HMGET', job, 'status', 'name')
  redis.call('HSET', job, 'status', status, 'update_time', now, ...)
  if f[2] then
    index_status(id, f[2], f[1], status)
  end
end

-- Releases the unique key a job holds until it ends.
local function ununiq(job, id)
  local uk = redis.call('HGET', job, 'unique_key')
  if uk and uk ~= '' and redis.call('GET', uk) == id then
    redis.call('DEL', uk)
  end
end

-- Ends a job for good and indexes it for retention.
local function finish(job, id, status, err)
  set_status(job, id, status, 'end_time', now, 'error', err)
  redis.call('HDEL', job, 'token')
  ununiq(job, id)
  redis.call('ZADD', p .. (status == 'Error' and 'failed' or 'finished'),
    now, id)
end

-- Makes a job Pending in its queue now, at the tail or the head.
local function enqueue(job, id, name, head)
  set_status(job, id, 'Pending', 'queued_at', now)
  redis.call(head and 'LPUSH' or 'RPUSH', p .. 'q:' .. name, id)
  redis.call('ZADD', p .. 'ready', 0, name)
  redis.call('PUBLISH', p .. 'notify', 'job ' .. name)
end

-- Puts job type ty back in the ready set if it has Pending jobs and is not
-- paused.
local function heal_ready(ty)
  if redis.call('EXISTS', p .. 'q:' .. ty) == 1 and
     redis.call('SISMEMBER', p .. 'paused', ty) == 0 then
    redis.call('ZADD', p .. 'ready', 'NX', 0, ty)
  end
end

-- Makes a job wait until at_ms, in the given status, before it is queued.
local function delay(job, id, at_ms, status)
  set_status(job, id, status, 'run_at', math.floor(at_ms / 1000))
  redis.call('ZADD', p .. 'delayed', at_ms, id)
  redis.call('SADD', p .. 'delayed:' .. redis.call('HGET', job, 'name'), id)
  redis.call('PUBLISH', p .. 'notify', 'timer')
end

-- Takes a claimed job of the given name from its pool back to the head of
-- its queue with an error note, or ends it Stopped when a stop was asked
-- for (stop is its stop field).
local function unclaim(job, id, name, stop, note)
  redis.call('SREM', p .. 'active:' .. name, id)
  if stop == '1' then
    finish(job, id, 'Stopped', '')
  else
    redis.call('HSET', job, 'pool_id', '', 'worker_id', '', 'error', note)
    redis.call('HDEL', job, 'token')
    enqueue(job, id, name, true)
  end
end

-- Hands back the jobs a pool had claimed: to the head of their queues, or
-- Stopped when a stop was asked for.  With allowance >= 0 the pool died:
-- each such run counts as lost (lost_runs), and a job that has now lost
-- more runs than the allowance (crash_retries) ends in Error instead, so a
-- job that kills its daemon cannot loop for ever; its max_retries are not
-- touched, they are for runs that end in Error.  With allowance < 0 (a
-- clean shutdown) nothing is counted.  Claims whose token no longer
-- matches were dealt with already.  The pool is marked Dead.
local function recover(pool, why, allowance)
  local pj = p .. 'pool:' .. pool .. ':jobs'
  local claimed = redis.call('HGETALL', pj)
  local n = 0
  for i = 1, #claimed, 2 do
    local id, tok = claimed[i], claimed[i + 1]
    local job = p .. 'job:' .. id
    if redis.call('HGET', job, 'token') == tok then
      local f = redis.call('HMGET', job, 'name', 'stop')
      local lost = 0
      if f[2] ~= '1' and allowance >= 0 then
        lost = redis.call('HINCRBY', job, 'lost_runs', 1)
      end
      if allowance >= 0 and lost > allowance then
        redis.call('SREM', p .. 'active:' .. f[1], id)
        finish(job, id, 'Error', 'worker pool ' .. pool .. ' ' .. why ..
          ' while running it, ' .. lost .. ' runs lost')
      else
        unclaim(job, id, f[1], f[2],
          'requeued: worker pool ' .. pool .. ' ' .. why)
      end
      n = n + 1
    end
  end
  redis.call('DEL', pj, p .. 'pool:' .. pool .. ':workers')
  if redis.call('EXISTS', p .. 'pool:' .. pool) == 1 then
    redis.call('HSET', p .. 'pool:' .. pool, 'status', 'Dead')
  end
  return n
end

-- Claims a job for a worker: the first Pending job of the first ready job
-- type after the type named after (in name order, round the end back to
-- after itself, so that a long queue cannot starve the others) that this
-- pool serves and that is neither paused nor at this pool's
-- max_concurrency.  The attempt is counted here: attempts counts every
-- run, lost ones included (what a run used up is counted when it ends:
-- failures in finish.lua, lost_runs in recover()).  Returns {id, name,
-- parameters, attempt, execution id}, or false when there is nothing to
-- take.
local function claim(pool, worker, token, after)
  local ready, served = p .. 'ready', p .. 'pool:' .. pool .. ':queues'
  local stale = 0
  -- The job of type ty to claim, or nil.  Drops ty from ready when its
  -- queue is empty, or paused (resume adds it back).
  local function take(ty)
    local q = p .. 'q:' .. ty
    local cap = redis.call('HGET', served, ty)
    if not cap then
      if redis.call('EXISTS', q) == 0 then
        redis.call('ZREM', ready, ty)
      end
      return nil
    end
    if redis.call('SISMEMBER', p .. 'paused', ty) == 1 then
      redis.call('ZREM', ready, ty)
      return nil
    end
    cap = tonumber(cap)
    if cap > 0 and redis.call('SCARD', p .. 'active:' .. ty) >= cap then
      return nil
    end
    while stale < 100 do
      local id = redis.call('LPOP', q)
      if not id then
        redis.call('ZREM', ready, ty)
        return nil
      end
      local job = p .. 'job:' .. id
      if redis.call('HGET', job, 'status') == 'Pending' then
        local att = redis.call('HINCRBY', job, 'attempts', 1)
        set_status(job, id, 'Running', 'start_time', now,
          'pool_id', pool, 'worker_id', worker,
          'token', token, 'check_in', '', 'check_in_at', '',
          'end_time', '', 'error', '')
        redis.call('SADD', p .. 'active:' .. ty, id)
        redis.call('HSET', p .. 'pool:' .. pool .. ':jobs', id, token)
        redis.call('HSET', p .. 'pool:' .. pool .. ':workers', worker, id)
        local f = redis.call('HMGET', job, 'parameters', 'execution_id')
        return {id, ty, f[1] or '{}', att, f[2] or ''}
      end
      stale = stale + 1
    end
    return nil
  end
  for _, range in ipairs({{'(' .. after, '+'}, {'-', '[' .. after}}) do
    local from = range[1]
    repeat
      local tys = redis.call('ZRANGEBYLEX', ready, from, range[2],
        'LIMIT', 0, 16)
      for _, ty in ipairs(tys) do
        local got = take(ty)
        if got then
          return got
        elseif stale >= 100 then
          return false
        end
      end
      if #tys > 0 then
        from = '(' .. tys[#tys]
      end
    until #tys < 16
  end
  return false
end
