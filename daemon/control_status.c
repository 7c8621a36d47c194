/* SPDX-License-Identifier: ISC */
/*
 * The status command: the dashboard's cards, one summary per
 * subsystem (queues, schedules, workers).
 */
#include "control.h"

int ctl_status(struct ctl_req *r, struct json_object *req)
{
	struct json_object *queues, *o, *cards;
	unsigned busy, total;
	int64_t nsched;
	bool sched_paused;
	int rv;

	rv = queue_summary(&queues);
	if (rv < 0)
		return ctl_fail(r, rv, NULL);
	rv = pool_busy_total(&busy, &total);
	if (rv == 0)
		rv = sched_summary(&nsched, &sched_paused);
	if (rv < 0) {
		json_object_put(queues);
		return ctl_fail(r, rv, NULL);
	}
	cards = json_object_new_object();
	json_object_object_add(cards, "queues", queues);
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
	ctl_end(r, cards);
	return 0;
}
