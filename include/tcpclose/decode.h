/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * decode.h -- captured bytes to TCP segment facts.
 *
 * The decoder is the only code in tcpclose that looks at raw packet bytes.
 * It promises:
 *   - every byte it reads lies inside [buf, buf + caplen); it never trusts a
 *     length field from the packet without checking it against caplen;
 *   - it never allocates, never prints and keeps no state between calls;
 *   - a packet it cannot use is classified (enum tc_decode_status), never
 *     fatal, so the caller can count it.
 *
 * Link types are given as the values pcap_datalink() returns (DLT_*), so the
 * core does not need <pcap.h>; the TC_DLT_* constants below mirror them.
 */
#ifndef TCPCLOSE_DECODE_H
#define TCPCLOSE_DECODE_H

#include <stdint.h>

/* pcap_datalink() values (DLT_*), mirrored so the core needs no libpcap. */
enum {
	TC_DLT_NULL = 0,               /* BSD loopback, host-endian AF_ value */
	TC_DLT_EN10MB = 1,             /* Ethernet II, with 802.1Q / 802.1ad tags */
	TC_DLT_PPP = 9,                /* PPP, with or without HDLC-like framing */
	TC_DLT_FDDI = 10,              /* FDDI, 802.2 LLC/SNAP */
	TC_DLT_RAW = 12,               /* raw IP (Linux value of DLT_RAW) */
	TC_DLT_RAW_BSD = 14,           /* raw IP (DLT_RAW on OpenBSD) */
	TC_DLT_PPP_SERIAL = 50,        /* PPP in HDLC-like framing, or Cisco HDLC */
	TC_DLT_PPP_ETHER = 51,         /* PPPoE session header, no Ethernet */
	TC_DLT_LINKTYPE_RAW = 101,     /* LINKTYPE_RAW, if it leaks through unmapped */
	TC_DLT_C_HDLC = 104,           /* Cisco HDLC */
	TC_DLT_IEEE802_11 = 105,       /* 802.11 frames (a monitor-mode capture) */
	TC_DLT_LOOP = 108,             /* OpenBSD loopback, network-endian AF_ value */
	TC_DLT_LINUX_SLL = 113,        /* Linux cooked capture v1 (tcpdump -i any) */
	TC_DLT_PFLOG = 117,            /* OpenBSD/FreeBSD pf log (tcpdump -i pflog0) */
	TC_DLT_PRISM_HEADER = 119,     /* 802.11 behind a Prism header (old Linux drivers) */
	TC_DLT_IEEE802_11_RADIO = 127, /* 802.11 behind a radiotap header */
	TC_DLT_IEEE802_11_AVS = 163,   /* 802.11 behind an AVS header */
	TC_DLT_PPI = 192,              /* Per-Packet Information (Kismet, AirPcap) */
	TC_DLT_IPV4 = 228,             /* raw IPv4 */
	TC_DLT_NFLOG = 239,            /* Linux netfilter NFLOG (tcpdump -i nflog) */
	TC_DLT_IPV6 = 229,             /* raw IPv6 */
	TC_DLT_LINUX_SLL2 = 276        /* Linux cooked capture v2 */
};

/* TCP header flag bits, as on the wire (RFC 9293 section 3.1). */
enum {
	TC_FIN = 0x01,
	TC_SYN = 0x02,
	TC_RST = 0x04,
	TC_PSH = 0x08,
	TC_ACK = 0x10,
	TC_URG = 0x20,
	TC_ECE = 0x40,
	TC_CWR = 0x80
};

/* Which TCP options were present (tc_pkt.opt). */
enum {
	TC_OPT_MSS = 0x01,
	TC_OPT_WSCALE = 0x02,
	TC_OPT_SACKOK = 0x04,
	TC_OPT_SACK = 0x08,
	TC_OPT_TS = 0x10,
	TC_OPT_OTHER = 0x20,    /* some option we do not interpret */
	TC_OPT_BAD = 0x40       /* option list malformed or cut off: parsing stopped */
};

/* Encapsulations that can carry the TCP segment (tc_tunnel.type). */
enum tc_tunnel_type {
	TC_TUN_NONE = 0,
	TC_TUN_IPIP,   /* IPv4 or IPv6 in IPv4 or IPv6 (4in4, 6in4, 4in6, 6in6) */
	TC_TUN_GRE,    /* GRE (RFC 2784/2890), any payload */
	TC_TUN_ERSPAN, /* ERSPAN type I/II/III over GRE (mirrored copies) */
	TC_TUN_VXLAN,  /* VXLAN (RFC 7348), UDP 4789 or 8472 */
	TC_TUN_GENEVE, /* GENEVE (RFC 8926), UDP 6081 */
	TC_TUN_GTPU,   /* GTP-U (3GPP TS 29.281), UDP 2152 */
	TC_TUN_TEREDO, /* Teredo (RFC 4380): IPv6 in UDP 3544 */
	TC_TUN_AYIYA,  /* AYIYA (draft-massar-v6ops-ayiya): UDP 5072 */
	TC_TUN_L2TP,   /* L2TPv2 (RFC 2661) data messages, PPP inside: UDP 1701 */
	TC_TUN__COUNT
};

/* Most tunnels one frame may nest before it is called MALFORMED. */
#define TC_TUNNEL_DEPTH_MAX 4

/*
 * The tunnel directly around the TCP segment (the innermost one, when
 * tunnels nest). Outer addresses as in tc_pkt (IPv4 in the first 4 bytes).
 */
struct tc_tunnel {
	uint8_t type;    /* enum tc_tunnel_type */
	uint8_t af;      /* 4 or 6: the outer IP version */
	uint8_t has_id;  /* id is meaningful */
	uint8_t depth;   /* tunnels around the segment, 1 = not nested */
	uint32_t id;     /* VNI, GRE key, ERSPAN session, GTP-U TEID, L2TP tunnel */
	uint8_t src[16]; /* outer source, network order */
	uint8_t dst[16]; /* outer destination */
};

enum tc_decode_status {
	TC_DEC_OK = 0,          /* a TCP segment: *out is filled in */
	TC_DEC_NOT_IP,          /* link layer carries something else (ARP, LLDP...) */
	TC_DEC_NOT_TCP,         /* IPv4/IPv6 but not TCP (UDP, ICMP, ESP...) */
	TC_DEC_FRAGMENT,        /* a non-first IP fragment: no TCP header in it */
	TC_DEC_TRUNCATED,       /* capture ends before the headers do (snaplen) */
	TC_DEC_MALFORMED,       /* a length or version field that cannot be right */
	TC_DEC_UNSUPPORTED_LINK,/* link type the decoder does not know */
	TC_DEC__COUNT
};

/*
 * Facts about one TCP segment. Addresses are in network byte order; an IPv4
 * address occupies the first 4 bytes of src/dst and the rest is zero, so two
 * tc_pkt of the same family compare with memcmp.
 */
struct tc_pkt {
	uint8_t af;             /* 4 or 6 */
	uint8_t flags;          /* TC_FIN ... TC_CWR */
	uint8_t ttl;            /* IPv4 TTL or IPv6 hop limit */
	uint8_t opt;            /* TC_OPT_* present */
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t sport;
	uint16_t dport;
	uint32_t seq;
	uint32_t ack;
	uint16_t win;           /* raw window field, not scaled */
	uint16_t ip_id;         /* IPv4 identification (0 for IPv6) */
	uint8_t ip_df;          /* IPv4 don't-fragment bit (0 for IPv6) */
	uint8_t wscale;         /* valid if opt & TC_OPT_WSCALE */
	uint16_t mss;           /* valid if opt & TC_OPT_MSS */
	uint32_t tsval;         /* valid if opt & TC_OPT_TS */
	uint32_t tsecr;
	/* Payload length according to the IP length fields: what the sender
	 * put on the wire, even if the capture kept less of it. */
	uint32_t payload_len;
	/* The IP datagram's length (headers included) as its IP header states
	 * it -- IPv4 total length, IPv6 payload length + 40 -- of the
	 * innermost IP header; what the frame could hold if that was a lie
	 * (len_clamped), the captured bytes if the field was 0 (segmentation
	 * offload). What Zeek's conn.log counts as orig_ip_bytes/resp_ip_bytes. */
	uint32_t ip_len;
	/* The captured part of the payload (payload_caplen <= payload_len). */
	const uint8_t *payload;
	uint32_t payload_caplen;
	uint16_t vlan;          /* outermost 802.1Q VLAN id, 0 if none */
	uint8_t ip_fragment;    /* 1 if this is a first fragment (MF set) */
	uint8_t len_clamped;    /* the IP length claimed more than the frame on the
	                           wire held; payload_len is what it could hold */
	/* Which tunnel chain carried it: 0 if none, else a hash of every
	 * tunnel's type, outer address pair (direction-independent) and the
	 * id both directions share (VNI, ERSPAN session; not a GTP-U TEID or
	 * a GRE key, which may differ per direction). Part of the connection
	 * key. */
	uint32_t tunnel;
	struct tc_tunnel tun; /* valid if tunnel != 0 */
};

/*
 * Decode one captured frame of link type `dlt`. `caplen` is the number of
 * bytes captured (the only bytes that may be read). On TC_DEC_OK, *out holds
 * the segment facts; on any other status *out is unspecified.
 */
enum tc_decode_status tc_decode(int dlt, const uint8_t *buf, uint32_t caplen,
				struct tc_pkt *out);

/*
 * The same, knowing the frame's length on the wire (pcap_pkthdr.len; 0 =
 * unknown): an IP length longer than the whole frame was is then clamped
 * to it (and len_clamped set) instead of being believed.
 */
enum tc_decode_status tc_decode_wire(int dlt, const uint8_t *buf, uint32_t caplen,
				     uint32_t wirelen, struct tc_pkt *out);

/* True if the decoder knows the link type. */
int tc_decode_link_supported(int dlt);

/* Short stable name of a tunnel type, e.g. "vxlan"; NULL for TC_TUN_NONE. */
const char *tc_tunnel_name(enum tc_tunnel_type t);

/* Short stable name of a status, e.g. "truncated". */
const char *tc_decode_status_name(enum tc_decode_status st);

#endif
