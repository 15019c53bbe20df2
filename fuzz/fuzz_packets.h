/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_packets.h -- the input format of fuzz_packets, shared with the seed
 * extractor (pcap2frames.c). The format itself is described at the top of
 * fuzz_packets.c.
 */
#ifndef TC_FUZZ_PACKETS_H
#define TC_FUZZ_PACKETS_H

#include "tcpclose/decode.h"

/* Byte 0 (and the per-frame link byte) index this table, mod its size.
 * The last two are link types the decoder does not know. Append only:
 * reordering would change what every saved input means. */
static const int fp_links[] = {
	TC_DLT_EN10MB, TC_DLT_LINUX_SLL, TC_DLT_LINUX_SLL2, TC_DLT_RAW,
	TC_DLT_IPV4, TC_DLT_IPV6, TC_DLT_NULL, TC_DLT_LOOP,
	TC_DLT_RAW_BSD, TC_DLT_LINKTYPE_RAW,
	147 /* DLT_USER0 */, -1,
};
#define FP_NLINKS (sizeof(fp_links) / sizeof(fp_links[0]))

/* Options byte (byte 1). */
#define FP_OPT_MAXCONNS(i) ((i) & 7)        /* 1 2 3 4 8 16 64 default */
#define FP_OPT_LINGER(i) (((i) & 3) << 3)   /* 0, 1 ms, 1 s, default */
#define FP_OPT_WILD_TIME 0x20
#define FP_OPT_FRAME_DLT 0x40
#define FP_OPT_AGG_SMALL 0x80

#define FP_MAX_FRAME 0x7fff
#define FP_DT_UNIT_NS 10000000LL            /* 10 ms */

#endif
