/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flowcount.c -- tc-flowcount: the floor plus the least a per-flow tool must
 * do: find the TCP header (Ethernet, 802.1Q tags, IPv4 or IPv6 without
 * extension headers) and count packets per 4-tuple in a hash table. No
 * state machine, no per-flow facts beyond a counter, no output per flow.
 *
 *   tc-flowcount FILE
 *
 * It is the yardstick for "how much does per-flow tracking cost on top of
 * reading": tcpclose does this plus decoding every header field, the two
 * RFC 9293 state machines and the report. The table never forgets a flow,
 * so its memory grows with the flows in the file, not with those open at
 * once (tcpclose's table does the latter).
 *
 * Open addressing, linear probing, keyed by the direction-independent
 * 4-tuple, doubled at 3/4 load.
 */
#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct key {
	uint8_t a[16], b[16];     /* a <= b (address, port) */
	uint16_t pa, pb;
	uint8_t af;
	uint8_t pad[3];
};

struct ent {
	struct key k;
	uint32_t hash;            /* 0 = empty slot */
	uint32_t pkts;
};

struct tab {
	struct ent *e;
	size_t cap, n;
};

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x9e3779b97f4a7c15ULL;
	h ^= h >> 32;
	return h;
}

static uint32_t hash_key(const struct key *k)
{
	uint64_t w[4], h = k->af;
	memcpy(w, k->a, 16);
	memcpy(w + 2, k->b, 16);
	h = mix(h, w[0]);
	h = mix(h, w[1]);
	h = mix(h, w[2]);
	h = mix(h, w[3] ^ ((uint64_t)k->pa << 32 | k->pb));
	h *= 0xd6e8feb86659fd93ULL;
	h ^= h >> 32;
	return (uint32_t)h | 1; /* never 0 */
}

static struct ent *slot(struct tab *t, const struct key *k, uint32_t h)
{
	size_t i = h & (t->cap - 1);
	for (;; i = (i + 1) & (t->cap - 1)) {
		struct ent *e = &t->e[i];
		if (e->hash == 0 || (e->hash == h && memcmp(&e->k, k, sizeof(*k)) == 0))
			return e;
	}
}

static void grow(struct tab *t)
{
	struct tab nt;
	size_t i;
	nt.cap = t->cap ? t->cap * 2 : 1024;
	nt.n = t->n;
	nt.e = calloc(nt.cap, sizeof(*nt.e));
	if (!nt.e) {
		fprintf(stderr, "tc-flowcount: out of memory\n");
		exit(1);
	}
	for (i = 0; i < t->cap; i++)
		if (t->e[i].hash)
			*slot(&nt, &t->e[i].k, t->e[i].hash) = t->e[i];
	free(t->e);
	*t = nt;
}

static uint16_t be16(const u_char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* 1 if the frame is TCP; fills the canonical key. */
static int decode(const u_char *d, uint32_t len, struct key *k)
{
	uint32_t off = 12, ihl;
	uint16_t type;
	const u_char *src, *dst, *tcp;
	int alen, cmp;
	uint16_t sp, dp;

	if (len < 14)
		return 0;
	type = be16(d + 12);
	while ((type == 0x8100 || type == 0x88a8) && off + 6 <= len) {
		off += 4;
		type = be16(d + off);
	}
	off += 2;
	if (type == 0x0800) {
		if (off + 20 > len || d[off + 9] != 6)
			return 0;
		ihl = (uint32_t)(d[off] & 0x0f) * 4;
		if ((be16(d + off + 6) & 0x1fff) != 0)
			return 0; /* non-first fragment */
		src = d + off + 12;
		dst = d + off + 16;
		alen = 4;
		k->af = 4;
		off += ihl;
	} else if (type == 0x86dd) {
		if (off + 40 > len || d[off + 6] != 6)
			return 0;
		src = d + off + 8;
		dst = d + off + 24;
		alen = 16;
		k->af = 6;
		off += 40;
	} else {
		return 0;
	}
	if (off + 4 > len)
		return 0;
	tcp = d + off;
	sp = be16(tcp);
	dp = be16(tcp + 2);
	memset(k->a, 0, 16);
	memset(k->b, 0, 16);
	cmp = memcmp(src, dst, (size_t)alen);
	if (cmp < 0 || (cmp == 0 && sp <= dp)) {
		memcpy(k->a, src, (size_t)alen);
		memcpy(k->b, dst, (size_t)alen);
		k->pa = sp;
		k->pb = dp;
	} else {
		memcpy(k->a, dst, (size_t)alen);
		memcpy(k->b, src, (size_t)alen);
		k->pa = dp;
		k->pb = sp;
	}
	memset(k->pad, 0, sizeof(k->pad));
	return 1;
}

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct tab t = {NULL, 0, 0};
	struct pcap_pkthdr *h;
	const u_char *d;
	uint64_t frames = 0, tcp = 0, maxp = 0;
	pcap_t *p;
	FILE *fp;
	size_t i;
	int r;

	if (argc != 2) {
		fprintf(stderr, "Usage: tc-flowcount FILE\n");
		return 1;
	}
	if (!(fp = fopen(argv[1], "rb"))) {
		fprintf(stderr, "tc-flowcount: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, err);
	if (!p) {
		fprintf(stderr, "tc-flowcount: %s: %s\n", argv[1], err);
		fclose(fp);
		return 1;
	}
	if (pcap_datalink(p) != DLT_EN10MB) {
		fprintf(stderr, "tc-flowcount: only Ethernet captures\n");
		return 1;
	}
	grow(&t);
	while ((r = pcap_next_ex(p, &h, &d)) == 1) {
		struct key k;
		struct ent *e;
		uint32_t hs;
		frames++;
		if (!decode(d, h->caplen, &k))
			continue;
		tcp++;
		hs = hash_key(&k);
		e = slot(&t, &k, hs);
		if (!e->hash) {
			if ((t.n + 1) * 4 > t.cap * 3) {
				grow(&t);
				e = slot(&t, &k, hs);
			}
			e->k = k;
			e->hash = hs;
			t.n++;
		}
		e->pkts++;
	}
	if (r == PCAP_ERROR)
		fprintf(stderr, "tc-flowcount: %s\n", pcap_geterr(p));
	for (i = 0; i < t.cap; i++)
		if (t.e[i].pkts > maxp)
			maxp = t.e[i].pkts;
	printf("packets %" PRIu64 " tcp %" PRIu64 " flows %zu max_flow_packets %" PRIu64
	       " table_bytes %zu\n",
	       frames, tcp, t.n, maxp, t.cap * sizeof(struct ent));
	free(t.e);
	pcap_close(p);
	return 0;
}
