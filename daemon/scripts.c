/* SPDX-License-Identifier: ISC */
/*
 * The Lua scripts that change jobsvc's state in Redis.  Every state change
 * that touches more than one key is one script, so Redis runs it atomically:
 * a job is always in exactly one place (a queue, a pool's claimed set, or
 * finished).  Every script takes the namespace as ARGV[1] and reads the time
 * from Redis (TIME), never from the host, so leases do not depend on clocks
 * agreeing between hosts.
 *
 * Keys, under "<ns>:":
 *	job:<id>             hash, the job record (SPEC §2 fields, plus token,
 *	                     stop and unique_key)
 *	q:<type>             list, pending job ids, head first
 *	q:<type>:stopping:<t> list, a queue being stopped in batches
 *	stopping             set of such lists
 *	queues               set of job types ever declared
 *	paused               set of paused job types
 *	active:<type>        set of claimed job ids, for max_concurrency
 *	pools                zset, pool id scored by its last heartbeat (ms)
 *	pool:<id>            hash, the pool record
 *	pool:<id>:jobs       hash, job id -> claim token
 *	pool:<id>:workers    hash, worker id -> job id of busy workers
 *	unique:<type>:<sha1> string, the id of the waiting unique job
 *	exec:<execution id>  set of job ids
 *	finished             zset, finished job ids by end time
 *	notify               pub/sub channel: "job <type>", "stop <id>"
 */
#include "jobsvcd.h"

#define LUA_PRELUDE                                                       \
	"local p = ARGV[1] .. ':'\n"                                      \
	"local t = redis.call('TIME')\n"                                  \
	"local now = tonumber(t[1])\n"                                    \
	"local now_ms = now * 1000 + math.floor(tonumber(t[2]) / 1000)\n" \
	"local function ununiq(job, id)\n"                                \
	"  local uk = redis.call('HGET', job, 'unique_key')\n"            \
	"  if uk and uk ~= '' and redis.call('GET', uk) == id then\n"     \
	"    redis.call('DEL', uk)\n"                                     \
	"  end\n"                                                         \
	"end\n"                                                           \
	"local function finish(job, id, status, err)\n"                   \
	"  redis.call('HSET', job, 'status', status, 'end_time', now,\n"  \
	"    'update_time', now, 'error', err)\n"                         \
	"  redis.call('HDEL', job, 'token')\n"                            \
	"  ununiq(job, id)\n"                                             \
	"  redis.call('ZADD', p .. 'finished', now, id)\n"                \
	"end\n"

/*
 * Puts the jobs claimed by a pool back at the head of their queues (or ends
 * them Stopped when a stop was asked for) and marks the pool Dead.  A claim
 * whose token no longer matches was already dealt with and is left alone.
 */
#define LUA_RECOVER                                                            \
	"local function recover(pool, why)\n"                                  \
	"  local pj = p .. 'pool:' .. pool .. ':jobs'\n"                       \
	"  local claimed = redis.call('HGETALL', pj)\n"                        \
	"  local n = 0\n"                                                      \
	"  for i = 1, #claimed, 2 do\n"                                        \
	"    local id, tok = claimed[i], claimed[i + 1]\n"                     \
	"    local job = p .. 'job:' .. id\n"                                  \
	"    if redis.call('HGET', job, 'token') == tok then\n"                \
	"      local name = redis.call('HGET', job, 'name')\n"                 \
	"      redis.call('SREM', p .. 'active:' .. name, id)\n"               \
	"      if redis.call('HGET', job, 'stop') == '1' then\n"               \
	"        finish(job, id, 'Stopped', '')\n"                             \
	"      else\n"                                                         \
	"        redis.call('HSET', job, 'status', 'Pending',\n"               \
	"          'update_time', now, 'pool_id', '', 'worker_id', '',\n"      \
	"          'error', 'requeued: worker pool ' .. pool .. ' ' .. why)\n" \
	"        redis.call('HDEL', job, 'token')\n"                           \
	"        redis.call('LPUSH', p .. 'q:' .. name, id)\n"                 \
	"        redis.call('PUBLISH', p .. 'notify', 'job ' .. name)\n"       \
	"      end\n"                                                          \
	"      n = n + 1\n"                                                    \
	"    end\n"                                                            \
	"  end\n"                                                              \
	"  redis.call('DEL', pj, p .. 'pool:' .. pool .. ':workers')\n"        \
	"  if redis.call('EXISTS', p .. 'pool:' .. pool) == 1 then\n"          \
	"    redis.call('HSET', p .. 'pool:' .. pool, 'status', 'Dead')\n"     \
	"  end\n"                                                              \
	"  return n\n"                                                         \
	"end\n"

/*
 * ARGV: ns, id, name, parameters (canonical JSON), unique ("0"/"1"),
 * execution id, max retries.  Returns the id, or an error "UNIQUE <id>".
 */
static const char lua_submit[] = LUA_PRELUDE
	"local id, name, params = ARGV[2], ARGV[3], ARGV[4]\n"
	"local job = p .. 'job:' .. id\n"
	"local uk = ''\n"
	"if ARGV[5] == '1' then\n"
	"  uk = p .. 'unique:' .. name .. ':' .. redis.sha1hex(params)\n"
	"  local other = redis.call('GET', uk)\n"
	"  if other then\n"
	"    return redis.error_reply('UNIQUE ' .. other)\n"
	"  end\n"
	"  redis.call('SET', uk, id)\n"
	"end\n"
	"redis.call('HSET', job, 'id', id, 'name', name, 'kind', 'Generic',\n"
	"  'status', 'Pending', 'parameters', params, 'enqueue_time', now,\n"
	"  'update_time', now, 'attempts', 0, 'max_retries', ARGV[7],\n"
	"  'unique', ARGV[5], 'unique_key', uk, 'execution_id', ARGV[6])\n"
	"if ARGV[6] ~= '' then\n"
	"  redis.call('SADD', p .. 'exec:' .. ARGV[6], id)\n"
	"end\n"
	"redis.call('RPUSH', p .. 'q:' .. name, id)\n"
	"redis.call('SADD', p .. 'queues', name)\n"
	"redis.call('PUBLISH', p .. 'notify', 'job ' .. name)\n"
	"return id\n";

/*
 * ARGV: ns, pool id, worker id, token, then pairs of job type and its
 * max_concurrency, in the order to try them.  Takes the first Pending job
 * of the first queue that is neither paused nor at its cap, and records the
 * claim.  Returns {id, name, parameters, attempts, execution id}, nil when
 * there is nothing to take, or an error "NOPOOL" when this pool's record is
 * gone (it was declared dead).
 */
static const char lua_claim[] = LUA_PRELUDE
	"local pool, worker, token = ARGV[2], ARGV[3], ARGV[4]\n"
	"if redis.call('HGET', p .. 'pool:' .. pool, 'status') ~= 'Healthy' then\n"
	"  return redis.error_reply('NOPOOL')\n"
	"end\n"
	"local stale = 0\n"
	"for i = 5, #ARGV, 2 do\n"
	"  local ty, cap = ARGV[i], tonumber(ARGV[i + 1])\n"
	"  if redis.call('SISMEMBER', p .. 'paused', ty) == 0 and\n"
	"     (cap == 0 or redis.call('SCARD', p .. 'active:' .. ty) < cap) then\n"
	"    while stale < 100 do\n"
	"      local id = redis.call('LPOP', p .. 'q:' .. ty)\n"
	"      if not id then break end\n"
	"      local job = p .. 'job:' .. id\n"
	"      if redis.call('HGET', job, 'status') == 'Pending' then\n"
	"        local att = redis.call('HINCRBY', job, 'attempts', 1)\n"
	"        redis.call('HSET', job, 'status', 'Running', 'start_time', now,\n"
	"          'update_time', now, 'pool_id', pool, 'worker_id', worker,\n"
	"          'token', token, 'check_in', '', 'check_in_at', '',\n"
	"          'end_time', '', 'error', '')\n"
	"        ununiq(job, id)\n"
	"        redis.call('SADD', p .. 'active:' .. ty, id)\n"
	"        redis.call('HSET', p .. 'pool:' .. pool .. ':jobs', id, token)\n"
	"        redis.call('HSET', p .. 'pool:' .. pool .. ':workers', worker, id)\n"
	"        local f = redis.call('HMGET', job, 'parameters', 'execution_id')\n"
	"        return {id, ty, f[1] or '{}', att, f[2] or ''}\n"
	"      end\n"
	"      stale = stale + 1\n"
	"    end\n"
	"  end\n"
	"end\n"
	"return false\n";

/*
 * ARGV: ns, id, token, pool id, worker id, result (Success, Error or
 * Stopped), error text.  Ends the run unless the claim is stale.  An Error
 * with retries left goes back to the tail of its queue as Pending.  Returns
 * the job's new status, or "STALE" when the claim was taken from this pool.
 */
static const char lua_finish[] = LUA_PRELUDE
	"local id, token, pool, worker = ARGV[2], ARGV[3], ARGV[4], ARGV[5]\n"
	"local result, err = ARGV[6], ARGV[7]\n"
	"local job = p .. 'job:' .. id\n"
	"if redis.call('HGET', p .. 'pool:' .. pool .. ':workers', worker) == id then\n"
	"  redis.call('HDEL', p .. 'pool:' .. pool .. ':workers', worker)\n"
	"end\n"
	"if redis.call('HGET', job, 'token') ~= token then\n"
	"  return 'STALE'\n"
	"end\n"
	"redis.call('HDEL', p .. 'pool:' .. pool .. ':jobs', id)\n"
	"local f = redis.call('HMGET', job, 'name', 'attempts', 'max_retries', 'stop')\n"
	"redis.call('SREM', p .. 'active:' .. f[1], id)\n"
	"if f[4] == '1' then\n"
	"  result = 'Stopped'\n"
	"end\n"
	"if result == 'Error' and tonumber(f[2]) <= tonumber(f[3] or '0') then\n"
	"  redis.call('HSET', job, 'status', 'Pending', 'update_time', now,\n"
	"    'error', err)\n"
	"  redis.call('HDEL', job, 'token')\n"
	"  redis.call('RPUSH', p .. 'q:' .. f[1], id)\n"
	"  redis.call('PUBLISH', p .. 'notify', 'job ' .. f[1])\n"
	"  return 'Pending'\n"
	"end\n"
	"finish(job, id, result, err)\n"
	"return result\n";

/* ARGV: ns, id, token, text.  Records a check-in of a job this pool runs. */
static const char lua_checkin[] = LUA_PRELUDE
	"local job = p .. 'job:' .. ARGV[2]\n"
	"if redis.call('HGET', job, 'token') ~= ARGV[3] then\n"
	"  return 0\n"
	"end\n"
	"redis.call('HSET', job, 'check_in', ARGV[4], 'check_in_at', now,\n"
	"  'update_time', now)\n"
	"return 1\n";

/*
 * ARGV: ns, id.  A Pending job leaves its queue and ends Stopped at once; a
 * Running one is flagged and its pool told to stop it.  Returns "Stopped" or
 * "Stopping", or an error "NOENT" or "STATE <status>".
 */
static const char lua_job_stop[] = LUA_PRELUDE
	"local id = ARGV[2]\n"
	"local job = p .. 'job:' .. id\n"
	"local f = redis.call('HMGET', job, 'status', 'name')\n"
	"if not f[1] then\n"
	"  return redis.error_reply('NOENT')\n"
	"end\n"
	"if f[1] == 'Pending' or f[1] == 'Scheduled' then\n"
	"  redis.call('LREM', p .. 'q:' .. f[2], 1, id)\n"
	"  finish(job, id, 'Stopped', '')\n"
	"  return 'Stopped'\n"
	"elseif f[1] == 'Running' then\n"
	"  redis.call('HSET', job, 'stop', '1', 'update_time', now)\n"
	"  redis.call('PUBLISH', p .. 'notify', 'stop ' .. id)\n"
	"  return 'Stopping'\n"
	"end\n"
	"return redis.error_reply('STATE ' .. f[1])\n";

/*
 * ARGV: ns, pool id, pid, host, concurrency, identity, then the job types
 * this pool serves.  Registers the pool.  Earlier pools with the same
 * identity (host and control socket) are gone, since this daemon now holds
 * their socket: their claimed jobs are recovered at once.  Returns the
 * number of jobs recovered and what this pool's record was before: "new"
 * (none), "dead" (declared dead meanwhile) or "ok".
 */
static const char lua_pool_register[] = LUA_PRELUDE LUA_RECOVER
	"local pool = ARGV[2]\n"
	"local n = 0\n"
	"for _, other in ipairs(redis.call('ZRANGE', p .. 'pools', 0, -1)) do\n"
	"  if other ~= pool and\n"
	"     redis.call('HGET', p .. 'pool:' .. other, 'identity') == ARGV[6] and\n"
	"     redis.call('HGET', p .. 'pool:' .. other, 'status') ~= 'Dead' then\n"
	"    n = n + recover(other, 'was restarted')\n"
	"  end\n"
	"end\n"
	"local pk = p .. 'pool:' .. pool\n"
	"local was = redis.call('HGET', pk, 'status')\n"
	"if not was then\n"
	"  redis.call('HSET', pk, 'start_at', now)\n"
	"end\n"
	"redis.call('HSET', pk, 'id', pool, 'pid', ARGV[3], 'host', ARGV[4],\n"
	"  'concurrency', ARGV[5], 'identity', ARGV[6], 'heartbeat_at', now,\n"
	"  'status', 'Healthy')\n"
	"redis.call('ZADD', p .. 'pools', now_ms, pool)\n"
	"for i = 7, #ARGV do\n"
	"  redis.call('SADD', p .. 'queues', ARGV[i])\n"
	"end\n"
	"return {n, was == 'Healthy' and 'ok' or (was and 'dead' or 'new')}\n";

/*
 * ARGV: ns, pool id, dead timeout (ms).  Renews this pool's heartbeat, then
 * recovers the jobs of pools whose heartbeat is older than the timeout, and
 * forgets pools dead for more than an hour.  Returns the number of jobs
 * recovered, or an error "NOPOOL" when this pool was itself declared dead.
 */
static const char lua_heartbeat[] = LUA_PRELUDE LUA_RECOVER
	"local pool, dead_ms = ARGV[2], tonumber(ARGV[3])\n"
	"local pk = p .. 'pool:' .. pool\n"
	"if redis.call('HGET', pk, 'status') ~= 'Healthy' then\n"
	"  return redis.error_reply('NOPOOL')\n"
	"end\n"
	"redis.call('HSET', pk, 'heartbeat_at', now)\n"
	"redis.call('ZADD', p .. 'pools', now_ms, pool)\n"
	"local n = 0\n"
	"local dead = redis.call('ZRANGEBYSCORE', p .. 'pools', '-inf',\n"
	"  now_ms - dead_ms, 'LIMIT', 0, 100)\n"
	"for _, d in ipairs(dead) do\n"
	"  if redis.call('HGET', p .. 'pool:' .. d, 'status') ~= 'Dead' then\n"
	"    n = n + recover(d, 'died')\n"
	"  end\n"
	"end\n"
	"local old = redis.call('ZRANGEBYSCORE', p .. 'pools', '-inf',\n"
	"  now_ms - 3600000, 'LIMIT', 0, 100)\n"
	"for _, d in ipairs(old) do\n"
	"  redis.call('ZREM', p .. 'pools', d)\n"
	"  redis.call('DEL', p .. 'pool:' .. d)\n"
	"end\n"
	"return n\n";

/* ARGV: ns, pool id.  Removes a pool that shut down cleanly. */
static const char lua_pool_leave[] = LUA_PRELUDE LUA_RECOVER
	"local pool = ARGV[2]\n"
	"local n = recover(pool, 'shut down')\n"
	"redis.call('ZREM', p .. 'pools', pool)\n"
	"redis.call('DEL', p .. 'pool:' .. pool)\n"
	"return n\n";

/*
 * ARGV: ns, job type, token.  Moves the whole queue aside in O(1), so that
 * jobs submitted from now on are not stopped, and records the moved list
 * for stop_batch.  Returns {count, list key}.
 */
static const char lua_stop_begin[] = LUA_PRELUDE
	"local q = p .. 'q:' .. ARGV[2]\n"
	"local n = redis.call('LLEN', q)\n"
	"if n == 0 then\n"
	"  return {0, ''}\n"
	"end\n"
	"local dst = q .. ':stopping:' .. ARGV[3]\n"
	"redis.call('RENAME', q, dst)\n"
	"redis.call('SADD', p .. 'stopping', dst)\n"
	"return {n, dst}\n";

/*
 * ARGV: ns, list key, batch size.  Ends up to that many jobs of a moved
 * queue Stopped.  Returns {stopped, left}.
 */
static const char lua_stop_batch[] = LUA_PRELUDE
	"local key, n = ARGV[2], tonumber(ARGV[3])\n"
	"local ids = redis.call('LPOP', key, n)\n"
	"local stopped = 0\n"
	"if ids then\n"
	"  for _, id in ipairs(ids) do\n"
	"    local job = p .. 'job:' .. id\n"
	"    if redis.call('HGET', job, 'status') == 'Pending' then\n"
	"      finish(job, id, 'Stopped', '')\n"
	"      stopped = stopped + 1\n"
	"    end\n"
	"  end\n"
	"end\n"
	"local left = redis.call('LLEN', key)\n"
	"if left == 0 then\n"
	"  redis.call('SREM', p .. 'stopping', key)\n"
	"end\n"
	"return {stopped, left}\n";

const char *const script_src[SCRIPT_MAX] = {
	[SCRIPT_SUBMIT] = lua_submit,
	[SCRIPT_CLAIM] = lua_claim,
	[SCRIPT_FINISH] = lua_finish,
	[SCRIPT_CHECKIN] = lua_checkin,
	[SCRIPT_JOB_STOP] = lua_job_stop,
	[SCRIPT_POOL_REGISTER] = lua_pool_register,
	[SCRIPT_HEARTBEAT] = lua_heartbeat,
	[SCRIPT_POOL_LEAVE] = lua_pool_leave,
	[SCRIPT_STOP_BEGIN] = lua_stop_begin,
	[SCRIPT_STOP_BATCH] = lua_stop_batch,
};
