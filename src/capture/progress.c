/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * progress.c -- the progress line (see progress.h).
 *
 * The line fits 80 columns: "tcpclose: reading 42% of 2.28 GB, 1.31M
 * packets/s, ETA 0:12". It is written with one write(2) so it is never
 * interleaved half-way with another writer's bytes, and ends with "erase
 * to end of line" so a shorter line leaves no tail of the previous one.
 */
#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHECK_EVERY 256                  /* frames between clock reads */
#define FIRST_NS (1000000000LL)          /* quiet for the first second */
#define EVERY_NS (250000000LL)           /* then at most 4 redraws a second */

struct tc_progress {
	int fd;
	const char *what;
	int64_t t0, last;
	unsigned calls;
	int shown;
};

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

struct tc_progress *tc_progress_new(int fd)
{
	struct tc_progress *p;
	if (!isatty(fd))
		return NULL;
	p = calloc(1, sizeof(*p));
	if (p)
		p->fd = fd;
	return p;
}

void tc_progress_begin(struct tc_progress *p, const char *what)
{
	if (!p)
		return;
	p->what = what;
	p->t0 = mono_ns();
	p->last = 0;
	p->calls = 0;
}

/*
 * 1234567 -> "1.23M packets" or "1.23 MB" (a unit symbol takes the prefix):
 * three digits are enough to watch and short enough to fit.
 */
static void human(char *buf, size_t n, double v, const char *unit, int symbol)
{
	static const char *const pfx[] = {"", "k", "M", "G", "T", "P"};
	int i = 0, prec;
	while (v >= 1000 && i < 5) {
		v /= 1000;
		i++;
	}
	prec = i == 0 ? 0 : v < 10 ? 2 : v < 100 ? 1 : 0;
	if (symbol)
		snprintf(buf, n, "%.*f %s%s", prec, v, pfx[i], unit);
	else
		snprintf(buf, n, "%.*f%s %s", prec, v, pfx[i], unit);
}

static void draw(struct tc_progress *p, const struct tc_source *src, uint64_t frames, int64_t now)
{
	char line[160], rate[32], size[32];
	double secs = (double)(now - p->t0) / 1e9;
	int64_t done = 0, total = -1;
	int len;

	tc_source_progress(src, &done, &total);
	human(rate, sizeof(rate), frames / secs, "packets/s", 0);
	if (total > 0 && done <= total) {
		double frac = (double)done / (double)total;
		long eta = frac > 0 ? (long)(secs / frac - secs + 0.5) : 0;
		human(size, sizeof(size), (double)total, "B", 1);
		len = snprintf(line, sizeof(line), "\r%s: %s %d%% of %s, %s, ETA %ld:%02ld\033[K", "tcpclose",
			       p->what, (int)(frac * 100), size, rate, eta / 60, eta % 60);
	} else {
		/* A pipe: no size to compare with, only what went by. */
		human(size, sizeof(size), (double)frames, "packets", 0);
		len = snprintf(line, sizeof(line), "\r%s: %s %s, %s\033[K", "tcpclose", p->what, size, rate);
	}
	if (len > 0 && write(p->fd, line, (size_t)len < sizeof(line) ? (size_t)len : sizeof(line) - 1) > 0)
		p->shown = 1;
}

void tc_progress_frame(struct tc_progress *p, const struct tc_source *src, uint64_t frames)
{
	int64_t now;
	if (!p || ++p->calls % CHECK_EVERY)
		return;
	now = mono_ns();
	if (now - p->t0 < FIRST_NS || now - p->last < EVERY_NS)
		return;
	p->last = now;
	draw(p, src, frames, now);
}

void tc_progress_end(struct tc_progress *p)
{
	static const char erase[] = "\r\033[K";
	if (!p || !p->shown)
		return;
	if (write(p->fd, erase, sizeof(erase) - 1) < 0)
		return;
	p->shown = 0;
}

void tc_progress_free(struct tc_progress *p)
{
	tc_progress_end(p);
	free(p);
}
