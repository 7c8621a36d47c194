/* SPDX-License-Identifier: ISC */
/*
 * The control commands on schedules: list them, pause and resume them all,
 * add and delete one.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "control.h"

int ctl_schedules(struct ctl_req *r, struct json_object *req)
{
	struct json_object *arr, *o;
	int64_t page, size, total, n;
	bool paused;
	int rv;

	ctl_page(req, &page, &size);
	rv = sched_list(page, size, &arr, &total);
	if (rv < 0)
		return ctl_fail(r, rv, NULL);
	rv = sched_summary(&n, &paused);
	if (rv < 0) {
		json_object_put(arr);
		return ctl_fail(r, rv, NULL);
	}
	o = json_object_new_object();
	json_object_object_add(o, "paused", json_object_new_boolean(paused));
	ctl_page_end(r, arr, total, page, size, o);
	return 0;
}

static int ctl_schedules_pause_resume(struct ctl_req *r, bool pause)
{
	struct json_object *o;
	const char *msg = pause ? "Paused all schedules" :
				  "Resumed all schedules";
	int rv;

	rv = queue_pause("SCHEDULER", pause);
	if (rv < 0)
		return ctl_fail(r, rv, NULL);
	if (!pause)
		redis_notify("timer");
	o = json_object_new_object();
	json_object_object_add(o, "message", json_object_new_string(msg));
	ctl_end(r, o);
	return 0;
}

int ctl_schedules_pause(struct ctl_req *r, struct json_object *req)
{
	return ctl_schedules_pause_resume(r, true);
}

int ctl_schedules_resume(struct ctl_req *r, struct json_object *req)
{
	return ctl_schedules_pause_resume(r, false);
}

int ctl_schedule_add(struct ctl_req *r, struct json_object *req)
{
	struct json_object *params = NULL, *o;
	const char *type, *expr;
	int64_t vendor_id = JSV_VENDOR_ID_NONE;
	char err[256];
	int rv;

	type = jsv_json_str(req, "vendor_type");
	expr = jsv_json_str(req, "cron");
	jsv_json_get_int64(req, "vendor_id", &vendor_id);
	json_object_object_get_ex(req, "parameters", &params);
	if (!config_queue(jsvd->conf, type)) {
		ctl_error(r, JSV_E_TYPE, "%s", type);
		return 0;
	}
	params = params ? json_object_get(params) : json_object_new_object();
	rv = sched_add(type, vendor_id, expr, params, &o, err, sizeof(err));
	json_object_put(params);
	if (rv < 0)
		return ctl_fail(r, rv, err);
	ctl_end(r, o);
	return 0;
}

int ctl_schedule_del(struct ctl_req *r, struct json_object *req)
{
	struct json_object *o;
	char msg[64];
	int64_t id;
	int rv;

	id = jsv_json_int(req, "id");
	snprintf(msg, sizeof(msg), "schedule %lld", (long long)id);
	rv = sched_del(id);
	if (rv < 0)
		return ctl_fail(r, rv, msg);
	snprintf(msg, sizeof(msg), "Deleted schedule %lld", (long long)id);
	o = json_object_new_object();
	json_object_object_add(o, "message", json_object_new_string(msg));
	ctl_end(r, o);
	return 0;
}
