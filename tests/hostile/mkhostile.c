/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mkhostile.c -- write the hostile capture corpus (tests/hostile/).
 *
 *   mkhostile OUTDIR
 *
 * Small capture files, each damaged in one way, written byte by byte (not
 * through libpcap, which would refuse to write most of them). What tcpclose
 * must say about each is in hostile.expect, checked by run.sh.
 *
 * Deterministic: fixed times (from 1700000000 s), addresses from the
 * documentation ranges (192.0.2.0/24, 198.51.100.0/24, 2001:db8::/32),
 * fixed sequence numbers. No checksums (tcpclose does not check them).
 *
 * Most files start with one complete graceful connection ("the good part",
 * 7 packets) and then carry their damage, so the tests can assert that what
 * came before the damage is still reported.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define T0 1700000000u

/* TCP flags */
#define FIN 0x01
#define SYN 0x02
#define RST 0x04
#define PSH 0x08
#define ACK 0x10

/* ---- a growable byte buffer ---------------------------------------------- */

struct buf {
	uint8_t *p;
	size_t n, cap;
};

static void reserve(struct buf *b, size_t more)
{
	if (b->n + more <= b->cap)
		return;
	while (b->cap < b->n + more)
		b->cap = b->cap ? b->cap * 2 : 4096;
	b->p = realloc(b->p, b->cap);
	if (!b->p) {
		fprintf(stderr, "mkhostile: out of memory\n");
		exit(1);
	}
}

static void put(struct buf *b, const void *d, size_t n)
{
	reserve(b, n);
	if (n)
		memcpy(b->p + b->n, d, n);
	b->n += n;
}

static void zeros(struct buf *b, size_t n)
{
	reserve(b, n);
	memset(b->p + b->n, 0, n);
	b->n += n;
}

static void u8(struct buf *b, unsigned v)
{
	uint8_t x = (uint8_t)v;
	put(b, &x, 1);
}

static void be16(struct buf *b, unsigned v)
{
	u8(b, v >> 8);
	u8(b, v);
}

static void be32(struct buf *b, uint32_t v)
{
	be16(b, v >> 16);
	be16(b, v & 0xffff);
}

static void le16(struct buf *b, unsigned v)
{
	u8(b, v);
	u8(b, v >> 8);
}

static void le32(struct buf *b, uint32_t v)
{
	le16(b, v & 0xffff);
	le16(b, v >> 16);
}

static void set_be16(struct buf *b, size_t at, unsigned v)
{
	b->p[at] = (uint8_t)(v >> 8);
	b->p[at + 1] = (uint8_t)v;
}

/* ---- packets ---------------------------------------------------------------- */

/*
 * One IPv4/TCP segment in Ethernet. Every length field can be overridden
 * (-1 = the right value) so the malformed cases are one line each.
 */
struct seg {
	const char *src, *dst;   /* "a.b.c.d" */
	unsigned sport, dport;
	uint32_t seq, ack;
	unsigned flags;
	unsigned payload;        /* payload bytes */
	int ihl;                 /* IPv4 header length in 32-bit words */
	int totlen;              /* IPv4 total length */
	int doff;                /* TCP data offset in 32-bit words */
	const uint8_t *opts;     /* TCP option bytes (header grows to fit) */
	unsigned optlen;
	int version;             /* IP version nibble */
};

static void ip4(struct buf *b, const char *s)
{
	unsigned a, c, d, e;
	if (sscanf(s, "%u.%u.%u.%u", &a, &c, &d, &e) != 4)
		abort();
	u8(b, a);
	u8(b, c);
	u8(b, d);
	u8(b, e);
}

static void eth(struct buf *b, unsigned type)
{
	static const uint8_t mac_a[6] = {0x02, 0, 0, 0, 0, 0x01};
	static const uint8_t mac_b[6] = {0x02, 0, 0, 0, 0, 0x02};
	put(b, mac_b, 6);
	put(b, mac_a, 6);
	be16(b, type);
}

static void tcp_hdr(struct buf *b, const struct seg *s)
{
	unsigned optspace = (s->optlen + 3) & ~3u;
	unsigned doff = s->doff >= 0 ? (unsigned)s->doff : (20 + optspace) / 4;
	be16(b, s->sport);
	be16(b, s->dport);
	be32(b, s->seq);
	be32(b, s->ack);
	u8(b, (doff & 0xf) << 4);
	u8(b, s->flags);
	be16(b, 65535);          /* window */
	be16(b, 0);              /* checksum */
	be16(b, 0);              /* urgent pointer */
	put(b, s->opts, s->optlen);
	zeros(b, optspace - s->optlen);
}

/* The frame (Ethernet + IPv4 + TCP + payload) for s, appended to b. */
static void frame4(struct buf *b, const struct seg *s)
{
	unsigned optspace = (s->optlen + 3) & ~3u;
	unsigned ihl = s->ihl >= 0 ? (unsigned)s->ihl : 5;
	unsigned hlen_real = 20 + optspace;
	unsigned tot = s->totlen >= 0 ? (unsigned)s->totlen : 20 + hlen_real + s->payload;
	unsigned i;

	eth(b, 0x0800);
	u8(b, ((s->version ? (unsigned)s->version : 4) << 4) | (ihl & 0xf));
	u8(b, 0);
	be16(b, tot);
	be16(b, 0x1234);         /* id */
	be16(b, 0x4000);         /* DF */
	u8(b, 64);
	u8(b, 6);
	be16(b, 0);
	ip4(b, s->src);
	ip4(b, s->dst);
	/* An IHL above 5 gets that many option words (NOPs): the header
	 * really is that long; an IHL below 5 is a lie about 20 real bytes. */
	for (i = 5; i < ihl; i++)
		be32(b, 0x01010101);
	tcp_hdr(b, s);
	for (i = 0; i < s->payload; i++)
		u8(b, 'a' + i % 26);
}

static struct seg seg_default(void)
{
	struct seg s;
	memset(&s, 0, sizeof(s));
	s.src = "192.0.2.1";
	s.dst = "198.51.100.1";
	s.sport = 40000;
	s.dport = 80;
	s.ihl = s.totlen = s.doff = -1;
	return s;
}

/* ---- pcap ----------------------------------------------------------------- */

static void pcap_hdr(struct buf *b, uint32_t linktype, uint32_t snaplen)
{
	le32(b, 0xa1b2c3d4);     /* microsecond pcap, written little-endian */
	le16(b, 2);
	le16(b, 4);
	le32(b, 0);              /* thiszone */
	le32(b, 0);              /* sigfigs */
	le32(b, snaplen);
	le32(b, linktype);
}

/* A record: header says caplen/len; `data` (n bytes) follows as given. */
static void pcap_rec_raw(struct buf *b, uint32_t sec, uint32_t usec, uint32_t caplen,
			 uint32_t len, const uint8_t *data, size_t n)
{
	le32(b, sec);
	le32(b, usec);
	le32(b, caplen);
	le32(b, len);
	put(b, data, n);
}

static void pcap_rec(struct buf *b, uint32_t sec, uint32_t usec, const struct buf *frame)
{
	pcap_rec_raw(b, sec, usec, (uint32_t)frame->n, (uint32_t)frame->n, frame->p, frame->n);
}

static void pcap_seg(struct buf *b, uint32_t sec, uint32_t usec, const struct seg *s)
{
	struct buf f = {0};
	frame4(&f, s);
	pcap_rec(b, sec, usec, &f);
	free(f.p);
}

/*
 * The good part: one graceful IPv4 connection, 7 packets, client
 * 192.0.2.1:sport -> 198.51.100.1:80, client closes first. `usec_step`
 * may be negative to write time going backwards.
 */
static void graceful(struct buf *b, unsigned sport, uint32_t sec)
{
	static const struct {
		int from_client;
		unsigned flags;
		uint32_t seq, ack;
	} p[7] = {
		{1, SYN, 1000, 0},
		{0, SYN | ACK, 5000, 1001},
		{1, ACK, 1001, 5001},
		{1, FIN | ACK, 1001, 5001},
		{0, ACK, 5001, 1002},
		{0, FIN | ACK, 5001, 1002},
		{1, ACK, 1002, 5002},
	};
	int i;
	for (i = 0; i < 7; i++) {
		struct seg s = seg_default();
		if (!p[i].from_client) {
			s.src = "198.51.100.1";
			s.dst = "192.0.2.1";
			s.sport = 80;
			s.dport = sport;
		} else {
			s.sport = sport;
		}
		s.flags = p[i].flags;
		s.seq = p[i].seq;
		s.ack = p[i].ack;
		pcap_seg(b, sec, (uint32_t)i * 1000, &s);
	}
}

/* ---- pcapng --------------------------------------------------------------- */

static void ng_shb(struct buf *b)
{
	le32(b, 0x0a0d0d0a);
	le32(b, 28);
	le32(b, 0x1a2b3c4d);
	le16(b, 1);
	le16(b, 0);
	le32(b, 0xffffffff);     /* section length: unknown */
	le32(b, 0xffffffff);
	le32(b, 28);
}

static void ng_idb(struct buf *b, unsigned linktype)
{
	le32(b, 1);
	le32(b, 20);
	le16(b, linktype);
	le16(b, 0);
	le32(b, 262144);
	le32(b, 20);
}

static void ng_epb(struct buf *b, uint32_t iface, uint64_t ts_us, const struct buf *frame)
{
	uint32_t pad = (uint32_t)((4 - frame->n % 4) % 4);
	uint32_t total = 32 + (uint32_t)frame->n + pad;
	le32(b, 6);
	le32(b, total);
	le32(b, iface);
	le32(b, (uint32_t)(ts_us >> 32));
	le32(b, (uint32_t)ts_us);
	le32(b, (uint32_t)frame->n);
	le32(b, (uint32_t)frame->n);
	put(b, frame->p, frame->n);
	zeros(b, pad);
	le32(b, total);
}

static void ng_graceful(struct buf *b, unsigned sport, uint32_t sec)
{
	/* The same 7 packets as graceful(), as EPBs on interface 0. */
	struct buf tmp = {0};
	size_t off = 0;
	int i;
	graceful(&tmp, sport, sec);
	for (i = 0; i < 7; i++) {
		struct buf f = {0};
		uint32_t s = tmp.p[off] | tmp.p[off + 1] << 8 | tmp.p[off + 2] << 16 |
			     (uint32_t)tmp.p[off + 3] << 24;
		uint32_t us = tmp.p[off + 4] | tmp.p[off + 5] << 8 | tmp.p[off + 6] << 16 |
			      (uint32_t)tmp.p[off + 7] << 24;
		uint32_t cl = tmp.p[off + 8] | tmp.p[off + 9] << 8;
		put(&f, tmp.p + off + 16, cl);
		ng_epb(b, 0, (uint64_t)s * 1000000u + us, &f);
		off += 16 + cl;
		free(f.p);
	}
	free(tmp.p);
}

/* ---- the corpus ------------------------------------------------------------- */

static const char *outdir;

static void write_file(const char *name, const struct buf *b)
{
	char path[4096];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", outdir, name);
	f = fopen(path, "wb");
	if (!f || (b->n && fwrite(b->p, 1, b->n, f) != b->n) || fclose(f) != 0) {
		fprintf(stderr, "mkhostile: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

/* Start a pcap with the good part. */
static void good_pcap(struct buf *b)
{
	pcap_hdr(b, 1, 262144);
	graceful(b, 40000, T0);
}

/* A file of the good part followed by one segment s. */
static void one_bad_seg(const char *name, const struct seg *s)
{
	struct buf b = {0};
	good_pcap(&b);
	pcap_seg(&b, T0 + 1, 0, s);
	write_file(name, &b);
	free(b.p);
}

static void file_level(void)
{
	struct buf b = {0}, f = {0};
	struct seg s = seg_default();

	/* 0 bytes, and a file header cut at 10 of its 24 bytes. */
	write_file("empty.pcap", &b);
	pcap_hdr(&b, 1, 262144);
	b.n = 10;
	write_file("file_hdr_truncated.pcap", &b);
	b.n = 0;

	/* Wrong magic (a text file, say). */
	put(&b, "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n", 37);
	write_file("bad_magic.pcap", &b);
	b.n = 0;

	/* pcap version 9.9: not one libpcap knows. */
	le32(&b, 0xa1b2c3d4);
	le16(&b, 9);
	le16(&b, 9);
	zeros(&b, 8);
	le32(&b, 262144);
	le32(&b, 1);
	graceful(&b, 40000, T0);
	write_file("bad_version.pcap", &b);
	b.n = 0;

	/* A good file with another connection (port 40100, 5 s later), to
	 * merge with a damaged one. */
	pcap_hdr(&b, 1, 262144);
	graceful(&b, 40100, T0 + 5);
	write_file("good_other.pcap", &b);
	b.n = 0;

	/* Just the file header: a valid, empty capture. */
	pcap_hdr(&b, 1, 262144);
	write_file("header_only.pcap", &b);
	b.n = 0;

	/* The good part, then 7 of the 16 bytes of a record header. */
	good_pcap(&b);
	le32(&b, T0 + 1);
	le16(&b, 0);
	u8(&b, 0);
	write_file("rec_hdr_truncated.pcap", &b);
	b.n = 0;

	/* The very first record cut: a valid header, then nothing usable. */
	pcap_hdr(&b, 1, 262144);
	le32(&b, T0);
	le32(&b, 0);
	le32(&b, 54);
	le32(&b, 54);
	zeros(&b, 10);
	write_file("first_rec_truncated.pcap", &b);
	b.n = 0;

	/* The good part, then a record of 54 bytes of which 20 are there. */
	good_pcap(&b);
	s.flags = ACK;
	s.seq = 1002;
	s.ack = 5002;
	frame4(&f, &s);
	pcap_rec_raw(&b, T0 + 1, 0, (uint32_t)f.n, (uint32_t)f.n, f.p, 20);
	write_file("data_truncated.pcap", &b);
	b.n = 0;

	/* caplen > len: 54 bytes captured of a "40-byte" packet. libpcap
	 * passes it on; the bytes are all there, so it is an ordinary
	 * (if odd) packet: decoded, no error. */
	good_pcap(&b);
	pcap_rec_raw(&b, T0 + 1, 0, (uint32_t)f.n, 40, f.p, f.n);
	write_file("caplen_gt_len.pcap", &b);
	b.n = 0;

	/* caplen 0 (len 54) between two parts: nothing captured, skipped as
	 * truncated; the connection after it is still analysed. */
	good_pcap(&b);
	pcap_rec_raw(&b, T0 + 1, 0, 0, (uint32_t)f.n, NULL, 0);
	graceful(&b, 40001, T0 + 2);
	write_file("caplen_zero.pcap", &b);
	b.n = 0;

	/* Zero-length packets: caplen 0, len 0, three of them, then a
	 * connection. */
	pcap_hdr(&b, 1, 262144);
	pcap_rec_raw(&b, T0, 0, 0, 0, NULL, 0);
	pcap_rec_raw(&b, T0, 1, 0, 0, NULL, 0);
	pcap_rec_raw(&b, T0, 2, 0, 0, NULL, 0);
	graceful(&b, 40000, T0 + 1);
	write_file("zero_length.pcap", &b);
	b.n = 0;

	/* caplen absurd: 0x7fffffff. Not a packet libpcap will read. */
	good_pcap(&b);
	pcap_rec_raw(&b, T0 + 1, 0, 0x7fffffff, 0x7fffffff, f.p, f.n);
	write_file("caplen_absurd.pcap", &b);
	b.n = 0;

	/* caplen above the file's snaplen (64) but below libpcap's maximum:
	 * libpcap keeps snaplen bytes and skips the rest. Not damage. */
	pcap_hdr(&b, 1, 64);
	graceful(&b, 40000, T0);
	{
		struct buf big = {0};
		struct seg d = seg_default();
		d.flags = PSH | ACK;
		d.seq = 1002;
		d.ack = 5002;
		d.payload = 200;
		frame4(&big, &d);
		pcap_rec(&b, T0 + 1, 0, &big);
		free(big.p);
	}
	graceful(&b, 40001, T0 + 2);
	write_file("caplen_gt_snaplen.pcap", &b);
	b.n = 0;

	/* A link type no decoder knows (LINKTYPE_USER0 = 147). Every packet
	 * is skipped as unsupported_link; not file damage. */
	pcap_hdr(&b, 147, 262144);
	graceful(&b, 40000, T0);
	write_file("unsupported_link.pcap", &b);
	b.n = 0;

	/* Time going backwards: the third packet of the second connection
	 * is stamped 10 s before the first. Analysed all the same. */
	good_pcap(&b);
	{
		struct buf tmp = {0};
		graceful(&tmp, 40001, T0 + 20);
		/* record 3 of tmp (records only, no file header): patch its time */
		size_t off = 0, i;
		for (i = 0; i < 2; i++)
			off += 16 + (tmp.p[off + 8] | tmp.p[off + 9] << 8);
		tmp.p[off] = (uint8_t)(T0 + 10);
		tmp.p[off + 1] = (uint8_t)((T0 + 10) >> 8);
		tmp.p[off + 2] = (uint8_t)((T0 + 10) >> 16);
		tmp.p[off + 3] = (uint8_t)((T0 + 10) >> 24);
		put(&b, tmp.p, tmp.n);
		free(tmp.p);
	}
	write_file("time_backwards.pcap", &b);
	b.n = 0;

	/* A 65535-byte packet: Ethernet + IPv4 total length 65521, a full
	 * 65481-byte payload, captured whole (snaplen 262144). */
	good_pcap(&b);
	{
		struct buf big = {0};
		struct seg d = seg_default();
		d.sport = 40000;
		d.flags = PSH | ACK;
		d.seq = 1002;
		d.ack = 5002;
		d.payload = 65535 - 14 - 40;
		frame4(&big, &d);
		if (big.n != 65535)
			abort();
		pcap_rec(&b, T0 + 1, 0, &big);
		free(big.p);
	}
	write_file("packet_65535.pcap", &b);
	b.n = 0;

	free(f.p);
	free(b.p);
}

static void pcapng_level(void)
{
	struct buf b = {0}, f = {0};
	struct seg s = seg_default();
	s.flags = ACK;
	s.seq = 1002;
	s.ack = 5002;
	frame4(&f, &s);

	/* A good pcapng (the reference for the others). */
	ng_shb(&b);
	ng_idb(&b, 1);
	ng_graceful(&b, 40000, T0);
	write_file("ng_good.pcapng", &b);

	/* ...then a block whose total length (9) is not a multiple of 4. */
	le32(&b, 6);
	le32(&b, 9);
	zeros(&b, 16);
	write_file("ng_bad_block_len.pcapng", &b);
	b.n = 0;

	/* ...then a block length below the 12-byte minimum. */
	ng_shb(&b);
	ng_idb(&b, 1);
	ng_graceful(&b, 40000, T0);
	le32(&b, 6);
	le32(&b, 8);
	zeros(&b, 16);
	write_file("ng_block_len_too_small.pcapng", &b);
	b.n = 0;

	/* ...then a block claiming 0x7ffffff0 bytes. */
	ng_shb(&b);
	ng_idb(&b, 1);
	ng_graceful(&b, 40000, T0);
	le32(&b, 6);
	le32(&b, 0x7ffffff0);
	zeros(&b, 32);
	write_file("ng_block_len_huge.pcapng", &b);
	b.n = 0;

	/* ...then an EPB cut in the middle of its data. */
	ng_shb(&b);
	ng_idb(&b, 1);
	ng_graceful(&b, 40000, T0);
	ng_epb(&b, 0, (uint64_t)(T0 + 1) * 1000000u, &f);
	b.n -= 30;
	write_file("ng_truncated_block.pcapng", &b);
	b.n = 0;

	/* Unknown block types (0x00000bad, a local-use 0x80000001, a custom
	 * block 0x40000bad) between good EPBs: skipped, not an error. */
	ng_shb(&b);
	ng_idb(&b, 1);
	le32(&b, 0x00000bad);
	le32(&b, 20);
	le32(&b, 0xdeadbeef);
	le32(&b, 0xfeedface);
	le32(&b, 20);
	le32(&b, 0x80000001);
	le32(&b, 12);
	le32(&b, 12);
	ng_graceful(&b, 40000, T0);
	le32(&b, 0x40000bad);
	le32(&b, 16);
	le32(&b, 32473);         /* PEN: example */
	le32(&b, 16);
	write_file("ng_unknown_blocks.pcapng", &b);
	b.n = 0;

	/* An EPB for interface 5 when there is only interface 0. */
	ng_shb(&b);
	ng_idb(&b, 1);
	ng_graceful(&b, 40000, T0);
	{
		struct buf g = {0};
		frame4(&g, &s);
		ng_epb(&b, 5, (uint64_t)(T0 + 1) * 1000000u, &g);
		free(g.p);
	}
	write_file("ng_bad_interface.pcapng", &b);
	b.n = 0;

	/* An EPB stamped 0xffffffffffffffff microseconds: year 586524. The
	 * packet is readable; its time is absurd. */
	ng_shb(&b);
	ng_idb(&b, 1);
	ng_graceful(&b, 40000, T0);
	ng_epb(&b, 0, UINT64_MAX, &f);
	write_file("ng_ts_huge.pcapng", &b);
	b.n = 0;

	/* The same with if_tsresol = 0 (units of 1 s) and a timestamp of
	 * 2^62 s: tv_sec far beyond what int64 nanoseconds hold. */
	ng_shb(&b);
	le32(&b, 1);
	le32(&b, 32);
	le16(&b, 1);
	le16(&b, 0);
	le32(&b, 262144);
	le16(&b, 9);             /* if_tsresol */
	le16(&b, 1);
	u8(&b, 0);               /* 10^-0 */
	zeros(&b, 3);
	le32(&b, 0);             /* opt_endofopt */
	le32(&b, 32);
	ng_epb(&b, 0, T0, &f);
	ng_epb(&b, 0, (uint64_t)1 << 62, &f);
	ng_epb(&b, 0, T0 + 1, &f);
	write_file("ng_ts_seconds_huge.pcapng", &b);
	b.n = 0;

	/* Two interfaces with different link types (Ethernet, raw IP):
	 * libpcap reads one link type per file and stops at the second. */
	ng_shb(&b);
	ng_idb(&b, 1);
	ng_graceful(&b, 40000, T0);
	ng_idb(&b, 101);
	{
		struct buf g = {0};
		put(&g, f.p + 14, f.n - 14);
		ng_epb(&b, 1, (uint64_t)(T0 + 1) * 1000000u, &g);
		free(g.p);
	}
	write_file("ng_two_link_types.pcapng", &b);
	b.n = 0;

	/* A section header cut short: unreadable from the start. */
	ng_shb(&b);
	b.n = 14;
	write_file("ng_shb_truncated.pcapng", &b);
	b.n = 0;

	free(f.p);
	free(b.p);
}

static void packet_level(void)
{
	struct seg s;
	static const uint8_t opt_runs_off[] = {2, 4, 0x05, 0xb4, 8, 40}; /* TS, len 40 */
	static const uint8_t opt_len_zero[] = {3, 0, 7, 1};              /* WS len 0 */
	static const uint8_t opt_len_one[] = {2, 1, 1, 1};               /* MSS len 1 */

	/* IHL 4 (< 5), with the 20 real header bytes behind it. */
	s = seg_default();
	s.flags = ACK;
	s.seq = 1002;
	s.ack = 5002;
	s.ihl = 4;
	one_bad_seg("ip_ihl_lt5.pcap", &s);

	/* IHL 0 */
	s.ihl = 0;
	one_bad_seg("ip_ihl_0.pcap", &s);

	/* Total length 19 (< 20 = IHL * 4). */
	s.ihl = -1;
	s.totlen = 19;
	one_bad_seg("ip_totlen_lt_ihl.pcap", &s);

	/* Total length 30: the IP header fits, the 20-byte TCP header does not. */
	s.totlen = 30;
	one_bad_seg("ip_totlen_lt_tcp.pcap", &s);

	/* IHL 15 (60 bytes) and total length 40. */
	s.totlen = 40;
	s.ihl = 15;
	one_bad_seg("ip_ihl_gt_totlen.pcap", &s);

	/* IP version 5 in an IPv4 ethertype. */
	s = seg_default();
	s.flags = ACK;
	s.seq = 1002;
	s.ack = 5002;
	s.version = 5;
	one_bad_seg("ip_version_5.pcap", &s);

	/* TCP data offset 4 (< 5), and 0. */
	s.version = 0;
	s.doff = 4;
	one_bad_seg("tcp_doff_lt5.pcap", &s);
	s.doff = 0;
	one_bad_seg("tcp_doff_0.pcap", &s);

	/* TCP data offset 15 (60 bytes) in a 40-byte IP packet. */
	s.doff = 15;
	one_bad_seg("tcp_doff_gt_totlen.pcap", &s);

	/* TCP data offset 15 with IP length agreeing, but the capture holds
	 * only the 20-byte header: options cut by the snaplen. Usable
	 * (seq/ack/flags are there). */
	s.doff = 15;
	s.totlen = 80;
	one_bad_seg("tcp_opts_cut_by_capture.pcap", &s);

	/* Options running off the end of the header: TS option claims 40
	 * bytes in an 8-byte option space. The segment is usable; the
	 * option walk stops. */
	s = seg_default();
	s.flags = ACK;
	s.seq = 1002;
	s.ack = 5002;
	s.opts = opt_runs_off;
	s.optlen = sizeof(opt_runs_off);
	one_bad_seg("tcp_opt_runs_off.pcap", &s);

	/* Option length 0 and 1: the classic infinite loop. */
	s.opts = opt_len_zero;
	s.optlen = sizeof(opt_len_zero);
	one_bad_seg("tcp_opt_len_0.pcap", &s);
	s.opts = opt_len_one;
	s.optlen = sizeof(opt_len_one);
	one_bad_seg("tcp_opt_len_1.pcap", &s);

	/* IPv6: a chain of 40 destination-options headers (each says the next
	 * is another one), and an "infinite" loop: hop-by-hop headers that
	 * each name hop-by-hop again, until the capture ends. */
	{
		struct buf b = {0}, fr = {0};
		int i, n;
		static const uint8_t a6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10};
		static const uint8_t b6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x05};
		const char *names[2] = {"ip6_ext_long_chain.pcap", "ip6_ext_loop.pcap"};

		for (n = 0; n < 2; n++) {
			unsigned nh = n == 0 ? 60 : 0, count = n == 0 ? 40 : 2000;
			size_t plen_at;
			fr.n = 0;
			eth(&fr, 0x86dd);
			be32(&fr, 0x60000000);
			plen_at = fr.n;
			be16(&fr, 0);
			u8(&fr, nh);
			u8(&fr, 64);
			put(&fr, a6, 16);
			put(&fr, b6, 16);
			for (i = 0; i < (int)count; i++) {
				/* 8-byte header: next header, length 0, 6 bytes PadN */
				u8(&fr, i + 1 < (int)count ? nh : 6);
				u8(&fr, 0);
				u8(&fr, 1);
				u8(&fr, 4);
				be32(&fr, 0);
			}
			/* TCP header */
			be16(&fr, 40000);
			be16(&fr, 80);
			be32(&fr, 1002);
			be32(&fr, 5002);
			u8(&fr, 5 << 4);
			u8(&fr, ACK);
			be16(&fr, 65535);
			be32(&fr, 0);
			{
				unsigned plen = (unsigned)(fr.n - 14 - 40);
				set_be16(&fr, plen_at, plen > 65535 ? 0 : plen);
			}
			b.n = 0;
			good_pcap(&b);
			pcap_rec(&b, T0 + 1, 0, &fr);
			write_file(names[n], &b);
		}

		/* An extension header whose length runs past the payload length. */
		fr.n = 0;
		eth(&fr, 0x86dd);
		be32(&fr, 0x60000000);
		be16(&fr, 16);           /* payload length 16 ... */
		u8(&fr, 60);
		u8(&fr, 64);
		put(&fr, a6, 16);
		put(&fr, b6, 16);
		u8(&fr, 6);
		u8(&fr, 255);            /* ... but a 2048-byte header */
		zeros(&fr, 14);
		b.n = 0;
		good_pcap(&b);
		pcap_rec(&b, T0 + 1, 0, &fr);
		write_file("ip6_ext_len_past_payload.pcap", &b);

		/* Nine stacked VLAN tags, and an MPLS stack without a
		 * bottom-of-stack label. */
		fr.n = 0;
		eth(&fr, 0x8100);
		for (i = 0; i < 9; i++) {
			be16(&fr, 100 + i);
			be16(&fr, i < 8 ? 0x8100 : 0x0800);
		}
		zeros(&fr, 40);
		b.n = 0;
		good_pcap(&b);
		pcap_rec(&b, T0 + 1, 0, &fr);
		write_file("vlan_9_tags.pcap", &b);

		fr.n = 0;
		eth(&fr, 0x8847);
		for (i = 0; i < 20; i++)
			be32(&fr, (uint32_t)(16 + i) << 12); /* S bit never set */
		b.n = 0;
		good_pcap(&b);
		pcap_rec(&b, T0 + 1, 0, &fr);
		write_file("mpls_no_bottom.pcap", &b);

		/* A runt: 10 bytes of Ethernet. */
		fr.n = 0;
		eth(&fr, 0x0800);
		fr.n = 10;
		b.n = 0;
		good_pcap(&b);
		pcap_rec(&b, T0 + 1, 0, &fr);
		write_file("eth_runt.pcap", &b);

		/* Every kind of packet-level damage in one file, between two
		 * good connections: they are counted and the run is clean. */
		b.n = 0;
		good_pcap(&b);
		{
			struct seg m = seg_default();
			m.flags = ACK;
			m.seq = 1002;
			m.ack = 5002;
			m.ihl = 4;
			pcap_seg(&b, T0 + 1, 0, &m);      /* malformed */
			m.ihl = -1;
			m.totlen = 19;
			pcap_seg(&b, T0 + 1, 1, &m);      /* malformed */
			m.totlen = -1;
			m.doff = 3;
			pcap_seg(&b, T0 + 1, 2, &m);      /* malformed */
			pcap_rec(&b, T0 + 1, 3, &fr);     /* truncated (runt) */
		}
		graceful(&b, 40001, T0 + 2);
		write_file("mixed_malformed.pcap", &b);

		free(b.p);
		free(fr.p);
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: mkhostile OUTDIR\n");
		return 1;
	}
	outdir = argv[1];
	if (mkdir(outdir, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "mkhostile: %s: %s\n", outdir, strerror(errno));
		return 1;
	}
	file_level();
	pcapng_level();
	packet_level();
	return 0;
}
