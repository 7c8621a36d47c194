/* SPDX-License-Identifier: ISC */
/*
 * jobsvc-ctl: the command line parser (parser.c), the commands that talk to
 * the daemon (ctl.c, submit.c) and the output backends (output_table.c for
 * people, output_json.c for scripts).
 */
#ifndef CTL_H
#define CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

#include "jsv.h"
#include "call.h"
#include "proto.h"

#define CTL_TIMEOUT_MS 30000
#define CTL_POLL_MS 200 /* job log -f */
#define CTL_ID_MAX 64 /* longest pool, worker or execution id */
#define CTL_NOCMD JSV_CMD_MAX /* a token that selects no command */

/*
 * What the command line asked for.  Strings point into argv.  On a parse
 * error, err says what is wrong and valid, when not empty, lists the words
 * that would have been accepted ("valid commands: status queues ...").
 */
struct parse_result {
	enum jsv_cmd cmd; /* CTL_NOCMD until a keyword selects one */
	const char **names; /* job types or worker ids, in order */
	size_t nnames;
	bool all;
	const char *id; /* job, execution or pool id */
	const char *type; /* submit, schedule add, jobs: the job type */
	const char *status; /* jobs: a job status */
	const char *from; /* submit --from: a file name or "-" */
	const char *execution_id;
	bool unique;
	bool follow; /* job log -f */
	/* submit --at, --in: Unix seconds, 0 for now; which option set it */
	int64_t run_at;
	const char *run_at_opt;
	const char *cron; /* schedule add */
	int64_t vendor_id; /* schedule add: -1 unless given */
	int64_t schedule_id; /* schedule del */
	int64_t page, page_size; /* 0 for the daemon's default */
	/* submit, schedule add: --params, then --param pairs */
	struct json_object *params;
	struct json_object *pairs; /* the --param pairs seen so far */
	char err[256];
	char valid[512];
};

/* parser.c */

/*
 * Parses the words after the global options.  Returns 0, or -1 with res->err
 * (and maybe res->valid) set.  Either way parser_free() releases res.
 */
int parser_parse(int argc, char *argv[], struct parse_result *res);
void parser_free(struct parse_result *res);

/*
 * The keywords that select cmd on the command line ("queue stop") into buf.
 * Returns 0, or -1 when no keyword selects it.
 */
int parser_words(enum jsv_cmd cmd, char *buf, size_t size);

/* output_table.c, output_json.c */

enum ctl_view {
	VIEW_NONE, /* a command that shows its answers itself */
	VIEW_STATUS, /* the status END */
	VIEW_QUEUES, /* arrays of RECORDs */
	VIEW_POOLS,
	VIEW_WORKERS,
	/* the schedules END with its RECORDs added as "records" */
	VIEW_SCHEDULES,
	VIEW_SCHEDULE_ADDED, /* a new schedule's END: {"id", "next_run", ...} */
	VIEW_MESSAGE, /* an action's END: {"message", ...} */
	VIEW_JOB, /* a job's END */
	VIEW_EXECUTION, /* an execution's END */
	VIEW_LOG, /* a job's log: {"data", "offset", "done"} */
	VIEW_AUDIT, /* the audit END with its RECORDs added as "records" */
	VIEW_JOBS, /* the jobs END with its RECORDs added as "records" */
	VIEW_MAX
};

struct output {
	void (*show[VIEW_MAX])(struct json_object *obj);
	/* submit: called for each job's RECORD, in input order */
	void (*submitted)(struct json_object *rec);
	/* after the last job; one is true for a single submit */
	void (*submit_end)(bool one);
};

extern const struct output output_table;
extern const struct output output_json;

/* ctl.c */

/* Formats a message into err; returns -1. */
int ctl_errorf(char *err, size_t errlen, const char *fmt, ...) JSV_PRINTF(3, 4);

/* Whether jobsvc-ctl knows how to send cmd and show its answer. */
bool ctl_has_command(enum jsv_cmd cmd);

/* Runs the parsed command against the daemon; returns the exit status. */
int ctl_run(const struct parse_result *res, const char *sockpath,
	    const struct output *out);

/* submit.c */

/*
 * Makes the job object of a submit request: name, parameters (a new
 * reference is taken; NULL means {}), unique, execution_id unless NULL and
 * run_at unless 0 (now).
 */
struct json_object *submit_job_new(const char *name, struct json_object *params,
				   bool unique, const char *execution_id,
				   int64_t run_at);

/*
 * Checks job parameters: a JSON object shallow enough to fit in a request.
 * Returns 0 or -1 with a message in err.
 */
int submit_check_params(struct json_object *params, char *err, size_t errlen);

/*
 * Parses one line of a submit --from file (len bytes, without or with its
 * newline): one JSON object with "name" and optional "parameters", "unique",
 * "execution_id" and "run_at" (Unix seconds).  Returns 0 with the job in
 * *job, or with *job NULL for a blank line; -1 with a message in err.
 */
int submit_parse_line(const char *line, size_t len, struct json_object **job,
		      char *err, size_t errlen);

/* Runs submit, single or --from; returns the exit status. */
int submit_run(struct jsv_client *c, const struct parse_result *res,
	       const struct output *out);

#endif /* CTL_H */
