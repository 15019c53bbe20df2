/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flow.h -- the connection table: 4-tuple to connection record, O(1).
 *
 * A hash table keyed by the canonical (direction-independent) 4-tuple and
 * the tunnel it travels in (tc_pkt.tunnel, 0 outside any), so both
 * directions of a connection find the same entry and equal inner 4-tuples
 * of different tunnels do not. Entries come from
 * slabs with a free list: no malloc per connection, and memory returns to
 * the free list, not to the system, so a table that has peaked stays at its
 * peak instead of fragmenting the heap.
 *
 * The index is open addressing over 8-byte slots (32-bit hash, 32-bit
 * record number), at most half full. A lookup reads one slot line and, on
 * a hash match, the record's first line, where the key is; with chaining
 * every candidate cost a pointer chase into a record several cache lines
 * long, and that dominated the per-packet cost on large tables.
 *
 * The hash is keyed with a seed chosen by the caller, so a capture crafted
 * to collide in one run does not collide in the next; the table never
 * orders anything by hash, so output does not depend on the seed.
 *
 * The table only stores; it has no opinion on when an entry goes. The
 * `prev`/`next` links belong to the caller (the engine keeps its idle list
 * there).
 *
 * An index slot names either a record or a frozen connection: a 31-bit
 * handle of the caller's (the engine keeps closed connections frozen,
 * freeze.h), whose record has gone back to the free list. Lookups that
 * meet a frozen entry with the packet's hash ask the caller whether its
 * 4-tuple is the packet's (tc_flowtab_set_frozen_match); the caller then
 * thaws it into a record again with tc_flowtab_thaw().
 */
#ifndef TCPCLOSE_FLOW_H
#define TCPCLOSE_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "tcpclose/conn.h"
#include "tcpclose/decode.h"
#include "prefetch.h"

/*
 * A whole number of cache lines (the alignment rounds the size up): the
 * slabs are 2 MiB-aligned, so every record starts on a line and a
 * packet's lookahead requests the record's lines and no more, not the
 * one more a record straddling line boundaries spans. Every line is one
 * more for each packet to wait on and 64 bytes more per record, which is
 * why the links are record numbers and not pointers, why a closed
 * record's ring handle shares their bytes, and why the index hash is not
 * kept but worked out again from the 4-tuple on the rare calls that need
 * it.
 */
struct tc_flow {
	_Alignas(TC_CACHE_LINE) struct tc_conn conn;
	/* Caller-owned: list links, record numbers + 1 (0: none), or, while
	 * the entry is on none of the caller's lists, a handle of its own
	 * (the engine's closed-ring handle). */
	union {
		struct {
			uint32_t prev;
			uint32_t next;
		};
		uint32_t cold;
	};
	int64_t mark_ts;          /* caller-owned */
	uint32_t recno;           /* table-owned: the record's number (free-list link when free) */
	uint8_t list;             /* caller-owned: which list the entry is on */
	uint8_t used;             /* table-owned: TC_FLOW_USED, TC_FLOW_OWN_END */
	uint8_t cflags;           /* caller-owned: the engine's flags */
};

_Static_assert(sizeof(struct tc_flow) % TC_CACHE_LINE == 0, "a record is not a whole number of cache lines");

/* tc_flow.used */
#define TC_FLOW_USED 0x01
#define TC_FLOW_OWN_END 0x02 /* conn.end is one of the table's (tc_flowtab_end) */

/* Frozen handles are below this. */
#define TC_FLOW_FROZEN_MAX 0x80000000u

struct tc_flowtab;

struct tc_flowtab *tc_flowtab_new(uint64_t seed);

/*
 * f's end record (conn.h), made now if it has none: from the table's
 * own, which it takes back when the record is freed or frozen and hands
 * out again zeroed. A connection takes one at its first FIN or RST and
 * gives it back a few segments later; allocating each from the C library
 * cost more than everything else the end record changed. NULL if memory
 * runs out. An end record the record got otherwise (tc_conn_end_mut, a
 * thaw) stays the record's own and is freed with it.
 */
struct tc_conn_end *tc_flowtab_end(struct tc_flowtab *t, struct tc_flow *f);
/* Is f's end record one of the table's? */
static inline int tc_flowtab_owns_end(const struct tc_flow *f)
{
	return (f->used & TC_FLOW_OWN_END) != 0;
}
/* Bytes the table holds for end records, in use or free for reuse. */
size_t tc_flowtab_end_memory(const struct tc_flowtab *t);
void tc_flowtab_free(struct tc_flowtab *t);

/* The entry for p's 4-tuple, or NULL; *from is set to the sender's role. */
struct tc_flow *tc_flowtab_find(const struct tc_flowtab *t, const struct tc_pkt *p,
				enum tc_role *from);

/*
 * The same in two steps, so a packet that misses and is then added is
 * hashed once: h must be tc_flowtab_hash(t, p).
 */
uint32_t tc_flowtab_hash(const struct tc_flowtab *t, const struct tc_pkt *p);
/* The same hash from a record's 4-tuple and tunnel: what its packets hash to. */
uint32_t tc_flowtab_conn_hash(const struct tc_flowtab *t, const struct tc_conn *c);
struct tc_flow *tc_flowtab_find_h(const struct tc_flowtab *t, const struct tc_pkt *p,
				  uint32_t h, enum tc_role *from);
struct tc_flow *tc_flowtab_add_h(struct tc_flowtab *t, uint32_t h);

/*
 * The same, frozen entries included: returns a record, or NULL with
 * *frozen = handle + 1 if a frozen entry matches (0 if none does). Without
 * a match function set, frozen entries never match.
 */
struct tc_flow *tc_flowtab_lookup(const struct tc_flowtab *t, const struct tc_pkt *p, uint32_t h,
				  enum tc_role *from, uint32_t *frozen);

/*
 * Hints for lookups to come, which never change what a lookup finds: load
 * the index slot h starts at, and (once that slot has arrived) the record
 * it names if its hash is h. The engine issues them a few frames ahead so
 * that the two loads that miss the cache on most packets overlap instead
 * of waiting one after the other.
 */
void tc_flowtab_prefetch_slot(const struct tc_flowtab *t, uint32_t h);
void tc_flowtab_prefetch_rec(const struct tc_flowtab *t, uint32_t h);

/* Does frozen entry `handle` hold p's 4-tuple? If so, *from is the sender's role. */
typedef int (*tc_frozen_match_fn)(void *arg, uint32_t handle, const struct tc_pkt *p,
				  enum tc_role *from);
void tc_flowtab_set_frozen_match(struct tc_flowtab *t, tc_frozen_match_fn fn, void *arg);

/*
 * Make f's index entry name frozen `handle` instead, and recycle f's record
 * (releasing what it owns). The entry stays under its 4-tuple's hash:
 * tc_flowtab_thaw() and tc_flowtab_del_frozen() take that hash (a lookup's,
 * or tc_flowtab_conn_hash() of the record).
 */
void tc_flowtab_freeze(struct tc_flowtab *t, struct tc_flow *f, uint32_t handle);

/*
 * A new zeroed record for frozen entry (h, handle), which names it from then
 * on; the caller fills conn. NULL if memory runs out (the entry stays frozen)
 * or there is no such entry.
 */
struct tc_flow *tc_flowtab_thaw(struct tc_flowtab *t, uint32_t h, uint32_t handle);

/* Remove frozen entry (h, handle) from the index. */
void tc_flowtab_del_frozen(struct tc_flowtab *t, uint32_t h, uint32_t handle);

/*
 * Give the index back, for a table that will only be emptied from now on
 * (the end of the input: its memory is then better spent on sorting what
 * is left). Lookups find nothing after it; tc_flowtab_del() and
 * tc_flowtab_del_frozen() take an entry out without looking for it, so
 * the caller answers for its being there; adds, freezes and thaws do
 * nothing. Records, counts and tc_flowtab_foreach() are as before.
 */
void tc_flowtab_drop_index(struct tc_flowtab *t);

/* Record number n (f->recno), which must be in use. */
struct tc_flow *tc_flowtab_record(const struct tc_flowtab *t, uint32_t recno);

/*
 * A 64-bit keyed hash of c's 4-tuple and tunnel, direction-independent and
 * independent of the index hash: what the engine keeps of a connection in
 * TIME_WAIT after its record is gone (tuple-reuse detection).
 */
uint64_t tc_flowtab_key64(const struct tc_flowtab *t, const struct tc_conn *c);
/* The same key for the connection p belongs to, from either direction. */
uint64_t tc_flowtab_pkt_key64(const struct tc_flowtab *t, const struct tc_pkt *p);

/*
 * A new zeroed entry hashed under p's 4-tuple; the caller fills conn with
 * that same 4-tuple (tc_sm_init). NULL if memory runs out.
 */
struct tc_flow *tc_flowtab_add(struct tc_flowtab *t, const struct tc_pkt *p);

/*
 * Unlink and recycle an entry, releasing what its record owns
 * (tc_conn_release). This and tc_flowtab_freeze() find f's index slot by
 * the hash of the 4-tuple in f->conn, so conn must hold the one f was
 * added under (in either direction); the slot is searched for whole if
 * it does not, so a caller that broke that costs time, not the table.
 */
void tc_flowtab_del(struct tc_flowtab *t, struct tc_flow *f);

/* Entries in the index, frozen ones included. */
size_t tc_flowtab_count(const struct tc_flowtab *t);
/* Records in use (entries not frozen). */
size_t tc_flowtab_records(const struct tc_flowtab *t);
/* Bytes of the index alone. */
size_t tc_flowtab_index_memory(const struct tc_flowtab *t);

/* Slots the longest lookup probes: the cost of the worst lookup. */
size_t tc_flowtab_longest_chain(const struct tc_flowtab *t);

/* Bytes the table holds from the allocator (slabs + buckets). */
size_t tc_flowtab_memory(const struct tc_flowtab *t);

/* Every record in use (frozen entries are not records). */
void tc_flowtab_foreach(const struct tc_flowtab *t,
			void (*fn)(struct tc_flow *f, void *arg), void *arg);

#endif
