/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_decode_fast.c -- the decoder's straight line for the common frame
 * (tc_decode_fast) against its general path (tc_decode_general).
 *
 * tc_decode_wire() must return for every frame what the general path
 * returns: the same status and, on TC_DEC_OK, the same struct tc_pkt byte
 * for byte (decdiff.c compares every field by name, then every byte).
 * Frames are built over a grid of what the straight line handles and what
 * it must hand over (VLAN stacks, IPv4 options, DF/MF/offsets, IPv6
 * extension headers, TCP option layouts, IP lengths that are exact, padded,
 * zero, too long or too short, wire lengths unknown, exact, longer or
 * shorter), then cut at every length and mutated with the tests' fixed-seed
 * generator. Each test also checks that the straight line took the frames
 * it is meant for, so that a straight line that never runs cannot pass.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "bytes.h"
#include "decdiff.h"
#include "decode_paths.h"
#include "rng.h"
#include "tcpclose/decode.h"

/* ---- frames ------------------------------------------------------------- */

static void set16(struct buf *b, uint32_t at, unsigned v)
{
	assert_true(at + 1 < b->n);
	b->d[at] = (uint8_t)(v >> 8);
	b->d[at + 1] = (uint8_t)v;
}

/* VLAN stacks in front of the IP header. */
enum { TAGS_NONE, TAGS_8021Q, TAGS_8021AD, TAGS_TWO, TAGS__N };

/* Which way the frame departs from the plain case, if it does. */
enum {
	K_PLAIN,
	K_MF,        /* IPv4 more-fragments / IPv6 fragment header, M set */
	K_OFFSET,    /* IPv4 later fragment */
	K_UDP,       /* not TCP */
	K_VERSION,   /* wrong IP version for the ethertype */
	K_EXT,       /* IPv6 hop-by-hop header before TCP; IPv4: AH */
	K_ARP,       /* not IP at all */
	K_DOFF,      /* TCP data offset below 5 */
	K__N
};

/* IP length field relative to the datagram built. */
enum {
	L_EXACT,
	L_PADDED,    /* exact, with Ethernet padding after the datagram */
	L_ZERO,      /* 0: segmentation offload */
	L_LONGER,    /* claims 200 bytes more than there are */
	L_SHORT,     /* ends inside the TCP header */
	L_CUTS,      /* ends inside the payload */
	L_TINY,      /* IPv4: below its own header; IPv6: 3 */
	L__N
};

/* TCP option layouts: what Linux and BSD send, and broken ones. */
static const struct {
	uint8_t len;
	uint8_t syn;
	uint8_t b[40];
} LAYOUTS[] = {
	{ 0, 0, { 0 } },
	/* NOP NOP TS: nearly every segment after the handshake */
	{ 12, 0, { 1, 1, 8, 10, 0, 0, 1, 0, 0, 0, 2, 0 } },
	/* Linux SYN: MSS, SACK-permitted, TS, NOP, window scale */
	{ 20, 1, { 2, 4, 5, 180, 4, 2, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0, 1, 3, 3, 7 } },
	/* SYN without timestamps: MSS NOP NOP SACKOK NOP WS */
	{ 12, 1, { 2, 4, 5, 160, 1, 1, 4, 2, 1, 3, 3, 9 } },
	/* NOP NOP TS NOP NOP SACK with two blocks */
	{ 32, 0, { 1, 1, 8, 10, 9, 9, 9, 9, 8, 8, 8, 8, 1, 1, 5, 18, 0, 0, 0, 1, 0, 0, 0, 2,
		   0, 0, 0, 3, 0, 0, 0, 4 } },
	/* MSS alone */
	{ 4, 1, { 2, 4, 0x23, 0x28 } },
	/* EOL, then bytes that would be options */
	{ 4, 0, { 0, 2, 4, 1 } },
	/* a length below 2 */
	{ 4, 0, { 2, 1, 0, 0 } },
	/* an option we do not interpret, then NOPs */
	{ 8, 0, { 30, 4, 0xaa, 0xbb, 1, 1, 1, 1 } },
	/* timestamps with the wrong length */
	{ 8, 0, { 8, 8, 1, 2, 3, 4, 5, 6 } },
	/* SACK running past the option space */
	{ 4, 0, { 1, 1, 5, 10 } },
	/* all 40 bytes: MSS SACKOK TS NOP WS SACK(2) NOP NOP */
	{ 40, 1, { 2, 4, 5, 180, 4, 2, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8, 1, 3, 3, 14,
		   5, 18, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 1, 1 } },
	/* 12 bytes with timestamps not where the common layout has them */
	{ 12, 0, { 1, 8, 10, 0, 0, 0, 7, 0, 0, 0, 9, 1 } },
	/* NOP NOP and a timestamp kind with length 10 cut by the header end */
	{ 8, 0, { 1, 1, 8, 10, 0, 0, 0, 1 } },
};
#define N_LAYOUTS (sizeof LAYOUTS / sizeof LAYOUTS[0])

struct spec {
	int af;           /* 4 or 6 */
	int tags;         /* TAGS_* */
	unsigned ihl;     /* IPv4 header words, 5..15 */
	int df;           /* IPv4 DF (IPv6: a traffic class instead) */
	unsigned layout;  /* index into LAYOUTS */
	uint32_t payload; /* payload bytes */
	int len;          /* L_* */
	int kind;         /* K_* */
};

/* Build the frame described; returns its length. */
static uint32_t build(struct buf *b, const struct spec *s)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
	static const uint8_t v4src[4] = { 192, 0, 2, 1 }, v4dst[4] = { 198, 51, 100, 2 };
	static const uint8_t v6src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t v6dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0xab, [15] = 2 };
	unsigned ethertype = s->kind == K_ARP ? 0x0806 : s->af == 4 ? 0x0800 : 0x86dd;
	uint32_t ip_at, exact, hlen, i;
	unsigned optlen = LAYOUTS[s->layout].len;

	b->n = 0;
	putn(b, macs, sizeof macs);
	switch (s->tags) {
	case TAGS_8021Q:
		put16(b, 0x8100);
		put16(b, 0x2064); /* PCP 1, VLAN 100 */
		break;
	case TAGS_8021AD:
		put16(b, 0x88a8);
		put16(b, 0x00c8);
		break;
	case TAGS_TWO:
		put16(b, 0x8100);
		put16(b, 0xf065); /* PCP 7, DEI, VLAN 101 */
		put16(b, 0x8100);
		put16(b, 0x0066);
		break;
	default:
		break;
	}
	put16(b, ethertype);

	ip_at = b->n;
	if (s->af == 4) {
		unsigned frag = (s->df ? 0x4000u : 0) | (s->kind == K_MF ? 0x2000u : 0) |
				(s->kind == K_OFFSET ? 0x0010u : 0);
		unsigned proto = s->kind == K_UDP ? 17 : s->kind == K_EXT ? 51 : 6;
		put8(b, (s->kind == K_VERSION ? 0x60u : 0x40u) | s->ihl);
		put8(b, 0x10);
		put16(b, 0); /* total length: below */
		put16(b, 0xbeef);
		put16(b, frag);
		put8(b, 57);
		put8(b, proto);
		put16(b, 0xdead);
		putn(b, v4src, 4);
		putn(b, v4dst, 4);
		for (i = 0; i < (s->ihl - 5) * 4; i++)
			put8(b, i + 1 == (s->ihl - 5) * 4 ? 0 : 1); /* NOPs, then EOL */
		hlen = s->ihl * 4;
		if (s->kind == K_EXT) { /* AH: next TCP, 12 + 4 bytes of ICV */
			put8(b, 6);
			put8(b, 2);
			put16(b, 0);
			put32(b, 0x100);
			put32(b, 7);
			put32(b, 0x11111111);
		}
	} else {
		unsigned nh = s->kind == K_UDP ? 17 : s->kind == K_EXT ? 0 : s->kind == K_MF ? 44 : 6;
		put32(b, (s->kind == K_VERSION ? 0x4u : 0x6u) << 28 | (s->df ? 0x0b800000u : 0) |
				 0x12345u);
		put16(b, 0); /* payload length: below */
		put8(b, nh);
		put8(b, 55);
		putn(b, v6src, 16);
		putn(b, v6dst, 16);
		hlen = 40;
		if (s->kind == K_EXT) { /* hop-by-hop, 8 bytes of PadN */
			put8(b, 6);
			put8(b, 0);
			put8(b, 1);
			put8(b, 4);
			put32(b, 0);
		} else if (s->kind == K_MF) { /* first fragment */
			put8(b, 6);
			put8(b, 0);
			put16(b, 1);
			put32(b, 0xcafef00d);
		}
	}

	put16(b, 40000);
	put16(b, 443);
	put32(b, 0x01020304);
	put32(b, 0xa0b0c0d0);
	put8(b, s->kind == K_DOFF ? 0x40u : ((20u + optlen) / 4u) << 4 | 0x01u /* AE bit */);
	put8(b, LAYOUTS[s->layout].syn ? 0x02 : 0x18);
	put16(b, 0x7210);
	put16(b, 0xbad0);
	put16(b, 0);
	putn(b, LAYOUTS[s->layout].b, optlen);
	for (i = 0; i < s->payload; i++)
		put8(b, (i * 7 + 3) & 0xff);

	exact = b->n - ip_at;
	if (s->af == 6)
		exact -= 40;
	switch (s->len) {
	case L_ZERO:
		exact = 0;
		break;
	case L_LONGER:
		exact += 200;
		break;
	case L_SHORT:
		exact = (s->af == 4 ? hlen : 0) + 10;
		break;
	case L_CUTS:
		exact -= s->payload / 2;
		break;
	case L_TINY:
		exact = s->af == 4 ? 8 : 3;
		break;
	default:
		break;
	}
	set16(b, ip_at + (s->af == 4 ? 2 : 4), exact);
	if (s->len == L_PADDED)
		for (i = 0; i < 6; i++)
			put8(b, 0);
	return b->n;
}

/* ---- comparing ---------------------------------------------------------- */

/* Compare both paths on one frame; fail the test with the difference. */
static struct decdiff same(const uint8_t *d, uint32_t caplen, uint32_t wirelen)
{
	struct decdiff r;

	if (decdiff_frame(TC_DLT_EN10MB, d, caplen, wirelen, &r) != 0)
		fail_msg("caplen %u wirelen %u: %s", caplen, wirelen, r.why);
	return r;
}

/* The wire lengths a frame of n captured bytes is tried with. */
static uint32_t wire_variant(uint32_t n, int v)
{
	switch (v) {
	case 0:
		return 0;       /* unknown */
	case 1:
		return n;       /* all captured */
	case 2:
		return n + 100; /* snaplen cut */
	default:
		return n - 1;   /* below caplen: ignored */
	}
}

/* ---- tests -------------------------------------------------------------- */

/* The frames the straight line exists for are taken by it, with the facts
 * they carry; frames it is not for are handed over. */
static void test_fast_takes_common_frames(void **state)
{
	struct spec s = { 4, TAGS_NONE, 5, 1, 1, 100, L_EXACT, K_PLAIN };
	struct buf b;
	struct tc_pkt p;
	uint32_t n;

	(void)state;
	n = build(&b, &s);
	assert_int_equal(tc_decode_fast(b.d, n, n, &p), 1);
	assert_int_equal(p.af, 4);
	assert_int_equal(p.ip_df, 1);
	assert_int_equal(p.ip_len, 20 + 32 + 100);
	assert_int_equal(p.payload_len, 100);
	assert_ptr_equal(p.payload, b.d + 14 + 20 + 32);
	assert_int_equal(p.opt, TC_OPT_TS);
	assert_int_equal(p.tsval, 0x100);
	assert_int_equal(p.tsecr, 0x200);
	assert_int_equal(p.vlan, 0);
	same(b.d, n, n);

	s.tags = TAGS_8021Q;
	s.layout = 2;
	s.payload = 0;
	s.ihl = 7;
	n = build(&b, &s);
	assert_int_equal(tc_decode_fast(b.d, n, n, &p), 1);
	assert_int_equal(p.vlan, 100);
	assert_int_equal(p.flags, TC_SYN);
	assert_int_equal(p.opt, TC_OPT_MSS | TC_OPT_SACKOK | TC_OPT_TS | TC_OPT_WSCALE);
	assert_int_equal(p.mss, 1460);
	assert_int_equal(p.wscale, 7);
	same(b.d, n, n);

	s.af = 6;
	s.layout = 1;
	s.payload = 33;
	n = build(&b, &s);
	assert_int_equal(tc_decode_fast(b.d, n, 0, &p), 1);
	assert_int_equal(p.af, 6);
	assert_int_equal(p.ttl, 55);
	assert_int_equal(p.ip_len, 40 + 32 + 33);
	assert_int_equal(p.payload_caplen, 33);
	same(b.d, n, 0);

	/* a length that lies: clamped to the wire, as the general path does */
	s.len = L_LONGER;
	n = build(&b, &s);
	assert_int_equal(tc_decode_fast(b.d, n, n, &p), 1);
	assert_int_equal(p.len_clamped, 1);
	assert_int_equal(p.ip_len, n - 18);
	same(b.d, n, n);

	/* handed over: a second tag, an 802.1ad tag, a first fragment, an
	 * extension header, TCP options cut by the snaplen */
	s.len = L_EXACT;
	s.tags = TAGS_TWO;
	n = build(&b, &s);
	assert_int_equal(tc_decode_fast(b.d, n, n, &p), 0);
	s.tags = TAGS_8021AD;
	n = build(&b, &s);
	assert_int_equal(tc_decode_fast(b.d, n, n, &p), 0);
	s.tags = TAGS_NONE;
	s.kind = K_EXT;
	n = build(&b, &s);
	assert_int_equal(tc_decode_fast(b.d, n, n, &p), 0);
	s.af = 4;
	s.kind = K_MF;
	n = build(&b, &s);
	assert_int_equal(tc_decode_fast(b.d, n, n, &p), 0);
	s.kind = K_PLAIN;
	n = build(&b, &s);
	assert_int_equal(tc_decode_fast(b.d, 14 + 20 + 30, n, &p), 0);
	same(b.d, 14 + 20 + 30, n);
}

/*
 * Every combination of the grid, under four wire lengths: both paths
 * agree. Every plain frame (no tag or one 802.1Q tag, the IP length exact
 * or padded, fully captured) must have been taken by the straight line.
 */
static void test_fast_grid_matches_general(void **state)
{
	static const uint32_t payloads[] = { 0, 1, 100 };
	static const unsigned ihls[] = { 5, 6, 15 };
	const unsigned long cells = 2ul * TAGS__N * 3 * 2 * N_LAYOUTS * K__N * L__N * 3;
	unsigned long c, taken = 0, plain = 0, plain_taken = 0, frames = 0;
	struct buf b;

	(void)state;
	for (c = 0; c < cells; c++) {
		unsigned long x = c;
		struct spec s;
		uint32_t n;
		int is_plain, v;

		s.payload = payloads[x % 3], x /= 3;
		s.len = (int)(x % L__N), x /= L__N;
		s.kind = (int)(x % K__N), x /= K__N;
		s.layout = (unsigned)(x % N_LAYOUTS), x /= N_LAYOUTS;
		s.df = (int)(x % 2), x /= 2;
		s.ihl = ihls[x % 3], x /= 3;
		s.tags = (int)(x % TAGS__N), x /= TAGS__N;
		s.af = x ? 6 : 4;
		if (s.af == 6 && s.ihl != 5)
			continue; /* no IPv4 header in it */
		if (s.kind != K_PLAIN && s.layout > 2)
			continue; /* the odd kinds with a few layouts only */
		n = build(&b, &s);
		is_plain = s.kind == K_PLAIN && s.tags <= TAGS_8021Q &&
			   (s.len == L_EXACT || s.len == L_PADDED);
		for (v = 0; v < 4; v++) {
			struct decdiff r = same(b.d, n, wire_variant(n, v));
			frames++;
			taken += (unsigned)r.fast;
			plain += (unsigned)is_plain;
			plain_taken += (unsigned)(is_plain && r.fast);
		}
	}
	print_message("grid: %lu frames, %lu taken by the straight line (%lu plain, %lu of "
		      "them taken)\n",
		      frames, taken, plain, plain_taken);
	assert_true(plain > 0);
	assert_int_equal(plain_taken, plain);
	assert_true(taken > plain); /* zero lengths, clamps, cuts are taken too */
}

/* A small set of base frames for the sweeps: plain and odd, both families. */
static uint32_t base_frame(struct buf *b, unsigned i)
{
	struct spec s;

	s.af = i & 1 ? 6 : 4;
	s.tags = (int)(i >> 1) % TAGS__N;
	s.ihl = (i >> 2) % 3 == 0 ? 5 : (i >> 2) % 3 == 1 ? 6 : 15;
	s.df = (int)(i >> 3) & 1;
	s.layout = (i >> 1) % N_LAYOUTS;
	s.payload = (i * 37) % 120;
	s.len = (int)(i >> 2) % L__N;
	s.kind = i % 5 == 4 ? (int)(i / 5) % K__N : K_PLAIN;
	return build(b, &s);
}

#define N_BASE 96

/* Cut at every length, with the wire length known and unknown. */
static void test_fast_truncation_sweep(void **state)
{
	struct buf b;
	unsigned i;
	unsigned long taken = 0;

	(void)state;
	for (i = 0; i < N_BASE; i++) {
		uint32_t n = base_frame(&b, i), cut;
		for (cut = 0; cut <= n; cut++) {
			taken += (unsigned)same(b.d, cut, n).fast;
			taken += (unsigned)same(b.d, cut, 0).fast;
		}
	}
	assert_true(taken > 0);
}

/*
 * Bytes changed at random (fixed seed: the same frames every run), most in
 * the headers where the two paths read, with random cuts and wire
 * lengths. Every frame must agree; a good share must still be taken by the
 * straight line, or the mutations test nothing of it.
 */
static void test_fast_mutation(void **state)
{
	struct buf b, m;
	unsigned long round, taken = 0;
	const unsigned long rounds = 60000;

	(void)state;
	rng_state = 0x5eed0fdec0de1234ULL;
	for (round = 0; round < rounds; round++) {
		uint32_t n = base_frame(&b, (unsigned)(rnd() % N_BASE)), caplen, wirelen;
		unsigned flips = 1 + (unsigned)(rnd() % 3), f;

		m = b;
		for (f = 0; f < flips; f++) {
			uint64_t r = rnd();
			uint32_t at = (r & 3) ? (uint32_t)(r >> 8) % (n < 100 ? n : 100)
					      : (uint32_t)(r >> 8) % n;
			if (r & 4)
				m.d[at] ^= (uint8_t)(1u << (r >> 40) % 8);
			else
				m.d[at] = (uint8_t)(r >> 48);
		}
		caplen = rnd() % 4 == 0 ? (uint32_t)(rnd() % (n + 1)) : n;
		wirelen = wire_variant(caplen, (int)(rnd() % 4));
		if (rnd() % 8 == 0)
			wirelen = (uint32_t)rnd() % 2000;
		taken += (unsigned)same(m.d, caplen, wirelen).fast;
	}
	print_message("mutation: %lu frames, %lu taken by the straight line\n", rounds, taken);
	assert_true(taken > rounds / 10);
}

/* Other link types never take the straight line: tc_decode_wire() is the
 * general path for them, whatever the bytes. */
static void test_other_links_unchanged(void **state)
{
	static const int dlts[] = { TC_DLT_NULL, TC_DLT_RAW, TC_DLT_LINUX_SLL, TC_DLT_IPV4,
				    TC_DLT_IPV6, TC_DLT_LINUX_SLL2, 999 };
	struct buf b;
	unsigned i, k;

	(void)state;
	for (i = 0; i < N_BASE; i++) {
		uint32_t n = base_frame(&b, i);
		for (k = 0; k < sizeof dlts / sizeof dlts[0]; k++) {
			struct decdiff r;
			/* from the IP header on, and from the frame's start */
			if (decdiff_frame(dlts[k], b.d + 14, n - 14, 0, &r) != 0 ||
			    decdiff_frame(dlts[k], b.d, n, n, &r) != 0)
				fail_msg("dlt %d: %s", dlts[k], r.why);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fast_takes_common_frames),
		cmocka_unit_test(test_fast_grid_matches_general),
		cmocka_unit_test(test_fast_truncation_sweep),
		cmocka_unit_test(test_fast_mutation),
		cmocka_unit_test(test_other_links_unchanged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
