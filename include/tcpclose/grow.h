/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * grow.h -- room in a growing array, the one way the tree does it.
 *
 * Arrays that grow one element at a time (findings, the TIME_WAIT heap,
 * slab lists, line references, kept connections) double their capacity
 * when full, so n additions cost O(n) copies in all. What each copy of
 * that code used to leave out is here once: the size product checked for
 * overflow, and the array left as it was when memory runs out.
 */
#ifndef TCPCLOSE_GROW_H
#define TCPCLOSE_GROW_H

#include <stdint.h>
#include <stdlib.h>

/*
 * Room for `need` (>= 1) elements of `elem` bytes in arr, whose capacity
 * is *cap elements: arr itself if it has it, else arr reallocated to the
 * first power-of-two multiple of its capacity (of `first` for an empty
 * one) that holds them, with *cap updated. NULL if memory runs out or the
 * size does not fit a size_t: arr and *cap are then unchanged and arr
 * still belongs to the caller.
 */
static inline void *tc_grow(void *arr, size_t *cap, size_t need, size_t elem, size_t first)
{
	size_t nc = *cap;
	void *p;

	if (need <= *cap)
		return arr;
	if (!nc)
		nc = first ? first : 1;
	while (nc < need) {
		if (nc > SIZE_MAX / 2)
			return NULL;
		nc *= 2;
	}
	if (elem && nc > SIZE_MAX / elem)
		return NULL;
	if (!(p = realloc(arr, nc * elem)))
		return NULL;
	*cap = nc;
	return p;
}

#endif
