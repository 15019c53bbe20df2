/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_packets.c -- arbitrary bytes as a stream of frames into the engine.
 *
 * Input format (all of it is optional: a short input just means fewer
 * frames; fuzz/seeds.sh writes real captures in this format):
 *
 *   byte 0      link type: index into fp_links[] (fuzz_packets.h) mod its size; the
 *               last entries are link types the decoder does not know
 *   byte 1      options:
 *                 bits 0-2  max_conns  1 2 3 4 8 16 64 default
 *                 bits 3-4  linger     0, 1 ms, 1 s, default (5 s)
 *                 bit 5     wild time: the start time is any int64
 *                           (otherwise a 32-bit second count, as pcap has)
 *                 bit 6     every frame has its own link-type byte
 *                 bit 7     aggregator capped at 4 hosts/services
 *   start time  4 bytes big-endian seconds, or 8 bytes of int64 (bit 5)
 *   frames, until the input ends, each:
 *     [dlt]       1 byte, only with bit 6: index into fp_links[]
 *     len         2 bytes big-endian
 *                   bit 15 clear: a new frame of len bytes (fewer if the
 *                                 input ends first)
 *                   bit 15 set:   replay an earlier frame (index: the low
 *                                 15 bits mod the number kept) with one
 *                                 byte patched: 2 more bytes, position
 *                                 (mod its length) and XOR value. This
 *                                 makes the same 4-tuple with another
 *                                 flag, seq or ack cheap to reach.
 *     dt          1 byte, signed: time step in 10 ms units; +127 is +10 s
 *                 (expiry, linger), -128 is -10 s (time going backwards)
 *     data        len bytes
 *
 * Each frame is copied into a buffer of exactly its length, so ASan sees a
 * read one byte past the captured data.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode_paths.h"
#include "fuzz_check.h"
#include "fuzz_packets.h"
#include "output.h"
#include "segdiff.h"
#include "tcpclose/engine.h"


static const uint32_t max_conns_opt[8] = {1, 2, 3, 4, 8, 16, 64, 0};
static const int64_t linger_opt[4] = {0, 1000000LL, 1000000000LL, -1};

#define KEEP 64          /* frames remembered for replay */
#define MAX_FRAMES 4096  /* bound the work per input */

struct frame {
	uint8_t *data;
	uint32_t len;
};

struct in {
	const uint8_t *p, *end;
};

static int get(struct in *in, void *dst, size_t n)
{
	if ((size_t)(in->end - in->p) < n)
		return 0;
	memcpy(dst, in->p, n);
	in->p += n;
	return 1;
}

/*
 * The decoder's straight line promises the general path's result for every
 * frame: the same status and, decoded, the same struct tc_pkt, every byte
 * (each output starts from other bytes, so one left unwritten shows).
 * Returns that status, with the segment in *a.
 */
static enum tc_decode_status same_decode(int dlt, const uint8_t *d, uint32_t len,
					 struct tc_pkt *a)
{
	struct tc_pkt b;
	enum tc_decode_status sa, sb;

	memset(a, 0x00, sizeof(*a));
	memset(&b, 0xff, sizeof(b));
	sa = tc_decode_wire(dlt, d, len, 0, a);
	sb = tc_decode_general(dlt, d, len, 0, &b);
	FC_REQUIRE(sa == sb, "the decoder's two paths disagree on the status");
	FC_REQUIRE(sa != TC_DEC_OK || memcmp(a, &b, sizeof(*a)) == 0,
		   "the decoder's two paths disagree on the segment");
	return sa;
}

/*
 * The per-segment pass's prediction (tc_segment_fast) promises the full
 * path's record for every segment it takes, and an untouched one for every
 * segment it declines: each decoded segment p also goes to a connection kept
 * in table t, through both (tests/segdiff.c).
 */
static void same_segment(struct tc_flowtab *t, const struct tc_pkt *p, int64_t ts,
			 uint64_t frame)
{
	struct segdiff sd;

	FC_REQUIRE(segdiff_track(t, p, ts, frame, &sd) >= 0,
		   "the per-segment pass's two paths disagree");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = {data, data + size};
	struct tc_engine_opts o = {0};
	struct tc_engine *e;
	struct tc_flowtab *segs;
	struct fc_run r;
	struct tc_run_info ri = {0};
	struct frame kept[KEEP];
	size_t nkept = 0, i;
	uint8_t hdr[2] = {0, 0}, b[8];
	int64_t ts;
	uint64_t frame = 0;
	int dlt;

	memset(kept, 0, sizeof(kept));
	if (!get(&in, hdr, 2))
		return 0;
	dlt = fp_links[hdr[0] % FP_NLINKS];
	o.max_conns = max_conns_opt[hdr[1] & 7];
	o.linger_ns = linger_opt[(hdr[1] >> 3) & 3];
	o.hash_seed = 0x5eed;
	if (hdr[1] & 0x20) {
		uint64_t u = 0;
		if (!get(&in, b, 8))
			return 0;
		for (i = 0; i < 8; i++)
			u = u << 8 | b[i];
		ts = (int64_t)u;
	} else {
		uint32_t s;
		if (!get(&in, b, 4))
			return 0;
		s = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
		ts = (int64_t)s * 1000000000LL;
	}

	fc_begin(&r, (hdr[1] & 0x80) ? 4 : 0);
	e = tc_engine_new(&o, fc_conn, &r);
	if (!e)
		abort();
	tc_engine_set_tap(e, fc_tap, &r);
	r.st = tc_engine_stats(e);
	segs = tc_flowtab_new(0x5eed);
	if (!segs)
		abort();

	while (frame < MAX_FRAMES) {
		uint8_t lb[2], dtb;
		uint16_t len;
		int8_t dt;
		int fdlt = dlt;
		struct frame f;
		struct tc_pkt pk;

		if (hdr[1] & 0x40) {
			uint8_t d;
			if (!get(&in, &d, 1))
				break;
			fdlt = fp_links[d % FP_NLINKS];
		}
		if (!get(&in, lb, 2))
			break;
		len = (uint16_t)(lb[0] << 8 | lb[1]);
		if (len & 0x8000) {
			uint8_t pb[2];
			const struct frame *src;
			if (!get(&in, pb, 2) || !get(&in, &dtb, 1))
				break;
			if (nkept == 0)
				continue;
			src = &kept[(len & 0x7fff) % (nkept < KEEP ? nkept : KEEP)];
			f.len = src->len;
			f.data = malloc(f.len ? f.len : 1);
			if (!f.data)
				abort();
			memcpy(f.data, src->data, f.len);
			if (f.len)
				f.data[pb[0] % f.len] ^= pb[1];
		} else {
			size_t n;
			if (!get(&in, &dtb, 1))
				break;
			n = (size_t)(in.end - in.p);
			f.len = len < n ? len : (uint32_t)n;
			f.data = malloc(f.len ? f.len : 1);
			if (!f.data)
				abort();
			memcpy(f.data, in.p, f.len);
			in.p += f.len;
		}
		dt = (int8_t)dtb;
		/* Wrapping arithmetic: in wild mode time may wrap around, and
		 * the harness itself must not overflow a signed integer. */
		if (dt == 127)
			ts = (int64_t)((uint64_t)ts + 10000000000ULL);
		else if (dt == -128)
			ts = (int64_t)((uint64_t)ts - 10000000000ULL);
		else
			ts = (int64_t)((uint64_t)ts + (uint64_t)((int64_t)dt * 10000000LL));

		frame++;
		r.max_frame = frame;
		/* A zero-length frame gets a zero-size allocation: any read of it
		 * is a heap overflow ASan reports. */
		if (f.len == 0) {
			free(f.data);
			f.data = malloc(0);
		}
		if (same_decode(fdlt, f.data, f.len, &pk) == TC_DEC_OK)
			same_segment(segs, &pk, fc_ts(ts), frame);
		/* Queued (as the offline run feeds them) and direct in turn:
		 * a direct frame must take the queue first. */
		if (frame % 3)
			tc_engine_push(e, fdlt, fc_ts(ts), frame, f.data, f.len, 0);
		else
			tc_engine_frame(e, fdlt, fc_ts(ts), frame, f.data, f.len);

		/* Keep it for replays (ring of KEEP). */
		if (nkept >= KEEP)
			free(kept[nkept % KEEP].data);
		kept[nkept % KEEP] = f;
		nkept++;
	}

	tc_engine_finish(e);
	fc_end(&r, tc_engine_stats(e), &ri);
	tc_engine_free(e);
	tc_flowtab_free(segs);
	for (i = 0; i < KEEP && i < nkept; i++)
		free(kept[i].data);
	return 0;
}
