/* SPDX-License-Identifier: BSD-3-Clause */
/* tc-record: the scenarios.  Each drives real sockets, declares what
 * tcpclose must say about every connection it made, and may add a check of
 * the captured packets for the detail it exists to show. */
#include "rec.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* The verdicts, by what the scenario did. */
static const struct outcome O_CLIENT_CLOSE = {"handshake", "graceful", "client", "-", "-", "TIME_WAIT", "CLOSED", NULL, NULL};
static const struct outcome O_SERVER_CLOSE = {"handshake", "graceful", "server", "-", "-", "CLOSED", "TIME_WAIT", NULL, NULL};
static const struct outcome O_SIMULTANEOUS = {"handshake", "graceful", "both", "-", "-", "TIME_WAIT", "TIME_WAIT", NULL, NULL};
static const struct outcome O_ABORT_CLIENT = {"handshake", "reset", "-", "client", "established", "CLOSED", "CLOSED",
                                             "abortive_close", NULL};
static const struct outcome O_ABORT_SERVER = {"handshake", "reset", "-", "server", "established", "CLOSED", "CLOSED",
                                             "abortive_close", NULL};
static const struct outcome O_KA_TIMEOUT = {"handshake", "reset", "-", "client", "established", "CLOSED", "CLOSED",
                                           "keepalive_timeout", NULL};
static const struct outcome O_WRITE_AFTER_CLOSE = {"handshake", "reset", "server", "server", "closing", "CLOSED",
                                                  "CLOSED", "data_after_close", NULL};
static const struct outcome O_REFUSED = {"refused", "reset", "-", "server", "handshake", "CLOSED", "CLOSED", "refused", NULL};
static const struct outcome O_HALF_CLIENT = {"handshake", "half_closed", "client", "-", "-", "FIN_WAIT_2", "CLOSE_WAIT", NULL, NULL};
static const struct outcome O_NO_CONNECTION = {"handshake", "reset", "-", "server", "established", "CLOSED", "CLOSED",
                                              "no_connection", NULL};
static const struct outcome O_DEAD_PEER = {"handshake", "open", "-", "-", "-", "ESTABLISHED", "ESTABLISHED",
                                          "dead_peer", NULL};
static const struct outcome O_TRAILING_CLIENT = {"handshake", "graceful", "client", "-", "-", "CLOSED", "CLOSED",
                                                "data_after_close", "client"};
static const struct outcome O_FIN_THEN_ABORT = {"handshake", "reset", "server", "server", "closing", "CLOSED",
                                               "CLOSED", "abortive_close", NULL};
static const struct outcome O_HANDSHAKE_ABANDONED = {"handshake", "reset", "-", "client", "handshake", "CLOSED",
                                                    "CLOSED", "handshake_abort", NULL};
static const struct outcome O_DEAD_PEER_ABORT = {"handshake", "reset", "-", "client", "established", "CLOSED",
                                                "CLOSED", "dead_peer", NULL};
static const struct outcome O_SYN_ONLY = {"syn_only", "open", "-", "-", "-", "SYN_SENT", "CLOSED", NULL, NULL};


/* ------------------------------------------------------------------ */
/* scenarios                                                            */


#define PORT (r->sc->port)

/* client_close / ipv6_graceful */
static int client_close_on(struct run *r, int fam, const char *ip)
{
  int l, c, s;
  TRY(l = sk_listen(r, -1, fam, ip, PORT));
  TRY(c = sk_dial(r, -1, fam, ip, PORT));
  TRY(s = sk_accept(r, l));
  TRY(exp_fd(r, c, &O_CLIENT_CLOSE, NULL));
  TRY(xchg(r, c, s, 1));
  sk_close(r, c);
  TRY(sk_expect_eof(r, s, "server"));
  msleep(250); /* let the server's delayed ACK of the FIN go out alone */
  sk_close(r, s);
  return 0;
}

static int sc_client_close(struct run *r) { return client_close_on(r, AF_INET, LO4); }
static int sc_ipv6_graceful(struct run *r) { return client_close_on(r, AF_INET6, LO6); }

static int sc_server_close(struct run *r)
{
  int l, c, s;
  TRY(l = sk_listen(r, -1, AF_INET, LO4, PORT));
  TRY(c = sk_dial(r, -1, AF_INET, LO4, PORT));
  TRY(s = sk_accept(r, l));
  TRY(exp_fd(r, c, &O_SERVER_CLOSE, NULL));
  TRY(xchg(r, c, s, 1));
  sk_close(r, s);
  TRY(sk_expect_eof(r, c, "client"));
  msleep(250);
  sk_close(r, c);
  return 0;
}

static int sc_half_close(struct run *r)
{
  int l, c, s;
  size_t got;
  char chunk[1000];
  TRY(l = sk_listen(r, -1, AF_INET, LO4, PORT));
  TRY(c = sk_dial(r, -1, AF_INET, LO4, PORT));
  TRY(s = sk_accept(r, l));
  TRY(exp_fd(r, c, &O_CLIENT_CLOSE, NULL));
  TRY(sk_opt(r, s, IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY"));
  TRY(sk_send_str(r, c, "GET /report HTTP/1.0\r\n\r\n", "client"));
  if (shutdown(c, SHUT_WR) < 0) {
    fail(r, "shutdown(SHUT_WR): %s", strerror(errno));
    return -1;
  }
  TRY(sk_recv_exact(r, s, strlen("GET /report HTTP/1.0\r\n\r\n"), "server"));
  TRY(sk_expect_eof(r, s, "server"));
  memset(chunk, 'r', sizeof chunk);
  for (int i = 0; i < 5; i++) {
    TRY(sk_send(r, s, chunk, sizeof chunk, "server"));
    msleep(20);
  }
  sk_close(r, s);
  TRY(sk_read_to_eof(r, c, IO_MS, &got, "client"));
  if (got != 5 * sizeof chunk) {
    fail(r, "client read %zu bytes after its shutdown, expected %zu", got, 5 * sizeof chunk);
    return -1;
  }
  sk_close(r, c);
  return 0;
}

/* linger_abort_client / ipv6_reset */
static int linger_client_on(struct run *r, int fam, const char *ip)
{
  int l, c, s, e = 0;
  TRY(l = sk_listen(r, -1, fam, ip, PORT));
  TRY(c = sk_dial(r, -1, fam, ip, PORT));
  TRY(s = sk_accept(r, l));
  TRY(exp_fd(r, c, &O_ABORT_CLIENT, NULL));
  TRY(xchg(r, c, s, 1));
  TRY(sk_linger0(r, c));
  sk_close(r, c);
  TRY(sk_expect_err(r, s, ECONNRESET, 0, IO_MS, &e, "server after the client's abortive close"));
  sk_close(r, s);
  return 0;
}

static int sc_linger_abort_client(struct run *r) { return linger_client_on(r, AF_INET, LO4); }
static int sc_ipv6_reset(struct run *r) { return linger_client_on(r, AF_INET6, LO6); }

static int sc_linger_abort_server(struct run *r)
{
  int l, c, s, fl, unsent = 0, queued = 0, e = 0;
  char chunk[1024];
  size_t sent = 0;
  TRY(l = sk_listen(r, -1, AF_INET, LO4, PORT));
  TRY(c = sk_new(r, -1, AF_INET, SOCK_STREAM));
  TRY(sk_opt(r, c, SOL_SOCKET, SO_RCVBUF, 4096, "SO_RCVBUF")); /* small window, set before the SYN */
  e = sk_connect(c, LO4, AF_INET, PORT, IO_MS);
  if (e) {
    fail(r, "connect: %s", errname(e));
    return -1;
  }
  TRY(s = sk_accept(r, l));
  TRY(exp_fd(r, c, &O_ABORT_SERVER, NULL));
  TRY(xchg(r, c, s, 1));
  TRY(sk_opt(r, s, SOL_SOCKET, SO_SNDBUF, 4096, "SO_SNDBUF"));
  fl = fcntl(s, F_GETFL);
  fcntl(s, F_SETFL, fl | O_NONBLOCK);
  memset(chunk, 'd', sizeof chunk);
  /* The client never reads: write until the window is shut and the send
   * buffer stays full for 300 ms. */
  for (int round = 0; round < 50; round++) {
    struct pollfd pf = {s, POLLOUT, 0};
    for (;;) {
      ssize_t k = send(s, chunk, sizeof chunk, MSG_NOSIGNAL);
      if (k > 0) {
        sent += (size_t)k;
        continue;
      }
      if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        break;
      fail(r, "server send: %s", k < 0 ? errname(errno) : "0");
      return -1;
    }
    if (poll(&pf, 1, 300) == 0)
      break;
  }
  if (ioctl(s, SIOCOUTQNSD, &unsent) < 0 || ioctl(s, SIOCOUTQ, &queued) < 0) {
    fail(r, "SIOCOUTQ: %s", strerror(errno));
    return -1;
  }
  if (unsent <= 0) {
    fail(r, "the server has no unsent data queued (sent %zu, queued %d)", sent, queued);
    return -1;
  }
  note(r, "server wrote %zu bytes, %d still queued (%d never sent) when it aborted", sent, queued, unsent);
  TRY(sk_linger0(r, s));
  sk_close(r, s);
  TRY(sk_expect_err(r, c, ECONNRESET, 0, IO_MS, &e, "client after the server's abortive close"));
  sk_close(r, c);
  return 0;
}

static int sc_refused(struct run *r)
{
  int blk, c, e;
  /* Bound, never listening: keeps the port closed and ours. */
  TRY(blk = sk_new(r, -1, AF_INET, SOCK_STREAM));
  TRY(sk_bind(r, blk, AF_INET, LO4, PORT, 1));
  TRY(c = sk_new(r, -1, AF_INET, SOCK_STREAM));
  TRY(sk_bind(r, c, AF_INET, LO4, 0, 0));
  TRY(exp_bound(r, c, AF_INET, LO4, PORT, &O_REFUSED, NULL));
  e = sk_connect(c, LO4, AF_INET, PORT, IO_MS);
  if (e != ECONNREFUSED) {
    fail(r, "connect to a closed port gave %s, expected ECONNREFUSED", errname(e));
    return -1;
  }
  return 0;
}

static int sc_default(struct run *r)
{
  static const struct outcome *const oc[5] = {&O_CLIENT_CLOSE, &O_CLIENT_CLOSE, &O_CLIENT_CLOSE, &O_SERVER_CLOSE,
                                              &O_ABORT_CLIENT};
  static const char *const why[5] = {
      "client close()s first", "client close()s first", "client close()s first (last of the three)",
      "server close()s first after its response", "client SO_LINGER {1,0} close(): abortive, RST"};
  static const char *const leak_why = "client close()s; server reads EOF and never closes (CLOSE_WAIT leak)";
  int l, blk, cr, c[6], s[6], e;
  const int Q = r->sc->port2;

  TRY(l = sk_listen(r, -1, AF_INET, LO4, PORT));
  TRY(blk = sk_new(r, -1, AF_INET, SOCK_STREAM));
  TRY(sk_bind(r, blk, AF_INET, LO4, Q, 1));
  /* Connections in a fixed order, each started after the previous one's
   * handshake completed on both sides (connect and accept returned). */
  for (int i = 0; i < 5; i++) {
    TRY(c[i] = sk_dial(r, -1, AF_INET, LO4, PORT));
    TRY(s[i] = sk_accept(r, l));
    TRY(exp_fd(r, c[i], oc[i], why[i]));
  }
  TRY(cr = sk_new(r, -1, AF_INET, SOCK_STREAM));
  TRY(sk_bind(r, cr, AF_INET, LO4, 0, 0));
  TRY(exp_bound(r, cr, AF_INET, LO4, Q, &O_REFUSED, "connect() to the second port, nobody listens: refused"));
  e = sk_connect(cr, LO4, AF_INET, Q, IO_MS);
  if (e != ECONNREFUSED) {
    fail(r, "connect to the closed port gave %s, expected ECONNREFUSED", errname(e));
    return -1;
  }
  sk_close(r, cr);
  TRY(c[5] = sk_dial(r, -1, AF_INET, LO4, PORT));
  TRY(s[5] = sk_accept(r, l));
  TRY(exp_fd(r, c[5], &O_HALF_CLIENT, leak_why));
  /* All six are open at once; exchanges interleave. */
  for (int i = 0; i < 6; i++) {
    char req[64];
    snprintf(req, sizeof req, "GET /item/%d HTTP/1.1\r\n\r\n", i + 1);
    TRY(sk_send_str(r, c[i], req, "client"));
  }
  for (int i = 0; i < 6; i++) {
    char req[64], resp[96];
    snprintf(req, sizeof req, "GET /item/%d HTTP/1.1\r\n\r\n", i + 1);
    snprintf(resp, sizeof resp, "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nitem %d\n", i + 1);
    TRY(sk_recv_exact(r, s[i], strlen(req), "server"));
    TRY(sk_send_str(r, s[i], resp, "server"));
  }
  for (int i = 0; i < 6; i++) {
    char resp[96];
    snprintf(resp, sizeof resp, "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nitem %d\n", i + 1);
    TRY(sk_recv_exact(r, c[i], strlen(resp), "client"));
  }
  /* The closing moves, interleaved across connections. */
  sk_close(r, c[0]);
  sk_close(r, c[1]);
  sk_close(r, s[3]);
  TRY(sk_linger0(r, c[4]));
  sk_close(r, c[4]);
  sk_close(r, c[2]);
  sk_close(r, c[5]);
  TRY(sk_expect_eof(r, s[0], "server 1"));
  sk_close(r, s[0]); /* at once: its FIN carries the ACK (3-segment close) */
  msleep(150);       /* the others' FINs get a delayed pure ACK first */
  TRY(sk_expect_eof(r, s[1], "server 2"));
  sk_close(r, s[1]);
  TRY(sk_expect_eof(r, c[3], "client 4"));
  sk_close(r, c[3]);
  TRY(sk_expect_err(r, s[4], ECONNRESET, 0, IO_MS, &e, "server 5"));
  sk_close(r, s[4]);
  TRY(sk_expect_eof(r, s[2], "server 3"));
  sk_close(r, s[2]);
  TRY(sk_expect_eof(r, s[5], "server 7"));
  /* s[5] stays open until the capture is over (closed by the cleanup). */
  msleep(300);
  return 0;
}

static int sc_fin_ack_combined(struct run *r)
{
  int l, c, s;
  char b;
  TRY(l = sk_listen(r, -1, AF_INET, LO4, PORT));
  TRY(c = sk_dial(r, -1, AF_INET, LO4, PORT));
  TRY(s = sk_accept(r, l));
  TRY(exp_fd(r, c, &O_CLIENT_CLOSE, NULL));
  TRY(xchg(r, c, s, 1));
  sk_close(r, c);
  TRY(sk_wait(r, s, POLLIN, IO_MS, "server"));
  if (recv(s, &b, 1, 0) != 0) {
    fail(r, "server: expected EOF");
    return -1;
  }
  sk_close(r, s); /* at once: the FIN goes out before the delayed ACK */
  return 0;
}

static int sc_close_wait_leak(struct run *r)
{
  int l, c, s;
  TRY(l = sk_listen(r, -1, AF_INET, LO4, PORT));
  TRY(c = sk_dial(r, -1, AF_INET, LO4, PORT));
  TRY(s = sk_accept(r, l));
  TRY(exp_fd(r, c, &O_HALF_CLIENT, NULL));
  TRY(xchg(r, c, s, 1));
  sk_close(r, c);
  TRY(sk_expect_eof(r, s, "server"));
  msleep(300); /* the server's (delayed) ACK of the FIN: client FIN_WAIT_2 */
  /* s is closed only after the capture has stopped. */
  return 0;
}

static int sc_unread_data_close(struct run *r)
{
  int l, c, s, pending = 0, e = 0;
  TRY(l = sk_listen(r, -1, AF_INET, LO4, PORT));
  TRY(c = sk_dial(r, -1, AF_INET, LO4, PORT));
  TRY(s = sk_accept(r, l));
  TRY(exp_fd(r, c, &O_ABORT_SERVER, NULL));
  TRY(xchg(r, c, s, 1));
  TRY(sk_send_str(r, c, "GET /next HTTP/1.1\r\n\r\n", "client")); /* pipelined, never read */
  TRY(sk_wait(r, s, POLLIN, IO_MS, "server"));
  if (ioctl(s, FIONREAD, &pending) < 0 || pending <= 0) {
    fail(r, "server: no unread data in the receive buffer");
    return -1;
  }
  sk_close(r, s);
  TRY(sk_expect_err(r, c, ECONNRESET, 0, IO_MS, &e, "client"));
  sk_close(r, c);
  return 0;
}

static int sc_write_after_close(struct run *r)
{
  int l, c, s;
  ssize_t k;
  TRY(l = sk_listen(r, -1, AF_INET, LO4, PORT));
  TRY(c = sk_dial(r, -1, AF_INET, LO4, PORT));
  TRY(s = sk_accept(r, l));
  TRY(exp_fd(r, c, &O_WRITE_AFTER_CLOSE, NULL));
  TRY(xchg(r, c, s, 1));
  sk_close(r, s);
  TRY(sk_expect_eof(r, c, "client"));
  msleep(100);
  TRY(sk_send_str(r, c, "POST /late HTTP/1.1\r\n\r\n", "client (first write after the peer closed)"));
  msleep(100); /* the RST comes back */
  k = send(c, "x", 1, MSG_NOSIGNAL);
  if (k >= 0 || (errno != ECONNRESET && errno != EPIPE)) {
    fail(r, "client's next write after the RST: %s, expected ECONNRESET or EPIPE",
         k >= 0 ? "succeeded" : errname(errno));
    return -1;
  }
  note(r, "client's next write after the RST failed with %s", errname(errno));
  sk_close(r, c);
  return 0;
}

static int sc_time_wait_reuse(struct run *r)
{
  const int cport = PORT + 100; /* fixed client port, outside the ephemeral range */
  int l, c = -1, s;
  TRY(l = sk_listen(r, -1, AF_INET, LO4, PORT));
  for (int round = 0; round < 2; round++) {
    int64_t t0 = now_ns();
    int e = 0, tries = 0;
    if (round == 1) {
      /* Proof that the first connection's TIME_WAIT holds the port: every
       * other socket on it is closed, yet a bind without SO_REUSEADDR
       * conflicts. */
      int probe;
      struct sockaddr_storage ss;
      socklen_t len;
      TRY(probe = sk_new(r, -1, AF_INET, SOCK_STREAM));
      mk_sa(&ss, &len, AF_INET, LO4, cport);
      if (bind(probe, (struct sockaddr *)&ss, len) == 0 || errno != EADDRINUSE) {
        fail(r, "no TIME_WAIT on port %d after the first close (bind without SO_REUSEADDR: %s)", cport,
             errname(errno));
        return -1;
      }
      sk_close(r, probe);
    }
    /* Connect from the fixed port.  Where the kernel wants the TIME_WAIT
     * older than tcp_tw_reuse_delay it answers EADDRNOTAVAIL (no packet is
     * sent): retry for up to 4 s. */
    for (;;) {
      TRY(c = sk_new(r, -1, AF_INET, SOCK_STREAM));
      TRY(sk_bind(r, c, AF_INET, LO4, cport, 1));
      e = sk_connect(c, LO4, AF_INET, PORT, IO_MS);
      tries++;
      if (e != EADDRNOTAVAIL || now_ns() - t0 > 4000000000LL)
        break;
      sk_close(r, c);
      msleep(50);
    }
    if (e) {
      fail(r, "connect #%d from port %d: %s (after %d attempts)", round + 1, cport, errname(e), tries);
      return -1;
    }
    if (round == 1)
      note(r, "TIME_WAIT 4-tuple reused %.3f s after the first close (%d EADDRNOTAVAIL first)",
           (double)(now_ns() - t0) / 1e9, tries - 1);
    TRY(s = sk_accept(r, l));
    TRY(exp_fd(r, c, &O_CLIENT_CLOSE, round ? "second connection, same 4-tuple, while the first is in TIME_WAIT"
                                               : "first connection from the fixed client port"));
    TRY(xchg(r, c, s, round + 1));
    sk_close(r, c);
    TRY(sk_expect_eof(r, s, "server"));
    sk_close(r, s);
    msleep(20); /* final ACK: client in TIME_WAIT */
  }
  return 0;
}

#define MANY 2000
static int sc_many_short(struct run *r)
{
  int l;
  TRY(l = sk_listen(r, -1, AF_INET, LO4, PORT));
  for (int i = 0; i < MANY; i++) {
    int c, s;
    TRY(c = sk_dial(r, -1, AF_INET, LO4, PORT));
    TRY(s = sk_accept(r, l));
    TRY(exp_fd(r, c, &O_CLIENT_CLOSE, NULL));
    sk_close(r, c);
    TRY(sk_expect_eof(r, s, "server"));
    sk_close(r, s);
    /* >= 6 packets per connection are on the wire once both closed.
     * Waiting every 10 keeps well inside the ring even when the capture
     * thread gets little CPU. */
    if ((i + 1) % 10 == 0)
      TRY(cap_wait_for(r, (size_t)(i + 1) * 6, IO_MS));
  }
  return 0;
}

static int sc_keepalive_answered(struct run *r)
{
  int l, c, s;
  TRY(l = sk_listen(r, -1, AF_INET, LO4, PORT));
  TRY(c = sk_dial(r, -1, AF_INET, LO4, PORT));
  TRY(s = sk_accept(r, l));
  TRY(exp_fd(r, c, &O_CLIENT_CLOSE, NULL));
  TRY(xchg(r, c, s, 1));
  TRY(sk_keepalive(r, c, 1, 1, 3));
  msleep(4300); /* idle: a probe every second, each answered */
  sk_close(r, c);
  TRY(sk_expect_eof(r, s, "server"));
  sk_close(r, s);
  return 0;
}

/* --- namespace scenarios: client in A (captured), server in B --- */

struct closer_arg {
  int fd, udp;
  struct sockaddr_storage dst;
  socklen_t dlen;
  pthread_barrier_t *bar;
  int64_t t;
};

static void *closer_main(void *p)
{
  struct closer_arg *a = p;
  char fill[1472];
  memset(fill, 0, sizeof fill);
  /* Two full-size UDP frames drain the tbf bucket; the FIN queues behind
   * the second one (~120 ms at 100 kbit/s). UDP is outside the filter. */
  for (int i = 0; i < 2; i++)
    sendto(a->udp, fill, sizeof fill, 0, (struct sockaddr *)&a->dst, a->dlen);
  pthread_barrier_wait(a->bar);
  a->t = now_ns();
  close(a->fd);
  return NULL;
}

static int sc_simultaneous_close(struct run *r)
{
  int l, c, s, u[2];
  const int up = PORT + 1000;
  struct closer_arg ca[2];
  pthread_barrier_t bar;
  pthread_t th[2];
  int started = 0;

  TRY(l = sk_listen(r, 1, AF_INET, NS_IP_B, PORT));
  TRY(c = sk_dial(r, 0, AF_INET, NS_IP_B, PORT));
  TRY(s = sk_accept(r, l));
  TRY(exp_fd(r, c, &O_SIMULTANEOUS, NULL));
  TRY(xchg(r, c, s, 1));
  for (int i = 0; i < 2; i++) {
    TRY(u[i] = sk_new(r, i, AF_INET, SOCK_DGRAM));
    TRY(sk_bind(r, u[i], AF_INET, ns_ip[i], up, 1));
  }
  msleep(300); /* let the token buckets fill up again after the exchange */
  if (pthread_barrier_init(&bar, NULL, 2) != 0) {
    fail(r, "pthread_barrier_init failed");
    return -1;
  }
  for (int i = 0; i < 2; i++) {
    memset(&ca[i], 0, sizeof ca[i]);
    ca[i].fd = i ? s : c;
    ca[i].udp = u[i];
    ca[i].bar = &bar;
    mk_sa(&ca[i].dst, &ca[i].dlen, AF_INET, ns_ip[1 - i], up);
  }
  for (int i = 0; i < 2; i++) {
    if (pthread_create(&th[i], NULL, closer_main, &ca[i]) != 0)
      break;
    started++;
  }
  if (started < 2) {
    /* A lone thread would wait at the barrier for ever: release it. */
    if (started == 1)
      pthread_barrier_wait(&bar);
    for (int i = 0; i < started; i++)
      pthread_join(th[i], NULL);
    pthread_barrier_destroy(&bar);
    fail(r, "pthread_create failed");
    return -1;
  }
  for (int i = 0; i < 2; i++)
    pthread_join(th[i], NULL);
  pthread_barrier_destroy(&bar);
  sk_forget(r, c);
  sk_forget(r, s);
  note(r, "close() calls %.0f us apart", (double)(ca[0].t > ca[1].t ? ca[0].t - ca[1].t : ca[1].t - ca[0].t) / 1e3);
  msleep(800); /* FINs cross, then each side's ACK: both TIME_WAIT */
  return 0;
}

static int sc_syn_unanswered(struct run *r)
{
  int l, c, e;
  int64_t t0;
  TRY(l = sk_listen(r, 1, AF_INET, NS_IP_B, PORT));
  TRY(np_neigh(r, 0, MAC_DEAD)); /* A's frames to B now carry a MAC B drops */
  TRY(c = sk_new(r, 0, AF_INET, SOCK_STREAM));
  TRY(sk_bind(r, c, AF_INET, NS_IP_A, 0, 0));
  TRY(sk_opt(r, c, IPPROTO_TCP, TCP_SYNCNT, 1, "TCP_SYNCNT"));
  TRY(exp_bound(r, c, AF_INET, NS_IP_B, PORT, &O_SYN_ONLY, NULL));
  t0 = now_ns();
  e = sk_connect(c, NS_IP_B, AF_INET, PORT, 8000);
  if (e != ETIMEDOUT) {
    fail(r, "connect with the SYN dropped gave %s, expected ETIMEDOUT", errname(e));
    return -1;
  }
  note(r, "connect() gave up with ETIMEDOUT after %.2f s", (double)(now_ns() - t0) / 1e9);
  sk_close(r, c);
  return 0;
}

static int sc_keepalive_dead_peer(struct run *r)
{
  int l, c, s, e = 0;
  int64_t t0;
  TRY(l = sk_listen(r, 1, AF_INET, NS_IP_B, PORT));
  TRY(c = sk_dial(r, 0, AF_INET, NS_IP_B, PORT));
  TRY(s = sk_accept(r, l));
  TRY(exp_fd(r, c, &O_KA_TIMEOUT, NULL));
  TRY(xchg(r, c, s, 1));
  TRY(np_neigh(r, 0, MAC_DEAD)); /* the server "vanishes": it never sees A again */
  TRY(sk_keepalive(r, c, 1, 1, 3));
  t0 = now_ns();
  TRY(sk_expect_err(r, c, ETIMEDOUT, 0, 9000, &e, "client waiting for the keepalive verdict"));
  note(r, "client socket failed with ETIMEDOUT after %.2f s of keepalive", (double)(now_ns() - t0) / 1e9);
  sk_close(r, c);
  return 0;
}

static int sc_fin_retransmit(struct run *r)
{
  int l, c, s;
  TRY(l = sk_listen(r, 1, AF_INET, NS_IP_B, PORT));
  TRY(c = sk_dial(r, 0, AF_INET, NS_IP_B, PORT));
  TRY(s = sk_accept(r, l));
  TRY(exp_fd(r, c, &O_CLIENT_CLOSE, NULL));
  TRY(xchg(r, c, s, 1));
  TRY(np_neigh(r, 0, MAC_DEAD));
  sk_close(r, c); /* this FIN is captured on A and dropped by B */
  msleep(100);
  TRY(np_neigh(r, 0, MAC_B)); /* the retransmission (RTO >= 200 ms) gets through */
  TRY(sk_read_to_eof(r, s, 3000, NULL, "server"));
  sk_close(r, s);
  msleep(200);
  return 0;
}

/* The server's host loses the connection without a word on the wire (a
 * crash or a restart that drops state): its abortive close's RST is kept
 * off the wire by a blackhole route. After an idle moment the client
 * writes, and the server's kernel, which has no socket for it any more,
 * answers with a stateless RST. */
static int sc_server_forgot(struct run *r)
{
  int l, c, s, e = 0;
  TRY(l = sk_listen(r, 1, AF_INET, NS_IP_B, PORT));
  TRY(c = sk_dial(r, 0, AF_INET, NS_IP_B, PORT));
  TRY(s = sk_accept(r, l));
  TRY(exp_fd(r, c, &O_NO_CONNECTION, NULL));
  TRY(xchg(r, c, s, 1));
  TRY(CMD(r, 0, "ip", "-n", r->np.ns[1], "route", "add", "blackhole", NS_IP_A "/32"));
  TRY(sk_linger0(r, s));
  sk_close(r, s); /* the RST goes into the blackhole */
  msleep(100);
  TRY(CMD(r, 0, "ip", "-n", r->np.ns[1], "route", "del", "blackhole", NS_IP_A "/32"));
  msleep(1500); /* idle: the client does not know */
  TRY(sk_send_str(r, c, "GET /again HTTP/1.1\r\n\r\n", "client (after the server forgot)"));
  TRY(sk_expect_err(r, c, ECONNRESET, 0, IO_MS, &e, "client"));
  sk_close(r, c);
  return 0;
}

/* The peer vanishes in the middle of a transfer (its link drops frames):
 * the client's retransmissions meet silence until the capture ends. No
 * FIN, no RST: the connection is still open, its peer dead. */
static int sc_dead_peer_retransmit(struct run *r)
{
  int l, c, s;
  TRY(l = sk_listen(r, 1, AF_INET, NS_IP_B, PORT));
  TRY(c = sk_dial(r, 0, AF_INET, NS_IP_B, PORT));
  TRY(s = sk_accept(r, l));
  TRY(exp_fd(r, c, &O_DEAD_PEER, NULL));
  TRY(xchg(r, c, s, 1));
  TRY(np_neigh(r, 0, MAC_DEAD)); /* B never hears from A again */
  TRY(sk_send_str(r, c, "POST /upload HTTP/1.1\r\ncontent-length: 0\r\n\r\n", "client"));
  msleep(3200); /* RTO 200 ms doubling: four or five retransmissions */
  /* c and s are closed only after the capture has stopped. */
  return 0;
}


/* How most TLS connections end: each side sends its close_notify and its
 * FIN together (TCP_CORK: the FIN rides on the queued record), the client
 * first.  The client's socket is already closed when the server's
 * close_notify+FIN arrives, so the client's kernel throws the record away
 * and answers with a bare RST.  Both FINs came before it: a graceful close
 * with a trailing RST. */
static int sc_tls_close_race(struct run *r)
{
  static const char notify[] = "\x15\x03\x03\x00\x1a close_notify alert (sim)";
  int l, c, s;
  TRY(l = sk_listen(r, -1, AF_INET, LO4, PORT));
  TRY(c = sk_dial(r, -1, AF_INET, LO4, PORT));
  TRY(s = sk_accept(r, l));
  TRY(exp_fd(r, c, &O_TRAILING_CLIENT, NULL));
  TRY(xchg(r, c, s, 1));
  TRY(sk_opt(r, c, IPPROTO_TCP, TCP_CORK, 1, "TCP_CORK"));
  TRY(sk_send(r, c, notify, sizeof notify - 1, "client close_notify"));
  sk_close(r, c); /* close_notify+FIN in one segment */
  TRY(sk_recv_exact(r, s, sizeof notify - 1, "server"));
  TRY(sk_expect_eof(r, s, "server"));
  TRY(sk_opt(r, s, IPPROTO_TCP, TCP_CORK, 1, "TCP_CORK"));
  TRY(sk_send(r, s, notify, sizeof notify - 1, "server close_notify"));
  sk_close(r, s); /* close_notify+FIN reach a closed socket: RST */
  msleep(100);
  return 0;
}

/* The server shut its side (SHUT_WR: FIN), then close()s with the client's
 * last request still unread in its receive buffer.  The kernel discards it
 * and sends an RST right after its own FIN, answering no segment of the
 * client's: an abortive close, data unread. */
static int sc_shutdown_unread(struct run *r)
{
  int l, c, s, pending = 0, e = 0;
  TRY(l = sk_listen(r, -1, AF_INET, LO4, PORT));
  TRY(c = sk_dial(r, -1, AF_INET, LO4, PORT));
  TRY(s = sk_accept(r, l));
  TRY(exp_fd(r, c, &O_FIN_THEN_ABORT, NULL));
  TRY(xchg(r, c, s, 1));
  TRY(sk_send_str(r, c, "PUT /upload HTTP/1.1\r\ncontent-length: 4\r\n\r\ndata", "client"));
  TRY(sk_wait(r, s, POLLIN, IO_MS, "server"));
  if (ioctl(s, FIONREAD, &pending) < 0 || pending <= 0) {
    fail(r, "server: no unread data in the receive buffer");
    return -1;
  }
  msleep(100); /* the client's kernel has ACKed its data long before the FIN */
  if (shutdown(s, SHUT_WR) < 0) {
    fail(r, "shutdown(SHUT_WR): %s", strerror(errno));
    return -1;
  }
  sk_close(r, s);
  TRY(sk_expect_eof(r, c, "client")); /* the FIN, then the RST */
  msleep(50);
  if (send(c, "x", 1, MSG_NOSIGNAL) >= 0 || (errno != ECONNRESET && errno != EPIPE)) {
    fail(r, "client's write after the server's RST did not fail with ECONNRESET or EPIPE");
    return -1;
  }
  e = errno;
  note(r, "client saw EOF, then its write failed with %s", errname(e));
  sk_close(r, c);
  return 0;
}

/* A connect() given up in SYN_SENT: the server's SYN+ACK goes to the dead
 * MAC (on the wire, dropped by the client's host), the client closes its
 * non-blocking socket (Linux sends nothing for that), the server's
 * neighbour entry is repaired, and its SYN+ACK retransmission (1 s) reaches
 * a client kernel that has no socket for it any more: it answers with an
 * RST. */
static int sc_connect_abandoned(struct run *r)
{
  int l, c, fl;
  struct sockaddr_storage ss;
  socklen_t len;
  TRY(l = sk_listen(r, 1, AF_INET, NS_IP_B, PORT));
  TRY(np_neigh(r, 1, MAC_DEAD));
  TRY(c = sk_new(r, 0, AF_INET, SOCK_STREAM));
  TRY(sk_bind(r, c, AF_INET, NS_IP_A, 0, 0));
  TRY(exp_bound(r, c, AF_INET, NS_IP_B, PORT, &O_HANDSHAKE_ABANDONED, NULL));
  fl = fcntl(c, F_GETFL);
  fcntl(c, F_SETFL, fl | O_NONBLOCK);
  mk_sa(&ss, &len, AF_INET, NS_IP_B, PORT);
  if (connect(c, (struct sockaddr *)&ss, len) == 0 || errno != EINPROGRESS) {
    fail(r, "non-blocking connect: %s, expected EINPROGRESS", errname(errno));
    return -1;
  }
  msleep(150);
  sk_close(r, c); /* abandoned in SYN_SENT */
  TRY(np_neigh(r, 1, MAC_A));
  msleep(1500); /* the SYN+ACK retransmission and the client kernel's RST */
  return 0;
}

/* The same close race seen from where the server's data and FIN go out
 * before the client's answer comes back: the client close()s; the server
 * reads EOF, writes one last record and close()s, in two segments.  The
 * client's RST for the record is held back in its veth's tbf queue (two
 * full UDP frames drained the bucket just before), so on the wire the
 * server's FIN comes between its data and the RST that throws the data
 * away.  (The kernel answers the FIN with a second RST: its socket is
 * gone.) */
static int sc_close_race_fin_between(struct run *r)
{
  int l, c, s, u;
  const int up = PORT + 1000;
  char fill[1472];
  struct sockaddr_storage dst;
  socklen_t dlen;
  TRY(l = sk_listen(r, 1, AF_INET, NS_IP_B, PORT));
  TRY(c = sk_dial(r, 0, AF_INET, NS_IP_B, PORT));
  TRY(s = sk_accept(r, l));
  TRY(exp_fd(r, c, &O_TRAILING_CLIENT, NULL));
  TRY(xchg(r, c, s, 1));
  TRY(u = sk_new(r, 0, AF_INET, SOCK_DGRAM));
  TRY(sk_bind(r, u, AF_INET, NS_IP_A, up, 1));
  mk_sa(&dst, &dlen, AF_INET, NS_IP_B, up);
  sk_close(r, c);
  TRY(sk_expect_eof(r, s, "server"));
  msleep(300); /* the token buckets fill up again */
  memset(fill, 0, sizeof fill);
  for (int i = 0; i < 2; i++)
    sendto(u, fill, sizeof fill, 0, (struct sockaddr *)&dst, dlen);
  TRY(sk_send_str(r, s, "\x15\x03\x03 close_notify alert", "server's last record"));
  sk_close(r, s);
  msleep(500);
  return 0;
}

/* The peer vanishes (dead MAC) while the client has data in flight.  The
 * client's retransmissions go unanswered (RTO 200 ms, doubling); after
 * 1.7 s the application gives up on its own timeout and aborts with
 * SO_LINGER {1,0}: the RST ends a run of unanswered retransmissions.
 * (A kernel timeout -- TCP_USER_TIMEOUT, tcp_retries2 -- sends no RST on
 * Linux: the socket is closed silently and a later close() sends nothing.) */
static int sc_dead_peer_abort(struct run *r)
{
  int l, c, s;
  TRY(l = sk_listen(r, 1, AF_INET, NS_IP_B, PORT));
  TRY(c = sk_dial(r, 0, AF_INET, NS_IP_B, PORT));
  TRY(s = sk_accept(r, l));
  TRY(exp_fd(r, c, &O_DEAD_PEER_ABORT, NULL));
  TRY(xchg(r, c, s, 1));
  TRY(np_neigh(r, 0, MAC_DEAD));
  TRY(sk_send_str(r, c, "POST /upload HTTP/1.1\r\ncontent-length: 0\r\n\r\n", "client"));
  msleep(1700); /* retransmissions at ~0.2, 0.6, 1.4 s */
  TRY(sk_linger0(r, c));
  sk_close(r, c);
  msleep(100);
  return 0;
}

/* ------------------------------------------------------------------ */
/* scenario-specific wire checks                                        */

/* After a non-simultaneous close: how did the passive side first
 * acknowledge the closer's FIN?  1 = with its own FIN, 0 = pure ACK. */
static int passive_ack_has_fin(const struct wconn *c, int *out)
{
  struct wfacts f;
  int closer;
  wire_derive(c, &f);
  if (!f.have_fin[0] && !f.have_fin[1])
    return -1;
  closer = f.have_fin[0] && (!f.have_fin[1] || f.first_fin_idx[0] < f.first_fin_idx[1]) ? 0 : 1;
  for (size_t i = f.first_fin_idx[closer] + 1; i < c->n; i++) {
    const struct wseg *g = &c->s[i];
    if (g->dir == closer || !(g->flags & F_ACK) || !seq_ge(g->ack, f.fin_end[closer]))
      continue;
    *out = !!(g->flags & F_FIN);
    return 0;
  }
  return -1;
}

static int ck_four_way(struct run *r, const struct wire *w)
{
  int fin;
  if (passive_ack_has_fin(&w->c[0], &fin) < 0 || fin) {
    fail(r, "expected a 4-segment close (pure ACK of the first FIN, then the second FIN)");
    return -1;
  }
  return 0;
}

static int ck_three_way(struct run *r, const struct wire *w)
{
  int fin;
  if (passive_ack_has_fin(&w->c[0], &fin) < 0 || !fin) {
    fail(r, "the server acknowledged the client's FIN with a pure ACK, not with its own FIN");
    return -1;
  }
  return 0;
}

static int ck_half_close(struct run *r, const struct wire *w)
{
  const struct wconn *c = &w->c[0];
  struct wfacts f;
  int after = 0;
  wire_derive(c, &f);
  for (size_t i = f.first_fin_idx[0] + 1; i < c->n; i++)
    if (c->s[i].dir == 1 && c->s[i].len)
      after++;
  if (f.first_fin_idx[0] >= f.first_fin_idx[1] || after < 5) {
    fail(r, "expected >= 5 server data segments after the client's FIN, got %d", after);
    return -1;
  }
  return 0;
}

static int ck_zero_window(struct run *r, const struct wire *w)
{
  const struct wconn *c = &w->c[0];
  int zw = 0, data = 0;
  for (size_t i = 0; i < c->n; i++) {
    if (c->s[i].dir == 0 && (c->s[i].flags & F_ACK) && !(c->s[i].flags & (F_SYN | F_RST)) && c->s[i].win == 0)
      zw++;
    if (c->s[i].dir == 1 && c->s[i].len)
      data++;
  }
  if (!zw || data < 2) {
    fail(r, "expected the client to advertise a zero window (%d) under server data (%d segments)", zw, data);
    return -1;
  }
  return 0;
}

static int ck_unread(struct run *r, const struct wire *w)
{
  struct wfacts f;
  wire_derive(&w->c[0], &f);
  if (f.fins[1] || !f.rsts[1] || !f.data[0]) {
    fail(r, "expected the server to send an RST and no FIN");
    return -1;
  }
  return 0;
}

static int ck_write_after_close(struct run *r, const struct wire *w)
{
  const struct wconn *c = &w->c[0];
  struct wfacts f;
  int late = 0;
  wire_derive(c, &f);
  for (size_t i = f.first_fin_idx[1] + 1; i < c->n; i++) {
    if (c->s[i].dir == 0 && c->s[i].len)
      late = 1;
    if (c->s[i].dir == 1 && (c->s[i].flags & F_RST)) {
      if (!late)
        break;
      return 0;
    }
  }
  fail(r, "expected: server FIN, then client data, then the server's RST");
  return -1;
}

/* Keepalive probes: client, ACK only, at most 1 byte, one below snd.nxt. */
static void count_probes(const struct wconn *c, int *probes, int *answered, int *rst_after)
{
  uint32_t nxt = 0;
  int pending = 0;
  *probes = *answered = *rst_after = 0;
  for (size_t i = 0; i < c->n; i++) {
    const struct wseg *g = &c->s[i];
    uint32_t end = g->seq + g->len + !!(g->flags & F_SYN) + !!(g->flags & F_FIN);
    if (g->dir == 0) {
      if ((g->flags & (F_SYN | F_FIN | F_RST | F_ACK)) == F_ACK && g->len <= 1 && g->seq + g->len + 1 == nxt) {
        ++*probes;
        pending = 1;
        continue;
      }
      if ((g->flags & F_RST) && *probes)
        *rst_after = 1;
      if (seq_lt(nxt, end) || !nxt)
        nxt = end;
    } else if (pending && (g->flags & F_ACK)) {
      ++*answered;
      pending = 0;
    }
  }
}

static int ck_keepalive_answered(struct run *r, const struct wire *w)
{
  int p, a, rst;
  count_probes(&w->c[0], &p, &a, &rst);
  if (p < 3 || a != p) {
    fail(r, "expected >= 3 keepalive probes, all answered: %d probes, %d answered", p, a);
    return -1;
  }
  note(r, "%d keepalive probes, all answered", p);
  return 0;
}

static int ck_keepalive_dead(struct run *r, const struct wire *w)
{
  int p, a, rst;
  count_probes(&w->c[0], &p, &a, &rst);
  if (p != 3 || a || !rst) {
    fail(r, "expected 3 unanswered probes then the prober's RST: %d probes, %d answered, rst=%d", p, a, rst);
    return -1;
  }
  note(r, "3 unanswered keepalive probes, then the kernel sent an RST");
  return 0;
}

static int ck_fin_retransmit(struct run *r, const struct wire *w)
{
  struct wfacts f;
  wire_derive(&w->c[0], &f);
  if (f.fins[0] < 2) {
    fail(r, "expected the client's FIN to be retransmitted, saw %d FIN(s)", f.fins[0]);
    return -1;
  }
  note(r, "client FIN sent %d times", f.fins[0]);
  return 0;
}

static int ck_syn_retrans(struct run *r, const struct wire *w)
{
  const struct wconn *c = &w->c[0];
  int syns = 0;
  for (size_t i = 0; i < c->n; i++) {
    if (c->s[i].dir != 0) {
      fail(r, "the server side sent a packet");
      return -1;
    }
    syns += (c->s[i].flags & F_SYN) != 0;
  }
  if (syns < 2) {
    fail(r, "expected the SYN and its retransmission(s), saw %d SYN(s)", syns);
    return -1;
  }
  note(r, "%d SYNs on the wire, none answered", syns);
  return 0;
}

/* At least 3 client data segments with one sequence number, then its RST. */
static int ck_retrans_then_rst(struct run *r, const struct wire *w)
{
  const struct wconn *c = &w->c[0];
  uint32_t seq = 0;
  int same = 0, best = 0;
  for (size_t i = 0; i < c->n; i++) {
    const struct wseg *g = &c->s[i];
    if (g->dir != 0)
      continue;
    if (g->flags & F_RST) {
      if (best >= 3) {
        note(r, "%d transmissions of the last data segment, then the client's RST", best);
        return 0;
      }
      break;
    }
    if (!g->len)
      continue;
    same = g->seq == seq && same ? same + 1 : 1;
    seq = g->seq;
    if (same > best)
      best = same;
  }
  fail(r, "expected >= 3 transmissions of one data segment before the client's RST (saw %d)", best);
  return -1;
}

/* ------------------------------------------------------------------ */
/* the table                                                            */

const struct scenario scenarios[] = {
  {"client_close", 30001, 0, 0, 3, 20, 0, sc_client_close, ck_four_way,
   "request/response, client close()s first: client TIME_WAIT, server CLOSED"},
  {"server_close", 30002, 0, 0, 3, 20, 0, sc_server_close, ck_four_way,
   "request/response, server close()s first: server TIME_WAIT"},
  {"half_close", 30003, 0, 0, 1, 20, 0, sc_half_close, ck_half_close,
   "client shutdown(SHUT_WR), server keeps writing, then closes"},
  {"linger_abort_client", 30004, 0, 0, 1, 20, 0, sc_linger_abort_client, NULL,
   "client SO_LINGER {1,0} close() after an exchange: RST from the client"},
  {"linger_abort_server", 30005, 0, 0, 1, 20, 0, sc_linger_abort_server, ck_zero_window,
   "server SO_LINGER {1,0} close() with unsent data queued: RST, data lost"},
  {"refused", 30006, 0, 0, 1, 20, 0, sc_refused, NULL, "connect to a port nobody listens on: SYN, RST+ACK"},
  {"default", 30007, 30008, 0, 3, 20, 0, sc_default, NULL,
   "7 connections: 3 client-closes, 1 server-close, 1 abort, 1 refused, 1 CLOSE_WAIT leak"},
  {"fin_ack_combined", 30009, 0, 0, 5, 20, 0, sc_fin_ack_combined, ck_three_way,
   "3-segment close: the server's FIN carries the ACK of the client's FIN"},
  {"close_wait_leak", 30010, 0, 0, 1, 20, 0, sc_close_wait_leak, NULL,
   "server gets the client's FIN and never closes: CLOSE_WAIT / FIN_WAIT_2"},
  {"unread_data_close", 30011, 0, 0, 1, 20, 0, sc_unread_data_close, ck_unread,
   "server close()s with unread data: the kernel sends RST, not FIN"},
  {"write_after_close", 30012, 0, 0, 1, 20, 0, sc_write_after_close, ck_write_after_close,
   "server closes; client writes afterwards: RST from the server"},
  {"time_wait_reuse", 30013, 0, 0, 1, 20, 0, sc_time_wait_reuse, NULL,
   "two connections on one 4-tuple: the client's TIME_WAIT reused (tcp_tw_reuse)"},
  {"many_short", 30014, 0, 0, 2, 90, 1, sc_many_short, NULL,
   "2000 short connections to one port, client closes first (TIME_WAIT pile-up)"},
  {"ipv6_graceful", 30015, 0, 0, 3, 20, 0, sc_ipv6_graceful, ck_four_way,
   "client_close over ::1"},
  {"ipv6_reset", 30016, 0, 0, 1, 20, 0, sc_ipv6_reset, NULL, "linger_abort_client over ::1"},
  {"keepalive_answered", 30017, 0, 0, 1, 20, 0, sc_keepalive_answered, ck_keepalive_answered,
   "idle connection with keepalive 1/1/3, probes answered, then a normal close"},
  {"simultaneous_close", 30018, 0, 2, 3, 20, 0, sc_simultaneous_close, NULL,
   "both sides close() at once over a delayed veth: FINs cross, both TIME_WAIT"},
  {"syn_unanswered", 30019, 0, 1, 1, 20, 0, sc_syn_unanswered, ck_syn_retrans,
   "the SYN is dropped (dead MAC); connect() gives up (TCP_SYNCNT=1)"},
  {"keepalive_dead_peer", 30020, 0, 1, 1, 20, 0, sc_keepalive_dead_peer, ck_keepalive_dead,
   "peer vanishes; 3 unanswered keepalive probes, then the kernel's RST"},
  {"fin_retransmit", 30021, 0, 1, 3, 20, 0, sc_fin_retransmit, ck_fin_retransmit,
   "the client's FIN is lost once, retransmitted and acknowledged"},
  {"server_forgot", 30022, 0, 1, 1, 20, 0, sc_server_forgot, NULL,
   "the server's host drops the connection silently; the client's next write meets a stateless RST"},
  {"dead_peer_retransmit", 30023, 0, 1, 1, 20, 0, sc_dead_peer_retransmit, NULL,
   "the peer vanishes mid-transfer; retransmissions go unanswered until the capture ends"},
  {"tls_close_race", 30024, 0, 0, 3, 20, 0, sc_tls_close_race, NULL,
   "both send close_notify+FIN; the server's reaches the client's closed socket: graceful, trailing RST"},
  {"shutdown_unread", 30025, 0, 0, 3, 20, 0, sc_shutdown_unread, NULL,
   "server shutdown(SHUT_WR), then close() with unread data: FIN, then an RST answering nothing"},
  {"close_race_fin_between", 30028, 0, 2, 3, 20, 0, sc_close_race_fin_between, NULL,
   "client closes; server's last data, then its FIN, then the client's RST for the data: graceful, trailing RST"},
  {"connect_abandoned", 30026, 0, 1, 2, 20, 0, sc_connect_abandoned, NULL,
   "connect() closed in SYN_SENT; the late SYN+ACK meets the client kernel's RST"},
  {"dead_peer_abort", 30027, 0, 1, 2, 20, 0, sc_dead_peer_abort, ck_retrans_then_rst,
   "peer vanishes; unanswered retransmissions, then the application's abortive close: RST"},
};
const size_t n_scenarios = sizeof scenarios / sizeof scenarios[0];

