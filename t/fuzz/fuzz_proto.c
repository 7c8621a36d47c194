/* SPDX-License-Identifier: ISC */
/*
 * Fuzz target for the control protocol: arbitrary bytes as a peer would send
 * them, cut into frames by jsv_frame_parse and their payloads parsed with
 * jsv_json_parse, as the daemon's control socket and the client do.  Besides
 * crashes it checks the framing contract: a frame's prefixes ask for more
 * bytes, errors show in the header alone, and any object the parser accepts
 * survives a round trip through jsv_frame_append_json.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_request(struct json_object *obj)
{
	struct jsv_buf out = { 0 };
	struct json_object *again;
	struct jsv_frame f;
	const char *cmd;
	char vis[64];
	int64_t off;
	bool all;

	if (jsv_json_get_string(obj, "cmd", &cmd) == 0) {
		jsv_strvis(vis, sizeof(vis), cmd);
		jsv_valid_job_type(cmd);
		jsv_valid_job_id(cmd);
		jsv_frame_append_error(&out, JSV_E_INVAL, "unknown command %s",
				       cmd);
	}
	jsv_json_get_int64(obj, "offset", &off);
	jsv_json_get_bool(obj, "all", &all);

	jsv_buf_reset(&out);
	jsv_frame_append_json(&out, JSV_MSG_END, obj);
	if (jsv_frame_parse(out.data, out.len, &f) != (ssize_t)out.len)
		abort();
	again = jsv_json_parse(f.payload, f.len, NULL);
	if (!again && f.type == JSV_MSG_END)
		abort();
	json_object_put(again);
	jsv_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *obj;
	struct jsv_frame f;
	const char *err;
	size_t off = 0;
	ssize_t n;

	while (off < size) {
		n = jsv_frame_parse(data + off, size - off, &f);
		if (n < 0) {
			/* the header alone tells */
			if (size - off > JSV_HDR_LEN &&
			    jsv_frame_parse(data + off, JSV_HDR_LEN, &f) != n)
				abort();
			break;
		}
		if (n == 0)
			break;
		if ((size_t)n > size - off || f.len + JSV_HDR_LEN != (size_t)n)
			abort();
		if (jsv_frame_parse(data + off, (size_t)n - 1, &f) != 0)
			abort();
		n = jsv_frame_parse(data + off, size - off, &f);
		obj = jsv_json_parse(f.payload, f.len, &err);
		if (obj) {
			/* a payload of more than an eighth of the maximum
			 * might not fit once re-escaped */
			if (f.len < JSV_MSG_MAX / 8)
				check_request(obj);
			json_object_put(obj);
		} else if (!err) {
			abort();
		}
		off += (size_t)n;
	}
	return 0;
}
