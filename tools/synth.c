/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synth.c -- tc-synth: write the test captures a real socket on this machine
 * cannot produce (middlebox-injected and out-of-window RSTs, a capture that
 * starts mid-stream or lost a packet, damaged files, link types other than
 * the loopback's, ...), each with the `.expect` golden file that says what
 * tcpclose must conclude (docs/expect-format.md).
 *
 *   tc-synth --list
 *   tc-synth --out DIR [NAME...]     (no NAME: all of them)
 *
 * The output is byte-for-byte deterministic: fixed timestamps from
 * 1700000000.000000000, fixed ISNs, IP IDs, TSvals and addresses, so running
 * it again changes nothing. See captures/SYNTHESIZED.md for what each one
 * is and why it is synthesized.
 *
 * Inside: a small packet builder. A `conv` is one TCP connection; it keeps
 * each side's snd_nxt / rcv_nxt so segments are consistent, fills in TCP
 * options (MSS/SACKOK/TS/WS on SYNs, TS after), per-side TTL, incrementing
 * IP ID and increasing TSval, computes the IPv4 and TCP checksums and wraps
 * the IP packet in the link layer of the capture. It also counts, per side,
 * what the .expect counters report (packets, payload bytes, FINs, RSTs) and
 * checks every RST against the receiver's window the way tcpclose does, so
 * the counters in the .expect always describe the file that was written.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define T0_SEC 1700000000LL
#define NSEC 1000000000LL

/* TCP flags */
#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_PSH 0x08
#define F_ACK 0x10
#define F_PA (F_PSH | F_ACK)
#define F_FA (F_FIN | F_ACK)

#define MAX_CONVS 8
#define FRAME_MAX 4096

/* Link-layer AF values for DLT_NULL (host byte order). */
#define NULL_AF_INET 2
#define NULL_AF_INET6_DARWIN 30

/* SLL packet types */
#define SLL_HOST 0
#define SLL_OUTGOING 4

static _Noreturn void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("tc-synth: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t acc)
{
	while (n > 1) {
		acc += (uint32_t)p[0] << 8 | p[1];
		p += 2;
		n -= 2;
	}
	if (n)
		acc += (uint32_t)p[0] << 8;
	return acc;
}

static uint16_t fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

/* ------------------------------------------------------------------ */
/* Capture file                                                        */

struct conv;

struct cap {
	pcap_t *p;
	pcap_dumper_t *d;
	int dlt;
	uint32_t snaplen;    /* frames are cut to it, as a capture would */
	char path[4096];
	int64_t own_clock;
	int64_t *clock;      /* ns since the epoch; may be shared by two caps */
	int64_t step_ns;     /* clock advance after each packet */
	int counting;        /* 0: packet written but not part of the expect */
	uint32_t frames;     /* counted frames */
	uint32_t frags;      /* counted frames that are later IP fragments (not TCP) */
	uint32_t next_id;
	struct conv *convs[MAX_CONVS];
	int nconvs;
};

static void cap_open_snap(struct cap *cap, const char *dir, const char *file, int dlt,
			  uint32_t snaplen)
{
	memset(cap, 0, sizeof(*cap));
	cap->dlt = dlt;
	cap->snaplen = snaplen;
	if ((size_t)snprintf(cap->path, sizeof(cap->path), "%s/%s", dir, file) >=
	    sizeof(cap->path))
		die("path too long: %s/%s", dir, file);
	cap->p = pcap_open_dead_with_tstamp_precision(dlt, (int)snaplen,
						      PCAP_TSTAMP_PRECISION_NANO);
	if (!cap->p)
		die("pcap_open_dead failed for DLT %d", dlt);
	cap->d = pcap_dump_open(cap->p, cap->path);
	if (!cap->d)
		die("%s: %s", cap->path, pcap_geterr(cap->p));
	cap->own_clock = T0_SEC * NSEC;
	cap->clock = &cap->own_clock;
	cap->step_ns = 50000;
	cap->counting = 1;
}

static void cap_open(struct cap *cap, const char *dir, const char *file, int dlt)
{
	cap_open_snap(cap, dir, file, dlt, 262144);
}

static void cap_close(struct cap *cap)
{
	if (pcap_dump_flush(cap->d) != 0)
		die("%s: write error", cap->path);
	pcap_dump_close(cap->d);
	pcap_close(cap->p);
	cap->d = NULL;
	cap->p = NULL;
}

static void wait_us(struct cap *cap, int64_t us)
{
	*cap->clock += us * 1000;
}

/* ------------------------------------------------------------------ */
/* Conversation                                                        */

struct side {
	int af;
	uint8_t addr[16];
	uint16_t port;
	uint8_t mac[6];
	uint8_t ttl;
	uint16_t ipid;       /* next IPv4 ID */
	uint32_t flow;       /* IPv6 flow label */
	uint32_t snd_nxt;    /* next sequence number this side sends */
	uint32_t rcv_nxt;    /* what it has received of the peer: its ACK */
	int held;            /* its segments are not delivered yet (crossing) */
	uint16_t win;        /* raw window field outside SYNs */
	uint8_t wscale;
	uint16_t mss;
	int scaled;          /* window scaling in effect (after the handshake) */
	uint32_t ts_base, tsval_last;
	/* what the peer uses to judge this side's RSTs: */
	int ack_valid;
	uint32_t last_ack;   /* last ACK it sent */
	uint32_t win_bytes;  /* its advertised window, scaled */
	/* counters for the .expect */
	uint32_t pkts, fins, rsts;
	uint64_t bytes;
};

struct conv {
	struct cap *cap;
	int af;
	struct side s[2];    /* [0] client, [1] server */
	int ts;              /* timestamp option in use */
	/* link layer */
	int nvlan;
	uint16_t vlan_tpid[2], vlan_tci[2]; /* outermost first */
	uint32_t null_af6;
	uint32_t ifindex;
	/* network layer extras */
	const uint8_t *ip4opt;
	size_t ip4opt_len;   /* multiple of 4, <= 40 */
	int v6ext;           /* hop-by-hop + destination options before TCP */
	int encap;           /* ENC_*: a tunnel around the IP packet */
	uint32_t encap_id;   /* its VNI, GRE key, ERSPAN session, GTP-U TEID */
	uint32_t encap_seq;
	/* bookkeeping */
	uint32_t id;         /* order of first packet, 1-based */
	uint32_t rst_ignored;
	unsigned rst_accepted; /* bit 0 client, bit 1 server */
	/* the verdict the scenario expects */
	const char *opened, *close, *closer, *reset_by, *reset_phase;
	const char *cstate, *sstate;
	const char *cause;   /* the diagnosis, written only when set */
	unsigned idle_match; /* the idle timeout it must match, 0: unchecked */
	int race;            /* expect the keep-alive race note */
	const char *tw_reuse; /* expect tw_reuse= this ("yes"/"no"), NULL: unchecked */
};

static void conv_init(struct conv *c, struct cap *cap, const char *caddr,
		      uint16_t cport, const char *saddr, uint16_t sport,
		      uint32_t cisn, uint32_t sisn)
{
	memset(c, 0, sizeof(*c));
	c->cap = cap;
	c->af = strchr(caddr, ':') ? 6 : 4;
	const char *a[2] = {caddr, saddr};
	uint16_t port[2] = {cport, sport};
	uint32_t isn[2] = {cisn, sisn};
	for (int i = 0; i < 2; i++) {
		struct side *s = &c->s[i];
		s->af = c->af;
		if (inet_pton(c->af == 6 ? AF_INET6 : AF_INET, a[i], s->addr) != 1)
			die("bad address %s", a[i]);
		s->port = port[i];
		/* locally administered MACs derived from the address */
		s->mac[0] = 0x02;
		s->mac[1] = 0x00;
		memcpy(s->mac + 2, c->af == 6 ? s->addr + 12 : s->addr, 4);
		s->ttl = 64;
		s->ipid = (uint16_t)(isn[i] >> 16 ^ isn[i]);
		s->flow = (isn[i] >> 12) & 0xfffff;
		s->snd_nxt = isn[i];
		s->win = i ? 509 : 502;
		s->wscale = 7;
		s->mss = c->af == 6 ? 1440 : 1460;
		s->ts_base = isn[i] ^ 0x5a5a5a5a;
	}
	c->ts = 1;
	c->null_af6 = NULL_AF_INET6_DARWIN;
	c->ifindex = 2;
	c->opened = "handshake";
	c->close = c->closer = c->reset_by = c->reset_phase = "-";
	c->cstate = c->sstate = "-";
}

static void conv_expect(struct conv *c, const char *opened, const char *close,
			const char *closer, const char *reset_by,
			const char *reset_phase, const char *cstate,
			const char *sstate)
{
	c->opened = opened;
	c->close = close;
	c->closer = closer;
	c->reset_by = reset_by;
	c->reset_phase = reset_phase;
	c->cstate = cstate;
	c->sstate = sstate;
}

/* A segment as the scenario asks for it; emit() turns it into a frame. */
struct seg {
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	uint32_t len;        /* payload bytes */
	int no_opts;         /* no TCP options at all */
	int ttl;             /* -1: the side's TTL */
	int ipid;            /* -1: the side's next IP ID (and increment it) */
	int df;              /* IPv4 don't-fragment */
};

static void seg_init(struct seg *g)
{
	memset(g, 0, sizeof(*g));
	g->ttl = -1;
	g->ipid = -1;
	g->df = 1;
}

static size_t tcp_options(struct conv *c, int from, const struct seg *g,
			  uint8_t *o)
{
	struct side *me = &c->s[from], *peer = &c->s[!from];
	size_t n = 0;
	uint32_t tsval = 0;

	if (g->no_opts)
		return 0;
	if (c->ts) {
		uint32_t ms = (uint32_t)((*c->cap->clock - T0_SEC * NSEC) / 1000000);
		tsval = me->ts_base + ms;
		if (me->tsval_last && (int32_t)(tsval - me->tsval_last) <= 0)
			tsval = me->tsval_last + 1;
		me->tsval_last = tsval;
	}
	if (g->flags & F_SYN) {
		o[n++] = 2; o[n++] = 4; put16(o + n, me->mss); n += 2;
		if (c->ts) {
			o[n++] = 4; o[n++] = 2;                    /* SACK permitted */
			o[n++] = 8; o[n++] = 10;
			put32(o + n, tsval); n += 4;
			put32(o + n, (g->flags & F_ACK) ? peer->tsval_last : 0); n += 4;
		} else {
			o[n++] = 1; o[n++] = 1; o[n++] = 4; o[n++] = 2;
		}
		o[n++] = 1;
		o[n++] = 3; o[n++] = 3; o[n++] = me->wscale;
	} else if (c->ts) {
		o[n++] = 1; o[n++] = 1;
		o[n++] = 8; o[n++] = 10;
		put32(o + n, tsval); n += 4;
		put32(o + n, peer->tsval_last); n += 4;
	}
	return n;
}

static void payload_fill(uint8_t *p, uint32_t len, uint32_t seq, int from)
{
	static const char text[] =
		"tcpclose synthesized payload: how did this connection end? ";
	for (uint32_t i = 0; i < len; i++)
		p[i] = (uint8_t)(from ? text[(seq + i) % (sizeof(text) - 1)] ^ 0x20
				      : text[(seq + i) % (sizeof(text) - 1)]);
}

static void cap_register(struct cap *cap, struct conv *c)
{
	for (int i = 0; i < cap->nconvs; i++)
		if (cap->convs[i] == c)
			return;
	if (cap->nconvs == MAX_CONVS)
		die("too many connections in one capture");
	cap->convs[cap->nconvs++] = c;
}

/* Build one frame for segment g from side `from` and write it. */
/* Tunnels around the IP packet, over IPv4 between 10.99.0.1 (the client's
 * side) and 10.99.0.2: those Linux on the test machine cannot make. */
enum { ENC_NONE, ENC_GRE, ENC_ERSPAN2, ENC_ERSPAN3, ENC_GENEVE, ENC_GTPU, ENC_IPIP,
       ENC_GRE_MIRROR, ENC_TEREDO, ENC_AYIYA, ENC_L2TP };

/* A mirror's path MTU: an outer datagram above it travels in fragments. */
#define MIRROR_MTU 1500

static const uint8_t TUN_C[4] = {10, 99, 0, 1}, TUN_S[4] = {10, 99, 0, 2};

/* Wrap the IP packet ip[0..iplen) in c->encap and an outer IPv4 header, in
 * place; returns the new length. */
static size_t encapsulate(struct conv *c, int from, uint8_t *ip, size_t iplen)
{
	uint8_t in[FRAME_MAX], *o = ip, *h;
	size_t hl = 0, ilen = 0;
	uint8_t proto = 47;
	uint16_t inner_et = c->af == 4 ? 0x0800 : 0x86dd;
	int l2 = c->encap == ENC_ERSPAN2 || c->encap == ENC_ERSPAN3 || c->encap == ENC_GENEVE ||
		 c->encap == ENC_GRE_MIRROR;

	/* What the tunnel carries: the IP packet, or an Ethernet frame. */
	if (l2) {
		memcpy(in, c->s[!from].mac, 6);
		memcpy(in + 6, c->s[from].mac, 6);
		put16(in + 12, inner_et);
		ilen = 14;
	}
	if (ilen + iplen + 80 > FRAME_MAX)
		die("internal: tunnelled frame too long");
	memcpy(in + ilen, ip, iplen);
	ilen += iplen;

	h = o + 20;
	switch (c->encap) {
	case ENC_GRE:           /* key and sequence number */
		put16(h, 0x3000);
		put16(h + 2, inner_et);
		put32(h + 4, c->encap_id);
		put32(h + 8, ++c->encap_seq);
		hl = 12;
		break;
	case ENC_GRE_MIRROR:    /* key only, Ethernet inside; the key names
				 * the direction, as some switches' mirrors do */
		put16(h, 0x2000);
		put16(h + 2, 0x6558);
		put32(h + 4, c->encap_id ^ (from ? 0x02000000u : 0));
		++c->encap_seq; /* not sent: the outer IP ID steps with it */
		hl = 8;
		break;
	case ENC_ERSPAN2:
		put16(h, 0x1000);
		put16(h + 2, 0x88be);
		put32(h + 4, ++c->encap_seq);
		put16(h + 8, 0x1000);                   /* version 1, VLAN 0 */
		put16(h + 10, (uint16_t)(c->encap_id & 0x3ff));
		put32(h + 12, 0);                       /* index */
		hl = 16;
		break;
	case ENC_ERSPAN3:
		put16(h, 0x1000);
		put16(h + 2, 0x22eb);
		put32(h + 4, ++c->encap_seq);
		put16(h + 8, 0x2000);                   /* version 2, VLAN 0 */
		put16(h + 10, (uint16_t)(c->encap_id & 0x3ff));
		put32(h + 12, (uint32_t)(*c->cap->clock / 1000)); /* timestamp, us */
		put16(h + 16, 0);                       /* SGT */
		put16(h + 18, 0);                       /* FT 0: Ethernet, no subheader */
		hl = 20;
		break;
	case ENC_GENEVE:        /* one option with no data */
		proto = 17;
		put16(h, 50000);
		put16(h + 2, 6081);
		put16(h + 6, 0);
		h[8] = 1;                               /* version 0, 1 word of options */
		h[9] = 0;
		put16(h + 10, 0x6558);
		put32(h + 12, c->encap_id << 8);
		put16(h + 16, 0x0101);                  /* option class */
		h[18] = 0x01;                           /* type */
		h[19] = 0;                              /* no data */
		hl = 20;
		break;
	case ENC_GTPU:          /* one extension header; a TEID per direction */
		proto = 17;
		put16(h, 2152);
		put16(h + 2, 2152);
		put16(h + 6, 0);
		h[8] = 0x34;                            /* version 1, PT, E */
		h[9] = 0xff;                            /* G-PDU */
		put16(h + 10, (uint16_t)(8 + ilen));
		put32(h + 12, c->encap_id + (uint32_t)from);
		put16(h + 16, 0);                       /* sequence (not flagged) */
		h[18] = 0;                              /* N-PDU */
		h[19] = 0x85;                           /* PDU session container */
		h[20] = 1;
		h[21] = from ? 0x00 : 0x10;             /* DL / UL PDU type */
		h[22] = 9;                              /* QFI */
		h[23] = 0;                              /* no more */
		hl = 24;
		break;
	case ENC_IPIP:
		proto = c->af == 4 ? 4 : 41;
		hl = 0;
		break;
	case ENC_TEREDO:        /* the client (10.99.0.1:50000) and its relay */
		if (c->af != 6)
			die("internal: Teredo carries IPv6 only");
		proto = 17;
		put16(h, from ? 3544 : 50000);
		put16(h + 2, from ? 50000 : 3544);
		put16(h + 6, 0);
		hl = 8;
		if (from) {     /* the relay says where it came from (RFC 4380 5.1.2) */
			put16(h + 8, 0);
			put16(h + 10, 0xffff ^ 50000);
			put32(h + 12, 0xffffffffu ^ 0x0a630001u);
			hl = 16;
		}
		break;
	case ENC_AYIYA:         /* forward, 16-byte identity, SHA-1 signature */
		proto = 17;
		put16(h, 5072);
		put16(h + 2, 5072);
		put16(h + 6, 0);
		h[8] = 0x41;
		h[9] = 0x52;
		h[10] = 0x21;
		h[11] = c->af == 4 ? 4 : 41;
		put32(h + 12, (uint32_t)(*c->cap->clock / 1000000000));     /* epoch */
		memset(h + 16, 0x5a, 16);                                   /* identity */
		memset(h + 32, 0xa5, 20);                                   /* signature */
		hl = 52;
		break;
	case ENC_L2TP:          /* v2 data: length, Ns/Nr; PPP with its framing */
		proto = 17;
		put16(h, 1701);
		put16(h + 2, 1701);
		put16(h + 6, 0);
		put16(h + 8, 0x4802);                   /* L, S, version 2 */
		put16(h + 10, (uint16_t)(16 + ilen));   /* L2TP length */
		/* each end's tunnel and session ids are the receiver's */
		put16(h + 12, (uint16_t)(from ? c->encap_id + 0x100 : c->encap_id));
		put16(h + 14, from ? 0x0022 : 0x0011);
		put16(h + 16, (uint16_t)c->encap_seq);  /* Ns */
		put16(h + 18, (uint16_t)c->encap_seq);  /* Nr */
		++c->encap_seq;
		h[20] = 0xff;
		h[21] = 0x03;
		put16(h + 22, c->af == 4 ? 0x0021 : 0x0057);
		hl = 24;
		break;
	default:
		die("internal: encapsulation %d", c->encap);
	}
	if (proto == 17)
		put16(h + 4, (uint16_t)(hl + ilen));    /* UDP length; checksum 0 */
	memcpy(h + hl, in, ilen);
	memset(o, 0, 20);
	o[0] = 0x45;
	put16(o + 2, (uint16_t)(20 + hl + ilen));
	put16(o + 4, (uint16_t)(c->encap_seq * 7 + (uint32_t)from));
	put16(o + 6, c->encap == ENC_GRE_MIRROR ? 0 : 0x4000); /* a mirror may fragment */
	o[8] = 64;
	o[9] = proto;
	memcpy(o + 12, from ? TUN_S : TUN_C, 4);
	memcpy(o + 16, from ? TUN_C : TUN_S, 4);
	put16(o + 10, fold(sum16(o, 20, 0)));
	return 20 + hl + ilen;
}

/* The IP packet ip[0..iplen) in a frame of the capture's link type,
 * written at the capture's clock, which then steps. */
static void put_frame(struct conv *c, int from, uint16_t ethertype, const uint8_t *ip,
		      size_t iplen)
{
	struct cap *cap = c->cap;
	struct side *me = &c->s[from], *peer = &c->s[!from];
	uint8_t frame[FRAME_MAX];
	size_t flen = 0;

	/* link layer */
	switch (cap->dlt) {
	case DLT_EN10MB:
		memcpy(frame, peer->mac, 6);
		memcpy(frame + 6, me->mac, 6);
		flen = 12;
		for (int i = 0; i < c->nvlan; i++) {
			put16(frame + flen, c->vlan_tpid[i]);
			put16(frame + flen + 2, c->vlan_tci[i]);
			flen += 4;
		}
		put16(frame + flen, ethertype);
		flen += 2;
		break;
	case DLT_NULL: {
		uint32_t af = c->af == 4 ? NULL_AF_INET : c->null_af6;
		memcpy(frame, &af, 4);    /* host byte order */
		flen = 4;
		break;
	}
	case DLT_RAW:
		flen = 0;
		break;
	case DLT_PPP_SERIAL:    /* RFC 1662 framing: address, control, protocol */
		frame[0] = 0xff;
		frame[1] = 0x03;
		put16(frame + 2, ethertype == 0x0800 ? 0x0021 : 0x0057);
		flen = 4;
		break;
	case DLT_FDDI:          /* frame control, MACs, 802.2 LLC/SNAP */
		frame[0] = 0x50;
		memcpy(frame + 1, peer->mac, 6);
		memcpy(frame + 7, me->mac, 6);
		memcpy(frame + 13, "\xaa\xaa\x03\x00\x00\x00", 6);
		put16(frame + 19, ethertype);
		flen = 21;
		break;
	case DLT_IEEE802_11_RADIO: {
		/* radiotap with no fields, then a QoS data frame: the client
		 * is the station (to the DS), the server behind the access
		 * point (from the DS); LLC/SNAP */
		static const uint8_t ap[6] = {0x02, 0xa0, 0x00, 0x00, 0x00, 0x01};
		uint8_t *w = frame + 8;
		memset(frame, 0, 8);
		frame[2] = 8;                           /* radiotap length, LE */
		w[0] = 0x88;                            /* QoS data */
		w[1] = from == 0 ? 0x01 : 0x02;
		put16(w + 2, 0x2c00);                   /* duration */
		memcpy(w + 4, from == 0 ? ap : peer->mac, 6);
		memcpy(w + 10, from == 0 ? me->mac : ap, 6);
		memcpy(w + 16, from == 0 ? peer->mac : me->mac, 6);
		put16(w + 22, (uint16_t)(me->pkts << 4)); /* sequence control */
		w[24] = 0x00;                           /* QoS: TID 0 */
		w[25] = 0x00;
		memcpy(w + 26, "\xaa\xaa\x03\x00\x00\x00", 6);
		put16(w + 32, ethertype);
		flen = 8 + 34;
		break;
	}
	case DLT_PFLOG: {
		/* FreeBSD's pfloghdr: 61 bytes, padded to 64; pass, rule 5,
		 * logged on em0 as it came in (client) or went out */
		memset(frame, 0, 64);
		frame[0] = 61;
		frame[1] = ethertype == 0x0800 ? 2 : 28;  /* AF_INET, FreeBSD AF_INET6 */
		memcpy(frame + 4, "em0", 3);
		put32(frame + 36, 5);                   /* rule number */
		put32(frame + 40, 0xffffffffu);         /* subrule: none */
		put32(frame + 48, 0xffffffffu);         /* pid: none */
		frame[60] = from == 0 ? 1 : 2;          /* PF_IN, PF_OUT */
		flen = 64;
		break;
	}
	case DLT_NFLOG: {
		/* family, version 0, group; NFULA_PACKET_HDR, NFULA_PREFIX,
		 * then NFULA_PAYLOAD: TLV length and type in host order,
		 * as the kernel and libpcap's reader have them */
		uint16_t tl[2];
		frame[0] = c->af == 4 ? 2 : 10;
		frame[1] = 0;
		put16(frame + 2, 5);
		tl[0] = 8;
		tl[1] = 1;
		memcpy(frame + 4, tl, 4);
		put16(frame + 8, ethertype);
		frame[10] = 1;                  /* NF_INET_LOCAL_IN */
		frame[11] = 0;
		tl[0] = 4 + 8;
		tl[1] = 10;
		memcpy(frame + 12, tl, 4);
		memcpy(frame + 16, "tcpin\0\0\0", 8);
		tl[0] = (uint16_t)(4 + iplen);
		tl[1] = 9;
		memcpy(frame + 24, tl, 4);
		flen = 28;
		break;
	}
	case DLT_LINUX_SLL:
		/* capture taken on the client host: client's segments are
		 * outgoing, the server's are addressed to this host */
		put16(frame, from == 0 ? SLL_OUTGOING : SLL_HOST);
		put16(frame + 2, 1);      /* ARPHRD_ETHER */
		put16(frame + 4, 6);
		memset(frame + 6, 0, 8);
		memcpy(frame + 6, me->mac, 6);
		put16(frame + 14, ethertype);
		flen = 16;
		break;
	case DLT_LINUX_SLL2:
		put16(frame, ethertype);
		put16(frame + 2, 0);
		put32(frame + 4, c->ifindex);
		put16(frame + 8, 1);      /* ARPHRD_ETHER */
		frame[10] = from == 0 ? SLL_OUTGOING : SLL_HOST;
		frame[11] = 6;
		memset(frame + 12, 0, 8);
		memcpy(frame + 12, me->mac, 6);
		flen = 20;
		break;
	default:
		die("internal: link type %d", cap->dlt);
	}
	memcpy(frame + flen, ip, iplen);
	flen += iplen;
	/* Ethernet frames shorter than the minimum are padded on the wire
	 * (bare RSTs): the padding is not TCP payload. */
	if (cap->dlt == DLT_EN10MB && flen < 60) {
		memset(frame + flen, 0, 60 - flen);
		flen = 60;
	}

	struct pcap_pkthdr h;
	memset(&h, 0, sizeof(h));
	h.ts.tv_sec = (time_t)(*cap->clock / NSEC);
	h.ts.tv_usec = (suseconds_t)(*cap->clock % NSEC); /* ns: NANO precision */
	h.caplen = h.len = (bpf_u_int32)flen;
	if (h.caplen > cap->snaplen)
		h.caplen = cap->snaplen;
	pcap_dump((u_char *)cap->d, &h, frame);
	*cap->clock += cap->step_ns;
}

/* The outer IPv4 datagram ip[0..iplen) (a 20-byte header) over a
 * MIRROR_MTU path: fragments of as much data as fit, a multiple of 8
 * bytes, as the encapsulating box sends them. */
static void put_fragments(struct conv *c, int from, uint16_t ethertype, const uint8_t *ip,
			  size_t iplen)
{
	uint8_t part[FRAME_MAX];
	const size_t most = (MIRROR_MTU - 20) / 8 * 8;
	size_t off, n;

	for (off = 0; off < iplen - 20; off += n) {
		n = iplen - 20 - off < most ? iplen - 20 - off : most;
		memcpy(part, ip, 20);
		memcpy(part + 20, ip + 20 + off, n);
		put16(part + 2, (uint16_t)(20 + n));
		put16(part + 6, (uint16_t)(off / 8 | (off + n < iplen - 20 ? 0x2000 : 0))); /* MF */
		put16(part + 10, 0);
		put16(part + 10, fold(sum16(part, 20, 0)));
		put_frame(c, from, ethertype, part, 20 + n);
		if (off && c->cap->counting)
			c->cap->frags++;
	}
}

static void emit(struct conv *c, int from, const struct seg *g)
{
	struct cap *cap = c->cap;
	struct side *me = &c->s[from], *peer = &c->s[!from];
	uint8_t tcp[FRAME_MAX], ip[FRAME_MAX];
	size_t optlen, tcplen, iplen;

	/* TCP header */
	memset(tcp, 0, sizeof(tcp));
	put16(tcp, me->port);
	put16(tcp + 2, peer->port);
	put32(tcp + 4, g->seq);
	put32(tcp + 8, (g->flags & F_ACK) ? g->ack : 0);
	optlen = tcp_options(c, from, g, tcp + 20);
	if (optlen % 4 || optlen > 40)
		die("internal: option length %zu", optlen);
	tcp[12] = (uint8_t)((20 + optlen) / 4) << 4;
	tcp[13] = g->flags;
	put16(tcp + 14, g->win);
	if (20 + optlen + g->len > 1600)
		die("internal: segment too long");
	payload_fill(tcp + 20 + optlen, g->len, g->seq, from);
	tcplen = 20 + optlen + g->len;

	/* IP header and TCP checksum */
	uint32_t acc;
	if (c->af == 4) {
		size_t ihl = 20 + c->ip4opt_len;
		memset(ip, 0, ihl);
		ip[0] = (uint8_t)(0x40 | ihl / 4);
		put16(ip + 2, (uint16_t)(ihl + tcplen));
		put16(ip + 4, g->ipid >= 0 ? (uint16_t)g->ipid : me->ipid++);
		put16(ip + 6, g->df ? 0x4000 : 0);
		ip[8] = g->ttl >= 0 ? (uint8_t)g->ttl : me->ttl;
		ip[9] = 6;
		memcpy(ip + 12, me->addr, 4);
		memcpy(ip + 16, peer->addr, 4);
		if (c->ip4opt_len)
			memcpy(ip + 20, c->ip4opt, c->ip4opt_len);
		put16(ip + 10, fold(sum16(ip, ihl, 0)));
		acc = sum16(ip + 12, 8, 0) + 6 + (uint32_t)tcplen;
		put16(tcp + 16, fold(sum16(tcp, tcplen, acc)));
		memcpy(ip + ihl, tcp, tcplen);
		iplen = ihl + tcplen;
	} else {
		size_t ext = 0;
		uint8_t *e = ip + 40;
		if (c->v6ext) {
			/* hop-by-hop, 8 bytes: PadN(4) */
			e[0] = 60; e[1] = 0; e[2] = 1; e[3] = 4;
			memset(e + 4, 0, 4);
			/* destination options, 16 bytes: tunnel encapsulation
			 * limit (type 4, len 1, 4) + PadN(9) */
			e[8] = 6; e[9] = 1; e[10] = 4; e[11] = 1; e[12] = 4;
			e[13] = 1; e[14] = 9;
			memset(e + 15, 0, 9);
			ext = 24;
		}
		put32(ip, 0x60000000u | me->flow);
		put16(ip + 4, (uint16_t)(ext + tcplen));
		ip[6] = c->v6ext ? 0 : 6;
		ip[7] = g->ttl >= 0 ? (uint8_t)g->ttl : me->ttl;
		memcpy(ip + 8, me->addr, 16);
		memcpy(ip + 24, peer->addr, 16);
		acc = sum16(ip + 8, 32, 0) + 6 + (uint32_t)tcplen;
		put16(tcp + 16, fold(sum16(tcp, tcplen, acc)));
		memcpy(ip + 40 + ext, tcp, tcplen);
		iplen = 40 + ext + tcplen;
	}
	uint16_t ethertype = c->af == 4 ? 0x0800 : 0x86dd;
	if (c->encap) {
		iplen = encapsulate(c, from, ip, iplen);
		ethertype = 0x0800;
	}
	if (c->encap == ENC_GRE_MIRROR && iplen > MIRROR_MTU)
		put_fragments(c, from, ethertype, ip, iplen);
	else
		put_frame(c, from, ethertype, ip, iplen);

	if (!cap->counting)
		return;
	/* bookkeeping for the .expect */
	cap_register(cap, c);
	if (!c->id)
		c->id = ++cap->next_id;
	cap->frames++;
	me->pkts++;
	me->bytes += g->len;
	if (g->flags & F_FIN)
		me->fins++;
	if (g->flags & F_RST) {
		me->rsts++;
		/* RFC 5961 spirit: acceptable iff inside the receiver's window */
		if (!peer->ack_valid ||
		    (uint32_t)(g->seq - peer->last_ack) < peer->win_bytes)
			c->rst_accepted |= 1u << from;
		else
			c->rst_ignored++;
	}
	if ((g->flags & F_ACK) && !(g->flags & F_RST)) {
		me->ack_valid = 1;
		me->last_ack = g->ack;
		me->win_bytes = (uint32_t)g->win << ((g->flags & F_SYN) || !me->scaled
							     ? 0 : me->wscale);
	}
}

/* Send the next segment of side `from`: seq = its snd_nxt, ack = what it
 * has received. Delivered to the peer at once unless the side is held. */
static void tx(struct conv *c, int from, uint8_t flags, uint32_t len)
{
	struct side *me = &c->s[from], *peer = &c->s[!from];
	struct seg g;
	seg_init(&g);
	g.seq = me->snd_nxt;
	g.ack = me->rcv_nxt;
	g.flags = flags;
	g.len = len;
	g.win = (flags & F_SYN) ? (c->af == 6 ? 64800 : 64240) : me->win;
	emit(c, from, &g);
	me->snd_nxt += len + ((flags & F_SYN) ? 1 : 0) + ((flags & F_FIN) ? 1 : 0);
	if (!(flags & F_RST) && !me->held)
		peer->rcv_nxt = me->snd_nxt;
}

/* Segments of `from` sent while held cross the peer's on the wire. */
static void hold(struct conv *c, int from)
{
	c->s[from].held = 1;
}

static void release(struct conv *c, int from)
{
	c->s[from].held = 0;
	c->s[!from].rcv_nxt = c->s[from].snd_nxt;
}

static void handshake(struct conv *c)
{
	tx(c, 0, F_SYN, 0);
	wait_us(c->cap, 300);
	tx(c, 1, F_SYN | F_ACK, 0);
	wait_us(c->cap, 300);
	c->s[0].scaled = c->s[1].scaled = 1;
	tx(c, 0, F_ACK, 0);
}

/* Pick the connection up mid-stream: no SYN, both sides established. */
static void midstream(struct conv *c)
{
	c->s[0].rcv_nxt = c->s[1].snd_nxt;
	c->s[1].rcv_nxt = c->s[0].snd_nxt;
	c->s[0].scaled = c->s[1].scaled = 1;
	/* timestamps were already flowing: echo something plausible */
	c->s[0].tsval_last = c->s[0].ts_base - 2000;
	c->s[1].tsval_last = c->s[1].ts_base - 2000;
}

/* Request from the client, response from the server, both ACKed. */
static void exchange(struct conv *c, uint32_t req, uint32_t resp)
{
	struct cap *cap = c->cap;
	tx(c, 0, F_PA, req);
	wait_us(cap, 200);
	tx(c, 1, F_ACK, 0);
	wait_us(cap, 800);
	if (!resp)
		return;
	while (resp) {
		uint32_t n = resp > 1200 ? 1200 : resp;
		tx(c, 1, resp > n ? F_ACK : F_PA, n);
		resp -= n;
	}
	wait_us(cap, 300);
	tx(c, 0, F_ACK, 0);
}

/* FIN from `who`, ACK, FIN from the other side, final ACK. */
static void close_graceful(struct conv *c, int who)
{
	struct cap *cap = c->cap;
	tx(c, who, F_FA, 0);
	wait_us(cap, 300);
	tx(c, !who, F_ACK, 0);
	wait_us(cap, 500);
	tx(c, !who, F_FA, 0);
	wait_us(cap, 300);
	tx(c, who, F_ACK, 0);
}

/* Abortive close (SO_LINGER 0) by `who`: an in-window RST+ACK. */
static void abort_rst(struct conv *c, int who)
{
	tx(c, who, F_RST | F_ACK, 0);
}

/* ------------------------------------------------------------------ */
/* .expect                                                             */

static const char *endpoint_str(const struct side *s, char *buf, size_t n)
{
	char a[INET6_ADDRSTRLEN];
	inet_ntop(s->af == 6 ? AF_INET6 : AF_INET, s->addr, a, sizeof(a));
	snprintf(buf, n, s->af == 6 ? "[%s]:%u" : "%s:%u", a, s->port);
	return buf;
}

static void check_conv(const struct cap *cap, const struct conv *c)
{
	static const char *who[] = {"-", "client", "server", "both"};
	const char *want_reset_by = who[c->rst_accepted & 3];
	int reset = c->rst_accepted != 0;
	int fins = (c->s[0].fins > 0) + (c->s[1].fins > 0);

	if (strcmp(c->reset_by, want_reset_by) != 0)
		die("%s: conn %u: reset_by=%s but the accepted RSTs say %s",
		    cap->path, c->id, c->reset_by, want_reset_by);
	if (reset != (strcmp(c->close, "reset") == 0) ||
	    (!reset && fins == 2 && strcmp(c->close, "graceful") != 0) ||
	    (!reset && fins == 1 && strcmp(c->close, "half_closed") != 0) ||
	    (!reset && fins == 0 && strcmp(c->close, "open") != 0))
		die("%s: conn %u: close=%s does not match the segments",
		    cap->path, c->id, c->close);
}

/* Write DIR/NAME.expect for the capture; `error` (may be NULL) goes last. */
static void write_expect(const struct cap *cap, const char *dir,
			 const char *name, const char *what, const char *error)
{
	char path[4096], ce[80], se[80];
	unsigned n[4] = {0, 0, 0, 0}; /* graceful half_closed reset open */
	FILE *f;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s.expect", dir, name) >=
	    sizeof(path))
		die("path too long");
	f = fopen(path, "w");
	if (!f)
		die("%s: %s", path, strerror(errno));
	fprintf(f, "# %s: written by tools/synth.c (tc-synth), do not edit.\n",
		name);
	fprintf(f, "# %s\n", what);
	for (uint32_t id = 1; id <= cap->next_id; id++) {
		const struct conv *c = NULL;
		for (int i = 0; i < cap->nconvs; i++)
			if (cap->convs[i]->id == id)
				c = cap->convs[i];
		if (!c)
			die("internal: conn %u missing", id);
		check_conv(cap, c);
		if (!strcmp(c->close, "graceful")) n[0]++;
		else if (!strcmp(c->close, "half_closed")) n[1]++;
		else if (!strcmp(c->close, "reset")) n[2]++;
		else n[3]++;
		fprintf(f,
			"conn client=%s server=%s opened=%s close=%s closer=%s "
			"reset_by=%s reset_phase=%s client_state=%s server_state=%s "
			"pkts_client=%u pkts_server=%u bytes_client=%llu "
			"bytes_server=%llu fins_client=%u fins_server=%u "
			"rsts_client=%u rsts_server=%u rst_ignored=%u",
			endpoint_str(&c->s[0], ce, sizeof(ce)),
			endpoint_str(&c->s[1], se, sizeof(se)), c->opened,
			c->close, c->closer, c->reset_by, c->reset_phase,
			c->cstate, c->sstate, c->s[0].pkts, c->s[1].pkts,
			(unsigned long long)c->s[0].bytes,
			(unsigned long long)c->s[1].bytes, c->s[0].fins,
			c->s[1].fins, c->s[0].rsts, c->s[1].rsts,
			c->rst_ignored);
		if (c->encap) {
			/* as the client's first packet carried it */
			static const char *const names[] = {"", "gre", "erspan", "erspan", "geneve",
							    "gtpu", "ipip", "gre", "teredo", "ayiya", "l2tp"};
			if (c->encap == ENC_IPIP || c->encap == ENC_TEREDO || c->encap == ENC_AYIYA)
				fprintf(f, " tunnel=%s@10.99.0.1->10.99.0.2", names[c->encap]);
			else
				fprintf(f, " tunnel=%s/%u@10.99.0.1->10.99.0.2", names[c->encap],
					(unsigned)c->encap_id);
		}
		if (c->cause)
			fprintf(f, " cause=%s", c->cause);
		if (c->idle_match)
			fprintf(f, " idle_match=%u", c->idle_match);
		if (c->race)
			fprintf(f, " keepalive_race=yes");
		if (c->tw_reuse)
			fprintf(f, " tw_reuse=%s", c->tw_reuse);
		fputc('\n', f);
	}
	fprintf(f,
		"summary connections=%u graceful=%u half_closed=%u reset=%u "
		"open=%u refused=0 packets=%u tcp_packets=%u",
		cap->next_id, n[0], n[1], n[2], n[3], cap->frames + cap->frags, cap->frames);
	if (error)
		fprintf(f, " error=%s", error);
	fputc('\n', f);
	if (fclose(f) != 0)
		die("%s: write error", path);
}

/* ------------------------------------------------------------------ */
/* Scenarios                                                           */

#define C4 "192.0.2.10"
#define S4 "203.0.113.5"
#define C6 "2001:db8:1::10"
#define S6 "2001:db8:2::5"

static void sc_injected_rst(const char *dir)
{
	struct cap cap;
	struct conv c;
	struct seg g;

	cap_open(&cap, dir, "synth_injected_rst.pcap", DLT_EN10MB);
	conv_init(&c, &cap, C4, 51000, S4, 443, 0x1f2e3d4c, 0x8a7b6c5d);
	c.s[1].ttl = 50;                   /* the server is 14 hops away */
	handshake(&c);
	exchange(&c, 517, 2400);
	wait_us(&cap, 2000);
	exchange(&c, 320, 900);
	wait_us(&cap, 1500);
	/* A middlebox 7 hops away forges an RST "from the server" with the
	 * exact sequence number the client expects: TTL 57 and an IP ID out
	 * of the server's sequence, no DF, no options, window 0. */
	seg_init(&g);
	g.seq = c.s[1].snd_nxt;
	g.flags = F_RST;
	g.win = 0;
	g.no_opts = 1;
	g.ttl = 57;
	g.ipid = 0xd35f;
	g.df = 0;
	emit(&c, 1, &g);
	conv_expect(&c, "handshake", "reset", "-", "server", "established",
		    "CLOSED", "CLOSED");
	c.cause = "injected";
	cap_close(&cap);
	write_expect(&cap, dir, "synth_injected_rst",
		     "IPv4, data both ways, then an in-window RST from the server's"
		     " address with TTL 57 (server 50) and IP ID 0xd35f: accepted.",
		     NULL);
}

static void sc_rst_out_of_window(const char *dir)
{
	struct cap cap;
	struct conv c;
	struct seg g;

	cap_open(&cap, dir, "synth_rst_out_of_window.pcap", DLT_EN10MB);
	conv_init(&c, &cap, C4, 51001, S4, 80, 0x21436587, 0xa0b1c2d3);
	handshake(&c);
	exchange(&c, 210, 1800);
	wait_us(&cap, 1000);
	/* RST from the server's address, sequence number 0x20000000 past the
	 * client's window (64256 bytes): must be ignored. */
	seg_init(&g);
	g.seq = c.s[1].snd_nxt + 0x20000000u;
	g.ack = c.s[1].rcv_nxt;
	g.flags = F_RST | F_ACK;
	g.win = 0;
	g.no_opts = 1;
	emit(&c, 1, &g);
	wait_us(&cap, 1000);
	exchange(&c, 180, 600);            /* the connection lives on */
	wait_us(&cap, 1000);
	close_graceful(&c, 0);
	conv_expect(&c, "handshake", "graceful", "client", "-", "-",
		    "TIME_WAIT", "CLOSED");
	cap_close(&cap);
	write_expect(&cap, dir, "synth_rst_out_of_window",
		     "an RST 0x20000000 beyond the client's window is ignored;"
		     " the connection goes on and closes gracefully.", NULL);
}

static void sc_midstream(const char *dir)
{
	struct cap cap;
	struct conv c;

	cap_open(&cap, dir, "synth_midstream.pcap", DLT_EN10MB);
	conv_init(&c, &cap, C4, 51514, S4, 443, 0x3c4d5e6f, 0x7f8e9dac);
	c.s[0].snd_nxt += 48213;           /* well into the stream */
	c.s[1].snd_nxt += 1203377;
	midstream(&c);
	/* the capture starts with the server's data */
	tx(&c, 1, F_ACK, 1200);
	tx(&c, 1, F_PA, 731);
	wait_us(&cap, 300);
	tx(&c, 0, F_ACK, 0);
	wait_us(&cap, 5000);
	exchange(&c, 402, 3000);
	wait_us(&cap, 4000);
	close_graceful(&c, 1);             /* the server closes first */
	conv_expect(&c, "midstream", "graceful", "server", "-", "-", "CLOSED",
		    "TIME_WAIT");
	cap_close(&cap);
	write_expect(&cap, dir, "synth_midstream",
		     "no SYN: starts with server (443) data to the client (51514),"
		     " then the server closes gracefully.", NULL);
}

static void sc_final_ack_missing(const char *dir)
{
	struct cap cap;
	struct conv c;

	cap_open(&cap, dir, "synth_final_ack_missing.pcap", DLT_EN10MB);
	conv_init(&c, &cap, C4, 51002, S4, 8080, 0x0badcafe, 0x600dbeef);
	handshake(&c);
	exchange(&c, 99, 512);
	wait_us(&cap, 1000);
	tx(&c, 0, F_FA, 0);
	wait_us(&cap, 300);
	tx(&c, 1, F_ACK, 0);
	wait_us(&cap, 500);
	tx(&c, 1, F_FA, 0);
	/* the client's final ACK was sent but is not in the capture */
	conv_expect(&c, "handshake", "graceful", "client", "-", "-",
		    "TIME_WAIT", "LAST_ACK");
	cap_close(&cap);
	write_expect(&cap, dir, "synth_final_ack_missing",
		     "client FIN, server ACK, server FIN; the ACK of the server's"
		     " FIN is missing from the capture.", NULL);
}

static void sc_truncated_file(const char *dir)
{
	struct cap cap;
	struct conv a, b, c;
	long cut;

	cap_open(&cap, dir, "synth_truncated_file.pcap", DLT_EN10MB);
	conv_init(&a, &cap, C4, 51010, S4, 80, 0x11111111, 0x22222222);
	conv_init(&b, &cap, C4, 51011, S4, 80, 0x33333333, 0x44444444);
	conv_init(&c, &cap, C4, 51012, S4, 80, 0x55555555, 0x66666666);
	handshake(&a);
	exchange(&a, 120, 1500);
	close_graceful(&a, 0);
	wait_us(&cap, 1000);
	handshake(&b);
	exchange(&b, 140, 0);              /* request, no answer ... */
	abort_rst(&b, 1);                  /* ... server aborts */
	wait_us(&cap, 1000);
	handshake(&c);
	exchange(&c, 160, 2400);
	wait_us(&cap, 500);
	tx(&c, 0, F_PA, 300);
	wait_us(&cap, 900);
	/* the last record: cut 20 bytes into its data, so it is not part of
	 * what tcpclose can read */
	cap.counting = 0;
	if (pcap_dump_flush(cap.d) != 0)
		die("%s: write error", cap.path);
	cut = pcap_dump_ftell(cap.d);
	tx(&c, 1, F_PA, 1000);
	conv_expect(&a, "handshake", "graceful", "client", "-", "-",
		    "TIME_WAIT", "CLOSED");
	conv_expect(&b, "handshake", "reset", "-", "server", "established",
		    "CLOSED", "CLOSED");
	conv_expect(&c, "handshake", "open", "-", "-", "-", "ESTABLISHED",
		    "ESTABLISHED");
	cap_close(&cap);
	if (cut < 24 || truncate(cap.path, (off_t)cut + 16 + 20) != 0)
		die("%s: truncate: %s", cap.path, strerror(errno));
	write_expect(&cap, dir, "synth_truncated_file",
		     "three connections; the file ends 20 bytes into the data of"
		     " the last packet record.", "truncated");
}

/* A graceful connection and an aborted one, for the link-type captures. */
static void two_conns(struct cap *cap, struct conv *g, struct conv *r)
{
	handshake(g);
	exchange(g, 75, 330);
	wait_us(cap, 500);
	close_graceful(g, 0);
	wait_us(cap, 1000);
	handshake(r);
	exchange(r, 64, 0);
	abort_rst(r, 1);
	conv_expect(g, "handshake", "graceful", "client", "-", "-",
		    "TIME_WAIT", "CLOSED");
	conv_expect(r, "handshake", "reset", "-", "server", "established",
		    "CLOSED", "CLOSED");
}

/*
 * One graceful IPv4 connection from client port `port` and one reset IPv6
 * one from the next, their ISNs from `isn` on; on link type `dlt`, in
 * tunnel `encap` (ENC_NONE: none), the IPv6 one in the next tunnel id
 * where the kind has one.
 */
static void conn_pair(const char *dir, const char *name, int dlt, int encap, uint32_t id,
		      uint16_t port, uint32_t isn, const char *what)
{
	struct cap cap;
	struct conv g, r;
	char file[128];

	snprintf(file, sizeof(file), "%s.pcap", name);
	cap_open(&cap, dir, file, dlt);
	conv_init(&g, &cap, C4, port, S4, 80, isn, isn + 0x04040404u);
	conv_init(&r, &cap, C6, (uint16_t)(port + 1), S6, 80, isn + 0x10101010u,
		  isn + 0x14141414u);
	g.encap = r.encap = encap;
	g.encap_id = id;
	r.encap_id = id + 1;
	two_conns(&cap, &g, &r);
	cap_close(&cap);
	write_expect(&cap, dir, name, what, NULL);
}

/* The same on a link type this machine cannot record (no serial line,
 * FDDI ring, monitor-mode radio or pf here). */
static void link_pair(const char *dir, const char *name, int dlt, uint16_t port,
		      const char *what)
{
	conn_pair(dir, name, dlt, ENC_NONE, 0, port, 0x61626364, what);
}

static void sc_ppp_serial(const char *dir)
{
	link_pair(dir, "synth_ppp_serial", DLT_PPP_SERIAL, 52120,
		  "PPP in HDLC-like framing (DLT_PPP_SERIAL): IPv4 graceful, IPv6 reset.");
}

static void sc_fddi(const char *dir)
{
	link_pair(dir, "synth_fddi", DLT_FDDI, 52130,
		  "FDDI with 802.2 LLC/SNAP: IPv4 graceful, IPv6 reset.");
}

static void sc_wlan_radiotap(const char *dir)
{
	link_pair(dir, "synth_wlan_radiotap", DLT_IEEE802_11_RADIO, 52140,
		  "802.11 QoS data frames behind radiotap (a monitor-mode capture of an"
		  " open network): IPv4 graceful, IPv6 reset.");
}

static void sc_pflog(const char *dir)
{
	link_pair(dir, "synth_pflog", DLT_PFLOG, 52150,
		  "pf's log (DLT_PFLOG, FreeBSD's 61-byte header): IPv4 graceful, IPv6 reset.");
}

static void sc_vlan(const char *dir)
{
	struct cap cap;
	struct conv g, r;
	cap_open(&cap, dir, "synth_vlan.pcap", DLT_EN10MB);
	conv_init(&g, &cap, C4, 52000, S4, 80, 0x01020304, 0x05060708);
	conv_init(&r, &cap, C6, 52001, S6, 80, 0x090a0b0c, 0x0d0e0f10);
	g.nvlan = r.nvlan = 1;
	g.vlan_tpid[0] = r.vlan_tpid[0] = 0x8100;
	g.vlan_tci[0] = 100;
	r.vlan_tci[0] = 0x2000 | 200;      /* PCP 1, VID 200 */
	two_conns(&cap, &g, &r);
	cap_close(&cap);
	write_expect(&cap, dir, "synth_vlan",
		     "Ethernet 802.1Q: IPv4 graceful on VLAN 100, IPv6 reset on"
		     " VLAN 200.", NULL);
}

static void sc_qinq(const char *dir)
{
	struct cap cap;
	struct conv g, r;
	cap_open(&cap, dir, "synth_qinq.pcap", DLT_EN10MB);
	conv_init(&g, &cap, C4, 52010, S4, 80, 0x11223344, 0x55667788);
	conv_init(&r, &cap, C4, 52011, S4, 80, 0x99aabbcc, 0xddeeff00);
	struct conv *both[2] = {&g, &r};
	for (int i = 0; i < 2; i++) {
		both[i]->nvlan = 2;
		both[i]->vlan_tpid[0] = 0x88a8;   /* S-tag, VLAN 300 */
		both[i]->vlan_tci[0] = 300;
		both[i]->vlan_tpid[1] = 0x8100;   /* C-tag */
	}
	g.vlan_tci[1] = 100;
	r.vlan_tci[1] = 101;
	two_conns(&cap, &g, &r);
	cap_close(&cap);
	write_expect(&cap, dir, "synth_qinq",
		     "Ethernet 802.1ad S-tag 300 + 802.1Q C-tag 100/101: IPv4"
		     " graceful and IPv4 reset.", NULL);
}

static void sc_sll(const char *dir)
{
	struct cap cap;
	struct conv g, r;
	cap_open(&cap, dir, "synth_sll.pcap", DLT_LINUX_SLL);
	conv_init(&g, &cap, C4, 52020, S4, 80, 0x0a0b0c0d, 0x1a1b1c1d);
	conv_init(&r, &cap, C6, 52021, S6, 80, 0x2a2b2c2d, 0x3a3b3c3d);
	two_conns(&cap, &g, &r);
	cap_close(&cap);
	write_expect(&cap, dir, "synth_sll",
		     "Linux cooked v1 (tcpdump -i any): IPv4 graceful, IPv6 reset.",
		     NULL);
}

static void sc_sll2(const char *dir)
{
	struct cap cap;
	struct conv g, r;
	cap_open(&cap, dir, "synth_sll2.pcap", DLT_LINUX_SLL2);
	conv_init(&g, &cap, C6, 52030, S6, 80, 0x4a4b4c4d, 0x5a5b5c5d);
	conv_init(&r, &cap, C4, 52031, S4, 80, 0x6a6b6c6d, 0x7a7b7c7d);
	r.ifindex = 3;
	handshake(&g);
	exchange(&g, 75, 330);
	wait_us(&cap, 500);
	close_graceful(&g, 0);
	wait_us(&cap, 1000);
	/* the client closes, the server answers its FIN with an RST */
	handshake(&r);
	exchange(&r, 64, 128);
	wait_us(&cap, 500);
	tx(&r, 0, F_FA, 0);
	wait_us(&cap, 300);
	abort_rst(&r, 1);
	conv_expect(&g, "handshake", "graceful", "client", "-", "-",
		    "TIME_WAIT", "CLOSED");
	conv_expect(&r, "handshake", "reset", "client", "server", "closing",
		    "CLOSED", "CLOSED");
	cap_close(&cap);
	write_expect(&cap, dir, "synth_sll2",
		     "Linux cooked v2: IPv6 graceful on ifindex 2; IPv4 on"
		     " ifindex 3 where the server answers the client's FIN with"
		     " an RST.", NULL);
}

/* Interleave the segments of two connections: a v4 and a v6 one. */
static void sc_raw(const char *dir)
{
	struct cap cap;
	struct conv g, h, r;
	cap_open(&cap, dir, "synth_raw.pcap", DLT_RAW);
	conv_init(&g, &cap, C4, 52040, S4, 80, 0x8a8b8c8d, 0x9a9b9c9d);
	conv_init(&h, &cap, C6, 52041, S6, 80, 0xaaabacad, 0xbabbbcbd);
	conv_init(&r, &cap, C6, 52042, S6, 80, 0xcacbcccd, 0xdadbdcdd);
	handshake(&g);
	handshake(&h);
	exchange(&g, 100, 200);
	exchange(&h, 100, 1300);
	handshake(&r);
	tx(&g, 0, F_FA, 0);
	tx(&h, 0, F_FA, 0);
	tx(&g, 1, F_ACK, 0);
	tx(&r, 0, F_PA, 50);
	tx(&h, 1, F_ACK, 0);
	tx(&g, 1, F_FA, 0);
	tx(&r, 1, F_ACK, 0);
	tx(&h, 1, F_FA, 0);
	tx(&g, 0, F_ACK, 0);
	tx(&h, 0, F_ACK, 0);
	abort_rst(&r, 0);                  /* the client aborts */
	conv_expect(&g, "handshake", "graceful", "client", "-", "-",
		    "TIME_WAIT", "CLOSED");
	conv_expect(&h, "handshake", "graceful", "client", "-", "-",
		    "TIME_WAIT", "CLOSED");
	conv_expect(&r, "handshake", "reset", "-", "client", "established",
		    "CLOSED", "CLOSED");
	cap_close(&cap);
	write_expect(&cap, dir, "synth_raw",
		     "raw IP, IPv4 and IPv6 packets interleaved: two graceful,"
		     " one reset by the client.", NULL);
}

static void sc_null(const char *dir)
{
	struct cap cap;
	struct conv g, h, r;
	cap_open(&cap, dir, "synth_null.pcap", DLT_NULL);
	conv_init(&g, &cap, "127.0.0.1", 52050, "127.0.0.1", 8080, 0xe0e1e2e3,
		  0xf0f1f2f3);
	conv_init(&h, &cap, "::1", 52051, "::1", 8080, 0x01234567, 0x89abcdef);
	conv_init(&r, &cap, "127.0.0.1", 52052, "127.0.0.1", 8080, 0x76543210,
		  0xfedcba98);
	g.s[0].mss = g.s[1].mss = r.s[0].mss = r.s[1].mss = 16344;
	h.s[0].mss = h.s[1].mss = 16324;
	handshake(&g);
	exchange(&g, 75, 330);
	close_graceful(&g, 1);
	wait_us(&cap, 1000);
	handshake(&h);
	exchange(&h, 75, 330);
	close_graceful(&h, 0);
	wait_us(&cap, 1000);
	handshake(&r);
	exchange(&r, 64, 0);
	abort_rst(&r, 1);
	conv_expect(&r, "handshake", "reset", "-", "server", "established",
		    "CLOSED", "CLOSED");
	conv_expect(&g, "handshake", "graceful", "server", "-", "-", "CLOSED",
		    "TIME_WAIT");
	conv_expect(&h, "handshake", "graceful", "client", "-", "-",
		    "TIME_WAIT", "CLOSED");
	cap_close(&cap);
	write_expect(&cap, dir, "synth_null",
		     "DLT_NULL (BSD/macOS loopback), AF 2 and AF 30 in host byte"
		     " order: IPv4 and IPv6 graceful, IPv4 reset.", NULL);
}

static void sc_ipv6_ext(const char *dir)
{
	struct cap cap;
	struct conv g, r;
	cap_open(&cap, dir, "synth_ipv6_ext.pcap", DLT_EN10MB);
	conv_init(&g, &cap, C6, 52060, S6, 443, 0x13579bdf, 0x2468ace0);
	conv_init(&r, &cap, C6, 52061, S6, 443, 0x0f1e2d3c, 0x4b5a6978);
	g.v6ext = r.v6ext = 1;
	two_conns(&cap, &g, &r);
	cap_close(&cap);
	write_expect(&cap, dir, "synth_ipv6_ext",
		     "Ethernet, IPv6 with hop-by-hop (8 B) and destination options"
		     " (16 B) before TCP: graceful and reset.", NULL);
}

static void sc_ipv4_options(const char *dir)
{
	/* record route, 2 slots, one filled (11 B) + EOL: IHL 8 */
	static const uint8_t rr[12] = {7, 11, 8, 198, 51, 100, 1, 0, 0, 0, 0, 0};
	/* router alert: IHL 6 */
	static const uint8_t ra[4] = {0x94, 4, 0, 0};
	/* timestamp option filling all 40 bytes: IHL 15 */
	static const uint8_t tso[40] = {68, 40, 5, 0};
	struct cap cap;
	struct conv g, r, m;
	cap_open(&cap, dir, "synth_ipv4_options.pcap", DLT_EN10MB);
	conv_init(&g, &cap, C4, 52070, S4, 80, 0x31415926, 0x27182818);
	conv_init(&r, &cap, C4, 52071, S4, 80, 0x16180339, 0x14142135);
	conv_init(&m, &cap, C4, 52072, S4, 80, 0x17320508, 0x22360679);
	g.ip4opt = rr;
	g.ip4opt_len = sizeof(rr);
	r.ip4opt = ra;
	r.ip4opt_len = sizeof(ra);
	m.ip4opt = tso;
	m.ip4opt_len = sizeof(tso);
	two_conns(&cap, &g, &r);
	wait_us(&cap, 1000);
	handshake(&m);
	exchange(&m, 33, 1100);
	close_graceful(&m, 1);
	conv_expect(&m, "handshake", "graceful", "server", "-", "-", "CLOSED",
		    "TIME_WAIT");
	cap_close(&cap);
	write_expect(&cap, dir, "synth_ipv4_options",
		     "IPv4 with options: record route (IHL 8) graceful, router"
		     " alert (IHL 6) reset, timestamp (IHL 15) graceful.", NULL);
}

static void sc_simultaneous_close(const char *dir)
{
	struct cap cap;
	struct conv c;
	cap_open(&cap, dir, "synth_simultaneous_close.pcap", DLT_EN10MB);
	conv_init(&c, &cap, C4, 52080, S4, 7000, 0x5eed1234, 0x5eed5678);
	handshake(&c);
	exchange(&c, 64, 64);
	wait_us(&cap, 2000);
	/* both FINs are on the wire before either is received */
	hold(&c, 0);
	hold(&c, 1);
	tx(&c, 0, F_FA, 0);
	wait_us(&cap, 20);
	tx(&c, 1, F_FA, 0);
	release(&c, 0);
	release(&c, 1);
	wait_us(&cap, 300);
	tx(&c, 0, F_ACK, 0);
	wait_us(&cap, 20);
	tx(&c, 1, F_ACK, 0);
	conv_expect(&c, "handshake", "graceful", "both", "-", "-", "TIME_WAIT",
		    "TIME_WAIT");
	cap_close(&cap);
	write_expect(&cap, dir, "synth_simultaneous_close",
		     "FIN from each side before either is acknowledged (the"
		     " server's FIN acks only the client's data), then an ACK"
		     " of each FIN.", NULL);
}

static void sc_fin_retransmit(const char *dir)
{
	struct cap cap;
	struct conv c;
	struct seg g;
	cap_open(&cap, dir, "synth_fin_retransmit.pcap", DLT_EN10MB);
	conv_init(&c, &cap, C4, 52090, S4, 80, 0x0f1f2f3f, 0x4f5f6f7f);
	handshake(&c);
	exchange(&c, 88, 700);
	wait_us(&cap, 1000);
	tx(&c, 0, F_FA, 0);
	wait_us(&cap, 204000);             /* RTO: the FIN was lost */
	seg_init(&g);
	g.seq = c.s[0].snd_nxt - 1;        /* same sequence number */
	g.ack = c.s[0].rcv_nxt;
	g.flags = F_FA;
	g.win = c.s[0].win;
	emit(&c, 0, &g);
	wait_us(&cap, 300);
	tx(&c, 1, F_ACK, 0);
	wait_us(&cap, 500);
	tx(&c, 1, F_FA, 0);
	wait_us(&cap, 300);
	tx(&c, 0, F_ACK, 0);
	conv_expect(&c, "handshake", "graceful", "client", "-", "-",
		    "TIME_WAIT", "CLOSED");
	cap_close(&cap);
	write_expect(&cap, dir, "synth_fin_retransmit",
		     "the client's FIN is retransmitted (same sequence number)"
		     " before the server acknowledges it; one close.", NULL);
}

/* ------------------------------------------------------------------ */
/* pcapng with two interfaces: two pcaps merged by mergecap            */

static int find_in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[4096];
	if (!path || !*path)
		path = "/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");
		if (n > 0 && n + strlen(prog) + 2 < sizeof(buf)) {
			memcpy(buf, path, n);
			buf[n] = '/';
			strcpy(buf + n + 1, prog);
			if (access(buf, X_OK) == 0)
				return 1;
		}
		path += n;
		if (*path == ':')
			path++;
	}
	return 0;
}

static int run(char *const argv[])
{
	pid_t pid = fork();
	int st;
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * mergecap's section header carries the build machine's OS (kernel release)
 * and mergecap's version: replace it with a fixed one so the file does not
 * depend on where it was made. Same byte order, no section length, one
 * shb_userappl option.
 */
static void pcapng_fixed_shb(const char *path)
{
	static const char app[] = "tc-synth (tools/synth.c), merged by mergecap";
	uint8_t *d, shb[128];
	long n = 0;
	size_t alen = sizeof(app) - 1, apad = (alen + 3) & ~(size_t)3, len;
	uint32_t old, magic;
	FILE *f = fopen(path, "rb");

	if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 28 ||
	    fseek(f, 0, SEEK_SET) != 0)
		die("%s: cannot read back", path);
	d = malloc((size_t)n);
	if (!d || fread(d, 1, (size_t)n, f) != (size_t)n)
		die("%s: cannot read back", path);
	fclose(f);
	memcpy(&magic, d + 8, 4);
	if (memcmp(d, "\x0a\x0d\x0d\x0a", 4) != 0 || magic != 0x1a2b3c4du)
		die("%s: not a host-order pcapng section", path);
	memcpy(&old, d + 4, 4);
	if (old < 28 || old > (uint32_t)n || old % 4)
		die("%s: bad section header length", path);

	len = 28 + 4 + apad + 4;
	memset(shb, 0, sizeof(shb));
	uint32_t v32 = 0x0a0d0d0a, blen = (uint32_t)len;
	uint16_t v16;
	memcpy(shb, &v32, 4);
	memcpy(shb + 4, &blen, 4);
	memcpy(shb + 8, &magic, 4);
	v16 = 1; memcpy(shb + 12, &v16, 2);             /* major */
	v16 = 0; memcpy(shb + 14, &v16, 2);             /* minor */
	memset(shb + 16, 0xff, 8);                      /* section length -1 */
	v16 = 4; memcpy(shb + 24, &v16, 2);             /* shb_userappl */
	v16 = (uint16_t)alen; memcpy(shb + 26, &v16, 2);
	memcpy(shb + 28, app, alen);
	/* opt_endofopt is the 4 zero bytes after the padded string */
	memcpy(shb + len - 4, &blen, 4);

	f = fopen(path, "wb");
	if (!f || fwrite(shb, 1, len, f) != len ||
	    fwrite(d + old, 1, (size_t)n - old, f) != (size_t)n - old ||
	    fclose(f) != 0)
		die("%s: write error", path);
	free(d);
}

/* No such option in the ISB. */
#define ISB_NONE UINT64_MAX

/*
 * Append an Interface Statistics Block (pcapng, host byte order, as the
 * section) for interface ifid at ts_ns: isb_ifrecv, isb_ifdrop and
 * isb_osdrop, each left out when ISB_NONE. dumpcap writes one per
 * interface when a capture ends.
 */
static void pcapng_append_isb(const char *path, uint32_t ifid, int64_t ts_ns, uint64_t ifrecv,
			      uint64_t ifdrop, uint64_t osdrop)
{
	uint8_t b[96];
	size_t n = 0;
	uint32_t v32;
	uint64_t ts = (uint64_t)ts_ns; /* if_tsresol 9: nanoseconds */
	const uint64_t val[3] = {ifrecv, ifdrop, osdrop};
	const uint16_t code[3] = {4, 5, 7}; /* isb_ifrecv, isb_ifdrop, isb_osdrop */
	FILE *f;
	int i;

#define PUT32(x) (v32 = (uint32_t)(x), memcpy(b + n, &v32, 4), n += 4)
	PUT32(5);   /* block type ISB */
	PUT32(0);   /* total length, below */
	PUT32(ifid);
	PUT32(ts >> 32);
	PUT32(ts & 0xffffffffu);
	for (i = 0; i < 3; i++) {
		uint16_t h[2] = {code[i], 8};
		if (val[i] == ISB_NONE)
			continue;
		memcpy(b + n, h, 4);
		n += 4;
		memcpy(b + n, &val[i], 8);
		n += 8;
	}
	PUT32(0);   /* opt_endofopt */
	PUT32(n + 4);
	v32 = (uint32_t)n;
	memcpy(b + 4, &v32, 4);
#undef PUT32
	if (!(f = fopen(path, "ab")) || fwrite(b, 1, n, f) != n || fclose(f) != 0)
		die("%s: write error", path);
}

static void pcapng_two_if(const char *dir, const char *name, int dlt2, uint32_t snap2, int isb,
			  const char *what)
{
	struct cap e, s;
	struct conv a, b;
	char tmpl[] = "/tmp/tc-synth.XXXXXX", out[4096];
	int64_t clock = T0_SEC * NSEC;

	if (!find_in_path("mergecap")) {
		fprintf(stderr, "tc-synth: warning: mergecap not found "
			"(wireshark-common): %s skipped\n", name);
		return;
	}
	if (!mkdtemp(tmpl))
		die("mkdtemp: %s", strerror(errno));
	cap_open(&e, tmpl, "if0.pcap", DLT_EN10MB);
	cap_open_snap(&s, tmpl, "if1.pcap", dlt2, snap2);
	e.clock = s.clock = &clock;        /* one clock: a total order */
	conv_init(&a, &e, C4, 52100, S4, 80, 0x1234abcd, 0x5678ef01);
	conv_init(&b, &s, C6, 52101, S6, 443, 0x2345bcde, 0x6789f012);
	tx(&a, 0, F_SYN, 0);
	tx(&b, 0, F_SYN, 0);
	tx(&a, 1, F_SYN | F_ACK, 0);
	tx(&b, 1, F_SYN | F_ACK, 0);
	a.s[0].scaled = a.s[1].scaled = b.s[0].scaled = b.s[1].scaled = 1;
	tx(&a, 0, F_ACK, 0);
	tx(&b, 0, F_ACK, 0);
	exchange(&a, 90, 400);
	exchange(&b, 300, 1500);
	close_graceful(&a, 0);
	tx(&b, 0, F_PA, 40);
	abort_rst(&b, 1);
	conv_expect(&a, "handshake", "graceful", "client", "-", "-",
		    "TIME_WAIT", "CLOSED");
	conv_expect(&b, "handshake", "reset", "-", "server", "established",
		    "CLOSED", "CLOSED");
	cap_close(&e);
	cap_close(&s);
	if ((size_t)snprintf(out, sizeof(out), "%s/%s.pcapng", dir, name) >=
	    sizeof(out))
		die("path too long");
	char *argv[] = {"mergecap", "-F", "pcapng", "-w", out, e.path, s.path,
			NULL};
	int rc = run(argv);
	unlink(e.path);
	unlink(s.path);
	rmdir(tmpl);
	if (rc != 0)
		die("mergecap failed (exit %d)", rc);
	pcapng_fixed_shb(out);
	if (isb) {
		/* The capture's own counters at its end: interface 0 lost 5
		 * frames in its buffer (isb_ifdrop, where dumpcap writes
		 * pcap_stats' ps_drop), interface 1 lost 2 in the OS. */
		pcapng_append_isb(out, 0, clock, e.frames + 5, 5, ISB_NONE);
		pcapng_append_isb(out, 1, clock, s.frames + 2, 0, 2);
	}

	/* one expect over both: ids follow the merged (time) order */
	struct cap all;
	memset(&all, 0, sizeof(all));
	snprintf(all.path, sizeof(all.path), "%s", out);
	all.convs[all.nconvs++] = &a;
	all.convs[all.nconvs++] = &b;
	a.id = 1;
	b.id = 2;
	all.next_id = 2;
	all.frames = e.frames + s.frames;
	if (dlt2 == DLT_EN10MB) {
		write_expect(&all, dir, name, what, NULL);
		return;
	}
	/* libpcap stops at the second interface's description, before the
	 * first packet: tcpclose must say why, and report nothing invented. */
	snprintf(out, sizeof(out), "%s/%s.expect", dir, name);
	FILE *f = fopen(out, "w");
	if (!f)
		die("%s: %s", out, strerror(errno));
	fprintf(f, "# %s: written by tools/synth.c (tc-synth), do not edit.\n"
		"# %s\n"
		"# libpcap reads one link type per file and refuses this one at its\n"
		"# second interface; tcpclose must say so, not guess.\n"
		"summary connections=0 packets=0 error=only one link type per file\n",
		name, what);
	if (fclose(f) != 0)
		die("%s: write error", out);
}

/* Different link types per interface: valid pcapng, read by Wireshark;
 * libpcap's API (one pcap_datalink() per file) refuses it. */
static void sc_pcapng_two_if(const char *dir)
{
	pcapng_two_if(dir, "synth_pcapng_two_if", DLT_LINUX_SLL, 262144, 0,
		      "pcapng, interface 0 Ethernet (IPv4 graceful), interface 1"
		      " Linux cooked v1 (IPv6 reset), packets interleaved.");
}

/* The same with both interfaces Ethernet: what libpcap can read. */
static void sc_pcapng_two_if_same_link(const char *dir)
{
	pcapng_two_if(dir, "synth_pcapng_two_if_same_link", DLT_EN10MB, 262144, 0,
		      "pcapng, interfaces 0 and 1 both Ethernet (IPv4 graceful"
		      " on 0, IPv6 reset on 1), packets interleaved.");
}


/* What dumpcap writes capturing on two interfaces: link types and
 * snapshot lengths that differ, and an interface statistics block per
 * interface at the end, with drop counts. */
static void sc_pcapng_two_if_snaplen(const char *dir)
{
	pcapng_two_if(dir, "synth_pcapng_two_if_snaplen", DLT_LINUX_SLL2, 128, 1,
		      "pcapng, interface 0 Ethernet snaplen 262144 (IPv4 graceful), interface 1"
		      " Linux cooked v2 snaplen 128 (IPv6 reset, frames cut at 128 bytes),"
		      " packets interleaved; ISBs at the end: ifrecv 16, ifdrop 5 on 0;"
		      " ifrecv 12, ifdrop 0, osdrop 2 on 1.");
}

/* ------------------------------------------------------------------ */

struct scenario {
	const char *name;
	void (*fn)(const char *dir);
	const char *what;
};

/* The kernel's answer for a segment that matches no socket: no options,
 * window 0, IP ID 0, DF (tcp_v4_send_reset). */
static void stateless_rst(struct conv *c, int from, uint32_t seq)
{
	struct seg g;
	seg_init(&g);
	g.seq = seq;
	g.flags = F_RST;
	g.win = 0;
	g.no_opts = 1;
	g.ipid = 0;
	g.df = 1;
	emit(c, from, &g);
}

/* The keep-alive race behind a load balancer: the server closes an idle
 * keep-alive connection; the client's next request is already on its way
 * (it does not acknowledge the FIN); the server, whose socket is gone,
 * answers it with RST. Real sockets on one machine cannot make the two
 * cross reliably; this is the textbook shape. */
static void sc_keepalive_race(const char *dir)
{
	struct cap cap;
	struct conv c;

	cap_open(&cap, dir, "synth_keepalive_race.pcap", DLT_EN10MB);
	conv_init(&c, &cap, C4, 52200, S4, 80, 0x3a1b2c3d, 0x4e5f6071);
	handshake(&c);
	exchange(&c, 210, 1800);
	wait_us(&cap, 5000000);        /* the server's keep-alive timeout: 5 s */
	hold(&c, 1);                   /* its FIN and the request cross */
	tx(&c, 1, F_FA, 0);
	wait_us(&cap, 100);
	tx(&c, 0, F_PA, 230);          /* acknowledges the data, not the FIN */
	wait_us(&cap, 200);
	release(&c, 1);
	stateless_rst(&c, 1, c.s[0].rcv_nxt - 1);
	conv_expect(&c, "handshake", "reset", "server", "server", "closing",
		    "CLOSED", "CLOSED");
	c.cause = "data_after_close";
	c.race = 1;
	cap_close(&cap);
	write_expect(&cap, dir, "synth_keepalive_race",
		     "server closes an idle keep-alive connection (FIN) as the"
		     " client's next request crosses it; the server answers the"
		     " request with RST.", NULL);
}

/* 350 s of silence (the AWS Network Load Balancer's idle timeout), then
 * the client speaks. Connection 1: the load balancer answers with an RST
 * forged in the server's name (its own TTL and IP ID, no timestamps).
 * Connection 2: the server's host, whose state expired, answers with a
 * stateless RST of its own. Nobody waits 350 s to record a test. */
static void sc_lb_idle_timeout(const char *dir)
{
	struct cap cap;
	struct conv a, b;
	struct seg g;

	cap_open(&cap, dir, "synth_lb_idle_timeout.pcap", DLT_EN10MB);
	conv_init(&a, &cap, C4, 52300, S4, 443, 0x11223344, 0x55667788);
	a.s[1].ttl = 50;
	handshake(&a);
	exchange(&a, 300, 2000);
	wait_us(&cap, 350000000);
	tx(&a, 0, F_PA, 120);
	wait_us(&cap, 150);
	seg_init(&g);
	g.seq = a.s[1].snd_nxt;
	g.flags = F_RST;
	g.win = 0;
	g.no_opts = 1;
	g.ttl = 62;                    /* the balancer is 2 hops away */
	g.ipid = 0x4a21;
	g.df = 0;
	emit(&a, 1, &g);
	conv_expect(&a, "handshake", "reset", "-", "server", "established",
		    "CLOSED", "CLOSED");
	a.cause = "injected";
	a.idle_match = 350;

	conv_init(&b, &cap, C4, 52301, S4, 443, 0x99aabbcc, 0xddeeff00);
	b.s[1].ttl = 50;
	handshake(&b);
	exchange(&b, 300, 2000);
	wait_us(&cap, 351000000);
	tx(&b, 0, F_PA, 120);
	wait_us(&cap, 150);
	b.s[1].ttl = 50;
	stateless_rst(&b, 1, b.s[1].snd_nxt);
	conv_expect(&b, "handshake", "reset", "-", "server", "established",
		    "CLOSED", "CLOSED");
	b.cause = "no_connection";
	b.idle_match = 350;
	cap_close(&cap);
	write_expect(&cap, dir, "synth_lb_idle_timeout",
		     "two connections idle 350 s: the first reset by a load"
		     " balancer in the server's name, the second by the server's"
		     " host that forgot it.", NULL);
}

/* The client gives up during the handshake: its socket is gone when the
 * SYN+ACK arrives (connect() timed out, or close() on a non-blocking
 * connect), so its kernel answers the SYN+ACK with RST. The timing is the
 * application's, not reproducible on demand here. */
static void sc_handshake_abort(const char *dir)
{
	struct cap cap;
	struct conv c;

	cap_open(&cap, dir, "synth_handshake_abort.pcap", DLT_EN10MB);
	conv_init(&c, &cap, C4, 52400, S4, 5432, 0x0badcafe, 0x0ddba11);
	tx(&c, 0, F_SYN, 0);
	wait_us(&cap, 900000);          /* a slow SYN+ACK */
	tx(&c, 1, F_SYN | F_ACK, 0);
	wait_us(&cap, 100);
	stateless_rst(&c, 0, c.s[0].snd_nxt);
	conv_expect(&c, "handshake", "reset", "-", "client", "handshake",
		    "CLOSED", "CLOSED");
	c.cause = "handshake_abort";
	cap_close(&cap);
	write_expect(&cap, dir, "synth_handshake_abort",
		     "SYN, a SYN+ACK 0.9 s later, and the client's kernel answers"
		     " it with RST: the client had given up.", NULL);
}


/* An RST whose 4-tuple has no history in the capture: the capture began
 * after the connection's start and its quiet end (or the RST answers a
 * segment that was not captured). Nothing on the wire tells why; the
 * diagnosis must say `unknown` plainly. A socket cannot produce a lone RST
 * for a capture: the recorder always captures from before the SYN. */
static void sc_lone_rst(const char *dir)
{
	struct cap cap;
	struct conv c;
	struct seg g;

	cap_open(&cap, dir, "synth_lone_rst.pcap", DLT_EN10MB);
	conv_init(&c, &cap, C4, 52500, S4, 135, 0x6b6c6d6e, 0x7a7b7c7d);
	c.s[1].ttl = 50;
	seg_init(&g);
	g.seq = c.s[1].snd_nxt;
	g.ack = c.s[0].snd_nxt;
	g.flags = F_RST | F_ACK;
	g.win = 0;
	g.no_opts = 1;
	emit(&c, 1, &g);
	conv_expect(&c, "midstream", "reset", "-", "server", "established",
		    "CLOSED", "CLOSED");
	c.cause = "unknown";
	cap_close(&cap);
	write_expect(&cap, dir, "synth_lone_rst",
		     "one RST+ACK from 203.0.113.5:135 to 192.0.2.10:52500, nothing"
		     " else on that 4-tuple: cause unknown.", NULL);
}

/* A kernel's reply RST is not forged. The server (TTL 50, timestamps, IP
 * IDs counting up) restarts between two requests; the client's next
 * request reaches a kernel with no socket for it, which answers as Linux
 * does (tcp_v4_send_reset): RST without ACK, seq = the request's ACK, no
 * options, window 0, an IP ID unrelated to the old socket's -- and the
 * server's exact TTL. Missing timestamps and the foreign IP ID are normal
 * for such an RST; the matching TTL speaks against injection. Recorded
 * captures have one TTL for everything (loopback, one veth hop), so the
 * TTL evidence that makes this a test needs a path of many hops. */
static void sc_kernel_rst(const char *dir)
{
	struct cap cap;
	struct conv c;
	struct seg g;

	cap_open(&cap, dir, "synth_kernel_rst.pcap", DLT_EN10MB);
	conv_init(&c, &cap, C4, 52600, S4, 8080, 0x2c2d2e2f, 0x3c3d3e3f);
	c.s[1].ttl = 50;
	handshake(&c);
	exchange(&c, 300, 1500);
	wait_us(&cap, 20000000);        /* 20 s: the server restarts */
	tx(&c, 0, F_PA, 280);
	wait_us(&cap, 180);
	seg_init(&g);
	g.seq = c.s[0].rcv_nxt;         /* the request's ACK */
	g.flags = F_RST;
	g.win = 0;
	g.no_opts = 1;
	g.ipid = 0x7c19;                /* not the old socket's counter */
	g.df = 1;
	emit(&c, 1, &g);
	conv_expect(&c, "handshake", "reset", "-", "server", "established",
		    "CLOSED", "CLOSED");
	c.cause = "no_connection";
	cap_close(&cap);
	write_expect(&cap, dir, "synth_kernel_rst",
		     "the server's host answers a request with a kernel reply RST"
		     " (no ACK, seq = the request's ACK, no timestamps, foreign IP ID,"
		     " the server's TTL 50): no_connection, not injected.", NULL);
}

/* A stateful middlebox (firewall, NAT) whose state for idle connections
 * expired forges RSTs in the servers' names when the client speaks again.
 * Three servers at different distances (TTL 50, 55, 47 on their data);
 * one earlier connection to the first server closes normally. After
 * 400 s idle the client writes on each of the three open connections and
 * every RST comes from the same box: TTL 61 whatever the server, IP IDs
 * 0x3a10, 0x3a11, 0x3a12 in sequence across RSTs "from" different
 * servers, no timestamps. Needs a middlebox on a routed path. */
static void sc_forged_rsts(const char *dir)
{
	static const char *const srv[3] = {S4, "198.51.100.7", "198.51.100.20"};
	static const uint8_t ttl[3] = {50, 55, 47};
	struct cap cap;
	struct conv early, c[3];
	struct seg g;

	cap_open(&cap, dir, "synth_forged_rsts.pcap", DLT_EN10MB);
	conv_init(&early, &cap, C4, 52700, S4, 443, 0x01020304, 0x05060708);
	early.s[1].ttl = ttl[0];
	handshake(&early);
	exchange(&early, 400, 3000);
	wait_us(&cap, 1000);
	close_graceful(&early, 0);
	conv_expect(&early, "handshake", "graceful", "client", "-", "-",
		    "TIME_WAIT", "CLOSED");
	wait_us(&cap, 5000000);
	for (int i = 0; i < 3; i++) {
		conv_init(&c[i], &cap, C4, (uint16_t)(52701 + i), srv[i], 443,
			  0x10203040u + (uint32_t)i * 0x01000000u,
			  0x50607080u + (uint32_t)i * 0x01000000u);
		c[i].s[1].ttl = ttl[i];
		handshake(&c[i]);
		exchange(&c[i], 350, 2200);
		wait_us(&cap, 40000);
	}
	wait_us(&cap, 400000000);       /* 400 s idle: the box forgets */
	for (int i = 0; i < 3; i++) {
		tx(&c[i], 0, F_PA, 120);
		wait_us(&cap, 90);
		seg_init(&g);
		g.seq = c[i].s[1].snd_nxt;
		g.ack = c[i].s[1].rcv_nxt;
		g.flags = F_RST | F_ACK;
		g.win = 0;
		g.no_opts = 1;
		g.ttl = 61;
		g.ipid = 0x3a10 + i;
		g.df = 0;
		emit(&c[i], 1, &g);
		conv_expect(&c[i], "handshake", "reset", "-", "server",
			    "established", "CLOSED", "CLOSED");
		c[i].cause = "injected";
		wait_us(&cap, 3000);
	}
	cap_close(&cap);
	write_expect(&cap, dir, "synth_forged_rsts",
		     "a middlebox forges RSTs for three idle connections to three"
		     " servers: one TTL (61) unlike each server's, IP IDs in sequence"
		     " across the servers: injected.", NULL);
}

/* A 4-tuple reused 30 s after its connection closed, while the client's
 * side is still in TIME_WAIT (60 s): long after the 5 s linger reported
 * the first record. Synthesized: recording it needs 30 s of wall time
 * per run. */
static void sc_tw_reuse_30s(const char *dir)
{
	struct cap cap;
	struct conv a, b;

	cap_open(&cap, dir, "synth_tw_reuse_30s.pcap", DLT_EN10MB);
	conv_init(&a, &cap, C4, 52500, S4, 8080, 0x10000001, 0x20000002);
	handshake(&a);
	exchange(&a, 90, 400);
	wait_us(&cap, 500);
	close_graceful(&a, 0);
	conv_expect(&a, "handshake", "graceful", "client", "-", "-",
		    "TIME_WAIT", "CLOSED");
	a.tw_reuse = "no";
	wait_us(&cap, 30000000);
	conv_init(&b, &cap, C4, 52500, S4, 8080, 0x30000003, 0x40000004);
	handshake(&b);
	exchange(&b, 90, 400);
	wait_us(&cap, 500);
	close_graceful(&b, 0);
	conv_expect(&b, "handshake", "graceful", "client", "-", "-",
		    "TIME_WAIT", "CLOSED");
	b.tw_reuse = "yes";
	cap_close(&cap);
	write_expect(&cap, dir, "synth_tw_reuse_30s",
		     "a graceful connection, client closing first, and a new one"
		     " on the same 4-tuple 30 s later, inside the client's TIME_WAIT.",
		     NULL);
}

/* The same in a tunnel over Ethernet. */
static void tunnel_pair(const char *dir, const char *name, int encap, uint32_t id,
			const char *what)
{
	conn_pair(dir, name, DLT_EN10MB, encap, id, 52100, 0x21222324, what);
}

static void sc_tunnel_gre_key(const char *dir)
{
	tunnel_pair(dir, "synth_tunnel_gre_key", ENC_GRE, 1234,
		    "GRE with key 1234/1235 and sequence numbers over IPv4: IPv4 graceful, IPv6 reset.");
}

/*
 * A switch's GRE mirror (Ethernet inside, a key that names the direction:
 * 0 for the client's segments, 0x02000000 for the server's) over a
 * 1500-byte path: the server's full-size segments travel in two outer
 * IPv4 fragments, never joined by the capture.
 */
static void sc_tunnel_gre_mirror(const char *dir)
{
	struct cap cap;
	struct conv g;
	int i;

	cap_open(&cap, dir, "synth_tunnel_gre_mirror.pcap", DLT_EN10MB);
	conv_init(&g, &cap, C4, 52110, S4, 80, 0x41424344, 0x45464748);
	g.encap = ENC_GRE_MIRROR;
	g.encap_id = 0;
	handshake(&g);
	tx(&g, 0, F_PA, 120);
	wait_us(&cap, 200);
	tx(&g, 1, F_ACK, 0);
	wait_us(&cap, 800);
	for (i = 0; i < 4; i++)
		tx(&g, 1, i == 3 ? F_PA : F_ACK, 1448);
	wait_us(&cap, 300);
	tx(&g, 0, F_ACK, 0);
	wait_us(&cap, 500);
	close_graceful(&g, 0);
	conv_expect(&g, "handshake", "graceful", "client", "-", "-", "TIME_WAIT", "CLOSED");
	cap_close(&cap);
	write_expect(&cap, dir, "synth_tunnel_gre_mirror",
		     "GRE mirror (key 0 one way, 0x02000000 the other; Ethernet inside) over a"
		     " 1500-byte path: four full-size server segments in two outer IPv4 fragments"
		     " each. One IPv4 graceful connection.",
		     NULL);
}

/* Teredo carries IPv6 only: a graceful and a reset IPv6 connection. */
static void sc_tunnel_teredo(const char *dir)
{
	struct cap cap;
	struct conv g, r;

	cap_open(&cap, dir, "synth_tunnel_teredo.pcap", DLT_EN10MB);
	conv_init(&g, &cap, C6, 52160, S6, 80, 0x81828384, 0x85868788);
	conv_init(&r, &cap, C6, 52161, S6, 443, 0x91929394, 0x95969798);
	g.encap = r.encap = ENC_TEREDO;
	two_conns(&cap, &g, &r);
	cap_close(&cap);
	write_expect(&cap, dir, "synth_tunnel_teredo",
		     "Teredo (IPv6 in UDP, client 10.99.0.1:50000, relay 10.99.0.2:3544, the"
		     " relay's datagrams with an origin indication): IPv6 graceful, IPv6 reset.",
		     NULL);
}

static void sc_tunnel_ayiya(const char *dir)
{
	tunnel_pair(dir, "synth_tunnel_ayiya", ENC_AYIYA, 0,
		    "AYIYA (UDP 5072, forward, 16-byte identity, SHA-1-sized signature):"
		    " IPv4 graceful, IPv6 reset.");
}

static void sc_tunnel_l2tp(const char *dir)
{
	tunnel_pair(dir, "synth_tunnel_l2tp", ENC_L2TP, 9,
		    "L2TPv2 (UDP 1701) data messages carrying framed PPP, a tunnel id per end"
		    " (9/265, then 10/266): IPv4 graceful, IPv6 reset.");
}

static void sc_tunnel_erspan2(const char *dir)
{
	tunnel_pair(dir, "synth_tunnel_erspan2", ENC_ERSPAN2, 100,
		    "ERSPAN type II (GRE 0x88BE) sessions 100/101: IPv4 graceful, IPv6 reset.");
}

static void sc_tunnel_erspan3(const char *dir)
{
	tunnel_pair(dir, "synth_tunnel_erspan3", ENC_ERSPAN3, 200,
		    "ERSPAN type III (GRE 0x22EB) sessions 200/201: IPv4 graceful, IPv6 reset.");
}

static void sc_tunnel_geneve(const char *dir)
{
	tunnel_pair(dir, "synth_tunnel_geneve", ENC_GENEVE, 77,
		    "GENEVE (UDP 6081, one option) VNI 77/78: IPv4 graceful, IPv6 reset.");
}

static void sc_tunnel_gtpu(const char *dir)
{
	tunnel_pair(dir, "synth_tunnel_gtpu", ENC_GTPU, 0x1000,
		    "GTP-U (UDP 2152, PDU session container extension), a TEID per direction: "
		    "IPv4 graceful, IPv6 reset.");
}

static void sc_tunnel_ipip(const char *dir)
{
	tunnel_pair(dir, "synth_tunnel_ipip", ENC_IPIP, 0,
		    "IPv4 in IPv4 (protocol 4) and IPv6 in IPv4 (6in4, protocol 41): IPv4 graceful, "
		    "IPv6 reset.");
}

static void sc_nflog(const char *dir)
{
	struct cap cap;
	struct conv g, r;
	cap_open(&cap, dir, "synth_nflog.pcap", DLT_NFLOG);
	conv_init(&g, &cap, C4, 52200, S4, 80, 0x41424344, 0x45464748);
	conv_init(&r, &cap, C6, 52201, S6, 80, 0x51525354, 0x55565758);
	two_conns(&cap, &g, &r);
	cap_close(&cap);
	write_expect(&cap, dir, "synth_nflog",
		     "DLT_NFLOG (tcpdump -i nflog): IPv4 graceful, IPv6 reset.", NULL);
}

static const struct scenario scenarios[] = {
	{"injected_rst", sc_injected_rst, "in-window RST forged by a middlebox (odd TTL and IP ID)"},
	{"rst_out_of_window", sc_rst_out_of_window, "RST far outside the window, ignored; then graceful"},
	{"midstream", sc_midstream, "capture starts mid-connection (no SYN), 51514 -> 443"},
	{"final_ack_missing", sc_final_ack_missing, "graceful close whose final ACK is not captured"},
	{"truncated_file", sc_truncated_file, "file cut off inside the last packet record"},
	{"vlan", sc_vlan, "Ethernet with 802.1Q tags"},
	{"qinq", sc_qinq, "Ethernet with 802.1ad + 802.1Q tags"},
	{"sll", sc_sll, "DLT_LINUX_SLL"},
	{"sll2", sc_sll2, "DLT_LINUX_SLL2"},
	{"raw", sc_raw, "DLT_RAW, IPv4 and IPv6 mixed"},
	{"null", sc_null, "DLT_NULL, host-order AF values, IPv4 and IPv6"},
	{"ipv6_ext", sc_ipv6_ext, "IPv6 hop-by-hop + destination options"},
	{"ipv4_options", sc_ipv4_options, "IPv4 header options (IHL 6, 8, 15)"},
	{"pcapng_two_if", sc_pcapng_two_if, "pcapng, Ethernet + SLL interfaces (needs mergecap)"},
	{"pcapng_two_if_same_link", sc_pcapng_two_if_same_link, "pcapng, two Ethernet interfaces (needs mergecap)"},
	{"pcapng_two_if_snaplen", sc_pcapng_two_if_snaplen, "pcapng, Ethernet + SLL2 snaplen 128, ISBs (needs mergecap)"},
	{"simultaneous_close", sc_simultaneous_close, "both FINs cross on the wire"},
	{"fin_retransmit", sc_fin_retransmit, "FIN sent twice before its ACK"},
	{"keepalive_race", sc_keepalive_race, "server FIN crosses the client's next request: RST"},
	{"lb_idle_timeout", sc_lb_idle_timeout, "RSTs after 350 s idle: a load balancer's and a server's"},
	{"handshake_abort", sc_handshake_abort, "the client answers a late SYN+ACK with RST"},
	{"lone_rst", sc_lone_rst, "one RST with no history on its 4-tuple: cause unknown"},
	{"kernel_rst", sc_kernel_rst, "a kernel reply RST (no ACK, server's TTL): not injected"},
	{"forged_rsts", sc_forged_rsts, "a middlebox's RSTs across connections and servers: injected"},
	{"tunnel_gre_key", sc_tunnel_gre_key, "GRE with key and sequence number"},
	{"tunnel_gre_mirror", sc_tunnel_gre_mirror, "GRE mirror, key per direction, fragmented"},
	{"tunnel_teredo", sc_tunnel_teredo, "Teredo"},
	{"tunnel_ayiya", sc_tunnel_ayiya, "AYIYA"},
	{"tunnel_l2tp", sc_tunnel_l2tp, "L2TPv2 with PPP"},
	{"tunnel_erspan2", sc_tunnel_erspan2, "ERSPAN type II"},
	{"tunnel_erspan3", sc_tunnel_erspan3, "ERSPAN type III"},
	{"tunnel_geneve", sc_tunnel_geneve, "GENEVE with an option"},
	{"tunnel_gtpu", sc_tunnel_gtpu, "GTP-U with an extension header"},
	{"tunnel_ipip", sc_tunnel_ipip, "IPv4 and IPv6 in IPv4"},
	{"nflog", sc_nflog, "DLT_NFLOG"},
	{"ppp_serial", sc_ppp_serial, "DLT_PPP_SERIAL"},
	{"fddi", sc_fddi, "DLT_FDDI"},
	{"wlan_radiotap", sc_wlan_radiotap, "DLT_IEEE802_11_RADIO"},
	{"pflog", sc_pflog, "DLT_PFLOG"},
	{"tw_reuse_30s", sc_tw_reuse_30s, "4-tuple reused 30 s after close, in TIME_WAIT"},
};

#define NSCEN (sizeof(scenarios) / sizeof(scenarios[0]))

static const struct scenario *lookup(const char *name)
{
	if (!strncmp(name, "synth_", 6))
		name += 6;
	for (size_t i = 0; i < NSCEN; i++)
		if (!strcmp(scenarios[i].name, name))
			return &scenarios[i];
	return NULL;
}

static void usage(FILE *f)
{
	fputs("usage: tc-synth --out DIR [NAME...]   write synth_NAME.pcap[ng] + .expect\n"
	      "       tc-synth --list                 list the NAMEs\n", f);
}

int main(int argc, char **argv)
{
	const char *dir = NULL;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--list")) {
			for (size_t k = 0; k < NSCEN; k++)
				printf("synth_%-20s %s\n", scenarios[k].name,
				       scenarios[k].what);
			return 0;
		} else if (!strcmp(argv[i], "--out") && i + 1 < argc) {
			dir = argv[++i];
		} else if (!strncmp(argv[i], "--out=", 6)) {
			dir = argv[i] + 6;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (argv[i][0] == '-') {
			usage(stderr);
			return 2;
		} else {
			break;
		}
	}
	if (!dir) {
		usage(stderr);
		return 2;
	}
	for (int k = i; k < argc; k++)
		if (!lookup(argv[k])) {
			fprintf(stderr, "tc-synth: unknown capture '%s' (see --list)\n",
				argv[k]);
			return 2;
		}
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		die("%s: %s", dir, strerror(errno));
	if (i == argc)
		for (size_t k = 0; k < NSCEN; k++)
			scenarios[k].fn(dir);
	else
		for (int k = i; k < argc; k++)
			lookup(argv[k])->fn(dir);
	return 0;
}
