/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fastpaths.c -- developer check: the core's two straight lines against
 * their general paths, over every frame of real captures.
 *
 * For every frame of every capture given (files, or directories read one
 * level deep):
 *   - decdiff_frame() compares tc_decode_wire() with tc_decode_general():
 *     as captured, with the wire length unknown (0), and cut at every
 *     length below the first CUT_MAX bytes (the headers, where the two
 *     paths differ);
 *   - a TCP segment goes to its connection, kept here in a flow table as
 *     the engine keeps it (a new record on a new SYN), and segdiff_apply()
 *     compares the predicted per-segment path, tc_segment_fast(), with the
 *     full one on that record as it stands.
 * Prints each disagreement (the first MAX_SHOWN) and a summary: frames, how
 * many the decoder's straight line took, segments, how many were
 * predicted, disagreements.
 *
 * usage: fastpaths --root PROJECT_DIR   the wild traces beside the clone
 *        fastpaths PATH...              these files or directories
 *
 * With --root, the traces are ../shared/wild-traces (or ../../shared for a
 * worktree) relative to the project; absent, this exits 77 (skip). Exit 0
 * when the paths agree on every frame, 1 otherwise, 2 on a usage error.
 */
#include <dirent.h>
#include <limits.h>
#include <pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "decdiff.h"
#include "flow.h"
#include "segdiff.h"

#define CUT_MAX 128
#define MAX_SHOWN 20

static unsigned long long n_frames, n_fast, n_checks, n_bad, n_files, n_unread;
static unsigned long long n_segs, n_predicted, n_seg_bad, n_untracked;

/* Returns 1 if the straight line took the frame (and agreed). */
static int check(const char *file, unsigned long long frame, int dlt, const uint8_t *buf,
		 uint32_t caplen, uint32_t wirelen)
{
	struct decdiff d;

	n_checks++;
	if (decdiff_frame(dlt, buf, caplen, wirelen, &d) == 0)
		return d.fast;
	if (n_bad++ < MAX_SHOWN)
		printf("%s frame %llu caplen %u wirelen %u: %s\n", file, frame, caplen, wirelen,
		       d.why);
	return 0;
}

/* Segment p of frame `frame` through both per-segment paths. */
static void check_segment(struct tc_flowtab *t, const char *file, unsigned long long frame,
			  const struct tc_pkt *p, int64_t ts_ns)
{
	struct segdiff d;
	int rc = segdiff_track(t, p, ts_ns, frame, &d);

	n_segs++;
	if (rc > 0) {
		n_untracked++;
	} else if (rc < 0) {
		if (n_seg_bad++ < MAX_SHOWN)
			printf("%s frame %llu: segment: %s\n", file, frame, d.why);
	} else {
		n_predicted += (unsigned)d.fast;
	}
}

static void one_file(const char *path)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	unsigned long long frame = 0;
	pcap_t *pc = pcap_open_offline(path, err);
	struct tc_flowtab *t;
	int dlt;

	if (pc == NULL) {
		n_unread++; /* not a capture libpcap reads: nothing to compare */
		return;
	}
	n_files++;
	dlt = pcap_datalink(pc);
	if ((t = tc_flowtab_new(0x5eed)) == NULL) {
		fprintf(stderr, "fastpaths: out of memory\n");
		exit(2);
	}
	while (pcap_next_ex(pc, &h, &data) == 1) {
		uint32_t cut, lim;
		struct tc_pkt p;

		frame++;
		n_frames++;
		n_fast += (unsigned)check(path, frame, dlt, data, h->caplen, h->len);
		if (tc_decode_wire(dlt, data, h->caplen, h->len, &p) == TC_DEC_OK)
			check_segment(t, path, frame, &p,
				      (int64_t)h->ts.tv_sec * 1000000000LL + (int64_t)h->ts.tv_usec * 1000);
		check(path, frame, dlt, data, h->caplen, 0);
		lim = h->caplen < CUT_MAX ? h->caplen : CUT_MAX;
		for (cut = 0; cut < lim; cut++)
			check(path, frame, dlt, data, cut, h->len);
	}
	tc_flowtab_free(t);
	pcap_close(pc);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory's regular files, in name order so runs compare. */
static void one_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0, i;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **nn;
			cap = cap ? cap * 2 : 256;
			nn = realloc(names, cap * sizeof *names);
			if (nn == NULL)
				break;
			names = nn;
		}
		names[n] = malloc(strlen(dir) + strlen(e->d_name) + 2);
		if (names[n] == NULL)
			break;
		sprintf(names[n], "%s/%s", dir, e->d_name);
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, cmp_names);
	for (i = 0; i < n; i++) {
		struct stat st;
		if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
			one_file(names[i]);
		free(names[i]);
	}
	free(names);
}

static void one_path(const char *p)
{
	struct stat st;

	if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
		one_dir(p);
	else
		one_file(p);
}

int main(int argc, char **argv)
{
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: fastpaths --root PROJECT_DIR | PATH...\n");
		return 2;
	}
	if (strcmp(argv[1], "--root") == 0) {
		static const char *const rel[] = { "/../shared/wild-traces",
						   "/../../shared/wild-traces" };
		char dir[PATH_MAX];
		struct stat st;
		size_t k;
		int found = 0;

		if (argc != 3) {
			fprintf(stderr, "usage: fastpaths --root PROJECT_DIR\n");
			return 2;
		}
		for (k = 0; k < sizeof rel / sizeof rel[0] && !found; k++) {
			snprintf(dir, sizeof dir, "%s%s", argv[2], rel[k]);
			found = stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
		}
		if (!found) {
			printf("fastpaths: no ../shared/wild-traces beside %s, skipped\n", argv[2]);
			return 77;
		}
		one_dir(dir);
	} else {
		for (i = 1; i < argc; i++)
			one_path(argv[i]);
	}
	printf("fastpaths: %llu files (%llu not read by libpcap), %llu frames, %llu taken by the "
	       "decoder's straight line, %llu comparisons, %llu disagreements\n",
	       n_files, n_unread, n_frames, n_fast, n_checks, n_bad);
	printf("fastpaths: %llu TCP segments (%llu not tracked: no memory), %llu predicted, "
	       "%llu disagreements\n",
	       n_segs, n_untracked, n_predicted, n_seg_bad);
	if (n_frames == 0) {
		printf("fastpaths: no frames read, nothing compared\n");
		return 1;
	}
	return n_bad || n_seg_bad || n_untracked ? 1 : 0;
}
