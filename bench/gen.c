/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gen.c -- tc-gen: a large, realistic capture with a known ground truth.
 *
 *   tc-gen --packets N [--seed S] --out FILE.pcap [--expect FILE.expect]
 *          [--concurrency K] [--snaplen BYTES] [--max-resp BYTES]
 *   tc-gen --synflood N [--seed S] --out FILE.pcap [--expect FILE.expect]
 *
 * Writes (libpcap pcap_dump, nanosecond timestamps, DLT_EN10MB) about N
 * frames of interleaved TCP connections as seen from a server-side tap:
 * IPv4 and IPv6, some on an 802.1Q VLAN, consistent sequence and
 * acknowledgement numbers, TCP options as Linux sends them, increasing
 * timestamps, small requests, larger responses cut into MSS-sized segments
 * sent in slow-start bursts, delayed ACKs, keep-alive rounds, and a little
 * non-TCP noise (DNS, ARP). The output is deterministic by seed.
 *
 * Every connection's fate is drawn when it is created -- graceful close by
 * either side, FIN+ACK combined, simultaneous close, CLOSE_WAIT leak, abort
 * by either side (in the handshake, established or closing), refused, SYN
 * never answered, still open at the end, picked up mid-stream, out-of-window
 * RST ignored -- so its whole `.expect` line is known up front. Lines must be
 * in the order of each connection's first packet (how tcpclose numbers
 * them), so a line is written when the connection emits its first packet.
 *
 * Memory is O(concurrency): one record per connection in flight and a heap
 * of their next event times; a connection that has finished (or gone
 * silent for good) is freed at once. Output is streamed.
 *
 * Rules of tcpclose the generator respects (docs/states.md):
 *   - a 4-tuple is never reused: client (address, port) pairs are handed out
 *     from a counter through a bijection;
 *   - nothing is sent on a connection after it closed (both FINs
 *     acknowledged, or an accepted RST), so no trailing packet can land
 *     after tcpclose's linger and open a phantom connection;
 *   - client ephemeral ports are >= 32768, servers listen below 1024 or on
 *     clearly lower ports; mid-stream connections use a port below 1024;
 *   - every RST that must count is sent at the sender's snd_nxt (exact);
 *     the one that must not is far below the receiver's window.
 *
 * Connections that never close (SYN never answered, CLOSE_WAIT leaks, still
 * open) stay in tcpclose's table until the end of the capture. They count
 * against the concurrency target for the rest of the run and are capped at
 * a fifth of it, so the number of connections open at once stays near K
 * whatever the capture size.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0_NS (1700000000LL * 1000000000LL)
#define US 1000LL
#define MS 1000000LL
#define SEC 1000000000LL

/* TCP flags */
#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_PSH 0x08
#define F_ACK 0x10

enum { CL = 0, SV = 1 };

static _Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static _Noreturn void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("tc-gen: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* ---- deterministic randomness (xoshiro256**) ----------------------------- */

static uint64_t rs[4];

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rnd(void)
{
	uint64_t r = rotl(rs[1] * 5, 7) * 9, t = rs[1] << 17;
	rs[2] ^= rs[0];
	rs[3] ^= rs[1];
	rs[1] ^= rs[2];
	rs[0] ^= rs[3];
	rs[2] ^= t;
	rs[3] = rotl(rs[3], 45);
	return r;
}

static uint32_t below(uint32_t n)
{
	return (uint32_t)(((rnd() >> 32) * (uint64_t)n) >> 32);
}

static double unit(void)
{
	return (double)(rnd() >> 11) * 0x1.0p-53;
}

static int chance(double p)
{
	return unit() < p;
}

/* Log-uniform in [lo, hi): many small values, a long tail. */
static double logu(double lo, double hi)
{
	return lo * exp(unit() * log(hi / lo));
}

static double expo(double mean)
{
	return -mean * log(1.0 - unit());
}

/* A bijection on 32 bits (lowbias32): unique, random-looking addresses. */
static uint32_t perm32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352dU;
	x ^= x >> 15;
	x *= 0x846ca68bU;
	x ^= x >> 16;
	return x;
}

/* ---- fates and their verdicts ------------------------------------------- */

enum fate {
	GRACE,          /* FIN, ACK, FIN, ACK; `closer` closes first */
	FINACK,         /* FIN, FIN+ACK, ACK */
	SIMUL,          /* FINs cross */
	OOW,            /* an out-of-window RST is ignored, then GRACE */
	ABORT,          /* RST from `closer` while established (SO_LINGER 0) */
	SCAN,           /* SYN, SYN+ACK, RST from the client: handshake abort */
	RST_CLOSING,    /* client FIN, server answers RST (unread data) */
	REFUSED,        /* SYN, RST+ACK */
	SYN_ONLY,       /* SYN and its retransmissions, never answered */
	HALF,           /* `closer` FINs, the peer ACKs and leaks CLOSE_WAIT */
	OPEN,           /* still open at the end (idle, or periodic rounds) */
	FATE__COUNT
};

static const char *const fate_names[FATE__COUNT] = {
	"graceful", "fin+ack", "simultaneous", "oow-rst-then-graceful", "abort",
	"handshake-abort", "rst-while-closing", "refused", "syn-only", "half-closed",
	"open",
};

struct verdict {
	const char *opened, *close, *closer, *reset_by, *reset_phase, *cstate, *sstate;
	int rst_ignored;
	int vclose; /* 0 graceful 1 half_closed 2 reset 3 open */
	int refused;
};

/* ---- the connection record --------------------------------------------- */

struct side {
	uint8_t addr[16];
	uint8_t mac[6];
	uint16_t port;
	uint32_t isn, nxt;        /* ISN and snd_nxt */
	uint32_t ts_off;          /* TSval = ms clock + ts_off */
	uint16_t ipid;
	uint16_t win;             /* raw window on non-SYN segments */
	uint16_t syn_win;
	uint8_t ttl, wscale;
};

enum op_kind {
	OP_SYN, OP_SYNACK, OP_ACK, OP_FIN, OP_FIN_NOCOVER, OP_RST, OP_RST_NOACK,
	OP_RST_REFUSE, OP_DATA
};
enum op_delay { D_AUTO, D_SHORT, D_SYNRTX, D_IDLE };

struct op {
	uint8_t side, kind, delay;
};

enum phase { PH_SCRIPT, PH_REQ, PH_SRV_ACK, PH_RESP, PH_RESP_ACK, PH_OOW };
enum after { AF_DATA, AF_DONE, AF_SILENT };

#define MAX_OPS 24

struct gconn {
	struct side sd[2];
	int64_t t;                /* time of its next packet */
	uint32_t hi;              /* heap index */
	uint8_t af, fate, mid, closer, ts, vlan_on, announced, held;
	uint8_t phase, after, nops, k, periodic, oow_done, syn_rtx, last_side;
	uint16_t vlan, mss_eff;
	uint32_t rounds_left, resp_left, burst, cwnd, acks_left, ack_pos;
	uint32_t pkts;
	int64_t rtt, srv_delay;
	struct op ops[MAX_OPS];
};

/* ---- generator state ---------------------------------------------------- */

struct gen {
	uint64_t target;          /* packets wanted */
	uint32_t K;               /* connections open at once */
	uint32_t snaplen;
	pcap_dumper_t *dump;
	FILE *pcapf, *exp;
	int64_t last_t;
	uint64_t frames, tcp_frames, bytes;
	uint64_t created, announced;
	uint64_t regular, held, zombies_pending, zombie_cap;
	uint64_t finished, finished_pkts;
	double p_zombie;
	int stop;
	struct gconn **heap;
	uint32_t heap_n, heap_cap;
	uint64_t peak_pop;
	/* summary of the ground truth */
	uint64_t v_close[4], v_refused, by_fate[FATE__COUNT], mid_count;
	uint8_t frame[65536 + 256];
};

/* ---- heap of next event times ------------------------------------------- */

static int before(const struct gconn *a, const struct gconn *b)
{
	return a->t < b->t;
}

static void heap_set(struct gen *g, uint32_t i, struct gconn *c)
{
	g->heap[i] = c;
	c->hi = i;
}

static void sift_up(struct gen *g, uint32_t i)
{
	struct gconn *c = g->heap[i];
	while (i > 0) {
		uint32_t p = (i - 1) / 2;
		if (!before(c, g->heap[p]))
			break;
		heap_set(g, i, g->heap[p]);
		i = p;
	}
	heap_set(g, i, c);
}

static void sift_down(struct gen *g, uint32_t i)
{
	struct gconn *c = g->heap[i];
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i;
		const struct gconn *mc = c;
		if (l < g->heap_n && before(g->heap[l], mc)) {
			m = l;
			mc = g->heap[l];
		}
		if (r < g->heap_n && before(g->heap[r], mc))
			m = r;
		if (m == i)
			break;
		heap_set(g, i, g->heap[m]);
		i = m;
	}
	heap_set(g, i, c);
}

static void heap_push(struct gen *g, struct gconn *c)
{
	if (g->heap_n == g->heap_cap) {
		uint32_t nc = g->heap_cap ? g->heap_cap * 2 : 1024;
		struct gconn **h = realloc(g->heap, nc * sizeof(*h));
		if (!h)
			die("out of memory");
		g->heap = h;
		g->heap_cap = nc;
	}
	heap_set(g, g->heap_n++, c);
	sift_up(g, c->hi);
}

static void heap_remove(struct gen *g, struct gconn *c)
{
	uint32_t i = c->hi;
	struct gconn *last = g->heap[--g->heap_n];
	if (last == c)
		return;
	heap_set(g, i, last);
	sift_down(g, i);
	sift_up(g, last->hi);
}

/* ---- frames ------------------------------------------------------------- */

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

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
	size_t i;
	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)(p[n - 1] << 8);
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void write_frame(struct gen *g, int64_t t, uint32_t len)
{
	struct pcap_pkthdr h;
	if (t <= g->last_t)
		t = g->last_t + 1; /* strictly increasing */
	g->last_t = t;
	h.ts.tv_sec = (time_t)(t / SEC);
	h.ts.tv_usec = (suseconds_t)(t % SEC); /* nanoseconds: nano-precision dumper */
	h.len = len;
	h.caplen = len < g->snaplen ? len : g->snaplen;
	pcap_dump((u_char *)g->dump, &h, g->frame);
	g->frames++;
	g->bytes += h.caplen + 16;
}

static const uint8_t router_mac[6] = {0x00, 0x1b, 0x21, 0x3a, 0x4c, 0x01};

/* Ethernet (+ 802.1Q) header; returns its length. */
static uint32_t put_eth(uint8_t *f, const uint8_t *dst, const uint8_t *src, int vlan_on,
			uint16_t vlan, uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	if (vlan_on) {
		put16(f + 12, 0x8100);
		put16(f + 14, vlan);
		put16(f + 16, type);
		return 18;
	}
	put16(f + 12, type);
	return 14;
}

static void announce(struct gen *g, struct gconn *c);

/*
 * One TCP segment from side `from`: seq/ack as given, `plen` zero payload
 * bytes (the payload is all zeros, so the checksum covers headers only).
 */
static void tx(struct gen *g, struct gconn *c, int from, uint8_t flags, uint32_t seq, uint32_t ack,
	       uint32_t plen)
{
	struct side *s = &c->sd[from], *r = &c->sd[!from];
	uint8_t *f = g->frame, *ip, *tcp, *o;
	uint32_t l2, l3, optlen = 0, thl, tcplen, i, len;
	uint32_t psum = 0;

	if (!c->announced)
		announce(g, c);
	l2 = put_eth(f, from == CL ? s->mac : router_mac, from == CL ? router_mac : s->mac,
		     c->vlan_on, c->vlan, c->af == 4 ? 0x0800 : 0x86dd);
	ip = f + l2;
	l3 = c->af == 4 ? 20 : 40;
	tcp = ip + l3;
	o = tcp + 20;

	/* Options as Linux sends them. */
	if (flags & F_SYN) {
		uint16_t mss = c->af == 4 ? 1460 : 1440;
		o[0] = 2; o[1] = 4; put16(o + 2, mss);
		if (c->ts) {
			o[4] = 4; o[5] = 2;                 /* SACK permitted */
			o[6] = 8; o[7] = 10;                /* timestamps */
			put32(o + 8, (uint32_t)(c->t / MS) + s->ts_off);
			put32(o + 12, (flags & F_ACK) ? (uint32_t)(c->t / MS) + r->ts_off - 1 : 0);
			o[16] = 1;                          /* NOP */
			o[17] = 3; o[18] = 3; o[19] = s->wscale;
			optlen = 20;
		} else {
			o[4] = 1; o[5] = 3; o[6] = 3; o[7] = s->wscale;
			o[8] = 1; o[9] = 1; o[10] = 4; o[11] = 2;
			optlen = 12;
		}
	} else if (c->ts && !(flags & F_RST)) {
		o[0] = 1; o[1] = 1; o[2] = 8; o[3] = 10;
		put32(o + 4, (uint32_t)(c->t / MS) + s->ts_off);
		put32(o + 8, (uint32_t)(c->t / MS) + r->ts_off - 1);
		optlen = 12;
	}
	thl = 20 + optlen;
	tcplen = thl + plen;

	put16(tcp, s->port);
	put16(tcp + 2, r->port);
	put32(tcp + 4, seq);
	put32(tcp + 8, (flags & F_ACK) ? ack : 0);
	tcp[12] = (uint8_t)((thl / 4) << 4);
	tcp[13] = flags;
	put16(tcp + 14, (flags & F_RST) ? 0 : (flags & F_SYN) ? s->syn_win : s->win);
	put16(tcp + 16, 0);
	put16(tcp + 18, 0);

	if (c->af == 4) {
		ip[0] = 0x45;
		ip[1] = 0;
		put16(ip + 2, (uint16_t)(20 + tcplen));
		put16(ip + 4, s->ipid++);
		put16(ip + 6, 0x4000); /* DF */
		ip[8] = s->ttl;
		ip[9] = 6;
		put16(ip + 10, 0);
		memcpy(ip + 12, s->addr, 4);
		memcpy(ip + 16, r->addr, 4);
		put16(ip + 10, fold(sum16(ip, 20, 0)));
		psum = sum16(ip + 12, 8, 0) + 6 + tcplen;
	} else {
		put32(ip, 0x60000000u | ((uint32_t)s->port * 2654435761u & 0xfffff));
		put16(ip + 4, (uint16_t)tcplen);
		ip[6] = 6;
		ip[7] = s->ttl;
		memcpy(ip + 8, s->addr, 16);
		memcpy(ip + 24, r->addr, 16);
		psum = sum16(ip + 8, 32, 0) + 6 + tcplen;
	}
	put16(tcp + 16, fold(sum16(tcp, thl, psum)));

	len = l2 + l3 + tcplen;
	if (len < 60)
		len = 60; /* Ethernet minimum: the padding is zeros */
	write_frame(g, c->t, len);
	/* Leave the payload area zeroed for the next frame. */
	for (i = 0; i < l2 + l3 + thl; i++)
		f[i] = 0;
	g->tcp_frames++;
	c->pkts++;
}

/* ---- non-TCP noise: DNS over UDP, ARP ------------------------------------ */

static void tx_dns(struct gen *g, int64_t t)
{
	uint8_t *f = g->frame, *ip;
	static const uint8_t srv_mac[6] = {0x00, 0x16, 0x3e, 0x00, 0x00, 0x53};
	uint32_t l2 = put_eth(f, router_mac, srv_mac, 0, 0, 0x0800), ulen, i;
	int query = chance(0.5);
	uint32_t cli = 0x0a000000u | (perm32((uint32_t)rnd()) & 0xffffff);
	ip = f + l2;
	ulen = 8 + (query ? 30 + below(40) : 60 + below(200));
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + ulen));
	put16(ip + 4, (uint16_t)rnd());
	ip[8] = 64;
	ip[9] = 17;
	put32(ip + (query ? 12 : 16), cli);
	put32(ip + (query ? 16 : 12), 0xc0000235u); /* 192.0.2.53 */
	put16(ip + 10, fold(sum16(ip, 20, 0)));
	put16(ip + 20, query ? (uint16_t)(32768 + below(28000)) : 53);
	put16(ip + 22, query ? 53 : (uint16_t)(32768 + below(28000)));
	put16(ip + 24, (uint16_t)ulen);
	write_frame(g, t, l2 + 20 + ulen < 60 ? 60 : l2 + 20 + ulen);
	for (i = 0; i < l2 + 28; i++)
		f[i] = 0;
}

static void tx_arp(struct gen *g, int64_t t)
{
	uint8_t *f = g->frame;
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	uint32_t l2 = put_eth(f, bcast, router_mac, 0, 0, 0x0806), i;
	uint8_t *a = f + l2;
	put16(a, 1);
	put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, 1);
	memcpy(a + 8, router_mac, 6);
	put32(a + 14, 0xc0000201u);
	put32(a + 24, 0xc0000200u | (1 + below(30)));
	write_frame(g, t, 60);
	for (i = 0; i < 60; i++)
		f[i] = 0;
}

static void noise(struct gen *g, int64_t t)
{
	uint32_t r = below(100000);
	if (r < 400)
		tx_dns(g, t + 1);
	else if (r < 420)
		tx_arp(g, t + 1);
}

/* ---- the ground truth --------------------------------------------------- */

static void verdict_of(const struct gconn *c, struct verdict *v)
{
	const char *closer = c->closer == CL ? "client" : "server";
	int cl_first = c->closer == CL;

	memset(v, 0, sizeof(*v));
	v->opened = c->mid ? "midstream" : "handshake";
	v->closer = v->reset_by = v->reset_phase = "-";
	switch ((enum fate)c->fate) {
	case GRACE:
	case FINACK:
	case OOW:
		v->close = "graceful";
		v->closer = closer;
		v->cstate = cl_first ? "TIME_WAIT" : "CLOSED";
		v->sstate = cl_first ? "CLOSED" : "TIME_WAIT";
		v->rst_ignored = c->fate == OOW;
		v->vclose = 0;
		break;
	case SIMUL:
		v->close = "graceful";
		v->closer = "both";
		v->cstate = v->sstate = "TIME_WAIT";
		v->vclose = 0;
		break;
	case ABORT:
		v->close = "reset";
		v->reset_by = closer;
		v->reset_phase = "established";
		v->cstate = v->sstate = "CLOSED";
		v->vclose = 2;
		break;
	case SCAN:
		v->close = "reset";
		v->reset_by = "client";
		v->reset_phase = "handshake";
		v->cstate = v->sstate = "CLOSED";
		v->vclose = 2;
		break;
	case RST_CLOSING:
		v->close = "reset";
		v->closer = "client";
		v->reset_by = "server";
		v->reset_phase = "closing";
		v->cstate = v->sstate = "CLOSED";
		v->vclose = 2;
		break;
	case REFUSED:
		v->opened = "refused";
		v->close = "reset";
		v->reset_by = "server";
		v->reset_phase = "handshake";
		v->cstate = v->sstate = "CLOSED";
		v->vclose = 2;
		v->refused = 1;
		break;
	case SYN_ONLY:
		v->opened = "syn_only";
		v->close = "open";
		v->cstate = "SYN_SENT";
		v->sstate = "CLOSED";
		v->vclose = 3;
		break;
	case HALF:
		v->close = "half_closed";
		v->closer = closer;
		v->cstate = cl_first ? "FIN_WAIT_2" : "CLOSE_WAIT";
		v->sstate = cl_first ? "CLOSE_WAIT" : "FIN_WAIT_2";
		v->vclose = 1;
		break;
	case OPEN:
	default:
		v->close = "open";
		v->cstate = v->sstate = "ESTABLISHED";
		v->vclose = 3;
		break;
	}
}

static void endpoint_str(const struct gconn *c, int side, char *buf, size_t n)
{
	char a[INET6_ADDRSTRLEN];
	inet_ntop(c->af == 4 ? AF_INET : AF_INET6, c->sd[side].addr, a, sizeof(a));
	if (c->af == 4)
		snprintf(buf, n, "%s:%u", a, c->sd[side].port);
	else
		snprintf(buf, n, "[%s]:%u", a, c->sd[side].port);
}

/* Written at the connection's first packet: that is tcpclose's numbering. */
static void announce(struct gen *g, struct gconn *c)
{
	struct verdict v;
	char cl[64], sv[64];

	c->announced = 1;
	g->announced++;
	verdict_of(c, &v);
	g->v_close[v.vclose]++;
	g->v_refused += (uint64_t)v.refused;
	g->by_fate[c->fate]++;
	g->mid_count += c->mid;
	if (!g->exp)
		return;
	endpoint_str(c, CL, cl, sizeof(cl));
	endpoint_str(c, SV, sv, sizeof(sv));
	fprintf(g->exp,
		"conn client=%s server=%s opened=%s close=%s closer=%s reset_by=%s reset_phase=%s "
		"client_state=%s server_state=%s rst_ignored=%d\n",
		cl, sv, v.opened, v.close, v.closer, v.reset_by, v.reset_phase, v.cstate, v.sstate,
		v.rst_ignored);
}

/* ---- building connections ----------------------------------------------- */

#define CLIENT_IPS 65536u
#define EPHEMERAL 28232u /* 32768 .. 60999, Linux's default range */

static void client_addr(struct gconn *c, uint64_t idx)
{
	uint32_t ci = (uint32_t)(idx % CLIENT_IPS), pi = (uint32_t)(idx / CLIENT_IPS);
	struct side *s = &c->sd[CL];
	uint32_t h = perm32(ci ^ 0x5bd1e995u);

	if (pi >= EPHEMERAL)
		die("too many connections for the client address plan");
	memset(s->addr, 0, 16);
	if (c->af == 4) {
		uint32_t a = 0x0a000000u | ((ci * 0x9e3779b1u + 0x123457u) & 0xffffffu);
		put32(s->addr, a);
	} else {
		/* 2001:db8:c1:XXXX:YYYY:ZZZZ:AAAA:BBBB, no zero group: RFC 5952
		 * text is then unambiguous (no "::"). */
		put16(s->addr, 0x2001);
		put16(s->addr + 2, 0x0db8);
		put16(s->addr + 4, 0x00c1);
		put16(s->addr + 6, (uint16_t)(0x1000 | (h & 0x0fff)));
		put16(s->addr + 8, (uint16_t)(0x1000 | ((h >> 12) & 0x0fff)));
		put16(s->addr + 10, (uint16_t)(0x1000 | (h >> 24)));
		put16(s->addr + 12, (uint16_t)(0x1000 | (ci >> 12)));
		put16(s->addr + 14, (uint16_t)(0x1000 | (ci & 0x0fff)));
	}
	s->port = (uint16_t)(32768 + (pi + ci * 7919u) % EPHEMERAL);
	s->mac[0] = 0x00;
	s->mac[1] = 0x1b;
	memcpy(s->mac + 2, &h, 4);
}

static void server_addr(struct gconn *c, int idx)
{
	struct side *s = &c->sd[SV];
	memset(s->addr, 0, 16);
	if (c->af == 4) {
		put32(s->addr, (idx < 16 ? 0xc0000200u : 0xc6336400u - 16) + 1 + (uint32_t)idx);
	} else {
		put16(s->addr, 0x2001);
		put16(s->addr + 2, 0x0db8);
		put16(s->addr + 4, 0x005e);
		put16(s->addr + 6, 0x0001);
		put16(s->addr + 14, (uint16_t)(1 + idx));
	}
	s->mac[0] = 0x00;
	s->mac[1] = 0x16;
	s->mac[2] = 0x3e;
	s->mac[3] = 0x00;
	s->mac[4] = (uint8_t)c->af;
	s->mac[5] = (uint8_t)idx;
}

static uint16_t pick_port(enum fate f, int mid)
{
	static const uint16_t open_ports[] = {443, 443, 443, 443, 443, 443, 443, 443, 443, 443,
					      80,  80,  80,  80,  80,  22,  25,  993, 5432, 3306,
					      8080, 6379};
	static const uint16_t low_ports[] = {443, 443, 443, 80, 80, 22, 25, 993};
	static const uint16_t closed_ports[] = {8443, 23, 3389, 9200, 81};
	if (f == REFUSED)
		return closed_ports[below(5)];
	if (mid)
		return low_ports[below(8)];
	return open_ports[below(sizeof(open_ports) / sizeof(open_ports[0]))];
}

/* --max-resp: responses drawn from 150 .. this (log-uniform) instead of the
 * mixed distribution below; 0 = the mix. Short responses make short
 * connections: many of them per packet, small frames on average. */
static uint32_t max_resp;

static uint32_t draw_resp(void)
{
	double u = unit();
	if (max_resp)
		return (uint32_t)logu(150, max_resp);
	if (u < 0.75)
		return (uint32_t)logu(150, 6000);
	if (u < 0.97)
		return (uint32_t)logu(6000, 64000);
	return (uint32_t)logu(64000, 512000);
}

static void push_op(struct gconn *c, int side, int kind, int delay)
{
	if (c->nops >= MAX_OPS)
		die("internal: script too long");
	c->ops[c->nops].side = (uint8_t)side;
	c->ops[c->nops].kind = (uint8_t)kind;
	c->ops[c->nops].delay = (uint8_t)delay;
	c->nops++;
}

static void script_open(struct gconn *c)
{
	int i;
	c->phase = PH_SCRIPT;
	c->nops = c->k = 0;
	push_op(c, CL, OP_SYN, D_AUTO);
	switch ((enum fate)c->fate) {
	case REFUSED:
		push_op(c, SV, OP_RST_REFUSE, D_AUTO);
		c->after = AF_DONE;
		break;
	case SYN_ONLY:
		for (i = 0, c->syn_rtx = (uint8_t)(1 + below(4)); i < c->syn_rtx; i++)
			push_op(c, CL, OP_SYN, D_SYNRTX);
		c->after = AF_SILENT;
		break;
	case SCAN:
		push_op(c, SV, OP_SYNACK, D_AUTO);
		push_op(c, CL, OP_RST_NOACK, D_AUTO);
		c->after = AF_DONE;
		break;
	default:
		push_op(c, SV, OP_SYNACK, D_AUTO);
		push_op(c, CL, OP_ACK, D_AUTO);
		c->after = AF_DATA;
		break;
	}
}

static void script_close(struct gconn *c)
{
	int x = c->closer, y = !c->closer, i, late;
	c->phase = PH_SCRIPT;
	c->nops = c->k = 0;
	c->after = AF_DONE;
	switch ((enum fate)c->fate) {
	case GRACE:
	case OOW:
		push_op(c, x, OP_FIN, D_IDLE);
		push_op(c, y, OP_ACK, D_AUTO);
		/* HTTP-style half close: the server finishes its answer after
		 * the client's FIN. */
		late = (x == CL && chance(0.3)) ? (int)(1 + below(4)) : 0;
		for (i = 0; i < late; i++) {
			push_op(c, y, OP_DATA, D_SHORT);
			if (i % 2 == 1 || i == late - 1)
				push_op(c, x, OP_ACK, D_AUTO);
		}
		push_op(c, y, OP_FIN, late ? D_SHORT : D_AUTO);
		push_op(c, x, OP_ACK, D_AUTO);
		break;
	case FINACK:
		push_op(c, x, OP_FIN, D_IDLE);
		push_op(c, y, OP_FIN, D_AUTO);
		push_op(c, x, OP_ACK, D_AUTO);
		break;
	case SIMUL:
		push_op(c, x, OP_FIN, D_IDLE);
		push_op(c, y, OP_FIN_NOCOVER, D_SHORT);
		push_op(c, x, OP_ACK, D_AUTO);
		push_op(c, y, OP_ACK, D_SHORT);
		break;
	case ABORT:
		push_op(c, x, OP_RST, D_IDLE);
		break;
	case RST_CLOSING:
		push_op(c, CL, OP_FIN, D_IDLE);
		push_op(c, SV, OP_RST, D_AUTO);
		break;
	case HALF:
		push_op(c, x, OP_FIN, D_IDLE);
		push_op(c, y, OP_ACK, D_AUTO);
		c->after = AF_SILENT;
		break;
	default:
		die("internal: no close script for %s", fate_names[c->fate]);
	}
}

static enum fate draw_regular_fate(void)
{
	uint32_t r = below(100);
	if (r < 52) return GRACE;     /* 52 */
	if (r < 67) return FINACK;    /* 15 */
	if (r < 70) return SIMUL;     /* 3 */
	if (r < 74) return OOW;       /* 4 */
	if (r < 87) return ABORT;     /* 13 */
	if (r < 89) return SCAN;      /* 2 */
	if (r < 92) return RST_CLOSING; /* 3 */
	return REFUSED;               /* 8 */
}

static enum fate draw_zombie_fate(void)
{
	uint32_t r = below(100);
	if (r < 40) return HALF;
	if (r < 65) return SYN_ONLY;
	return OPEN;
}

static int is_zombie(enum fate f)
{
	return f == HALF || f == SYN_ONLY || f == OPEN;
}

static struct gconn *new_conn(struct gen *g, int64_t start, int midstream)
{
	struct gconn *c = calloc(1, sizeof(*c));
	enum fate f;
	int i;

	if (!c)
		die("out of memory");
	c->af = chance(0.2) ? 6 : 4;
	if (midstream) {
		static const enum fate mf[] = {GRACE, GRACE, GRACE, FINACK, ABORT, ABORT};
		f = mf[below(6)];
		c->mid = 1;
	} else if (g->zombies_pending + g->held < g->zombie_cap && chance(g->p_zombie)) {
		f = draw_zombie_fate();
	} else {
		f = draw_regular_fate();
	}
	c->fate = (uint8_t)f;
	if (is_zombie(f))
		g->zombies_pending++;
	/* Servers close idle keep-alive connections more often than clients. */
	c->closer = (uint8_t)(chance(f == GRACE ? 0.45 : 0.5) ? SV : CL);
	if (f == HALF)
		c->closer = chance(0.75) ? CL : SV;
	c->ts = chance(0.85);
	c->vlan_on = chance(0.1);
	c->vlan = (uint16_t)(100 + below(16));
	c->mss_eff = (uint16_t)((c->af == 4 ? 1460 : 1440) - (c->ts ? 12 : 0));
	c->rtt = (int64_t)(logu(0.3, 120.0) * MS);
	c->srv_delay = (int64_t)(logu(0.02, 0.3) * MS);
	c->rounds_left = 1;
	while (c->rounds_left < 8 && chance(0.4))
		c->rounds_left++;
	if (f == OPEN)
		c->periodic = chance(0.5);

	client_addr(c, g->created++);
	server_addr(c, (int)below(32));
	c->sd[SV].port = pick_port(f, c->mid);
	for (i = 0; i < 2; i++) {
		struct side *s = &c->sd[i];
		s->isn = (uint32_t)rnd();
		s->nxt = s->isn;
		s->ts_off = (uint32_t)rnd();
		s->ipid = (uint16_t)rnd();
		s->wscale = (uint8_t)(i == CL ? 7 : 9);
		s->win = (uint16_t)(i == CL ? 400 + below(200) : 200 + below(300));
		s->syn_win = c->af == 4 ? 64240 : 64800;
		s->ttl = (uint8_t)(i == CL ? (chance(0.7) ? 64 : 128) - (int)below(20) : 64);
	}

	c->t = start;
	if (c->mid) {
		/* Running before the capture started: sequence numbers are
		 * wherever they are, and we come in during a request or a
		 * response. */
		c->sd[CL].nxt = c->sd[CL].isn + 1 + below(100000);
		c->sd[SV].nxt = c->sd[SV].isn + 1 + below(10000000);
		if (chance(0.5)) {
			c->phase = PH_REQ;
		} else {
			c->phase = PH_RESP;
			c->resp_left = draw_resp();
			c->cwnd = 10;
			c->burst = 0;
			c->ack_pos = c->sd[SV].nxt;
		}
	} else {
		script_open(c);
	}
	c->last_side = CL;
	g->regular++;
	if (g->regular + g->held > g->peak_pop)
		g->peak_pop = g->regular + g->held;
	heap_push(g, c);
	return c;
}

static void maybe_replace(struct gen *g, int64_t now)
{
	if (g->stop)
		return;
	while (g->regular + g->held < g->K)
		new_conn(g, now + (int64_t)expo(2.0 * MS), 0);
}

static void finish(struct gen *g, struct gconn *c)
{
	heap_remove(g, c);
	g->regular--;
	g->finished++;
	g->finished_pkts += c->pkts;
	maybe_replace(g, c->t);
	free(c);
}

/* The connection will never send again but stays open in tcpclose's table. */
static void go_silent(struct gen *g, struct gconn *c)
{
	heap_remove(g, c);
	g->regular--;
	g->held++;
	g->zombies_pending--;
	maybe_replace(g, c->t);
	free(c);
}

/* ---- one step: emit the next packet of a connection ---------------------- */

static int64_t op_delay(const struct gconn *c, const struct op *o)
{
	switch (o->delay) {
	case D_SHORT:
		return 10 * US + below(40 * US);
	case D_SYNRTX:
		return SEC << (c->k - 1 < 6 ? c->k - 1 : 6);
	case D_IDLE:
		/* Keep-alive timeout before an idle connection is closed. */
		return (int64_t)((0.5 + unit() * 10.0) * SEC);
	default:
		if (o->side == c->last_side)
			return 10 * US + below(40 * US);
		/* Tap at the server: the server answers after its own delay,
		 * the client's answer comes back a round trip later. */
		return o->side == SV ? c->srv_delay : c->rtt + below((uint32_t)(c->rtt / 8 + 1));
	}
}

static void do_op(struct gen *g, struct gconn *c, const struct op *o)
{
	int from = o->side;
	struct side *s = &c->sd[from], *r = &c->sd[!from];
	uint32_t plen;

	switch (o->kind) {
	case OP_SYN:
		tx(g, c, from, F_SYN, s->isn, 0, 0);
		s->nxt = s->isn + 1;
		break;
	case OP_SYNACK:
		tx(g, c, from, F_SYN | F_ACK, s->isn, r->nxt, 0);
		s->nxt = s->isn + 1;
		break;
	case OP_ACK:
		tx(g, c, from, F_ACK, s->nxt, r->nxt, 0);
		break;
	case OP_FIN:
		tx(g, c, from, F_FIN | F_ACK, s->nxt, r->nxt, 0);
		s->nxt++;
		break;
	case OP_FIN_NOCOVER:
		/* Sent before the peer's FIN arrived: acknowledges the data
		 * before that FIN, not the FIN. */
		tx(g, c, from, F_FIN | F_ACK, s->nxt, r->nxt - 1, 0);
		s->nxt++;
		break;
	case OP_RST:
		tx(g, c, from, F_RST | F_ACK, s->nxt, r->nxt, 0);
		break;
	case OP_RST_NOACK:
		tx(g, c, from, F_RST, s->nxt, 0, 0);
		break;
	case OP_RST_REFUSE:
		tx(g, c, from, F_RST | F_ACK, 0, r->nxt, 0);
		break;
	case OP_DATA:
		plen = c->mss_eff / 2 + below(c->mss_eff / 2);
		tx(g, c, from, F_PSH | F_ACK, s->nxt, r->nxt, plen);
		s->nxt += plen;
		break;
	}
	c->last_side = (uint8_t)from;
}

/* Returns 1 if the connection was freed (gone silent for good). */
static int round_done(struct gen *g, struct gconn *c, int64_t *d)
{
	if (c->rounds_left)
		c->rounds_left--;
	if (c->fate == OOW && !c->oow_done && (c->rounds_left == 0 || chance(0.5))) {
		c->phase = PH_OOW;
		*d = (int64_t)(logu(0.05, 50.0) * MS);
		return 0;
	}
	if (c->rounds_left > 0) {
		c->phase = PH_REQ;
		*d = (int64_t)fmin(expo(1.0 * SEC), 10.0 * SEC);
		return 0;
	}
	if (c->fate == OPEN && !c->periodic) {
		go_silent(g, c); /* idle until the capture ends */
		return 1;
	}
	if (c->fate == OPEN) {
		if (!c->held) {
			c->held = 1;
			g->regular--;
			g->held++;
			g->zombies_pending--;
			maybe_replace(g, c->t);
		}
		/* A pooled connection: a small exchange every few seconds until
		 * the capture ends. */
		c->rounds_left = 1;
		c->phase = PH_REQ;
		*d = (int64_t)((1.0 + unit() * 9.0) * SEC);
		return 0;
	}
	script_close(c);
	*d = op_delay(c, &c->ops[0]);
	return 0;
}

static void step(struct gen *g, struct gconn *c)
{
	int64_t d = 0;
	struct side *cl = &c->sd[CL], *sv = &c->sd[SV];
	uint32_t plen;

	switch ((enum phase)c->phase) {
	case PH_SCRIPT: {
		const struct op *o = &c->ops[c->k++];
		do_op(g, c, o);
		if (c->k < c->nops) {
			d = op_delay(c, &c->ops[c->k]);
			break;
		}
		if (c->after == AF_DONE) {
			finish(g, c);
			return;
		}
		if (c->after == AF_SILENT) {
			go_silent(g, c);
			return;
		}
		c->phase = PH_REQ;
		d = 20 * US + below(300 * US);
		break;
	}
	case PH_REQ:
		plen = 80 + below(c->periodic ? 200 : 900);
		tx(g, c, CL, F_PSH | F_ACK, cl->nxt, sv->nxt, plen);
		cl->nxt += plen;
		c->last_side = CL;
		c->resp_left = c->held ? 40 + below(400) : draw_resp();
		c->cwnd = 10;
		c->burst = 0;
		c->ack_pos = sv->nxt;
		if (chance(0.3)) {
			c->phase = PH_SRV_ACK;
			d = c->srv_delay;
		} else {
			c->phase = PH_RESP;
			d = c->srv_delay + (int64_t)(logu(0.05, 30.0) * MS);
		}
		break;
	case PH_SRV_ACK:
		tx(g, c, SV, F_ACK, sv->nxt, cl->nxt, 0);
		c->last_side = SV;
		c->phase = PH_RESP;
		d = (int64_t)(logu(0.05, 40.0) * MS);
		break;
	case PH_RESP:
		plen = c->resp_left < c->mss_eff ? c->resp_left : c->mss_eff;
		c->resp_left -= plen;
		tx(g, c, SV, (uint8_t)(F_ACK | (c->resp_left ? 0 : F_PSH)), sv->nxt, cl->nxt, plen);
		sv->nxt += plen;
		c->last_side = SV;
		c->burst++;
		if (c->resp_left && c->burst < c->cwnd) {
			d = 2 * US + below(20 * US);
			break;
		}
		/* End of a burst: the client's delayed ACKs come back a round
		 * trip later, one per two segments. */
		c->acks_left = (c->burst + 1) / 2;
		c->phase = PH_RESP_ACK;
		d = c->rtt;
		break;
	case PH_RESP_ACK:
		c->ack_pos += 2u * c->mss_eff;
		if (--c->acks_left == 0 || (int32_t)(c->ack_pos - sv->nxt) > 0)
			c->ack_pos = sv->nxt;
		tx(g, c, CL, F_ACK, cl->nxt, c->ack_pos, 0);
		c->last_side = CL;
		if (c->acks_left && c->ack_pos != sv->nxt) {
			d = 5 * US + below(50 * US);
			break;
		}
		c->acks_left = 0;
		if (c->resp_left) {
			c->cwnd = c->cwnd < 64 ? c->cwnd * 2 : c->cwnd;
			c->burst = 0;
			c->phase = PH_RESP;
			d = 2 * US + below(20 * US);
			break;
		}
		if (round_done(g, c, &d))
			return;
		break;
	case PH_OOW:
		/* A middlebox's RST "from the server", far below the client's
		 * window: the client's stack drops it, so must tcpclose. */
		{
			uint8_t ttl = sv->ttl;
			sv->ttl = (uint8_t)(ttl - 7);
			tx(g, c, SV, F_RST, sv->nxt - 1000000u - below(1000000), 0, 0);
			sv->ttl = ttl;
			sv->ipid = (uint16_t)rnd();
		}
		c->oow_done = 1;
		if (c->rounds_left > 0) {
			c->phase = PH_REQ;
			d = (int64_t)fmin(expo(1.0 * SEC), 10.0 * SEC);
		} else {
			script_close(c);
			d = op_delay(c, &c->ops[0]);
		}
		break;
	}
	c->t += d;
	sift_down(g, c->hi);
}

/* ---- main --------------------------------------------------------------- */

static void usage(FILE *f)
{
	fputs("Usage: tc-gen --packets N --out FILE.pcap [--expect FILE.expect] [--seed S]\n"
	      "              [--concurrency K] [--snaplen BYTES] [--max-resp BYTES]\n"
	      "       tc-gen --synflood N --out FILE.pcap [--expect FILE.expect] [--seed S]\n"
	      "Write a large synthetic capture with a known ground truth (see bench/README.md).\n",
	      f);
}

static uint64_t parse_num(const char *s, const char *what)
{
	char *end;
	unsigned long long v;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-')
		die("invalid %s: %s", what, s);
	return v;
}

static void synflood(struct gen *g, uint64_t n)
{
	struct gconn c;
	uint64_t i;
	int64_t t = T0_NS;
	static const uint8_t attacker_mac[6] = {0x00, 0x1b, 0x21, 0x66, 0x66, 0x66};

	for (i = 0; i < n; i++) {
		memset(&c, 0, sizeof(c));
		c.af = 4;
		c.fate = SYN_ONLY;
		/* Unique spoofed sources: a bijection of the counter. */
		put32(c.sd[CL].addr, perm32((uint32_t)i ^ (uint32_t)rs[0]));
		c.sd[CL].port = (uint16_t)(1024 + below(64512));
		memcpy(c.sd[CL].mac, attacker_mac, 6);
		c.sd[CL].isn = (uint32_t)rnd();
		c.sd[CL].ttl = (uint8_t)(40 + below(200));
		c.sd[CL].ipid = (uint16_t)rnd();
		c.sd[CL].syn_win = (uint16_t)(512 + below(64000));
		c.sd[CL].wscale = 7;
		put32(c.sd[SV].addr, 0xc0000250u); /* 192.0.2.80 */
		c.sd[SV].port = 80;
		memcpy(c.sd[SV].mac, router_mac, 6);
		c.t = t;
		tx(g, &c, CL, F_SYN, c.sd[CL].isn, 0, 0);
		t += (int64_t)expo(10.0 * US) + 1; /* ~100k SYN/s */
	}
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"packets", required_argument, NULL, 'n'},
		{"seed", required_argument, NULL, 's'},
		{"out", required_argument, NULL, 'o'},
		{"expect", required_argument, NULL, 'e'},
		{"concurrency", required_argument, NULL, 'k'},
		{"snaplen", required_argument, NULL, 'l'},
		{"max-resp", required_argument, NULL, 'r'},
		{"synflood", required_argument, NULL, 'f'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static struct gen gs;
	struct gen *g = &gs;
	const char *out = NULL, *expect = NULL;
	uint64_t seed = 1, flood = 0, seedx, K = 0;
	pcap_t *dead;
	int ch, quiet = 0;
	uint32_t i;
	static char pbuf[1 << 22], ebuf[1 << 20];

	g->snaplen = 262144;
	while ((ch = getopt_long(argc, argv, "n:s:o:e:k:l:r:f:qh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n': g->target = parse_num(optarg, "--packets"); break;
		case 's': seed = parse_num(optarg, "--seed"); break;
		case 'o': out = optarg; break;
		case 'e': expect = optarg; break;
		case 'k': K = parse_num(optarg, "--concurrency"); break;
		case 'l': g->snaplen = (uint32_t)parse_num(optarg, "--snaplen"); break;
		case 'r': max_resp = (uint32_t)parse_num(optarg, "--max-resp"); break;
		case 'f': flood = parse_num(optarg, "--synflood"); break;
		case 'q': quiet = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 1;
		}
	}
	if (!out || (!g->target && !flood) || optind != argc) {
		usage(stderr);
		return 1;
	}
	if (g->snaplen < 96 || g->snaplen > 262144)
		die("--snaplen must be 96 .. 262144");
	if (max_resp && (max_resp < 300 || max_resp > 16777216))
		die("--max-resp must be 300 .. 16777216");

	seedx = seed;
	for (i = 0; i < 4; i++)
		rs[i] = splitmix(&seedx);

	dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, (int)g->snaplen,
						    PCAP_TSTAMP_PRECISION_NANO);
	if (!dead)
		die("pcap_open_dead failed");
	if (!(g->pcapf = fopen(out, "wb")))
		die("%s: %s", out, strerror(errno));
	setvbuf(g->pcapf, pbuf, _IOFBF, sizeof(pbuf));
	if (!(g->dump = pcap_dump_fopen(dead, g->pcapf)))
		die("%s: %s", out, pcap_geterr(dead));
	if (expect) {
		if (!(g->exp = fopen(expect, "w")))
			die("%s: %s", expect, strerror(errno));
		setvbuf(g->exp, ebuf, _IOFBF, sizeof(ebuf));
		if (flood)
			fprintf(g->exp, "# tc-gen --synflood %" PRIu64 " --seed %" PRIu64 "\n", flood, seed);
		else
			fprintf(g->exp, "# tc-gen --packets %" PRIu64 " --seed %" PRIu64 "\n", g->target,
				seed);
	}
	g->last_t = 0;

	if (flood) {
		synflood(g, flood);
	} else {
		uint64_t est_conns;
		if (!K) {
			K = g->target / 200;
			K = K < 1000 ? 1000 : K > 50000 ? 50000 : K;
		}
		g->K = (uint32_t)K;
		g->zombie_cap = K / 5;
		est_conns = g->target / 30 + 1;
		g->p_zombie = fmin(0.08, (double)g->zombie_cap / (double)est_conns);

		/* The first population: a tenth were already talking when the
		 * capture started; the rest open over the first seconds. */
		for (i = 0; i < g->K; i++) {
			if (i < g->K / 10)
				new_conn(g, T0_NS + (int64_t)below(100 * MS), 1);
			else
				new_conn(g, T0_NS + (int64_t)(unit() * 3.0 * SEC), 0);
		}
		while (g->heap_n) {
			struct gconn *c = g->heap[0];
			uint64_t mean;
			if (g->stop && g->regular == 0)
				break;
			step(g, c);
			noise(g, g->last_t);
			mean = g->finished > 100 ? g->finished_pkts / g->finished : 30;
			if (!g->stop && g->frames + g->regular * mean / 4 >= g->target)
				g->stop = 1;
		}
		/* Whatever is left (open connections) ends with the capture. */
		while (g->heap_n) {
			struct gconn *c = g->heap[--g->heap_n];
			free(c);
		}
	}

	if (g->exp) {
		fprintf(g->exp,
			"summary connections=%" PRIu64 " graceful=%" PRIu64 " half_closed=%" PRIu64
			" reset=%" PRIu64 " open=%" PRIu64 " refused=%" PRIu64 " packets=%" PRIu64
			" tcp_packets=%" PRIu64 " rst_ignored=%" PRIu64 "\n",
			g->announced, g->v_close[0], g->v_close[1], g->v_close[2], g->v_close[3],
			g->v_refused, g->frames, g->tcp_frames, g->by_fate[OOW]);
		if (fclose(g->exp) != 0)
			die("%s: write error", expect);
	}
	pcap_dump_flush(g->dump);
	if (ferror(g->pcapf))
		die("%s: write error", out);
	pcap_dump_close(g->dump);
	pcap_close(dead);
	free(g->heap);

	if (!quiet) {
		int f;
		fprintf(stderr,
			"tc-gen: %" PRIu64 " frames (%" PRIu64 " TCP), %" PRIu64 " connections, %.1f MB, "
			"%.1f s of capture, peak %" PRIu64 " open at once (target %u)\n",
			g->frames, g->tcp_frames, g->announced, (double)g->bytes / 1e6,
			(double)(g->last_t - T0_NS) / 1e9, flood ? flood : g->peak_pop, g->K);
		if (!flood) {
			fprintf(stderr, "tc-gen: fates:");
			for (f = 0; f < FATE__COUNT; f++)
				fprintf(stderr, " %s=%" PRIu64, fate_names[f], g->by_fate[f]);
			fprintf(stderr, " (midstream=%" PRIu64 ")\n", g->mid_count);
		}
	}
	return 0;
}
