/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * select.c -- report filters (see select.h).
 *
 * Small fixed tables rather than allocation: a command line names a handful
 * of ports and hosts, and a selection must be cheap to test once per
 * finished connection, millions of times.
 */
#include "select.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *tc_select_vocabulary(void)
{
	return "graceful, half_closed, reset, open, trailing_rst, refused, abortive_close, data_after_close, "
	       "no_connection, injected, keepalive_timeout, handshake_abort, dead_peer, unknown, "
	       "inferred, one_way";
}

/* Words about the capture rather than the verdict, kept above the close bits. */
static const struct {
	uint32_t bit;
	const char *name;
} extra_words[] = {
	{1u << 30, "inferred"}, /* a segment the capture missed was inferred */
	{1u << 31, "one_way"},  /* only one side's segments were captured */
};
#define N_EXTRA (sizeof(extra_words) / sizeof(extra_words[0]))

static int extra_hit(const struct tc_select *s, const struct tc_conn *c)
{
	return ((s->close_mask & extra_words[0].bit) && c->inferred) ||
	       ((s->close_mask & extra_words[1].bit) && c->one_way);
}

/*
 * Split `list` on commas and hand each non-empty item to fn. The items are
 * copied to a bounded buffer so fn gets a NUL-terminated word.
 */
static int each_item(struct tc_select *s, const char *list, char *err, size_t n,
		     int (*fn)(struct tc_select *, const char *, char *, size_t))
{
	const char *p = list;
	int any = 0;

	while (*p) {
		char item[80];
		size_t len = strcspn(p, ",");
		if (len >= sizeof(item)) {
			snprintf(err, n, "item too long: %.*s...", 20, p);
			return -1;
		}
		memcpy(item, p, len);
		item[len] = '\0';
		if (len) {
			if (fn(s, item, err, n) != 0)
				return -1;
			any = 1;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	if (!any) {
		snprintf(err, n, "empty list");
		return -1;
	}
	return 0;
}

static int add_word(struct tc_select *s, const char *w, char *err, size_t n)
{
	int i;
	for (i = 0; i < TC_CLOSE__COUNT; i++)
		if (!strcmp(w, tc_close_name((enum tc_close)i))) {
			s->close_mask |= 1u << i;
			return 0;
		}
	for (i = 1; i < TC_CAUSE__COUNT; i++)
		if (!strcmp(w, tc_cause_name((enum tc_cause)i))) {
			s->cause_mask |= 1u << i;
			return 0;
		}
	if (!strcmp(w, "trailing_rst")) {
		s->close_mask |= TC_SELECT_TRAILING;
		return 0;
	}
	for (i = 0; i < (int)N_EXTRA; i++)
		if (!strcmp(w, extra_words[i].name)) {
			s->close_mask |= extra_words[i].bit;
			return 0;
		}
	/* "half-closed" is how the text report spells the section. */
	if (!strcmp(w, "half-closed")) {
		s->close_mask |= 1u << TC_CLOSE_HALF_CLOSED;
		return 0;
	}
	snprintf(err, n, "unknown verdict or cause '%s' (one of: %s)", w, tc_select_vocabulary());
	return -1;
}

static int add_port(struct tc_select *s, const char *w, char *err, size_t n)
{
	char *end;
	unsigned long v;
	errno = 0;
	v = strtoul(w, &end, 10);
	if (errno || *end || end == w || w[0] == '-' || w[0] == '+' || v > 65535) {
		snprintf(err, n, "not a port number: %s", w);
		return -1;
	}
	if (s->nports == TC_SELECT_MAX) {
		snprintf(err, n, "more than %d ports", TC_SELECT_MAX);
		return -1;
	}
	s->ports[s->nports++] = (uint16_t)v;
	return 0;
}

static int add_host(struct tc_select *s, const char *w, char *err, size_t n)
{
	struct tc_net net = {0};
	char a[64];
	const char *slash = strchr(w, '/');
	size_t alen = slash ? (size_t)(slash - w) : strlen(w);
	int max, i;

	/* [v6] as printed by the text report, for copy and paste. */
	if (alen >= 2 && w[0] == '[' && w[alen - 1] == ']') {
		w++;
		alen -= 2;
	}
	if (alen >= sizeof(a))
		goto bad;
	memcpy(a, w, alen);
	a[alen] = '\0';
	if (inet_pton(AF_INET, a, net.addr) == 1) {
		net.af = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, a, net.addr) == 1) {
		net.af = 6;
		max = 128;
	} else {
		goto bad;
	}
	net.plen = (uint8_t)max;
	if (slash) {
		char *end;
		long l = strtol(slash + 1, &end, 10);
		if (end == slash + 1 || *end || l < 0 || l > max)
			goto bad;
		net.plen = (uint8_t)l;
	}
	/* Mask the host bits so 10.1.2.3/8 means 10.0.0.0/8. */
	for (i = net.plen; i < 128; i++)
		net.addr[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
	if (s->nnets == TC_SELECT_MAX) {
		snprintf(err, n, "more than %d hosts", TC_SELECT_MAX);
		return -1;
	}
	s->nets[s->nnets++] = net;
	return 0;
bad:
	snprintf(err, n, "not a numeric address or ADDR/LEN: %s (names are not resolved)", w);
	return -1;
}

int tc_select_words(struct tc_select *s, const char *list, char *err, size_t n)
{
	return each_item(s, list, err, n, add_word);
}

int tc_select_ports(struct tc_select *s, const char *list, char *err, size_t n)
{
	return each_item(s, list, err, n, add_port);
}

int tc_select_hosts(struct tc_select *s, const char *list, char *err, size_t n)
{
	return each_item(s, list, err, n, add_host);
}

int tc_select_has_words(const struct tc_select *s)
{
	return s->close_mask || s->cause_mask;
}

int tc_select_active(const struct tc_select *s)
{
	return tc_select_has_words(s) || s->nports || s->nnets;
}

static int in_net(const struct tc_net *net, int af, const uint8_t *addr)
{
	int full = net->plen / 8, rest = net->plen % 8;
	if (net->af != af)
		return 0;
	if (memcmp(net->addr, addr, (size_t)full) != 0)
		return 0;
	return !rest || ((addr[full] ^ net->addr[full]) & (uint8_t)(0xff00u >> rest)) == 0;
}

int tc_select_match(const struct tc_select *s, const struct tc_conn *c,
		    const struct tc_verdict *v, const struct tc_diagnosis *d)
{
	int i, hit;

	if (tc_select_has_words(s) && !(s->close_mask & (1u << v->close)) &&
	    !(s->cause_mask & (1u << d->cause)) &&
	    !((s->close_mask & TC_SELECT_TRAILING) && v->trailing_rst != TC_WHO_NONE) &&
	    !extra_hit(s, c))
		return 0;
	if (s->nports) {
		for (i = 0, hit = 0; i < s->nports && !hit; i++)
			hit = c->ep[0].port == s->ports[i] || c->ep[1].port == s->ports[i];
		if (!hit)
			return 0;
	}
	if (s->nnets) {
		for (i = 0, hit = 0; i < s->nnets && !hit; i++)
			hit = in_net(&s->nets[i], c->af, c->ep[0].addr) ||
			      in_net(&s->nets[i], c->af, c->ep[1].addr);
		if (!hit)
			return 0;
	}
	return 1;
}

static void cat(char *buf, size_t n, size_t *len, const char *s)
{
	int k;
	if (*len >= n)
		return;
	k = snprintf(buf + *len, n - *len, "%s", s);
	if (k > 0)
		*len += (size_t)k < n - *len ? (size_t)k : n - *len - 1;
}

void tc_select_describe(const struct tc_select *s, const char *words_opt, char *buf, size_t n)
{
	size_t len = 0;
	char item[64];
	int i, first;

	buf[0] = '\0';
	if (tc_select_has_words(s)) {
		cat(buf, n, &len, words_opt);
		for (i = 0, first = 1; i < TC_CLOSE__COUNT; i++)
			if (s->close_mask & (1u << i)) {
				cat(buf, n, &len, first ? " " : ",");
				cat(buf, n, &len, tc_close_name((enum tc_close)i));
				first = 0;
			}
		if (s->close_mask & TC_SELECT_TRAILING) {
			cat(buf, n, &len, first ? " " : ",");
			cat(buf, n, &len, "trailing_rst");
			first = 0;
		}
		for (i = 1; i < TC_CAUSE__COUNT; i++)
			if (s->cause_mask & (1u << i)) {
				cat(buf, n, &len, first ? " " : ",");
				cat(buf, n, &len, tc_cause_name((enum tc_cause)i));
				first = 0;
			}
		for (i = 0; i < (int)N_EXTRA; i++)
			if (s->close_mask & extra_words[i].bit) {
				cat(buf, n, &len, first ? " " : ",");
				cat(buf, n, &len, extra_words[i].name);
				first = 0;
			}
	}
	for (i = 0; i < s->nports; i++) {
		snprintf(item, sizeof(item), "%s%u", i ? "," : (len ? " --port " : "--port "), s->ports[i]);
		cat(buf, n, &len, item);
	}
	for (i = 0; i < s->nnets; i++) {
		const struct tc_net *net = &s->nets[i];
		char a[INET6_ADDRSTRLEN];
		inet_ntop(net->af == 4 ? AF_INET : AF_INET6, net->addr, a, sizeof(a));
		if (net->plen == (net->af == 4 ? 32 : 128))
			snprintf(item, sizeof(item), "%s%s", i ? "," : (len ? " --host " : "--host "), a);
		else
			snprintf(item, sizeof(item), "%s%s/%u", i ? "," : (len ? " --host " : "--host "), a,
				 net->plen);
		cat(buf, n, &len, item);
	}
}

void tc_select_json(FILE *o, const struct tc_select *s)
{
	int i, first = 1;

	fputs("\"only\":[", o);
	for (i = 0; i < TC_CLOSE__COUNT; i++)
		if (s->close_mask & (1u << i)) {
			fprintf(o, "%s\"%s\"", first ? "" : ",", tc_close_name((enum tc_close)i));
			first = 0;
		}
	if (s->close_mask & TC_SELECT_TRAILING) {
		fprintf(o, "%s\"trailing_rst\"", first ? "" : ",");
		first = 0;
	}
	for (i = 1; i < TC_CAUSE__COUNT; i++)
		if (s->cause_mask & (1u << i)) {
			fprintf(o, "%s\"%s\"", first ? "" : ",", tc_cause_name((enum tc_cause)i));
			first = 0;
		}
	for (i = 0; i < (int)N_EXTRA; i++)
		if (s->close_mask & extra_words[i].bit) {
			fprintf(o, "%s\"%s\"", first ? "" : ",", extra_words[i].name);
			first = 0;
		}
	fputs("],\"ports\":[", o);
	for (i = 0; i < s->nports; i++)
		fprintf(o, "%s%u", i ? "," : "", s->ports[i]);
	fputs("],\"hosts\":[", o);
	for (i = 0; i < s->nnets; i++) {
		const struct tc_net *net = &s->nets[i];
		char a[INET6_ADDRSTRLEN];
		inet_ntop(net->af == 4 ? AF_INET : AF_INET6, net->addr, a, sizeof(a));
		if (net->plen == (net->af == 4 ? 32 : 128))
			fprintf(o, "%s\"%s\"", i ? "," : "", a);
		else
			fprintf(o, "%s\"%s/%u\"", i ? "," : "", a, net->plen);
	}
	fputc(']', o);
}
