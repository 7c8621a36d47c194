/* SPDX-License-Identifier: ISC */
/*
 * The control commands on worker pools and their workers: list them, and
 * free workers by stopping the jobs they run.
 */
#include <errno.h>
#include <stdio.h>

#include "control.h"

int ctl_pools(struct ctl_req *r, struct json_object *req)
{
	struct json_object *arr;
	int rv;

	rv = pool_list(&arr);
	if (rv < 0)
		return ctl_fail(r, rv, NULL);
	ctl_records(r, arr);
	return 0;
}

int ctl_workers(struct ctl_req *r, struct json_object *req)
{
	struct json_object *arr;
	const char *pool = NULL;
	int rv;

	/* Without "pool_id", "all" is true. */
	jsv_json_get_string(req, "pool_id", &pool);
	rv = pool_workers(pool, &arr);
	if (rv < 0)
		return ctl_fail(r, rv, "worker pool");
	ctl_records(r, arr);
	return 0;
}

/*
 * The jobs the workers named by req run ({"workers": [ID...]} or {"all":
 * true}): a new array, or NULL with an answer appended.
 */
static struct json_object *ctl_worker_jobs(struct ctl_req *r,
					   struct json_object *req)
{
	struct json_object *w = NULL, *ids;
	const char *id;
	char job[32], msg[128];
	bool all = false;
	size_t i;
	int rv;

	jsv_json_get_bool(req, "all", &all);
	if (all) {
		rv = pool_busy_jobs(&ids);
		if (rv < 0) {
			ctl_fail(r, rv, NULL);
			return NULL;
		}
		return ids;
	}
	json_object_object_get_ex(req, "workers", &w);
	ids = json_object_new_array();
	for (i = 0; i < json_object_array_length(w); i++) {
		id = json_object_get_string(json_object_array_get_idx(w, i));
		rv = pool_worker_job(id, job, sizeof(job));
		if (rv < 0) {
			json_object_put(ids);
			snprintf(msg, sizeof(msg), "worker %s", id);
			ctl_fail(r, rv, msg);
			return NULL;
		}
		if (job[0])
			json_object_array_add(ids, json_object_new_string(job));
	}
	return ids;
}

int ctl_worker_free(struct ctl_req *r, struct json_object *req)
{
	struct json_object *ids, *o;
	unsigned freed = 0;
	char msg[128];
	size_t i, n;
	int rv;

	ids = ctl_worker_jobs(r, req);
	if (!ids)
		return 0;
	n = json_object_array_length(ids);
	for (i = 0; i < n; i++) {
		rv = job_stop(json_object_get_string(
				      json_object_array_get_idx(ids, i)),
			      msg, sizeof(msg));
		if (rv == -EIO) {
			json_object_put(ids);
			return ctl_fail(r, rv, NULL);
		}
		if (rv == 0)
			freed++;
	}
	json_object_put(ids);
	snprintf(msg, sizeof(msg), "Freed %u worker%s", freed,
		 freed == 1 ? "" : "s");
	o = json_object_new_object();
	json_object_object_add(o, "message", json_object_new_string(msg));
	json_object_object_add(o, "freed", json_object_new_int(freed));
	ctl_end(r, o);
	return 0;
}
