/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * zeek.c -- Zeek's names for how a connection went: conn_state, the close
 * label of a conn.log row, derived from the same endpoint facts as our
 * verdict (see tcpclose/zeek.h), and the row's deterministic uid.
 * Classification, not output: the Zeek writer prints these, the tests and
 * any other front end may ask for them.
 */
#include "tcpclose/zeek.h"

#include <string.h>

#include "hash.h"

/* ---- conn_state ------------------------------------------------------ */

/* Zeek's /\^?S[^HAFGIQ]*R.* / on the history: SYN, then RST, nothing between. */
static int syn_then_rst(const char *h)
{
	if (*h == '^')
		h++;
	if (*h++ != 'S')
		return 0;
	for (; *h && !strchr("HAFGIQR", *h); h++)
		;
	return *h == 'R';
}

/*
 * Zeek's TCP_Endpoint::Size(): the sequence space an endpoint covered, from
 * its initial sequence number to the highest of what it sent and what its
 * peer acknowledged, less the SYN and the FIN -- not the payload bytes
 * captured, so a hole in the capture still counts and a retransmission
 * does not count twice. An endpoint whose SYN was not seen has no known
 * start: there the payload bytes seen stand in (Zeek starts it one below
 * its first sequence number, which tcpclose does not keep). A SYN_SENT
 * endpoint that reset a connection its peer never answered covered
 * nothing (Zeek: a half-open connection found and aborted).
 */
uint64_t tc_zeek_size(const struct tc_conn *c, int role)
{
	const struct tc_endpoint *e = &c->ep[role], *peer = &c->ep[!role];
	uint32_t last, size;

	if (TC_ZSTATE_PREV(e) == TC_Z_SYN_SENT && TC_ZSTATE(e) == TC_Z_RESET &&
	    TC_ZSTATE(peer) == TC_Z_INACTIVE)
		return 0;
	if (!(e->flags & TC_EP_SYN) || !(e->flags & TC_EP_SEQ))
		return tc_ep_bytes(c, (enum tc_role)role);
	last = e->snd_nxt;
	if ((peer->flags & TC_EP_ACK) && (int32_t)(peer->ack - last) > 0 &&
	    (int32_t)(peer->ack - e->isn) > 0)
		last = peer->ack;
	size = last - e->isn;
	if (size)
		size--;           /* the SYN */
	if (tc_conn_end(c)->ep[role].fins && size)
		size--;           /* the FIN */
	return size;
}

/* Zeek's conn_state() (base/protocols/conn/main.zeek), over the endpoint
 * states Zeek's own rules gave the packets (segment.c). */
const char *tc_zeek_conn_state(const struct tc_conn *c)
{
	enum tc_zstate os = TC_ZSTATE(&c->ep[TC_CLIENT]), rs = TC_ZSTATE(&c->ep[TC_SERVER]);
	int o_inactive = os == TC_Z_INACTIVE || os == TC_Z_PARTIAL;
	int r_inactive = rs == TC_Z_INACTIVE || rs == TC_Z_PARTIAL;
	tc_history_buf hb;

	if (rs == TC_Z_RESET) {
		if (os == TC_Z_SYN_SENT || os == TC_Z_SYN_ACK_SENT ||
		    (os == TC_Z_RESET && tc_zeek_size(c, TC_CLIENT) == 0 &&
		     tc_zeek_size(c, TC_SERVER) == 0))
			return "REJ";
		return o_inactive ? "RSTRH" : "RSTR";
	}
	if (os == TC_Z_RESET) {
		if (r_inactive)
			return syn_then_rst(tc_conn_history(c, hb)) ? "RSTOS0" : "OTH";
		return "RSTO";
	}
	if (os == TC_Z_CLOSED && rs == TC_Z_CLOSED)
		return "SF";
	if (os == TC_Z_CLOSED)
		return r_inactive ? "SH" : "S2";
	if (rs == TC_Z_CLOSED)
		return o_inactive ? "SHR" : "S3";
	if (os == TC_Z_SYN_SENT && rs == TC_Z_INACTIVE)
		return "S0";
	if (os == TC_Z_ESTABLISHED && rs == TC_Z_ESTABLISHED)
		return "S1";
	return "OTH";
}

/* ---- uid ------------------------------------------------------------- */

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	while (n--) {
		h ^= *b++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/*
 * "C" (Zeek's prefix for connections), 11 base62 digits of a hash of the
 * 4-tuple and the first packet's time, then the connection id in base62.
 * Deterministic, so two runs over one capture agree and rows can be joined
 * across runs; the hash keeps the ids of different captures apart (every
 * capture has a connection 1); the id suffix makes it unique in a run.
 */
char *tc_zeek_uid(const struct tc_conn *c, char *buf)
{
	uint64_t h = 0xcbf29ce484222325ULL, id = c->id;
	uint8_t port[2];
	char tail[16];
	int i, n = 0;

	h = fnv1a(h, &c->af, 1);
	for (i = 0; i < 2; i++) {
		h = fnv1a(h, c->ep[i].addr, 16);
		port[0] = (uint8_t)(c->ep[i].port >> 8);
		port[1] = (uint8_t)c->ep[i].port;
		h = fnv1a(h, port, 2);
	}
	for (i = 0; i < 8; i++) {
		uint8_t byte = (uint8_t)((uint64_t)c->first_ts >> (8 * i));
		h = fnv1a(h, &byte, 1);
	}
	h = tc_splitmix64_fin(h); /* spreads FNV's weak high bits over all 64 */
	buf[0] = 'C';
	for (i = 11; i >= 1; i--) {
		buf[i] = b62[h % 62];
		h /= 62;
	}
	do {
		tail[n++] = b62[id % 62];
		id /= 62;
	} while (id);
	for (i = 0; i < n; i++)
		buf[12 + i] = tail[n - 1 - i];
	buf[12 + n] = '\0';
	return buf;
}

/*
 * tunnel_parents: Zeek's set of the uids of the encapsulating connections.
 * tcpclose logs no tunnel.log nor the outer UDP flows, so the uid is made
 * the same way from the tunnel itself (type, outer address pair in a fixed
 * order, id): every connection of one tunnel names the same parent, and
 * the set holds the tunnel directly around the connection.
 */
char *tc_zeek_tunnel_uid(const struct tc_conn *c, char buf[13])
{
	const struct tc_tunnel *t = &tc_conn_ext(c)->tun;
	const uint8_t *lo = t->src, *hi = t->dst;
	uint64_t h = 0xcbf29ce484222325ULL;
	uint8_t head[6];
	int i;

	if (!c->tunnel)
		return NULL;
	if (memcmp(lo, hi, 16) > 0) {
		lo = t->dst;
		hi = t->src;
	}
	head[0] = t->type;
	head[1] = t->af;
	for (i = 0; i < 4; i++)
		head[2 + i] = (uint8_t)(t->id >> (24 - 8 * i));
	h = fnv1a(h, head, sizeof(head));
	h = fnv1a(h, lo, 16);
	h = tc_splitmix64_fin(fnv1a(h, hi, 16));
	buf[0] = 'C';
	for (i = 11; i >= 1; i--) {
		buf[i] = b62[h % 62];
		h /= 62;
	}
	buf[12] = '\0';
	return buf;
}
