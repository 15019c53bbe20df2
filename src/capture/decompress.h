/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * decompress.h -- compressed capture files read as if they were not.
 *
 * Captures travel compressed (.pcap.gz, .pcapng.zst); tshark reads them
 * directly, libpcap does not. tc_decompress_open() looks at the first byte
 * of a stream and, for gzip (zlib) or zstd, returns a new stdio stream that
 * yields the decompressed bytes, for pcap_fopen_offline(). Closing that
 * stream closes the underlying one too. No pcap magic begins with the first
 * byte of either format (0x1f, 0x28), so a plain capture is never mistaken.
 */
#ifndef TCPCLOSE_DECOMPRESS_H
#define TCPCLOSE_DECOMPRESS_H

#include <stdio.h>

/*
 * The stream to read the capture from: `raw` itself for an uncompressed
 * capture (nothing is consumed), or a decompressing stream over it. NULL
 * with errno set if the stream cannot be made; *what names the format
 * ("gzip", "zstd") or is NULL for none.
 */
FILE *tc_decompress_open(FILE *raw, const char **what);

#endif
