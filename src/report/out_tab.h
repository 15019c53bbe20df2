/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * out_tab.h -- tabular report writers: CSV (out_csv.c) and a Zeek conn.log
 * (out_zeek.c). One row per finished connection, in the order connections
 * finish, as JSON Lines; no summary rows (the tools that read these want
 * uniform rows: the summary is in the text and JSON reports).
 *
 * Like the writers in output.h they only format: verdicts come from
 * classify.c, causes from diag.c.
 */
#ifndef TCPCLOSE_OUT_TAB_H
#define TCPCLOSE_OUT_TAB_H

#include <stdio.h>

#include "tcpclose/diag.h"
#include "tcpclose/engine.h"

/* CSV (RFC 4180 quoting, LF line ends): the header row, then rows. */
void tc_csv_header(FILE *out);
void tc_csv_conn(FILE *out, const struct tc_conn *c, const struct tc_verdict *v,
		 const struct tc_diagnosis *d);

/*
 * Zeek conn.log, TSV. The header needs the time of the first packet, which
 * is known only once reading has begun, so it is written with the first
 * row (or by tc_zeek_end if there is none): `st` is read then.
 */
struct tc_zeek;
struct tc_zeek *tc_zeek_new(FILE *out, const struct tc_stats *st);
void tc_zeek_conn(struct tc_zeek *z, const struct tc_conn *c, const struct tc_verdict *v,
		  const struct tc_diagnosis *d);
/* Header if not yet written, then "#close". Frees z. */
void tc_zeek_end(struct tc_zeek *z);

/* tc_zeek_conn_state() and tc_zeek_uid() are the core's: tcpclose/zeek.h. */
#include "tcpclose/zeek.h"

#endif
