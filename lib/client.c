/* SPDX-License-Identifier: ISC */
/*
 * The blocking client side of the control protocol, for jobsvc-ctl and
 * jobsvc-fcgi: one connection, one request at a time, every wait bounded.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "proto.h"

struct jsv_client {
	int fd;
	int timeout_ms; /* for each send or next; <= 0 waits forever */
	struct jsv_buf in; /* received bytes not yet returned as frames */
	struct jsv_buf out; /* the request being sent */
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Waits until fd is ready for events or the deadline (monotonic ms, or -1
 * for none) passes.  0, -ETIMEDOUT, or another negative errno.
 */
static int wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int64_t left;
	int r;

	for (;;) {
		left = -1;
		if (deadline >= 0) {
			left = deadline - now_ms();
			if (left < 0)
				left = 0;
		}
		r = poll(&pfd, 1, (int)left);
		if (r > 0)
			return 0;
		if (r == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

static int64_t deadline_of(const struct jsv_client *c)
{
	return c->timeout_ms > 0 ? now_ms() + c->timeout_ms : -1;
}

/*
 * connect(2) on a Unix socket waits only while the listener's backlog is
 * full; SO_SNDTIMEO bounds that wait.  The socket is then made non-blocking
 * and every later wait goes through poll().
 */
struct jsv_client *jsv_client_open(const char *path, int timeout_ms, char *err,
				   size_t errlen)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct timeval tv = { 0 };
	struct jsv_client *c;
	int fd, flags;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		errno = ENAMETOOLONG;
		goto out_err;
	}
	memcpy(addr.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		if (err && errlen)
			snprintf(err, errlen, "socket: %s", strerror(errno));
		return NULL;
	}
	if (timeout_ms > 0) {
		tv.tv_sec = timeout_ms / 1000;
		tv.tv_usec = (timeout_ms % 1000) * 1000;
		if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)))
			goto out_close;
	}
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		if (errno == EAGAIN || errno == EINPROGRESS)
			errno = ETIMEDOUT;
		goto out_close;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		goto out_close;

	c = xcalloc(1, sizeof(*c));
	c->fd = fd;
	c->timeout_ms = timeout_ms;
	return c;

out_close:
	flags = errno;
	close(fd);
	errno = flags;
out_err:
	if (err && errlen)
		snprintf(err, errlen, "connect %s: %s", path, strerror(errno));
	return NULL;
}

int jsv_client_send(struct jsv_client *c, struct json_object *req)
{
	int64_t deadline = deadline_of(c);
	size_t len, off = 0;
	const char *s;
	ssize_t n;
	int r = 0;

	s = json_object_to_json_string_length(req, JSV_JSON_TO_STRING, &len);
	if (!s)
		return -ENOMEM;
	if (len > JSV_MSG_MAX)
		return -EMSGSIZE;
	jsv_buf_reset(&c->out);
	jsv_frame_append(&c->out, JSV_MSG_REQUEST, s, len);
	while (off < c->out.len) {
		n = send(c->fd, c->out.data + off, c->out.len - off,
			 MSG_NOSIGNAL);
		if (n >= 0) {
			off += (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			r = -errno;
			break;
		}
		r = wait_fd(c->fd, POLLOUT, deadline);
		if (r < 0)
			break;
	}
	jsv_buf_reset(&c->out);
	return r;
}

/*
 * Frames are taken from what has been received before reading more, so the
 * answers to one request may arrive in any cut.  A frame of the wrong type
 * (a REQUEST) or whose payload is not a valid object is a protocol error.
 */
int jsv_client_next(struct jsv_client *c, struct json_object **obj)
{
	int64_t deadline = deadline_of(c);
	struct jsv_frame f;
	char chunk[16384];
	ssize_t n;
	int r;

	*obj = NULL;
	for (;;) {
		n = jsv_frame_parse(c->in.data, c->in.len, &f);
		if (n < 0)
			return (int)n;
		if (n > 0)
			break;
		n = recv(c->fd, chunk, sizeof(chunk), 0);
		if (n > 0) {
			jsv_buf_add(&c->in, chunk, (size_t)n);
			continue;
		}
		if (n == 0)
			return -ECONNRESET;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		r = wait_fd(c->fd, POLLIN, deadline);
		if (r < 0)
			return r;
	}
	if (f.type == JSV_MSG_REQUEST)
		return -EPROTO;
	*obj = jsv_json_parse(f.payload, f.len, NULL);
	if (!*obj)
		return -EPROTO;
	jsv_buf_consume(&c->in, (size_t)n);
	return f.type;
}

void jsv_client_close(struct jsv_client *c)
{
	if (!c)
		return;
	close(c->fd);
	jsv_buf_free(&c->in);
	jsv_buf_free(&c->out);
	free(c);
}
