/* SPDX-License-Identifier: ISC */
/*
 * The audit trail: the outcome of every acting request, kept in Redis (the
 * zset "audit", see daemon/lua/prelude.lua) for error_retention, as Error
 * jobs are.  Each record is scored by Redis's time when it was written, so
 * the trail is in the order the answers went out, whichever daemon sent
 * them.  Writing costs one script that also drops a bounded number of
 * expired records; a page of the trail costs one ZCOUNT and one ZREVRANGE.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <hiredis/hiredis.h>
#include <json-c/json.h>

#include "jobsvcd.h"

int audit_add(struct json_object *rec, char *err, size_t errlen)
{
	static uint64_t seq;
	char retention[24];
	const char *argv[2] = { retention, NULL };
	char *member;
	redisReply *r;
	int rv = 0;

	if (!redis_ok()) {
		snprintf(err, errlen, "Redis is unavailable");
		return -EIO;
	}
	snprintf(retention, sizeof(retention), "%llu",
		 (unsigned long long)jsvd->conf->error_retention_ms);
	xasprintf(&member, "%s-%llu %s", jsvd->pool_id,
		  (unsigned long long)++seq,
		  json_object_to_json_string_ext(rec, JSON_C_TO_STRING_PLAIN));
	argv[1] = member;
	r = redis_script(SCRIPT_AUDIT, 2, argv);
	if (!r) {
		snprintf(err, errlen, "no answer from Redis");
		rv = -EIO;
	} else if (redis_errstr(r)) {
		snprintf(err, errlen, "%s", redis_errstr(r));
		rv = -EIO;
	}
	if (r)
		freeReplyObject(r);
	free(member);
	return rv;
}

/*
 * One record of the trail as the audit command answers it: the stored JSON
 * after the member's unique prefix, with "time" from its score (ms).  NULL
 * for a member that is not one.
 */
static struct json_object *audit_record(const redisReply *m,
					const redisReply *score)
{
	struct json_object *o;
	const char *json, *err;
	char when[40];

	json = memchr(m->str, ' ', m->len);
	if (!json)
		return NULL;
	json++;
	o = jsv_json_parse(json, m->len - (json - m->str), &err);
	if (!o)
		return NULL;
	jsv_fmt_time(when, sizeof(when), strtoll(score->str, NULL, 10) / 1000);
	json_object_object_add(o, "time", json_object_new_string(when));
	return o;
}

int audit_list(int64_t page, int64_t size, struct json_object **out,
	       int64_t *total)
{
	struct json_object *o;
	redisReply *r;
	int64_t now, cutoff;
	size_t i;

	now = redis_time_ms();
	if (now < 0)
		return -EIO;
	cutoff = now - (int64_t)jsvd->conf->error_retention_ms;
	r = redis_cmd("ZCOUNT %s %lld +inf", redis_key("audit"),
		      (long long)cutoff);
	if (!r || r->type != REDIS_REPLY_INTEGER)
		goto out_io;
	*total = r->integer;
	freeReplyObject(r);
	r = redis_cmd("ZREVRANGE %s %lld %lld WITHSCORES", redis_key("audit"),
		      (long long)((page - 1) * size),
		      (long long)(page * size - 1));
	if (!r || r->type != REDIS_REPLY_ARRAY)
		goto out_io;
	*out = json_object_new_array();
	for (i = 0; i + 1 < r->elements; i += 2) {
		/* Expired, not yet dropped by a write: the rest are older. */
		if (strtoll(r->element[i + 1]->str, NULL, 10) < cutoff)
			break;
		o = audit_record(r->element[i], r->element[i + 1]);
		if (o)
			json_object_array_add(*out, o);
	}
	freeReplyObject(r);
	return 0;
out_io:
	if (r)
		freeReplyObject(r);
	return -EIO;
}
