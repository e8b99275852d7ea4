/*
 * web_graph.c -- the graph images (/graph/NAME.png): drawn by librrd on
 * the graph worker and kept for WEB_GRAPH_TTL_MS, so the dashboard's
 * hundred sparklines and a crowd asking for the same graph cost one
 * drawing each.  A request for a drawing under way waits for it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/http.h>

#include "config.h"
#include "log.h"
#include "registry.h"
#include "web_data.h"
#include "web_int.h"
#include "xmalloc.h"

#define WEB_GRAPH_TTL_MS	30000
#define WEB_GRAPH_CACHE_MAX	128
#define WEB_GRAPH_WAITERS_MAX	64
#define WEB_GRAPH_EXPIRE_S	5	/* how often old drawings go */

struct web_graph {
	char			 key[SW_NAME_MAX + 64];
	unsigned char		*png;
	size_t			 len;
	int			 code;		/* 200, or an error */
	char			 err[176];
	uint64_t		 made_ms;
	int			 pending;
	struct evhttp_request	*waiters[WEB_GRAPH_WAITERS_MAX];
	size_t			 nwaiters;
	TAILQ_ENTRY(web_graph)	 entry;
};

/* The cache, newest first. */
struct web_graphs {
	TAILQ_HEAD(graph_list, web_graph) list;
	size_t			 n;
	struct event		*ev_expire;
};

struct graph_job {
	struct web		*w;
	struct web_graph	*g;
	struct web_src		 src;
	char			 name[SW_NAME_MAX];
	char			 period[8];
	char			 metric[16];
	int			 width, height;
	int			 spark;
	unsigned char		*png;
	size_t			 len;
	int			 rc;
	char			 err[160];
};

static void
web_graph_free(struct web_graphs *gs, struct web_graph *g)
{
	TAILQ_REMOVE(&gs->list, g, entry);
	gs->n--;
	free(g->png);
	free(g);
}

/* Drop old drawings, and the oldest beyond the cap; all: every one. */
static void
web_graph_expire(struct web_graphs *gs, int all)
{
	struct web_graph	*g, *next;
	uint64_t		 now = util_mono_ms();

	/* Oldest first, so a full cache loses its oldest drawings. */
	for (g = TAILQ_LAST(&gs->list, graph_list); g != NULL; g = next) {
		next = TAILQ_PREV(g, graph_list, entry);
		if (all || (!g->pending &&
		    (now - g->made_ms > WEB_GRAPH_TTL_MS ||
		    gs->n > WEB_GRAPH_CACHE_MAX)))
			web_graph_free(gs, g);
	}
}

static void
web_graph_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	web_graph_expire(arg, 0);
}

struct web_graphs *
web_graphs_new(struct event_base *base)
{
	struct web_graphs	*gs;
	struct timeval		 every = { WEB_GRAPH_EXPIRE_S, 0 };

	gs = xcalloc(1, sizeof *gs);
	TAILQ_INIT(&gs->list);
	if ((gs->ev_expire = event_new(base, -1, EV_PERSIST, web_graph_timer,
	    gs)) == NULL)
		fatal("web: event_new failed");
	event_add(gs->ev_expire, &every);
	return gs;
}

/* After the graph queue is gone: no drawing is pending any more. */
void
web_graphs_free(struct web_graphs *gs)
{
	if (gs == NULL)
		return;
	event_free(gs->ev_expire);
	web_graph_expire(gs, 1);
	free(gs);
}

/* Answer one request from a finished cache entry. */
static void
web_graph_answer(struct web *w, struct evhttp_request *req,
    struct web_graph *g)
{
	if (g->code == 200) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Cache-Control", "max-age=30");
		web_reply(w, req, 200, "image/png", g->png, g->len);
	} else
		web_reply(w, req, g->code, "text/plain; charset=utf-8", g->err,
		    strlen(g->err));
}

static void
graph_work(struct web_job *job)
{
	struct graph_job	*j = job->arg;

	if (j->spark)
		j->rc = web_data_spark(&j->src, j->period, j->metric,
		    j->width, j->height, &j->png, &j->len, j->err,
		    sizeof j->err);
	else
		j->rc = web_data_graph(&j->src, j->name, j->period, j->metric,
		    j->width, j->height, &j->png, &j->len, j->err,
		    sizeof j->err);
}

static void
graph_done(struct web_job *job)
{
	struct graph_job	*j = job->arg;
	struct web_graph	*g = j->g;
	size_t			 i;

	g->pending = 0;
	g->made_ms = util_mono_ms();
	if (job->cancelled) {
		g->code = 503;
		snprintf(g->err, sizeof g->err, "The server is stopping.\n");
	} else if (j->rc == WEB_DATA_OK) {
		g->code = 200;
		g->png = j->png;
		g->len = j->len;
		j->png = NULL;
	} else {
		/* Not cached for long: the file may appear any moment. */
		g->code = j->rc == WEB_DATA_NOTFOUND ? 404 : 503;
		snprintf(g->err, sizeof g->err, "%s\n", j->err);
		g->made_ms -= WEB_GRAPH_TTL_MS - 2000;
	}
	for (i = 0; i < g->nwaiters; i++)
		web_graph_answer(j->w, g->waiters[i], g);
	g->nwaiters = 0;
	free(j->png);
	web_src_free(&j->src);
	free(j);
}

/* Parse an optional integer query value, clamped; -1 when malformed. */
static int
graph_int_param(struct evhttp_request *req, const char *key, int def,
    int lo, int hi, int *out)
{
	char		*v;
	long long	 n;
	const char	*errstr;
	int		 rc = 0;

	*out = def;
	if ((v = web_query(req, key)) == NULL)
		return 0;
	if (util_parse_ll(v, 1, 100000, &n, &errstr) == -1)
		rc = -1;
	else
		*out = n < lo ? lo : n > hi ? hi : (int)n;
	free(v);
	return rc;
}

void
web_page_graph(struct web *w, struct evhttp_request *req, const char *rest)
{
	const struct check_conf	*c;
	struct graph_job	*j;
	struct web_graph	*g;
	char			 name[SW_NAME_MAX], key[SW_NAME_MAX + 64];
	char			*period = NULL, *metric = NULL;
	char			*style = NULL;
	size_t			 len = strlen(rest);
	int			 width, height, spark;

	/* NAME.png, NAME an existing check: nothing else names a file. */
	if (len < 5 || strcmp(rest + len - 4, ".png") != 0 ||
	    !web_valid_name(rest, len - 4)) {
		web_reply_error(w, req, 404, "There is no such graph.");
		return;
	}
	memcpy(name, rest, len - 4);
	name[len - 4] = '\0';
	if ((c = registry_check(w->reg, name)) == NULL) {
		web_reply_error(w, req, 404, "There is no such check.");
		return;
	}
	period = web_query(req, "period");
	metric = web_query(req, "metric");
	style = web_query(req, "style");
	spark = style != NULL && strcmp(style, "spark") == 0;
	if ((style != NULL && !spark) ||
	    (period != NULL && strcmp(period, "day") != 0 &&
	    strcmp(period, "week") != 0 && strcmp(period, "month") != 0 &&
	    strcmp(period, "year") != 0) ||
	    (metric != NULL && strcmp(metric, "time") != 0 &&
	    strcmp(metric, "availability") != 0 &&
	    strcmp(metric, "phases") != 0) ||
	    graph_int_param(req, "width", 600, spark ? 16 : 100, 1600,
	    &width) == -1 ||
	    graph_int_param(req, "height", 200, spark ? 8 : 24, 800,
	    &height) == -1) {
		web_reply_error(w, req, 400, "period is day, week, month or "
		    "year; metric is time, availability or phases; style is "
		    "spark or absent; width and height are numbers.");
		goto out;
	}
	snprintf(key, sizeof key, "%s|%s|%s|%d|%d|%d", name,
	    period != NULL ? period : "day", metric != NULL ? metric : "time",
	    width, height, spark);
	TAILQ_FOREACH(g, &w->graphs->list, entry)
		if (strcmp(g->key, key) == 0)
			break;
	if (g != NULL && !g->pending &&
	    util_mono_ms() - g->made_ms <= WEB_GRAPH_TTL_MS) {
		web_graph_answer(w, req, g);
		goto out;
	}
	if (g != NULL && g->pending) {
		/* Someone asked already: wait for the same drawing. */
		if (g->nwaiters == WEB_GRAPH_WAITERS_MAX)
			web_reply_error(w, req, 503, "Too busy, try again.");
		else
			g->waiters[g->nwaiters++] = req;
		goto out;
	}
	if (g != NULL)
		web_graph_free(w->graphs, g);
	g = xcalloc(1, sizeof *g);
	snprintf(g->key, sizeof g->key, "%s", key);
	g->pending = 1;
	g->waiters[g->nwaiters++] = req;
	TAILQ_INSERT_HEAD(&w->graphs->list, g, entry);
	w->graphs->n++;

	j = xcalloc(1, sizeof *j);
	j->w = w;
	j->g = g;
	web_src_init(&j->src, w->cfg, c);
	snprintf(j->name, sizeof j->name, "%s", name);
	snprintf(j->period, sizeof j->period, "%s",
	    period != NULL ? period : "day");
	snprintf(j->metric, sizeof j->metric, "%s",
	    metric != NULL ? metric : "time");
	j->width = width;
	j->height = height;
	j->spark = spark;
	if (web_queue_push(w->q_graph, graph_work, graph_done,
	    j) == -1) {
		web_src_free(&j->src);
		free(j);
		web_graph_free(w->graphs, g);
		web_reply_error(w, req, 503, "Too busy, try again.");
	}
out:
	free(period);
	free(metric);
	free(style);
}
