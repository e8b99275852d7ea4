/*
 * test_config.c -- the configuration loader: a good configuration with
 * every key, the table defaults, every error path (table-driven over
 * tests/fixtures/conf/bad/NAME.conf + NAME.expect), maintenance windows,
 * rrd_retention and --dump-config.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf_keys.h"
#include "config.h"
#include "util.h"
#include "xmalloc.h"

#ifndef CONF_FIXTURES
#error CONF_FIXTURES must name tests/fixtures/conf
#endif

#define DAY	86400

/* A scratch folder for configurations written by a test. */
static char	tmpdir[PATH_MAX];

/* Write text to tmpdir/rel, creating checks.d when needed. */
static void
put(const char *rel, const char *text)
{
	char	*path;
	FILE	*f;

	xasprintf(&path, "%s/checks.d", tmpdir);
	(void)mkdir(path, 0755);
	free(path);
	xasprintf(&path, "%s/%s", tmpdir, rel);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
	free(path);
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
tmp_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/sw-test-config.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	return 0;
}

static int
tmp_teardown(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Load tmpdir/sitewatch.conf; fail the test on any error. */
static struct config *
load_tmp(void)
{
	struct errlist	 errs;
	struct config	*cfg;
	char		*path;
	size_t		 i;

	errlist_init(&errs);
	xasprintf(&path, "%s/sitewatch.conf", tmpdir);
	cfg = config_load(path, &errs);
	for (i = 0; i < errs.n; i++)
		print_error("unexpected: %s\n", errs.lines[i]);
	assert_int_equal(errs.n, 0);
	assert_non_null(cfg);
	errlist_free(&errs);
	free(path);
	return cfg;
}

/* Load and expect exactly one error line. */
static void
load_tmp_expect(const char *expect)
{
	struct errlist	 errs;
	struct config	*cfg;
	char		*path, *want;

	errlist_init(&errs);
	xasprintf(&path, "%s/sitewatch.conf", tmpdir);
	cfg = config_load(path, &errs);
	assert_null(cfg);
	assert_int_equal(errs.n, 1);
	xasprintf(&want, "%s/%s", tmpdir, expect);
	assert_string_equal(errs.lines[0], want);
	free(want);
	errlist_free(&errs);
	free(path);
}

static void
set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

/* Epoch seconds of an ISO 8601 UTC time. */
static time_t
utc(const char *s)
{
	time_t	t;

	assert_int_equal(util_parse_time(s, &t), 0);
	return t;
}

static void
test_good(void **state)
{
	struct errlist			 errs;
	struct config			*cfg;
	const struct check_conf		*c;
	const struct maint_window	*w;
	char				 dir[PATH_MAX], *p;

	(void)state;
	set_tz("UTC0");
	assert_non_null(realpath(CONF_FIXTURES "/good", dir));
	errlist_init(&errs);
	cfg = config_load(CONF_FIXTURES "/good/sitewatch.conf", &errs);
	assert_int_equal(errs.n, 0);
	assert_non_null(cfg);
	errlist_free(&errs);

	assert_string_equal(cfg->path, CONF_FIXTURES "/good/sitewatch.conf");
	assert_string_equal(cfg->dir, dir);
	xasprintf(&p, "%s/var", dir);
	assert_string_equal(cfg->state_dir, p);
	free(p);
	xasprintf(&p, "%s/checks.d", dir);
	assert_string_equal(cfg->checks_dir, p);
	free(p);
	assert_string_equal(cfg->templates_dir,
	    "/usr/share/sitewatch/templates");
	assert_string_equal(cfg->listen, "[::1]:9090");
	assert_int_equal(cfg->max_parallel, 50);
	xasprintf(&p, "unix:%s/rrdcached.sock", dir);
	assert_string_equal(cfg->rrdcached, p);
	free(p);
	assert_int_equal(cfg->nrrd_rra, 3);
	assert_int_equal(cfg->rrd_rra[0].step_s, 0);
	assert_int_equal(cfg->rrd_rra[0].span_s, DAY);
	assert_int_equal(cfg->rrd_rra[1].step_s, 60);
	assert_int_equal(cfg->rrd_rra[1].span_s, 7 * DAY);
	assert_int_equal(cfg->rrd_rra[2].step_s, 3600);
	assert_int_equal(cfg->rrd_rra[2].span_s, 365 * DAY);
	assert_string_equal(cfg->api_token, "s3cret-token");
	assert_string_equal(cfg->public_url, "https://status.example.com/");
	assert_int_equal(cfg->ncanary, 2);
	assert_string_equal(cfg->canary[0], "http://127.0.0.1:1/");
	assert_string_equal(cfg->canary[1], "https://127.0.0.1:2/x");
	assert_string_equal(cfg->user, "nobody");
	xasprintf(&p, "%s/run/sitewatchd.pid", dir);
	assert_string_equal(cfg->pid_file, p);
	free(p);

	assert_string_equal(cfg->smtp.host, "127.0.0.1");
	assert_int_equal(cfg->smtp.port, 2525);
	assert_int_equal(cfg->smtp.starttls, STARTTLS_REQUIRED);
	assert_string_equal(cfg->smtp.user, "mailer");
	assert_string_equal(cfg->smtp.password, "pa;ss");
	assert_string_equal(cfg->smtp.from, "Ops <ops@example.com>");
	assert_int_equal(cfg->smtp.nstaff, 2);
	assert_string_equal(cfg->smtp.staff[0], "a@example.com");
	assert_string_equal(cfg->smtp.staff[1], "b@example.com");
	assert_int_equal(cfg->smtp.group_window, 120);

	/* strcmp order: "B-upper" < "a-shop" < "b-blog"; others skipped. */
	assert_int_equal(cfg->nsites, 3);
	assert_string_equal(cfg->sites[0]->name, "B-upper");
	assert_string_equal(cfg->sites[0]->language, "en");
	assert_int_equal(cfg->sites[0]->nclient_emails, 0);
	assert_string_equal(cfg->sites[1]->name, "Shop Ltd");
	assert_string_equal(cfg->sites[1]->language, "tr");
	assert_int_equal(cfg->sites[1]->nclient_emails, 2);
	assert_string_equal(cfg->sites[1]->client_emails[1],
	    "second@shop.example");
	assert_string_equal(cfg->sites[1]->file,
	    CONF_FIXTURES "/good/checks.d/a-shop.conf");
	assert_string_equal(cfg->sites[2]->name, "b-blog");
	assert_int_equal(cfg->nchecks, 4);
	assert_string_equal(cfg->checks[0]->name, "upper");
	assert_string_equal(cfg->checks[1]->name, "shop-home");
	assert_string_equal(cfg->checks[2]->name, "shop-front");
	assert_string_equal(cfg->checks[3]->name, "blog");
	assert_null(config_find_check(cfg, "hidden"));
	assert_null(config_find_check(cfg, "nope"));
	assert_null(config_find_check(cfg, "shop"));

	/* Every key set in the check itself. */
	assert_non_null(c = config_find_check(cfg, "shop-home"));
	assert_ptr_equal(c, cfg->checks[1]);
	assert_ptr_equal(c->site, cfg->sites[1]);
	assert_string_equal(c->file,
	    CONF_FIXTURES "/good/checks.d/a-shop.conf");
	assert_int_equal(c->line, 6);
	assert_string_equal(c->url, "https://shop.example/");
	assert_int_equal(c->interval, 30);	/* empty: from [defaults] */
	assert_int_equal(c->timeout, 5);
	assert_string_equal(c->method, "POST");
	assert_int_equal(c->nheaders, 2);	/* replaces [defaults] */
	assert_string_equal(c->headers[0], "User-Agent: sitewatch");
	assert_string_equal(c->headers[1], "Accept: text/html");
	assert_string_equal(c->body, "{\"a\":1}");
	assert_int_equal(c->nexpect_status, 3);
	assert_int_equal(c->expect_status[2].lo, 400);
	assert_int_equal(c->expect_status[2].hi, 404);
	assert_string_equal(c->expect_text, "Add to cart");
	assert_int_equal(c->max_body, 65536);
	assert_int_equal(c->slow_ms, 1500);
	assert_int_equal(c->down_ms, 6000);
	assert_int_equal(c->cert_warn_days, 20);
	assert_int_equal(c->retries, 3);
	assert_int_equal(c->recover, 4);
	assert_int_equal(c->renotify, 120 * 60);
	assert_int_equal(c->nmaintenance, 2);
	w = &c->maintenance[0];
	assert_true(w->weekly);
	assert_int_equal(w->week_start_min, 5 * 1440 + 23 * 60);
	assert_int_equal(w->week_end_min, 6 * 1440 + 60);
	w = &c->maintenance[1];
	assert_false(w->weekly);
	assert_int_equal(w->from, utc("2026-12-01T02:00:00Z"));
	assert_int_equal(w->to, utc("2026-12-01T04:00:00Z"));
	assert_int_equal(c->follow_redirects, 0);
	assert_int_equal(c->ip, IP_V6);
	assert_string_equal(c->ca_file, "/dev/null");
	assert_string_equal(c->depends, "shop-front");

	/* Nothing but a long url: everything else inherited. */
	assert_non_null(c = config_find_check(cfg, "shop-front"));
	assert_int_equal(strlen(c->url), 29 + 40 * 7 + 5);
	assert_true(strncmp(c->url, "http://127.0.0.1:8080/status?q001=x&",
	    36) == 0);
	assert_string_equal(c->url + strlen(c->url) - 12, "q040=x&end=1");
	assert_int_equal(c->interval, 30);
	assert_int_equal(c->timeout, 5);
	assert_string_equal(c->method, "GET");
	assert_int_equal(c->nheaders, 1);
	assert_string_equal(c->headers[0], "X-From: defaults");
	assert_null(c->body);
	assert_int_equal(c->nexpect_status, 1);
	assert_int_equal(c->expect_status[0].lo, 200);
	assert_int_equal(c->expect_status[0].hi, 200);
	assert_null(c->expect_text);
	assert_int_equal(c->max_body, 1048576);
	assert_int_equal(c->slow_ms, 2000);
	assert_int_equal(c->down_ms, 8000);
	assert_int_equal(c->cert_warn_days, 7);
	assert_int_equal(c->retries, 2);
	assert_int_equal(c->recover, 2);
	assert_int_equal(c->renotify, 3600);
	assert_int_equal(c->nmaintenance, 1);
	assert_int_equal(c->maintenance[0].week_start_min, 6 * 1440 + 120);
	assert_int_equal(c->maintenance[0].week_end_min, 6 * 1440 + 240);
	assert_int_equal(c->follow_redirects, 1);
	assert_int_equal(c->ip, IP_ANY);
	xasprintf(&p, "%s/ca.pem", dir);
	assert_string_equal(c->ca_file, p);
	free(p);
	assert_null(c->depends);

	assert_non_null(c = config_find_check(cfg, "blog"));
	assert_string_equal(c->site->name, "b-blog");
	assert_int_equal(c->interval, 120);
	assert_int_equal(c->timeout, 60);
	assert_string_equal(c->depends, "shop-home");
	config_free(cfg);
}

/* An empty sitewatch.conf and a check with only a url: table defaults. */
static void
test_table_defaults(void **state)
{
	struct config		*cfg;
	const struct check_conf	*c;
	char			*p;

	(void)state;
	put("sitewatch.conf", "");
	put("checks.d/only.conf", "[check only]\nurl = http://127.0.0.1/\n");
	cfg = load_tmp();
	xasprintf(&p, "%s/var", cfg->dir);
	assert_string_equal(cfg->state_dir, p);
	free(p);
	xasprintf(&p, "%s/templates", cfg->dir);
	assert_string_equal(cfg->templates_dir, p);
	free(p);
	assert_string_equal(cfg->listen, "127.0.0.1:8080");
	assert_int_equal(cfg->max_parallel, 500);
	assert_null(cfg->rrdcached);
	assert_int_equal(cfg->nrrd_rra, 4);
	assert_int_equal(cfg->rrd_rra[0].step_s, 0);
	assert_int_equal(cfg->rrd_rra[0].span_s, 2 * DAY);
	assert_int_equal(cfg->rrd_rra[1].step_s, 300);
	assert_int_equal(cfg->rrd_rra[1].span_s, 14 * DAY);
	assert_int_equal(cfg->rrd_rra[2].step_s, 3600);
	assert_int_equal(cfg->rrd_rra[2].span_s, 90 * DAY);
	assert_int_equal(cfg->rrd_rra[3].step_s, DAY);
	assert_int_equal(cfg->rrd_rra[3].span_s, 5 * 365 * DAY);
	assert_null(cfg->api_token);
	assert_string_equal(cfg->public_url, "http://127.0.0.1:8080");
	assert_int_equal(cfg->ncanary, 0);
	assert_null(cfg->user);
	assert_null(cfg->pid_file);
	assert_null(cfg->smtp.host);
	assert_int_equal(cfg->smtp.port, 587);
	assert_int_equal(cfg->smtp.starttls, STARTTLS_YES);
	assert_null(cfg->smtp.user);
	assert_null(cfg->smtp.password);
	assert_non_null(cfg->smtp.from);
	assert_int_equal(cfg->smtp.nstaff, 0);
	assert_int_equal(cfg->smtp.group_window, 30);
	assert_int_equal(cfg->nsites, 1);
	assert_string_equal(cfg->sites[0]->name, "only");
	assert_string_equal(cfg->sites[0]->language, "en");
	assert_non_null(c = config_find_check(cfg, "only"));
	assert_int_equal(c->interval, 60);
	assert_int_equal(c->timeout, 10);
	assert_string_equal(c->method, "GET");
	assert_int_equal(c->nheaders, 0);
	assert_int_equal(c->nexpect_status, 1);
	assert_int_equal(c->expect_status[0].lo, 200);
	assert_int_equal(c->expect_status[0].hi, 399);
	assert_int_equal(c->max_body, 1048576);
	assert_int_equal(c->slow_ms, 2000);
	assert_int_equal(c->down_ms, 8000);
	assert_int_equal(c->cert_warn_days, 14);
	assert_int_equal(c->retries, 2);
	assert_int_equal(c->recover, 2);
	assert_int_equal(c->renotify, 3600);
	assert_int_equal(c->nmaintenance, 0);
	assert_int_equal(c->follow_redirects, 1);
	assert_int_equal(c->ip, IP_ANY);
	assert_null(c->ca_file);
	assert_null(c->depends);
	config_free(cfg);
}

/* Empty values: "none" for optional keys, inherited for check keys. */
static void
test_empty_values(void **state)
{
	struct config		*cfg;
	const struct check_conf	*c;

	(void)state;
	put("sitewatch.conf", "[daemon]\nrrdcached =\napi_token =   ; none\n"
	    "state_dir =\n[smtp]\nhost =\nport =\n"
	    "[defaults]\ntimeout = 3\nexpect_text = Welcome\n");
	put("checks.d/e.conf", "[check e]\nurl = http://127.0.0.1/\n"
	    "timeout =\nexpect_text =\nbody =\nca_file =\ndepends =\n");
	cfg = load_tmp();
	assert_null(cfg->rrdcached);
	assert_null(cfg->api_token);
	assert_non_null(strstr(cfg->state_dir, "/var"));
	assert_null(cfg->smtp.host);
	assert_int_equal(cfg->smtp.port, 587);
	assert_non_null(c = config_find_check(cfg, "e"));
	assert_int_equal(c->timeout, 3);
	assert_string_equal(c->expect_text, "Welcome");
	assert_null(c->body);
	assert_null(c->ca_file);
	assert_null(c->depends);
	config_free(cfg);
}

/* A built-in default gives way to a written value of its pair. */
static void
test_pairs_adjust(void **state)
{
	struct config	*cfg;

	(void)state;
	put("sitewatch.conf", "[defaults]\ninterval = 1\n");
	put("checks.d/p.conf",
	    "[check a]\nurl = http://127.0.0.1/\n"
	    "[check b]\nurl = http://127.0.0.1/\ninterval = 30\n"
	    "[check c]\nurl = http://127.0.0.1/\ndown_ms = 1000\n"
	    "[check d]\nurl = http://127.0.0.1/\nslow_ms = 9000\n"
	    "[check e]\nurl = http://127.0.0.1/\ninterval = 20\n"
	    "timeout = 20\nslow_ms = 500\ndown_ms = 500\n");
	cfg = load_tmp();
	assert_int_equal(config_find_check(cfg, "a")->timeout, 1);
	assert_int_equal(config_find_check(cfg, "b")->timeout, 10);
	assert_int_equal(config_find_check(cfg, "c")->slow_ms, 1000);
	assert_int_equal(config_find_check(cfg, "c")->down_ms, 1000);
	assert_int_equal(config_find_check(cfg, "d")->slow_ms, 9000);
	assert_int_equal(config_find_check(cfg, "d")->down_ms, 9000);
	assert_int_equal(config_find_check(cfg, "e")->timeout, 20);
	assert_int_equal(config_find_check(cfg, "e")->slow_ms, 500);
	config_free(cfg);
}

/*
 * A timeout longer than the interval is accepted however it is written:
 * from [defaults] over a check's interval, in the check itself, or both
 * in [defaults].  The scheduler keeps the runs from overlapping.
 */
static void
test_timeout_over_interval(void **state)
{
	struct config	*cfg;

	(void)state;
	put("sitewatch.conf", "[defaults]\ntimeout = 10\n");
	put("checks.d/t.conf",
	    "[check from-defaults]\nurl = http://127.0.0.1/\ninterval = 5\n"
	    "[check own]\nurl = http://127.0.0.1/\ninterval = 2\n"
	    "timeout = 5\n");
	cfg = load_tmp();
	assert_int_equal(config_find_check(cfg, "from-defaults")->interval, 5);
	assert_int_equal(config_find_check(cfg, "from-defaults")->timeout, 10);
	assert_int_equal(config_find_check(cfg, "own")->interval, 2);
	assert_int_equal(config_find_check(cfg, "own")->timeout, 5);
	config_free(cfg);

	put("sitewatch.conf", "[defaults]\ninterval = 5\ntimeout = 10\n");
	put("checks.d/t.conf", "[check both]\nurl = http://127.0.0.1/\n");
	cfg = load_tmp();
	assert_int_equal(config_find_check(cfg, "both")->interval, 5);
	assert_int_equal(config_find_check(cfg, "both")->timeout, 10);
	assert_int_equal(cfg->defaults->timeout, 10);
	config_free(cfg);
}

/* Units of durations and sizes; method case; spaces in lists. */
static void
test_units(void **state)
{
	struct config		*cfg;
	const struct check_conf	*c;

	(void)state;
	put("sitewatch.conf", "[daemon]\nrrd_retention = 30s:1d,1w:1y\n"
	    "[smtp]\ngroup_window = 1m\n");
	put("checks.d/u.conf", "[check u]\nurl = http://127.0.0.1/\n"
	    "interval = 5m\ntimeout = 1m\nmax_body = 2MiB\nrenotify = 1d\n"
	    "method = head\nexpect_status = 200 - 204 , 418\n"
	    "[check v]\nurl = http://127.0.0.1/\nmax_body = 10kB\n"
	    "interval = 1h\ntimeout = 90s\nrenotify = 0\n");
	cfg = load_tmp();
	assert_int_equal(cfg->nrrd_rra, 2);
	assert_int_equal(cfg->rrd_rra[0].step_s, 30);
	assert_int_equal(cfg->rrd_rra[0].span_s, DAY);
	assert_int_equal(cfg->rrd_rra[1].step_s, 7 * DAY);
	assert_int_equal(cfg->rrd_rra[1].span_s, 365 * DAY);
	assert_int_equal(cfg->smtp.group_window, 60);
	assert_non_null(c = config_find_check(cfg, "u"));
	assert_int_equal(c->interval, 300);
	assert_int_equal(c->timeout, 60);
	assert_int_equal(c->max_body, 2 * 1024 * 1024);
	assert_int_equal(c->renotify, 24 * 3600);
	assert_string_equal(c->method, "HEAD");
	assert_int_equal(c->nexpect_status, 2);
	assert_int_equal(c->expect_status[0].lo, 200);
	assert_int_equal(c->expect_status[0].hi, 204);
	assert_int_equal(c->expect_status[1].lo, 418);
	assert_non_null(c = config_find_check(cfg, "v"));
	assert_int_equal(c->max_body, 10 * 1024);
	assert_int_equal(c->interval, 3600);
	assert_int_equal(c->timeout, 90);
	assert_int_equal(c->renotify, 0);
	config_free(cfg);
}

/* The main file missing, or not a file. */
static void
test_missing_main(void **state)
{
	struct errlist	 errs;
	struct config	*cfg;

	(void)state;
	errlist_init(&errs);
	cfg = config_load("/nonexistent/sitewatch.conf", &errs);
	assert_null(cfg);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.lines[0], "/nonexistent/sitewatch.conf: "
	    "cannot open: No such file or directory");
	errlist_free(&errs);

	cfg = config_load(CONF_FIXTURES, &errs);
	assert_null(cfg);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.lines[0], CONF_FIXTURES ": cannot open: "
	    "Is a directory");
	errlist_free(&errs);
}

/* The default checks_dir missing: named without a line number. */
static void
test_missing_default_checks_dir(void **state)
{
	char	*want;

	(void)state;
	put("sitewatch.conf", "[smtp]\nport = 25\n");
	/* put() made checks.d: remove it again. */
	{
		char	*p;

		xasprintf(&p, "%s/checks.d", tmpdir);
		assert_int_equal(rmdir(p), 0);
		free(p);
	}
	xasprintf(&want, "sitewatch.conf: checks_dir \"%s/checks.d\": "
	    "cannot open: No such file or directory", tmpdir);
	load_tmp_expect(want);
	free(want);
}

/* A pre-filled error list: the load reports failure. */
static void
test_errs_not_empty(void **state)
{
	struct errlist	 errs;
	struct config	*cfg;

	(void)state;
	errlist_init(&errs);
	errlist_add(&errs, "earlier", 1, "something else");
	cfg = config_load(CONF_FIXTURES "/good/sitewatch.conf", &errs);
	assert_null(cfg);
	assert_int_equal(errs.n, 1);
	errlist_free(&errs);
}

/* One bad fixture: load NAME.conf, compare every error with NAME.expect. */
static void
test_bad_fixture(void **state)
{
	const char	*name = *state;
	struct errlist	 errs;
	struct config	*cfg;
	struct buf	 got;
	char		*path, *want;
	size_t		 i;

	assert_int_equal(chdir(CONF_FIXTURES "/bad"), 0);
	xasprintf(&path, "%s.expect", name);
	want = buf_read_file(path);
	free(path);
	assert_non_null(want);

	errlist_init(&errs);
	xasprintf(&path, "%s.conf", name);
	cfg = config_load(path, &errs);
	free(path);
	buf_init(&got);
	buf_addstr(&got, "");
	for (i = 0; i < errs.n; i++)
		buf_printf(&got, "%s\n", errs.lines[i]);
	if (strcmp(got.data, want) != 0)
		print_error("%s.conf gave:\n%s---- expected:\n%s", name,
		    got.data, want);
	assert_string_equal(got.data, want);
	assert_true(errs.n > 0);
	assert_null(cfg);
	buf_free(&got);
	free(want);
	errlist_free(&errs);
}

/* The shipped example loads and writes out every key of the table. */
static void
test_shipped_example(void **state)
{
	struct errlist	 errs;
	struct config	*cfg;
	char		*main_text, *site_text, *line, *p;
	const char	*text;
	size_t		 i, len;
	int		 found;

	(void)state;
	errlist_init(&errs);
	cfg = config_load(CONF_TOP_SRCDIR "/sitewatch.conf", &errs);
	for (i = 0; i < errs.n; i++)
		print_error("%s\n", errs.lines[i]);
	assert_int_equal(errs.n, 0);
	assert_non_null(cfg);
	assert_int_equal(cfg->nchecks, 1);
	assert_string_equal(cfg->checks[0]->url,
	    "http://127.0.0.1:8080/status/example");
	config_free(cfg);
	errlist_free(&errs);

	assert_non_null(main_text = buf_read_file(CONF_TOP_SRCDIR
	    "/sitewatch.conf"));
	assert_non_null(site_text = buf_read_file(CONF_TOP_SRCDIR
	    "/checks.d/example.conf"));
	for (i = 0; i < conf_nkeys; i++) {
		text = conf_keys[i].section == CONF_SEC_DAEMON ||
		    conf_keys[i].section == CONF_SEC_SMTP ||
		    conf_keys[i].section == CONF_SEC_NOTIFY ? main_text :
		    site_text;
		/* A line starting with the key, then spaces and "=". */
		found = 0;
		len = strlen(conf_keys[i].name);
		for (p = strstr(text, conf_keys[i].name); p != NULL && !found;
		    p = strstr(p + 1, conf_keys[i].name)) {
			/* A channel is shown commented out (none by default). */
			if (p != text && p[-1] != '\n' &&
			    !(conf_keys[i].section == CONF_SEC_NOTIFY &&
			    p - text >= 2 && p[-1] == ';' && p[-2] == '\n'))
				continue;
			for (line = p + len; *line == ' '; line++)
				;
			found = *line == '=';
		}
		if (!found)
			print_error("key %s missing from the example\n",
			    conf_keys[i].name);
		assert_true(found);
	}
	free(main_text);
	free(site_text);
}

/* Weekly windows, crossing midnight and the end of the week; UTC. */
static void
test_maint_weekly(void **state)
{
	struct config		*cfg;
	const struct check_conf	*c;

	(void)state;
	set_tz("UTC0");
	put("sitewatch.conf", "");
	put("checks.d/m.conf",
	    "[check sun]\nurl = http://127.0.0.1/\n"
	    "maintenance = Sun 02:00-04:00\n"
	    "[check sat]\nurl = http://127.0.0.1/\n"
	    "maintenance = sat 23:00 - 1:00\n"
	    "[check eow]\nurl = http://127.0.0.1/\n"
	    "maintenance = Sun 23:00-01:00\n"
	    "[check mon]\nurl = http://127.0.0.1/\n"
	    "maintenance = Mon 00:00-24:00\n"
	    "maintenance = wednesday 12:00-12:30\n"
	    "[check none]\nurl = http://127.0.0.1/\n");
	cfg = load_tmp();

	/* 2026-11-29 is a Sunday. */
	c = config_find_check(cfg, "sun");
	assert_false(maint_active(c, utc("2026-11-29T01:59:59Z")));
	assert_true(maint_active(c, utc("2026-11-29T02:00:00Z")));
	assert_true(maint_active(c, utc("2026-11-29T03:59:59Z")));
	assert_false(maint_active(c, utc("2026-11-29T04:00:00Z")));
	assert_false(maint_active(c, utc("2026-11-28T02:30:00Z")));
	assert_true(maint_active(c, utc("2026-12-06T02:30:00Z")));

	c = config_find_check(cfg, "sat");	/* Sat 23:00 - Sun 01:00 */
	assert_false(maint_active(c, utc("2026-11-28T22:59:59Z")));
	assert_true(maint_active(c, utc("2026-11-28T23:00:00Z")));
	assert_true(maint_active(c, utc("2026-11-29T00:30:00Z")));
	assert_false(maint_active(c, utc("2026-11-29T01:00:00Z")));
	assert_false(maint_active(c, utc("2026-11-29T23:30:00Z")));

	c = config_find_check(cfg, "eow");	/* Sun 23:00 - Mon 01:00 */
	assert_int_equal(c->maintenance[0].week_start_min, 6 * 1440 + 1380);
	assert_int_equal(c->maintenance[0].week_end_min, 60);
	assert_false(maint_active(c, utc("2026-11-29T22:59:00Z")));
	assert_true(maint_active(c, utc("2026-11-29T23:30:00Z")));
	assert_true(maint_active(c, utc("2026-11-30T00:59:59Z")));
	assert_false(maint_active(c, utc("2026-11-30T01:00:00Z")));
	assert_false(maint_active(c, utc("2026-11-28T23:30:00Z")));

	c = config_find_check(cfg, "mon");	/* all Monday, Wed noon */
	assert_false(maint_active(c, utc("2026-11-29T23:59:59Z")));
	assert_true(maint_active(c, utc("2026-11-30T00:00:00Z")));
	assert_true(maint_active(c, utc("2026-11-30T23:59:59Z")));
	assert_false(maint_active(c, utc("2026-12-01T00:00:00Z")));
	assert_true(maint_active(c, utc("2026-12-02T12:15:00Z")));
	assert_false(maint_active(c, utc("2026-12-02T12:30:00Z")));

	c = config_find_check(cfg, "none");
	assert_false(maint_active(c, utc("2026-11-29T02:30:00Z")));
	config_free(cfg);
}

/* Windows are local time: the TZ of the process at load and at check. */
static void
test_maint_local_time(void **state)
{
	struct config		*cfg;
	const struct check_conf	*c;

	(void)state;
	set_tz("XYZ-3");	/* POSIX: three hours east of UTC */
	put("sitewatch.conf", "");
	put("checks.d/m.conf",
	    "[check once]\nurl = http://127.0.0.1/\n"
	    "maintenance = 2026-12-01T02:00/2026-12-01T04:00\n"
	    "maintenance = 2026-12-24T10:00:30 / 2026-12-24T10:01\n"
	    "[check weekly]\nurl = http://127.0.0.1/\n"
	    "maintenance = Sun 02:00-04:00\n");
	cfg = load_tmp();
	c = config_find_check(cfg, "once");
	assert_int_equal(c->maintenance[0].from, utc("2026-11-30T23:00:00Z"));
	assert_int_equal(c->maintenance[0].to, utc("2026-12-01T01:00:00Z"));
	assert_false(maint_active(c, utc("2026-11-30T22:59:59Z")));
	assert_true(maint_active(c, utc("2026-11-30T23:00:00Z")));
	assert_true(maint_active(c, utc("2026-12-01T00:59:59Z")));
	assert_false(maint_active(c, utc("2026-12-01T01:00:00Z")));
	assert_false(maint_active(c, utc("2026-12-01T07:30:00Z")));
	assert_false(maint_active(c, utc("2026-12-24T07:00:29Z")));
	assert_true(maint_active(c, utc("2026-12-24T07:00:30Z")));
	assert_false(maint_active(c, utc("2026-12-24T07:01:00Z")));

	c = config_find_check(cfg, "weekly");	/* Sun 02:00 local */
	assert_true(maint_active(c, utc("2026-11-28T23:30:00Z")));
	assert_false(maint_active(c, utc("2026-11-29T02:30:00Z")));
	config_free(cfg);
	set_tz("UTC0");
}

/* A check name of 63 characters is fine; 64 is refused (fixture). */
static void
test_name_limits(void **state)
{
	struct config	*cfg;
	char		 text[256];
	char		 name[64];

	(void)state;
	memset(name, 'n', 63);
	name[63] = '\0';
	name[0] = 'A';
	name[1] = '.';
	name[2] = '_';
	name[3] = '-';
	name[4] = '9';
	snprintf(text, sizeof text, "[check %s]\nurl = http://127.0.0.1/\n",
	    name);
	put("sitewatch.conf", "");
	put("checks.d/n.conf", text);
	cfg = load_tmp();
	assert_non_null(config_find_check(cfg, name));
	config_free(cfg);
}

/* Every key the SPEC names is in the table, in the right section. */
static void
test_spec_keys(void **state)
{
	static const char *daemon[] = { "state_dir", "checks_dir",
	    "templates_dir", "listen", "max_parallel", "rrdcached",
	    "rrd_retention", "api_token", "public_url", "canary", "user",
	    "pid_file", "max_connections", "source", "status_index",
	    "database", "node", "node_timeout", "location", NULL };
	static const char *smtp[] = { "host", "port", "starttls", "user",
	    "password", "from", "staff", "group_window", "retry_min",
	    "retry_max", "organization", "contact", "escalate", NULL };
	static const char *site[] = { "name", "client_email", "language",
	    "timezone", "report", NULL };
	static const char *check[] = { "url", "interval", "timeout",
	    "method", "header", "body", "expect_status", "expect_text",
	    "max_body", "slow_ms", "down_ms", "cert_warn_days", "retries",
	    "recover", "renotify", "maintenance", "follow_redirects", "ip",
	    "ca_file", "depends", "title", "locations", "confirm", NULL };
	static const char *notify[] = { "type", "url", "secret", "token",
	    "chat", "events", "sites", NULL };
	size_t	i, n = 0;

	(void)state;
	for (i = 0; daemon[i] != NULL; i++, n++)
		assert_non_null(conf_key_find(CONF_SEC_DAEMON, daemon[i]));
	for (i = 0; smtp[i] != NULL; i++, n++)
		assert_non_null(conf_key_find(CONF_SEC_SMTP, smtp[i]));
	for (i = 0; site[i] != NULL; i++, n++)
		assert_non_null(conf_key_find(CONF_SEC_SITE, site[i]));
	for (i = 0; check[i] != NULL; i++, n++)
		assert_non_null(conf_key_find(CONF_SEC_CHECK, check[i]));
	for (i = 0; notify[i] != NULL; i++, n++)
		assert_non_null(conf_key_find(CONF_SEC_NOTIFY, notify[i]));
	assert_int_equal(n, conf_nkeys);
	assert_null(conf_key_find(CONF_SEC_DAEMON, "interval"));
	for (i = 0; i < conf_nkeys; i++)
		assert_true(conf_keys[i].help != NULL &&
		    conf_keys[i].help[0] != '\0');
}

/* --dump-config lists every key with its default, as a valid INI. */
static void
test_dump_keys(void **state)
{
	char	 path[PATH_MAX + 32], *text, line[256];
	size_t	 i;
	int	 fd, saved;

	(void)state;
	snprintf(path, sizeof path, "%s/dump.txt", tmpdir);
	fflush(stdout);
	saved = dup(1);
	assert_true((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC,
	    0644)) >= 0);
	dup2(fd, 1);
	close(fd);
	config_dump_keys();
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	assert_non_null(text = buf_read_file(path));
	for (i = 0; i < conf_nkeys; i++) {
		snprintf(line, sizeof line, "\n%s =%s%s\n", conf_keys[i].name,
		    conf_keys[i].def != NULL && conf_keys[i].def[0] ? " " : "",
		    conf_keys[i].def != NULL ? conf_keys[i].def : "");
		if (strstr(text, line) == NULL)
			print_error("missing in dump: %s", line);
		assert_non_null(strstr(text, line));
	}
	assert_non_null(strstr(text, "\nrrd_retention = 1s:2d,5m:14d,1h:90d,"
	    "1d:5y\n"));
	assert_non_null(strstr(text, "\n[defaults]\n"));
	assert_non_null(strstr(text, "\n[check NAME]\n"));
	assert_non_null(strstr(text, "(yes | no | required)"));
	free(text);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test_setup_teardown(test_table_defaults,
		    tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_empty_values,
		    tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_pairs_adjust,
		    tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_timeout_over_interval,
		    tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_units,
		    tmp_setup, tmp_teardown),
		cmocka_unit_test(test_missing_main),
		cmocka_unit_test_setup_teardown(
		    test_missing_default_checks_dir, tmp_setup, tmp_teardown),
		cmocka_unit_test(test_errs_not_empty),
		cmocka_unit_test_setup_teardown(test_maint_weekly,
		    tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_maint_local_time,
		    tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_name_limits,
		    tmp_setup, tmp_teardown),
		cmocka_unit_test(test_spec_keys),
		cmocka_unit_test(test_shipped_example),
		cmocka_unit_test_setup_teardown(test_dump_keys,
		    tmp_setup, tmp_teardown),
	};
	struct CMUnitTest	*tests;
	char		       **names = NULL;
	size_t			 nfixed = sizeof fixed / sizeof fixed[0];
	size_t			 n = 0, i, len;
	DIR			*d;
	struct dirent		*de;
	int			 rc;

	set_tz("UTC0");
	/* One test per tests/fixtures/conf/bad/NAME.conf. */
	if ((d = opendir(CONF_FIXTURES "/bad")) == NULL) {
		perror(CONF_FIXTURES "/bad");
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len > 5 && strcmp(de->d_name + len - 5, ".conf") == 0) {
			names = xreallocarray(names, n + 1, sizeof *names);
			names[n++] = xstrndup(de->d_name, len - 5);
		}
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof *names, cmp_names);
	tests = xcalloc(nfixed + n, sizeof *tests);
	memcpy(tests, fixed, sizeof fixed);
	for (i = 0; i < n; i++) {
		tests[nfixed + i].name = names[i];
		tests[nfixed + i].test_func = test_bad_fixture;
		tests[nfixed + i].initial_state = names[i];
	}
	rc = _cmocka_run_group_tests("config", tests, nfixed + n, NULL, NULL);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(tests);
	return rc;
}
