/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcapfloor.c -- tc-pcapfloor: the bare libpcap read loop, the floor of the
 * benchmark. Nothing can read a capture through libpcap faster than this.
 *
 *   tc-pcapfloor FILE [--loop] [--bufsize BYTES]
 *
 * It makes the same calls tcpclose's source.c makes: fopen() the file,
 * pcap_fopen_offline_with_tstamp_precision(NANO), then pcap_next_ex() per
 * frame. It touches the header and one byte of every frame (so nothing is
 * optimized away) and prints the count. --loop uses pcap_loop() with a
 * callback instead, libpcap's other reading style, for comparison.
 * --bufsize gives the stdio stream libpcap reads through a buffer of that
 * size instead of glibc's default of st_blksize (4 KiB): fewer read()
 * calls. The buffer is allocated here and passed to setvbuf(): glibc
 * ignores the size when the buffer argument is NULL. tcpclose reads
 * through a 256 KiB buffer (src/capture/source.c), so the floor it is
 * measured against is `--bufsize 262144`.
 */
#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct acc {
	uint64_t n, bytes, wire;
	uint32_t x;
	int64_t ts_last;
};

static void take(struct acc *a, const struct pcap_pkthdr *h, const u_char *d)
{
	a->n++;
	a->bytes += h->caplen;
	a->wire += h->len;
	a->x ^= h->caplen > 23 ? d[23] : 0; /* IPv4 protocol byte, or whatever is there */
	a->ts_last = (int64_t)h->ts.tv_sec * 1000000000LL + h->ts.tv_usec;
}

static void cb(u_char *user, const struct pcap_pkthdr *h, const u_char *d)
{
	take((struct acc *)(void *)user, h, d);
}

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct acc a;
	pcap_t *p;
	FILE *fp;
	char *iobuf = NULL;
	int use_loop = 0, i;
	long bufsize = 0;

	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--loop") == 0)
			use_loop = 1;
		else if (strcmp(argv[i], "--bufsize") == 0 && i + 1 < argc && atol(argv[i + 1]) > 0)
			bufsize = atol(argv[++i]);
		else
			argc = 0;
	}
	if (argc < 2) {
		fprintf(stderr, "Usage: tc-pcapfloor FILE [--loop] [--bufsize BYTES]\n");
		return 1;
	}
	memset(&a, 0, sizeof(a));
	if (!(fp = fopen(argv[1], "rb"))) {
		fprintf(stderr, "tc-pcapfloor: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (bufsize > 0 && (!(iobuf = malloc((size_t)bufsize)) ||
			    setvbuf(fp, iobuf, _IOFBF, (size_t)bufsize) != 0)) {
		fprintf(stderr, "tc-pcapfloor: cannot give the stream a %ld-byte buffer\n", bufsize);
		return 1;
	}
	p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, err);
	if (!p) {
		fprintf(stderr, "tc-pcapfloor: %s: %s\n", argv[1], err);
		fclose(fp);
		return 1;
	}
	if (use_loop) {
		if (pcap_loop(p, -1, cb, (u_char *)&a) == PCAP_ERROR)
			fprintf(stderr, "tc-pcapfloor: %s\n", pcap_geterr(p));
	} else {
		struct pcap_pkthdr *h;
		const u_char *d;
		int r;
		while ((r = pcap_next_ex(p, &h, &d)) == 1)
			take(&a, h, d);
		if (r == PCAP_ERROR)
			fprintf(stderr, "tc-pcapfloor: %s\n", pcap_geterr(p));
	}
	printf("packets %" PRIu64 " captured_bytes %" PRIu64 " wire_bytes %" PRIu64 " x %u\n", a.n,
	       a.bytes, a.wire, a.x);
	pcap_close(p); /* closes fp: only then may its buffer go */
	free(iobuf);
	return 0;
}
