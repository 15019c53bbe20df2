/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * freeze.c -- lossless compact form of a connection record (see freeze.h).
 *
 * The record is read as 32-bit lanes (struct tc_conn's, then struct
 * tc_conn_ext's, in memory order). Each lane has one reference, fixed by
 * the table ref[] below: zero (the lane is written raw), or an earlier
 * lane (the same field in the other endpoint, the sequence number a field
 * follows, ...), or the same half of first_ts for the halves of a 64-bit
 * time. A lane is written as the low 1, 2 or 4 bytes of its difference
 * from its reference, as a signed number (sign-extended on thaw), and a
 * lane that is zero takes no byte.
 *
 * Layout:
 *   - a flags byte (FZ_EXT: an extension record follows);
 *   - first_ts's two lanes, 4 bytes each, lowest byte first;
 *   - a 2-bit code per lane of struct tc_conn, four to a byte, LSB first
 *     (bits past the last lane zero): 0 the lane is zero, 1, 2, 3 it
 *     takes 1, 2, 4 bytes. The lanes of first_ts (above) and of the
 *     extension pointer (encoded as zero, set again on thaw) have code 0;
 *   - those lanes' bytes, lowest first, one lane after the other;
 *   - with FZ_EXT: the extension's lane bytes, then its codes (as above)
 *     with the bytes that are zero left out -- the extension is mostly
 *     zero lanes --, then 4 bytes (LSB first): bit i says code byte i is
 *     there. At the end, so that the encoder writes everything in one
 *     pass.
 *
 * Why a fixed reference rather than the best of several per lane: the
 * best one is nearly always the same for a given field, and this runs for
 * every connection that closes and again when it is reported. Searching
 * cost more instructions than every other step together; without it the
 * encoder is one pass over the nonzero lanes (found 16 at a time) with no
 * choice but a length, and the decoder one pass over the nonzero codes,
 * each lane one load, a shift and an add. Fields this table does not name
 * are written raw: correct for any layout, only bigger.
 */
#include "freeze.h"

#include <stddef.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

enum { FZ_EXT = 0x01 };

#define CONN_LANES (sizeof(struct tc_conn) / 4)
#define EXT_LANES (sizeof(struct tc_conn_ext) / 4)
/* The lanes in one array: zero lanes (the raw lanes' reference), the
 * record's, the extension's, then zero lanes that the 16-lane loads past
 * a part's end may read. */
#define W_CONN 4
#define W_EXT (W_CONN + CONN_LANES)
#define W_LANES (W_EXT + EXT_LANES + 16)
#define CONN_CODES ((CONN_LANES * 2 + 7) / 8)
#define EXT_CODES ((EXT_LANES * 2 + 7) / 8)
#define HDR (1 + 8)
#define CONN_DATA (HDR + CONN_CODES)

_Static_assert(sizeof(struct tc_conn) % 8 == 0, "tc_conn is not a whole number of lanes");
_Static_assert(sizeof(struct tc_conn_ext) % 8 == 0, "tc_conn_ext is not a whole number of lanes");
_Static_assert(offsetof(struct tc_conn, first_ts) % 8 == 0, "first_ts not 8-aligned");
_Static_assert(W_LANES < 65536, "lane index does not fit the reference table");
/* The extension's code bytes are flagged in 32 bits. */
_Static_assert(EXT_CODES <= 32, "too many extension code bytes for the flag word");
/* The decoder reads each lane's bytes as the 4 bytes that end them: the
 * header and the record's codes always lie before. */
_Static_assert(CONN_DATA >= 4, "header too short for the decoder's loads");
/* The encoder writes 4 bytes for every lane, whatever it keeps: the
 * maximum leaves room for 3 more (the lanes of first_ts and of the
 * pointer are never written). */
_Static_assert(TC_FREEZE_MAX >= CONN_DATA + 4 * (CONN_LANES - 2) + 4 * EXT_LANES + EXT_CODES + 4 + 3,
	       "TC_FREEZE_MAX too small");

/* Lane of w[] holding field f's first 4 bytes. */
#define CL(f) (W_CONN + offsetof(struct tc_conn, f) / 4)
#define XL(f) (W_EXT + offsetof(struct tc_conn_ext, f) / 4)
/* first_ts's lanes are also kept at w[2, 4), where the decoder puts them
 * from the header before any lane; in the record's place they are zero
 * to the encoder, like the extension pointer's, so never written. */
#define FTS 2
_Static_assert(FTS + 2 <= W_CONN, "first_ts's copy overlaps the record");
/* A 64-bit time (ns) starting at lane l: each half against the same half
 * of first_ts (the same place in memory whatever the byte order). */
#define TIME(l) [(l)] = FTS, [(l) + 1] = FTS + 1
/* A server lane against the client's same lane. */
#define TWIN(f) [CL(ep[1].f)] = CL(ep[0].f)

/*
 * The reference of each lane of w[]; 0 (a zero lane) means raw. Every
 * reference is a lane decoded before (a lower index) or first_ts, which
 * the header carries: the decoder reads it before any lane.
 */
static const uint16_t ref[W_LANES] = {
	/* Where the other endpoint's is a good guess (IPv6 prefixes,
	 * ports and flags, MSS, states and TTLs, counts). */
	[CL(ep[1].addr)] = CL(ep[0].addr),
	[CL(ep[1].addr) + 1] = CL(ep[0].addr) + 1,
	[CL(ep[1].addr) + 2] = CL(ep[0].addr) + 2,
	[CL(ep[1].addr) + 3] = CL(ep[0].addr) + 3,
	TWIN(port),
	TWIN(ip_id_last),
	TWIN(mss),
	TWIN(fins),
	TWIN(state),
	TWIN(retx_unanswered),
	TWIN(gaps),
	TWIN(missed),
	TWIN(pkts),
	TWIN(retx),
	TWIN(t_last),
	TWIN(state_prev),
	TWIN(small_sent_us),
	/* Sequence numbers: a side's next one past its ISN, its FIN and
	 * its last small segment just below it; the server's ISN and next
	 * one just below or at what the client acknowledged, and the
	 * server's ACK at the client's next one. */
	[CL(ep[0].snd_nxt)] = CL(ep[0].isn),
	[CL(ep[0].fin_seq)] = CL(ep[0].snd_nxt),
	[CL(ep[0].small_end)] = CL(ep[0].snd_nxt),
	[CL(ep[1].isn)] = CL(ep[0].ack),
	[CL(ep[1].snd_nxt)] = CL(ep[0].ack),
	[CL(ep[1].ack)] = CL(ep[0].snd_nxt),
	[CL(ep[1].fin_seq)] = CL(ep[1].snd_nxt),
	[CL(ep[1].small_end)] = CL(ep[1].snd_nxt),
	[CL(ep[0].small_acked_us)] = CL(ep[0].small_sent_us),
	[CL(ep[1].small_acked_us)] = CL(ep[1].small_sent_us),
	/* IP bytes are payload plus headers. */
	[CL(ep[0].ip_bytes)] = CL(ep[0].bytes),
	[CL(ep[1].ip_bytes)] = CL(ep[1].bytes),
	/* Frames: the close's come near one another. */
	[CL(ep[1].frame_fin)] = CL(ep[0].frame_fin),
	[CL(ep[0].frame_rst)] = CL(ep[0].frame_fin),
	[CL(ep[1].frame_rst)] = CL(ep[1].frame_fin),
	[CL(frame_first)] = CL(ep[0].frame_fin),
	[CL(frame_last)] = CL(ep[1].frame_fin),
	[CL(frame_rst)] = CL(frame_last),
	TIME(CL(ep[0].ts_fin)),
	TIME(CL(ep[0].ts_time_wait)),
	TIME(CL(ep[0].ts_data_last)),
	TIME(CL(ep[1].ts_fin)),
	TIME(CL(ep[1].ts_time_wait)),
	TIME(CL(ep[1].ts_data_last)),
	TIME(CL(last_ts)),
	/* The extension: its sequence numbers near the record's. */
	[XL(ep[0].rst_seq)] = CL(ep[0].snd_nxt),
	[XL(ep[1].rst_seq)] = CL(ep[1].snd_nxt),
	[XL(ep[0].fin_seq_last)] = CL(ep[0].fin_seq),
	[XL(ep[1].fin_seq_last)] = CL(ep[1].fin_seq),
	[XL(ep[0].ack_step1)] = CL(ep[0].ack),
	[XL(ep[1].ack_step1)] = CL(ep[1].ack),
	[XL(ep[0].hole_seq)] = CL(ep[0].snd_nxt),
	[XL(ep[1].hole_seq)] = CL(ep[1].snd_nxt),
	[XL(late_data[0].end)] = CL(ep[1].snd_nxt),
	[XL(late_data[1].end)] = CL(ep[0].snd_nxt),
	[XL(rst.tsval_prev)] = XL(rst.tsval),
	/* Its frames near the first accepted RST's. */
	[XL(rst.trigger_frame)] = CL(frame_rst),
	[XL(rst.xconn_frame)] = CL(frame_rst),
	[XL(rst.peer_late_frame)] = XL(rst.trigger_frame),
	[XL(undo.frame_rst)] = CL(frame_rst),
	[XL(undo.sender_frame_rst)] = XL(undo.frame_rst),
	[XL(other[0].frame)] = CL(frame_rst),
	[XL(other[1].frame)] = XL(other[0].frame),
	[XL(other[2].frame)] = XL(other[1].frame),
	[XL(other[3].frame)] = XL(other[2].frame),
	[XL(other[1].seq)] = XL(other[0].seq),
	[XL(other[2].seq)] = XL(other[1].seq),
	[XL(other[3].seq)] = XL(other[2].seq),
	TIME(XL(ep[0].ts_ka_last)),
	TIME(XL(ep[1].ts_ka_last)),
	TIME(XL(rst.ts)),
	TIME(XL(loss_ts)),
};

/* Bytes of a lane under code c, and the shift that drops the bytes of the
 * lanes before it from the 4 that end it (sign-extending). */
static const uint8_t code_len[4] = {0, 1, 2, 4};
static const uint8_t code_shift[4] = {0, 24, 16, 0};

/* By the bit index of the highest bit of (d ^ sign) | 1: the code of the
 * shortest signed form of d. */
static const uint8_t code_of[32] = {1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3,
				    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3};

/* Bytes written under the four codes of a code byte. */
static const uint8_t quad_len[256] = {
#define Q1C(b) ((uint8_t)(((b)&3) == 3 ? 4 : (b)&3) + (((b) >> 2 & 3) == 3 ? 4 : (b) >> 2 & 3) + \
		(((b) >> 4 & 3) == 3 ? 4 : (b) >> 4 & 3) + (((b) >> 6) == 3 ? 4 : (b) >> 6))
#define Q4(b) Q1C(b), Q1C((b) + 1), Q1C((b) + 2), Q1C((b) + 3)
#define Q16(b) Q4(b), Q4((b) + 4), Q4((b) + 8), Q4((b) + 12)
#define Q64(b) Q16(b), Q16((b) + 16), Q16((b) + 32), Q16((b) + 48)
	Q64(0), Q64(64), Q64(128), Q64(192)
#undef Q64
#undef Q16
#undef Q4
#undef Q1C
};

/* Code bits of the lanes that are never written: first_ts's (in the
 * header) and the extension pointer's. */
#define LBITS(l, wd) (((l)-W_CONN) / 32 == (wd) ? 3ull << (2 * (((l)-W_CONN) % 32)) : 0)
#define PTR_LANES (sizeof(void *) / 4)
#define NEVER(wd)                                                                 \
	(LBITS(CL(first_ts), wd) | LBITS(CL(first_ts) + 1, wd) | LBITS(CL(x), wd) |                 \
	 (PTR_LANES > 1 ? LBITS(CL(x) + PTR_LANES - 1, wd) : 0))
#define CONN_WORDS ((CONN_LANES + 31) / 32)
#define EXT_WORDS ((EXT_LANES + 31) / 32)
_Static_assert(CONN_WORDS <= 4 && EXT_WORDS <= 4, "code words");
static const uint64_t never[4] = {NEVER(0), NEVER(1), NEVER(2), NEVER(3)};

static uint32_t le32(uint32_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return __builtin_bswap32(v);
#else
	return v;
#endif
}

static uint64_t le64(uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return __builtin_bswap64(v);
#else
	return v;
#endif
}

/* Bit i set: lane p[i] is not zero (16 lanes). */
static uint32_t nonzero16(const uint32_t *p)
{
#ifdef __SSE2__
	const __m128i z = _mm_setzero_si128();
	__m128i a = _mm_cmpeq_epi32(_mm_loadu_si128((const __m128i *)(const void *)p), z);
	__m128i b = _mm_cmpeq_epi32(_mm_loadu_si128((const __m128i *)(const void *)(p + 4)), z);
	__m128i c = _mm_cmpeq_epi32(_mm_loadu_si128((const __m128i *)(const void *)(p + 8)), z);
	__m128i d = _mm_cmpeq_epi32(_mm_loadu_si128((const __m128i *)(const void *)(p + 12)), z);
	__m128i e = _mm_packs_epi16(_mm_packs_epi32(a, b), _mm_packs_epi32(c, d));
	return ~(uint32_t)_mm_movemask_epi8(e) & 0xffffu;
#else
	uint32_t m = 0;
	unsigned i;
	for (i = 0; i < 16; i++)
		m |= (uint32_t)(p[i] != 0) << i;
	return m;
#endif
}

/* Write lanes w[b, b + n) that are not zero, each as
 * its difference from its reference, at out; their codes go to cw (one
 * word per 32 lanes). Returns the bytes written. */
static size_t put_lanes(const uint32_t *w, size_t b, size_t n, uint64_t *cw, uint8_t *out)
{
	size_t o = 0, k;

	for (k = 0; k * 32 < n; k++) {
		size_t base = b + 32 * k, left = n - 32 * k;
		uint32_t bits = nonzero16(w + base);
		uint64_t codes = 0;
		if (left > 16)
			bits |= nonzero16(w + base + 16) << 16;
		if (left < 32)
			bits &= (1u << left) - 1;
		while (bits) {
			unsigned t = (unsigned)__builtin_ctz(bits);
			size_t j = base + t;
			uint32_t d = w[j] - w[ref[j]];
			unsigned c = code_of[31 ^ __builtin_clz((d ^ (uint32_t)((int32_t)d >> 31)) | 1)];
			bits &= bits - 1;
			d = le32(d);
			memcpy(out + o, &d, 4);
			o += code_len[c];
			codes |= (uint64_t)c << (2 * t);
		}
		cw[k] = codes;
	}
	return o;
}

/* Bit i set: byte p[i] is not zero (32 bytes). */
static uint32_t nonzero_bytes32(const uint8_t *p)
{
#ifdef __SSE2__
	const __m128i z = _mm_setzero_si128();
	uint32_t lo = (uint32_t)_mm_movemask_epi8(
		_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)p), z));
	uint32_t hi = (uint32_t)_mm_movemask_epi8(
		_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 16)), z));
	return ~(lo | hi << 16);
#else
	uint32_t m = 0;
	unsigned i;
	for (i = 0; i < 32; i++)
		m |= (uint32_t)(p[i] != 0) << i;
	return m;
#endif
}

size_t tc_freeze(const struct tc_conn *c, uint8_t *out)
{
	uint32_t w[W_LANES], ts[2];
	uint64_t cw[4];
	size_t o, k;

	memset(w, 0, W_CONN * 4);
	memcpy(w + FTS, &c->first_ts, 8);
	memcpy(w + W_CONN, c, sizeof(*c));
	memset(w + CL(first_ts), 0, 8);
	memset(w + CL(x), 0, sizeof(c->x));
	if (c->x)
		memcpy(w + W_EXT, c->x, sizeof(*c->x));
	memset(w + (c->x ? W_EXT + EXT_LANES : W_EXT), 0, 16 * 4);
	out[0] = c->x ? FZ_EXT : 0;
	ts[0] = le32(w[FTS]);
	ts[1] = le32(w[FTS + 1]);
	memcpy(out + 1, ts, 8);
	o = CONN_DATA + put_lanes(w, W_CONN, CONN_LANES, cw, out + CONN_DATA);
	for (k = 0; k < CONN_WORDS; k++)
		cw[k] = le64(cw[k]);
	memcpy(out + HDR, cw, CONN_CODES);
	if (c->x) {
		uint64_t xw[4] = {0};
		uint8_t xb[32];
		uint32_t fl, bits;

		o += put_lanes(w, W_EXT, EXT_LANES, xw, out + o);
		for (k = 0; k < 4; k++)
			xw[k] = le64(xw[k]);
		memcpy(xb, xw, sizeof(xb));
		/* Only the code bytes that are not zero, flagged. */
		fl = bits = nonzero_bytes32(xb);
		while (bits) {
			out[o++] = xb[__builtin_ctz(bits)];
			bits &= bits - 1;
		}
		fl = le32(fl);
		memcpy(out + o, &fl, 4);
		o += 4;
	}
	return o;
}

/* Decode the lanes whose codes (one word per 32 lanes) are not zero into
 * w[b, ...), their bytes at buf[o, ...); the caller checked that the bytes
 * are there. Returns the offset past them. */
static size_t get_lanes(const uint8_t *buf, size_t o, const uint64_t *cw, size_t words, size_t b,
			uint32_t *w)
{
	size_t k;

	for (k = 0; k < words; k++) {
		uint64_t codes = cw[k], m = (codes | codes >> 1) & 0x5555555555555555ull;
		while (m) {
			unsigned t = (unsigned)__builtin_ctzll(m), cd = (unsigned)(codes >> t) & 3u;
			size_t j = b + 32 * k + t / 2;
			uint32_t d;
			m &= m - 1;
			/* The 4 bytes that end this lane's: buf[o - 4] is in
			 * the header or the record's codes at worst. */
			o += code_len[cd];
			memcpy(&d, buf + o - 4, 4);
			w[j] = (uint32_t)((int32_t)le32(d) >> code_shift[cd]) + w[ref[j]];
		}
	}
	return o;
}

int tc_thaw_view(const uint8_t *buf, size_t len, struct tc_conn *c, struct tc_conn_ext *xbuf)
{
	uint32_t w[W_EXT + EXT_LANES], ts[2];
	uint64_t cw[4] = {0}, xw[4] = {0};
	size_t total = 0, end, i, k, o;

	if (len < CONN_DATA || (buf[0] & ~FZ_EXT))
		return -1;
	if (CONN_LANES % 4 && buf[CONN_DATA - 1] >> (2 * (CONN_LANES % 4)))
		return -1; /* codes past the last lane */
	memcpy(cw, buf + HDR, CONN_CODES);
	for (k = 0; k < CONN_WORDS; k++) {
		cw[k] = le64(cw[k]);
		if (cw[k] & never[k])
			return -1; /* a lane that is never written */
	}
	for (i = 0; i < CONN_CODES; i++)
		total += quad_len[buf[HDR + i]];
	if (len - CONN_DATA < total)
		return -1;
	end = CONN_DATA + total;
	if (buf[0] & FZ_EXT) {
		uint8_t xb[32] = {0};
		uint32_t fl;
		size_t p = len - 4, xt = 0;

		if (len - end < 4)
			return -1;
		memcpy(&fl, buf + p, 4);
		fl = le32(fl);
		if (EXT_CODES < 32 && fl >> (EXT_CODES % 32))
			return -1; /* flags past the last code byte */
		/* The code bytes, the last one first, back from the flags. */
		while (fl) {
			unsigned b = 31u ^ (unsigned)__builtin_clz(fl);
			fl ^= 1u << b;
			if (p == end || !(xb[b] = buf[--p]))
				return -1; /* no room, or a zero byte flagged */
			xt += quad_len[xb[b]];
		}
		if (EXT_LANES % 4 && xb[EXT_CODES - 1] >> (2 * (EXT_LANES % 4)))
			return -1;
		if (p - end != xt)
			return -1;
		memcpy(xw, xb, sizeof(xb));
		for (k = 0; k < EXT_WORDS; k++)
			xw[k] = le64(xw[k]);
	} else if (len != end) {
		return -1;
	}
	memcpy(ts, buf + 1, 8);
	memset(w, 0, (buf[0] & FZ_EXT ? W_EXT + EXT_LANES : W_EXT) * 4);
	w[FTS] = le32(ts[0]);
	w[FTS + 1] = le32(ts[1]);
	o = get_lanes(buf, CONN_DATA, cw, CONN_WORDS, W_CONN, w);
	memcpy(c, w + W_CONN, sizeof(*c));
	memcpy(&c->first_ts, w + FTS, 8);
	c->x = NULL;
	if (buf[0] & FZ_EXT) {
		get_lanes(buf, o, xw, EXT_WORDS, W_EXT, w);
		memcpy(xbuf, w + W_EXT, sizeof(*xbuf));
		c->x = xbuf;
	}
	return 0;
}

int tc_thaw(const uint8_t *buf, size_t len, struct tc_conn *c)
{
	struct tc_conn_ext xb;
	struct tc_conn_ext *x;

	if (tc_thaw_view(buf, len, c, &xb) != 0)
		return -1;
	if (!c->x)
		return 0;
	c->x = NULL;
	if (!(x = tc_conn_ext_mut(c)))
		return -1;
	*x = xb;
	return 0;
}
