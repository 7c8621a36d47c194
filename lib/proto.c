/* SPDX-License-Identifier: ISC */
/*
 * The control protocol's frames and JSON payloads, and the one table of
 * result texts shared by the daemon and its clients.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <string.h>

#include "proto.h"

static const char *const jsv_errors[JSV_E_MAX] = {
	[JSV_OK] = "ok",
	[JSV_E_INVAL] = "invalid request",
	[JSV_E_PROTO] = "protocol error",
	[JSV_E_PERM] = "permission denied: this command needs an administrator",
	[JSV_E_NOENT] = "not found",
	[JSV_E_REDIS] = "Redis is unavailable",
	[JSV_E_TYPE] = "unknown job type",
	[JSV_E_UNIQUE] = "an identical unique job is already waiting",
	[JSV_E_STATE] = "not allowed in this state",
	[JSV_E_INTERNAL] = "internal error",
	[JSV_E_BUSY] = "too many connections",
};

const char *jsv_strerror(int code)
{
	if (code < 0 || code >= JSV_E_MAX)
		return "unknown error";
	return jsv_errors[code];
}

/*
 * Each header byte is checked as soon as it has arrived, so a peer speaking
 * another protocol is refused on its first bytes rather than after a full
 * header, and an oversized length before any of its payload is awaited.
 */
ssize_t jsv_frame_parse(const void *buf, size_t avail, struct jsv_frame *f)
{
	const uint8_t *p = buf;
	uint32_t len;

	if (avail >= 1 && p[0] != JSV_PROTO_VERSION)
		return -EPROTO;
	if (avail >= 2 && (p[1] < JSV_MSG_REQUEST || p[1] > JSV_MSG_ERROR))
		return -EPROTO;
	if ((avail >= 3 && p[2]) || (avail >= 4 && p[3]))
		return -EPROTO;
	if (avail < JSV_HDR_LEN)
		return 0;
	len = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 |
	      (uint32_t)p[6] << 8 | (uint32_t)p[7];
	if (len > JSV_MSG_MAX)
		return -EMSGSIZE;
	if (avail - JSV_HDR_LEN < len)
		return 0;
	f->type = p[1];
	f->len = len;
	f->payload = (const char *)p + JSV_HDR_LEN;
	return (ssize_t)(JSV_HDR_LEN + len);
}

/*
 * A payload over JSV_MSG_MAX is a bug in the sender (the receiver would drop
 * the connection): it is logged and replaced by an INTERNAL error frame, so
 * the peer gets an answer it can read.
 */
void jsv_frame_append(struct jsv_buf *out, uint8_t type, const char *payload,
		      size_t len)
{
	uint8_t hdr[JSV_HDR_LEN];

	if (len > JSV_MSG_MAX) {
		log_warnx("frame of type %u: payload of %zu bytes is too long",
			  type, len);
		jsv_frame_append_error(out, JSV_E_INTERNAL, "answer too long");
		return;
	}
	hdr[0] = JSV_PROTO_VERSION;
	hdr[1] = type;
	hdr[2] = 0;
	hdr[3] = 0;
	hdr[4] = (uint8_t)(len >> 24);
	hdr[5] = (uint8_t)(len >> 16);
	hdr[6] = (uint8_t)(len >> 8);
	hdr[7] = (uint8_t)len;
	jsv_buf_add(out, hdr, sizeof(hdr));
	jsv_buf_add(out, payload, len);
}

/* A NULL obj sends an empty object. */
void jsv_frame_append_json(struct jsv_buf *out, uint8_t type,
			   struct json_object *obj)
{
	const char *s = "{}";
	size_t len = 2;

	if (obj)
		s = json_object_to_json_string_length(obj, JSV_JSON_TO_STRING,
						      &len);
	if (!s)
		fatalx("json_object_to_json_string_length failed");
	jsv_frame_append(out, type, s, len);
}

/*
 * The detail may quote anything (paths, a handler's message): it is made
 * valid UTF-8 so that the client's strict parser accepts the frame.
 */
void jsv_frame_append_error(struct jsv_buf *out, int code, const char *fmt, ...)
{
	struct jsv_buf text = { 0 }, detail = { 0 };
	const char *msg = jsv_strerror(code);
	struct json_object *obj;
	va_list ap;

	jsv_buf_add(&text, msg, strlen(msg));
	if (fmt) {
		va_start(ap, fmt);
		jsv_buf_vprintf(&detail, fmt, ap);
		va_end(ap);
		if (detail.len) {
			jsv_buf_add(&text, ": ", 2);
			jsv_buf_add_utf8(&text, detail.data, detail.len, false);
		}
	}
	obj = json_object_new_object();
	if (!obj)
		fatalx("json_object_new_object failed");
	json_object_object_add(obj, "code", json_object_new_int(code));
	json_object_object_add(obj, "error",
			       json_object_new_string_len(text.data,
							  (int)text.len));
	jsv_frame_append_json(out, JSV_MSG_ERROR, obj);
	json_object_put(obj);
	jsv_buf_free(&detail);
	jsv_buf_free(&text);
}

/*
 * json-c accepts NaN and Infinity even in strict mode, and would print them
 * back as such, which is not JSON: such numbers are refused here.
 */
static bool json_finite(struct json_object *o)
{
	size_t i, n;

	switch (json_object_get_type(o)) {
	case json_type_double:
		return isfinite(json_object_get_double(o));
	case json_type_object: {
		json_object_object_foreach(o, key, val) {
			(void)key;
			if (!json_finite(val))
				return false;
		}
		return true;
	}
	case json_type_array:
		n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			if (!json_finite(json_object_array_get_idx(o, i)))
				return false;
		return true;
	default:
		return true;
	}
}

struct json_object *jsv_json_parse(const char *s, size_t len, const char **err)
{
	struct json_object *obj = NULL;
	enum json_tokener_error jerr;
	struct json_tokener *tok;
	const char *e = NULL;

	if (len > INT_MAX) {
		e = "JSON text too long";
		goto out;
	}
	if (memchr(s, '\0', len)) {
		e = "NUL byte in JSON text";
		goto out;
	}
	/* json-c's own check lets overlong forms and surrogates through */
	if (!jsv_valid_utf8(s, len)) {
		e = "invalid UTF-8 in JSON text";
		goto out;
	}
	tok = json_tokener_new_ex(JSV_JSON_DEPTH);
	if (!tok) {
		e = "out of memory";
		goto out;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
					    JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, s, (int)len);
	jerr = json_tokener_get_error(tok);
	if (!obj) {
		if (jerr == json_tokener_continue)
			e = "truncated JSON text or not an object";
		else if (jerr != json_tokener_success)
			e = json_tokener_error_desc(jerr);
		else
			e = "not a JSON object";
	} else if (json_tokener_get_parse_end(tok) != len) {
		e = "trailing bytes after JSON text";
	} else if (!json_object_is_type(obj, json_type_object)) {
		e = "not a JSON object";
	} else if (!json_finite(obj)) {
		e = "number out of range (NaN or Infinity)";
	}
	json_tokener_free(tok);
	if (e) {
		json_object_put(obj);
		obj = NULL;
	}
out:
	if (err)
		*err = e;
	return obj;
}

/* Absent keys give -ENOENT; a JSON null is present, and of another type. */
static int json_get(struct json_object *o, const char *key, json_type type,
		    struct json_object **val)
{
	if (!json_object_is_type(o, json_type_object))
		return -EINVAL;
	if (!json_object_object_get_ex(o, key, val))
		return -ENOENT;
	if (!json_object_is_type(*val, type))
		return -EINVAL;
	return 0;
}

/* A string with a NUL inside ("\u0000") is refused, as C cannot hold it. */
int jsv_json_get_string(struct json_object *o, const char *key,
			const char **val)
{
	struct json_object *v;
	const char *s;
	int r;

	r = json_get(o, key, json_type_string, &v);
	if (r < 0)
		return r;
	s = json_object_get_string(v);
	if (strlen(s) != (size_t)json_object_get_string_len(v))
		return -EINVAL;
	*val = s;
	return 0;
}

/*
 * Integers only (1.0 is a double and refused).  json-c keeps values above
 * INT64_MAX as unsigned: those are out of range.
 */
int jsv_json_get_int64(struct json_object *o, const char *key, int64_t *val)
{
	struct json_object *v;
	int64_t i;
	int r;

	r = json_get(o, key, json_type_int, &v);
	if (r < 0)
		return r;
	i = json_object_get_int64(v);
	if (i == INT64_MAX && json_object_get_uint64(v) > (uint64_t)INT64_MAX)
		return -EINVAL;
	*val = i;
	return 0;
}

int jsv_json_get_bool(struct json_object *o, const char *key, bool *val)
{
	struct json_object *v;
	int r;

	r = json_get(o, key, json_type_boolean, &v);
	if (r < 0)
		return r;
	*val = json_object_get_boolean(v);
	return 0;
}

int64_t jsv_json_int(struct json_object *o, const char *key)
{
	int64_t v;

	return jsv_json_get_int64(o, key, &v) == 0 ? v : 0;
}

const char *jsv_json_str(struct json_object *o, const char *key)
{
	const char *s;

	return jsv_json_get_string(o, key, &s) == 0 ? s : "";
}
