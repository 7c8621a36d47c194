/* SPDX-License-Identifier: ISC */
/*
 * An example persistent handler in C ([queue TYPE] persistent = yes in
 * jobsvcd.conf, see there).  It runs until its standard input ends, taking
 * one job per line: {"id", "name", "attempt", "execution_id",
 * "parameters"}.  For each it logs the job on stdout (the job's log),
 * checks in on fd 3, and ends the job with a status line on fd 3.
 * Build: cc -O2 -o persistent-example persistent-example.c
 */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	FILE *fd3 = fdopen(3, "w");
	char *job = NULL;
	size_t cap = 0;

	if (!fd3)
		return 1;
	while (getline(&job, &cap, stdin) > 0) {
		printf("job: %s", job); /* the work goes here */
		fflush(stdout); /* the log before the status */
		fprintf(fd3, "{\"check_in\": \"working\"}\n");
		fprintf(fd3, "{\"status\": \"Success\"}\n");
		fflush(fd3);
	}
	free(job);
	return 0;
}
