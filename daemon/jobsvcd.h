/* SPDX-License-Identifier: ISC */
/*
 * jobsvcd: the subsystems of the daemon and what they share.
 */
#ifndef JOBSVCD_H
#define JOBSVCD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/queue.h>

#include "jsv.h"
#include "proto.h"

#define JSVD_CONF_FILE JSV_SYSCONFDIR "/jobsvc/jobsvcd.conf"

/* config.c */

/* One [queue NAME] section: a job type and how its jobs run. */
struct queue_conf {
	TAILQ_ENTRY(queue_conf) entry;
	char *name; /* the job type, jsv_valid_job_type() */
	char *exec; /* absolute path of the handler */
	unsigned max_concurrency; /* across all pools; 0 = no cap */
	unsigned max_retries; /* further runs after an Error */
	uint64_t timeout_ms; /* 0 = no timeout */
	uint64_t backoff_ms; /* wait before the first retry, default 10s */
	uint64_t backoff_max_ms; /* the wait doubles up to this, default 1h */
	char **env; /* "NAME=value", added to the handler's env */
	size_t nenv;
	bool persistent; /* handlers stay up between jobs (persist.c) */
};

TAILQ_HEAD(queue_conf_list, queue_conf);

struct jsvd_conf {
	/* as written ("unix:/path" or "redis://..."), for the log: a password
	 * shows as "***" */
	char *redis;
	char *redis_path; /* unix socket path, or NULL for TCP */
	char *redis_host; /* TCP host, or NULL for a unix socket */
	int redis_port; /* default 6379 */
	int redis_db; /* default 0 */
	char *redis_password; /* from redis://:pass@host, or NULL */
	char *namespace; /* key prefix, default "jobsvc" */
	unsigned workers; /* pool size, default 10, 1..1024 */
	char *log_dir; /* job logs, default /var/log/jobsvc/jobs */
	uint64_t stop_grace_ms; /* SIGTERM to SIGKILL, default 10s */
	uint64_t heartbeat_ms; /* pool heartbeat period, default 5s */
	uint64_t dead_timeout_ms; /* pool dead after this, default 15s */
	char *admin_group; /* members may act, default "jobsvc-admin" */
	uint64_t retention_ms; /* keep Success/Stopped jobs, default 1d */
	uint64_t error_retention_ms; /* keep Error jobs, default 7d */
	unsigned crash_retries; /* runs lost to dead pools, besides retries */
	unsigned handler_nice; /* handlers run this much nicer than the daemon */
	char **env; /* "NAME=value" for every handler */
	size_t nenv;
	struct queue_conf_list queues; /* in file order */
	size_t nqueues;
};

/*
 * Parses a configuration.  On success returns 0 and a new configuration in
 * *out.  Otherwise returns -EINVAL and appends one line per problem to errs,
 * each "FILE:LINE: message\n" (FILE is fname), and *out is untouched.
 * Unknown sections and keys, duplicate sections or keys, bad values, a queue
 * without exec and a configuration without any queue are all errors.
 */
int config_parse(FILE *fp, const char *fname, struct jsvd_conf **out,
		 struct jsv_buf *errs);
/* config_parse() on a file; a file that cannot be opened is one error line. */
int config_load(const char *path, struct jsvd_conf **out, struct jsv_buf *errs);
/*
 * Checks that each queue's exec is an executable regular file (for the user
 * running this).  Appends "FILE: [queue NAME] exec PATH: why\n" to errs for
 * each that is not, and returns how many.
 */
unsigned config_check_execs(const struct jsvd_conf *conf, const char *fname,
			    struct jsv_buf *errs);
void config_free(struct jsvd_conf *conf);
struct queue_conf *config_queue(const struct jsvd_conf *conf, const char *name);

/* The daemon's state; one per process (jobsvcd.c owns it). */
struct worker;
struct json_object;
typedef struct sd_event sd_event;
typedef struct redisReply redisReply;

struct jsvd {
	struct jsvd_conf *conf;
	const char *conf_path;
	const char *sock_path;
	sd_event *ev;
	char pool_id[13]; /* 12 hex characters, new at every start */
	char host[256];
	char *identity; /* the same for a restart of this daemon, see main() */
	int64_t start_at; /* Unix seconds */
	bool draining; /* SIGTERM: claim nothing more */
	struct worker *workers; /* conf->workers slots */
	unsigned nworkers;
	char claim_after[65]; /* the next claim starts after this job type */
};

extern struct jsvd *jsvd;

/* redis.c: one command connection, one subscriber, reconnect with backoff. */
/* The Lua scripts, daemon/lua/<name>.lua; script_src is generated. */
enum script_id {
	SCRIPT_AUDIT,
	SCRIPT_SUBMIT,
	SCRIPT_CLAIM,
	SCRIPT_FINISH,
	SCRIPT_HANDBACK,
	SCRIPT_CHECKIN,
	SCRIPT_JOB_STOP,
	SCRIPT_POOL_REGISTER,
	SCRIPT_HEARTBEAT,
	SCRIPT_POOL_LEAVE,
	SCRIPT_STOP_BEGIN,
	SCRIPT_STOP_BATCH,
	SCRIPT_PROMOTE,
	SCRIPT_SCHED_ADD,
	SCRIPT_SCHED_DEL,
	SCRIPT_SCHED_FIRE,
	SCRIPT_PURGE,
	SCRIPT_EXEC_SHOW,
	SCRIPT_QUEUE_LIST,
	SCRIPT_SCHED_PAGE,
	SCRIPT_WORKER_JOBS,
	SCRIPT_INDEX_FILL,
	SCRIPT_JOB_LIST,
	SCRIPT_MAX
};

extern const char *const script_src[SCRIPT_MAX];

int redis_init(void);
void redis_close(void);
bool redis_ok(void);
/*
 * Runs one command and returns its reply (the caller frees it with
 * freeReplyObject), or NULL when Redis is unavailable: the connection is then
 * dropped and reconnection is scheduled.  Error replies are returned as such.
 */
redisReply *redis_cmd(const char *fmt, ...);
redisReply *redis_cmdargv(int argc, const char **argv, const size_t *argvlen);
/*
 * The text of an error reply without the "ERR " Redis puts before errors
 * raised by scripts, or NULL when r is not an error.
 */
const char *redis_errstr(const redisReply *r);
/* Runs a script with the namespace as ARGV[1] followed by args. */
redisReply *redis_script(enum script_id id, int argc, const char **argv);
/* Pipelines n calls of one script; replies[] gets n replies or NULLs. */
int redis_script_many(enum script_id id, int n, int argc,
		      const char *const *argvs, redisReply **replies);
/* A key in the namespace: "<ns>:<suffix>", in a static rotating buffer. */
const char *redis_key(const char *fmt, ...) JSV_PRINTF(1, 2);
/* Redis's clock in milliseconds, or -1 when Redis is unavailable. */
int64_t redis_time_ms(void);
/* Publishes a notification on the namespace's channel. */
void redis_notify(const char *fmt, ...) JSV_PRINTF(1, 2);

/* pool.c: this daemon's pool record, heartbeat and dead-pool recovery. */
int pool_register(void);
void pool_start_heartbeat(void);
void pool_leave(void);
int pool_list(struct json_object **out); /* array */
int pool_workers(const char *pool_id, struct json_object **out); /* array */
int pool_busy_total(unsigned *busy, unsigned *total);
int pool_worker_job(const char *worker_id, char *buf, size_t len);
int pool_busy_jobs(struct json_object **out);

/*
 * contain.c: each job's processes under a supervisor (supervise.c), and in a
 * cgroup of their own where the daemon has a delegated one.  SIGTERM to the
 * supervisor passes it on to the job's processes, SIGUSR1 kills them all.
 */
int contain_init(void);
void contain_cleanup(void);
/* The cgroup directory of a job (to free), or NULL without cgroups. */
char *contain_cgroup(const char *job_id);
/* After a supervisor died before its job's processes: kills what is left. */
void contain_kill_leftovers(const char *job_id);

/* worker.c: the slots of this pool and the handlers they run. */
int worker_init(void);
void worker_cleanup(void);
void worker_kick(void); /* dispatch soon, from the event loop */
void worker_stop_job(const char *job_id); /* if this pool runs it */
void worker_check_stops(void);
void worker_flush(void); /* retry finishes that Redis missed */
/* Hands back claims no slot holds; drops runs whose claim was recovered. */
void worker_reconcile(void);
unsigned worker_busy(void);
void worker_drain(void); /* SIGTERM: requeue what runs, kill it */
void worker_lost_pool(void); /* our pool was recovered by others */

/* queue.c */
typedef void queue_stop_cb(void *arg, uint64_t stopped, int err);

/* Submits an array of jobs; *results gets one result object per job. */
int queue_submit(struct json_object *jobs, struct json_object **results);
int queue_list(struct json_object **out);
/*
 * The queues in short, for the status card: {"total": jobs waiting,
 * "types": N, "top": [{"job_type", "count"}] (the two longest queues, the
 * first listed on a tie), "others": jobs in the other queues, "latency":
 * the longest wait of a queue's first job, in seconds}.
 */
int queue_summary(struct json_object **out);
int queue_pause(const char *type, bool pause);
/*
 * Empties the queues of the given types (n >= 1) at once, and ends their
 * waiting jobs (Pending, Scheduled, or waiting out a retry's backoff)
 * Stopped from the event loop.  done is called from the event loop, never
 * from queue_stop(), with the number of jobs stopped once all are, or with
 * an error.  Returns 0, or -EINVAL or -EIO without calling done.
 */
int queue_stop(char *const *types, size_t n, queue_stop_cb *done, void *arg);
/*
 * The number of jobs in a stop's next batch, after one of size jobs took us
 * microseconds: towards 10 ms a batch, by at most a factor of two at a
 * time, between 100 and 1000.
 */
int64_t queue_stop_size(int64_t size, uint64_t us);
/* Takes over the stops whose pool went away before finishing them. */
void queue_resume_stops(void);
/* Forgets the stops in progress (they are resumed from Redis later). */
void queue_cleanup(void);
/* Reports the queues a reload adds and removes. */
void queue_reload(const struct jsvd_conf *oc, const struct jsvd_conf *nc);

/* sched.c: schedules, and jobs that wait for their time. */
int sched_init(void);
void sched_cleanup(void);
void sched_kick(void); /* due times changed: tick soon */
int sched_summary(int64_t *total, bool *paused);
int sched_list(int64_t page, int64_t size, struct json_object **out,
	       int64_t *total);
/* -EINVAL with the reason in err for a bad expression or parameters. */
int sched_add(const char *type, int64_t vendor_id, const char *expr,
	      struct json_object *params, struct json_object **out, char *err,
	      size_t errlen);
int sched_del(int64_t id);

/* audit.c */
/*
 * Adds an acting request's record to the audit trail.  Returns 0, or -EIO
 * with why in err (Redis unavailable or refusing the write).
 */
int audit_add(struct json_object *rec, char *err, size_t errlen);
/*
 * A page of the trail, newest first, as an array of records with their
 * "time", and how many records are kept in *total.
 */
int audit_list(int64_t page, int64_t size, struct json_object **out,
	       int64_t *total);

/* job.c */
void job_random_hex(char *buf, size_t n); /* n digits, buf n + 1 */
void job_add_time(struct json_object *o, const char *key, const char *secs);
/*
 * Adds field k of a job record as Redis holds it (value v) to o, typed as
 * SPEC §2 says (times RFC 3339, counts integers...); unknown fields are
 * left out.
 */
void job_add_field(struct json_object *o, const char *k, const char *v);
int job_show(const char *id, struct json_object **out);
int job_stop(const char *id, char *msg, size_t len);
int job_log(const char *id, int64_t offset, int64_t tail,
	    struct json_object **out);
/*
 * An execution: its status, the number of its jobs in total and by status,
 * and page (from 1) of its jobs, size (1..100) to a page, ordered by id.
 */
int job_execution_show(const char *id, int64_t page, int64_t size,
		       struct json_object **out);
/* Deletes finished jobs past their retention, with their logs. */
void job_purge(void);

/* joblist.c: the lists of jobs by status and type, newest first. */
/*
 * A page (from 1) of size jobs, newest first, of the given status and
 * type (NULL or "" for any): their ids and the fields of SPEC §2 that a list
 * shows, in *out (an array), and the length of the whole list in *total.
 * The Redis work is bounded by size, not by the number of jobs.  Returns
 * 0, or -EIO when Redis is unavailable.
 */
int joblist_list(const char *status, const char *type, int64_t page,
		 int64_t size, struct json_object **out, int64_t *total);
/*
 * Adds the jobs of a database made before the lists to them, in batches
 * from the event loop, once per database (ix:built).  Called whenever
 * Redis is connected; does nothing when the work is done or under way.
 */
void joblist_fill_start(void);
void joblist_cleanup(void);

/* control.c */
int control_init(const char *path);
void control_reload(void);
void control_cleanup(const char *path);

/* jobsvcd.c */
void jsvd_status(const char *fmt, ...) JSV_PRINTF(1, 2);
typedef struct sd_event_source sd_event_source;
/*
 * Arms the one-shot CLOCK_MONOTONIC timer *src to call cb(arg) usec from
 * now, creating it on first use.  It fires within a millisecond of its
 * time: sd-event's default accuracy, 250 ms, would fire per-second
 * schedules late, and a tick more than a second late is missed.  Returns 0,
 * or a negative errno with a warning logged (the timer is then off); a
 * caller whose timer must not stop treats that as fatal.
 */
int jsvd_timer(sd_event_source **src, uint64_t usec,
	       int (*cb)(sd_event_source *s, uint64_t usec, void *arg),
	       void *arg);

#endif /* JOBSVCD_H */
