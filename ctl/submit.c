/* SPDX-License-Identifier: ISC */
/*
 * submit: one job from the command line, or many from a file of JSON lines
 * sent in batches that respect the protocol's limits (JSV_SUBMIT_MAX jobs,
 * JSV_MSG_MAX bytes).  Each job's outcome is reported with its line number;
 * a batch the daemon refuses as a whole stops the run.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

/* request, "jobs" array, job object, then the parameters' own nesting */
#define PARAMS_DEPTH_MAX (JSV_JSON_DEPTH - 3)

struct submit {
	struct jsv_client *c;
	const struct output *out;
	bool from; /* records get the job's "line" */
	struct json_object *jobs; /* the batch being filled */
	size_t lines[JSV_SUBMIT_MAX];
	size_t njobs;
	size_t bytes; /* the batch's request size, at most */
	size_t empty; /* the size of a request without jobs */
	size_t failed;
};

/* Nesting of containers in o: 0 for a scalar, 1 for a flat object. */
static int json_depth(struct json_object *o)
{
	struct json_object_iterator it, end;
	int depth = 0, d;
	size_t i, n;

	switch (json_object_get_type(o)) {
	case json_type_object:
		it = json_object_iter_begin(o);
		end = json_object_iter_end(o);
		for (; !json_object_iter_equal(&it, &end);
		     json_object_iter_next(&it)) {
			d = json_depth(json_object_iter_peek_value(&it));
			if (d > depth)
				depth = d;
		}
		return depth + 1;
	case json_type_array:
		n = json_object_array_length(o);
		for (i = 0; i < n; i++) {
			d = json_depth(json_object_array_get_idx(o, i));
			if (d > depth)
				depth = d;
		}
		return depth + 1;
	default:
		return 0;
	}
}

/* The size of o on the wire, serialized as jsv_client_send() does. */
static size_t json_size(struct json_object *o)
{
	size_t len;

	json_object_to_json_string_length(o, JSV_JSON_TO_STRING, &len);
	return len;
}

/* A JSON string without NUL bytes, or NULL. */
static const char *json_cstring(struct json_object *o)
{
	const char *s;

	if (!json_object_is_type(o, json_type_string))
		return NULL;
	s = json_object_get_string(o);
	if (strlen(s) != (size_t)json_object_get_string_len(o))
		return NULL;
	return s;
}

int submit_check_params(struct json_object *params, char *err, size_t errlen)
{
	if (!json_object_is_type(params, json_type_object))
		return ctl_errorf(err, errlen,
				  "parameters must be a JSON object");
	if (json_depth(params) > PARAMS_DEPTH_MAX)
		return ctl_errorf(err, errlen,
				  "parameters nested deeper than %d levels",
				  PARAMS_DEPTH_MAX);
	return 0;
}

struct json_object *submit_job_new(const char *name, struct json_object *params,
				   bool unique, const char *execution_id,
				   int64_t run_at)
{
	struct json_object *job = json_object_new_object();

	json_object_object_add(job, "name", json_object_new_string(name));
	json_object_object_add(job, "parameters",
			       params != NULL ? json_object_get(params) :
						json_object_new_object());
	json_object_object_add(job, "unique", json_object_new_boolean(unique));
	if (execution_id != NULL)
		json_object_object_add(job, "execution_id",
				       json_object_new_string(execution_id));
	if (run_at != 0)
		json_object_object_add(job, "run_at",
				       json_object_new_int64(run_at));
	return job;
}

int submit_parse_line(const char *line, size_t len, struct json_object **job,
		      char *err, size_t errlen)
{
	struct json_object *obj, *params = NULL;
	const char *name = NULL, *execution_id = NULL, *perr;
	int64_t run_at = 0;
	bool unique = false;
	int rc = -1;

	*job = NULL;
	while (len > 0 && isspace((unsigned char)line[0])) {
		line++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)line[len - 1]))
		len--;
	if (len == 0)
		return 0;
	obj = jsv_json_parse(line, len, &perr);
	if (obj == NULL)
		return ctl_errorf(err, errlen, "invalid JSON: %s", perr);
	json_object_object_foreach(obj, key, val) {
		if (strcmp(key, "name") == 0) {
			name = json_cstring(val);
			if (name == NULL || !jsv_valid_job_type(name)) {
				ctl_errorf(err, errlen, "invalid job type %s",
					   json_object_to_json_string(val));
				goto out;
			}
		} else if (strcmp(key, "parameters") == 0) {
			if (submit_check_params(val, err, errlen) == -1)
				goto out;
			params = val;
		} else if (strcmp(key, "unique") == 0) {
			if (!json_object_is_type(val, json_type_boolean)) {
				ctl_errorf(err, errlen,
					   "\"unique\" must be true or false");
				goto out;
			}
			unique = json_object_get_boolean(val);
		} else if (strcmp(key, "execution_id") == 0) {
			execution_id = json_cstring(val);
			if (execution_id == NULL ||
			    !jsv_valid_id(execution_id)) {
				ctl_errorf(err, errlen,
					   "invalid execution id %s",
					   json_object_to_json_string(val));
				goto out;
			}
		} else if (strcmp(key, "run_at") == 0) {
			if (jsv_json_get_int64(obj, key, &run_at) != 0 ||
			    run_at < 0) {
				ctl_errorf(err, errlen,
					   "\"run_at\" must be a time in Unix "
					   "seconds, not %s",
					   json_object_to_json_string(val));
				goto out;
			}
		} else {
			ctl_errorf(err, errlen, "unknown field \"%s\"", key);
			goto out;
		}
	}
	if (name == NULL) {
		ctl_errorf(err, errlen, "missing \"name\"");
		goto out;
	}
	*job = submit_job_new(name, params, unique, execution_id, run_at);
	rc = 0;
out:
	json_object_put(obj);
	return rc;
}

/* Reports a job that failed: on stderr, and to the output as a record. */
static void job_failed(struct submit *s, struct json_object *rec, size_t line,
		       const char *text)
{
	if (s->from)
		log_warnx("line %zu: %s", line, text);
	else
		log_warnx("%s", text);
	s->failed++;
	s->out->submitted(rec);
}

/* A job refused before it was sent, with its line and reason. */
static void line_failed(struct submit *s, size_t line, const char *text)
{
	struct json_object *rec = json_object_new_object();

	json_object_object_add(rec, "line", json_object_new_int64(line));
	json_object_object_add(rec, "error", json_object_new_string(text));
	json_object_object_add(rec, "code", json_object_new_int(JSV_E_INVAL));
	job_failed(s, rec, line, text);
	json_object_put(rec);
}

/*
 * Sends the batch and reports each job's outcome.  Returns 0 once the daemon
 * answered for the batch, or -1 when it refused the batch as a whole or the
 * connection failed (reported).
 */
static int send_batch(struct submit *s)
{
	struct json_object *req, *records, *end, *rec;
	size_t i, n, answered = 0, first = s->lines[0];
	struct jsv_call_err err;
	const char *text;
	int64_t index;
	int rc = 0;

	if (s->njobs == 0)
		return 0;
	req = json_object_new_object();
	json_object_object_add(req, "jobs", s->jobs);
	n = s->njobs;
	s->jobs = json_object_new_array();
	s->njobs = 0;
	s->bytes = s->empty;
	if (jsv_call(s->c, JSV_CMD_SUBMIT, req, &records, &end, &err) == -1) {
		if (!s->from)
			log_warnx("%s", err.text);
		else if (n == 1)
			log_warnx("line %zu: %s", first, err.text);
		else
			log_warnx("lines %zu-%zu: %s", first, s->lines[n - 1],
				  err.text);
		s->failed += n;
		return -1;
	}
	for (i = 0; i < json_object_array_length(records); i++) {
		rec = json_object_array_get_idx(records, i);
		if (jsv_json_get_int64(rec, "index", &index) != 0 ||
		    index < 0 || (uint64_t)index >= n) {
			log_warnx("malformed submit answer from the daemon");
			rc = -1;
			break;
		}
		if (s->from)
			json_object_object_add(
				rec, "line",
				json_object_new_int64(s->lines[index]));
		answered++;
		if (jsv_json_get_string(rec, "id", &text) == 0) {
			s->out->submitted(rec);
			continue;
		}
		if (jsv_json_get_string(rec, "error", &text) != 0)
			text = "the daemon gave no reason";
		job_failed(s, rec, s->lines[index], text);
	}
	if (answered < n) {
		log_warnx("the daemon answered for %zu of %zu jobs", answered,
			  n);
		s->failed += n - answered;
	}
	json_object_put(records);
	json_object_put(end);
	return rc;
}

/* Adds a job to the batch, sending the batch first if the job won't fit. */
static int add_job(struct submit *s, struct json_object *job, size_t line)
{
	size_t size = json_size(job);
	char err[128];

	if (s->empty + size > JSV_MSG_MAX) {
		snprintf(err, sizeof(err), "job too large (%zu bytes)", size);
		line_failed(s, line, err);
		json_object_put(job);
		return 0;
	}
	/* every job after the first adds a comma */
	if (s->njobs == JSV_SUBMIT_MAX ||
	    (s->njobs > 0 && s->bytes + 1 + size > JSV_MSG_MAX)) {
		if (send_batch(s) == -1) {
			json_object_put(job);
			return -1;
		}
	}
	s->bytes += size + (s->njobs > 0);
	json_object_array_add(s->jobs, job);
	s->lines[s->njobs++] = line;
	return 0;
}

/* Reads jobs from f, one JSON object a line, and submits them. */
static int submit_file(struct submit *s, FILE *f, const char *path)
{
	struct json_object *job;
	char *line = NULL, err[256];
	size_t cap = 0, lineno = 0;
	ssize_t len;
	int rc = 0;

	while ((len = getline(&line, &cap, f)) != -1) {
		lineno++;
		if (submit_parse_line(line, len, &job, err, sizeof(err)) == -1)
			line_failed(s, lineno, err);
		else if (job != NULL && add_job(s, job, lineno) == -1)
			break;
	}
	if (ferror(f)) {
		log_warn("%s", path);
		rc = -1;
	}
	free(line);
	if (len == -1 && send_batch(s) == -1)
		rc = -1;
	return rc;
}

int submit_run(struct jsv_client *c, const struct parse_result *res,
	       const struct output *out)
{
	struct submit *s = xcalloc(1, sizeof(*s));
	struct json_object *empty;
	FILE *f;
	int rc;

	s->c = c;
	s->out = out;
	s->from = res->from != NULL;
	s->jobs = json_object_new_array();
	empty = jsv_request_new(JSV_CMD_SUBMIT);
	json_object_object_add(empty, "jobs", json_object_new_array());
	s->empty = s->bytes = json_size(empty);
	json_object_put(empty);

	if (!s->from) {
		rc = add_job(s,
			     submit_job_new(res->type, res->params, res->unique,
					    res->execution_id, res->run_at),
			     1);
		if (rc == 0)
			rc = send_batch(s);
	} else if (strcmp(res->from, "-") == 0) {
		rc = submit_file(s, stdin, "standard input");
	} else if ((f = fopen(res->from, "r")) == NULL) {
		log_warn("%s", res->from);
		rc = -1;
	} else {
		rc = submit_file(s, f, res->from);
		fclose(f);
	}
	out->submit_end(!s->from);
	rc = rc == 0 && s->failed == 0 ? 0 : 1;
	json_object_put(s->jobs);
	free(s);
	return rc;
}
