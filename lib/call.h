/* SPDX-License-Identifier: ISC */
/*
 * The client layer of jobsvc-ctl and jobsvc-fcgi: one call that sends a
 * command of the catalogue and collects its answer under one policy, the
 * builders of the requests both clients send, and the job-log reader.
 *
 * The policy of an answer (lib/proto.h has the frames): a command whose
 * catalogue answer has records (JSV_ANS_RECORDS, JSV_ANS_PAGE) gets its
 * RECORD frames collected into an array, in order, before its END; a RECORD
 * in the answer to a command that has none is a protocol error.  An ERROR
 * frame is the daemon's refusal (its code and text).  Anything else that
 * goes wrong is local: the daemon cannot be reached, it did not answer in
 * time, it closed the connection, or it answered out of protocol.  After a
 * local failure the connection is out of step: close it (a new call opens
 * another); after an ERROR it serves the next request.
 */
#ifndef JSV_CALL_H
#define JSV_CALL_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>

#include "catalog.h"
#include "proto.h"

/* How a call ended. */
enum jsv_call_status {
	JSV_CALL_OK,
	JSV_CALL_REFUSED, /* the daemon answered ERROR: code and text */
	JSV_CALL_UNREACHABLE, /* connecting failed (no daemon, no access) */
	JSV_CALL_TIMEOUT, /* a wait passed the connection's timeout */
	JSV_CALL_CLOSED, /* the daemon closed the connection mid-call */
	JSV_CALL_PROTO, /* an answer out of protocol, or a stray record */
	JSV_CALL_IO, /* another local failure (errnum says which) */
};

struct jsv_call_err {
	enum jsv_call_status status;
	/* JSV_CALL_REFUSED: the daemon's code, JSV_E_INTERNAL if it sent none */
	int code;
	int errnum; /* local failures: the errno, 0 when there is none */
	/*
	 * What went wrong in one line, without a final period: the daemon's
	 * text ("not found: job ..."), or the local failure ("connect
	 * /run/jobsvc/control.sock: No such file or directory", "the daemon
	 * closed the connection").
	 */
	char text[512];
};

/* Whether the failure is the client's side, not the daemon's answer. */
bool jsv_call_local(const struct jsv_call_err *err);

/*
 * Connects to the daemon's socket at path; every later wait on the
 * connection gives up after timeout_ms (<= 0: never).  NULL on failure,
 * with err filled (JSV_CALL_UNREACHABLE, or JSV_CALL_TIMEOUT when the
 * daemon's backlog stayed full).
 */
struct jsv_client *jsv_call_connect(const char *path, int timeout_ms,
				    struct jsv_call_err *err);

/*
 * Sends command cmd with the fields of req (consumed; NULL for none; its
 * "cmd" is set here) and reads the answer.  Returns 0 with the END payload
 * in *end and, for a command whose answer has records, an array of the
 * RECORD payloads in *records (empty when there were none); NULL in both
 * otherwise.  records may be NULL when the caller has no use for them.
 * Returns -1 with err filled on failure.  The caller puts *records and
 * *end.
 */
int jsv_call(struct jsv_client *c, enum jsv_cmd cmd, struct json_object *req,
	     struct json_object **records, struct json_object **end,
	     struct jsv_call_err *err);

/* Request builders: each adds a request's fields to req. */

/*
 * The targets of cmd, an action on several job types or workers: {"all":
 * true} when all, else the names in the command's list field ("types",
 * "workers").
 */
void jsv_req_targets(struct json_object *req, enum jsv_cmd cmd,
		     const char *const *names, size_t n, bool all);
/* {"types": [type]}, or {"all": true} for type "all", for cmd. */
void jsv_req_type_or_all(struct json_object *req, enum jsv_cmd cmd,
			 const char *type);
/* workers: {"pool_id": id}, or {"all": true} for NULL or "all". */
void jsv_req_pool(struct json_object *req, const char *pool_id);
/* {"id": id}, a job or execution id. */
void jsv_req_id(struct json_object *req, const char *id);
/* {"id": N}, a schedule's id. */
void jsv_req_schedule_id(struct json_object *req, int64_t id);
/*
 * {"as_user": user} on an acting command: the user a trusted client acts
 * for, for the audit trail.  Left out for NULL, "" or a name longer than
 * JSV_AS_USER_MAX bytes: the peer's own user is recorded all the same.
 */
void jsv_req_as_user(struct json_object *req, const char *user);
/* jobs: {"status": status, "type": type}, each left out when NULL or "". */
void jsv_req_jobs(struct json_object *req, const char *status,
		  const char *type);
/* {"page": N, "page_size": N}, each left out when 0 (the default). */
void jsv_req_page(struct json_object *req, int64_t page, int64_t page_size);

/*
 * Reading a job's log (job.log): the daemon answers a chunk of at most
 * JSV_LOG_CHUNK bytes from an offset, and says when the job is final and
 * nothing is left past it.  The reader asks until its stop condition.
 */
enum jsv_log_until {
	JSV_LOG_ONE, /* one chunk */
	JSV_LOG_NOW, /* until nothing more is there now (or done) */
	JSV_LOG_DONE, /* until the job is final and all read, polling */
};

struct jsv_log {
	const char *id; /* the job */
	int64_t offset; /* where the next chunk starts; advanced */
	bool done; /* the job is final and everything has been read */
	size_t read; /* bytes of text read so far */
	size_t max; /* stop once this many bytes were read; 0: no limit */
	int poll_ms; /* JSV_LOG_DONE: the pause after an empty chunk */
	/*
	 * Called with each chunk that has text or ends the log (done), in
	 * order; offset and done are already those after the chunk.  NULL:
	 * the text is appended to buf.
	 */
	void (*chunk)(const struct jsv_log *log, const char *data, size_t len,
		      void *arg);
	void *arg;
	struct jsv_buf buf;
};

/*
 * Reads log->id's log from log->offset until the stop condition (or
 * log->max).  Returns 0, or -1 with err filled; log->offset then says how
 * far it got.  The caller frees log->buf.
 */
int jsv_log_read(struct jsv_client *c, struct jsv_log *log,
		 enum jsv_log_until until, struct jsv_call_err *err);

/*
 * Appends the last tail bytes (at most JSV_LOG_CHUNK) of job id's log to
 * out, starting at a line (or at least a character) when it had to be cut:
 * one job.log request with "tail".  Returns 0, or -1 with err filled.
 */
int jsv_log_tail(struct jsv_client *c, const char *id, size_t tail,
		 struct jsv_buf *out, struct jsv_call_err *err);

#endif /* JSV_CALL_H */
