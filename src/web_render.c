/*
 * web_render.c -- the page bodies, from plain data into a buffer: the
 * staff dashboard, the public status page and the error page.
 *
 * Every value that came from the config or a checked site goes through
 * html_escape(); pages carry no inline script or style (the CSP forbids
 * both), and the dashboard's live refresh is /static/app.js.  The public
 * page says nothing internal: no URL, no message, no cause name, only
 * the words of its language, read from templates/html/<lang>/words.txt
 * by the mail's reader of "key = text" lines (words_read, template.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "template.h"
#include "web_render.h"
#include "web_forms.h"
#include "xmalloc.h"

static const char *const status_keys[SW_W_COUNT] = {
	[SW_W_TITLE] = "title",
	[SW_W_ALL_OK] = "all_ok",
	[SW_W_UP] = "state.up",
	[SW_W_DEGRADED] = "state.degraded",
	[SW_W_DOWN] = "state.down",
	[SW_W_UNKNOWN] = "state.unknown",
	[SW_W_DAYS] = "days",
	[SW_W_INCIDENTS] = "incidents",
	[SW_W_NO_INCIDENTS] = "no_incidents",
	[SW_W_SINCE] = "since",
	[SW_W_ACKED] = "acked",
	[SW_W_OPEN] = "open",
	[SW_W_REF] = "ref",
	[SW_W_NODATA] = "nodata",
	[SW_W_UPTIME] = "uptime",
	[SW_W_TODAY] = "today",
	[SW_W_AGO] = "ago",
	[SW_W_C_DNS] = "cause.dns",
	[SW_W_C_CONNECT] = "cause.connect",
	[SW_W_C_TLS] = "cause.tls",
	[SW_W_C_TIMEOUT] = "cause.timeout",
	[SW_W_C_HTTP] = "cause.http",
	[SW_W_C_CONTENT] = "cause.content",
	[SW_W_C_SLOW] = "cause.slow",
	[SW_W_C_CERT] = "cause.cert",
	[SW_W_C_OTHER] = "cause.other",
	[SW_W_B_DEGRADED] = "banner.degraded",
	[SW_W_B_DOWN] = "banner.down",
	[SW_W_B_UNKNOWN] = "banner.unknown",
	[SW_W_UPDATED] = "updated",
	[SW_W_UPDATE] = "update",
	[SW_W_HISTORY] = "history",
	[SW_W_NO_HISTORY] = "no_history",
	[SW_W_STARTED] = "started",
	[SW_W_LASTED] = "lasted",
	[SW_W_ONGOING] = "ongoing",
	[SW_W_U_DAY] = "unit.day",
	[SW_W_U_HOUR] = "unit.hour",
	[SW_W_U_MIN] = "unit.min",
	[SW_W_U_SEC] = "unit.sec",
	[SW_W_SUB_LABEL] = "subscribe.label",
	[SW_W_SUB_BUTTON] = "subscribe.button",
	[SW_W_SUB_SENT] = "subscribe.sent",
	[SW_W_SUB_DONE] = "subscribe.done",
	[SW_W_SUB_GONE] = "subscribe.gone",
	[SW_W_SUB_BAD] = "subscribe.bad",
	[SW_W_SUB_WAIT] = "subscribe.wait",
	[SW_W_SUB_UNKNOWN] = "subscribe.unknown",
	[SW_W_SUB_BACK] = "subscribe.back",
};

/* Where a word of the status page goes; NULL for an unknown key. */
static char **
status_slot(void *arg, const char *key)
{
	struct status_words	*sw = arg;
	int			 k;

	for (k = 0; k < SW_W_COUNT; k++)
		if (strcmp(key, status_keys[k]) == 0)
			return &sw->w[k];
	return NULL;
}

void
status_words_free(struct status_words *sw)
{
	int	k;

	for (k = 0; k < SW_W_COUNT; k++)
		free(sw->w[k]);
	memset(sw, 0, sizeof *sw);
}

int
status_words_load(const char *dir, const char *lang,
    struct status_words *sw, struct errlist *errs)
{
	char	*path;
	int	 k, rc;

	memset(sw, 0, sizeof *sw);
	xasprintf(&path, "%s/html/%s/words.txt", dir, lang);
	rc = words_read(path, status_slot, sw, errs);
	for (k = 0; rc != -1 && k < SW_W_COUNT; k++)
		if (sw->w[k] == NULL) {
			errlist_add(errs, path, 0, "missing %s",
			    status_keys[k]);
			rc++;
		}
	free(path);
	if (rc != 0) {
		status_words_free(sw);
		return -1;
	}
	return 0;
}

/* A word; its key when the set lacks it (never NULL). */
static const char *
word(const struct status_words *sw, enum status_word k)
{
	return sw != NULL && sw->w[k] != NULL ? sw->w[k] : status_keys[k];
}

/* Seconds from an ISO 8601 UTC time to now, -1 when it does not parse. */
static double
render_age(const char *iso, double now)
{
	time_t	t;

	if (iso == NULL || util_parse_time(iso, &t) == -1)
		return -1;
	return now - (double)t;
}

void
render_uptime(struct buf *b, double pct)
{
	if (isfinite(pct))
		buf_printf(b, "%.2f %%", pct);
	else
		buf_addstr(b, "<span class=\"na\" title=\"not available\">"
		    "n/a</span>");
}

void
render_nav(struct buf *b, const char *title, double now)
{
	buf_addstr(b, "<header class=\"top\"><h1>");
	html_escape(b, title);
	buf_addstr(b, "</h1><nav><a href=\"/\">Dashboard</a> "

	    "<a href=\"/metrics\">Metrics</a> "
	    "<a href=\"/api/v1/checks\">API</a></nav>"
	    "<span id=\"updated\" class=\"updated\">rendered ");
	html_time(b, now);
	buf_addstr(b, "</span></header>\n");
}

void
render_graph_img(struct buf *b, const char *name, const char *period,
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

void
render_error(struct buf *b, int code, const char *reason, const char *msg)
{
	buf_printf(b, "<main class=\"error\"><h1>%d ", code);
	html_escape(b, reason);
	buf_addstr(b, "</h1>\n<p>");
	html_escape(b, msg);
	buf_addstr(b, "</p>\n<p><a href=\"/\">Dashboard</a> · "
	    "<a href=\"/status\">Status</a></p></main>\n");
}

/* ---- dashboard ---- */

/* A link to a check's page, named by the check. */
static void
render_check_link(struct buf *b, const char *name)
{
	buf_addstr(b, "<a href=\"/check/");
	html_urlencode(b, name);
	buf_addstr(b, "\">");
	html_escape(b, name);
	buf_addstr(b, "</a>");
}

/* End a table cell and start the next with s, escaped. */
static void
render_next_cell(struct buf *b, const char *s)
{
	buf_addstr(b, "</td><td>");
	html_escape(b, s);
}

/* One open-ticket row of the dashboard; csrf set: with its actions. */
static void
render_ticket_row(struct buf *b, const struct render_ticket *t, double now,
    const char *csrf)
{
	double	age;

	buf_printf(b, "<tr class=\"ticket sev-%s\"><td>#%lld</td><td>",
	    t->severity != NULL && strcmp(t->severity, "critical") == 0 ?
	    "critical" : "warning", t->id);
	render_check_link(b, t->check);
	render_next_cell(b, t->site);
	render_next_cell(b, t->severity);
	render_next_cell(b, t->status);
	if (t->acked_by != NULL) {
		buf_addstr(b, " by ");
		html_escape(b, t->acked_by);
	}
	render_next_cell(b, t->summary);
	buf_addstr(b, "</td><td class=\"age\" data-since=\"");
	html_escape(b, t->opened_at);
	buf_addstr(b, "\">");
	if ((age = render_age(t->opened_at, now)) >= 0)
		html_duration(b, age);
	if (csrf != NULL) {
		buf_addstr(b, "</td><td class=\"acts\">");
		render_ticket_actions(b, t->id, t->status, csrf, "/");
	}
	buf_addstr(b, "</td></tr>\n");
}

/* How long ago t was, the page's script keeps it current. */
static void
render_age_span(struct buf *b, double t, double now)
{
	char	iso[32];

	util_iso8601((time_t)t, iso, sizeof iso);
	buf_printf(b, "<span class=\"age\" data-since=\"%s\" title=\"%s\">",
	    iso, iso);
	html_duration(b, now - t);
	buf_addstr(b, "</span>");
}

/*
 * The heartbeat bar, compact: data-hb holds one "DT S C MS" token per
 * result, oldest first -- DT seconds since the one before (the first: its
 * epoch time), S the state (u up, g degraded, d down, k unknown), C the
 * cause's number (enum sw_cause, one digit), MS the total -- about 7
 * bytes a result, so 10,000 rows of 50 stay a few MB.  app.js draws the
 * marks with a tooltip each (time in UTC, state, cause, total); the
 * span's own title counts them for a reader without script.
 */
/* Decimal digits of v at p; returns the end. */
static char *
put_uint(char *p, unsigned long v)
{
	char	tmp[24];
	size_t	n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

static void
render_beats(struct buf *b, const struct render_check *c)
{
	const struct render_beat	*bt;
	unsigned			 k, n[4] = { 0, 0, 0, 0 };
	uint32_t			 prev = 0;
	/* 10,000 rows of 50: one buffer a row, no printf per result. */
	char				 hb[RENDER_BEATS * 24], *p = hb;

	for (k = 0; k < c->nbeats && k < RENDER_BEATS; k++) {
		bt = &c->beats[(c->beat0 + k) % RENDER_BEATS];
		if (k > 0)
			*p++ = ' ';
		p = put_uint(p, k > 0 && bt->at >= prev ? bt->at - prev :
		    bt->at);
		*p++ = "kugd"[bt->state & 3];
		*p++ = (char)('0' + bt->cause % 10);
		p = put_uint(p, bt->total_ms);
		prev = bt->at;
		n[bt->state & 3]++;
	}
	*p = '\0';
	buf_printf(b, "<span class=\"hb\" data-n=\"%u\" data-hb=\"%s\" "
	    "title=\"last %u results: %u up, %u degraded, %u down, %u "
	    "unknown\"></span>", c->nbeats, hb, c->nbeats, n[SW_STATE_UP],
	    n[SW_STATE_DEGRADED], n[SW_STATE_DOWN], n[SW_STATE_UNKNOWN]);
}

void
render_partial(struct buf *b, const char *partial)
{
	if (partial == NULL || *partial == '\0')
		return;
	buf_addstr(b, " <span class=\"badge partial\">");
	html_escape(b, partial);
	buf_addstr(b, "</span>");
}

/* One row of the checks table. */
static void
render_check_row(struct buf *b, const struct render_check *c, double now)
{
	buf_printf(b, "<tr class=\"check %s\" data-check=\"",
	    html_state_class(c->state));
	html_escape(b, c->name);
	buf_addstr(b, "\"><td>");
	render_check_link(b, c->name);
	buf_printf(b, "</td><td><span class=\"badge %s\">%s</span>",
	    html_state_class(c->state), sw_state_name(c->state));
	if (c->stale) {
		/*
		 * Since when nothing came (the last result's time, and how
		 * long ago): the state may no longer hold.  With no daemon
		 * and no result ever there is no time to give.
		 */
		buf_addstr(b, " <span class=\"badge stale\">stale</span>");
		if (c->last_at > 0) {
			buf_addstr(b, " <span class=\"msg stale\">since ");
			html_time(b, c->last_at);
			buf_addstr(b, " (no result for ");
			render_age_span(b, c->last_at, now);
			buf_addstr(b, ")</span>");
		}
	}
	render_partial(b, c->partial);
	if (c->have && c->state != SW_STATE_UP) {
		buf_addstr(b, " <span class=\"msg\">");
		html_printf(b, "%s: %s", sw_cause_name(c->cause),
		    c->message != NULL ? c->message : "");
		buf_addstr(b, "</span>");
	}
	buf_addstr(b, "</td><td>");
	if (c->have && c->since > 0)
		render_age_span(b, c->since, now);
	buf_addstr(b, "</td><td>");
	if (c->have)
		buf_printf(b, "%.*f ms", c->total_ms < 10 ? 1 : 0,
		    c->total_ms);
	buf_addstr(b, "</td><td>");
	render_uptime(b, c->up24);
	buf_addstr(b, "</td><td>");
	render_uptime(b, c->up30);
	buf_addstr(b, "</td><td>");
	if (c->ticket > 0)
		buf_printf(b, "#%lld", c->ticket);
	buf_addstr(b, "</td><td class=\"cert\">");
	if (c->cert_days >= 0)
		buf_printf(b, "%d d", c->cert_days);
	buf_addstr(b, "</td><td class=\"beats\">");
	render_beats(b, c);
	buf_addstr(b, "</td></tr>\n");
}

/* Is a and b the same site (both may be NULL: no site)? */
static int
same_site(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/*
 * Page links of a long dashboard: the checks that need a look come first,
 * so page 1 is the one that matters in an outage.
 */
static void
render_pager(struct buf *b, size_t page, size_t npages, const char *query)
{
	buf_addstr(b, "<nav class=\"pager\">");
	if (page > 1) {
		buf_printf(b, "<a rel=\"prev\" href=\"/?page=%zu", page - 1);
		html_escape(b, query);
		buf_addstr(b, "\">&larr; previous</a> ");
	}
	buf_printf(b, "page %zu of %zu (needing a look first)", page, npages);
	if (page < npages) {
		buf_printf(b, " <a rel=\"next\" href=\"/?page=%zu", page + 1);
		html_escape(b, query);
		buf_addstr(b, "\">next &rarr;</a>");
	}
	buf_addstr(b, "</nav>\n");
}

void
render_dashboard(struct buf *b, const struct render_dashboard *d)
{
	size_t	i;

	render_nav(b, "sitewatch — dashboard", d->now);
	if (d->user != NULL)
		render_userbar(b, d->user, d->role, d->csrf);
	if (d->impaired)
		buf_addstr(b, "<p id=\"impaired\" class=\"banner st-down\">"
		    "The monitor itself is impaired: checks it cannot make "
		    "are unknown, not down (see the log and /metrics).</p>\n");
	buf_printf(b, "<main>\n<p id=\"summary\" class=\"summary\">%zu "
	    "checks: <span class=\"st-down\">%zu down</span>, "
	    "<span class=\"st-degraded\">%zu degraded</span>, "
	    "<span class=\"st-up\">%zu up</span>, "
	    "<span class=\"st-unknown\">%zu unknown</span></p>\n",
	    d->total, d->counts[SW_STATE_DOWN], d->counts[SW_STATE_DEGRADED],
	    d->counts[SW_STATE_UP], d->counts[SW_STATE_UNKNOWN]);

	if (d->tickets_err == NULL)
		render_unacked(b, d->tickets, d->ntickets, d->now);
	buf_addstr(b, "<section><h2>Open tickets</h2>\n");
	if (d->tickets_err != NULL) {
		buf_addstr(b, "<p class=\"note\">Tickets are not available: ");
		html_escape(b, d->tickets_err);
		buf_addstr(b, "</p>\n");
	}
	/* An empty table says nothing: a sentence does. */
	buf_printf(b, "<p id=\"no-tickets\" class=\"none\"%s>No open "
	    "tickets.</p>\n", d->ntickets == 0 && d->tickets_err == NULL ?
	    "" : " hidden");
	buf_printf(b, "<table id=\"tickets\" class=\"tickets\"%s",
	    d->ntickets == 0 ? " hidden" : "");
	/* The script rebuilds the rows: it needs the token for the forms. */
	if (d->staff && d->csrf != NULL) {
		buf_addstr(b, " data-csrf=\"");
		html_escape(b, d->csrf);
		buf_addstr(b, "\"");
	}
	buf_addstr(b, "><thead><tr>"
	    "<th>Ticket</th><th>Check</th><th>Site</th><th>Severity</th>"
	    "<th>Status</th><th>Summary</th><th>Age</th>");
	if (d->staff && d->csrf != NULL)
		buf_addstr(b, "<th>Actions</th>");
	buf_addstr(b, "</tr></thead><tbody id=\"tickets-body\">\n");
	for (i = 0; i < d->ntickets; i++)
		render_ticket_row(b, &d->tickets[i], d->now,
		    d->staff ? d->csrf : NULL);
	buf_addstr(b, "</tbody></table></section>\n");

	/*
	 * The filters work in the browser (app.js) over the rows; on a page
	 * of many the form also asks the server (?state=&site=&q=).
	 */
	buf_addstr(b, "<section><h2>Checks</h2>\n<form class=\"filters\" "
	    "method=\"get\" action=\"/\"><p>"
	    "<input id=\"f-q\" name=\"q\" type=\"search\" placeholder=\"Search "
	    "checks, sites, messages\" aria-label=\"Search\"> "
	    "<select id=\"f-state\" name=\"state\" aria-label=\"State\">"
	    "<option value=\"\">"
	    "every state</option><option>down</option><option>degraded"
	    "</option><option>up</option><option>unknown</option></select> "
	    "<select id=\"f-site\" name=\"site\" aria-label=\"Site\">"
	    "<option value=\"\">every site</option></select>");
	if (d->npages > 0)
		buf_addstr(b, " <button type=\"submit\">Filter</button>");
	buf_addstr(b, "</p></form>\n");
	/* A page of many: the script leaves the rows alone (web_pages.c). */
	if (d->npages > 1)
		render_pager(b, d->page, d->npages, d->query);
	buf_printf(b, "<table id=\"checks\" "
	    "class=\"checks\"%s><thead><tr><th>Check</th><th>State</th>"
	    "<th>Since</th><th>Last</th><th>24 h</th><th>30 d</th>"
	    "<th>Ticket</th><th title=\"days the TLS certificate has "
	    "left\">Cert</th><th>Last 50 results</th></tr></thead>\n"
	    "<tbody id=\"checks-body\">\n", d->npages > 0 ?
	    " data-paged=\"1\"" : "");
	for (i = 0; i < d->nchecks; i++) {
		if (i == 0 || !same_site(d->checks[i].site,
		    d->checks[i - 1].site)) {
			buf_addstr(b, "<tr class=\"site\"><th colspan=\"9\">");
			html_escape(b, d->checks[i].site != NULL ?
			    d->checks[i].site : "(no site)");
			buf_addstr(b, "</th></tr>\n");
		}
		render_check_row(b, &d->checks[i], d->now);
	}
	buf_addstr(b, "</tbody></table>\n");
	if (d->npages > 1)
		render_pager(b, d->page, d->npages, d->query);
	buf_addstr(b, "</section>\n</main>\n");
}

/* ---- public status page ---- */

static enum status_word
cause_word(const char *cause)
{
	switch (cause != NULL ? sw_cause_parse(cause) : -1) {
	case SW_CAUSE_DNS: return SW_W_C_DNS;
	case SW_CAUSE_CONNECT: return SW_W_C_CONNECT;
	case SW_CAUSE_TLS: return SW_W_C_TLS;
	case SW_CAUSE_TIMEOUT: return SW_W_C_TIMEOUT;
	case SW_CAUSE_HTTP: return SW_W_C_HTTP;
	case SW_CAUSE_CONTENT: return SW_W_C_CONTENT;
	case SW_CAUSE_SLOW: return SW_W_C_SLOW;
	case SW_CAUSE_CERT: return SW_W_C_CERT;
	default: return SW_W_C_OTHER;
	}
}

static enum status_word
state_word(enum sw_state st)
{
	switch (st) {
	case SW_STATE_UP: return SW_W_UP;
	case SW_STATE_DEGRADED: return SW_W_DEGRADED;
	case SW_STATE_DOWN: return SW_W_DOWN;
	default: return SW_W_UNKNOWN;
	}
}

/* The name a client sees for a check. */
static const char *
check_title(const struct render_check *c)
{
	return c->title != NULL ? c->title : c->name;
}

enum sw_state
render_overall(const struct render_check *c, size_t n)
{
	size_t	i;
	int	down = 0, degraded = 0, unknown = 0;

	for (i = 0; i < n; i++)
		switch (c[i].state) {
		case SW_STATE_DOWN: down = 1; break;
		case SW_STATE_DEGRADED: degraded = 1; break;
		case SW_STATE_UP: break;
		default: unknown = 1; break;
		}
	if (down)
		return SW_STATE_DOWN;
	if (degraded)
		return SW_STATE_DEGRADED;
	return unknown || n == 0 ? SW_STATE_UNKNOWN : SW_STATE_UP;
}

/* Worse is more: up, unknown (not measured yet), degraded, down. */
static int
state_rank(enum sw_state st)
{
	switch (st) {
	case SW_STATE_UP: return 0;
	case SW_STATE_DEGRADED: return 2;
	case SW_STATE_DOWN: return 3;
	default: return 1;
	}
}

/* The banner over a set of services, in words of their language. */
static void
render_banner(struct buf *b, const struct status_words *w,
    enum sw_state st)
{
	enum status_word	k;

	switch (st) {
	case SW_STATE_UP: k = SW_W_ALL_OK; break;
	case SW_STATE_DEGRADED: k = SW_W_B_DEGRADED; break;
	case SW_STATE_DOWN: k = SW_W_B_DOWN; break;
	default: k = SW_W_B_UNKNOWN; break;
	}
	buf_printf(b, "<p class=\"banner %s\" id=\"banner\" data-state=\"%s\">",
	    html_state_class(st), sw_state_name(st));
	html_escape(b, word(w, k));
	buf_addstr(b, "</p>\n");
}

/*
 * The 90 daily bars: each day the mean of the site's checks.  The days
 * are UTC days (as every uptime figure); each bar's tooltip names its
 * date and figure, and the bars are a list so a reader without sight or
 * script gets the same.
 */
static void
render_days(struct buf *b, const struct render_site *s, double now)
{
	double		day[RENDER_DAYS], mean;
	int		nday[RENDER_DAYS];
	size_t		i, d;
	time_t		t;
	struct tm	tm;
	char		date[32];

	for (d = 0; d < RENDER_DAYS; d++) {
		day[d] = 0;
		nday[d] = 0;
	}
	for (i = 0; i < s->nchecks; i++)
		for (d = 0; s->checks[i].daily != NULL && d < RENDER_DAYS; d++)
			if (isfinite(s->checks[i].daily[d])) {
				day[d] += s->checks[i].daily[d];
				nday[d]++;
			}
	buf_printf(b, "<p class=\"days-title\">%s</p>\n<ol class=\"days\">",
	    word(s->words, SW_W_DAYS));
	for (d = 0; d < RENDER_DAYS; d++) {
		mean = nday[d] > 0 ? day[d] / nday[d] : NAN;
		t = (time_t)now - (time_t)(RENDER_DAYS - 1 - d) * 86400;
		gmtime_r(&t, &tm);
		strftime(date, sizeof date, "%Y-%m-%d", &tm);
		buf_printf(b, "<li class=\"day %s\" title=\"%s: ",
		    html_uptime_class(mean), date);
		if (isfinite(mean))
			buf_printf(b, "%.2f %% %s", mean,
			    word(s->words, SW_W_UPTIME));
		else
			buf_addstr(b, word(s->words, SW_W_NODATA));
		buf_addstr(b, "\"></li>");
	}
	buf_printf(b, "</ol>\n<p class=\"days-legend\"><span>%s</span>"
	    "<span>%s</span></p>\n", word(s->words, SW_W_AGO),
	    word(s->words, SW_W_TODAY));
}

/* One incident: which service, what clients see, since when (site zone). */
static void
render_incident(struct buf *b, const struct render_site *s,
    const struct render_ticket *t)
{
	time_t		when;
	char		ts[96];

	ts[0] = '\0';
	if (t->opened_at != NULL && util_parse_time(t->opened_at, &when) == 0)
		tzinfo_format(s->tz, when, ts, sizeof ts);
	buf_printf(b, "<div class=\"incident sev-%s\"><p><b>",
	    t->severity != NULL && strcmp(t->severity, "warning") == 0 ?
	    "warning" : "critical");
	html_escape(b, t->check);
	buf_addstr(b, "</b>: ");
	html_escape(b, word(s->words, cause_word(t->cause)));
	buf_addstr(b, ".</p><p class=\"when\">");
	html_escape(b, word(s->words, SW_W_SINCE));
	buf_addstr(b, " <time>");
	html_escape(b, ts);
	buf_addstr(b, "</time></p><p>");
	html_escape(b, word(s->words, t->status != NULL &&
	    strcmp(t->status, "acknowledged") == 0 ? SW_W_ACKED : SW_W_OPEN));
	buf_addstr(b, " ");
	html_escape(b, word(s->words, SW_W_REF));
	buf_printf(b, " #%lld</p>\n", t->id);
	render_updates(b, s, t);
	buf_addstr(b, "</div>\n");
}

/*
 * One site's block: state, 90-day bar, incidents; nothing internal (the
 * services go by their public titles).  On the site's own page it has
 * the banner; on the index its name links to that page.
 */
static void
render_site(struct buf *b, const struct render_site *s, double now, int one)
{
	size_t	i;
	char	ts[96];

	buf_addstr(b, "<section class=\"site\" lang=\"");
	html_escape(b, s->lang);
	buf_addstr(b, "\">");
	if (one)
		render_banner(b, s->words, render_overall(s->checks,
		    s->nchecks));
	else {
		buf_addstr(b, "<h2><a href=\"/status/");
		html_urlencode(b, s->id);
		buf_addstr(b, "\">");
		html_escape(b, s->name);
		buf_addstr(b, "</a></h2>\n");
	}
	buf_addstr(b, "<ul class=\"services\">\n");
	for (i = 0; i < s->nchecks; i++) {
		buf_printf(b, "<li class=\"service %s%s\"><span "
		    "class=\"name\">", html_state_class(s->checks[i].state),
		    s->checks[i].stale ? " stale" : "");
		html_escape(b, check_title(&s->checks[i]));
		buf_addstr(b, "</span> <span class=\"state\">");
		html_escape(b, word(s->words, state_word(s->checks[i].state)));
		buf_addstr(b, "</span></li>\n");
	}
	buf_addstr(b, "</ul>\n");
	render_days(b, s, now);
	buf_addstr(b, "<h3>");
	html_escape(b, word(s->words, SW_W_INCIDENTS));
	buf_addstr(b, "</h3>\n");
	for (i = 0; i < s->ntickets; i++)
		render_incident(b, s, &s->tickets[i]);
	if (s->ntickets == 0) {
		buf_addstr(b, "<p class=\"none\">");
		html_escape(b, word(s->words, SW_W_NO_INCIDENTS));
		buf_addstr(b, "</p>\n");
	}
	if (one && s->have_history)
		render_history(b, s);
	if (one)
		render_subscribe_form(b, s);
	if (one) {
		tzinfo_format(s->tz, (time_t)now, ts, sizeof ts);
		buf_addstr(b, "<p class=\"zone\" id=\"zone\">");
		html_escape(b, word(s->words, SW_W_UPDATED));
		buf_addstr(b, " <time>");
		html_escape(b, ts);
		buf_addstr(b, "</time></p>\n");
	}
	buf_addstr(b, "</section>\n");
}

/* Who signs the page ([smtp] organization and contact), as text. */
static void
render_sign(struct buf *b, const struct render_status *st)
{
	if (st->organization == NULL && st->contact == NULL)
		return;
	buf_addstr(b, "<p class=\"sign\" id=\"sign\">");
	if (st->organization != NULL)
		html_escape(b, st->organization);
	if (st->organization != NULL && st->contact != NULL)
		buf_addstr(b, " · ");
	if (st->contact != NULL)
		html_escape(b, st->contact);
	buf_addstr(b, "</p>\n");
}

void
render_status(struct buf *b, const struct render_status *st)
{
	const struct render_site	*one = st->one && st->nsites == 1 ?
					    &st->sites[0] : NULL;
	enum sw_state			 worst, s;
	size_t				 i;

	buf_addstr(b, "<header class=\"top public\"><h1>");
	if (one != NULL) {
		html_escape(b, one->name);
		buf_addstr(b, "</h1><span class=\"sub\">");
		html_escape(b, word(one->words, SW_W_TITLE));
		buf_addstr(b, "</span></header>\n<main>\n");
		render_site(b, one, st->now, 1);
		render_sign(b, st);
		buf_addstr(b, "</main>\n");
		return;
	}
	html_escape(b, word(st->words, SW_W_TITLE));
	buf_addstr(b, "</h1></header>\n<main>\n");
	/* One banner over every site: the worst of theirs. */
	worst = st->nsites > 0 ? SW_STATE_UP : SW_STATE_UNKNOWN;
	for (i = 0; i < st->nsites; i++) {
		s = render_overall(st->sites[i].checks, st->sites[i].nchecks);
		if (state_rank(s) > state_rank(worst))
			worst = s;
	}
	render_banner(b, st->words, worst);
	for (i = 0; i < st->nsites; i++)
		render_site(b, &st->sites[i], st->now, 0);
	render_sign(b, st);
	buf_addstr(b, "</main>\n");
}

/* For the status page's history (web_render_history.c). */
const char *
render_word(const struct status_words *sw, enum status_word k)
{
	return word(sw, k);
}

enum status_word
render_cause_word(const char *cause)
{
	return cause_word(cause);
}
