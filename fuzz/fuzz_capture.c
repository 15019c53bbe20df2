/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_capture.c -- arbitrary bytes as a capture *file*, through the path
 * tcpclose -r takes: tc_source_open() on a file name (a memfd, named
 * /proc/self/fd/N), libpcap's pcap/pcapng readers, the merge and filter
 * code of source.c, the engine, tc_engine_finish(), and both writers with
 * the run's read errors. This is main.c's loop, minus option parsing.
 *
 * The whole input is the file. Its last byte also picks options, so that
 * a seed that is a real capture needs no prefix:
 *   bit 0  apply a BPF filter ("tcp or vlan"), as "tcpclose -r F tcp" would
 *   bit 1  read the file twice, as two inputs merged in time order
 *   bit 2  --max-conns 2 (eviction)
 *   bit 3  --linger 0
 *   bit 4  aggregator capped at 4 hosts/services
 *
 * Checked beyond "no crash": frame numbers go up; every read error names
 * the file and the packet number (the contract of source.h and of the
 * exit status 2 message); everything fuzz_check.h checks.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_check.h"
#include "output.h"
#include "source.h"
#include "tcpclose/engine.h"

static int memfd = -1;
static char path[64];

/* Does a read error say where the file went wrong: at or after packet N
 * (a number), or before its first packet? */
static int names_packet(const char *e)
{
	const char *p;

	if (strstr(e, "before its first packet:"))
		return 1;
	for (p = e; (p = strstr(p, "packet ")) != NULL; p += 7)
		if (p[7] >= '0' && p[7] <= '9')
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void put_file(const uint8_t *data, size_t size)
{
	size_t off = 0;
	if (memfd < 0) {
		memfd = memfd_create("fuzz_capture", 0);
		if (memfd < 0) {
			perror("memfd_create");
			abort();
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	}
	if (ftruncate(memfd, 0) != 0)
		abort();
	while (off < size) {
		ssize_t k = pwrite(memfd, data + off, size - off, (off_t)off);
		if (k <= 0)
			abort();
		off += (size_t)k;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t opt = size ? data[size - 1] : 0;
	char *files[2];
	char errbuf[TC_ERRBUF];
	struct tc_engine_opts o = {0};
	struct tc_source *src;
	struct tc_engine *e;
	struct tc_frame fr;
	struct fc_run r;
	struct tc_run_info ri = {0};
	const char *errs[64];
	uint64_t last_frame = 0;
	int nfiles = (opt & 2) ? 2 : 1, i;

	put_file(data, size);
	files[0] = files[1] = path;
	src = tc_source_open(files, nfiles, (opt & 1) ? "tcp or vlan" : NULL, errbuf);
	if (!src) {
		/* tcpclose exits 1 with this message: it must name the file. */
		FC_REQUIRE(strncmp(errbuf, path, strlen(path)) == 0, "open error names the file");
		return 0;
	}

	o.max_conns = (opt & 4) ? 2 : 0;
	o.linger_ns = (opt & 8) ? 0 : -1;
	o.hash_seed = 0x5eed;
	fc_begin(&r, (opt & 0x10) ? 4 : 0);
	e = tc_engine_new(&o, fc_conn, &r);
	if (!e)
		abort();
	tc_engine_set_tap(e, fc_tap, &r);
	r.st = tc_engine_stats(e);

	while (tc_source_next(src, &fr) == 1) {
		FC_REQUIRE(fr.frame > last_frame, "frame numbers go up");
		FC_REQUIRE(fr.caplen == 0 || fr.data != NULL, "captured bytes are there");
		last_frame = fr.frame;
		r.max_frame = fr.frame;
		/* Queued, as the offline run feeds it (tc_engine_push). */
		tc_engine_push(e, fr.dlt, fc_ts(fr.ts_ns), fr.frame, fr.data, fr.caplen, 0);
	}
	tc_engine_finish(e);

	ri.files = files;
	ri.nfiles = nfiles;
	ri.nerrors = tc_source_nerrors(src);
	FC_REQUIRE(ri.nerrors >= 0 && ri.nerrors <= 64, "error count");
	for (i = 0; i < ri.nerrors; i++) {
		errs[i] = tc_source_error(src, i);
		FC_REQUIRE(errs[i] != NULL, "error text");
		FC_REQUIRE(strncmp(errs[i], path, strlen(path)) == 0 && errs[i][strlen(path)] == ':',
			   "a read error starts with the file name");
		FC_REQUIRE(names_packet(errs[i]), "a read error names the packet");
	}
	ri.errors = errs;
	fc_end(&r, tc_engine_stats(e), &ri);
	tc_engine_free(e);
	tc_source_close(src);
	return 0;
}
