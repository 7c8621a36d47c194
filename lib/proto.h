/* SPDX-License-Identifier: ISC */
/*
 * The control protocol between jobsvcd and its clients (jobsvc-ctl,
 * jobsvc-fcgi), spoken over the daemon's Unix stream socket.
 *
 * Every message is a frame: an 8-byte header followed by a JSON payload.
 *
 *	byte 0     version, JSV_PROTO_VERSION; any other value ends the connection
 *	byte 1     type, one of enum jsv_msg_type
 *	bytes 2-3  zero
 *	bytes 4-7  payload length, big-endian, at most JSV_MSG_MAX
 *
 * The payload is one JSON object (json-c strict mode, nesting limited to
 * JSV_JSON_DEPTH).  A client sends one REQUEST and reads the answer: zero or
 * more RECORD frames (one per row of a list) ended by an END frame whose
 * payload may carry a summary, or an ERROR frame instead of END.  The client
 * may then send another request on the same connection.  A frame that cannot
 * be decoded gets an ERROR answer and the daemon closes that connection.  A
 * connection past the daemon's limits gets an ERROR (JSV_E_BUSY) at once and
 * is closed; one without a complete request for 30 seconds is closed.
 *
 * Any change to this file's wire format or to a command's fields bumps
 * JSV_PROTO_VERSION.
 *
 * Requests: {"cmd": NAME, ...fields}.  The commands, their fields and the
 * answers each gives are in commands.def, the one list of them.
 */
#ifndef JSV_PROTO_H
#define JSV_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <json-c/json.h>

#include "jsv.h"

#define JSV_PROTO_VERSION 8
#define JSV_HDR_LEN 8
#define JSV_MSG_MAX (256 * 1024)
#define JSV_JSON_DEPTH 16
#define JSV_SUBMIT_MAX 1000
#define JSV_LOG_CHUNK (64 * 1024)
#define JSV_VENDOR_ID_NONE (-1) /* a schedule's vendor_id: a system one */

/* Where jobsvcd listens and its clients call unless told otherwise. */
#define JSV_CONTROL_SOCKET JSV_RUNSTATEDIR "/jobsvc/control.sock"

/* How payloads are serialized: compact, '/' left alone. */
#define JSV_JSON_TO_STRING \
	(JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

enum jsv_msg_type {
	JSV_MSG_REQUEST = 1,
	JSV_MSG_RECORD = 2,
	JSV_MSG_END = 3,
	JSV_MSG_ERROR = 4,
};

/*
 * Result codes, shared by daemon and clients.  An ERROR frame carries
 * {"code": N, "error": TEXT} where TEXT starts with jsv_strerror(N) and may
 * add detail after ": ".
 */
enum jsv_err {
	JSV_OK = 0,
	JSV_E_INVAL, /* malformed or invalid request */
	JSV_E_PROTO, /* framing error or version mismatch */
	JSV_E_PERM, /* the peer may only read */
	JSV_E_NOENT, /* no such job, worker, pool or execution */
	JSV_E_REDIS, /* Redis is unavailable */
	JSV_E_TYPE, /* unknown job type */
	JSV_E_UNIQUE, /* an identical unique job is already waiting */
	JSV_E_STATE, /* the object is not in a state that allows this */
	JSV_E_INTERNAL, /* anything else; the daemon's log says more */
	JSV_E_BUSY, /* too many connections: this one is refused */
	JSV_E_MAX
};

const char *jsv_strerror(int code);

struct jsv_frame {
	uint8_t type;
	uint32_t len;
	const char *payload; /* points into the caller's buffer; not terminated */
};

/*
 * Looks for one complete frame at the start of buf.  Returns the number of
 * bytes it occupies (header and payload) and fills *f; 0 when more bytes are
 * needed; -EPROTO for a wrong version, non-zero reserved bytes or an unknown
 * type; -EMSGSIZE when the announced length exceeds JSV_MSG_MAX (checked
 * before any payload is awaited).
 */
ssize_t jsv_frame_parse(const void *buf, size_t avail, struct jsv_frame *f);

/* Appends a frame with the given payload to out. */
void jsv_frame_append(struct jsv_buf *out, uint8_t type, const char *payload,
		      size_t len);
void jsv_frame_append_json(struct jsv_buf *out, uint8_t type,
			   struct json_object *obj);
/* Appends an ERROR frame: code and jsv_strerror(code) plus ": detail". */
void jsv_frame_append_error(struct jsv_buf *out, int code, const char *fmt, ...)
	JSV_PRINTF(3, 4);

/*
 * Parses exactly len bytes as one JSON object in strict mode with nesting
 * limited to JSV_JSON_DEPTH.  Anything else (another top-level type, trailing
 * bytes, a NUL inside, invalid UTF-8) is refused: returns NULL and points *err
 * at a static description.  The caller owns the result (json_object_put).
 */
struct json_object *jsv_json_parse(const char *s, size_t len, const char **err);

/*
 * Typed accessors for validated request fields: return 0 and the value, or
 * -ENOENT when absent, -EINVAL when of another type (or out of range).
 */
int jsv_json_get_string(struct json_object *o, const char *key,
			const char **val);
int jsv_json_get_int64(struct json_object *o, const char *key, int64_t *val);
int jsv_json_get_bool(struct json_object *o, const char *key, bool *val);

/*
 * Lenient accessors for showing answers: the value, or 0 and "" when the
 * field is absent or of another type.
 */
int64_t jsv_json_int(struct json_object *o, const char *key);
const char *jsv_json_str(struct json_object *o, const char *key);

/*
 * A blocking client connection, used by jobsvc-ctl and jobsvc-fcgi.  Every
 * read and write gives up after the timeout set at open (milliseconds).
 */
struct jsv_client;

/* NULL on failure, with a message in err ("connect /run/...: No such file"). */
struct jsv_client *jsv_client_open(const char *path, int timeout_ms, char *err,
				   size_t errlen);
/* Sends one REQUEST frame.  0 or a negative errno. */
int jsv_client_send(struct jsv_client *c, struct json_object *req);
/*
 * Reads the next frame of the answer.  Returns its type (RECORD, END or
 * ERROR) and the parsed payload in *obj (caller puts it), or a negative errno
 * (-ECONNRESET when the daemon closed the connection, -ETIMEDOUT, -EPROTO).
 */
int jsv_client_next(struct jsv_client *c, struct json_object **obj);
void jsv_client_close(struct jsv_client *c);

#endif /* JSV_PROTO_H */
