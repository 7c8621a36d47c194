/* SPDX-License-Identifier: ISC */
/*
 * The audit command: a page of the audit trail (daemon/audit.c), newest
 * first.
 */
#include "control.h"

int ctl_audit_list(struct ctl_req *r, struct json_object *req)
{
	struct json_object *arr;
	int64_t page, size, total;
	int rv;

	ctl_page(req, &page, &size);
	rv = audit_list(page, size, &arr, &total);
	if (rv < 0)
		return ctl_fail(r, rv, NULL);
	ctl_page_end(r, arr, total, page, size, NULL);
	return 0;
}
