/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stretch.c -- tc-stretch: a capture slowed down, every gap between two
 * frames made FACTOR times longer, frames and their order unchanged.
 *
 *   tc-stretch IN.pcap OUT.pcap FACTOR
 *
 * tc-gen's connections think for up to 10 s between requests; stretched
 * 10x the same traffic has connections quiet for a minute or more, the
 * way pooled and keep-alive connections are: the workload on which
 * freezing idle connections was measured (bench/README.md, "Fourth
 * round"). Reading and writing go through libpcap; times keep the
 * input's precision.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>

static void die(const char *what, const char *why)
{
	fprintf(stderr, "tc-stretch: %s: %s\n", what, why);
	exit(1);
}

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *in;
	pcap_dumper_t *out;
	struct pcap_pkthdr *h;
	const u_char *d;
	int64_t first = 0, t, per_sec;
	char *end;
	double factor;
	uint64_t n = 0;
	int rc;

	if (argc != 4)
		die("usage", "tc-stretch IN.pcap OUT.pcap FACTOR");
	factor = strtod(argv[3], &end);
	if (end == argv[3] || *end || !(factor >= 0.001 && factor <= 1000))
		die(argv[3], "FACTOR must be 0.001 .. 1000");
	if (!(in = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO, err)))
		die(argv[1], err);
	/* Units of tv_usec: ns from a nanosecond file, else us. */
	per_sec = pcap_get_tstamp_precision(in) == PCAP_TSTAMP_PRECISION_NANO ? 1000000000 : 1000000;
	if (!(out = pcap_dump_open(in, argv[2])))
		die(argv[2], pcap_geterr(in));
	while ((rc = pcap_next_ex(in, &h, &d)) == 1) {
		struct pcap_pkthdr o = *h;
		t = (int64_t)h->ts.tv_sec * per_sec + h->ts.tv_usec;
		if (n++ == 0)
			first = t;
		/* Exact for whole factors: doubles hold integers to 2^53 ns
		 * (104 days) exactly. */
		t = first + llround((double)(t - first) * factor);
		o.ts.tv_sec = (time_t)(t / per_sec);
		o.ts.tv_usec = (suseconds_t)(t % per_sec);
		pcap_dump((u_char *)out, &o, d);
	}
	if (rc == -1)
		die(argv[1], pcap_geterr(in));
	pcap_dump_close(out);
	pcap_close(in);
	fprintf(stderr, "tc-stretch: %llu frames, %gx\n", (unsigned long long)n, factor);
	return 0;
}
