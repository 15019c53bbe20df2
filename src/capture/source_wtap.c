/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * source_wtap.c -- libwiretap sequential reading (see source_wtap.h).
 *
 * Written against libwiretap 4.0 (Debian 12). The link type: a packet
 * carries libwiretap's encapsulation (WTAP_ENCAP_), and libwiretap does
 * not export its encapsulation-to-linktype function, only the reverse,
 * wtap_pcap_encap_to_wtap_encap(). So the reverse is asked once for every
 * link type value and the first (lowest) link type giving an
 * encapsulation is its libpcap DLT: LINKTYPE_ETHERNET 1, LINKTYPE_RAW's
 * DLT_RAW 12 (the value libpcap's own reader hands out on Linux),
 * LINUX_SLL 113, and so on. Link type values at and above 100 are the
 * pcap file values, equal to the DLT_ values libpcap uses for them.
 *
 * Interface statistics: libwiretap 4.0 does not hand ISBs out as records;
 * its pcapng reader attaches each one to its interface's description
 * (interface_statistics), which wtap_file_get_idb_info() copies out. The
 * counters in an ISB run from the start of the capture, so the last one
 * of each interface is the total.
 */
#include "source_wtap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wireshark.h>
#include <wiretap/wtap.h>
#include <wiretap/pcap-encap.h>
#include <wsutil/wslog.h>

struct tc_wtap {
	wtap *wth;
	wtap_rec rec;
	Buffer buf;
	char format[64];
};

/* The highest link type asked about: the registry ends below 300. */
#define LT_MAX 512

static int enc_of_lt[LT_MAX];

static void lib_init(void)
{
	static int done;
	int lt;

	if (done)
		return;
	done = 1;
	/* libwiretap logs through wsutil, which (never initialized by a
	 * program that is not Wireshark) writes its debug lines to stderr:
	 * tcpclose says what went wrong itself, from the error codes. */
	(void)ws_log_set_level(LOG_LEVEL_CRITICAL);
	wtap_init(FALSE); /* the built-in readers; no plugins */
	for (lt = 0; lt < LT_MAX; lt++)
		enc_of_lt[lt] = wtap_pcap_encap_to_wtap_encap(lt);
}

static int dlt_of_encap(int encap)
{
	int lt;

	if (encap <= 0) /* WTAP_ENCAP_UNKNOWN, PER_PACKET, NONE */
		return -1;
	for (lt = 0; lt < LT_MAX; lt++)
		if (enc_of_lt[lt] == encap)
			return lt;
	return -1;
}

/* libwiretap's text for err, with its detail when there is one; frees it. */
static void say(char *out, size_t n, int err, gchar *info)
{
	snprintf(out, n, "%s%s%s", wtap_strerror(err), info ? " (" : "", info ? info : "");
	if (info && strlen(out) + 2 <= n)
		strcat(out, ")");
	g_free(info);
}

struct tc_wtap *tc_wtap_open(const char *path, char *err, size_t n)
{
	struct tc_wtap *w;
	gchar *info = NULL;
	int e = 0;
	wtap_compression_type z;

	lib_init();
	if (!(w = calloc(1, sizeof(*w)))) {
		snprintf(err, n, "out of memory");
		return NULL;
	}
	w->wth = wtap_open_offline(path, WTAP_TYPE_AUTO, &e, &info, FALSE);
	if (!w->wth) {
		say(err, n, e, info);
		free(w);
		return NULL;
	}
	wtap_rec_init(&w->rec);
	ws_buffer_init(&w->buf, 2048);
	z = wtap_get_compression_type(w->wth);
	snprintf(w->format, sizeof(w->format), "%s%s%s",
		 z == WTAP_UNCOMPRESSED ? "" : wtap_compression_type_description(z),
		 z == WTAP_UNCOMPRESSED ? "" : " ",
		 wtap_file_type_subtype_name(wtap_file_type_subtype(w->wth)));
	return w;
}

int tc_wtap_next(struct tc_wtap *w, struct tc_wtap_frame *f, char *err, size_t n)
{
	uint64_t skipped = 0;

	for (;;) {
		const wtap_packet_header *ph;
		gchar *info = NULL;
		gint64 off;
		int e = 0;

		wtap_rec_reset(&w->rec); /* drops the previous record's block */
		if (!wtap_read(w->wth, &w->rec, &w->buf, &e, &info, &off)) {
			if (e == 0) {
				g_free(info);
				return 0;
			}
			say(err, n, e, info);
			return -1;
		}
		if (w->rec.rec_type != REC_TYPE_PACKET) {
			skipped++; /* Wireshark gives it a frame number */
			continue;
		}
		ph = &w->rec.rec_header.packet_header;
		f->sec = (int64_t)w->rec.ts.secs;
		f->nsec = w->rec.ts.nsecs;
		/* The readers make room for caplen bytes (ws_buffer_assure_space)
		 * and write them at the start without moving first_free, so
		 * the length to check against is the room, not ws_buffer_length. */
		f->caplen = ph->caplen;
		if (f->caplen > w->buf.allocated - w->buf.start)
			f->caplen = (uint32_t)(w->buf.allocated - w->buf.start);
		f->wirelen = ph->len;
		f->encap = ph->pkt_encap < 0 ? 0u : (unsigned)ph->pkt_encap;
		f->dlt = dlt_of_encap(ph->pkt_encap);
		f->iface = (w->rec.presence_flags & WTAP_HAS_INTERFACE_ID) ? ph->interface_id : 0;
		f->skipped = skipped;
		f->data = ws_buffer_start_ptr(&w->buf);
		return 1;
	}
}

const char *tc_wtap_format(const struct tc_wtap *w)
{
	return w->format;
}

int64_t tc_wtap_offset(const struct tc_wtap *w)
{
	return (int64_t)wtap_read_so_far(w->wth);
}

int tc_wtap_stats(const struct tc_wtap *w, struct tc_wtap_stats *st)
{
	wtapng_iface_descriptions_t *idb = wtap_file_get_idb_info(w->wth);
	int any = 0;
	guint i;

	memset(st, 0, sizeof(*st));
	if (!idb)
		return 0;
	for (i = 0; idb->interface_data && i < idb->interface_data->len; i++) {
		wtap_block_t ib = g_array_index(idb->interface_data, wtap_block_t, i);
		const wtapng_if_descr_mandatory_t *m = wtap_block_get_mandatory_data(ib);
		wtap_block_t sb;
		guint64 v;

		if (!m || !m->interface_statistics || m->interface_statistics->len == 0)
			continue;
		sb = g_array_index(m->interface_statistics, wtap_block_t,
				   m->interface_statistics->len - 1);
		any = 1;
		if (wtap_block_get_uint64_option_value(sb, OPT_ISB_IFRECV, &v) == WTAP_OPTTYPE_SUCCESS) {
			st->have_ifrecv = 1;
			st->ifrecv += v;
		}
		if (wtap_block_get_uint64_option_value(sb, OPT_ISB_IFDROP, &v) == WTAP_OPTTYPE_SUCCESS) {
			st->have_ifdrop = 1;
			st->ifdrop += v;
		}
		if (wtap_block_get_uint64_option_value(sb, OPT_ISB_OSDROP, &v) == WTAP_OPTTYPE_SUCCESS) {
			st->have_osdrop = 1;
			st->osdrop += v;
		}
	}
	g_free(idb); /* the descriptions themselves are the handle's */
	return any;
}

const char *tc_wtap_encap_name(unsigned encap)
{
	const char *s = wtap_encap_name((int)encap);
	return s ? s : "unknown";
}

void tc_wtap_close(struct tc_wtap *w)
{
	if (!w)
		return;
	wtap_close(w->wth);
	wtap_rec_cleanup(&w->rec);
	ws_buffer_free(&w->buf);
	free(w);
}
