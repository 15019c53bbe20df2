/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conn.h -- what tcpclose knows about one TCP connection.
 *
 * A connection is two endpoints, the client (the endpoint that sent the
 * first SYN, or the one the mid-stream heuristic picked, see tcpsm.h) and the
 * server. Each endpoint carries its own inferred RFC 9293 state and the
 * sequence-space facts the state machine needs to decide what an ACK covers
 * and whether an RST is acceptable.
 *
 * The record is fixed-size: nothing in it grows with the number of packets,
 * so the memory of a connection does not depend on how long it lived. It
 * holds what an open connection needs. What only a closing one needs (its
 * FINs' and RSTs' frames, times and counts, the FIN's sequence number) is
 * in the end record, struct tc_conn_end, allocated by the first FIN or RST:
 * the open connections a capture holds at its peak do not carry it. What
 * only some connections need (an RST's evidence, keep-alive and Nagle
 * findings) is in the extension record, struct tc_conn_ext, allocated the
 * first time it is needed: most connections never have one. Both are read
 * through tc_conn_end() and tc_conn_ext(), which give an all-zero record
 * when there is none. Whoever owns a record frees them with
 * tc_conn_release(); copies made to outlive the owner go through
 * tc_conn_copy().
 * Front ends read these records; only tcpsm.c (and evidence.c, history.c
 * for their facts) writes them.
 */
#ifndef TCPCLOSE_CONN_H
#define TCPCLOSE_CONN_H

#include <stdint.h>

#include "tcpclose/decode.h"

/* RFC 9293 section 3.3.2 connection states. */
enum tc_state {
	TC_CLOSED = 0,
	TC_LISTEN,
	TC_SYN_SENT,
	TC_SYN_RECEIVED,
	TC_ESTABLISHED,
	TC_FIN_WAIT_1,
	TC_FIN_WAIT_2,
	TC_CLOSING,
	TC_TIME_WAIT,
	TC_CLOSE_WAIT,
	TC_LAST_ACK,
	TC_STATE__COUNT
};

/* Endpoint roles; also the index into tc_conn.ep[]. */
enum tc_role { TC_CLIENT = 0, TC_SERVER = 1 };

/* The other side. */
static inline enum tc_role tc_peer(enum tc_role r)
{
	return r == TC_CLIENT ? TC_SERVER : TC_CLIENT;
}

/* tc_endpoint.flags */
enum {
	TC_EP_SYN = 0x0001,                 /* sent a SYN (isn is valid) */
	TC_EP_SEQ = 0x0002,                 /* snd_nxt is valid (sent at least one segment) */
	TC_EP_ACK = 0x0004,                 /* ack is valid (sent at least one ACK) */
	TC_EP_FIN = 0x0008,                 /* sent a FIN (fin_seq is valid) */
	TC_EP_FIN_ACKED = 0x0010,           /* the peer acknowledged our FIN */
	TC_EP_RST = 0x0020,                 /* sent an RST that was accepted */
	TC_EP_WSCALE = 0x0040,              /* window scale known (from the handshake) */
	TC_EP_TS = 0x0080,                  /* uses the timestamp option */
	TC_EP_SYN_ACKED = 0x0100,           /* the peer acknowledged our SYN */
	TC_EP_DATA_AFTER_FIN = 0x0200,      /* sent new data after its own FIN (bogus) */
	TC_EP_DATA_AFTER_PEER_FIN = 0x0400, /* sent data after the peer's FIN */
	TC_EP_WIN_UNSCALED = 0x0800,        /* its last window came on a SYN: not scaled */
	TC_EP_DATA_CROSSED_FIN = 0x1000,    /* sent data after the peer's FIN without
	                                   acknowledging it: it had not seen it yet */
	TC_EP_FIN_IN_SYN_SENT = 0x2000      /* its first FIN left in SYN_SENT: the
	                                  application gave up on connect() */
};

/*
 * Times inside a record other than first_ts and last_ts are kept as
 * milliseconds after the connection's first_ts, plus one, so that 0 still
 * means "never" (49 days of range, clamped beyond): the reports print
 * seconds to the millisecond, and 4 bytes instead of 8 per time is a
 * cache line less per connection. tc_conn_ts() turns them back into ns.
 */
typedef uint32_t tc_reltime;

/*
 * Field order matters: a table lookup compares af, the ports and the
 * addresses, so those come first in the record and share its first cache
 * lines instead of costing one miss each.
 */
struct tc_endpoint {
	uint8_t addr[16];         /* network order; IPv4 in the first 4 bytes */
	uint16_t port;
	uint16_t flags;           /* TC_EP_* */
	uint16_t ip_id_last;      /* IPv4 ID of its last segment */
	uint16_t win;             /* raw window field of its last segment */
	uint16_t mss;             /* MSS option of its SYN, 0 if unknown */
	uint16_t zero_win;        /* segments advertising a zero window (saturating) */
	uint8_t state;            /* enum tc_state */
	uint8_t wscale;           /* valid with TC_EP_WSCALE */
	uint8_t ttl_min, ttl_max; /* TTL / hop limit range seen from this side */
	uint8_t retx_unanswered;  /* retransmissions since the peer last sent (saturating) */
	uint8_t small_unacked;    /* sub-MSS segments in flight now (saturating) */
	uint8_t small_unacked_max;/* most sub-MSS segments in flight at once */
	uint8_t sflags;           /* TC_SM_* */
	uint32_t isn;             /* initial sequence number (TC_EP_SYN) */
	uint32_t snd_nxt;         /* highest seq + len it has sent (TC_EP_SEQ) */
	uint32_t ack;             /* highest ACK it has sent (TC_EP_ACK) */
	uint32_t tsval_last;      /* last TSval (TC_EP_TS) */
	uint32_t pkts;            /* segments sent */
	uint32_t retx;            /* segments that repeated sequence space */
	uint32_t small_end;       /* sequence number just past its last sub-MSS segment */
	/* Nagle timing needs sub-millisecond resolution over short spans
	 * only: a wrapping microsecond clock, like TCP timestamps. */
	uint32_t small_sent_us;   /* when that segment left */
	uint32_t small_acked_us;  /* when the peer first acknowledged it (TC_SM_SMALL_ACKED) */
	tc_reltime t_last;        /* its last segment */
	uint8_t state_prev;       /* enum tc_state it left last (set by tcpsm.c's setter) */
	uint8_t zstate;           /* Zeek's endpoint state (enum tc_zstate), low
	                             nibble now, high nibble the one before
	                             (segment.c); fills padding: costs no bytes */
	/* TC_IE_*: what the inference keeps of its latest segment (infer.c);
	 * fills padding too */
	uint8_t iflags;
	/* The low 32 bits of two counts, the high ones in the extension
	 * record, made when one first carries past 4 GiB: read them with
	 * tc_ep_bytes() and tc_ep_ip_bytes(), add with tc_ep_add_bytes().
	 * bytes: payload bytes sent (per IP lengths); ip_bytes: IP datagram
	 * bytes of all its frames, copies included (tc_pkt.ip_len), Zeek's
	 * orig_ip_bytes/resp_ip_bytes. */
	uint32_t bytes;
	uint32_t ip_bytes;
	/* Exact (ns since the epoch): reports print these times and the
	 * spans from them (TIME_WAIT peaks, idle before the close). */
	int64_t ts_data_last;     /* its last payload, 0 if none (ordered against ts_fin) */
};

/*
 * What an endpoint's FINs and RSTs left, in the connection's end record
 * (struct tc_conn_end): nothing here is set before its first FIN or RST.
 */
struct tc_ep_end {
	uint64_t frame_fin; /* frame of its first FIN, 0 if none */
	uint64_t frame_rst; /* frame of its first accepted RST, 0 if none */
	/* Exact (ns since the epoch): reports print it and the spans from
	 * it (CLOSE_WAIT held, idle before the close). */
	int64_t ts_fin;   /* its first FIN, 0 if none */
	int64_t ts_time_wait; /* when it entered TIME_WAIT, 0 if never (a side there sent a FIN) */
	uint32_t fin_seq; /* sequence number its FIN occupies (TC_EP_FIN) */
	uint16_t fins;    /* FIN segments sent, retransmissions included (saturating) */
	uint16_t rsts;    /* RST segments sent, accepted or not (saturating) */
};

/*
 * The end record: what a connection's FINs and RSTs left. Allocated by
 * the first FIN or RST segment either side sends (tc_conn_end_mut), so a
 * connection that is still open has none: the fields it holds are a
 * cache line that every open record would otherwise carry as zeros.
 */
struct tc_conn_end {
	struct tc_ep_end ep[2]; /* [TC_CLIENT], [TC_SERVER] */
	uint64_t frame_rst;     /* frame of the first accepted RST, 0 if none */
};

/*
 * Zeek's per-endpoint TCP states (TCP_Endpoint.h, same order as Zeek's
 * script-level TCP_INACTIVE ... TCP_RESET), tracked per segment by Zeek's
 * own rules, so that conn_state in a conn.log row is Zeek's answer and not
 * a translation of our verdict.
 */
enum tc_zstate {
	TC_Z_INACTIVE = 0, /* nothing (or only an ACK to a SYN) seen */
	TC_Z_SYN_SENT,     /* SYN seen, no SYN+ACK yet */
	TC_Z_SYN_ACK_SENT, /* the originator sent a SYN+ACK */
	TC_Z_PARTIAL,      /* data seen, no SYN */
	TC_Z_ESTABLISHED,  /* SYN+ACK seen (or an ACK after the peer's) */
	TC_Z_CLOSED,       /* FIN seen, acknowledged or not */
	TC_Z_RESET         /* RST seen */
};
#define TC_ZSTATE(e) ((enum tc_zstate)((e)->zstate & 0x0f))
#define TC_ZSTATE_PREV(e) ((enum tc_zstate)((e)->zstate >> 4))

/* tc_endpoint.sflags: the sub-MSS (Nagle) tracker. */
enum {
	TC_SM_SMALL = 0x01,       /* small_end and small_sent_us are valid */
	TC_SM_SMALL_ACKED = 0x02, /* small_acked_us is valid */
	TC_SM_SMALL_LAST = 0x04   /* its latest payload was that sub-MSS segment */
};

/* How the connection began (tc_conn.opened). */
enum tc_opened {
	TC_OPENED_HANDSHAKE = 0,  /* SYN answered by SYN+ACK */
	TC_OPENED_SYN_ONLY,       /* SYN(s) never answered */
	TC_OPENED_REFUSED,        /* SYN answered by RST */
	TC_OPENED_MIDSTREAM,      /* no SYN seen: picked up mid-stream */
	TC_OPENED__COUNT
};

/* How it ended. */
enum tc_close {
	TC_CLOSE_GRACEFUL = 0,    /* FIN from both sides */
	TC_CLOSE_HALF_CLOSED,     /* FIN from one side only: the other never closed */
	TC_CLOSE_RESET,           /* an accepted RST (refused connections included) */
	TC_CLOSE_OPEN,            /* neither FIN nor accepted RST */
	TC_CLOSE__COUNT
};

/* Who: for closer and reset_by. */
enum tc_who {
	TC_WHO_NONE = 0,
	TC_WHO_CLIENT = 1,
	TC_WHO_SERVER = 2,
	TC_WHO_BOTH = 3
};

/* What the connection was doing when the first accepted RST came. */
enum tc_phase {
	TC_PHASE_NONE = 0,
	TC_PHASE_HANDSHAKE,
	TC_PHASE_ESTABLISHED,
	TC_PHASE_CLOSING
};

/* tc_conn.cflags */
enum {
	TC_CONN_SIMULTANEOUS = 0x01,  /* both FINs crossed (CLOSING on both sides) */
	TC_CONN_FLIPPED = 0x02,       /* client is not the sender of the first packet */
	TC_CONN_SUPERSEDED = 0x04,    /* ended by a new SYN on the same 4-tuple */
	TC_CONN_EVICTED = 0x08,       /* dropped from the table to respect --max-conns */
	TC_CONN_DONE = 0x10,          /* closed: FIN both ways acknowledged, or RST */
	TC_CONN_SYNACK_SEEN = 0x20,   /* the server answered the SYN */
	TC_CONN_TW_REUSE = 0x40,      /* opened while the previous connection on
	                                 this 4-tuple was still in TIME_WAIT */
	TC_CONN_RST_TENTATIVE = 0x80  /* last RST was in window but not exact: it
	                                 stands unless the receiver carries on */
};

/*
 * The Linux defaults the TIME_WAIT and port accounting assume unless told
 * otherwise (--time-wait, --ephemeral-ports): TCP_TIMEWAIT_LEN, and the
 * size of net.ipv4.ip_local_port_range's default 32768-60999.
 */
#define TC_TIME_WAIT_DEFAULT_NS (60LL * 1000000000LL)
#define TC_EPHEMERAL_PORT_LO 32768u
#define TC_EPHEMERAL_PORT_HI 60999u
#define TC_EPHEMERAL_PORTS_DEFAULT (TC_EPHEMERAL_PORT_HI - TC_EPHEMERAL_PORT_LO + 1u)

/*
 * tc_conn.inferred: segments the capture did not hold but that what it
 * does hold implies (infer.h). A verdict resting on one of these is
 * inferred, not observed, and every report says so.
 */
enum {
	TC_INF_CLIENT_FIN = 0x01,
	TC_INF_SERVER_FIN = 0x02,
	TC_INF_CLIENT_RST = 0x04,
	TC_INF_SERVER_RST = 0x08,
	TC_INF_CLIENT_SYN = 0x10,     /* the SYN a SYN+ACK answered */
	TC_INF_SERVER_SYN_ACK = 0x20, /* the SYN+ACK the client's ACK answered */
	TC_INF_CLIENT_ACK = 0x40      /* the handshake's final ACK */
};
#define TC_INF__COUNT 7
/* "client_fin", ... for bit i of tc_conn.inferred; NULL past the end. */
const char *tc_inferred_name(unsigned bit);

/* tc_endpoint.iflags */
enum {
	/* Its latest segment repeated sequence space it had sent, at least
	 * a minimum RTO after its previous segment: a timer retransmission. */
	TC_IE_LAST_RETX = 0x01
};

/* tc_conn.one_way */
enum { TC_ONE_WAY_NONE = 0,
       TC_ONE_WAY_CLIENT_SEEN,
       TC_ONE_WAY_SERVER_SEEN };

#define TC_HISTORY_MAX 31
/* History letters the record holds itself: most histories are no longer
 * ("ShADadFf" is 8); the rest of a longer one is in the extension record
 * (tc_conn_ext.hist_more). Read them with tc_conn_history(). */
#define TC_HISTORY_INLINE 15
#define TC_RST_TEXT_MAX 23

/* Outcome of the RST acceptability check (RFC 9293 3.10.7.1, RFC 5961 3.2). */
enum tc_rst_check {
	TC_RST_EXACT = 0,         /* seq is exactly what the receiver expects next */
	TC_RST_IN_WINDOW,         /* inside the receiver's window, not exact */
	TC_RST_UNCHECKED,         /* receiver's window unknown: accepted */
	TC_RST_OUT_OF_WINDOW,     /* ignored */
	TC_RST_BAD_ACK            /* answers a SYN but acknowledges something else: ignored */
};

/*
 * What the first accepted RST looked like next to the rest of its sender's
 * segments: the raw material of the reset diagnosis (diag.h). Captured when
 * the RST is accepted, because the sender's "before" values are gone after.
 */
struct tc_rst_evidence {
	uint8_t check;            /* enum tc_rst_check */
	uint8_t flags;            /* TCP flags of the RST (ACK or not) */
	uint8_t opt;              /* TC_OPT_* on the RST */
	uint8_t ttl;              /* its TTL / hop limit */
	uint8_t ttl_min, ttl_max; /* the sender's range before it, RSTs aside */
	uint8_t answered;         /* the segment just before was the peer's */
	uint8_t peer_had_data;    /* the segment it answered carried payload */
	uint16_t ip_id;           /* its IPv4 ID */
	uint16_t ip_id_prev;      /* the sender's previous IPv4 ID (RSTs aside) */
	uint16_t win;             /* its window field */
	uint16_t peer_win;        /* the peer's last window field */
	uint16_t win_prev;        /* the sender's own previous window field */
	uint16_t payload_len;     /* bytes of payload it carried (captured) */
	uint8_t sender_pkts_before; /* sender's segments before it (saturating) */
	uint8_t sender_had_ts;    /* the sender used timestamps before */
	uint8_t sender_fin;       /* the sender had sent its FIN before */
	uint8_t ka_unanswered;    /* sender's unanswered keep-alives (saturating) */
	uint8_t unread;           /* the peer had sent data the sender never answered */
	uint8_t retx_before;      /* the sender's retransmissions since the peer
	                             last sent anything (saturating) */
	uint8_t peer_late_data;   /* the peer sent payload after (or crossing)
	                             the sender's FIN, and the sender never
	                             acknowledged all of the peer's payload */
	uint8_t host_ttl;         /* TTL of the claimed sender host's latest
	                             data segment before the RST, on this or an
	                             earlier connection (engine memory); 0 unknown */
	uint8_t xconn;            /* TC_XC_*: cross-connection findings (engine) */
	/* ttl_min/max and ip_id_prev are those of the sender's own segments
	 * before it (RSTs left out: one may be forged); 0 if it sent none. */
	uint8_t sender_own;
	/* TC_RS_*: how it sat among its neighbours. */
	uint8_t shape;
	uint32_t peer_unacked;    /* the peer's payload bytes the sender never acknowledged */
	uint32_t inflight;        /* sender's bytes the peer had not acknowledged */
	int64_t peer_silent_ns;   /* time since the peer's last segment */
	uint64_t xconn_frame;     /* the other RST an IP ID run links it to */
	uint64_t trigger_frame;   /* frame of the segment it answered, 0 if none */
	uint32_t tsval;           /* its TSval, if it had the option */
	uint32_t tsval_prev;      /* the sender's previous TSval */
	int64_t idle_before_ns;   /* quiet time before the segment it answered */
	int64_t response_ns;      /* from that segment to the RST */
	int64_t ts;               /* when the RST came (ns since the epoch) */
	char text[TC_RST_TEXT_MAX + 1]; /* printable payload, if any */
	/* Frame of the peer's first payload after the sender's FIN that the
	 * sender had not acknowledged when it sent the RST; 0 if none. */
	uint64_t peer_late_frame;
};

/*
 * tc_rst_evidence.shape and tc_rst_other.flags. SERVER, REJECTED: (other
 * RSTs) it claims to come from the server; it failed the acceptability
 * check. ID_COPIED: its IPv4 ID is that of the peer's segment it follows,
 * copied by a box that forged it. AFTER_OWN_RST: the connection's segment
 * just before it was an RST from the same claimed sender.
 */
enum {
	TC_RS_SERVER = 0x01,
	TC_RS_REJECTED = 0x02,
	TC_RS_ID_COPIED = 0x04,
	TC_RS_AFTER_OWN_RST = 0x08
};

/*
 * An RST of the connection other than the first accepted one, at its own
 * sequence number: the raw material for telling forged RSTs from the
 * endpoint's (an injector sends several at different offsets; those the
 * receiver rejects still carry the injector's fingerprint).
 */
#define TC_RST_OTHERS 4
struct tc_rst_other {
	uint64_t frame;
	uint32_t seq;
	tc_reltime t;
	uint16_t ip_id;
	uint8_t ttl;
	uint8_t flags; /* TC_RS_* */
};

/* tc_rst_evidence.xconn: what other connections of the capture say. */
enum {
	TC_XC_HOST_TTL = 0x01, /* host_ttl is valid */
	TC_XC_IPID_RUN = 0x02  /* its IP ID continues (within a few) that of
	                             an RST claiming another source host: one
	                             box forged both */
};

/*
 * What most connections never need: the RST evidence, the undo record of
 * a tentative RST, keep-alive and Nagle-stall findings, FIN and RST
 * retransmission bookkeeping. Allocated on first use (tc_conn_ext_mut), so
 * a connection that closes plainly does not pay for it.
 */
struct tc_ext_endpoint {
	uint16_t ka_probes;       /* keep-alive probes it sent */
	uint16_t ka_unanswered;   /* ... since the peer last sent anything */
	uint16_t ka_answered;     /* probes the peer acknowledged */
	uint16_t nagle_stalls;    /* small segments held until an ACK came */
	uint32_t nagle_stall_ms;  /* time those stalls cost */
	uint32_t ka_interval_ms;  /* interval between its last two probes */
	int64_t ts_ka_last;       /* time of its last keep-alive probe */
	uint32_t rst_seq;         /* sequence number of its last RST */
	uint32_t fin_seq_last;    /* sequence number of its last FIN, if it moved */
	uint32_t ack_step1;       /* an ACK it sent that moved its ACK by exactly one (infer.c) */
	uint16_t dups;            /* frames of it captured twice (infer.c) */
	uint8_t have;             /* TC_XE_* */
	/* Its own segments' IP-level look, RSTs left out (an RST claiming it
	 * may be forged): kept from its first RST on, when the record's
	 * ranges start to mix in RSTs (TC_XE_OWN_TRACK); valid with TC_XE_OWN.
	 * own_ip_id: the IPv4 ID of its latest segment other than an RST. */
	uint8_t own_ttl_min, own_ttl_max;
	uint16_t own_ip_id;
	/* Gaps in its sequence numbers that the peer has not acknowledged
	 * past yet (saturating), and where the first of those begins
	 * (TC_XE_HOLE). */
	uint8_t holes;
	uint32_t hole_seq;
	/* Time from its previous segment to its latest timer retransmission
	 * (TC_IE_LAST_RETX). */
	uint32_t retx_gap_ms;
	/* Zeek's content gaps in its data: the peer acknowledged past bytes
	 * the capture never held (the history's G/g). */
	uint16_t zeek_gaps;
	/* Capture loss in its direction (infer.h): sequence space it sent that
	 * the capture does not hold, and ACKs from the peer for data never
	 * seen. Here, not in the record: most connections lose nothing. */
	uint16_t gaps;            /* jumps in its sequence numbers (saturating) */
	uint16_t acks_unseen;     /* peer ACKs beyond what it was seen sending (saturating) */
	uint32_t missed;          /* bytes of those jumps (saturating) */
	/* The high 32 bits of tc_endpoint.bytes and .ip_bytes. */
	uint32_t bytes_hi, ip_bytes_hi;
};

enum {
	TC_XE_FIN_SEQ_LAST = 0x01,
	TC_XE_ACK_STEP1 = 0x02,
	TC_XE_FIN_ACKED_BY_FIN = 0x04, /* its inferred FIN was acknowledged by the
	                                 peer's own FIN: the peer's FIN came after */
	TC_XE_OWN_TRACK = 0x08,        /* own_* are kept (it has sent an RST) */
	TC_XE_OWN = 0x10,              /* own_* hold at least one segment */
	TC_XE_HOLE = 0x20              /* hole_seq and holes are valid */
};

struct tc_conn_ext {
	struct tc_ext_endpoint ep[2];
	struct tc_rst_evidence rst;
	struct {                  /* what a tentative RST changed, to undo it */
		uint8_t from, reset_by, reset_phase, state[2];
		uint16_t sender_flags;
		uint64_t frame_rst, sender_frame_rst;
	} undo;
	uint8_t rst_distinct;     /* RSTs with distinct sequence numbers (saturating) */
	uint8_t challenge_acks;   /* RSTs undone by the receiver carrying on (RFC 5961) */
	uint8_t data_after_rst;   /* the RST's sender sent payload after it */
	/* Content gaps the current segment's ACK reported in its peer's
	 * data (infer.c, for the history; 0 after any other segment). */
	uint8_t gap_now;
	struct tc_tunnel tun;     /* the tunnel it was first seen in (tc_conn.tunnel != 0) */
	/* 1 + role of the sender when the latest segment was an RST, else 0. */
	uint8_t last_rst;
	/* RSTs other than the first accepted one, at a sequence number of
	 * their own (saturating); the first TC_RST_OTHERS of them. */
	uint8_t rst_others;
	/* History letters past the record's TC_HISTORY_INLINE, hist_len in
	 * all (tc_conn_history() puts them together). */
	char hist_more[TC_HISTORY_MAX - TC_HISTORY_INLINE];
	struct tc_rst_other other[TC_RST_OTHERS];
	/* Indexed by the FIN's sender: the frame of the peer's first payload
	 * after (or crossing) that FIN, while the FIN's sender has not
	 * acknowledged it, a later one once it has: what a reset after close
	 * answers; and the sequence number just past it. (Two arrays, not
	 * an array of pairs: no padding.) */
	uint64_t late_data_frame[2];
	uint32_t late_data_end[2];
	/* Capture loss (infer.h; kept by segment.c): loss_seen is the last
	 * total of both directions' gaps and unseen ACKs (tc_conn_loss_total),
	 * and loss_ts when that total last changed (the segment
	 * that showed a hole behind it). Kept once the connection has lost
	 * anything, so that a rule about a span of time -- the quiet before
	 * an RST or a close, a keep-alive streak, the segment an RST
	 * answered -- can tell whether the capture holds that span: a hole
	 * is not behaviour. */
	uint32_t loss_seen;
	int64_t loss_ts;
};

struct tc_conn {
	uint8_t af;               /* 4 or 6 */
	uint8_t opened;           /* enum tc_opened */
	uint8_t closer;           /* enum tc_who: first FIN (BOTH if crossed) */
	uint8_t reset_by;         /* enum tc_who: senders of accepted RSTs */
	uint8_t reset_phase;      /* enum tc_phase at the first accepted RST */
	uint8_t cflags;           /* TC_CONN_* */
	uint8_t hist_len;
	uint8_t last_from;        /* role that sent the latest segment */
	uint8_t last_data;        /* the latest segment carried payload */
	uint8_t one_way;          /* TC_ONE_WAY_*: only one side's segments seen */
	uint16_t inferred;        /* TC_INF_*: segments the capture missed, inferred */
	uint32_t tunnel;          /* part of the key: tc_pkt.tunnel, 0 if none; the
	                             tunnel itself is in the extension (x->tun).
	                             Fills padding before ep[]: costs no bytes. */
	struct tc_endpoint ep[2]; /* [TC_CLIENT], [TC_SERVER] */
	uint64_t id;              /* 1, 2, ... in order of first packet */
	int64_t first_ts, last_ts;/* ns since the epoch */
	uint64_t frame_first, frame_last;
	int64_t gap_last;         /* quiet time before the latest segment (ns) */
	struct tc_conn_ext *x;    /* NULL until needed; read it with tc_conn_ext() */
	struct tc_conn_end *end;  /* NULL until a FIN or RST; read it with tc_conn_end() */
	uint32_t hist_seen;       /* once-only letters already recorded */
	uint32_t rst_ignored;     /* RSTs that failed the acceptability check */
	/* Zeek conn.log history letters: the first TC_HISTORY_INLINE of
	 * them, NUL-terminated (the rest: tc_conn_history()) */
	char history[TC_HISTORY_INLINE + 1];
};

/* c's extension record, or a shared all-zero one: never NULL. */
const struct tc_conn_ext *tc_conn_ext(const struct tc_conn *c);
/* c's extension record, allocated (zeroed) on first call; NULL if out of memory. */
struct tc_conn_ext *tc_conn_ext_mut(struct tc_conn *c);

/* Room for any connection's history letters, NUL included. */
typedef char tc_history_buf[TC_HISTORY_MAX + 1];

/* c's history letters, NUL-terminated, hist_len of them: the record's
 * own, or for a longer history those put together in buf with the
 * extension's (which then exists). */
const char *tc_conn_history(const struct tc_conn *c, tc_history_buf buf);
/* The same with c's extension record given apart (a copy that keeps it
 * elsewhere, as the live view's rows do); x may be the all-zero one. */
const char *tc_conn_history_x(const struct tc_conn *c, const struct tc_conn_ext *x,
			      tc_history_buf buf);

/* who's payload bytes sent (64 bits), c's extension record given apart
 * as above. */
static inline uint64_t tc_ep_bytes_x(const struct tc_conn *c, const struct tc_conn_ext *x,
				     enum tc_role who)
{
	return (uint64_t)x->ep[who].bytes_hi << 32 | c->ep[who].bytes;
}
/* who's payload bytes sent, and IP bytes of its frames (64 bits). */
static inline uint64_t tc_ep_bytes(const struct tc_conn *c, enum tc_role who)
{
	return c->x ? tc_ep_bytes_x(c, c->x, who) : c->ep[who].bytes;
}
static inline uint64_t tc_ep_ip_bytes(const struct tc_conn *c, enum tc_role who)
{
	return (uint64_t)(c->x ? c->x->ep[who].ip_bytes_hi : 0) << 32 | c->ep[who].ip_bytes;
}

/* The carries of tc_ep_add_bytes(), into the extension record. */
void tc_ep_carry_bytes(struct tc_conn *c, enum tc_role who, int bytes, int ip_bytes);

/*
 * Count a frame's payload and IP bytes for who. The record holds the low
 * 32 bits; a carry past them -- rare: 4 GiB one way on one connection --
 * goes to the extension record. Out of memory for it, 4 GiB go uncounted.
 */
static inline void tc_ep_add_bytes(struct tc_conn *c, enum tc_role who, uint32_t payload,
				   uint32_t ip_len)
{
	struct tc_endpoint *e = &c->ep[who];
	uint32_t b = e->bytes + payload, ib = e->ip_bytes + ip_len;

	if (b < payload || ib < ip_len)
		tc_ep_carry_bytes(c, who, b < payload, ib < ip_len);
	e->bytes = b;
	e->ip_bytes = ib;
}

/* All zero: what tc_conn_end() reads for a record without an end record. */
extern const struct tc_conn_end tc_conn_end_zero;
/* c's end record, or a shared all-zero one: never NULL. Inline: the
 * per-segment path reads a FIN's sequence number through it. */
static inline const struct tc_conn_end *tc_conn_end(const struct tc_conn *c)
{
	return c->end ? c->end : &tc_conn_end_zero;
}
/* c's end record, allocated (zeroed) on first call; NULL if out of memory. */
struct tc_conn_end *tc_conn_end_mut(struct tc_conn *c);

/* Free what c owns (its extension and end records). c stays valid and empty of them. */
void tc_conn_release(struct tc_conn *c);

/* Room for what a copy of a record owns. */
struct tc_conn_bufs {
	struct tc_conn_ext x;
	struct tc_conn_end end;
};
/*
 * A copy of src that owns nothing: its extension and end records, if any,
 * are copied into *b, which must live as long as *dst. Never
 * tc_conn_release() a copy.
 */
void tc_conn_copy(struct tc_conn *dst, struct tc_conn_bufs *b, const struct tc_conn *src);

/* A tc_reltime of c as ns since the epoch; 0 stays 0 (never). */
static inline int64_t tc_conn_ts(const struct tc_conn *c, tc_reltime t)
{
	return t ? c->first_ts + (int64_t)(t - 1) * 1000000 : 0;
}

/* ns since the epoch as a tc_reltime of c (c->first_ts must be set). */
static inline tc_reltime tc_conn_rel(const struct tc_conn *c, int64_t ts)
{
	int64_t ms = (ts - c->first_ts + 500000) / 1000000;
	if (ms < 0)
		ms = 0;
	if (ms > 0xfffffffeLL)
		ms = 0xfffffffeLL;
	return (tc_reltime)ms + 1;
}

/*
 * The holes the capture is known to have in c so far: both directions'
 * gaps and ACKs for data never seen. Only its changes mean anything
 * (tc_conn_ext.loss_seen/loss_ts). Inferred segments are not in it: a
 * reordered FIN is inferred and then retracted, and reordering is not
 * loss; a rule that must not rest on an inferred segment checks
 * tc_conn.inferred itself.
 */
static inline uint32_t tc_conn_loss_total(const struct tc_conn *c)
{
	const struct tc_ext_endpoint *x;
	if (!c->x)
		return 0; /* a hole makes the extension */
	x = c->x->ep;
	return (uint32_t)x[0].gaps + x[0].acks_unseen + x[1].gaps + x[1].acks_unseen;
}

const char *tc_state_name(enum tc_state s);
const char *tc_opened_name(enum tc_opened o);
const char *tc_close_name(enum tc_close c);
/* "client", "server", "both"; NULL for TC_WHO_NONE. */
const char *tc_who_name(enum tc_who w);
/* "handshake", "established", "closing"; NULL for TC_PHASE_NONE. */
const char *tc_phase_name(enum tc_phase p);

/*
 * Format an endpoint address: dotted quad, or RFC 5952 text for IPv6.
 * `buf` must hold at least TC_ADDRSTRLEN bytes. Returns buf.
 */
#define TC_ADDRSTRLEN 46
/*
 * The same text without the NUL, written at o; returns the end. They
 * store up to 3 bytes of scratch past the text: o must have room for
 * TC_ADDRSTRLEN bytes (16 for IPv4).
 */
char *tc_addr_put4(char *o, const uint8_t a[4]);
char *tc_addr_put6(char *o, const uint8_t a[16]);
char *tc_addr_str(int af, const uint8_t addr[16], char *buf);

#endif
