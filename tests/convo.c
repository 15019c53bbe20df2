/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * convo.c -- the conversation builder shared by the state-machine level tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "convo.h"



struct tc_pkt pkt(const struct conv *v, enum tc_role from, uint8_t flags, uint32_t seq,
			 uint32_t ack, uint32_t len)
{
	struct tc_pkt p;
	memset(&p, 0, sizeof(p));
	p.af = 4;
	p.ttl = 64;
	p.flags = flags;
	p.seq = seq;
	p.ack = ack;
	p.win = 1000;
	p.payload_len = len;
	if (from == C) {
		memcpy(p.src, "\x0a\x00\x00\x01", 4);
		memcpy(p.dst, "\x0a\x00\x00\x02", 4);
		p.sport = v->cport;
		p.dport = v->sport;
	} else {
		memcpy(p.src, "\x0a\x00\x00\x02", 4);
		memcpy(p.dst, "\x0a\x00\x00\x01", 4);
		p.sport = v->sport;
		p.dport = v->cport;
	}
	return p;
}

enum tc_role conv_next(struct conv *v, const struct tc_pkt *p)
{
	enum tc_role r;
	if (!v->started) {
		r = tc_sm_init(&v->c, p);
		v->started = 1;
	} else {
		r = tc_sm_role_of(&v->c, p);
	}
	v->frame++;
	return r;
}

enum tc_role sendp(struct conv *v, const struct tc_pkt *p)
{
	enum tc_role r = conv_next(v, p);
	tc_segment_apply(&v->c, r, p, v->now, v->frame);
	v->now += MS_NS;
	return r;
}

void seg(struct conv *v, enum tc_role from, uint8_t flags, uint32_t seq, uint32_t ack,
		uint32_t len)
{
	struct tc_pkt p = pkt(v, from, flags, seq, ack, len);
	assert_int_equal(sendp(v, &p), from);
}

void conv_init(struct conv *v)
{
	memset(v, 0, sizeof(*v));
	v->cport = 40000;
	v->sport = 80;
	v->now = 1700000000LL * 1000000000LL;
	v->ipid[C] = 100;
	v->ipid[S] = 9000;
	v->tsval[C] = 5000;
	v->tsval[S] = 80000;
}


void handshake_and_data(struct conv *v)
{
	seg(v, C, TC_SYN, ISN_C, 0, 0);
	assert_int_equal(ST(v, C), TC_SYN_SENT);
	assert_int_equal(ST(v, S), TC_CLOSED);
	seg(v, S, TC_SYN | TC_ACK, ISN_S, ISN_C + 1, 0);
	assert_int_equal(ST(v, C), TC_ESTABLISHED);
	assert_int_equal(ST(v, S), TC_SYN_RECEIVED);
	seg(v, C, TC_ACK, ISN_C + 1, ISN_S + 1, 0);
	assert_int_equal(ST(v, S), TC_ESTABLISHED);
	seg(v, C, TC_ACK | TC_PSH, ISN_C + 1, ISN_S + 1, 10);
	seg(v, S, TC_ACK | TC_PSH, ISN_S + 1, ISN_C + 11, 10);
	seg(v, C, TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	assert_int_equal(v->c.opened, TC_OPENED_HANDSHAKE);
}


void conv_done(struct conv *v)
{
	tc_conn_release(&v->c);
}
