/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * diag.h -- why a connection ended the way it did.
 *
 * A pure function of the finished connection record (the facts gathered by
 * tcpsm.c and evidence.c): the verdict says *what* happened (reset by the
 * server while established); the diagnosis says the most likely *why*
 * (abortive close with data lost; a write after the peer closed; a stateless
 * answer from a host that forgot the connection after 350 s idle; an RST
 * that its claimed sender did not send), with the frames it rests on.
 *
 * Causes (docs/diagnosing-resets.md walks through each):
 *   refused            RST(+ACK) answering a SYN: no listener, or a reject
 *   abortive_close     RST from an endpoint that never sent FIN (SO_LINGER
 *                      {1,0}, abort(), or close() with unread data), or one
 *                      that follows its own FIN with nothing from the peer
 *                      between (shutdown(SHUT_WR), then close() with unread
 *                      data)
 *   data_after_close   RST from an endpoint that had sent FIN, after the peer
 *                      sent payload it never acknowledged, after (or crossing)
 *                      that FIN -- however many FINs and bare ACKs came
 *                      between, and even when the RST looks stateless (Linux
 *                      answers data to an orphaned FIN_WAIT socket so)
 *   no_connection      a stateless RST (no options, window 0, IP ID 0) or one
 *                      from a sender never seen before: it no longer knew
 *                      the connection, typically after an idle period
 *   injected           the RST does not look like its claimed sender (score
 *                      over several signals, some from other connections of
 *                      the capture: see xconn.h), or it shares the
 *                      fingerprint of RSTs at other sequence numbers that
 *                      were rejected as forged or came in one burst: a
 *                      middlebox
 *   keepalive_timeout  RST after the sender's keep-alive probes went unanswered
 *   handshake_abort    RST during the handshake other than a refusal
 *   dead_peer          one side's retransmissions or probes met silence,
 *                      until the capture ended or until it gave up with RST
 *   unknown            none of the above, or a lone RST with nothing else of
 *                      its connection captured: the wire cannot tell
 */
#ifndef TCPCLOSE_DIAG_H
#define TCPCLOSE_DIAG_H

#include <stddef.h>
#include <stdint.h>

#include "tcpclose/conn.h"
#include "tcpclose/engine.h"

enum tc_cause {
	TC_CAUSE_NONE = 0,
	TC_CAUSE_REFUSED,
	TC_CAUSE_ABORTIVE_CLOSE,
	TC_CAUSE_DATA_AFTER_CLOSE,
	TC_CAUSE_NO_CONNECTION,
	TC_CAUSE_INJECTED,
	TC_CAUSE_KEEPALIVE_TIMEOUT,
	TC_CAUSE_HANDSHAKE_ABORT,
	TC_CAUSE_DEAD_PEER,
	TC_CAUSE_UNKNOWN,
	TC_CAUSE__COUNT
};

/* tc_diagnosis.notes */
enum {
	TC_DX_DATA_LOST = 0x001,      /* the RST's sender had unacknowledged data */
	TC_DX_UNREAD = 0x002,         /* ... had received data it never answered */
	TC_DX_KEEPALIVE_RACE = 0x004, /* server closed, client's request crossed */
	TC_DX_STATELESS = 0x008,      /* RST looks kernel-generated, no socket */
	TC_DX_SOCKET_RST = 0x010,     /* RST carries the connection's options */
	TC_DX_IDLE_MATCH = 0x020,     /* idle time matches a middlebox timeout */
	TC_DX_MULTI_RST = 0x040,      /* more than one distinct RST */
	TC_DX_RST_IGNORED = 0x080,    /* some RSTs failed the acceptability check */
	TC_DX_TEXT = 0x100,           /* the RST carried text */
	TC_DX_KEEPALIVE = 0x200,      /* keep-alive probes were seen */
	TC_DX_LONE_RST = 0x400,       /* nothing but the RST was captured */
	TC_DX_SHUTDOWN = 0x800,       /* RST right after the sender's own FIN */
	TC_DX_KERNEL_REPLY = 0x1000,  /* bare RST at the exact seq: a kernel's
	                                 answer for a socket it no longer has */
	TC_DX_TWO_TTLS = 0x2000,      /* the claimed sender's segments came with
	                                 TTLs 2 or more apart: two stacks spoke */
	TC_DX_TRAILING = 0x4000,      /* the RST trails a graceful close */
	/* An RST that does not look like its claimed sender (TTL unlike its
	 * own segments, IP ID copied from the peer's) failed the
	 * acceptability check. */
	TC_DX_FORGED_IGNORED = 0x8000,
	/* A rule about the span before the RST (what it answered, the idle
	 * time, the silence) was not applied: the capture lost segments in
	 * that span. */
	TC_DX_CAPTURE_LOSS = 0x10000
};

/* Signals that an RST was not sent by the endpoint it claims (score). */
enum {
	TC_SIG_TTL = 0x01,            /* TTL / hop limit unlike the sender's (+3) */
	TC_SIG_IPID = 0x02,           /* IPv4 ID far from the sender's sequence (+2) */
	TC_SIG_NO_TS = 0x04,          /* no timestamps though the sender uses them (+1) */
	TC_SIG_TS_BACK = 0x08,        /* TSval older than the sender's last (+2) */
	TC_SIG_WIN_COPIED = 0x10,     /* window equals the other direction's (+1) */
	TC_SIG_SEQ_NOT_EXACT = 0x20,  /* in window but not the exact next seq (+1) */
	TC_SIG_DATA_AFTER_RST = 0x40, /* the claimed sender went on sending (+3) */
	TC_SIG_BURST = 0x80,          /* several RSTs with different seqs (+2) */
	TC_SIG_IPID_RUN = 0x100,      /* IP ID in sequence with an RST "from"
	                                 another host (+3) */
	TC_SIG_FORGED_TWIN = 0x200,   /* another RST claiming the same sender, at
	                                 another sequence number, has its TTL and
	                                 IP ID run, and was either rejected and
	                                 forged-looking or sent in the same burst
	                                 with nothing from the peer between (+4) */
	TC_SIG_TTL_MATCH = 0x400      /* TTL exactly that of the sender's recent
	                                 data segments (-2: against injection);
	                                 stays the highest bit: writers list the
	                                 signals up to it */
};

#define TC_INJECTED_THRESHOLD 4

struct tc_diagnosis {
	enum tc_cause cause;
	enum tc_role by;          /* the RST's sender; for dead_peer the side left talking */
	uint32_t notes;           /* TC_DX_* */
	uint32_t signals;         /* TC_SIG_* */
	int score;                /* sum of the signal weights */
	int64_t idle_ns;          /* quiet time before the RST's trigger, or the
	                             silence at the end (dead_peer) */
	uint32_t idle_match_s;    /* the middlebox idle timeout it matches, 0 if none */
	uint32_t data_lost;       /* bytes in flight when the RST was sent */
	uint64_t frames[4];       /* evidence frames, in order, 0-terminated */
};

/*
 * Diagnose c: the cause of its reset, of its trailing RST (graceful close
 * with v->trailing_rst set), or of its silence (dead_peer).
 */
void tc_diagnose(const struct tc_conn *c, const struct tc_verdict *v, struct tc_diagnosis *d);

const char *tc_cause_name(enum tc_cause cause);

/* "ttl", "ip_id", ...: name of one TC_SIG_* bit. */
const char *tc_signal_name(uint32_t sig);

/* Well-known idle timeouts (seconds) the idle time matches, 0 if none. */
uint32_t tc_idle_timeout_match(int64_t idle_ns);

/*
 * Plain words for an operator: who, what, the frames, the likely cause and
 * what to do about it. Internal signal names stay out (JSON lists them).
 */
void tc_diag_explain(const struct tc_conn *c, const struct tc_verdict *v,
		     const struct tc_diagnosis *d, char *buf, size_t n);

#endif
