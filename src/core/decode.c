/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * decode.c -- captured frame bytes to struct tc_pkt.
 *
 * What it does: walks one captured frame from the link layer down to the
 * TCP header and reports the segment facts the state machine needs
 * (addresses, ports, seq/ack, flags, window, a few options, payload extent),
 * or classifies why the frame is not a usable TCP segment.
 *
 *   link    Ethernet II with any stack of 802.1Q / 802.1ad / 0x9100 tags,
 *           802.1ah (PBB) and VN-Tag headers, PPPoE session (RFC 2516)
 *           and MPLS (RFC 3032) inside it; Linux cooked SLL and SLL2; BSD
 *           NULL and LOOP; raw IP; Linux NFLOG; PPP (RFC 1661/1662) and
 *           Cisco HDLC; FDDI; IEEE 802.11 data frames, bare or behind
 *           radiotap, Prism, AVS or PPI; pf's log header.
 *   tunnel  IP in IP (4in4, 6in4, 4in6, 6in6); GRE (RFC 2784/2890) with
 *           checksum, key and sequence number, carrying IP, MPLS, VLANs,
 *           Ethernet (0x6558) or an Aruba access point's 802.11 frames,
 *           and ERSPAN type I, II (0x88BE) and III (0x22EB) in it; over
 *           UDP, VXLAN (RFC 7348; ports 4789 and Linux's old default
 *           8472), GENEVE (RFC 8926, options skipped; port 6081), GTP-U
 *           (3GPP TS 29.281, extension headers walked; port 2152), Teredo
 *           (RFC 4380; 3544), AYIYA (5072) and L2TPv2 (RFC 2661; 1701).
 *           Nested up to TC_TUNNEL_DEPTH_MAX deep; each level is
 *           recorded (tunnel_enter) and folded into
 *           tc_pkt.tunnel, so the inner segment keeps its tunnel.
 *   IP      IPv4 (RFC 791) with options skipped; IPv6 (RFC 8200) with its
 *           extension-header chain walked (AH per RFC 4302; mobility, HIP
 *           and shim6 headers in the RFC 6564 uniform format).
 *   TCP     RFC 9293 fixed header; options MSS, SACK-permitted and SACK
 *           (RFC 2018), window scale and timestamps (RFC 7323).
 *
 * What it does not do: verify checksums (offloading makes them wrong in
 * most host captures), reassemble IP fragments (a first fragment is
 * decoded and marked; later ones are only classified), apply IPv6 routing
 * headers or the home-address option (addresses are those of the fixed
 * header, which is what a reply on the wire is addressed to), or interpret
 * option semantics such as clamping a window scale above 14 (RFC 7323
 * section 2.3) -- that is policy for the state machine, we report the
 * bytes.
 *
 * How it reads: every field goes through the cursor below. A cursor is a
 * window [off, end) over the captured frame; every read checks the window
 * and returns 0 if the bytes are not there, so no length field from the
 * packet can make us read outside what was captured. Layers narrow the
 * window as they learn lengths (IP total length, IPv6 payload length) and
 * never widen it. Packet memory is never cast to a struct: frames are
 * unaligned and hostile. This is tcpdump's GET_BE_U_2() discipline with a
 * return code instead of a longjmp.
 *
 * One exception: the frame nearly every capture is made of (Ethernet, at
 * most one 802.1Q tag, IPv4 unfragmented or IPv6 straight to TCP, the TCP
 * header all captured) is decoded first by tc_decode_fast(), one function
 * of direct loads from offsets it has checked against caplen beforehand.
 * It takes a frame only when its result is exactly the general path's and
 * hands every other frame over (decode_paths.h).
 *
 * Two lengths are tracked to the end: what was captured (the window) and
 * what the IP header says was sent. The first bounds every read; the second
 * gives payload_len and is how we tell a lying header (MALFORMED) from a
 * short snaplen (TRUNCATED).
 */
#include "tcpclose/decode.h"
#include "decode_paths.h"

#include <stddef.h>
#include <string.h>

/* Ethertypes (IEEE 802 numbers) and other on-the-wire constants. */
enum {
	ETHERTYPE_IPV4 = 0x0800,
	ETHERTYPE_IPV6 = 0x86dd,
	ETHERTYPE_8021Q = 0x8100,
	ETHERTYPE_8021AD = 0x88a8,
	ETHERTYPE_QINQ_OLD = 0x9100, /* pre-802.1ad vendor QinQ */
	ETHERTYPE_PPPOE_SESS = 0x8864,
	ETHERTYPE_MPLS_UC = 0x8847,
	ETHERTYPE_MPLS_MC = 0x8848,
	/* 802.1ah provider backbone (an I-TAG, the customer's MACs) and
	 * Cisco's VN-Tag (802.1Qbh, a 4-byte tag). */
	ETHERTYPE_PBB = 0x88e7,
	ETHERTYPE_VNTAG = 0x8926,

	ETHERTYPE_TEB = 0x6558,      /* transparent Ethernet bridging */
	ETHERTYPE_ERSPAN_2 = 0x88be, /* ERSPAN type I (no S bit) and II */
	ETHERTYPE_ERSPAN_3 = 0x22eb,

	PPP_IPV4 = 0x0021,
	PPP_IPV6 = 0x0057,
	PPP_MPLS_UC = 0x0281,
	PPP_MPLS_MC = 0x0283,

	/* IPv4 protocol / IPv6 next-header numbers (IANA). */
	NH_HOPOPTS = 0,
	NH_IPIP = 4,
	NH_TCP = 6,
	NH_UDP = 17,
	NH_IPV6 = 41,
	NH_GRE = 47,
	NH_ROUTING = 43,
	NH_FRAGMENT = 44,
	NH_ESP = 50,
	NH_AH = 51,
	NH_NONE = 59,
	NH_DSTOPTS = 60,
	NH_MH = 135,
	NH_HIP = 139,
	NH_SHIM6 = 140,

	/* UDP ports of the tunnels decoded (IANA; 8472 is what Linux uses
	 * for a VXLAN device created without a dstport). */
	PORT_VXLAN = 4789,
	PORT_VXLAN_LINUX = 8472,
	PORT_GENEVE = 6081,
	PORT_GTPU = 2152,
	PORT_TEREDO = 3544,
	PORT_AYIYA = 5072,
	PORT_L2TP = 1701,

	NFULA_PAYLOAD = 9 /* NFLOG TLV holding the packet */
};

/*
 * Stack bounds. Every loop below consumes bytes, so it ends with the
 * capture anyway; the bounds make a crafted frame fail fast and name it
 * MALFORMED instead of walking 64 KiB of tags. Real traffic uses two VLAN
 * tags at most and a handful of extension headers.
 */
#define MAX_VLAN_TAGS 8
#define MAX_IP6_EXT_HDRS 16
#define MAX_GTP_EXT_HDRS 16
#define MAX_NFLOG_TLVS 64

/*
 * "The IP header declared no length, use what was captured": IPv4 total
 * length 0 (the capturing host's TSO/GSO hands the stack one giant
 * segment) or IPv6 payload length 0 (TSO, or a jumbogram). No real IP
 * length reaches this value.
 */
#define LEN_FROM_CAPTURE UINT32_MAX

/* ---- bounds-checked cursor -------------------------------------------- */

struct cur {
	const uint8_t *buf;     /* the captured frame */
	uint32_t off;           /* next byte to read */
	uint32_t end;           /* first byte not to read; off <= end <= caplen */
	uint32_t wire;          /* the frame's length on the wire; 0 = unknown */
};

/*
 * An IP header that says its datagram is longer than the frame that was
 * on the wire is wrong (a snaplen cut only shortens what was captured,
 * never the frame): a hostile packet, or a trace whose frames were cut by
 * an editor that also rewrote their lengths. The TCP header is still good
 * state-machine input, so the segment is kept, its length taken as what
 * the frame could hold, and the packet marked (tc_pkt.len_clamped).
 * Returns the IP length to believe.
 */
static uint32_t clamp_to_wire(const struct cur *c, uint32_t ip_off, uint32_t iplen,
			      struct tc_pkt *out)
{
	if (c->wire == 0 || (uint64_t)ip_off + iplen <= c->wire)
		return iplen;
	out->len_clamped = 1;
	return c->wire > ip_off ? c->wire - ip_off : 0;
}

static uint32_t cur_left(const struct cur *c)
{
	return c->end - c->off;
}

/* Shrink the window to at most n bytes from here; a length field from the
 * packet may hide captured bytes (Ethernet padding), never add any. */
static void cur_limit(struct cur *c, uint32_t n)
{
	if (cur_left(c) > n)
		c->end = c->off + n;
}

static int cur_skip(struct cur *c, uint32_t n)
{
	if (cur_left(c) < n)
		return 0;
	c->off += n;
	return 1;
}

static int cur_peek_u8(const struct cur *c, uint8_t *v)
{
	if (cur_left(c) < 1)
		return 0;
	*v = c->buf[c->off];
	return 1;
}

static int cur_u8(struct cur *c, uint8_t *v)
{
	if (!cur_peek_u8(c, v))
		return 0;
	c->off += 1;
	return 1;
}

/* Big-endian loads from bytes already known to be inside the window: the
 * cursor reads below check one field, the fixed headers their whole
 * length at once. */
static uint16_t be16_at(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static uint32_t be32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static int cur_be16(struct cur *c, uint16_t *v)
{
	const uint8_t *p;

	if (cur_left(c) < 2)
		return 0;
	p = c->buf + c->off;
	*v = be16_at(p);
	c->off += 2;
	return 1;
}

static int cur_be32(struct cur *c, uint32_t *v)
{
	const uint8_t *p;

	if (cur_left(c) < 4)
		return 0;
	p = c->buf + c->off;
	*v = be32_at(p);
	c->off += 4;
	return 1;
}

/* Little endian: the 802.11 radio headers' order. */
static int cur_le16(struct cur *c, uint16_t *v)
{
	if (cur_left(c) < 2)
		return 0;
	*v = (uint16_t)(c->buf[c->off] | c->buf[c->off + 1] << 8);
	c->off += 2;
	return 1;
}

static int cur_copy(struct cur *c, uint8_t *dst, uint32_t n)
{
	if (cur_left(c) < n)
		return 0;
	memcpy(dst, c->buf + c->off, n);
	c->off += n;
	return 1;
}

/* Can n more header bytes lie inside what the IP length fields declare?
 * `left` is the declared byte count still ahead, or LEN_FROM_CAPTURE. */
static int declared_fits(uint32_t left, uint32_t n)
{
	return left == LEN_FROM_CAPTURE || n <= left;
}

/* ---- TCP ---------------------------------------------------------------- */

/*
 * Walk the option bytes in window `c` (the captured part of the options).
 * Stops at EOL or at the end of the window. Anything that cannot be
 * walked safely -- a length below 2 (it would not advance: the classic
 * infinite loop), an option running past the window, or a known option
 * with the wrong length -- stops the walk with TC_OPT_BAD: after a bad
 * length we no longer know where the next option starts.
 */
static void tcp_options(struct cur *c, struct tc_pkt *out)
{
	uint8_t kind, len;

	/* NOP, NOP, timestamps: the options of nearly every segment after
	 * the handshake on Linux and BSD. The walk below reads the same. */
	if (cur_left(c) == 12) {
		const uint8_t *p = c->buf + c->off;
		if (p[0] == 1 && p[1] == 1 && p[2] == 8 && p[3] == 10) {
			out->tsval = be32_at(p + 4);
			out->tsecr = be32_at(p + 8);
			out->opt |= TC_OPT_TS;
			c->off += 12;
			return;
		}
	}

	for (;;) {
		struct cur body;
		uint32_t blen;
		uint8_t bit;
		int ok;

		if (!cur_u8(c, &kind))  /* walked the whole option space */
			return;
		if (kind == 0)          /* EOL: the rest is padding */
			return;
		if (kind == 1)          /* NOP */
			continue;
		if (!cur_u8(c, &len) || len < 2 || cur_left(c) < len - 2u)
			break;
		blen = len - 2u;
		body = *c;
		cur_limit(&body, blen);
		(void)cur_skip(c, blen);        /* cannot fail: checked above */

		switch (kind) {
		case 2:         /* MSS */
			bit = TC_OPT_MSS;
			ok = blen == 2 && cur_be16(&body, &out->mss);
			break;
		case 3:         /* window scale */
			bit = TC_OPT_WSCALE;
			ok = blen == 1 && cur_u8(&body, &out->wscale);
			break;
		case 4:         /* SACK permitted */
			bit = TC_OPT_SACKOK;
			ok = blen == 0;
			break;
		case 5:         /* SACK: one or more blocks of two 32-bit edges */
			bit = TC_OPT_SACK;
			ok = blen >= 8 && blen % 8 == 0;
			break;
		case 8:         /* timestamps */
			bit = TC_OPT_TS;
			ok = blen == 8 && cur_be32(&body, &out->tsval) &&
			     cur_be32(&body, &out->tsecr);
			break;
		default:
			bit = TC_OPT_OTHER;
			ok = 1;
			break;
		}
		if (!ok)
			break;
		out->opt |= bit;
	}
	out->opt |= TC_OPT_BAD;
}

/*
 * `c` is the captured part of the TCP segment; `seglen` the segment length
 * the IP header declares (or LEN_FROM_CAPTURE). The IP layer has already
 * narrowed `c` to seglen, so cur_left(c) <= seglen throughout.
 *
 * In a first fragment (out->ip_fragment) seglen is only what this
 * fragment carries, and the TCP header may legally continue into the next
 * fragment (RFC 791 cuts anywhere on 8 bytes), so a header longer than
 * seglen is not a lie there.
 */
static enum tc_decode_status decode_tcp(struct cur *c, uint32_t seglen,
					struct tc_pkt *out)
{
	uint8_t offx, flags;
	uint32_t hlen, optlen;
	struct cur opts;

	if (!declared_fits(seglen, 20))
		/* Not even seq/ack/flags here: a "tiny fragment" (RFC 1858)
		 * is as useless to us as a later one. */
		return out->ip_fragment ? TC_DEC_FRAGMENT : TC_DEC_MALFORMED;
	if (cur_left(c) >= 20) {
		const uint8_t *p = c->buf + c->off;
		out->sport = be16_at(p);
		out->dport = be16_at(p + 2);
		out->seq = be32_at(p + 4);
		out->ack = be32_at(p + 8);
		offx = p[12];
		flags = p[13];
		out->win = be16_at(p + 14);
		c->off += 20; /* and checksum, urgent pointer */
	} else {
		return TC_DEC_TRUNCATED;
	}

	hlen = (uint32_t)(offx >> 4) * 4u;
	if (hlen < 20)
		return TC_DEC_MALFORMED;
	/* A first fragment's share, or a length already found wrong (clamped
	 * to the wire frame), cannot condemn the header: use what is there. */
	if (!declared_fits(seglen, hlen) && !out->ip_fragment && !out->len_clamped)
		return TC_DEC_MALFORMED;
	/* The low nibble of offx holds reserved bits and NS/AE: ignored. */
	out->flags = flags;

	/*
	 * From here on the segment is usable even if the options are bad or
	 * the snaplen cut them: seq/ack/flags are what the state machine
	 * lives on, so report OK and let TC_OPT_BAD say the option list is
	 * incomplete. Options are parsed from the captured part only.
	 */
	optlen = hlen - 20;
	opts = *c;
	cur_limit(&opts, optlen);
	tcp_options(&opts, out);
	if (!cur_skip(c, optlen)) {
		out->opt |= TC_OPT_BAD;
		c->off = c->end;        /* nothing of the payload was captured */
	}

	out->payload_caplen = cur_left(c);
	if (seglen == LEN_FROM_CAPTURE)
		out->payload_len = out->payload_caplen;
	else
		out->payload_len = seglen > hlen ? seglen - hlen : 0;
	out->payload = out->payload_caplen ? c->buf + c->off : NULL;
	return TC_DEC_OK;
}

/* ---- IPv4 / IPv6 ------------------------------------------------------- */

/* What follows an IP header that is not TCP: a tunnel, or not ours. */
static int ip_proto_may_tunnel(uint8_t proto)
{
	return proto == NH_UDP || proto == NH_IPIP || proto == NH_IPV6 || proto == NH_GRE;
}

static enum tc_decode_status decode_ip_proto(struct cur *c, uint8_t proto, int first_frag,
					     uint32_t seglen, struct tc_pkt *out);

static enum tc_decode_status decode_ipv4(struct cur *c, struct tc_pkt *out)
{
	uint8_t vhl, ttl, proto;
	uint16_t totlen, frag;
	uint32_t hlen, seglen, ip_off = c->off;

	if (cur_left(c) >= 20) {
		const uint8_t *p = c->buf + c->off;
		vhl = p[0];             /* p[1]: TOS */
		totlen = be16_at(p + 2);
		out->ip_id = be16_at(p + 4);
		frag = be16_at(p + 6);
		ttl = p[8];
		proto = p[9];           /* p[10..11]: checksum */
		memcpy(out->src, p + 12, 4);
		memcpy(out->dst, p + 16, 4);
		c->off += 20;
	} else {
		return TC_DEC_TRUNCATED;
	}

	if (vhl >> 4 != 4)
		return TC_DEC_MALFORMED;
	hlen = (uint32_t)(vhl & 0x0f) * 4u;
	if (hlen < 20)
		return TC_DEC_MALFORMED;
	if (totlen != 0 && totlen < hlen)
		return TC_DEC_MALFORMED;
	if (totlen != 0) {
		uint32_t believed = clamp_to_wire(c, ip_off, totlen, out);
		if (believed < hlen)
			return TC_DEC_MALFORMED;
		totlen = (uint16_t)believed;
	}
	out->ip_len = totlen ? totlen : c->end - ip_off;
	if (!cur_skip(c, hlen - 20))    /* options: not needed for TCP */
		return TC_DEC_TRUNCATED;

	/* IPsec AH (RFC 4302) authenticates without hiding: TCP follows it.
	 * Only a first fragment carries it. */
	if (proto == NH_AH && (frag & 0x1fff) == 0) {
		uint8_t nh, alen;
		uint32_t ahlen;
		if (!cur_u8(c, &nh) || !cur_u8(c, &alen))
			return TC_DEC_TRUNCATED;
		ahlen = ((uint32_t)alen + 2u) * 4u;
		if (ahlen < 12 || (totlen != 0 && totlen < hlen + ahlen))
			return TC_DEC_MALFORMED;
		if (!cur_skip(c, ahlen - 2))
			return TC_DEC_TRUNCATED;
		proto = nh;
		hlen += ahlen;
	}

	out->af = 4;
	out->ttl = ttl;
	out->ip_df = (frag & 0x4000) != 0;

	/*
	 * Not TCP comes before "not first fragment": a later fragment of a
	 * UDP datagram is not something the TCP side lost. A later fragment
	 * of an IP or GRE tunnel may be.
	 */
	if (proto != NH_TCP && !ip_proto_may_tunnel(proto))
		return TC_DEC_NOT_TCP;
	if ((frag & 0x1fff) != 0)
		return proto == NH_UDP ? TC_DEC_NOT_TCP : TC_DEC_FRAGMENT;

	if (totlen == 0) {
		seglen = LEN_FROM_CAPTURE;
	} else {
		/* Total length governs: bytes past it are link padding. */
		seglen = totlen - hlen;
		cur_limit(c, seglen);
	}
	if (proto != NH_TCP)
		return decode_ip_proto(c, proto, (frag & 0x2000) != 0, seglen, out);
	out->ip_fragment = (frag & 0x2000) != 0;
	return decode_tcp(c, seglen, out);
}

static int ip6_is_ext_hdr(uint8_t nh)
{
	switch (nh) {
	case NH_HOPOPTS: case NH_ROUTING: case NH_FRAGMENT:
	case NH_AH: case NH_DSTOPTS: case NH_MH:
	case NH_HIP: case NH_SHIM6:
		return 1;
	default:
		return 0;
	}
}

static enum tc_decode_status decode_ipv6(struct cur *c, struct tc_pkt *out)
{
	uint32_t vcf, left, hlen;
	uint16_t plen;
	uint8_t nh, hlim;
	int n;

	if (!cur_be32(c, &vcf) || !cur_be16(c, &plen) || !cur_u8(c, &nh) ||
	    !cur_u8(c, &hlim) ||
	    !cur_copy(c, out->src, 16) || !cur_copy(c, out->dst, 16))
		return TC_DEC_TRUNCATED;
	if (vcf >> 28 != 6)
		return TC_DEC_MALFORMED;
	out->af = 6;
	out->ttl = hlim;

	if (plen == 0) {
		left = LEN_FROM_CAPTURE;
		out->ip_len = 40u + cur_left(c);
	} else {
		uint32_t believed = clamp_to_wire(c, c->off - 40, 40u + plen, out);
		left = believed > 40 ? believed - 40 : 0;
		cur_limit(c, left);
		out->ip_len = believed > 40 ? believed : 40;
	}

	/*
	 * Extension headers. `left` counts down in step with the cursor so
	 * the TCP layer gets its declared length. Each header is checked
	 * against the declared payload first (a header that cannot fit is
	 * MALFORMED whatever the snaplen) and the capture second (TRUNCATED).
	 */
	for (n = 0;; n++) {
		uint8_t next, len;
		uint16_t fo;

		if (nh == NH_TCP)
			return decode_tcp(c, left, out);
		if (ip_proto_may_tunnel(nh))
			return decode_ip_proto(c, nh, out->ip_fragment, left, out);
		if (!ip6_is_ext_hdr(nh))
			return TC_DEC_NOT_TCP;  /* UDP, ICMPv6, NH_ESP, NH_NONE... */
		if (n >= MAX_IP6_EXT_HDRS)
			return TC_DEC_MALFORMED;

		if (!declared_fits(left, 2))
			return TC_DEC_MALFORMED;
		if (!cur_u8(c, &next) || !cur_u8(c, &len))
			return TC_DEC_TRUNCATED;
		if (nh == NH_FRAGMENT)
			hlen = 8;       /* second byte is reserved, not a length */
		else if (nh == NH_AH)
			hlen = ((uint32_t)len + 2) * 4;         /* RFC 4302 */
		else
			hlen = ((uint32_t)len + 1) * 8;         /* RFC 6564 */
		if (!declared_fits(left, hlen))
			return TC_DEC_MALFORMED;

		if (nh == NH_FRAGMENT) {
			if (!cur_be16(c, &fo))
				return TC_DEC_TRUNCATED;
			if ((fo & 0xfff8) != 0) {
				/*
				 * A later fragment. Its next-header names the
				 * first header of the fragmentable part
				 * (RFC 8200 4.5), so as for IPv4 we can tell
				 * a UDP/ICMPv6 fragment from a maybe-TCP one.
				 */
				if (next != NH_TCP && !ip6_is_ext_hdr(next) &&
				    (next == NH_UDP || !ip_proto_may_tunnel(next)))
					return TC_DEC_NOT_TCP;
				return TC_DEC_FRAGMENT;
			}
			/* Offset 0 without M is an atomic fragment (RFC
			 * 6946): the whole packet, decode as usual. */
			if (fo & 0x0001)
				out->ip_fragment = 1;
			if (!cur_skip(c, hlen - 4))
				return TC_DEC_TRUNCATED;
		} else if (!cur_skip(c, hlen - 2)) {
			return TC_DEC_TRUNCATED;
		}
		if (left != LEN_FROM_CAPTURE)
			left -= hlen;
		nh = next;
	}
}

/* IP whose version is given only by its first nibble (raw IP, MPLS). */
static enum tc_decode_status decode_ip_by_version(struct cur *c,
		struct tc_pkt *out, enum tc_decode_status if_neither)
{
	uint8_t v;

	if (!cur_peek_u8(c, &v))
		return TC_DEC_TRUNCATED;
	switch (v >> 4) {
	case 4:
		return decode_ipv4(c, out);
	case 6:
		return decode_ipv6(c, out);
	default:
		return if_neither;
	}
}

/* ---- link layer -------------------------------------------------------- */

/* MPLS (RFC 3032): 4-byte entries until the bottom-of-stack bit. The
 * label stack does not say what it carries, so guess from the version
 * nibble the way tcpdump does; anything else (pseudowires) is not IP. */
static enum tc_decode_status decode_mpls(struct cur *c, struct tc_pkt *out)
{
	uint32_t lse;

	do {
		if (!cur_be32(c, &lse))
			return TC_DEC_TRUNCATED;
	} while ((lse & 0x100) == 0);
	return decode_ip_by_version(c, out, TC_DEC_NOT_IP);
}

/*
 * The PPP protocol field (RFC 1661) and what it carries. A first byte with
 * its low bit set is the whole field, compressed to one byte (Protocol
 * Field Compression, RFC 1661 6.5). LCP, IPCP, compressed datagrams and
 * the rest are not IP.
 */
static enum tc_decode_status decode_ppp_proto(struct cur *c, struct tc_pkt *out)
{
	uint8_t hi, lo;
	uint16_t proto;

	if (!cur_u8(c, &hi))
		return TC_DEC_TRUNCATED;
	if (hi & 0x01) {
		proto = hi;
	} else {
		if (!cur_u8(c, &lo))
			return TC_DEC_TRUNCATED;
		proto = (uint16_t)(hi << 8 | lo);
	}
	switch (proto) {
	case PPP_IPV4:
		return decode_ipv4(c, out);
	case PPP_IPV6:
		return decode_ipv6(c, out);
	case PPP_MPLS_UC:
	case PPP_MPLS_MC:
		return decode_mpls(c, out);
	default:
		return TC_DEC_NOT_IP;
	}
}

/* PPPoE session stage (RFC 2516): 6-byte header, then the PPP protocol
 * field. The PPPoE length is not used: the IP length governs, as for
 * Ethernet. */
static enum tc_decode_status decode_pppoe(struct cur *c, struct tc_pkt *out)
{
	uint8_t vt, code;

	if (!cur_u8(c, &vt) || !cur_u8(c, &code) || !cur_skip(c, 4) /* session id, length */)
		return TC_DEC_TRUNCATED;
	if (vt != 0x11 || code != 0)    /* version 1, type 1, session data */
		return TC_DEC_MALFORMED;
	return decode_ppp_proto(c, out);
}

/* 802.2 LLC with a SNAP header for an ethertype: AA AA 03 and OUI 0
 * (RFC 1042), or with `bridge_tunnel` also 802.1H's 00-00-f8. */
static int is_snap(const uint8_t llc[6], int bridge_tunnel)
{
	return llc[0] == 0xaa && llc[1] == 0xaa && llc[2] == 0x03 && llc[3] == 0 && llc[4] == 0 &&
	       (llc[5] == 0 || (bridge_tunnel && llc[5] == 0xf8));
}

static int is_vlan_tpid(uint16_t type)
{
	return type == ETHERTYPE_8021Q || type == ETHERTYPE_8021AD ||
	       type == ETHERTYPE_QINQ_OLD;
}

/* Everything after an ethertype: Ethernet and both cooked captures (which
 * can carry a tag that libpcap re-inserted) share this. */
static enum tc_decode_status decode_ethertype(struct cur *c, uint16_t type,
					      struct tc_pkt *out)
{
	int tags = 0, snap_done = 0;

again:
	while (is_vlan_tpid(type)) {
		uint16_t tci;

		if (++tags > MAX_VLAN_TAGS)
			return TC_DEC_MALFORMED;
		if (!cur_be16(c, &tci) || !cur_be16(c, &type))
			return TC_DEC_TRUNCATED;
		if (tags == 1 && out->tunnel == 0)
			out->vlan = tci & 0x0fff;       /* drop PCP and DEI */
	}
	switch (type) {
	case ETHERTYPE_IPV4:
		return decode_ipv4(c, out);
	case ETHERTYPE_IPV6:
		return decode_ipv6(c, out);
	case ETHERTYPE_PPPOE_SESS:
		return decode_pppoe(c, out);
	case ETHERTYPE_PBB:
	case ETHERTYPE_VNTAG:
		/* A provider backbone's I-TAG and the customer's MACs, or a
		 * VN-Tag; then an ethertype again. They count against the
		 * tag bound: a frame can nest them without end. */
		if (++tags > MAX_VLAN_TAGS)
			return TC_DEC_MALFORMED;
		if (!cur_skip(c, type == ETHERTYPE_PBB ? 4u + 12u : 4u) || !cur_be16(c, &type))
			return TC_DEC_TRUNCATED;
		goto again;
	case ETHERTYPE_MPLS_UC:
	case ETHERTYPE_MPLS_MC:
		return decode_mpls(c, out);
	default:
		/* An 802.3 length field (<= 1500) is followed by 802.2 LLC; IP
		 * rides in it with a SNAP header (RFC 1042): AA AA 03, OUI 0. */
		if (type <= 1500 && !snap_done) {
			uint8_t llc[6];
			if (!cur_copy(c, llc, 6) || !cur_be16(c, &type))
				return TC_DEC_NOT_IP;
			if (!is_snap(llc, 0))
				return TC_DEC_NOT_IP;
			snap_done = 1;
			goto again;
		}
		return TC_DEC_NOT_IP;   /* ARP, LLDP, other LLC, ... */
	}
}

/* An Ethernet frame: on the wire, behind PPI, or inside a tunnel (VXLAN,
 * GENEVE, GRE 0x6558, ERSPAN). */
static enum tc_decode_status decode_ether(struct cur *c, struct tc_pkt *out)
{
	uint16_t type;

	if (!cur_skip(c, 12) /* MACs */ || !cur_be16(c, &type))
		return TC_DEC_TRUNCATED;
	return decode_ethertype(c, type, out);
}

/*
 * 802.2 LLC with a SNAP header, then what its ethertype names: how IP
 * rides on FDDI and 802.11 (`bridge_tunnel`: 802.1H's OUI 00-00-f8 too).
 */
static enum tc_decode_status decode_snap(struct cur *c, int bridge_tunnel, struct tc_pkt *out)
{
	uint8_t llc[6];
	uint16_t type;

	if (!cur_copy(c, llc, 6) || !cur_be16(c, &type))
		return TC_DEC_TRUNCATED;
	if (!is_snap(llc, bridge_tunnel))
		return TC_DEC_NOT_IP;
	return decode_ethertype(c, type, out);
}

/*
 * PPP on a serial line: HDLC-like framing (RFC 1662: address 0xff, control
 * 0x03, then the protocol field), or Cisco HDLC (address 0x0f unicast or
 * 0x8f broadcast, control 0, then an ethertype). With `bare`, a frame that
 * starts with neither is PPP without framing (DLT_PPP's other form).
 */
static enum tc_decode_status decode_serial(struct cur *c, int bare, struct tc_pkt *out)
{
	uint8_t addr, ctl;
	uint16_t type;

	if (cur_left(c) < 2)
		return TC_DEC_TRUNCATED;
	addr = c->buf[c->off];
	ctl = c->buf[c->off + 1];
	if (addr == 0xff && ctl == 0x03) {
		c->off += 2;
		return decode_ppp_proto(c, out);
	}
	if ((addr == 0x0f || addr == 0x8f) && ctl == 0x00) {
		c->off += 2;
		if (!cur_be16(c, &type))
			return TC_DEC_TRUNCATED;
		return decode_ethertype(c, type, out);
	}
	return bare ? decode_ppp_proto(c, out) : TC_DEC_MALFORMED;
}

/*
 * IEEE 802.11 (a monitor-mode capture): data frames only, not protected
 * (an encrypted payload is not ours to read), not A-MSDU aggregates; the
 * header is 24 bytes, 30 with the fourth address (to and from the
 * distribution system), 2 more for QoS control and 4 more for HT control
 * (QoS data with the order bit); then 802.2 LLC/SNAP (RFC 1042, or the
 * 802.1H bridge-tunnel OUI 00-00-f8) with the ethertype. A trailing FCS,
 * if the capture kept it, is past the IP length and never read as data.
 */
static enum tc_decode_status decode_80211(struct cur *c, struct tc_pkt *out)
{
	uint8_t fc0, fc1;
	uint32_t hl = 24;

	if (!cur_u8(c, &fc0) || !cur_u8(c, &fc1))
		return TC_DEC_TRUNCATED;
	if ((fc0 & 0x03) != 0)
		return TC_DEC_MALFORMED; /* protocol version 0 only */
	if ((fc0 & 0x0c) != 0x08 || (fc0 & 0x40) || (fc1 & 0x40))
		return TC_DEC_NOT_IP; /* not data, no data, or protected */
	if ((fc1 & 0x03) == 0x03)
		hl += 6;  /* address 4 */
	if (fc0 & 0x80) { /* QoS data: QoS control */
		uint8_t qos;
		if (!cur_skip(c, hl - 2) || !cur_u8(c, &qos))
			return TC_DEC_TRUNCATED;
		if (qos & 0x80)
			return TC_DEC_NOT_IP; /* A-MSDU: subframes, not decoded */
		if (!cur_skip(c, 1) || ((fc1 & 0x80) && !cur_skip(c, 4)))
			return TC_DEC_TRUNCATED;
	} else if (!cur_skip(c, hl - 2)) {
		return TC_DEC_TRUNCATED;
	}
	return decode_snap(c, 1, out);
}

/* FDDI: frame control and two MACs, then 802.2 LLC; IP rides in it with a
 * SNAP header (RFC 1042), as on 802.11. */
static enum tc_decode_status decode_fddi(struct cur *c, struct tc_pkt *out)
{
	if (!cur_skip(c, 13))
		return TC_DEC_TRUNCATED;
	return decode_snap(c, 0, out);
}

/* Radiotap (radiotap.org): version 0, a pad byte, its own length (little
 * endian), the fields it announces; 802.11 after it. */
static enum tc_decode_status decode_radiotap(struct cur *c, struct tc_pkt *out)
{
	uint8_t ver, pad;
	uint16_t len;

	if (!cur_u8(c, &ver) || !cur_u8(c, &pad) || !cur_le16(c, &len))
		return TC_DEC_TRUNCATED;
	if (ver != 0 || len < 8)
		return TC_DEC_MALFORMED;
	if (!cur_skip(c, len - 4u))
		return TC_DEC_TRUNCATED;
	return decode_80211(c, out);
}

/*
 * The older radio headers in front of 802.11 frames: Prism (a fixed
 * 144-byte message from linux-wlan-ng and early Atheros drivers, its
 * length in the writing host's order at offset 4) and AVS (version
 * 0x80211001, its length big-endian at offset 4). A Prism capture may
 * hold AVS headers: the version word tells.
 */
static enum tc_decode_status decode_prism_avs(struct cur *c, struct tc_pkt *out)
{
	uint8_t h[8];
	uint32_t len, le, be;

	if (!cur_copy(c, h, 8))
		return TC_DEC_TRUNCATED;
	le = (uint32_t)h[4] | (uint32_t)h[5] << 8 | (uint32_t)h[6] << 16 | (uint32_t)h[7] << 24;
	be = be32_at(h + 4);
	if (h[0] == 0x80 && h[1] == 0x21 && h[2] == 0x10 && (h[3] & 0xfe) == 0x00)
		len = be; /* AVS version 1 or 2 */
	else
		len = le <= 0xffff ? le : be;
	if (len < 8 || len > 0xffff)
		return TC_DEC_MALFORMED;
	if (!cur_skip(c, len - 8))
		return TC_DEC_TRUNCATED;
	return decode_80211(c, out);
}

/*
 * PPI (Per-Packet Information, CACE's header for Kismet and AirPcap):
 * version 0, flags, its length and the link type after it, little
 * endian; 802.11 or Ethernet there.
 */
static enum tc_decode_status decode_ppi(struct cur *c, struct tc_pkt *out)
{
	uint8_t ver, flags;
	uint16_t len, dlt_lo, dlt_hi;

	if (!cur_u8(c, &ver) || !cur_u8(c, &flags) || !cur_le16(c, &len) || !cur_le16(c, &dlt_lo) ||
	    !cur_le16(c, &dlt_hi))
		return TC_DEC_TRUNCATED;
	if (ver != 0 || len < 8)
		return TC_DEC_MALFORMED;
	if (!cur_skip(c, len - 8u))
		return TC_DEC_TRUNCATED;
	if (dlt_hi != 0)
		return TC_DEC_UNSUPPORTED_LINK;
	switch (dlt_lo) {
	case TC_DLT_IEEE802_11:
		return decode_80211(c, out);
	case TC_DLT_EN10MB:
		return decode_ether(c, out);
	default:
		return TC_DEC_UNSUPPORTED_LINK;
	}
}

/*
 * pf's log header (OpenBSD and FreeBSD pflog): its length is its first
 * byte, padded to 4 bytes as the kernel writes it (tcpdump's
 * BPF_WORDALIGN); the address family's AF_INET6 differs between the
 * systems, so the IP version nibble decides.
 */
static enum tc_decode_status decode_pflog(struct cur *c, struct tc_pkt *out)
{
	uint8_t len;

	if (!cur_u8(c, &len))
		return TC_DEC_TRUNCATED;
	if (len < 4)
		return TC_DEC_MALFORMED;
	if (!cur_skip(c, ((uint32_t)len + 3u) / 4u * 4u - 1u))
		return TC_DEC_TRUNCATED;
	return decode_ip_by_version(c, out, TC_DEC_MALFORMED);
}

/* ---- tunnels ----------------------------------------------------------- */

/* FNV-1a, 32 bits: the tunnel key needs no seed, only to keep tunnels
 * apart (the flow table hashes it again under its own seed). */
static uint32_t fnv32(uint32_t h, const uint8_t *p, size_t n)
{
	while (n--) {
		h ^= *p++;
		h *= 16777619u;
	}
	return h;
}

/*
 * The decoder is about to enter a tunnel whose outer IP header is what
 * out holds now: record the tunnel, fold it into out->tunnel and clear
 * what the inner IP header will fill in. The outer address pair is taken
 * in a fixed order so that both directions of the inner connection get
 * the same key; `keyed` says whether the id is the same both ways (VNI,
 * ERSPAN session) and so belongs in the key. A GTP-U TEID is chosen by
 * the receiver, and a GRE key may be too (RFC 2890 keys each direction
 * on its own: Linux's ikey and okey; a mirror's GRE keys can name the
 * direction, 0 one way and 0x02000000 the other): either, in the key,
 * would make each direction a connection of its own. Returns 0 when the
 * nesting is deeper than TC_TUNNEL_DEPTH_MAX.
 */
static int tunnel_enter(struct tc_pkt *out, enum tc_tunnel_type type, uint32_t id, int has_id,
			int keyed)
{
	uint8_t head[6];
	const uint8_t *lo = out->src, *hi = out->dst;
	uint32_t h = out->tunnel ? out->tunnel : 2166136261u;

	if (out->tun.depth >= TC_TUNNEL_DEPTH_MAX || (out->af != 4 && out->af != 6))
		return 0;
	out->tun.depth++;
	out->tun.type = (uint8_t)type;
	out->tun.af = out->af;
	out->tun.has_id = has_id != 0;
	out->tun.id = has_id ? id : 0;
	memcpy(out->tun.src, out->src, 16);
	memcpy(out->tun.dst, out->dst, 16);

	if (memcmp(lo, hi, 16) > 0) {
		lo = out->dst;
		hi = out->src;
	}
	if (!keyed || !has_id)
		id = 0;
	head[0] = (uint8_t)type;
	head[1] = out->af;
	head[2] = (uint8_t)(id >> 24);
	head[3] = (uint8_t)(id >> 16);
	head[4] = (uint8_t)(id >> 8);
	head[5] = (uint8_t)id;
	h = fnv32(h, head, sizeof(head));
	h = fnv32(h, lo, 16);
	h = fnv32(h, hi, 16);
	out->tunnel = h ? h : 1; /* 0 means "no tunnel" */

	memset(out->src, 0, sizeof(out->src));
	memset(out->dst, 0, sizeof(out->dst));
	out->af = 0;
	out->ttl = 0;
	out->ip_id = 0;
	out->ip_df = 0;
	out->ip_fragment = 0;
	return 1;
}

/* ERSPAN (draft-foschiano-erspan): type I has no header of its own (GRE
 * without a sequence number), type II an 8-byte one, type III 12 bytes and
 * an optional 8-byte platform subheader. The session id is the tunnel id. */
static enum tc_decode_status decode_erspan(struct cur *c, uint16_t proto, int seq,
					   struct tc_pkt *out)
{
	uint16_t vv, sess, ft;

	if (proto == ETHERTYPE_ERSPAN_2 && !seq) {
		if (!tunnel_enter(out, TC_TUN_ERSPAN, 0, 0, 1))
			return TC_DEC_MALFORMED;
		return decode_ether(c, out);
	}
	if (!cur_be16(c, &vv) || !cur_be16(c, &sess))
		return TC_DEC_TRUNCATED;
	if (proto == ETHERTYPE_ERSPAN_2) {
		if (vv >> 12 != 1)
			return TC_DEC_NOT_TCP; /* not a version we know */
		if (!cur_skip(c, 4))           /* reserved, index */
			return TC_DEC_TRUNCATED;
		ft = 0;
	} else {
		if (vv >> 12 != 2)
			return TC_DEC_NOT_TCP;
		if (!cur_skip(c, 6) /* timestamp, SGT */ || !cur_be16(c, &ft))
			return TC_DEC_TRUNCATED;
		if ((ft & 0x0001) && !cur_skip(c, 8)) /* O: platform subheader */
			return TC_DEC_TRUNCATED;
		ft = (uint16_t)(ft >> 10 & 0x1f);
	}
	if (!tunnel_enter(out, TC_TUN_ERSPAN, sess & 0x3ffu, 1, 1))
		return TC_DEC_MALFORMED;
	switch (ft) {
	case 0:
		return decode_ether(c, out);
	case 2: /* a bare IP packet */
		return decode_ip_by_version(c, out, TC_DEC_NOT_IP);
	default:
		return TC_DEC_NOT_IP; /* PPP, HDLC, ... */
	}
}

/* Aruba access points send their stations' 802.11 frames to the
 * controller in GRE with one of these protocol types (as Wireshark and
 * Zeek read them). */
static int is_aruba_wlan(uint16_t proto)
{
	return (proto >= 0x8200 && proto <= 0x8370 && (proto & 0x000f) == 0) || proto == 0x9000;
}

/* GRE (RFC 2784, keys and sequence numbers per RFC 2890). Version 1
 * (PPTP) and the RFC 1701 routing field are not decoded. */
static enum tc_decode_status decode_gre(struct cur *c, struct tc_pkt *out)
{
	uint16_t fl, proto;
	uint32_t key = 0;

	if (!cur_be16(c, &fl) || !cur_be16(c, &proto))
		return TC_DEC_TRUNCATED;
	if ((fl & 0x0007) != 0 || (fl & 0x4000) != 0)
		return TC_DEC_NOT_TCP;
	if ((fl & 0x8000) && !cur_skip(c, 4)) /* checksum, reserved */
		return TC_DEC_TRUNCATED;
	if ((fl & 0x2000) && !cur_be32(c, &key))
		return TC_DEC_TRUNCATED;
	if ((fl & 0x1000) && !cur_skip(c, 4)) /* sequence number */
		return TC_DEC_TRUNCATED;
	if (proto == ETHERTYPE_ERSPAN_2 || proto == ETHERTYPE_ERSPAN_3)
		return decode_erspan(c, proto, (fl & 0x1000) != 0, out);
	if (!tunnel_enter(out, TC_TUN_GRE, key, (fl & 0x2000) != 0, 0))
		return TC_DEC_MALFORMED;
	if (proto == ETHERTYPE_TEB)
		return decode_ether(c, out);
	if (is_aruba_wlan(proto))
		return decode_80211(c, out);
	return decode_ethertype(c, proto, out);
}

/* VXLAN (RFC 7348): flags with I (VNI valid), 24-bit VNI, Ethernet. */
static enum tc_decode_status decode_vxlan(struct cur *c, uint32_t declared, struct tc_pkt *out)
{
	uint8_t fl;
	uint32_t w;

	(void)declared; /* its header is fixed: one cut short is TRUNCATED */
	if (!cur_u8(c, &fl) || !cur_skip(c, 3) || !cur_be32(c, &w))
		return TC_DEC_TRUNCATED;
	if (!tunnel_enter(out, TC_TUN_VXLAN, w >> 8, (fl & 0x08) != 0, 1))
		return TC_DEC_MALFORMED;
	return decode_ether(c, out);
}

/* GENEVE (RFC 8926): version 0, options skipped by their total length,
 * an ethertype (0x6558 for Ethernet) and a 24-bit VNI. */
static enum tc_decode_status decode_geneve(struct cur *c, uint32_t declared, struct tc_pkt *out)
{
	uint8_t vo, fl;
	uint16_t proto;
	uint32_t w;

	(void)declared; /* its header is fixed: one cut short is TRUNCATED */
	if (!cur_u8(c, &vo) || !cur_u8(c, &fl) || !cur_be16(c, &proto) || !cur_be32(c, &w))
		return TC_DEC_TRUNCATED;
	if (vo >> 6 != 0)
		return TC_DEC_NOT_TCP;
	if (!cur_skip(c, (uint32_t)(vo & 0x3f) * 4u))
		return TC_DEC_TRUNCATED;
	if (!tunnel_enter(out, TC_TUN_GENEVE, w >> 8, 1, 1))
		return TC_DEC_MALFORMED;
	if (proto == ETHERTYPE_TEB)
		return decode_ether(c, out);
	return decode_ethertype(c, proto, out);
}

/* GTP-U (3GPP TS 29.281 5.1): version 1, G-PDU messages only (echo, end
 * marker, error indication carry no user packet); the optional sequence
 * number, N-PDU number and extension-header chain are skipped. */
static enum tc_decode_status decode_gtpu(struct cur *c, uint32_t declared, struct tc_pkt *out)
{
	uint8_t fl, mt, next;
	uint16_t len;
	uint32_t teid;
	int n;

	(void)declared; /* its header is fixed: one cut short is TRUNCATED */
	if (!cur_u8(c, &fl) || !cur_u8(c, &mt) || !cur_be16(c, &len) || !cur_be32(c, &teid))
		return TC_DEC_TRUNCATED;
	if (fl >> 5 != 1 || !(fl & 0x10) || mt != 0xff)
		return TC_DEC_NOT_TCP;
	cur_limit(c, len); /* the length counts what follows the first 8 bytes */
	if (fl & 0x07) {
		if (!cur_skip(c, 3) /* sequence, N-PDU */ || !cur_u8(c, &next))
			return TC_DEC_TRUNCATED;
		for (n = 0; next != 0; n++) {
			uint8_t elen;
			if (n >= MAX_GTP_EXT_HDRS)
				return TC_DEC_MALFORMED;
			if (!cur_u8(c, &elen))
				return TC_DEC_TRUNCATED;
			/* In 4-byte units, counting this length byte and the
			 * next-type byte: 0 would not advance. */
			if (elen == 0)
				return TC_DEC_MALFORMED;
			if (!cur_skip(c, (uint32_t)elen * 4u - 2u) || !cur_u8(c, &next))
				return TC_DEC_TRUNCATED;
		}
	}
	if (!tunnel_enter(out, TC_TUN_GTPU, teid, 1, 0))
		return TC_DEC_MALFORMED;
	return decode_ip_by_version(c, out, TC_DEC_NOT_IP);
}

/*
 * What a tunnel in UDP whose header runs out of bytes is: cut by the
 * capture if the UDP header declared more than is there (`declared`, the
 * UDP payload's length, LEN_FROM_CAPTURE if it gave none), else a
 * datagram on the tunnel's port that is not the tunnel.
 */
static enum tc_decode_status udp_short(const struct cur *c, uint32_t declared)
{
	return declared != LEN_FROM_CAPTURE && declared > cur_left(c) ? TC_DEC_TRUNCATED
								     : TC_DEC_NOT_TCP;
}

/*
 * Teredo (RFC 4380): IPv6 in UDP to or from a relay's port 3544, after an
 * optional authentication indicator (5.1.1: 0x0001, the lengths of the
 * client id and the authentication value, both, an 8-byte nonce and a
 * confirmation byte) and an optional origin indication (5.1.2: 0x0000,
 * then 6 bytes). What follows must look like IPv6, or the datagram is
 * some other use of the port.
 */
static enum tc_decode_status decode_teredo(struct cur *c, uint32_t declared, struct tc_pkt *out)
{
	enum tc_decode_status cut = udp_short(c, declared);

	if (cur_left(c) >= 1 && c->buf[c->off] == 0x00) {
		if (cur_left(c) < 4)
			return cut;
		if (c->buf[c->off + 1] == 0x01 &&
		    !cur_skip(c, 4u + c->buf[c->off + 2] + c->buf[c->off + 3] + 8u + 1u))
			return cut;
	}
	if (cur_left(c) >= 1 && c->buf[c->off] == 0x00) {
		if (cur_left(c) < 2)
			return cut;
		if (c->buf[c->off + 1] != 0x00)
			return TC_DEC_NOT_TCP;
		if (!cur_skip(c, 8))
			return cut;
	}
	if (cur_left(c) < 1)
		return cut; /* or a bubble's empty tail */
	if (c->buf[c->off] >> 4 != 6)
		return TC_DEC_NOT_TCP;
	if (!tunnel_enter(out, TC_TUN_TEREDO, 0, 0, 1))
		return TC_DEC_MALFORMED;
	return decode_ipv6(c, out);
}

/*
 * AYIYA ("anything in anything", draft-massar-v6ops-ayiya, what SixXS's
 * tunnel brokers used): UDP 5072, an 8-byte header whose first bytes give
 * the lengths of the identity (2^n bytes) and the signature (4n bytes)
 * that follow it, then the packet its next-header names. Only the
 * forward operation carries one.
 */
static enum tc_decode_status decode_ayiya(struct cur *c, uint32_t declared, struct tc_pkt *out)
{
	enum tc_decode_status cut = udp_short(c, declared);
	uint8_t h[4];

	if (!cur_copy(c, h, 4) || !cur_skip(c, 4)) /* and the epoch */
		return cut;
	if ((h[2] & 0x0f) != 1)
		return TC_DEC_NOT_TCP; /* not "forward": no packet in it */
	if (!cur_skip(c, (1u << (h[0] >> 4)) + (uint32_t)(h[1] >> 4) * 4u))
		return cut;
	if (h[3] != NH_IPV6 && h[3] != NH_IPIP)
		return TC_DEC_NOT_TCP;
	if (!tunnel_enter(out, TC_TUN_AYIYA, 0, 0, 1))
		return TC_DEC_MALFORMED;
	return h[3] == NH_IPV6 ? decode_ipv6(c, out) : decode_ipv4(c, out);
}

/*
 * L2TP version 2 (RFC 2661 3.1), what remote-access and broadband PPP
 * sessions ride in: flags and version, the length, tunnel and session
 * ids, Ns and Nr, and an offset pad as its flags say; then, in a data
 * message, a PPP frame with or without its address and control bytes.
 * Each end picks the tunnel and session ids it receives on, so they
 * differ per direction and stay out of the connection key; the tunnel
 * reports the first packet's tunnel id.
 */
static enum tc_decode_status decode_l2tp(struct cur *c, uint32_t declared, struct tc_pkt *out)
{
	enum tc_decode_status cut = udp_short(c, declared);
	uint16_t fl, tunnel, off;

	if (!cur_be16(c, &fl))
		return cut;
	if ((fl & 0x000f) != 2 || (fl & 0x8000))
		return TC_DEC_NOT_TCP; /* L2TPv3, or a control message */
	if (((fl & 0x4000) && !cur_skip(c, 2)) || !cur_be16(c, &tunnel) ||
	    !cur_skip(c, 2) /* session id */ || ((fl & 0x0800) && !cur_skip(c, 4)))
		return cut;
	if (fl & 0x0200) {
		if (!cur_be16(c, &off) || !cur_skip(c, off))
			return cut;
	}
	if (!tunnel_enter(out, TC_TUN_L2TP, tunnel, 1, 0))
		return TC_DEC_MALFORMED;
	return decode_serial(c, 1, out);
}

/*
 * UDP that may carry a tunnel, by its well-known port. Anything else, and
 * a datagram on such a port whose header is not the tunnel's, stays
 * NOT_TCP as all UDP was.
 */
static enum tc_decode_status decode_udp(struct cur *c, struct tc_pkt *out)
{
	uint16_t sport = 0, dport = 0, ulen = 0;
	enum tc_decode_status (*dec)(struct cur *, uint32_t, struct tc_pkt *);

	if (cur_left(c) < 8)
		return TC_DEC_NOT_TCP;
	(void)cur_be16(c, &sport);
	(void)cur_be16(c, &dport);
	(void)cur_be16(c, &ulen);
	(void)cur_skip(c, 2); /* checksum */
	if (dport == PORT_VXLAN || dport == PORT_VXLAN_LINUX)
		dec = decode_vxlan;
	else if (dport == PORT_GENEVE)
		dec = decode_geneve;
	else if (dport == PORT_GTPU || sport == PORT_GTPU)
		dec = decode_gtpu;
	else if (dport == PORT_TEREDO || sport == PORT_TEREDO)
		dec = decode_teredo;
	else if (dport == PORT_AYIYA || sport == PORT_AYIYA)
		dec = decode_ayiya;
	else if (dport == PORT_L2TP || sport == PORT_L2TP)
		dec = decode_l2tp;
	else
		return TC_DEC_NOT_TCP;
	if (ulen != 0 && ulen < 8)
		return TC_DEC_NOT_TCP; /* not a UDP header after all */
	/* 0: a jumbogram, or TSO: the IP length governs. */
	if (ulen == 0)
		return dec(c, LEN_FROM_CAPTURE, out);
	cur_limit(c, ulen - 8u);
	return dec(c, ulen - 8u, out);
}

static enum tc_decode_status decode_tunnel(struct cur *c, uint8_t proto, struct tc_pkt *out)
{
	switch (proto) {
	case NH_UDP:
		return decode_udp(c, out);
	case NH_IPIP:
	case NH_IPV6:
		if (!tunnel_enter(out, TC_TUN_IPIP, 0, 0, 1))
			return TC_DEC_MALFORMED;
		return proto == NH_IPIP ? decode_ipv4(c, out) : decode_ipv6(c, out);
	case NH_GRE:
		return decode_gre(c, out);
	default:
		return TC_DEC_NOT_TCP;
	}
}

/*
 * A tunnel, or not ours. In the first fragment of an outer datagram the
 * tunnel's headers and the start of the inner packet are there and the
 * rest is in later fragments, which are not joined: the inner packet is
 * read as if a snaplen had cut it where the fragment ends. Its headers
 * declare what was sent, and the fragment's wire length says nothing
 * about that, so it does not bound them. Mirrors and overlays fragment
 * every full-size frame they carry over a 1500-byte path (ERSPAN and GRE
 * taps above all): skipping first fragments would lose every full-sized
 * segment of such a capture. An inner header cut where the fragment ends
 * leaves a FRAGMENT, not TRUNCATED: the capture lost nothing. (seglen is
 * what the outer header declares after itself; the window holds less if
 * the snaplen cut the fragment, and then a cut header is TRUNCATED.)
 */
static enum tc_decode_status decode_ip_proto(struct cur *c, uint8_t proto, int first_frag,
					     uint32_t seglen, struct tc_pkt *out)
{
	enum tc_decode_status st;
	int snapped;

	if (!first_frag)
		return decode_tunnel(c, proto, out);
	snapped = seglen != LEN_FROM_CAPTURE && cur_left(c) < seglen;
	c->wire = 0;
	st = decode_tunnel(c, proto, out);
	return st == TC_DEC_TRUNCATED && !snapped ? TC_DEC_FRAGMENT : st;
}

/* ---- NFLOG --------------------------------------------------------------- */

/*
 * Linux NFLOG (LINKTYPE_NFLOG): address family, version 0, resource id,
 * then netlink TLVs, each padded to 4 bytes. Length and type are in the
 * capturing host's byte order, which libpcap converts to ours when it
 * reads a file from the other order (as tcpdump's nflog printer assumes).
 * The packet is the NFULA_PAYLOAD TLV.
 */
static enum tc_decode_status decode_nflog(struct cur *c, struct tc_pkt *out)
{
	uint8_t family, version;
	int n;

	if (!cur_u8(c, &family) || !cur_u8(c, &version) || !cur_skip(c, 2))
		return TC_DEC_TRUNCATED;
	if (version != 0)
		return TC_DEC_MALFORMED;
	for (n = 0;; n++) {
		uint16_t len, type;
		struct cur v;

		/* Out of TLVs: a record logged without its packet if the
		 * whole frame is here, a snaplen cut otherwise. */
		if (cur_left(c) == 0)
			return c->wire != 0 && c->end == c->wire ? TC_DEC_NOT_IP
								 : TC_DEC_TRUNCATED;
		if (n >= MAX_NFLOG_TLVS)
			return TC_DEC_MALFORMED;
		if (cur_left(c) < 4)
			return TC_DEC_TRUNCATED;
		memcpy(&len, c->buf + c->off, 2);
		memcpy(&type, c->buf + c->off + 2, 2);
		if (len < 4)
			return TC_DEC_MALFORMED;
		if ((type & 0x3fff) == NFULA_PAYLOAD) {
			v = *c;
			v.off += 4;
			cur_limit(&v, len - 4u);
			switch (family) {
			case 2:
				return decode_ipv4(&v, out);
			case 10:
				return decode_ipv6(&v, out);
			default:
				return decode_ip_by_version(&v, out, TC_DEC_NOT_IP);
			}
		}
		if (!cur_skip(c, ((uint32_t)len + 3u) & ~3u))
			return TC_DEC_TRUNCATED;
	}
}

/* BSD NULL / LOOP: a 4-byte address family. The AF_INET6 value differs
 * between the systems that wrote the capture, so accept them all. */
static enum tc_decode_status decode_af(struct cur *c, uint32_t af,
				       struct tc_pkt *out)
{
	switch (af) {
	case 2:                         /* AF_INET everywhere */
		return decode_ipv4(c, out);
	case 10:                        /* Linux */
	case 24:                        /* OpenBSD, NetBSD */
	case 28:                        /* FreeBSD, DragonFly */
	case 30:                        /* macOS */
		return decode_ipv6(c, out);
	default:
		return TC_DEC_NOT_IP;
	}
}

/* ---- the common frame, straight through ------------------------------- */

/*
 * Ethernet, at most one 802.1Q tag, IPv4 that is not fragmented or IPv6
 * whose next header is TCP, then TCP with all of its header captured:
 * nearly every frame of a real capture. Decoded here in one pass of direct
 * loads, every one behind a length check made first, instead of a cursor
 * read per field and a call per layer: about two thirds of the general
 * path's instructions for the same frame.
 *
 * Returns 1 with *out filled exactly as tc_decode_general() would fill it
 * for the same frame (the same fields, each with the same value, the
 * rest zero), 0 for anything else: other tags, tunnels, IPv4 options
 * longer than captured, fragments, AH, extension headers, a TCP header cut
 * by the snaplen, and every length that is wrong. The caller then runs the
 * general path, which starts over and decides what the frame is. So the
 * checks here only need to say "certainly the plain case", never why not;
 * nothing is written to *out before the last of them. Each step names the
 * general-path code whose result it reproduces.
 */
int tc_decode_fast(const uint8_t *buf, uint32_t caplen, uint32_t wirelen, struct tc_pkt *out)
{
	const uint8_t *p, *t;
	/* As tc_decode_general(): a wire length below caplen is ignored. */
	uint32_t wire = wirelen >= caplen ? wirelen : 0;
	uint32_t ip_off = 14, off, end = caplen, seglen, hlen, ip_len;
	uint16_t type, vlan = 0;
	uint8_t clamped = 0;

	/* Ethernet 14 + IPv4 20 + TCP 20: no TCP segment is shorter. */
	if (buf == NULL || caplen < 54)
		return 0;
	type = be16_at(buf + 12);
	if (type == ETHERTYPE_8021Q) {
		/* decode_ethertype(): the first tag's VLAN id, PCP and DEI
		 * dropped; caplen >= 54 holds the tag and 20 more bytes. */
		vlan = be16_at(buf + 14) & 0x0fff;
		type = be16_at(buf + 16);
		ip_off = 18;
	}
	p = buf + ip_off;

	if (type == ETHERTYPE_IPV4) {
		uint32_t totlen;

		/* decode_ipv4(); 20 bytes are there (caplen >= 54). */
		hlen = (uint32_t)(p[0] & 0x0f) * 4u;
		if (p[0] >> 4 != 4 || hlen < 20 || p[9] != NH_TCP || (be16_at(p + 6) & 0x3fff) != 0)
			return 0; /* malformed, not TCP (AH, tunnels), a fragment */
		off = ip_off + hlen;
		if (off > caplen)
			return 0; /* options cut by the snaplen */
		totlen = be16_at(p + 2);
		if (totlen != 0) {
			if (totlen < hlen)
				return 0;
			if (wire != 0 && ip_off + totlen > wire) { /* clamp_to_wire() */
				clamped = 1;
				totlen = wire > ip_off ? wire - ip_off : 0;
				if (totlen < hlen)
					return 0;
			}
			ip_len = totlen;
			seglen = totlen - hlen;
		} else {
			ip_len = caplen - ip_off;
			seglen = LEN_FROM_CAPTURE;
		}
	} else if (type == ETHERTYPE_IPV6) {
		uint32_t plen;

		/* decode_ipv6() with TCP as the first next header. */
		off = ip_off + 40;
		if (off > caplen || p[0] >> 4 != 6 || p[6] != NH_TCP)
			return 0;
		plen = be16_at(p + 4);
		if (plen == 0) {
			seglen = LEN_FROM_CAPTURE;
			ip_len = caplen - ip_off;
		} else {
			uint32_t believed = 40u + plen;
			if (wire != 0 && ip_off + believed > wire) { /* clamp_to_wire() */
				clamped = 1;
				believed = wire > ip_off ? wire - ip_off : 0;
			}
			seglen = believed > 40 ? believed - 40 : 0;
			ip_len = believed > 40 ? believed : 40;
		}
	} else {
		return 0;
	}
	/* The IP length governs: bytes past it are link padding. */
	if (seglen != LEN_FROM_CAPTURE && end - off > seglen)
		end = off + seglen;

	/*
	 * decode_tcp(), with the whole header captured. end - off <= seglen,
	 * so a captured header also fits the declared length: what the
	 * general path calls MALFORMED for a segment too short for its
	 * header is handed over by these same checks.
	 */
	if (end - off < 20)
		return 0;
	t = buf + off;
	hlen = (uint32_t)(t[12] >> 4) * 4u;
	if (hlen < 20 || end - off < hlen)
		return 0;

	/*
	 * The frame is ours: write every byte of *out. No memset of the whole
	 * struct first (the general path's way): for its size compilers emit
	 * `rep stos`, whose start-up costs more than the stores below. What
	 * is not a field of this frame is zero, as there; the tunnel fields
	 * and the tail padding after them are cleared in one piece.
	 */
	memset((uint8_t *)out + offsetof(struct tc_pkt, tunnel), 0,
	       sizeof *out - offsetof(struct tc_pkt, tunnel));
	memset(out->src, 0, sizeof out->src + sizeof out->dst);
	if (type == ETHERTYPE_IPV4) {
		out->af = 4;
		out->ttl = p[8];
		out->ip_id = be16_at(p + 4);
		out->ip_df = (p[6] & 0x40) != 0;
		memcpy(out->src, p + 12, 4);
		memcpy(out->dst, p + 16, 4);
	} else {
		out->af = 6;
		out->ttl = p[7];
		out->ip_id = 0;
		out->ip_df = 0;
		memcpy(out->src, p + 8, 16);
		memcpy(out->dst, p + 24, 16);
	}
	out->ip_len = ip_len;
	out->len_clamped = clamped;
	out->ip_fragment = 0;
	out->vlan = vlan;
	out->sport = be16_at(t);
	out->dport = be16_at(t + 2);
	out->seq = be32_at(t + 4);
	out->ack = be32_at(t + 8);
	out->flags = t[13];
	out->win = be16_at(t + 14);

	/*
	 * tcp_options() over the whole option space, which is captured. Two
	 * layouts are read in place: NOP NOP TS (nearly every segment after
	 * the handshake) and Linux's SYN and SYN-ACK, MSS SACKOK TS NOP WS.
	 */
	if (hlen == 32 && t[20] == 1 && t[21] == 1 && t[22] == 8 && t[23] == 10) {
		out->tsval = be32_at(t + 24);
		out->tsecr = be32_at(t + 28);
		out->opt = TC_OPT_TS;
		out->wscale = 0;
		out->mss = 0;
	} else if (hlen == 40 && t[20] == 2 && t[21] == 4 && t[24] == 4 && t[25] == 2 &&
		   t[26] == 8 && t[27] == 10 && t[36] == 1 && t[37] == 3 && t[38] == 3) {
		out->mss = be16_at(t + 22);
		out->tsval = be32_at(t + 28);
		out->tsecr = be32_at(t + 32);
		out->wscale = t[39];
		out->opt = TC_OPT_MSS | TC_OPT_SACKOK | TC_OPT_TS | TC_OPT_WSCALE;
	} else {
		out->tsval = 0;
		out->tsecr = 0;
		out->opt = 0;
		out->wscale = 0;
		out->mss = 0;
		if (hlen > 20) {
			struct cur c;
			c.buf = buf;
			c.off = off + 20;
			c.end = off + hlen;
			c.wire = wire;
			tcp_options(&c, out);
		}
	}
	off += hlen;

	out->payload_caplen = end - off;
	if (seglen == LEN_FROM_CAPTURE)
		out->payload_len = out->payload_caplen;
	else
		out->payload_len = seglen > hlen ? seglen - hlen : 0;
	out->payload = out->payload_caplen ? buf + off : NULL;
	return 1;
}

/* The link types tc_decode_general() has a case for: one list, its
 * switch. Every one of them finds an empty frame TRUNCATED (test_decode
 * holds them to it); only an unknown one says UNSUPPORTED_LINK. */
int tc_decode_link_supported(int dlt)
{
	struct tc_pkt p;

	return tc_decode_general(dlt, NULL, 0, 0, &p) != TC_DEC_UNSUPPORTED_LINK;
}

enum tc_decode_status tc_decode(int dlt, const uint8_t *buf, uint32_t caplen,
				struct tc_pkt *out)
{
	return tc_decode_wire(dlt, buf, caplen, 0, out);
}

enum tc_decode_status tc_decode_wire(int dlt, const uint8_t *buf, uint32_t caplen,
				     uint32_t wirelen, struct tc_pkt *out)
{
	if (dlt == TC_DLT_EN10MB && tc_decode_fast(buf, caplen, wirelen, out))
		return TC_DEC_OK;
	return tc_decode_general(dlt, buf, caplen, wirelen, out);
}

enum tc_decode_status tc_decode_general(int dlt, const uint8_t *buf, uint32_t caplen,
					uint32_t wirelen, struct tc_pkt *out)
{
	struct cur c;
	uint16_t type;
	uint32_t af;

	memset(out, 0, sizeof *out);
	c.buf = buf;
	c.off = 0;
	c.end = buf != NULL ? caplen : 0;
	/* A wire length shorter than what was captured is itself a lie: ignore it. */
	c.wire = wirelen >= caplen ? wirelen : 0;

	switch (dlt) {
	case TC_DLT_EN10MB:
		return decode_ether(&c, out);
	case TC_DLT_LINUX_SLL:
		/* packet type, ARPHRD, addr len, 8-byte addr, protocol */
		if (!cur_skip(&c, 14) || !cur_be16(&c, &type))
			return TC_DEC_TRUNCATED;
		return decode_ethertype(&c, type, out);
	case TC_DLT_LINUX_SLL2:
		/* protocol, reserved, ifindex, ARPHRD, type, addr len, addr */
		if (!cur_be16(&c, &type) || !cur_skip(&c, 18))
			return TC_DEC_TRUNCATED;
		return decode_ethertype(&c, type, out);
	case TC_DLT_NULL:
		if (!cur_be32(&c, &af))
			return TC_DEC_TRUNCATED;
		/*
		 * Host byte order of the machine that captured, which need
		 * not be ours. AF values are small, so high bits set mean
		 * the other order (the same test tcpdump's null.c makes).
		 */
		if ((af & 0xffff0000u) != 0)
			af = (af >> 24) | (af >> 8 & 0xff00u) |
			     (af << 8 & 0xff0000u) | (af << 24);
		return decode_af(&c, af, out);
	case TC_DLT_LOOP:
		if (!cur_be32(&c, &af))
			return TC_DEC_TRUNCATED;
		return decode_af(&c, af, out);
	case TC_DLT_RAW:
	case TC_DLT_RAW_BSD:
	case TC_DLT_LINKTYPE_RAW:
		return decode_ip_by_version(&c, out, TC_DEC_MALFORMED);
	case TC_DLT_IPV4:
		return decode_ipv4(&c, out);
	case TC_DLT_IPV6:
		return decode_ipv6(&c, out);
	case TC_DLT_NFLOG:
		return decode_nflog(&c, out);
	case TC_DLT_PPP:
		return decode_serial(&c, 1, out);
	case TC_DLT_PPP_SERIAL:
	case TC_DLT_C_HDLC:
		return decode_serial(&c, 0, out);
	case TC_DLT_PPP_ETHER:
		return decode_pppoe(&c, out);
	case TC_DLT_FDDI:
		return decode_fddi(&c, out);
	case TC_DLT_IEEE802_11:
		return decode_80211(&c, out);
	case TC_DLT_IEEE802_11_RADIO:
		return decode_radiotap(&c, out);
	case TC_DLT_PRISM_HEADER:
	case TC_DLT_IEEE802_11_AVS:
		return decode_prism_avs(&c, out);
	case TC_DLT_PPI:
		return decode_ppi(&c, out);
	case TC_DLT_PFLOG:
		return decode_pflog(&c, out);
	default:
		return TC_DEC_UNSUPPORTED_LINK;
	}
}

const char *tc_tunnel_name(enum tc_tunnel_type t)
{
	static const char *const names[TC_TUN__COUNT] = {
		[TC_TUN_IPIP] = "ipip",
		[TC_TUN_GRE] = "gre",
		[TC_TUN_ERSPAN] = "erspan",
		[TC_TUN_VXLAN] = "vxlan",
		[TC_TUN_GENEVE] = "geneve",
		[TC_TUN_GTPU] = "gtpu",
		[TC_TUN_TEREDO] = "teredo",
		[TC_TUN_AYIYA] = "ayiya",
		[TC_TUN_L2TP] = "l2tp",
	};

	if ((unsigned)t >= TC_TUN__COUNT)
		return NULL;
	return names[t];
}

const char *tc_decode_status_name(enum tc_decode_status st)
{
	static const char *const names[TC_DEC__COUNT] = {
		[TC_DEC_OK] = "ok",
		[TC_DEC_NOT_IP] = "not_ip",
		[TC_DEC_NOT_TCP] = "not_tcp",
		[TC_DEC_FRAGMENT] = "fragment",
		[TC_DEC_TRUNCATED] = "truncated",
		[TC_DEC_MALFORMED] = "malformed",
		[TC_DEC_UNSUPPORTED_LINK] = "unsupported_link",
	};

	if ((unsigned)st >= TC_DEC__COUNT)
		return "unknown";
	return names[st];
}
