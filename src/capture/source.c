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
 *
 * Built with TC_WIRETAP, a file libpcap refuses is read through libwiretap
 * (source_wtap.c): at open, when libpcap does not know the format; and in
 * the middle of a pcapng file, when libpcap stops at an interface whose
 * link type or snapshot length differs from the first one's. Then the file
 * is opened again through libwiretap and the packets libpcap already
 * handed out are skipped, so frame numbers go on. Frames read through
 * libwiretap carry their own interface's link type; the filter is
 * compiled once per link type met (pcap_open_dead), kept in a small
 * table, and a link type it does not compile for stops that file with an
 * error naming it. The interface statistics (pcapng ISBs) of those files
 * are summed for the report (tc_source_input_stats).
 */
#include "source.h"
#include "decompress.h"
#ifdef TC_HAVE_WIRETAP
#include "source_wtap.h"
#endif

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
#ifdef TC_HAVE_WIRETAP
	int is_stdin;            /* cannot be opened a second time */
	int wopen;               /* libwiretap from the start: libpcap knew no format */
	char wfmt[64];           /* the format libwiretap took it for */
	struct tc_wtap *w;       /* read through libwiretap instead of p */
	struct pcap_pkthdr whdr; /* hdr points here for those */
	int wdlt;                /* the pending frame's link type */
	uint64_t wskip;          /* records before it that are not packets */
#endif
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

/* Link types with a filter program compiled (libwiretap inputs). */
#define MAX_LINKS 16

struct link_prog {
	int dlt;
	int ok; /* prog compiled; else err says why */
	struct bpf_program prog;
	struct bpf_program vlan_prog;
	int have_vlan_prog;
	char err[PCAP_ERRBUF_SIZE];
};

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
	char *filter_expr;    /* the -f expression, for per-link compiles */
	struct link_prog links[MAX_LINKS];
	int nlinks;
	struct tc_input_stats istats; /* pcapng ISBs of the files read */
	int have_istats;
};

/* libpcap's pcapng reader stopped at an interface unlike the first. */
static int is_multi_link(const char *what)
{
	return strstr(what, "different from the type of the first interface") ||
	       strstr(what, "different from the snapshot length of the first interface");
}

/* The end of the advice for a file libpcap stops at its second link type. */
#ifdef TC_HAVE_WIRETAP
static const char multi_link_tail[] =
	" (libwiretap, which reads such files, cannot take over on standard input: it would "
	"have to read it a second time; give the file name instead)";
#else
static const char multi_link_tail[] =
	". A tcpclose built with -DTC_WIRETAP=ON (libwiretap, GPL) reads such files itself";
#endif

/* Record one error, its text as given. */
static void add_error_text(struct tc_source *s, const char *text)
{
	if (s->nerr >= MAX_ERRORS)
		return;
	s->err[s->nerr] = strdup(text);
	if (s->err[s->nerr])
		s->nerr++;
}

/* After libpcap's "unknown file format", the file name follows. */
static const char unknown_format_tail[] =
	"; libpcap reads pcap and pcapng only (gzip/zstd-compressed too). A tcpclose built "
	"with -DTC_WIRETAP=ON (libwiretap, GPL) reads the other formats tshark opens (snoop, "
	"ERF, Windows netmon, lz4-compressed ...); or convert it: editcap -F pcapng ";

static void add_error(struct tc_source *s, const char *name, uint64_t frame, const char *what)
{
	char buf[4 * TC_ERRBUF + 1024]; /* the names appear several times */
	if (s->nerr >= MAX_ERRORS)
		return;
	/* libpcap's pcapng reader takes one link type and one snapshot
	 * length per file (every version); dumpcap writes files with several
	 * whenever it captures on several interfaces. Say what is wrong and
	 * how to read it, rather than call a valid file damaged. */
	if (is_multi_link(what))
		snprintf(buf, sizeof(buf),
			 "%s: reading stopped after packet %llu of this file: libpcap reads only one link "
			 "type per file and one snapshot length, and this file's interfaces differ (%s). "
			 "Write each interface N to a pcap file of its own with Wireshark's tools, ENCAP "
			 "being the name capinfos %s shows for interface #N (ether, rawip, linux-sll ...): "
			 "editcap -r -F pcap -T ENCAP %s ifN.pcap $(tshark -r %s -Y frame.interface_id==N "
			 "-T fields -e frame.number); then read them together, merged in time order: "
			 "tcpclose -r if0.pcap -r if1.pcap%s",
			 name, (unsigned long long)frame, what, name, name, name, multi_link_tail);
	else if (frame == 0)
		snprintf(buf, sizeof(buf), "%s: input damaged before its first packet: %s", name, what);
	else
		snprintf(buf, sizeof(buf), "%s: input damaged after packet %llu of this file: %s", name,
			 (unsigned long long)frame, what);
	add_error_text(s, buf);
}

static void close_input(struct tc_source *s, struct input *in)
{
#ifdef TC_HAVE_WIRETAP
	if (in->w) {
		struct tc_wtap_stats ws;
		/* ISBs come at the end of a capture: what was read of them. */
		if (tc_wtap_stats(in->w, &ws)) {
			s->have_istats = 1;
			s->istats.have_ifrecv |= ws.have_ifrecv;
			s->istats.have_ifdrop |= ws.have_ifdrop;
			s->istats.have_osdrop |= ws.have_osdrop;
			s->istats.ifrecv += ws.ifrecv;
			s->istats.ifdrop += ws.ifdrop;
			s->istats.osdrop += ws.osdrop;
		}
		tc_wtap_close(in->w);
		in->w = NULL;
	}
#else
	(void)s;
#endif
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

#ifdef TC_HAVE_WIRETAP
static struct link_prog *link_prog(struct tc_source *s, int dlt);
static void wtap_refill(struct tc_source *s, struct input *in);

/*
 * libpcap stopped at an interface unlike the first (pcap_err says which):
 * read the file again through libwiretap, past the in->nread packets
 * already handed out. 0, or -1 with the error recorded.
 */
static int switch_to_wtap(struct tc_source *s, struct input *in, const char *pcap_err)
{
	char e[TC_ERRBUF], why[PCAP_ERRBUF_SIZE];
	uint64_t done = in->nread, k;
	struct tc_wtap_frame f;

	snprintf(why, sizeof(why), "%s", pcap_err);
	close_input(s, in);
	in->fp = NULL;
	if (!(in->w = tc_wtap_open(in->name, e, sizeof(e)))) {
		char m[2 * TC_ERRBUF];
		snprintf(m, sizeof(m), "libpcap stopped here (%s), and libwiretap cannot open the file: %s",
			 why, e);
		add_error(s, in->name, done, m);
		return -1;
	}
	for (k = 0; k < done; k++) {
		int r = tc_wtap_next(in->w, &f, e, sizeof(e));
		if (r != 1) {
			char m[2 * TC_ERRBUF];
			snprintf(m, sizeof(m),
				 "libpcap stopped here (%s), and libwiretap, reading the file again, %s%s",
				 why, r == 0 ? "found fewer packets before it" : "failed: ",
				 r == 0 ? "" : e);
			add_error(s, in->name, done, m);
			close_input(s, in);
			return -1;
		}
	}
	in->nread = done;
	wtap_refill(s, in);
	return 0;
}

/* Read the next packet of a libwiretap input into its pending slot. */
static void wtap_refill(struct tc_source *s, struct input *in)
{
	struct tc_wtap_frame f;
	char e[TC_ERRBUF];
	int r = tc_wtap_next(in->w, &f, e, sizeof(e));

	if (r == 1) {
		in->whdr.ts.tv_sec = (time_t)f.sec;
		in->whdr.ts.tv_usec = f.nsec; /* nanoseconds, as from libpcap here */
		in->whdr.caplen = f.caplen;
		in->whdr.len = f.wirelen;
		in->hdr = &in->whdr;
		in->data = f.data;
		in->wdlt = f.dlt;
		in->wskip = f.skipped;
		in->nread++;
		if (s->filter_expr) {
			struct link_prog *lp = link_prog(s, f.dlt);
			if (!lp || !lp->ok) {
				char m[3 * TC_ERRBUF];
				const char *dn = f.dlt >= 0 ? pcap_datalink_val_to_name(f.dlt) : NULL;
				snprintf(m, sizeof(m),
					 "%s: reading stopped at packet %llu of this file: the filter does "
					 "not compile for its link type, %s%s%s%s (interface %u): %s",
					 in->name, (unsigned long long)in->nread, dn ? dn : "",
					 dn ? " (" : "", tc_wtap_encap_name(f.encap), dn ? ")" : "",
					 (unsigned)f.iface,
					 lp ? lp->err : "more link types than tcpclose compiles the filter for");
				add_error_text(s, m);
				close_input(s, in);
				return;
			}
		}
		in->pending = 1;
		return;
	}
	if (r < 0)
		add_error(s, in->name, in->nread, e);
	close_input(s, in);
}
#endif

/* Read the next frame of one file into its pending slot. */
static void refill(struct tc_source *s, struct input *in)
{
	int r;
#ifdef TC_HAVE_WIRETAP
	if (in->w) {
		wtap_refill(s, in);
		return;
	}
#endif
	if (!in->p)
		return;
	r = pcap_next_ex(in->p, &in->hdr, &in->data);
	if (r == 1) {
		in->pending = 1;
		in->nread++;
		return;
	}
	if (r == PCAP_ERROR) {
#ifdef TC_HAVE_WIRETAP
		if (is_multi_link(pcap_geterr(in->p)) && !in->is_stdin) {
			(void)switch_to_wtap(s, in, pcap_geterr(in->p));
			return;
		}
#endif
		/* libpcap says what was wrong ("truncated dump file; tried to
		 * read 1514 captured bytes, only got 700"); we add where. */
		add_error(s, in->name, in->nread, pcap_geterr(in->p));
	}
	close_input(s, in);
}

/*
 * An expression that already names VLAN or MPLS tags has chosen its
 * offsets: no second guess. Neither for links without Ethernet tags.
 */
static int compile_vlan_prog(struct tc_source *s, pcap_t *p, int dlt, const char *filter,
			     struct bpf_program *prog)
{
	char *e;
	size_t n;
	int ok;

	if (dlt != DLT_EN10MB || strstr(filter, "vlan") || strstr(filter, "mpls"))
		return 0;
	if (!s->filter && !(s->filter = strdup(filter)))
		return 0;
	n = 2 * strlen(filter) + 48;
	if (!(e = malloc(n)))
		return 0;
	snprintf(e, n, "vlan and ((%s) or (vlan and (%s)))", filter, filter);
	/* An expression valid untagged may not be after "vlan" (it can
	 * name link fields BPF cannot reach there): then nothing is said. */
	ok = pcap_compile(p, prog, e, 1, PCAP_NETMASK_UNKNOWN) == 0;
	free(e);
	return ok;
}

#ifdef TC_HAVE_WIRETAP
/* The filter's programs for link type dlt, compiled the first time it is
 * met; ok is 0 (and err says why) when the filter does not compile for
 * it. NULL past MAX_LINKS link types. */
static struct link_prog *link_prog(struct tc_source *s, int dlt)
{
	struct link_prog *lp;
	pcap_t *dead;
	int i;

	for (i = 0; i < s->nlinks; i++)
		if (s->links[i].dlt == dlt)
			return &s->links[i];
	if (s->nlinks == MAX_LINKS)
		return NULL;
	lp = &s->links[s->nlinks++];
	memset(lp, 0, sizeof(*lp));
	lp->dlt = dlt;
	if (dlt < 0) {
		snprintf(lp->err, sizeof(lp->err), "libpcap has no link type for it");
		return lp;
	}
	/* The snapshot length only sets what an accepting program returns. */
	if (!(dead = pcap_open_dead_with_tstamp_precision(dlt, 262144, PCAP_TSTAMP_PRECISION_NANO))) {
		snprintf(lp->err, sizeof(lp->err), "out of memory");
		return lp;
	}
	if (pcap_compile(dead, &lp->prog, s->filter_expr, 1, PCAP_NETMASK_UNKNOWN) == 0) {
		lp->ok = 1;
		lp->have_vlan_prog = compile_vlan_prog(s, dead, dlt, s->filter_expr, &lp->vlan_prog);
	} else {
		snprintf(lp->err, sizeof(lp->err), "%s", pcap_geterr(dead));
	}
	pcap_close(dead);
	return lp;
}
#endif

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

#ifdef TC_HAVE_WIRETAP
/* libpcap could not open in->name (pcap_err says why): libwiretap's turn.
 * 0, or -1 with both reasons in errbuf. */
static int open_wtap(struct tc_source *s, struct input *in, const char *pcap_err,
		     char errbuf[TC_ERRBUF])
{
	char e[TC_ERRBUF];

	if (!(in->w = tc_wtap_open(in->name, e, sizeof(e)))) {
		snprintf(errbuf, TC_ERRBUF, "%s: %.120s (libpcap), and libwiretap: %.200s", in->name,
			 pcap_err, e);
		return -1;
	}
	in->wopen = 1;
	snprintf(in->wfmt, sizeof(in->wfmt), "%s", tc_wtap_format(in->w));
	if (in->size > 0 && s->total >= 0)
		s->total += in->size;
	else
		s->total = -1;
	return 0;
}
#endif

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
	if (filter && *filter && !(s->filter_expr = strdup(filter))) {
		snprintf(errbuf, TC_ERRBUF, "out of memory");
		goto fail;
	}
	for (i = 0; i < nfiles; i++) {
		struct input *in = &s->in[i];
		char pe[PCAP_ERRBUF_SIZE] = "";
		struct stat sb;
		const char *zip;
		FILE *fp, *cf;
		int unknown;

		in->name = strdup(files[i]);
		/* Open the stream ourselves so progress can ask it how far it is
		 * and the error names the file the way tcpdump does. */
		fp = strcmp(files[i], "-") == 0 ? stdin : fopen(files[i], "rb");
		if (!fp) {
			snprintf(errbuf, TC_ERRBUF, "%s: %s", files[i], strerror(errno));
			goto fail;
		}
		in->size = (fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode)) ? (int64_t)sb.st_size : -1;
#ifdef TC_HAVE_WIRETAP
		in->is_stdin = fp == stdin;
#endif
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
#ifdef TC_HAVE_WIRETAP
			if (errno == ENOTSUP && fp != stdin) {
				fclose(fp);
				free(in->iobuf);
				in->iobuf = NULL;
				if (open_wtap(s, in, "libpcap cannot read zstd here", errbuf) != 0)
					goto fail;
				continue;
			}
#endif
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
#ifdef TC_HAVE_WIRETAP
			/* Only a format libpcap does not know: a damaged pcap
			 * keeps libpcap's word (libwiretap's heuristics take
			 * even an empty file for ERF). */
			if (fp != stdin && strcmp(pe, "unknown file format") == 0) {
				if (open_wtap(s, in, pe, errbuf) != 0)
					goto fail;
				continue;
			}
#endif
			/* Not pcap nor pcapng: say what would read it. */
			unknown = strcmp(pe, "unknown file format") == 0;
			snprintf(errbuf, TC_ERRBUF, "%s: %s%s%s%s%s%s", files[i], zip ? zip : "",
				 zip ? "-compressed: " : "", pe, unknown ? unknown_format_tail : "",
				 unknown ? files[i] : "", unknown ? " out.pcapng" : "");
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
			in->have_vlan_prog =
				compile_vlan_prog(s, in->p, in->dlt, filter, &in->vlan_prog);
		}
		if (in->size > 0 && s->total >= 0)
			s->total += in->size;
		else
			s->total = -1;
	}
	for (i = 0; i < nfiles; i++) {
		int nerr = s->nerr;
		refill(s, &s->in[i]);
#ifdef TC_HAVE_WIRETAP
		/* libwiretap's heuristics take some garbage for a file it
		 * knows (a line of text for MP4 media, whose "packet" is the
		 * whole file): a file libpcap does not know, in which
		 * libwiretap finds no packet or a first one without a
		 * libpcap link type, is not a capture tcpclose can read. */
		if (s->in[i].wopen && s->nerr == nerr &&
		    (!s->in[i].pending || s->in[i].wdlt < 0)) {
			snprintf(errbuf, TC_ERRBUF,
				 "%s: unknown file format (libpcap), and libwiretap, which took it for %s, "
				 "found %s in it",
				 s->in[i].name, s->in[i].wfmt,
				 s->in[i].pending ? "no packet with a link type libpcap knows" : "no packet");
			goto fail;
		}
#else
		(void)nerr;
#endif
	}
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
	const struct bpf_program *prog = in->have_prog ? &in->prog : NULL;
	const struct bpf_program *vprog = in->have_vlan_prog ? &in->vlan_prog : NULL;
	int dlt = in->dlt;

#ifdef TC_HAVE_WIRETAP
	if (in->w) {
		/* Wireshark numbers the records that are not packets too. */
		s->frame += in->wskip;
		in->wskip = 0;
		dlt = in->wdlt;
		if (s->filter_expr) {
			const struct link_prog *lp = link_prog(s, dlt); /* compiled in wtap_refill */
			prog = lp && lp->ok ? &lp->prog : NULL;
			vprog = lp && lp->have_vlan_prog ? &lp->vlan_prog : NULL;
		}
	}
#endif
	s->frame++;
	if (prog && !pcap_offline_filter(prog, hdr, data)) {
		int tags = vprog ? vlan_tags(hdr, data) : 0;
		if (tags && pcap_offline_filter(vprog, hdr, data)) {
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
	fr->dlt = dlt;
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

	if (s->n != 1 || s->last || !in->p) {
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
#ifdef TC_HAVE_WIRETAP
	if (r == PCAP_ERROR && is_multi_link(pcap_geterr(in->p)) && !in->is_stdin) {
		/* The rest through libwiretap, one frame at a time. */
		if (switch_to_wtap(s, in, pcap_geterr(in->p)) != 0)
			return 0;
		while (tc_source_next(s, &fr) == 1)
			if (fn(&fr, arg))
				return 1;
		return 0;
	}
#endif
	if (r == PCAP_ERROR)
		add_error(s, in->name, in->nread, pcap_geterr(in->p));
	close_input(s, in);
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
#ifdef TC_HAVE_WIRETAP
		if (in->w) {
			d += tc_wtap_offset(in->w);
			continue;
		}
#endif
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
		close_input(s, &s->in[i]);
		free(s->in[i].name);
	}
	for (i = 0; i < s->nerr; i++)
		free(s->err[i]);
	free(s->in);
	free(s->filter);
	for (i = 0; i < s->nlinks; i++) {
		if (s->links[i].ok)
			pcap_freecode(&s->links[i].prog);
		if (s->links[i].have_vlan_prog)
			pcap_freecode(&s->links[i].vlan_prog);
	}
	free(s->filter_expr);
	free(s);
}

int tc_source_input_stats(const struct tc_source *s, struct tc_input_stats *st)
{
	if (!s->have_istats)
		return 0;
	*st = s->istats;
	return 1;
}
