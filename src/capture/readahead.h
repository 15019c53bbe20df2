/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * readahead.h -- a capture's frames read and decoded in a thread of their
 * own, handed to the analysis in order (the offline run's --threads 2).
 *
 * Reading a file (the kernel's copy, stdio, libpcap's record parsing) and
 * decoding a frame touch nothing the analysis changes: the reader thread
 * runs tc_source_each() and tc_engine_prepare() and fills batches of
 * decoded frames in a small ring; the caller takes them with
 * tc_readahead_next() and gives each to tc_engine_push_item(), in the order
 * read. The engine sees what tc_engine_push() would have given it, so the
 * report is the one-thread run's, byte for byte.
 *
 * Until tc_readahead_end() the reader owns the source (and draws the
 * progress line, which reads it): the caller must not touch either.
 */
#ifndef TCPCLOSE_READAHEAD_H
#define TCPCLOSE_READAHEAD_H

#include <stddef.h>
#include <stdint.h>

#include "progress.h"
#include "source.h"
#include "tcpclose/engine.h"

struct tc_readahead;

/*
 * Start reading src in a new thread, decoding for e (read-only: see
 * tc_engine_prepare), at most `limit` frames (0: all; the reader stops
 * where a one-thread run given -c would, so it meets no error past it).
 * NULL if the thread or its memory cannot be had; the caller then reads
 * in its own thread.
 */
struct tc_readahead *tc_readahead_start(struct tc_source *src, const struct tc_engine *e,
					struct tc_progress *prog, uint64_t limit);

/*
 * The next frames in order, *n of them (n > 0), valid until the next call;
 * NULL once the source is done or the limit reached.
 */
const struct tc_engine_item *tc_readahead_next(struct tc_readahead *ra, size_t *n);

/*
 * Wait for the reader (stopping it if the caller leaves early) and free
 * what it holds. *first_dlt is the link type of the first frame read, or
 * -1 if none was. Returns 1 if the limit stopped the reading.
 */
int tc_readahead_end(struct tc_readahead *ra, int *first_dlt);

#endif
