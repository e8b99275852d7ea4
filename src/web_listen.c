/*
 * web_listen.c -- the dashboard's listener: connection caps, a short idle
 * time before the first request, and a quiet log under a flood.
 *
 * DESIGN
 * libevent 2.1's evhttp has no connection cap and no hook at accept or
 * at close (evhttp_set_newreqcb and evhttp_set_max_connections came with
 * 2.2), and evhttp_bind_listener() takes the listener's accept callback
 * for itself.  What 2.1 does offer:
 *
 *  - evhttp_set_bevcb(): evhttp asks us for the bufferevent of every
 *    connection it accepts, inside the listener's accept loop, before it
 *    sets the socket on it.  We make it, take a reference of our own
 *    (bufferevent_incref) and count one connection.  At the cap we
 *    disable the listener, which also ends the accept loop; new clients
 *    then wait in the kernel's backlog and cost us no descriptor.
 *  - When evhttp frees a connection, bufferevent_free() clears the
 *    callbacks and drops evhttp's reference; ours keeps the bufferevent
 *    and (BEV_OPT_CLOSE_ON_FREE) its socket until a sweep, every
 *    WL_SWEEP_MS, sees the callbacks cleared and drops it.  So the count
 *    is exactly the descriptors the web holds, never fewer, and the
 *    listener resumes as soon as the sweep has made room.
 *  - Right after the accept loop (an event we activate), each new
 *    connection's peer is read: one address beyond per_client is shut
 *    down (evhttp sees the end and frees it), the others get a read
 *    timeout of WL_IDLE_S: a client that sends nothing is gone soon.
 *  - evconnlistener_set_error_cb() replaces libevent's own "Error from
 *    accept() call" warning, which it would print for every attempt
 *    while the process is out of descriptors: we pause accepting for a
 *    second instead (accept would fail again at once, a busy loop) and
 *    say so at most once a minute.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "log.h"
#include "util.h"
#include "web_listen.h"
#include "xmalloc.h"

#define WL_BACKLOG	128
#define WL_IDLE_S	5	/* read idle: before and between requests */
#define WL_WRITE_S	10	/* a reply that makes no progress */
#define WL_SWEEP_MS	200
#define WL_RETRY_MS	1000	/* after an accept error */
#define WL_SAY_MS	60000	/* one line a minute per kind, at most */

struct wl_conn {
	struct bufferevent	*bev;	/* our reference */
	int			 seen;	/* peer read, timeouts set */
	struct sockaddr_storage	 peer;
	socklen_t		 peerlen;
};

/* A log line said at most once per WL_SAY_MS, with what it kept quiet. */
struct wl_say {
	uint64_t		 last_ms;
	unsigned long		 quiet;
};

struct web_listen {
	struct event_base	*base;
	struct evconnlistener	*lev;	/* evhttp's once bound */
	struct wl_conn		*conns;
	size_t			 nconns, cap;
	unsigned		 max, per_client;
	int			 full;	/* paused: at the cap */
	int			 erred;	/* paused: accept failed */
	struct event		*ev_new, *ev_sweep, *ev_retry;
	unsigned long long	 refused, accept_errors;
	struct wl_say		 say_err, say_full, say_client;
};

/* The one instance: libevent's error callback gets evhttp's argument. */
static struct web_listen	*wl_current;

/* Log fmt unless said less than WL_SAY_MS ago; count what was kept. */
static int
wl_say_due(struct wl_say *s)
{
	uint64_t	now = util_mono_ms();

	if (s->last_ms != 0 && now - s->last_ms < WL_SAY_MS) {
		s->quiet++;
		return 0;
	}
	s->last_ms = now;
	return 1;
}

/* Accept again when neither the cap nor an error holds it. */
static void
wl_resume(struct web_listen *wl)
{
	if (wl->full && wl->nconns < wl->max) {
		wl->full = 0;
		if (!wl->erred)
			evconnlistener_enable(wl->lev);
	}
}

/* Two addresses are the same client when the host part is equal. */
static int
wl_same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)a)->sin_addr,
		    &((const struct sockaddr_in *)b)->sin_addr,
		    sizeof(struct in_addr)) == 0;
	if (a->ss_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		    &((const struct sockaddr_in6 *)b)->sin6_addr,
		    sizeof(struct in6_addr)) == 0;
	return 0;
}

/* evhttp: a connection was accepted; its bufferevent is ours to make. */
static struct bufferevent *
wl_bevcb(struct event_base *base, void *arg)
{
	struct web_listen	*wl = arg;
	struct bufferevent	*bev;

	if ((bev = bufferevent_socket_new(base, -1,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL)
		return NULL;	/* evhttp makes its own, uncounted */
	bufferevent_incref(bev);
	if (wl->nconns == wl->cap) {
		wl->cap = wl->cap == 0 ? 64 : wl->cap * 2;
		wl->conns = xreallocarray(wl->conns, wl->cap,
		    sizeof *wl->conns);
	}
	memset(&wl->conns[wl->nconns], 0, sizeof wl->conns[0]);
	wl->conns[wl->nconns++].bev = bev;
	if (wl->nconns >= wl->max && !wl->full) {
		/* Also ends libevent's accept loop for this round. */
		wl->full = 1;
		evconnlistener_disable(wl->lev);
		if (wl_say_due(&wl->say_full))
			log_warn("web: %u connections, the cap "
			    "(max_connections): new ones wait",
			    wl->max);
	}
	event_active(wl->ev_new, EV_TIMEOUT, 1);
	return bev;
}

/* After the accept loop: read each new peer, cap it, set its idle time. */
static void
wl_on_new(evutil_socket_t fd0, short what, void *arg)
{
	struct web_listen	*wl = arg;
	struct wl_conn		*c;
	struct timeval		 idle = { WL_IDLE_S, 0 };
	struct timeval		 wr = { WL_WRITE_S, 0 };
	evutil_socket_t		 fd;
	size_t			 i, j;
	unsigned		 same;

	for (i = 0; i < wl->nconns; i++) {
		c = &wl->conns[i];
		if (c->seen)
			continue;
		c->seen = 1;
		if ((fd = bufferevent_getfd(c->bev)) == -1)
			continue;	/* already closed by evhttp */
		c->peerlen = sizeof c->peer;
		if (getpeername(fd, (struct sockaddr *)&c->peer,
		    &c->peerlen) == -1) {
			c->peerlen = 0;
			continue;
		}
		bufferevent_set_timeouts(c->bev, &idle, &wr);
		same = 0;
		for (j = 0; j < wl->nconns; j++)
			if (j != i && wl->conns[j].seen &&
			    wl->conns[j].peerlen > 0 &&
			    wl_same_host(&wl->conns[j].peer, &c->peer))
				same++;
		if (same < wl->per_client)
			continue;
		/* evhttp reads the end and frees it; the sweep closes it. */
		shutdown(fd, SHUT_RDWR);
		c->peerlen = 0;
		wl->refused++;
		if (wl_say_due(&wl->say_client))
			log_warn("web: more than %u connections from one "
			    "address: the extra ones are closed",
			    wl->per_client);
	}
}

/* Drop our reference to connections evhttp has freed; maybe resume. */
static void
wl_sweep(evutil_socket_t fd, short what, void *arg)
{
	struct web_listen	*wl = arg;
	bufferevent_data_cb	 rd, wr;
	bufferevent_event_cb	 ev;
	void			*cbarg;
	size_t			 i = 0;

	while (i < wl->nconns) {
		bufferevent_getcb(wl->conns[i].bev, &rd, &wr, &ev, &cbarg);
		if (rd != NULL || wr != NULL || ev != NULL) {
			i++;
			continue;
		}
		bufferevent_decref(wl->conns[i].bev);
		wl->conns[i] = wl->conns[--wl->nconns];
	}
	wl_resume(wl);
}

/* After an accept error: try again. */
static void
wl_retry(evutil_socket_t fd, short what, void *arg)
{
	struct web_listen	*wl = arg;

	wl->erred = 0;
	if (!wl->full)
		evconnlistener_enable(wl->lev);
}

/*
 * libevent: accept() failed with something other than "try again".
 * Out of descriptors or memory, it would fail at once again: pause.
 */
static void
wl_on_error(struct evconnlistener *lev, void *arg)
{
	struct web_listen	*wl = wl_current;
	struct timeval		 tv = { WL_RETRY_MS / 1000,
				    (WL_RETRY_MS % 1000) * 1000 };
	int			 err = EVUTIL_SOCKET_ERROR();

	(void)arg;
	if (wl == NULL || wl->lev != lev)
		return;
	wl->accept_errors++;
	if (wl_say_due(&wl->say_err)) {
		if (wl->say_err.quiet > 0)
			log_warn("web: accept: %s; new connections paused "
			    "for a second (%lu more such errors in the last "
			    "minute)", strerror(err), wl->say_err.quiet);
		else
			log_warn("web: accept: %s; new connections paused "
			    "for a second", strerror(err));
		wl->say_err.quiet = 0;
	}
	wl->erred = 1;
	evconnlistener_disable(lev);
	evtimer_add(wl->ev_retry, &tv);
}

struct web_listen *
web_listen_new(struct event_base *base, struct evhttp *http, const char *host,
    unsigned short port, unsigned max, unsigned per_client)
{
	struct web_listen	*wl;
	struct evutil_addrinfo	 hints, *ai = NULL;
	struct timeval		 sweep = { 0, WL_SWEEP_MS * 1000 };
	char			 portstr[8];
	int			 rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = EVUTIL_AI_PASSIVE | EVUTIL_AI_ADDRCONFIG;
	snprintf(portstr, sizeof portstr, "%u", port);
	if ((rc = evutil_getaddrinfo(host, portstr, &hints, &ai)) != 0) {
		errno = EADDRNOTAVAIL;
		return NULL;
	}
	wl = xcalloc(1, sizeof *wl);
	wl->base = base;
	wl->max = max > 0 ? max : 1;
	wl->per_client = per_client > 0 ? per_client : 1;
	wl->lev = evconnlistener_new_bind(base, NULL, NULL,
	    LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE,
	    WL_BACKLOG, ai->ai_addr, (int)ai->ai_addrlen);
	evutil_freeaddrinfo(ai);
	if (wl->lev == NULL) {
		free(wl);
		return NULL;
	}
	if ((wl->ev_new = event_new(base, -1, 0, wl_on_new, wl)) == NULL ||
	    (wl->ev_sweep = event_new(base, -1, EV_PERSIST, wl_sweep,
	    wl)) == NULL ||
	    (wl->ev_retry = evtimer_new(base, wl_retry, wl)) == NULL)
		fatal("web: event_new failed");
	/* evhttp takes the accept callback; the error one stays ours. */
	if (evhttp_bind_listener(http, wl->lev) == NULL)
		fatal("web: evhttp_bind_listener failed");
	evconnlistener_set_error_cb(wl->lev, wl_on_error);
	evhttp_set_bevcb(http, wl_bevcb, wl);
	event_add(wl->ev_sweep, &sweep);
	wl_current = wl;
	log_info("web: at most %u connections, %u from one address",
	    wl->max, wl->per_client);
	return wl;
}

void
web_listen_free(struct web_listen *wl)
{
	size_t	i;

	if (wl == NULL)
		return;
	if (wl_current == wl)
		wl_current = NULL;
	event_free(wl->ev_new);
	event_free(wl->ev_sweep);
	event_free(wl->ev_retry);
	for (i = 0; i < wl->nconns; i++)
		bufferevent_decref(wl->conns[i].bev);
	free(wl->conns);
	free(wl);
}

void
web_listen_stats(const struct web_listen *wl, struct web_listen_stats *st)
{
	memset(st, 0, sizeof *st);
	if (wl == NULL)
		return;
	st->open = (unsigned)wl->nconns;
	st->max = wl->max;
	st->per_client = wl->per_client;
	st->paused = wl->full || wl->erred;
	st->refused = wl->refused;
	st->accept_errors = wl->accept_errors;
}
