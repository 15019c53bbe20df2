/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * select.h -- which finished connections a report shows (--only, --port,
 * --host) and which ones -w writes (--write-matching).
 *
 * A selection is applied to finished connections, after the verdict, so it
 * is not a capture filter: every packet is still analysed and every count
 * in a summary stays over everything. The BPF expression is the capture
 * filter; this is the report filter.
 *
 * Matching: a connection is selected when it matches every kind of
 * criterion given (words AND ports AND hosts); within one kind, any entry
 * will do (reset OR half_closed; port 80 OR 443).
 */
#ifndef TCPCLOSE_SELECT_H
#define TCPCLOSE_SELECT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tcpclose/diag.h"
#include "tcpclose/engine.h"

#define TC_SELECT_MAX 64          /* ports, hosts: entries per kind */

struct tc_net {
	uint8_t af;                   /* 4 or 6 */
	uint8_t plen;                 /* prefix length: 32/128 for one address */
	uint8_t addr[16];             /* network order, masked to plen */
};

/* close_mask bit for "trailing_rst": a graceful close with a trailing RST. */
#define TC_SELECT_TRAILING (1u << TC_CLOSE__COUNT)

struct tc_select {
	uint32_t close_mask;          /* 1 << enum tc_close, and TC_SELECT_TRAILING */
	uint32_t cause_mask;          /* 1 << enum tc_cause */
	int nports, nnets;
	uint16_t ports[TC_SELECT_MAX];
	struct tc_net nets[TC_SELECT_MAX];
};

/*
 * Add criteria from an option argument (comma-separated lists; an option
 * may be repeated). Return 0, or -1 with a one-line reason in err.
 *   words: verdicts (graceful, half_closed, reset, open) or reset causes
 *          (refused, abortive_close, ...: see diag.h)
 *   ports: 0..65535
 *   hosts: numeric IPv4/IPv6 addresses, optionally ADDR/LEN; names are
 *          refused (tcpclose resolves nothing)
 */
int tc_select_words(struct tc_select *s, const char *list, char *err, size_t n);
int tc_select_ports(struct tc_select *s, const char *list, char *err, size_t n);
int tc_select_hosts(struct tc_select *s, const char *list, char *err, size_t n);

/* Anything to filter on? */
int tc_select_active(const struct tc_select *s);
int tc_select_has_words(const struct tc_select *s);

int tc_select_match(const struct tc_select *s, const struct tc_conn *c,
		    const struct tc_verdict *v, const struct tc_diagnosis *d);

/* "--only reset,abortive_close --port 443 --host 10.0.0.0/8", for headers. */
void tc_select_describe(const struct tc_select *s, const char *words_opt, char *buf, size_t n);

/* The criteria as JSON members: "only":[...],"ports":[...],"hosts":[...]. */
void tc_select_json(FILE *o, const struct tc_select *s);

/* The words --only accepts, comma-separated, for messages and --help. */
const char *tc_select_vocabulary(void);

#endif
