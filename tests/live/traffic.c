/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * traffic.c -- tc-traffic: known TCP closes on loopback, for the live-view
 * tests (tests/live, the tmux scripts). Real sockets, so the kernel writes the segments.
 *
 *   tc-traffic --free-port
 *       print a TCP port free on 127.0.0.1 and exit
 *   tc-traffic PORT [--graceful N] [--many N] [--hold SECONDS]
 *       on 127.0.0.1:PORT, in this order:
 *         1 refused      connect before anything listens: SYN answered by RST
 *         N graceful     (default 3) request, reply; the client closes first,
 *                        the server closes on EOF: client ends in TIME_WAIT
 *         1 reset        the client aborts with SO_LINGER {1, 0}: RST
 *         1 half-open    the client shuts down its side (SHUT_WR); the server
 *                        reads EOF and never closes: the client sits in
 *                        FIN_WAIT_2, the server in CLOSE_WAIT, until exit
 *         --many N       then N more graceful connections as fast as it can
 *       prints "ready" once all that is done, then holds the half-open
 *       connection for SECONDS (default 60) or until killed.
 * Exit status 0, or 1 with a message when a step did not go as planned.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "tc-traffic: %s: %s\n", what, strerror(errno));
	exit(1);
}

static struct sockaddr_in addr_of(unsigned port)
{
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static int connect_to(unsigned port)
{
	struct sockaddr_in a = addr_of(port);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0)
		die("socket");
	if (connect(s, (struct sockaddr *)&a, sizeof(a)) != 0) {
		int e = errno;
		close(s);
		errno = e;
		return -1;
	}
	return s;
}

/* A TCP socket bound to a port of the kernel's choosing on 127.0.0.1;
 * *port is that port. */
static int bind_any(unsigned *port)
{
	struct sockaddr_in l = addr_of(0);
	socklen_t len = sizeof(l);
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (s < 0 || bind(s, (struct sockaddr *)&l, sizeof(l)) != 0 ||
	    getsockname(s, (struct sockaddr *)&l, &len) != 0)
		die("bind 127.0.0.1:0");
	*port = ntohs(l.sin_port);
	return s;
}

/*
 * connect_to() for a port nothing listens on: -1 with errno ECONNREFUSED
 * is the expected answer. The source port is bound first, and never the
 * target's: a connect to a port of the ephemeral range that the kernel
 * also picks as the source connects to itself (TCP simultaneous open) and
 * would add a connection to every count. Bounded: 16 draws.
 */
static int connect_closed(unsigned port)
{
	struct sockaddr_in a = addr_of(port);
	unsigned src;
	int s, rc, e, i;

	for (i = 0; i < 16; i++) {
		s = bind_any(&src);
		if (src != port)
			break;
		close(s);
	}
	if (i == 16)
		die("no source port other than the target's");
	rc = connect(s, (struct sockaddr *)&a, sizeof(a));
	e = errno;
	close(s);
	errno = e;
	return rc;
}

static void write_all(int s, const char *msg)
{
	size_t n = strlen(msg);
	if (write(s, msg, n) != (ssize_t)n)
		die("write");
}

static void read_some(int s)
{
	char buf[256];
	if (read(s, buf, sizeof(buf)) <= 0)
		die("read");
}

static void read_eof(int s)
{
	char buf[256];
	ssize_t n;
	while ((n = read(s, buf, sizeof(buf))) > 0)
		;
	if (n < 0)
		die("read to EOF");
}

static void nap_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static void graceful(int lst, unsigned port)
{
	int c = connect_to(port), s;
	if (c < 0)
		die("connect");
	s = accept(lst, NULL, NULL);
	if (s < 0)
		die("accept");
	write_all(c, "hello\n");
	read_some(s);
	write_all(s, "bye\n");
	read_some(c);
	close(c);       /* client closes first */
	read_eof(s);
	close(s);       /* server answers with its FIN */
}

int main(int argc, char **argv)
{
	unsigned port;
	int graceful_n = 3, many = 0, hold = 60, i, lst, one = 1, c, s, rc;
	struct sockaddr_in a;
	struct linger lg = {1, 0};

	if (argc == 2 && !strcmp(argv[1], "--free-port")) {
		lst = bind_any(&port);
		printf("%u\n", port);
		close(lst);
		return 0;
	}
	if (argc < 2 || !(port = (unsigned)strtoul(argv[1], NULL, 10)) || port > 65535) {
		fprintf(stderr, "usage: tc-traffic --free-port | PORT [--graceful N] [--many N] "
				"[--hold SECONDS]\n");
		return 2;
	}
	for (i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--graceful"))
			graceful_n = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--many"))
			many = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--hold"))
			hold = atoi(argv[i + 1]);
	}

	/* 1. Refused: nothing listens yet. */
	if ((rc = connect_closed(port)) == 0 || errno != ECONNREFUSED) {
		fprintf(stderr, "tc-traffic: port %u: expected connection refused, got %s\n", port,
			rc == 0 ? "a connection" : strerror(errno));
		return 1;
	}
	nap_ms(50);

	lst = socket(AF_INET, SOCK_STREAM, 0);
	a = addr_of(port);
	if (lst < 0 || setsockopt(lst, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(lst, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(lst, 128) != 0)
		die("listen");

	/* 2. Graceful closes, client first. */
	for (i = 0; i < graceful_n; i++) {
		graceful(lst, port);
		nap_ms(20);
	}

	/* 3. Abortive close: RST from the client. */
	c = connect_to(port);
	if (c < 0)
		die("connect (reset)");
	s = accept(lst, NULL, NULL);
	if (s < 0)
		die("accept (reset)");
	write_all(c, "abort\n");
	read_some(s);
	if (setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) != 0)
		die("SO_LINGER");
	close(c);
	nap_ms(50);
	close(s);       /* already reset: sends nothing */
	nap_ms(20);

	/* 4. Half-open: the client's FIN, never the server's. */
	c = connect_to(port);
	if (c < 0)
		die("connect (half-open)");
	s = accept(lst, NULL, NULL);
	if (s < 0)
		die("accept (half-open)");
	write_all(c, "half\n");
	if (shutdown(c, SHUT_WR) != 0)
		die("shutdown");
	read_eof(s);    /* server saw the FIN and sits in CLOSE_WAIT */

	/* 5. A burst. */
	for (i = 0; i < many; i++)
		graceful(lst, port);

	printf("ready\n");
	fflush(stdout);
	for (i = 0; i < hold * 10; i++)
		nap_ms(100);
	close(s);
	close(c);
	close(lst);
	return 0;
}
