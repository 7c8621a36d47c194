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
	bool all = false;
	int rv;

	if (jsv_json_get_bool(req, "all", &all) == -EINVAL ||
	    jsv_json_get_string(req, "pool_id", &pool) == -EINVAL ||
	    (pool && !jsv_valid_id(pool)) || (!pool && !all))
		return ctl_bad(r, "give \"pool_id\" or \"all\" true");
	rv = pool_workers(pool, &arr);
	if (rv < 0)
		return ctl_fail(r, rv, "worker pool");
	ctl_records(r, arr);
	return 0;
}

/*
 * The jobs the workers named by req run ({"workers": [ID...]} or {"all":
 * true}), in *ids.  Returns 0, or the handler's result with an answer
 * appended.
 */
static int ctl_worker_jobs(struct ctl_req *r, struct json_object *req,
			   struct json_object **ids)
{
	struct json_object *w, *o;
	char job[32], msg[128];
	bool all = false;
	size_t i, n;
	int rv;

	if (jsv_json_get_bool(req, "all", &all) == -EINVAL)
		return ctl_bad(r, "\"all\" must be true or false");
	if (all) {
		rv = pool_busy_jobs(ids);
		return rv < 0 ? ctl_fail(r, rv, NULL) : 0;
	}
	if (!json_object_object_get_ex(req, "workers", &w) ||
	    !json_object_is_type(w, json_type_array) ||
	    json_object_array_length(w) == 0 ||
	    json_object_array_length(w) > 10000)
		return ctl_bad(r, "\"workers\" must be a list of worker ids, "
				  "or \"all\" true");
	*ids = json_object_new_array();
	n = json_object_array_length(w);
	for (i = 0; i < n; i++) {
		o = json_object_array_get_idx(w, i);
		if (!json_object_is_type(o, json_type_string) ||
		    json_object_get_string_len(o) > 80) {
			rv = ctl_bad(r, "\"workers\" must be a list of worker "
					"ids");
			goto out_put;
		}
		rv = pool_worker_job(json_object_get_string(o), job,
				     sizeof(job));
		if (rv < 0) {
			snprintf(msg, sizeof(msg), "worker %s",
				 json_object_get_string(o));
			rv = ctl_fail(r, rv, msg);
			goto out_put;
		}
		if (job[0])
			json_object_array_add(*ids,
					      json_object_new_string(job));
	}
	return 0;
out_put:
	json_object_put(*ids);
	*ids = NULL;
	return rv;
}

int ctl_worker_free(struct ctl_req *r, struct json_object *req)
{
	struct json_object *ids = NULL, *o;
	unsigned freed = 0;
	char msg[128];
	size_t i, n;
	int rv;

	rv = ctl_worker_jobs(r, req, &ids);
	if (!ids)
		return rv;
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
