/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * source_wtap.h -- capture files that libpcap refuses, read through
 * libwiretap (Wireshark's capture-file library).
 *
 * Built only with -DTC_WIRETAP=ON: libwiretap is GPL-2.0-or-later, so a
 * tcpclose linked with it is distributed under the GPL (README.md).
 *
 * What it promises: every file tshark opens (pcapng whose interfaces differ
 * in link type or snapshot length, gzip/zstd/lz4-compressed captures,
 * snoop, ERF, Windows netmon, ...), one packet at a time, in file order,
 * each with the libpcap link type (DLT_) of its own interface, so the
 * decoder and pcap_compile() see what libpcap would have given them. Every
 * record is numbered as Wireshark numbers it: records that are not packets
 * (systemd journal entries, syscalls, custom blocks) are counted in
 * `skipped` of the packet after them. The file's interface statistics
 * (pcapng ISBs: isb_ifrecv, isb_ifdrop, isb_osdrop) are read as they come.
 *
 * The glib and wiretap types stay inside source_wtap.c.
 */
#ifndef TCPCLOSE_SOURCE_WTAP_H
#define TCPCLOSE_SOURCE_WTAP_H

#include <stddef.h>
#include <stdint.h>

struct tc_wtap;

struct tc_wtap_frame {
	int64_t sec;
	int32_t nsec;
	uint32_t caplen;
	uint32_t wirelen;
	int dlt;             /* the interface's DLT_, -1 if libpcap has none */
	unsigned encap;      /* libwiretap's WTAP_ENCAP_, for messages */
	uint32_t iface;      /* pcapng interface id (0 for other formats) */
	uint64_t skipped;    /* records before this one that are not packets */
	const uint8_t *data; /* valid until the next tc_wtap_next() */
};

/* Interface statistics of a file: the last ISB of each interface, summed
 * over interfaces. A have_* flag is 0 when no ISB carried that option. */
struct tc_wtap_stats {
	int have_ifrecv, have_ifdrop, have_osdrop;
	uint64_t ifrecv, ifdrop, osdrop;
};

/* Open path for sequential reading. NULL with the reason in err (without
 * the file name) if libwiretap cannot read it either. */
struct tc_wtap *tc_wtap_open(const char *path, char *err, size_t n);

/* 1: a packet in *f; 0: the end of the file; -1: a read error, its text
 * (libwiretap's, without the file name) in err. */
int tc_wtap_next(struct tc_wtap *w, struct tc_wtap_frame *f, char *err, size_t n);

/* The file's format ("pcapng", "snoop", ...) and compression ("" or
 * "gzip-compressed " ...), for messages. */
const char *tc_wtap_format(const struct tc_wtap *w);

/* Bytes of the file read so far (compressed bytes for a compressed file). */
int64_t tc_wtap_offset(const struct tc_wtap *w);

/* The statistics seen so far; 0 if the file has none, else 1. ISBs come
 * at the end of a capture: ask before closing. */
int tc_wtap_stats(const struct tc_wtap *w, struct tc_wtap_stats *st);

/* The name of a libwiretap encapsulation ("ether", "linux-sll", ...). */
const char *tc_wtap_encap_name(unsigned encap);

void tc_wtap_close(struct tc_wtap *w);

#endif
