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

/* Zeek's per-endpoint TCP states (TCP_Endpoint.h), as conn_state sees them. */
enum zstate { Z_INACTIVE, Z_SYN_SENT, Z_PARTIAL, Z_ESTABLISHED, Z_CLOSED, Z_RESET };

/*
 * Zeek's endpoint state, from what the record says the endpoint did. Zeek
 * moves an endpoint to CLOSED on its FIN and to RESET on its RST, and both
 * ends to ESTABLISHED on the SYN+ACK; an endpoint whose first packet was
 * not a SYN (and that never saw the handshake) is PARTIAL. We take only
 * accepted RSTs, so the state agrees with our close verdict: an RST that
 * failed the acceptability check, or that came after both FINs were
 * acknowledged, did not end the connection.
 */
static enum zstate zeek_state(const struct tc_conn *c, int role)
{
	const struct tc_endpoint *e = &c->ep[role], *peer = &c->ep[!role];

	if (e->flags & TC_EP_RST)
		return Z_RESET;
	if (e->flags & TC_EP_FIN)
		return Z_CLOSED;
	if (e->pkts == 0)
		return Z_INACTIVE;
	if (role == TC_CLIENT) {
		if (e->flags & TC_EP_SYN)
			return (peer->flags & TC_EP_SYN) ? Z_ESTABLISHED : Z_SYN_SENT;
		/* SYN missed, SYN+ACK seen: Zeek establishes on the client's ACK. */
		return (peer->flags & TC_EP_SYN) ? Z_ESTABLISHED : Z_PARTIAL;
	}
	if (e->flags & TC_EP_SYN)
		return Z_ESTABLISHED;
	/* A bare ACK to a SYN, before any SYN+ACK, leaves Zeek's responder
	 * INACTIVE ("eccentric TCPs", TCP.cc). */
	if ((peer->flags & TC_EP_SYN) && e->bytes == 0)
		return Z_INACTIVE;
	return Z_PARTIAL;
}

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

/* Zeek's conn_state() (base/protocols/conn/main.zeek), over our facts. */
const char *tc_zeek_conn_state(const struct tc_conn *c)
{
	enum zstate os = zeek_state(c, TC_CLIENT), rs = zeek_state(c, TC_SERVER);
	int o_inactive = os == Z_INACTIVE || os == Z_PARTIAL;
	int r_inactive = rs == Z_INACTIVE || rs == Z_PARTIAL;

	if (rs == Z_RESET) {
		if (os == Z_SYN_SENT ||
		    (os == Z_RESET && c->ep[TC_CLIENT].bytes == 0 && c->ep[TC_SERVER].bytes == 0))
			return "REJ";
		return o_inactive ? "RSTRH" : "RSTR";
	}
	if (os == Z_RESET) {
		if (r_inactive)
			return syn_then_rst(c->history) ? "RSTOS0" : "OTH";
		return "RSTO";
	}
	if (os == Z_CLOSED && rs == Z_CLOSED)
		return "SF";
	if (os == Z_CLOSED)
		return r_inactive ? "SH" : "S2";
	if (rs == Z_CLOSED)
		return o_inactive ? "SHR" : "S3";
	if (os == Z_SYN_SENT && rs == Z_INACTIVE)
		return "S0";
	if (os == Z_ESTABLISHED && rs == Z_ESTABLISHED)
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
