/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * privdrop.h -- give up root for good once the capture is open.
 *
 * Called after pcap_activate() (and after capture files are opened) and
 * before the first packet is parsed, so the packet parser never runs with
 * privileges, as tcpdump -Z does:
 *
 *   started as root:  switch to `user` (-Z USER), or to TC_PRIVDROP_DEFAULT
 *                     ("nobody"; uid/gid 65534 if there is no such user):
 *                     initgroups (or setgroups(0) without a name), setgid,
 *                     setuid, then verify setuid(0)/setgid(0) fail;
 *                     `-Z root` keeps root on purpose;
 *   not root:         `user`, if given, must be the current user;
 *   always (Linux):   clear every capability (effective, permitted,
 *                     inheritable, ambient) and set no_new_privs, so
 *                     nothing is kept from file capabilities (setcap) and
 *                     nothing can be regained through exec.
 *
 * Returns 0, or -1 with a message in errbuf (the run must stop).
 */
#ifndef TCPCLOSE_PRIVDROP_H
#define TCPCLOSE_PRIVDROP_H

#include <stddef.h>

#define TC_PRIVDROP_DEFAULT "nobody"

int tc_privdrop(const char *user, char *errbuf, size_t n);

#endif
