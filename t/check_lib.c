/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for lib/: framing, JSON validation, the client against a
 * scripted server, the parsers and formatters of durations, times and names,
 * escaping, buffers and logging.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "call.h"
#include "proto.h"

/* What the code under test logs, captured from stderr */

static FILE *capture;

static void capture_start(void)
{
	capture = tmpfile();
	ck_assert_ptr_nonnull(capture);
	ck_assert_int_ge(dup2(fileno(capture), STDERR_FILENO), 0);
}

/* Returns what was logged since capture_start (static storage). */
static const char *captured(void)
{
	static char text[4096];
	size_t n;

	fflush(stderr);
	rewind(capture);
	n = fread(text, 1, sizeof(text) - 1, capture);
	text[n] = '\0';
	return text;
}

/* Frames */

static void put_hdr(uint8_t *h, uint8_t version, uint8_t type, uint32_t len)
{
	h[0] = version;
	h[1] = type;
	h[2] = 0;
	h[3] = 0;
	h[4] = (uint8_t)(len >> 24);
	h[5] = (uint8_t)(len >> 16);
	h[6] = (uint8_t)(len >> 8);
	h[7] = (uint8_t)len;
}

START_TEST(test_frame_complete)
{
	struct jsv_buf b = { 0 };
	struct jsv_frame f;
	uint8_t want[JSV_HDR_LEN];
	ssize_t n;

	jsv_frame_append(&b, JSV_MSG_REQUEST, "{\"cmd\":\"status\"}", 16);
	ck_assert_uint_eq(b.len, JSV_HDR_LEN + 16);
	put_hdr(want, JSV_PROTO_VERSION, JSV_MSG_REQUEST, 16);
	ck_assert_mem_eq(b.data, want, JSV_HDR_LEN);

	n = jsv_frame_parse(b.data, b.len, &f);
	ck_assert_int_eq(n, JSV_HDR_LEN + 16);
	ck_assert_uint_eq(f.type, JSV_MSG_REQUEST);
	ck_assert_uint_eq(f.len, 16);
	ck_assert_ptr_eq(f.payload, b.data + JSV_HDR_LEN);
	ck_assert_mem_eq(f.payload, "{\"cmd\":\"status\"}", 16);
	jsv_buf_free(&b);
}
END_TEST

START_TEST(test_frame_two_in_a_row)
{
	struct jsv_buf b = { 0 };
	struct jsv_frame f;
	ssize_t n;

	jsv_frame_append(&b, JSV_MSG_RECORD, "{\"i\":1}", 7);
	jsv_frame_append(&b, JSV_MSG_END, "{}", 2);
	n = jsv_frame_parse(b.data, b.len, &f);
	ck_assert_int_eq(n, 15);
	ck_assert_uint_eq(f.type, JSV_MSG_RECORD);
	n = jsv_frame_parse(b.data + n, b.len - (size_t)n, &f);
	ck_assert_int_eq(n, 10);
	ck_assert_uint_eq(f.type, JSV_MSG_END);
	ck_assert_mem_eq(f.payload, "{}", 2);
	jsv_buf_free(&b);
}
END_TEST

START_TEST(test_frame_partial)
{
	struct jsv_buf b = { 0 };
	struct jsv_frame f;
	size_t i;

	jsv_frame_append(&b, JSV_MSG_END, "{\"a\":[1,2,3]}", 13);
	for (i = 0; i < b.len; i++)
		ck_assert_msg(jsv_frame_parse(b.data, i, &f) == 0,
			      "prefix of %zu bytes", i);
	ck_assert_int_eq(jsv_frame_parse(b.data, b.len, &f), (ssize_t)b.len);
	ck_assert_int_eq(jsv_frame_parse(NULL, 0, &f), 0);
	jsv_buf_free(&b);
}
END_TEST

START_TEST(test_frame_empty_payload)
{
	uint8_t h[JSV_HDR_LEN];
	struct jsv_frame f;

	put_hdr(h, JSV_PROTO_VERSION, JSV_MSG_END, 0);
	ck_assert_int_eq(jsv_frame_parse(h, sizeof(h), &f), JSV_HDR_LEN);
	ck_assert_uint_eq(f.len, 0);
}
END_TEST

START_TEST(test_frame_oversized)
{
	uint8_t h[JSV_HDR_LEN];
	struct jsv_frame f;

	/* refused from the header alone, no payload awaited */
	put_hdr(h, JSV_PROTO_VERSION, JSV_MSG_REQUEST, JSV_MSG_MAX + 1);
	ck_assert_int_eq(jsv_frame_parse(h, sizeof(h), &f), -EMSGSIZE);
	put_hdr(h, JSV_PROTO_VERSION, JSV_MSG_REQUEST, 0xffffffff);
	ck_assert_int_eq(jsv_frame_parse(h, sizeof(h), &f), -EMSGSIZE);
	/* the maximum itself is fine: wait for it */
	put_hdr(h, JSV_PROTO_VERSION, JSV_MSG_REQUEST, JSV_MSG_MAX);
	ck_assert_int_eq(jsv_frame_parse(h, sizeof(h), &f), 0);
}
END_TEST

START_TEST(test_frame_bad_version)
{
	uint8_t h[JSV_HDR_LEN];
	struct jsv_frame f;

	put_hdr(h, JSV_PROTO_VERSION + 1, JSV_MSG_REQUEST, 2);
	ck_assert_int_eq(jsv_frame_parse(h, sizeof(h), &f), -EPROTO);
	/* known from the first byte */
	ck_assert_int_eq(jsv_frame_parse(h, 1, &f), -EPROTO);
	ck_assert_int_eq(jsv_frame_parse("GET / HTTP/1.0\r\n", 16, &f),
			 -EPROTO);
	put_hdr(h, 0, JSV_MSG_REQUEST, 2);
	ck_assert_int_eq(jsv_frame_parse(h, sizeof(h), &f), -EPROTO);
}
END_TEST

START_TEST(test_frame_bad_type)
{
	static const uint8_t bad[] = { 0, JSV_MSG_ERROR + 1, 0x7f, 0xff };
	uint8_t h[JSV_HDR_LEN];
	struct jsv_frame f;
	size_t i;

	for (i = 0; i < JSV_ARRAY_SIZE(bad); i++) {
		put_hdr(h, JSV_PROTO_VERSION, bad[i], 2);
		ck_assert_msg(jsv_frame_parse(h, sizeof(h), &f) == -EPROTO,
			      "type %u", bad[i]);
		ck_assert_int_eq(jsv_frame_parse(h, 2, &f), -EPROTO);
	}
	for (i = JSV_MSG_REQUEST; i <= JSV_MSG_ERROR; i++) {
		put_hdr(h, JSV_PROTO_VERSION, (uint8_t)i, 0);
		ck_assert_int_eq(jsv_frame_parse(h, sizeof(h), &f), 8);
	}
}
END_TEST

START_TEST(test_frame_reserved)
{
	uint8_t h[JSV_HDR_LEN];
	struct jsv_frame f;

	put_hdr(h, JSV_PROTO_VERSION, JSV_MSG_REQUEST, 0);
	h[2] = 1;
	ck_assert_int_eq(jsv_frame_parse(h, sizeof(h), &f), -EPROTO);
	ck_assert_int_eq(jsv_frame_parse(h, 3, &f), -EPROTO);
	h[2] = 0;
	h[3] = 0x80;
	ck_assert_int_eq(jsv_frame_parse(h, sizeof(h), &f), -EPROTO);
}
END_TEST

START_TEST(test_frame_append_json)
{
	struct jsv_buf b = { 0 };
	struct json_object *o;
	struct jsv_frame f;

	o = json_object_new_object();
	json_object_object_add(o, "path", json_object_new_string("/a/b"));
	jsv_frame_append_json(&b, JSV_MSG_RECORD, o);
	json_object_put(o);
	ck_assert_int_eq(jsv_frame_parse(b.data, b.len, &f), (ssize_t)b.len);
	ck_assert_uint_eq(f.type, JSV_MSG_RECORD);
	ck_assert_uint_eq(f.len, strlen("{\"path\":\"/a/b\"}"));
	ck_assert_mem_eq(f.payload, "{\"path\":\"/a/b\"}", f.len);

	jsv_buf_reset(&b);
	jsv_frame_append_json(&b, JSV_MSG_END, NULL);
	ck_assert_int_eq(jsv_frame_parse(b.data, b.len, &f), 10);
	ck_assert_mem_eq(f.payload, "{}", 2);
	jsv_buf_free(&b);
}
END_TEST

/* Parses the one ERROR frame in b; returns its "error" text, sets *code. */
static const char *error_text(struct jsv_buf *b, int64_t *code,
			      struct json_object **obj)
{
	struct jsv_frame f;
	const char *text, *err;

	ck_assert_int_eq(jsv_frame_parse(b->data, b->len, &f), (ssize_t)b->len);
	ck_assert_uint_eq(f.type, JSV_MSG_ERROR);
	*obj = jsv_json_parse(f.payload, f.len, &err);
	ck_assert_msg(*obj != NULL, "error frame: %s", err);
	ck_assert_int_eq(jsv_json_get_int64(*obj, "code", code), 0);
	ck_assert_int_eq(jsv_json_get_string(*obj, "error", &text), 0);
	return text;
}

START_TEST(test_frame_append_error)
{
	struct jsv_buf b = { 0 };
	struct json_object *o;
	int64_t code;

	jsv_frame_append_error(&b, JSV_E_NOENT, "job %s", "0123");
	ck_assert_str_eq(error_text(&b, &code, &o), "not found: job 0123");
	ck_assert_int_eq(code, JSV_E_NOENT);
	json_object_put(o);

	jsv_buf_reset(&b);
	jsv_frame_append_error(&b, JSV_E_REDIS, NULL);
	ck_assert_str_eq(error_text(&b, &code, &o), "Redis is unavailable");
	ck_assert_int_eq(code, JSV_E_REDIS);
	json_object_put(o);

	jsv_buf_reset(&b);
	jsv_frame_append_error(&b, JSV_E_INVAL, "%s", "");
	ck_assert_str_eq(error_text(&b, &code, &o), "invalid request");
	json_object_put(o);

	/* invalid UTF-8 in the detail still gives a frame clients accept */
	jsv_buf_reset(&b);
	jsv_frame_append_error(&b, JSV_E_INTERNAL, "handler said %s",
			       "\xff\"x\"\n");
	ck_assert_str_eq(error_text(&b, &code, &o),
			 "internal error: handler said \xef\xbf\xbd\"x\"\n");
	json_object_put(o);
	jsv_buf_free(&b);
}
END_TEST

START_TEST(test_frame_append_too_long)
{
	struct jsv_buf b = { 0 };
	struct json_object *o;
	char *big;
	int64_t code;

	big = xmalloc(JSV_MSG_MAX + 1);
	memset(big, ' ', JSV_MSG_MAX + 1);
	capture_start();
	log_init("jobsvcd", false, 0);
	jsv_frame_append(&b, JSV_MSG_RECORD, big, JSV_MSG_MAX + 1);
	ck_assert_ptr_nonnull(strstr(captured(), "is too long"));
	ck_assert_str_eq(error_text(&b, &code, &o),
			 "internal error: answer too long");
	ck_assert_int_eq(code, JSV_E_INTERNAL);
	json_object_put(o);
	free(big);
	jsv_buf_free(&b);
}
END_TEST

START_TEST(test_strerror)
{
	int i, j;

	ck_assert_str_eq(jsv_strerror(JSV_E_INVAL), "invalid request");
	ck_assert_str_eq(
		jsv_strerror(JSV_E_PERM),
		"permission denied: this command needs an administrator");
	ck_assert_str_eq(jsv_strerror(JSV_E_TYPE), "unknown job type");
	ck_assert_str_eq(jsv_strerror(-1), "unknown error");
	ck_assert_str_eq(jsv_strerror(JSV_E_MAX), "unknown error");
	ck_assert_str_eq(jsv_strerror(1000), "unknown error");
	/* one distinct text per code */
	for (i = 0; i < JSV_E_MAX; i++) {
		ck_assert_ptr_nonnull(jsv_strerror(i));
		ck_assert_str_ne(jsv_strerror(i), "unknown error");
		for (j = 0; j < i; j++)
			ck_assert_str_ne(jsv_strerror(i), jsv_strerror(j));
	}
}
END_TEST

/* JSON */

static struct json_object *parse(const char *s)
{
	const char *err = NULL;
	struct json_object *o;

	o = jsv_json_parse(s, strlen(s), &err);
	ck_assert_msg((o == NULL) == (err != NULL), "%s: result and error", s);
	return o;
}

static void refused(const char *s, size_t len)
{
	const char *err = NULL;

	ck_assert_msg(jsv_json_parse(s, len, &err) == NULL, "accepted %s", s);
	ck_assert_msg(err && *err, "no error text for %s", s);
}

/* n objects nested inside each other, the innermost holding a number */
static char *nested(int n)
{
	struct jsv_buf b = { 0 };
	int i;

	for (i = 0; i < n; i++)
		jsv_buf_printf(&b, "{\"a\":");
	jsv_buf_printf(&b, "1");
	for (i = 0; i < n; i++)
		jsv_buf_printf(&b, "}");
	return b.data;
}

START_TEST(test_json_valid)
{
	struct json_object *o;
	const char *s;

	o = parse(" {\"cmd\": \"queues\", \"x\": [1, {\"y\": null}]}\n");
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(jsv_json_get_string(o, "cmd", &s), 0);
	ck_assert_str_eq(s, "queues");
	json_object_put(o);

	o = parse("{\"name\":\"caf\xc3\xa9 \xf0\x9f\x90\xb3\"}");
	ck_assert_ptr_nonnull(o);
	json_object_put(o);
}
END_TEST

START_TEST(test_json_depth)
{
	struct json_object *o;
	char *s;

	/* json-c counts the innermost value as a level of its own */
	s = nested(JSV_JSON_DEPTH - 1);
	o = parse(s);
	ck_assert_ptr_nonnull(o);
	json_object_put(o);
	free(s);

	s = nested(JSV_JSON_DEPTH);
	refused(s, strlen(s));
	free(s);
	s = nested(1000);
	refused(s, strlen(s));
	free(s);
}
END_TEST

START_TEST(test_json_trailing)
{
	refused("{}x", 3);
	refused("{}{}", 4);
	refused("{\"a\":1} 1", 9);
	refused("{\"a\":1}]", 8);
}
END_TEST

START_TEST(test_json_truncated)
{
	refused("", 0);
	refused("   ", 3);
	refused("{\"a\":1", 6);
	/* len counts, not the terminator: the object is cut short */
	refused("{\"a\":1}", 6);
}
END_TEST

START_TEST(test_json_not_object)
{
	refused("[]", 2);
	refused("[{}]", 4);
	refused("\"s\"", 3);
	refused("1", 1);
	refused("true", 4);
	refused("null", 4);
}
END_TEST

START_TEST(test_json_nul)
{
	refused("{\"a\":\"b\0c\"}", 11);
	refused("{}\0", 3);
	refused("\0{}", 3);
}
END_TEST

START_TEST(test_json_utf8)
{
	static const char *const bad[] = {
		"{\"a\":\"\xc3\x28\"}", /* bad continuation */
		"{\"a\":\"\xc0\xaf\"}", /* overlong '/' */
		"{\"a\":\"\xed\xa0\x80\"}", /* surrogate */
		"{\"a\":\"\xe2\x82\"}", /* cut short */
		"{\"a\":\"\xf5\x80\x80\x80\"}", /* above U+10FFFF */
		"{\"\xff\":1}", /* in a key */
		"{\"a\":\"\xe0\x80\xaf\"}", /* overlong, 3 bytes */
		"{\"a\":\"\xf4\x90\x80\x80\"}", /* U+110000 */
		"{\"a\":\"\x80\"}", /* lone continuation */
	};
	size_t i;

	for (i = 0; i < JSV_ARRAY_SIZE(bad); i++)
		refused(bad[i], strlen(bad[i]));
}
END_TEST

START_TEST(test_json_not_finite)
{
	refused("{\"a\":NaN}", 9);
	refused("{\"a\":[Infinity]}", 16);
	refused("{\"a\":{\"b\":-Infinity}}", 21);
	refused("{\"a\":1e999}", 11);
}
END_TEST

START_TEST(test_json_get)
{
	struct json_object *o;
	const char *s;
	int64_t i;
	bool b;

	o = parse("{\"s\":\"x\",\"n\":-5,\"d\":1.0,\"t\":true,\"z\":null,"
		  "\"max\":9223372036854775807,\"over\":9223372036854775808,"
		  "\"nul\":\"a\\u0000b\",\"ns\":\"5\"}");
	ck_assert_ptr_nonnull(o);

	ck_assert_int_eq(jsv_json_get_string(o, "s", &s), 0);
	ck_assert_str_eq(s, "x");
	ck_assert_int_eq(jsv_json_get_string(o, "absent", &s), -ENOENT);
	ck_assert_int_eq(jsv_json_get_string(o, "n", &s), -EINVAL);
	ck_assert_int_eq(jsv_json_get_string(o, "z", &s), -EINVAL);
	ck_assert_int_eq(jsv_json_get_string(o, "nul", &s), -EINVAL);

	ck_assert_int_eq(jsv_json_get_int64(o, "n", &i), 0);
	ck_assert_int_eq(i, -5);
	ck_assert_int_eq(jsv_json_get_int64(o, "max", &i), 0);
	ck_assert_int_eq(i, INT64_MAX);
	ck_assert_int_eq(jsv_json_get_int64(o, "over", &i), -EINVAL);
	ck_assert_int_eq(jsv_json_get_int64(o, "d", &i), -EINVAL);
	ck_assert_int_eq(jsv_json_get_int64(o, "ns", &i), -EINVAL);
	ck_assert_int_eq(jsv_json_get_int64(o, "absent", &i), -ENOENT);

	ck_assert_int_eq(jsv_json_get_bool(o, "t", &b), 0);
	ck_assert(b);
	ck_assert_int_eq(jsv_json_get_bool(o, "n", &b), -EINVAL);
	ck_assert_int_eq(jsv_json_get_bool(o, "absent", &b), -ENOENT);
	json_object_put(o);
}
END_TEST

/* Client, against a server process that answers each request by its "cmd" */

struct server {
	char dir[32];
	char path[64];
	pid_t pid;
};

static struct server srv;

static bool read_frame(int fd, struct jsv_buf *in, struct json_object **req)
{
	struct jsv_frame f;
	char chunk[4096];
	ssize_t n;

	while ((n = jsv_frame_parse(in->data, in->len, &f)) == 0) {
		n = read(fd, chunk, sizeof(chunk));
		if (n <= 0)
			return false;
		jsv_buf_add(in, chunk, (size_t)n);
	}
	if (n < 0)
		return false;
	*req = jsv_json_parse(f.payload, f.len, NULL);
	jsv_buf_consume(in, (size_t)n);
	return *req != NULL;
}

/* Writes b one byte at a time, so the client must reassemble frames. */
static void write_slowly(int fd, const struct jsv_buf *b)
{
	size_t i;

	for (i = 0; i < b->len; i++) {
		if (write(fd, b->data + i, 1) != 1)
			_exit(1);
		if (i % 8 == 0)
			usleep(200);
	}
}

/* The text of line i of a fake job log: 12 bytes. */
static void log_line(char *buf, size_t len, long i)
{
	snprintf(buf, len, "line %06d\n", (int)(i % 1000000));
}

/*
 * A job's log, as the daemon answers job.log: the id says how long it is
 * and how it behaves, "<kind>:<bytes>".  "final": the job has ended; "open":
 * it still runs and its log stays as it is; "grows": it runs and every
 * request but the first lets another 1000 bytes in, every second one finds
 * nothing new, and the job ends once all is in.
 */
static void fake_log(struct json_object *req, struct jsv_buf *out)
{
	static long requests, visible;
	struct json_object *end;
	struct jsv_buf text = { 0 };
	const char *id, *colon;
	int64_t offset = 0, tail = 0;
	long size, i, n;
	char line[32];
	bool final;

	if (jsv_json_get_string(req, "id", &id) < 0 ||
	    (jsv_json_get_int64(req, "offset", &offset) < 0 &&
	     jsv_json_get_int64(req, "tail", &tail) < 0) ||
	    (colon = strchr(id, ':')) == NULL)
		_exit(1);
	size = atol(colon + 1);
	final = !strncmp(id, "final", 5);
	if (!strncmp(id, "grows", 5)) {
		if (requests++ % 2 == 1 && visible < size)
			visible = visible + 1000 < size ? visible + 1000 : size;
		final = visible == size;
		size = visible;
	}
	if (tail > 0)
		offset = size > tail ? size - tail : 0;
	for (i = offset / 12; i * 12 < size; i++) {
		log_line(line, sizeof(line), i);
		jsv_buf_add(&text, line, 12);
	}
	n = size - offset;
	if (n > JSV_LOG_CHUNK)
		n = JSV_LOG_CHUNK;
	if (n < 0)
		n = 0;
	end = json_object_new_object();
	json_object_object_add(end, "data",
			       json_object_new_string_len(
				       text.data ? text.data + offset % 12 : "",
				       (int)n));
	json_object_object_add(end, "offset",
			       json_object_new_int64(offset + n));
	json_object_object_add(end, "done",
			       json_object_new_boolean(final && n == 0));
	json_object_object_add(end, "size", json_object_new_int64(size));
	jsv_frame_append_json(out, JSV_MSG_END, end);
	json_object_put(end);
	jsv_buf_free(&text);
}

/*
 * Answers each request by its "fake" field, or by its "cmd" when it has
 * none; job.log is answered as the daemon does, from a fake log.
 */
static void serve(int fd)
{
	struct jsv_buf in = { 0 }, out = { 0 };
	struct json_object *req;
	const char *cmd;

	while (read_frame(fd, &in, &req)) {
		jsv_buf_reset(&out);
		if (jsv_json_get_string(req, "fake", &cmd) < 0 &&
		    jsv_json_get_string(req, "cmd", &cmd) < 0)
			_exit(1);
		if (!strcmp(cmd, "job.log")) {
			fake_log(req, &out);
		} else if (!strcmp(cmd, "end")) {
			jsv_frame_append(&out, JSV_MSG_END, "{\"n\":0}", 7);
		} else if (!strcmp(cmd, "half")) {
			jsv_frame_append(&out, JSV_MSG_RECORD, "{\"i\":0}", 7);
			if (write(fd, out.data, out.len) != (ssize_t)out.len)
				_exit(1);
			_exit(0);
		} else if (!strcmp(cmd, "list")) {
			jsv_frame_append(&out, JSV_MSG_RECORD, "{\"i\":0}", 7);
			jsv_frame_append(&out, JSV_MSG_RECORD, "{\"i\":1}", 7);
			jsv_frame_append(&out, JSV_MSG_END, "{\"n\":2}", 7);
			write_slowly(fd, &out);
			jsv_buf_reset(&out);
		} else if (!strcmp(cmd, "error")) {
			jsv_frame_append_error(&out, JSV_E_NOENT, "job %s",
					       "abc");
		} else if (!strcmp(cmd, "silent")) {
			pause();
		} else if (!strcmp(cmd, "close")) {
			_exit(0);
		} else if (!strcmp(cmd, "garbage")) {
			jsv_buf_add(&out, "HTTP/1.0 400 Bad\r\n", 18);
		} else if (!strcmp(cmd, "array")) {
			jsv_frame_append(&out, JSV_MSG_END, "[1]", 3);
		} else if (!strcmp(cmd, "request")) {
			jsv_frame_append(&out, JSV_MSG_REQUEST, "{}", 2);
		}
		if (write(fd, out.data, out.len) != (ssize_t)out.len)
			_exit(1);
		json_object_put(req);
	}
	_exit(0);
}

/* Starts a server on a private socket that serves one connection. */
static void server_setup(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int lfd, fd;

	strcpy(srv.dir, "/tmp/check_lib.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(srv.dir));
	snprintf(srv.path, sizeof(srv.path), "%s/control.sock", srv.dir);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", srv.path);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(lfd, 0);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	ck_assert_int_eq(listen(lfd, 4), 0);
	srv.pid = fork();
	ck_assert_int_ge(srv.pid, 0);
	if (srv.pid == 0) {
		alarm(20); /* never outlive a failed test for long */
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			_exit(1);
		close(lfd);
		serve(fd);
	}
	close(lfd);
}

static void server_teardown(void)
{
	if (srv.pid > 0) {
		kill(srv.pid, SIGKILL);
		waitpid(srv.pid, NULL, 0);
	}
	unlink(srv.path);
	rmdir(srv.dir);
}

static struct jsv_client *client_open(int timeout_ms)
{
	struct jsv_client *c;
	char err[256] = "";

	c = jsv_client_open(srv.path, timeout_ms, err, sizeof(err));
	ck_assert_msg(c != NULL, "open: %s", err);
	return c;
}

static int send_cmd(struct jsv_client *c, const char *cmd)
{
	struct json_object *req;
	int r;

	req = json_object_new_object();
	json_object_object_add(req, "cmd", json_object_new_string(cmd));
	r = jsv_client_send(c, req);
	json_object_put(req);
	return r;
}

START_TEST(test_client_open_fails)
{
	char err[256], longpath[200];

	ck_assert_ptr_null(
		jsv_client_open("/nonexistent/x.sock", 1000, err, sizeof(err)));
	ck_assert_str_eq(
		err, "connect /nonexistent/x.sock: No such file or directory");

	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	ck_assert_ptr_null(jsv_client_open(longpath, 1000, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "File name too long"));
	ck_assert_ptr_null(jsv_client_open("/nonexistent", 1000, NULL, 0));
}
END_TEST

START_TEST(test_client_list)
{
	struct jsv_client *c = client_open(5000);
	struct json_object *o;
	int64_t v;
	int round;

	/* two requests on one connection */
	for (round = 0; round < 2; round++) {
		ck_assert_int_eq(send_cmd(c, "list"), 0);
		ck_assert_int_eq(jsv_client_next(c, &o), JSV_MSG_RECORD);
		ck_assert_int_eq(jsv_json_get_int64(o, "i", &v), 0);
		ck_assert_int_eq(v, 0);
		json_object_put(o);
		ck_assert_int_eq(jsv_client_next(c, &o), JSV_MSG_RECORD);
		ck_assert_int_eq(jsv_json_get_int64(o, "i", &v), 0);
		ck_assert_int_eq(v, 1);
		json_object_put(o);
		ck_assert_int_eq(jsv_client_next(c, &o), JSV_MSG_END);
		ck_assert_int_eq(jsv_json_get_int64(o, "n", &v), 0);
		ck_assert_int_eq(v, 2);
		json_object_put(o);
	}
	jsv_client_close(c);
}
END_TEST

START_TEST(test_client_error)
{
	struct jsv_client *c = client_open(5000);
	struct json_object *o;
	const char *s;
	int64_t code;

	ck_assert_int_eq(send_cmd(c, "error"), 0);
	ck_assert_int_eq(jsv_client_next(c, &o), JSV_MSG_ERROR);
	ck_assert_int_eq(jsv_json_get_int64(o, "code", &code), 0);
	ck_assert_int_eq(code, JSV_E_NOENT);
	ck_assert_int_eq(jsv_json_get_string(o, "error", &s), 0);
	ck_assert_str_eq(s, "not found: job abc");
	json_object_put(o);
	jsv_client_close(c);
}
END_TEST

START_TEST(test_client_timeout)
{
	struct jsv_client *c = client_open(200);
	struct timespec t0, t1;
	struct json_object *o;
	long ms;

	ck_assert_int_eq(send_cmd(c, "silent"), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(jsv_client_next(c, &o), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_ptr_null(o);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	     (t1.tv_nsec - t0.tv_nsec) / 1000000;
	ck_assert_int_ge(ms, 190);
	jsv_client_close(c);
}
END_TEST

START_TEST(test_client_closed)
{
	struct jsv_client *c = client_open(5000);
	struct json_object *o;

	ck_assert_int_eq(send_cmd(c, "close"), 0);
	ck_assert_int_eq(jsv_client_next(c, &o), -ECONNRESET);
	ck_assert_ptr_null(o);
	jsv_client_close(c);
}
END_TEST

START_TEST(test_client_bad_answers)
{
	static const char *const cmds[] = { "garbage", "array", "request" };
	struct jsv_client *c;
	struct json_object *o;

	/* each bad answer spoils the connection: one server per case */
	c = client_open(5000);
	ck_assert_int_eq(send_cmd(c, cmds[_i]), 0);
	ck_assert_int_eq(jsv_client_next(c, &o), -EPROTO);
	ck_assert_ptr_null(o);
	jsv_client_close(c);
}
END_TEST

START_TEST(test_client_send_too_long)
{
	struct jsv_client *c = client_open(5000);
	struct json_object *req;
	char *big;

	big = xmalloc(JSV_MSG_MAX + 1);
	memset(big, 'x', JSV_MSG_MAX);
	big[JSV_MSG_MAX] = '\0';
	req = json_object_new_object();
	json_object_object_add(req, "cmd", json_object_new_string(big));
	ck_assert_int_eq(jsv_client_send(c, req), -EMSGSIZE);
	json_object_put(req);
	free(big);
	jsv_client_close(c);
}
END_TEST

/* The call: one policy for records, END, ERROR and local failures */

/* A request whose answer the server picks by fake (see serve()). */
static struct json_object *fake_req(const char *fake)
{
	struct json_object *req = json_object_new_object();

	json_object_object_add(req, "fake", json_object_new_string(fake));
	return req;
}

static struct jsv_client *call_open(int timeout_ms)
{
	struct jsv_call_err err;
	struct jsv_client *c;

	c = jsv_call_connect(srv.path, timeout_ms, &err);
	ck_assert_msg(c != NULL, "connect: %s", err.text);
	ck_assert_int_eq(err.status, JSV_CALL_OK);
	return c;
}

START_TEST(test_call_connect_fails)
{
	struct jsv_call_err err;

	ck_assert_ptr_null(jsv_call_connect("/nonexistent/x.sock", 1000, &err));
	ck_assert_int_eq(err.status, JSV_CALL_UNREACHABLE);
	ck_assert_int_eq(err.errnum, ENOENT);
	ck_assert(jsv_call_local(&err));
	ck_assert_str_eq(
		err.text,
		"connect /nonexistent/x.sock: No such file or directory");
}
END_TEST

START_TEST(test_call_records)
{
	struct jsv_client *c = call_open(5000);
	struct json_object *recs, *end;
	struct jsv_call_err err;
	int round;

	/* two calls on one connection; the second drops the records */
	for (round = 0; round < 2; round++) {
		ck_assert_int_eq(jsv_call(c, JSV_CMD_QUEUES, fake_req("list"),
					  round == 0 ? &recs : NULL, &end,
					  &err),
				 0);
		ck_assert_int_eq(err.status, JSV_CALL_OK);
		ck_assert_int_eq(jsv_json_int(end, "n"), 2);
		json_object_put(end);
	}
	ck_assert_int_eq(json_object_array_length(recs), 2);
	ck_assert_int_eq(jsv_json_int(json_object_array_get_idx(recs, 1), "i"),
			 1);
	json_object_put(recs);

	/* a command with records that has none gets an empty array */
	ck_assert_int_eq(jsv_call(c, JSV_CMD_POOLS, fake_req("end"), &recs,
				  &end, &err),
			 0);
	ck_assert_int_eq(json_object_array_length(recs), 0);
	json_object_put(recs);
	json_object_put(end);
	jsv_client_close(c);
}
END_TEST

START_TEST(test_call_end_only)
{
	struct jsv_client *c = call_open(5000);
	struct json_object *old = json_object_new_array(), *recs = old, *end;
	struct jsv_call_err err;

	/* a command without records: *records is NULL, whatever it held */
	ck_assert_int_eq(jsv_call(c, JSV_CMD_STATUS, fake_req("end"), &recs,
				  &end, &err),
			 0);
	ck_assert_ptr_null(recs);
	ck_assert_int_eq(jsv_json_int(end, "n"), 0);
	json_object_put(end);
	json_object_put(old);
	jsv_client_close(c);
}
END_TEST

START_TEST(test_call_stray_record)
{
	struct jsv_client *c = call_open(5000);
	struct json_object *recs, *end;
	struct jsv_call_err err;

	ck_assert_int_eq(jsv_call(c, JSV_CMD_STATUS, fake_req("list"), &recs,
				  &end, &err),
			 -1);
	ck_assert_ptr_null(recs);
	ck_assert_ptr_null(end);
	ck_assert_int_eq(err.status, JSV_CALL_PROTO);
	ck_assert(jsv_call_local(&err));
	ck_assert_str_eq(err.text,
			 "a record in the answer to status, which has none");
	jsv_client_close(c);
}
END_TEST

START_TEST(test_call_refused)
{
	struct jsv_client *c = call_open(5000);
	struct json_object *recs, *end;
	struct jsv_call_err err;

	ck_assert_int_eq(jsv_call(c, JSV_CMD_QUEUES, fake_req("error"), &recs,
				  &end, &err),
			 -1);
	ck_assert_int_eq(err.status, JSV_CALL_REFUSED);
	ck_assert(!jsv_call_local(&err));
	ck_assert_int_eq(err.code, JSV_E_NOENT);
	ck_assert_str_eq(err.text, "not found: job abc");
	ck_assert_ptr_null(recs);
	ck_assert_ptr_null(end);

	/* the connection serves the next request */
	ck_assert_int_eq(jsv_call(c, JSV_CMD_QUEUES, fake_req("list"), &recs,
				  &end, &err),
			 0);
	ck_assert_int_eq(json_object_array_length(recs), 2);
	json_object_put(recs);
	json_object_put(end);
	jsv_client_close(c);
}
END_TEST

START_TEST(test_call_closed)
{
	static const char *const fakes[] = { "close", "half" };
	struct jsv_client *c = call_open(5000);
	struct json_object *recs, *end;
	struct jsv_call_err err;

	/* before any answer, and after a record */
	ck_assert_int_eq(jsv_call(c, JSV_CMD_QUEUES, fake_req(fakes[_i]), &recs,
				  &end, &err),
			 -1);
	ck_assert_int_eq(err.status, JSV_CALL_CLOSED);
	ck_assert_str_eq(err.text, "the daemon closed the connection");
	ck_assert_ptr_null(recs);
	ck_assert_ptr_null(end);
	jsv_client_close(c);
}
END_TEST

START_TEST(test_call_timeout)
{
	struct jsv_client *c = call_open(200);
	struct json_object *end;
	struct jsv_call_err err;

	ck_assert_int_eq(jsv_call(c, JSV_CMD_STATUS, fake_req("silent"), NULL,
				  &end, &err),
			 -1);
	ck_assert_int_eq(err.status, JSV_CALL_TIMEOUT);
	ck_assert_int_eq(err.errnum, ETIMEDOUT);
	ck_assert_str_eq(err.text, "reading the answer: Connection timed out");
	jsv_client_close(c);
}
END_TEST

START_TEST(test_call_bad_answer)
{
	struct jsv_client *c = call_open(5000);
	struct json_object *end;
	struct jsv_call_err err;

	ck_assert_int_eq(jsv_call(c, JSV_CMD_STATUS, fake_req("garbage"), NULL,
				  &end, &err),
			 -1);
	ck_assert_int_eq(err.status, JSV_CALL_PROTO);
	ck_assert_int_eq(err.errnum, EPROTO);
	jsv_client_close(c);
}
END_TEST

START_TEST(test_req_builders)
{
	static const char *const types[] = { "A", "B" };
	struct json_object *req = json_object_new_object();
	char longname[JSV_AS_USER_MAX + 2];

	jsv_req_targets(req, JSV_CMD_QUEUE_PAUSE, types, 2, false);
	jsv_req_page(req, 2, 0);
	jsv_req_id(req, "j");
	ck_assert_str_eq(json_object_to_json_string_ext(req,
							JSV_JSON_TO_STRING),
			 "{\"types\":[\"A\",\"B\"],\"page\":2,\"id\":\"j\"}");
	json_object_put(req);

	req = json_object_new_object();
	jsv_req_type_or_all(req, JSV_CMD_QUEUE_STOP, "all");
	jsv_req_pool(req, "p1");
	jsv_req_schedule_id(req, 7);
	jsv_req_page(req, 0, 100);
	ck_assert_str_eq(json_object_to_json_string_ext(req,
							JSV_JSON_TO_STRING),
			 "{\"all\":true,\"pool_id\":\"p1\",\"id\":7,"
			 "\"page_size\":100}");
	json_object_put(req);

	req = json_object_new_object();
	jsv_req_targets(req, JSV_CMD_WORKER_FREE, types, 1, false);
	ck_assert_str_eq(json_object_to_json_string_ext(req,
							JSV_JSON_TO_STRING),
			 "{\"workers\":[\"A\"]}");
	json_object_put(req);

	req = json_object_new_object();
	jsv_req_type_or_all(req, JSV_CMD_QUEUE_STOP, "IMAGE_SCAN");
	ck_assert_str_eq(json_object_to_json_string_ext(req,
							JSV_JSON_TO_STRING),
			 "{\"types\":[\"IMAGE_SCAN\"]}");
	json_object_put(req);

	/* as_user only for a name the catalogue takes. */
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	req = json_object_new_object();
	jsv_req_as_user(req, NULL);
	jsv_req_as_user(req, "");
	jsv_req_as_user(req, longname);
	ck_assert_str_eq(
		json_object_to_json_string_ext(req, JSV_JSON_TO_STRING), "{}");
	jsv_req_as_user(req, "alice");
	ck_assert_str_eq(json_object_to_json_string_ext(req,
							JSV_JSON_TO_STRING),
			 "{\"as_user\":\"alice\"}");
	json_object_put(req);
}
END_TEST

/* The job-log reader, against the server's fake logs */

/* Checks that text is the fake log's bytes from offset on. */
static void assert_log_text(const char *text, size_t len, long offset)
{
	char line[32];
	size_t i;

	/* one assertion per line, not per byte: it runs for 200k bytes */
	for (i = 0; i < len; i++) {
		log_line(line, sizeof(line), (offset + (long)i) / 12);
		if (text[i] != line[(offset + (long)i) % 12])
			ck_abort_msg("byte %ld", offset + (long)i);
	}
}

START_TEST(test_log_read_now)
{
	struct jsv_client *c = call_open(5000);
	struct jsv_log log = { .id = "open:200000" };
	struct jsv_call_err err;

	/* one chunk */
	ck_assert_int_eq(jsv_log_read(c, &log, JSV_LOG_ONE, &err), 0);
	ck_assert_int_eq(log.offset, JSV_LOG_CHUNK);
	ck_assert_uint_eq(log.buf.len, JSV_LOG_CHUNK);

	/* the rest of what is there, from where it stopped */
	ck_assert_int_eq(jsv_log_read(c, &log, JSV_LOG_NOW, &err), 0);
	ck_assert_int_eq(log.offset, 200000);
	ck_assert(!log.done);
	ck_assert_uint_eq(log.read, 200000);
	ck_assert_uint_eq(log.buf.len, 200000);
	assert_log_text(log.buf.data, log.buf.len, 0);
	jsv_buf_free(&log.buf);

	/* a limit, from an offset in a line */
	log = (struct jsv_log){ .id = "final:200000",
				.offset = 5,
				.max = 100000 };
	ck_assert_int_eq(jsv_log_read(c, &log, JSV_LOG_NOW, &err), 0);
	ck_assert_int_eq(log.offset, 5 + 2 * JSV_LOG_CHUNK);
	assert_log_text(log.buf.data, log.buf.len, 5);
	ck_assert(!log.done);
	jsv_buf_free(&log.buf);

	/* the end of a final job's log */
	log = (struct jsv_log){ .id = "final:200000", .offset = 199990 };
	ck_assert_int_eq(jsv_log_read(c, &log, JSV_LOG_NOW, &err), 0);
	ck_assert(log.done);
	ck_assert_uint_eq(log.buf.len, 10);
	jsv_buf_free(&log.buf);
	jsv_client_close(c);
}
END_TEST

struct chunks {
	struct jsv_buf text;
	int calls;
	int empty;
	bool done;
};

static void on_chunk(const struct jsv_log *log, const char *data, size_t len,
		     void *arg)
{
	struct chunks *ch = arg;

	ck_assert(!ch->done);
	ck_assert_int_eq(log->offset, (int64_t)(ch->text.len + len));
	jsv_buf_add(&ch->text, data, len);
	ch->calls++;
	ch->empty += len == 0;
	ch->done = log->done;
}

START_TEST(test_log_read_done)
{
	struct jsv_client *c = call_open(5000);
	struct chunks ch = { 0 };
	struct jsv_log log = {
		.id = "grows:5500", .poll_ms = 1, .chunk = on_chunk, .arg = &ch
	};
	struct jsv_call_err err;

	/* polls while the job runs, each chunk as it comes, then the end */
	ck_assert_int_eq(jsv_log_read(c, &log, JSV_LOG_DONE, &err), 0);
	ck_assert(log.done);
	ck_assert(ch.done);
	ck_assert_uint_eq(ch.text.len, 5500);
	assert_log_text(ch.text.data, ch.text.len, 0);
	ck_assert_int_eq(ch.calls, 7); /* 6 with text, the empty last one */
	ck_assert_int_eq(ch.empty, 1);
	ck_assert_uint_eq(log.buf.len, 0);
	jsv_buf_free(&ch.text);
	jsv_client_close(c);
}
END_TEST

START_TEST(test_log_read_refused)
{
	struct jsv_client *c = call_open(5000);
	struct jsv_log log = { .id = "nolog" };
	struct jsv_call_err err;

	/* the fake server dies on an id without a size */
	ck_assert_int_eq(jsv_log_read(c, &log, JSV_LOG_NOW, &err), -1);
	ck_assert_int_eq(err.status, JSV_CALL_CLOSED);
	ck_assert_int_eq(log.offset, 0);
	jsv_client_close(c);
}
END_TEST

START_TEST(test_log_tail)
{
	static const long sizes[] = { 0, 100, 65536, 300000, 1000003 };
	struct jsv_client *c = call_open(5000);
	struct jsv_buf out = { 0 };
	struct jsv_call_err err;
	char id[32];
	long size = sizes[_i];

	snprintf(id, sizeof(id), "final:%ld", size);
	ck_assert_int_eq(jsv_log_tail(c, id, 65536, &out, &err), 0);
	if (size <= 65536) {
		ck_assert_uint_eq(out.len, (size_t)size);
	} else {
		/* one request, cut at a line: a whole number of lines */
		ck_assert_uint_le(out.len, 65536);
		ck_assert_uint_ge(out.len, 65536 - 12);
		ck_assert_int_eq((size - (long)out.len) % 12, 0);
	}
	assert_log_text(out.data, out.len, size - (long)out.len);
	jsv_buf_free(&out);
	jsv_client_close(c);
}
END_TEST

/* Status, times and pages for people */

START_TEST(test_job_status)
{
	static const char *const names[] = {
		"Pending", "Scheduled", "Running", "Success", "Error", "Stopped"
	};
	int i;

	for (i = 0; i < JSV_JOB_STATUS_MAX; i++) {
		ck_assert_str_eq(jsv_job_status_name(i), names[i]);
		ck_assert_int_eq(jsv_job_status_parse(names[i]), i);
		ck_assert(jsv_job_status_final(names[i]) == (i >= 3));
		ck_assert(jsv_job_status_active(names[i]) == (i < 3));
	}
	ck_assert_int_eq(jsv_job_status_parse("pending"), -EINVAL);
	ck_assert_int_eq(jsv_job_status_parse(""), -EINVAL);
	ck_assert_int_eq(jsv_job_status_parse(NULL), -EINVAL);
	ck_assert(!jsv_job_status_final("Lost"));
	ck_assert(!jsv_job_status_active("Lost"));
	ck_assert_str_eq(jsv_job_status_name(JSV_JOB_STATUS_MAX), "");
}
END_TEST

START_TEST(test_time_people)
{
	char buf[64];

	jsv_fmt_time_people(buf, sizeof(buf), "2026-11-29T05:37:45Z");
	ck_assert_str_eq(buf, "2026-11-29 05:37:45 UTC");
	jsv_fmt_time_people(buf, sizeof(buf), "2026-11-29T05:37:45.25Z");
	ck_assert_str_eq(buf, "2026-11-29 05:37:45.25 UTC");
	jsv_fmt_time_people(buf, sizeof(buf), "");
	ck_assert_str_eq(buf, "");
	jsv_fmt_time_people(buf, sizeof(buf), "yesterday");
	ck_assert_str_eq(buf, "yesterday");
	jsv_fmt_time_people(buf, sizeof(buf), "2026-11-29T05:37:45+01:00");
	ck_assert_str_eq(buf, "2026-11-29T05:37:45+01:00");
	jsv_fmt_time_people(buf, 8, "2026-11-29T05:37:45Z");
	ck_assert_str_eq(buf, "2026-11");
}
END_TEST

START_TEST(test_page_count)
{
	ck_assert_int_eq(jsv_page_count(0, 15), 1);
	ck_assert_int_eq(jsv_page_count(1, 15), 1);
	ck_assert_int_eq(jsv_page_count(15, 15), 1);
	ck_assert_int_eq(jsv_page_count(16, 15), 2);
	ck_assert_int_eq(jsv_page_count(250, JSV_PAGE_SIZE_MAX), 3);
	ck_assert_int_eq(jsv_page_count(5, 0), 1);
	ck_assert_int_eq(jsv_page_count(-1, 10), 1);
}
END_TEST

START_TEST(test_json_lenient)
{
	struct json_object *o;

	o = jsv_json_parse("{\"n\":5,\"s\":\"x\",\"f\":1.5}", 23, NULL);
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(jsv_json_int(o, "n"), 5);
	ck_assert_int_eq(jsv_json_int(o, "s"), 0);
	ck_assert_int_eq(jsv_json_int(o, "f"), 0);
	ck_assert_int_eq(jsv_json_int(o, "absent"), 0);
	ck_assert_str_eq(jsv_json_str(o, "s"), "x");
	ck_assert_str_eq(jsv_json_str(o, "n"), "");
	ck_assert_str_eq(jsv_json_str(NULL, "s"), "");
	json_object_put(o);
}
END_TEST

/* Durations */

START_TEST(test_duration_valid)
{
	static const struct {
		const char *s;
		uint64_t ms;
	} cases[] = {
		{ "500ms", 500 },
		{ "10s", 10000 },
		{ "5m", 300000 },
		{ "24h", 86400000 },
		{ "2d", 172800000 },
		{ "1h30m", 5400000 },
		{ "1m30s500ms", 90500 },
		{ "1d12h", 129600000 },
		{ "90", 90000 },
		{ "0", 0 },
		{ "0s", 0 },
		{ "007s", 7000 },
		{ "9223372036854775807ms", INT64_MAX },
		{ "106751991167d", 106751991167ULL * 86400000 },
	};
	uint64_t ms;
	size_t i;

	for (i = 0; i < JSV_ARRAY_SIZE(cases); i++) {
		ms = 12345;
		ck_assert_msg(jsv_parse_duration(cases[i].s, &ms) == 0, "%s",
			      cases[i].s);
		ck_assert_msg(ms == cases[i].ms, "%s: %ju", cases[i].s,
			      (uintmax_t)ms);
	}
}
END_TEST

START_TEST(test_duration_invalid)
{
	static const char *const bad[] = {
		"",	"-5s",	"+5s", "5x",   "s",	"ms",
		"1.5h", " 5s",	"5s ", "5 s",  "h1",	"1h30",
		"5S",	"5sec", "1e3", "0x10", "5m-1s",
	};
	uint64_t ms = 12345;
	size_t i;

	for (i = 0; i < JSV_ARRAY_SIZE(bad); i++)
		ck_assert_msg(jsv_parse_duration(bad[i], &ms) == -EINVAL,
			      "\"%s\"", bad[i]);
	ck_assert_int_eq(ms, 12345);
	ck_assert_int_eq(jsv_parse_duration(NULL, &ms), -EINVAL);
}
END_TEST

START_TEST(test_duration_overflow)
{
	static const char *const big[] = {
		"18446744073709551616",
		"99999999999999999999999s",
		"9223372036854775808ms",
		"106751991168d",
		"9223372036854775807ms1ms",
		"9223372036854776s",
		"213503982336d", /* past 2^64 ms: must not wrap around */
	};
	uint64_t ms = 12345;
	size_t i;

	for (i = 0; i < JSV_ARRAY_SIZE(big); i++)
		ck_assert_msg(jsv_parse_duration(big[i], &ms) == -ERANGE, "%s",
			      big[i]);
	ck_assert_int_eq(ms, 12345);
}
END_TEST

/* Latency */

START_TEST(test_latency)
{
	static const struct {
		uint64_t sec;
		const char *s;
	} cases[] = {
		{ 0, "0sec" },
		{ 59, "59sec" },
		{ 60, "1min 0sec" },
		{ 65, "1min 5sec" },
		{ 3599, "59min 59sec" },
		{ 3600, "1hrs 0min 0sec" },
		{ 7384, "2hrs 3min 4sec" },
		{ 90061, "25hrs 1min 1sec" },
	};
	char buf[64];
	size_t i;

	for (i = 0; i < JSV_ARRAY_SIZE(cases); i++) {
		jsv_fmt_latency(buf, sizeof(buf), cases[i].sec);
		ck_assert_str_eq(buf, cases[i].s);
	}
	jsv_fmt_latency(buf, 5, 7384);
	ck_assert_str_eq(buf, "2hrs");
}
END_TEST

/* Times */

START_TEST(test_time_format)
{
	char buf[64];

	jsv_fmt_time(buf, sizeof(buf), 1700000000);
	ck_assert_str_eq(buf, "2023-11-14T22:13:20Z");
	jsv_fmt_time(buf, sizeof(buf), 86400);
	ck_assert_str_eq(buf, "1970-01-02T00:00:00Z");
	strcpy(buf, "junk");
	jsv_fmt_time(buf, sizeof(buf), 0);
	ck_assert_str_eq(buf, "");
	strcpy(buf, "junk");
	jsv_fmt_time(buf, 10, 1700000000); /* too small: empty, not cut */
	ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(test_time_parse)
{
	static const struct {
		const char *s;
		int64_t t;
	} cases[] = {
		{ "2023-11-14T22:13:20Z", 1700000000 },
		{ "2023-11-14t22:13:20z", 1700000000 },
		{ "2023-11-14T22:13:20.123456Z", 1700000000 },
		{ "2023-11-14T23:13:20+01:00", 1700000000 },
		{ "2023-11-14T21:43:20-00:30", 1700000000 },
		{ "2023-11-14 22:13:20", 1700000000 },
		{ "2023-11-14 22:13", 1699999980 },
		{ "2023-11-14 22:13:20Z", 1700000000 },
		{ "@1700000000", 1700000000 },
		{ "@0", 0 },
		{ "2024-02-29 00:00", 1709164800 },
		{ "1970-01-01T00:00:00Z", 0 },
		{ "1969-12-31T23:59:59Z", -1 },
	};
	int64_t t;
	size_t i;

	for (i = 0; i < JSV_ARRAY_SIZE(cases); i++) {
		t = 12345;
		ck_assert_msg(jsv_parse_time(cases[i].s, &t) == 0, "%s",
			      cases[i].s);
		ck_assert_msg(t == cases[i].t, "%s: %jd", cases[i].s,
			      (intmax_t)t);
	}
}
END_TEST

START_TEST(test_time_parse_invalid)
{
	static const char *const bad[] = {
		"",
		"now",
		"2023-11-14T22:13:20", /* RFC 3339 needs a zone */
		"2023-11-14T22:13Z", /* and seconds */
		"2023-11-14",
		"2023-11-14 22",
		"2023-02-29 00:00",
		"2023-13-01 00:00",
		"2023-00-01 00:00",
		"2023-11-31 00:00",
		"2023-11-00 00:00",
		"2023-11-14 24:00",
		"2023-11-14 22:60",
		"2023-11-14 22:13:61",
		"2023-11-14T22:13:20+24:00",
		"2023-11-14T22:13:20+0100",
		"2023-11-14T22:13:20.Z",
		"2023-11-14T22:13:20Zjunk",
		"2023-11-14  22:13",
		"23-11-14 22:13",
		"2023/11/14 22:13",
		"+2023-11-14 22:13",
		"@",
		"@-1",
		"@12a",
		"@ 12",
		"@99999999999999999999",
	};
	int64_t t = 12345;
	size_t i;

	for (i = 0; i < JSV_ARRAY_SIZE(bad); i++)
		ck_assert_msg(jsv_parse_time(bad[i], &t) == -EINVAL, "\"%s\"",
			      bad[i]);
	ck_assert_int_eq(t, 12345);
	ck_assert_int_eq(jsv_parse_time(NULL, &t), -EINVAL);
}
END_TEST

START_TEST(test_time_round_trip)
{
	static const int64_t times[] = { 1, 951782400, 1700000000, 1796016465,
					 4102444799 };
	char buf[64];
	int64_t t;
	size_t i;

	for (i = 0; i < JSV_ARRAY_SIZE(times); i++) {
		jsv_fmt_time(buf, sizeof(buf), times[i]);
		ck_assert_int_eq(jsv_parse_time(buf, &t), 0);
		ck_assert_msg(t == times[i], "%s", buf);
	}
}
END_TEST

/* Names */

START_TEST(test_job_type)
{
	static const char *const good[] = {
		"IMAGE_SCAN",
		"A",
		"GC2",
		"A_",
		"SYSTEM_ARTIFACT_CLEANUP",
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_ABCDEFGHIJKLMNOPQRSTUVWXYZ0",
	};
	static const char *const bad[] = {
		"",
		"image_scan",
		"Image",
		"1ABC",
		"_A",
		"IMAGE-SCAN",
		"IMAGE SCAN",
		"IMAGE\n",
		"\xc3\x89T\xc3\x89",
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_ABCDEFGHIJKLMNOPQRSTUVWXYZ01",
	};
	size_t i;

	ck_assert_uint_eq(strlen(good[5]), 64);
	for (i = 0; i < JSV_ARRAY_SIZE(good); i++)
		ck_assert_msg(jsv_valid_job_type(good[i]), "%s", good[i]);
	for (i = 0; i < JSV_ARRAY_SIZE(bad); i++)
		ck_assert_msg(!jsv_valid_job_type(bad[i]), "%s", bad[i]);
	ck_assert(!jsv_valid_job_type(NULL));
}
END_TEST

START_TEST(test_job_id)
{
	ck_assert(jsv_valid_job_id("0123456789abcdef01234567"));
	ck_assert(jsv_valid_job_id("ffffffffffffffffffffffff"));
	ck_assert(!jsv_valid_job_id("0123456789abcdef0123456"));
	ck_assert(!jsv_valid_job_id("0123456789abcdef012345678"));
	ck_assert(!jsv_valid_job_id("0123456789ABCDEF01234567"));
	ck_assert(!jsv_valid_job_id("0123456789abcdeg01234567"));
	ck_assert(!jsv_valid_job_id("0123456789abcdef0123456 "));
	ck_assert(!jsv_valid_job_id(""));
	ck_assert(!jsv_valid_job_id(NULL));
}
END_TEST

/* Escaping */

START_TEST(test_strvis)
{
	char buf[64];

	jsv_strvis(buf, sizeof(buf), "plain text");
	ck_assert_str_eq(buf, "plain text");
	jsv_strvis(buf, sizeof(buf), "a\nb\tc\\d\re");
	ck_assert_str_eq(buf, "a\\nb\\tc\\\\d\\x0de");
	jsv_strvis(buf, sizeof(buf), "\x01\x1b[31m\x7f\xc3\xa9");
	ck_assert_str_eq(buf, "\\x01\\x1b[31m\\x7f\\xc3\\xa9");
	jsv_strvis(buf, sizeof(buf), "");
	ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(test_strvis_truncate)
{
	char buf[16];

	jsv_strvis(buf, 8, "abcdefghij");
	ck_assert_str_eq(buf, "abcd...");
	jsv_strvis(buf, 11, "abcdefghij");
	ck_assert_str_eq(buf, "abcdefghij");
	jsv_strvis(buf, 10, "abcdefghij");
	ck_assert_str_eq(buf, "abcdef...");
	/* an escape sequence is never cut */
	jsv_strvis(buf, 8, "abcd\x01");
	ck_assert_str_eq(buf, "abcd...");
	jsv_strvis(buf, 9, "abcd\x01");
	ck_assert_str_eq(buf, "abcd\\x01");
	jsv_strvis(buf, 8, "ab\ncdefgh");
	ck_assert_str_eq(buf, "ab\\n...");
	jsv_strvis(buf, 3, "abcdef");
	ck_assert_str_eq(buf, "..");
	jsv_strvis(buf, 1, "abcdef");
	ck_assert_str_eq(buf, "");
	buf[0] = 'x';
	jsv_strvis(buf, 0, "abcdef");
	ck_assert_int_eq(buf[0], 'x');
}
END_TEST

/* Buffers */

START_TEST(test_buf)
{
	struct jsv_buf b = { 0 };
	char *data;
	size_t cap, i;

	jsv_buf_add(&b, "", 0);
	ck_assert_ptr_nonnull(b.data);
	ck_assert_str_eq(b.data, "");
	jsv_buf_add(&b, "hello", 5);
	jsv_buf_printf(&b, " %s %d", "world", 42);
	ck_assert_uint_eq(b.len, 14);
	ck_assert_str_eq(b.data, "hello world 42");

	for (i = 0; i < 100; i++)
		jsv_buf_printf(&b, "%050zu", i);
	ck_assert_uint_eq(b.len, 14 + 100 * 50);
	ck_assert_uint_gt(b.cap, b.len);
	ck_assert_int_eq(b.data[b.len], '\0');
	ck_assert_mem_eq(b.data + 14 + 99 * 50 + 48, "99", 2);

	jsv_buf_consume(&b, 6);
	ck_assert_uint_eq(b.len, 8 + 100 * 50);
	ck_assert_mem_eq(b.data, "world 42", 8);
	ck_assert_int_eq(b.data[b.len], '\0');

	data = b.data;
	cap = b.cap;
	jsv_buf_reset(&b);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_ptr_eq(b.data, data);
	ck_assert_uint_eq(b.cap, cap);
	ck_assert_str_eq(b.data, "");

	jsv_buf_add(&b, "abc", 3);
	jsv_buf_consume(&b, 10);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(b.data, "");

	jsv_buf_free(&b);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.cap, 0);
}
END_TEST

START_TEST(test_buf_binary)
{
	struct jsv_buf b = { 0 };

	jsv_buf_add(&b, "a\0b", 3);
	ck_assert_uint_eq(b.len, 3);
	ck_assert_mem_eq(b.data, "a\0b\0", 4);
	jsv_buf_free(&b);
}
END_TEST

START_TEST(test_buf_utf8)
{
	struct jsv_buf b = { 0 };

	/* valid text is unchanged */
	ck_assert_uint_eq(jsv_buf_add_utf8(&b, "caf\xc3\xa9 \xf0\x9f\x90\xb3",
					   10, false),
			  10);
	ck_assert_str_eq(b.data, "caf\xc3\xa9 \xf0\x9f\x90\xb3");

	jsv_buf_reset(&b);
	ck_assert_uint_eq(jsv_buf_add_utf8(&b,
					   "a\xff"
					   "b\xc0\xaf"
					   "c",
					   6, false),
			  6);
	ck_assert_str_eq(b.data, "a\xef\xbf\xbd"
				 "b\xef\xbf\xbd\xef\xbf\xbd"
				 "c");

	/* an incomplete sequence at the end waits for the next chunk */
	jsv_buf_reset(&b);
	ck_assert_uint_eq(jsv_buf_add_utf8(&b, "ab\xe2\x82", 4, true), 2);
	ck_assert_str_eq(b.data, "ab");
	ck_assert_uint_eq(jsv_buf_add_utf8(&b, "\xe2\x82\xac", 3, true), 3);
	ck_assert_str_eq(b.data, "ab\xe2\x82\xac");
	/* unless there is none */
	jsv_buf_reset(&b);
	ck_assert_uint_eq(jsv_buf_add_utf8(&b, "ab\xe2\x82", 4, false), 4);
	ck_assert_str_eq(b.data, "ab\xef\xbf\xbd\xef\xbf\xbd");
	/* an invalid byte is not waited for */
	jsv_buf_reset(&b);
	ck_assert_uint_eq(jsv_buf_add_utf8(&b, "ab\xe2\x28", 4, true), 4);
	ck_assert_str_eq(b.data, "ab\xef\xbf\xbd(");
	jsv_buf_free(&b);
}
END_TEST

START_TEST(test_valid_utf8)
{
	ck_assert(jsv_valid_utf8("", 0));
	ck_assert(jsv_valid_utf8("a\0b", 3));
	ck_assert(jsv_valid_utf8("\xc2\x80\xdf\xbf", 4));
	ck_assert(jsv_valid_utf8("\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80", 9));
	ck_assert(jsv_valid_utf8("\xf0\x90\x80\x80\xf4\x8f\xbf\xbf", 8));
	ck_assert(!jsv_valid_utf8("\xc1\xbf", 2));
	ck_assert(!jsv_valid_utf8("\xe0\x9f\xbf", 3));
	ck_assert(!jsv_valid_utf8("\xed\xa0\x80", 3));
	ck_assert(!jsv_valid_utf8("\xf0\x8f\xbf\xbf", 4));
	ck_assert(!jsv_valid_utf8("\xf4\x90\x80\x80", 4));
	ck_assert(!jsv_valid_utf8("\xc2", 1));
	ck_assert(!jsv_valid_utf8("\xbf", 1));
	ck_assert(!jsv_valid_utf8("\xfe", 1));
}
END_TEST

/* Allocation */

START_TEST(test_alloc)
{
	char *s;

	s = xmalloc(0);
	ck_assert_ptr_nonnull(s);
	free(s);
	s = xcalloc(0, 0);
	ck_assert_ptr_nonnull(s);
	free(s);
	s = xstrndup("abcdef", 3);
	ck_assert_str_eq(s, "abc");
	free(s);
	ck_assert_int_eq(xasprintf(&s, "%s-%d", "job", 7), 5);
	ck_assert_str_eq(s, "job-7");
	free(s);
}
END_TEST

START_TEST(test_alloc_overflow)
{
	capture_start();
	log_init("check_lib", false, 0);
	xreallocarray(NULL, SIZE_MAX / 2, 4);
}
END_TEST

/* Logging */

START_TEST(test_log_plain)
{
	capture_start();
	log_init("jobsvc-ctl", false, 0);
	log_warnx("queue %s: %d jobs", "IMAGE_SCAN", 3);
	log_info("evil \x1b[2J\nname\\");
	log_debug("not shown");
	errno = ENOENT;
	log_warn("open %s", "/x");
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_str_eq(captured(),
			 "jobsvc-ctl: queue IMAGE_SCAN: 3 jobs\n"
			 "jobsvc-ctl: evil \\x1b[2J\\nname\\\\\n"
			 "jobsvc-ctl: open /x: No such file or directory\n");
}
END_TEST

START_TEST(test_log_prefixes)
{
	capture_start();
	log_init("jobsvcd", true, 0);
	log_warnx("warn");
	log_info("info");
	log_debug("hidden");
	log_setverbose(1);
	log_debug("debug %d", 1);
	ck_assert_str_eq(captured(), "<4>warn\n<6>info\n<7>debug 1\n");
}
END_TEST

START_TEST(test_log_long)
{
	char big[5000];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	capture_start();
	log_init("jobsvcd", true, 0);
	log_info("%s", big);
	/* one line, cut short */
	ck_assert_ptr_eq(strchr(captured(), '\n'),
			 captured() + strlen(captured()) - 1);
	ck_assert_uint_lt(strlen(captured()), sizeof(big));
}
END_TEST

START_TEST(test_fatalx)
{
	capture_start();
	log_init("jobsvcd", true, 0);
	fatalx("giving up");
}
END_TEST

START_TEST(test_fatal)
{
	pid_t pid;
	int st;

	capture_start();
	log_init("jobsvcd", true, 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		errno = EACCES;
		fatal("bind %s", "/run/x");
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	ck_assert_str_eq(captured(), "<3>bind /run/x: Permission denied\n");
}
END_TEST

static Suite *lib_suite(void)
{
	Suite *s = suite_create("lib");
	TCase *tc;

	tc = tcase_create("frame");
	tcase_add_test(tc, test_frame_complete);
	tcase_add_test(tc, test_frame_two_in_a_row);
	tcase_add_test(tc, test_frame_partial);
	tcase_add_test(tc, test_frame_empty_payload);
	tcase_add_test(tc, test_frame_oversized);
	tcase_add_test(tc, test_frame_bad_version);
	tcase_add_test(tc, test_frame_bad_type);
	tcase_add_test(tc, test_frame_reserved);
	tcase_add_test(tc, test_frame_append_json);
	tcase_add_test(tc, test_frame_append_error);
	tcase_add_test(tc, test_frame_append_too_long);
	tcase_add_test(tc, test_strerror);
	suite_add_tcase(s, tc);

	tc = tcase_create("json");
	tcase_add_test(tc, test_json_valid);
	tcase_add_test(tc, test_json_depth);
	tcase_add_test(tc, test_json_trailing);
	tcase_add_test(tc, test_json_truncated);
	tcase_add_test(tc, test_json_not_object);
	tcase_add_test(tc, test_json_nul);
	tcase_add_test(tc, test_json_utf8);
	tcase_add_test(tc, test_json_not_finite);
	tcase_add_test(tc, test_json_get);
	suite_add_tcase(s, tc);

	tc = tcase_create("client");
	tcase_add_checked_fixture(tc, server_setup, server_teardown);
	tcase_add_test(tc, test_client_open_fails);
	tcase_add_test(tc, test_client_list);
	tcase_add_test(tc, test_client_error);
	tcase_add_test(tc, test_client_timeout);
	tcase_add_test(tc, test_client_closed);
	tcase_add_loop_test(tc, test_client_bad_answers, 0, 3);
	tcase_add_test(tc, test_client_send_too_long);
	suite_add_tcase(s, tc);

	tc = tcase_create("call");
	tcase_set_timeout(tc, 60); /* a fake daemon and 200k-byte logs */
	tcase_add_checked_fixture(tc, server_setup, server_teardown);
	tcase_add_test(tc, test_call_connect_fails);
	tcase_add_test(tc, test_call_records);
	tcase_add_test(tc, test_call_end_only);
	tcase_add_test(tc, test_call_stray_record);
	tcase_add_test(tc, test_call_refused);
	tcase_add_loop_test(tc, test_call_closed, 0, 2);
	tcase_add_test(tc, test_call_timeout);
	tcase_add_test(tc, test_call_bad_answer);
	tcase_add_test(tc, test_req_builders);
	tcase_add_test(tc, test_log_read_now);
	tcase_add_test(tc, test_log_read_done);
	tcase_add_test(tc, test_log_read_refused);
	tcase_add_loop_test(tc, test_log_tail, 0, 5);
	suite_add_tcase(s, tc);

	tc = tcase_create("people");
	tcase_add_test(tc, test_job_status);
	tcase_add_test(tc, test_time_people);
	tcase_add_test(tc, test_page_count);
	tcase_add_test(tc, test_json_lenient);
	suite_add_tcase(s, tc);

	tc = tcase_create("values");
	tcase_add_test(tc, test_duration_valid);
	tcase_add_test(tc, test_duration_invalid);
	tcase_add_test(tc, test_duration_overflow);
	tcase_add_test(tc, test_latency);
	tcase_add_test(tc, test_time_format);
	tcase_add_test(tc, test_time_parse);
	tcase_add_test(tc, test_time_parse_invalid);
	tcase_add_test(tc, test_time_round_trip);
	tcase_add_test(tc, test_job_type);
	tcase_add_test(tc, test_job_id);
	tcase_add_test(tc, test_strvis);
	tcase_add_test(tc, test_strvis_truncate);
	suite_add_tcase(s, tc);

	tc = tcase_create("util");
	tcase_add_test(tc, test_buf);
	tcase_add_test(tc, test_buf_binary);
	tcase_add_test(tc, test_buf_utf8);
	tcase_add_test(tc, test_valid_utf8);
	tcase_add_test(tc, test_alloc);
	tcase_add_exit_test(tc, test_alloc_overflow, 1);
	tcase_add_test(tc, test_log_plain);
	tcase_add_test(tc, test_log_prefixes);
	tcase_add_test(tc, test_log_long);
	tcase_add_exit_test(tc, test_fatalx, 1);
	tcase_add_test(tc, test_fatal);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(lib_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
