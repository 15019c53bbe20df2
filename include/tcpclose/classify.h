/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * classify.h -- the close verdict of a connection, as a pure function of its
 * record. This is the one home of labelling policy (docs/states.md explains
 * each rule); everything that prints a verdict calls tc_classify().
 *
 *   close = reset        an RST was accepted (refused connections included)
 *                        before both sides had sent their FIN: it cut the
 *                        connection, someone may have seen ECONNRESET;
 *           graceful     both sides sent a FIN (even if the very last ACK is
 *                        missing: the endpoint then stays in LAST_ACK); when
 *                        the first accepted RST came after both FINs, the
 *                        verdict carries trailing_rst = its sender and
 *                        reset_by, reset_phase stay none: both applications
 *                        had closed, the RST only threw late data away;
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
