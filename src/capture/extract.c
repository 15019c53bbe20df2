/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * extract.c -- -w (see extract.h).
 *
 * The chosen connections are kept as a flat array of (4-tuple, first
 * frame, last frame), sorted once before pass 2 and binary-searched per
 * frame: no per-connection allocation, and lookups cost O(log n) however
 * many connections were chosen.
 */
#include "extract.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outfile.h"
#include "tcpclose/decode.h"
#include "tcpclose/grow.h"

/* pcap's largest snapshot length (libpcap MAXIMUM_SNAPLEN). */
#define DUMP_SNAPLEN 262144

/* ---- the output file ------------------------------------------------- */

struct tc_dump {
	char *path;
	struct tc_outfile of;    /* a temporary beside the target, renamed at the end */
	FILE *f;                 /* opened at once: a bad path fails before the read */
	pcap_t *dead;
	pcap_dumper_t *d;
	int dlt;
	uint64_t n;
};

struct tc_dump *tc_dump_new(const char *path, char err[TC_ERRBUF])
{
	struct tc_dump *d = calloc(1, sizeof(*d));
	if (!d || !(d->path = strdup(path))) {
		snprintf(err, TC_ERRBUF, "out of memory");
		free(d);
		return NULL;
	}
	if (tc_outfile_open(&d->of, path, "wb", err, TC_ERRBUF) != 0) {
		free(d->path);
		free(d);
		return NULL;
	}
	d->f = d->of.f;
	d->dlt = -1;
	return d;
}

static const char *dlt_name(int dlt)
{
	const char *s = pcap_datalink_val_to_name(dlt);
	return s ? s : "unknown";
}

/*
 * Nanosecond pcap: the inputs are read with nanosecond precision, so no
 * time stamp is rounded. libpcap >= 1.5, tcpdump, Wireshark and Zeek read it.
 */
static int dump_open(struct tc_dump *d, int dlt, char err[TC_ERRBUF])
{
	d->dead = pcap_open_dead_with_tstamp_precision(dlt, DUMP_SNAPLEN, PCAP_TSTAMP_PRECISION_NANO);
	if (!d->dead) {
		snprintf(err, TC_ERRBUF, "%s: out of memory", d->path);
		return -1;
	}
	d->d = pcap_dump_fopen(d->dead, d->f);
	if (!d->d) {
		snprintf(err, TC_ERRBUF, "%s: %s", d->path, pcap_geterr(d->dead));
		return -1;
	}
	d->f = NULL; /* the dumper owns it now */
	d->dlt = dlt;
	return 0;
}

int tc_dump_frame(struct tc_dump *d, const struct tc_frame *fr, char err[TC_ERRBUF])
{
	struct pcap_pkthdr h;

	if (!d->d && dump_open(d, fr->dlt, err) != 0)
		return -1;
	if (fr->dlt != d->dlt) {
		snprintf(err, TC_ERRBUF,
			 "%s: the inputs have different link types (%s, then %s at frame %llu) and a "
			 "pcap file holds one: write them one -r at a time",
			 d->path, dlt_name(d->dlt), dlt_name(fr->dlt), (unsigned long long)fr->frame);
		return -1;
	}
	memset(&h, 0, sizeof(h));
	h.ts.tv_sec = (time_t)(fr->ts_ns / 1000000000LL);
	h.ts.tv_usec = (suseconds_t)(fr->ts_ns % 1000000000LL); /* ns: see dump_open */
	if (h.ts.tv_usec < 0) {
		h.ts.tv_usec += 1000000000;
		h.ts.tv_sec -= 1;
	}
	h.caplen = fr->caplen;
	h.len = fr->wirelen;
	pcap_dump((u_char *)d->d, &h, fr->data);
	d->n++;
	return 0;
}

uint64_t tc_dump_count(const struct tc_dump *d)
{
	return d->n;
}

int tc_dump_close(struct tc_dump *d, int dlt, int discard, char err[TC_ERRBUF])
{
	int rc = 0;

	if (!d)
		return 0;
	if (!d->d && !discard && dump_open(d, dlt >= 0 ? dlt : DLT_EN10MB, err) != 0)
		rc = -1;
	if (d->d) {
		/* pcap_dump() reports nothing; the stdio stream remembers. */
		if (!discard && (pcap_dump_flush(d->d) != 0 || ferror(pcap_dump_file(d->d)))) {
			snprintf(err, TC_ERRBUF, "%s: write error: %s", d->path, strerror(errno));
			rc = -1;
		}
		pcap_dump_close(d->d);
	} else if (d->f) {
		fclose(d->f);
	}
	if (d->dead)
		pcap_close(d->dead);
	/* In place only once complete; after an error, half a file would
	 * pass for a complete one: the target stays as it was. */
	if (tc_outfile_finish(&d->of, !discard && !rc, err, TC_ERRBUF) != 0)
		rc = -1;
	free(d->path);
	free(d);
	return rc;
}

/* ---- the chosen connections ------------------------------------------ */

/* A 4-tuple in a canonical order (lower endpoint first), padding zeroed so
 * the whole struct compares with memcmp. */
struct key {
	uint8_t a[16], b[16];
	uint16_t pa, pb;
	uint8_t af;
	uint8_t pad[3];
};

struct range {
	struct key k;
	uint64_t first, last;
};

struct tc_extract {
	struct range *r;
	size_t n, cap;
	int sorted;
	uint64_t expected;
	uint64_t min_first, max_last;
};

static void make_key(struct key *k, int af, const uint8_t *x, uint16_t px, const uint8_t *y,
		     uint16_t py)
{
	int c = memcmp(x, y, 16);
	memset(k, 0, sizeof(*k));
	k->af = (uint8_t)af;
	if (c > 0 || (c == 0 && px > py)) {
		const uint8_t *t = x;
		uint16_t tp = px;
		x = y, px = py;
		y = t, py = tp;
	}
	memcpy(k->a, x, 16);
	memcpy(k->b, y, 16);
	k->pa = px;
	k->pb = py;
}

struct tc_extract *tc_extract_new(void)
{
	struct tc_extract *x = calloc(1, sizeof(*x));
	if (x)
		x->min_first = UINT64_MAX;
	return x;
}

void tc_extract_free(struct tc_extract *x)
{
	if (!x)
		return;
	free(x->r);
	free(x);
}

int tc_extract_add(struct tc_extract *x, const struct tc_conn *c)
{
	struct range *nr = tc_grow(x->r, &x->cap, x->n + 1, sizeof(*nr), 1024), *r;

	if (!nr)
		return -1;
	x->r = nr;
	r = &x->r[x->n++];
	make_key(&r->k, c->af, c->ep[0].addr, c->ep[0].port, c->ep[1].addr, c->ep[1].port);
	r->first = c->frame_first;
	r->last = c->frame_last;
	if (r->first < x->min_first)
		x->min_first = r->first;
	if (r->last > x->max_last)
		x->max_last = r->last;
	x->expected += (uint64_t)c->ep[0].pkts + c->ep[1].pkts;
	x->sorted = 0;
	return 0;
}

uint64_t tc_extract_expected(const struct tc_extract *x)
{
	return x->expected;
}

static int by_key_first(const void *pa, const void *pb)
{
	const struct range *a = pa, *b = pb;
	int c = memcmp(&a->k, &b->k, sizeof(a->k));
	if (c)
		return c;
	return (a->first > b->first) - (a->first < b->first);
}

/* Is frame `frame` on this 4-tuple inside a chosen connection's range? */
static int chosen(const struct tc_extract *x, const struct key *k, uint64_t frame)
{
	size_t lo = 0, hi = x->n;

	/* Lower bound of the key: the first range on this 4-tuple. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (memcmp(&x->r[mid].k, k, sizeof(*k)) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < x->n && !memcmp(&x->r[lo].k, k, sizeof(*k)); lo++) {
		if (frame < x->r[lo].first)
			return 0; /* ranges are sorted and disjoint */
		if (frame <= x->r[lo].last)
			return 1;
	}
	return 0;
}

int tc_extract_run(struct tc_extract *x, char *const *files, int nfiles, const char *filter,
		   struct tc_dump *d, struct tc_progress *prog, char err[TC_ERRBUF])
{
	struct tc_source *src;
	struct tc_frame fr;
	struct tc_pkt p;
	struct key k;
	int rc = 0;

	if (x->n == 0)
		return 0;
	if (!x->sorted) {
		qsort(x->r, x->n, sizeof(*x->r), by_key_first);
		x->sorted = 1;
	}
	src = tc_source_open(files, nfiles, filter, err);
	if (!src)
		return -1;
	tc_progress_begin(prog, "writing");
	while (tc_source_next(src, &fr) == 1) {
		tc_progress_frame(prog, src, fr.frame);
		if (fr.frame > x->max_last)
			break; /* nothing chosen lies further: stop reading */
		if (fr.frame < x->min_first)
			continue;
		/* The decode pass 1 made (tc_engine_frame_wire): a frame the
		 * engine took is a frame written here. */
		if (tc_decode_wire(fr.dlt, fr.data, fr.caplen, fr.wirelen, &p) != TC_DEC_OK)
			continue;
		make_key(&k, p.af, p.src, p.sport, p.dst, p.dport);
		if (chosen(x, &k, fr.frame) && tc_dump_frame(d, &fr, err) != 0) {
			rc = -1;
			break;
		}
	}
	tc_progress_end(prog);
	/* Damage in the input was reported by pass 1; the same frames stop
	 * pass 2 at the same place, so nothing more is said here. */
	tc_source_close(src);
	return rc;
}
