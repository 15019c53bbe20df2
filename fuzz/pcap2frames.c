/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcap2frames.c -- turn a capture into a fuzz_packets input (seeds).
 *
 *   pcap2frames OPTIONS_BYTE IN.pcap[ng] OUT
 *
 * Writes the format described in fuzz_packets.c: link-type index, the
 * options byte given (decimal or 0x..), the first packet's second as the
 * start time, then each frame with its length (cut to FP_MAX_FRAME) and
 * the time step in 10 ms units (clamped to what one byte holds, and never
 * the two special values). Exit 1 if the link type is not one the harness
 * can select.
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_packets.h"

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *p;
	FILE *out;
	int dlt, idx = -1, first = 1, r;
	unsigned i;
	long long last_ns = 0;
	unsigned long opt;

	if (argc != 4) {
		fprintf(stderr, "usage: pcap2frames OPTIONS_BYTE IN OUT\n");
		return 2;
	}
	opt = strtoul(argv[1], NULL, 0) & 0xff;
	p = pcap_open_offline_with_tstamp_precision(argv[2], PCAP_TSTAMP_PRECISION_NANO, err);
	if (!p) {
		fprintf(stderr, "pcap2frames: %s: %s\n", argv[2], err);
		return 1;
	}
	dlt = pcap_datalink(p);
	for (i = 0; i < FP_NLINKS; i++)
		if (fp_links[i] == dlt)
			idx = (int)i;
	if (idx < 0) {
		fprintf(stderr, "pcap2frames: %s: link type %d not in fp_links[]\n", argv[2], dlt);
		return 1;
	}
	out = fopen(argv[3], "wb");
	if (!out) {
		perror(argv[3]);
		return 1;
	}
	fputc(idx, out);
	fputc((int)(opt & ~(unsigned long)(FP_OPT_WILD_TIME | FP_OPT_FRAME_DLT)), out);
	while ((r = pcap_next_ex(p, &h, &d)) == 1) {
		long long ns = (long long)h->ts.tv_sec * 1000000000LL + h->ts.tv_usec;
		long long step;
		unsigned len = h->caplen > FP_MAX_FRAME ? FP_MAX_FRAME : h->caplen;
		if (first) {
			unsigned long s = (unsigned long)h->ts.tv_sec;
			fputc((int)(s >> 24 & 0xff), out);
			fputc((int)(s >> 16 & 0xff), out);
			fputc((int)(s >> 8 & 0xff), out);
			fputc((int)(s & 0xff), out);
			last_ns = (long long)h->ts.tv_sec * 1000000000LL;
			first = 0;
		}
		step = (ns - last_ns) / FP_DT_UNIT_NS;
		if (step > 126)
			step = 126;
		if (step < -127)
			step = -127;
		last_ns += step * FP_DT_UNIT_NS;
		fputc((int)(len >> 8), out);
		fputc((int)(len & 0xff), out);
		fputc((int)(step & 0xff), out);
		fwrite(d, 1, len, out);
	}
	pcap_close(p);
	return fclose(out) == 0 ? 0 : 1;
}
