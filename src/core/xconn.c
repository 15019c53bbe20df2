/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xconn.c -- cross-connection memory for the RST diagnosis (see xconn.h).
 *
 * O(1) per segment: one hashed slot per data segment, a ring scan of
 * TC_XCONN_RSTS entries per accepted RST.
 */
#include "xconn.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"

struct host {
	uint8_t addr[16];
	uint8_t af;
	uint8_t ttl; /* TTL of its latest data segment */
	int64_t ts;  /* when; 0 = empty slot */
};

struct rst {
	uint8_t addr[16];
	uint16_t ip_id;
	int64_t ts; /* 0 = empty slot */
	uint64_t frame;
};

struct tc_xconn {
	uint64_t seed;
	struct host host[TC_XCONN_HOSTS];
	struct rst rst[TC_XCONN_RSTS];
	unsigned rst_next;
};

struct tc_xconn *tc_xconn_new(uint64_t seed)
{
	struct tc_xconn *x = calloc(1, sizeof(*x));
	if (x)
		x->seed = seed;
	return x;
}

void tc_xconn_free(struct tc_xconn *x)
{
	free(x);
}

static struct host *slot(struct tc_xconn *x, int af, const uint8_t addr[16])
{
	uint64_t a, b, h;
	memcpy(&a, addr, 8);
	memcpy(&b, addr + 8, 8);
	h = tc_hash_fold(tc_hash_fold(x->seed ^ (uint64_t)af, a), b);
	return &x->host[h % TC_XCONN_HOSTS];
}

static int same_host(const struct host *s, int af, const uint8_t addr[16])
{
	return s->ts && s->af == af && memcmp(s->addr, addr, 16) == 0;
}

void tc_xconn_segment(struct tc_xconn *x, struct tc_conn *c, const struct tc_pkt *p,
		      int64_t ts, uint64_t frame)
{
	struct host *s;
	struct tc_conn_ext *xe;
	unsigned i;

	if (!x)
		return;
	s = slot(x, p->af, p->src);
	if (p->payload_len > 0 && !(p->flags & (TC_RST | TC_SYN))) {
		memcpy(s->addr, p->src, 16);
		s->af = p->af;
		s->ttl = p->ttl;
		s->ts = ts ? ts : 1;
		return;
	}
	/* Only the RST this connection accepted first carries evidence. */
	if (!(p->flags & TC_RST) || tc_conn_end(c)->frame_rst != frame || !c->x)
		return;
	xe = c->x;
	if (same_host(s, p->af, p->src) && ts - s->ts <= TC_XCONN_MAX_AGE) {
		xe->rst.host_ttl = s->ttl;
		xe->rst.xconn |= TC_XC_HOST_TTL;
	}
	if (p->af != 4 || p->ip_id == 0)
		return; /* IPv6 has no ID; an ID of 0 is no counter */
	for (i = 0; i < TC_XCONN_RSTS; i++) {
		const struct rst *r = &x->rst[i];
		uint16_t d = (uint16_t)(p->ip_id - r->ip_id);
		if (r->ts && ts - r->ts <= TC_XCONN_MAX_AGE && memcmp(r->addr, p->src, 16) != 0 &&
		    d >= 1 && d <= TC_XCONN_IPID_STEP) {
			xe->rst.xconn |= TC_XC_IPID_RUN;
			xe->rst.xconn_frame = r->frame;
			break;
		}
	}
	memcpy(x->rst[x->rst_next].addr, p->src, 16);
	x->rst[x->rst_next].ip_id = p->ip_id;
	x->rst[x->rst_next].ts = ts ? ts : 1;
	x->rst[x->rst_next].frame = frame;
	x->rst_next = (x->rst_next + 1) % TC_XCONN_RSTS;
}
