/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * decompress.c -- gzip (zlib) and zstd streams behind a stdio FILE.
 *
 * fopencookie() gives libpcap an ordinary FILE, so its readers (pcap,
 * pcapng, every byte order and precision) work unchanged on the
 * decompressed bytes. The compressed bytes are pulled from the raw FILE
 * with fread(), so whatever stdio already buffered (the peeked first byte,
 * standard input) is not lost, and ftell() on the raw stream still tells
 * progress through the file. Concatenated gzip members (`cat a.gz b.gz`,
 * pigz) and zstd frames are read one after the other, as gzip -d does.
 */
#define _GNU_SOURCE
#include "decompress.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#ifdef TC_HAVE_ZSTD
#include <zstd.h>
#endif

#define IN_CAP (1 << 16)

struct dz {
	FILE *raw;
	int zstd;
	int done; /* end of input after a complete stream */
	z_stream z;
#ifdef TC_HAVE_ZSTD
	ZSTD_DStream *zs;
	ZSTD_inBuffer zin;
#endif
	unsigned char in[IN_CAP];
};

/* More compressed bytes; 0 at the end of the raw stream, -1 on error. */
static size_t fill(struct dz *d, int *err)
{
	size_t n = fread(d->in, 1, sizeof(d->in), d->raw);
	*err = n == 0 && ferror(d->raw);
	return n;
}

static ssize_t gz_read(struct dz *d, char *buf, size_t size)
{
	int err, r;

	d->z.next_out = (unsigned char *)buf;
	d->z.avail_out = (uInt)size;
	while (d->z.avail_out == size && !d->done) {
		if (d->z.avail_in == 0) {
			size_t n = fill(d, &err);
			if (err)
				return -1;
			if (n == 0) {
				/* The file ends inside a gzip member: an end of
				 * file, so libpcap says "truncated dump file"
				 * as for a cut uncompressed capture. */
				d->done = 1;
				break;
			}
			d->z.next_in = d->in;
			d->z.avail_in = (uInt)n;
		}
		r = inflate(&d->z, Z_NO_FLUSH);
		if (r == Z_STREAM_END) {
			/* Another member may follow; otherwise this is the end. */
			if (d->z.avail_in == 0) {
				int c = fgetc(d->raw);
				if (c == EOF) {
					d->done = 1;
					break;
				}
				d->in[0] = (unsigned char)c;
				d->z.next_in = d->in;
				d->z.avail_in = 1;
			}
			if (inflateReset(&d->z) != Z_OK)
				return -1;
			d->z.total_in = 0;
			continue;
		}
		if (r != Z_OK && r != Z_BUF_ERROR) {
			errno = EBADMSG; /* "Bad message": the compressed data is damaged */
			return -1;
		}
	}
	return (ssize_t)(size - d->z.avail_out);
}

#ifdef TC_HAVE_ZSTD
static ssize_t zstd_read(struct dz *d, char *buf, size_t size)
{
	ZSTD_outBuffer out = {buf, size, 0};
	int err;

	while (out.pos == 0 && !d->done) {
		if (d->zin.pos == d->zin.size) {
			size_t n = fill(d, &err);
			if (err)
				return -1;
			if (n == 0) {
				/* Inside a frame or not, an end of file: a cut
				 * file reads as libpcap's "truncated dump file". */
				d->done = 1;
				break;
			}
			d->zin.src = d->in;
			d->zin.size = n;
			d->zin.pos = 0;
		}
		if (ZSTD_isError(ZSTD_decompressStream(d->zs, &out, &d->zin))) {
			errno = EBADMSG; /* "Bad message": the compressed data is damaged */
			return -1;
		}
	}
	return (ssize_t)out.pos;
}
#endif

static ssize_t dz_read(void *cookie, char *buf, size_t size)
{
	struct dz *d = cookie;
	if (size == 0)
		return 0;
#ifdef TC_HAVE_ZSTD
	if (d->zstd)
		return zstd_read(d, buf, size);
#endif
	return gz_read(d, buf, size);
}

static int dz_close(void *cookie)
{
	struct dz *d = cookie;
	int r;
#ifdef TC_HAVE_ZSTD
	if (d->zstd)
		ZSTD_freeDStream(d->zs);
	else
#endif
		inflateEnd(&d->z);
	r = d->raw == stdin ? 0 : fclose(d->raw);
	free(d);
	return r;
}

FILE *tc_decompress_open(FILE *raw, const char **what)
{
	cookie_io_functions_t io = {dz_read, NULL, NULL, dz_close};
	struct dz *d;
	FILE *f;
	int c;

	*what = NULL;
	c = fgetc(raw);
	if (c == EOF)
		return raw; /* empty: libpcap says so in its words */
	if (ungetc(c, raw) == EOF)
		return NULL;
	if (c == 0x1f)
		*what = "gzip";
	else if (c == 0x28)
		*what = "zstd";
	else
		return raw;
	if (!(d = calloc(1, sizeof(*d))))
		return NULL;
	d->raw = raw;
	if (c == 0x28) {
#ifdef TC_HAVE_ZSTD
		d->zstd = 1;
		if (!(d->zs = ZSTD_createDStream()) || ZSTD_isError(ZSTD_initDStream(d->zs))) {
			ZSTD_freeDStream(d->zs);
			free(d);
			errno = ENOMEM;
			return NULL;
		}
#else
		free(d);
		errno = ENOTSUP;
		return NULL;
#endif
	} else if (inflateInit2(&d->z, 15 + 16) != Z_OK) { /* 16: gzip wrapper only */
		free(d);
		errno = ENOMEM;
		return NULL;
	}
	if (!(f = fopencookie(d, "rb", io))) {
		d->raw = stdin; /* the caller still owns raw */
		dz_close(d);
		return NULL;
	}
	return f;
}
