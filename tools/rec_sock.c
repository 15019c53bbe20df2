/* SPDX-License-Identifier: BSD-3-Clause */
/* tc-record: socket helpers (every wait bounded) and the expectations a
 * scenario declares from its own sockets (getsockname/getpeername). */
#include "rec.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* sockets                                                              */

void sk_track(struct run *r, int fd)
{
  if (r->nfds < (int)(sizeof r->fds / sizeof r->fds[0]))
    r->fds[r->nfds++] = fd;
}

void sk_forget(struct run *r, int fd)
{
  for (int i = 0; i < r->nfds; i++)
    if (r->fds[i] == fd) {
      r->fds[i] = r->fds[--r->nfds];
      return;
    }
}

void sk_close(struct run *r, int fd)
{
  if (fd < 0)
    return;
  sk_forget(r, fd);
  close(fd);
}

void sk_close_all(struct run *r)
{
  while (r->nfds > 0)
    close(r->fds[--r->nfds]);
}

int sk_opt(struct run *r, int fd, int level, int name, int val, const char *what)
{
  if (setsockopt(fd, level, name, &val, sizeof val) < 0) {
    fail(r, "setsockopt %s: %s", what, strerror(errno));
    return -1;
  }
  return 0;
}

/* side: -1 = the current namespace (loopback scenarios), 0 = A, 1 = B. */
int sk_new(struct run *r, int side, int fam, int type)
{
  struct timeval tv = {IO_MS / 1000, 0};
  int fd;
  if (side >= 0)
    TRY(ns_enter(r, r->np.ns[side]));
  fd = socket(fam, type | SOCK_CLOEXEC, 0);
  if (side >= 0)
    ns_leave();
  if (fd < 0) {
    fail(r, "socket: %s", strerror(errno));
    return -1;
  }
  sk_track(r, fd);
  /* No call can block for ever, whatever the scenario forgets. */
  if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0 ||
      setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0) {
    fail(r, "SO_RCVTIMEO/SO_SNDTIMEO: %s", strerror(errno));
    return -1;
  }
  return fd;
}

void mk_sa(struct sockaddr_storage *ss, socklen_t *len, int fam, const char *ip, int port)
{
  memset(ss, 0, sizeof *ss);
  if (fam == AF_INET) {
    struct sockaddr_in *s4 = (struct sockaddr_in *)(void *)ss;
    s4->sin_family = AF_INET;
    s4->sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, ip, &s4->sin_addr);
    *len = sizeof *s4;
  } else {
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)(void *)ss;
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons((uint16_t)port);
    inet_pton(AF_INET6, ip, &s6->sin6_addr);
    *len = sizeof *s6;
  }
}

static void fmt_sa(const struct sockaddr_storage *ss, char *buf, size_t n)
{
  if (ss->ss_family == AF_INET) {
    const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)ss;
    fmt_ep(AF_INET, (const uint8_t *)&s4->sin_addr, ntohs(s4->sin_port), buf, n);
  } else {
    const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)ss;
    fmt_ep(AF_INET6, (const uint8_t *)&s6->sin6_addr, ntohs(s6->sin6_port), buf, n);
  }
}

int sk_bind(struct run *r, int fd, int fam, const char *ip, int port, int reuse)
{
  struct sockaddr_storage ss;
  socklen_t len;
  if (reuse)
    TRY(sk_opt(r, fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR"));
  if (fam == AF_INET6)
    TRY(sk_opt(r, fd, IPPROTO_IPV6, IPV6_V6ONLY, 1, "IPV6_V6ONLY"));
  mk_sa(&ss, &len, fam, ip, port);
  if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
    fail(r, "bind %s port %d: %s", ip, port, strerror(errno));
    return -1;
  }
  return 0;
}

int sk_listen(struct run *r, int side, int fam, const char *ip, int port)
{
  int fd = sk_new(r, side, fam, SOCK_STREAM);
  TRY(fd);
  TRY(sk_bind(r, fd, fam, ip, port, 1));
  if (listen(fd, 256) < 0) {
    fail(r, "listen %s port %d: %s", ip, port, strerror(errno));
    return -1;
  }
  return fd;
}

/* Returns 0 or the errno the connect ended with; never blocks past ms. */
int sk_connect(int fd, const char *ip, int fam, int port, int ms)
{
  struct sockaddr_storage ss;
  socklen_t len, el = sizeof(int);
  int fl = fcntl(fd, F_GETFL), e = 0;
  struct pollfd pf = {fd, POLLOUT, 0};

  mk_sa(&ss, &len, fam, ip, port);
  fcntl(fd, F_SETFL, fl | O_NONBLOCK);
  if (connect(fd, (struct sockaddr *)&ss, len) == 0)
    goto done;
  if (errno != EINPROGRESS) {
    e = errno;
    goto done;
  }
  for (;;) {
    int k = poll(&pf, 1, ms);
    if (k < 0 && errno == EINTR && !g_signal)
      continue;
    if (k <= 0) {
      e = k == 0 ? ETIMEDOUT : errno;
      goto done;
    }
    break;
  }
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0)
    e = errno;
done:
  fcntl(fd, F_SETFL, fl);
  return e;
}

int sk_dial(struct run *r, int side, int fam, const char *ip, int port)
{
  int fd = sk_new(r, side, fam, SOCK_STREAM), e;
  TRY(fd);
  e = sk_connect(fd, ip, fam, port, IO_MS);
  if (e) {
    fail(r, "connect to %s port %d: %s", ip, port, errname(e));
    return -1;
  }
  return fd;
}

int sk_wait(struct run *r, int fd, short ev, int ms, const char *who)
{
  struct pollfd pf = {fd, ev, 0};
  int64_t end = now_ns() + (int64_t)ms * 1000000;
  for (;;) {
    int left = (int)((end - now_ns()) / 1000000), k;
    if (left < 0)
      left = 0;
    k = poll(&pf, 1, left);
    if (k > 0)
      return 0;
    if (k < 0 && errno == EINTR && !g_signal)
      continue;
    if (k == 0)
      fail(r, "%s: nothing happened within %d ms", who, ms);
    else
      fail(r, "%s: poll: %s", who, strerror(errno));
    return -1;
  }
}

int sk_accept(struct run *r, int lfd)
{
  struct timeval tv = {IO_MS / 1000, 0};
  int fd;
  TRY(sk_wait(r, lfd, POLLIN, IO_MS, "accept"));
  fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
  if (fd < 0) {
    fail(r, "accept: %s", strerror(errno));
    return -1;
  }
  sk_track(r, fd);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  return fd;
}

int sk_send(struct run *r, int fd, const void *buf, size_t n, const char *who)
{
  const char *p = buf;
  while (n) {
    ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
    if (k < 0 && errno == EINTR && !g_signal)
      continue;
    if (k <= 0) {
      fail(r, "%s: send: %s", who, k < 0 ? errname(errno) : "short");
      return -1;
    }
    p += k;
    n -= (size_t)k;
  }
  return 0;
}

int sk_send_str(struct run *r, int fd, const char *s, const char *who)
{
  return sk_send(r, fd, s, strlen(s), who);
}

int sk_recv_exact(struct run *r, int fd, size_t n, const char *who)
{
  char buf[4096];
  while (n) {
    ssize_t k;
    TRY(sk_wait(r, fd, POLLIN, IO_MS, who));
    k = recv(fd, buf, n < sizeof buf ? n : sizeof buf, 0);
    if (k < 0 && errno == EINTR && !g_signal)
      continue;
    if (k <= 0) {
      fail(r, "%s: recv: %s with %zu bytes still expected", who, k < 0 ? errname(errno) : "EOF", n);
      return -1;
    }
    n -= (size_t)k;
  }
  return 0;
}

/* Read until EOF; the byte count read on the way is returned in *got. */
int sk_read_to_eof(struct run *r, int fd, int ms, size_t *got, const char *who)
{
  char buf[4096];
  int64_t end = now_ns() + (int64_t)ms * 1000000;
  if (got)
    *got = 0;
  for (;;) {
    ssize_t k;
    int left = (int)((end - now_ns()) / 1000000);
    TRY(sk_wait(r, fd, POLLIN, left > 0 ? left : 0, who));
    k = recv(fd, buf, sizeof buf, 0);
    if (k < 0 && errno == EINTR && !g_signal)
      continue;
    if (k < 0) {
      fail(r, "%s: recv: %s, expected EOF", who, errname(errno));
      return -1;
    }
    if (k == 0)
      return 0;
    if (got)
      *got += (size_t)k;
  }
}

int sk_expect_eof(struct run *r, int fd, const char *who)
{
  size_t extra;
  TRY(sk_read_to_eof(r, fd, IO_MS, &extra, who));
  if (extra) {
    fail(r, "%s: %zu unexpected bytes before EOF", who, extra);
    return -1;
  }
  return 0;
}

/* Read (through any queued data) until a call fails with want1 or want2. */
int sk_expect_err(struct run *r, int fd, int want1, int want2, int ms, int *got, const char *who)
{
  char buf[65536];
  int64_t end = now_ns() + (int64_t)ms * 1000000;
  for (;;) {
    ssize_t k;
    int left = (int)((end - now_ns()) / 1000000);
    TRY(sk_wait(r, fd, POLLIN, left > 0 ? left : 0, who));
    k = recv(fd, buf, sizeof buf, 0);
    if (k > 0)
      continue;
    if (k < 0 && errno == EINTR && !g_signal)
      continue;
    if (k < 0 && (errno == want1 || errno == want2)) {
      if (got)
        *got = errno;
      return 0;
    }
    fail(r, "%s: recv gave %s, expected %s", who, k == 0 ? "EOF" : errname(errno), errname(want1));
    return -1;
  }
}

int sk_linger0(struct run *r, int fd)
{
  struct linger lg = {1, 0};
  if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) < 0) {
    fail(r, "SO_LINGER: %s", strerror(errno));
    return -1;
  }
  return 0;
}

int sk_keepalive(struct run *r, int fd, int idle, int intvl, int cnt)
{
  TRY(sk_opt(r, fd, IPPROTO_TCP, TCP_KEEPIDLE, idle, "TCP_KEEPIDLE"));
  TRY(sk_opt(r, fd, IPPROTO_TCP, TCP_KEEPINTVL, intvl, "TCP_KEEPINTVL"));
  TRY(sk_opt(r, fd, IPPROTO_TCP, TCP_KEEPCNT, cnt, "TCP_KEEPCNT"));
  return sk_opt(r, fd, SOL_SOCKET, SO_KEEPALIVE, 1, "SO_KEEPALIVE");
}

/* One request/response: the shape every "after an exchange" starts with. */
int xchg(struct run *r, int c, int s, int n)
{
  char req[128], resp[256];
  snprintf(req, sizeof req, "GET /%s/%d HTTP/1.1\r\nHost: tcpclose.test\r\n\r\n", r->sc->name, n);
  snprintf(resp, sizeof resp, "HTTP/1.1 200 OK\r\nContent-Length: 12\r\nX-Conn: %d\r\n\r\nhello world\n", n);
  TRY(sk_send_str(r, c, req, "client"));
  TRY(sk_recv_exact(r, s, strlen(req), "server"));
  TRY(sk_send_str(r, s, resp, "server"));
  return sk_recv_exact(r, c, strlen(resp), "client");
}

/* ------------------------------------------------------------------ */
/* declared expectations                                                */

static struct cexp *exp_new(struct run *r, const struct outcome *o, const char *why)
{
  struct cexp *e;
  if (r->nexp == r->capexp) {
    size_t nc = r->capexp ? r->capexp * 2 : 8;
    struct cexp *ne = realloc(r->exp, nc * sizeof *ne);
    if (!ne) {
      fail(r, "out of memory");
      return NULL;
    }
    r->exp = ne;
    r->capexp = nc;
  }
  e = &r->exp[r->nexp++];
  memset(e, 0, sizeof *e);
  e->o = *o;
  e->note = why;
  return e;
}

/* Endpoints from a connected client socket: getsockname/getpeername. */
int exp_fd(struct run *r, int cfd, const struct outcome *o, const char *why)
{
  struct sockaddr_storage a, b;
  socklen_t la = sizeof a, lb = sizeof b;
  struct cexp *e;
  if (getsockname(cfd, (struct sockaddr *)&a, &la) < 0 || getpeername(cfd, (struct sockaddr *)&b, &lb) < 0) {
    fail(r, "getsockname/getpeername: %s", strerror(errno));
    return -1;
  }
  e = exp_new(r, o, why);
  if (!e)
    return -1;
  fmt_sa(&a, e->client, sizeof e->client);
  fmt_sa(&b, e->server, sizeof e->server);
  return 0;
}

/* For connects that never complete: the client was bound first, so
 * getsockname has its port; the server is the address it was sent to. */
int exp_bound(struct run *r, int cfd, int fam, const char *srv, int port, const struct outcome *o,
                     const char *why)
{
  struct sockaddr_storage a, b;
  socklen_t la = sizeof a, lb;
  struct cexp *e;
  if (getsockname(cfd, (struct sockaddr *)&a, &la) < 0) {
    fail(r, "getsockname: %s", strerror(errno));
    return -1;
  }
  mk_sa(&b, &lb, fam, srv, port);
  e = exp_new(r, o, why);
  if (!e)
    return -1;
  fmt_sa(&a, e->client, sizeof e->client);
  fmt_sa(&b, e->server, sizeof e->server);
  return 0;
}

