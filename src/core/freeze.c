/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * freeze.c -- lossless compact form of a connection record (see freeze.h).
 *
 * The record is read as 32-bit lanes (struct tc_freeze_rec's: the
 * connection's, then its end record's; then struct tc_conn_ext's, in
 * memory order). Each lane has one reference, fixed by
 * the list REFS below: zero (the lane is written raw), or an earlier lane
 * (the same field in the other endpoint, the sequence number a field
 * follows, ...), or first_ts's high half for a 64-bit time's, or the same
 * lane of the caller's prototype record (PROTO). A lane is
 * written as the low 1, 2 or 4 bytes of its difference
 * from its reference, as a signed number (sign-extended on thaw); a lane
 * that is zero takes no byte. The byte lanes (BYTE_LANES) are written
 * apart: their XOR with the prototype's, byte by byte.
 *
 * Before any of that, first_ts and last_ts are replaced by their spans
 * from the caller's base, base - first_ts and last_ts - base (64 bits,
 * wrapping): with the close time as the base, last_ts is nearly always 0
 * and first_ts the connection's length, half its 8 bytes. The endpoints'
 * FIN, TIME_WAIT and last-data times become spans back from the base too
 * (time_out()), short for a time shortly before the close.
 *
 * Layout:
 *   - a flags byte (FZ_EXT: an extension record follows; FZ_END: the
 *     connection had an end record, whose lanes are the record's last);
 *   - the record's lane codes: two bit planes, one bit per lane in
 *     each, LSB first, bits past the last lane zero: first the low bits,
 *     then the high bits, of the code (0 the lane is zero; 1, 2, 3 it
 *     takes 1, 2, 4 bytes). The lanes of the extension and end pointers
 *     (encoded as zero, set again on thaw) and the byte lanes have code 0. The
 *     planes' bytes are XORed with the prototype's own (struct
 *     tc_freeze_proto), and written as 4 bytes (LSB first) whose bit i
 *     says byte i differs, then those bytes (never zero), in order: about
 *     half of them equal the prototype's, since records that close
 *     together have the same lanes zero and most others as wide;
 *   - the byte lanes' masks, 4 bits each in BYTE_LANES order, LSB first,
 *     in 8 bytes: bit k says byte k of the lane, as it lies in memory,
 *     differs from the prototype's;
 *   - the lanes' bytes, lowest first, grouped by length: the lanes of 4
 *     bytes in lane order, then those of 2, then those of 1;
 *   - the byte lanes' bytes that differ (XOR, never zero), in order;
 *   - with FZ_EXT: the extension's bytes (the same way), then its two
 *     planes with the bytes that are zero left out -- the extension is
 *     mostly zero lanes --, then 4 bytes (LSB first): bit i says plane
 *     byte i is there. At the end, so that the encoder writes in one pass.
 *
 * Why a fixed reference rather than the best of several per lane: the
 * best one is nearly always the same for a given field, and this runs for
 * every connection that closes and again when it is reported. Why planes
 * and bytes grouped by length: each step is then a loop over the set bits
 * of one mask that does one thing. The encoder turns the nonzero lanes
 * that have a reference into differences in a copy (the references read
 * from the record itself), finds the lengths 16 lanes at a time (SSE2),
 * and copies each group of bytes with stores of one size; the decoder
 * loads each group with loads of one size (which sign-extend), then adds
 * the references from the first lane up. A lane with no reference costs
 * neither. Fields the list does not name are written raw: correct for any
 * layout, only bigger. Measured with callgrind on a generated capture of
 * short connections (bench/README.md): ~1,630 instructions a freeze and
 * ~1,100 a thaw, a third of the four-reference search's (before the
 * prototype and the byte lanes, which the sixth round measured).
 *
 * Why a prototype: connections of one capture that close within moments
 * of each other mostly share their flags, states, window scale and TTL
 * bytes, server address and port, history letters, and nearby ids and
 * frame numbers; no lane of the record itself predicts those. The engine
 * keeps one per 64 KiB of its ring (the first record frozen there), so
 * the cost is a copy of a record per ~350 connections.
 */
#include "freeze.h"

#include <stddef.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

enum {
	FZ_EXT = 0x01,
	FZ_END = 0x02
};

#define CONN_LANES (sizeof(struct tc_freeze_rec) / 4)
#define EXT_LANES (sizeof(struct tc_conn_ext) / 4)
/* The lanes in one index space (and the encoder's array): the record's,
 * the extension's, then zero lanes that the encoder's 16-lane loads past a
 * part's end may read. */
#define W_CONN 0
#define W_EXT (W_CONN + CONN_LANES)
#define W_LANES (W_EXT + EXT_LANES + 16)
/* Plane bytes of each part. */
#define CONN_PB ((CONN_LANES + 7) / 8)
#define EXT_PB ((EXT_LANES + 7) / 8)
#define HDR 1
/* The record's lane codes: a flag word (bit i: code byte i is there),
 * then those bytes; then the byte lanes' masks (BYTE_LANES below: 4 bits
 * each), then the lanes' bytes. */
#define CODES_AT (HDR + 4)
#define NIB_BYTES 8
/* The shortest encoding: no code byte, no lane byte. */
#define MIN_LEN (CODES_AT + NIB_BYTES)
/* A part's plane is at most two 64-bit words. */
#define PW 2

_Static_assert(sizeof(struct tc_conn) % 8 == 0, "tc_conn is not a whole number of lanes");
_Static_assert(sizeof(struct tc_freeze_rec) == sizeof(struct tc_conn) + sizeof(struct tc_conn_end),
	       "padding between a record and its end record");
_Static_assert(sizeof(struct tc_conn_ext) % 8 == 0, "tc_conn_ext is not a whole number of lanes");
_Static_assert(offsetof(struct tc_conn, first_ts) % 8 == 0, "first_ts not 8-aligned");
_Static_assert(offsetof(struct tc_conn, last_ts) % 8 == 0, "last_ts not 8-aligned");
_Static_assert(CONN_LANES <= 64 * PW && EXT_LANES <= 64 * PW, "a part has more lanes than its planes");
_Static_assert(W_LANES < 65535, "lane index does not fit the reference table");
/* The extension's plane bytes are flagged in 32 bits. */
_Static_assert(2 * EXT_PB <= 32, "too many extension plane bytes for the flag word");
_Static_assert(TC_FREEZE_CODES == 2 * CONN_PB, "freeze.h counts the lane codes differently");
/* The code bytes are flagged in 32 bits. */
_Static_assert(2 * CONN_PB <= 32, "too many code bytes for the flag word");
_Static_assert(TC_FREEZE_MAX >= MIN_LEN + 2 * CONN_PB + 4 * CONN_LANES + 4 * EXT_LANES + 2 * EXT_PB + 4,
	       "TC_FREEZE_MAX too small");
/* The decoder's copy holds what its loads may reach before it checks:
 * every lane of both parts at 4 bytes. */
_Static_assert(TC_FREEZE_MAX >= MIN_LEN + 2 * CONN_PB + 4 * CONN_LANES + 4 * EXT_LANES,
	       "decoder's copy too small");

/* Lane of w[] holding field f's first 4 bytes. */
#define CL(f) (W_CONN + offsetof(struct tc_freeze_rec, c.f) / 4)
#define EL(f) (W_CONN + offsetof(struct tc_freeze_rec, end.f) / 4)
#define XL(f) (W_EXT + offsetof(struct tc_conn_ext, f) / 4)
/* first_ts's lanes (as a span from the base; the decoder has first_ts
 * back before it adds any reference) and last_ts's. */
#define FTS CL(first_ts)
#define LTS CL(last_ts)
/* A 64-bit time (ns) starting at lane l: its high half against first_ts's
 * (equal, or one more, for times up to seconds apart). Not the low half:
 * a difference of more than 8 ms takes its 4 bytes anyway, and a lane
 * without a reference costs nothing to add. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define HI32 0
#else
#define HI32 1
#endif
#define TIME(X, l) X((l) + HI32, FTS + HI32)
/* A server lane against the client's same lane. */
#define TWIN(X, f) X(CL(ep[1].f), CL(ep[0].f))
/* The reference of a lane against the prototype's same lane. */
#define PROTO 0xffff

/*
 * The byte lanes: lanes that pack small fields (flags, states, TTLs, a
 * port with its flags, the first history letters) or that repeat from
 * one connection to the next (an address, the first frame's high bytes).
 * A difference in their top byte costs all four bytes as a number; so
 * each is written as its XOR with the prototype's same lane, byte by
 * byte: a 4-bit mask of the bytes that differ, then those bytes. Measured
 * on a generated capture of short connections (bench/README.md, sixth
 * round), each of these costs less so than as a number. None has a
 * reference, and none is written in the planes.
 */
#define BYTE_LANES(X)                \
	X(CL(af))                    \
	X(CL(reset_phase))           \
	X(CL(ep[0].addr))            \
	X(CL(ep[0].port))            \
	X(CL(ep[0].mss))             \
	X(CL(ep[0].state))           \
	X(CL(ep[0].retx_unanswered)) \
	X(CL(ep[0].state_prev))      \
	X(CL(ep[1].addr))            \
	X(CL(ep[1].port))            \
	X(EL(ep[1].fins))            \
	X(CL(ep[1].state))           \
	X(CL(ep[1].retx_unanswered)) \
	X(CL(frame_first))           \
	X(CL(history))
#define BL_INIT(l) (l),
static const uint8_t blane[] = {BYTE_LANES(BL_INIT)};
#define NB (sizeof(blane))
_Static_assert(sizeof(blane) * 4 <= 8 * NIB_BYTES, "too many byte lanes for their masks");

/*
 * The lanes with a reference, X(lane, reference). Every reference is a
 * lane before (a lower index), or first_ts's, which the decoder has
 * before any lane, or the prototype's. In order:
 *   - the prototype's: the id and the last frame (connections that
 *     close together opened and closed near each other);
 *   - the client's same field: IPv6 addresses after their first 4 bytes
 *     (an IPv4 address is those alone, and two are no closer than raw),
 *     MSS, counts, the last segment's time;
 *   - sequence numbers: a side's next one past its ISN, its FIN and its
 *     last small segment just below it; the server's ISN and next one just
 *     below or at what the client acknowledged, and the server's ACK at
 *     the client's next one; a small segment's ACK time after its send;
 *   - IP bytes: payload plus headers;
 *   - frames: the close's come near one another, the FINs and the
 *     first RST just before the last frame;
 *   - the extension's times: their high half;
 *   - the extension's sequence numbers near the record's, its frames near
 *     the first accepted RST's, each other RST's after the one before.
 */
#define REFS(X)                                              \
	X(CL(frame_last), PROTO)                             \
	X(CL(id), PROTO)                                     \
	X(CL(ep[1].addr) + 1, CL(ep[0].addr) + 1)            \
	X(CL(ep[1].addr) + 2, CL(ep[0].addr) + 2)            \
	X(CL(ep[1].addr) + 3, CL(ep[0].addr) + 3)            \
	TWIN(X, mss)                                         \
	TWIN(X, retx)                                        \
	TWIN(X, t_last)                                      \
	TWIN(X, state_prev)                                  \
	X(CL(ep[0].snd_nxt), CL(ep[0].isn))                  \
	X(EL(ep[0].fin_seq), CL(ep[0].snd_nxt))              \
	X(CL(ep[0].small_end), CL(ep[0].snd_nxt))            \
	X(CL(ep[1].isn), CL(ep[0].ack))                      \
	X(CL(ep[1].snd_nxt), CL(ep[0].ack))                  \
	X(CL(ep[1].ack), CL(ep[0].snd_nxt))                  \
	X(EL(ep[1].fin_seq), CL(ep[1].snd_nxt))              \
	X(CL(ep[1].small_end), CL(ep[1].snd_nxt))            \
	X(CL(ep[0].small_acked_us), CL(ep[0].small_sent_us)) \
	X(CL(ep[1].small_acked_us), CL(ep[1].small_sent_us)) \
	X(CL(ep[0].ip_bytes), CL(ep[0].bytes))               \
	X(CL(ep[1].ip_bytes), CL(ep[1].bytes))               \
	X(EL(ep[0].frame_fin), CL(frame_last))               \
	X(EL(ep[1].frame_fin), EL(ep[0].frame_fin))          \
	X(EL(ep[0].frame_rst), EL(ep[0].frame_fin))          \
	X(EL(ep[1].frame_rst), EL(ep[1].frame_fin))          \
	X(EL(frame_rst), CL(frame_last))                     \
	X(XL(ep[0].rst_seq), CL(ep[0].snd_nxt))              \
	X(XL(ep[1].rst_seq), CL(ep[1].snd_nxt))              \
	X(XL(ep[0].fin_seq_last), EL(ep[0].fin_seq))         \
	X(XL(ep[1].fin_seq_last), EL(ep[1].fin_seq))         \
	X(XL(ep[0].ack_step1), CL(ep[0].ack))                \
	X(XL(ep[1].ack_step1), CL(ep[1].ack))                \
	X(XL(ep[0].hole_seq), CL(ep[0].snd_nxt))             \
	X(XL(ep[1].hole_seq), CL(ep[1].snd_nxt))             \
	X(XL(ep[1].gaps), XL(ep[0].gaps))                    \
	X(XL(ep[1].missed), XL(ep[0].missed))                \
	X(XL(late_data_end[0]), CL(ep[1].snd_nxt))           \
	X(XL(late_data_end[1]), CL(ep[0].snd_nxt))           \
	X(XL(rst.tsval_prev), XL(rst.tsval))                 \
	X(XL(rst.trigger_frame), EL(frame_rst))              \
	X(XL(rst.xconn_frame), EL(frame_rst))                \
	X(XL(rst.peer_late_frame), XL(rst.trigger_frame))    \
	X(XL(undo.frame_rst), EL(frame_rst))                 \
	X(XL(undo.sender_frame_rst), XL(undo.frame_rst))     \
	X(XL(other[0].frame), EL(frame_rst))                 \
	X(XL(other[1].frame), XL(other[0].frame))            \
	X(XL(other[2].frame), XL(other[1].frame))            \
	X(XL(other[3].frame), XL(other[2].frame))            \
	X(XL(other[1].seq), XL(other[0].seq))                \
	X(XL(other[2].seq), XL(other[1].seq))                \
	X(XL(other[3].seq), XL(other[2].seq))                \
	TIME(X, XL(ep[0].ts_ka_last))                        \
	TIME(X, XL(ep[1].ts_ka_last))                        \
	TIME(X, XL(rst.ts))                                  \
	TIME(X, XL(loss_ts))

#define REF_INIT(l, r) [(l)] = (r),
static const uint16_t ref[W_LANES] = {REFS(REF_INIT)};

/* Plane word k of the part starting at lane b (n lanes): the bit of lane l. */
#define LBIT(l, b, n, k) \
	((l) >= (b) && (l) < (b) + (n) && ((l) - (b)) / 64 == (k) ? 1ull << (((l) - (b)) % 64) : 0)
#define REF_CONN0(l, r) LBIT(l, W_CONN, CONN_LANES, 0) |
#define REF_CONN1(l, r) LBIT(l, W_CONN, CONN_LANES, 1) |
#define REF_EXT0(l, r) LBIT(l, W_EXT, EXT_LANES, 0) |
#define REF_EXT1(l, r) LBIT(l, W_EXT, EXT_LANES, 1) |
/* Which lanes have a reference, per part. */
static const uint64_t has_ref[2][PW] = {{REFS(REF_CONN0) 0, REFS(REF_CONN1) 0},
					{REFS(REF_EXT0) 0, REFS(REF_EXT1) 0}};

/* The record's lanes that are never written: the extension and end pointers'. */
#define PTR_LANES (sizeof(void *) / 4)
#define NEVER(k)                                                                                   \
	(LBIT(CL(x), W_CONN, CONN_LANES, k) | LBIT(CL(x) + PTR_LANES - 1, W_CONN, CONN_LANES, k) | \
	 LBIT(CL(end), W_CONN, CONN_LANES, k) | LBIT(CL(end) + PTR_LANES - 1, W_CONN, CONN_LANES, k))
/* Bits of a part's planes that stand for lanes (the rest must be zero). */
#define VALID(n, k) ((n) >= 64 * ((k) + 1) ? ~0ull : (n) <= 64 * (k) ? 0 \
								     : (1ull << ((n) % 64)) - 1)
#define BL0(l) LBIT(l, W_CONN, CONN_LANES, 0) |
#define BL1(l) LBIT(l, W_CONN, CONN_LANES, 1) |
static const uint64_t conn_ok[PW] = {VALID(CONN_LANES, 0) & ~NEVER(0) & ~(BYTE_LANES(BL0) 0),
				     VALID(CONN_LANES, 1) & ~NEVER(1) & ~(BYTE_LANES(BL1) 0)};
static const uint64_t ext_ok[PW] = {VALID(EXT_LANES, 0), VALID(EXT_LANES, 1)};

static uint32_t le32(uint32_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return __builtin_bswap32(v);
#else
	return v;
#endif
}

static uint64_t get64le(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static void put64le(uint8_t *p, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	memcpy(p, &v, sizeof(v));
}

/* Lane i of the struct at p. */
static uint32_t lane_get(const uint8_t *p, size_t i)
{
	uint32_t v;
	memcpy(&v, p + 4 * i, 4);
	return v;
}

static void lane_set(uint8_t *p, size_t i, uint32_t v)
{
	memcpy(p + 4 * i, &v, 4);
}

/* The record of prototype p as bytes, or NULL for none. */
static const uint8_t *proto_bytes(const struct tc_freeze_proto *p)
{
	return p ? (const uint8_t *)&p->rec : NULL;
}

/* Lane i of the prototype at pp; without one, every lane is zero. */
static uint32_t proto_lane(const uint8_t *pp, size_t i)
{
	return pp ? lane_get(pp, i) : 0;
}

/* Zero n bytes at p (n a multiple of 8): 64 at a time, half the
 * instructions of the string instruction a compiler inlines for memset
 * (the empty asm keeps the loop from being turned back into one). */
static inline void zero(uint8_t *p, size_t n)
{
#if defined(__SSE2__) && defined(__GNUC__)
	const __m128i z = _mm_setzero_si128();
	size_t i;
	for (i = 0; i + 64 <= n; i += 64) {
		_mm_storeu_si128((__m128i *)(void *)(p + i), z);
		_mm_storeu_si128((__m128i *)(void *)(p + i + 16), z);
		_mm_storeu_si128((__m128i *)(void *)(p + i + 32), z);
		_mm_storeu_si128((__m128i *)(void *)(p + i + 48), z);
		__asm__("" ::
				: "memory");
	}
	for (; i + 16 <= n; i += 16)
		_mm_storeu_si128((__m128i *)(void *)(p + i), z);
	if (n % 16)
		memset(p + n - 8, 0, 8);
#else
	memset(p, 0, n);
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

/* Of 16 differences p[i]: bit i of *g1 set if it needs more than 1 byte
 * as a signed number, of *g2 more than 2. */
static inline void wide16(const uint32_t *p, uint32_t *g1, uint32_t *g2)
{
#ifdef __SSE2__
	const __m128i z = _mm_setzero_si128(), k = _mm_set1_epi16(0xff);
	__m128i a[4], h[2];
	int i;
	/* d >> 7 saturated to 16 bits is in [-1, 0] iff d fits a byte, in
	 * [-256, 255] iff it fits two; then that, or its complement if
	 * negative: 0, at most 0xff. */
	for (i = 0; i < 4; i++)
		a[i] = _mm_srai_epi32(_mm_loadu_si128((const __m128i *)(const void *)(p + 4 * i)), 7);
	h[0] = _mm_packs_epi32(a[0], a[1]);
	h[1] = _mm_packs_epi32(a[2], a[3]);
	for (i = 0; i < 2; i++)
		h[i] = _mm_xor_si128(h[i], _mm_srai_epi16(h[i], 15));
	*g1 = (uint32_t)_mm_movemask_epi8(
		_mm_packs_epi16(_mm_cmpgt_epi16(h[0], z), _mm_cmpgt_epi16(h[1], z)));
	*g2 = (uint32_t)_mm_movemask_epi8(
		_mm_packs_epi16(_mm_cmpgt_epi16(h[0], k), _mm_cmpgt_epi16(h[1], k)));
#else
	uint32_t m1 = 0, m2 = 0;
	unsigned i;
	for (i = 0; i < 16; i++) {
		uint32_t a = p[i] ^ (uint32_t)((int32_t)p[i] >> 31);
		m1 |= (uint32_t)(a > 0x7f) << i;
		m2 |= (uint32_t)(a > 0x7fff) << i;
	}
	*g1 = m1;
	*g2 = m2;
#endif
}

/* The connection's own lanes, before its end record's. */
#define C_LANES (sizeof(struct tc_conn) / 4)

/* Lane i of c as the encoding numbers them (struct tc_freeze_rec): the
 * record's, then its end record's, all zero if it has none. Read in
 * place: the encoder makes no side-by-side copy. */
static inline uint32_t rec_lane(const struct tc_conn *c, size_t i)
{
	return i < C_LANES ? lane_get((const uint8_t *)c, i)
			   : lane_get((const uint8_t *)tc_conn_end(c), i - C_LANES);
}

/* Plan part lanes w[b, b + n) (hr: which have a reference; ok: which
 * may be written), the record c, its extension at xp and the prototype
 * at pp (NULL: all zero) (sparse: mostly zero lanes): turn them into
 * differences in place and set their codes in the planes lo, hi. */
static inline void plan_part(uint32_t *w, size_t b, size_t n, const uint64_t *hr,
			     const uint64_t *ok, const struct tc_conn *c, const uint8_t *xp,
			     const uint8_t *pp, int sparse, uint64_t *lo, uint64_t *hi)
{
	uint64_t nz[PW] = {0};
	size_t g;
	int k;

	for (g = 0; g * 16 < n; g++) {
		uint64_t m = nonzero16(w + b + 16 * g);
		if (n - 16 * g < 16)
			m &= (1ull << (n - 16 * g)) - 1;
		nz[g / 4] |= m << (16 * (g % 4));
	}
	for (k = 0; k < PW; k++)
		nz[k] &= ok[k];
	/* Differences, from the values in the record itself (or its
	 * extension): w[] is a copy. */
	for (k = 0; k < PW; k++) {
		uint64_t m = nz[k] & hr[k];
		while (m) {
			size_t j = b + 64 * (size_t)k + (unsigned)__builtin_ctzll(m), r = ref[j];
			m &= m - 1;
			if (r == PROTO)
				w[j] -= proto_lane(pp, j - W_CONN);
			else
				w[j] -= xp && r >= W_EXT ? lane_get(xp, r - W_EXT) : rec_lane(c, r - W_CONN);
		}
	}
	/* Lengths: code 1 for the nonzero lanes, 2 for those needing more
	 * than a byte, 3 for more than two: low bit nz ^ g1 ^ g2, high g1. */
	for (k = 0; k < PW; k++) {
		uint64_t g1 = 0, g2 = 0;
		for (g = 0; g < 4 && 64 * (size_t)k + 16 * g < n; g++) {
			uint32_t a1, a2;
			if (sparse && !((nz[k] >> (16 * g)) & 0xffff))
				continue;
			wide16(w + b + 64 * (size_t)k + 16 * g, &a1, &a2);
			g1 |= (uint64_t)a1 << (16 * g);
			g2 |= (uint64_t)a2 << (16 * g);
		}
		g1 &= nz[k];
		g2 &= nz[k];
		lo[k] = nz[k] ^ g1 ^ g2;
		hi[k] = g1;
	}
}

/* Write the bytes of the planned part at w[b, ...) to out, 4-byte lanes
 * first, then 2, then 1. Returns the bytes written. */
static size_t put_bytes(const uint32_t *w, size_t b, const uint64_t *lo, const uint64_t *hi,
			uint8_t *out)
{
	size_t o = 0;
	int k;

	for (k = 0; k < PW; k++) {
		uint64_t m = lo[k] & hi[k];
		while (m) {
			uint32_t v = le32(w[b + 64 * (size_t)k + (unsigned)__builtin_ctzll(m)]);
			m &= m - 1;
			memcpy(out + o, &v, 4);
			o += 4;
		}
	}
	for (k = 0; k < PW; k++) {
		uint64_t m = hi[k] & ~lo[k];
		while (m) {
			uint32_t v = w[b + 64 * (size_t)k + (unsigned)__builtin_ctzll(m)];
			m &= m - 1;
			uint16_t h = (uint16_t)v;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
			h = __builtin_bswap16(h);
#endif
			memcpy(out + o, &h, 2);
			o += 2;
		}
	}
	for (k = 0; k < PW; k++) {
		uint64_t m = lo[k] & ~hi[k];
		while (m) {
			out[o++] = (uint8_t)w[b + 64 * (size_t)k + (unsigned)__builtin_ctzll(m)];
			m &= m - 1;
		}
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

/* A part's planes as bytes: the low plane's pb bytes, then the high's. */
static void planes_out(const uint64_t *lo, const uint64_t *hi, size_t pb, uint8_t *out)
{
	uint8_t t[2 * PW * 8 + 8];
	int k;

	for (k = 0; k < PW; k++)
		put64le(t + 8 * k, lo[k]);
	for (k = 0; k < PW; k++)
		put64le(t + pb + 8 * k, hi[k]);
	memcpy(out, t, 2 * PW * 8);
}

/*
 * An endpoint's time t as a span back from base, plus one, so that a time
 * at or just before the close is small; 0 ("never") stays 0. The one time
 * whose span would be 0, base + 1, is written as base + 1, the value 0
 * would have had: each value stands for one time, and time_in() undoes it.
 */
static uint64_t time_out(uint64_t t, uint64_t base)
{
	uint64_t g = base + 1 - t;
	if (!t)
		return 0;
	return g ? g : base + 1;
}

static uint64_t time_in(uint64_t u, uint64_t base)
{
	if (!u)
		return 0;
	if (u == base + 1)
		return base + 1;
	return base + 1 - u;
}

/* The endpoints' times written as time_out() spans (no lane refers to them). */
static const uint16_t tlane[] = {EL(ep[0].ts_fin), EL(ep[0].ts_time_wait),
				 CL(ep[0].ts_data_last), EL(ep[1].ts_fin),
				 EL(ep[1].ts_time_wait), CL(ep[1].ts_data_last)};

/* The byte lanes of c against the prototype pp (NULL: zero) to out: their
 * masks at out[0, NIB_BYTES), their bytes from out + o. Returns o past
 * them. The lanes' XORs side by side in memory order are 4 * NB bytes
 * whose nonzero ones are the masks' bits, in order: one pass finds them
 * all, and a loop over the set bits copies them. */
static size_t put_byte_lanes(const struct tc_conn *c, const uint8_t *pp, uint8_t *out, size_t o)
{
	uint8_t b[8 * NIB_BYTES];
	uint64_t nib, m;
	size_t i;

	for (i = 0; i < NB; i++) {
		uint32_t x = rec_lane(c, blane[i]) ^ proto_lane(pp, blane[i]);
		memcpy(b + 4 * i, &x, 4);
	}
	memset(b + 4 * NB, 0, sizeof(b) - 4 * NB);
	nib = m = nonzero_bytes32(b) | (uint64_t)nonzero_bytes32(b + 32) << 32;
	while (m) {
		out[o++] = b[__builtin_ctzll(m)];
		m &= m - 1;
	}
	put64le(out, nib);
	return o;
}

/* The lanes of c and its end record (and of c->x, if any) into w[],
 * with the times as spans from base. */
static inline void lanes_of(uint32_t *w, const struct tc_conn *c, int64_t base)
{
	uint64_t span;
	size_t i;

	memcpy(w + W_CONN, c, sizeof(*c));
	memcpy(w + W_CONN + C_LANES, tc_conn_end(c), sizeof(struct tc_conn_end));
	if (c->x)
		memcpy(w + W_EXT, c->x, sizeof(*c->x));
	memset(w + (c->x ? W_EXT + EXT_LANES : W_EXT), 0, 16 * 4);
	/* The spans: no lane has either as a reference (first_ts's high half
	 * is read from the record itself). */
	span = (uint64_t)base - (uint64_t)c->first_ts;
	memcpy(w + FTS, &span, sizeof(span));
	span = (uint64_t)c->last_ts - (uint64_t)base;
	memcpy(w + LTS, &span, sizeof(span));
	for (i = 0; i < sizeof(tlane) / sizeof(tlane[0]); i++) {
		memcpy(&span, w + tlane[i], sizeof(span));
		span = time_out(span, (uint64_t)base);
		memcpy(w + tlane[i], &span, sizeof(span));
	}
}

/* c's lanes into w[] (times from base), the record's part planned
 * against the prototype record pp (NULL: zero): its codes in lo, hi and
 * as bytes in pb[0, 2 * CONN_PB), the rest of pb zero. */
static inline void plan_conn(uint32_t *w, const struct tc_conn *c, int64_t base,
			     const uint8_t *pp, uint64_t *lo, uint64_t *hi, uint8_t *pb)
{
	lanes_of(w, c, base);
	plan_part(w, W_CONN, CONN_LANES, has_ref[0], conn_ok, c, NULL, pp, 0, lo, hi);
	planes_out(lo, hi, CONN_PB, pb);
	memset(pb + 2 * CONN_PB, 0, 2 * PW * 8 - 2 * CONN_PB);
}

/* The bytes of b[0, n) that are not zero, in order, to out (b holds 32
 * bytes, n <= 32); *fl gets bit i for b[i] among them. Returns how many. */
static size_t put_nonzero(const uint8_t *b, unsigned n, uint8_t *out, uint32_t *fl)
{
	uint32_t bits = nonzero_bytes32(b) & (uint32_t)((1ull << n) - 1);
	size_t o = 0;

	*fl = bits;
	for (; bits; bits &= bits - 1)
		out[o++] = b[__builtin_ctz(bits)];
	return o;
}

void tc_freeze_proto_set(struct tc_freeze_proto *p, const struct tc_conn *c, int64_t base)
{
	uint32_t w[W_LANES];
	uint64_t lo[PW] = {0}, hi[PW] = {0};
	uint8_t pb[2 * PW * 8];

	p->rec.c = *c;
	p->rec.c.x = NULL;
	p->rec.end = *tc_conn_end(c);
	/* Planned from its own copy: the end record is read through the
	 * pointer, which is blanked again after (a prototype owns nothing). */
	p->rec.c.end = &p->rec.end;
	plan_conn(w, &p->rec.c, base, (const uint8_t *)&p->rec, lo, hi, pb);
	p->rec.c.end = NULL;
	memcpy(p->codes, pb, sizeof(p->codes));
}

size_t tc_freeze(const struct tc_conn *c, int64_t base, const struct tc_freeze_proto *proto,
		 uint8_t *out)
{
	uint32_t w[W_LANES], fl;
	uint64_t lo[PW] = {0}, hi[PW] = {0}, xlo[PW] = {0}, xhi[PW] = {0};
	uint8_t pb[2 * PW * 8];
	const uint8_t *pp = proto_bytes(proto);
	size_t o, i, at;

	plan_conn(w, c, base, pp, lo, hi, pb);
	out[0] = (uint8_t)((c->x ? FZ_EXT : 0) | (c->end ? FZ_END : 0));
	if (c->x)
		plan_part(w, W_EXT, EXT_LANES, has_ref[1], ext_ok, c, (const uint8_t *)c->x, NULL, 1,
			  xlo, xhi);
	/* The codes against the prototype's, and only the bytes that differ,
	 * flagged. (Eight at a time: at -O2 the compiler leaves a byte loop
	 * as it is.) */
	if (proto) {
		uint64_t a, b;
		for (i = 0; i < 2 * CONN_PB / 8 * 8; i += 8) {
			memcpy(&a, pb + i, 8);
			memcpy(&b, proto->codes + i, 8);
			a ^= b;
			memcpy(pb + i, &a, 8);
		}
		for (i = 2 * CONN_PB / 8 * 8; i < 2 * CONN_PB; i++)
			pb[i] ^= proto->codes[i];
	}
	/* at: where the byte lanes' masks go, past the code bytes */
	at = CODES_AT + put_nonzero(pb, 2 * CONN_PB, out + CODES_AT, &fl);
	fl = le32(fl);
	memcpy(out + HDR, &fl, 4);
	o = at + NIB_BYTES + put_bytes(w, W_CONN, lo, hi, out + at + NIB_BYTES);
	o = put_byte_lanes(c, pp, out + at, o - at) + at;
	if (c->x) {
		o += put_bytes(w, W_EXT, xlo, xhi, out + o);
		planes_out(xlo, xhi, EXT_PB, pb);
		/* Only the plane bytes that are not zero, flagged. */
		o += put_nonzero(pb, 2 * EXT_PB, out + o, &fl);
		fl = le32(fl);
		memcpy(out + o, &fl, 4);
		o += 4;
	}
	return o;
}

/* A part's planes from pb plane bytes each at p (lo's, then hi's). */
static void planes_in(const uint8_t *p, size_t pb, uint64_t *lo, uint64_t *hi)
{
	uint8_t t[2 * PW * 8] = {0};
	int k;

	memcpy(t, p, pb);
	memcpy(t + PW * 8, p + pb, pb);
	for (k = 0; k < PW; k++) {
		lo[k] = get64le(t + 8 * k);
		hi[k] = get64le(t + PW * 8 + 8 * k);
	}
}

/* Set bits of v, without the library call a build for the baseline
 * instruction set makes of __builtin_popcountll. */
static inline unsigned popcount64(uint64_t v)
{
	v = v - ((v >> 1) & 0x5555555555555555ull);
	v = (v & 0x3333333333333333ull) + ((v >> 2) & 0x3333333333333333ull);
	return (unsigned)((((v + (v >> 4)) & 0x0f0f0f0f0f0f0f0full) * 0x0101010101010101ull) >> 56);
}

/*
 * The flags byte and the record's lane codes from buf[0, len), the codes
 * against proto's (NULL: zero), into the planes lo, hi; *at is set to
 * where the byte lanes' masks start. Returns 0, or -1 if the bytes cannot
 * be a record's: too short, unknown flags, a flag past the last code
 * byte, a flagged byte that is zero, or codes for lanes past the last or
 * never written.
 */
static int codes_in(const uint8_t *buf, size_t len, const struct tc_freeze_proto *proto,
		    uint64_t *lo, uint64_t *hi, size_t *at)
{
	uint8_t t[2 * PW * 8];
	uint32_t fl;
	size_t o = CODES_AT;
	int k, zero_flagged = 0;

	if (len < MIN_LEN || (buf[0] & ~(FZ_EXT | FZ_END)))
		return -1;
	memcpy(&fl, buf + HDR, 4);
	fl = le32(fl);
	if (2 * CONN_PB < 32 && fl >> (2 * CONN_PB % 32))
		return -1;
	if (len - MIN_LEN < popcount64(fl))
		return -1; /* not all there */
	if (proto)
		memcpy(t, proto->codes, 2 * CONN_PB);
	else
		memset(t, 0, 2 * CONN_PB);
	/* The bytes flagged, in order. */
	for (; fl; fl &= fl - 1) {
		uint8_t b = buf[o++];
		zero_flagged |= b == 0;
		t[__builtin_ctz(fl)] ^= b;
	}
	if (zero_flagged)
		return -1; /* the encoder leaves zero bytes out */
	planes_in(t, CONN_PB, lo, hi);
	for (k = 0; k < PW; k++)
		if ((lo[k] | hi[k]) & ~conn_ok[k])
			return -1; /* past the last lane, or a lane never written */
	*at = o;
	return 0;
}

/* Load a part's bytes at buf[o, ...) into the lanes of the struct at p as
 * differences, sign-extended; the caller checked that they are there.
 * Returns the offset past them. */
static inline size_t get_bytes(const uint8_t *buf, size_t o, const uint64_t *lo, const uint64_t *hi,
			       uint8_t *p)
{
	int k;

	for (k = 0; k < PW; k++) {
		uint64_t m = lo[k] & hi[k];
		while (m) {
			uint32_t v;
			memcpy(&v, buf + o, 4);
			lane_set(p, 64 * (size_t)k + (unsigned)__builtin_ctzll(m), le32(v));
			m &= m - 1;
			o += 4;
		}
	}
	for (k = 0; k < PW; k++) {
		uint64_t m = hi[k] & ~lo[k];
		while (m) {
			uint16_t h;
			int16_t v;
			memcpy(&h, buf + o, 2);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
			h = __builtin_bswap16(h);
#endif
			v = (int16_t)h;
			lane_set(p, 64 * (size_t)k + (unsigned)__builtin_ctzll(m), (uint32_t)(int32_t)v);
			m &= m - 1;
			o += 2;
		}
	}
	for (k = 0; k < PW; k++) {
		uint64_t m = lo[k] & ~hi[k];
		while (m) {
			lane_set(p, 64 * (size_t)k + (unsigned)__builtin_ctzll(m),
				 (uint32_t)(int32_t)(int8_t)buf[o++]);
			m &= m - 1;
		}
	}
	return o;
}

/* The byte lanes into the record at cp, against the prototype pp (NULL:
 * zero), their masks nib, their bytes at buf[o, len). Returns o past
 * them, or 0 if they are not all there or one is zero (not written so). */
static size_t get_byte_lanes(const uint8_t *buf, size_t o, size_t len, uint64_t nib,
			     const uint8_t *pp, uint8_t *cp)
{
	uint8_t b[8 * NIB_BYTES] = {0};
	size_t i;

	if (o > len || len - o < (size_t)popcount64(nib))
		return 0;
	while (nib) {
		if (!(b[__builtin_ctzll(nib)] = buf[o++]))
			return 0;
		nib &= nib - 1;
	}
	for (i = 0; i < NB; i++) {
		uint32_t x;
		memcpy(&x, b + 4 * i, 4);
		lane_set(cp, blane[i], x ^ proto_lane(pp, blane[i]));
	}
	return o;
}

const struct tc_conn *tc_thaw_view(const uint8_t *buf, size_t len, int64_t base,
				   const struct tc_freeze_proto *proto, struct tc_thawed *t)
{
	/* A copy with room past its end for the longest part: the lanes are
	 * loaded before it is known whether their bytes are all there (that
	 * would take counting the planes' bits), and checked after. */
	uint8_t lb[TC_FREEZE_MAX], *cp = (uint8_t *)&t->rec, *xp = (uint8_t *)&t->x;
	const uint8_t *pp = proto_bytes(proto);
	uint64_t lo[PW], hi[PW], xlo[PW], xhi[PW], span, nib;
	size_t o, i, at;
	int k;

	if (len > sizeof(lb) || codes_in(buf, len, proto, lo, hi, &at) != 0)
		return NULL;
	memcpy(lb, buf, len);
	/* The differences straight into the caller's records, then the
	 * references added, the first lane up: each is then final. */
	nib = get64le(lb + at);
	if (4 * NB < 64 && nib >> (4 * NB % 64))
		return NULL; /* masks past the last byte lane */
	zero(cp, sizeof(t->rec));
	o = get_bytes(lb, at + NIB_BYTES, lo, hi, cp);
	if (!(o = get_byte_lanes(lb, o, len, nib, pp, cp)))
		return NULL;
	if (lb[0] & FZ_EXT) {
		uint8_t pl[2 * EXT_PB];
		uint32_t fl;
		size_t p = len - 4;

		if (o > len || len - o < 4)
			return NULL;
		memcpy(&fl, lb + p, 4);
		fl = le32(fl);
		if (2 * EXT_PB < 32 && fl >> (2 * EXT_PB % 32))
			return NULL; /* flags past the last plane byte */
		memset(pl, 0, sizeof(pl));
		/* The plane bytes, the last one first, back from the flags. */
		while (fl) {
			unsigned bi = 31u ^ (unsigned)__builtin_clz(fl);
			fl ^= 1u << bi;
			if (p == o || !(pl[bi] = lb[--p]))
				return NULL; /* no room, or a zero byte flagged */
		}
		planes_in(pl, EXT_PB, xlo, xhi);
		for (k = 0; k < PW; k++)
			if ((xlo[k] | xhi[k]) & ~ext_ok[k])
				return NULL;
		zero(xp, sizeof(t->x));
		if (get_bytes(lb, o, xlo, xhi, xp) != p)
			return NULL;
	} else if (o != len) {
		return NULL;
	}
	/* The times back from their spans, first_ts before the references
	 * that read it. */
	memcpy(&span, cp + 4 * FTS, sizeof(span));
	span = (uint64_t)base - span;
	memcpy(cp + 4 * FTS, &span, sizeof(span));
	memcpy(&span, cp + 4 * LTS, sizeof(span));
	span += (uint64_t)base;
	memcpy(cp + 4 * LTS, &span, sizeof(span));
	for (i = 0; i < sizeof(tlane) / sizeof(tlane[0]); i++) {
		memcpy(&span, cp + 4 * tlane[i], sizeof(span));
		span = time_in(span, (uint64_t)base);
		memcpy(cp + 4 * tlane[i], &span, sizeof(span));
	}
	for (k = 0; k < PW; k++) {
		uint64_t m = (lo[k] | hi[k]) & has_ref[0][k];
		while (m) {
			size_t j = 64 * (size_t)k + (unsigned)__builtin_ctzll(m), r = ref[W_CONN + j];
			m &= m - 1;
			lane_set(cp, j, lane_get(cp, j) + (r == PROTO ? proto_lane(pp, j) : lane_get(cp, r - W_CONN)));
		}
	}
	if (lb[0] & FZ_EXT) {
		for (k = 0; k < PW; k++) {
			uint64_t m = (xlo[k] | xhi[k]) & has_ref[1][k];
			while (m) {
				size_t j = 64 * (size_t)k + (unsigned)__builtin_ctzll(m), r = ref[W_EXT + j];
				m &= m - 1;
				/* A lane of the extension or of the record. */
				lane_set(xp, j,
					 lane_get(xp, j) +
						 (r >= W_EXT ? lane_get(xp, r - W_EXT) : lane_get(cp, r - W_CONN)));
			}
		}
	}
	/* A record without an end record has none of its lanes. */
	if (!(lb[0] & FZ_END) && memcmp(&t->rec.end, &tc_conn_end_zero, sizeof(t->rec.end)) != 0)
		return NULL;
	if (lb[0] & FZ_EXT)
		t->rec.c.x = &t->x;
	if (lb[0] & FZ_END)
		t->rec.c.end = &t->rec.end;
	return &t->rec.c;
}

void tc_thawed_release(struct tc_thawed *t)
{
	struct tc_conn *c = &t->rec.c;
	if (c->x == &t->x)
		c->x = NULL;
	if (c->end == &t->rec.end)
		c->end = NULL;
	tc_conn_release(c);
}

/* Set bits of the plane m (PW words) below bit l. */
static size_t bits_below(const uint64_t *m, size_t l)
{
	size_t n = 0, w;
	for (w = 0; w < l / 64 && w < PW; w++)
		n += (size_t)popcount64(m[w]);
	if (w < PW && l % 64)
		n += (size_t)popcount64(m[w] & ((1ull << (l % 64)) - 1));
	return n;
}

int tc_frozen_id(const uint8_t *buf, size_t len, const struct tc_freeze_proto *proto,
		 uint64_t *id)
{
	uint64_t lo[PW], hi[PW], g4[PW], g2[PW], g1[PW];
	uint8_t v[8];
	size_t j, n4, n2, data;
	int k;

	if (codes_in(buf, len, proto, lo, hi, &data) != 0)
		return -1;
	data += NIB_BYTES;
	for (k = 0; k < PW; k++) {
		g4[k] = lo[k] & hi[k];
		g2[k] = hi[k] & ~lo[k];
		g1[k] = lo[k] & ~hi[k];
	}
	n4 = bits_below(g4, 64 * PW);
	n2 = bits_below(g2, 64 * PW);
	/* The id's two lanes, where their group of bytes puts them. */
	for (j = 0; j < 2; j++) {
		size_t l = CL(id) + j, o, size;
		uint64_t bit = 1ull << (l % 64);
		uint32_t x = 0;

		if (g4[l / 64] & bit) {
			o = data + 4 * bits_below(g4, l);
			size = 4;
		} else if (g2[l / 64] & bit) {
			o = data + 4 * n4 + 2 * bits_below(g2, l);
			size = 2;
		} else if (g1[l / 64] & bit) {
			o = data + 4 * n4 + 2 * n2 + bits_below(g1, l);
			size = 1;
		} else {
			lane_set(v, j, 0); /* a zero lane */
			continue;
		}
		if (o > len || len - o < size)
			return -1;
		if (size == 4) {
			memcpy(&x, buf + o, 4);
			x = le32(x);
		} else if (size == 2) {
			x = (uint32_t)(int32_t)(int16_t)(uint16_t)(buf[o] | buf[o + 1] << 8);
		} else {
			x = (uint32_t)(int32_t)(int8_t)buf[o];
		}
		if (has_ref[0][l / 64] & bit) {
			if (ref[l] != PROTO)
				return -1; /* a reference this does not decode */
			x += proto_lane(proto_bytes(proto), l);
		}
		lane_set(v, j, x);
	}
	memcpy(id, v, sizeof(*id));
	return 0;
}

int tc_thaw(const uint8_t *buf, size_t len, int64_t base, const struct tc_freeze_proto *proto,
	    struct tc_conn *c)
{
	struct tc_thawed t;
	const struct tc_conn *v = tc_thaw_view(buf, len, base, proto, &t);

	if (!v)
		return -1;
	*c = *v;
	c->x = NULL;
	c->end = NULL;
	if (v->x) {
		struct tc_conn_ext *x = tc_conn_ext_mut(c);
		if (!x)
			return -1;
		*x = t.x;
	}
	if (v->end) {
		struct tc_conn_end *en = tc_conn_end_mut(c);
		if (!en) {
			tc_conn_release(c);
			return -1;
		}
		*en = t.rec.end;
	}
	return 0;
}
