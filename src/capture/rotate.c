/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rotate.c -- the live -w savefile with tcpdump's -C/-G/-W rotation (see
 * rotate.h). The naming and the decision follow tcpdump 4.99's
 * MakeFilename() and dump_packet_and_trunc() step for step, so the files
 * come out with the names and boundaries tcpdump gives them.
 */
#include "rotate.h"

#include <errno.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

/* ---- pure ----------------------------------------------------------- */

int tc_rotate_parse_size(const char *s, int64_t *bytes)
{
	int64_t v = 0, unit = 1000000;
	const char *p = s;

	if (!s || *p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (INT64_MAX - (*p - '0')) / 10)
			return -1;
		v = v * 10 + (*p - '0');
	}
	if (*p) {
		switch (*p) {
		case 'k':
		case 'K': unit = 1024; break;
		case 'm':
		case 'M': unit = 1024 * 1024; break;
		case 'g':
		case 'G': unit = 1024 * 1024 * 1024; break;
		default: return -1;
		}
		if (p[1])
			return -1;
	}
	if (v < 1 || v > TC_ROTATE_SIZE_MAX / unit)
		return -1;
	*bytes = v * unit;
	return 0;
}

int tc_rotate_digits(int count)
{
	int c = 0;
	for (count -= 1; count > 0; count /= 10)
		c++;
	return c;
}

void tc_rotate_start(struct tc_rotate_state *st, int64_t now)
{
	memset(st, 0, sizeof(*st));
	st->gtime = now;
}

int tc_rotate_name(const struct tc_save_opts *o, const struct tc_rotate_state *st,
		   const struct tm *tm, char *buf, size_t n)
{
	char base[PATH_MAX + 1];
	int digits, k;

	if (!o->file || !*o->file || n == 0)
		return -1;
	if (o->seconds) {
		/* strftime says 0 both for "did not fit" and for an empty
		 * result; either way there is no file name. */
		size_t len = 0;
		if (tm) {
			/* The pattern is the user's, by design (tcpdump -G). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
			len = strftime(base, sizeof(base), o->file, tm);
#pragma GCC diagnostic pop
		}
		if (len == 0)
			return -1;
	} else {
		if (strlen(o->file) >= sizeof(base))
			return -1;
		strcpy(base, o->file);
	}
	/* Numbers only with -C; then only when there is a number to show
	 * or -W asks for a width (tcpdump: FILE, FILE1 ...; FILE0 with -W). */
	digits = o->size ? tc_rotate_digits(o->count) : 0;
	if (!o->size || (st->cindex == 0 && digits == 0))
		k = snprintf(buf, n, "%s", base);
	else
		k = snprintf(buf, n, "%s%0*d", base, digits, st->cindex);
	return k < 0 || (size_t)k >= n ? -1 : 0;
}

enum tc_rotate_step tc_rotate_step(const struct tc_save_opts *o, struct tc_rotate_state *st,
				   int64_t size, int64_t now)
{
	if (o->seconds && now - st->gtime >= o->seconds) {
		st->gtime = now;
		st->gfiles++;
		if (!o->size && o->count > 0 && st->gfiles >= (uint64_t)o->count)
			return TC_ROTATE_LIMIT;
		st->cindex = 0;
		return TC_ROTATE_NEXT;
	}
	/* The last packet written may take a file past SIZE: the check is
	 * before the write, as tcpdump's. */
	if (o->size && size > o->size) {
		st->cindex++;
		if (o->count > 0 && st->cindex >= o->count)
			st->cindex = 0;
		return TC_ROTATE_NEXT;
	}
	return TC_ROTATE_KEEP;
}

/* ---- the dumper ------------------------------------------------------ */

struct tc_rotate {
	pcap_t *p;
	struct tc_save_opts o;
	struct tc_rotate_state st;
	pcap_dumper_t *d;
	int64_t size; /* bytes in the current file, buffered ones too */
	char name[PATH_MAX + 1];
	uint64_t packets, files;
	int failed, limited;
	char err[PATH_MAX + 256];
};

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

/* The current name into r->name and open it; -1 with r->err. */
static int open_current(struct tc_rotate *r)
{
	struct tm tmv, *tm = NULL;
	time_t t = (time_t)r->st.gtime;

	if (r->o.seconds)
		tm = localtime_r(&t, &tmv);
	if (tc_rotate_name(&r->o, &r->st, tm, r->name, sizeof(r->name)) != 0) {
		snprintf(r->err, sizeof(r->err),
			 "-w %s: the file name is empty or longer than %d bytes", r->o.file,
			 PATH_MAX);
		return -1;
	}
	r->d = pcap_dump_open(r->p, r->name);
	if (!r->d) {
		/* libpcap says "NAME: reason" already. */
		snprintf(r->err, sizeof(r->err), "%s", pcap_geterr(r->p));
		return -1;
	}
	/* The file header; each packet then adds its record header and its
	 * bytes (pcap_dump()): what tcpdump's ftell() would say, without a
	 * system call a packet. */
	r->size = (int64_t)sizeof(struct pcap_file_header);
	r->files++;
	return 0;
}

static void write_error(struct tc_rotate *r, int e)
{
	snprintf(r->err, sizeof(r->err), "%s: write error: %s", r->name, strerror(e ? e : EIO));
	r->failed = 1;
}

/* pcap_dump() says nothing; the stream remembers a failed fwrite(), and
 * errno (cleared before the write) still holds why right after it. */
static int check_stream(struct tc_rotate *r)
{
	int e = errno;
	if (!ferror(pcap_dump_file(r->d)))
		return 0;
	write_error(r, e);
	return -1;
}

/* Close the current file: 0, or -1 when what was buffered did not go.
 * (pcap_dump_close() says nothing: the flush before it does.) */
static int close_current(struct tc_rotate *r)
{
	int rc = 0;
	if (!r->d)
		return 0;
	if (!r->failed) {
		errno = 0;
		if (pcap_dump_flush(r->d) != 0 || ferror(pcap_dump_file(r->d))) {
			write_error(r, errno);
			rc = -1;
		}
	}
	pcap_dump_close(r->d);
	r->d = NULL;
	return rc;
}

struct tc_rotate *tc_rotate_open(struct pcap *p, const struct tc_save_opts *o, char *err,
				 size_t n)
{
	struct tc_rotate *r = calloc(1, sizeof(*r));

	if (!r) {
		snprintf(err, n, "out of memory");
		return NULL;
	}
	r->p = p;
	r->o = *o;
	tc_rotate_start(&r->st, now_s());
	if (open_current(r) != 0) {
		snprintf(err, n, "%s", r->err);
		free(r);
		return NULL;
	}
	return r;
}

int tc_rotate_write(struct tc_rotate *r, const struct pcap_pkthdr *h, const unsigned char *bytes)
{
	if (r->failed)
		return -1;
	if (r->limited)
		return 1;
	if (r->o.seconds || r->o.size) {
		enum tc_rotate_step s;
		s = tc_rotate_step(&r->o, &r->st, r->size, now_s());
		if (s == TC_ROTATE_LIMIT) {
			r->limited = 1;
			return close_current(r) == 0 ? 1 : -1;
		}
		if (s == TC_ROTATE_NEXT) {
			if (close_current(r) != 0)
				return -1;
			if (open_current(r) != 0) {
				r->failed = 1;
				return -1;
			}
		}
	}
	errno = 0;
	pcap_dump((u_char *)r->d, h, bytes);
	if (check_stream(r) != 0)
		return -1;
	r->packets++;
	r->size += 16 + (int64_t)h->caplen; /* pcap-savefile(5): a 16-byte record header */
	return 0;
}

int tc_rotate_flush(struct tc_rotate *r)
{
	if (r->failed)
		return -1;
	if (!r->d)
		return 0;
	errno = 0;
	if (pcap_dump_flush(r->d) != 0) {
		write_error(r, errno);
		return -1;
	}
	return 0;
}

int tc_rotate_finish(struct tc_rotate *r)
{
	int failed = r->failed;
	if (close_current(r) != 0 || failed)
		return -1;
	return 0;
}

const char *tc_rotate_error(const struct tc_rotate *r)
{
	return r->err;
}

uint64_t tc_rotate_packets(const struct tc_rotate *r)
{
	return r->packets;
}

uint64_t tc_rotate_files(const struct tc_rotate *r)
{
	return r->files;
}

const char *tc_rotate_current(const struct tc_rotate *r)
{
	return r->name;
}

int tc_rotate_limited(const struct tc_rotate *r)
{
	return r->limited;
}

void tc_rotate_free(struct tc_rotate *r)
{
	if (!r)
		return;
	if (r->d)
		(void)close_current(r);
	free(r);
}
