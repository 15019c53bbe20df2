/* SPDX-License-Identifier: BSD-3-Clause */
/* tc-record: decode the captured packets into TCP connections and apply
 * the analyzer's definitions to them, to check that the kernel did what a
 * scenario needs.  The .expect files never come from here. */
#include "rec.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* wire: decode the captured packets into TCP connections               */

static uint16_t rd16(const u_char *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t rd32(const u_char *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

struct tcpkt {
  int fam;
  uint8_t src[16], dst[16];
  uint16_t sport, dport;
  struct wseg g;
};

static int decode(const u_char *d, uint32_t caplen, int dlt, struct tcpkt *t)
{
  size_t off = 14, l4;
  uint32_t l4len;
  uint16_t et;
  unsigned doff;

  if (dlt != DLT_EN10MB || caplen < 14)
    return -1;
  et = rd16(d + 12);
  while (et == 0x8100 || et == 0x88a8) {
    if (caplen < off + 4)
      return -1;
    et = rd16(d + off + 2);
    off += 4;
  }
  memset(t, 0, sizeof *t);
  if (et == 0x0800) {
    unsigned ihl;
    if (caplen < off + 20 || (d[off] >> 4) != 4 || d[off + 9] != 6 || (rd16(d + off + 6) & 0x3fff))
      return -1;
    ihl = (d[off] & 15u) * 4;
    if (ihl < 20 || rd16(d + off + 2) < ihl)
      return -1;
    t->fam = AF_INET;
    memcpy(t->src, d + off + 12, 4);
    memcpy(t->dst, d + off + 16, 4);
    l4 = off + ihl;
    l4len = rd16(d + off + 2) - ihl;
  } else if (et == 0x86dd) {
    if (caplen < off + 40 || d[off + 6] != 6)
      return -1;
    t->fam = AF_INET6;
    memcpy(t->src, d + off + 8, 16);
    memcpy(t->dst, d + off + 24, 16);
    l4 = off + 40;
    l4len = rd16(d + off + 4);
  } else {
    return -1;
  }
  if (caplen < l4 + 20 || l4len < 20)
    return -1;
  doff = (d[l4 + 12] >> 4) * 4u;
  if (doff < 20 || doff > l4len || caplen < l4 + doff)
    return -1;
  t->sport = rd16(d + l4);
  t->dport = rd16(d + l4 + 2);
  t->g.seq = rd32(d + l4 + 4);
  t->g.ack = rd32(d + l4 + 8);
  t->g.flags = d[l4 + 13];
  t->g.win = rd16(d + l4 + 14);
  t->g.len = l4len - doff;
  t->g.wscale = -1;
  for (size_t o = l4 + 20; o < l4 + doff;) {
    uint8_t kind = d[o];
    if (kind == 0)
      break;
    if (kind == 1) {
      o++;
      continue;
    }
    if (o + 1 >= l4 + doff || d[o + 1] < 2)
      break;
    if (kind == 3 && d[o + 1] == 3 && o + 2 < l4 + doff)
      t->g.wscale = d[o + 2];
    o += d[o + 1];
  }
  return 0;
}

int wire_build(struct run *r, const struct capture *cp, struct wire *w)
{
  memset(w, 0, sizeof *w);
  for (size_t i = 0; i < cp->n; i++) {
    struct tcpkt t;
    struct wconn *c = NULL;
    int dir = 0, alen;
    if (decode(cp->p[i].d, cp->p[i].h.caplen, cp->dlt, &t) < 0) {
      w->undecodable++;
      continue;
    }
    alen = t.fam == AF_INET ? 4 : 16;
    for (size_t k = w->n; k-- > 0;) {
      struct wconn *x = &w->c[k];
      if (x->fam != t.fam)
        continue;
      if (x->port[0] == t.sport && x->port[1] == t.dport && !memcmp(x->addr[0], t.src, alen) &&
          !memcmp(x->addr[1], t.dst, alen))
        dir = 0;
      else if (x->port[1] == t.sport && x->port[0] == t.dport && !memcmp(x->addr[1], t.src, alen) &&
               !memcmp(x->addr[0], t.dst, alen))
        dir = 1;
      else
        continue;
      c = x;
      break;
    }
    /* A new SYN (not a retransmission) on a known 4-tuple starts a new
     * connection: time_wait_reuse has two on one tuple. */
    if (c && (t.g.flags & (F_SYN | F_ACK)) == F_SYN && c->n &&
        (c->s[0].flags & (F_SYN | F_ACK)) == F_SYN && (dir != 0 || c->s[0].seq != t.g.seq))
      c = NULL;
    if (!c) {
      if (w->n == w->cap) {
        size_t nc = w->cap ? w->cap * 2 : 16;
        struct wconn *nw = realloc(w->c, nc * sizeof *nw);
        if (!nw) {
          fail(r, "out of memory");
          return -1;
        }
        w->c = nw;
        w->cap = nc;
      }
      c = &w->c[w->n++];
      memset(c, 0, sizeof *c);
      c->fam = t.fam;
      memcpy(c->addr[0], t.src, 16);
      memcpy(c->addr[1], t.dst, 16);
      c->port[0] = t.sport;
      c->port[1] = t.dport;
      dir = 0;
    }
    if (c->n == c->cap) {
      size_t nc = c->cap ? c->cap * 2 : 16;
      struct wseg *ns = realloc(c->s, nc * sizeof *ns);
      if (!ns) {
        fail(r, "out of memory");
        return -1;
      }
      c->s = ns;
      c->cap = nc;
    }
    t.g.dir = (uint8_t)dir;
    c->s[c->n++] = t.g;
  }
  return 0;
}

void wire_free(struct wire *w)
{
  for (size_t i = 0; i < w->n; i++)
    free(w->c[i].s);
  free(w->c);
  memset(w, 0, sizeof *w);
}

void fmt_ep(int fam, const uint8_t *a, unsigned port, char *buf, size_t n)
{
  char ip[INET6_ADDRSTRLEN];
  inet_ntop(fam, a, ip, sizeof ip);
  if (fam == AF_INET6)
    snprintf(buf, n, "[%s]:%u", ip, port);
  else
    snprintf(buf, n, "%s:%u", ip, port);
}

/* Facts of one connection as its packets show them.  The rules are the
 * analyzer's definitions (client = SYN sender, closer = first FIN, a FIN
 * whose ACK does not cover the peer's earlier FIN makes the close
 * simultaneous, ...) applied to what was captured. */

void wire_derive(const struct wconn *c, struct wfacts *f)
{
  uint32_t isn[2] = {0, 0}, nxt[2] = {0, 0}, lastack[2] = {0, 0}, win[2] = {0, 0};
  int have_nxt[2] = {0, 0}, have_ack[2] = {0, 0}, ws[2] = {-1, -1};
  int syn0, synack = 0, hs = 0, first_fin = -1, simul = 0, reset = 0, rst_by[2] = {0, 0};
  int fin_acked[2] = {0, 0};
  const char *phase = "-";

  memset(f, 0, sizeof *f);
  syn0 = c->n && (c->s[0].flags & (F_SYN | F_ACK | F_RST)) == F_SYN;
  for (size_t i = 0; i < c->n; i++) {
    const struct wseg *g = &c->s[i];
    int d = g->dir;
    uint32_t end;
    if (reset) {
      f->after_reset++;
      f->rst_after_reset += !!(g->flags & F_RST);
      continue;
    }
    if (g->flags & F_SYN) {
      if (!(g->flags & F_ACK) && d == 0) {
        isn[0] = g->seq;
        ws[0] = g->wscale;
      } else if ((g->flags & F_ACK) && d == 1) {
        synack = 1;
        isn[1] = g->seq;
        ws[1] = g->wscale;
      }
    }
    if (g->flags & F_RST) {
      int acc;
      f->rsts[d]++;
      if (!synack) {
        acc = d == 1 && (g->flags & F_ACK) && g->ack == isn[0] + 1;
      } else {
        int rc = 1 - d;
        uint32_t w = win[rc] ? win[rc] : 1;
        acc = (have_nxt[d] && g->seq == nxt[d]) ||
              (have_ack[rc] && seq_ge(g->seq, lastack[rc]) && seq_lt(g->seq, lastack[rc] + w));
      }
      if (acc) {
        reset = 1;
        rst_by[d] = 1;
        phase = !hs ? "handshake" : (f->have_fin[0] || f->have_fin[1]) ? "closing" : "established";
      } else {
        f->rst_ignored++;
      }
      continue;
    }
    if (g->flags & F_ACK) {
      if (synack && d == 0 && seq_ge(g->ack, isn[1] + 1))
        hs = 1;
      lastack[d] = g->ack;
      have_ack[d] = 1;
      win[d] = (g->flags & F_SYN) || ws[0] < 0 || ws[1] < 0 ? g->win : g->win << ws[d];
      if (f->have_fin[1 - d] && seq_ge(g->ack, f->fin_end[1 - d]))
        fin_acked[1 - d] = 1;
    }
    if (g->len)
      f->data[d]++;
    if (g->flags & F_FIN) {
      f->fins[d]++;
      if (!f->have_fin[d]) {
        f->have_fin[d] = 1;
        f->first_fin_idx[d] = i;
        f->fin_end[d] = g->seq + g->len + 1;
        if (first_fin < 0)
          first_fin = d;
        else if (!(g->flags & F_ACK) || !seq_ge(g->ack, f->fin_end[first_fin]))
          simul = 1;
      }
    }
    end = g->seq + g->len + !!(g->flags & F_SYN) + !!(g->flags & F_FIN);
    if (!have_nxt[d] || seq_lt(nxt[d], end)) {
      nxt[d] = end;
      have_nxt[d] = 1;
    }
  }

  /* Both FINs before the first accepted RST: a graceful close with a
   * trailing RST (docs/states.md), not a reset. */
  if (reset && f->have_fin[0] && f->have_fin[1]) {
    f->o.trailing = rst_by[0] ? "client" : "server";
    rst_by[0] = rst_by[1] = 0;
    phase = "-";
  }
  f->o.opened = !syn0 ? "midstream" : synack ? "handshake" : (reset && rst_by[1]) ? "refused" : "syn_only";
  if (reset && !f->o.trailing)
    f->o.close = "reset";
  else if (reset)
    f->o.close = "graceful";
  else if (f->have_fin[0] && f->have_fin[1])
    f->o.close = fin_acked[0] && fin_acked[1] ? "graceful" : "(both FINs, not both acknowledged)";
  else if (f->have_fin[0] || f->have_fin[1])
    f->o.close = "half_closed";
  else
    f->o.close = "open";
  f->o.closer = first_fin < 0 ? "-" : simul ? "both" : first_fin == 0 ? "client" : "server";
  f->o.reset_by = rst_by[0] && rst_by[1] ? "both" : rst_by[0] ? "client" : rst_by[1] ? "server" : "-";
  f->o.reset_phase = phase;
  f->o.cstate = f->o.sstate = "?";
  if (reset) { /* an accepted RST closes both, trailing or not */
    f->o.cstate = f->o.sstate = "CLOSED";
  } else if (!strcmp(f->o.opened, "syn_only")) {
    f->o.cstate = "SYN_SENT";
    f->o.sstate = "CLOSED";
  } else if (!strcmp(f->o.close, "graceful")) {
    f->o.cstate = first_fin == 0 || simul ? "TIME_WAIT" : "CLOSED";
    f->o.sstate = first_fin == 1 || simul ? "TIME_WAIT" : "CLOSED";
  } else if (!strcmp(f->o.close, "half_closed")) {
    const char *fw = fin_acked[first_fin] ? "FIN_WAIT_2" : "FIN_WAIT_1";
    f->o.cstate = first_fin == 0 ? fw : "CLOSE_WAIT";
    f->o.sstate = first_fin == 1 ? fw : "CLOSE_WAIT";
  } else if (!strcmp(f->o.close, "open") && hs) {
    f->o.cstate = f->o.sstate = "ESTABLISHED";
  }
}

static void outcome_fields(const struct outcome *o, const char *v[8])
{
  v[7] = o->trailing ? o->trailing : "-";
  v[0] = o->opened;
  v[1] = o->close;
  v[2] = o->closer;
  v[3] = o->reset_by;
  v[4] = o->reset_phase;
  v[5] = o->cstate;
  v[6] = o->sstate;
}

/* Every declared connection must be on the wire, in order, with the same
 * endpoints and the same verdicts the wire rules give. */
int wire_compare(struct run *r, const struct wire *w)
{
  if (w->undecodable) {
    fail(r, "%zu captured packets are not TCP/IP (filter leak?)", w->undecodable);
    return -1;
  }
  if (w->n != r->nexp) {
    fail(r, "the capture holds %zu connections, the scenario made %zu", w->n, r->nexp);
    return -1;
  }
  for (size_t i = 0; i < w->n; i++) {
    const struct wconn *c = &w->c[i];
    const struct cexp *e = &r->exp[i];
    struct wfacts f;
    char cl[64], sv[64];
    const char *want[8], *got[8];
    static const char *const key[] = {"opened", "close", "closer", "reset_by", "reset_phase", "client_state",
                                      "server_state", "trailing_rst"};
    fmt_ep(c->fam, c->addr[0], c->port[0], cl, sizeof cl);
    fmt_ep(c->fam, c->addr[1], c->port[1], sv, sizeof sv);
    if (strcmp(cl, e->client) || strcmp(sv, e->server)) {
      fail(r, "conn %zu: the wire has %s -> %s, the scenario made %s -> %s", i + 1, cl, sv, e->client, e->server);
      return -1;
    }
    wire_derive(c, &f);
    if (g_verbose && w->n <= 20)
      fprintf(stderr, "  wire conn %zu %s -> %s: %s %s closer=%s reset_by=%s phase=%s %s/%s (%zu pkts)\n", i + 1,
              cl, sv, f.o.opened, f.o.close, f.o.closer, f.o.reset_by, f.o.reset_phase, f.o.cstate, f.o.sstate,
              c->n);
    outcome_fields(&e->o, want);
    outcome_fields(&f.o, got);
    for (int k = 0; k < 8; k++)
      if (strcmp(want[k], got[k])) {
        fail(r, "conn %zu (%s -> %s): %s: the scenario says %s, the wire says %s", i + 1, cl, sv, key[k],
             want[k], got[k]);
        return -1;
      }
    if (f.rst_ignored) {
      fail(r, "conn %zu: %d RST(s) on the wire would not be accepted", i + 1, f.rst_ignored);
      return -1;
    }
    /* Only the kernel's further RSTs may follow the accepted one (each late
     * segment to a socket that is gone gets its own). */
    if (f.after_reset > f.rst_after_reset) {
      fail(r, "conn %zu: %d packet(s) after the RST", i + 1, f.after_reset - f.rst_after_reset);
      return -1;
    }
  }
  return 0;
}

