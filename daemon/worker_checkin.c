/* SPDX-License-Identifier: ISC */
/*
 * The check-ins of a running handler: the lines it writes on fd 3.  Only
 * the latest complete line counts, cut at CHECKIN_MAX bytes; it is written
 * to Redis at most once a second per slot, and at once when the job ends.
 * A handler that floods fd 3 is read a bounded amount at a time, with
 * pauses, so that it cannot keep the event loop from its other work.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <hiredis/hiredis.h>
#include <systemd/sd-event.h>

#include "jobsvcd.h"
#include "worker.h"

#define CHECKIN_MAX 1024
/* A flood on fd 3 is read CHECKIN_READ_MAX bytes at a time, with pauses. */
#define CHECKIN_READ_MAX (64 * 1024)
#define CHECKIN_PAUSE_US (10 * 1000ULL)
/* At most one check-in written to Redis per slot per second. */
#define CHECKIN_INTERVAL_US (1000 * 1000ULL)

static uint64_t worker_now_us(void)
{
	uint64_t now = 0;

	sd_event_now(jsvd->ev, CLOCK_MONOTONIC, &now);
	return now;
}

/* Writes the latest check-in to Redis. */
static void worker_send_checkin(struct worker *w)
{
	struct jsv_buf text = { 0 };
	const char *argv[3] = { w->job_id, w->token, NULL };
	const char *line = w->checkin_line.data ? w->checkin_line.data : "";
	redisReply *r;

	w->checkin_pending = false;
	w->checkin_sent_us = worker_now_us();
	if (w->abandoned)
		return;
	jsv_buf_add_utf8(&text, line, strnlen(line, w->checkin_line.len),
			 false);
	argv[2] = text.data ? text.data : "";
	r = redis_script(SCRIPT_CHECKIN, 3, argv);
	if (r)
		freeReplyObject(r);
	jsv_buf_free(&text);
}

/* Makes a line the latest check-in, written when its turn comes. */
static void worker_keep_checkin(struct worker *w, const char *line, size_t len)
{
	if (len > CHECKIN_MAX)
		len = CHECKIN_MAX;
	if (len && line[len - 1] == '\r')
		len--;
	jsv_buf_reset(&w->checkin_line);
	jsv_buf_add(&w->checkin_line, line, len);
	w->checkin_pending = true;
}

static int worker_checkin_timer(sd_event_source *s, uint64_t usec, void *arg);

/* Arms the check-in timer for what waits: reading again, the next write. */
static void worker_checkin_arm(struct worker *w)
{
	uint64_t due = UINT64_MAX;

	if (w->checkin_paused)
		due = w->checkin_resume_us;
	if (w->checkin_pending &&
	    w->checkin_sent_us + CHECKIN_INTERVAL_US < due)
		due = w->checkin_sent_us + CHECKIN_INTERVAL_US;
	if (due == UINT64_MAX) {
		if (w->checkin_tmr)
			sd_event_source_set_enabled(w->checkin_tmr,
						    SD_EVENT_OFF);
		return;
	}
	if (!w->checkin_tmr) {
		if (sd_event_add_time(jsvd->ev, &w->checkin_tmr,
				      CLOCK_MONOTONIC, due, 0,
				      worker_checkin_timer, w) < 0)
			fatalx("cannot arm the check-in timer");
		return;
	}
	if (sd_event_source_set_time(w->checkin_tmr, due) < 0 ||
	    sd_event_source_set_enabled(w->checkin_tmr, SD_EVENT_ONESHOT) < 0)
		fatalx("cannot arm the check-in timer");
}

/* Writes the latest check-in if a second has passed since the last one. */
static void worker_checkin_due(struct worker *w, uint64_t now)
{
	if (w->checkin_pending &&
	    now >= w->checkin_sent_us + CHECKIN_INTERVAL_US)
		worker_send_checkin(w);
	worker_checkin_arm(w);
}

static int worker_checkin_timer(sd_event_source *s, uint64_t usec, void *arg)
{
	struct worker *w = arg;

	if (w->checkin_paused && usec >= w->checkin_resume_us) {
		w->checkin_paused = false;
		if (w->checkin_src)
			sd_event_source_set_enabled(w->checkin_src,
						    SD_EVENT_ON);
	}
	worker_checkin_due(w, usec);
	return 0;
}

enum checkin_read { CHECKIN_DRAINED, CHECKIN_EOF, CHECKIN_MORE };

/*
 * Reads at most CHECKIN_READ_MAX bytes of what the handler wrote on fd 3
 * and keeps the last complete line as the latest check-in; a line longer
 * than CHECKIN_MAX counts as complete.  Says whether fd 3 was emptied,
 * closed, or has more to read.
 */
static enum checkin_read worker_checkin_read(struct worker *w, int fd)
{
	char buf[4096], *nl, *start;
	size_t total = 0;
	ssize_t n;

	while (total < CHECKIN_READ_MAX) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return CHECKIN_DRAINED;
		if (n <= 0)
			return CHECKIN_EOF;
		total += n;
		jsv_buf_add(&w->checkin, buf, n);
		nl = memrchr(w->checkin.data, '\n', w->checkin.len);
		if (nl) {
			start = memrchr(w->checkin.data, '\n',
					nl - w->checkin.data);
			start = start ? start + 1 : w->checkin.data;
			worker_keep_checkin(w, start, nl - start);
			jsv_buf_consume(&w->checkin, nl - w->checkin.data + 1);
		}
		if (w->checkin.len > CHECKIN_MAX) {
			worker_keep_checkin(w, w->checkin.data, w->checkin.len);
			jsv_buf_reset(&w->checkin);
		}
	}
	return CHECKIN_MORE;
}

/*
 * fd 3 is readable.  A handler that writes more than one read's worth is
 * not read again for CHECKIN_PAUSE_US (its writes block meanwhile), so that
 * a flood cannot keep the loop from the rest of its work.
 */
int worker_checkin_io(sd_event_source *s, int fd, uint32_t revents, void *arg)
{
	struct worker *w = arg;
	uint64_t now = worker_now_us();

	switch (worker_checkin_read(w, fd)) {
	case CHECKIN_EOF:
		if (w->checkin.len)
			worker_keep_checkin(w, w->checkin.data, w->checkin.len);
		jsv_buf_reset(&w->checkin);
		w->checkin_src = sd_event_source_disable_unref(w->checkin_src);
		break;
	case CHECKIN_MORE:
		w->checkin_paused = true;
		w->checkin_resume_us = now + CHECKIN_PAUSE_US;
		sd_event_source_set_enabled(s, SD_EVENT_OFF);
		break;
	case CHECKIN_DRAINED:
		break;
	}
	worker_checkin_due(w, now);
	return 0;
}

void worker_checkin_text(struct worker *w, const char *text, size_t len)
{
	worker_keep_checkin(w, text, len);
	worker_checkin_due(w, worker_now_us());
}

/*
 * The job ended: what its handler left on fd 3 is read (bounded), the
 * latest check-in written at once, and fd 3 closed, whoever still holds
 * its other end: the next job gets a pipe of its own.
 */
void worker_checkin_end(struct worker *w)
{
	int fd;

	if (w->checkin_src) {
		fd = sd_event_source_get_io_fd(w->checkin_src);
		if (worker_checkin_read(w, fd) != CHECKIN_MORE &&
		    w->checkin.len)
			worker_keep_checkin(w, w->checkin.data, w->checkin.len);
	}
	w->checkin_src = sd_event_source_disable_unref(w->checkin_src);
	jsv_buf_reset(&w->checkin);
	if (w->checkin_pending)
		worker_send_checkin(w);
	w->checkin_paused = false;
	worker_checkin_arm(w);
}
