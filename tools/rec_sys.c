/* SPDX-License-Identifier: BSD-3-Clause */
/* tc-record: ip/tc commands, network namespaces, the libpcap capture. */
#include "rec.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* globals                                                              */

int g_orig_ns = -1;               /* the netns we started in */
int g_verbose;
volatile sig_atomic_t g_signal;
char g_live_ns[2][48];            /* namespaces to remove in an emergency */
atomic_int g_ns_live;
static unsigned g_ns_seq;
char g_kernel[128];

int64_t now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void msleep(int ms)
{
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) == -1 && errno == EINTR && !g_signal)
    ;
}

const char *errname(int e)
{
  switch (e) {
  case 0: return "success";
  case ECONNRESET: return "ECONNRESET";
  case ECONNREFUSED: return "ECONNREFUSED";
  case EPIPE: return "EPIPE";
  case ETIMEDOUT: return "ETIMEDOUT";
  case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
  case EADDRINUSE: return "EADDRINUSE";
  case EAGAIN: return "EAGAIN";
  case EINPROGRESS: return "EINPROGRESS";
  case EINTR: return "EINTR";
  case ENOTCONN: return "ENOTCONN";
  case EHOSTUNREACH: return "EHOSTUNREACH";
  case ENETUNREACH: return "ENETUNREACH";
  default: return strerror(e);
  }
}

void fail(struct run *r, const char *fmt, ...)
{
  va_list ap;
  if (r->err[0])
    return; /* the first failure is the one that matters */
  va_start(ap, fmt);
  vsnprintf(r->err, sizeof r->err, fmt, ap);
  va_end(ap);
}

void note(struct run *r, const char *fmt, ...)
{
  va_list ap;
  size_t n = strlen(r->note);
  if (n + 3 >= sizeof r->note)
    return;
  if (n)
    r->note[n++] = ';', r->note[n++] = ' ', r->note[n] = 0;
  va_start(ap, fmt);
  vsnprintf(r->note + n, sizeof r->note - n, fmt, ap);
  va_end(ap);
}


/* ------------------------------------------------------------------ */
/* external commands (ip, tc): fork + exec, no shell                    */

int cmd(struct run *r, int quiet, ...)
{
  char *argv[32];
  char line[512] = "";
  int n = 0, st = 0, rc = 0;
  const char *a;
  va_list ap;
  pid_t pid;

  va_start(ap, quiet);
  while ((a = va_arg(ap, const char *)) != NULL && n < 31) {
    argv[n++] = strdup(a);
    if (strlen(line) + strlen(a) + 2 < sizeof line) {
      if (line[0])
        strcat(line, " ");
      strcat(line, a);
    }
  }
  va_end(ap);
  argv[n] = NULL;
  for (int i = 0; i < n; i++)
    if (!argv[i]) {
      rc = -1;
      goto out;
    }
  if (g_verbose > 1)
    fprintf(stderr, "  + %s\n", line);
  pid = fork();
  if (pid < 0) {
    rc = -1;
    goto out;
  }
  if (pid == 0) {
    int dn = open("/dev/null", O_RDWR);
    if (dn >= 0) {
      dup2(dn, 0);
      if (quiet)
        dup2(dn, 2);
    }
    dup2(2, 1);
    execvp(argv[0], argv);
    _exit(127);
  }
  while (waitpid(pid, &st, 0) < 0) {
    if (errno != EINTR) {
      rc = -1;
      goto out;
    }
  }
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
    rc = -1;
out:
  if (rc < 0 && r)
    fail(r, "command failed: %s", line);
  for (int i = 0; i < n; i++)
    free(argv[i]);
  return rc;
}

/* ------------------------------------------------------------------ */
/* network namespaces: A (client side, captured) and B (server side)   */

const char *const ns_ip[2] = {NS_IP_A, NS_IP_B};
const char *const ns_mac[2] = {MAC_A, MAC_B};

int ns_enter(struct run *r, const char *ns)
{
  char path[128];
  int fd, rc;
  snprintf(path, sizeof path, "/run/netns/%s", ns);
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    fail(r, "open %s: %s", path, strerror(errno));
    return -1;
  }
  rc = setns(fd, CLONE_NEWNET);
  close(fd);
  if (rc < 0) {
    fail(r, "setns %s: %s", ns, strerror(errno));
    return -1;
  }
  return 0;
}

void ns_leave(void)
{
  if (setns(g_orig_ns, CLONE_NEWNET) < 0) {
    /* Everything after this would run in the wrong namespace. */
    fprintf(stderr, "tc-record: cannot return to the original network namespace: %s\n", strerror(errno));
    _exit(3);
  }
}

/* Namespaces left behind by a recorder that died (SIGKILL) carry its pid. */
void sweep_stale_namespaces(void)
{
  DIR *d = opendir("/run/netns");
  struct dirent *e;
  if (!d)
    return;
  while ((e = readdir(d)) != NULL) {
    char *end;
    long pid;
    if (strncmp(e->d_name, "tcrec-", 6) != 0)
      continue;
    pid = strtol(e->d_name + 6, &end, 10);
    if (*end != '-' || pid <= 0 || pid == (long)getpid())
      continue;
    if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
      continue;
    fprintf(stderr, "tc-record: removing stale namespace %s (recorder pid %ld is gone)\n", e->d_name, pid);
    CMD(NULL, 0, "ip", "netns", "del", e->d_name);
  }
  closedir(d);
}

/* Two namespaces joined by a veth pair, static neighbour entries (no ARP
 * on the wire), optional tbf qdisc on both ends for delay. */
int np_setup(struct run *r, int tbf)
{
  struct netpair *np = &r->np;
  int pid = (int)getpid();
  unsigned seq = ++g_ns_seq % 1000;

  memset(np, 0, sizeof *np);
  for (int i = 0; i < 2; i++) {
    snprintf(np->ns[i], sizeof np->ns[i], "tcrec-%d-%u-%c", pid, seq, 'a' + i);
    snprintf(np->dev[i], sizeof np->dev[i], "tc%dx%u%c", pid % 10000000, seq, 'a' + i);
    memcpy(g_live_ns[i], np->ns[i], sizeof g_live_ns[i]);
  }
  r->have_np = 1;
  atomic_store(&g_ns_live, 1);
  for (int i = 0; i < 2; i++) {
    TRY(CMD(r, 0, "ip", "netns", "add", np->ns[i]));
    np->created[i] = 1;
  }
  TRY(CMD(r, 0, "ip", "link", "add", np->dev[0], "netns", np->ns[0], "address", MAC_A, "type", "veth",
          "peer", "name", np->dev[1], "netns", np->ns[1], "address", MAC_B));
  for (int i = 0; i < 2; i++) {
    char cidr[32];
    snprintf(cidr, sizeof cidr, "%s/24", ns_ip[i]);
    TRY(CMD(r, 0, "ip", "-n", np->ns[i], "addr", "add", cidr, "dev", np->dev[i]));
    TRY(CMD(r, 0, "ip", "-n", np->ns[i], "link", "set", "lo", "up"));
    TRY(CMD(r, 0, "ip", "-n", np->ns[i], "link", "set", np->dev[i], "up"));
    TRY(CMD(r, 0, "ip", "-n", np->ns[i], "neigh", "replace", ns_ip[1 - i], "lladdr", ns_mac[1 - i], "dev",
            np->dev[i], "nud", "permanent"));
    if (tbf)
      TRY(CMD(r, 0, "tc", "-n", np->ns[i], "qdisc", "add", "dev", np->dev[i], "root", "tbf", "rate",
              "100kbit", "burst", "1600", "latency", "1s"));
  }
  return 0;
}

/* Namespace `side` sends frames for the peer to `mac` (MAC_DEAD: they are
 * put on the wire, captured on side A, and dropped by the peer). */
int np_neigh(struct run *r, int side, const char *mac)
{
  return CMD(r, 0, "ip", "-n", r->np.ns[side], "neigh", "replace", ns_ip[1 - side], "lladdr", mac, "dev",
             r->np.dev[side], "nud", "permanent");
}

/* Deleting a namespace removes its veth end, qdisc, neighbours and routes. */
void np_teardown(struct run *r)
{
  for (int i = 0; i < 2; i++) {
    if (!r->np.created[i])
      continue;
    if (CMD(NULL, 0, "ip", "netns", "del", r->np.ns[i]) < 0)
      fail(r, "cleanup: could not delete namespace %s", r->np.ns[i]);
    r->np.created[i] = 0;
  }
  atomic_store(&g_ns_live, 0);
  r->have_np = 0;
}

/* ------------------------------------------------------------------ */
/* capture                                                              */

static void cap_cb(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
  struct capture *c = (struct capture *)(void *)user;
  if (c->n == c->cap) {
    size_t nc = c->cap ? c->cap * 2 : 1024;
    struct pktrec *np = realloc(c->p, nc * sizeof *np);
    if (!np) {
      c->oom = 1;
      return;
    }
    c->p = np;
    c->cap = nc;
  }
  c->p[c->n].h = *h;
  c->p[c->n].d = malloc(h->caplen ? h->caplen : 1);
  if (!c->p[c->n].d) {
    c->oom = 1;
    return;
  }
  memcpy(c->p[c->n].d, bytes, h->caplen);
  c->n++;
  atomic_store(&c->seen, c->n);
}

static void *cap_main(void *arg)
{
  struct capture *c = arg;
  char eb[PCAP_ERRBUF_SIZE] = "";
  struct bpf_program prog;
  struct pcap_stat st;
  pcap_t *p;
  int rc, fd;

  if (c->ns[0]) {
    /* The handle must be opened inside the namespace: this thread only. */
    char path[128];
    snprintf(path, sizeof path, "/run/netns/%s", c->ns);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
      snprintf(c->err, sizeof c->err, "capture: enter %s: %s", c->ns, strerror(errno));
      if (fd >= 0)
        close(fd);
      atomic_store(&c->state, -1);
      return NULL;
    }
    close(fd);
  }
  p = pcap_create(c->ifname, eb);
  if (!p) {
    snprintf(c->err, sizeof c->err, "pcap_create %s: %s", c->ifname, eb);
    atomic_store(&c->state, -1);
    return NULL;
  }
  if (pcap_set_snaplen(p, SNAPLEN) || pcap_set_promisc(p, 0) || pcap_set_immediate_mode(p, 1) ||
      pcap_set_buffer_size(p, PCAP_BUFSZ) || pcap_set_timeout(p, 10) ||
      pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO)) {
    snprintf(c->err, sizeof c->err, "pcap option on %s: %s", c->ifname, pcap_geterr(p));
    goto failed;
  }
  rc = pcap_activate(p);
  if (rc < 0) {
    snprintf(c->err, sizeof c->err, "pcap_activate %s: %s (%s)", c->ifname, pcap_statustostr(rc), pcap_geterr(p));
    goto failed;
  }
  if (rc > 0)
    fprintf(stderr, "tc-record: pcap_activate %s: warning: %s\n", c->ifname, pcap_statustostr(rc));
  if (pcap_get_tstamp_precision(p) != PCAP_TSTAMP_PRECISION_NANO) {
    snprintf(c->err, sizeof c->err, "%s: nanosecond timestamps not available", c->ifname);
    goto failed;
  }
  if (pcap_compile(p, &prog, c->filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
    snprintf(c->err, sizeof c->err, "pcap_compile '%s': %s", c->filter, pcap_geterr(p));
    goto failed;
  }
  rc = pcap_setfilter(p, &prog);
  pcap_freecode(&prog);
  if (rc < 0 || pcap_setnonblock(p, 1, eb) < 0) {
    snprintf(c->err, sizeof c->err, "pcap filter/nonblock: %s", pcap_geterr(p));
    goto failed;
  }
  fd = pcap_get_selectable_fd(p);
  c->dlt = pcap_datalink(p);
  atomic_store(&c->state, 1);
  for (;;) {
    struct pollfd pf = {fd, POLLIN, 0};
    if (atomic_load(&c->stop)) {
      while (pcap_dispatch(p, -1, cap_cb, (u_char *)(void *)c) > 0)
        ;
      break;
    }
    poll(&pf, 1, 20);
    if (pcap_dispatch(p, -1, cap_cb, (u_char *)(void *)c) < 0) {
      snprintf(c->err, sizeof c->err, "pcap_dispatch: %s", pcap_geterr(p));
      break;
    }
  }
  if (pcap_stats(p, &st) == 0) {
    c->drops = st.ps_drop;
    c->ifdrops = st.ps_ifdrop;
  }
  pcap_close(p);
  return NULL;
failed:
  pcap_close(p);
  atomic_store(&c->state, -1);
  return NULL;
}

int cap_start(struct run *r, struct capture *c)
{
  int64_t end = now_ns() + 5000000000LL;
  if (pthread_create(&c->th, NULL, cap_main, c) != 0) {
    fail(r, "capture thread: %s", strerror(errno));
    return -1;
  }
  c->started = 1;
  while (atomic_load(&c->state) == 0) {
    if (now_ns() > end) {
      fail(r, "capture on %s did not start within 5 s", c->ifname);
      return -1;
    }
    msleep(1);
  }
  if (atomic_load(&c->state) < 0) {
    fail(r, "%s", c->err);
    return -1;
  }
  return 0;
}

/* Flow control for bulk scenarios: the ring holds only so many frames
 * (snaplen 262144 makes each one large), so wait until the capture thread
 * has taken at least npkts packets. */
int cap_wait_for(struct run *r, size_t npkts, int ms)
{
  int64_t end = now_ns() + (int64_t)ms * 1000000;
  while (atomic_load(&r->cap->seen) < npkts) {
    if (now_ns() > end || atomic_load(&r->cap->state) < 0) {
      fail(r, "the capture saw %zu packets, expected at least %zu", atomic_load(&r->cap->seen), npkts);
      return -1;
    }
    msleep(1);
  }
  return 0;
}

void cap_stop(struct run *r, struct capture *c)
{
  if (!c->started)
    return;
  atomic_store(&c->stop, 1);
  pthread_join(c->th, NULL);
  c->started = 0;
  if (c->err[0])
    fail(r, "%s", c->err);
  if (c->oom)
    fail(r, "capture: out of memory");
  if (c->drops || c->ifdrops)
    fail(r, "capture lost packets (%u dropped by the kernel, %u by the interface)", c->drops, c->ifdrops);
}

void cap_free(struct capture *c)
{
  for (size_t i = 0; i < c->n; i++)
    free(c->p[i].d);
  free(c->p);
  c->p = NULL;
  c->n = c->cap = 0;
}

int cap_write(struct run *r, const struct capture *c, const char *path)
{
  char tmp[4200];
  pcap_t *dead;
  pcap_dumper_t *dp;
  int rc = 0;

  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  dead = pcap_open_dead_with_tstamp_precision(c->dlt, SNAPLEN, PCAP_TSTAMP_PRECISION_NANO);
  if (!dead) {
    fail(r, "pcap_open_dead failed");
    return -1;
  }
  dp = pcap_dump_open(dead, tmp);
  if (!dp) {
    fail(r, "%s: %s", tmp, pcap_geterr(dead));
    pcap_close(dead);
    return -1;
  }
  for (size_t i = 0; i < c->n; i++)
    pcap_dump((u_char *)(void *)dp, &c->p[i].h, c->p[i].d);
  if (pcap_dump_flush(dp) < 0)
    rc = -1;
  pcap_dump_close(dp);
  pcap_close(dead);
  if (rc == 0 && rename(tmp, path) < 0)
    rc = -1;
  if (rc < 0) {
    fail(r, "writing %s: %s", path, strerror(errno));
    unlink(tmp);
  }
  return rc;
}

