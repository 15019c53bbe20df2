/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rotate.h -- the live capture's -w savefile, with tcpdump's rotation.
 *
 * `tcpclose -i IFACE -w FILE` saves every packet the capture delivers
 * (after the BPF filter) while the view or the stream runs. -C, -G and -W
 * rotate the savefile exactly as tcpdump(8) 4.99 does, so a script that
 * handles tcpdump's rotated files handles these:
 *
 *   -C SIZE   before writing a packet, if the current file is larger than
 *             SIZE bytes, close it and open the next: FILE, FILE1, FILE2 ...
 *             SIZE is in millions of bytes (1,000,000), or with a suffix
 *             k/K, m/M, g/G in KiB, MiB, GiB (as newer tcpdump takes).
 *   -G SECS   FILE is a strftime(3) pattern, expanded with the local time
 *             at which the interval began; before writing a packet, if SECS
 *             or more seconds (wall clock) have passed since then, a new
 *             file is opened (on a packet: no packet, no new file).
 *   -W N      with -C: a ring of N files, named with enough leading zeros
 *             for N-1 (FILE0 .. FILE9 for -W 10, FILE00 .. FILE10 for -W 11;
 *             FILE0 is the first); with -G alone: the capture stops when
 *             the N+1-th file would be opened ("maximum file limit
 *             reached"), that packet unwritten; with both: names only.
 *   -G and -C together: FILE<n> within each interval, n back to 0 (or no
 *             number, without -W) at each new interval.
 *
 * The naming and the rotation decision are pure functions (unit-tested in
 * tests/test_rotate.c); the dumper around them owns libpcap's
 * pcap_dumper_t. Files are written with the live handle's link type and
 * snapshot length (pcap_dump_open on the capture handle) and flushed by
 * tc_rotate_flush() after each batch of packets, so a file read while the
 * capture runs is current up to the last batch, and nothing buffered is
 * lost when the capture ends on a signal.
 *
 * Every savefile is opened after privileges are dropped (privdrop.h), as
 * tcpdump does: the -Z user (default "nobody" when started as root) must
 * be able to create them.
 */
#ifndef TCPCLOSE_ROTATE_H
#define TCPCLOSE_ROTATE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct tc_save_opts {
	const char *file; /* -w FILE (a strftime pattern with -G);
	                               NULL: not saving */
	int64_t size;     /* -C, in bytes; 0 = no size rotation */
	int seconds;      /* -G; 0 = no time rotation */
	int count;        /* -W; 0 = none */
};

/* Largest -C, -G and -W taken (-C in bytes: its value times its unit). */
#define TC_ROTATE_SIZE_MAX INT64_MAX
#define TC_ROTATE_SECONDS_MAX 2147483647
#define TC_ROTATE_COUNT_MAX 2147483647

/* ---- pure ----------------------------------------------------------- */

/*
 * -C's argument: a whole number >= 1 of millions of bytes, or of KiB, MiB
 * or GiB with a suffix k/K, m/M, g/G. Returns 0 with *bytes set, or -1
 * (not a number, 0, a fraction, an unknown suffix, too large).
 */
int tc_rotate_parse_size(const char *s, int64_t *bytes);

/* Digits of -W's file numbers: those of count-1 (tcpdump's
 * getWflagChars): 0 for 1 (and no -W), 1 up to 10, 2 up to 100 ... */
int tc_rotate_digits(int count);

/* Where the rotation stands. */
struct tc_rotate_state {
	int64_t gtime;   /* -G: wall-clock second the interval began */
	uint64_t gfiles; /* -G: intervals ended so far */
	int cindex;      /* -C: number of the current file */
};

/* The state of the first file, opened at `now` (wall clock, seconds). */
void tc_rotate_start(struct tc_rotate_state *st, int64_t now);

/*
 * The name of the current file into buf: FILE, strftime-expanded with `tm`
 * (the local time of st->gtime) when -G is on, then its -C number when -C
 * is on and that number or -W's digits are not 0. Returns 0, or -1 when
 * the name is empty or does not fit in n bytes.
 */
int tc_rotate_name(const struct tc_save_opts *o, const struct tc_rotate_state *st,
		   const struct tm *tm, char *buf, size_t n);

enum tc_rotate_step {
	TC_ROTATE_KEEP, /* write to the current file */
	TC_ROTATE_NEXT, /* close it, open tc_rotate_name() (st moved) */
	TC_ROTATE_LIMIT /* -G -W: the file limit is reached: stop */
};

/*
 * Before writing a packet: the current file holds `size` bytes, the wall
 * clock says `now` (seconds). Decides, and moves st to the next file when
 * it says TC_ROTATE_NEXT. -G is looked at first; a file it opens is fresh,
 * so -C does not fire on the same packet.
 */
enum tc_rotate_step tc_rotate_step(const struct tc_save_opts *o, struct tc_rotate_state *st,
				   int64_t size, int64_t now);

/* ---- the dumper ------------------------------------------------------ */

struct tc_rotate;

/*
 * Open the first savefile for packets of capture handle `p` (its link type
 * and snapshot length). NULL with a message in err ("FILE: Permission
 * denied") on failure.
 */
struct pcap;
struct pcap_pkthdr;
struct tc_rotate *tc_rotate_open(struct pcap *p, const struct tc_save_opts *o, char *err,
				 size_t n);

/*
 * Write one packet, rotating first when due. Returns 0; 1 when -G -W's
 * file limit is reached (the packet is not written: stop capturing); -1 on
 * an error (tc_rotate_error(): a write error, a rotated file that cannot
 * be opened), after which nothing more is written.
 */
int tc_rotate_write(struct tc_rotate *r, const struct pcap_pkthdr *h, const unsigned char *bytes);

/* Push what is buffered to the file: 0, or -1 (tc_rotate_error()). */
int tc_rotate_flush(struct tc_rotate *r);

/* Flush and close the current file: 0, or -1 (tc_rotate_error()). */
int tc_rotate_finish(struct tc_rotate *r);

const char *tc_rotate_error(const struct tc_rotate *r);
uint64_t tc_rotate_packets(const struct tc_rotate *r);    /* written, all files */
uint64_t tc_rotate_files(const struct tc_rotate *r);      /* opened, counting reopened names */
const char *tc_rotate_current(const struct tc_rotate *r); /* the last file's name */
int tc_rotate_limited(const struct tc_rotate *r);         /* -G -W stopped it */
void tc_rotate_free(struct tc_rotate *r);

#endif
