/*
 * evcurl.c -- libcurl's multi socket API driven by a libevent event_base.
 *
 * DESIGN
 * This is the only file that knows both libcurl and libevent; it has the
 * shape of curl's hiperfifo example:
 *
 *  - libcurl tells us which sockets to watch (CURLMOPT_SOCKETFUNCTION).
 *    Each watched socket gets a struct evsock holding one libevent event;
 *    curl_multi_assign() hangs it on the socket so later calls find it.
 *  - libcurl tells us when it next wants to be called without socket
 *    activity (CURLMOPT_TIMERFUNCTION).  That callback only (re)arms our
 *    single libevent timer: calling libcurl from inside it would recurse
 *    into the multi handle (a 0 ms timeout is common right after
 *    curl_multi_add_handle).
 *  - After every curl_multi_socket_action() the message queue is drained
 *    (curl_multi_info_read) and finished transfers are harvested in a
 *    fixed order: read the message and our private pointer, take the
 *    handle out of the multi handle, unlink and free our record, and only
 *    then call the owner's callback, which owns the easy handle from then
 *    on.  The callback may therefore add or remove other transfers, or
 *    clean up its own handle, without the multi handle still holding it.
 *
 * CURLOPT_PRIVATE of every added easy handle belongs to this file, and
 * so does CURLOPT_INTERFACE: every probe leaves from [daemon] source.
 *
 * Where this file's own failures go (they are the checker's, never a
 * site's: checker_health.c sorts the transfer's errors):
 *   curl_easy_init() NULL		probe: unknown, local "memory"
 *   curl_multi_add_handle() != OK	returned to the probe: unknown, local
 *					"memory" (CURLM_OUT_OF_MEMORY) or
 *					"transfer"; not logged here, where
 *					a flood of them would flood the log
 *   event_new() for a socket		fatal: the loop cannot go on
 *
 * A share handle keeps one DNS cache for every transfer.  TLS sessions
 * are deliberately not shared: every check must make a full handshake,
 * or a broken certificate would hide behind a resumed session.
 */
#include <sys/queue.h>

#include <stdlib.h>

#include "evcurl.h"
#include "evcurl_test.h"
#include "log.h"
#include "trust_store.h"
#include "xmalloc.h"

/*
 * Easy handles kept for reuse: curl_easy_init allocates and zeroes some
 * kilobytes and the first transfer its buffers, on every check otherwise.
 * curl_easy_reset gives back a handle with default options and no share;
 * what it keeps (connections, which FORBID_REUSE closes; the TLS session
 * cache, which every probe turns off; cookies and alt-svc, never turned
 * on) carries nothing from one check to the next.
 */
#define EVCURL_POOL_MAX		64

/* One running transfer. */
struct evxfer {
	CURL			*easy;
	evcurl_done_cb		 cb;
	void			*arg;
	TAILQ_ENTRY(evxfer)	 entry;
};
TAILQ_HEAD(evxfer_list, evxfer);

/* One socket libcurl asked us to watch. */
struct evsock {
	struct evcurl		*ec;
	curl_socket_t		 fd;
	struct event		*ev;
	LIST_ENTRY(evsock)	 entry;
};
LIST_HEAD(evsock_list, evsock);

struct evcurl {
	struct event_base	*base;
	CURLM			*multi;
	CURLSH			*share;
	struct event		*timer;
	struct evxfer_list	 xfers;
	struct evsock_list	 socks;
	unsigned		 nxfers;
	CURL			*pool[EVCURL_POOL_MAX];
	unsigned		 npool;
	struct trust_store	*trust;
	char			*source;	/* "host!ADDR", or NULL: any */
};

static void	evcurl_drain(struct evcurl *);

/* Harvest every finished transfer libcurl has queued, in the fixed order. */
static void
evcurl_drain(struct evcurl *ec)
{
	CURLMsg		*msg;
	CURL		*easy;
	CURLcode	 code;
	struct evxfer	*x;
	evcurl_done_cb	 cb;
	void		*arg;
	int		 left;

	while ((msg = curl_multi_info_read(ec->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		/* msg is invalid once the handle is removed: copy first. */
		easy = msg->easy_handle;
		code = msg->data.result;
		x = NULL;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
		curl_multi_remove_handle(ec->multi, easy);
		curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
		if (x == NULL) {
			/* Not ours: cannot happen, but never leak it. */
			log_error("evcurl: finished handle without a record");
			curl_easy_cleanup(easy);
			continue;
		}
		cb = x->cb;
		arg = x->arg;
		TAILQ_REMOVE(&ec->xfers, x, entry);
		ec->nxfers--;
		free(x);
		cb(easy, code, arg);
	}
}

/* libevent: a watched socket is ready; tell libcurl which way. */
static void
evcurl_on_socket(evutil_socket_t fd, short what, void *arg)
{
	struct evsock	*s = arg;
	struct evcurl	*ec = s->ec;
	int		 flags = 0, running;

	if (what & EV_READ)
		flags |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		flags |= CURL_CSELECT_OUT;
	/* s may be freed inside socket_action (CURL_POLL_REMOVE). */
	curl_multi_socket_action(ec->multi, fd, flags, &running);
	/*
	 * No evtimer_del when nothing runs: a callback in the drain may
	 * have added a transfer that armed the timer.  libcurl disarms it
	 * itself (timeout -1) when it has nothing left to do.
	 */
	evcurl_drain(ec);
}

/* libevent: libcurl's timeout expired. */
static void
evcurl_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct evcurl	*ec = arg;
	int		 running;

	curl_multi_socket_action(ec->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	evcurl_drain(ec);
}

/* libcurl CURLMOPT_TIMERFUNCTION: only (re)arm the one timer. */
static int
evcurl_timer_cb(CURLM *multi, long timeout_ms, void *arg)
{
	struct evcurl	*ec = arg;
	struct timeval	 tv;

	if (timeout_ms < 0) {
		evtimer_del(ec->timer);
		return 0;
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	evtimer_add(ec->timer, &tv);
	return 0;
}

/* Stop watching a socket and free its record. */
static void
evsock_free(struct evsock *s)
{
	LIST_REMOVE(s, entry);
	event_free(s->ev);
	free(s);
}

/* libcurl CURLMOPT_SOCKETFUNCTION: start, change or stop watching fd. */
static int
evcurl_socket_cb(CURL *easy, curl_socket_t fd, int what, void *arg,
    void *sockp)
{
	struct evcurl	*ec = arg;
	struct evsock	*s = sockp;
	short		 kind;

	if (what == CURL_POLL_REMOVE) {
		if (s != NULL) {
			curl_multi_assign(ec->multi, fd, NULL);
			evsock_free(s);
		}
		return 0;
	}
	kind = EV_PERSIST;
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		kind |= EV_READ;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		kind |= EV_WRITE;
	if (s == NULL) {
		s = xcalloc(1, sizeof *s);
		s->ec = ec;
		s->fd = fd;
		if ((s->ev = event_new(ec->base, fd, kind, evcurl_on_socket,
		    s)) == NULL)
			fatal("evcurl: event_new failed");
		LIST_INSERT_HEAD(&ec->socks, s, entry);
		curl_multi_assign(ec->multi, fd, s);
	} else {
		event_del(s->ev);
		event_assign(s->ev, ec->base, fd, kind, evcurl_on_socket, s);
	}
	event_add(s->ev, NULL);
	return 0;
}

/* Set up a multi handle on base. */
struct evcurl *
evcurl_new(struct event_base *base)
{
	struct evcurl	*ec;
	CURL		*easy;
	char		*capath = NULL;

	ec = xcalloc(1, sizeof *ec);
	ec->base = base;
	/* The CA folder libcurl was built to trust, kept beside ca_files. */
	if ((easy = curl_easy_init()) != NULL) {
		(void)curl_easy_getinfo(easy, CURLINFO_CAPATH, &capath);
		ec->trust = trust_store_new(capath);
		curl_easy_cleanup(easy);
	} else
		ec->trust = trust_store_new(NULL);
	TAILQ_INIT(&ec->xfers);
	LIST_INIT(&ec->socks);
	if ((ec->multi = curl_multi_init()) == NULL)
		goto fail;
	if ((ec->share = curl_share_init()) == NULL)
		goto fail;
	/* DNS only: no CURL_LOCK_DATA_SSL_SESSION, see DESIGN above. */
	curl_share_setopt(ec->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	if ((ec->timer = evtimer_new(base, evcurl_on_timer, ec)) == NULL)
		goto fail;
	curl_multi_setopt(ec->multi, CURLMOPT_SOCKETFUNCTION,
	    evcurl_socket_cb);
	curl_multi_setopt(ec->multi, CURLMOPT_SOCKETDATA, ec);
	curl_multi_setopt(ec->multi, CURLMOPT_TIMERFUNCTION, evcurl_timer_cb);
	curl_multi_setopt(ec->multi, CURLMOPT_TIMERDATA, ec);
	/*
	 * Every check opens its own connection and closes it; the cache
	 * only has to hold connections still closing.
	 */
	curl_multi_setopt(ec->multi, CURLMOPT_MAXCONNECTS, 64L);
	return ec;
fail:
	if (ec->multi != NULL)
		curl_multi_cleanup(ec->multi);
	if (ec->share != NULL)
		curl_share_cleanup(ec->share);
	trust_store_free(ec->trust);
	free(ec);
	return NULL;
}

/* Abort every transfer (each gets its callback), then free everything. */
void
evcurl_free(struct evcurl *ec)
{
	struct evxfer	*x;
	unsigned	 i;
	struct evsock	*s;
	CURL		*easy;
	evcurl_done_cb	 cb;
	void		*arg;

	if (ec == NULL)
		return;
	/*
	 * Take the head each time: a callback may remove other transfers
	 * (or add new ones, which are then aborted in turn).
	 */
	while ((x = TAILQ_FIRST(&ec->xfers)) != NULL) {
		easy = x->easy;
		cb = x->cb;
		arg = x->arg;
		curl_multi_remove_handle(ec->multi, easy);
		curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
		TAILQ_REMOVE(&ec->xfers, x, entry);
		ec->nxfers--;
		free(x);
		cb(easy, CURLE_ABORTED_BY_CALLBACK, arg);
	}
	curl_multi_cleanup(ec->multi);
	/* Sockets libcurl did not hand back before it went away. */
	while ((s = LIST_FIRST(&ec->socks)) != NULL)
		evsock_free(s);
	for (i = 0; i < ec->npool; i++)
		curl_easy_cleanup(ec->pool[i]);
	/* The share handle must outlive every easy handle that used it. */
	curl_share_cleanup(ec->share);
	trust_store_free(ec->trust);
	event_free(ec->timer);
	free(ec->source);
	free(ec);
}

/*
 * The local address every transfer leaves from ([daemon] source); NULL
 * or "" = any.  "host!" makes libcurl bind to that address and never
 * take it for an interface name; a missing address then fails the bind
 * (CURLE_INTERFACE_FAILED), which is the checker's fault.
 */
void
evcurl_set_source(struct evcurl *ec, const char *addr)
{
	free(ec->source);
	ec->source = NULL;
	if (addr != NULL && *addr != '\0')
		xasprintf(&ec->source, "host!%s", addr);
}

CURL *
evcurl_easy_get(struct evcurl *ec)
{
	if (ec->npool > 0)
		return ec->pool[--ec->npool];
	return curl_easy_init();
}

void
evcurl_easy_put(struct evcurl *ec, CURL *easy)
{
	if (easy == NULL)
		return;
	if (ec->npool == EVCURL_POOL_MAX) {
		curl_easy_cleanup(easy);
		return;
	}
	curl_easy_reset(easy);
	ec->pool[ec->npool++] = easy;
}

/*
 * Start running easy; cb is called once when it has ended.  Returns 0,
 * or the CURLMcode the multi handle refused it with (cb is not called).
 */
int
evcurl_add(struct evcurl *ec, CURL *easy, evcurl_done_cb cb, void *arg)
{
	struct evxfer	*x;
	CURLMcode	 mc;

	x = xcalloc(1, sizeof *x);
	x->easy = easy;
	x->cb = cb;
	x->arg = arg;
	curl_easy_setopt(easy, CURLOPT_PRIVATE, x);
	curl_easy_setopt(easy, CURLOPT_SHARE, ec->share);
	curl_easy_setopt(easy, CURLOPT_INTERFACE, ec->source);
	/* This arms the timer (0 ms); the transfer starts from the loop. */
	if ((mc = curl_multi_add_handle(ec->multi, easy)) != CURLM_OK) {
		curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
		free(x);
		return (int)mc;
	}
	TAILQ_INSERT_TAIL(&ec->xfers, x, entry);
	ec->nxfers++;
	return 0;
}

/* Take a running handle out without calling its callback. */
void
evcurl_remove(struct evcurl *ec, CURL *easy)
{
	struct evxfer	*x = NULL;

	curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
	if (x == NULL)
		return;		/* not running (already harvested) */
	curl_multi_remove_handle(ec->multi, easy);
	curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
	TAILQ_REMOVE(&ec->xfers, x, entry);
	ec->nxfers--;
	free(x);
}

/* The parsed trust of checks with their own ca_file. */
struct trust_store *
evcurl_trust(struct evcurl *ec)
{
	return ec->trust;
}

/* The share handle every added transfer uses (DNS cache). */
CURLSH *
evcurl_share(struct evcurl *ec)
{
	return ec->share;
}

/* How many transfers are running. */
unsigned
evcurl_running(const struct evcurl *ec)
{
	return ec->nxfers;
}
