/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_flow.c -- unit tests for the connection table (src/core/flow.c).
 *
 * Covers what flow.h promises: both directions of a 4-tuple find the same
 * entry and report the sender's role; the address family, each address and
 * each port are part of the key; deleted entries are not found and their
 * memory is recycled (the table stays at its peak); the table grows far past
 * its initial buckets without losing entries; tc_flowtab_foreach visits
 * every entry once even when the callback deletes it; caller-owned fields
 * are left alone; and the seed changes nothing a caller can observe.
 *
 * Entries are filled the way tc_sm_init() fills them (the sender's endpoint
 * is ep[role]), but without the state machine, so that only flow.c is under
 * test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "flow.h"

/* ---- helpers ------------------------------------------------------------ */

static struct tc_pkt pkt4(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport)
{
	struct tc_pkt p;

	memset(&p, 0, sizeof p);
	p.af = 4;
	p.src[0] = (uint8_t)(src >> 24);
	p.src[1] = (uint8_t)(src >> 16);
	p.src[2] = (uint8_t)(src >> 8);
	p.src[3] = (uint8_t)src;
	p.dst[0] = (uint8_t)(dst >> 24);
	p.dst[1] = (uint8_t)(dst >> 16);
	p.dst[2] = (uint8_t)(dst >> 8);
	p.dst[3] = (uint8_t)dst;
	p.sport = sport;
	p.dport = dport;
	return p;
}

/* 2001:db8::<hi>:<lo> style addresses: the low 32 bits vary. */
static struct tc_pkt pkt6(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport)
{
	struct tc_pkt p = pkt4(0, sport, 0, dport);
	int i;

	p.af = 6;
	p.src[0] = p.dst[0] = 0x20;
	p.src[1] = p.dst[1] = 0x01;
	p.src[2] = p.dst[2] = 0x0d;
	p.src[3] = p.dst[3] = 0xb8;
	for (i = 0; i < 4; i++) {
		p.src[12 + i] = (uint8_t)(src >> (24 - 8 * i));
		p.dst[12 + i] = (uint8_t)(dst >> (24 - 8 * i));
	}
	return p;
}

static struct tc_pkt reversed(const struct tc_pkt *p)
{
	struct tc_pkt r = *p;

	memcpy(r.src, p->dst, 16);
	memcpy(r.dst, p->src, 16);
	r.sport = p->dport;
	r.dport = p->sport;
	return r;
}

/* Fill the entry as tc_sm_init() does: the sender of p is `role`. */
static void fill(struct tc_flow *f, const struct tc_pkt *p, enum tc_role role)
{
	f->conn.af = p->af;
	f->conn.tunnel = p->tunnel;
	memcpy(f->conn.ep[role].addr, p->src, 16);
	f->conn.ep[role].port = p->sport;
	memcpy(f->conn.ep[!role].addr, p->dst, 16);
	f->conn.ep[!role].port = p->dport;
}

static struct tc_flow *add(struct tc_flowtab *t, const struct tc_pkt *p, enum tc_role role)
{
	struct tc_flow *f = tc_flowtab_add(t, p);

	assert_non_null(f);
	fill(f, p, role);
	return f;
}

/* find() must return `want`; when it does, *from must be `role`. */
static void expect_find(const struct tc_flowtab *t, const struct tc_pkt *p,
			const struct tc_flow *want, enum tc_role role)
{
	enum tc_role from = (enum tc_role)77;
	struct tc_flow *f = tc_flowtab_find(t, p, &from);

	assert_ptr_equal(f, want);
	assert_int_equal(from, role);
}

static void expect_missing(const struct tc_flowtab *t, const struct tc_pkt *p)
{
	enum tc_role from = TC_CLIENT;

	assert_null(tc_flowtab_find(t, p, &from));
}

/* Tuple number i of a large family: distinct for every i < 2^24. */
static struct tc_pkt nth(uint32_t i)
{
	uint32_t client = 0x0a000000u | (i >> 8);          /* 10.x.y.z */
	uint16_t port = (uint16_t)(32768 + (i & 0xff));
	struct tc_pkt p;

	if (i % 3 == 2)
		p = pkt6(client, port, 0xc0000201u, 443);
	else
		p = pkt4(client, port, 0xc0000201u, (uint16_t)(i % 3 ? 443 : 80));
	return p;
}

/* ---- tests -------------------------------------------------------------- */

static void test_new_table_is_empty(void **state)
{
	struct tc_flowtab *t = tc_flowtab_new(1);
	struct tc_pkt p = pkt4(0x0a000001, 40000, 0x0a000002, 80);

	(void)state;
	assert_non_null(t);
	assert_int_equal(tc_flowtab_count(t), 0);
	assert_true(tc_flowtab_memory(t) > 0);
	expect_missing(t, &p);
	tc_flowtab_free(t);
	tc_flowtab_free(NULL); /* allowed, like free() */
}

static void test_find_both_directions(void **state)
{
	struct tc_flowtab *t = tc_flowtab_new(42);
	struct tc_pkt c2s = pkt4(0xc000020a, 51514, 0xcb007105, 443);
	struct tc_pkt s2c = reversed(&c2s);
	struct tc_flow *f;

	(void)state;
	f = add(t, &c2s, TC_CLIENT);
	assert_int_equal(tc_flowtab_count(t), 1);
	expect_find(t, &c2s, f, TC_CLIENT);
	expect_find(t, &s2c, f, TC_SERVER);
	/* Added from the other side's packet (first packet a SYN+ACK): the
	 * role comes from the entry, not from which packet created it. */
	tc_flowtab_del(t, f);
	f = add(t, &s2c, TC_SERVER);
	expect_find(t, &c2s, f, TC_CLIENT);
	expect_find(t, &s2c, f, TC_SERVER);
	tc_flowtab_free(t);
}

static void test_find_both_directions_v6(void **state)
{
	struct tc_flowtab *t = tc_flowtab_new(7);
	struct tc_pkt c2s = pkt6(0x0000000a, 51514, 0x00000005, 443);
	struct tc_pkt s2c = reversed(&c2s);
	struct tc_flow *f;

	(void)state;
	f = add(t, &c2s, TC_CLIENT);
	expect_find(t, &c2s, f, TC_CLIENT);
	expect_find(t, &s2c, f, TC_SERVER);
	tc_flowtab_free(t);
}

/*
 * The tombstone key worked out from a segment, in either direction, is the
 * connection's (the engine fetches a tombstone's index slot by it before
 * the connection exists); another port, family or tunnel gives another.
 */
static void test_pkt_key64_is_the_connections(void **state)
{
	struct tc_flowtab *t = tc_flowtab_new(11);
	struct tc_pkt v4 = pkt4(0x0a000001, 40000, 0x0a000002, 80);
	struct tc_pkt v6 = pkt6(0x0000000a, 51514, 0x00000005, 443);
	struct tc_pkt other = pkt4(0x0a000001, 40001, 0x0a000002, 80);
	struct tc_pkt r;
	struct tc_flow *f, *g;
	uint64_t k4;

	(void)state;
	f = add(t, &v4, TC_CLIENT);
	g = add(t, &v6, TC_CLIENT);
	k4 = tc_flowtab_key64(t, &f->conn);
	assert_true(tc_flowtab_pkt_key64(t, &v4) == k4);
	r = reversed(&v4);
	assert_true(tc_flowtab_pkt_key64(t, &r) == k4);
	r = reversed(&v6);
	assert_true(tc_flowtab_pkt_key64(t, &r) == tc_flowtab_key64(t, &g->conn));
	assert_true(tc_flowtab_pkt_key64(t, &other) != k4);
	r = v4;
	r.tunnel = 5;
	assert_true(tc_flowtab_pkt_key64(t, &r) != k4);
	tc_flowtab_free(t);
}

/* Loopback: both ends share the address, only the ports tell them apart. */
static void test_same_address_both_ends(void **state)
{
	struct tc_flowtab *t = tc_flowtab_new(3);
	struct tc_pkt a = pkt4(0x7f000001, 45678, 0x7f000001, 40001);
	struct tc_pkt b = reversed(&a);
	struct tc_pkt other = pkt4(0x7f000001, 45679, 0x7f000001, 40001);
	struct tc_flow *f, *g;

	(void)state;
	f = add(t, &a, TC_CLIENT);
	expect_find(t, &a, f, TC_CLIENT);
	expect_find(t, &b, f, TC_SERVER);
	expect_missing(t, &other);
	g = add(t, &other, TC_CLIENT);
	assert_ptr_not_equal(f, g);
	expect_find(t, &a, f, TC_CLIENT);
	expect_find(t, &other, g, TC_CLIENT);
	/* Ports swapped between the two sides with the same address is the
	 * same connection seen backwards. */
	expect_find(t, &b, f, TC_SERVER);
	tc_flowtab_free(t);
}

static void test_family_is_part_of_key(void **state)
{
	struct tc_flowtab *t = tc_flowtab_new(11);
	/* Byte-identical src/dst/ports: 10.0.0.1 and 0a00:0001:: as IPv6. */
	struct tc_pkt v4 = pkt4(0x0a000001, 40000, 0x0a000002, 80);
	struct tc_pkt v6 = v4;
	struct tc_flow *f4, *f6;

	(void)state;
	v6.af = 6;
	f4 = add(t, &v4, TC_CLIENT);
	expect_missing(t, &v6);
	{
		struct tc_pkt r6 = reversed(&v6);
		expect_missing(t, &r6);
	}
	f6 = add(t, &v6, TC_CLIENT);
	assert_ptr_not_equal(f4, f6);
	assert_int_equal(tc_flowtab_count(t), 2);
	expect_find(t, &v4, f4, TC_CLIENT);
	expect_find(t, &v6, f6, TC_CLIENT);
	tc_flowtab_del(t, f4);
	expect_missing(t, &v4);
	expect_find(t, &v6, f6, TC_CLIENT);
	tc_flowtab_free(t);
}

static void test_ports_and_addresses_are_part_of_key(void **state)
{
	struct tc_flowtab *t = tc_flowtab_new(5);
	struct tc_pkt base = pkt4(0x0a000001, 1000, 0x0a000002, 2000);
	struct tc_pkt q;
	struct tc_flow *f;
	int i;

	(void)state;
	f = add(t, &base, TC_CLIENT);

	q = base;
	q.sport = 1001;
	expect_missing(t, &q);
	q = base;
	q.dport = 2001;
	expect_missing(t, &q);
	/* Ports exchanged but addresses not: a different connection. */
	q = base;
	q.sport = 2000;
	q.dport = 1000;
	expect_missing(t, &q);
	/* Every single-byte change of either address (including the bytes an
	 * IPv4 address leaves zero) is a different tuple. */
	for (i = 0; i < 16; i++) {
		q = base;
		q.src[i] ^= 0x01;
		expect_missing(t, &q);
		q = base;
		q.dst[i] ^= 0x80;
		expect_missing(t, &q);
	}
	expect_find(t, &base, f, TC_CLIENT);

	/* Same addresses, different ports: independent entries. */
	for (i = 0; i < 100; i++) {
		q = base;
		q.sport = (uint16_t)(1001 + i);
		add(t, &q, TC_CLIENT);
	}
	assert_int_equal(tc_flowtab_count(t), 101);
	expect_find(t, &base, f, TC_CLIENT);
	for (i = 0; i < 100; i++) {
		enum tc_role from;
		struct tc_flow *g;
		q = base;
		q.sport = (uint16_t)(1001 + i);
		g = tc_flowtab_find(t, &q, &from);
		assert_non_null(g);
		assert_ptr_not_equal(g, f);
		assert_int_equal(g->conn.ep[TC_CLIENT].port, 1001 + i);
	}
	tc_flowtab_free(t);
}

static void test_delete_then_find_fails(void **state)
{
	struct tc_flowtab *t = tc_flowtab_new(9);
	struct tc_pkt a = pkt4(0x0a000001, 40000, 0x0a000002, 80);
	struct tc_pkt b = pkt4(0x0a000001, 40001, 0x0a000002, 80);
	struct tc_pkt ra = reversed(&a);
	struct tc_flow *fa, *fb;
	size_t mem;

	(void)state;
	fa = add(t, &a, TC_CLIENT);
	fb = add(t, &b, TC_CLIENT);
	mem = tc_flowtab_memory(t);
	tc_flowtab_del(t, fa);
	assert_int_equal(tc_flowtab_count(t), 1);
	expect_missing(t, &a);
	expect_missing(t, &ra);
	expect_find(t, &b, fb, TC_CLIENT);
	/* Memory goes to the free list, not back to the system. */
	assert_int_equal(tc_flowtab_memory(t), mem);

	/* Re-adding the same tuple gives a new, zeroed entry. */
	fa = add(t, &a, TC_CLIENT);
	expect_find(t, &a, fa, TC_CLIENT);
	expect_find(t, &ra, fa, TC_SERVER);
	assert_int_equal(tc_flowtab_count(t), 2);
	assert_int_equal(tc_flowtab_memory(t), mem);
	tc_flowtab_free(t);
}

/*
 * The record keeps no index hash: a delete or a freeze works it out from
 * the 4-tuple in conn, from either direction (the engine may store the
 * endpoints the other way round from the packet that added the entry).
 * A caller that changed the 4-tuple gets the entry found the slow way,
 * not a stale slot naming a recycled record.
 */
static void test_delete_by_the_records_tuple(void **state)
{
	struct tc_flowtab *t = tc_flowtab_new(21);
	struct tc_pkt a = pkt4(0x0a000001, 40000, 0x0a000002, 80);
	struct tc_pkt b = pkt4(0x0a000001, 40001, 0x0a000002, 80);
	struct tc_pkt c = pkt6(0x0a000005, 40002, 0x0a000006, 443);
	struct tc_flow *fa, *fb, *fc;
	uint32_t i;

	(void)state;
	fa = add(t, &a, TC_SERVER); /* stored reversed */
	fb = add(t, &b, TC_CLIENT);
	fc = add(t, &c, TC_CLIENT);
	/* Enough others that a slot searched for under a wrong hash would
	 * meet other runs. */
	for (i = 0; i < 5000; i++) {
		struct tc_pkt q = nth(i);
		add(t, &q, TC_CLIENT);
	}
	tc_flowtab_del(t, fa);
	expect_missing(t, &a);
	assert_int_equal(tc_flowtab_count(t), 5002);

	/* The caller broke the contract: b's record now holds another port. */
	fb->conn.ep[TC_CLIENT].port = 51234;
	tc_flowtab_del(t, fb);
	assert_int_equal(tc_flowtab_count(t), 5001);
	expect_missing(t, &b);
	/* Its record is reused, and nothing else names it. */
	fa = add(t, &a, TC_CLIENT);
	fb = add(t, &b, TC_CLIENT);
	assert_ptr_not_equal(fa, fb);
	expect_find(t, &a, fa, TC_CLIENT);
	expect_find(t, &b, fb, TC_CLIENT);
	expect_find(t, &c, fc, TC_CLIENT);

	/* A freeze finds the slot the same way: the 4-tuple then names the
	 * frozen handle under the hash a lookup computes. */
	tc_flowtab_freeze(t, fc, 7);
	tc_flowtab_del_frozen(t, tc_flowtab_hash(t, &c), 7);
	assert_int_equal(tc_flowtab_count(t), 5002);
	expect_missing(t, &c);
	tc_flowtab_free(t);
}

/*
 * Records are whole cache lines, each starting on one (flow.h), and a
 * record taken from the free list gets its own number back: the free list
 * links through that field.
 */
static void test_records_line_aligned_and_numbered(void **state)
{
	struct tc_flowtab *t = tc_flowtab_new(22);
	struct tc_flow *f;
	uint32_t i;

	(void)state;
	assert_int_equal(sizeof(struct tc_flow) % 64, 0);
	for (i = 0; i < 12000; i++) {
		struct tc_pkt q = nth(i);
		f = add(t, &q, TC_CLIENT);
		assert_int_equal((uintptr_t)f % 64, 0);
		assert_ptr_equal(tc_flowtab_record(t, f->recno), f);
	}
	for (i = 0; i < 12000; i += 2) {
		struct tc_pkt q = nth(i);
		enum tc_role from;
		tc_flowtab_del(t, tc_flowtab_find(t, &q, &from));
	}
	for (i = 0; i < 12000; i += 2) {
		struct tc_pkt q = nth(i);
		f = add(t, &q, TC_CLIENT);
		assert_ptr_equal(tc_flowtab_record(t, f->recno), f);
		expect_find(t, &q, f, TC_CLIENT);
	}
	assert_int_equal(tc_flowtab_records(t), 12000);
	tc_flowtab_free(t);
}

/*
 * A table whose index was given back (the end of the input) only empties:
 * nothing is found or added, a freeze or thaw does nothing, and entries
 * and frozen entries are taken out and counted down without a lookup.
 */
static void test_dropped_index_only_empties(void **state)
{
	struct tc_flowtab *t = tc_flowtab_new(9);
	struct tc_pkt a = pkt4(0x0a000001, 40000, 0x0a000002, 80);
	struct tc_pkt b = pkt4(0x0a000001, 40001, 0x0a000002, 80);
	struct tc_pkt c = pkt4(0x0a000001, 40002, 0x0a000002, 80);
	struct tc_flow *fa, *fb, *fc;
	uint32_t hc = tc_flowtab_hash(t, &c);

	(void)state;
	fa = add(t, &a, TC_CLIENT);
	fb = add(t, &b, TC_CLIENT);
	fc = add(t, &c, TC_CLIENT);
	tc_flowtab_freeze(t, fc, 7); /* c is frozen: an entry, no record */
	assert_int_equal(tc_flowtab_count(t), 3);
	assert_int_equal(tc_flowtab_records(t), 2);
	assert_true(tc_flowtab_index_memory(t) > 0);

	tc_flowtab_drop_index(t);
	assert_int_equal(tc_flowtab_index_memory(t), 0);
	assert_int_equal(tc_flowtab_count(t), 3);
	expect_missing(t, &a);
	assert_null(tc_flowtab_add(t, &c));
	assert_null(tc_flowtab_thaw(t, hc, 7));
	tc_flowtab_freeze(t, fa, 8); /* does nothing: fa stays a record */
	assert_int_equal(tc_flowtab_records(t), 2);
	assert_int_equal(fa->used, 1);

	tc_flowtab_del(t, fa);
	assert_int_equal(tc_flowtab_count(t), 2);
	assert_int_equal(tc_flowtab_records(t), 1);
	tc_flowtab_del_frozen(t, hc, 7);
	assert_int_equal(tc_flowtab_count(t), 1);
	tc_flowtab_del_frozen(t, hc, 7); /* no frozen entry is left to count */
	assert_int_equal(tc_flowtab_count(t), 1);
	tc_flowtab_del(t, fb);
	assert_int_equal(tc_flowtab_count(t), 0);
	assert_int_equal(tc_flowtab_records(t), 0);
	tc_flowtab_drop_index(t); /* twice: nothing */
	tc_flowtab_free(t);
}

/* A recycled entry comes back zeroed, whatever the caller left in it. */
/*
 * The table's end records: one per record that asks, zeroed, the same one
 * asked twice; taken back when the record is deleted or frozen and handed
 * out again zeroed; a record's own (tc_conn_end_mut) is freed with it, not
 * taken; those still out when the table goes are freed with it (LSan and
 * valgrind check); their memory is counted in whole chunks.
 */
static void test_end_records_reused(void **state)
{
	struct tc_flowtab *t = tc_flowtab_new(3);
	struct tc_pkt a = nth(1), b = nth(2), c = nth(3), d = nth(4);
	struct tc_flow *fa, *fb, *fc, *fd;
	struct tc_conn_end *ea, *eb;
	size_t mem;
	(void)state;

	assert_int_equal(tc_flowtab_end_memory(t), 0);
	fa = add(t, &a, TC_CLIENT);
	fb = add(t, &b, TC_CLIENT);
	assert_null(fa->conn.end);
	ea = tc_flowtab_end(t, fa);
	assert_non_null(ea);
	assert_ptr_equal(fa->conn.end, ea);
	assert_true(tc_flowtab_owns_end(fa));
	assert_ptr_equal(tc_flowtab_end(t, fa), ea); /* asked twice: the same */
	mem = tc_flowtab_end_memory(t);
	assert_true(mem >= 256 * sizeof(struct tc_conn_end));
	eb = tc_flowtab_end(t, fb);
	assert_true(eb != ea);
	assert_int_equal(tc_flowtab_end_memory(t), mem); /* same chunk */
	ea->frame_rst = 77;
	ea->ep[1].fins = 3;
	/* Deleted: its end record goes back and comes out again zeroed. */
	tc_flowtab_del(t, fa);
	fc = add(t, &c, TC_CLIENT);
	assert_ptr_equal(tc_flowtab_end(t, fc), ea);
	assert_int_equal(ea->frame_rst, 0);
	assert_int_equal(ea->ep[1].fins, 0);
	/* Frozen: the same. */
	tc_flowtab_freeze(t, fc, 5);
	fd = add(t, &d, TC_CLIENT);
	assert_ptr_equal(tc_flowtab_end(t, fd), ea);
	tc_flowtab_del(t, fd);
	/* A record's own end record is not the table's: freed with it. */
	fa = add(t, &a, TC_CLIENT);
	assert_non_null(tc_conn_end_mut(&fa->conn));
	assert_false(tc_flowtab_owns_end(fa));
	assert_ptr_equal(tc_flowtab_end(t, fa), fa->conn.end);
	assert_false(tc_flowtab_owns_end(fa));
	tc_flowtab_del(t, fa);
	/* fb still holds one of the table's: freed with the table. */
	tc_flowtab_free(t);
}

static void test_recycled_entry_is_zeroed(void **state)
{
	struct tc_flowtab *t = tc_flowtab_new(10);
	struct tc_pkt a = pkt4(0x0a000001, 40000, 0x0a000002, 80);
	struct tc_pkt b = pkt4(0x0a000003, 40000, 0x0a000004, 80);
	struct tc_flow *f, zero;
	int i;

	(void)state;
	memset(&zero, 0, sizeof zero);
	/* Churn so that whichever entry comes back has been used before. */
	for (i = 0; i < 3000; i++) {
		struct tc_pkt q = nth((uint32_t)i);
		f = add(t, &q, TC_CLIENT);
		memset(&f->conn, 0xa5, sizeof f->conn);
		/* An owned pointer cannot be garbage: some own a real
		 * extension, which del must free (LSan and valgrind check). */
		f->conn.x = NULL;
		f->conn.end = NULL;
		if (i % 3 == 0)
			assert_non_null(tc_conn_ext_mut(&f->conn));
		if (i % 5 == 0)
			assert_non_null(tc_conn_end_mut(&f->conn));
		fill(f, &q, TC_CLIENT);
		f->conn.id = 0xdeadbeef;
		f->conn.cflags = 0xff;
		memset(f->conn.history, 'x', sizeof f->conn.history);
		f->prev = f->next = 0xdeadbeef;
		f->mark_ts = -1;
		f->list = 3;
	}
	for (i = 0; i < 3000; i++) {
		enum tc_role from;
		struct tc_pkt q = nth((uint32_t)i);
		f = tc_flowtab_find(t, &q, &from);
		assert_non_null(f);
		tc_flowtab_del(t, f);
	}
	assert_int_equal(tc_flowtab_count(t), 0);
	for (i = 0; i < 3000; i++) {
		struct tc_pkt q = (i & 1) ? a : b;
		q.sport = (uint16_t)(1 + i);
		f = tc_flowtab_add(t, &q);
		assert_non_null(f);
		assert_memory_equal(&f->conn, &zero.conn, sizeof f->conn);
		assert_int_equal(f->prev, 0);
		assert_int_equal(f->next, 0);
		assert_int_equal(f->mark_ts, 0);
		assert_int_equal(f->list, 0);
		fill(f, &q, TC_CLIENT);
	}
	tc_flowtab_free(t);
}

/* The table stays at its peak: deleting and re-adding never allocates. */
static void test_memory_recycled_at_peak(void **state)
{
	struct tc_flowtab *t = tc_flowtab_new(0x1234);
	size_t empty, peak;
	uint32_t i;
	const uint32_t n = 5000;

	(void)state;
	empty = tc_flowtab_memory(t);
	for (i = 0; i < n; i++) {
		struct tc_pkt q = nth(i);
		size_t before = tc_flowtab_memory(t);
		add(t, &q, TC_CLIENT);
		assert_true(tc_flowtab_memory(t) >= before); /* never shrinks on add */
		assert_int_equal(tc_flowtab_count(t), i + 1);
	}
	peak = tc_flowtab_memory(t);
	/* 5000 entries cannot fit in the memory of an empty table. */
	assert_true(peak >= empty + (size_t)n * sizeof(struct tc_flow));

	for (i = 0; i < n; i++) {
		enum tc_role from;
		struct tc_pkt q = nth(i);
		struct tc_flow *f = tc_flowtab_find(t, &q, &from);
		assert_non_null(f);
		tc_flowtab_del(t, f);
		assert_int_equal(tc_flowtab_count(t), n - i - 1);
		assert_int_equal(tc_flowtab_memory(t), peak);
	}
	/* A different set of n tuples reuses the same memory. */
	for (i = 0; i < n; i++) {
		struct tc_pkt q = nth(i + 1000000);
		add(t, &q, TC_CLIENT);
		assert_int_equal(tc_flowtab_memory(t), peak);
	}
	for (i = 0; i < n; i++) {
		struct tc_pkt q = nth(i + 1000000), old = nth(i);
		enum tc_role from;
		assert_non_null(tc_flowtab_find(t, &q, &from));
		expect_missing(t, &old);
	}
	tc_flowtab_free(t);
}

/* Far past the initial 1024 buckets: every entry still found, both ways. */
static void test_grow_large(void **state)
{
	const uint32_t n = 50000;
	struct tc_flowtab *t = tc_flowtab_new(0xfeedface);
	struct tc_flow **ent = calloc(n, sizeof *ent);
	uint32_t i;

	(void)state;
	assert_non_null(ent);
	for (i = 0; i < n; i++) {
		struct tc_pkt q = nth(i);
		/* Every 5th entry was created from the server's packet. */
		if (i % 5 == 0) {
			struct tc_pkt r = reversed(&q);
			ent[i] = add(t, &r, TC_SERVER);
		} else {
			ent[i] = add(t, &q, TC_CLIENT);
		}
		ent[i]->conn.id = i + 1;
	}
	assert_int_equal(tc_flowtab_count(t), n);
	for (i = 0; i < n; i++) {
		struct tc_pkt q = nth(i), r = reversed(&q);
		expect_find(t, &q, ent[i], TC_CLIENT);
		expect_find(t, &r, ent[i], TC_SERVER);
		assert_int_equal(ent[i]->conn.id, i + 1);
	}
	/* Tuples never added are not found. */
	for (i = n; i < n + 5000; i++) {
		struct tc_pkt q = nth(i);
		expect_missing(t, &q);
	}
	/* Delete the even ones; the odd ones survive. */
	for (i = 0; i < n; i += 2)
		tc_flowtab_del(t, ent[i]);
	assert_int_equal(tc_flowtab_count(t), n / 2);
	for (i = 0; i < n; i++) {
		struct tc_pkt q = nth(i), r = reversed(&q);
		if (i % 2 == 0) {
			expect_missing(t, &q);
			expect_missing(t, &r);
		} else {
			expect_find(t, &q, ent[i], TC_CLIENT);
			expect_find(t, &r, ent[i], TC_SERVER);
			assert_int_equal(ent[i]->conn.id, i + 1);
		}
	}
	free(ent);
	tc_flowtab_free(t);
}

/* The table never touches prev/next/mark_ts/list, even when it grows. */
static void test_caller_fields_untouched(void **state)
{
	struct tc_flowtab *t = tc_flowtab_new(77);
	struct tc_flow *keep[10];
	uint32_t i;

	(void)state;
	for (i = 0; i < 10; i++) {
		struct tc_pkt q = nth(i);
		keep[i] = add(t, &q, TC_CLIENT);
	}
	for (i = 0; i < 10; i++) {
		keep[i]->prev = keep[(i + 9) % 10]->recno + 1;
		keep[i]->next = keep[(i + 1) % 10]->recno + 1;
		keep[i]->mark_ts = (int64_t)i * 1000000007;
		keep[i]->list = (uint8_t)(i + 1);
	}
	for (i = 10; i < 20000; i++) {
		struct tc_pkt q = nth(i);
		add(t, &q, TC_CLIENT);
	}
	for (i = 10; i < 20000; i += 3) {
		struct tc_pkt q = nth(i);
		enum tc_role from;
		tc_flowtab_del(t, tc_flowtab_find(t, &q, &from));
	}
	for (i = 0; i < 10; i++) {
		struct tc_pkt q = nth(i);
		expect_find(t, &q, keep[i], TC_CLIENT);
		assert_int_equal(keep[i]->prev, keep[(i + 9) % 10]->recno + 1);
		assert_int_equal(keep[i]->next, keep[(i + 1) % 10]->recno + 1);
		assert_int_equal(keep[i]->mark_ts, (int64_t)i * 1000000007);
		assert_int_equal(keep[i]->list, i + 1);
	}
	tc_flowtab_free(t);
}

struct visit {
	uint32_t n;
	uint8_t *seen;          /* visits per conn.id - 1 */
	struct tc_flowtab *t;   /* set: delete the visited entry */
	int bad_id;
};

static void on_visit(struct tc_flow *f, void *arg)
{
	struct visit *v = arg;
	uint64_t id = f->conn.id;

	if (id == 0 || id > v->n) {
		v->bad_id = 1;
		return;
	}
	if (v->seen[id - 1] < 255)
		v->seen[id - 1]++;
	if (v->t)
		tc_flowtab_del(v->t, f);
}

static void test_foreach_visits_each_once(void **state)
{
	const uint32_t n = 30000;
	struct tc_flowtab *t = tc_flowtab_new(99);
	struct visit v;
	uint32_t i, visited = 0;

	(void)state;
	/* Empty table: no visit. */
	memset(&v, 0, sizeof v);
	v.n = n;
	v.seen = calloc(n, 1);
	assert_non_null(v.seen);
	tc_flowtab_foreach(t, on_visit, &v);
	for (i = 0; i < n; i++)
		assert_int_equal(v.seen[i], 0);

	for (i = 0; i < n; i++) {
		struct tc_pkt q = nth(i);
		add(t, &q, TC_CLIENT)->conn.id = i + 1;
	}
	/* Delete a third so the walk sees chains with holes in them. */
	for (i = 0; i < n; i += 3) {
		struct tc_pkt q = nth(i);
		enum tc_role from;
		tc_flowtab_del(t, tc_flowtab_find(t, &q, &from));
	}
	tc_flowtab_foreach(t, on_visit, &v);
	assert_false(v.bad_id);
	for (i = 0; i < n; i++) {
		assert_int_equal(v.seen[i], i % 3 == 0 ? 0 : 1);
		visited += v.seen[i];
	}
	assert_int_equal(visited, tc_flowtab_count(t));
	free(v.seen);
	tc_flowtab_free(t);
}

static void test_foreach_delete_visited(void **state)
{
	const uint32_t n = 20000;
	struct tc_flowtab *t = tc_flowtab_new(1000);
	struct visit v;
	uint32_t i;
	size_t mem;

	(void)state;
	memset(&v, 0, sizeof v);
	v.n = n;
	v.seen = calloc(n, 1);
	assert_non_null(v.seen);
	for (i = 0; i < n; i++) {
		struct tc_pkt q = nth(i);
		add(t, &q, TC_CLIENT)->conn.id = i + 1;
	}
	mem = tc_flowtab_memory(t);
	v.t = t;
	tc_flowtab_foreach(t, on_visit, &v);
	assert_false(v.bad_id);
	for (i = 0; i < n; i++)
		assert_int_equal(v.seen[i], 1);
	assert_int_equal(tc_flowtab_count(t), 0);
	assert_int_equal(tc_flowtab_memory(t), mem);
	for (i = 0; i < n; i++) {
		struct tc_pkt q = nth(i);
		expect_missing(t, &q);
	}
	/* Nothing left to visit; and the table is usable again. */
	memset(v.seen, 0, n);
	v.t = NULL;
	tc_flowtab_foreach(t, on_visit, &v);
	for (i = 0; i < n; i++)
		assert_int_equal(v.seen[i], 0);
	for (i = 0; i < 100; i++) {
		struct tc_pkt q = nth(i);
		struct tc_flow *f = add(t, &q, TC_CLIENT);
		expect_find(t, &q, f, TC_CLIENT);
	}
	assert_int_equal(tc_flowtab_count(t), 100);
	free(v.seen);
	tc_flowtab_free(t);
}

/* The seed is invisible to callers: same finds, same roles, same walk. */
static void test_seed_does_not_change_results(void **state)
{
	static const uint64_t seeds[] = { 0, 1, 0xffffffffffffffffULL, 0x5eed5eed5eed5eedULL };
	const uint32_t n = 8000;
	struct tc_flowtab *t[4];
	size_t k;
	uint32_t i;

	(void)state;
	for (k = 0; k < 4; k++) {
		t[k] = tc_flowtab_new(seeds[k]);
		for (i = 0; i < n; i++) {
			struct tc_pkt q = nth(i);
			if (i % 4 == 1) {
				struct tc_pkt r = reversed(&q);
				add(t[k], &r, TC_SERVER)->conn.id = i + 1;
			} else {
				add(t[k], &q, TC_CLIENT)->conn.id = i + 1;
			}
		}
		for (i = 0; i < n; i += 7) {
			struct tc_pkt q = nth(i);
			enum tc_role from;
			tc_flowtab_del(t[k], tc_flowtab_find(t[k], &q, &from));
		}
	}
	for (i = 0; i < n + 2000; i++) {
		struct tc_pkt q = nth(i), r = reversed(&q);
		enum tc_role f0 = TC_CLIENT, r0 = TC_CLIENT;
		struct tc_flow *a = tc_flowtab_find(t[0], &q, &f0);
		struct tc_flow *ar = tc_flowtab_find(t[0], &r, &r0);
		int present = i < n && i % 7 != 0;

		assert_int_equal(a != NULL, present);
		assert_ptr_equal(a, ar);
		for (k = 1; k < 4; k++) {
			enum tc_role f1 = TC_SERVER, r1 = TC_CLIENT;
			struct tc_flow *b = tc_flowtab_find(t[k], &q, &f1);
			struct tc_flow *br = tc_flowtab_find(t[k], &r, &r1);
			assert_int_equal(b != NULL, present);
			assert_int_equal(br != NULL, present);
			if (present) {
				assert_int_equal(b->conn.id, a->conn.id);
				assert_int_equal(br->conn.id, a->conn.id);
				assert_int_equal(f1, f0);
				assert_int_equal(r1, r0);
				assert_int_equal(f1, TC_CLIENT);
				assert_int_equal(r1, TC_SERVER);
			}
		}
	}
	for (k = 0; k < 4; k++) {
		assert_int_equal(tc_flowtab_count(t[k]), n - (n + 6) / 7);
		tc_flowtab_free(t[k]);
	}
}

/* Tuples that differ in one port only (a port scan, a busy NAT). */
static void test_one_port_varies(void **state)
{
	const uint32_t n = 30000;
	struct tc_flowtab *t = tc_flowtab_new(0xabcdef);
	struct tc_flow **ent = calloc(2 * (size_t)n + 2, sizeof *ent);
	uint32_t port;

	(void)state;
	assert_non_null(ent);
	/* Client ports 1..n to one server; then one client port to server
	 * ports 1..n (the same two addresses, IPv6 this time). */
	for (port = 1; port <= n; port++) {
		struct tc_pkt q = pkt4(0xc0000201, (uint16_t)port, 0xc6336407, 443);
		struct tc_pkt s = pkt6(1, 55555, 2, (uint16_t)port);
		ent[port] = add(t, &q, TC_CLIENT);
		ent[n + port] = add(t, &s, TC_CLIENT);
	}
	assert_int_equal(tc_flowtab_count(t), 2 * n);
	for (port = 1; port <= n; port++) {
		struct tc_pkt q = pkt4(0xc0000201, (uint16_t)port, 0xc6336407, 443);
		struct tc_pkt s = pkt6(1, 55555, 2, (uint16_t)port);
		struct tc_pkt qr = reversed(&q), sr = reversed(&s);
		expect_find(t, &q, ent[port], TC_CLIENT);
		expect_find(t, &qr, ent[port], TC_SERVER);
		expect_find(t, &s, ent[n + port], TC_CLIENT);
		expect_find(t, &sr, ent[n + port], TC_SERVER);
	}
	/* Port 0, port n + 1 and other addresses were never added. */
	{
		struct tc_pkt q = pkt4(0xc0000201, 0, 0xc6336407, 443);
		struct tc_pkt s = pkt6(1, 55555, 2, (uint16_t)(n + 1));
		struct tc_pkt u = pkt4(0xc0000202, 1000, 0xc6336407, 443);
		expect_missing(t, &q);
		expect_missing(t, &s);
		expect_missing(t, &u);
	}
	free(ent);
	tc_flowtab_free(t);
}

/* Longest chain after adding n tuples that differ only in the client port. */
static size_t chain_for(int af, int client_high, uint32_t n)
{
	struct tc_flowtab *t = tc_flowtab_new(0x0123456789abcdefULL);
	uint32_t lo = 0x0a000001, hi = 0xc6336407, i;
	size_t longest;

	for (i = 0; i < n; i++) {
		uint16_t port = (uint16_t)(20000 + i);
		struct tc_pkt q = af == 4 ? pkt4(client_high ? hi : lo, port, client_high ? lo : hi, 80)
					  : pkt6(client_high ? hi : lo, port, client_high ? lo : hi, 80);
		add(t, &q, TC_CLIENT);
	}
	longest = tc_flowtab_longest_chain(t);
	tc_flowtab_free(t);
	return longest;
}

/*
 * flow.h promises O(1) lookups: one client talking to one server on many
 * ports must spread over the buckets whichever of the two has the higher
 * address. With the load factor at most 1, a good hash keeps the longest
 * of 20,000 chains in the single digits; a hash blind to the second
 * endpoint's port puts them all in one chain.
 */
static void test_one_port_varies_chain_length(void **state)
{
	const uint32_t n = 20000;
	int af, high;

	(void)state;
	for (af = 4; af <= 6; af += 2)
		for (high = 0; high <= 1; high++) {
			size_t longest = chain_for(af, high, n);
			if (longest > 16)
				print_error("IPv%d, client %s: longest chain %zu of %u entries\n", af,
					    high ? "higher" : "lower", longest, n);
			assert_true(longest <= 16);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_table_is_empty),
		cmocka_unit_test(test_find_both_directions),
		cmocka_unit_test(test_find_both_directions_v6),
		cmocka_unit_test(test_pkt_key64_is_the_connections),
		cmocka_unit_test(test_same_address_both_ends),
		cmocka_unit_test(test_family_is_part_of_key),
		cmocka_unit_test(test_ports_and_addresses_are_part_of_key),
		cmocka_unit_test(test_delete_then_find_fails),
		cmocka_unit_test(test_delete_by_the_records_tuple),
		cmocka_unit_test(test_records_line_aligned_and_numbered),
		cmocka_unit_test(test_dropped_index_only_empties),
		cmocka_unit_test(test_end_records_reused),
		cmocka_unit_test(test_recycled_entry_is_zeroed),
		cmocka_unit_test(test_memory_recycled_at_peak),
		cmocka_unit_test(test_grow_large),
		cmocka_unit_test(test_caller_fields_untouched),
		cmocka_unit_test(test_foreach_visits_each_once),
		cmocka_unit_test(test_foreach_delete_visited),
		cmocka_unit_test(test_seed_does_not_change_results),
		cmocka_unit_test(test_one_port_varies),
		cmocka_unit_test(test_one_port_varies_chain_length),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
