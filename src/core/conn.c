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
const struct tc_conn_end tc_conn_end_zero;

const char *tc_conn_history_x(const struct tc_conn *c, const struct tc_conn_ext *x,
			      tc_history_buf buf)
{
	if (c->hist_len <= TC_HISTORY_INLINE)
		return c->history;
	memcpy(buf, c->history, TC_HISTORY_INLINE);
	memcpy(buf + TC_HISTORY_INLINE, x->hist_more, (size_t)(c->hist_len - TC_HISTORY_INLINE));
	buf[c->hist_len] = '\0';
	return buf;
}

const char *tc_conn_history(const struct tc_conn *c, tc_history_buf buf)
{
	return tc_conn_history_x(c, tc_conn_ext(c), buf);
}

void tc_ep_carry_bytes(struct tc_conn *c, enum tc_role who, int bytes, int ip_bytes)
{
	struct tc_conn_ext *x = tc_conn_ext_mut(c);
	if (!x)
		return;
	x->ep[who].bytes_hi += (uint32_t)(bytes != 0);
	x->ep[who].ip_bytes_hi += (uint32_t)(ip_bytes != 0);
}

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

struct tc_conn_end *tc_conn_end_mut(struct tc_conn *c)
{
	if (!c->end)
		c->end = calloc(1, sizeof(*c->end));
	return c->end;
}

void tc_conn_release(struct tc_conn *c)
{
	free(c->x);
	c->x = NULL;
	free(c->end);
	c->end = NULL;
}

void tc_conn_copy(struct tc_conn *dst, struct tc_conn_bufs *b, const struct tc_conn *src)
{
	*dst = *src;
	if (src->x) {
		b->x = *src->x;
		dst->x = &b->x;
	}
	if (src->end) {
		b->end = *src->end;
		dst->end = &b->end;
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

/* Addresses are written once per connection per output line, so without
 * printf's machinery. Each octet's digits, padded to three bytes, then their count: copied as
 * four bytes, of which the count is overwritten by what follows. */
/* clang-format off */
static const char octet[256][4] = {
	"0\0\0\1", "1\0\0\1", "2\0\0\1", "3\0\0\1", "4\0\0\1", "5\0\0\1", "6\0\0\1", "7\0\0\1",
	"8\0\0\1", "9\0\0\1", "10\0\2", "11\0\2", "12\0\2", "13\0\2", "14\0\2", "15\0\2",
	"16\0\2", "17\0\2", "18\0\2", "19\0\2", "20\0\2", "21\0\2", "22\0\2", "23\0\2",
	"24\0\2", "25\0\2", "26\0\2", "27\0\2", "28\0\2", "29\0\2", "30\0\2", "31\0\2",
	"32\0\2", "33\0\2", "34\0\2", "35\0\2", "36\0\2", "37\0\2", "38\0\2", "39\0\2",
	"40\0\2", "41\0\2", "42\0\2", "43\0\2", "44\0\2", "45\0\2", "46\0\2", "47\0\2",
	"48\0\2", "49\0\2", "50\0\2", "51\0\2", "52\0\2", "53\0\2", "54\0\2", "55\0\2",
	"56\0\2", "57\0\2", "58\0\2", "59\0\2", "60\0\2", "61\0\2", "62\0\2", "63\0\2",
	"64\0\2", "65\0\2", "66\0\2", "67\0\2", "68\0\2", "69\0\2", "70\0\2", "71\0\2",
	"72\0\2", "73\0\2", "74\0\2", "75\0\2", "76\0\2", "77\0\2", "78\0\2", "79\0\2",
	"80\0\2", "81\0\2", "82\0\2", "83\0\2", "84\0\2", "85\0\2", "86\0\2", "87\0\2",
	"88\0\2", "89\0\2", "90\0\2", "91\0\2", "92\0\2", "93\0\2", "94\0\2", "95\0\2",
	"96\0\2", "97\0\2", "98\0\2", "99\0\2", "100\3", "101\3", "102\3", "103\3",
	"104\3", "105\3", "106\3", "107\3", "108\3", "109\3", "110\3", "111\3",
	"112\3", "113\3", "114\3", "115\3", "116\3", "117\3", "118\3", "119\3",
	"120\3", "121\3", "122\3", "123\3", "124\3", "125\3", "126\3", "127\3",
	"128\3", "129\3", "130\3", "131\3", "132\3", "133\3", "134\3", "135\3",
	"136\3", "137\3", "138\3", "139\3", "140\3", "141\3", "142\3", "143\3",
	"144\3", "145\3", "146\3", "147\3", "148\3", "149\3", "150\3", "151\3",
	"152\3", "153\3", "154\3", "155\3", "156\3", "157\3", "158\3", "159\3",
	"160\3", "161\3", "162\3", "163\3", "164\3", "165\3", "166\3", "167\3",
	"168\3", "169\3", "170\3", "171\3", "172\3", "173\3", "174\3", "175\3",
	"176\3", "177\3", "178\3", "179\3", "180\3", "181\3", "182\3", "183\3",
	"184\3", "185\3", "186\3", "187\3", "188\3", "189\3", "190\3", "191\3",
	"192\3", "193\3", "194\3", "195\3", "196\3", "197\3", "198\3", "199\3",
	"200\3", "201\3", "202\3", "203\3", "204\3", "205\3", "206\3", "207\3",
	"208\3", "209\3", "210\3", "211\3", "212\3", "213\3", "214\3", "215\3",
	"216\3", "217\3", "218\3", "219\3", "220\3", "221\3", "222\3", "223\3",
	"224\3", "225\3", "226\3", "227\3", "228\3", "229\3", "230\3", "231\3",
	"232\3", "233\3", "234\3", "235\3", "236\3", "237\3", "238\3", "239\3",
	"240\3", "241\3", "242\3", "243\3", "244\3", "245\3", "246\3", "247\3",
	"248\3", "249\3", "250\3", "251\3", "252\3", "253\3", "254\3", "255\3",
};
/* clang-format on */

char *tc_addr_put4(char *o, const uint8_t a[4])
{
	int i;

	for (i = 0; i < 4; i++) {
		unsigned v = a[i];
		memcpy(o, octet[v], 4);
		o += octet[v][3];
		*o++ = '.';
	}
	return o - 1; /* the last dot was not one */
}

/* Two lower-case hex digits per byte value. */
/* clang-format off */
static const char hex2[512] =
	"00" "01" "02" "03" "04" "05" "06" "07" "08" "09" "0a" "0b" "0c" "0d" "0e" "0f"
	"10" "11" "12" "13" "14" "15" "16" "17" "18" "19" "1a" "1b" "1c" "1d" "1e" "1f"
	"20" "21" "22" "23" "24" "25" "26" "27" "28" "29" "2a" "2b" "2c" "2d" "2e" "2f"
	"30" "31" "32" "33" "34" "35" "36" "37" "38" "39" "3a" "3b" "3c" "3d" "3e" "3f"
	"40" "41" "42" "43" "44" "45" "46" "47" "48" "49" "4a" "4b" "4c" "4d" "4e" "4f"
	"50" "51" "52" "53" "54" "55" "56" "57" "58" "59" "5a" "5b" "5c" "5d" "5e" "5f"
	"60" "61" "62" "63" "64" "65" "66" "67" "68" "69" "6a" "6b" "6c" "6d" "6e" "6f"
	"70" "71" "72" "73" "74" "75" "76" "77" "78" "79" "7a" "7b" "7c" "7d" "7e" "7f"
	"80" "81" "82" "83" "84" "85" "86" "87" "88" "89" "8a" "8b" "8c" "8d" "8e" "8f"
	"90" "91" "92" "93" "94" "95" "96" "97" "98" "99" "9a" "9b" "9c" "9d" "9e" "9f"
	"a0" "a1" "a2" "a3" "a4" "a5" "a6" "a7" "a8" "a9" "aa" "ab" "ac" "ad" "ae" "af"
	"b0" "b1" "b2" "b3" "b4" "b5" "b6" "b7" "b8" "b9" "ba" "bb" "bc" "bd" "be" "bf"
	"c0" "c1" "c2" "c3" "c4" "c5" "c6" "c7" "c8" "c9" "ca" "cb" "cc" "cd" "ce" "cf"
	"d0" "d1" "d2" "d3" "d4" "d5" "d6" "d7" "d8" "d9" "da" "db" "dc" "dd" "de" "df"
	"e0" "e1" "e2" "e3" "e4" "e5" "e6" "e7" "e8" "e9" "ea" "eb" "ec" "ed" "ee" "ef"
	"f0" "f1" "f2" "f3" "f4" "f5" "f6" "f7" "f8" "f9" "fa" "fb" "fc" "fd" "fe" "ff";
/* clang-format on */

/* Lower-case hex of a 16-bit group without leading zeros (RFC 5952 4.1):
 * all four digits made in a scratch word, the last n of them copied. */
static inline char *put_hex16(char *o, unsigned v)
{
	char t[8] = {0};
	unsigned n = v >= 0x1000 ? 4 : v >= 0x100 ? 3
			       : v >= 0x10        ? 2
						  : 1;

	memcpy(t, hex2 + 2 * (v >> 8), 2);
	memcpy(t + 2, hex2 + 2 * (v & 0xff), 2);
	memcpy(o, t + 4 - n, 4); /* n bytes count; the rest is scratch */
	return o + n;
}

/*
 * RFC 5952: lower-case hex, no leading zeros, the longest run of two or
 * more zero groups (the first on a tie) as "::", and IPv4-mapped addresses
 * with a dotted quad (section 5). Written out rather than left to
 * inet_ntop() so the text is the same on every libc.
 */
char *tc_addr_put6(char *o, const uint8_t a[16])
{
	unsigned g[8], zeros = 0;
	int best = -1, best_len = 0, i;

	for (i = 0; i < 8; i++) {
		g[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
		zeros |= (unsigned)(g[i] == 0) << i;
	}
	/* IPv4-mapped (RFC 5952 5): the dotted quad. */
	if (!(g[0] | g[1] | g[2] | g[3] | g[4]) && g[5] == 0xffff) {
		memcpy(o, "::ffff:", 7);
		return tc_addr_put4(o + 7, a + 12);
	}
	/* The longest run of two or more zero groups, the first on a tie. */
	for (i = 0; i < 8 && (zeros & zeros >> 1);) { /* none: no two zero groups in a row */
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
	return o;
}

char *tc_addr_str(int af, const uint8_t addr[16], char *buf)
{
	*(af == 4 ? tc_addr_put4(buf, addr) : tc_addr_put6(buf, addr)) = '\0';
	return buf;
}
