/* SPDX-License-Identifier: ISC */
/*
 * The lists of jobs, newest first, by status and by type: Redis keeps them
 * as sorted sets (ix:*, see daemon/lua/prelude.lua) that every script which
 * changes a job's status keeps, so that a page costs what its jobs cost,
 * however many there are.  A database older than the lists gets its jobs
 * added once, a batch per turn of the event loop.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-event.h>
#include <hiredis/hiredis.h>
#include <json-c/json.h>

#include "jobsvcd.h"

/* Keys a SCAN step looks at; the ids found go to one index_fill.lua. */
#define FILL_SCAN_COUNT 1000
/* Ids a SCAN step can return beyond its COUNT are few; cap them anyway. */
#define FILL_IDS_MAX 4096

/* The fields a list shows of each job, "status" first (see job_list.lua). */
static const char *const joblist_fields[] = {
	"status",     "name",	   "kind",     "enqueue_time", "update_time",
	"start_time", "end_time",  "attempts", "execution_id", "schedule_id",
	"pool_id",    "worker_id", "run_at",   "check_in_at",  "error",
};

static sd_event_source *fill_src;
static char fill_cursor[24] = "0";
static unsigned long long fill_added;
static bool fill_done;

int joblist_list(const char *status, const char *type, int64_t page,
		 int64_t size, struct json_object **out, int64_t *total)
{
	enum { NF = JSV_ARRAY_SIZE(joblist_fields) };
	const char *argv[3 + NF];
	char ix[128], off[24], cnt[24];
	struct json_object *arr, *o;
	redisReply *r, *rows;
	size_t i, j;

	if (status && !*status)
		status = NULL;
	if (type && !*type)
		type = NULL;
	if (status && type)
		snprintf(ix, sizeof(ix), "ix:type:%s:%s", type, status);
	else if (type)
		snprintf(ix, sizeof(ix), "ix:type:%s", type);
	else if (status)
		snprintf(ix, sizeof(ix), "ix:status:%s", status);
	else
		snprintf(ix, sizeof(ix), "ix:all");
	snprintf(off, sizeof(off), "%lld", (long long)((page - 1) * size));
	snprintf(cnt, sizeof(cnt), "%lld", (long long)size);
	argv[0] = ix;
	argv[1] = off;
	argv[2] = cnt;
	for (i = 0; i < NF; i++)
		argv[3 + i] = joblist_fields[i];
	r = redis_script(SCRIPT_JOB_LIST, 3 + NF, argv);
	if (!r)
		return -EIO;
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
	    r->element[0]->type != REDIS_REPLY_INTEGER ||
	    r->element[1]->type != REDIS_REPLY_ARRAY) {
		log_warnx("redis: jobs: %s",
			  r->type == REDIS_REPLY_ERROR ? r->str : "bad reply");
		freeReplyObject(r);
		return -EIO;
	}
	*total = r->element[0]->integer;
	rows = r->element[1];
	arr = json_object_new_array();
	for (i = 0; i + NF < rows->elements; i += NF + 1) {
		o = json_object_new_object();
		job_add_field(o, "id", rows->element[i]->str);
		for (j = 0; j < NF; j++)
			job_add_field(o, joblist_fields[j],
				      rows->element[i + 1 + j]->str);
		json_object_array_add(arr, o);
	}
	freeReplyObject(r);
	*out = arr;
	return 0;
}

/*
 * One step of the fill: a SCAN for job keys from the cursor, and
 * index_fill.lua on the ids found.  Returns 1 when the scan is complete,
 * 0 when there is more, -EIO when Redis failed.
 */
static int joblist_fill_step(void)
{
	const char *argv[FILL_IDS_MAX], *prefix;
	size_t plen, i, n = 0;
	redisReply *r, *keys, *f;
	int rv;

	prefix = redis_key("job:");
	plen = strlen(prefix);
	r = redis_cmd("SCAN %s MATCH %s* COUNT %d", fill_cursor, prefix,
		      FILL_SCAN_COUNT);
	if (!r)
		return -EIO;
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
	    r->element[0]->type != REDIS_REPLY_STRING ||
	    r->element[1]->type != REDIS_REPLY_ARRAY) {
		log_warnx("redis: SCAN for the lists of jobs: %s",
			  r->type == REDIS_REPLY_ERROR ? r->str : "bad reply");
		freeReplyObject(r);
		return -EIO;
	}
	keys = r->element[1];
	for (i = 0; i < keys->elements && n < FILL_IDS_MAX; i++) {
		if (keys->element[i]->type != REDIS_REPLY_STRING ||
		    keys->element[i]->len <= plen ||
		    !jsv_valid_job_id(keys->element[i]->str + plen))
			continue;
		argv[n++] = keys->element[i]->str + plen;
	}
	if (n) {
		f = redis_script(SCRIPT_INDEX_FILL, (int)n, argv);
		if (!f) {
			freeReplyObject(r);
			return -EIO;
		}
		if (f->type == REDIS_REPLY_INTEGER)
			fill_added += (unsigned long long)f->integer;
		else
			log_warnx("redis: filling the lists of jobs: %s",
				  f->type == REDIS_REPLY_ERROR ? f->str :
								 "bad reply");
		freeReplyObject(f);
	}
	snprintf(fill_cursor, sizeof(fill_cursor), "%s", r->element[0]->str);
	rv = strcmp(fill_cursor, "0") == 0;
	freeReplyObject(r);
	return rv;
}

static int joblist_fill_timer(sd_event_source *s, uint64_t usec, void *arg)
{
	redisReply *r;
	int rv;

	if (!redis_ok())
		return 0; /* joblist_fill_start() again once reconnected */
	rv = joblist_fill_step();
	if (rv == 0) {
		jsvd_timer(&fill_src, 0, joblist_fill_timer, NULL);
		return 0;
	}
	if (rv < 0)
		return 0;
	r = redis_cmd("SET %s 1", redis_key("ix:built"));
	if (r && r->type == REDIS_REPLY_STATUS) {
		fill_done = true;
		if (fill_added)
			log_info("lists of jobs: added %llu older jobs",
				 fill_added);
	}
	if (r)
		freeReplyObject(r);
	return 0;
}

void joblist_fill_start(void)
{
	redisReply *r;
	int on = 0;

	if (fill_done ||
	    (fill_src && sd_event_source_get_enabled(fill_src, &on) >= 0 &&
	     on != SD_EVENT_OFF))
		return;
	r = redis_cmd("EXISTS %s", redis_key("ix:built"));
	if (!r)
		return;
	if (r->type == REDIS_REPLY_INTEGER && r->integer == 1)
		fill_done = true;
	freeReplyObject(r);
	if (!fill_done)
		jsvd_timer(&fill_src, 0, joblist_fill_timer, NULL);
}

void joblist_cleanup(void)
{
	fill_src = sd_event_source_disable_unref(fill_src);
}
