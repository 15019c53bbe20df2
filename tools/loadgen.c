/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * loadgen.c -- tc-loadgen: many short TCP connections on loopback, closed in
 * every way, to load a live capture (bench/live.sh).
 *
 *   tc-loadgen [--conns N] [--duration S] [--concurrency K] [--rate R]
 *              [--rounds N] [--req B] [--resp B] [--port P] [--closed-port Q]
 *              [--quiet]
 *
 * One thread, one epoll set, both ends of every connection in this process:
 * a listener on 127.0.0.1:P (P = 0: a free port), a port Q bound but never
 * listening (0: a free one) for the refused connects, and up to K clients in
 * flight. Each client makes `rounds` request/response exchanges (req bytes
 * up, resp bytes down, TCP_NODELAY), then ends the way its fate says,
 * taken in turn from:
 *
 *   graceful_client  the client closes first (FIN), the server on EOF
 *   graceful_server  the server closes first after its last response
 *   abort_client     SO_LINGER {1, 0} then close: an RST from the client
 *   abort_server     the same from the server after its last response
 *   half_close       the client shutdown(SHUT_WR)s after its last request;
 *                    the server answers, then closes on EOF
 *   refused          a connect to a port nothing listens on: SYN, RST
 *
 * The server learns a connection's fate from the first byte of its first
 * request. Opening stops after N connections or S seconds, whichever comes
 * first (R > 0 paces them at R per second); the connections in flight then
 * get at most 5 s to finish, and the rest are closed. Loopback only: every
 * address is 127.0.0.1. Prints what was done and the connection rate; the
 * packet rate is what a capture counts (bench/live.sh reads tcpclose's).
 * Exit status 0 when every connection ended as its fate says, 1 otherwise.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum fate {
	F_GRACEFUL_CLIENT,
	F_GRACEFUL_SERVER,
	F_ABORT_CLIENT,
	F_ABORT_SERVER,
	F_HALF_CLOSE,
	F_REFUSED,
	F__COUNT
};

static const char *const fate_name[F__COUNT] = {
	"graceful_client", "graceful_server", "abort_client", "abort_server", "half_close", "refused",
};

enum role { R_FREE = 0, R_LISTEN, R_CLIENT, R_SERVER };

enum state {
	S_CONNECTING, /* client: connect() in progress */
	S_EXCHANGE,   /* reading the other side's message of the round */
	S_WAIT_EOF,   /* the exchange is over: waiting for the peer's FIN or RST */
};

/* One socket, indexed by its descriptor. */
struct sock {
	uint8_t role, fate, state, round;
	uint8_t fate_known; /* server: the first byte has been read */
	uint8_t close_after; /* server: close once out_left drains */
	uint8_t shut_after; /* client (half_close): shutdown(SHUT_WR) then */
	uint8_t ev_out;     /* EPOLLOUT is in the interest set */
	uint32_t in_need;   /* bytes still to read this round */
	uint32_t out_left;  /* bytes still to write of the current message */
	uint32_t out_len;   /* that message's length */
};

static struct {
	uint64_t conns, rate;
	double duration;
	unsigned conc, rounds, req, resp;
	int port, closed_port, quiet;
} cfg = {1000, 0, 10.0, 2000, 1, 100, 600, 0, 0, 0};

static struct sock *socks;
static int nsocks, ep;
static struct sockaddr_in srv, closed_addr;
static unsigned char *msgbuf[F__COUNT]; /* each fate's request: fate byte, zeros */
static unsigned char *respbuf;

static uint64_t opened, inflight, done[F__COUNT], early[F__COUNT], errors;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "tc-loadgen: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void watch(int fd, uint32_t events, int add)
{
	struct epoll_event e = {.events = events, .data.fd = fd};
	if (epoll_ctl(ep, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &e) != 0)
		die("epoll_ctl");
}

static void linger0(int fd)
{
	struct linger l = {1, 0};
	(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
}

/* Close a socket; for a client, the connection is over (ok: as its fate
 * said, else counted as an early end). */
static void finish(int fd, int ok)
{
	struct sock *s = &socks[fd];

	if (s->role == R_CLIENT) {
		if (ok)
			done[s->fate]++;
		else
			early[s->fate]++;
		inflight--;
	}
	close(fd); /* also removes it from the epoll set */
	memset(s, 0, sizeof(*s));
}

/* Write what is left of the current message; 1 when it is all out. */
static int flush_out(int fd)
{
	struct sock *s = &socks[fd];
	const unsigned char *buf = s->role == R_CLIENT ? msgbuf[s->fate] : respbuf;

	while (s->out_left) {
		ssize_t n = write(fd, buf + (s->out_len - s->out_left), s->out_left);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			return -1;
		}
		s->out_left -= (uint32_t)n;
	}
	if (!s->out_left && s->shut_after) {
		(void)shutdown(fd, SHUT_WR);
		s->shut_after = 0;
	}
	if ((s->out_left != 0) != s->ev_out) {
		s->ev_out = s->out_left != 0;
		watch(fd, EPOLLIN | (s->ev_out ? EPOLLOUT : 0), 0);
	}
	return s->out_left == 0;
}

static void send_msg(int fd, uint32_t len)
{
	socks[fd].out_len = socks[fd].out_left = len;
}

/* The client's end of the exchange, when the round's response is in. */
static void client_round_done(int fd)
{
	struct sock *s = &socks[fd];

	if (++s->round < cfg.rounds) {
		s->in_need = cfg.resp;
		send_msg(fd, cfg.req);
		s->shut_after = s->round + 1u == cfg.rounds && s->fate == F_HALF_CLOSE;
		if (flush_out(fd) < 0)
			finish(fd, 0);
		return;
	}
	switch (s->fate) {
	case F_GRACEFUL_CLIENT: finish(fd, 1); break;
	case F_ABORT_CLIENT:
		linger0(fd);
		finish(fd, 1);
		break;
	default: s->state = S_WAIT_EOF; break;
	}
}

/* The server's answer to a whole request. */
static void server_round_done(int fd)
{
	struct sock *s = &socks[fd];
	int last = ++s->round >= cfg.rounds;
	int r;

	send_msg(fd, cfg.resp);
	s->in_need = cfg.req;
	if (last && (s->fate == F_GRACEFUL_SERVER || s->fate == F_ABORT_SERVER))
		s->close_after = 1;
	if (last)
		s->state = S_WAIT_EOF;
	r = flush_out(fd);
	if (r < 0) {
		finish(fd, 0);
	} else if (r > 0 && s->close_after) {
		if (s->fate == F_ABORT_SERVER)
			linger0(fd);
		finish(fd, 1);
	}
}

static void on_readable(int fd)
{
	static unsigned char sink[65536];
	struct sock *s = &socks[fd];

	for (;;) {
		size_t want = s->state == S_EXCHANGE && s->in_need ? s->in_need : sizeof(sink);
		ssize_t n;

		if (want > sizeof(sink))
			want = sizeof(sink);
		n = read(fd, sink, want);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			/* EOF or RST: the end a waiting side expects; an error
			 * anywhere else. An RST from the server may also cut
			 * the client short of its response. */
			int ok = s->state == S_WAIT_EOF ||
				 (s->role == R_CLIENT && s->fate == F_ABORT_SERVER && s->round + 1u >= cfg.rounds);
			finish(fd, ok);
			return;
		}
		if (s->state != S_EXCHANGE)
			continue; /* data after the exchange: not expected, drained */
		if (s->role == R_SERVER && !s->fate_known) {
			s->fate = sink[0] < F__COUNT ? sink[0] : F_GRACEFUL_CLIENT;
			s->fate_known = 1;
		}
		s->in_need -= (uint32_t)n;
		if (s->in_need)
			continue;
		if (s->role == R_CLIENT)
			client_round_done(fd);
		else
			server_round_done(fd);
		if (!socks[fd].role)
			return; /* closed */
	}
}

static void on_writable(int fd)
{
	struct sock *s = &socks[fd];
	int r;

	if (s->role == R_CLIENT && s->state == S_CONNECTING) {
		int err = 0;
		socklen_t len = sizeof(err);
		(void)getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (s->fate == F_REFUSED) {
			finish(fd, err == ECONNREFUSED);
			return;
		}
		if (err) {
			finish(fd, 0);
			return;
		}
		s->state = S_EXCHANGE;
		s->in_need = cfg.resp;
		send_msg(fd, cfg.req);
		s->shut_after = cfg.rounds == 1 && s->fate == F_HALF_CLOSE;
		if (flush_out(fd) < 0)
			finish(fd, 0);
		return;
	}
	r = flush_out(fd);
	if (r < 0)
		finish(fd, 0);
	else if (r > 0 && s->role == R_SERVER && s->close_after) {
		if (s->fate == F_ABORT_SERVER)
			linger0(fd);
		finish(fd, 1);
	}
}

static void on_events(int fd, uint32_t ev)
{
	if (socks[fd].role == R_LISTEN) {
		for (;;) {
			int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), one = 1;
			if (c < 0) {
				if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
					errors++;
				return;
			}
			if (c >= nsocks) {
				close(c);
				errors++;
				continue;
			}
			(void)setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			socks[c] = (struct sock){.role = R_SERVER, .state = S_EXCHANGE, .in_need = cfg.req};
			watch(c, EPOLLIN, 1);
		}
	}
	if (ev & EPOLLOUT) {
		on_writable(fd);
		if (!socks[fd].role)
			return;
	}
	if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		if (socks[fd].role == R_CLIENT && socks[fd].state == S_CONNECTING)
			on_writable(fd); /* a refused connect reports as an error */
		else
			on_readable(fd);
	}
}

static void open_one(void)
{
	enum fate f = (enum fate)(opened % F__COUNT);
	const struct sockaddr_in *to = f == F_REFUSED ? &closed_addr : &srv;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;

	opened++;
	if (fd < 0 || fd >= nsocks) {
		if (fd >= 0)
			close(fd);
		errors++;
		return;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	socks[fd] = (struct sock){.role = R_CLIENT, .fate = (uint8_t)f, .state = S_CONNECTING, .ev_out = 1};
	inflight++;
	if (connect(fd, (const struct sockaddr *)to, sizeof(*to)) != 0 && errno != EINPROGRESS) {
		finish(fd, f == F_REFUSED && errno == ECONNREFUSED);
		return;
	}
	watch(fd, EPOLLOUT, 1);
}

static void usage(void)
{
	fputs("usage: tc-loadgen [--conns N] [--duration S] [--concurrency K] [--rate R]\n"
	      "                  [--rounds N] [--req B] [--resp B] [--port P] [--closed-port Q]\n"
	      "                  [--quiet]\n",
	      stderr);
	exit(2);
}

static unsigned long long num(const char *s, unsigned long long max)
{
	char *end;
	unsigned long long v;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || v > max)
		usage();
	return v;
}

int main(int argc, char **argv)
{
	struct epoll_event evs[512];
	struct rlimit rl;
	socklen_t alen = sizeof(srv);
	double t0, t_stop, t_end;
	int lfd, tmp, i, one = 1;
	uint64_t total_done = 0, total_early = 0;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--quiet")) {
			cfg.quiet = 1;
			continue;
		}
		if (!v)
			usage();
		i++;
		if (!strcmp(a, "--conns")) cfg.conns = num(v, 1ULL << 40);
		else if (!strcmp(a, "--duration")) cfg.duration = (double)num(v, 3600);
		else if (!strcmp(a, "--concurrency")) cfg.conc = (unsigned)num(v, 100000);
		else if (!strcmp(a, "--rate")) cfg.rate = num(v, 10000000);
		else if (!strcmp(a, "--rounds")) cfg.rounds = (unsigned)num(v, 200);
		else if (!strcmp(a, "--req")) cfg.req = (unsigned)num(v, 65536);
		else if (!strcmp(a, "--resp")) cfg.resp = (unsigned)num(v, 1 << 20);
		else if (!strcmp(a, "--port")) cfg.port = (int)num(v, 65535);
		else if (!strcmp(a, "--closed-port")) cfg.closed_port = (int)num(v, 65535);
		else usage();
	}
	if (!cfg.conc || !cfg.rounds || !cfg.req || !cfg.resp)
		usage();
	signal(SIGPIPE, SIG_IGN);

	/* Both ends of every connection, and a margin for the listener. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		die("getrlimit");
	nsocks = rl.rlim_cur > 1000000 ? 1000000 : (int)rl.rlim_cur;
	if ((unsigned)nsocks < 2 * cfg.conc + 16) {
		fprintf(stderr, "tc-loadgen: --concurrency %u needs %u descriptors, the limit is %d\n",
			cfg.conc, 2 * cfg.conc + 16, nsocks);
		return 2;
	}
	socks = calloc((size_t)nsocks, sizeof(*socks));
	respbuf = calloc(1, cfg.resp);
	if (!socks || !respbuf)
		die("calloc");
	for (i = 0; i < F__COUNT; i++) {
		if (!(msgbuf[i] = calloc(1, cfg.req)))
			die("calloc");
		msgbuf[i][0] = (unsigned char)i;
	}

	memset(&srv, 0, sizeof(srv));
	srv.sin_family = AF_INET;
	srv.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	srv.sin_port = htons((uint16_t)cfg.port);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		die("socket");
	(void)setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&srv, sizeof(srv)) != 0 || listen(lfd, 65535) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&srv, &alen) != 0)
		die("listen on 127.0.0.1");
	/* A port nothing listens on: bound, never listening, so no other
	 * program takes it while this runs; connects to it are refused. */
	closed_addr = srv;
	closed_addr.sin_port = htons((uint16_t)cfg.closed_port);
	tmp = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	alen = sizeof(closed_addr);
	if (tmp >= 0)
		(void)setsockopt(tmp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (tmp < 0 || bind(tmp, (struct sockaddr *)&closed_addr, sizeof(closed_addr)) != 0 ||
	    getsockname(tmp, (struct sockaddr *)&closed_addr, &alen) != 0)
		die("a closed port");

	if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		die("epoll_create1");
	if (lfd >= nsocks)
		return 2;
	socks[lfd].role = R_LISTEN;
	watch(lfd, EPOLLIN, 1);
	if (!cfg.quiet)
		fprintf(stderr, "tc-loadgen: server 127.0.0.1:%u, refused port %u\n", ntohs(srv.sin_port),
			ntohs(closed_addr.sin_port));
	printf("port %u %u\n", ntohs(srv.sin_port), ntohs(closed_addr.sin_port));
	fflush(stdout);

	t0 = now_s();
	t_stop = t0 + cfg.duration;
	t_end = 0;
	for (;;) {
		double t = now_s();
		int n;

		if (!t_end && (opened >= cfg.conns || t >= t_stop))
			t_end = t;
		if (!t_end) {
			/* Keep K in flight, paced at R per second when R is set. */
			uint64_t allow = cfg.conns - opened;
			if (cfg.rate) {
				uint64_t due = (uint64_t)((t - t0) * (double)cfg.rate) + 1;
				allow = due > opened ? due - opened : 0;
			}
			while (allow-- && inflight < cfg.conc && opened < cfg.conns)
				open_one();
		} else if (!inflight || t > t_end + 5.0) {
			break;
		}
		n = epoll_wait(ep, evs, (int)(sizeof(evs) / sizeof(evs[0])), 1);
		if (n < 0 && errno != EINTR)
			die("epoll_wait");
		for (i = 0; i < n; i++)
			if (socks[evs[i].data.fd].role)
				on_events(evs[i].data.fd, evs[i].events);
	}
	t_end = now_s();
	/* What did not finish in time: closed with an RST, counted early. */
	for (i = 0; i < nsocks; i++)
		if (socks[i].role == R_CLIENT || socks[i].role == R_SERVER) {
			linger0(i);
			finish(i, 0);
		}

	for (i = 0; i < F__COUNT; i++) {
		total_done += done[i];
		total_early += early[i];
	}
	printf("connections %llu done %llu early %llu errors %llu seconds %.3f conn_per_s %.0f\n",
	       (unsigned long long)opened, (unsigned long long)total_done,
	       (unsigned long long)total_early, (unsigned long long)errors, t_end - t0,
	       (double)total_done / (t_end - t0));
	for (i = 0; i < F__COUNT; i++)
		printf("  %-16s done %llu early %llu\n", fate_name[i], (unsigned long long)done[i],
		       (unsigned long long)early[i]);
	return total_early || errors ? 1 : 0;
}
