/* SPDX-License-Identifier: BSD-3-Clause */
/* tc-record: record tcpclose's test captures from real kernel TCP sockets.
 *
 *   tc-record --list
 *   tc-record --out DIR --all
 *   tc-record --out DIR NAME...
 *
 * For every scenario: start a libpcap capture (immediate mode, nanosecond
 * timestamps, BPF filter on the scenario's server port(s)), drive real
 * sockets through the scenario, drain, then check the captured packets
 * against what the scenario did before writing DIR/NAME.pcap and
 * DIR/NAME.expect (docs/expect-format.md).  The expectations come from the
 * socket calls the scenario made and the addresses getsockname/getpeername
 * report; the wire check only decides whether the kernel did what the
 * scenario needs.  If it did not, the scenario fails loudly (retried a
 * bounded number of times when the behaviour is timing-dependent) and no
 * file is written.
 *
 * Loopback scenarios run on lo (127.0.0.1 / ::1).  The others build a
 * private pair of network namespaces joined by a veth pair, capture inside
 * namespace A, and delete everything afterwards, on failure too.  A watchdog
 * thread bounds every attempt; SIGINT/SIGTERM remove the namespaces. */
#include "rec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static atomic_llong g_deadline; /* CLOCK_MONOTONIC ns, 0 = none */
static char g_cur_name[64];     /* scenario under the watchdog */

/* ------------------------------------------------------------------ */
/* watchdog and signals                                                 */

static void emergency_exit(const char *why, int code)
{
  fprintf(stderr, "tc-record: %s: %s; cleaning up and exiting\n", g_cur_name[0] ? g_cur_name : "-", why);
  if (atomic_load(&g_ns_live))
    for (int i = 0; i < 2; i++)
      if (g_live_ns[i][0])
        CMD(NULL, 1, "ip", "netns", "del", g_live_ns[i]);
  _exit(code);
}

static void *watchdog_main(void *arg)
{
  (void)arg;
  for (;;) {
    long long dl;
    msleep(100);
    if (g_signal)
      emergency_exit("interrupted", 130);
    dl = atomic_load(&g_deadline);
    if (dl && now_ns() > dl)
      emergency_exit("watchdog: scenario exceeded its time limit", 3);
  }
  return NULL;
}

static void on_signal(int sig)
{
  g_signal = sig;
}

/* ------------------------------------------------------------------ */
/* driver                                                               */

static int write_expect(struct run *r, const char *path, size_t npkts)
{
  char tmp[4200];
  size_t g = 0, h = 0, rs = 0, op = 0, rf = 0;
  FILE *f;
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  f = fopen(tmp, "w");
  if (!f) {
    fail(r, "%s: %s", tmp, strerror(errno));
    return -1;
  }
  fprintf(f, "# %s: %s\n", r->sc->name, r->sc->desc);
  fprintf(f, "# Recorded by tc-record (tools/recorder.c) from real kernel sockets on Linux %s.\n", g_kernel);
  fprintf(f, "# Written from what the scenario did (see captures/README.md), checked against the wire.\n");
  for (size_t i = 0; i < r->nexp; i++) {
    const struct cexp *e = &r->exp[i];
    g += !strcmp(e->o.close, "graceful");
    h += !strcmp(e->o.close, "half_closed");
    rs += !strcmp(e->o.close, "reset");
    op += !strcmp(e->o.close, "open");
    rf += !strcmp(e->o.opened, "refused");
    if (r->sc->bulk)
      continue;
    if (e->note)
      fprintf(f, "# %zu: %s\n", i + 1, e->note);
    fprintf(f,
            "conn client=%s server=%s opened=%s close=%s closer=%s reset_by=%s reset_phase=%s client_state=%s "
            "server_state=%s cause=%s%s%s\n",
            e->client, e->server, e->o.opened, e->o.close, e->o.closer, e->o.reset_by, e->o.reset_phase, e->o.cstate,
            e->o.sstate, e->o.cause ? e->o.cause : "-", e->o.trailing ? " trailing_rst=" : "",
            e->o.trailing ? e->o.trailing : "");
  }
  if (r->sc->bulk)
    fprintf(f, "conns %zu\n", r->nexp);
  fprintf(f, "summary connections=%zu graceful=%zu half_closed=%zu reset=%zu open=%zu refused=%zu packets=%zu "
             "tcp_packets=%zu\n",
          r->nexp, g, h, rs, op, rf, npkts, npkts);
  if (fclose(f) != 0 || rename(tmp, path) < 0) {
    fail(r, "writing %s: %s", path, strerror(errno));
    unlink(tmp);
    return -1;
  }
  return 0;
}

static void run_free(struct run *r)
{
  free(r->exp);
  r->exp = NULL;
  r->nexp = r->capexp = 0;
}

static int run_scenario(const struct scenario *sc, const char *outdir)
{
  for (int attempt = 1; attempt <= sc->tries; attempt++) {
    struct run r;
    struct capture cap;
    struct wire w;
    int64_t t0 = now_ns();

    memset(&r, 0, sizeof r);
    memset(&cap, 0, sizeof cap);
    memset(&w, 0, sizeof w);
    r.sc = sc;
    r.cap = &cap;
    snprintf(g_cur_name, sizeof g_cur_name, "%s", sc->name);
    atomic_store(&g_deadline, (long long)(t0 + (int64_t)sc->limit_s * 1000000000LL));

    if (sc->netns)
      np_setup(&r, sc->netns == 2);
    if (!r.err[0]) {
      snprintf(cap.ifname, sizeof cap.ifname, "%s", sc->netns ? r.np.dev[0] : "lo");
      if (sc->netns)
        snprintf(cap.ns, sizeof cap.ns, "%s", r.np.ns[0]);
      if (sc->port2)
        snprintf(cap.filter, sizeof cap.filter, "tcp port %d or tcp port %d", sc->port, sc->port2);
      else
        snprintf(cap.filter, sizeof cap.filter, "tcp port %d", sc->port);
      cap_start(&r, &cap);
    }
    if (!r.err[0] && sc->run(&r) == 0 && !r.err[0])
      msleep(DRAIN_MS);
    cap_stop(&r, &cap);
    /* After the capture: whatever the scenario left open (the CLOSE_WAIT
     * leak, listeners), then the namespaces. */
    sk_close_all(&r);
    if (r.have_np)
      np_teardown(&r);
    atomic_store(&g_deadline, 0);

    if (!r.err[0] && wire_build(&r, &cap, &w) == 0 && wire_compare(&r, &w) == 0 && sc->check)
      sc->check(&r, &w);
    if (!r.err[0]) {
      char pp[4096], ep[4096];
      snprintf(pp, sizeof pp, "%s/%s.pcap", outdir, sc->name);
      snprintf(ep, sizeof ep, "%s/%s.expect", outdir, sc->name);
      if (cap_write(&r, &cap, pp) == 0)
        write_expect(&r, ep, cap.n);
    }
    wire_free(&w);
    if (!r.err[0]) {
      fprintf(stderr, "tc-record: %-20s ok   %5zu packets %5zu conns %6.2f s (attempt %d)\n", sc->name, cap.n,
              r.nexp, (double)(now_ns() - t0) / 1e9, attempt);
      if (r.note[0])
        fprintf(stderr, "             %s\n", r.note);
      cap_free(&cap);
      run_free(&r);
      return 0;
    }
    fprintf(stderr, "tc-record: %s: attempt %d/%d FAILED: %s\n", sc->name, attempt, sc->tries, r.err);
    cap_free(&cap);
    run_free(&r);
    msleep(SETTLE_MS);
  }
  fprintf(stderr, "tc-record: %s: FAILED, nothing written\n", sc->name);
  return -1;
}

/* The fixed ports must stay out of the ephemeral range: a client socket
 * anywhere on the box (many_short's 2000 TIME_WAITs included) could hold
 * one and make the listener's bind fail. */
static void warn_port_range(void)
{
  FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
  int lo, hi, pmin = 65535, pmax = 0;
  if (!f)
    return;
  if (fscanf(f, "%d %d", &lo, &hi) == 2) {
    for (size_t i = 0; i < n_scenarios; i++) {
      int top = scenarios[i].port + 100; /* time_wait_reuse's client port */
      if (scenarios[i].port < pmin)
        pmin = scenarios[i].port;
      if (top > pmax)
        pmax = top;
    }
    if (lo <= pmax && hi >= pmin)
      fprintf(stderr,
              "tc-record: warning: net.ipv4.ip_local_port_range %d-%d overlaps the recorder's ports %d-%d; "
              "an ephemeral port can block a scenario's bind\n",
              lo, hi, pmin, pmax);
  }
  fclose(f);
}

static void usage(FILE *f)
{
  fprintf(f, "usage: tc-record --list\n"
             "       tc-record --out DIR --all\n"
             "       tc-record --out DIR NAME...\n"
             "options: -v (verbose: wire verdicts), -vv (also the ip/tc commands)\n"
             "Records real-socket TCP captures and their .expect files. Needs root.\n");
}

int main(int argc, char **argv)
{
  const char *outdir = NULL;
  int all = 0, list = 0, nnames = 0, failed = 0;
  const char *names[64];
  struct sigaction sa;
  struct utsname un;
  pthread_t wd;

  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--list"))
      list = 1;
    else if (!strcmp(argv[i], "--all"))
      all = 1;
    else if (!strcmp(argv[i], "--out") && i + 1 < argc)
      outdir = argv[++i];
    else if (!strcmp(argv[i], "-v"))
      g_verbose = 1;
    else if (!strcmp(argv[i], "-vv"))
      g_verbose = 2;
    else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
      usage(stdout);
      return 0;
    } else if (argv[i][0] == '-') {
      fprintf(stderr, "tc-record: unknown option %s\n", argv[i]);
      usage(stderr);
      return 2;
    } else if (nnames < 64) {
      names[nnames++] = argv[i];
    }
  }
  if (list) {
    for (size_t i = 0; i < n_scenarios; i++) {
      char ports[16];
      if (scenarios[i].port2)
        snprintf(ports, sizeof ports, "%d,%d", scenarios[i].port, scenarios[i].port2);
      else
        snprintf(ports, sizeof ports, "%d", scenarios[i].port);
      printf("%-20s %-12s %-9s %s\n", scenarios[i].name, ports, scenarios[i].netns ? "netns" : "loopback",
             scenarios[i].desc);
    }
    return 0;
  }
  if (!outdir || (all == (nnames > 0))) {
    usage(stderr);
    return 2;
  }
  for (int k = 0; k < nnames; k++) {
    size_t i;
    for (i = 0; i < n_scenarios; i++)
      if (!strcmp(names[k], scenarios[i].name))
        break;
    if (i == n_scenarios) {
      fprintf(stderr, "tc-record: unknown scenario '%s' (see --list)\n", names[k]);
      return 2;
    }
  }
  if (geteuid() != 0) {
    fprintf(stderr, "tc-record: must run as root (packet capture, network namespaces)\n");
    return 2;
  }
  if (mkdir(outdir, 0755) < 0 && errno != EEXIST) {
    fprintf(stderr, "tc-record: %s: %s\n", outdir, strerror(errno));
    return 2;
  }
  g_orig_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (g_orig_ns < 0) {
    fprintf(stderr, "tc-record: /proc/self/ns/net: %s\n", strerror(errno));
    return 2;
  }
  snprintf(g_kernel, sizeof g_kernel, "%s", uname(&un) == 0 ? un.release : "?");
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  if (pthread_create(&wd, NULL, watchdog_main, NULL) != 0) {
    fprintf(stderr, "tc-record: cannot start the watchdog\n");
    return 2;
  }
  pthread_detach(wd);
  sweep_stale_namespaces();
  warn_port_range();

  {
    int64_t t0 = now_ns();
    int ran = 0;
    for (size_t i = 0; i < n_scenarios; i++) {
      int want = all;
      for (int k = 0; k < nnames && !want; k++)
        want = !strcmp(names[k], scenarios[i].name);
      if (!want)
        continue;
      ran++;
      if (run_scenario(&scenarios[i], outdir) < 0)
        failed++;
      g_cur_name[0] = 0;
    }
    fprintf(stderr, "tc-record: %d scenario(s), %d failed, %.1f s\n", ran, failed, (double)(now_ns() - t0) / 1e9);
  }
  return failed ? 1 : 0;
}

