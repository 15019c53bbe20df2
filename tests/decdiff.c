/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * decdiff.c -- one frame through both decoder paths, compared (decdiff.h).
 */
#include "decdiff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode_paths.h"

#define SAME(f)                                                                                    \
	do {                                                                                       \
		if (a->f != b->f) {                                                                \
			snprintf(why, n, "%s: tested path %llu, general %llu", #f,                        \
				 (unsigned long long)a->f, (unsigned long long)b->f);              \
			return -1;                                                                 \
		}                                                                                  \
	} while (0)

#define SAME_BYTES(f)                                                                              \
	do {                                                                                       \
		if (memcmp(a->f, b->f, sizeof a->f) != 0) {                                        \
			snprintf(why, n, "%s differs", #f);                                        \
			return -1;                                                                 \
		}                                                                                  \
	} while (0)

/* Every field by name, for a message that says which; then every byte,
 * which also covers padding and any field added later. */
static int same_pkt(const struct tc_pkt *a, const struct tc_pkt *b, char *why, size_t n)
{
	SAME(af);
	SAME(flags);
	SAME(ttl);
	SAME(opt);
	SAME_BYTES(src);
	SAME_BYTES(dst);
	SAME(sport);
	SAME(dport);
	SAME(seq);
	SAME(ack);
	SAME(win);
	SAME(ip_id);
	SAME(ip_df);
	SAME(wscale);
	SAME(mss);
	SAME(tsval);
	SAME(tsecr);
	SAME(payload_len);
	SAME(ip_len);
	if (a->payload != b->payload) {
		snprintf(why, n, "payload: tested path %p, general %p", (const void *)a->payload,
			 (const void *)b->payload);
		return -1;
	}
	SAME(payload_caplen);
	SAME(vlan);
	SAME(ip_fragment);
	SAME(len_clamped);
	SAME(tunnel);
	SAME(tun.type);
	SAME(tun.af);
	SAME(tun.has_id);
	SAME(tun.depth);
	SAME(tun.id);
	SAME_BYTES(tun.src);
	SAME_BYTES(tun.dst);
	if (memcmp(a, b, sizeof *a) != 0) {
		snprintf(why, n, "the structs differ outside the named fields (padding?)");
		return -1;
	}
	return 0;
}

int decdiff_frame(int dlt, const uint8_t *buf, uint32_t caplen, uint32_t wirelen,
		  struct decdiff *d)
{
	struct tc_pkt pw, pg, pf;
	enum tc_decode_status sw, sg;
	uint8_t *copy = malloc(caplen ? caplen : 1);
	int rc = 0;

	if (copy == NULL) {
		snprintf(d->why, sizeof d->why, "out of memory");
		return -1;
	}
	if (caplen)
		memcpy(copy, buf, caplen);
	d->why[0] = '\0';
	memset(&pw, 0x5a, sizeof pw);
	memset(&pg, 0xa5, sizeof pg);
	memset(&pf, 0x3c, sizeof pf);
	sw = tc_decode_wire(dlt, copy, caplen, wirelen, &pw);
	sg = tc_decode_general(dlt, copy, caplen, wirelen, &pg);
	d->fast = dlt == TC_DLT_EN10MB && tc_decode_fast(copy, caplen, wirelen, &pf);
	d->st = sg;
	if (sw != sg) {
		snprintf(d->why, sizeof d->why, "status: tc_decode_wire %s, general %s",
			 tc_decode_status_name(sw), tc_decode_status_name(sg));
		rc = -1;
	} else if (d->fast && sg != TC_DEC_OK) {
		snprintf(d->why, sizeof d->why, "tc_decode_fast took a frame the general path calls %s",
			 tc_decode_status_name(sg));
		rc = -1;
	} else if (sg == TC_DEC_OK) {
		rc = same_pkt(&pw, &pg, d->why, sizeof d->why);
		/* The straight line on its own, too: tc_decode_wire() ran it
		 * already, but this shows it is the one that agrees. */
		if (rc == 0 && d->fast && same_pkt(&pf, &pg, d->why, sizeof d->why) != 0)
			rc = -1;
	}
	free(copy);
	return rc;
}
