/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * prefetch.h -- asking for a range of memory ahead of its use.
 *
 * The core's lookahead (the engine's queue of decoded frames, the closed
 * ring's head, the connections left at the end) requests whole byte
 * ranges: a record, an entry. TC_PREFETCH_RANGE does it one cache line at
 * a time.
 *
 * A prefetch changes nothing a program can observe, so to an optimizer a
 * loop that only prefetches is a loop with no effect: GCC deletes it
 * (seen with -O3 and link-time optimization: the closed ring's lookahead
 * was gone from the binary). TC_PREFETCH_KEEP() puts an empty volatile
 * asm statement beside each request: the compiler must run it as often as
 * it is written, so the loop stays, and it costs no instruction. (One that
 * took the address as an operand kept the loop too, but made the compiler
 * form each address in a register: 0.2% more instructions in all.)
 * `objdump -d tcpclose | grep prefetch` shows the requests in the
 * functions that make them.
 *
 * A macro rather than a function: __builtin_prefetch's read/write hint
 * must be a constant.
 */
#ifndef TCPCLOSE_PREFETCH_H
#define TCPCLOSE_PREFETCH_H

#include <stddef.h>

/* The line size the layout assumes (flow.h keeps records whole lines). */
#define TC_CACHE_LINE 64

#if defined(__GNUC__) || defined(__clang__)
#define TC_PREFETCH_KEEP() __asm__ __volatile__("")
#else
#define TC_PREFETCH_KEEP() ((void)0)
#endif

/* Request the lines of [p, p + len), rw 0 to read, 1 to write. Lines are
 * counted from p: of a range that does not start on one, the last line
 * may go unrequested. */
#define TC_PREFETCH_RANGE(p, len, rw)                                                  \
	do {                                                                           \
		const char *tc_pf_p_ = (const char *)(p);                              \
		size_t tc_pf_len_ = (len), tc_pf_o_;                                   \
		for (tc_pf_o_ = 0; tc_pf_o_ < tc_pf_len_; tc_pf_o_ += TC_CACHE_LINE) { \
			__builtin_prefetch(tc_pf_p_ + tc_pf_o_, (rw));                 \
			TC_PREFETCH_KEEP();                                            \
		}                                                                      \
	} while (0)

#endif
