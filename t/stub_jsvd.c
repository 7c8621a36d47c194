/* SPDX-License-Identifier: ISC */
/*
 * What daemon/jobsvcd.c (main's file) gives the daemon's library, for the
 * tests and fuzz targets that link the library without main(): no daemon
 * state, no status, and timers that never fire.
 */
#include "config.h"

#include "jobsvcd.h"

struct jsvd *jsvd;

void jsvd_status(const char *fmt, ...)
{
}

int jsvd_timer(sd_event_source **src, uint64_t usec,
	       int (*cb)(sd_event_source *s, uint64_t usec, void *arg),
	       void *arg)
{
	return 0;
}
