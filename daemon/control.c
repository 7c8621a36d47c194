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
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <json-c/json.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "control.h"

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
/* control_dispatch(): the request was malformed, close after the answer. */
#define CTL_BAD (-1)

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

/*
 * A request being answered.  One answered from a callback is owned by
 * whoever calls back (the subsystem doing the work) and outlives its
 * connection: when the peer goes away first, conn is set to NULL and the
 * answer is dropped, but the audit line is still logged.
 */
struct ctl_req {
	struct ctl_conn *conn; /* NULL once the connection is closed */
	enum jsv_cmd cmd;
	uid_t uid; /* the peer's, for the audit */
	pid_t pid;
	char *user; /* the peer's user name, "" if it has none */
	char *as_user; /* whom a trusted client acts for, or NULL */
	char *targets; /* what an acting command acts on, for the audit */
};

struct ctl_conn {
	TAILQ_ENTRY(ctl_conn) entry;
	int fd;
	uid_t uid;
	pid_t pid; /* when it connected, for the audit line */
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

static void control_set_events(struct ctl_conn *c);

/*
 * The audit record of an acting command: who (uid, user name, pid, and the
 * user a trusted client acts for), what (the command and its targets) and
 * how it went.
 */
static struct json_object *ctl_audit_record(const struct ctl_req *r,
					    const char *result)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "uid", json_object_new_int64(r->uid));
	json_object_object_add(o, "user", json_object_new_string(r->user));
	json_object_object_add(o, "pid", json_object_new_int64(r->pid));
	if (r->as_user)
		json_object_object_add(o, "as_user",
				       json_object_new_string(r->as_user));
	json_object_object_add(
		o, "verb", json_object_new_string(jsv_command(r->cmd)->name));
	json_object_object_add(o, "targets",
			       json_object_new_string(r->targets));
	json_object_object_add(o, "result", json_object_new_string(result));
	return o;
}

/*
 * Logs an acting command's audit line and adds its record to the audit
 * trail: who (uid and pid), what (the command and its targets) and how it
 * went ("ok (Paused IMAGE_SCAN)", "refused: not an administrator", "error:
 * no such job: ...").  The one place commands are audited.  A trail that
 * cannot be written is logged; the answer goes out all the same.
 */
static void ctl_audit(const struct ctl_req *r, const char *fmt, ...)
	JSV_PRINTF(2, 3);
static void ctl_audit(const struct ctl_req *r, const char *fmt, ...)
{
	const struct jsv_command *cmd = jsv_command(r->cmd);
	struct jsv_buf result = { 0 };
	struct json_object *rec;
	char err[256];
	va_list ap;

	if (!cmd->acts)
		return;
	va_start(ap, fmt);
	jsv_buf_vprintf(&result, fmt, ap);
	va_end(ap);
	log_info("uid %u pid %d%s%.64s: %s%s%.200s: %s", (unsigned)r->uid,
		 (int)r->pid, r->as_user ? " as " : "",
		 r->as_user ? r->as_user : "", cmd->name,
		 r->targets[0] ? " " : "", r->targets, result.data);
	rec = ctl_audit_record(r, result.data);
	if (audit_add(rec, err, sizeof(err)) < 0)
		log_warnx("audit trail not written (%s): uid %u %s: %s", err,
			  (unsigned)r->uid, cmd->name, result.data);
	json_object_put(rec);
	jsv_buf_free(&result);
}

void ctl_names(struct jsv_buf *b, struct json_object *arr, const char *many)
{
	size_t i, n = json_object_array_length(arr);

	if (n > 3) {
		jsv_buf_printf(b, "%zu %s", n, many);
		return;
	}
	for (i = 0; i < n; i++)
		jsv_buf_printf(b, "%s%s", i ? ", " : "",
			       json_object_get_string(
				       json_object_array_get_idx(arr, i)));
}

static bool ctl_all_strings(struct json_object *arr)
{
	size_t i;

	for (i = 0; i < json_object_array_length(arr); i++)
		if (!json_object_is_type(json_object_array_get_idx(arr, i),
					 json_type_string))
			return false;
	return true;
}

/*
 * What a request acts on, for its audit line: the values of its fields in
 * the order sent, "all" for "all" true, names or a count for a list ("3
 * jobs"); objects are left out.  Returns a new string.
 */
static char *ctl_targets(struct json_object *req)
{
	struct jsv_buf b = { 0 };
	size_t before, start, n;
	const char *s;

	jsv_buf_add(&b, "", 0);
	json_object_object_foreach(req, k, v) {
		if (strcmp(k, "cmd") == 0 || strcmp(k, "as_user") == 0)
			continue;
		before = b.len;
		if (b.len)
			jsv_buf_add(&b, " ", 1);
		start = b.len;
		switch (json_object_get_type(v)) {
		case json_type_boolean:
			if (json_object_get_boolean(v))
				jsv_buf_printf(&b, "%s", k);
			break;
		case json_type_int:
			jsv_buf_printf(&b, "%lld",
				       (long long)json_object_get_int64(v));
			break;
		case json_type_string:
			s = json_object_get_string(v);
			jsv_buf_printf(&b, strchr(s, ' ') ? "\"%s\"" : "%s", s);
			break;
		case json_type_array:
			n = json_object_array_length(v);
			if (ctl_all_strings(v))
				ctl_names(&b, v, k);
			else
				/* "1 job", "2 jobs" */
				jsv_buf_printf(&b, "%zu %.*s", n,
					       (int)strlen(k) - (n == 1), k);
			break;
		default:
			break;
		}
		if (b.len == start)
			b.len = before;
	}
	b.data[b.len] = '\0';
	return b.data;
}

/* The name of uid's user, or "" (a new string). */
static char *ctl_user_name(uid_t uid)
{
	struct passwd pw, *found = NULL;
	char buf[4096];

	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &found) != 0 || !found)
		return xstrdup("");
	return xstrdup(found->pw_name);
}

/*
 * A new request on c for cmd, answered by the handler now, or later after
 * ctl_req_wait().
 */
static struct ctl_req *ctl_req_new(struct ctl_conn *c, enum jsv_cmd cmd,
				   struct json_object *req)
{
	struct ctl_req *r = xcalloc(1, sizeof(*r));
	const char *as_user;

	r->conn = c;
	r->cmd = cmd;
	r->uid = c->uid;
	r->pid = c->pid;
	if (jsv_command(cmd)->acts) {
		r->targets = ctl_targets(req);
		r->user = ctl_user_name(r->uid);
		if (jsv_json_get_string(req, "as_user", &as_user) == 0)
			r->as_user = xstrdup(as_user);
	} else {
		r->targets = xstrdup("");
		r->user = xstrdup("");
	}
	return r;
}

static void ctl_req_free(struct ctl_req *r)
{
	free(r->targets);
	free(r->user);
	free(r->as_user);
	free(r);
}

int ctl_req_wait(struct ctl_req *r)
{
	r->conn->req = r;
	r->conn->state = CTL_WAITING;
	return CTL_LATER;
}

/*
 * Nothing is sent or closed here, so a callback that runs inside its own
 * request's dispatch (the work was done at once) leaves the connection to
 * control_run(), and a callback for a closed connection touches nothing
 * but r.
 */
void ctl_req_end(struct ctl_req *r)
{
	struct ctl_conn *c = r->conn;

	if (c) {
		c->req = NULL;
		c->state = CTL_READING;
		control_set_events(c);
	}
	ctl_req_free(r);
}

void ctl_record(struct ctl_req *r, struct json_object *o)
{
	if (r->conn)
		jsv_frame_append_json(&r->conn->out, JSV_MSG_RECORD, o);
	json_object_put(o);
}

void ctl_records(struct ctl_req *r, struct json_object *arr)
{
	size_t i;

	for (i = 0; i < json_object_array_length(arr); i++)
		ctl_record(r,
			   json_object_get(json_object_array_get_idx(arr, i)));
	json_object_put(arr);
	ctl_end(r, NULL);
}

void ctl_page_end(struct ctl_req *r, struct json_object *arr, int64_t total,
		  int64_t page, int64_t size, struct json_object *end)
{
	size_t i;

	for (i = 0; i < json_object_array_length(arr); i++)
		ctl_record(r,
			   json_object_get(json_object_array_get_idx(arr, i)));
	json_object_put(arr);
	if (!end)
		end = json_object_new_object();
	json_object_object_add(end, "total", json_object_new_int64(total));
	json_object_object_add(end, "page", json_object_new_int64(page));
	json_object_object_add(end, "page_size", json_object_new_int64(size));
	ctl_end(r, end);
}

/* An END's summary for the audit: its message, else its counts. */
static void ctl_audit_end(const struct ctl_req *r, struct json_object *o)
{
	struct jsv_buf counts = { 0 };
	const char *msg;

	if (jsv_json_get_string(o, "message", &msg) == 0) {
		ctl_audit(r, "ok (%s)", msg);
		return;
	}
	json_object_object_foreach(o, k, v) {
		if (json_object_is_type(v, json_type_int))
			jsv_buf_printf(&counts, "%s%s %lld",
				       counts.len ? ", " : "", k,
				       (long long)json_object_get_int64(v));
	}
	if (counts.len)
		ctl_audit(r, "ok (%s)", counts.data);
	else
		ctl_audit(r, "ok");
	jsv_buf_free(&counts);
}

void ctl_end(struct ctl_req *r, struct json_object *o)
{
	if (!o)
		o = json_object_new_object();
	ctl_audit_end(r, o);
	if (r->conn)
		jsv_frame_append_json(&r->conn->out, JSV_MSG_END, o);
	json_object_put(o);
}

void ctl_error(struct ctl_req *r, int code, const char *fmt, ...)
{
	struct jsv_buf detail = { 0 };
	va_list ap;

	jsv_buf_add(&detail, "", 0);
	if (fmt) {
		va_start(ap, fmt);
		jsv_buf_vprintf(&detail, fmt, ap);
		va_end(ap);
	}
	ctl_audit(r, "error: %s%s%s", jsv_strerror(code),
		  detail.len ? ": " : "", detail.data);
	if (r->conn)
		jsv_frame_append_error(&r->conn->out, code, "%s", detail.data);
	jsv_buf_free(&detail);
}

/* What a subsystem's negative errno answers, and whether with detail. */
static const struct {
	int err;
	enum jsv_err code;
	bool detail;
} ctl_results[] = {
	{ -EIO, JSV_E_REDIS, false },
	{ -ENOENT, JSV_E_NOENT, true },
	{ -EPERM, JSV_E_STATE, true },
	{ -EINVAL, JSV_E_INVAL, true },
};

int ctl_fail(struct ctl_req *r, int err, const char *what)
{
	size_t i;

	for (i = 0; i < JSV_ARRAY_SIZE(ctl_results); i++) {
		if (ctl_results[i].err != err)
			continue;
		if (ctl_results[i].detail && what)
			ctl_error(r, ctl_results[i].code, "%s", what);
		else
			ctl_error(r, ctl_results[i].code, NULL);
		return 0;
	}
	ctl_error(r, JSV_E_INTERNAL, NULL);
	return 0;
}

void ctl_page(struct json_object *req, int64_t *page, int64_t *size)
{
	*page = 1;
	*size = JSV_PAGE_SIZE_MAX;
	jsv_json_get_int64(req, "page", page);
	jsv_json_get_int64(req, "page_size", size);
}

/* The handler of each command of the catalogue (lib/commands.def). */
static ctl_handler *const handlers[JSV_CMD_MAX] = {
	[JSV_CMD_STATUS] = ctl_status,
	[JSV_CMD_QUEUES] = ctl_queues,
	[JSV_CMD_QUEUE_STOP] = ctl_queue_stop,
	[JSV_CMD_QUEUE_PAUSE] = ctl_queue_pause,
	[JSV_CMD_QUEUE_RESUME] = ctl_queue_resume,
	[JSV_CMD_POOLS] = ctl_pools,
	[JSV_CMD_WORKERS] = ctl_workers,
	[JSV_CMD_WORKER_FREE] = ctl_worker_free,
	[JSV_CMD_SUBMIT] = ctl_submit,
	[JSV_CMD_JOB_SHOW] = ctl_job_show,
	[JSV_CMD_JOB_STOP] = ctl_job_stop,
	[JSV_CMD_JOB_LOG] = ctl_job_log,
	[JSV_CMD_EXECUTION_SHOW] = ctl_execution_show,
	[JSV_CMD_SCHEDULES] = ctl_schedules,
	[JSV_CMD_SCHEDULES_PAUSE] = ctl_schedules_pause,
	[JSV_CMD_SCHEDULES_RESUME] = ctl_schedules_resume,
	[JSV_CMD_SCHEDULE_ADD] = ctl_schedule_add,
	[JSV_CMD_SCHEDULE_DEL] = ctl_schedule_del,
	[JSV_CMD_AUDIT] = ctl_audit_list,
	[JSV_CMD_JOBS] = ctl_jobs,
};

bool control_has_handler(enum jsv_cmd cmd)
{
	return cmd < JSV_CMD_MAX && handlers[cmd];
}

/*
 * Runs one decoded request: checks it against the catalogue, then who may
 * run it, then that Redis is there, and only then calls its handler.
 * Returns 0 (answered, or waiting for a callback) or CTL_BAD (malformed:
 * an error was appended, close).
 */
static int control_dispatch(struct ctl_conn *c, struct json_object *req)
{
	enum jsv_cmd cmd = JSV_CMD_MAX;
	struct ctl_req *r;
	char err[256];
	int checked, rv = 0;

	checked = jsv_request_check(req, &cmd, err, sizeof(err));
	if (cmd == JSV_CMD_MAX) {
		jsv_frame_append_error(&c->out, JSV_E_INVAL, "%s", err);
		return CTL_BAD;
	}
	r = ctl_req_new(c, cmd, req);
	if (checked < 0) {
		ctl_error(r, JSV_E_INVAL, "%s", err);
		rv = CTL_BAD;
	} else if (jsv_command(cmd)->acts && !c->admin) {
		ctl_audit(r, "refused: not an administrator");
		jsv_frame_append_error(&c->out, JSV_E_PERM, NULL);
	} else if (!redis_ok()) {
		ctl_error(r, JSV_E_REDIS, NULL);
	} else if (!handlers[cmd]) {
		ctl_error(r, JSV_E_INTERNAL, "no handler for %s",
			  jsv_command(cmd)->name);
	} else {
		rv = handlers[cmd](r, req);
		if (rv == CTL_LATER)
			return 0;
	}
	ctl_req_free(r);
	return rv;
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

/* Takes n bytes the peer sent, unless c would hold more than a request. */
static void control_received(struct ctl_conn *c, const void *buf, size_t n)
{
	if (c->in.len + n > CONTROL_READ_MAX + JSV_HDR_LEN) {
		jsv_frame_append_error(&c->out, JSV_E_PROTO,
				       "message too large");
		c->state = CTL_CLOSING;
	} else {
		jsv_buf_add(&c->in, buf, n);
	}
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
		control_received(c, buf, n);
	}
	control_run(c);
	return 0;
}

void control_feed(bool admin, const void *data, size_t len, struct jsv_buf *out)
{
	struct ctl_conn c = { .fd = -1, .admin = admin, .state = CTL_READING };

	control_received(&c, data, len);
	while (c.state == CTL_READING && control_next(&c))
		;
	jsv_buf_add(out, c.out.data, c.out.len);
	if (c.req)
		c.req->conn = NULL;
	sd_event_source_disable_unref(c.idle_src);
	jsv_buf_free(&c.in);
	jsv_buf_free(&c.out);
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
	c->pid = cred.pid;
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
