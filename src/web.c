/*
 * web.c -- the web's listener: evhttp on the daemon's event_base, its
 * limits, the route table, and the start, reload and stop of the parts.
 *
 * DESIGN
 * Requests are served on the loop from memory: the per-check view
 * (web_view.c) keeps the last results from web_record() and swaps in
 * what its refresh jobs read on worker threads (tickets every few
 * seconds, uptime every few minutes).  Only requests that need fresh
 * store data (ticket API, the check page's ticket timeline, graphs) wait
 * for a worker, and their handler replies from the job's done function.
 * A slow or hostile client costs a connection, never the loop: evhttp is
 * non-blocking, each connection has a read/write timeout, headers and
 * bodies are capped, and the worker queues are bounded (full = 503).
 *
 * Calls run one way: the routes here call the handlers (web_pages.c,
 * web_status.c, web_graph.c, web_api.c, web_metrics.c), which read the
 * view, write pages with the renderers (web_render.c, plain data in, a
 * buffer out) and answer through web_reply.c.  Nothing calls back here.
 * The daemon tells of a new config with web_reload(); nothing polls.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/http.h>

#include "config.h"
#include "log.h"
#include "web.h"
#include "web_int.h"
#include "web_view.h"
#include "web_beats.h"
#include "web_listen.h"
#include "web_auth.h"
#include "web_status_history.h"
#include "xmalloc.h"

#define WEB_QUEUE_MAX		256	/* jobs waiting per worker */

#define M_GET	EVHTTP_REQ_GET
#define M_HEAD	EVHTTP_REQ_HEAD
#define M_POST	EVHTTP_REQ_POST

#define OPEN	WEB_GATE_NONE
#define PAGE	WEB_GATE_PAGE
#define API	WEB_GATE_API

/* Every route: exact path or prefix, methods allowed, handler. */
static const struct web_route {
	const char	*path;
	int		 prefix;	/* rest of the path goes to fn */
	int		 cache;		/* reuse answers for 1 s */
	enum web_gate	 gate;		/* web_auth.h: who may ask */
	unsigned	 methods;
	const char	*allow;		/* for the 405 answer */
	void		(*fn)(struct web *, struct evhttp_request *,
			    const char *rest);
} web_routes[] = {
	{ "/", 0, 1, PAGE, M_GET | M_HEAD, "GET, HEAD", web_page_dashboard },
	{ "/status", 0, 1, OPEN, M_GET | M_HEAD, "GET, HEAD",
	    web_page_status },
	/* Before /status/SITE: the subscribers' form and its links. */
	{ "/status/subscribe", 0, 0, OPEN, M_POST, "POST",
	    web_status_subscribe },
	{ "/status/confirm", 0, 0, OPEN, M_GET | M_HEAD, "GET, HEAD",
	    web_status_confirm },
	{ "/status/unsubscribe", 0, 0, OPEN, M_GET | M_HEAD | M_POST,
	    "GET, HEAD, POST", web_status_unsubscribe },
	{ "/status/", 1, 1, OPEN, M_GET | M_HEAD, "GET, HEAD",
	    web_page_status_site },
	{ "/check/", 1, 0, PAGE, M_GET | M_HEAD, "GET, HEAD",
	    web_page_check },
	{ "/graph/", 1, 0, PAGE, M_GET | M_HEAD, "GET, HEAD",
	    web_page_graph },
	{ "/static/", 1, 0, OPEN, M_GET | M_HEAD, "GET, HEAD", web_static },
	{ "/login", 0, 0, OPEN, M_GET | M_HEAD | M_POST, "GET, HEAD, POST",
	    web_page_login },
	{ "/logout", 0, 0, OPEN, M_POST, "POST", web_page_logout },
	/* The forms' actions check session, CSRF token and role. */
	{ "/ticket/", 1, 0, OPEN, M_POST, "POST", web_page_ticket_action },
	{ "/api/v1/checks", 0, 1, API, M_GET | M_HEAD, "GET, HEAD",
	    web_api_checks },
	{ "/api/v1/checks/", 1, 0, API, M_GET | M_HEAD, "GET, HEAD",
	    web_api_check_sub },
	{ "/api/v1/tickets", 0, 0, API, M_GET | M_HEAD, "GET, HEAD",
	    web_api_tickets },
	/*
	 * GET .../ID and POST .../ID/ACTION: the handler sorts them out
	 * (a POST takes the bearer token or a staff session, see web_api.c).
	 */
	{ "/api/v1/tickets/", 1, 0, OPEN, M_GET | M_HEAD | M_POST,
	    "GET, HEAD, POST", web_api_ticket },
	{ "/metrics", 0, 1, API, M_GET | M_HEAD, "GET, HEAD", web_metrics },
};

/* The one evhttp callback: find the route, check the method, call it. */
static void
web_dispatch(struct evhttp_request *req, void *arg)
{
	struct web		*w = arg;
	const struct web_route	*r;
	const char		*path;
	size_t			 i, n;

	web_reply_request(w, req);
	path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	if (path == NULL || *path == '\0')
		path = "/";
	for (i = 0; i < sizeof web_routes / sizeof web_routes[0]; i++) {
		r = &web_routes[i];
		n = strlen(r->path);
		if (r->prefix ? strncmp(path, r->path, n) != 0 :
		    strcmp(path, r->path) != 0)
			continue;
		if ((evhttp_request_get_command(req) & r->methods) == 0) {
			evhttp_add_header(
			    evhttp_request_get_output_headers(req), "Allow",
			    r->allow);
			web_reply_error(w, req, 405,
			    "This method is not allowed here.");
			return;
		}
		if (!web_auth_gate(w, req, r->gate))
			return;
		/* A staff page carries its session's own forms: not shared. */
		if (r->cache && evhttp_request_get_command(req) ==
		    EVHTTP_REQ_GET && !(r->gate == WEB_GATE_PAGE &&
		    web_auth_on(w))) {
			web_reply_cached(w, req, r->fn,
			    r->prefix ? path + n : "");
			return;
		}
		r->fn(w, req, r->prefix ? path + n : "");
		return;
	}
	web_reply_error(w, req, 404, "There is no such page.");
}

/*
 * Split "host:port", "[v6]:port" or ":port" (all addresses of the
 * loopback are meant, so an empty host is 127.0.0.1).
 */
static int
web_parse_listen(const char *s, char **host, unsigned short *port)
{
	const char	*colon, *h, *he;
	long long	 p;
	const char	*errstr;

	if ((colon = strrchr(s, ':')) == NULL)
		return -1;
	h = s;
	he = colon;
	if (*s == '[') {
		if (colon == s || colon[-1] != ']')
			return -1;
		h = s + 1;
		he = colon - 1;
	}
	if (util_parse_ll(colon + 1, 1, 65535, &p, &errstr) == -1)
		return -1;
	*host = he > h ? xstrndup(h, (size_t)(he - h)) : xstrdup("127.0.0.1");
	*port = (unsigned short)p;
	return 0;
}

struct web *
web_start(struct event_base *base, const struct config *cfg,
    struct scheduler *sched, const struct registry *reg,
    struct incidents *incidents)
{
	struct web		*w;
	char			*host = NULL;
	unsigned short		 port;

	if (web_parse_listen(cfg->listen, &host, &port) == -1) {
		log_error("web: bad listen address \"%s\" (want HOST:PORT)",
		    cfg->listen);
		return NULL;
	}
	w = xcalloc(1, sizeof *w);
	w->base = base;
	w->cfg = cfg;
	w->sched = sched;
	w->reg = reg;
	w->incidents = incidents;
	w->listen = xstrdup(cfg->listen);
	if ((w->http = evhttp_new(base)) == NULL)
		fatal("web: evhttp_new failed");
	/* Capped: the web never takes the probes' descriptors. */
	if ((w->wl = web_listen_new(base, w->http, host, port,
	    cfg->max_connections > 0 ? (unsigned)cfg->max_connections : 1024,
	    cfg->max_connections > 64 ? (unsigned)cfg->max_connections / 4 :
	    16)) == NULL) {
		log_error("web: cannot listen on %s: %s", cfg->listen,
		    strerror(errno));
		free(host);
		evhttp_free(w->http);
		free(w->listen);
		free(w);
		return NULL;
	}
	free(host);
	evhttp_set_timeout(w->http, WEB_TIMEOUT_S);
	evhttp_set_max_headers_size(w->http, WEB_HEADERS_MAX);
	evhttp_set_max_body_size(w->http, WEB_HTTP_BODY_MAX);
	evhttp_set_allowed_methods(w->http, EVHTTP_REQ_GET |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
	    EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
	evhttp_set_gencb(w->http, web_dispatch, w);

	w->replies = web_replies_new(cfg);
	w->status = web_status_new(cfg);
	w->graphs = web_graphs_new(base);
	w->mstreams = web_mstreams_new();
	w->q_db = web_queue_new(base, "db", WEB_QUEUE_MAX);
	w->q_stats = web_queue_new(base, "stats", 4);
	w->q_graph = web_queue_new(base, "graph", WEB_QUEUE_MAX);
	/* Its own thread: a burst of logins never delays a ticket action. */
	w->q_auth = web_queue_new(base, "auth", 32);
	w->auth = web_auth_new(w);
	w->view = web_view_new(w);
	w->beats = web_beats_new();
	log_info("web: listening on http://%s/", cfg->listen);
	return w;
}

void
web_reload(struct web *w, const struct config *cfg)
{
	if (w == NULL)
		return;
	/* The socket stays: said once, at the reload that moved it. */
	if (strcmp(cfg->listen, w->cfg->listen) != 0 &&
	    strcmp(cfg->listen, w->listen) != 0)
		log_warn("web: listen changed to %s: takes effect at the "
		    "next restart (still on %s)", cfg->listen, w->listen);
	w->cfg = cfg;
	web_view_reload(w->view, cfg);
	web_beats_reload(w->beats, w->reg);
	/* A site may speak a new language. */
	web_status_free(w->status);
	w->status = web_status_new(cfg);
}

void
web_record(struct web *w, const struct check_conf *c,
    const struct result *r)
{
	if (w != NULL) {
		web_view_record(w->view, c, r);
		web_beats_record(w->beats, c, r);
	}
}

void
web_set_assign(struct web *w, struct assign *as)
{
	if (w != NULL)
		w->assign = as;
}

void
web_stop(struct web *w)
{
	if (w == NULL)
		return;
	/*
	 * Jobs still queued reply 503 to requests evhttp_free then drops;
	 * their done functions may still touch the view and the graph
	 * cache, so those go after the queues.
	 */
	web_queue_free(w->q_auth);
	web_auth_free(w->auth);
	web_queue_free(w->q_graph);
	web_queue_free(w->q_stats);
	web_queue_free(w->q_db);
	web_view_free(w->view);
	web_beats_free(w->beats);
	web_graphs_free(w->graphs);
	web_mstreams_free(w->mstreams);
	evhttp_free(w->http);
	web_listen_free(w->wl);
	web_status_free(w->status);
	web_replies_free(w->replies);
	free(w->listen);
	free(w);
}
