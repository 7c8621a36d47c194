/* SPDX-License-Identifier: ISC */
/*
 * Fuzzes what jobsvc-fcgi decodes from untrusted requests: the query and
 * form decoder, the cookie decoder, the prefix split, the CSRF check, and
 * the HTML escaper (whose output must hold no raw < > " ' and only the five
 * entities it makes).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi.h"

static const unsigned char zero_key[FCGI_SECRET_LEN];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_escaped(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '<' || s[i] == '>' || s[i] == '"' || s[i] == '\'')
			abort();
		if (s[i] == '&' && strncmp(s + i, "&amp;", 5) != 0 &&
		    strncmp(s + i, "&lt;", 4) != 0 &&
		    strncmp(s + i, "&gt;", 4) != 0 &&
		    strncmp(s + i, "&quot;", 6) != 0 &&
		    strncmp(s + i, "&#39;", 5) != 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kv_list l = { 0 }, c = { 0 };
	struct jsv_buf b = { 0 };
	const char *route;
	char *s, *prefix, *dec;
	size_t i;

	s = xmalloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';

	kv_decode_form(&l, (const char *)data, size);
	for (i = 0; i < l.n; i++) {
		jsv_buf_reset(&b);
		html_escape(&b, l.v[i].val, strlen(l.v[i].val));
		check_escaped(b.data, b.len);
		if (!jsv_valid_utf8(l.v[i].key, strlen(l.v[i].key)))
			abort();
	}
	kv_decode_cookies(&c, s);
	(void)csrf_ok(zero_key, "u", 0, FCGI_CSRF_WINDOW,
		      kv_get(&c, "jsvc_csrf"), kv_get(&l, "csrf"));
	dec = url_decode(s);
	free(dec);

	jsv_buf_reset(&b);
	html_escape(&b, (const char *)data, size);
	check_escaped(b.data, b.len);

	if (s[0] == '/') {
		/* whatever SCRIPT_NAME says, the prefix is a local path */
		route_split("/a/b", s, &prefix, &route);
		if (prefix[0] != '/' || prefix[1] == '/' ||
		    prefix[strlen(prefix) - 1] != '/')
			abort();
		free(prefix);
	}
	jsv_buf_reset(&b);
	url_encode(&b, s, true);

	jsv_buf_free(&b);
	kv_free(&l);
	kv_free(&c);
	free(s);
	return 0;
}
