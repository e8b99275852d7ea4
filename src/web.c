/*
 * web.c -- evhttp on the daemon's event_base: listening, limits, the
 * route table, the reply helpers, and the per-check memory the pages
 * read (fed by web_record() from the daemon's result fan-out).
 *
 * DESIGN
 * Requests are served on the loop from memory: the last results come from
 * web_record(); open tickets and uptime figures come from refresh jobs
 * that run on worker threads every few seconds (tickets) or minutes
 * (uptime) and swap their answers in on the loop.  Only requests that
 * need fresh store data (ticket API, the check page's ticket timeline,
 * graphs) wait for a worker, and their handler replies from the job's
 * done function.  A slow or hostile client costs a connection, never
 * the loop: evhttp is non-blocking, each connection has a read/write
 * timeout, headers and bodies are capped, and the worker queues are
 * bounded (full = 503).  The pages and documents rendered on the loop
 * (/, /status, /api/v1/checks, /metrics) are reused for a second, so a
 * flood of requests costs one rendering a second, not one each; but not
 * beyond 1 MB: a large /metrics goes out in chunks rendered as the client
 * reads them (web_metrics.c), and is never whole in memory.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "config.h"
#include "log.h"
#include "web.h"
#include "web_data.h"
#include "web_int.h"
#include "web_listen.h"
#include "xmalloc.h"

#define WEB_REFRESH_S		5	/* tickets and states */
#define WEB_STATES_MS		60000	/* saved states, after the first minute */
#define WEB_STATS_MS		60000	/* uptime 24 h / 30 d */
#define WEB_STATS_BATCH		64	/* checks per uptime job, at most */
#define WEB_STATS_BATCH_MIN	8	/* and at least */
#define WEB_STATS_ROUND_S	600	/* a round spread over this, if it can */
#define WEB_DAILY_MS		600000	/* daily bars of /status */
#define WEB_QUEUE_MAX		256	/* jobs waiting per worker */
#define WEB_STATIC_MAX		(256 * 1024)

#define M_GET	EVHTTP_REQ_GET
#define M_HEAD	EVHTTP_REQ_HEAD
#define M_POST	EVHTTP_REQ_POST

/* Serve a file of templates/html kept in memory. */
static void	web_static(struct web *, struct evhttp_request *,
		    const char *);

/* Every route: exact path or prefix, methods allowed, handler. */
static const struct web_route {
	const char	*path;
	int		 prefix;	/* rest of the path goes to fn */
	int		 cache;		/* reuse answers for 1 s */
	unsigned	 methods;
	const char	*allow;		/* for the 405 answer */
	void		(*fn)(struct web *, struct evhttp_request *,
			    const char *rest);
} web_routes[] = {
	{ "/", 0, 1, M_GET | M_HEAD, "GET, HEAD", web_page_dashboard },
	{ "/status", 0, 1, M_GET | M_HEAD, "GET, HEAD", web_page_status },
	{ "/check/", 1, 0, M_GET | M_HEAD, "GET, HEAD", web_page_check },
	{ "/graph/", 1, 0, M_GET | M_HEAD, "GET, HEAD", web_page_graph },
	{ "/static/", 1, 0, M_GET | M_HEAD, "GET, HEAD", web_static },
	{ "/api/v1/checks", 0, 1, M_GET | M_HEAD, "GET, HEAD",
	    web_api_checks },
	{ "/api/v1/tickets", 0, 0, M_GET | M_HEAD, "GET, HEAD",
	    web_api_tickets },
	/* GET .../ID and POST .../ID/ACTION: the handler sorts them out. */
	{ "/api/v1/tickets/", 1, 0, M_GET | M_HEAD | M_POST,
	    "GET, HEAD, POST", web_api_ticket },
	{ "/metrics", 0, 1, M_GET | M_HEAD, "GET, HEAD", web_metrics },
};

const struct config *
web_cfg(struct web *w)
{
	return *w->cfgp;
}

int
web_state_rank(enum sw_state st)
{
	switch (st) {
	case SW_STATE_DOWN:
		return 0;
	case SW_STATE_DEGRADED:
		return 1;
	case SW_STATE_UNKNOWN:
		return 2;
	default:
		return 3;
	}
}

enum sw_state
web_check_state(const struct web_check *wc)
{
	return wc != NULL && wc->have ? wc->last->state : SW_STATE_UNKNOWN;
}

/* Binary search; *pos is where name is or would be inserted. */
static struct web_check *
web_check_find(struct web *w, const char *name, size_t *pos)
{
	size_t	lo = 0, hi = w->nchecks, mid;
	int	c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(name, w->checks[mid]->name)) == 0) {
			*pos = mid;
			return w->checks[mid];
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	*pos = lo;
	return NULL;
}

struct web_check *
web_check_get(struct web *w, const char *name)
{
	struct web_check	*wc;
	size_t			 pos, len;

	if ((wc = web_check_find(w, name, &pos)) != NULL)
		return wc;
	if (w->nchecks == w->capchecks) {
		w->capchecks = w->capchecks ? w->capchecks * 2 : 64;
		w->checks = xreallocarray(w->checks, w->capchecks,
		    sizeof *w->checks);
	}
	memmove(w->checks + pos + 1, w->checks + pos,
	    (w->nchecks - pos) * sizeof *w->checks);
	w->nchecks++;
	len = strlen(name);
	wc = w->checks[pos] = xcalloc(1, sizeof *wc + len + 1);
	memcpy(wc->name, name, len + 1);
	wc->up24 = wc->up30 = NAN;
	return wc;
}

/* Free one check's record and what it grew. */
static void
web_check_free(struct web_check *wc)
{
	unsigned	i;

	for (i = 0; i < wc->capring; i++)
		free(wc->ring[i].message);
	free(wc->ring);
	if (wc->last != NULL)
		free(wc->last->message);
	free(wc->last);
	free(wc->daily);
	free(wc);
}

/* Forget checks that left the config (after a reload). */
static void
web_check_prune(struct web *w)
{
	const struct config	*cfg = web_cfg(w);
	size_t			 i, o = 0;

	for (i = 0; i < w->nchecks; i++) {
		if (config_find_check(cfg, w->checks[i]->name) != NULL)
			w->checks[o++] = w->checks[i];
		else
			web_check_free(w->checks[i]);
	}
	w->nchecks = o;
}

/* Keep what the pages show of r. */
static void
web_last_set(struct web_last *l, const struct result *r)
{
	l->at = r->at;
	l->state = r->state;
	l->cause = r->cause;
	l->up = r->up;
	l->cert_days_left = r->cert_days_left;
	l->http_status = r->http_status;
	l->dns_ms = r->dns_ms;
	l->connect_ms = r->connect_ms;
	l->tls_ms = r->tls_ms;
	l->ttfb_ms = r->ttfb_ms;
	l->total_ms = r->total_ms;
	l->bytes = r->bytes;
	free(l->message);
	l->message = xstrdup(r->message);
}

void
web_record(struct web *w, const struct result *r)
{
	struct web_check	*wc;
	struct web_sample	*s;
	size_t			 pos;
	unsigned		 cap;

	if (w == NULL)
		return;
	/* Every configured check has its record after the first refresh. */
	if ((wc = web_check_find(w, r->name, &pos)) == NULL) {
		if (config_find_check(web_cfg(w), r->name) == NULL)
			return;		/* left the config meanwhile */
		wc = web_check_get(w, r->name);
	}
	if (!wc->have || wc->last->state != r->state) {
		wc->since = r->at;
		/* The first result after a start only says "at least". */
		wc->since_exact = wc->have;
	}
	wc->have = 1;
	if (wc->last == NULL)
		wc->last = xcalloc(1, sizeof *wc->last);
	web_last_set(wc->last, r);
	/* Until it is full, head == nring: the ring is filled in order. */
	if (wc->nring == wc->capring && wc->capring < WEB_RING) {
		cap = wc->capring == 0 ? 2 : wc->capring * 2;
		if (cap > WEB_RING)
			cap = WEB_RING;
		wc->ring = xreallocarray(wc->ring, cap, sizeof *wc->ring);
		memset(wc->ring + wc->capring, 0,
		    (cap - wc->capring) * sizeof *wc->ring);
		wc->capring = cap;
	}
	s = &wc->ring[wc->head];
	s->at = r->at;
	s->state = (unsigned char)r->state;
	s->cause = (unsigned char)r->cause;
	s->http_status = (short)(r->http_status >= 0 && r->http_status <= 999 ?
	    r->http_status : 0);
	s->total_ms = (float)r->total_ms;
	free(s->message);
	s->message = xstrdup(r->message);
	wc->head = (wc->head + 1) % WEB_RING;
	if (wc->nring < WEB_RING)
		wc->nring++;
}

/* ---- replies ---- */

const char *
web_reason(int code)
{
	switch (code) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Error";
	}
}

/*
 * Keep one rendered answer: in place of an older one for the same key,
 * else of the oldest.  Large answers are not kept: a copy of a /metrics
 * of 100,000 checks would cost tens of MB for a second's reuse.
 */
static void
web_resp_save(struct web *w, const char *key, const char *ctype,
    struct evbuffer *body)
{
	struct web_resp	*r = &w->resp[0];
	size_t		 i, len = evbuffer_get_length(body);

	if (len > WEB_RESP_BODY_MAX)
		return;
	for (i = 1; i < WEB_RESP_CACHE; i++)
		if (w->resp[i].at_ms < r->at_ms)
			r = &w->resp[i];
	for (i = 0; i < WEB_RESP_CACHE; i++)
		if (w->resp[i].key != NULL && strcmp(w->resp[i].key, key) == 0)
			r = &w->resp[i];
	free(r->key);
	free(r->ctype);
	free(r->body);
	r->key = xstrdup(key);
	r->ctype = xstrdup(ctype);
	r->body = xmalloc(len + 1);
	if (evbuffer_copyout(body, r->body, len) != (ev_ssize_t)len)
		fatal("web: evbuffer_copyout failed");
	r->len = len;
	r->at_ms = util_mono_ms();
}

/* A fresh saved answer for key, or NULL. */
static struct web_resp *
web_resp_find(struct web *w, const char *key)
{
	uint64_t	now = util_mono_ms();
	size_t		i;

	for (i = 0; i < WEB_RESP_CACHE; i++)
		if (w->resp[i].key != NULL &&
		    strcmp(w->resp[i].key, key) == 0 &&
		    now - w->resp[i].at_ms < WEB_RESP_TTL_MS)
			return &w->resp[i];
	return NULL;
}

void
web_reply_headers(struct web *w, struct evhttp_request *req, int code,
    const char *ctype)
{
	struct evkeyvalq	*h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Content-Type", ctype);
	/*
	 * No inline script or style anywhere, so the policy can forbid
	 * them: injected markup that slipped through would still not run.
	 */
	evhttp_add_header(h, "Content-Security-Policy",
	    "default-src 'none'; script-src 'self'; style-src 'self'; "
	    "img-src 'self'; connect-src 'self'; base-uri 'none'; "
	    "form-action 'none'; frame-ancestors 'none'");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "X-Frame-Options", "DENY");
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
	if (evhttp_find_header(h, "Cache-Control") == NULL)
		evhttp_add_header(h, "Cache-Control", "no-store");
	if (code / 100 >= 1 && code / 100 <= 5)
		w->nreplies[code / 100]++;
}

void
web_reply_buffer(struct web *w, struct evhttp_request *req, int code,
    const char *ctype, struct evbuffer *body)
{
	web_reply_headers(w, req, code, ctype);
	if (w->capture != NULL && code == 200)
		web_resp_save(w, w->capture, ctype, body);
	/* evhttp moves the buffer's chains to the connection: no copy. */
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD)
		evhttp_send_reply(req, code, web_reason(code), NULL);
	else
		evhttp_send_reply(req, code, web_reason(code), body);
}

void
web_reply(struct web *w, struct evhttp_request *req, int code,
    const char *ctype, const void *body, size_t len)
{
	struct evbuffer	*eb;

	if ((eb = evbuffer_new()) == NULL)
		fatal("web: evbuffer_new failed");
	if (len > 0 && evhttp_request_get_command(req) != EVHTTP_REQ_HEAD &&
	    evbuffer_add(eb, body, len) == -1)
		fatal("web: evbuffer_add failed");
	web_reply_buffer(w, req, code, ctype, eb);
	evbuffer_free(eb);
}

void
web_reply_json(struct web *w, struct evhttp_request *req, int code,
    json_t *steal)
{
	char	*s;

	s = json_dumps(steal, JSON_COMPACT | JSON_ENSURE_ASCII |
	    JSON_REAL_PRECISION(12));
	json_decref(steal);
	if (s == NULL)
		fatal("web: json_dumps failed");
	web_reply(w, req, code, "application/json", s, strlen(s));
	free(s);
}

void
web_reply_error(struct web *w, struct evhttp_request *req, int code,
    const char *msg)
{
	const char	*path;
	struct buf	 body, page;

	path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	if (path != NULL && strncmp(path, "/api/", 5) == 0) {
		web_reply_json(w, req, code, json_pack("{s:s}", "error", msg));
		return;
	}
	if (path != NULL && strcmp(path, "/metrics") == 0) {
		buf_init(&body);
		buf_printf(&body, "%s\n", msg);
		web_reply(w, req, code, "text/plain; charset=utf-8",
		    body.data, body.len);
		buf_free(&body);
		return;
	}
	buf_init(&body);
	buf_init(&page);
	buf_printf(&body, "<main class=\"error\"><h1>%d ", code);
	html_escape(&body, web_reason(code));
	buf_addstr(&body, "</h1>\n<p>");
	html_escape(&body, msg);
	buf_addstr(&body, "</p>\n<p><a href=\"/\">Dashboard</a> · "
	    "<a href=\"/status\">Status</a></p></main>\n");
	html_page(w, &page, "en", web_reason(code), "error", body.data);
	web_reply(w, req, code, "text/html; charset=utf-8", page.data,
	    page.len);
	buf_free(&body);
	buf_free(&page);
}

char *
web_query(struct evhttp_request *req, const char *key)
{
	struct evkeyvalq	 q;
	const char		*query, *v;
	char			*out = NULL;

	query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	if (query == NULL)
		return NULL;
	TAILQ_INIT(&q);
	if (evhttp_parse_query_str(query, &q) == 0 &&
	    (v = evhttp_find_header(&q, key)) != NULL)
		out = xstrdup(v);
	evhttp_clear_headers(&q);
	return out;
}

static void
web_static(struct web *w, struct evhttp_request *req, const char *rest)
{
	struct evkeyvalq	*h = evhttp_request_get_output_headers(req);

	if (strcmp(rest, "app.js") == 0 && w->static_js != NULL) {
		evhttp_add_header(h, "Cache-Control", "max-age=60");
		web_reply(w, req, 200, "text/javascript; charset=utf-8",
		    w->static_js, w->static_js_len);
	} else if (strcmp(rest, "style.css") == 0 && w->static_css != NULL) {
		evhttp_add_header(h, "Cache-Control", "max-age=60");
		web_reply(w, req, 200, "text/css; charset=utf-8",
		    w->static_css, w->static_css_len);
	} else
		web_reply_error(w, req, 404, "No such file.");
}

/*
 * Serve a GET of a cacheable route: from the saved answer when it is
 * fresh, else render it and save it on the way out (the handler replies
 * before it returns, so web_reply() sees w->capture).
 */
static void
web_dispatch_cached(struct web *w, struct evhttp_request *req,
    const struct web_route *r)
{
	struct web_resp	*c;

	if ((c = web_resp_find(w, evhttp_request_get_uri(req))) != NULL) {
		web_reply(w, req, 200, c->ctype, c->body, c->len);
		return;
	}
	w->capture = evhttp_request_get_uri(req);
	r->fn(w, req, "");
	w->capture = NULL;
}

/*
 * Answers go out in one piece: without TCP_NODELAY, the tail of a reply
 * on a kept-alive connection waits for the client's delayed ACK (40 ms).
 */
static void
web_nodelay(struct evhttp_request *req)
{
	struct evhttp_connection	*evcon;
	evutil_socket_t			 fd;
	int				 one = 1;

	if ((evcon = evhttp_request_get_connection(req)) == NULL ||
	    (fd = bufferevent_getfd(evhttp_connection_get_bufferevent(
	    evcon))) == -1)
		return;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* The one evhttp callback: find the route, check the method, call it. */
static void
web_dispatch(struct evhttp_request *req, void *arg)
{
	struct web		*w = arg;
	const struct web_route	*r;
	const char		*path;
	size_t			 i, n;

	w->nrequests++;
	web_nodelay(req);
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
		if (r->cache && evhttp_request_get_command(req) ==
		    EVHTTP_REQ_GET) {
			web_dispatch_cached(w, req, r);
			return;
		}
		r->fn(w, req, r->prefix ? path + n : "");
		return;
	}
	web_reply_error(w, req, 404, "There is no such page.");
}

/* ---- refresh jobs: tickets and uptime, swapped in on the loop ---- */

struct web_db_refresh {
	struct web		*w;
	struct web_src		 src;
	json_t			*tickets;
	struct web_data_state	*states;
	size_t			 nstates;
	long long		 mail_queued;
	long long		 mail_failed;
	int			 want_states;
	int			 last_fast;	/* every check had a result */
	const struct config	*fast_cfg;	/* ... of this configuration */
	int			 rc;
	char			 err[256];
};

static void
web_db_refresh_work(struct web_job *job)
{
	struct web_db_refresh	*r = job->arg;
	char			 err[256];

	r->rc = web_data_tickets(web_queue_data(job), &r->src, 0,
	    &r->tickets, r->err, sizeof r->err);
	if (r->want_states && web_data_check_states(web_queue_data(job),
	    &r->src, &r->states, &r->nstates, err, sizeof err) != WEB_DATA_OK)
		r->nstates = 0;
	web_data_mail_queue(web_queue_data(job), &r->src, &r->mail_queued,
	    &r->mail_failed, err, sizeof err);
}

static void
web_db_refresh_done(struct web_job *job)
{
	struct web_db_refresh	*r = job->arg;
	struct web		*w = r->w;
	struct web_check	*wc;
	json_t			*t;
	size_t			 i, pos;
	const char		*check;

	if (job->cancelled)
		goto out;
	w->db_busy = 0;
	w->mail_queued = r->mail_queued;
	w->mail_failed = r->mail_failed;
	json_decref(w->tickets);
	free(w->tickets_err);
	w->tickets = NULL;
	w->tickets_err = NULL;
	if (r->rc == WEB_DATA_OK) {
		w->tickets = r->tickets;
		r->tickets = NULL;
	} else
		w->tickets_err = xstrdup(r->err);

	for (i = 0; i < w->nchecks; i++)
		w->checks[i]->ticket = 0;
	json_array_foreach(w->tickets, i, t) {
		check = json_string_value(json_object_get(t, "check"));
		if (check != NULL &&
		    (wc = web_check_find(w, check, &pos)) != NULL &&
		    wc->ticket == 0)
			wc->ticket = json_integer_value(json_object_get(t,
			    "id"));
	}
	if (r->last_fast && r->fast_cfg == w->seen_cfg && r->nstates > 0)
		w->states_fast_ms = 0;
	/* A state that began before our start: take the daemon's word. */
	for (i = 0; i < r->nstates; i++) {
		wc = web_check_find(w, r->states[i].name, &pos);
		if (wc != NULL && wc->have && !wc->since_exact &&
		    r->states[i].state == (int)wc->last->state &&
		    r->states[i].since > 0 &&
		    r->states[i].since < wc->since) {
			wc->since = r->states[i].since;
			wc->since_exact = 1;
		}
	}
out:
	json_decref(r->tickets);
	free(r->states);
	web_src_free(&r->src);
	free(r);
}

struct web_stats_refresh {
	struct web		*w;
	struct web_src		*srcs;		/* one per check */
	size_t			 n;
	int			 daily;
	time_t			 now;
	double			*up24, *up30, *days;
};

static void
web_stats_work(struct web_job *job)
{
	struct web_stats_refresh	*r = job->arg;
	struct web_src			*src;
	size_t				 i;

	for (i = 0; i < r->n; i++) {
		src = &r->srcs[i];
		web_data_uptime(src, src->check.name, r->now - 86400, r->now,
		    &r->up24[i]);
		web_data_uptime(src, src->check.name, r->now - 30 * 86400,
		    r->now, &r->up30[i]);
		if (r->daily)
			web_data_daily(src, src->check.name, r->now, WEB_DAYS,
			    &r->days[i * WEB_DAYS]);
	}
}

static void
web_stats_free(struct web_stats_refresh *r)
{
	size_t	i;

	for (i = 0; i < r->n; i++)
		web_src_free(&r->srcs[i]);
	free(r->srcs);
	free(r->up24);
	free(r->up30);
	free(r->days);
	free(r);
}

static void
web_stats_done(struct web_job *job)
{
	struct web_stats_refresh	*r = job->arg;
	struct web_check		*wc;
	size_t				 i, d, pos;

	if (job->cancelled)
		goto out;
	r->w->stats_busy = 0;
	for (i = 0; i < r->n; i++) {
		wc = web_check_find(r->w, r->srcs[i].check.name, &pos);
		if (wc == NULL)
			continue;
		wc->up24 = r->up24[i];
		wc->up30 = r->up30[i];
		if (r->daily) {
			if (wc->daily == NULL)
				wc->daily = xcalloc(WEB_DAYS,
				    sizeof *wc->daily);
			for (d = 0; d < WEB_DAYS; d++)
				wc->daily[d] = (float)r->days[i * WEB_DAYS + d];
			wc->have_daily = 1;
		}
	}
out:
	web_stats_free(r);
}

/*
 * Checks per uptime job: enough for a round in WEB_STATS_ROUND_S, within
 * bounds.  Figures of 24 hours and 30 days barely move in ten minutes,
 * and each check costs a few RRD reads, so 2,000 checks take 17 a tick
 * rather than 64 (a few ms of CPU a second saved for every second).
 */
static size_t
web_stats_batch(size_t nchecks)
{
	size_t	n;

	n = (nchecks * WEB_REFRESH_S + WEB_STATS_ROUND_S - 1) /
	    WEB_STATS_ROUND_S;
	if (n < WEB_STATS_BATCH_MIN)
		n = WEB_STATS_BATCH_MIN;
	return n > WEB_STATS_BATCH ? WEB_STATS_BATCH : n;
}

/* Timer: start the refresh jobs that are due and not already running. */
static void
web_refresh(evutil_socket_t fd, short what, void *arg)
{
	struct web			*w = arg;
	const struct config		*cfg = web_cfg(w);
	struct web_db_refresh		*dr;
	struct web_stats_refresh	*sr;
	uint64_t			 now = util_mono_ms();
	size_t				 i;

	if (strcmp(cfg->listen, w->listen) != 0)
		log_warn("web: listen changed to %s: takes effect at the "
		    "next restart (still on %s)", cfg->listen, w->listen);
	web_graph_expire(w, 0);
	if (w->seen_cfg != cfg) {
		/* Only after a reload: at 100,000 checks this is not free. */
		web_check_prune(w);
		for (i = 0; i < cfg->nchecks; i++)
			(void)web_check_get(w, cfg->checks[i]->name);
		w->seen_cfg = cfg;
		w->stats_next = 0;
		w->states_fast_ms = now + WEB_STATES_MS;
	}

	if (!w->db_busy) {
		dr = xcalloc(1, sizeof *dr);
		dr->w = w;
		web_src_init(&dr->src, cfg, NULL);
		/*
		 * The saved states only tell since when a state began before
		 * our start (or reload), for checks whose first result has
		 * come: read them every refresh for a minute, then once a
		 * minute (100,000 rows and as many lookups on the loop).
		 */
		dr->want_states = now < w->states_fast_ms ||
		    now >= w->states_due_ms;
		if (dr->want_states)
			w->states_due_ms = now + WEB_STATES_MS;
		/*
		 * Once every check has its first result, one more read
		 * serves them all: the fast reads end there, not a minute
		 * after the start.
		 */
		if (now < w->states_fast_ms) {
			for (i = 0; i < w->nchecks && w->checks[i]->have; i++)
				;
			dr->last_fast = i == w->nchecks;
			dr->fast_cfg = w->seen_cfg;
		}
		if (web_queue_push(w->q_db, web_db_refresh_work,
		    web_db_refresh_done, dr) == 0)
			w->db_busy = 1;
		else {
			web_src_free(&dr->src);
			free(dr);
		}
	}
	/*
	 * Uptime figures come from the RRD files, a few fetches per check:
	 * one job takes a batch of checks and the next tick the next batch
	 * (web_stats_batch), so the cost per tick is bounded whatever the
	 * number of checks (a round over 100,000 checks then takes about two
	 * hours; the figures are of 24 hours and 30 days).
	 */
	if (!w->stats_busy && now >= w->stats_due_ms) {
		if (w->stats_next == 0)
			w->stats_daily = now >= w->daily_due_ms;
		if (w->stats_next >= cfg->nchecks)
			w->stats_next = 0;
		sr = xcalloc(1, sizeof *sr);
		sr->w = w;
		sr->n = cfg->nchecks - w->stats_next;
		if (sr->n > web_stats_batch(cfg->nchecks))
			sr->n = web_stats_batch(cfg->nchecks);
		sr->now = time(NULL);
		sr->daily = w->stats_daily;
		sr->srcs = xcalloc(sr->n + 1, sizeof *sr->srcs);
		sr->up24 = xcalloc(sr->n + 1, sizeof *sr->up24);
		sr->up30 = xcalloc(sr->n + 1, sizeof *sr->up30);
		sr->days = xcalloc((sr->n + 1) * WEB_DAYS, sizeof *sr->days);
		for (i = 0; i < sr->n; i++)
			web_src_init(&sr->srcs[i], cfg,
			    cfg->checks[w->stats_next + i]);
		if (web_queue_push(w->q_stats, web_stats_work, web_stats_done,
		    sr) == 0) {
			w->stats_busy = 1;
			w->stats_next += sr->n;
			if (w->stats_next >= cfg->nchecks) {
				/* The round is complete. */
				w->stats_next = 0;
				w->stats_due_ms = now + WEB_STATS_MS;
				if (sr->daily)
					w->daily_due_ms = now + WEB_DAILY_MS;
			}
		} else
			web_stats_free(sr);
	}
}

/* ---- start and stop ---- */

/* Read templates_dir/html/NAME into memory; NULL when it cannot. */
static char *
web_load(const struct config *cfg, const char *name, size_t *len)
{
	char		*path, *data = NULL;
	struct stat	 st;
	ssize_t		 n;
	int		 fd;

	xasprintf(&path, "%s/html/%s", cfg->templates_dir, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1 || st.st_size > WEB_STATIC_MAX) {
		log_warn("web: cannot read %s: %s", path,
		    fd == -1 ? strerror(errno) : "too large");
		goto out;
	}
	data = xmalloc((size_t)st.st_size + 1);
	if ((n = read(fd, data, (size_t)st.st_size)) != st.st_size) {
		log_warn("web: short read on %s", path);
		free(data);
		data = NULL;
		goto out;
	}
	data[n] = '\0';
	*len = (size_t)n;
out:
	if (fd != -1)
		close(fd);
	free(path);
	return data;
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
web_start(struct event_base *base, struct config *const *cfgp,
    struct scheduler *sched)
{
	const struct config	*cfg = *cfgp;
	struct web		*w;
	struct timeval		 every = { WEB_REFRESH_S, 0 };
	char			*host = NULL;
	unsigned short		 port;
	size_t			 len;

	if (web_parse_listen(cfg->listen, &host, &port) == -1) {
		log_error("web: bad listen address \"%s\" (want HOST:PORT)",
		    cfg->listen);
		return NULL;
	}
	w = xcalloc(1, sizeof *w);
	w->mail_queued = w->mail_failed = -1;
	w->base = base;
	w->cfgp = cfgp;
	w->sched = sched;
	w->listen = xstrdup(cfg->listen);
	TAILQ_INIT(&w->graphs);
	TAILQ_INIT(&w->mstreams);
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

	w->layout = web_load(cfg, "layout.html", &len);
	w->static_js = web_load(cfg, "app.js", &w->static_js_len);
	w->static_css = web_load(cfg, "style.css", &w->static_css_len);

	w->q_db = web_queue_new(base, "db", WEB_QUEUE_MAX);
	w->q_stats = web_queue_new(base, "stats", 4);
	w->q_graph = web_queue_new(base, "graph", WEB_QUEUE_MAX);
	if ((w->ev_refresh = event_new(base, -1, EV_PERSIST, web_refresh,
	    w)) == NULL)
		fatal("web: event_new failed");
	event_add(w->ev_refresh, &every);
	/* The first figures a few seconds in, once checks have run. */
	w->stats_due_ms = w->daily_due_ms = util_mono_ms() + 4000;
	event_active(w->ev_refresh, EV_TIMEOUT, 1);	/* first one now */
	log_info("web: listening on http://%s/", cfg->listen);
	return w;
}

void
web_stop(struct web *w)
{
	size_t	i;

	if (w == NULL)
		return;
	/*
	 * Jobs still queued reply 503 to requests evhttp_free then drops;
	 * finished ones may still poke ev_refresh, so it goes after them.
	 */
	web_queue_free(w->q_graph);
	web_queue_free(w->q_stats);
	web_queue_free(w->q_db);
	event_free(w->ev_refresh);
	web_graph_expire(w, 1);
	web_metrics_stop(w);
	evhttp_free(w->http);
	web_listen_free(w->wl);
	for (i = 0; i < w->nchecks; i++)
		web_check_free(w->checks[i]);
	free(w->checks);
	json_decref(w->tickets);
	free(w->tickets_err);
	for (i = 0; i < WEB_RESP_CACHE; i++) {
		free(w->resp[i].key);
		free(w->resp[i].ctype);
		free(w->resp[i].body);
	}
	free(w->layout);
	free(w->static_js);
	free(w->static_css);
	free(w->listen);
	free(w);
}
