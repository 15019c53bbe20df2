/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * source.h -- capture files in, frames out, through libpcap (and, built
 * with TC_WIRETAP, libwiretap for the files libpcap refuses).
 *
 * Several files are read as one stream in timestamp order (a rotated
 * capture: a connection may span files). Every frame is counted, also those
 * the BPF filter rejects, so frame numbers are the ones tcpdump -r and
 * Wireshark show for a single file (for several files: the position in the
 * merged stream, as mergecap would number it).
 *
 * A damaged file does not end the run: its error is recorded with the file
 * name and the frame number where reading stopped, the file is closed, and
 * the other files go on. The caller reports what was read and says where
 * it stopped.
 */
#ifndef TCPCLOSE_SOURCE_H
#define TCPCLOSE_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "output.h" /* struct tc_input_stats */

#define TC_ERRBUF 512

struct tc_frame {
	int64_t ts_ns;
	uint64_t frame;          /* from 1, over the merged stream */
	uint32_t caplen;
	uint32_t wirelen;
	int dlt;
	const uint8_t *data;     /* valid until the next tc_source_next() */
};

struct tc_source;

/*
 * Open the files (all of them: a file that cannot be opened is an error
 * for the whole run, reported in errbuf as "FILE: reason"). `filter` is a
 * tcpdump filter expression or NULL.
 */
struct tc_source *tc_source_open(char *const *files, int nfiles, const char *filter,
				 char errbuf[TC_ERRBUF]);

/* 1: a frame; 0: all files ended. Damaged files end early (see errors). */
int tc_source_next(struct tc_source *s, struct tc_frame *fr);

/*
 * Every remaining frame to fn, in the order tc_source_next() would give
 * them, until fn returns nonzero (then 1 is returned; 0 when all files
 * ended). Cheaper per frame than a tc_source_next() loop on a single
 * file. fr->data is valid during the call only. Do not mix with
 * tc_source_next() after it returns 1.
 */
typedef int (*tc_frame_fn)(const struct tc_frame *fr, void *arg);
int tc_source_each(struct tc_source *s, tc_frame_fn fn, void *arg);

/* Number of read errors so far, and the text of the i-th. */
int tc_source_nerrors(const struct tc_source *s);
const char *tc_source_error(const struct tc_source *s, int i);

/* Bytes consumed and total bytes of the files, for progress (-1 if unknown). */
void tc_source_progress(const struct tc_source *s, int64_t *done, int64_t *total);

/*
 * When the filter rejected VLAN-tagged Ethernet frames that it matches
 * with the tag taken into account: a one-line note (count, and the
 * expression that takes them) in buf, and 1. Otherwise 0.
 */
int tc_source_vlan_note(const struct tc_source *s, char *buf, size_t n);

/*
 * The capture's own counters the files carry (pcapng interface statistics,
 * read as far as the files were read): 1 and *st, or 0 when there are
 * none. Only a build with TC_WIRETAP reads them: libpcap skips those
 * blocks and offers no call for them.
 */
int tc_source_input_stats(const struct tc_source *s, struct tc_input_stats *st);

void tc_source_close(struct tc_source *s);

#endif
