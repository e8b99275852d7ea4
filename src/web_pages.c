/*
 * web_pages.c -- the staff pages: the dashboard (/) and a check's detail
 * (/check/NAME).  A handler gathers the view's figures into plain data
 * for web_render.c and sends what it writes; the check page first reads
 * the ticket timeline on the db worker.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/http.h>

#include "config.h"
#include "locations.h"
#include "log.h"
#include "registry.h"
#include "web_data.h"
#include "scheduler.h"
#include "web_beats.h"
#include "web_int.h"
#include "web_render.h"
#include "web_view.h"
#include "web_auth.h"
#include "web_forms.h"
#include "xmalloc.h"

#define WEB_CHECK_TICKETS	10	/* tickets on a check's page */
#define PAGE_RECENT		20	/* results in a check's table */
#define WEB_DASH_ROWS		200	/* checks on a dashboard page */

/* ---- dashboard ---- */

struct page_row {
	const struct check_conf	*c;
	struct web_check	*wc;
	int			 site_rank;	/* worst of its site */
};

/* Sites with a failing check first, then by site, state, name. */
static int
page_row_cmp(const void *a, const void *b)
{
	const struct page_row	*x = a, *y = b;
	const char		*sx, *sy;
	int			 c;

	if (x->site_rank != y->site_rank)
		return x->site_rank - y->site_rank;
	sx = x->c->site != NULL ? x->c->site->name : "";
	sy = y->c->site != NULL ? y->c->site->name : "";
	if ((c = strcmp(sx, sy)) != 0)
		return c;
	c = web_state_rank(web_check_state(x->wc)) -
	    web_state_rank(web_check_state(y->wc));
	return c != 0 ? c : strcmp(x->c->name, y->c->name);
}

/* Group rows by site (any order of sites) for the rank pass. */
static int
page_row_site_cmp(const void *a, const void *b)
{
	const struct page_row	*x = a, *y = b;
	uintptr_t		 sx = (uintptr_t)x->c->site;
	uintptr_t		 sy = (uintptr_t)y->c->site;

	return sx < sy ? -1 : sx > sy;
}

/*
 * The rows of the checks table, in display order; *n set.  Two sorts
 * keep it O(n log n): one groups each site to find its worst state, the
 * second puts them in display order.
 */
static struct page_row *
page_rows_sorted(struct web *w, size_t *n)
{
	const struct config	*cfg = w->cfg;
	struct page_row		*rows;
	size_t			 i, j, k;
	int			 worst, r;

	rows = xcalloc(cfg->nchecks + 1, sizeof *rows);
	for (i = 0; i < cfg->nchecks; i++) {
		rows[i].c = cfg->checks[i];
		rows[i].wc = web_view_check(w->view, cfg->checks[i]);
	}
	qsort(rows, cfg->nchecks, sizeof *rows, page_row_site_cmp);
	for (i = 0; i < cfg->nchecks; i = j) {
		worst = 3;
		for (j = i; j < cfg->nchecks && rows[j].c->site ==
		    rows[i].c->site; j++)
			if ((r = web_state_rank(web_check_state(rows[j].wc))) <
			    worst)
				worst = r;
		for (k = i; k < j; k++)
			rows[k].site_rank = worst;
	}
	qsort(rows, cfg->nchecks, sizeof *rows, page_row_cmp);
	*n = cfg->nchecks;
	return rows;
}

/* A check that needs a look: not plainly up, or its result is old. */
static int
page_row_attention(const struct page_row *r, time_t now)
{
	return web_check_state(r->wc) != SW_STATE_UP ||
	    web_check_stale(r->wc, r->c, now);
}

/* The server's filters of a long dashboard (?state=&site=&q=). */
struct page_filter {
	char	*state;			/* a state name, or NULL */
	char	*site;			/* a site's display name, or NULL */
	char	*q;			/* a piece of the name or site */
};

static int
page_row_match(const struct page_row *r, const struct page_filter *f)
{
	const char	*site = r->c->site != NULL ? r->c->site->name : "";

	if (f->state != NULL && strcmp(f->state,
	    sw_state_name(web_check_state(r->wc))) != 0)
		return 0;
	if (f->site != NULL && strcmp(f->site, site) != 0)
		return 0;
	return f->q == NULL || strcasestr(r->c->name, f->q) != NULL ||
	    strcasestr(site, f->q) != NULL;
}

/*
 * A large config, filtered, is shown a page at a time: the checks that
 * need a look first (sorted as above), then the others in config order.
 * Only those that need a look are gathered and sorted (usually few); the
 * others are counted here and the page's share of them is found by a
 * second scan (page_rows_rest), so 100,000 checks answer in a few ms on
 * the loop with no copy of the whole list (two were 4.8 MB a request).
 */
static struct page_row *
page_rows_attention(struct web *w, const struct page_filter *f, time_t now,
    size_t *n, size_t *nrest)
{
	const struct config	*cfg = w->cfg;
	struct page_row		*rows = NULL, r;
	size_t			 i, cap = 0;

	*n = *nrest = 0;
	for (i = 0; i < cfg->nchecks; i++) {
		r.c = cfg->checks[i];
		r.wc = web_view_check(w->view, r.c);
		r.site_rank = web_state_rank(web_check_state(r.wc));
		if (!page_row_match(&r, f))
			continue;
		if (!page_row_attention(&r, now)) {
			(*nrest)++;
			continue;
		}
		if (*n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			rows = xreallocarray(rows, cap, sizeof *rows);
		}
		rows[(*n)++] = r;
	}
	/* Within the few: by state first, then as the full sort does. */
	if (*n > 0)
		qsort(rows, *n, sizeof *rows, page_row_cmp);
	return rows;
}

/* The rows that need no look, from the skip-th on, at most max; how many. */
static size_t
page_rows_rest(struct web *w, const struct page_filter *f, time_t now,
    size_t skip, struct page_row *out, size_t max)
{
	const struct config	*cfg = w->cfg;
	struct page_row		 r;
	size_t			 i, n = 0;

	for (i = 0; i < cfg->nchecks && n < max; i++) {
		r.c = cfg->checks[i];
		r.wc = web_view_check(w->view, r.c);
		r.site_rank = web_state_rank(web_check_state(r.wc));
		if (!page_row_match(&r, f) || page_row_attention(&r, now))
			continue;
		if (skip > 0)
			skip--;
		else
			out[n++] = r;
	}
	return n;
}

/*
 * A check's record as plain data for the renderers; locs: each
 * location's verdict (NULL: SQLite, none).
 */
static void
page_check_data(struct render_check *rc, const struct check_conf *c,
    const struct web_check *wc, const struct locations *locs)
{
	struct locations_count	k;

	memset(rc, 0, sizeof *rc);
	rc->name = c->name;
	rc->site = c->site != NULL ? c->site->name : NULL;
	rc->state = web_check_state(wc);
	rc->have = web_check_have(wc);
	if (web_check_have(wc)) {
		rc->cause = wc->st->cause;
		rc->message = check_status_message(wc->st, rc->up_message,
		    sizeof rc->up_message);
		rc->since = (double)wc->st->since;
		rc->total_ms = wc->st->last_total_ms;
	}
	rc->cert_days = web_check_have(wc) ? wc->last->cert_days_left : -1;
	rc->up24 = wc->up24;
	rc->up30 = wc->up30;
	rc->ticket = wc->st->ticket;
	rc->stale = web_check_stale(wc, c, time(NULL));
	rc->last_at = web_check_have(wc) ? (double)wc->st->last_at : 0;
	if (locs != NULL) {
		locations_count(locs, c->name, &k);
		locations_partial(&k, c->confirm, rc->partial,
		    sizeof rc->partial);
	}
}

/* An open ticket of the view as plain data. */
static void
page_ticket_data(struct render_ticket *rt, json_t *t)
{
	rt->id = json_integer_value(json_object_get(t, "id"));
	rt->check = json_string_value(json_object_get(t, "check"));
	rt->site = json_string_value(json_object_get(t, "site"));
	rt->severity = json_string_value(json_object_get(t, "severity"));
	rt->status = json_string_value(json_object_get(t, "status"));
	rt->acked_by = json_string_value(json_object_get(t,
	    "acknowledged_by"));
	rt->summary = json_string_value(json_object_get(t, "summary"));
	rt->cause = json_string_value(json_object_get(t, "cause"));
	rt->opened_at = json_string_value(json_object_get(t, "opened_at"));
}

/* ?page=N of the dashboard, 1 when absent or malformed. */
static size_t
page_number(struct evhttp_request *req, size_t npages)
{
	char		*v, *end;
	unsigned long	 p;

	if ((v = web_query(req, "page")) == NULL)
		return 1;
	/* strtoul takes "-1" for a huge number: digits only. */
	p = strtoul(v, &end, 10);
	if (!isdigit((unsigned char)*v) || *end != '\0' || p < 1)
		p = 1;
	free(v);
	return p > npages ? npages : p;
}

/* One filter of the query: NULL when absent or empty. */
static char *
page_filter_get(struct evhttp_request *req, const char *key, struct buf *qs)
{
	char	*v, *enc;

	if ((v = web_query(req, key)) != NULL && *v == '\0') {
		free(v);
		v = NULL;
	}
	if (v != NULL && (enc = evhttp_uriencode(v, -1, 0)) != NULL) {
		buf_printf(qs, "&%s=%s", key, enc);
		free(enc);
	}
	return v;
}

void
web_page_dashboard(struct web *w, struct evhttp_request *req,
    const char *rest)
{
	const struct config	*cfg = w->cfg;
	struct render_dashboard	 d;
	struct render_check	*checks;
	struct render_ticket	*tickets;
	struct page_row		*rows, *shown, *att;
	struct page_filter	 f;
	const struct web_session *s;
	struct buf		 b, qs;
	struct locations	 locs;
	json_t			*all, *t;
	const char		*err;
	size_t			 i, n, natt, nrest, first;
	time_t			 now;
	int			 pg;

	(void)rest;
	memset(&d, 0, sizeof d);
	memset(&f, 0, sizeof f);
	buf_init(&qs);
	if (cfg->nchecks <= WEB_DASH_ROWS) {
		/* All on one page: the script keeps it live and filters it. */
		rows = page_rows_sorted(w, &n);
		shown = rows;
	} else {
		f.state = page_filter_get(req, "state", &qs);
		f.site = page_filter_get(req, "site", &qs);
		f.q = page_filter_get(req, "q", &qs);
		now = time(NULL);
		att = page_rows_attention(w, &f, now, &natt, &nrest);
		n = natt + nrest;
		d.npages = n == 0 ? 1 : (n + WEB_DASH_ROWS - 1) / WEB_DASH_ROWS;
		d.page = page_number(req, d.npages);
		d.query = qs.len > 0 ? qs.data : "";
		first = (d.page - 1) * WEB_DASH_ROWS;
		rows = xcalloc(WEB_DASH_ROWS + 1, sizeof *rows);
		for (n = 0; first + n < natt && n < WEB_DASH_ROWS; n++)
			rows[n] = att[first + n];
		if (n < WEB_DASH_ROWS)
			n += page_rows_rest(w, &f, now, first + n - natt,
			    rows + n, WEB_DASH_ROWS - n);
		free(att);
		shown = rows;
	}
	for (i = 0; i < cfg->nchecks; i++)
		d.counts[web_check_state(web_view_check(w->view,
		    cfg->checks[i]))]++;
	d.total = cfg->nchecks;
	checks = xcalloc(n + 1, sizeof *checks);
	pg = web_view_locations(w->view, &locs);
	for (i = 0; i < n; i++) {
		page_check_data(&checks[i], shown[i].c, shown[i].wc,
		    pg ? &locs : NULL);
		web_beats_fill(w->beats, shown[i].c, &checks[i]);
	}
	all = web_view_tickets(w->view, &err);
	tickets = xcalloc(json_array_size(all) + 1, sizeof *tickets);
	json_array_foreach(all, i, t)
		page_ticket_data(&tickets[i], t);
	d.now = util_wall_time();
	d.impaired = w->sched != NULL &&
	    checker_health_impaired(scheduler_health(w->sched));
	d.checks = checks;
	d.nchecks = n;
	d.tickets = tickets;
	d.ntickets = json_array_size(all);
	d.tickets_err = all == NULL ? err : NULL;
	if ((s = web_auth_session(w, req)) != NULL) {
		d.user = web_session_user(s);
		d.role = web_session_role(s);
		d.csrf = web_session_csrf(s);
		d.staff = web_session_staff(s);
	}
	buf_init(&b);
	render_dashboard(&b, &d);
	web_reply_page(w, req, "en", "sitewatch dashboard", "dashboard", &b);
	free(tickets);
	free(checks);
	free(rows);
	free(f.state);
	free(f.site);
	free(f.q);
	buf_free(&qs);
}

/* ---- one check ---- */

/* k of n: what each location says of check, "a up · b down". */
static void
page_check_locations(struct buf *b, const struct locations *locs,
    const char *check)
{
	size_t	i, first, n;

	n = locations_find(locs, check, &first);
	buf_addstr(b, "<dt>Locations</dt><dd id=\"locations\">");
	for (i = first; i < first + n; i++) {
		if (i > first)
			buf_addstr(b, " · ");
		html_escape(b, locs->v[i].location);
		buf_addstr(b, " ");
		html_escape(b, locations_state(locs, &locs->v[i]));
	}
	if (n == 0)
		buf_addstr(b, "none yet");
	buf_addstr(b, "</dd>");
}

struct page_check_job {
	struct web		*w;
	struct evhttp_request	*req;
	char			 name[SW_NAME_MAX];
	struct web_src		 src;
	json_t			*tickets;
	int			 rc;
	char			 err[256];
};

int
web_valid_name(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || len >= SW_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '.' &&
		    s[i] != '_' && s[i] != '-')
			return 0;
	return 1;
}

static void
page_check_work(struct web_job *job)
{
	struct page_check_job	*j = job->arg;

	j->rc = web_data_tickets(web_queue_data(job), &j->src, 1,
	    &j->tickets, j->err, sizeof j->err);
}

/* The timeline of one ticket. */
static void
page_timeline(struct buf *b, json_t *t)
{
	json_t		*ev;
	size_t		 i;
	const char	*by, *text;

	buf_printf(b, "<div class=\"ticket\"><h3>#%lld ",
	    (long long)json_integer_value(json_object_get(t, "id")));
	html_printf(b, "%s — %s (%s)",
	    json_string_value(json_object_get(t, "severity")) ?
	    json_string_value(json_object_get(t, "severity")) : "",
	    json_string_value(json_object_get(t, "status")) ?
	    json_string_value(json_object_get(t, "status")) : "",
	    json_string_value(json_object_get(t, "summary")) ?
	    json_string_value(json_object_get(t, "summary")) : "");
	buf_addstr(b, "</h3><ol class=\"timeline\">\n");
	json_array_foreach(json_object_get(t, "events"), i, ev) {
		by = json_string_value(json_object_get(ev, "by"));
		text = json_string_value(json_object_get(ev, "text"));
		buf_addstr(b, "<li><time>");
		html_escape(b, json_string_value(json_object_get(ev, "at")));
		buf_addstr(b, "</time> <b>");
		html_escape(b, json_string_value(json_object_get(ev, "kind")));
		buf_addstr(b, "</b>");
		if (by != NULL) {
			buf_addstr(b, " by ");
			html_escape(b, by);
		}
		if (text != NULL) {
			buf_addstr(b, ": ");
			html_escape(b, text);
		}
		buf_addstr(b, "</li>\n");
	}
	buf_addstr(b, "</ol></div>\n");
}

static void
page_check_done(struct web_job *job)
{
	struct page_check_job	*j = job->arg;
	struct web		*w = j->w;
	const struct check_conf	*c;
	struct web_check	*wc;
	const struct render_beat *s;
	const char		*msg;
	struct buf		 b;
	const char		*periods[] = { "day", "week", "month",
				    "year" };
	json_t			*t;
	size_t			 i, shown = 0;
	enum sw_state		 st;
	const struct web_session *sess;
	struct buf		 back;
	struct locations	 locs;
	struct locations_count	 k;
	char			 partial[48];
	char			 up[CHECK_STATUS_UP_MAX];
	int			 pg;

	if (job->cancelled) {
		web_reply_error(w, j->req, 503, "The server is stopping.");
		goto out;
	}
	if ((c = registry_check(w->reg, j->name)) == NULL) {
		web_reply_error(w, j->req, 404, "There is no such check.");
		goto out;
	}
	wc = web_view_check(w->view, c);
	st = web_check_state(wc);
	buf_init(&b);
	render_nav(&b, "sitewatch — check", util_wall_time());
	if ((sess = web_auth_session(w, j->req)) != NULL)
		render_userbar(&b, web_session_user(sess),
		    web_session_role(sess), web_session_csrf(sess));
	buf_init(&back);
	buf_addstr(&back, "/check/");
	html_urlencode(&back, c->name);
	buf_printf(&b, "<main class=\"check-page\">\n<h2 class=\"%s\">",
	    html_state_class(st));
	html_escape(&b, c->name);
	buf_printf(&b, " <span class=\"badge %s\">%s</span>",
	    html_state_class(st), sw_state_name(st));
	pg = web_view_locations(w->view, &locs);
	if (pg) {
		locations_count(&locs, c->name, &k);
		locations_partial(&k, c->confirm, partial, sizeof partial);
		render_partial(&b, partial);
	}
	if (web_check_stale(wc, c, time(NULL))) {
		buf_addstr(&b, " <span class=\"badge stale\">stale</span>"
		    "</h2>\n<p class=\"stale\">No result since ");
		html_time(&b, (double)wc->st->last_at);
		buf_addstr(&b, ": the state above may no longer hold.</p>\n");
	} else
		buf_addstr(&b, "</h2>\n");
	buf_addstr(&b, "<dl class=\"facts\"><dt>Site</dt><dd>");
	html_escape(&b, c->site != NULL ? c->site->name : "");
	buf_addstr(&b, "</dd><dt>URL</dt><dd>");
	/* Shown as text: a link could lead staff to a hostile page. */
	html_escape(&b, c->url);
	buf_printf(&b, "</dd><dt>Every</dt><dd>%d s, timeout %d s, slow "
	    "%d ms, down %d ms</dd>", c->interval, c->timeout, c->slow_ms,
	    c->down_ms);
	if (pg)
		page_check_locations(&b, &locs, c->name);
	if (web_check_have(wc)) {
		buf_addstr(&b, "<dt>Cause</dt><dd id=\"cause\">");
		html_escape(&b, sw_cause_name(wc->st->cause));
		buf_addstr(&b, "</dd><dt>Message</dt><dd id=\"message\">");
		html_escape(&b, check_status_message(wc->st, up, sizeof up));
		buf_addstr(&b, "</dd><dt>Since</dt><dd>");
		html_time(&b, (double)wc->st->since);
		buf_addstr(&b, "</dd><dt>Last run</dt><dd>");
		html_time(&b, wc->last->at);
		buf_printf(&b, "</dd><dt>Timings</dt><dd>dns %.1f ms · "
		    "connect %.1f ms · tls %.1f ms · ttfb %.1f ms · total "
		    "%.1f ms"
		    "</dd><dt>HTTP</dt><dd>%d, %lld bytes</dd>",
		    wc->last->dns_ms, wc->last->connect_ms, wc->last->tls_ms,
		    wc->last->ttfb_ms, wc->st->last_total_ms,
		    wc->st->http_status, wc->last->bytes);
		if (wc->last->cert_days_left >= 0)
			buf_printf(&b, "<dt>Certificate</dt><dd>expires in %d "
			    "days</dd>", wc->last->cert_days_left);
	}
	buf_addstr(&b, "<dt>Uptime</dt><dd>24 h ");
	render_uptime(&b, wc->up24);
	buf_addstr(&b, " · 30 d ");
	render_uptime(&b, wc->up30);
	buf_addstr(&b, "</dd></dl>\n");

	/*
	 * The live charts: drawn in the browser by dygraphs from
	 * /api/v1/checks/NAME/series (app.js); times in UTC, as everywhere
	 * on the staff pages.  The server-drawn PNGs stay below, folded.
	 */
	buf_addstr(&b, "<link rel=\"stylesheet\" "
	    "href=\"/static/dygraph.min.css\">\n<script "
	    "src=\"/static/dygraph.min.js\" defer></script>\n"
	    "<section class=\"live\"><h3>Response time <small>(UTC; drag "
	    "to zoom, double-click to reset)</small></h3>\n"
	    "<p class=\"periods\" id=\"periods\">");
	for (i = 0; i < 5; i++) {
		static const char *const live[] = { "hour", "day", "week",
		    "month", "year" };
		buf_printf(&b, "<button type=\"button\" data-period=\"%s\"%s>"
		    "%s</button> ", live[i], i == 1 ? " class=\"on\"" : "",
		    live[i]);
	}
	buf_addstr(&b, "</p>\n<div id=\"chart-phases\" class=\"chart\" "
	    "data-check=\"");
	html_escape(&b, c->name);
	buf_addstr(&b, "\"></div>\n<div id=\"chart-total\" "
	    "class=\"chart\"></div>\n<div id=\"chart-up\" class=\"chart "
	    "small\"></div>\n<p id=\"chart-note\" class=\"note\">The "
	    "charts need JavaScript; the server-drawn graphs are below."
	    "</p></section>\n");

	buf_addstr(&b, "<details class=\"pngs\"><summary>Server-drawn "
	    "graphs</summary>\n");
	buf_addstr(&b, "<div class=\"graphs\">\n");
	for (i = 0; i < 4; i++) {
		buf_printf(&b, "<figure><figcaption>%s</figcaption>",
		    periods[i]);
		render_graph_img(&b, c->name, periods[i], "time", 580, 240,
		    "graph");
		render_graph_img(&b, c->name, periods[i], "availability", 580,
		    240, "graph");
		buf_addstr(&b, "</figure>\n");
	}
	buf_addstr(&b, "</div></details>\n");

	buf_addstr(&b, "<section><h3>Recent results</h3>\n<table "
	    "id=\"results\" class=\"results\"><thead><tr><th>Time</th>"
	    "<th>State</th><th>Cause</th><th>HTTP</th><th>Total</th>"
	    "<th>Message</th></tr></thead><tbody>\n");
	for (i = 0; i < PAGE_RECENT &&
	    (s = web_beats_recent(w->beats, c, (unsigned)i, &msg)) != NULL;
	    i++) {
		buf_printf(&b, "<tr class=\"%s\"><td>",
		    html_state_class(s->state));
		html_time(&b, s->at);
		buf_printf(&b, "</td><td>%s</td><td>%s</td><td>%d</td>"
		    "<td>%u ms</td><td class=\"msg\">",
		    sw_state_name(s->state), sw_cause_name(s->cause),
		    (int)s->http, (unsigned)s->total_ms);
		/* An up result's message is its status (web_beats.h). */
		if (msg != NULL)
			html_escape(&b, msg);
		else
			buf_printf(&b, "HTTP %d", (int)s->http);
		buf_addstr(&b, "</td></tr>\n");
	}
	buf_addstr(&b, "</tbody></table></section>\n");

	buf_addstr(&b, "<section id=\"check-tickets\"><h3>Tickets</h3>\n");
	if (j->rc != WEB_DATA_OK) {
		buf_addstr(&b, "<p class=\"note\">Tickets are not available: ");
		html_escape(&b, j->err);
		buf_addstr(&b, "</p>\n");
	}
	json_array_foreach(j->tickets, i, t) {
		const char *tc = json_string_value(json_object_get(t,
		    "check"));

		if (tc == NULL || strcmp(tc, c->name) != 0)
			continue;
		page_timeline(&b, t);
		/* Staff act here; a resolved ticket takes notes only. */
		if (web_session_staff(sess))
			render_ticket_actions(&b, (long long)json_integer_value(
			    json_object_get(t, "id")), json_string_value(
			    json_object_get(t, "status")),
			    web_session_csrf(sess), back.data);
		if (++shown == WEB_CHECK_TICKETS)
			break;
	}
	if (j->rc == WEB_DATA_OK && shown == 0)
		buf_addstr(&b, "<p>No tickets.</p>\n");
	buf_addstr(&b, "</section>\n</main>\n");
	web_reply_page(w, j->req, "en", c->name, "check", &b);
	buf_free(&back);
out:
	json_decref(j->tickets);
	web_src_free(&j->src);
	free(j);
}

void
web_page_check(struct web *w, struct evhttp_request *req, const char *rest)
{
	struct page_check_job	*j;
	const struct check_conf	*c;

	if (!web_valid_name(rest, strlen(rest)) ||
	    (c = registry_check(w->reg, rest)) == NULL) {
		web_reply_error(w, req, 404, "There is no such check.");
		return;
	}
	/* The ticket timeline needs the db: read it on the worker. */
	j = xcalloc(1, sizeof *j);
	j->w = w;
	j->req = req;
	snprintf(j->name, sizeof j->name, "%s", c->name);
	web_src_init(&j->src, w->cfg, c);
	if (web_queue_push(w->q_db, page_check_work, page_check_done,
	    j) == -1) {
		web_src_free(&j->src);
		free(j);
		web_reply_error(w, req, 503, "Too busy, try again.");
	}
}

