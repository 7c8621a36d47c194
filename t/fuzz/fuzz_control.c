/* SPDX-License-Identifier: ISC */
/*
 * Fuzz target for the daemon's control dispatch: the bytes a peer sends
 * (after a first byte that says whether the peer is an administrator) go
 * through the daemon's own framing, request check against the catalogue,
 * access check and dispatch (control_feed() in daemon/control.c), without a
 * socket and without Redis, so no handler runs.  Besides crashes it checks
 * what a peer gets back: whole frames, each an ERROR, at most one per
 * request.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "control.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The number of frames in buf, which must hold whole ERROR frames only. */
static size_t error_frames(const struct jsv_buf *buf)
{
	struct json_object *o;
	struct jsv_frame f;
	const char *err;
	size_t off = 0, n = 0;
	ssize_t len;

	while (off < buf->len) {
		len = jsv_frame_parse(buf->data + off, buf->len - off, &f);
		if (len <= 0 || f.type != JSV_MSG_ERROR)
			abort();
		o = jsv_json_parse(f.payload, f.len, &err);
		if (!o ||
		    !json_object_is_type(json_object_object_get(o, "code"),
					 json_type_int))
			abort();
		json_object_put(o);
		off += len;
		n++;
	}
	return n;
}

/* An upper bound of the requests in data: the frame headers it holds. */
static size_t frames_sent(const uint8_t *data, size_t size)
{
	struct jsv_frame f;
	size_t off = 0, n = 0;
	ssize_t len;

	while ((len = jsv_frame_parse(data + off, size - off, &f)) > 0) {
		off += len;
		n++;
	}
	return n + 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jsv_buf out = { 0 };

	if (size < 1)
		return 0;
	control_feed(data[0] & 1, data + 1, size - 1, &out);
	if (error_frames(&out) > frames_sent(data + 1, size - 1))
		abort();
	jsv_buf_free(&out);
	return 0;
}
