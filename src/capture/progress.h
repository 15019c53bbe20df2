/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * progress.h -- "how far, how fast, how long still" on stderr for long
 * offline reads, as one line redrawn in place.
 *
 * Shown only on a terminal, and only once a read has taken more than a
 * second (a short run prints nothing); redrawn at most 4 times a second;
 * erased when the read ends, so the report starts on a clean line. The
 * caller decides whether a progress line is wanted at all (-q, output on
 * the same terminal); tc_progress_new() returns NULL when stderr is not a
 * terminal, and every function accepts NULL.
 */
#ifndef TCPCLOSE_PROGRESS_H
#define TCPCLOSE_PROGRESS_H

#include <stdint.h>

#include "source.h"

struct tc_progress;

struct tc_progress *tc_progress_new(int fd);
/* Start a read: `what` prefixes the line ("reading", "writing out.pcap"). */
void tc_progress_begin(struct tc_progress *p, const char *what);
/* Call once per frame: cheap; looks at the clock every few thousand calls. */
void tc_progress_frame(struct tc_progress *p, const struct tc_source *src, uint64_t frames);
/* Erase the line. */
void tc_progress_end(struct tc_progress *p);
void tc_progress_free(struct tc_progress *p);

#endif
