/* SPDX-License-Identifier: ISC */
/*
 * The control socket: where jobsvc-ctl and jobsvc-fcgi ask and act.
 *
 * The socket comes from systemd (socket activation) or is created here,
 * after making sure no other daemon answers on the path.  Each connection
 * reads its peer's credentials once: root, the daemon's own user and
 * members of the admin group may act, anybody else who can reach the socket
 * may only read.  Frames are checked before use (lib/proto.h); a request
 * that cannot be decoded or validated gets an ERROR answer and its
 * connection is closed after the answer is sent, never the daemon.
 * Connections are limited per user and time out when idle, with slots
 * kept for administrators, so no local user can lock them out.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <json-c/json.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "jobsvcd.h"
#include "proto.h"

#define CONTROL_MAX_CONNS 256
/* Slots only root and administrators may take, once the others are used. */
#define CONTROL_ADMIN_RESERVE 32
/* Connections one user who is not an administrator may hold at once. */
#define CONTROL_MAX_PER_UID 32
/*
 * A connection without a complete request or answer progress this long is
 * closed, unless a request of its own is in flight.
 */
#define CONTROL_IDLE_USEC (30 * 1000000ULL)
#define CONTROL_READ_MAX (JSV_HDR_LEN + JSV_MSG_MAX)

/*
 * A connection's life: it reads and answers requests one at a time; while
 * an answer comes from a callback it waits with that request in c->req;
 * after a bad request it only sends what is queued, then closes.
 */
enum ctl_state {
	CTL_READING,
	CTL_WAITING,
	CTL_CLOSING,
};

struct ctl_conn;

/*
 * A request answered later, from a callback.  It is owned by whoever calls
 * back (the subsystem doing the work) and outlives its connection: when the
 * peer goes away first, conn is set to NULL and the answer is dropped.
 */
struct ctl_req {
	struct ctl_conn *conn; /* NULL once the connection is closed */
	uid_t uid; /* the peer's, for the log */
	struct json_object *types; /* queue.stop: the types, for the answer */
};

struct ctl_conn {
	TAILQ_ENTRY(ctl_conn) entry;
	int fd;
	uid_t uid;
	bool admin;
	enum ctl_state state;
	struct ctl_req *req; /* CTL_WAITING: the request in flight */
	struct jsv_buf in;
	struct jsv_buf out;
	sd_event_source *src;
	sd_event_source *idle_src;
};

TAILQ_HEAD(ctl_conns, ctl_conn);

static struct ctl_conns conns = TAILQ_HEAD_INITIALIZER(conns);
static unsigned nconns;
static int listen_fd = -1;
static bool own_socket;
static sd_event_source *listen_src;
static sd_event_source *accept_retry_src;
static gid_t admin_gid;
static bool have_admin_gid;

/* A command: its name, whether it acts, and its handler. */
struct ctl_cmd {
	const char *name;
	bool act;
	const char *const *fields; /* allowed request fields besides "cmd" */
	int (*fn)(struct ctl_conn *c, struct json_object *req);
};

static void control_set_events(struct ctl_conn *c);

/*
 * Handler results besides 0 (answered, or waiting after ctl_req_new()):
 * malformed, an error was appended; close.
 */
#define CTL_BAD (-1)

/*
 * Puts c in CTL_WAITING with a new request in flight, for a handler whose
 * answer comes from a callback; the callback ends it with ctl_req_end().
 */
static struct ctl_req *ctl_req_new(struct ctl_conn *c)
{
	struct ctl_req *r = xcalloc(1, sizeof(*r));

	r->conn = c;
	r->uid = c->uid;
	c->req = r;
	c->state = CTL_WAITING;
	return r;
}

/*
 * Ends a request: its connection, if still open, reads requests again and
 * is woken to send what the callback appended.  Nothing is sent or closed
 * here, so a callback that runs inside its own request's dispatch (the work
 * was done at once) leaves the connection to control_run(), and a callback
 * for a closed connection touches nothing but r.
 */
static void ctl_req_end(struct ctl_req *r)
{
	struct ctl_conn *c = r->conn;

	if (c) {
		c->req = NULL;
		c->state = CTL_READING;
		control_set_events(c);
	}
	json_object_put(r->types);
	free(r);
}

static void ctl_record(struct ctl_conn *c, struct json_object *o)
{
	jsv_frame_append_json(&c->out, JSV_MSG_RECORD, o);
	json_object_put(o);
}

static void ctl_end(struct ctl_conn *c, struct json_object *o)
{
	if (!o)
		o = json_object_new_object();
	jsv_frame_append_json(&c->out, JSV_MSG_END, o);
	json_object_put(o);
}

static int ctl_bad(struct ctl_conn *c, const char *what)
{
	jsv_frame_append_error(&c->out, JSV_E_INVAL, "%s", what);
	return CTL_BAD;
}

/* Answers a negative errno from a subsystem as the matching error. */
static int ctl_fail(struct ctl_conn *c, int err, const char *what)
{
	switch (err) {
	case -EIO:
		jsv_frame_append_error(&c->out, JSV_E_REDIS, NULL);
		break;
	case -ENOENT:
		jsv_frame_append_error(&c->out, JSV_E_NOENT, "%s",
				       what ? what : "");
		break;
	default:
		jsv_frame_append_error(&c->out, JSV_E_INTERNAL, NULL);
		break;
	}
	return 0;
}

static void ctl_records(struct ctl_conn *c, struct json_object *arr)
{
	size_t i;

	for (i = 0; i < json_object_array_length(arr); i++)
		ctl_record(c,
			   json_object_get(json_object_array_get_idx(arr, i)));
	json_object_put(arr);
	ctl_end(c, NULL);
}

static int ctl_status(struct ctl_conn *c, struct json_object *req)
{
	struct json_object *qs, *o, *cards, *top;
	unsigned busy, total;
	int64_t sum = 0, others = 0, c1 = -1, c2 = -1, n, nsched;
	bool sched_paused;
	size_t i, n1 = 0, n2 = 0, len;
	int rv;

	rv = queue_list(&qs);
	if (rv < 0)
		return ctl_fail(c, rv, NULL);
	rv = pool_busy_total(&busy, &total);
	if (rv == 0)
		rv = sched_summary(&nsched, &sched_paused);
	if (rv < 0) {
		json_object_put(qs);
		return ctl_fail(c, rv, NULL);
	}
	len = json_object_array_length(qs);
	for (i = 0; i < len; i++) {
		o = json_object_array_get_idx(qs, i);
		n = json_object_get_int64(json_object_object_get(o, "count"));
		sum += n;
		if (n > c1) {
			c2 = c1;
			n2 = n1;
			c1 = n;
			n1 = i;
		} else if (n > c2) {
			c2 = n;
			n2 = i;
		}
	}
	top = json_object_new_array();
	for (i = 0; i < 2 && i < len; i++) {
		struct json_object *src =
			json_object_array_get_idx(qs, i == 0 ? n1 : n2);
		struct json_object *t = json_object_new_object();

		json_object_object_add(t, "job_type",
				       json_object_get(json_object_object_get(
					       src, "job_type")));
		json_object_object_add(
			t, "count",
			json_object_get(json_object_object_get(src, "count")));
		json_object_array_add(top, t);
		others += json_object_get_int64(
			json_object_object_get(src, "count"));
	}
	others = sum - others;
	o = json_object_new_object();
	json_object_object_add(o, "total", json_object_new_int64(sum));
	json_object_object_add(o, "types", json_object_new_int64(len));
	json_object_object_add(o, "top", top);
	json_object_object_add(o, "others", json_object_new_int64(others));
	cards = json_object_new_object();
	json_object_object_add(cards, "queues", o);
	o = json_object_new_object();
	json_object_object_add(o, "total", json_object_new_int64(nsched));
	json_object_object_add(
		o, "status",
		json_object_new_string(sched_paused ? "Paused" : "Running"));
	json_object_object_add(cards, "schedules", o);
	o = json_object_new_object();
	json_object_object_add(o, "busy", json_object_new_int64(busy));
	json_object_object_add(o, "total", json_object_new_int64(total));
	json_object_object_add(o, "free", json_object_new_int64(total - busy));
	json_object_object_add(cards, "workers", o);
	json_object_object_add(cards, "redis", json_object_new_string("ok"));
	json_object_put(qs);
	ctl_end(c, cards);
	return 0;
}

static int ctl_queues(struct ctl_conn *c, struct json_object *req)
{
	struct json_object *qs;
	int rv;

	rv = queue_list(&qs);
	if (rv < 0)
		return ctl_fail(c, rv, NULL);
	ctl_records(c, qs);
	return 0;
}

/*
 * The job types a queue action names: {"types": [...]} or {"all": true}.
 * Returns a new array of type names, or NULL with an answer appended
 * (*bad set when the request was malformed).
 */
static struct json_object *ctl_types(struct ctl_conn *c,
				     struct json_object *req, bool *bad)
{
	struct json_object *types, *qs, *known, *t;
	bool all = false;
	size_t i, j, n;
	int rv;

	*bad = false;
	rv = queue_list(&qs);
	if (rv < 0) {
		ctl_fail(c, rv, NULL);
		return NULL;
	}
	known = json_object_new_array();
	for (i = 0; i < json_object_array_length(qs); i++)
		json_object_array_add(
			known,
			json_object_get(json_object_object_get(
				json_object_array_get_idx(qs, i), "job_type")));
	json_object_put(qs);
	if (jsv_json_get_bool(req, "all", &all) == -EINVAL) {
		*bad = true;
		ctl_bad(c, "\"all\" must be true or false");
		goto out_fail;
	}
	if (all)
		return known;
	if (!json_object_object_get_ex(req, "types", &types) ||
	    !json_object_is_type(types, json_type_array) ||
	    json_object_array_length(types) == 0 ||
	    json_object_array_length(types) > 1000) {
		*bad = true;
		ctl_bad(c, "\"types\" must be a list of job types, or \"all\" "
			   "true");
		goto out_fail;
	}
	n = json_object_array_length(types);
	for (i = 0; i < n; i++) {
		t = json_object_array_get_idx(types, i);
		if (!json_object_is_type(t, json_type_string) ||
		    !jsv_valid_job_type(json_object_get_string(t))) {
			*bad = true;
			ctl_bad(c, "\"types\" must be a list of job types");
			goto out_fail;
		}
		for (j = 0; j < json_object_array_length(known); j++)
			if (strcmp(json_object_get_string(t),
				   json_object_get_string(
					   json_object_array_get_idx(known,
								     j))) == 0)
				break;
		if (j == json_object_array_length(known)) {
			jsv_frame_append_error(&c->out, JSV_E_TYPE, "%s",
					       json_object_get_string(t));
			goto out_fail;
		}
	}
	json_object_put(known);
	return json_object_get(types);
out_fail:
	json_object_put(known);
	return NULL;
}

/* "IMAGE_SCAN", "IMAGE_SCAN, WEBHOOK" or "11 queues". */
static void ctl_type_names(struct jsv_buf *b, struct json_object *types)
{
	size_t i, n = json_object_array_length(types);

	if (n > 3) {
		jsv_buf_printf(b, "%zu queues", n);
		return;
	}
	for (i = 0; i < n; i++)
		jsv_buf_printf(b, "%s%s", i ? ", " : "",
			       json_object_get_string(
				       json_object_array_get_idx(types, i)));
}

static int ctl_queue_pause_resume(struct ctl_conn *c, struct json_object *req,
				  bool pause)
{
	struct json_object *types, *o;
	struct jsv_buf msg = { 0 };
	size_t i;
	bool bad;
	int rv;

	types = ctl_types(c, req, &bad);
	if (!types)
		return bad ? CTL_BAD : 0;
	for (i = 0; i < json_object_array_length(types); i++) {
		rv = queue_pause(json_object_get_string(
					 json_object_array_get_idx(types, i)),
				 pause);
		if (rv < 0) {
			json_object_put(types);
			return ctl_fail(c, rv, NULL);
		}
	}
	jsv_buf_printf(&msg, "%s ", pause ? "Paused" : "Resumed");
	ctl_type_names(&msg, types);
	log_info("uid %u: %s", (unsigned)c->uid, msg.data);
	o = json_object_new_object();
	json_object_object_add(o, "message", json_object_new_string(msg.data));
	json_object_object_add(o, "types", types);
	jsv_buf_free(&msg);
	ctl_end(c, o);
	return 0;
}

static int ctl_queue_pause(struct ctl_conn *c, struct json_object *req)
{
	return ctl_queue_pause_resume(c, req, true);
}

static int ctl_queue_resume(struct ctl_conn *c, struct json_object *req)
{
	return ctl_queue_pause_resume(c, req, false);
}

static void ctl_queue_stopped(void *arg, uint64_t stopped, int err)
{
	struct ctl_req *r = arg;
	struct ctl_conn *c = r->conn;
	struct json_object *o;
	struct jsv_buf msg = { 0 };

	if (err < 0) {
		if (c)
			ctl_fail(c, err, NULL);
		ctl_req_end(r);
		return;
	}
	jsv_buf_printf(&msg, "Stopped %llu job%s in ",
		       (unsigned long long)stopped, stopped == 1 ? "" : "s");
	ctl_type_names(&msg, r->types);
	log_info("uid %u: %s", (unsigned)r->uid, msg.data);
	if (c) {
		o = json_object_new_object();
		json_object_object_add(o, "message",
				       json_object_new_string(msg.data));
		json_object_object_add(o, "types", json_object_get(r->types));
		json_object_object_add(o, "jobs",
				       json_object_new_int64(stopped));
		ctl_end(c, o);
	}
	jsv_buf_free(&msg);
	ctl_req_end(r);
}

static int ctl_queue_stop(struct ctl_conn *c, struct json_object *req)
{
	struct json_object *types;
	struct ctl_req *r;
	char **names;
	size_t i, n;
	bool bad;
	int rv;

	types = ctl_types(c, req, &bad);
	if (!types)
		return bad ? CTL_BAD : 0;
	n = json_object_array_length(types);
	names = xreallocarray(NULL, n, sizeof(*names));
	for (i = 0; i < n; i++)
		names[i] = (char *)json_object_get_string(
			json_object_array_get_idx(types, i));
	r = ctl_req_new(c);
	r->types = types;
	/* queue_stop() may call back before it returns: r is then gone. */
	rv = queue_stop(names, n, ctl_queue_stopped, r);
	free(names);
	if (rv < 0) {
		ctl_req_end(r);
		return ctl_fail(c, rv, NULL);
	}
	return 0;
}

static int ctl_pools(struct ctl_conn *c, struct json_object *req)
{
	struct json_object *arr;
	int rv;

	rv = pool_list(&arr);
	if (rv < 0)
		return ctl_fail(c, rv, NULL);
	ctl_records(c, arr);
	return 0;
}

static int ctl_workers(struct ctl_conn *c, struct json_object *req)
{
	struct json_object *arr;
	const char *pool = NULL;
	bool all = false;
	int rv;

	if (jsv_json_get_bool(req, "all", &all) == -EINVAL ||
	    jsv_json_get_string(req, "pool_id", &pool) == -EINVAL ||
	    (pool && !jsv_valid_id(pool)) || (!pool && !all))
		return ctl_bad(c, "give \"pool_id\" or \"all\" true");
	rv = pool_workers(pool, &arr);
	if (rv < 0)
		return ctl_fail(c, rv, "worker pool");
	ctl_records(c, arr);
	return 0;
}

static int ctl_worker_free(struct ctl_conn *c, struct json_object *req)
{
	struct json_object *ids = NULL, *o, *w;
	char job[32], msg[128];
	unsigned freed = 0;
	bool all = false;
	size_t i, n;
	int rv;

	if (jsv_json_get_bool(req, "all", &all) == -EINVAL)
		return ctl_bad(c, "\"all\" must be true or false");
	if (all) {
		rv = pool_busy_jobs(&ids);
		if (rv < 0)
			return ctl_fail(c, rv, NULL);
	} else {
		if (!json_object_object_get_ex(req, "workers", &w) ||
		    !json_object_is_type(w, json_type_array) ||
		    json_object_array_length(w) == 0 ||
		    json_object_array_length(w) > 10000)
			return ctl_bad(c, "\"workers\" must be a list of "
					  "worker ids, or \"all\" true");
		ids = json_object_new_array();
		n = json_object_array_length(w);
		for (i = 0; i < n; i++) {
			o = json_object_array_get_idx(w, i);
			if (!json_object_is_type(o, json_type_string) ||
			    json_object_get_string_len(o) > 80) {
				json_object_put(ids);
				return ctl_bad(c, "\"workers\" must be a list "
						  "of worker ids");
			}
			rv = pool_worker_job(json_object_get_string(o), job,
					     sizeof(job));
			if (rv < 0) {
				snprintf(msg, sizeof(msg), "worker %s",
					 json_object_get_string(o));
				json_object_put(ids);
				return ctl_fail(c, rv, msg);
			}
			if (job[0])
				json_object_array_add(
					ids, json_object_new_string(job));
		}
	}
	n = json_object_array_length(ids);
	for (i = 0; i < n; i++) {
		rv = job_stop(json_object_get_string(
				      json_object_array_get_idx(ids, i)),
			      msg, sizeof(msg));
		if (rv == -EIO) {
			json_object_put(ids);
			return ctl_fail(c, rv, NULL);
		}
		if (rv == 0)
			freed++;
	}
	json_object_put(ids);
	snprintf(msg, sizeof(msg), "Freed %u worker%s", freed,
		 freed == 1 ? "" : "s");
	log_info("uid %u: %s", (unsigned)c->uid, msg);
	o = json_object_new_object();
	json_object_object_add(o, "message", json_object_new_string(msg));
	json_object_object_add(o, "freed", json_object_new_int(freed));
	ctl_end(c, o);
	return 0;
}

static int ctl_submit(struct ctl_conn *c, struct json_object *req)
{
	struct json_object *jobs, *results, *o;
	size_t i, n, failed = 0;
	int rv;

	if (!json_object_object_get_ex(req, "jobs", &jobs) ||
	    !json_object_is_type(jobs, json_type_array) ||
	    json_object_array_length(jobs) == 0 ||
	    json_object_array_length(jobs) > JSV_SUBMIT_MAX)
		return ctl_bad(c, "\"jobs\" must be a list of 1 to 1000 jobs");
	rv = queue_submit(jobs, &results);
	if (rv < 0)
		return ctl_fail(c, rv, NULL);
	n = json_object_array_length(results);
	for (i = 0; i < n; i++) {
		o = json_object_array_get_idx(results, i);
		if (json_object_object_get(o, "error"))
			failed++;
		ctl_record(c, json_object_get(o));
	}
	json_object_put(results);
	o = json_object_new_object();
	json_object_object_add(o, "submitted",
			       json_object_new_int64(n - failed));
	json_object_object_add(o, "failed", json_object_new_int64(failed));
	ctl_end(c, o);
	return 0;
}

/* "job <id>", for messages, in a static buffer. */
static const char *ctl_job_name(const char *id)
{
	static char buf[40];

	snprintf(buf, sizeof(buf), "job %s", id);
	return buf;
}

/* The "id" of a job request; NULL with an error appended when invalid. */
static const char *ctl_job_id(struct ctl_conn *c, struct json_object *req)
{
	const char *id;

	if (jsv_json_get_string(req, "id", &id) < 0 || !jsv_valid_job_id(id)) {
		ctl_bad(c, "\"id\" must be a job id (24 hex digits)");
		return NULL;
	}
	return id;
}

static int ctl_job_show(struct ctl_conn *c, struct json_object *req)
{
	struct json_object *o;
	const char *id = ctl_job_id(c, req);
	int rv;

	if (!id)
		return CTL_BAD;
	rv = job_show(id, &o);
	if (rv < 0)
		return ctl_fail(c, rv, ctl_job_name(id));
	ctl_end(c, o);
	return 0;
}

static int ctl_job_stop(struct ctl_conn *c, struct json_object *req)
{
	struct json_object *o;
	const char *id = ctl_job_id(c, req);
	char msg[128];
	int rv;

	if (!id)
		return CTL_BAD;
	rv = job_stop(id, msg, sizeof(msg));
	if (rv == -EPERM) {
		jsv_frame_append_error(&c->out, JSV_E_STATE, "%s", msg);
		return 0;
	}
	if (rv < 0)
		return ctl_fail(c, rv, ctl_job_name(id));
	log_info("uid %u: %s", (unsigned)c->uid, msg);
	o = json_object_new_object();
	json_object_object_add(o, "message", json_object_new_string(msg));
	ctl_end(c, o);
	return 0;
}

static int ctl_job_log(struct ctl_conn *c, struct json_object *req)
{
	struct json_object *o;
	const char *id = ctl_job_id(c, req);
	int64_t offset = 0;
	int rv;

	if (!id)
		return CTL_BAD;
	if (jsv_json_get_int64(req, "offset", &offset) == -EINVAL || offset < 0)
		return ctl_bad(c, "\"offset\" must be a byte offset");
	rv = job_log(id, offset, &o);
	if (rv < 0)
		return ctl_fail(c, rv, ctl_job_name(id));
	ctl_end(c, o);
	return 0;
}

/*
 * The page of a paged list: "page" (from 1, default 1) and "page_size"
 * (1..100, default 100).  -EINVAL with an error appended when invalid.
 */
static int ctl_page(struct ctl_conn *c, struct json_object *req, int64_t *page,
		    int64_t *size)
{
	*page = 1;
	*size = 100;
	if (jsv_json_get_int64(req, "page", page) == -EINVAL || *page < 1 ||
	    *page > 1000000000) {
		ctl_bad(c, "\"page\" must be a page number from 1");
		return -EINVAL;
	}
	if (jsv_json_get_int64(req, "page_size", size) == -EINVAL ||
	    *size < 1 || *size > 100) {
		ctl_bad(c, "\"page_size\" must be from 1 to 100");
		return -EINVAL;
	}
	return 0;
}

static int ctl_execution_show(struct ctl_conn *c, struct json_object *req)
{
	struct json_object *o;
	int64_t page, size;
	char msg[80];
	const char *id;
	int rv;

	if (jsv_json_get_string(req, "id", &id) < 0 || !jsv_valid_id(id))
		return ctl_bad(c, "\"id\" must be an execution id");
	if (ctl_page(c, req, &page, &size) < 0)
		return CTL_BAD;
	rv = job_execution_show(id, page, size, &o);
	if (rv < 0) {
		snprintf(msg, sizeof(msg), "execution %s", id);
		return ctl_fail(c, rv, msg);
	}
	ctl_end(c, o);
	return 0;
}

static int ctl_schedules(struct ctl_conn *c, struct json_object *req)
{
	struct json_object *arr, *o;
	int64_t page, size, total, n;
	bool paused;
	int rv;

	if (ctl_page(c, req, &page, &size) < 0)
		return CTL_BAD;
	rv = sched_list(page, size, &arr, &total);
	if (rv < 0)
		return ctl_fail(c, rv, NULL);
	rv = sched_summary(&n, &paused);
	if (rv < 0) {
		json_object_put(arr);
		return ctl_fail(c, rv, NULL);
	}
	for (n = 0; n < (int64_t)json_object_array_length(arr); n++)
		ctl_record(c,
			   json_object_get(json_object_array_get_idx(arr, n)));
	json_object_put(arr);
	o = json_object_new_object();
	json_object_object_add(o, "total", json_object_new_int64(total));
	json_object_object_add(o, "page", json_object_new_int64(page));
	json_object_object_add(o, "page_size", json_object_new_int64(size));
	json_object_object_add(o, "paused", json_object_new_boolean(paused));
	ctl_end(c, o);
	return 0;
}

static int ctl_schedules_pause_resume(struct ctl_conn *c, bool pause)
{
	struct json_object *o;
	const char *msg = pause ? "Paused all schedules" :
				  "Resumed all schedules";
	int rv;

	rv = queue_pause("SCHEDULER", pause);
	if (rv < 0)
		return ctl_fail(c, rv, NULL);
	if (!pause)
		redis_notify("timer");
	log_info("uid %u: %s", (unsigned)c->uid, msg);
	o = json_object_new_object();
	json_object_object_add(o, "message", json_object_new_string(msg));
	ctl_end(c, o);
	return 0;
}

static int ctl_schedules_pause(struct ctl_conn *c, struct json_object *req)
{
	return ctl_schedules_pause_resume(c, true);
}

static int ctl_schedules_resume(struct ctl_conn *c, struct json_object *req)
{
	return ctl_schedules_pause_resume(c, false);
}

static int ctl_schedule_add(struct ctl_conn *c, struct json_object *req)
{
	struct json_object *params = NULL, *o;
	const char *type, *expr;
	int64_t vendor_id = -1;
	char err[256];
	int rv;

	if (jsv_json_get_string(req, "vendor_type", &type) < 0 ||
	    !jsv_valid_job_type(type))
		return ctl_bad(c, "\"vendor_type\" must be a job type");
	if (jsv_json_get_string(req, "cron", &expr) < 0 || strlen(expr) == 0 ||
	    strlen(expr) > 256)
		return ctl_bad(c, "\"cron\" must be a cron expression");
	if (jsv_json_get_int64(req, "vendor_id", &vendor_id) == -EINVAL ||
	    vendor_id < -1)
		return ctl_bad(c, "\"vendor_id\" must be an integer from -1");
	if (json_object_object_get_ex(req, "parameters", &params) &&
	    !json_object_is_type(params, json_type_object))
		return ctl_bad(c, "\"parameters\" must be a JSON object");
	if (!config_queue(jsvd->conf, type)) {
		jsv_frame_append_error(&c->out, JSV_E_TYPE, "%s", type);
		return 0;
	}
	params = params ? json_object_get(params) : json_object_new_object();
	rv = sched_add(type, vendor_id, expr, params, &o, err, sizeof(err));
	json_object_put(params);
	if (rv == -EINVAL) {
		jsv_frame_append_error(&c->out, JSV_E_INVAL, "%s", err);
		return 0;
	}
	if (rv < 0)
		return ctl_fail(c, rv, NULL);
	ctl_end(c, o);
	return 0;
}

static int ctl_schedule_del(struct ctl_conn *c, struct json_object *req)
{
	struct json_object *o;
	char msg[64];
	int64_t id;
	int rv;

	if (jsv_json_get_int64(req, "id", &id) < 0 || id < 1)
		return ctl_bad(c, "\"id\" must be a schedule id");
	snprintf(msg, sizeof(msg), "schedule %lld", (long long)id);
	rv = sched_del(id);
	if (rv < 0)
		return ctl_fail(c, rv, msg);
	snprintf(msg, sizeof(msg), "Deleted schedule %lld", (long long)id);
	log_info("uid %u: %s", (unsigned)c->uid, msg);
	o = json_object_new_object();
	json_object_object_add(o, "message", json_object_new_string(msg));
	ctl_end(c, o);
	return 0;
}

static const char *const f_none[] = { NULL };
static const char *const f_types[] = { "types", "all", NULL };
static const char *const f_workers[] = { "pool_id", "all", NULL };
static const char *const f_free[] = { "workers", "all", NULL };
static const char *const f_submit[] = { "jobs", NULL };
static const char *const f_id[] = { "id", NULL };
static const char *const f_log[] = { "id", "offset", NULL };
static const char *const f_page[] = { "page", "page_size", NULL };
static const char *const f_exec[] = { "id", "page", "page_size", NULL };
static const char *const f_sched[] = { "vendor_type", "cron", "vendor_id",
				       "parameters", NULL };

static const struct ctl_cmd ctl_cmds[] = {
	{ "status", false, f_none, ctl_status },
	{ "queues", false, f_none, ctl_queues },
	{ "queue.stop", true, f_types, ctl_queue_stop },
	{ "queue.pause", true, f_types, ctl_queue_pause },
	{ "queue.resume", true, f_types, ctl_queue_resume },
	{ "pools", false, f_none, ctl_pools },
	{ "workers", false, f_workers, ctl_workers },
	{ "worker.free", true, f_free, ctl_worker_free },
	{ "submit", true, f_submit, ctl_submit },
	{ "job.show", false, f_id, ctl_job_show },
	{ "job.stop", true, f_id, ctl_job_stop },
	{ "job.log", false, f_log, ctl_job_log },
	{ "execution.show", false, f_exec, ctl_execution_show },
	{ "schedules", false, f_page, ctl_schedules },
	{ "schedules.pause", true, f_none, ctl_schedules_pause },
	{ "schedules.resume", true, f_none, ctl_schedules_resume },
	{ "schedule.add", true, f_sched, ctl_schedule_add },
	{ "schedule.del", true, f_id, ctl_schedule_del },
};

static bool ctl_field_ok(const struct ctl_cmd *cmd, const char *key)
{
	size_t i;

	if (strcmp(key, "cmd") == 0)
		return true;
	for (i = 0; cmd->fields[i]; i++)
		if (strcmp(cmd->fields[i], key) == 0)
			return true;
	return false;
}

/* Runs one decoded request; returns like a command handler. */
static int control_dispatch(struct ctl_conn *c, struct json_object *req)
{
	const struct ctl_cmd *cmd = NULL;
	const char *name;
	size_t i;

	if (jsv_json_get_string(req, "cmd", &name) < 0)
		return ctl_bad(c, "\"cmd\" is missing");
	for (i = 0; i < JSV_ARRAY_SIZE(ctl_cmds); i++)
		if (strcmp(ctl_cmds[i].name, name) == 0)
			cmd = &ctl_cmds[i];
	if (!cmd) {
		jsv_frame_append_error(&c->out, JSV_E_INVAL,
				       "unknown command \"%.64s\"", name);
		return CTL_BAD;
	}
	json_object_object_foreach(req, k, v) {
		(void)v;
		if (!ctl_field_ok(cmd, k)) {
			jsv_frame_append_error(&c->out, JSV_E_INVAL,
					       "unknown field \"%.64s\" for %s",
					       k, cmd->name);
			return CTL_BAD;
		}
	}
	if (cmd->act && !c->admin) {
		log_info("uid %u: %s refused: not an administrator",
			 (unsigned)c->uid, cmd->name);
		jsv_frame_append_error(&c->out, JSV_E_PERM, NULL);
		return 0;
	}
	if (!redis_ok()) {
		jsv_frame_append_error(&c->out, JSV_E_REDIS, NULL);
		return 0;
	}
	return cmd->fn(c, req);
}

static void control_set_events(struct ctl_conn *c)
{
	uint32_t ev = 0;

	if (c->out.len)
		ev = EPOLLOUT;
	else if (c->state == CTL_READING)
		ev = EPOLLIN;
	if (sd_event_source_set_io_events(c->src, ev) < 0)
		log_warnx("control: uid %u: cannot change the events watched",
			  (unsigned)c->uid);
}

static int control_idle(sd_event_source *s, uint64_t usec, void *arg);

/*
 * The connection made progress: its idle timeout starts again.  Should the
 * timer fail, the connection lives on without one.
 */
static void control_touch(struct ctl_conn *c)
{
	jsvd_timer(&c->idle_src, CONTROL_IDLE_USEC, control_idle, c);
}

/* Sends what is queued, as far as the socket takes it; -EPIPE if gone. */
static int control_send(struct ctl_conn *c)
{
	ssize_t n;

	while (c->out.len) {
		n = send(c->fd, c->out.data, c->out.len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0)
			return -EPIPE;
		jsv_buf_consume(&c->out, n);
		control_touch(c);
	}
	return 0;
}

/*
 * Decodes and runs the first request of c->in, if it is complete.  Returns
 * false when more bytes are needed.  A frame that cannot be decoded gets an
 * error and puts c in CTL_CLOSING.
 */
static bool control_next(struct ctl_conn *c)
{
	struct json_object *req;
	struct jsv_frame f;
	const char *err;
	ssize_t n;

	n = jsv_frame_parse(c->in.data, c->in.len, &f);
	if (n == 0)
		return false;
	if (n < 0) {
		jsv_frame_append_error(&c->out, JSV_E_PROTO, "%s",
				       n == -EMSGSIZE ? "message too large" :
							"bad frame header or "
							"protocol version");
		c->state = CTL_CLOSING;
		return true;
	}
	if (f.type != JSV_MSG_REQUEST) {
		jsv_frame_append_error(&c->out, JSV_E_PROTO,
				       "expected a request");
		c->state = CTL_CLOSING;
		return true;
	}
	req = jsv_json_parse(f.payload, f.len, &err);
	jsv_buf_consume(&c->in, n);
	control_touch(c);
	if (!req) {
		jsv_frame_append_error(&c->out, JSV_E_INVAL, "%s", err);
		c->state = CTL_CLOSING;
		return true;
	}
	if (control_dispatch(c, req) == CTL_BAD)
		c->state = CTL_CLOSING;
	json_object_put(req);
	return true;
}

/*
 * Closes c and frees it.  A request still in flight stays with whoever
 * will call back; its answer will be dropped.
 */
static void control_close(struct ctl_conn *c)
{
	if (c->req)
		c->req->conn = NULL;
	TAILQ_REMOVE(&conns, c, entry);
	nconns--;
	sd_event_source_disable_unref(c->src);
	sd_event_source_disable_unref(c->idle_src);
	close(c->fd);
	jsv_buf_free(&c->in);
	jsv_buf_free(&c->out);
	free(c);
	if (nconns < CONTROL_MAX_CONNS && listen_src && !accept_retry_src &&
	    sd_event_source_set_enabled(listen_src, SD_EVENT_ON) < 0)
		log_warnx("control: cannot accept connections again");
}

/*
 * Sends what is queued and answers the complete requests read, one at a
 * time, until the connection has to wait: for the socket, for the peer's
 * next bytes, or for its request in flight.  Closes c when done with it (a
 * send failed, or it was CTL_CLOSING and all is sent): the caller must not
 * touch c after this.  Only event callbacks of c itself call it.
 */
static void control_run(struct ctl_conn *c)
{
	for (;;) {
		if (control_send(c) < 0)
			break;
		if (c->out.len) {
			control_set_events(c);
			return;
		}
		if (c->state == CTL_CLOSING)
			break;
		if (c->state == CTL_WAITING || !control_next(c)) {
			control_set_events(c);
			return;
		}
	}
	control_close(c);
}

static int control_io(sd_event_source *s, int fd, uint32_t revents, void *arg)
{
	struct ctl_conn *c = arg;
	char buf[65536];
	ssize_t n;

	if (c->state != CTL_READING) {
		/* Nobody is left to read an answer. */
		if (revents & (EPOLLHUP | EPOLLERR)) {
			control_close(c);
			return 0;
		}
	} else if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return 0;
		if (n <= 0) {
			control_close(c);
			return 0;
		}
		if (c->in.len + n > CONTROL_READ_MAX + JSV_HDR_LEN) {
			jsv_frame_append_error(&c->out, JSV_E_PROTO,
					       "message too large");
			c->state = CTL_CLOSING;
		} else {
			jsv_buf_add(&c->in, buf, n);
		}
	}
	control_run(c);
	return 0;
}

static int control_idle(sd_event_source *s, uint64_t usec, void *arg)
{
	struct ctl_conn *c = arg;

	if (c->state == CTL_WAITING) {
		control_touch(c);
		return 0;
	}
	log_debug("control: uid %u: closing an idle connection",
		  (unsigned)c->uid);
	control_close(c);
	return 0;
}

/*
 * Is gid among the peer's groups?  Its primary group and the supplementary
 * groups it held when it connected (SO_PEERGROUPS, Linux 4.13), so a group
 * the peer dropped does not count and nothing blocks on the user database.
 * Older kernels fall back to the database's group list of the peer's user.
 */
static bool control_peer_in_group(int fd, const struct ucred *cred, gid_t gid)
{
	struct passwd *pw;
	socklen_t len = 64 * sizeof(gid_t);
	gid_t *groups = NULL;
	bool in = cred->gid == gid;
	int n, i;

	for (;;) {
		groups = xreallocarray(groups, len / sizeof(gid_t) + 1,
				       sizeof(gid_t));
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) ==
		    0) {
			n = len / sizeof(gid_t);
			break;
		}
		if (errno == ERANGE)
			continue;
		if (errno != ENOPROTOOPT) {
			log_warn("control: SO_PEERGROUPS");
			n = 0;
			break;
		}
		pw = getpwuid(cred->uid);
		n = 64;
		if (!pw ||
		    getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) < 0)
			n = 0;
		break;
	}
	for (i = 0; i < n; i++)
		if (groups[i] == gid)
			in = true;
	free(groups);
	return in;
}

/*
 * May this peer act?  root, the daemon's own user (and so its handlers,
 * see jobsvcd(8)), and members of the admin group.
 */
static bool control_is_admin(int fd, const struct ucred *cred)
{
	if (cred->uid == 0 || cred->uid == geteuid())
		return true;
	return have_admin_gid && control_peer_in_group(fd, cred, admin_gid);
}

/*
 * Is there room for c?  Administrators may take every slot; the others
 * leave CONTROL_ADMIN_RESERVE slots free and hold at most
 * CONTROL_MAX_PER_UID each, so no local user can lock them out.  Returns
 * NULL, or why there is none.
 */
static const char *control_room(const struct ctl_conn *c)
{
	static char why[32];
	const struct ctl_conn *o;
	unsigned same = 0, others = 0;

	if (c->admin)
		return NULL;
	TAILQ_FOREACH(o, &conns, entry) {
		if (o->admin)
			continue;
		others++;
		if (o->uid == c->uid)
			same++;
	}
	if (same >= CONTROL_MAX_PER_UID) {
		snprintf(why, sizeof(why), "at most %u per user",
			 CONTROL_MAX_PER_UID);
		return why;
	}
	if (others >= CONTROL_MAX_CONNS - CONTROL_ADMIN_RESERVE)
		return "the rest are kept for administrators";
	return NULL;
}

/*
 * Turns a connection away with an ERROR frame, as far as it can be sent,
 * and says so in the log, at most every 10 seconds.
 */
static void control_refuse(int fd, uid_t uid, const char *why)
{
	static uint64_t last_log;
	struct jsv_buf b = { 0 };
	uint64_t now = 0;

	jsv_frame_append_error(&b, JSV_E_BUSY, "%s", why);
	if (send(fd, b.data, b.len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		log_debug("control: uid %u: refusal not sent", (unsigned)uid);
	jsv_buf_free(&b);
	close(fd);
	sd_event_now(jsvd->ev, CLOCK_MONOTONIC, &now);
	if (now - last_log >= 10 * 1000000ULL || last_log == 0) {
		last_log = now;
		log_warnx("control: too many connections: refused uid %u (%s)",
			  (unsigned)uid, why);
	}
}

static void control_accept_pause(void)
{
	if (sd_event_source_set_enabled(listen_src, SD_EVENT_OFF) < 0)
		log_warnx("control: cannot pause accepting connections");
}

static int control_accept_retry(sd_event_source *s, uint64_t usec, void *arg)
{
	accept_retry_src = sd_event_source_disable_unref(accept_retry_src);
	if (sd_event_source_set_enabled(listen_src, SD_EVENT_ON) < 0)
		log_warnx("control: cannot accept connections again");
	return 0;
}

static int control_accept(sd_event_source *s, int fd, uint32_t revents,
			  void *arg)
{
	struct ctl_conn *c;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	const char *why;
	int cfd;

	cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0) {
		if (errno == EMFILE || errno == ENFILE) {
			log_warn("control: accept");
			/* Without the retry timer, accepting stays on. */
			if (jsvd_timer(&accept_retry_src, 1000000,
				       control_accept_retry, NULL) == 0)
				control_accept_pause();
		} else if (errno != EAGAIN && errno != EINTR &&
			   errno != ECONNABORTED) {
			log_warn("control: accept");
		}
		return 0;
	}
	if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		log_warn("control: SO_PEERCRED");
		close(cfd);
		return 0;
	}
	c = xcalloc(1, sizeof(*c));
	c->fd = cfd;
	c->uid = cred.uid;
	c->admin = control_is_admin(cfd, &cred);
	c->state = CTL_READING;
	if ((why = control_room(c))) {
		control_refuse(cfd, cred.uid, why);
		free(c);
		return 0;
	}
	if (sd_event_add_io(jsvd->ev, &c->src, cfd, EPOLLIN, control_io, c) <
		    0 ||
	    jsvd_timer(&c->idle_src, CONTROL_IDLE_USEC, control_idle, c) < 0) {
		log_warnx("control: uid %u: cannot watch the connection",
			  (unsigned)c->uid);
		sd_event_source_disable_unref(c->src);
		close(cfd);
		free(c);
		return 0;
	}
	TAILQ_INSERT_TAIL(&conns, c, entry);
	if (++nconns >= CONTROL_MAX_CONNS) {
		log_warnx("control: %u connections, pausing accept", nconns);
		control_accept_pause();
	}
	return 0;
}

/* Is a daemon answering on path?  Then we must not take the socket over. */
static bool control_in_use(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	bool used;
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	used = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(fd);
	return used;
}

static int control_create(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	mode_t old;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_warnx("control socket path too long: %s", path);
		return -ENAMETOOLONG;
	}
	if (control_in_use(path)) {
		log_warnx("control socket %s: another daemon answers there",
			  path);
		return -EADDRINUSE;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_warn("control: socket");
		return -errno;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (unlink(path) < 0 && errno != ENOENT) {
		log_warn("control: unlink %s", path);
		goto out_close;
	}
	/*
	 * Everyone who can reach the socket may connect (and read); the
	 * directory it lives in decides who can reach it.
	 */
	old = umask(S_IXUSR | S_IXGRP | S_IXOTH);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		umask(old);
		log_warn("control: bind %s", path);
		goto out_close;
	}
	umask(old);
	if (listen(fd, 128) < 0) {
		log_warn("control: listen %s", path);
		goto out_close;
	}
	own_socket = true;
	return fd;
out_close:
	close(fd);
	return -EIO;
}

/* Looks the admin group up again: at start and on reload. */
void control_reload(void)
{
	struct group *gr;

	gr = getgrnam(jsvd->conf->admin_group);
	have_admin_gid = gr != NULL;
	if (gr)
		admin_gid = gr->gr_gid;
	else
		log_info("admin group %s does not exist: only root and the "
			 "daemon's user may act",
			 jsvd->conf->admin_group);
}

int control_init(const char *path)
{
	int n;

	control_reload();

	n = sd_listen_fds(1);
	if (n > 1) {
		log_warnx("control: %d sockets passed, expected one", n);
		return -EINVAL;
	}
	if (n == 1 && sd_is_socket_unix(SD_LISTEN_FDS_START, SOCK_STREAM, 1,
					NULL, 0) > 0) {
		listen_fd = SD_LISTEN_FDS_START;
		fcntl(listen_fd, F_SETFL,
		      fcntl(listen_fd, F_GETFL) | O_NONBLOCK);
		log_info("control: using the socket passed by systemd");
	} else {
		listen_fd = control_create(path);
		if (listen_fd < 0)
			return listen_fd;
	}
	if (sd_event_add_io(jsvd->ev, &listen_src, listen_fd, EPOLLIN,
			    control_accept, NULL) < 0)
		return -EIO;
	return 0;
}

void control_cleanup(const char *path)
{
	struct ctl_conn *c;

	while ((c = TAILQ_FIRST(&conns)))
		control_close(c);
	listen_src = sd_event_source_disable_unref(listen_src);
	accept_retry_src = sd_event_source_disable_unref(accept_retry_src);
	if (listen_fd >= 0)
		close(listen_fd);
	if (own_socket)
		unlink(path);
}
