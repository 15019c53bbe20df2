/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * expect.h -- check a run against a `.expect` file (docs/expect-format.md).
 *
 * `tcpclose -r X.pcap --expect X.expect` turns a capture into a regression
 * test: the golden tests of the project use it, and so can anyone who keeps
 * captures of known incidents. Lines are checked as connections finish
 * (each result is compared with the line of its id), so checking costs the
 * size of the .expect file, not the size of the capture's results.
 */
#ifndef TCPCLOSE_EXPECT_H
#define TCPCLOSE_EXPECT_H

#include <stdio.h>

#include "output.h"

struct tc_expect;

struct tc_expect *tc_expect_load(const char *path, char *errbuf, size_t errlen);
void tc_expect_conn(struct tc_expect *x, const struct tc_conn *c, const struct tc_verdict *v,
		    const struct tc_diagnosis *d);
/* Prints every mismatch to `out`; returns how many there were. */
int tc_expect_finish(struct tc_expect *x, const struct tc_stats *st,
		     const struct tc_run_info *ri, FILE *out);
void tc_expect_free(struct tc_expect *x);

#endif
