/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * segdiff.c -- one segment through both per-segment paths, compared
 * (segdiff.h).
 */
#include "segdiff.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "infer.h"
#include "segment.h"
#include "tcpsm.h"

/* A byte of the record by where it lies: "ep[1]+44", "+392". */
static void where(size_t off, char *buf, size_t n)
{
	size_t ep0 = offsetof(struct tc_conn, ep), eps = sizeof(struct tc_endpoint);

	if (off >= ep0 && off < ep0 + 2 * eps)
		snprintf(buf, n, "ep[%zu]+%zu", (off - ep0) / eps, (off - ep0) % eps);
	else
		snprintf(buf, n, "+%zu", off);
}

/* A record's owned part (extension or end record, n bytes) on both paths:
 * made by both or neither, and then the same. */
static int same_part(const void *a, const void *b, size_t n, const char *name, const char *what,
		     struct segdiff *d)
{
	if (!a != !b) {
		snprintf(d->why, sizeof d->why, "%s: %s %s, full path %s", what, name,
			 a ? "made" : "none", b ? "made" : "none");
		return -1;
	}
	if (a && memcmp(a, b, n) != 0) {
		snprintf(d->why, sizeof d->why, "%s: %ss differ", what, name);
		return -1;
	}
	return 0;
}

/* Records a and b byte for byte, extension and end pointers aside; then
 * their extension and end records, if any. */
static int same(const struct tc_conn *a, const struct tc_conn *b, const char *what,
		struct segdiff *d)
{
	struct tc_conn ca, cb;
	const uint8_t *pa = (const uint8_t *)&ca, *pb = (const uint8_t *)&cb;
	char at[32];
	size_t i;

	memcpy(&ca, a, sizeof ca);
	memcpy(&cb, b, sizeof cb);
	ca.x = cb.x = NULL;
	ca.end = cb.end = NULL;
	for (i = 0; i < sizeof ca; i++) {
		if (pa[i] != pb[i]) {
			where(i, at, sizeof at);
			snprintf(d->why, sizeof d->why, "%s: record byte %s: 0x%02x, full path 0x%02x",
				 what, at, pa[i], pb[i]);
			return -1;
		}
	}
	if (same_part(a->x, b->x, sizeof *a->x, "extension record", what, d) != 0)
		return -1;
	return same_part(a->end, b->end, sizeof *a->end, "end record", what, d);
}

int segdiff_apply(struct tc_conn *c, enum tc_role from, const struct tc_pkt *p, int64_t ts_ns,
		  uint64_t frame, struct segdiff *d)
{
	struct tc_conn before, fast;
	struct tc_conn_ext xbefore, xfast;
	struct tc_conn_end ebefore, efast;
	int rc = 0;

	d->why[0] = '\0';
	/* Byte copies, padding included, so that only what a path writes
	 * can differ. */
	memcpy(&before, c, sizeof before);
	memcpy(&fast, c, sizeof fast);
	if (c->x) {
		memcpy(&xbefore, c->x, sizeof xbefore);
		memcpy(&xfast, c->x, sizeof xfast);
		before.x = &xbefore;
		fast.x = &xfast;
	}
	if (c->end) {
		memcpy(&ebefore, c->end, sizeof ebefore);
		memcpy(&efast, c->end, sizeof efast);
		before.end = &ebefore;
		fast.end = &efast;
	}

	d->fast = tc_segment_fast(&fast, from, p, ts_ns, frame);
	if (!(tc_infer_segment(c, from, p, ts_ns, frame) & TC_INFER_DUPLICATE))
		(void)tc_segment_apply(c, from, p, ts_ns, frame);

	if (d->fast)
		rc = same(&fast, c, "predicted", d);
	else
		rc = same(&fast, &before, "declined but changed", d);
	/* An extension or end record the fast path made on its copy is its own. */
	if (fast.x && fast.x != &xfast)
		free(fast.x);
	if (fast.end && fast.end != &efast)
		free(fast.end);
	return rc;
}

int segdiff_track(struct tc_flowtab *t, const struct tc_pkt *p, int64_t ts_ns, uint64_t frame,
		  struct segdiff *d)
{
	enum tc_role from = TC_CLIENT;
	struct tc_flow *f = tc_flowtab_find(t, p, &from);

	if (f && !tc_sm_is_new_syn(&f->conn, from, p))
		return segdiff_apply(&f->conn, from, p, ts_ns, frame, d);
	if (f) {
		tc_conn_release(&f->conn);
		memset(&f->conn, 0, sizeof f->conn);
	} else if ((f = tc_flowtab_add(t, p)) == NULL) {
		d->fast = 0;
		snprintf(d->why, sizeof d->why, "no memory for a record");
		return 1;
	}
	from = tc_sm_init(&f->conn, p);
	f->conn.tunnel = p->tunnel;
	return segdiff_apply(&f->conn, from, p, ts_ns, frame, d);
}
