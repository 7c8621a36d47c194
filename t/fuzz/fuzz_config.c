/* SPDX-License-Identifier: ISC */
/*
 * Fuzz target for the configuration file: arbitrary bytes read by
 * config_parse through fmemopen, as jobsvcd reads its file at start and on
 * reload.  Besides crashes and leaks it checks the contract: a refusal
 * reports at least one "FILE:LINE: " line, and an accepted configuration has
 * a queue.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobsvcd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jsvd_conf *conf = NULL;
	struct jsv_buf errs = { 0 };
	char *text;
	FILE *fp;

	/* fmemopen takes a writable buffer; one byte more for size 0 */
	text = xmalloc(size + 1);
	memcpy(text, data, size);
	fp = fmemopen(text, size, "r");
	if (fp == NULL)
		abort();
	if (config_parse(fp, "fuzz.conf", &conf, &errs) == 0) {
		if (conf == NULL || conf->nqueues == 0 ||
		    TAILQ_EMPTY(&conf->queues) || errs.len != 0)
			abort();
		config_free(conf);
	} else if (conf != NULL || errs.len == 0 ||
		   strncmp(errs.data, "fuzz.conf:", 10) != 0) {
		abort();
	}
	fclose(fp);
	free(text);
	jsv_buf_free(&errs);
	return 0;
}
