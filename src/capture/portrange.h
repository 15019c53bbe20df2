/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * portrange.h -- the capturing host's own ephemeral port range.
 *
 * A live capture (-i) sees the host it runs on, or one beside it: its
 * TIME_WAIT budget is that host's net.ipv4.ip_local_port_range, not the
 * Linux default the core assumes for files. The core never reads /proc;
 * the command line does, here, and passes the count in tc_agg_opts.
 */
#ifndef TCPCLOSE_PORTRANGE_H
#define TCPCLOSE_PORTRANGE_H

#include <stdint.h>

#define TC_PORT_RANGE_PROC "/proc/sys/net/ipv4/ip_local_port_range"

/*
 * The number of ports in the range the file holds ("LO<white space>HI",
 * as the kernel writes it), or 0 when it cannot be read or makes no sense
 * (then the caller keeps the default). *lo and *hi are set on success.
 */
uint32_t tc_local_port_range(const char *path, unsigned *lo, unsigned *hi);

#endif
