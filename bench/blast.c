/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * blast.c -- tc-blast: a capture's frames sent out of an interface as fast
 * as asked, for measuring a live capture's kernel drops at packet rates a
 * socket load generator cannot reach on a small machine.
 *
 *   tc-blast --rate PPS [--count N] FILE.pcap IFACE
 *
 * The frames (the first N, all by default) are read with libpcap into
 * memory first, so that reading the file costs nothing while sending;
 * then they go out of IFACE through an AF_PACKET socket, 64 per
 * sendmmsg(2) call, bypassing the queueing discipline, paced to PPS
 * packets per second (0: as fast as the socket takes them). A frame the
 * kernel refuses is counted, not retried. Prints one line:
 *
 *   sent N refused R seconds S pps P
 *
 * Meant for a veth pair whose other end is in a network namespace of the
 * bench's own (bench/blast.sh): the frames are the capture's, addressed to
 * hosts that do not exist, and are dropped by the receiving stack after
 * the capture has seen them.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64

struct frames {
	uint8_t *data;  /* all frames, back to back */
	size_t *off;    /* frame i at data + off[i] */
	uint32_t *len;
	size_t n, cap, bytes, bcap;
};

static void die(const char *what)
{
	fprintf(stderr, "tc-blast: %s\n", what);
	exit(1);
}

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return p;
	while (*cap < need)
		*cap = *cap ? *cap * 2 : 4096;
	if (!(p = realloc(p, *cap * elem)))
		die("out of memory");
	return p;
}

static void load(const char *file, uint64_t count, struct frames *f)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *p = pcap_open_offline(file, err);

	if (!p) {
		fprintf(stderr, "tc-blast: %s\n", err);
		exit(1);
	}
	if (pcap_datalink(p) != DLT_EN10MB)
		die("the capture is not Ethernet");
	while ((!count || f->n < count) && pcap_next_ex(p, &h, &d) == 1) {
		f->off = grow(f->off, &f->cap, f->n + 1, sizeof(*f->off));
		f->len = realloc(f->len, f->cap * sizeof(*f->len));
		if (!f->len)
			die("out of memory");
		f->data = grow(f->data, &f->bcap, f->bytes + h->caplen, 1);
		memcpy(f->data + f->bytes, d, h->caplen);
		f->off[f->n] = f->bytes;
		f->len[f->n] = h->caplen;
		f->bytes += h->caplen;
		f->n++;
	}
	pcap_close(p);
	if (!f->n)
		die("no frame in the capture");
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"rate", required_argument, NULL, 'r'},
		{"count", required_argument, NULL, 'c'},
		{NULL, 0, NULL, 0},
	};
	struct frames f = {0};
	struct sockaddr_ll sll;
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	uint64_t rate = 0, count = 0, sent = 0, refused = 0;
	double t0, secs;
	int ch, fd, one = 1;
	size_t i = 0;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r': rate = strtoull(optarg, NULL, 10); break;
		case 'c': count = strtoull(optarg, NULL, 10); break;
		default: die("usage: tc-blast --rate PPS [--count N] FILE.pcap IFACE");
		}
	}
	if (argc - optind != 2)
		die("usage: tc-blast --rate PPS [--count N] FILE.pcap IFACE");
	load(argv[optind], count, &f);

	if ((fd = socket(AF_PACKET, SOCK_RAW, 0)) < 0)
		die("socket(AF_PACKET): needs root");
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = 0; /* send only: receive nothing */
	if (!(sll.sll_ifindex = (int)if_nametoindex(argv[optind + 1])))
		die("no such interface");
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) != 0)
		die("bind to the interface failed");
#ifdef PACKET_QDISC_BYPASS
	(void)setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
#endif
	(void)one;

	memset(msg, 0, sizeof(msg));
	t0 = now_s();
	while (i < f.n) {
		size_t k, n = f.n - i < BATCH ? f.n - i : BATCH;
		int r;

		if (rate) {
			/* Paced: wait until the batch is due. */
			double due = t0 + (double)sent / (double)rate;
			while (now_s() < due)
				;
		}
		for (k = 0; k < n; k++) {
			iov[k].iov_base = f.data + f.off[i + k];
			iov[k].iov_len = f.len[i + k];
			msg[k].msg_hdr.msg_iov = &iov[k];
			msg[k].msg_hdr.msg_iovlen = 1;
		}
		r = sendmmsg(fd, msg, (unsigned)n, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			/* The first frame of the batch was refused (too long
			 * for the MTU, say): count it and go on. */
			refused++;
			sent++;
			i++;
			continue;
		}
		sent += (uint64_t)r;
		i += (size_t)r;
	}
	secs = now_s() - t0;
	printf("sent %" PRIu64 " refused %" PRIu64 " seconds %.3f pps %.0f\n", sent - refused,
	       refused, secs, (double)(sent - refused) / secs);
	close(fd);
	return 0;
}
