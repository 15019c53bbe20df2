/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_decode.c -- unit tests for the packet decoder (src/core/decode.c).
 *
 * Packets are built byte by byte with the small builders below, so each
 * test says exactly what is on the wire. Decoding always runs over a
 * malloc()ed copy of exactly the captured length, so AddressSanitizer
 * reports any read past caplen even where the test only checks a status.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bytes.h"
#include "tcpclose/decode.h"

/* ---- byte builders ------------------------------------------------------ */

static void putfill(struct buf *b, unsigned v, uint32_t n)
{
	while (n-- > 0)
		put8(b, v);
}

static void set8(struct buf *b, uint32_t at, unsigned v)
{
	assert_true(at < b->n);
	b->d[at] = (uint8_t)v;
}

static void set16(struct buf *b, uint32_t at, unsigned v)
{
	set8(b, at, v >> 8);
	set8(b, at + 1, v & 0xff);
}

/* -- link layers -- */

static void put_eth(struct buf *b, unsigned type)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };

	putn(b, macs, sizeof macs);
	put16(b, type);
}

/* One VLAN tag body: TCI, then the type of what follows. */
static void put_tag(struct buf *b, unsigned tci, unsigned inner)
{
	put16(b, tci);
	put16(b, inner);
}

static void put_sll(struct buf *b, unsigned proto)
{
	put16(b, 0);                    /* packet type: to us */
	put16(b, 1);                    /* ARPHRD_ETHER */
	put16(b, 6);                    /* address length */
	putfill(b, 0xaa, 8);            /* address, padded to 8 */
	put16(b, proto);
}

static void put_sll2(struct buf *b, unsigned proto)
{
	put16(b, proto);
	put16(b, 0);                    /* reserved */
	put32(b, 3);                    /* ifindex */
	put16(b, 1);                    /* ARPHRD_ETHER */
	put8(b, 4);                     /* packet type: outgoing */
	put8(b, 6);                     /* address length */
	putfill(b, 0xbb, 8);
}

static void put_af_le(struct buf *b, unsigned af)
{
	put8(b, af);
	putfill(b, 0, 3);
}

static void put_pppoe(struct buf *b, unsigned ppp_proto)
{
	put8(b, 0x11);                  /* version 1, type 1 */
	put8(b, 0);                     /* code: session data */
	put16(b, 0x4242);               /* session id */
	put16(b, 0);                    /* length: the decoder ignores it */
	put16(b, ppp_proto);
}

static void put_snap(struct buf *b, unsigned oui_last, unsigned type);

/* An 802.11 data frame's header (fc1: 0x01 to the DS, 0x02 from it) and
 * LLC/SNAP. */
static void put_wlan_data(struct buf *b, unsigned fc1, unsigned type)
{
	put8(b, 0x08);
	put8(b, fc1);
	put16(b, 0x2c00);               /* duration */
	putfill(b, 0x02, 18);           /* addresses 1-3 */
	put16(b, 0x1230);               /* sequence control */
	put_snap(b, 0, type);
}

/* 802.2 LLC with a SNAP header: OUI 00-00-00 (RFC 1042) or 00-00-f8. */
static void put_snap(struct buf *b, unsigned oui_last, unsigned type)
{
	put8(b, 0xaa);
	put8(b, 0xaa);
	put8(b, 0x03);
	put8(b, 0);
	put8(b, 0);
	put8(b, oui_last);
	put16(b, type);
}

static void put_mpls(struct buf *b, uint32_t label, int bottom)
{
	put32(b, label << 12 | (bottom ? 0x100u : 0) | 64);
}

/* -- IP -- */

static const uint8_t V4_SRC[4] = { 192, 0, 2, 1 };
static const uint8_t V4_DST[4] = { 198, 51, 100, 2 };
static const uint8_t V6_SRC[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t V6_DST[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0xab,
				    [15] = 2 };

#define IP4_ID 0x1234
#define IP4_TTL 64
#define IP6_HLIM 63

/* IPv4 header with `ihl` 32-bit words (options are NOPs) and the given
 * flags/fragment-offset word. Returns its offset for end_ip4(). */
static uint32_t put_ip4(struct buf *b, unsigned proto, unsigned ihl,
			unsigned frag)
{
	uint32_t at = b->n;

	put8(b, 0x40 | ihl);
	put8(b, 0);
	put16(b, 0);                    /* total length: end_ip4() */
	put16(b, IP4_ID);
	put16(b, frag);
	put8(b, IP4_TTL);
	put8(b, proto);
	put16(b, 0xdead);               /* checksum: not checked */
	putn(b, V4_SRC, 4);
	putn(b, V4_DST, 4);
	putfill(b, 1, (ihl - 5) * 4);
	return at;
}

static void end_ip4(struct buf *b, uint32_t at)
{
	set16(b, at + 2, b->n - at);
}

static uint32_t put_ip6(struct buf *b, unsigned nh)
{
	uint32_t at = b->n;

	put32(b, 0x6000beefu);          /* version, class 0, flow label */
	put16(b, 0);                    /* payload length: end_ip6() */
	put8(b, nh);
	put8(b, IP6_HLIM);
	putn(b, V6_SRC, 16);
	putn(b, V6_DST, 16);
	return at;
}

static void end_ip6(struct buf *b, uint32_t at)
{
	set16(b, at + 4, b->n - at - 40);
}

/* Generic extension header of (len8 + 1) * 8 bytes, Pad1-filled. */
static void put_ext6(struct buf *b, unsigned nh, unsigned len8)
{
	put8(b, nh);
	put8(b, len8);
	putfill(b, 0, (len8 + 1) * 8 - 2);
}

static void put_frag6(struct buf *b, unsigned nh, unsigned offset, int more)
{
	put8(b, nh);
	put8(b, 0);
	put16(b, offset << 3 | (more ? 1u : 0));
	put32(b, 0xcafef00d);
}

static void put_ah(struct buf *b, unsigned nh, unsigned len4)
{
	put8(b, nh);
	put8(b, len4);
	putfill(b, 0x5a, (len4 + 2) * 4 - 2);
}

/* -- TCP -- */

#define SPORT 40000
#define DPORT 443
#define SEQ 0x01020304u
#define ACK 0xa0b0c0d0u
#define WIN 0xfaf0
#define TSVAL 0x11223344u
#define TSECR 0x55667788u

/* Linux's SYN option layout: MSS 1460, SACK-permitted, timestamps, NOP,
 * window scale 7. */
static const uint8_t STD_OPTS[20] = {
	2, 4, 0x05, 0xb4,
	4, 2, 8, 10, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
	1, 3, 3, 7
};
#define STD_OPT_BITS (TC_OPT_MSS | TC_OPT_SACKOK | TC_OPT_TS | TC_OPT_WSCALE)

static const uint8_t DATA[18] = "GET / HTTP/1.0\r\n\r\n";

/* TCP header with options (a multiple of 4 bytes) and payload. The NS bit
 * is set on purpose: it must not leak into tc_pkt.flags. */
static uint32_t put_tcp(struct buf *b, unsigned flags, const uint8_t *opts,
			uint32_t optlen, const uint8_t *data, uint32_t dlen)
{
	uint32_t at = b->n;

	assert_int_equal(optlen % 4, 0);
	put16(b, SPORT);
	put16(b, DPORT);
	put32(b, SEQ);
	put32(b, ACK);
	put8(b, (5 + optlen / 4) << 4 | 0x01);
	put8(b, flags);
	put16(b, WIN);
	put16(b, 0xbeef);               /* checksum */
	put16(b, 0);                    /* urgent pointer */
	putn(b, opts, optlen);
	putn(b, data, dlen);
	return at;
}

/* ---- running the decoder ------------------------------------------------ */

struct res {
	enum tc_decode_status st;
	struct tc_pkt p;                /* p.payload cleared: the copy is gone */
	long poff;                      /* payload - frame start, -1 if NULL */
};

/* Decode the first n bytes of d from an exact-size heap copy, the frame
 * `wire` bytes long on the wire (0: unknown). */
static struct res run_wire(int dlt, const uint8_t *d, uint32_t n, uint32_t wire)
{
	struct res r;
	uint8_t *copy = malloc(n);

	assert_true(copy != NULL || n == 0);
	if (n > 0)
		memcpy(copy, d, n);
	r.st = wire ? tc_decode_wire(dlt, copy, n, wire, &r.p) : tc_decode(dlt, copy, n, &r.p);
	assert_true((unsigned)r.st < TC_DEC__COUNT);
	r.poff = -1;
	if (r.st == TC_DEC_OK) {
		assert_true(r.p.payload_caplen <= r.p.payload_len);
		assert_true((r.p.payload == NULL) == (r.p.payload_caplen == 0));
		if (r.p.payload != NULL) {
			assert_true(r.p.payload >= copy);
			assert_true(r.p.payload_caplen <=
				    n - (uint32_t)(r.p.payload - copy));
			r.poff = (long)(r.p.payload - copy);
		}
	}
	r.p.payload = NULL;
	free(copy);
	return r;
}

static struct res run(int dlt, const uint8_t *d, uint32_t n)
{
	return run_wire(dlt, d, n, 0);
}

static struct res runb(int dlt, const struct buf *b)
{
	return run(dlt, b->d, b->n);
}

/* ---- canonical packets on every link type ------------------------------- */

enum lk {
	LK_ETH, LK_VLAN, LK_QINQ, LK_PBB, LK_VNTAG, LK_PPPOE, LK_MPLS, LK_SLL, LK_SLL2,
	LK_NULL_LE, LK_NULL_BE, LK_LOOP, LK_RAW, LK_RAW_BSD, LK_LINKTYPE_RAW,
	/* serial lines, FDDI, 802.11, pf */
	LK_PPP, LK_PPP_HDLC, LK_PPP_SERIAL, LK_PPP_SERIAL_CISCO, LK_C_HDLC, LK_PPP_ETHER,
	LK_FDDI, LK_WLAN, LK_WLAN_QOS_WDS, LK_RADIOTAP, LK_PRISM, LK_AVS, LK_PPI, LK_PPI_ETH,
	LK_PFLOG,
	LK_IP,
	/* tunnels (an outer IPv4 or IPv6 header around the canonical packet)
	 * and NFLOG */
	LK_IPIP, LK_IP6IP, LK_GRE, LK_GRE_TEB, LK_ERSPAN1, LK_ERSPAN2, LK_ERSPAN3,
	LK_VXLAN, LK_VXLAN_LINUX, LK_GENEVE, LK_GTPU, LK_VXLAN_IN_GRE, LK_GRE_ARUBA,
	LK_TEREDO, LK_TEREDO_AUTH, LK_AYIYA, LK_L2TP, LK_L2TP_BARE, LK_NFLOG,
	LK__COUNT
};

struct canon {
	struct buf b;
	int dlt;
	int af;
	int opts;
	uint16_t vlan;
	uint32_t tcp_off;               /* TCP header starts here */
	uint32_t payload_off;           /* and its payload here */
	/* Tunnels: what the decoder must report, and the outer UDP header,
	 * where a cut leaves "some UDP" (NOT_TCP) rather than TRUNCATED. */
	int tun_type;                   /* enum tc_tunnel_type, 0 if none */
	int tun_has_id;
	uint32_t tun_id;
	int tun_outer_af;
	uint32_t udp_off, udp_end;      /* [udp_off, udp_end): the UDP header */
	uint32_t outer[2];              /* outer IP headers, outermost first */
	int outer_af[2];
	int nouter;
	uint32_t nflog_tlv;             /* the NFLOG payload TLV */
};

/* Outer addresses of the tunnels (the inner packet keeps V4_ and V6_). */
static const uint8_t OUT4_SRC[4] = { 10, 0, 0, 1 };
static const uint8_t OUT4_DST[4] = { 10, 0, 0, 2 };
static const uint8_t OUT6_SRC[16] = { 0xfd, 0, [15] = 1 };
static const uint8_t OUT6_DST[16] = { 0xfd, 0, [15] = 2 };

/* An outer IP header for a tunnel; its length is set by end_outer(). */
static uint32_t put_outer(struct buf *b, int af, unsigned proto)
{
	uint32_t at, i;

	if (af == 4) {
		at = put_ip4(b, proto, 5, 0x4000);
		for (i = 0; i < 4; i++) {
			set8(b, at + 12 + i, OUT4_SRC[i]);
			set8(b, at + 16 + i, OUT4_DST[i]);
		}
	} else {
		at = put_ip6(b, proto);
		for (i = 0; i < 16; i++) {
			set8(b, at + 8 + i, OUT6_SRC[i]);
			set8(b, at + 24 + i, OUT6_DST[i]);
		}
	}
	return at;
}

static void end_outer(struct buf *b, int af, uint32_t at)
{
	if (af == 4)
		end_ip4(b, at);
	else
		end_ip6(b, at);
}

static uint32_t put_udp(struct canon *c, unsigned dport)
{
	struct buf *b = &c->b;

	c->udp_off = b->n;
	put16(b, 50123);
	put16(b, dport);
	put16(b, 0);                    /* length: set when the packet is done */
	put16(b, 0);
	c->udp_end = b->n;
	return c->udp_off;
}

static void put_gre(struct buf *b, unsigned flags, unsigned proto, uint32_t key)
{
	put16(b, flags);
	put16(b, proto);
	if (flags & 0x8000)
		put32(b, 0xbeef0000u);  /* checksum, reserved */
	if (flags & 0x2000)
		put32(b, key);
	if (flags & 0x1000)
		put32(b, 99);           /* sequence number */
}

static void set_he16(struct buf *b, uint32_t at, unsigned v)
{
	uint16_t h = (uint16_t)v;

	assert_true(at + 2 <= b->n);
	memcpy(b->d + at, &h, 2);       /* NFLOG TLVs are in host order */
}

static void put_he16(struct buf *b, unsigned v)
{
	put16(b, 0);
	set_he16(b, b->n - 2, v);
}

static void outer(struct canon *c, int af, unsigned proto)
{
	c->outer_af[c->nouter] = af;
	c->outer[c->nouter++] = put_outer(&c->b, af, proto);
	c->tun_outer_af = af;
}

/* Ethernet, an outer IPv4 header and UDP to dport: how the UDP tunnels
 * of the canonical packets start. */
static void udp4_head(struct canon *c, unsigned dport)
{
	put_eth(&c->b, 0x0800);
	outer(c, 4, 17);
	put_udp(c, dport);
}

/* Everything before the canonical IP packet of a tunnel kind. */
static void build_tunnel_head(struct canon *c, enum lk lk, unsigned et)
{
	struct buf *b = &c->b;
	unsigned ipproto = c->af == 4 ? 4 : 41;

	c->dlt = TC_DLT_EN10MB;
	c->tun_has_id = 1;
	switch (lk) {
	case LK_IPIP:                   /* 4in4, 6in4 */
		put_eth(b, 0x0800);
		outer(c, 4, ipproto);
		c->tun_type = TC_TUN_IPIP;
		c->tun_has_id = 0;
		break;
	case LK_IP6IP:                  /* 4in6, 6in6, in raw IP */
		c->dlt = TC_DLT_RAW;
		outer(c, 6, ipproto);
		c->tun_type = TC_TUN_IPIP;
		c->tun_has_id = 0;
		break;
	case LK_GRE:                    /* checksum, key, sequence; IP inside */
		put_eth(b, 0x0800);
		outer(c, 4, 47);
		put_gre(b, 0xb000, et, 7);
		c->tun_type = TC_TUN_GRE;
		c->tun_id = 7;
		break;
	case LK_GRE_TEB:                /* gretap over IPv6, no key */
		put_eth(b, 0x86dd);
		outer(c, 6, 47);
		put_gre(b, 0, 0x6558, 0);
		put_eth(b, et);
		c->tun_type = TC_TUN_GRE;
		c->tun_has_id = 0;
		break;
	case LK_TEREDO:                 /* from the relay: origin indication */
	case LK_TEREDO_AUTH:            /* a qualification: authentication too */
		udp4_head(c, 3544);
		if (lk == LK_TEREDO) {
			set16(b, c->udp_off, 3544);
		} else {
			put16(b, 0x0001);
			put8(b, 3);             /* client id length */
			put8(b, 2);             /* authentication value length */
			putfill(b, 0x11, 3 + 2);
			putfill(b, 0x22, 8);    /* nonce */
			put8(b, 0);             /* confirmation */
		}
		put16(b, 0x0000);               /* origin indication */
		put16(b, 0xffff ^ 50123);       /* the client's port, obfuscated */
		put32(b, 0xffffffffu ^ 0xc0000263u);
		c->tun_type = TC_TUN_TEREDO;
		c->tun_has_id = 0;
		break;
	case LK_AYIYA:                  /* 16-byte identity, SHA-1 signature */
		udp4_head(c, 5072);
		put8(b, 0x41);                  /* identity 2^4 bytes, IPv6 address */
		put8(b, 0x52);                  /* signature 5 * 4 bytes, SHA-1 */
		put8(b, 0x21);                  /* authentication 2, forward */
		put8(b, c->af == 4 ? 4 : 41);
		put32(b, 0x5f5e1000u);          /* epoch */
		putfill(b, 0x33, 16 + 20);
		c->tun_type = TC_TUN_AYIYA;
		c->tun_has_id = 0;
		break;
	case LK_L2TP:                   /* length, Ns/Nr, offset; framed PPP */
		udp4_head(c, 1701);
		put16(b, 0x4a02);               /* L, S, O, version 2 */
		put16(b, 0);                    /* length: not used */
		put16(b, 0x1234);               /* tunnel */
		put16(b, 0x0042);               /* session */
		put32(b, 0x00050007);           /* Ns, Nr */
		put16(b, 2);                    /* offset size, */
		put16(b, 0);                    /* and its pad */
		put8(b, 0xff);
		put8(b, 0x03);
		put16(b, c->af == 4 ? 0x0021 : 0x0057);
		c->tun_type = TC_TUN_L2TP;
		c->tun_id = 0x1234;
		break;
	case LK_L2TP_BARE:              /* no options; PPP without address and
					 * control, its protocol compressed */
		udp4_head(c, 1701);
		put16(b, 0x0002);
		put16(b, 0x0007);
		put16(b, 0x0001);
		put8(b, c->af == 4 ? 0x21 : 0x57);
		c->tun_type = TC_TUN_L2TP;
		c->tun_id = 7;
		break;
	case LK_GRE_ARUBA:              /* an access point's 802.11 QoS data */
		put_eth(b, 0x0800);
		outer(c, 4, 47);
		put_gre(b, 0, 0x8200, 0);
		put8(b, 0x88);
		put8(b, 0x01);
		put16(b, 0x2c00);
		putfill(b, 0x02, 18);
		put16(b, 0x1230);
		put16(b, 0x0000);               /* QoS control */
		put_snap(b, 0, et);
		c->tun_type = TC_TUN_GRE;
		c->tun_has_id = 0;
		break;
	case LK_ERSPAN1:                /* no sequence number, no header */
		put_eth(b, 0x0800);
		outer(c, 4, 47);
		put_gre(b, 0, 0x88be, 0);
		put_eth(b, 0x8100);
		put_tag(b, 9, et);      /* a mirrored tag is not the link's */
		c->tun_type = TC_TUN_ERSPAN;
		c->tun_has_id = 0;
		break;
	case LK_ERSPAN2:
		put_eth(b, 0x0800);
		outer(c, 4, 47);
		put_gre(b, 0x1000, 0x88be, 0);
		put16(b, 0x1000 | 9);   /* version 1, VLAN 9 */
		put16(b, 0x2000 | 0x155); /* COS, session 0x155 */
		put32(b, 0x00000abc);   /* index */
		put_eth(b, et);
		c->tun_type = TC_TUN_ERSPAN;
		c->tun_id = 0x155;
		break;
	case LK_ERSPAN3:                /* with the platform subheader */
		put_eth(b, 0x0800);
		outer(c, 4, 47);
		put_gre(b, 0x1000, 0x22eb, 0);
		put16(b, 0x2000 | 9);   /* version 2 */
		put16(b, 0x2aa);
		put32(b, 0x01020304);   /* timestamp */
		put16(b, 0);            /* SGT */
		put16(b, 0x0001);       /* FT 0 (Ethernet), O set */
		put32(b, 0x11111111);
		put32(b, 0x22222222);
		put_eth(b, et);
		c->tun_type = TC_TUN_ERSPAN;
		c->tun_id = 0x2aa;
		break;
	case LK_VXLAN:
	case LK_VXLAN_LINUX:
		put_eth(b, 0x86dd);
		outer(c, 6, 17);
		put_udp(c, lk == LK_VXLAN ? 4789 : 8472);
		put32(b, 0x08000000u);
		put32(b, 42u << 8);
		put_eth(b, 0x8100);     /* tagged inside: not the outer VLAN */
		put_tag(b, 77, et);
		c->tun_type = TC_TUN_VXLAN;
		c->tun_id = 42;
		break;
	case LK_GENEVE:                 /* one 8-byte option */
		udp4_head(c, 6081);
		put8(b, 2);             /* version 0, 2 words of options */
		put8(b, 0);
		put16(b, 0x6558);
		put32(b, 0x123456u << 8);
		put16(b, 0x0104);       /* option class */
		put8(b, 0x80);          /* type */
		put8(b, 1);             /* 1 word of data */
		put32(b, 0xdeadbeef);
		put_eth(b, et);
		c->tun_type = TC_TUN_GENEVE;
		c->tun_id = 0x123456;
		break;
	case LK_GTPU: {                 /* sequence number and one extension */
		uint32_t len_at;

		udp4_head(c, 2152);
		put8(b, 0x36);          /* version 1, PT, E, S */
		put8(b, 0xff);          /* G-PDU */
		len_at = b->n;
		put16(b, 0);
		put32(b, 0xdeadbeefu);
		put16(b, 5);            /* sequence */
		put8(b, 0);             /* N-PDU */
		put8(b, 0x85);          /* PDU session container */
		put8(b, 1);
		put16(b, 0x0009);       /* QFI 9 */
		put8(b, 0);             /* no more */
		/* The length covers everything after the first 8 bytes;
		 * the rest is the inner packet, added below. */
		set16(b, len_at, (b->n - len_at - 6) + (c->af == 4 ? 20u : 40u) + 20u +
				 (c->opts ? 20u : 0u) + sizeof DATA);
		c->tun_type = TC_TUN_GTPU;
		c->tun_id = 0xdeadbeef;
		break;
	}
	case LK_VXLAN_IN_GRE:           /* nested: the inner tunnel is reported */
		put_eth(b, 0x0800);
		outer(c, 4, 47);
		put_gre(b, 0x2000, 0x0800, 5);
		outer(c, 4, 17);
		put_udp(c, 4789);
		put32(b, 0x08000000u);
		put32(b, 43u << 8);
		put_eth(b, et);
		c->tun_type = TC_TUN_VXLAN;
		c->tun_id = 43;
		break;
	case LK_NFLOG:
		c->dlt = TC_DLT_NFLOG;
		c->tun_has_id = 0;
		put8(b, c->af == 4 ? 2 : 10);
		put8(b, 0);
		put16(b, 5);            /* resource id (group) */
		put_he16(b, 8);         /* NFULA_PACKET_HDR */
		put_he16(b, 1);
		put32(b, 0x08000300);
		put_he16(b, 11);        /* NFULA_PREFIX "abcdef\0", padded */
		put_he16(b, 10);
		putn(b, (const uint8_t *)"abcdef", 7);
		put8(b, 0);
		c->nflog_tlv = b->n;
		put_he16(b, 0);         /* NFULA_PAYLOAD: length set at the end */
		put_he16(b, 9);
		break;
	default:
		fail();
	}
}

static void build_canon(struct canon *c, enum lk lk, int af, int opts)
{
	struct buf *b = &c->b;
	unsigned et;
	uint32_t ip;

	memset(c, 0, sizeof *c);
	if (lk == LK_TEREDO || lk == LK_TEREDO_AUTH)
		af = 6;                 /* Teredo carries IPv6 only */
	et = af == 4 ? 0x0800 : 0x86dd;
	c->af = af;
	c->opts = opts;
	switch (lk) {
	case LK_ETH:
		c->dlt = TC_DLT_EN10MB;
		put_eth(b, et);
		break;
	case LK_VLAN:
		c->dlt = TC_DLT_EN10MB;
		put_eth(b, 0x8100);
		put_tag(b, 0xa000 | 42, et);    /* PCP 5 must be masked off */
		c->vlan = 42;
		break;
	case LK_QINQ:
		c->dlt = TC_DLT_EN10MB;
		put_eth(b, 0x88a8);
		put_tag(b, 100, 0x8100);
		put_tag(b, 200, et);
		c->vlan = 100;
		break;
	case LK_PBB:                    /* B-TAG 300, I-TAG, then a C-TAG 100 */
		c->dlt = TC_DLT_EN10MB;
		put_eth(b, 0x88a8);
		put_tag(b, 300, 0x88e7);
		put32(b, 0x00012345);           /* I-SID 0x12345 */
		putfill(b, 0x04, 12);           /* the customer's MACs */
		put16(b, 0x8100);
		put_tag(b, 100, et);
		c->vlan = 300;
		break;
	case LK_VNTAG:
		c->dlt = TC_DLT_EN10MB;
		put_eth(b, 0x8926);
		put32(b, 0x80010002);           /* direction, destination, source */
		put16(b, et);
		break;
	case LK_PPPOE:
		c->dlt = TC_DLT_EN10MB;
		put_eth(b, 0x8864);
		put_pppoe(b, af == 4 ? 0x0021 : 0x0057);
		break;
	case LK_MPLS:
		c->dlt = TC_DLT_EN10MB;
		put_eth(b, 0x8847);
		put_mpls(b, 16001, 0);
		put_mpls(b, 24, 1);
		break;
	case LK_SLL:
		c->dlt = TC_DLT_LINUX_SLL;
		put_sll(b, et);
		break;
	case LK_SLL2:
		c->dlt = TC_DLT_LINUX_SLL2;
		put_sll2(b, et);
		break;
	case LK_NULL_LE:
		c->dlt = TC_DLT_NULL;
		put_af_le(b, af == 4 ? 2 : 30);
		break;
	case LK_NULL_BE:
		c->dlt = TC_DLT_NULL;
		put32(b, af == 4 ? 2 : 28);
		break;
	case LK_LOOP:
		c->dlt = TC_DLT_LOOP;
		put32(b, af == 4 ? 2 : 24);
		break;
	case LK_RAW:
		c->dlt = TC_DLT_RAW;
		break;
	case LK_RAW_BSD:
		c->dlt = TC_DLT_RAW_BSD;
		break;
	case LK_LINKTYPE_RAW:
		c->dlt = TC_DLT_LINKTYPE_RAW;
		break;
	case LK_PPP:                    /* no framing, the protocol compressed */
		c->dlt = TC_DLT_PPP;
		put8(b, af == 4 ? 0x21 : 0x57);
		break;
	case LK_PPP_HDLC:               /* RFC 1662 framing, either link type */
	case LK_PPP_SERIAL:
		c->dlt = lk == LK_PPP_HDLC ? TC_DLT_PPP : TC_DLT_PPP_SERIAL;
		put8(b, 0xff);
		put8(b, 0x03);
		put16(b, af == 4 ? 0x0021 : 0x0057);
		break;
	case LK_PPP_SERIAL_CISCO:       /* Cisco HDLC broadcast */
		c->dlt = TC_DLT_PPP_SERIAL;
		put8(b, 0x8f);
		put8(b, 0x00);
		put16(b, et);
		break;
	case LK_C_HDLC:
		c->dlt = TC_DLT_C_HDLC;
		put8(b, 0x0f);
		put8(b, 0x00);
		put16(b, et);
		break;
	case LK_PPP_ETHER:
		c->dlt = TC_DLT_PPP_ETHER;
		put_pppoe(b, af == 4 ? 0x0021 : 0x0057);
		break;
	case LK_FDDI:
		c->dlt = TC_DLT_FDDI;
		put8(b, 0x50);                  /* frame control: LLC, async */
		putfill(b, 0x02, 12);           /* MACs */
		put_snap(b, 0, et);
		break;
	case LK_WLAN:                   /* data, to the DS */
		c->dlt = TC_DLT_IEEE802_11;
		put_wlan_data(b, 0x01, et);
		break;
	case LK_WLAN_QOS_WDS:           /* QoS data, 4 addresses, HT control */
		c->dlt = TC_DLT_IEEE802_11;
		put8(b, 0x88);
		put8(b, 0x83);                  /* to and from the DS, order */
		put16(b, 0x2c00);
		putfill(b, 0x02, 18);
		put16(b, 0x1230);
		putfill(b, 0x04, 6);            /* address 4 */
		put16(b, 0x0500);               /* QoS control: TID 5, not A-MSDU */
		put32(b, 0x00000001);           /* HT control */
		put_snap(b, 0xf8, et);          /* 802.1H bridge tunnel */
		break;
	case LK_RADIOTAP:
		c->dlt = TC_DLT_IEEE802_11_RADIO;
		put8(b, 0);                     /* version */
		put8(b, 0);
		put8(b, 12);                    /* length, little endian */
		put8(b, 0);
		put32(b, 0x02000000);           /* present: flags (LE bit 1) */
		put32(b, 0x00000000);           /* flags: none; padding */
		put_wlan_data(b, 0x02, et);     /* from the DS */
		break;
	case LK_PRISM:                  /* 144 bytes, lengths little endian */
		c->dlt = TC_DLT_PRISM_HEADER;
		put32(b, 0x41000000);           /* message code 0x41 */
		put32(b, 0x90000000);           /* length 144 */
		putfill(b, 0x00, 136);
		put_wlan_data(b, 0x01, et);
		break;
	case LK_AVS:                    /* 64 bytes, big endian */
		c->dlt = TC_DLT_IEEE802_11_AVS;
		put32(b, 0x80211001);
		put32(b, 64);
		putfill(b, 0x00, 56);
		put_wlan_data(b, 0x01, et);
		break;
	case LK_PPI:                    /* one 20-byte field, 802.11 */
		c->dlt = TC_DLT_PPI;
		put8(b, 0);
		put8(b, 0);
		put8(b, 32);                    /* length 32, little endian */
		put8(b, 0);
		put32(b, 0x69000000);           /* link type 105 */
		put32(b, 0x02001400);           /* field type 2, 20 bytes */
		putfill(b, 0x00, 20);
		put_wlan_data(b, 0x01, et);
		break;
	case LK_PPI_ETH:
		c->dlt = TC_DLT_PPI;
		put8(b, 0);
		put8(b, 0);
		put8(b, 8);
		put8(b, 0);
		put32(b, 0x01000000);           /* link type 1 */
		put_eth(b, et);
		break;
	case LK_PFLOG:                  /* 61-byte header, padded to 64 */
		c->dlt = TC_DLT_PFLOG;
		put8(b, 61);
		put8(b, af == 4 ? 2 : 24);      /* OpenBSD's AF_INET6 */
		putfill(b, 0x00, 62);
		break;
	case LK_IP:
	case LK__COUNT:
		c->dlt = af == 4 ? TC_DLT_IPV4 : TC_DLT_IPV6;
		break;
	default:
		build_tunnel_head(c, lk, et);
		break;
	}
	ip = af == 4 ? put_ip4(b, 6, 5, 0x4000) : put_ip6(b, 6);
	c->tcp_off = put_tcp(b, TC_PSH | TC_ACK, STD_OPTS, opts ? 20 : 0,
			     DATA, sizeof DATA);
	c->payload_off = c->tcp_off + 20 + (opts ? 20 : 0);
	if (af == 4)
		end_ip4(b, ip);
	else
		end_ip6(b, ip);
	if (c->udp_off)
		set16(b, c->udp_off + 4, b->n - c->udp_off);
	if (c->nflog_tlv)
		set_he16(b, c->nflog_tlv, b->n - c->nflog_tlv);
	for (; c->nouter > 0; c->nouter--)
		end_outer(b, c->outer_af[c->nouter - 1], c->outer[c->nouter - 1]);
}

/* Every field of tc_pkt for a canonical packet decoded in full. */
static void expect_canon(const struct canon *c, const struct res *r)
{
	uint8_t src[16] = { 0 }, dst[16] = { 0 };

	assert_int_equal(r->st, TC_DEC_OK);
	assert_int_equal(r->p.af, c->af);
	if (c->af == 4) {
		memcpy(src, V4_SRC, 4);
		memcpy(dst, V4_DST, 4);
		assert_int_equal(r->p.ttl, IP4_TTL);
		assert_int_equal(r->p.ip_id, IP4_ID);
		assert_int_equal(r->p.ip_df, 1);
	} else {
		memcpy(src, V6_SRC, 16);
		memcpy(dst, V6_DST, 16);
		assert_int_equal(r->p.ttl, IP6_HLIM);
		assert_int_equal(r->p.ip_id, 0);
		assert_int_equal(r->p.ip_df, 0);
	}
	assert_memory_equal(r->p.src, src, 16);
	assert_memory_equal(r->p.dst, dst, 16);
	assert_int_equal(r->p.flags, TC_PSH | TC_ACK);
	assert_int_equal(r->p.sport, SPORT);
	assert_int_equal(r->p.dport, DPORT);
	assert_int_equal(r->p.seq, SEQ);
	assert_int_equal(r->p.ack, ACK);
	assert_int_equal(r->p.win, WIN);
	if (c->opts) {
		assert_int_equal(r->p.opt, STD_OPT_BITS);
		assert_int_equal(r->p.mss, 1460);
		assert_int_equal(r->p.wscale, 7);
		assert_int_equal(r->p.tsval, TSVAL);
		assert_int_equal(r->p.tsecr, TSECR);
	} else {
		assert_int_equal(r->p.opt, 0);
	}
	assert_int_equal(r->p.payload_len, sizeof DATA);
	assert_int_equal(r->p.payload_caplen, sizeof DATA);
	assert_int_equal(r->poff, (long)c->payload_off);
	assert_memory_equal(c->b.d + r->poff, DATA, sizeof DATA);
	assert_int_equal(r->p.vlan, c->vlan);
	assert_int_equal(r->p.ip_fragment, 0);
	assert_int_equal(r->p.tunnel != 0, c->tun_type != 0);
	assert_int_equal(r->p.tun.type, c->tun_type);
	if (c->tun_type) {
		assert_int_equal(r->p.tun.has_id, c->tun_has_id);
		assert_int_equal(r->p.tun.id, c->tun_id);
		assert_int_equal(r->p.tun.af, c->tun_outer_af);
		assert_memory_equal(r->p.tun.src, c->tun_outer_af == 4 ? OUT4_SRC : OUT6_SRC,
				    c->tun_outer_af == 4 ? 4 : 16);
		assert_memory_equal(r->p.tun.dst, c->tun_outer_af == 4 ? OUT4_DST : OUT6_DST,
				    c->tun_outer_af == 4 ? 4 : 16);
	}
}

static void test_every_link_type(void **state)
{
	struct canon c;
	int lk, af, opts;

	(void)state;
	for (lk = 0; lk < LK__COUNT; lk++)
		for (af = 4; af <= 6; af += 2)
			for (opts = 0; opts <= 1; opts++) {
				struct res r;

				build_canon(&c, (enum lk)lk, af, opts);
				r = runb(c.dlt, &c.b);
				expect_canon(&c, &r);
			}
}

/* ---- tunnels: the key, nesting, what is not a tunnel --------------------- */

static void add_v4_syn(struct buf *b);

static uint32_t key_of(const struct canon *c)
{
	struct res r = runb(c->dlt, &c->b);

	assert_int_equal(r.st, TC_DEC_OK);
	return r.p.tunnel;
}

/* Swap the outer addresses of the outermost IPv4 header of c. */
static void swap_outer4(struct canon *c)
{
	uint32_t at = c->outer[0], i;

	for (i = 0; i < 4; i++) {
		uint8_t t = c->b.d[at + 12 + i];
		c->b.d[at + 12 + i] = c->b.d[at + 16 + i];
		c->b.d[at + 16 + i] = t;
	}
}

static void test_tunnel_key(void **state)
{
	struct canon c;
	uint32_t k, k2;

	(void)state;
	/* Both directions of one tunnel share the key; another VNI does not. */
	build_canon(&c, LK_GENEVE, 4, 0);
	k = key_of(&c);
	assert_int_not_equal(k, 0);
	swap_outer4(&c);
	assert_int_equal(key_of(&c), k);
	c.b.d[c.udp_end + 6] ^= 1;      /* VNI's last byte */
	k2 = key_of(&c);
	assert_int_not_equal(k2, 0);
	assert_int_not_equal(k2, k);

	/* Another outer address: another tunnel. */
	build_canon(&c, LK_GENEVE, 4, 0);
	c.b.d[c.outer[0] + 15] = 9;
	assert_int_not_equal(key_of(&c), k);

	/* A GTP-U TEID differs per direction: not part of the key. */
	build_canon(&c, LK_GTPU, 4, 0);
	k = key_of(&c);
	c.b.d[c.udp_end + 7] ^= 0x55;
	assert_int_equal(key_of(&c), k);

	/* Nor is an L2TP tunnel id: each end picks the one it receives on. */
	build_canon(&c, LK_L2TP, 4, 0);
	k = key_of(&c);
	c.b.d[c.udp_end + 5] ^= 1;
	assert_int_equal(key_of(&c), k);

	/* Nor is a GRE key: each direction may have its own (RFC 2890;
	 * Linux's ikey and okey). It is still reported. */
	build_canon(&c, LK_GRE, 6, 0);
	k = key_of(&c);
	c.b.d[c.outer[0] + 20 + 8 + 3] ^= 1;    /* after flags/proto, checksum */
	assert_int_equal(key_of(&c), k);
	assert_int_equal(runb(c.dlt, &c.b).p.tun.id, 7 ^ 1);

	/* The nested tunnel's key depends on the outer one too. */
	build_canon(&c, LK_VXLAN_IN_GRE, 4, 0);
	k = key_of(&c);
	c.b.d[c.outer[0] + 15] ^= 1;            /* the GRE's outer source */
	assert_int_not_equal(key_of(&c), k);

	/* Nothing outside a tunnel has a key. */
	build_canon(&c, LK_ETH, 4, 0);
	assert_int_equal(key_of(&c), 0);
}

/*
 * Make c's outermost IP datagram a fragment, as its sender fragments: a
 * first one (MF, offset 0) or a later one (offset 128). An IPv6 one gets a
 * fragment header, the bytes after it moving up by 8. With keep != 0 the
 * fragment holds `keep` bytes of data (a multiple of 8, as IP cuts) and
 * the frame ends with it. Returns the offset of the fragment's data.
 */
static uint32_t fragment_outer(struct canon *c, int first, uint32_t keep)
{
	struct buf *b = &c->b;
	uint32_t at = c->outer[0], data;

	assert_int_equal(keep % 8, 0);
	if (c->outer_af[0] == 4) {
		set16(b, at + 6, first ? 0x2000 : 0x0010);
		data = at + 20;
		if (keep)
			set16(b, at + 2, 20 + keep);
	} else {
		uint8_t nh = b->d[at + 6];
		uint32_t plen = (uint32_t)b->d[at + 4] << 8 | b->d[at + 5];

		assert_true(b->n + 8 <= sizeof b->d);
		memmove(b->d + at + 48, b->d + at + 40, b->n - (at + 40));
		b->n += 8;
		c->tcp_off += 8;
		c->payload_off += 8;
		set8(b, at + 6, 44);
		set8(b, at + 40, nh);
		set8(b, at + 41, 0);
		set16(b, at + 42, first ? 0x0001 : (16u << 3) | 1u);
		set16(b, at + 44, 0x1234);
		set16(b, at + 46, 0x5678);
		data = at + 48;
		set16(b, at + 4, keep ? 8 + keep : plen + 8);
	}
	if (keep) {
		assert_true(data + keep < b->n);
		b->n = data + keep;
	}
	return data;
}

/*
 * A tunnel packet whose outer datagram was fragmented: the first fragment
 * holds the tunnel's headers and the start of the inner packet, which is
 * read as cut by the capture (its lengths from its own headers), with the
 * connection key of the unfragmented packet. Mirrors (ERSPAN, GRE taps)
 * fragment every full-size frame they carry on a 1500-byte path. Outer
 * IPv4 and IPv6 (a fragment header).
 */
static void test_tunnel_outer_first_fragment(void **state)
{
	static const enum lk kinds[] = {LK_IPIP, LK_IP6IP, LK_GRE, LK_GRE_TEB, LK_ERSPAN1,
					LK_ERSPAN2, LK_ERSPAN3, LK_VXLAN, LK_GENEVE, LK_GTPU,
					LK_VXLAN_IN_GRE, LK_GRE_ARUBA, LK_TEREDO, LK_AYIYA,
					LK_L2TP};
	size_t i;
	int af;

	(void)state;
	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		for (af = 4; af <= 6; af += 2) {
			struct canon c;
			struct res whole, r;
			uint32_t data, keep, shift;
			int udp;

			build_canon(&c, kinds[i], af, 1);
			whole = runb(c.dlt, &c.b);
			expect_canon(&c, &whole);
			/* Where the fragment's data starts, and how far an
			 * IPv6 fragment header moves what follows it. */
			shift = c.outer_af[0] == 4 ? 0 : 8;
			data = c.outer[0] + (c.outer_af[0] == 4 ? 20 : 40) + shift;

			/* Cut in the inner payload: the segment, short. */
			keep = (c.payload_off + shift - data) / 8 * 8 + 8;
			assert_int_equal(fragment_outer(&c, 1, keep), data);
			r = runb(c.dlt, &c.b);
			assert_int_equal(r.st, TC_DEC_OK);
			assert_int_equal(r.p.af, c.af);
			assert_int_equal(r.p.seq, SEQ);
			assert_int_equal(r.p.flags, TC_PSH | TC_ACK);
			assert_int_equal(r.p.opt, STD_OPT_BITS);
			assert_int_equal(r.p.payload_len, sizeof DATA);
			assert_int_equal(r.p.payload_caplen, data + keep - c.payload_off);
			assert_true(r.p.payload_caplen < sizeof DATA);
			assert_int_equal(r.p.ip_len, whole.p.ip_len);
			assert_int_equal(r.p.ip_fragment, 0);
			assert_int_equal(r.p.len_clamped, 0);
			assert_int_equal(r.p.tun.type, c.tun_type);
			assert_int_equal(r.p.tunnel, whole.p.tunnel);

			/* The same frame known to be whole on the wire:
			 * the inner lengths are not held to it. */
			r = run_wire(c.dlt, c.b.d, c.b.n, c.b.n);
			assert_int_equal(r.st, TC_DEC_OK);
			assert_int_equal(r.p.payload_len, sizeof DATA);
			assert_int_equal(r.p.len_clamped, 0);

			/* Cut in the inner TCP header: a fragment, not a
			 * capture that lost bytes. */
			build_canon(&c, kinds[i], af, 1);
			keep = (c.tcp_off + shift + 12 - data) / 8 * 8;
			fragment_outer(&c, 1, keep);
			assert_true(c.b.n > c.tcp_off && c.b.n < c.tcp_off + 20);
			assert_int_equal(runb(c.dlt, &c.b).st, TC_DEC_FRAGMENT);

			/* A long first fragment the snaplen cut in that
			 * header: truncated, as without fragments. */
			build_canon(&c, kinds[i], af, 1);
			fragment_outer(&c, 1, 0);
			assert_int_equal(run_wire(c.dlt, c.b.d, c.tcp_off + 12, c.b.n).st,
					 TC_DEC_TRUNCATED);

			/* A later fragment carries no header: skipped, or
			 * not ours if the outer protocol is UDP. */
			build_canon(&c, kinds[i], af, 1);
			udp = c.b.d[c.outer[0] + (c.outer_af[0] == 4 ? 9 : 6)] == 17;
			fragment_outer(&c, 0, 0);
			assert_int_equal(runb(c.dlt, &c.b).st, udp ? TC_DEC_NOT_TCP : TC_DEC_FRAGMENT);
		}
}

/* One byte of a canonical packet changed, and what the decoder must say. */
struct one_byte {
	enum lk lk;
	int af;
	enum { AT_FRAME, AT_UDP_END, AT_OUTER_END } from; /* where `at` counts from */
	uint32_t at;
	uint8_t and_mask, or_bits; /* the byte becomes (byte & and_mask) | or_bits */
	enum tc_decode_status want;
};

static const struct one_byte not_ours[] = {
	/* 802.11: protected, a beacon, null data, protocol version 1, an
	 * A-MSDU; without the order bit no HT control, so the SNAP header
	 * would be 4 bytes early and is not one there; LLC without SNAP
	 * (spanning tree, NetBIOS). FDDI's LLC likewise. */
	{LK_WLAN, 4, AT_FRAME, 1, 0xff, 0x40, TC_DEC_NOT_IP},
	{LK_WLAN, 4, AT_FRAME, 0, 0x00, 0x80, TC_DEC_NOT_IP},
	{LK_WLAN, 4, AT_FRAME, 0, 0x00, 0x48, TC_DEC_NOT_IP},
	{LK_WLAN, 4, AT_FRAME, 0, 0xff, 0x01, TC_DEC_MALFORMED},
	{LK_WLAN_QOS_WDS, 4, AT_FRAME, 30, 0xff, 0x80, TC_DEC_NOT_IP},
	{LK_WLAN_QOS_WDS, 4, AT_FRAME, 1, 0x7f, 0x00, TC_DEC_NOT_IP},
	{LK_WLAN, 4, AT_FRAME, 24, 0x00, 0x42, TC_DEC_NOT_IP},
	{LK_FDDI, 6, AT_FRAME, 13, 0x00, 0x42, TC_DEC_NOT_IP},
	/* PPI's version is 0, and what it carries 802.11 or Ethernet;
	 * Prism's and AVS's lengths cover their own 8 bytes; radiotap's
	 * version is 0 and its length at least 8. */
	{LK_PPI, 4, AT_FRAME, 0, 0x00, 0x01, TC_DEC_MALFORMED},
	{LK_PPI, 4, AT_FRAME, 4, 0x00, 127, TC_DEC_UNSUPPORTED_LINK},
	{LK_PRISM, 4, AT_FRAME, 4, 0x00, 0x04, TC_DEC_MALFORMED},
	{LK_AVS, 4, AT_FRAME, 7, 0x00, 0x04, TC_DEC_MALFORMED},
	{LK_RADIOTAP, 4, AT_FRAME, 0, 0x00, 0x01, TC_DEC_MALFORMED},
	{LK_RADIOTAP, 4, AT_FRAME, 2, 0x00, 0x04, TC_DEC_MALFORMED},
	/* GRE's protocol types next to Aruba's are not 802.11 (0x8208). */
	{LK_GRE_ARUBA, 4, AT_OUTER_END, 3, 0x00, 0x08, TC_DEC_NOT_IP},
	/* Port 3544 or 5072 used for something else: no IPv6 after the
	 * origin indication, a first word neither Teredo header starts
	 * with; AYIYA's operations other than forward, and a next header
	 * that is neither IPv4 nor IPv6. */
	{LK_TEREDO, 6, AT_UDP_END, 8, 0x00, 0x45, TC_DEC_NOT_TCP},
	{LK_TEREDO, 6, AT_UDP_END, 1, 0x00, 0x07, TC_DEC_NOT_TCP},
	{LK_AYIYA, 4, AT_UDP_END, 2, 0x00, 0x22, TC_DEC_NOT_TCP},
	{LK_AYIYA, 6, AT_UDP_END, 3, 0x00, 17, TC_DEC_NOT_TCP},
	/* L2TP control messages and L2TPv3 carry no PPP frame. */
	{LK_L2TP, 4, AT_UDP_END, 0, 0xff, 0x80, TC_DEC_NOT_TCP},
	{LK_L2TP_BARE, 6, AT_UDP_END, 1, 0xf0, 0x03, TC_DEC_NOT_TCP},
	/* PPP's LCP (0xc021) is not IP; a serial frame neither HDLC-like
	 * nor Cisco is malformed; pf's header shorter than its length byte. */
	{LK_PPP_HDLC, 4, AT_FRAME, 2, 0x00, 0xc0, TC_DEC_NOT_IP},
	{LK_PPP_SERIAL, 4, AT_FRAME, 0, 0x00, 0x42, TC_DEC_MALFORMED},
	{LK_PFLOG, 4, AT_FRAME, 0, 0x00, 0x03, TC_DEC_MALFORMED},
};

/* What the serial, FDDI, 802.11, radio and pf link layers, and the
 * Teredo, AYIYA and Aruba tunnels, leave to others. */
static void test_link_layers_not_ours(void **state)
{
	struct canon c;
	struct buf b;
	struct res r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof not_ours / sizeof not_ours[0]; i++) {
		const struct one_byte *t = &not_ours[i];
		uint32_t at = t->at;

		build_canon(&c, t->lk, t->af, 0);
		if (t->from == AT_UDP_END)
			at += c.udp_end;
		else if (t->from == AT_OUTER_END)
			at += c.outer[0] + (c.outer_af[0] == 4 ? 20 : 40);
		set8(&c.b, at, (c.b.d[at] & t->and_mask) | t->or_bits);
		r = runb(c.dlt, &c.b);
		if (r.st != t->want)
			fail_msg("case %zu: status %d, not %d", i, (int)r.st, (int)t->want);
	}

	/* A Prism header written big endian reads the same. */
	build_canon(&c, LK_PRISM, 6, 1);
	c.b.d[4] = 0;
	c.b.d[7] = 144;
	r = runb(c.dlt, &c.b);
	expect_canon(&c, &r);

	/* A Teredo datagram of one byte holds no packet; one whose UDP
	 * length says more was cut by the capture. */
	build_canon(&c, LK_TEREDO, 6, 0);
	c.b.n = c.udp_end + 1;
	set16(&c.b, c.udp_off + 4, 9);
	set16(&c.b, c.outer[0] + 2, c.b.n - c.outer[0]);
	assert_int_equal(runb(c.dlt, &c.b).st, TC_DEC_NOT_TCP);
	set16(&c.b, c.udp_off + 4, 48);
	assert_int_equal(runb(c.dlt, &c.b).st, TC_DEC_TRUNCATED);

	/* 802.1ah inside 802.1ah without end: bounded like VLAN tags. */
	memset(&b, 0, sizeof b);
	put_eth(&b, 0x88e7);
	for (i = 0; i < 9; i++) {
		put32(&b, 0x00000001);
		putfill(&b, 0x04, 12);
		put16(&b, 0x88e7);
	}
	add_v4_syn(&b);
	assert_int_equal(runb(TC_DLT_EN10MB, &b).st, TC_DEC_MALFORMED);

	/* PPP carries MPLS too, read through. */
	memset(&b, 0, sizeof b);
	put8(&b, 0xff);
	put8(&b, 0x03);
	put16(&b, 0x0281);
	put_mpls(&b, 16001, 1);
	add_v4_syn(&b);
	assert_int_equal(runb(TC_DLT_PPP, &b).st, TC_DEC_OK);
}

/* IP in IP nested n deep, then the canonical v4 segment. */
static enum tc_decode_status ipip_nested(int n)
{
	struct buf b;
	uint32_t at[8];
	int i;

	memset(&b, 0, sizeof b);
	for (i = 0; i < n; i++)
		at[i] = put_outer(&b, 4, 4);
	add_v4_syn(&b);
	for (i = n - 1; i >= 0; i--)
		end_ip4(&b, at[i]);
	return runb(TC_DLT_IPV4, &b).st;
}

static void test_tunnel_depth_and_not_tunnels(void **state)
{
	struct buf b;
	struct canon c;

	(void)state;
	assert_int_equal(ipip_nested(TC_TUNNEL_DEPTH_MAX), TC_DEC_OK);
	assert_int_equal(ipip_nested(TC_TUNNEL_DEPTH_MAX + 1), TC_DEC_MALFORMED);

	/* GTP-U echo request: a GTP message, no user packet. */
	build_canon(&c, LK_GTPU, 4, 0);
	c.b.d[c.udp_end + 1] = 1;
	assert_int_equal(runb(c.dlt, &c.b).st, TC_DEC_NOT_TCP);
	/* GTP version 2 (GTP-C) on the port. */
	build_canon(&c, LK_GTPU, 4, 0);
	c.b.d[c.udp_end] = 0x48;
	assert_int_equal(runb(c.dlt, &c.b).st, TC_DEC_NOT_TCP);
	/* GENEVE version 1 does not exist. */
	build_canon(&c, LK_GENEVE, 4, 0);
	c.b.d[c.udp_end] |= 0x40;
	assert_int_equal(runb(c.dlt, &c.b).st, TC_DEC_NOT_TCP);
	/* GTP-U extension header of length 0 would not advance. */
	build_canon(&c, LK_GTPU, 4, 0);
	c.b.d[c.udp_end + 12] = 0;
	assert_int_equal(runb(c.dlt, &c.b).st, TC_DEC_MALFORMED);
	/* GRE version 1 (PPTP) is not decoded. */
	build_canon(&c, LK_GRE, 4, 0);
	c.b.d[c.outer[0] + 20 + 1] |= 1;
	assert_int_equal(runb(c.dlt, &c.b).st, TC_DEC_NOT_TCP);

	/* UDP on another port stays NOT_TCP, whatever it carries. */
	build_canon(&c, LK_VXLAN, 4, 0);
	set16(&c.b, c.udp_off + 2, 4788);
	assert_int_equal(runb(c.dlt, &c.b).st, TC_DEC_NOT_TCP);

	/* A later fragment of UDP: nothing says it is a tunnel. */
	build_canon(&c, LK_GENEVE, 4, 0);
	set16(&c.b, c.outer[0] + 6, 0x0010);
	assert_int_equal(runb(c.dlt, &c.b).st, TC_DEC_NOT_TCP);

	/* NFLOG without a payload TLV: not IP if the frame is whole. */
	memset(&b, 0, sizeof b);
	put8(&b, 2);
	put8(&b, 0);
	put16(&b, 0);
	put_he16(&b, 8);
	put_he16(&b, 1);
	put32(&b, 0);
	{
		struct tc_pkt p;
		assert_int_equal(tc_decode_wire(TC_DLT_NFLOG, b.d, b.n, b.n, &p),
				 TC_DEC_NOT_IP);
		assert_int_equal(tc_decode_wire(TC_DLT_NFLOG, b.d, b.n, b.n + 40, &p),
				 TC_DEC_TRUNCATED);
		/* A TLV length below its own header. */
		set_he16(&b, 4, 3);
		assert_int_equal(tc_decode_wire(TC_DLT_NFLOG, b.d, b.n, b.n, &p),
				 TC_DEC_MALFORMED);
	}
	/* NFLOG version 1 does not exist. */
	build_canon(&c, LK_NFLOG, 6, 0);
	c.b.d[1] = 1;
	assert_int_equal(runb(c.dlt, &c.b).st, TC_DEC_MALFORMED);
}

/* ---- link layer details ------------------------------------------------- */

/* A v4 SYN with no options behind whatever link header is in b. */
static void add_v4_syn(struct buf *b)
{
	uint32_t ip = put_ip4(b, 6, 5, 0);

	put_tcp(b, TC_SYN, NULL, 0, NULL, 0);
	end_ip4(b, ip);
}

static void test_vlan_stacks(void **state)
{
	struct buf b;
	struct res r;
	int i;

	(void)state;
	/* QinQ: the outermost id is the one reported. */
	memset(&b, 0, sizeof b);
	put_eth(&b, 0x88a8);
	put_tag(&b, 0x1000 | 300, 0x8100);     /* DEI set: masked off */
	put_tag(&b, 7, 0x0800);
	add_v4_syn(&b);
	r = runb(TC_DLT_EN10MB, &b);
	assert_int_equal(r.st, TC_DEC_OK);
	assert_int_equal(r.p.vlan, 300);
	assert_int_equal(r.p.flags, TC_SYN);

	/* Old vendor QinQ TPID 0x9100, then IPv6. */
	memset(&b, 0, sizeof b);
	put_eth(&b, 0x9100);
	put_tag(&b, 4095, 0x86dd);
	{
		uint32_t ip = put_ip6(&b, 6);

		put_tcp(&b, TC_SYN, NULL, 0, NULL, 0);
		end_ip6(&b, ip);
	}
	r = runb(TC_DLT_EN10MB, &b);
	assert_int_equal(r.st, TC_DEC_OK);
	assert_int_equal(r.p.vlan, 4095);
	assert_int_equal(r.p.af, 6);

	/* Eight tags are accepted, nine are not. */
	for (i = 8; i <= 9; i++) {
		int t;

		memset(&b, 0, sizeof b);
		put_eth(&b, 0x8100);
		for (t = 1; t <= i; t++)
			put_tag(&b, (unsigned)t, t < i ? 0x8100 : 0x0800);
		add_v4_syn(&b);
		r = runb(TC_DLT_EN10MB, &b);
		assert_int_equal(r.st, i == 8 ? TC_DEC_OK : TC_DEC_MALFORMED);
		if (i == 8)
			assert_int_equal(r.p.vlan, 1);
	}

	/* A tag cut in half. */
	memset(&b, 0, sizeof b);
	put_eth(&b, 0x8100);
	put16(&b, 5);
	assert_int_equal(runb(TC_DLT_EN10MB, &b).st, TC_DEC_TRUNCATED);

	/* A VLAN tag inside a cooked capture (libpcap re-inserts it). */
	memset(&b, 0, sizeof b);
	put_sll(&b, 0x8100);
	put_tag(&b, 12, 0x0800);
	add_v4_syn(&b);
	r = runb(TC_DLT_LINUX_SLL, &b);
	assert_int_equal(r.st, TC_DEC_OK);
	assert_int_equal(r.p.vlan, 12);
}

static void test_pppoe_and_mpls(void **state)
{
	struct buf b;
	struct res r;

	(void)state;
	/* PPPoE carrying LCP is not IP. */
	memset(&b, 0, sizeof b);
	put_eth(&b, 0x8864);
	put_pppoe(&b, 0xc021);
	putfill(&b, 0, 20);
	assert_int_equal(runb(TC_DLT_EN10MB, &b).st, TC_DEC_NOT_IP);

	/* PPPoE with a wrong version/type byte. */
	memset(&b, 0, sizeof b);
	put_eth(&b, 0x8864);
	put_pppoe(&b, 0x0021);
	set8(&b, 14, 0x21);
	add_v4_syn(&b);
	assert_int_equal(runb(TC_DLT_EN10MB, &b).st, TC_DEC_MALFORMED);

	/* PPPoE discovery (0x8863) is not IP. */
	memset(&b, 0, sizeof b);
	put_eth(&b, 0x8863);
	putfill(&b, 0, 30);
	assert_int_equal(runb(TC_DLT_EN10MB, &b).st, TC_DEC_NOT_IP);

	/* MPLS behind a VLAN tag, three labels, multicast ethertype. */
	memset(&b, 0, sizeof b);
	put_eth(&b, 0x8100);
	put_tag(&b, 9, 0x8848);
	put_mpls(&b, 1, 0);
	put_mpls(&b, 2, 0);
	put_mpls(&b, 3, 1);
	add_v4_syn(&b);
	r = runb(TC_DLT_EN10MB, &b);
	assert_int_equal(r.st, TC_DEC_OK);
	assert_int_equal(r.p.vlan, 9);
	assert_int_equal(r.p.seq, SEQ);

	/* A pseudowire control word (first nibble 0) after the stack. */
	memset(&b, 0, sizeof b);
	put_eth(&b, 0x8847);
	put_mpls(&b, 1, 1);
	put32(&b, 0);
	put_eth(&b, 0x0800);
	add_v4_syn(&b);
	assert_int_equal(runb(TC_DLT_EN10MB, &b).st, TC_DEC_NOT_IP);

	/* A label stack that never reaches bottom-of-stack. */
	memset(&b, 0, sizeof b);
	put_eth(&b, 0x8847);
	put_mpls(&b, 1, 0);
	put_mpls(&b, 2, 0);
	assert_int_equal(runb(TC_DLT_EN10MB, &b).st, TC_DEC_TRUNCATED);
}

static void test_not_ip(void **state)
{
	static const unsigned ethertypes[] = { 0x0806, 0x88cc, 0x0040,
					       0x8035, 0x88e5 };
	struct buf b;
	size_t i;

	(void)state;
	/* ARP, LLDP, an 802.3 length field, RARP, MACsec. */
	for (i = 0; i < sizeof ethertypes / sizeof ethertypes[0]; i++) {
		memset(&b, 0, sizeof b);
		put_eth(&b, ethertypes[i]);
		putfill(&b, 0, 46);
		assert_int_equal(runb(TC_DLT_EN10MB, &b).st, TC_DEC_NOT_IP);
	}
	memset(&b, 0, sizeof b);
	put_sll(&b, 0x0806);
	putfill(&b, 0, 28);
	assert_int_equal(runb(TC_DLT_LINUX_SLL, &b).st, TC_DEC_NOT_IP);

	memset(&b, 0, sizeof b);
	put_sll2(&b, 0x0004);           /* 802.2 LLC frames */
	putfill(&b, 0, 28);
	assert_int_equal(runb(TC_DLT_LINUX_SLL2, &b).st, TC_DEC_NOT_IP);

	memset(&b, 0, sizeof b);
	put_af_le(&b, 7);               /* some AF that is not IP */
	add_v4_syn(&b);
	assert_int_equal(runb(TC_DLT_NULL, &b).st, TC_DEC_NOT_IP);
}

static void test_null_both_orders(void **state)
{
	static const unsigned v6_afs[] = { 10, 24, 28, 30 };
	struct buf b;
	struct res r;
	size_t i;
	int le;

	(void)state;
	for (le = 0; le <= 1; le++) {
		memset(&b, 0, sizeof b);
		if (le)
			put_af_le(&b, 2);
		else
			put32(&b, 2);
		add_v4_syn(&b);
		r = runb(TC_DLT_NULL, &b);
		assert_int_equal(r.st, TC_DEC_OK);
		assert_int_equal(r.p.af, 4);

		for (i = 0; i < sizeof v6_afs / sizeof v6_afs[0]; i++) {
			uint32_t ip;

			memset(&b, 0, sizeof b);
			if (le)
				put_af_le(&b, v6_afs[i]);
			else
				put32(&b, v6_afs[i]);
			ip = put_ip6(&b, 6);
			put_tcp(&b, TC_SYN, NULL, 0, NULL, 0);
			end_ip6(&b, ip);
			r = runb(TC_DLT_NULL, &b);
			assert_int_equal(r.st, TC_DEC_OK);
			assert_int_equal(r.p.af, 6);
		}
	}

	/* LOOP is network order only: a little-endian AF is not AF_INET. */
	memset(&b, 0, sizeof b);
	put_af_le(&b, 2);
	add_v4_syn(&b);
	assert_int_equal(runb(TC_DLT_LOOP, &b).st, TC_DEC_NOT_IP);

	/* AF says IPv6, the packet is IPv4: the version check catches it. */
	memset(&b, 0, sizeof b);
	put32(&b, 30);
	add_v4_syn(&b);
	assert_int_equal(runb(TC_DLT_NULL, &b).st, TC_DEC_MALFORMED);
}

/* ---- IPv4 --------------------------------------------------------------- */

static void test_ipv4_options(void **state)
{
	struct buf b;
	struct res r;
	uint32_t ip, tcp;

	(void)state;
	memset(&b, 0, sizeof b);
	put_eth(&b, 0x0800);
	ip = put_ip4(&b, 6, 15, 0);     /* 40 bytes of options */
	set8(&b, ip + 20, 7);           /* a record-route option, then NOPs */
	set8(&b, ip + 21, 11);
	set8(&b, ip + 22, 4);
	tcp = put_tcp(&b, TC_ACK, STD_OPTS, 20, DATA, 5);
	end_ip4(&b, ip);
	assert_int_equal(tcp, 14 + 60);

	r = runb(TC_DLT_EN10MB, &b);
	assert_int_equal(r.st, TC_DEC_OK);
	assert_int_equal(r.p.sport, SPORT);
	assert_int_equal(r.p.seq, SEQ);
	assert_int_equal(r.p.opt, STD_OPT_BITS);
	assert_int_equal(r.p.payload_len, 5);
	assert_int_equal(r.poff, (long)(tcp + 40));

	/* The snaplen ends inside the IP options. */
	r = run(TC_DLT_EN10MB, b.d, 14 + 40);
	assert_int_equal(r.st, TC_DEC_TRUNCATED);
}

static void test_ipv4_header_errors(void **state)
{
	struct buf b;
	uint32_t ip;

	(void)state;
	/* IHL below 5. */
	memset(&b, 0, sizeof b);
	ip = put_ip4(&b, 6, 5, 0);
	put_tcp(&b, TC_SYN, NULL, 0, NULL, 0);
	end_ip4(&b, ip);
	set8(&b, 0, 0x44);
	assert_int_equal(runb(TC_DLT_IPV4, &b).st, TC_DEC_MALFORMED);
	set8(&b, 0, 0x40);
	assert_int_equal(runb(TC_DLT_IPV4, &b).st, TC_DEC_MALFORMED);

	/* Total length below the header length. */
	set8(&b, 0, 0x45);
	set16(&b, 2, 19);
	assert_int_equal(runb(TC_DLT_IPV4, &b).st, TC_DEC_MALFORMED);
	memset(&b, 0, sizeof b);
	ip = put_ip4(&b, 6, 8, 0);
	put_tcp(&b, TC_SYN, NULL, 0, NULL, 0);
	set16(&b, 2, 28);               /* IHL says 32 */
	assert_int_equal(runb(TC_DLT_IPV4, &b).st, TC_DEC_MALFORMED);

	/* Total length leaves no room for a TCP header. */
	end_ip4(&b, ip);
	set16(&b, 2, 32 + 12);
	assert_int_equal(runb(TC_DLT_IPV4, &b).st, TC_DEC_MALFORMED);

	/* Header cut by the capture. */
	end_ip4(&b, ip);
	assert_int_equal(run(TC_DLT_IPV4, b.d, 19).st, TC_DEC_TRUNCATED);
	assert_int_equal(run(TC_DLT_IPV4, b.d, 31).st, TC_DEC_TRUNCATED);
}

static void test_bad_version(void **state)
{
	struct buf b;
	uint32_t ip;

	(void)state;
	/* Ethertype IPv4, version 6. */
	memset(&b, 0, sizeof b);
	put_eth(&b, 0x0800);
	ip = put_ip4(&b, 6, 5, 0);
	put_tcp(&b, TC_SYN, NULL, 0, NULL, 0);
	end_ip4(&b, ip);
	set8(&b, ip, 0x65);
	assert_int_equal(runb(TC_DLT_EN10MB, &b).st, TC_DEC_MALFORMED);

	/* Raw IP: version 5 and 0 are neither. */
	set8(&b, ip, 0x55);
	assert_int_equal(run(TC_DLT_RAW, b.d + ip, b.n - ip).st,
			 TC_DEC_MALFORMED);
	set8(&b, ip, 0x05);
	assert_int_equal(run(TC_DLT_LINKTYPE_RAW, b.d + ip, b.n - ip).st,
			 TC_DEC_MALFORMED);

	/* Ethertype IPv6, version 4. */
	memset(&b, 0, sizeof b);
	put_eth(&b, 0x86dd);
	ip = put_ip6(&b, 6);
	put_tcp(&b, TC_SYN, NULL, 0, NULL, 0);
	end_ip6(&b, ip);
	set8(&b, ip, 0x40);
	assert_int_equal(runb(TC_DLT_EN10MB, &b).st, TC_DEC_MALFORMED);

	/* DLT_IPV4 carrying IPv6. */
	set8(&b, ip, 0x60);
	assert_int_equal(run(TC_DLT_IPV6, b.d + ip, b.n - ip).st, TC_DEC_OK);
	assert_int_equal(run(TC_DLT_IPV4, b.d + ip, b.n - ip).st,
			 TC_DEC_MALFORMED);
}

static void test_ipv4_fragments(void **state)
{
	struct buf b;
	struct res r;
	uint32_t ip;

	(void)state;
	/* First fragment: TCP header decoded, lengths are the fragment's. */
	memset(&b, 0, sizeof b);
	ip = put_ip4(&b, 6, 5, 0x2000);         /* MF, offset 0 */
	put_tcp(&b, TC_ACK, NULL, 0, DATA, 16);
	end_ip4(&b, ip);
	r = runb(TC_DLT_IPV4, &b);
	assert_int_equal(r.st, TC_DEC_OK);
	assert_int_equal(r.p.ip_fragment, 1);
	assert_int_equal(r.p.ip_df, 0);
	assert_int_equal(r.p.payload_len, 16);
	assert_int_equal(r.p.seq, SEQ);

	/* Later fragments: no TCP header in them. */
	set16(&b, ip + 6, 0x2000 | 2);          /* MF, offset 16 */
	assert_int_equal(runb(TC_DLT_IPV4, &b).st, TC_DEC_FRAGMENT);
	set16(&b, ip + 6, 5);                   /* last fragment */
	assert_int_equal(runb(TC_DLT_IPV4, &b).st, TC_DEC_FRAGMENT);
	set16(&b, ip + 6, 0x1000);              /* top offset bit only */
	assert_int_equal(runb(TC_DLT_IPV4, &b).st, TC_DEC_FRAGMENT);

	/* A later fragment of a UDP datagram is not TCP's business. */
	set8(&b, ip + 9, 17);
	assert_int_equal(runb(TC_DLT_IPV4, &b).st, TC_DEC_NOT_TCP);

	/* A first fragment may end inside the TCP options: usable, with
	 * the options marked incomplete (seen in real SYN captures). */
	memset(&b, 0, sizeof b);
	ip = put_ip4(&b, 6, 5, 0x2000);
	put_tcp(&b, TC_SYN, STD_OPTS, 20, NULL, 0);
	b.n -= 16;                              /* 24 bytes of TCP header */
	end_ip4(&b, ip);
	r = runb(TC_DLT_IPV4, &b);
	assert_int_equal(r.st, TC_DEC_OK);
	assert_int_equal(r.p.ip_fragment, 1);
	assert_int_equal(r.p.flags, TC_SYN);
	assert_int_equal(r.p.seq, SEQ);
	assert_int_equal(r.p.opt, TC_OPT_MSS | TC_OPT_BAD);
	assert_int_equal(r.p.payload_len, 0);
	assert_int_equal(r.p.payload_caplen, 0);
	/* The same header lengths without MF are a lie. */
	set16(&b, ip + 6, 0);
	assert_int_equal(runb(TC_DLT_IPV4, &b).st, TC_DEC_MALFORMED);
	/* A first fragment too small for the fixed header (RFC 1858). */
	set16(&b, ip + 6, 0x2000);
	b.n = ip + 20 + 16;
	end_ip4(&b, ip);
	assert_int_equal(runb(TC_DLT_IPV4, &b).st, TC_DEC_FRAGMENT);
	set16(&b, ip + 6, 0);
	assert_int_equal(runb(TC_DLT_IPV4, &b).st, TC_DEC_MALFORMED);

	/* DF alone is not a fragment. */
	memset(&b, 0, sizeof b);
	ip = put_ip4(&b, 6, 5, 0x4000);
	put_tcp(&b, TC_ACK, NULL, 0, DATA, 16);
	end_ip4(&b, ip);
	r = runb(TC_DLT_IPV4, &b);
	assert_int_equal(r.st, TC_DEC_OK);
	assert_int_equal(r.p.ip_fragment, 0);
	assert_int_equal(r.p.ip_df, 1);
}

static void test_ethernet_padding(void **state)
{
	struct buf b;
	struct res r;
	uint32_t ip, tcp;

	(void)state;
	/* A bare ACK padded to the 60-byte Ethernet minimum. */
	memset(&b, 0, sizeof b);
	put_eth(&b, 0x0800);
	ip = put_ip4(&b, 6, 5, 0);
	put_tcp(&b, TC_ACK, NULL, 0, NULL, 0);
	end_ip4(&b, ip);
	putfill(&b, 0xee, 60 - b.n);
	r = runb(TC_DLT_EN10MB, &b);
	assert_int_equal(r.st, TC_DEC_OK);
	assert_int_equal(r.p.payload_len, 0);
	assert_int_equal(r.p.payload_caplen, 0);
	assert_int_equal(r.poff, -1);

	/* Two bytes of data plus padding: only the two are payload. */
	memset(&b, 0, sizeof b);
	put_eth(&b, 0x0800);
	ip = put_ip4(&b, 6, 5, 0);
	tcp = put_tcp(&b, TC_ACK | TC_PSH, NULL, 0, DATA, 2);
	end_ip4(&b, ip);
	putfill(&b, 0xee, 60 - b.n);
	r = runb(TC_DLT_EN10MB, &b);
	assert_int_equal(r.st, TC_DEC_OK);
	assert_int_equal(r.p.payload_len, 2);
	assert_int_equal(r.p.payload_caplen, 2);
	assert_int_equal(r.poff, (long)(tcp + 20));

	/* IPv6 followed by a captured FCS: the payload length governs. */
	memset(&b, 0, sizeof b);
	put_eth(&b, 0x86dd);
	ip = put_ip6(&b, 6);
	put_tcp(&b, TC_FIN | TC_ACK, NULL, 0, NULL, 0);
	end_ip6(&b, ip);
	put32(&b, 0x12345678);
	r = runb(TC_DLT_EN10MB, &b);
	assert_int_equal(r.st, TC_DEC_OK);
	assert_int_equal(r.p.flags, TC_FIN | TC_ACK);
	assert_int_equal(r.p.payload_len, 0);
	assert_int_equal(r.p.payload_caplen, 0);
}

static void test_tso_zero_length(void **state)
{
	static uint8_t big[1200];
	struct buf b;
	struct res r;

	(void)state;
	memset(big, 'x', sizeof big);
	/* Total length left at 0 (put_ip4 does), as a TSO host captures it:
	 * the captured bytes are the segment. */
	memset(&b, 0, sizeof b);
	put_eth(&b, 0x0800);
	put_ip4(&b, 6, 5, 0x4000);
	put_tcp(&b, TC_ACK, STD_OPTS, 20, big, sizeof big);
	r = runb(TC_DLT_EN10MB, &b);
	assert_int_equal(r.st, TC_DEC_OK);
	assert_int_equal(r.p.payload_len, sizeof big);
	assert_int_equal(r.p.payload_caplen, sizeof big);
	assert_int_equal(r.p.opt, STD_OPT_BITS);

	/* Same for IPv6 payload length 0. */
	memset(&b, 0, sizeof b);
	put_eth(&b, 0x86dd);
	put_ip6(&b, 6);
	put_tcp(&b, TC_ACK, STD_OPTS, 20, big, sizeof big);
	r = runb(TC_DLT_EN10MB, &b);
	assert_int_equal(r.st, TC_DEC_OK);
	assert_int_equal(r.p.payload_len, sizeof big);

	/* With no declared length, options cut short are a snaplen cut,
	 * not a data offset beyond the segment. */
	r = run(TC_DLT_EN10MB, b.d, 14 + 40 + 24);
	assert_int_equal(r.st, TC_DEC_OK);
	assert_int_equal(r.p.opt, TC_OPT_MSS | TC_OPT_BAD);
	assert_int_equal(r.p.payload_len, 0);
}

/* ---- IPv6 --------------------------------------------------------------- */

static void test_ipv6_ext_chain(void **state)
{
	struct buf b;
	struct res r;
	uint32_t ip, tcp;

	(void)state;
	/* hop-by-hop -> routing -> destination options -> TCP */
	memset(&b, 0, sizeof b);
	put_eth(&b, 0x86dd);
	ip = put_ip6(&b, 0);
	put_ext6(&b, 43, 0);
	put_ext6(&b, 60, 2);
	put_ext6(&b, 6, 1);
	tcp = put_tcp(&b, TC_SYN, STD_OPTS, 20, NULL, 0);
	end_ip6(&b, ip);
	r = runb(TC_DLT_EN10MB, &b);
	assert_int_equal(r.st, TC_DEC_OK);
	assert_int_equal(tcp, 14 + 40 + 8 + 24 + 16);
	assert_int_equal(r.p.af, 6);
	assert_int_equal(r.p.ttl, IP6_HLIM);
	assert_memory_equal(r.p.src, V6_SRC, 16);
	assert_memory_equal(r.p.dst, V6_DST, 16);
	assert_int_equal(r.p.flags, TC_SYN);
	assert_int_equal(r.p.opt, STD_OPT_BITS);
	assert_int_equal(r.p.payload_len, 0);

	/* AH ((n+2)*4), mobility (135), and an atomic fragment. */
	memset(&b, 0, sizeof b);
	ip = put_ip6(&b, 51);
	put_ah(&b, 135, 4);                     /* 24 bytes */
	put_ext6(&b, 44, 0);
	put_frag6(&b, 6, 0, 0);
	put_tcp(&b, TC_ACK, NULL, 0, DATA, 7);
	end_ip6(&b, ip);
	r = runb(TC_DLT_IPV6, &b);
	assert_int_equal(r.st, TC_DEC_OK);
	assert_int_equal(r.p.ip_fragment, 0);
	assert_int_equal(r.p.payload_len, 7);
	assert_int_equal(r.poff, (long)(40 + 24 + 8 + 8 + 20));
}

static void test_ipv6_fragments(void **state)
{
	struct buf b;
	struct res r;
	uint32_t ip, fh;

	(void)state;
	memset(&b, 0, sizeof b);
	ip = put_ip6(&b, 44);
	fh = b.n;
	put_frag6(&b, 6, 0, 1);
	put_tcp(&b, TC_ACK, NULL, 0, DATA, 8);
	end_ip6(&b, ip);
	r = runb(TC_DLT_IPV6, &b);
	assert_int_equal(r.st, TC_DEC_OK);
	assert_int_equal(r.p.ip_fragment, 1);
	assert_int_equal(r.p.payload_len, 8);

	/* The first fragment ends inside the TCP header's options. */
	set8(&b, fh + 8 + 12, 0xf0);            /* data offset 60 > 28 */
	r = runb(TC_DLT_IPV6, &b);
	assert_int_equal(r.st, TC_DEC_OK);
	assert_int_equal(r.p.opt, TC_OPT_BAD);
	assert_int_equal(r.p.payload_len, 0);
	set16(&b, fh + 2, 0);                   /* not a fragment: a lie */
	assert_int_equal(runb(TC_DLT_IPV6, &b).st, TC_DEC_MALFORMED);
	set8(&b, fh + 8 + 12, 0x50);

	set16(&b, fh + 2, 185 << 3 | 1);
	assert_int_equal(runb(TC_DLT_IPV6, &b).st, TC_DEC_FRAGMENT);
	set16(&b, fh + 2, 185 << 3);
	assert_int_equal(runb(TC_DLT_IPV6, &b).st, TC_DEC_FRAGMENT);
	set16(&b, fh + 2, 0x8000);              /* top offset bit only */
	assert_int_equal(runb(TC_DLT_IPV6, &b).st, TC_DEC_FRAGMENT);
	set8(&b, fh, 60);       /* fragmentable part starts with dest opts */
	assert_int_equal(runb(TC_DLT_IPV6, &b).st, TC_DEC_FRAGMENT);
	set8(&b, fh, 17);       /* a UDP datagram's later fragment */
	assert_int_equal(runb(TC_DLT_IPV6, &b).st, TC_DEC_NOT_TCP);
}

static void test_ipv6_ext_bounds(void **state)
{
	struct buf b;
	uint32_t ip;
	int n, i;

	(void)state;
	/* 16 extension headers are walked, 17 are a crafted chain. */
	for (n = 16; n <= 17; n++) {
		memset(&b, 0, sizeof b);
		ip = put_ip6(&b, 60);
		for (i = 0; i < n; i++)
			put_ext6(&b, i < n - 1 ? 60 : 6, 0);
		put_tcp(&b, TC_SYN, NULL, 0, NULL, 0);
		end_ip6(&b, ip);
		assert_int_equal(runb(TC_DLT_IPV6, &b).st,
				 n == 16 ? TC_DEC_OK : TC_DEC_MALFORMED);
	}

	/* An extension header longer than the payload length. */
	memset(&b, 0, sizeof b);
	ip = put_ip6(&b, 0);
	put_ext6(&b, 6, 0);
	put_tcp(&b, TC_SYN, NULL, 0, NULL, 0);
	end_ip6(&b, ip);
	set8(&b, 41, 3);                        /* claims 32 of 28 bytes */
	assert_int_equal(runb(TC_DLT_IPV6, &b).st, TC_DEC_MALFORMED);
	set8(&b, 41, 0);

	/* Payload length too short for even the next-header byte pair. */
	set16(&b, 4, 1);
	assert_int_equal(runb(TC_DLT_IPV6, &b).st, TC_DEC_MALFORMED);
	/* ... or for the TCP header after the extension header. */
	set16(&b, 4, 8 + 19);
	assert_int_equal(runb(TC_DLT_IPV6, &b).st, TC_DEC_MALFORMED);

	/* Fits the payload length, cut by the capture. */
	end_ip6(&b, ip);
	assert_int_equal(run(TC_DLT_IPV6, b.d, 44).st, TC_DEC_TRUNCATED);

	/* Length byte 255 on every generic header type: bounded, no loop. */
	memset(&b, 0, sizeof b);
	ip = put_ip6(&b, 0);
	put8(&b, 0);
	put8(&b, 255);
	putfill(&b, 0, 100);
	end_ip6(&b, ip);
	assert_int_equal(runb(TC_DLT_IPV6, &b).st, TC_DEC_MALFORMED);
	set16(&b, 4, 0);                        /* length from capture */
	assert_int_equal(runb(TC_DLT_IPV6, &b).st, TC_DEC_TRUNCATED);
}

static void test_not_tcp(void **state)
{
	/* UDP on a port no tunnel uses, ICMP, ESP, PIM, SCTP (GRE is a tunnel now). */
	static const unsigned v4_protos[] = { 17, 1, 50, 103, 132 };
	static const unsigned v6_nhs[] = { 17, 58, 50, 59 };
	struct buf b;
	uint32_t ip;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof v4_protos / sizeof v4_protos[0]; i++) {
		memset(&b, 0, sizeof b);
		put_eth(&b, 0x0800);
		ip = put_ip4(&b, v4_protos[i], 5, 0);
		putfill(&b, 0, 20);
		end_ip4(&b, ip);
		assert_int_equal(runb(TC_DLT_EN10MB, &b).st, TC_DEC_NOT_TCP);
	}
	for (i = 0; i < sizeof v6_nhs / sizeof v6_nhs[0]; i++) {
		memset(&b, 0, sizeof b);
		put_eth(&b, 0x86dd);
		ip = put_ip6(&b, v6_nhs[i]);
		putfill(&b, 0, 20);
		end_ip6(&b, ip);
		assert_int_equal(runb(TC_DLT_EN10MB, &b).st, TC_DEC_NOT_TCP);

		/* ... also behind a hop-by-hop header */
		memset(&b, 0, sizeof b);
		ip = put_ip6(&b, 0);
		put_ext6(&b, v6_nhs[i], 0);
		putfill(&b, 0, 20);
		end_ip6(&b, ip);
		assert_int_equal(runb(TC_DLT_IPV6, &b).st, TC_DEC_NOT_TCP);
	}
	/* "No next header" with nothing after it at all. */
	memset(&b, 0, sizeof b);
	ip = put_ip6(&b, 59);
	assert_int_equal(runb(TC_DLT_IPV6, &b).st, TC_DEC_NOT_TCP);
}

/* ---- TCP ---------------------------------------------------------------- */

static void test_snaplen_cuts_payload(void **state)
{
	struct canon c;
	struct res r;

	(void)state;
	build_canon(&c, LK_ETH, 4, 1);
	r = run(c.dlt, c.b.d, c.payload_off + 10);
	assert_int_equal(r.st, TC_DEC_OK);
	assert_int_equal(r.p.payload_len, sizeof DATA);
	assert_int_equal(r.p.payload_caplen, 10);
	assert_int_equal(r.poff, (long)c.payload_off);
	assert_int_equal(r.p.opt, STD_OPT_BITS);

	/* Headers complete, no payload captured at all. */
	r = run(c.dlt, c.b.d, c.payload_off);
	assert_int_equal(r.st, TC_DEC_OK);
	assert_int_equal(r.p.payload_len, sizeof DATA);
	assert_int_equal(r.p.payload_caplen, 0);
	assert_int_equal(r.poff, -1);
}

static void test_options_cut_by_snaplen(void **state)
{
	struct canon c;
	struct res r;

	(void)state;
	build_canon(&c, LK_SLL, 6, 1);
	/* fixed header and MSS + SACK-permitted captured, timestamps cut */
	r = run(c.dlt, c.b.d, c.tcp_off + 20 + 4 + 2 + 5);
	assert_int_equal(r.st, TC_DEC_OK);
	assert_int_equal(r.p.seq, SEQ);
	assert_int_equal(r.p.ack, ACK);
	assert_int_equal(r.p.flags, TC_PSH | TC_ACK);
	assert_int_equal(r.p.opt, TC_OPT_MSS | TC_OPT_SACKOK | TC_OPT_BAD);
	assert_int_equal(r.p.mss, 1460);
	assert_int_equal(r.p.payload_len, sizeof DATA);
	assert_int_equal(r.p.payload_caplen, 0);

	/* cut on an option boundary: still incomplete */
	r = run(c.dlt, c.b.d, c.tcp_off + 20 + 4);
	assert_int_equal(r.st, TC_DEC_OK);
	assert_int_equal(r.p.opt, TC_OPT_MSS | TC_OPT_BAD);

	/* only the fixed header */
	r = run(c.dlt, c.b.d, c.tcp_off + 20);
	assert_int_equal(r.st, TC_DEC_OK);
	assert_int_equal(r.p.opt, TC_OPT_BAD);

	/* one byte short of the fixed header */
	r = run(c.dlt, c.b.d, c.tcp_off + 19);
	assert_int_equal(r.st, TC_DEC_TRUNCATED);
}

/* Decode a v4 segment whose option space is exactly `opts`. */
static struct res with_options(const uint8_t *opts, uint32_t optlen)
{
	struct buf b;
	uint32_t ip;

	memset(&b, 0, sizeof b);
	ip = put_ip4(&b, 6, 5, 0);
	put_tcp(&b, TC_SYN, opts, optlen, DATA, 3);
	end_ip4(&b, ip);
	return runb(TC_DLT_IPV4, &b);
}

static void test_option_parsing(void **state)
{
	/* Lengths 0 and 1 would never advance: must stop, not spin. */
	static const uint8_t len0[8] = { 2, 4, 1, 0x00, 0x1e, 0, 1, 1 };
	static const uint8_t len1[8] = { 1, 1, 0x1e, 1, 3, 3, 9, 0 };
	/* A timestamp option claiming more bytes than the header has. */
	static const uint8_t past[8] = { 1, 1, 8, 10, 0, 0, 0, 0 };
	/* Kind byte at the very end, its length byte missing. */
	static const uint8_t nolen[4] = { 1, 1, 1, 2 };
	/* MSS with the wrong length. */
	static const uint8_t badmss[4] = { 2, 3, 5, 1 };
	/* MPTCP (30) and TCP-AO-like (29) options: unknown, skipped. */
	static const uint8_t other[12] = { 30, 4, 0x10, 0x01, 29, 4, 0, 0,
					   3, 3, 14, 0 };
	/* Two SACK blocks, then EOL followed by junk that must be ignored. */
	static const uint8_t sack[24] = { 1, 1, 5, 18, 0, 0, 0, 1, 0, 0, 0, 2,
					  0, 0, 0, 3, 0, 0, 0, 4, 0, 0x99,
					  0x99, 0x99 };
	/* SACK with no block at all. */
	static const uint8_t sack0[4] = { 1, 1, 5, 2 };
	/* Window scale is reported raw, even above the RFC 7323 limit. */
	static const uint8_t ws15[4] = { 3, 3, 15, 0 };
	struct res r;

	(void)state;
	r = with_options(len0, sizeof len0);
	assert_int_equal(r.st, TC_DEC_OK);
	assert_int_equal(r.p.opt, TC_OPT_MSS | TC_OPT_BAD);
	assert_int_equal(r.p.mss, 0x0100);
	assert_int_equal(r.p.payload_len, 3);

	r = with_options(len1, sizeof len1);
	assert_int_equal(r.st, TC_DEC_OK);
	assert_int_equal(r.p.opt, TC_OPT_BAD);  /* WS after it not seen */

	r = with_options(past, sizeof past);
	assert_int_equal(r.p.opt, TC_OPT_BAD);

	r = with_options(nolen, sizeof nolen);
	assert_int_equal(r.p.opt, TC_OPT_BAD);

	r = with_options(badmss, sizeof badmss);
	assert_int_equal(r.p.opt, TC_OPT_BAD);

	r = with_options(other, sizeof other);
	assert_int_equal(r.p.opt, TC_OPT_OTHER | TC_OPT_WSCALE);
	assert_int_equal(r.p.wscale, 14);

	r = with_options(sack, sizeof sack);
	assert_int_equal(r.p.opt, TC_OPT_SACK);

	r = with_options(sack0, sizeof sack0);
	assert_int_equal(r.p.opt, TC_OPT_BAD);

	r = with_options(ws15, sizeof ws15);
	assert_int_equal(r.p.opt, TC_OPT_WSCALE);
	assert_int_equal(r.p.wscale, 15);
}

static void test_flags_byte(void **state)
{
	struct buf b;
	struct res r;
	uint32_t ip, tcp;

	(void)state;
	memset(&b, 0, sizeof b);
	ip = put_ip4(&b, 6, 5, 0);
	tcp = put_tcp(&b, 0xff, NULL, 0, NULL, 0);
	end_ip4(&b, ip);
	r = runb(TC_DLT_IPV4, &b);
	assert_int_equal(r.p.flags, 0xff);
	/* NS/AE and the reserved bits live in the data-offset byte. */
	set8(&b, tcp + 12, 0x5f);
	set8(&b, tcp + 13, TC_RST);
	r = runb(TC_DLT_IPV4, &b);
	assert_int_equal(r.st, TC_DEC_OK);
	assert_int_equal(r.p.flags, TC_RST);
}

static void test_data_offset(void **state)
{
	struct buf b;
	uint32_t ip, tcp;

	(void)state;
	memset(&b, 0, sizeof b);
	put_eth(&b, 0x0800);
	ip = put_ip4(&b, 6, 5, 0);
	tcp = put_tcp(&b, TC_ACK, NULL, 0, DATA, 8);
	end_ip4(&b, ip);

	/* Below the 20-byte minimum. */
	set8(&b, tcp + 12, 0x40);
	assert_int_equal(runb(TC_DLT_EN10MB, &b).st, TC_DEC_MALFORMED);
	set8(&b, tcp + 12, 0x00);
	assert_int_equal(runb(TC_DLT_EN10MB, &b).st, TC_DEC_MALFORMED);

	/* Header fits the 28-byte segment exactly: 8 bytes of options. */
	set8(&b, tcp + 12, 0x70);
	assert_int_equal(runb(TC_DLT_EN10MB, &b).st, TC_DEC_OK);

	/* Header claims more than the IP length gives the segment. */
	set8(&b, tcp + 12, 0x80);
	assert_int_equal(runb(TC_DLT_EN10MB, &b).st, TC_DEC_MALFORMED);
	set8(&b, tcp + 12, 0xf0);
	assert_int_equal(runb(TC_DLT_EN10MB, &b).st, TC_DEC_MALFORMED);

	/* Same, with Ethernet padding that would have made it "fit". */
	putfill(&b, 0, 40);
	assert_int_equal(runb(TC_DLT_EN10MB, &b).st, TC_DEC_MALFORMED);
}

/* ---- degenerate inputs and small API ------------------------------------ */

static const int supported[] = {
	TC_DLT_NULL, TC_DLT_EN10MB, TC_DLT_RAW, TC_DLT_RAW_BSD,
	TC_DLT_LINKTYPE_RAW, TC_DLT_LOOP, TC_DLT_LINUX_SLL, TC_DLT_IPV4,
	TC_DLT_IPV6, TC_DLT_LINUX_SLL2, TC_DLT_NFLOG, TC_DLT_PPP, TC_DLT_FDDI,
	TC_DLT_PPP_SERIAL, TC_DLT_PPP_ETHER, TC_DLT_C_HDLC, TC_DLT_IEEE802_11,
	TC_DLT_PFLOG, TC_DLT_IEEE802_11_RADIO, TC_DLT_PRISM_HEADER, TC_DLT_IEEE802_11_AVS,
	TC_DLT_PPI
};
#define N_SUPPORTED (sizeof supported / sizeof supported[0])

static void test_zero_length_and_unsupported(void **state)
{
	static const uint8_t one[1] = { 0x45 };
	static const int unsupported[] = { -1, 6, 147, 189, 197, 65535 };
	struct tc_pkt p;
	size_t i;

	(void)state;
	for (i = 0; i < N_SUPPORTED; i++) {
		assert_int_equal(tc_decode(supported[i], NULL, 0, &p),
				 TC_DEC_TRUNCATED);
		/* A NULL buffer is empty whatever caplen claims. */
		assert_int_equal(tc_decode(supported[i], NULL, 100, &p),
				 TC_DEC_TRUNCATED);
		assert_int_equal(tc_decode(supported[i], one, 0, &p),
				 TC_DEC_TRUNCATED);
		assert_int_equal(run(supported[i], one, 0).st,
				 TC_DEC_TRUNCATED);
		assert_int_equal(run(supported[i], one, 1).st,
				 TC_DEC_TRUNCATED);
	}
	for (i = 0; i < sizeof unsupported / sizeof unsupported[0]; i++) {
		assert_false(tc_decode_link_supported(unsupported[i]));
		assert_int_equal(tc_decode(unsupported[i], one, 1, &p),
				 TC_DEC_UNSUPPORTED_LINK);
	}
}

static void test_names_and_links(void **state)
{
	size_t i;

	(void)state;
	assert_string_equal(tc_decode_status_name(TC_DEC_OK), "ok");
	assert_string_equal(tc_decode_status_name(TC_DEC_NOT_IP), "not_ip");
	assert_string_equal(tc_decode_status_name(TC_DEC_NOT_TCP), "not_tcp");
	assert_string_equal(tc_decode_status_name(TC_DEC_FRAGMENT),
			    "fragment");
	assert_string_equal(tc_decode_status_name(TC_DEC_TRUNCATED),
			    "truncated");
	assert_string_equal(tc_decode_status_name(TC_DEC_MALFORMED),
			    "malformed");
	assert_string_equal(tc_decode_status_name(TC_DEC_UNSUPPORTED_LINK),
			    "unsupported_link");
	assert_non_null(tc_decode_status_name(TC_DEC__COUNT));
	for (i = 0; i < N_SUPPORTED; i++)
		assert_true(tc_decode_link_supported(supported[i]));
}

/* ---- every truncated prefix --------------------------------------------- */

static void test_truncation_sweep(void **state)
{
	struct canon c;
	int lk, af, opts;

	(void)state;
	for (lk = 0; lk < LK__COUNT; lk++)
	for (af = 4; af <= 6; af += 2)
	for (opts = 0; opts <= 1; opts++) {
		uint32_t k;

		build_canon(&c, (enum lk)lk, af, opts);
		for (k = 0; k < c.b.n; k++) {
			struct res r = run(c.dlt, c.b.d, k);

			if (k < c.tcp_off + 20) {
				/* A UDP header cut short is "some UDP": its
				 * port, which names the tunnel, may be gone. */
				if (k >= c.udp_off && k < c.udp_end)
					assert_int_equal(r.st, TC_DEC_NOT_TCP);
				else
					assert_int_equal(r.st, TC_DEC_TRUNCATED);
				continue;
			}
			assert_int_equal(r.st, TC_DEC_OK);
			assert_int_equal(r.p.seq, SEQ);
			assert_int_equal(r.p.ack, ACK);
			assert_int_equal(r.p.flags, TC_PSH | TC_ACK);
			assert_int_equal(r.p.sport, SPORT);
			assert_int_equal(r.p.payload_len, sizeof DATA);
			if (k < c.payload_off) {
				assert_true(r.p.opt & TC_OPT_BAD);
				assert_int_equal(r.p.payload_caplen, 0);
			} else {
				assert_int_equal(r.p.opt,
						 opts ? STD_OPT_BITS : 0);
				assert_int_equal(r.p.payload_caplen,
						 k - c.payload_off);
			}
		}
	}
}

/* ---- deterministic mutation -------------------------------------------- */

static uint32_t rng_state = 0x2545f491u;

static uint32_t rng(void)
{
	/* xorshift32: fixed seed, so a failure reproduces */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static void test_mutation(void **state)
{
	static const uint8_t interesting[] = { 0x00, 0x01, 0x05, 0x06, 0x0f,
					       0x2c, 0x3b, 0x40, 0x45, 0x60,
					       0x7f, 0x80, 0xff };
	enum { N_CANON = LK__COUNT * 4 };
	static struct canon pkts[N_CANON];
	unsigned counts[TC_DEC__COUNT] = { 0 };
	int i, it;

	(void)state;
	for (i = 0; i < N_CANON; i++)
		build_canon(&pkts[i], (enum lk)(i / 4), i % 2 ? 6 : 4,
			    (i / 2) % 2);

	for (it = 0; it < 20000; it++) {
		const struct canon *c = &pkts[rng() % N_CANON];
		uint8_t frame[sizeof c->b.d];
		uint32_t len = c->b.n, m, nmut = 1 + rng() % 4;
		int dlt = c->dlt;
		struct res r;

		memcpy(frame, c->b.d, len);
		for (m = 0; m < nmut; m++) {
			/* Mostly hit the headers, where the lengths are. */
			uint32_t at = rng() % (rng() % 2 ? c->payload_off : len);

			switch (rng() % 3) {
			case 0:
				frame[at] ^= (uint8_t)(1u << rng() % 8);
				break;
			case 1:
				frame[at] = (uint8_t)rng();
				break;
			default:
				frame[at] = interesting[rng() %
						sizeof interesting];
				break;
			}
		}
		if (rng() % 4 == 0)
			len = rng() % (len + 1);
		if (rng() % 16 == 0)
			dlt = supported[rng() % N_SUPPORTED];
		r = run(dlt, frame, len);       /* checks the invariants */
		if (r.st == TC_DEC_OK) {
			assert_true(r.p.af == 4 || r.p.af == 6);
			if (r.p.af == 4) {
				static const uint8_t zero[12];

				assert_memory_equal(r.p.src + 4, zero, 12);
				assert_memory_equal(r.p.dst + 4, zero, 12);
			}
		}
		counts[r.st]++;
	}
	/* The loop should have exercised more than one outcome. */
	assert_true(counts[TC_DEC_OK] > 1000);
	assert_true(counts[TC_DEC_TRUNCATED] > 100);
	assert_true(counts[TC_DEC_MALFORMED] > 100);
}

/* IPv4 with IPsec AH (RFC 4302): TCP follows the AH header. */
static void test_ipv4_ah(void **state)
{
	struct buf b = {0};
	struct tc_pkt p;
	static const uint8_t data[5] = "hello";
	uint32_t ip;
	(void)state;
	put_eth(&b, 0x0800);
	ip = put_ip4(&b, 51, 5, 0);
	put_ah(&b, 6, 4);               /* 24 bytes: 12 fixed + 12 ICV */
	put_tcp(&b, 0x18, NULL, 0, data, sizeof data);
	end_ip4(&b, ip);
	assert_int_equal(tc_decode(TC_DLT_EN10MB, b.d, b.n, &p), TC_DEC_OK);
	assert_int_equal(p.sport, SPORT);
	assert_int_equal(p.seq, SEQ);
	assert_int_equal(p.payload_len, 5);
	/* an AH length that runs past the IP total length is malformed */
	set8(&b, 14 + 20 + 1, 40);
	assert_int_equal(tc_decode(TC_DLT_EN10MB, b.d, b.n, &p), TC_DEC_MALFORMED);
}

/* 802.3 length field + LLC/SNAP (RFC 1042) carrying IPv4. */
static void test_llc_snap(void **state)
{
	static const uint8_t snap[8] = {0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00};
	struct buf b = {0};
	struct tc_pkt p;
	uint32_t ip;
	(void)state;
	put_eth(&b, 0);                 /* length: patched below */
	putn(&b, snap, sizeof snap);
	ip = put_ip4(&b, 6, 5, 0);
	put_tcp(&b, 0x02, NULL, 0, NULL, 0);
	end_ip4(&b, ip);
	set16(&b, 12, b.n - 14);
	assert_int_equal(tc_decode(TC_DLT_EN10MB, b.d, b.n, &p), TC_DEC_OK);
	assert_int_equal(p.flags, 0x02);
	assert_int_equal(p.dport, DPORT);
	/* LLC that is not SNAP (e.g. STP, 42 42 03) stays not-IP */
	set8(&b, 14, 0x42);
	set8(&b, 15, 0x42);
	assert_int_equal(tc_decode(TC_DLT_EN10MB, b.d, b.n, &p), TC_DEC_NOT_IP);
	/* cut inside the SNAP header */
	assert_int_equal(tc_decode(TC_DLT_EN10MB, b.d, 18, &p), TC_DEC_NOT_IP);
}

/* With the wire length known, an IP length longer than the frame was on
 * the wire is not believed: the segment is kept with the length the frame
 * could hold, and marked. A snaplen cut (wire > caplen) is not that. */
static void test_ip_longer_than_wire(void **state)
{
	struct buf b = {0};
	struct tc_pkt p;
	static const uint8_t data[100] = {0};
	uint32_t ip;
	(void)state;
	put_eth(&b, 0x0800);
	ip = put_ip4(&b, 6, 5, 0);
	put_tcp(&b, 0x18, NULL, 0, data, sizeof data);
	end_ip4(&b, ip);
	/* honest: captured 60 of a frame of b.n bytes */
	assert_int_equal(tc_decode_wire(TC_DLT_EN10MB, b.d, 60, b.n, &p), TC_DEC_OK);
	assert_int_equal(p.payload_len, 100);
	assert_int_equal(p.len_clamped, 0);
	/* lying: the IP header claims 35000 bytes of a frame of b.n */
	set16(&b, ip + 2, 35000);
	assert_int_equal(tc_decode_wire(TC_DLT_EN10MB, b.d, b.n, b.n, &p), TC_DEC_OK);
	assert_int_equal(p.payload_len, 100);
	assert_int_equal(p.len_clamped, 1);
	/* ... even when only part of it was captured */
	assert_int_equal(tc_decode_wire(TC_DLT_EN10MB, b.d, 60, b.n, &p), TC_DEC_OK);
	assert_int_equal(p.payload_len, 100);
	/* without the wire length it cannot tell */
	assert_int_equal(tc_decode(TC_DLT_EN10MB, b.d, b.n, &p), TC_DEC_OK);
	assert_int_equal(p.payload_len, 35000 - 40);
	/* a wire length below the captured length is ignored */
	assert_int_equal(tc_decode_wire(TC_DLT_EN10MB, b.d, b.n, 10, &p), TC_DEC_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_ah),
		cmocka_unit_test(test_ip_longer_than_wire),
		cmocka_unit_test(test_llc_snap),
		cmocka_unit_test(test_every_link_type),
		cmocka_unit_test(test_vlan_stacks),
		cmocka_unit_test(test_pppoe_and_mpls),
		cmocka_unit_test(test_not_ip),
		cmocka_unit_test(test_null_both_orders),
		cmocka_unit_test(test_ipv4_options),
		cmocka_unit_test(test_ipv4_header_errors),
		cmocka_unit_test(test_bad_version),
		cmocka_unit_test(test_ipv4_fragments),
		cmocka_unit_test(test_ethernet_padding),
		cmocka_unit_test(test_tso_zero_length),
		cmocka_unit_test(test_ipv6_ext_chain),
		cmocka_unit_test(test_ipv6_fragments),
		cmocka_unit_test(test_ipv6_ext_bounds),
		cmocka_unit_test(test_not_tcp),
		cmocka_unit_test(test_snaplen_cuts_payload),
		cmocka_unit_test(test_options_cut_by_snaplen),
		cmocka_unit_test(test_option_parsing),
		cmocka_unit_test(test_flags_byte),
		cmocka_unit_test(test_data_offset),
		cmocka_unit_test(test_zero_length_and_unsupported),
		cmocka_unit_test(test_names_and_links),
		cmocka_unit_test(test_truncation_sweep),
		cmocka_unit_test(test_tunnel_key),
		cmocka_unit_test(test_tunnel_outer_first_fragment),
		cmocka_unit_test(test_link_layers_not_ours),
		cmocka_unit_test(test_tunnel_depth_and_not_tunnels),
		cmocka_unit_test(test_mutation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
