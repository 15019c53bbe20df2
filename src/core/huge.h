/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * huge.h -- memory by the page: huge pages for tables, whole pages for
 * blocks that come and go.
 *
 * Tables the core fills at random (the flow slabs and index, the
 * aggregator's tables and indexes) cost a TLB miss per lookup and a page
 * fault per 4 KiB first written; in 2 MiB pages both are rarer. Advice
 * only: where the kernel has no huge pages, nothing changes, and memory
 * never written stays unmapped either way. Blocks taken and given back in
 * a stream (the closed ring's chunks) are mapped and unmapped whole, so
 * that what is given back leaves the process (tc_alloc_pages).
 */
#ifndef TCPCLOSE_HUGE_H
#define TCPCLOSE_HUGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#define TC_HUGE_PAGE ((size_t)2 << 20)

/* Offer the whole huge pages inside [p, p + n). */
static inline void tc_advise_huge(void *p, size_t n)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
	uintptr_t lo = ((uintptr_t)p + TC_HUGE_PAGE - 1) & ~(uintptr_t)(TC_HUGE_PAGE - 1);
	uintptr_t hi = ((uintptr_t)p + n) & ~(uintptr_t)(TC_HUGE_PAGE - 1);
	if (hi > lo)
		(void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
	(void)p;
	(void)n;
#endif
}

/*
 * n bytes from the allocator, uninitialized, for free(). From half a huge
 * page up they are rounded up to whole huge pages on their boundary and
 * offered as such: a block of that size from malloc straddles huge-page
 * boundaries, so the advice would not take and every 4 KiB page of a table
 * written at random would fault on its own.
 */
static inline void *tc_alloc_huge(size_t n)
{
	void *p = NULL;

	if (n < TC_HUGE_PAGE / 2)
		return malloc(n);
	n = (n + TC_HUGE_PAGE - 1) & ~(TC_HUGE_PAGE - 1);
	if (posix_memalign(&p, TC_HUGE_PAGE, n) != 0)
		return NULL;
	tc_advise_huge(p, n);
	return p;
}

/*
 * n bytes (a multiple of the page size) straight from the kernel, zeroed,
 * for tc_free_pages(); NULL if none. For blocks that come and go in a
 * stream, as the closed-connection ring's chunks do: from malloc they are
 * carved from the heap, where one freed below a live block stays resident
 * (the heap shrinks only from its top) and is reused only by whatever
 * happens to fit. Given back, pages leave the process at once.
 */
static inline void *tc_alloc_pages(size_t n)
{
#if defined(__linux__)
	/* Populated at once: the block is about to be written whole, and one
	 * call faulting its pages in costs less than a fault for each. */
#if defined(MAP_POPULATE)
	int populate = MAP_POPULATE;
#else
	int populate = 0;
#endif
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | populate, -1, 0);
	return p == MAP_FAILED ? NULL : p;
#else
	return calloc(1, n);
#endif
}

static inline void tc_free_pages(void *p, size_t n)
{
#if defined(__linux__)
	if (p)
		(void)munmap(p, n);
#else
	(void)n;
	free(p);
#endif
}

#endif
