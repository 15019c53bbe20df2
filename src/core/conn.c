/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conn.c -- names of the connection vocabulary, address text, and the
 * lazily allocated extension record.
 *
 * The names are part of the output contract (JSON, .expect files, Zeek
 * columns): change one and every consumer breaks.
 */
#include "tcpclose/conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct tc_conn_ext zero_ext;

const struct tc_conn_ext *tc_conn_ext(const struct tc_conn *c)
{
	return c->x ? c->x : &zero_ext;
}

struct tc_conn_ext *tc_conn_ext_mut(struct tc_conn *c)
{
	if (!c->x)
		c->x = calloc(1, sizeof(*c->x));
	return c->x;
}

void tc_conn_release(struct tc_conn *c)
{
	free(c->x);
	c->x = NULL;
}

void tc_conn_copy(struct tc_conn *dst, struct tc_conn_ext *xbuf, const struct tc_conn *src)
{
	*dst = *src;
	if (src->x) {
		*xbuf = *src->x;
		dst->x = xbuf;
	}
}

static const char *const state_names[TC_STATE__COUNT] = {
	"CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED",
	"FIN_WAIT_1", "FIN_WAIT_2", "CLOSING", "TIME_WAIT", "CLOSE_WAIT", "LAST_ACK",
};

const char *tc_state_name(enum tc_state s)
{
	return (unsigned)s < TC_STATE__COUNT ? state_names[s] : "?";
}

const char *tc_inferred_name(unsigned bit)
{
	static const char *const n[TC_INF__COUNT] = {"client_fin", "server_fin", "client_rst",
						     "server_rst", "client_syn", "server_syn_ack",
						     "client_ack"};
	return bit < TC_INF__COUNT ? n[bit] : NULL;
}

const char *tc_opened_name(enum tc_opened o)
{
	static const char *const n[TC_OPENED__COUNT] = {
		"handshake", "syn_only", "refused", "midstream"};
	return (unsigned)o < TC_OPENED__COUNT ? n[o] : "?";
}

const char *tc_close_name(enum tc_close c)
{
	static const char *const n[TC_CLOSE__COUNT] = {
		"graceful", "half_closed", "reset", "open"};
	return (unsigned)c < TC_CLOSE__COUNT ? n[c] : "?";
}

const char *tc_who_name(enum tc_who w)
{
	switch (w) {
	case TC_WHO_CLIENT: return "client";
	case TC_WHO_SERVER: return "server";
	case TC_WHO_BOTH: return "both";
	default: return NULL;
	}
}

const char *tc_phase_name(enum tc_phase p)
{
	switch (p) {
	case TC_PHASE_HANDSHAKE: return "handshake";
	case TC_PHASE_ESTABLISHED: return "established";
	case TC_PHASE_CLOSING: return "closing";
	default: return NULL;
	}
}

/*
 * RFC 5952: lower-case hex, no leading zeros, the longest run of two or
 * more zero groups (the first on a tie) as "::", and IPv4-mapped addresses
 * with a dotted quad (section 5). Written out rather than left to
 * inet_ntop() so the text is the same on every libc.
 */
/* Decimal 0..255 without sprintf: addresses are formatted once per
 * connection per output line, and printf's machinery dominated that. */
static char *put_dec8(char *o, unsigned v)
{
	if (v >= 100)
		*o++ = (char)('0' + v / 100);
	if (v >= 10)
		*o++ = (char)('0' + v / 10 % 10);
	*o++ = (char)('0' + v % 10);
	return o;
}

static char *put_v4(char *o, const uint8_t a[4])
{
	int i;
	for (i = 0; i < 4; i++) {
		if (i)
			*o++ = '.';
		o = put_dec8(o, a[i]);
	}
	*o = '\0';
	return o;
}

/* Lower-case hex without leading zeros (RFC 5952 4.1, 4.3). */
static char *put_hex16(char *o, unsigned v)
{
	static const char hex[] = "0123456789abcdef";
	int shift, started = 0;
	for (shift = 12; shift >= 0; shift -= 4) {
		unsigned d = (v >> shift) & 0xf;
		if (d || started || shift == 0) {
			*o++ = hex[d];
			started = 1;
		}
	}
	return o;
}

static void v6_str(const uint8_t a[16], char *buf)
{
	uint16_t g[8];
	int best = -1, best_len = 0, i;
	char *o = buf;

	for (i = 0; i < 8; i++)
		g[i] = (uint16_t)(a[2 * i] << 8 | a[2 * i + 1]);

	if (g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 &&
	    g[5] == 0xffff) {
		memcpy(buf, "::ffff:", 7);
		put_v4(buf + 7, a + 12);
		return;
	}
	for (i = 0; i < 8;) {
		int j = i;
		while (j < 8 && g[j] == 0)
			j++;
		if (j - i > best_len && j - i >= 2) {
			best = i;
			best_len = j - i;
		}
		i = j > i ? j : i + 1;
	}
	for (i = 0; i < 8; i++) {
		if (i == best) {
			*o++ = ':';
			if (i == 0)
				*o++ = ':';
			i += best_len - 1;
			continue;
		}
		o = put_hex16(o, g[i]);
		if (i < 7)
			*o++ = ':';
	}
	*o = '\0';
}

char *tc_addr_str(int af, const uint8_t addr[16], char *buf)
{
	if (af == 4)
		put_v4(buf, addr);
	else
		v6_str(addr, buf);
	return buf;
}
