/* SPDX-License-Identifier: BSD-3-Clause */
/* tc-record internals shared by tools/recorder.c and tools/rec_*.c.
 *
 *   recorder.c  command line, driver (attempts, verification, output), watchdog
 *   rec_sys.c   ip/tc commands, network namespaces, the libpcap capture
 *   rec_wire.c  decoding captured packets into TCP connections, the wire rules
 *   rec_sock.c  bounded socket helpers, declared expectations
 *   rec_scen.c  the scenarios, their wire checks, the scenario table */
#ifndef TC_REC_H
#define TC_REC_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* setns, CLONE_NEWNET, accept4 */
#endif

#include <net/if.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

#define SNAPLEN    262144
#define PCAP_BUFSZ (64 << 20)
#define DRAIN_MS   250  /* capture keeps running this long after a scenario */
#define IO_MS      5000 /* default bound on any single wait */
#define SETTLE_MS  200  /* pause between attempts of one scenario */

#define LO4 "127.0.0.1"
#define LO6 "::1"
/* Inside the private namespaces only (RFC 2544 benchmarking range). */
#define NS_IP_A  "198.18.0.1"
#define NS_IP_B  "198.18.0.2"
#define MAC_A    "02:74:63:72:00:0a"
#define MAC_B    "02:74:63:72:00:0b"
#define MAC_DEAD "02:74:63:72:de:ad" /* nobody has it: frames cross, peer drops */

#define TRY(x) do { if ((x) < 0) return -1; } while (0)

/* ---- globals (rec_sys.c) ---- */
extern int g_orig_ns;                 /* the netns we started in */
extern int g_verbose;
extern volatile sig_atomic_t g_signal;
extern char g_live_ns[2][48];         /* namespaces to remove in an emergency */
extern atomic_int g_ns_live;
extern char g_kernel[128];

/* ---- expectations and the per-attempt context ---- */

/* What tcpclose must say about one connection (docs/expect-format.md). */
struct outcome {
  const char *opened, *close, *closer, *reset_by, *reset_phase, *cstate, *sstate;
  const char *cause; /* why, as the scenario made it happen (diag.h); NULL = none */
  const char *trailing; /* graceful, then an RST from this side ("client"/"server"); NULL = none */
};

struct cexp {
  char client[64], server[64];
  struct outcome o;
  const char *note; /* comment written above the conn line, may be NULL */
};

struct netpair {
  char ns[2][48];
  char dev[2][IFNAMSIZ];
  int created[2];
};

/* ---- capture ---- */
struct pktrec {
  struct pcap_pkthdr h;
  u_char *d;
};

struct capture {
  char ifname[IFNAMSIZ];
  char ns[48];
  char filter[160];
  pthread_t th;
  int started;
  atomic_int state; /* 0 starting, 1 running, -1 failed */
  atomic_int stop;
  char err[PCAP_ERRBUF_SIZE + 160];
  struct pktrec *p;
  size_t n, cap;
  atomic_size_t seen; /* packets taken so far, readable from other threads */
  int oom;
  int dlt;
  unsigned drops, ifdrops;
};

struct run;
struct wire;

struct scenario {
  const char *name;
  int port, port2; /* server port; port2: second (closed) port or 0 */
  int netns;       /* 0 loopback, 1 veth pair, 2 veth pair with tbf delay */
  int tries;       /* attempts for timing-dependent behaviour */
  int limit_s;     /* watchdog limit per attempt */
  int bulk;        /* write "conns N" instead of N conn lines */
  int (*run)(struct run *);
  int (*check)(struct run *, const struct wire *);
  const char *desc;
};

struct run {
  const struct scenario *sc;
  char err[768];
  struct cexp *exp;
  size_t nexp, capexp;
  int fds[256];
  int nfds;
  struct netpair np;
  int have_np;
  struct capture *cap; /* the capture running for this attempt */
  char note[256];      /* facts worth printing (errno seen, waits) */
};

/* ---- wire ---- */
#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_ACK 0x10

struct wseg {
  uint32_t seq, ack, len, win;
  uint8_t flags, dir; /* dir 0: sent by the endpoint of the first packet */
  int16_t wscale;     /* -1: none */
};

struct wconn {
  int fam;
  uint8_t addr[2][16];
  uint16_t port[2];
  struct wseg *s;
  size_t n, cap;
};

struct wire {
  struct wconn *c;
  size_t n, cap;
  size_t undecodable;
};

/* Facts of one connection as its packets show them. */
struct wfacts {
  struct outcome o;
  int fins[2], rsts[2], data[2];
  int rst_ignored, after_reset;
  int rst_after_reset; /* of after_reset: further RSTs (the kernel answering late segments) */
  size_t first_fin_idx[2]; /* index of each side's first FIN segment */
  uint32_t fin_end[2];     /* sequence number just past each side's FIN */
  int have_fin[2];
};

static inline int seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline int seq_ge(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }

/* ---- rec_sys.c ---- */
int64_t now_ns(void);
void msleep(int ms);
const char *errname(int e);
void fail(struct run *r, const char *fmt, ...) PRINTF_LIKE(2, 3);
void note(struct run *r, const char *fmt, ...) PRINTF_LIKE(2, 3);
int cmd(struct run *r, int quiet, ...);
#define CMD(r, quiet, ...) cmd((r), (quiet), __VA_ARGS__, (const char *)NULL)
extern const char *const ns_ip[2];
extern const char *const ns_mac[2];
int ns_enter(struct run *r, const char *ns);
void ns_leave(void);
void sweep_stale_namespaces(void);
int np_setup(struct run *r, int tbf);
int np_neigh(struct run *r, int side, const char *mac);
void np_teardown(struct run *r);
int cap_start(struct run *r, struct capture *c);
void cap_stop(struct run *r, struct capture *c);
void cap_free(struct capture *c);
int cap_wait_for(struct run *r, size_t npkts, int ms);
int cap_write(struct run *r, const struct capture *c, const char *path);

/* ---- rec_wire.c ---- */
int wire_build(struct run *r, const struct capture *cp, struct wire *w);
void wire_free(struct wire *w);
void wire_derive(const struct wconn *c, struct wfacts *f);
int wire_compare(struct run *r, const struct wire *w);
void fmt_ep(int fam, const uint8_t *a, unsigned port, char *buf, size_t n);

/* ---- rec_sock.c ---- */
void sk_track(struct run *r, int fd);
void sk_forget(struct run *r, int fd);
void sk_close(struct run *r, int fd);
void sk_close_all(struct run *r);
int sk_opt(struct run *r, int fd, int level, int name, int val, const char *what);
int sk_new(struct run *r, int side, int fam, int type);
void mk_sa(struct sockaddr_storage *ss, socklen_t *len, int fam, const char *ip, int port);
int sk_bind(struct run *r, int fd, int fam, const char *ip, int port, int reuse);
int sk_listen(struct run *r, int side, int fam, const char *ip, int port);
int sk_connect(int fd, const char *ip, int fam, int port, int ms);
int sk_dial(struct run *r, int side, int fam, const char *ip, int port);
int sk_wait(struct run *r, int fd, short ev, int ms, const char *who);
int sk_accept(struct run *r, int lfd);
int sk_send(struct run *r, int fd, const void *buf, size_t n, const char *who);
int sk_send_str(struct run *r, int fd, const char *s, const char *who);
int sk_recv_exact(struct run *r, int fd, size_t n, const char *who);
int sk_read_to_eof(struct run *r, int fd, int ms, size_t *got, const char *who);
int sk_expect_eof(struct run *r, int fd, const char *who);
int sk_expect_err(struct run *r, int fd, int want1, int want2, int ms, int *got, const char *who);
int sk_linger0(struct run *r, int fd);
int sk_keepalive(struct run *r, int fd, int idle, int intvl, int cnt);
int xchg(struct run *r, int c, int s, int n);
int exp_fd(struct run *r, int cfd, const struct outcome *o, const char *why);
int exp_bound(struct run *r, int cfd, int fam, const char *srv, int port, const struct outcome *o, const char *why);

/* ---- rec_scen.c ---- */
extern const struct scenario scenarios[];
extern const size_t n_scenarios;

#endif
