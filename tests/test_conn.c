/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_conn.c -- unit tests for src/core/conn.c: the names of the connection
 * vocabulary (states, opened, close, who, phase), tc_addr_str(), the
 * record's relative times and its lazily allocated extension.
 *
 * The names are an output contract (.expect files, JSON, text): each is
 * checked against the spelling the headers and docs/expect-format.md give,
 * and out-of-range values against "?" / NULL. Addresses are checked against
 * RFC 5952 case by case (expected strings written from the RFC's rules, not
 * from the implementation), and against glibc inet_ntop() over many random
 * addresses in the classes where RFC 5952 and glibc agree. Every output is
 * written into a heap buffer of exactly TC_ADDRSTRLEN bytes so that
 * AddressSanitizer sees any overflow.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "rng.h"

#include "tcpclose/conn.h"

/* ---- names -------------------------------------------------------------- */

static void test_state_names(void **state)
{
	(void)state;
	/* RFC 9293 names with '_' for '-', as the .expect files spell them. */
	assert_string_equal(tc_state_name(TC_CLOSED), "CLOSED");
	assert_string_equal(tc_state_name(TC_LISTEN), "LISTEN");
	assert_string_equal(tc_state_name(TC_SYN_SENT), "SYN_SENT");
	assert_string_equal(tc_state_name(TC_SYN_RECEIVED), "SYN_RECEIVED");
	assert_string_equal(tc_state_name(TC_ESTABLISHED), "ESTABLISHED");
	assert_string_equal(tc_state_name(TC_FIN_WAIT_1), "FIN_WAIT_1");
	assert_string_equal(tc_state_name(TC_FIN_WAIT_2), "FIN_WAIT_2");
	assert_string_equal(tc_state_name(TC_CLOSING), "CLOSING");
	assert_string_equal(tc_state_name(TC_TIME_WAIT), "TIME_WAIT");
	assert_string_equal(tc_state_name(TC_CLOSE_WAIT), "CLOSE_WAIT");
	assert_string_equal(tc_state_name(TC_LAST_ACK), "LAST_ACK");
	assert_int_equal(TC_STATE__COUNT, 11);
}

static void test_state_names_distinct(void **state)
{
	int i, j;

	(void)state;
	for (i = 0; i < TC_STATE__COUNT; i++) {
		assert_non_null(tc_state_name((enum tc_state)i));
		assert_string_not_equal(tc_state_name((enum tc_state)i), "?");
		for (j = 0; j < i; j++)
			assert_string_not_equal(tc_state_name((enum tc_state)i),
						tc_state_name((enum tc_state)j));
	}
}

static void test_opened_close_names(void **state)
{
	(void)state;
	/* classify.h: opened = handshake | syn_only | refused | midstream */
	assert_string_equal(tc_opened_name(TC_OPENED_HANDSHAKE), "handshake");
	assert_string_equal(tc_opened_name(TC_OPENED_SYN_ONLY), "syn_only");
	assert_string_equal(tc_opened_name(TC_OPENED_REFUSED), "refused");
	assert_string_equal(tc_opened_name(TC_OPENED_MIDSTREAM), "midstream");
	/* classify.h: close = reset | graceful | half_closed | open */
	assert_string_equal(tc_close_name(TC_CLOSE_GRACEFUL), "graceful");
	assert_string_equal(tc_close_name(TC_CLOSE_HALF_CLOSED), "half_closed");
	assert_string_equal(tc_close_name(TC_CLOSE_RESET), "reset");
	assert_string_equal(tc_close_name(TC_CLOSE_OPEN), "open");
}

static void test_who_phase_names(void **state)
{
	(void)state;
	assert_string_equal(tc_who_name(TC_WHO_CLIENT), "client");
	assert_string_equal(tc_who_name(TC_WHO_SERVER), "server");
	assert_string_equal(tc_who_name(TC_WHO_BOTH), "both");
	assert_null(tc_who_name(TC_WHO_NONE));
	assert_string_equal(tc_phase_name(TC_PHASE_HANDSHAKE), "handshake");
	assert_string_equal(tc_phase_name(TC_PHASE_ESTABLISHED), "established");
	assert_string_equal(tc_phase_name(TC_PHASE_CLOSING), "closing");
	assert_null(tc_phase_name(TC_PHASE_NONE));
}

/* A name for an invalid value must not be mistaken for a valid one. */
static int is_valid_who(const char *s)
{
	return s && (!strcmp(s, "client") || !strcmp(s, "server") || !strcmp(s, "both"));
}

static int is_valid_phase(const char *s)
{
	return s && (!strcmp(s, "handshake") || !strcmp(s, "established") ||
		     !strcmp(s, "closing"));
}

static void test_out_of_range_names(void **state)
{
	static const int bad[] = { -1, -100, 11, 12, 99, 255, 256, 1 << 20, 0x7fffffff };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int v = bad[i];
		if (v >= TC_STATE__COUNT || v < 0)
			assert_string_equal(tc_state_name((enum tc_state)v), "?");
		if (v >= TC_OPENED__COUNT || v < 0)
			assert_string_equal(tc_opened_name((enum tc_opened)v), "?");
		if (v >= TC_CLOSE__COUNT || v < 0)
			assert_string_equal(tc_close_name((enum tc_close)v), "?");
	}
	assert_string_equal(tc_state_name(TC_STATE__COUNT), "?");
	assert_string_equal(tc_opened_name(TC_OPENED__COUNT), "?");
	assert_string_equal(tc_close_name(TC_CLOSE__COUNT), "?");
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_false(is_valid_who(tc_who_name((enum tc_who)bad[i])));
		assert_false(is_valid_phase(tc_phase_name((enum tc_phase)bad[i])));
	}
	assert_false(is_valid_who(tc_who_name((enum tc_who)4)));
	assert_false(is_valid_phase(tc_phase_name((enum tc_phase)4)));
}

/* ---- addresses ---------------------------------------------------------- */

/* tc_addr_str into an exact-size heap buffer; the caller frees. */
static char *fmt(int af, const uint8_t a[16])
{
	char *buf = malloc(TC_ADDRSTRLEN);
	assert_non_null(buf);
	memset(buf, 'X', TC_ADDRSTRLEN);
	assert_ptr_equal(tc_addr_str(af, a, buf), buf);
	assert_true(strlen(buf) < TC_ADDRSTRLEN);
	return buf;
}

static void check_v4(const char *text)
{
	uint8_t a[16];
	char *s;

	memset(a, 0, sizeof a);
	assert_int_equal(inet_pton(AF_INET, text, a), 1);
	s = fmt(4, a);
	assert_string_equal(s, text);
	free(s);
}

static void test_addr_v4(void **state)
{
	uint8_t a[16];
	char *s;

	(void)state;
	check_v4("0.0.0.0");
	check_v4("127.0.0.1");
	check_v4("192.0.2.1");
	check_v4("10.20.30.40");
	check_v4("255.255.255.255");
	check_v4("1.2.3.4");

	/* Only the first 4 bytes are the address: bytes 4..15 are ignored. */
	memset(a, 0xee, sizeof a);
	a[0] = 198;
	a[1] = 51;
	a[2] = 100;
	a[3] = 7;
	s = fmt(4, a);
	assert_string_equal(s, "198.51.100.7");
	free(s);
}

/* Parse `in` (any valid IPv6 text), format it, expect `want` exactly. */
static void check_v6(const char *in, const char *want)
{
	uint8_t a[16];
	char *s;

	assert_int_equal(inet_pton(AF_INET6, in, a), 1);
	s = fmt(6, a);
	if (strcmp(s, want) != 0)
		print_error("%s formatted as %s, want %s\n", in, s, want);
	assert_string_equal(s, want);
	free(s);
}

static void test_addr_v6_rfc5952(void **state)
{
	(void)state;
	/* 4.2.3 / 4.2.2: zero runs. */
	check_v6("0:0:0:0:0:0:0:0", "::");
	check_v6("0:0:0:0:0:0:0:1", "::1");
	check_v6("1:0:0:0:0:0:0:0", "1::");
	check_v6("2001:0db8:0:0:0:0:0:1", "2001:db8::1");
	check_v6("2001:db8:0:0:0:0:2:1", "2001:db8::2:1");
	check_v6("0:0:1:0:0:0:0:0", "0:0:1::");       /* longer run at the end */
	check_v6("0:0:0:1:0:0:0:0", "0:0:0:1::");     /* runs of 3 and 4: the longer */
	check_v6("0:0:0:0:1:0:0:0", "::1:0:0:0");     /* longest at the start */
	check_v6("1:0:0:0:0:0:0:2", "1::2");
	check_v6("0:1:0:1:0:1:0:1", "0:1:0:1:0:1:0:1"); /* no run of two */
	/* 4.2.2: a single 16-bit 0 field is not shortened. */
	check_v6("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1");
	check_v6("0:1:2:3:4:5:6:7", "0:1:2:3:4:5:6:7");
	check_v6("1:2:3:4:5:6:7:0", "1:2:3:4:5:6:7:0");
	/* 4.2.3: the longest run; the first one on a tie. */
	check_v6("2001:0:0:1:0:0:0:1", "2001:0:0:1::1");
	check_v6("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1");
	check_v6("0:0:1:0:0:1:0:0", "::1:0:0:1:0:0");
	check_v6("1:0:0:2:0:0:3:4", "1::2:0:0:3:4");
	/* 4.3: lower case.  4.1: no leading zeros. */
	check_v6("2001:DB8:ABCD:EF01:0:0:0:FFFF", "2001:db8:abcd:ef01::ffff");
	check_v6("2001:0db8:000a:00bc:0def:0001:0010:0100", "2001:db8:a:bc:def:1:10:100");
	check_v6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		 "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	check_v6("fe80::1:2", "fe80::1:2");
	/* 5: IPv4-mapped addresses in dotted-quad form. */
	check_v6("::ffff:192.0.2.1", "::ffff:192.0.2.1");
	check_v6("0:0:0:0:0:ffff:c000:0201", "::ffff:192.0.2.1");
	check_v6("::ffff:0.0.0.0", "::ffff:0.0.0.0");
	check_v6("::ffff:255.255.255.255", "::ffff:255.255.255.255");
	/* Not mapped: ffff elsewhere, or a non-zero prefix. */
	check_v6("::ffff:0:c000:201", "::ffff:0:c000:201");
	check_v6("1::ffff:c000:201", "1::ffff:c000:201");
	check_v6("::fffe:c000:201", "::fffe:c000:201");
}

/* The longest outputs fit: 39 characters for 8 full groups, 22 for mapped. */
static void test_addr_lengths(void **state)
{
	uint8_t a[16];
	char *s;

	(void)state;
	memset(a, 0xff, sizeof a);
	s = fmt(6, a);
	assert_int_equal(strlen(s), 39);
	free(s);
	memset(a, 0, 10);
	s = fmt(6, a);
	assert_string_equal(s, "::ffff:255.255.255.255");
	free(s);
	assert_true(TC_ADDRSTRLEN >= INET6_ADDRSTRLEN);
}


/*
 * glibc and RFC 5952 disagree only on IPv4-compatible addresses
 * (::a.b.c.d, six leading zero groups then a non-zero group 6), which
 * glibc prints with a dotted quad. Everything else must match exactly.
 */
static int glibc_agrees(const uint8_t a[16])
{
	int i;

	for (i = 0; i < 12; i++)
		if (a[i])
			return 1;
	return a[12] == 0 && a[13] == 0; /* group 6 zero: "::" or "::x" */
}

static void test_addr_v6_vs_inet_ntop(void **state)
{
	int n, i, compared = 0;

	(void)state;
	for (n = 0; n < 200000; n++) {
		uint8_t a[16];
		char ref[INET6_ADDRSTRLEN];
		char *s;
		uint64_t r = rnd(), r2 = rnd();

		/* Each group: zero (half the time), or a value of 1 to 4
		 * hex digits, so runs, ties and leading zeros all occur. */
		for (i = 0; i < 8; i++) {
			unsigned g = 0;
			if ((r >> i) & 1) {
				unsigned digits = (unsigned)((r >> (8 + 2 * i)) & 3) + 1;
				g = (unsigned)((r2 >> (8 * i)) & 0xffff);
				g &= (1u << (4 * digits)) - 1;
			}
			a[2 * i] = (uint8_t)(g >> 8);
			a[2 * i + 1] = (uint8_t)g;
		}
		if ((r >> 40) % 16 == 0) { /* some IPv4-mapped ones */
			memset(a, 0, 10);
			a[10] = a[11] = 0xff;
		}
		if (!glibc_agrees(a))
			continue;
		assert_non_null(inet_ntop(AF_INET6, a, ref, sizeof ref));
		s = fmt(6, a);
		if (strcmp(s, ref) != 0)
			print_error("tc_addr_str %s, inet_ntop %s\n", s, ref);
		assert_string_equal(s, ref);
		free(s);
		compared++;
	}
	assert_true(compared > 150000);
}

/* Output parses back to the same address (round trip) for the same set. */
static void test_addr_v6_round_trip(void **state)
{
	int n;

	(void)state;
	rng_state = 12345;
	for (n = 0; n < 50000; n++) {
		uint8_t a[16], b[16];
		uint64_t r = rnd(), r2 = rnd(), zmask = rnd();
		char *s;
		int i;

		memcpy(a, &r, 8);
		memcpy(a + 8, &r2, 8);
		for (i = 0; i < 8; i++)
			if ((zmask >> i) & 1)
				a[2 * i] = a[2 * i + 1] = 0;
		s = fmt(6, a);
		assert_int_equal(inet_pton(AF_INET6, s, b), 1);
		assert_memory_equal(a, b, 16);
		free(s);
	}
}

/* ---- relative times ------------------------------------------------------ */

#define MS 1000000LL

static void test_reltime(void **state)
{
	struct tc_conn c;
	(void)state;
	memset(&c, 0, sizeof c);
	c.first_ts = 1700000000LL * 1000000000LL + 123456789;
	/* 0 means never, both ways. */
	assert_int_equal(tc_conn_ts(&c, 0), 0);
	assert_int_equal(tc_conn_rel(&c, c.first_ts), 1);
	assert_int_equal(tc_conn_ts(&c, tc_conn_rel(&c, c.first_ts)), c.first_ts);
	/* Milliseconds, rounded to the nearest. */
	assert_int_equal(tc_conn_ts(&c, tc_conn_rel(&c, c.first_ts + 7 * MS + 499999)),
			 c.first_ts + 7 * MS);
	assert_int_equal(tc_conn_ts(&c, tc_conn_rel(&c, c.first_ts + 7 * MS + 500000)),
			 c.first_ts + 8 * MS);
	/* Order is kept to the millisecond. */
	assert_true(tc_conn_rel(&c, c.first_ts + 10 * MS) < tc_conn_rel(&c, c.first_ts + 11 * MS));
	/* A frame stamped before the first (merged files) is "at the start",
	 * never "never"; 49 days later is clamped, not wrapped. */
	assert_int_equal(tc_conn_rel(&c, c.first_ts - 5000 * MS), 1);
	assert_int_equal(tc_conn_rel(&c, c.first_ts + 50LL * 24 * 3600 * 1000 * MS), 0xffffffffu);
	assert_int_equal(tc_conn_rel(&c, c.first_ts + 40LL * 24 * 3600 * 1000 * MS),
			 (uint32_t)(40LL * 24 * 3600 * 1000) + 1);
}

/* ---- the extension record ------------------------------------------------- */

static void test_ext_lazy_and_released(void **state)
{
	struct tc_conn c;
	const struct tc_conn_ext *z;
	struct tc_conn_ext *x;
	(void)state;
	memset(&c, 0, sizeof c);
	/* Read without one: a shared all-zero record, nothing allocated. */
	z = tc_conn_ext(&c);
	assert_non_null(z);
	assert_null(c.x);
	assert_int_equal(z->rst.check, 0);
	assert_int_equal(z->ep[1].ka_probes, 0);
	/* First write allocates it zeroed; later ones get the same record. */
	x = tc_conn_ext_mut(&c);
	assert_non_null(x);
	assert_ptr_equal(c.x, x);
	assert_ptr_equal(tc_conn_ext(&c), x);
	assert_int_equal(x->challenge_acks, 0);
	x->challenge_acks = 3;
	assert_ptr_equal(tc_conn_ext_mut(&c), x);
	assert_int_equal(tc_conn_ext(&c)->challenge_acks, 3);
	/* The shared zero record was not the one written. */
	assert_int_equal(z->challenge_acks, 0);
	tc_conn_release(&c);
	assert_null(c.x);
	tc_conn_release(&c); /* twice is harmless */
}

static void test_ext_copy_is_independent(void **state)
{
	struct tc_conn c, copy, plain;
	struct tc_conn_bufs buf;
	(void)state;
	memset(&c, 0, sizeof c);
	c.id = 42;
	assert_non_null(tc_conn_ext_mut(&c));
	assert_non_null(tc_conn_end_mut(&c));
	c.x->ep[0].ka_probes = 5;
	memcpy(c.x->rst.text, "bye", 4);
	c.end->ep[1].frame_fin = 77;
	tc_conn_copy(&copy, &buf, &c);
	assert_int_equal(copy.id, 42);
	assert_ptr_equal(copy.x, &buf.x);
	assert_ptr_equal(copy.end, &buf.end);
	assert_int_equal(tc_conn_ext(&copy)->ep[0].ka_probes, 5);
	assert_string_equal(tc_conn_ext(&copy)->rst.text, "bye");
	assert_int_equal(tc_conn_end(&copy)->ep[1].frame_fin, 77);
	/* The original may be freed and reused: the copy keeps its values. */
	c.x->ep[0].ka_probes = 9;
	c.end->ep[1].frame_fin = 78;
	tc_conn_release(&c);
	assert_int_equal(tc_conn_ext(&copy)->ep[0].ka_probes, 5);
	assert_int_equal(tc_conn_end(&copy)->ep[1].frame_fin, 77);
	/* Without them, the copy has none either (buf untouched). */
	memset(&buf, 0x5a, sizeof buf);
	tc_conn_copy(&plain, &buf, &c);
	assert_null(plain.x);
	assert_null(plain.end);
	assert_int_equal(((unsigned char *)&buf.x)[0], 0x5a);
	assert_int_equal(((unsigned char *)&buf.end)[0], 0x5a);
}

/* The end record: none until the first FIN or RST, a shared zero one to
 * read until then; given back, the next one comes zeroed. */
static void test_end_record_lazily_allocated(void **state)
{
	struct tc_conn c;
	const struct tc_conn_end *z;
	(void)state;
	memset(&c, 0, sizeof c);
	z = tc_conn_end(&c);
	assert_non_null(z);
	assert_null(c.end);
	assert_int_equal(z->ep[0].frame_fin, 0);
	assert_non_null(tc_conn_end_mut(&c));
	assert_ptr_equal(tc_conn_end(&c), c.end);
	assert_ptr_equal(tc_conn_end_mut(&c), c.end); /* allocated once */
	c.end->frame_rst = 9;
	assert_int_equal(z->frame_rst, 0);
	tc_conn_release(&c);
	assert_null(c.end);
	/* A new one comes zeroed. */
	assert_non_null(tc_conn_end_mut(&c));
	assert_int_equal(c.end->frame_rst, 0);
	tc_conn_release(&c);
}

/* Byte counts past 4 GiB: the record's low halves carry into the
 * extension, made by the first carry; each side and each count apart. */
static void test_bytes_carry_past_4gib(void **state)
{
	struct tc_conn c;
	uint64_t want = 0, want_ip = 0;
	int i;
	(void)state;
	memset(&c, 0, sizeof c);
	for (i = 0; i < 70000; i++) { /* 70000 * 65495 bytes: 4.27 GB */
		tc_ep_add_bytes(&c, TC_SERVER, 65495, 65535);
		want += 65495;
		want_ip += 65535;
		if (want_ip < 0x100000000ULL)
			assert_null(c.x); /* no carry yet: no extension */
	}
	tc_ep_add_bytes(&c, TC_CLIENT, 0, 40);
	assert_non_null(c.x);
	assert_true(want > 0x100000000ULL);
	assert_true(tc_ep_bytes(&c, TC_SERVER) == want);
	assert_true(tc_ep_ip_bytes(&c, TC_SERVER) == want_ip);
	assert_true(tc_ep_bytes(&c, TC_CLIENT) == 0);
	assert_true(tc_ep_ip_bytes(&c, TC_CLIENT) == 40);
	tc_conn_release(&c);
	/* A carry that lands on an exact multiple: the low half is 0. */
	memset(&c, 0, sizeof c);
	c.ep[TC_CLIENT].bytes = 0xfffffff0u;
	tc_ep_add_bytes(&c, TC_CLIENT, 0x10, 0);
	assert_int_equal(c.ep[TC_CLIENT].bytes, 0);
	assert_true(tc_ep_bytes(&c, TC_CLIENT) == 0x100000000ULL);
	tc_conn_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_names),
		cmocka_unit_test(test_end_record_lazily_allocated),
		cmocka_unit_test(test_bytes_carry_past_4gib),
		cmocka_unit_test(test_state_names_distinct),
		cmocka_unit_test(test_opened_close_names),
		cmocka_unit_test(test_who_phase_names),
		cmocka_unit_test(test_out_of_range_names),
		cmocka_unit_test(test_addr_v4),
		cmocka_unit_test(test_addr_v6_rfc5952),
		cmocka_unit_test(test_addr_lengths),
		cmocka_unit_test(test_addr_v6_vs_inet_ntop),
		cmocka_unit_test(test_addr_v6_round_trip),
		cmocka_unit_test(test_reltime),
		cmocka_unit_test(test_ext_lazy_and_released),
		cmocka_unit_test(test_ext_copy_is_independent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
