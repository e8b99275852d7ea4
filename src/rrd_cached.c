/*
 * rrd_cached.c -- a small rrdcached client for BATCH: connect (unix:PATH,
 * /PATH, host, host:port or [v6]:port, as rrdc_connect reads them), send,
 * read reply lines, with a timeout so that a stuck daemon cannot hold
 * the writer.  What is sent and how the replies map back to files is the
 * writer's business (rrd_store.c).
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "rrd_cached.h"
#include "xmalloc.h"

#define RRD_IO_TIMEOUT_S	15
#define RRDCACHED_PORT		"42217"

/* Drop the BATCH connection. */
void
rrd_bclient_close(struct rrd_bclient *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	c->inlen = 0;
}

/*
 * Connect to addr as rrdc_connect reads it: unix:PATH or /PATH, else
 * host, host:port, [v6addr] or [v6addr]:port (port 42217 by default).
 * 0, or -1 with why in err.
 */
int
rrd_bclient_connect(struct rrd_bclient *c, const char *addr, char *err,
    size_t errlen)
{
	struct sockaddr_un	 sun;
	struct addrinfo		 hints, *res = NULL, *ai;
	struct timeval		 tv;
	char			 host[256], *port = NULL, *e;
	const char		*path = NULL;
	int			 fd = -1, rc, saved = 0;

	rrd_bclient_close(c);
	if (strncmp(addr, "unix:", 5) == 0)
		path = addr + 5;
	else if (addr[0] == '/')
		path = addr;
	if (path != NULL) {
		memset(&sun, 0, sizeof sun);
		sun.sun_family = AF_UNIX;
		if (strlen(path) >= sizeof sun.sun_path) {
			snprintf(err, errlen, "socket path too long");
			return -1;
		}
		memcpy(sun.sun_path, path, strlen(path) + 1);
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC,
		    0)) == -1 || connect(fd, (struct sockaddr *)&sun,
		    sizeof sun) == -1) {
			snprintf(err, errlen, "%s", strerror(errno));
			if (fd != -1)
				close(fd);
			return -1;
		}
	} else {
		snprintf(host, sizeof host, "%s", addr);
		if (host[0] == '[') {
			if ((e = strchr(host, ']')) == NULL) {
				snprintf(err, errlen, "malformed address");
				return -1;
			}
			*e++ = '\0';
			if (*e == ':')
				port = e + 1;
			memmove(host, host + 1, strlen(host + 1) + 1);
		} else if ((e = strchr(host, ':')) != NULL &&
		    strchr(e + 1, ':') == NULL) {
			/* One colon: host:port (more: a bare IPv6 address). */
			*e = '\0';
			port = e + 1;
		}
		memset(&hints, 0, sizeof hints);
		hints.ai_family = AF_UNSPEC;
		hints.ai_socktype = SOCK_STREAM;
		if ((rc = getaddrinfo(host, port != NULL && *port != '\0' ?
		    port : RRDCACHED_PORT, &hints, &res)) != 0) {
			snprintf(err, errlen, "%s", gai_strerror(rc));
			return -1;
		}
		for (ai = res; ai != NULL; ai = ai->ai_next) {
			if ((fd = socket(ai->ai_family, ai->ai_socktype |
			    SOCK_CLOEXEC, ai->ai_protocol)) == -1) {
				saved = errno;
				continue;
			}
			if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
				break;
			saved = errno;
			close(fd);
			fd = -1;
		}
		freeaddrinfo(res);
		if (fd == -1) {
			snprintf(err, errlen, "%s", strerror(saved));
			return -1;
		}
	}
	/* A stuck rrdcached must not stop the writer for good. */
	tv.tv_sec = RRD_IO_TIMEOUT_S;
	tv.tv_usec = 0;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	c->fd = fd;
	c->inlen = 0;
	return 0;
}

/* Send all of p[0..n); 0 or -1. */
int
rrd_bclient_send(struct rrd_bclient *c, const char *p, size_t n)
{
	ssize_t	k;

	while (n > 0) {
		if ((k = send(c->fd, p, n, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/*
 * One reply line into line (without the newline; cut to len); 0, or -1
 * when the connection broke or timed out.
 */
int
rrd_bclient_line(struct rrd_bclient *c, char *line, size_t len)
{
	char	*nl;
	size_t	 n;
	ssize_t	 k;

	for (;;) {
		if ((nl = memchr(c->in, '\n', c->inlen)) != NULL) {
			n = (size_t)(nl - c->in);
			snprintf(line, len, "%.*s", (int)n, c->in);
			memmove(c->in, nl + 1, c->inlen - n - 1);
			c->inlen -= n + 1;
			return 0;
		}
		if (c->inlen == sizeof c->in)
			c->inlen = 0;	/* absurd line: drop its start */
		k = recv(c->fd, c->in + c->inlen, sizeof c->in - c->inlen, 0);
		if (k == -1 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		c->inlen += (size_t)k;
	}
}
