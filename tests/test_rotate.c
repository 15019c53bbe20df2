/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_rotate.c -- unit tests for the live -w savefile's rotation
 * (src/capture/rotate.c): -C's argument, the file names tcpdump 4.99 gives
 * (FILE, FILE1 ...; FILE0 .. with -W's zero padding; strftime with -G),
 * the rotation decision (size before the write, time first, the -W ring,
 * -G -W's limit), and the dumper itself on a dead libpcap handle: the
 * packets of a rotation land in the files they should, every one of them
 * once, and a full disk (/dev/full) is an error rather than silence.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include "rotate.h"

static char dir[64];

static void test_parse_size(void **state)
{
	int64_t b = 0;
	(void)state;
	/* tcpdump's unit: millions of bytes, not MiB. */
	assert_int_equal(tc_rotate_parse_size("1", &b), 0);
	assert_int_equal(b, 1000000);
	assert_int_equal(tc_rotate_parse_size("250", &b), 0);
	assert_int_equal(b, 250000000LL);
	assert_int_equal(tc_rotate_parse_size("16k", &b), 0);
	assert_int_equal(b, 16384);
	assert_int_equal(tc_rotate_parse_size("2M", &b), 0);
	assert_int_equal(b, 2097152);
	assert_int_equal(tc_rotate_parse_size("1g", &b), 0);
	assert_int_equal(b, 1073741824LL);
	/* The largest in millions, and one past it. */
	assert_int_equal(tc_rotate_parse_size("9223372036854", &b), 0);
	assert_int_equal(b, 9223372036854000000LL);
	b = 7;
	assert_int_equal(tc_rotate_parse_size("9223372036855", &b), -1);
	assert_int_equal(tc_rotate_parse_size("99999999999999999999999", &b), -1);
	/* What tcpdump refuses too: 0, negative, fractions, words. */
	assert_int_equal(tc_rotate_parse_size("0", &b), -1);
	assert_int_equal(tc_rotate_parse_size("0k", &b), -1);
	assert_int_equal(tc_rotate_parse_size("-1", &b), -1);
	assert_int_equal(tc_rotate_parse_size("1.5", &b), -1);
	assert_int_equal(tc_rotate_parse_size("", &b), -1);
	assert_int_equal(tc_rotate_parse_size("k", &b), -1);
	assert_int_equal(tc_rotate_parse_size("1kb", &b), -1);
	assert_int_equal(tc_rotate_parse_size("1x", &b), -1);
	assert_int_equal(tc_rotate_parse_size(" 1", &b), -1);
	assert_int_equal(b, 7); /* untouched on error */
}

static void test_digits(void **state)
{
	(void)state;
	/* tcpdump's getWflagChars: the digits of count-1. */
	assert_int_equal(tc_rotate_digits(0), 0);
	assert_int_equal(tc_rotate_digits(1), 0);
	assert_int_equal(tc_rotate_digits(2), 1);
	assert_int_equal(tc_rotate_digits(10), 1);
	assert_int_equal(tc_rotate_digits(11), 2);
	assert_int_equal(tc_rotate_digits(100), 2);
	assert_int_equal(tc_rotate_digits(101), 3);
	assert_int_equal(tc_rotate_digits(2147483647), 10);
}

/* The name of the file the state points at, for -C/-W (no -G). */
static const char *name_of(const struct tc_save_opts *o, int cindex)
{
	static char buf[256];
	struct tc_rotate_state st;
	tc_rotate_start(&st, 0);
	st.cindex = cindex;
	assert_int_equal(tc_rotate_name(o, &st, NULL, buf, sizeof(buf)), 0);
	return buf;
}

static void test_names_size(void **state)
{
	struct tc_save_opts o = {"cap.pcap", 1000000, 0, 0};
	(void)state;
	/* -C alone: FILE, then FILE1, FILE2 ... unpadded. */
	assert_string_equal(name_of(&o, 0), "cap.pcap");
	assert_string_equal(name_of(&o, 1), "cap.pcap1");
	assert_string_equal(name_of(&o, 12), "cap.pcap12");
	/* -W 10: FILE0 .. FILE9, the first one numbered too. */
	o.count = 10;
	assert_string_equal(name_of(&o, 0), "cap.pcap0");
	assert_string_equal(name_of(&o, 9), "cap.pcap9");
	/* -W 11: two digits. */
	o.count = 11;
	assert_string_equal(name_of(&o, 0), "cap.pcap00");
	assert_string_equal(name_of(&o, 7), "cap.pcap07");
	assert_string_equal(name_of(&o, 10), "cap.pcap10");
	/* -W 1: no digits; the one file is FILE. */
	o.count = 1;
	assert_string_equal(name_of(&o, 0), "cap.pcap");
	/* No -C: never a number, whatever -W says. */
	o.size = 0;
	o.count = 5;
	assert_string_equal(name_of(&o, 0), "cap.pcap");
}

static void test_names_time(void **state)
{
	struct tc_save_opts o = {"d/%Y-%m-%d_%H%M%S.pcap", 0, 60, 0};
	struct tc_rotate_state st;
	struct tm tm;
	char buf[64];
	(void)state;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = 2026 - 1900;
	tm.tm_mon = 11;
	tm.tm_mday = 5;
	tm.tm_hour = 13;
	tm.tm_min = 7;
	tm.tm_sec = 9;
	tc_rotate_start(&st, 0);
	assert_int_equal(tc_rotate_name(&o, &st, &tm, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "d/2026-12-05_130709.pcap");
	/* -G with -C: the number after the expanded name. */
	o.size = 1000000;
	st.cindex = 2;
	assert_int_equal(tc_rotate_name(&o, &st, &tm, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "d/2026-12-05_130709.pcap2");
	o.count = 100;
	assert_int_equal(tc_rotate_name(&o, &st, &tm, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "d/2026-12-05_130709.pcap02");
	/* A name that does not fit is an error, not a cut name. */
	assert_int_equal(tc_rotate_name(&o, &st, &tm, buf, 10), -1);
	/* strftime giving nothing (an empty pattern) is no name. */
	o.file = "";
	assert_int_equal(tc_rotate_name(&o, &st, &tm, buf, sizeof(buf)), -1);
	o.file = "%p";
	tm.tm_hour = 1;
	assert_int_equal(tc_rotate_name(&o, &st, &tm, buf, sizeof(buf)), 0);
}

static void test_step_size_ring(void **state)
{
	struct tc_save_opts o = {"x", 1000, 0, 3};
	struct tc_rotate_state st;
	(void)state;
	tc_rotate_start(&st, 100);
	/* Larger than SIZE, not equal to it, turns the file. */
	assert_int_equal(tc_rotate_step(&o, &st, 1000, 100), TC_ROTATE_KEEP);
	assert_int_equal(st.cindex, 0);
	assert_int_equal(tc_rotate_step(&o, &st, 1001, 100), TC_ROTATE_NEXT);
	assert_int_equal(st.cindex, 1);
	assert_int_equal(tc_rotate_step(&o, &st, 5000, 9999), TC_ROTATE_NEXT);
	assert_int_equal(st.cindex, 2);
	/* -W 3: after FILE2 comes FILE0 again. */
	assert_int_equal(tc_rotate_step(&o, &st, 1001, 100), TC_ROTATE_NEXT);
	assert_int_equal(st.cindex, 0);
	/* Without -W the numbers go on. */
	o.count = 0;
	st.cindex = 2;
	assert_int_equal(tc_rotate_step(&o, &st, 1001, 100), TC_ROTATE_NEXT);
	assert_int_equal(st.cindex, 3);
}

static void test_step_time(void **state)
{
	struct tc_save_opts o = {"x%S", 0, 10, 0};
	struct tc_rotate_state st;
	(void)state;
	tc_rotate_start(&st, 1000);
	assert_int_equal(tc_rotate_step(&o, &st, 0, 1009), TC_ROTATE_KEEP);
	/* SECS or more since the interval began, measured from the packet
	 * that turns it (no packet, no file): the next interval starts then. */
	assert_int_equal(tc_rotate_step(&o, &st, 0, 1010), TC_ROTATE_NEXT);
	assert_int_equal(st.gtime, 1010);
	assert_int_equal(tc_rotate_step(&o, &st, 0, 1019), TC_ROTATE_KEEP);
	assert_int_equal(tc_rotate_step(&o, &st, 0, 1500), TC_ROTATE_NEXT);
	assert_int_equal(st.gtime, 1500);
	/* A clock stepped back turns nothing. */
	assert_int_equal(tc_rotate_step(&o, &st, 0, 900), TC_ROTATE_KEEP);
}

static void test_step_time_limit(void **state)
{
	struct tc_save_opts o = {"x%S", 0, 1, 3};
	struct tc_rotate_state st;
	(void)state;
	/* -G 1 -W 3: three files, and the packet that would open a fourth
	 * stops the capture instead. */
	tc_rotate_start(&st, 0);
	assert_int_equal(tc_rotate_step(&o, &st, 0, 1), TC_ROTATE_NEXT);
	assert_int_equal(tc_rotate_step(&o, &st, 0, 2), TC_ROTATE_NEXT);
	assert_int_equal(tc_rotate_step(&o, &st, 0, 2), TC_ROTATE_KEEP);
	assert_int_equal(tc_rotate_step(&o, &st, 0, 3), TC_ROTATE_LIMIT);
	/* With -C as well, -W only names the files: no limit. */
	o.size = 100;
	tc_rotate_start(&st, 0);
	assert_int_equal(tc_rotate_step(&o, &st, 0, 1), TC_ROTATE_NEXT);
	assert_int_equal(tc_rotate_step(&o, &st, 0, 2), TC_ROTATE_NEXT);
	assert_int_equal(tc_rotate_step(&o, &st, 0, 3), TC_ROTATE_NEXT);
	assert_int_equal(tc_rotate_step(&o, &st, 0, 4), TC_ROTATE_NEXT);
}

static void test_step_time_then_size(void **state)
{
	struct tc_save_opts o = {"x%S", 100, 5, 0};
	struct tc_rotate_state st;
	(void)state;
	tc_rotate_start(&st, 0);
	assert_int_equal(tc_rotate_step(&o, &st, 101, 1), TC_ROTATE_NEXT);
	assert_int_equal(st.cindex, 1);
	assert_int_equal(tc_rotate_step(&o, &st, 101, 1), TC_ROTATE_NEXT);
	assert_int_equal(st.cindex, 2);
	/* A new interval: its files are numbered from the start again, and
	 * the full file turns once, not twice. */
	assert_int_equal(tc_rotate_step(&o, &st, 101, 5), TC_ROTATE_NEXT);
	assert_int_equal(st.cindex, 0);
	assert_int_equal(st.gtime, 5);
}

/* ---- the dumper, on a dead handle ---------------------------------- */

static uint64_t count_packets(const char *path, int *snaplen, int *dlt)
{
	char e[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	uint64_t n = 0;
	pcap_t *p = pcap_open_offline(path, e);
	if (!p)
		fail_msg("%s: %s", path, e);
	*snaplen = pcap_snapshot(p);
	*dlt = pcap_datalink(p);
	while (pcap_next_ex(p, &h, &d) == 1)
		n++;
	pcap_close(p);
	return n;
}

static void write_n(struct tc_rotate *r, int n, int expect)
{
	unsigned char pkt[100];
	struct pcap_pkthdr h;
	int i;
	memset(&h, 0, sizeof(h));
	h.caplen = h.len = sizeof(pkt);
	for (i = 0; i < n; i++) {
		memset(pkt, i & 0xff, sizeof(pkt));
		h.ts.tv_sec = 1000 + i;
		assert_int_equal(tc_rotate_write(r, &h, pkt), expect);
	}
}

static void test_dumper_size_rotation(void **state)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 512);
	char path[128], pattern[128], err[512];
	struct tc_save_opts o = {pattern, 1000, 0, 0};
	struct tc_rotate *r;
	uint64_t total = 0;
	struct stat sb;
	int i, snaplen, dlt;
	(void)state;
	/* 24-byte file header, 116 bytes a packet: a file takes 9 packets
	 * (24 + 8 * 116 = 952 is not over 1000; 9 make 1068, which is). */
	snprintf(pattern, sizeof(pattern), "%s/size.pcap", dir);
	r = tc_rotate_open(dead, &o, err, sizeof(err));
	assert_non_null(r);
	write_n(r, 30, 0);
	assert_int_equal(tc_rotate_finish(r), 0);
	assert_int_equal(tc_rotate_packets(r), 30);
	assert_int_equal(tc_rotate_files(r), 4);
	snprintf(path, sizeof(path), "%s/size.pcap3", dir);
	assert_string_equal(tc_rotate_current(r), path);
	tc_rotate_free(r);
	for (i = 0; i < 4; i++) {
		uint64_t n;
		if (i == 0)
			snprintf(path, sizeof(path), "%s/size.pcap", dir);
		else
			snprintf(path, sizeof(path), "%s/size.pcap%d", dir, i);
		n = count_packets(path, &snaplen, &dlt);
		assert_int_equal(n, i < 3 ? 9 : 3);
		/* The size the rotation counted is the file's. */
		assert_int_equal(stat(path, &sb), 0);
		assert_int_equal(sb.st_size, 24 + (int64_t)n * 116);
		/* The capture handle's link type and snapshot length. */
		assert_int_equal(snaplen, 512);
		assert_int_equal(dlt, DLT_EN10MB);
		total += n;
	}
	assert_int_equal(total, 30);
	snprintf(path, sizeof(path), "%s/size.pcap4", dir);
	assert_int_not_equal(access(path, F_OK), 0);
	pcap_close(dead);
}

static void test_dumper_ring(void **state)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 512);
	char path[128], pattern[128], err[512];
	struct tc_save_opts o = {pattern, 1000, 0, 2};
	struct tc_rotate *r;
	int snaplen, dlt;
	(void)state;
	snprintf(pattern, sizeof(pattern), "%s/ring.pcap", dir);
	r = tc_rotate_open(dead, &o, err, sizeof(err));
	assert_non_null(r);
	/* 9 + 9 + 9 + 3: ring0, ring1, ring0 again, ring1 again. */
	write_n(r, 30, 0);
	assert_int_equal(tc_rotate_finish(r), 0);
	assert_int_equal(tc_rotate_files(r), 4);
	tc_rotate_free(r);
	snprintf(path, sizeof(path), "%s/ring.pcap0", dir);
	assert_int_equal(count_packets(path, &snaplen, &dlt), 9);
	snprintf(path, sizeof(path), "%s/ring.pcap1", dir);
	assert_int_equal(count_packets(path, &snaplen, &dlt), 3);
	snprintf(path, sizeof(path), "%s/ring.pcap", dir);
	assert_int_not_equal(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/ring.pcap2", dir);
	assert_int_not_equal(access(path, F_OK), 0);
	pcap_close(dead);
}

static void test_dumper_errors(void **state)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 512);
	char pattern[128], err[512];
	struct tc_save_opts o = {"/dev/full", 0, 0, 0};
	struct tc_rotate *r;
	int rc = 0, i;
	(void)state;
	/* A full disk: an error, said with the file and the reason, within
	 * a buffer's worth of packets; nothing more is written after it. */
	r = tc_rotate_open(dead, &o, err, sizeof(err));
	assert_non_null(r);
	for (i = 0; i < 10000 && rc == 0; i++) {
		unsigned char pkt[100] = {0};
		struct pcap_pkthdr h = {{0, 0}, sizeof(pkt), sizeof(pkt)};
		rc = tc_rotate_write(r, &h, pkt);
	}
	if (rc == 0)
		rc = tc_rotate_flush(r);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(tc_rotate_error(r), "/dev/full: write error: No space left on device"));
	assert_int_equal(tc_rotate_finish(r), -1);
	tc_rotate_free(r);
	/* A directory that is not there: the open fails, with the name. */
	snprintf(pattern, sizeof(pattern), "%s/nodir/x.pcap", dir);
	o.file = pattern;
	assert_null(tc_rotate_open(dead, &o, err, sizeof(err)));
	assert_non_null(strstr(err, "nodir/x.pcap"));
	pcap_close(dead);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_digits),
		cmocka_unit_test(test_names_size),
		cmocka_unit_test(test_names_time),
		cmocka_unit_test(test_step_size_ring),
		cmocka_unit_test(test_step_time),
		cmocka_unit_test(test_step_time_limit),
		cmocka_unit_test(test_step_time_then_size),
		cmocka_unit_test(test_dumper_size_rotation),
		cmocka_unit_test(test_dumper_ring),
		cmocka_unit_test(test_dumper_errors),
	};
	int rc;

	snprintf(dir, sizeof(dir), "/tmp/tc-rotate.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	/* The files this test made, then the directory. */
	{
		static const char *const names[] = {"size.pcap", "size.pcap1", "size.pcap2",
						    "size.pcap3", "ring.pcap0", "ring.pcap1"};
		char p[160];
		size_t i;
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
			unlink(p);
		}
		rmdir(dir);
	}
	return rc;
}
