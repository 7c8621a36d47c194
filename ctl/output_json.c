/* SPDX-License-Identifier: ISC */
/*
 * Output for scripts (-j): a list as one JSON array of its records, a single
 * answer as its object, pretty-printed with the field names as received.  A
 * list's summary (the schedules page's totals) is left out, as submit's is.
 */
#include "config.h"

#include <stdio.h>

#include "ctl.h"

/*
 * The submitted jobs' records, printed once the last batch is answered: as
 * an array for submit --from, as the object for a single submit.
 */
static struct json_object *submitted_records;

static void print_json(struct json_object *obj)
{
	puts(json_object_to_json_string_ext(
		obj, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			     JSON_C_TO_STRING_NOSLASHESCAPE));
}

static void print_records(struct json_object *end)
{
	print_json(json_object_object_get(end, "records"));
}

static void submitted(struct json_object *rec)
{
	if (submitted_records == NULL)
		submitted_records = json_object_new_array();
	json_object_array_add(submitted_records, json_object_get(rec));
}

/* submit --from: jobs refused before sending come first; restore line order */
static int by_line(const void *a, const void *b)
{
	struct json_object *const *x = a, *const *y = b;
	int64_t la = json_object_get_int64(json_object_object_get(*x, "line"));
	int64_t lb = json_object_get_int64(json_object_object_get(*y, "line"));

	return la < lb ? -1 : la > lb;
}

static void submit_end(bool one)
{
	if (submitted_records == NULL)
		submitted_records = json_object_new_array();
	if (!one) {
		json_object_array_sort(submitted_records, by_line);
		print_json(submitted_records);
	} else if (json_object_array_length(submitted_records) == 1)
		print_json(json_object_array_get_idx(submitted_records, 0));
	json_object_put(submitted_records);
	submitted_records = NULL;
}

const struct output output_json = {
	.show = {
		[VIEW_STATUS] = print_json,
		[VIEW_QUEUES] = print_json,
		[VIEW_POOLS] = print_json,
		[VIEW_WORKERS] = print_json,
		[VIEW_SCHEDULES] = print_records,
		[VIEW_SCHEDULE_ADDED] = print_json,
		[VIEW_MESSAGE] = print_json,
		[VIEW_JOB] = print_json,
		[VIEW_EXECUTION] = print_json,
		[VIEW_LOG] = print_json,
		[VIEW_AUDIT] = print_records,
		[VIEW_JOBS] = print_records,
	},
	.submitted = submitted,
	.submit_end = submit_end,
};
