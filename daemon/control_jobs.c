/* SPDX-License-Identifier: ISC */
/*
 * The jobs command: a page of the jobs of a status, a type, both or
 * neither, newest first (daemon/joblist.c).
 */
#include "control.h"

int ctl_jobs(struct ctl_req *r, struct json_object *req)
{
	struct json_object *arr;
	int64_t page, size, total;
	int rv;

	ctl_page(req, &page, &size);
	rv = joblist_list(jsv_json_str(req, "status"),
			  jsv_json_str(req, "type"), page, size, &arr, &total);
	if (rv < 0)
		return ctl_fail(r, rv, NULL);
	ctl_page_end(r, arr, total, page, size, NULL);
	return 0;
}
