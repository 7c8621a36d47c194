/* SPDX-License-Identifier: ISC */
/*
 * The request as nginx passes it: CGI parameters, the query, the cookies and
 * the form body, decoded with limits; and the response being built.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fcgi.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decodes len bytes of one form component into a new string, '+' as a
 * space when plus.  NULL for a bad escape, a NUL or invalid UTF-8.
 */
static char *pct_decode(const char *s, size_t len, bool plus)
{
	char *out = xmalloc(len + 1);
	size_t i, n = 0;
	int hi, lo;

	for (i = 0; i < len; i++) {
		if (s[i] == '%') {
			if (len - i < 3)
				goto out_bad;
			hi = hexval(s[i + 1]);
			lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				goto out_bad;
			out[n++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (s[i] == '+' && plus) {
			out[n++] = ' ';
		} else if (s[i] == '\0') {
			goto out_bad;
		} else {
			out[n++] = s[i];
		}
	}
	out[n] = '\0';
	if (!jsv_valid_utf8(out, n))
		goto out_bad;
	return out;

out_bad:
	free(out);
	return NULL;
}

static int kv_add(struct kv_list *l, char *key, char *val)
{
	if (l->n >= FCGI_PAIRS_MAX) {
		free(key);
		free(val);
		return -E2BIG;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	l->v[l->n].key = key;
	l->v[l->n].val = val;
	l->n++;
	return 0;
}

int kv_decode_form(struct kv_list *l, const char *s, size_t len)
{
	const char *end = s + len, *amp, *eq;
	char *key, *val;
	int r;

	while (s < end) {
		amp = memchr(s, '&', (size_t)(end - s));
		if (!amp)
			amp = end;
		if (amp == s) {
			s++;
			continue;
		}
		eq = memchr(s, '=', (size_t)(amp - s));
		if (!eq)
			eq = amp;
		key = pct_decode(s, (size_t)(eq - s), true);
		val = pct_decode(eq < amp ? eq + 1 : amp,
				 (size_t)(amp - (eq < amp ? eq + 1 : amp)),
				 true);
		if (!key || !val) {
			free(key);
			free(val);
			return -EINVAL;
		}
		r = kv_add(l, key, val);
		if (r < 0)
			return r;
		s = amp;
	}
	return 0;
}

int kv_decode_cookies(struct kv_list *l, const char *s)
{
	const char *end, *eq, *v, *ve;
	int r;

	while (*s) {
		while (*s == ' ' || *s == '\t' || *s == ';')
			s++;
		end = strchr(s, ';');
		if (!end)
			end = s + strlen(s);
		eq = memchr(s, '=', (size_t)(end - s));
		if (eq && eq > s) {
			v = eq + 1;
			ve = end;
			while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
				ve--;
			if (ve - v >= 2 && *v == '"' && ve[-1] == '"') {
				v++;
				ve--;
			}
			r = kv_add(l, xstrndup(s, (size_t)(eq - s)),
				   xstrndup(v, (size_t)(ve - v)));
			if (r < 0)
				return r;
		}
		s = end;
	}
	return 0;
}

const char *kv_get(const struct kv_list *l, const char *key)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].key, key) == 0)
			return l->v[i].val;
	return NULL;
}

int64_t kv_get_count(const struct kv_list *l, const char *key, int64_t def,
		     int64_t max, bool empty_is_def)
{
	const char *s = kv_get(l, key);
	char *end;
	long long v;

	if (!s || (!*s && empty_is_def))
		return def;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > max)
		return -1;
	return v;
}

void kv_free(struct kv_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].key);
		free(l->v[i].val);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void url_encode(struct jsv_buf *b, const char *s, bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char c;
	char esc[3];

	for (; *s; s++) {
		c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~' || (c == '/' && keep_slash)) {
			jsv_buf_add(b, s, 1);
		} else {
			esc[0] = '%';
			esc[1] = hex[c >> 4];
			esc[2] = hex[c & 15];
			jsv_buf_add(b, esc, 3);
		}
	}
}

char *url_decode(const char *s)
{
	return pct_decode(s, strlen(s), false);
}

bool content_type_is(const char *ctype, const char *type)
{
	size_t n = strlen(type);

	return ctype && strncasecmp(ctype, type, n) == 0 &&
	       (ctype[n] == '\0' || ctype[n] == ';');
}

const char *param_get(char *const *envp, const char *name)
{
	size_t n = strlen(name);

	for (; envp && *envp; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

/* Whether s is a path the app can put into links and headers. */
static bool path_ok(const char *s)
{
	if (*s != '/')
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/*
 * nginx's DOCUMENT_URI is the decoded, normalized path; without it the path
 * of REQUEST_URI is decoded here (no '+' in paths), then SCRIPT_NAME.
 */
static char *request_path(char *const *envp)
{
	const char *s, *q;

	s = param_get(envp, "DOCUMENT_URI");
	if (s && *s)
		return xstrdup(s);
	s = param_get(envp, "REQUEST_URI");
	if (s && *s) {
		q = strchr(s, '?');
		return pct_decode(s, q ? (size_t)(q - s) : strlen(s), false);
	}
	s = param_get(envp, "SCRIPT_NAME");
	return xstrdup(s && *s ? s : "/");
}

int request_init(struct request *rq, char *const *envp, const char *body,
		 size_t body_len, char *err, size_t errlen)
{
	struct jsv_buf b = { 0 };
	const char *s;

	memset(rq, 0, sizeof(*rq));
	s = param_get(envp, "REQUEST_METHOD");
	rq->method = s ? s : "GET";
	rq->query = param_get(envp, "QUERY_STRING");
	if (!rq->query)
		rq->query = "";
	s = param_get(envp, "REMOTE_USER");
	rq->remote_user = s && *s ? s : NULL;
	rq->content_type = param_get(envp, "CONTENT_TYPE");
	rq->requested_with = param_get(envp, "HTTP_X_REQUESTED_WITH");
	rq->request_id = param_get(envp, "HTTP_X_REQUEST_ID");
	rq->origin = param_get(envp, "HTTP_ORIGIN");
	rq->fetch_site = param_get(envp, "HTTP_SEC_FETCH_SITE");
	rq->host = param_get(envp, "HTTP_HOST");
	s = param_get(envp, "HTTPS");
	rq->https = s && (strcmp(s, "on") == 0 || strcmp(s, "1") == 0);
	rq->body = body;
	rq->body_len = body_len;

	rq->path = request_path(envp);
	if (!rq->path || !path_ok(rq->path)) {
		free(rq->path);
		rq->path = xstrdup("/");
		if (route_split(rq->path, param_get(envp, "SCRIPT_NAME"),
				&rq->prefix, &rq->route) < 0) {
			free(rq->prefix);
			route_split(rq->path, NULL, &rq->prefix, &rq->route);
		}
		url_encode(&b, rq->prefix, true);
		rq->prefix_url = b.data;
		snprintf(err, errlen, "The request's path cannot be decoded.");
		return 400;
	}
	rq->outside = route_split(rq->path, param_get(envp, "SCRIPT_NAME"),
				  &rq->prefix, &rq->route) < 0;
	url_encode(&b, rq->prefix, true);
	rq->prefix_url = b.data;

	s = param_get(envp, "HTTP_COOKIE");
	if (s)
		kv_decode_cookies(&rq->cookies, s);
	if (kv_decode_form(&rq->args, rq->query, strlen(rq->query)) < 0) {
		snprintf(err, errlen, "The query string cannot be decoded.");
		return 400;
	}
	return 0;
}

void request_free(struct request *rq)
{
	free(rq->path);
	free(rq->prefix);
	free(rq->prefix_url);
	kv_free(&rq->args);
	kv_free(&rq->cookies);
}

void response_header(struct response *rs, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	jsv_buf_vprintf(&rs->head, fmt, ap);
	va_end(ap);
	jsv_buf_add(&rs->head, "\r\n", 2);
}

void response_free(struct response *rs)
{
	jsv_buf_free(&rs->head);
	jsv_buf_free(&rs->body);
}

const char *http_reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 303:
		return "See Other";
	case 304:
		return "Not Modified";
	case 400:
		return "Bad Request";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 409:
		return "Conflict";
	case 413:
		return "Content Too Large";
	case 415:
		return "Unsupported Media Type";
	case 422:
		return "Unprocessable Entity";
	case 500:
		return "Internal Server Error";
	case 503:
		return "Service Unavailable";
	case 504:
		return "Gateway Timeout";
	}
	return "";
}
