/* SPDX-License-Identifier: ISC */
/*
 * What the control socket's command handlers share with its transport
 * (control.c).  A handler gets one request, answers it through r with
 * RECORD frames ended by END, or with one ERROR, and returns how it went.
 * It never sees the connection: the answer of a request whose connection
 * went away is dropped, but an acting command is still audited.
 */
#ifndef CONTROL_H
#define CONTROL_H

#include <json-c/json.h>

#include "catalog.h"
#include "jobsvcd.h"

/* A request being answered. */
struct ctl_req;

/*
 * A handler's result besides 0 (answered): the answer comes from a
 * callback that owns r now (returned by ctl_req_wait()).
 */
#define CTL_LATER 1

/*
 * Runs one request, whose fields the dispatcher has checked against the
 * catalogue (lib/commands.def): of the right kinds, within bounds, the
 * required ones there.  The handler checks what only the daemon knows
 * (unknown job type, no such job).
 */
typedef int ctl_handler(struct ctl_req *r, struct json_object *req);

/* Appends a RECORD with o, and drops the caller's reference to o. */
void ctl_record(struct ctl_req *r, struct json_object *o);
/* A RECORD per element of arr, then an empty END; drops arr. */
void ctl_records(struct ctl_req *r, struct json_object *arr);
/*
 * Appends the END with o (NULL for an empty one), and drops o.  An acting
 * command's audit line says "ok" with o's "message", if any.
 */
void ctl_end(struct ctl_req *r, struct json_object *o);
/* Appends an ERROR: code, jsv_strerror(code) and the detail, if any. */
void ctl_error(struct ctl_req *r, int code, const char *fmt, ...)
	JSV_PRINTF(3, 4);
/*
 * Answers a negative errno from a subsystem with the error it stands for
 * (-EIO: Redis is unavailable, -ENOENT: no such what, -EPERM: what is not in
 * a state that allows this, -EINVAL: what is invalid, anything else:
 * internal).  Returns 0.
 */
int ctl_fail(struct ctl_req *r, int err, const char *what);

/*
 * The answer to r comes from a callback, which ends it with ctl_req_end();
 * meanwhile its connection reads no further request.  Returns CTL_LATER, for
 * the handler to return.
 */
int ctl_req_wait(struct ctl_req *r);
/*
 * Ends a request answered from a callback and frees it: its connection, if
 * still open, sends what was appended and reads requests again.
 */
void ctl_req_end(struct ctl_req *r);

/*
 * A page of a list: a RECORD per element of arr, then the END end (NULL
 * for an empty one) with "total", "page" and "page_size" added; drops arr
 * and end.
 */
void ctl_page_end(struct ctl_req *r, struct json_object *arr, int64_t total,
		  int64_t page, int64_t size, struct json_object *end);

/*
 * Appends the strings of arr for people: "A", "A, B", up to three, else
 * "N <many>" ("11 queues").
 */
void ctl_names(struct jsv_buf *b, struct json_object *arr, const char *many);

/*
 * The page a paged list asks for: "page" (default 1) and "page_size"
 * (default JSV_PAGE_SIZE_MAX).
 */
void ctl_page(struct json_object *req, int64_t *page, int64_t *size);

/*
 * Seams for tests and the fuzzer.  Whether the daemon has a handler for
 * cmd.  control_feed() answers the frames of data as a connection of an
 * administrator (or not) would, without a socket, up to the first frame that
 * would close it, and appends the answers to out.
 */
bool control_has_handler(enum jsv_cmd cmd);
void control_feed(bool admin, const void *data, size_t len,
		  struct jsv_buf *out);

/* control_audit.c */
ctl_handler ctl_audit_list;
ctl_handler ctl_jobs;

/* control_status.c */
ctl_handler ctl_status;

/* control_queue.c */
ctl_handler ctl_queues;
ctl_handler ctl_queue_stop;
ctl_handler ctl_queue_pause;
ctl_handler ctl_queue_resume;

/* control_worker.c */
ctl_handler ctl_pools;
ctl_handler ctl_workers;
ctl_handler ctl_worker_free;

/* control_job.c */
ctl_handler ctl_submit;
ctl_handler ctl_job_show;
ctl_handler ctl_job_stop;
ctl_handler ctl_job_log;
ctl_handler ctl_execution_show;

/* control_schedule.c */
ctl_handler ctl_schedules;
ctl_handler ctl_schedules_pause;
ctl_handler ctl_schedules_resume;
ctl_handler ctl_schedule_add;
ctl_handler ctl_schedule_del;

#endif /* CONTROL_H */
