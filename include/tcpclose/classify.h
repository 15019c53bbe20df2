/*
 * classify.h -- the close verdict of a connection, as a pure function of its
 * record. This is the one home of labelling policy (docs/states.md explains
 * each rule); everything that prints a verdict calls tc_classify().
 *
 *   close = reset        an RST was accepted (refused connections included),
 *                        unless both FINs had been acknowledged before it;
 *           graceful     both sides sent a FIN (even if the very last ACK is
 *                        missing: the endpoint then stays in LAST_ACK);
 *           half_closed  one side sent a FIN, the other never did: the
 *                        receiver sits in CLOSE_WAIT;
 *           open         neither.
 *   opened = handshake | syn_only | refused | midstream
 *   closer = first FIN's sender, both for crossed FINs
 *   reset_by, reset_phase as recorded when the RST was accepted.
 */
#ifndef TCPCLOSE_CLASSIFY_H
#define TCPCLOSE_CLASSIFY_H

#include "tcpclose/conn.h"
#include "tcpclose/engine.h"

void tc_classify(const struct tc_conn *c, struct tc_verdict *v);

#endif
