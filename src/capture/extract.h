/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * extract.h -- -w: write the packets of chosen connections to a pcap file.
 *
 * A verdict is known only when a connection ends, after its packets went
 * by, so extracting takes two passes over the input and keeps no packet in
 * memory:
 *   pass 1 (the analysis) records each chosen connection's 4-tuple and the
 *          range of frame numbers [first, last] it spans: ~56 bytes each;
 *   pass 2 re-reads the same files with the same filter, so frames are
 *          numbered the same, and writes each frame whose 4-tuple and frame
 *          number fall in a recorded range. At any moment one connection
 *          owns a 4-tuple, so a range on a 4-tuple holds only its packets.
 * When every connection is chosen, no second pass is needed: every TCP
 * segment is written as it is read (struct tc_dump alone).
 *
 * A pcap file has one link type: the writer takes that of the first packet
 * written and refuses a packet of another (inputs of mixed link types).
 */
#ifndef TCPCLOSE_EXTRACT_H
#define TCPCLOSE_EXTRACT_H

#include <stddef.h>
#include <stdint.h>

#include "progress.h"
#include "source.h"
#include "tcpclose/conn.h"

/*
 * The output file ("-": stdout). Created at once, so a bad path fails
 * before the read; the pcap header is written with the first packet, whose
 * link type decides. NULL with err on failure.
 */
struct tc_dump;
struct tc_dump *tc_dump_new(const char *path, char err[TC_ERRBUF]);
/* 0, or -1 with the reason in err ("FILE: ..."): stop writing. */
int tc_dump_frame(struct tc_dump *d, const struct tc_frame *fr, char err[TC_ERRBUF]);
uint64_t tc_dump_count(const struct tc_dump *d);
/*
 * Finish the file (a header-only file of link type `dlt` if no packet was
 * written); 0, or -1 with err. With discard, remove the file instead (after
 * an error: half a file would pass for a complete one). Frees d.
 */
int tc_dump_close(struct tc_dump *d, int dlt, int discard, char err[TC_ERRBUF]);

/* The chosen connections, recorded in pass 1. */
struct tc_extract;
struct tc_extract *tc_extract_new(void);
void tc_extract_free(struct tc_extract *x);
/* 0, or -1 out of memory. */
int tc_extract_add(struct tc_extract *x, const struct tc_conn *c);
/* Packets pass 2 should find: the chosen connections' segment counts. */
uint64_t tc_extract_expected(const struct tc_extract *x);

/*
 * Pass 2: read `files` again through `filter` and write the chosen
 * connections' packets to d. Returns 0, or -1 with err (the input could not
 * be reopened, or the writer failed).
 */
int tc_extract_run(struct tc_extract *x, char *const *files, int nfiles, const char *filter,
		   struct tc_dump *d, struct tc_progress *prog, char err[TC_ERRBUF]);

#endif
