/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * degrade.c -- tc-degrade: make a clean capture look like a real capture
 * point's, deterministically by seed, so that tcpclose's verdicts on the
 * copy can be scored against its verdicts on the original (bench/lossy.sh).
 *
 *   tc-degrade -r IN -w OUT [--seed S] [--loss P] [--burst N]
 *              [--one-way P] [--dup P] [--reorder P]
 *
 * What a capture point does to a stream of frames, one knob each:
 *   --loss P     drop a share P of the frames (tcpdump/kernel drops);
 *   --burst N    ... in bursts of 1..N consecutive frames (uniform), the
 *                start probability scaled so that P stays the share lost;
 *   --one-way P  for a share P of the TCP connections (chosen by a seeded
 *                hash of the address pair), remove one direction entirely
 *                (asymmetric routing, one leg of an ECMP pair); which
 *                direction is another bit of the same hash;
 *   --dup P      write a share P of the frames twice (SPAN ports);
 *   --reorder P  swap a share P of the frames with the frame after them
 *                (the frames change places; the timestamps stay in their
 *                slots, as a capture point that stamps on arrival writes).
 *
 * The input is streamed (memory O(1)); the output keeps the input's link
 * type, snaplen and timestamp precision. A summary of what was done goes to
 * stderr. Reads any link type libpcap reads; --one-way understands Ethernet
 * (with 802.1Q/QinQ), Linux cooked (SLL), raw IP and BSD loopback; frames it
 * cannot decode are never removed by it.
 */
#include <getopt.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- deterministic randomness (splitmix64 stream) ------------------------ */

static uint64_t rng_state;

static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rnd(void)
{
	return mix(rng_state += 0x9e3779b97f4a7c15ULL);
}

static double unit(void)
{
	return (double)(rnd() >> 11) * 0x1.0p-53;
}

/* ---- the TCP address pair of a frame ------------------------------------ */

struct pair {
	uint8_t a[18], b[18]; /* address + port of each side, as on the wire */
	size_t alen;
};

/*
 * Finds the IP header of a frame of link type `dlt`; returns its offset or
 * -1. Bounded by `len` everywhere: the input is not trusted.
 */
static long l3_offset(int dlt, const uint8_t *p, size_t len)
{
	size_t off;
	unsigned type;

	switch (dlt) {
	case DLT_EN10MB:
		if (len < 14)
			return -1;
		off = 12;
		type = (unsigned)(p[off] << 8 | p[off + 1]);
		while ((type == 0x8100 || type == 0x88a8 || type == 0x9100) && off + 6 <= len) {
			off += 4;
			type = (unsigned)(p[off] << 8 | p[off + 1]);
		}
		off += 2;
		break;
	case DLT_LINUX_SLL:
		if (len < 16)
			return -1;
		type = (unsigned)(p[14] << 8 | p[15]);
		off = 16;
		break;
	case DLT_RAW:
#ifdef DLT_IPV4
	case DLT_IPV4:
	case DLT_IPV6:
#endif
		return 0;
	case DLT_NULL:
		return len >= 4 ? 4 : -1;
	default:
		return -1;
	}
	if (type != 0x0800 && type != 0x86dd)
		return -1;
	return off <= len ? (long)off : -1;
}

/* Fills `pr` with the frame's (address, port) pair; 0 if it is not TCP. */
static int tcp_pair(int dlt, const uint8_t *p, size_t len, struct pair *pr)
{
	long o = l3_offset(dlt, p, len);
	size_t off, alen, l4;
	uint8_t proto;

	if (o < 0 || (size_t)o >= len)
		return 0;
	off = (size_t)o;
	if ((p[off] >> 4) == 4) {
		if (off + 20 > len)
			return 0;
		proto = p[off + 9];
		l4 = off + (size_t)(p[off] & 0x0f) * 4;
		if (proto != 6 || (p[off + 6] & 0x1f) || p[off + 7]) /* not TCP, or a later fragment */
			return 0;
		alen = 4;
		memcpy(pr->a, p + off + 12, 4);
		memcpy(pr->b, p + off + 16, 4);
	} else if ((p[off] >> 4) == 6) {
		if (off + 40 > len)
			return 0;
		proto = p[off + 6];
		l4 = off + 40;
		if (proto != 6) /* extension headers: leave such frames alone */
			return 0;
		alen = 16;
		memcpy(pr->a, p + off + 8, 16);
		memcpy(pr->b, p + off + 24, 16);
	} else {
		return 0;
	}
	if (l4 + 4 > len)
		return 0;
	memcpy(pr->a + alen, p + l4, 2);
	memcpy(pr->b + alen, p + l4 + 2, 2);
	pr->alen = alen + 2;
	return 1;
}

/*
 * For --one-way: 1 if this frame's direction is the one removed. The
 * connection is identified by its unordered pair, so both directions hash
 * alike; the direction removed is the one whose source sorts first, or
 * last, by a second bit of the hash.
 */
static int one_way_drop(const struct pair *pr, double share, uint64_t seed)
{
	const uint8_t *lo, *hi;
	uint64_t h = seed ^ 0x6a09e667f3bcc909ULL;
	size_t i;
	int a_first = memcmp(pr->a, pr->b, pr->alen) < 0;

	lo = a_first ? pr->a : pr->b;
	hi = a_first ? pr->b : pr->a;
	for (i = 0; i < pr->alen; i++)
		h = mix(h ^ lo[i]);
	for (i = 0; i < pr->alen; i++)
		h = mix(h ^ ((uint64_t)hi[i] << 8));
	if ((double)(h >> 11) * 0x1.0p-53 >= share)
		return 0;
	/* bit 0 set: remove the direction from the lower endpoint */
	return (int)(h & 1) == a_first;
}

/* ---- the run ------------------------------------------------------------ */

struct held {
	struct pcap_pkthdr h;
	uint8_t *data;
	int full;
};

struct counts {
	uint64_t in, out, lost, bursts, oneway, dup, reord;
};

static void usage(FILE *f)
{
	fputs("usage: tc-degrade -r IN -w OUT [--seed S] [--loss P] [--burst N]\n"
	      "                  [--one-way P] [--dup P] [--reorder P]\n"
	      "Copy a capture with seeded loss (single or in bursts of 1..N), one direction\n"
	      "removed for a share of the TCP connections, duplicates and adjacent reordering.\n",
	      f);
}

static double share_arg(const char *s, const char *what)
{
	char *end;
	double v = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || !(v >= 0.0 && v <= 1.0)) {
		fprintf(stderr, "tc-degrade: %s wants a share between 0 and 1, got '%s'\n", what, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"seed", required_argument, NULL, 's'},    {"loss", required_argument, NULL, 'l'},
		{"burst", required_argument, NULL, 'b'},   {"one-way", required_argument, NULL, 'o'},
		{"dup", required_argument, NULL, 'd'},     {"reorder", required_argument, NULL, 'x'},
		{"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
	};
	const char *in = NULL, *outp = NULL;
	double loss = 0, oneway = 0, dup = 0, reorder = 0, p_start;
	unsigned long burst = 1, burst_left = 0;
	uint64_t seed = 1;
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *pin;
	pcap_dumper_t *dump;
	struct pcap_pkthdr *h;
	const u_char *data;
	struct held hold = {.full = 0};
	struct counts n = {0};
	int ch, rc, dlt;

	while ((ch = getopt_long(argc, argv, "r:w:s:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r': in = optarg; break;
		case 'w': outp = optarg; break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'l': loss = share_arg(optarg, "--loss"); break;
		case 'o': oneway = share_arg(optarg, "--one-way"); break;
		case 'd': dup = share_arg(optarg, "--dup"); break;
		case 'x': reorder = share_arg(optarg, "--reorder"); break;
		case 'b':
			burst = strtoul(optarg, NULL, 10);
			if (burst < 1 || burst > 1000) {
				fputs("tc-degrade: --burst wants 1..1000\n", stderr);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!in || !outp || optind != argc) {
		usage(stderr);
		return 2;
	}
	rng_state = mix(seed);
	/* a burst of uniform 1..N frames has mean (N+1)/2 */
	p_start = loss / ((double)(burst + 1) / 2.0);

	pin = pcap_open_offline_with_tstamp_precision(in, PCAP_TSTAMP_PRECISION_NANO, err);
	if (!pin) {
		fprintf(stderr, "tc-degrade: %s\n", err);
		return 1;
	}
	dlt = pcap_datalink(pin);
	dump = pcap_dump_open(pin, outp);
	if (!dump) {
		fprintf(stderr, "tc-degrade: %s: %s\n", outp, pcap_geterr(pin));
		return 1;
	}
	hold.data = malloc(262144 + 16);
	if (!hold.data) {
		fputs("tc-degrade: out of memory\n", stderr);
		return 1;
	}

	while ((rc = pcap_next_ex(pin, &h, &data)) == 1) {
		struct pair pr;
		int copies = 1;

		n.in++;
		/* every draw is made for every frame, so one knob does not shift another's choices */
		double r_loss = unit(), r_dup = unit(), r_re = unit();
		uint64_t r_len = rnd();

		if (burst_left == 0 && loss > 0 && r_loss < p_start) {
			burst_left = burst > 1 ? 1 + (unsigned long)(r_len % burst) : 1;
			n.bursts++;
		}
		if (burst_left > 0) {
			burst_left--;
			n.lost++;
			continue;
		}
		if (oneway > 0 && tcp_pair(dlt, data, h->caplen, &pr) && one_way_drop(&pr, oneway, seed)) {
			n.oneway++;
			continue;
		}
		if (r_dup < dup) {
			copies = 2;
			n.dup++;
		}
		if (hold.full) {
			/* the held frame goes out after this one, in the later time slot */
			struct pcap_pkthdr th = *h, hh = hold.h;
			th.ts = hold.h.ts;
			hh.ts = h->ts;
			while (copies--) {
				pcap_dump((u_char *)dump, &th, data);
				n.out++;
			}
			pcap_dump((u_char *)dump, &hh, hold.data);
			n.out++;
			hold.full = 0;
			continue;
		}
		if (r_re < reorder && h->caplen <= 262144) {
			hold.h = *h;
			memcpy(hold.data, data, h->caplen);
			hold.full = 1;
			n.reord++;
			if (copies == 2) {
				pcap_dump((u_char *)dump, h, data);
				n.out++;
			}
			continue;
		}
		while (copies--) {
			pcap_dump((u_char *)dump, h, data);
			n.out++;
		}
	}
	if (hold.full) {
		pcap_dump((u_char *)dump, &hold.h, hold.data);
		n.out++;
	}
	if (rc == -1)
		fprintf(stderr, "tc-degrade: %s: %s (the copy ends there)\n", in, pcap_geterr(pin));
	pcap_dump_close(dump);
	pcap_close(pin);
	free(hold.data);
	fprintf(stderr,
		"tc-degrade: %" PRIu64 " frames in, %" PRIu64 " out: %" PRIu64 " lost (%" PRIu64
		" bursts), %" PRIu64 " removed one-way, %" PRIu64 " duplicated, %" PRIu64
		" reordered\n",
		n.in, n.out, n.lost, n.bursts, n.oneway, n.dup, n.reord);
	return rc == -1 ? 1 : 0;
}
