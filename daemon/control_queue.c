/* SPDX-License-Identifier: ISC */
/*
 * The control commands on queues: list them, pause, resume and stop them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"

/* Every queue, or the page of them that req asks for. */
int ctl_queues(struct ctl_req *r, struct json_object *req)
{
	struct json_object *qs, *pg;
	int64_t page, size, i, n;
	int rv;

	rv = queue_list(&qs);
	if (rv < 0)
		return ctl_fail(r, rv, NULL);
	if (json_object_object_get_ex(req, "page", NULL) ||
	    json_object_object_get_ex(req, "page_size", NULL)) {
		ctl_page(req, &page, &size);
		n = (int64_t)json_object_array_length(qs);
		pg = json_object_new_array();
		for (i = (page - 1) * size; i < n && i < page * size; i++)
			json_object_array_add(
				pg, json_object_get(json_object_array_get_idx(
					    qs, (size_t)i)));
		json_object_put(qs);
		qs = pg;
	}
	ctl_records(r, qs);
	return 0;
}

/* Is the string t among the strings of arr? */
static bool ctl_has_string(struct json_object *arr, const char *t)
{
	size_t i;

	for (i = 0; i < json_object_array_length(arr); i++)
		if (strcmp(t, json_object_get_string(
				      json_object_array_get_idx(arr, i))) == 0)
			return true;
	return false;
}

/*
 * The job types a queue action names: {"types": [...]} or {"all": true}.
 * Returns a new array of type names, or NULL with an answer appended.
 */
static struct json_object *ctl_types(struct ctl_req *r, struct json_object *req)
{
	struct json_object *types = NULL, *qs, *known, *t;
	bool all = false;
	size_t i;
	int rv;

	rv = queue_list(&qs);
	if (rv < 0) {
		ctl_fail(r, rv, NULL);
		return NULL;
	}
	known = json_object_new_array();
	for (i = 0; i < json_object_array_length(qs); i++)
		json_object_array_add(
			known,
			json_object_get(json_object_object_get(
				json_object_array_get_idx(qs, i), "job_type")));
	json_object_put(qs);
	jsv_json_get_bool(req, "all", &all);
	if (all)
		return known;
	json_object_object_get_ex(req, "types", &types);
	for (i = 0; i < json_object_array_length(types); i++) {
		t = json_object_array_get_idx(types, i);
		if (!ctl_has_string(known, json_object_get_string(t))) {
			ctl_error(r, JSV_E_TYPE, "%s",
				  json_object_get_string(t));
			json_object_put(known);
			return NULL;
		}
	}
	json_object_put(known);
	return json_object_get(types);
}

static int ctl_queue_pause_resume(struct ctl_req *r, struct json_object *req,
				  bool pause)
{
	struct json_object *types, *o;
	struct jsv_buf msg = { 0 };
	size_t i;
	int rv;

	types = ctl_types(r, req);
	if (!types)
		return 0;
	for (i = 0; i < json_object_array_length(types); i++) {
		rv = queue_pause(json_object_get_string(
					 json_object_array_get_idx(types, i)),
				 pause);
		if (rv < 0) {
			json_object_put(types);
			return ctl_fail(r, rv, NULL);
		}
	}
	jsv_buf_printf(&msg, "%s ", pause ? "Paused" : "Resumed");
	ctl_names(&msg, types, "queues");
	o = json_object_new_object();
	json_object_object_add(o, "message", json_object_new_string(msg.data));
	json_object_object_add(o, "types", types);
	jsv_buf_free(&msg);
	ctl_end(r, o);
	return 0;
}

int ctl_queue_pause(struct ctl_req *r, struct json_object *req)
{
	return ctl_queue_pause_resume(r, req, true);
}

int ctl_queue_resume(struct ctl_req *r, struct json_object *req)
{
	return ctl_queue_pause_resume(r, req, false);
}

/* A queue.stop in progress: its request and the types, for the answer. */
struct ctl_stop {
	struct ctl_req *r;
	struct json_object *types;
};

static void ctl_queue_stopped(void *arg, uint64_t stopped, int err)
{
	struct ctl_stop *st = arg;
	struct json_object *o;
	struct jsv_buf msg = { 0 };

	if (err < 0) {
		ctl_fail(st->r, err, NULL);
	} else {
		jsv_buf_printf(&msg, "Stopped %llu job%s in ",
			       (unsigned long long)stopped,
			       stopped == 1 ? "" : "s");
		ctl_names(&msg, st->types, "queues");
		o = json_object_new_object();
		json_object_object_add(o, "message",
				       json_object_new_string(msg.data));
		json_object_object_add(o, "types", json_object_get(st->types));
		json_object_object_add(o, "jobs",
				       json_object_new_int64(stopped));
		ctl_end(st->r, o);
		jsv_buf_free(&msg);
	}
	ctl_req_end(st->r);
	json_object_put(st->types);
	free(st);
}

int ctl_queue_stop(struct ctl_req *r, struct json_object *req)
{
	struct json_object *types;
	struct ctl_stop *st;
	char **names;
	size_t i, n;
	int rv;

	types = ctl_types(r, req);
	if (!types)
		return 0;
	n = json_object_array_length(types);
	names = xreallocarray(NULL, n, sizeof(*names));
	for (i = 0; i < n; i++)
		names[i] = (char *)json_object_get_string(
			json_object_array_get_idx(types, i));
	st = xcalloc(1, sizeof(*st));
	st->r = r;
	st->types = types;
	/* queue_stop() calls back from the event loop, never before it returns. */
	rv = queue_stop(names, n, ctl_queue_stopped, st);
	free(names);
	if (rv < 0) {
		json_object_put(types);
		free(st);
		return ctl_fail(r, rv, NULL);
	}
	return ctl_req_wait(r);
}
