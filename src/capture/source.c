/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * source.c -- libpcap offline reading and the time-ordered merge of files.
 *
 * The merge keeps one pending frame per file and always hands out the
 * earliest; pcap_next_ex() keeps each handle's buffer alive until the next
 * call on that handle, so holding one pending frame per file costs nothing.
 * With a handful of files a linear scan for the minimum beats a heap.
 *
 * The filter is applied with pcap_offline_filter() after reading, not with
 * pcap_setfilter(), so that rejected frames are still counted and frame
 * numbers stay those of the file.
 *
 * BPF sees a VLAN tag where the ethertype was expected, so `tcp port 22`
 * rejects a tagged frame that tcpclose itself would decode; tcpdump's
 * answer is `vlan and ...`, which users do not know they need. For
 * Ethernet files the filter is also compiled as `vlan and (EXPR or (vlan
 * and EXPR))` (one tag or two, 802.1ad QinQ), and a
 * tagged frame the filter rejected is tried against that: the count of
 * those that match is reported once at the end (tc_source_vlan_note), with
 * the expression that would have taken them. Untagged frames, accepted
 * frames and runs without a filter never reach the second program.
 */
#include "source.h"
#include "decompress.h"

#include "tcpclose/engine.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct input {
	pcap_t *p;
	char *name;
	struct bpf_program prog;
	struct bpf_program vlan_prog; /* vlan and (filter): see the header */
	int have_prog;
	int have_vlan_prog;
	int dlt;
	int pending;             /* hdr/data hold the next frame */
	struct pcap_pkthdr *hdr;
	const u_char *data;
	uint64_t nread;          /* frames read from this file */
	int64_t size;
	FILE *fp;                /* for progress: the stdio stream libpcap reads */
	char *iobuf;             /* that stream's buffer (TC_SOURCE_IOBUF bytes) */
};

/*
 * libpcap reads a savefile through stdio, a record header and then a
 * record at a time. glibc's default buffer is st_blksize (4 KiB), so a
 * large capture costs one read() per few frames; a 256 KiB buffer cuts
 * that 64-fold and halves the time of the bare read loop. (setvbuf() with
 * a NULL buffer ignores the size in glibc: the buffer must be ours.)
 */
#define TC_SOURCE_IOBUF (256u * 1024u)

#define MAX_ERRORS 16

struct tc_source {
	struct input *in;
	int n;
	uint64_t frame;
	struct input *last;      /* whose frame was handed out last */
	int64_t total;
	int nerr;
	char *err[MAX_ERRORS];
	char *filter;         /* for the VLAN note */
	uint64_t vlan_missed; /* tagged frames rejected that vlan and (filter) takes */
	int qinq_missed;      /* some of them had two tags */
};

static void add_error(struct tc_source *s, const char *name, uint64_t frame, const char *what)
{
	char buf[4 * TC_ERRBUF + 1024]; /* the names appear several times */
	if (s->nerr >= MAX_ERRORS)
		return;
	/* libpcap's pcapng reader takes one link type and one snapshot
	 * length per file (every version); dumpcap writes files with several
	 * whenever it captures on several interfaces. Say what is wrong and
	 * how to read it, rather than call a valid file damaged. */
	if (strstr(what, "different from the type of the first interface") ||
	    strstr(what, "different from the snapshot length of the first interface"))
		snprintf(buf, sizeof(buf),
			 "%s: reading stopped after packet %llu of this file: libpcap reads only one link "
			 "type per file and one snapshot length, and this file's interfaces differ (%s). "
			 "Write each interface N to a pcap file of its own with Wireshark's tools, ENCAP "
			 "being the name capinfos %s shows for interface #N (ether, rawip, linux-sll ...): "
			 "editcap -r -F pcap -T ENCAP %s ifN.pcap $(tshark -r %s -Y frame.interface_id==N "
			 "-T fields -e frame.number); then read them together, merged in time order: "
			 "tcpclose -r if0.pcap -r if1.pcap",
			 name, (unsigned long long)frame, what, name, name, name);
	else if (frame == 0)
		snprintf(buf, sizeof(buf), "%s: input damaged before its first packet: %s", name, what);
	else
		snprintf(buf, sizeof(buf), "%s: input damaged after packet %llu of this file: %s", name,
			 (unsigned long long)frame, what);
	s->err[s->nerr] = strdup(buf);
	if (s->err[s->nerr])
		s->nerr++;
}

static void close_input(struct input *in)
{
	if (in->have_prog)
		pcap_freecode(&in->prog);
	in->have_prog = 0;
	if (in->have_vlan_prog)
		pcap_freecode(&in->vlan_prog);
	in->have_vlan_prog = 0;
	if (in->p)
		pcap_close(in->p); /* closes the stream too */
	in->p = NULL;
	in->pending = 0;
	free(in->iobuf); /* only after the stream that used it is closed */
	in->iobuf = NULL;
}

/* Read the next frame of one file into its pending slot. */
static void refill(struct tc_source *s, struct input *in)
{
	int r;
	if (!in->p)
		return;
	r = pcap_next_ex(in->p, &in->hdr, &in->data);
	if (r == 1) {
		in->pending = 1;
		in->nread++;
		return;
	}
	if (r == PCAP_ERROR) {
		/* libpcap says what was wrong ("truncated dump file; tried to
		 * read 1514 captured bytes, only got 700"); we add where. */
		add_error(s, in->name, in->nread, pcap_geterr(in->p));
	}
	close_input(in);
}

/*
 * An expression that already names VLAN or MPLS tags has chosen its
 * offsets: no second guess. Neither for links without Ethernet tags.
 */
static void compile_vlan_prog(struct tc_source *s, struct input *in, const char *filter)
{
	char *e;
	size_t n;

	if (in->dlt != DLT_EN10MB || strstr(filter, "vlan") || strstr(filter, "mpls"))
		return;
	if (!s->filter && !(s->filter = strdup(filter)))
		return;
	n = 2 * strlen(filter) + 48;
	if (!(e = malloc(n)))
		return;
	snprintf(e, n, "vlan and ((%s) or (vlan and (%s)))", filter, filter);
	/* An expression valid untagged may not be after "vlan" (it can
	 * name link fields BPF cannot reach there): then nothing is said. */
	if (pcap_compile(in->p, &in->vlan_prog, e, 1, PCAP_NETMASK_UNKNOWN) == 0)
		in->have_vlan_prog = 1;
	free(e);
}

static int is_tpid(unsigned t)
{
	return t == 0x8100 || t == 0x88a8 || t == 0x9100;
}

/* Tags at the start of an Ethernet frame: 0, 1, or 2 (two or more). */
static int vlan_tags(const struct pcap_pkthdr *hdr, const u_char *data)
{
	if (hdr->caplen < 14 || !is_tpid((unsigned)data[12] << 8 | data[13]))
		return 0;
	if (hdr->caplen < 18 || !is_tpid((unsigned)data[16] << 8 | data[17]))
		return 1;
	return 2;
}

/* Operators that would bind differently once the expression is spliced
 * into a longer one. */
static int needs_parens(const char *e)
{
	return strstr(e, " or ") || strstr(e, " and ") || strstr(e, "not ") || strchr(e, '|') ||
	       strchr(e, '&') || strchr(e, '!');
}

int tc_source_vlan_note(const struct tc_source *s, char *buf, size_t n)
{
	const char *f = s->filter;
	const char *o = "", *c = "";
	char inner[TC_ERRBUF];

	if (!s->vlan_missed || !f)
		return 0;
	if (needs_parens(f)) {
		o = "(";
		c = ")";
	}
	/* One tag: EXPR or (vlan and EXPR); two: the tagged part once more. */
	if (s->qinq_missed)
		snprintf(inner, sizeof(inner), "%s%s%s or (vlan and %s%s%s)", o, f, c, o, f, c);
	else
		snprintf(inner, sizeof(inner), "%s%s%s", o, f, c);
	snprintf(buf, n,
		 "the filter left out %llu VLAN-tagged frame%s that match%s it without the tag "
		 "(BPF needs 'vlan and ...' for tagged frames); to include them: '%s%s%s or (vlan and %s%s%s)'",
		 (unsigned long long)s->vlan_missed, s->vlan_missed == 1 ? "" : "s",
		 s->vlan_missed == 1 ? "es" : "", o, f, c, s->qinq_missed ? "(" : "", inner,
		 s->qinq_missed ? ")" : "");
	return 1;
}

struct tc_source *tc_source_open(char *const *files, int nfiles, const char *filter,
				 char errbuf[TC_ERRBUF])
{
	struct tc_source *s = calloc(1, sizeof(*s));
	int i;

	if (!s || !(s->in = calloc((size_t)nfiles, sizeof(*s->in)))) {
		snprintf(errbuf, TC_ERRBUF, "out of memory");
		free(s);
		return NULL;
	}
	s->n = nfiles;
	for (i = 0; i < nfiles; i++) {
		struct input *in = &s->in[i];
		char pe[PCAP_ERRBUF_SIZE] = "";
		struct stat sb;
		const char *zip;
		FILE *fp, *cf;

		in->name = strdup(files[i]);
		/* Open the stream ourselves so progress can ask it how far it is
		 * and the error names the file the way tcpdump does. */
		fp = strcmp(files[i], "-") == 0 ? stdin : fopen(files[i], "rb");
		if (!fp) {
			snprintf(errbuf, TC_ERRBUF, "%s: %s", files[i], strerror(errno));
			goto fail;
		}
		in->size = (fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode)) ? (int64_t)sb.st_size : -1;
		/* Without the buffer the stream keeps its default: slower, not
		 * wrong. libpcap never closes stdin, so stdin's buffer must
		 * outlive us: a static one. Set before the first read (the
		 * decompressor peeks at the first byte). */
		if (fp == stdin) {
			static char stdin_buf[TC_SOURCE_IOBUF];
			(void)setvbuf(fp, stdin_buf, _IOFBF, sizeof(stdin_buf));
		} else if ((in->iobuf = malloc(TC_SOURCE_IOBUF)) &&
			   setvbuf(fp, in->iobuf, _IOFBF, TC_SOURCE_IOBUF) != 0) {
			free(in->iobuf);
			in->iobuf = NULL;
		}
		/* .pcap.gz, .pcapng.zst: libpcap reads the decompressed bytes. */
		if (!(cf = tc_decompress_open(fp, &zip))) {
			snprintf(errbuf, TC_ERRBUF, "%s: %s%s", files[i],
				 errno == ENOTSUP ? "zstd-compressed, and this tcpclose is built without "
						    "libzstd: decompress it first (zstd -d)"
						  : "",
				 errno == ENOTSUP ? "" : strerror(errno));
			if (fp != stdin)
				fclose(fp);
			free(in->iobuf);
			in->iobuf = NULL;
			goto fail;
		}
		in->p = pcap_fopen_offline_with_tstamp_precision(cf, PCAP_TSTAMP_PRECISION_NANO, pe);
		if (!in->p) {
			if (cf != stdin)
				fclose(cf); /* and fp with it */
			free(in->iobuf);
			in->iobuf = NULL;
			snprintf(errbuf, TC_ERRBUF, "%s: %s%s%s", files[i], zip ? zip : "",
				 zip ? "-compressed: " : "", pe);
			goto fail;
		}
		in->fp = fp;
		in->dlt = pcap_datalink(in->p);
		if (filter && *filter) {
			if (pcap_compile(in->p, &in->prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
				snprintf(errbuf, TC_ERRBUF, "%s: bad filter expression: %s", files[i],
					 pcap_geterr(in->p));
				goto fail;
			}
			in->have_prog = 1;
			compile_vlan_prog(s, in, filter);
		}
		if (in->size > 0)
			s->total += in->size;
		else
			s->total = -1;
	}
	for (i = 0; i < nfiles; i++)
		refill(s, &s->in[i]);
	return s;
fail:
	tc_source_close(s);
	return NULL;
}

static int64_t ts_of_hdr(const struct pcap_pkthdr *hdr);

static int64_t ts_of(const struct input *in)
{
	return ts_of_hdr(in->hdr);
}

static int64_t ts_of_hdr(const struct pcap_pkthdr *hdr)
{
	/* With nanosecond precision tv_usec holds nanoseconds. A hostile
	 * pcapng (huge if_tsresol or timestamps) can put any value in tv_sec:
	 * clamp before multiplying rather than overflow. */
	int64_t sec = (int64_t)hdr->ts.tv_sec, frac = (int64_t)hdr->ts.tv_usec;
	if (sec < 0)
		return 0;
	if (sec >= TC_TS_MAX / 1000000000LL)
		return TC_TS_MAX;
	if (frac < 0 || frac > 999999999)
		frac = 0;
	return sec * 1000000000LL + frac;
}

/* Number the next frame of `in`; 0 if the filter rejects it, else 1
 * with *fr filled. Rejected frames are counted all the same. */
static int take(struct tc_source *s, struct input *in, const struct pcap_pkthdr *hdr,
		const u_char *data, struct tc_frame *fr)
{
	s->frame++;
	if (in->have_prog && !pcap_offline_filter(&in->prog, hdr, data)) {
		int tags = in->have_vlan_prog ? vlan_tags(hdr, data) : 0;
		if (tags && pcap_offline_filter(&in->vlan_prog, hdr, data)) {
			s->vlan_missed++;
			if (tags > 1)
				s->qinq_missed = 1;
		}
		return 0;
	}
	fr->ts_ns = ts_of_hdr(hdr);
	fr->frame = s->frame;
	fr->caplen = hdr->caplen;
	fr->wirelen = hdr->len;
	fr->dlt = in->dlt;
	fr->data = data;
	return 1;
}

int tc_source_next(struct tc_source *s, struct tc_frame *fr)
{
	/* The frame handed out last time is still in its file's buffer; only
	 * now may that file read on. */
	if (s->last) {
		refill(s, s->last);
		s->last = NULL;
	}
	for (;;) {
		struct input *best = NULL;
		int i;
		if (s->n == 1) {
			best = s->in[0].pending ? &s->in[0] : NULL; /* nothing to merge */
		} else {
			for (i = 0; i < s->n; i++) {
				struct input *in = &s->in[i];
				if (in->pending && (!best || ts_of(in) < ts_of(best)))
					best = in; /* ties: the earlier file first, stable */
			}
		}
		if (!best)
			return 0;
		best->pending = 0;
		if (!take(s, best, best->hdr, best->data, fr)) {
			refill(s, best);
			continue;
		}
		s->last = best;
		return 1;
	}
}

/* Hand one frame of `in` (hdr/data) to fn, unless the filter rejects it. */
static int deliver(struct tc_source *s, struct input *in, const struct pcap_pkthdr *hdr,
		   const u_char *data, tc_frame_fn fn, void *arg)
{
	struct tc_frame fr;
	return take(s, in, hdr, data, &fr) ? fn(&fr, arg) : 0;
}

struct each_ctx {
	struct tc_source *s;
	struct input *in;
	tc_frame_fn fn;
	void *arg;
	int stopped;
};

static void each_handler(u_char *user, const struct pcap_pkthdr *hdr, const u_char *data)
{
	struct each_ctx *x = (struct each_ctx *)(void *)user;
	x->in->nread++;
	if (deliver(x->s, x->in, hdr, data, x->fn, x->arg)) {
		x->stopped = 1;
		pcap_breakloop(x->in->p);
	}
}

int tc_source_each(struct tc_source *s, tc_frame_fn fn, void *arg)
{
	struct tc_frame fr;
	struct each_ctx x;
	struct input *in = &s->in[0];
	int r;

	if (s->n != 1 || s->last) {
		/* Several files: the merge picks one frame at a time. */
		while (tc_source_next(s, &fr) == 1)
			if (fn(&fr, arg))
				return 1;
		return 0;
	}
	/* One file: libpcap's own loop, which costs less per frame than
	 * pcap_next_ex(). The frame read ahead when the file was opened
	 * goes first. */
	if (!in->pending)
		return 0;
	in->pending = 0;
	if (deliver(s, in, in->hdr, in->data, fn, arg))
		return 1;
	memset(&x, 0, sizeof(x));
	x.s = s;
	x.in = in;
	x.fn = fn;
	x.arg = arg;
	r = pcap_loop(in->p, -1, each_handler, (u_char *)(void *)&x);
	if (x.stopped)
		return 1;
	if (r == PCAP_ERROR)
		add_error(s, in->name, in->nread, pcap_geterr(in->p));
	close_input(in);
	return 0;
}

int tc_source_nerrors(const struct tc_source *s)
{
	return s->nerr;
}

const char *tc_source_error(const struct tc_source *s, int i)
{
	return i >= 0 && i < s->nerr ? s->err[i] : NULL;
}

void tc_source_progress(const struct tc_source *s, int64_t *done, int64_t *total)
{
	int64_t d = 0;
	int i;
	for (i = 0; i < s->n; i++) {
		const struct input *in = &s->in[i];
		if (in->p && in->fp) {
			long off = ftell(in->fp);
			if (off > 0)
				d += off;
		} else if (in->size > 0) {
			d += in->size;
		}
	}
	*done = d;
	*total = s->total;
}

void tc_source_close(struct tc_source *s)
{
	int i;
	if (!s)
		return;
	for (i = 0; i < s->n; i++) {
		close_input(&s->in[i]);
		free(s->in[i].name);
	}
	for (i = 0; i < s->nerr; i++)
		free(s->err[i]);
	free(s->in);
	free(s->filter);
	free(s);
}
