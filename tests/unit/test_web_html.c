/*
 * test_web_html.c -- the HTML escaper and URL encoder of the web pages,
 * and the page renderers (dashboard, public status page) fed plain data:
 * hostile names and messages come out as text, words come from
 * templates/html/<lang>/words.txt.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>

#include "config.h"
#include "result.h"
#include "web_beats.h"
#include "web_render.h"
#include "xmalloc.h"

/* Escape s and compare with want. */
static void
check_escape(const char *s, const char *want)
{
	struct buf	b;

	buf_init(&b);
	html_escape(&b, s);
	assert_string_equal(b.data != NULL ? b.data : "", want);
	buf_free(&b);
}

static void
test_markup(void **state)
{
	check_escape("<b>x</b>", "&lt;b&gt;x&lt;/b&gt;");
	check_escape("<script>alert(1)</script>",
	    "&lt;script&gt;alert(1)&lt;/script&gt;");
	check_escape("a & b", "a &amp; b");
	check_escape("&amp;", "&amp;amp;");
}

static void
test_attribute_quotes(void **state)
{
	/* Must be safe inside both kinds of attribute quotes. */
	check_escape("\" onmouseover=\"x", "&quot; onmouseover=&quot;x");
	check_escape("' onload='x", "&#39; onload=&#39;x");
}

static void
test_plain_and_empty(void **state)
{
	check_escape("shop-home.example_1", "shop-home.example_1");
	check_escape("", "");
	check_escape(NULL, "");
}

static void
test_control_and_utf8(void **state)
{
	/* Tabs and newlines stay; other control bytes become U+FFFD. */
	check_escape("a\tb\nc", "a\tb\nc");
	check_escape("a\x01" "b\x1b[31m", "a\xef\xbf\xbd" "b\xef\xbf\xbd[31m");
	check_escape("x\x7fy", "x\xef\xbf\xbdy");
	/* Valid UTF-8 passes: Turkish and an emoji. */
	check_escape("Çalışıyor 😀", "Çalışıyor 😀");
	/* Broken sequences cannot swallow the next byte (a '<'). */
	check_escape("\xc3<b>", "\xef\xbf\xbd&lt;b&gt;");
	check_escape("\xe2\x82<", "\xef\xbf\xbd\xef\xbf\xbd&lt;");
	/* Overlong '<' (0xc0 0xbc) and a surrogate are not passed. */
	check_escape("\xc0\xbc", "\xef\xbf\xbd\xef\xbf\xbd");
	check_escape("\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

static void
test_long(void **state)
{
	struct buf	 b;
	char		*s;
	size_t		 i, n = 100000;

	s = malloc(n + 1);
	for (i = 0; i < n; i++)
		s[i] = i % 2 ? '<' : 'a';
	s[n] = '\0';
	buf_init(&b);
	html_escape(&b, s);
	assert_int_equal(b.len, n / 2 + n / 2 * 4);
	assert_null(strchr(b.data, '<'));
	buf_free(&b);
	free(s);
}

static void
test_printf(void **state)
{
	struct buf	b;

	buf_init(&b);
	html_printf(&b, "%s: %d <%s>", "x<y", 5, "z");
	assert_string_equal(b.data, "x&lt;y: 5 &lt;z&gt;");
	buf_free(&b);
}

static void
test_urlencode(void **state)
{
	struct buf	b;

	buf_init(&b);
	html_urlencode(&b, "a b/<\"x\">?&=~._-");
	assert_string_equal(b.data,
	    "a%20b%2F%3C%22x%22%3E%3F%26%3D~._-");
	buf_free(&b);
}

static void
test_classes(void **state)
{
	assert_string_equal(html_uptime_class(100), "u-full");
	assert_string_equal(html_uptime_class(99.5), "u-high");
	assert_string_equal(html_uptime_class(96), "u-mid");
	assert_string_equal(html_uptime_class(10), "u-low");
	assert_string_equal(html_uptime_class(0.0 / 0.0), "u-none");
	assert_string_equal(html_state_class(SW_STATE_DOWN), "st-down");
}

static void
test_duration(void **state)
{
	struct buf	b;

	buf_init(&b);
	html_duration(&b, 42);
	buf_addstr(&b, "|");
	html_duration(&b, 3 * 3600 + 5 * 60);
	buf_addstr(&b, "|");
	html_duration(&b, 2 * 86400 + 3600);
	buf_addstr(&b, "|");
	html_duration(&b, -5);
	assert_string_equal(b.data, "42 s|3 h 5 min|2 d 1 h|0 s");
	buf_free(&b);
}

static const char *
srcdir(void)
{
	const char	*s = getenv("top_srcdir");

	return s != NULL ? s : ".";
}

/* A hostile check: markup in its name, site and message. */
static void
hostile_check(struct render_check *c)
{
	memset(c, 0, sizeof *c);
	c->name = "x\"><script>alert(1)</script>";
	c->site = "<b>Shop</b> & 'Co'";
	c->state = SW_STATE_DOWN;
	c->have = 1;
	c->cause = SW_CAUSE_HTTP;
	c->message = "HTTP 503 <img src=x onerror=alert(2)>";
	c->since = 1000;
	c->total_ms = 5.25;
	c->up24 = 99.5;
	c->up30 = NAN;
	c->ticket = 7;
}

static void
test_dashboard_escapes(void **state)
{
	struct render_dashboard	d;
	struct render_check	c;
	struct render_ticket	t;
	struct buf		b;

	hostile_check(&c);
	memset(&t, 0, sizeof t);
	t.id = 7;
	t.check = c.name;
	t.site = c.site;
	t.severity = "critical";
	t.status = "acknowledged";
	t.acked_by = "<i>eve</i>";
	t.summary = "down: <script>x</script>";
	t.opened_at = "1970-01-01T00:10:00Z";
	memset(&d, 0, sizeof d);
	d.now = 1000 + 3 * 3600;
	d.checks = &c;
	d.nchecks = 1;
	d.total = 1;		/* the summary counts all checks, not the page */
	d.counts[SW_STATE_DOWN] = 1;
	d.tickets = &t;
	d.ntickets = 1;
	buf_init(&b);
	render_dashboard(&b, &d);
	assert_null(strstr(b.data, "<script"));
	assert_null(strstr(b.data, "<img src=x"));
	assert_null(strstr(b.data, "<b>Shop"));
	assert_null(strstr(b.data, "<i>eve"));
	assert_non_null(strstr(b.data, "x&quot;&gt;&lt;script&gt;"));
	assert_non_null(strstr(b.data,
	    "http: HTTP 503 &lt;img src=x onerror=alert(2)&gt;"));
	assert_non_null(strstr(b.data, "&lt;b&gt;Shop&lt;/b&gt; &amp; "
	    "&#39;Co&#39;"));
	/* The link takes the name percent-encoded. */
	assert_non_null(strstr(b.data, "/check/x%22%3E%3Cscript%3E"));
	assert_non_null(strstr(b.data, "1 checks: <span class=\"st-down\">"
	    "1 down"));
	assert_non_null(strstr(b.data, ">3 h 0 min<"));
	assert_non_null(strstr(b.data, "5.2 ms"));
	assert_non_null(strstr(b.data, "99.50 %"));
	assert_non_null(strstr(b.data, "n/a"));
	assert_non_null(strstr(b.data, "#7"));
	assert_null(strstr(b.data, "Tickets are not available"));
	buf_free(&b);

	/* Tickets that could not be read say so, escaped. */
	d.ntickets = 0;
	d.tickets_err = "db <locked>";
	buf_init(&b);
	render_dashboard(&b, &d);
	assert_non_null(strstr(b.data, "Tickets are not available: "
	    "db &lt;locked&gt;"));
	buf_free(&b);
}

/* A dashboard of one check "web", up, with a result. */
static void
dash_one(struct render_dashboard *d, struct render_check *c)
{
	memset(c, 0, sizeof *c);
	c->name = "web";
	c->state = SW_STATE_UP;
	c->have = 1;
	c->up24 = c->up30 = NAN;
	memset(d, 0, sizeof *d);
	d->checks = c;
	d->nchecks = 1;
}

/* A stale check: never a plain current state; says since when. */
static void
test_dashboard_stale(void **state)
{
	struct render_dashboard	d;
	struct render_check	c;
	struct buf		b;

	(void)state;
	dash_one(&d, &c);
	c.since = 1000;
	c.stale = 1;
	c.last_at = 1000;
	d.now = 1000 + 2 * 3600;
	buf_init(&b);
	render_dashboard(&b, &d);
	assert_non_null(strstr(b.data, "<span class=\"badge stale\">stale"));
	assert_non_null(strstr(b.data, "stale</span> <span class=\"msg "
	    "stale\">since 1970-01-01 00:16:40 UTC (no result for "
	    "<span class=\"age\" data-since=\"1970-01-01T00:16:40Z\""));
	assert_non_null(strstr(b.data, ">2 h 0 min<"));
	buf_free(&b);
	c.stale = 0;
	buf_init(&b);
	render_dashboard(&b, &d);
	assert_null(strstr(b.data, "stale"));
	buf_free(&b);
}

/* k of n: a partial outage marks the row, escaped; "" marks nothing. */
static void
test_dashboard_partial(void **state)
{
	struct render_dashboard	d;
	struct render_check	c;
	struct buf		b;

	(void)state;
	dash_one(&d, &c);
	snprintf(c.partial, sizeof c.partial, "down from 1 of 3 <locations>");
	buf_init(&b);
	render_dashboard(&b, &d);
	/* Next to the state, which stays up: no incident. */
	assert_non_null(strstr(b.data, "<span class=\"badge st-up\">up</span>"
	    " <span class=\"badge partial\">down from 1 of 3 "
	    "&lt;locations&gt;</span>"));
	buf_free(&b);
	c.partial[0] = '\0';
	buf_init(&b);
	render_dashboard(&b, &d);
	assert_null(strstr(b.data, "partial"));
	buf_free(&b);
}

/*
 * Render a status page with one down check of a site in lang: the index
 * (one = 0) or the site's own page in zone tz (NULL: UTC).
 */
static char *
status_page(const char *lang, struct render_ticket *t, int one,
    const struct tzinfo *tz)
{
	struct status_words	 sw;
	struct render_status	 rs;
	struct render_site	 site;
	struct render_check	 c;
	struct errlist		 errs;
	float			 days[RENDER_DAYS];
	struct buf		 b;
	char			*dir;
	time_t			 now;
	size_t			 i;

	xasprintf(&dir, "%s/templates", srcdir());
	errlist_init(&errs);
	assert_int_equal(status_words_load(dir, "xx", &sw, &errs), -1);
	assert_int_equal(errs.n, 1);	/* no such language: one line */
	errlist_free(&errs);
	errlist_init(&errs);
	assert_int_equal(status_words_load(dir, lang, &sw, &errs), 0);
	assert_int_equal(errs.n, 0);
	errlist_free(&errs);
	free(dir);
	hostile_check(&c);
	if (one)
		c.title = "Web <shop>";
	for (i = 0; i < RENDER_DAYS; i++)
		days[i] = i < 10 ? NAN : 100;
	days[RENDER_DAYS - 1] = 50;
	c.daily = days;
	memset(&site, 0, sizeof site);
	site.name = c.site;
	site.id = "shop ltd";
	site.lang = lang;
	site.tz = tz;
	site.words = &sw;
	site.checks = &c;
	site.nchecks = 1;
	site.tickets = t;
	site.ntickets = t != NULL;
	memset(&rs, 0, sizeof rs);
	rs.words = &sw;
	assert_int_equal(util_parse_time("2026-11-25T12:00:00Z", &now), 0);
	rs.now = (double)now;
	rs.one = one;
	rs.sites = &site;
	rs.nsites = 1;
	buf_init(&b);
	render_status(&b, &rs);
	status_words_free(&sw);
	return b.data;
}

static void
test_status_words(void **state)
{
	struct render_ticket	 t;
	char			*en, *tr;

	memset(&t, 0, sizeof t);
	t.id = 12;
	t.check = "x\"><script>alert(1)</script>";
	t.status = "open";
	t.cause = "dns";
	t.opened_at = "2026-11-25T02:31:00Z";
	en = status_page("en", &t, 0, NULL);
	tr = status_page("tr", NULL, 0, NULL);

	assert_non_null(strstr(en, "<h1>Service status</h1>"));
	assert_non_null(strstr(en, "data-state=\"down\">Some services are "
	    "not available.</p>"));
	assert_non_null(strstr(en, "<a href=\"/status/shop%20ltd\">"));
	assert_non_null(strstr(en, "Not available"));
	assert_non_null(strstr(en, "the site&#39;s address cannot be found."
	    "</p><p class=\"when\">Since <time>2026-11-25 02:31 UTC</time>"));
	assert_non_null(strstr(en, "Our support team has been alerted. "
	    "Reference #12"));
	/* Each bar names its day: the first is 89 days before today. */
	assert_non_null(strstr(en, "title=\"2026-08-28: no data\""));
	assert_non_null(strstr(en, "title=\"2026-11-25: 50.00 % available\""));
	assert_int_equal(strstr(en, "u-low") != NULL, 1);

	assert_non_null(strstr(tr, "<h1>Hizmet durumu</h1>"));
	assert_non_null(strstr(tr, "Bazı hizmetlere erişilemiyor."));
	assert_non_null(strstr(tr, "Erişilemiyor"));
	assert_non_null(strstr(tr, "Süren bir olay yok."));
	assert_non_null(strstr(tr, "lang=\"tr\""));
	assert_non_null(strstr(tr, "veri yok"));

	/* Nothing internal, nothing raw: no message, URL or markup. */
	assert_null(strstr(en, "<script"));
	assert_null(strstr(en, "HTTP 503"));
	assert_null(strstr(en, "<b>Shop"));
	assert_non_null(strstr(en, "&lt;b&gt;Shop&lt;/b&gt;"));
	assert_null(strstr(tr, "<script"));
	free(en);
	free(tr);
}

/* A site's own page: its name, banner, public titles, its zone. */
static void
test_status_site(void **state)
{
	struct render_ticket	 t;
	struct render_check	 c[3];
	struct tzinfo		*tz;
	char			 why[256], *tr;

	tz = tzinfo_load("Europe/Istanbul", why, sizeof why);
	if (tz == NULL)
		skip();		/* no tzdata */
	memset(&t, 0, sizeof t);
	t.id = 3;
	t.check = "Web <shop>";
	t.status = "acknowledged";
	t.cause = "http";
	t.opened_at = "2026-11-25T02:31:00Z";
	tr = status_page("tr", &t, 1, tz);
	assert_non_null(strstr(tr, "<h1>&lt;b&gt;Shop&lt;/b&gt; &amp; "
	    "&#39;Co&#39;</h1>"));
	assert_non_null(strstr(tr, "<span class=\"name\">Web &lt;shop&gt;"
	    "</span>"));
	assert_null(strstr(tr, "script"));	/* the internal name */
	assert_non_null(strstr(tr, "Bazı hizmetlere erişilemiyor."));
	assert_non_null(strstr(tr, "<time>2026-11-25 05:31 +03 "
	    "(Europe/Istanbul)</time>"));
	assert_non_null(strstr(tr, "Güncellendi: <time>2026-11-25 15:00 +03 "
	    "(Europe/Istanbul)</time>"));
	assert_null(strstr(tr, "href=\"/status/"));
	free(tr);
	tzinfo_free(tz);

	/* The banner is the worst state; unknown only with nothing bad. */
	memset(c, 0, sizeof c);
	c[0].state = c[1].state = c[2].state = SW_STATE_UP;
	assert_int_equal(render_overall(c, 3), SW_STATE_UP);
	c[1].state = SW_STATE_UNKNOWN;
	assert_int_equal(render_overall(c, 3), SW_STATE_UNKNOWN);
	c[2].state = SW_STATE_DEGRADED;
	assert_int_equal(render_overall(c, 3), SW_STATE_DEGRADED);
	c[0].state = SW_STATE_DOWN;
	assert_int_equal(render_overall(c, 3), SW_STATE_DOWN);
	assert_int_equal(render_overall(c, 0), SW_STATE_UNKNOWN);
}

/* Zones: a malformed or missing name is refused; offsets follow DST. */
static void
test_tzinfo(void **state)
{
	struct tzinfo	*tz;
	char		 why[256], out[96];
	time_t		 t;

	assert_null(tzinfo_load("../../etc/passwd", why, sizeof why));
	assert_non_null(strstr(why, "not a time zone name"));
	assert_null(tzinfo_load("/etc/localtime", why, sizeof why));
	assert_null(tzinfo_load("Europe/Nowhere", why, sizeof why));
	assert_non_null(strstr(why, "no time zone"));
	if ((tz = tzinfo_load("Europe/Berlin", why, sizeof why)) == NULL)
		skip();
	assert_int_equal(util_parse_time("2026-07-01T12:00:00Z", &t), 0);
	tzinfo_format(tz, t, out, sizeof out);
	assert_string_equal(out, "2026-07-01 14:00 CEST (Europe/Berlin)");
	assert_int_equal(util_parse_time("2026-01-01T12:00:00Z", &t), 0);
	tzinfo_format(tz, t, out, sizeof out);
	assert_string_equal(out, "2026-01-01 13:00 CET (Europe/Berlin)");
	tzinfo_free(tz);
	tzinfo_format(NULL, t, out, sizeof out);
	assert_string_equal(out, "2026-01-01 12:00 UTC");
}

/*
 * The heartbeat bar: a wrapped ring comes out oldest first, each result
 * as "DT S C MS" (the first DT is its epoch time); no ticket: a sentence.
 */
static void
test_dashboard_beats(void **state)
{
	struct render_dashboard	d;
	struct render_check	c;
	struct render_beat	ring[RENDER_BEATS];
	struct buf		b;

	memset(ring, 0, sizeof ring);
	/* Three results; the ring's end wraps: oldest at 49. */
	ring[49] = (struct render_beat){ 1800000000, 12, SW_STATE_UP,
	    SW_CAUSE_OK, 200 };
	ring[0] = (struct render_beat){ 1800000060, 65535, SW_STATE_DOWN,
	    SW_CAUSE_TIMEOUT, 0 };
	ring[1] = (struct render_beat){ 1800000120, 3, SW_STATE_DEGRADED,
	    SW_CAUSE_SLOW, 200 };
	memset(&c, 0, sizeof c);
	c.name = "shop";
	c.state = SW_STATE_DEGRADED;
	c.cert_days = 12;
	c.beats = ring;
	c.nbeats = 3;
	c.beat0 = 49;
	memset(&d, 0, sizeof d);
	d.now = 1800000120;
	d.checks = &c;
	d.nchecks = 1;
	buf_init(&b);
	render_dashboard(&b, &d);
	assert_non_null(strstr(b.data, "data-n=\"3\" data-hb=\"1800000000u012 "
	    "60d465535 60g73\" title=\"last 3 results: 1 up, 1 degraded, 1 "
	    "down, 0 unknown\""));
	assert_non_null(strstr(b.data, "<td class=\"cert\">12 d</td>"));
	assert_non_null(strstr(b.data, "<p id=\"no-tickets\" class=\"none\">"
	    "No open tickets.</p>"));
	assert_non_null(strstr(b.data, "<table id=\"tickets\" "
	    "class=\"tickets\" hidden>"));
	buf_free(&b);

	/* A check with no result yet: an empty bar, no cert figure. */
	c.nbeats = 0;
	c.beats = NULL;
	c.cert_days = -1;
	buf_init(&b);
	render_dashboard(&b, &d);
	assert_non_null(strstr(b.data, "data-n=\"0\" data-hb=\"\""));
	assert_non_null(strstr(b.data, "<td class=\"cert\"></td>"));
	buf_free(&b);
}

/* The ring keeps the last RENDER_BEATS results, compact, oldest first. */
static void
test_beats_ring(void **state)
{
	struct web_beats	*bs = web_beats_new();
	struct check_conf	 c;
	struct render_check	 rc;
	struct result		 r;
	const struct render_beat *first, *last;
	int			 i;

	memset(&c, 0, sizeof c);
	c.id = 3;
	memset(&rc, 0, sizeof rc);
	web_beats_fill(bs, &c, &rc);
	assert_int_equal(rc.nbeats, 0);		/* no result yet */
	memset(&r, 0, sizeof r);
	for (i = 0; i < RENDER_BEATS + 5; i++) {
		r.at = 1800000000.0 + i * 60;
		r.state = i % 2 ? SW_STATE_DOWN : SW_STATE_UP;
		r.cause = i % 2 ? SW_CAUSE_HTTP : SW_CAUSE_OK;
		r.total_ms = i == 7 ? 1e9 : i + 0.4;
		web_beats_record(bs, &c, &r);
	}
	web_beats_fill(bs, &c, &rc);
	assert_int_equal(rc.nbeats, RENDER_BEATS);
	first = &rc.beats[rc.beat0];
	last = &rc.beats[(rc.beat0 + RENDER_BEATS - 1) % RENDER_BEATS];
	assert_int_equal(first->at, 1800000000 + 5 * 60);
	assert_int_equal(first->state, SW_STATE_DOWN);
	assert_int_equal(first->cause, SW_CAUSE_HTTP);
	assert_int_equal(last->at, 1800000000 + (RENDER_BEATS + 4) * 60);
	assert_int_equal(rc.beats[(rc.beat0 + 2) % RENDER_BEATS].total_ms,
	    65535);			/* result 7 saturates */
	assert_int_equal(last->total_ms, RENDER_BEATS + 4);
	/* Another check has its own (empty) ring. */
	c.id = 1;
	web_beats_fill(bs, &c, &rc);
	assert_int_equal(rc.nbeats, 0);
	web_beats_free(bs);
}

static void
test_page_frame(void **state)
{
	struct buf	b;

	buf_init(&b);
	html_page(&b, "<html lang=\"{{lang}}\"><title>{{title}}</title>"
	    "<body class=\"{{class}}\">{{body}}{{other}}</body>", "tr",
	    "a<b", "public", "<p>x</p>");
	assert_string_equal(b.data, "<html lang=\"tr\"><title>a&lt;b</title>"
	    "<body class=\"public\"><p>x</p>{{other}}</body>");
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_markup),
		cmocka_unit_test(test_attribute_quotes),
		cmocka_unit_test(test_plain_and_empty),
		cmocka_unit_test(test_control_and_utf8),
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_printf),
		cmocka_unit_test(test_urlencode),
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_dashboard_escapes),
		cmocka_unit_test(test_dashboard_stale),
		cmocka_unit_test(test_dashboard_partial),
		cmocka_unit_test(test_dashboard_beats),
		cmocka_unit_test(test_beats_ring),
		cmocka_unit_test(test_status_words),
		cmocka_unit_test(test_status_site),
		cmocka_unit_test(test_tzinfo),
		cmocka_unit_test(test_page_frame),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
