/*
 * web_pages.c -- the HTML pages: the staff dashboard (/), a check's
 * detail (/check/NAME), the public status page (/status), and the graph
 * images (/graph/NAME.png) drawn on a worker and cached briefly.
 *
 * Every value from the config or a checked site goes through
 * html_escape(); pages carry no inline script or style (the CSP forbids
 * both), and the dashboard's live refresh is /static/app.js.
 */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/http.h>

#include "config.h"
#include "log.h"
#include "web_data.h"
#include "scheduler.h"
#include "web_int.h"
#include "xmalloc.h"

#define WEB_GRAPH_TTL_MS	30000
#define WEB_GRAPH_CACHE_MAX	128
#define WEB_GRAPH_WAITERS_MAX	64
#define WEB_CHECK_TICKETS	10	/* tickets on a check's page */

/* "2026-11-25 02:31 UTC" */
static void
page_time(struct buf *b, double t)
{
	struct tm	tm;
	time_t		tt = (time_t)t;
	char		s[64];

	if (t <= 0) {
		buf_addstr(b, "—");
		return;
	}
	gmtime_r(&tt, &tm);
	strftime(s, sizeof s, "%Y-%m-%d %H:%M:%S UTC", &tm);
	buf_addstr(b, s);
}

/* Seconds since an ISO 8601 UTC time, -1 when it does not parse. */
static double
page_age(const char *iso)
{
	time_t	t;

	if (iso == NULL || util_parse_time(iso, &t) == -1)
		return -1;
	return difftime(time(NULL), t);
}

static void
page_uptime(struct buf *b, double pct)
{
	if (isfinite(pct))
		buf_printf(b, "%.2f %%", pct);
	else
		buf_addstr(b, "<span class=\"na\" title=\"not available\">"
		    "n/a</span>");
}

/* Staff navigation bar. */
static void
page_nav(struct buf *b, const char *title)
{
	buf_addstr(b, "<header class=\"top\"><h1>");
	html_escape(b, title);
	buf_addstr(b, "</h1><nav><a href=\"/\">Dashboard</a> "
	    "<a href=\"/status\">Public status</a> "
	    "<a href=\"/metrics\">Metrics</a> "
	    "<a href=\"/api/v1/checks\">API</a></nav>"
	    "<span id=\"updated\" class=\"updated\">rendered ");
	page_time(b, util_wall_time());
	buf_addstr(b, "</span></header>\n");
}

/* Send a finished page. */
static void
page_send(struct web *w, struct evhttp_request *req, const char *lang,
    const char *title, const char *cls, struct buf *body)
{
	struct buf	page;

	buf_init(&page);
	html_page(w, &page, lang, title, cls, body->data != NULL ?
	    body->data : "");
	web_reply(w, req, 200, "text/html; charset=utf-8", page.data,
	    page.len);
	buf_free(&page);
	buf_free(body);
}

/* An <img> of a check's graph. */
static void
page_graph_img(struct buf *b, const char *name, const char *period,
    const char *metric, int width, int height, const char *cls)
{
	buf_addstr(b, "<img class=\"");
	buf_addstr(b, cls);
	buf_addstr(b, "\" src=\"/graph/");
	html_urlencode(b, name);
	buf_printf(b, ".png?period=%s&amp;metric=%s&amp;width=%d&amp;"
	    "height=%d%s\" alt=\"", period, metric, width, height,
	    strcmp(cls, "spark") == 0 ? "&amp;style=spark" : "");
	html_printf(b, "%s %s %s", name, metric, period);
	buf_printf(b, "\" width=\"%d\" height=\"%d\" loading=\"lazy\">",
	    width, height);
}

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
 * keep it O(n log n) for large configs: one groups each site to find its
 * worst state, the second puts them in display order.
 */
static struct page_row *
page_rows(struct web *w, size_t *n)
{
	const struct config	*cfg = web_cfg(w);
	struct page_row		*rows;
	size_t			 i, j, k;
	int			 worst, r;

	rows = xcalloc(cfg->nchecks + 1, sizeof *rows);
	for (i = 0; i < cfg->nchecks; i++) {
		rows[i].c = cfg->checks[i];
		rows[i].wc = web_check_get(w, cfg->checks[i]->name);
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

/* One open-ticket row of the dashboard. */
static void
page_ticket_row(struct buf *b, json_t *t)
{
	const char	*status, *opened, *sev;
	double		 age;

	status = json_string_value(json_object_get(t, "status"));
	opened = json_string_value(json_object_get(t, "opened_at"));
	sev = json_string_value(json_object_get(t, "severity"));
	buf_printf(b, "<tr class=\"ticket sev-%s\"><td>#%lld</td><td>",
	    sev != NULL && strcmp(sev, "critical") == 0 ? "critical" :
	    "warning",
	    (long long)json_integer_value(json_object_get(t, "id")));
	buf_addstr(b, "<a href=\"/check/");
	html_urlencode(b, json_string_value(json_object_get(t, "check")));
	buf_addstr(b, "\">");
	html_escape(b, json_string_value(json_object_get(t, "check")));
	buf_addstr(b, "</a></td><td>");
	html_escape(b, json_string_value(json_object_get(t, "site")));
	buf_addstr(b, "</td><td>");
	html_escape(b, json_string_value(json_object_get(t, "severity")));
	buf_addstr(b, "</td><td>");
	html_escape(b, status);
	if (json_string_value(json_object_get(t, "acknowledged_by"))) {
		buf_addstr(b, " by ");
		html_escape(b, json_string_value(json_object_get(t,
		    "acknowledged_by")));
	}
	buf_addstr(b, "</td><td>");
	html_escape(b, json_string_value(json_object_get(t, "summary")));
	buf_addstr(b, "</td><td class=\"age\" data-since=\"");
	html_escape(b, opened);
	buf_addstr(b, "\">");
	if ((age = page_age(opened)) >= 0)
		html_duration(b, age);
	buf_addstr(b, "</td></tr>\n");
}

void
web_page_dashboard(struct web *w, struct evhttp_request *req,
    const char *rest)
{
	struct page_row		*rows;
	struct buf		 b;
	const struct site_conf	*site = NULL;
	struct web_check	*wc;
	size_t			 n, i, counts[4] = { 0, 0, 0, 0 };
	json_t			*t;
	enum sw_state		 st;
	char			 iso[32];

	buf_init(&b);
	page_nav(&b, "sitewatch — dashboard");
	if (w->sched != NULL && checker_health_impaired(
	    scheduler_health(w->sched)))
		buf_addstr(&b, "<p id=\"impaired\" class=\"banner st-down\">"
		    "The monitor itself is impaired: checks it cannot make "
		    "are unknown, not down (see the log and /metrics).</p>\n");
	rows = page_rows(w, &n);
	for (i = 0; i < n; i++)
		counts[web_check_state(rows[i].wc)]++;
	buf_printf(&b, "<main>\n<p id=\"summary\" class=\"summary\">%zu "
	    "checks: <span class=\"st-down\">%zu down</span>, "
	    "<span class=\"st-degraded\">%zu degraded</span>, "
	    "<span class=\"st-up\">%zu up</span>, "
	    "<span class=\"st-unknown\">%zu unknown</span></p>\n", n,
	    counts[SW_STATE_DOWN], counts[SW_STATE_DEGRADED],
	    counts[SW_STATE_UP], counts[SW_STATE_UNKNOWN]);

	buf_addstr(&b, "<section><h2>Open tickets</h2>\n");
	if (w->tickets == NULL) {
		buf_addstr(&b, "<p class=\"note\">Tickets are not available: ");
		html_escape(&b, w->tickets_err != NULL ? w->tickets_err :
		    "not read yet");
		buf_addstr(&b, "</p>\n");
	}
	buf_addstr(&b, "<table id=\"tickets\" class=\"tickets\"><thead><tr>"
	    "<th>Ticket</th><th>Check</th><th>Site</th><th>Severity</th>"
	    "<th>Status</th><th>Summary</th><th>Age</th></tr></thead>"
	    "<tbody id=\"tickets-body\">\n");
	json_array_foreach(w->tickets, i, t)
		page_ticket_row(&b, t);
	buf_addstr(&b, "</tbody></table></section>\n");

	buf_addstr(&b, "<section><h2>Checks</h2>\n<table id=\"checks\" "
	    "class=\"checks\"><thead><tr><th>Check</th><th>State</th>"
	    "<th>Since</th><th>Last</th><th>24 h</th><th>30 d</th>"
	    "<th>Ticket</th><th>Response time, 24 h</th></tr></thead>\n"
	    "<tbody id=\"checks-body\">\n");
	for (i = 0; i < n; i++) {
		wc = rows[i].wc;
		st = web_check_state(wc);
		if (i == 0 || rows[i].c->site != site) {
			site = rows[i].c->site;
			buf_addstr(&b, "<tr class=\"site\"><th colspan=\"8\">");
			html_escape(&b, site != NULL ? site->name :
			    "(no site)");
			buf_addstr(&b, "</th></tr>\n");
		}
		buf_printf(&b, "<tr class=\"check %s\" data-check=\"",
		    html_state_class(st));
		html_escape(&b, wc->name);
		buf_addstr(&b, "\"><td><a href=\"/check/");
		html_urlencode(&b, wc->name);
		buf_addstr(&b, "\">");
		html_escape(&b, wc->name);
		buf_printf(&b, "</a></td><td><span class=\"badge %s\">%s"
		    "</span>", html_state_class(st), sw_state_name(st));
		if (wc->have && st != SW_STATE_UP) {
			buf_addstr(&b, " <span class=\"msg\">");
			html_printf(&b, "%s: %s",
			    sw_cause_name(wc->last->cause), wc->last->message);
			buf_addstr(&b, "</span>");
		}
		buf_addstr(&b, "</td><td>");
		if (wc->have && wc->since > 0) {
			util_iso8601((time_t)wc->since, iso, sizeof iso);
			buf_printf(&b, "<span class=\"age\" data-since=\"%s\" "
			    "title=\"%s\">", iso, iso);
			html_duration(&b, util_wall_time() - wc->since);
			buf_addstr(&b, "</span>");
		}
		buf_addstr(&b, "</td><td>");
		if (wc->have)
			buf_printf(&b, "%.*f ms",
			    wc->last->total_ms < 10 ? 1 : 0,
			    wc->last->total_ms);
		buf_addstr(&b, "</td><td>");
		page_uptime(&b, wc->up24);
		buf_addstr(&b, "</td><td>");
		page_uptime(&b, wc->up30);
		buf_addstr(&b, "</td><td>");
		if (wc->ticket > 0)
			buf_printf(&b, "#%lld", wc->ticket);
		buf_addstr(&b, "</td><td>");
		page_graph_img(&b, wc->name, "day", "time", 160, 32, "spark");
		buf_addstr(&b, "</td></tr>\n");
	}
	buf_addstr(&b, "</tbody></table></section>\n");
	buf_addstr(&b, "</main>\n");
	free(rows);
	page_send(w, req, "en", "sitewatch dashboard", "dashboard", &b);
}

/* ---- one check ---- */

struct page_check_job {
	struct web		*w;
	struct evhttp_request	*req;
	char			 name[SW_NAME_MAX];
	struct web_src		 src;
	json_t			*tickets;
	int			 rc;
	char			 err[256];
};

/* Is s a possible check name ([A-Za-z0-9._-], not too long)? */
static int
page_valid_name(const char *s, size_t len)
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
	struct web_sample	*s;
	struct buf		 b;
	const char		*periods[] = { "day", "week", "month",
				    "year" };
	json_t			*t;
	size_t			 i, shown = 0;
	enum sw_state		 st;

	if (job->cancelled) {
		web_reply_error(w, j->req, 503, "The server is stopping.");
		goto out;
	}
	if ((c = config_find_check(web_cfg(w), j->name)) == NULL) {
		web_reply_error(w, j->req, 404, "There is no such check.");
		goto out;
	}
	wc = web_check_get(w, c->name);
	st = web_check_state(wc);
	buf_init(&b);
	page_nav(&b, "sitewatch — check");
	buf_printf(&b, "<main class=\"check-page\">\n<h2 class=\"%s\">",
	    html_state_class(st));
	html_escape(&b, c->name);
	buf_printf(&b, " <span class=\"badge %s\">%s</span></h2>\n",
	    html_state_class(st), sw_state_name(st));
	buf_addstr(&b, "<dl class=\"facts\"><dt>Site</dt><dd>");
	html_escape(&b, c->site != NULL ? c->site->name : "");
	buf_addstr(&b, "</dd><dt>URL</dt><dd>");
	/* Shown as text: a link could lead staff to a hostile page. */
	html_escape(&b, c->url);
	buf_printf(&b, "</dd><dt>Every</dt><dd>%d s, timeout %d s, slow "
	    "%d ms, down %d ms</dd>", c->interval, c->timeout, c->slow_ms,
	    c->down_ms);
	if (wc->have) {
		buf_addstr(&b, "<dt>Cause</dt><dd id=\"cause\">");
		html_escape(&b, sw_cause_name(wc->last->cause));
		buf_addstr(&b, "</dd><dt>Message</dt><dd id=\"message\">");
		html_escape(&b, wc->last->message);
		buf_addstr(&b, "</dd><dt>Since</dt><dd>");
		page_time(&b, wc->since);
		buf_addstr(&b, "</dd><dt>Last run</dt><dd>");
		page_time(&b, wc->last->at);
		buf_printf(&b, "</dd><dt>Timings</dt><dd>dns %.1f ms · "
		    "connect %.1f ms · tls %.1f ms · ttfb %.1f ms · total "
		    "%.1f ms"
		    "</dd><dt>HTTP</dt><dd>%ld, %lld bytes</dd>",
		    wc->last->dns_ms, wc->last->connect_ms, wc->last->tls_ms,
		    wc->last->ttfb_ms, wc->last->total_ms,
		    wc->last->http_status, wc->last->bytes);
		if (wc->last->cert_days_left >= 0)
			buf_printf(&b, "<dt>Certificate</dt><dd>expires in %d "
			    "days</dd>", wc->last->cert_days_left);
	}
	buf_addstr(&b, "<dt>Uptime</dt><dd>24 h ");
	page_uptime(&b, wc->up24);
	buf_addstr(&b, " · 30 d ");
	page_uptime(&b, wc->up30);
	buf_addstr(&b, "</dd></dl>\n");

	buf_addstr(&b, "<section><h3>Graphs</h3>\n");
	buf_addstr(&b, "<div class=\"graphs\">\n");
	for (i = 0; i < 4; i++) {
		buf_printf(&b, "<figure><figcaption>%s</figcaption>",
		    periods[i]);
		page_graph_img(&b, c->name, periods[i], "time", 580, 240,
		    "graph");
		page_graph_img(&b, c->name, periods[i], "availability", 580,
		    240, "graph");
		buf_addstr(&b, "</figure>\n");
	}
	buf_addstr(&b, "</div></section>\n");

	buf_addstr(&b, "<section><h3>Recent results</h3>\n<table "
	    "id=\"results\" class=\"results\"><thead><tr><th>Time</th>"
	    "<th>State</th><th>Cause</th><th>HTTP</th><th>Total</th>"
	    "<th>Message</th></tr></thead><tbody>\n");
	for (i = 0; i < wc->nring; i++) {
		s = &wc->ring[(wc->head + WEB_RING - 1 - i) % WEB_RING];
		buf_printf(&b, "<tr class=\"%s\"><td>",
		    html_state_class(s->state));
		page_time(&b, s->at);
		buf_printf(&b, "</td><td>%s</td><td>%s</td><td>%d</td>"
		    "<td>%.0f ms</td><td class=\"msg\">",
		    sw_state_name(s->state), sw_cause_name(s->cause),
		    (int)s->http_status, (double)s->total_ms);
		html_escape(&b, s->message);
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
		if (++shown == WEB_CHECK_TICKETS)
			break;
	}
	if (j->rc == WEB_DATA_OK && shown == 0)
		buf_addstr(&b, "<p>No tickets.</p>\n");
	buf_addstr(&b, "</section>\n</main>\n");
	page_send(w, j->req, "en", c->name, "check", &b);
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

	if (!page_valid_name(rest, strlen(rest)) ||
	    (c = config_find_check(web_cfg(w), rest)) == NULL) {
		web_reply_error(w, req, 404, "There is no such check.");
		return;
	}
	/* The ticket timeline needs the db: read it on the worker. */
	j = xcalloc(1, sizeof *j);
	j->w = w;
	j->req = req;
	snprintf(j->name, sizeof j->name, "%s", c->name);
	web_src_init(&j->src, web_cfg(w), c);
	if (web_queue_push(w->q_db, page_check_work, page_check_done,
	    j) == -1) {
		web_src_free(&j->src);
		free(j);
		web_reply_error(w, req, 503, "Too busy, try again.");
	}
}

/* ---- public status page ---- */

enum page_str {
	S_TITLE, S_ALL_OK, S_UP, S_DEGRADED, S_DOWN, S_UNKNOWN, S_DAYS,
	S_INCIDENTS, S_NO_INCIDENTS, S_SINCE, S_ACKED, S_OPEN, S_REF,
	S_NODATA, S_UPTIME, S_TODAY, S_AGO,
	S_C_DNS, S_C_CONNECT, S_C_TLS, S_C_TIMEOUT, S_C_HTTP, S_C_CONTENT,
	S_C_SLOW, S_C_CERT, S_C_OTHER, S_COUNT
};

/* Plain words for clients, in their language. */
static const char *const page_words[2][S_COUNT] = {
	{
	[S_TITLE] = "Service status",
	[S_ALL_OK] = "All services are working normally.",
	[S_UP] = "Working normally",
	[S_DEGRADED] = "Working, with problems",
	[S_DOWN] = "Not available",
	[S_UNKNOWN] = "No recent measurement",
	[S_DAYS] = "Availability over the last 90 days",
	[S_INCIDENTS] = "Current incidents",
	[S_NO_INCIDENTS] = "No current incidents.",
	[S_SINCE] = "Since",
	[S_ACKED] = "Our support team is working on it.",
	[S_OPEN] = "Our support team has been alerted.",
	[S_REF] = "Reference",
	[S_NODATA] = "no data",
	[S_UPTIME] = "available",
	[S_TODAY] = "today",
	[S_AGO] = "90 days ago",
	[S_C_DNS] = "the site's address cannot be found",
	[S_C_CONNECT] = "the site cannot be reached",
	[S_C_TLS] = "a secure connection to the site cannot be made",
	[S_C_TIMEOUT] = "the site does not answer in time",
	[S_C_HTTP] = "the site answers with an error",
	[S_C_CONTENT] = "the site does not show its usual content",
	[S_C_SLOW] = "the site is answering slowly",
	[S_C_CERT] = "the site's security certificate needs attention",
	[S_C_OTHER] = "the site has a problem",
	},
	{
	[S_TITLE] = "Hizmet durumu",
	[S_ALL_OK] = "Tüm hizmetler normal çalışıyor.",
	[S_UP] = "Normal çalışıyor",
	[S_DEGRADED] = "Çalışıyor, sorunlar var",
	[S_DOWN] = "Erişilemiyor",
	[S_UNKNOWN] = "Yakın zamanda ölçüm yok",
	[S_DAYS] = "Son 90 günde erişilebilirlik",
	[S_INCIDENTS] = "Süren olaylar",
	[S_NO_INCIDENTS] = "Süren bir olay yok.",
	[S_SINCE] = "Başlangıç",
	[S_ACKED] = "Destek ekibimiz sorun üzerinde çalışıyor.",
	[S_OPEN] = "Destek ekibimize haber verildi.",
	[S_REF] = "Kayıt no",
	[S_NODATA] = "veri yok",
	[S_UPTIME] = "erişilebilir",
	[S_TODAY] = "bugün",
	[S_AGO] = "90 gün önce",
	[S_C_DNS] = "sitenin adresi bulunamıyor",
	[S_C_CONNECT] = "siteye bağlanılamıyor",
	[S_C_TLS] = "siteyle güvenli bağlantı kurulamıyor",
	[S_C_TIMEOUT] = "site zamanında yanıt vermiyor",
	[S_C_HTTP] = "site hata ile yanıt veriyor",
	[S_C_CONTENT] = "site olağan içeriğini göstermiyor",
	[S_C_SLOW] = "site yavaş yanıt veriyor",
	[S_C_CERT] = "sitenin güvenlik sertifikası ilgi bekliyor",
	[S_C_OTHER] = "sitede bir sorun var",
	},
};

static const char *
page_word(const char *lang, enum page_str s)
{
	return page_words[lang != NULL && strcmp(lang, "tr") == 0][s];
}

static enum page_str
page_cause_word(const char *cause)
{
	switch (cause != NULL ? sw_cause_parse(cause) : -1) {
	case SW_CAUSE_DNS: return S_C_DNS;
	case SW_CAUSE_CONNECT: return S_C_CONNECT;
	case SW_CAUSE_TLS: return S_C_TLS;
	case SW_CAUSE_TIMEOUT: return S_C_TIMEOUT;
	case SW_CAUSE_HTTP: return S_C_HTTP;
	case SW_CAUSE_CONTENT: return S_C_CONTENT;
	case SW_CAUSE_SLOW: return S_C_SLOW;
	case SW_CAUSE_CERT: return S_C_CERT;
	default: return S_C_OTHER;
	}
}

static enum page_str
page_state_word(enum sw_state st)
{
	switch (st) {
	case SW_STATE_UP: return S_UP;
	case SW_STATE_DEGRADED: return S_DEGRADED;
	case SW_STATE_DOWN: return S_DOWN;
	default: return S_UNKNOWN;
	}
}

/* One site's block: state, 90-day bar, incidents; nothing internal. */
static void
page_status_site(struct web *w, struct buf *b, const struct site_conf *site)
{
	const struct config	*cfg = web_cfg(w);
	const char		*lang = site->language;
	struct web_check	*wc;
	double			 day[WEB_DAYS], sum;
	int			 nday[WEB_DAYS], worst = 3, r, nincident = 0;
	size_t			 i, d;
	json_t			*t;
	const char		*check;

	memset(nday, 0, sizeof nday);
	for (d = 0; d < WEB_DAYS; d++)
		day[d] = 0;
	buf_addstr(b, "<section class=\"site\" lang=\"");
	html_escape(b, lang);
	buf_addstr(b, "\"><h2>");
	html_escape(b, site->name);
	buf_addstr(b, "</h2>\n<ul class=\"services\">\n");
	for (i = 0; i < cfg->nchecks; i++) {
		if (cfg->checks[i]->site != site)
			continue;
		wc = web_check_get(w, cfg->checks[i]->name);
		r = web_state_rank(web_check_state(wc));
		if (r < worst)
			worst = r;
		buf_printf(b, "<li class=\"service %s\"><span class=\"name\">",
		    html_state_class(web_check_state(wc)));
		html_escape(b, wc->name);
		buf_printf(b, "</span> <span class=\"state\">%s</span></li>\n",
		    page_word(lang, page_state_word(web_check_state(wc))));
		for (d = 0; wc->have_daily && d < WEB_DAYS; d++)
			if (isfinite(wc->daily[d])) {
				day[d] += wc->daily[d];
				nday[d]++;
			}
	}
	buf_addstr(b, "</ul>\n");
	(void)worst;

	buf_printf(b, "<p class=\"days-title\">%s</p>\n<div class=\"days\">",
	    page_word(lang, S_DAYS));
	for (d = 0; d < WEB_DAYS; d++) {
		sum = nday[d] > 0 ? day[d] / nday[d] : NAN;
		buf_printf(b, "<span class=\"day %s\" title=\"",
		    html_uptime_class(sum));
		if (isfinite(sum))
			buf_printf(b, "%.2f %% %s", sum,
			    page_word(lang, S_UPTIME));
		else
			buf_addstr(b, page_word(lang, S_NODATA));
		buf_addstr(b, "\"></span>");
	}
	buf_printf(b, "</div>\n<p class=\"days-legend\"><span>%s</span>"
	    "<span>%s</span></p>\n", page_word(lang, S_AGO),
	    page_word(lang, S_TODAY));

	buf_printf(b, "<h3>%s</h3>\n", page_word(lang, S_INCIDENTS));
	json_array_foreach(w->tickets, i, t) {
		const struct check_conf	*c;
		const char		*status, *opened, *sev;
		time_t			 when;
		struct tm		 tm;
		char			 ts[64];

		check = json_string_value(json_object_get(t, "check"));
		if (check == NULL ||
		    (c = config_find_check(cfg, check)) == NULL ||
		    c->site != site)
			continue;
		status = json_string_value(json_object_get(t, "status"));
		opened = json_string_value(json_object_get(t, "opened_at"));
		ts[0] = '\0';
		if (opened != NULL && util_parse_time(opened, &when) == 0) {
			gmtime_r(&when, &tm);
			strftime(ts, sizeof ts, "%Y-%m-%d %H:%M UTC", &tm);
		}
		sev = json_string_value(json_object_get(t, "severity"));
		buf_printf(b, "<div class=\"incident sev-%s\"><p><b>",
		    sev != NULL && strcmp(sev, "warning") == 0 ? "warning" :
		    "critical");
		html_escape(b, c->name);
		buf_addstr(b, "</b>: ");
		html_escape(b, page_word(lang, page_cause_word(
		    json_string_value(json_object_get(t, "cause")))));
		buf_printf(b, ". %s %s.</p><p>%s %s #%lld</p></div>\n",
		    page_word(lang, S_SINCE), ts,
		    page_word(lang, status != NULL &&
		    strcmp(status, "acknowledged") == 0 ? S_ACKED : S_OPEN),
		    page_word(lang, S_REF),
		    (long long)json_integer_value(json_object_get(t, "id")));
		nincident++;
	}
	if (nincident == 0)
		buf_printf(b, "<p class=\"none\">%s</p>\n",
		    page_word(lang, S_NO_INCIDENTS));
	buf_addstr(b, "</section>\n");
}

void
web_page_status(struct web *w, struct evhttp_request *req, const char *rest)
{
	const struct config	*cfg = web_cfg(w);
	struct buf		 b;
	const char		*lang = "en";
	size_t			 i;
	int			 all_ok = 1;

	/* One language for the frame when every site shares it. */
	for (i = 0; i < cfg->nsites; i++)
		if (i == 0 || strcmp(cfg->sites[i]->language, lang) != 0)
			lang = i == 0 ? cfg->sites[i]->language : "en";
	for (i = 0; i < cfg->nchecks; i++)
		if (web_check_state(web_check_get(w, cfg->checks[i]->name)) !=
		    SW_STATE_UP)
			all_ok = 0;
	buf_init(&b);
	buf_printf(&b, "<header class=\"top public\"><h1>%s</h1>"
	    "<span id=\"updated\" class=\"updated\"></span></header>\n"
	    "<main>\n", page_word(lang, S_TITLE));
	if (all_ok && cfg->nchecks > 0)
		buf_printf(&b, "<p class=\"banner st-up\">%s</p>\n",
		    page_word(lang, S_ALL_OK));
	for (i = 0; i < cfg->nsites; i++)
		page_status_site(w, &b, cfg->sites[i]);
	buf_addstr(&b, "</main>\n");
	page_send(w, req, lang, page_word(lang, S_TITLE), "public", &b);
}

/* ---- graphs ---- */

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

struct page_graph_job {
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
web_graph_free(struct web *w, struct web_graph *g)
{
	TAILQ_REMOVE(&w->graphs, g, entry);
	w->ngraphs--;
	free(g->png);
	free(g);
}

void
web_graph_expire(struct web *w, int all)
{
	struct web_graph	*g, *next;
	uint64_t		 now = util_mono_ms();

	/* Oldest first, so a full cache loses its oldest drawings. */
	for (g = TAILQ_LAST(&w->graphs, web_graphs); g != NULL; g = next) {
		next = TAILQ_PREV(g, web_graphs, entry);
		if (all || (!g->pending &&
		    (now - g->made_ms > WEB_GRAPH_TTL_MS ||
		    w->ngraphs > WEB_GRAPH_CACHE_MAX)))
			web_graph_free(w, g);
	}
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
page_graph_work(struct web_job *job)
{
	struct page_graph_job	*j = job->arg;

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
page_graph_done(struct web_job *job)
{
	struct page_graph_job	*j = job->arg;
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
page_int_param(struct evhttp_request *req, const char *key, int def,
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
	struct page_graph_job	*j;
	struct web_graph	*g;
	char			 name[SW_NAME_MAX], key[SW_NAME_MAX + 64];
	char			*period = NULL, *metric = NULL;
	char			*style = NULL;
	size_t			 len = strlen(rest);
	int			 width, height, spark;

	/* NAME.png, NAME an existing check: nothing else names a file. */
	if (len < 5 || strcmp(rest + len - 4, ".png") != 0 ||
	    !page_valid_name(rest, len - 4)) {
		web_reply_error(w, req, 404, "There is no such graph.");
		return;
	}
	memcpy(name, rest, len - 4);
	name[len - 4] = '\0';
	if ((c = config_find_check(web_cfg(w), name)) == NULL) {
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
	    page_int_param(req, "width", 600, spark ? 16 : 100, 1600,
	    &width) == -1 ||
	    page_int_param(req, "height", 200, spark ? 8 : 24, 800,
	    &height) == -1) {
		web_reply_error(w, req, 400, "period is day, week, month or "
		    "year; metric is time, availability or phases; style is "
		    "spark or absent; width and height are numbers.");
		goto out;
	}
	snprintf(key, sizeof key, "%s|%s|%s|%d|%d|%d", name,
	    period != NULL ? period : "day", metric != NULL ? metric : "time",
	    width, height, spark);
	TAILQ_FOREACH(g, &w->graphs, entry)
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
		web_graph_free(w, g);
	g = xcalloc(1, sizeof *g);
	snprintf(g->key, sizeof g->key, "%s", key);
	g->pending = 1;
	g->waiters[g->nwaiters++] = req;
	TAILQ_INSERT_HEAD(&w->graphs, g, entry);
	w->ngraphs++;

	j = xcalloc(1, sizeof *j);
	j->w = w;
	j->g = g;
	web_src_init(&j->src, web_cfg(w), c);
	snprintf(j->name, sizeof j->name, "%s", name);
	snprintf(j->period, sizeof j->period, "%s",
	    period != NULL ? period : "day");
	snprintf(j->metric, sizeof j->metric, "%s",
	    metric != NULL ? metric : "time");
	j->width = width;
	j->height = height;
	j->spark = spark;
	if (web_queue_push(w->q_graph, page_graph_work, page_graph_done,
	    j) == -1) {
		web_src_free(&j->src);
		free(j);
		web_graph_free(w, g);
		web_reply_error(w, req, 503, "Too busy, try again.");
	}
out:
	free(period);
	free(metric);
	free(style);
}
