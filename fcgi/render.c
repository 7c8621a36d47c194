/* SPDX-License-Identifier: ISC */
/*
 * The templates of html/, compiled into the binary, and the one HTML escaper
 * that every value filled into them goes through.  Templates hold all the
 * markup; the C code only builds a JSON object of values (render_text()
 * explains the slots).
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "fcgi.h"

#define RENDER_DEPTH 16 /* nested sections and partials */

void html_escape(struct jsv_buf *b, const char *s, size_t len)
{
	const char *start = s, *end = s + len, *ent;

	for (; s < end; s++) {
		switch (*s) {
		case '&':
			ent = "&amp;";
			break;
		case '<':
			ent = "&lt;";
			break;
		case '>':
			ent = "&gt;";
			break;
		case '"':
			ent = "&quot;";
			break;
		case '\'':
			ent = "&#39;";
			break;
		default:
			continue;
		}
		jsv_buf_add(b, start, (size_t)(s - start));
		jsv_buf_add(b, ent, strlen(ent));
		start = s + 1;
	}
	jsv_buf_add(b, start, (size_t)(end - start));
}

const struct tmpl *tmpl_find(const char *name)
{
	size_t i;

	for (i = 0; i < tmpl_nfiles; i++)
		if (strcmp(tmpl_files[i].name, name) == 0)
			return &tmpl_files[i];
	return NULL;
}

/* The elements being rendered, innermost last. */
struct stack {
	struct json_object *ctx[RENDER_DEPTH];
	int n;
};

static struct json_object *lookup(const struct stack *st, const char *name)
{
	struct json_object *v;
	int i;

	if (strcmp(name, ".") == 0)
		return st->ctx[st->n - 1];
	for (i = st->n - 1; i >= 0; i--)
		if (json_object_is_type(st->ctx[i], json_type_object) &&
		    json_object_object_get_ex(st->ctx[i], name, &v))
			return v;
	return NULL;
}

static bool truthy(struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return false;
	case json_type_boolean:
		return json_object_get_boolean(v);
	case json_type_int:
		return json_object_get_int64(v) != 0;
	case json_type_double:
		return json_object_get_double(v) != 0;
	case json_type_string:
		return json_object_get_string_len(v) > 0;
	case json_type_array:
		return json_object_array_length(v) > 0;
	case json_type_object:
		return true;
	}
	return false;
}

static void put_value(struct jsv_buf *out, struct json_object *v)
{
	const char *s;

	switch (json_object_get_type(v)) {
	case json_type_null:
		return;
	case json_type_string:
		html_escape(out, json_object_get_string(v),
			    (size_t)json_object_get_string_len(v));
		return;
	default:
		s = json_object_to_json_string_ext(v, JSV_JSON_TO_STRING);
		html_escape(out, s, strlen(s));
	}
}

/*
 * Finds the {{/name}} that closes a section whose body starts at s: the
 * first close tag at nesting level zero.  Returns its position and the
 * position after it in *after, or NULL.
 */
static const char *find_close(const char *s, const char *end, const char *name,
			      const char **after)
{
	const char *open, *close;
	size_t nlen = strlen(name);
	int depth = 0;

	while ((open = memmem(s, (size_t)(end - s), "{{", 2))) {
		close = memmem(open, (size_t)(end - open), "}}", 2);
		if (!close)
			return NULL;
		if (open[2] == '#' || open[2] == '^') {
			depth++;
		} else if (open[2] == '/') {
			if (depth == 0) {
				if ((size_t)(close - open - 3) != nlen ||
				    memcmp(open + 3, name, nlen) != 0)
					return NULL;
				*after = close + 2;
				return open;
			}
			depth--;
		}
		s = close + 2;
	}
	return NULL;
}

static int render_part(struct jsv_buf *out, const char *s, const char *end,
		       struct stack *st);

static int render_section(struct jsv_buf *out, const char *body,
			  const char *body_end, struct stack *st,
			  struct json_object *v, bool inverted)
{
	size_t i, n;
	int r = 0;

	if (inverted)
		return truthy(v) ? 0 : render_part(out, body, body_end, st);
	if (!truthy(v))
		return 0;
	if (st->n >= RENDER_DEPTH)
		return -EINVAL;
	if (json_object_is_type(v, json_type_array)) {
		n = json_object_array_length(v);
		for (i = 0; i < n && r == 0; i++) {
			st->ctx[st->n++] = json_object_array_get_idx(v, i);
			r = render_part(out, body, body_end, st);
			st->n--;
		}
		return r;
	}
	if (json_object_is_type(v, json_type_object)) {
		st->ctx[st->n++] = v;
		r = render_part(out, body, body_end, st);
		st->n--;
		return r;
	}
	return render_part(out, body, body_end, st);
}

static int render_part(struct jsv_buf *out, const char *s, const char *end,
		       struct stack *st)
{
	const char *open, *close, *body, *after;
	const struct tmpl *t;
	char name[128];
	size_t nlen;
	char kind;
	int r;

	while ((open = memmem(s, (size_t)(end - s), "{{", 2))) {
		jsv_buf_add(out, s, (size_t)(open - s));
		close = memmem(open, (size_t)(end - open), "}}", 2);
		if (!close)
			return -EINVAL;
		kind = open[2];
		body = open + 2;
		if (kind == '#' || kind == '^' || kind == '>' || kind == '/')
			body++;
		nlen = (size_t)(close - body);
		if (nlen == 0 || nlen >= sizeof(name))
			return -EINVAL;
		memcpy(name, body, nlen);
		name[nlen] = '\0';
		s = close + 2;
		switch (kind) {
		case '/':
			return -EINVAL;
		case '>':
			t = tmpl_find(name);
			if (!t || st->n >= RENDER_DEPTH)
				return -EINVAL;
			st->ctx[st->n] = st->ctx[st->n - 1];
			st->n++;
			r = render_part(out, t->data, t->data + t->len, st);
			st->n--;
			break;
		case '#':
		case '^':
			close = find_close(s, end, name, &after);
			if (!close)
				return -EINVAL;
			r = render_section(out, s, close, st, lookup(st, name),
					   kind == '^');
			s = after;
			break;
		default:
			put_value(out, lookup(st, name));
			r = 0;
		}
		if (r < 0)
			return r;
	}
	jsv_buf_add(out, s, (size_t)(end - s));
	return 0;
}

int render_text(struct jsv_buf *out, const char *text, size_t len,
		struct json_object *ctx)
{
	struct stack st = { .ctx = { ctx }, .n = 1 };

	return render_part(out, text, text + len, &st);
}

int render(struct jsv_buf *out, const char *name, struct json_object *ctx)
{
	const struct tmpl *t = tmpl_find(name);

	if (!t)
		return -EINVAL;
	return render_text(out, t->data, t->len, ctx);
}
