/*
 * test_report.c -- SLA figures over RRD files fed with a known pattern.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rrd.h>
#include <sqlite3.h>

#include "config.h"
#include "log.h"
#include "report.h"
#include "rrd_fixture.h"
#include "rrd_store.h"
#include "uptime.h"
#include "store.h"
#include "xmalloc.h"

struct fixture {
	struct rrd_fixture	 rf;
	struct maint_window	 win;
	char			*db;
	time_t			 t0;
};

/* Rows 80..89 of the pattern are in maintenance (test predicate). */
static time_t	maint_from, maint_to;

static int
maint_test(const struct check_conf *c, time_t t)
{
	return t >= maint_from && t < maint_to;
}

/* One update at t: up (1/0/-1 = unknown) and total ms. */
static void
feed(const char *path, time_t t, int up, double total)
{
	char		*v;
	const char	*argv[1];
	int		 b;
	struct buf	 s;

	buf_init(&s);
	buf_printf(&s, "%lld", (long long)t);
	if (up < 0) {
		for (b = 0; b < RRD_DS_COUNT; b++)
			buf_addstr(&s, ":U");
	} else {
		buf_printf(&s, ":%d:%g:%g:%g:%g:%g", up, total, total / 10,
		    total / 10, total / 10, total / 2);
		for (b = 0; b < RRD_NBUCKETS; b++)
			buf_printf(&s, ":%d", up && total <= rrd_bucket_ms[b]);
	}
	v = s.data;
	argv[0] = v;
	if (rrd_update_r(path, NULL, 1, argv) != 0)
		fail_msg("update %s: %s", v, rrd_get_error());
	buf_free(&s);
}

/*
 * The pattern: 100 one-minute rows from t0.  Row i covers
 * [t0 + 60 i, t0 + 60 (i + 1)) and is written at its end.
 *   0..59 up in 50 ms, 60..69 down, 70..79 unknown,
 *   80..89 down but in maintenance, 90..99 up in 300 ms.
 */
static int
setup(void **state)
{
	struct fixture	*f = rrd_fixture_new(sizeof *f, "reptest", "Shop Ltd");
	int		 i;

	xasprintf(&f->db, "%s/sitewatch.db", f->rf.dir);
	f->t0 = time(NULL) / 3600 * 3600 - 4 * 3600;
	maint_from = f->t0 + 80 * 60;
	maint_to = f->t0 + 90 * 60;
	rrd_fixture_create(&f->rf, f->t0);
	for (i = 0; i < 100; i++) {
		time_t t = f->t0 + (i + 1) * 60;

		if (i < 60)
			feed(f->rf.path, t, 1, 50);
		else if (i < 70)
			feed(f->rf.path, t, 0, 30);
		else if (i < 80)
			feed(f->rf.path, t, -1, 0);
		else if (i < 90)
			feed(f->rf.path, t, 0, 999);
		else
			feed(f->rf.path, t, 1, 300);
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	free(f->db);
	return rrd_fixture_teardown(state);
}

/* The figures over the whole pattern, [t0, t0 + 6000), at t0 + 7000. */
static void
report_pattern(struct fixture *f, const char *db, report_maint_fn maint,
    struct report_row *r)
{
	char	err[256];

	if (report_check_file(f->rf.path, db, &f->rf.check, maint, f->t0,
	    f->t0 + 6000, f->t0 + 7000, r, err, sizeof err) != 0)
		fail_msg("report: %s", err);
}

/* The exact figures of the pattern. */
static void
test_pattern(void **state)
{
	struct fixture		*f = *state;
	struct report_row	 r;
	char			 p95[32];

	report_pattern(f, f->db, maint_test, &r);
	assert_int_equal(r.resolution, 60);
	assert_true(fabs(r.up_s - 4200) < 1e-6);
	assert_true(fabs(r.downtime_s - 600) < 1e-6);
	assert_true(fabs(r.unknown_s - 600) < 1e-6);
	assert_true(fabs(r.maintenance_s - 600) < 1e-6);
	assert_true(fabs(r.uptime_pct - 87.5) < 1e-9);
	/* Of the successful checks only: 60 x 50 ms and 10 x 300 ms. */
	assert_true(fabs(r.mean_ms - 6000.0 / 70) < 1e-6);
	/* 60/70 = 86 % under 250 ms, all under 500 ms. */
	assert_true(r.p95_ms == 500);
	assert_string_equal(report_p95_str(r.p95_ms, p95, sizeof p95), "500");
	/* No ticket store: transitions to down in the data. */
	assert_int_equal(r.incidents_from, REPORT_INC_RRD);
	assert_int_equal(r.incidents, 1);
}

/* Without maintenance the maintenance rows count as downtime. */
static void
test_no_maintenance(void **state)
{
	struct fixture		*f = *state;
	struct report_row	 r;

	report_pattern(f, NULL, NULL, &r);
	assert_true(fabs(r.downtime_s - 1200) < 1e-6);
	assert_true(fabs(r.maintenance_s) < 1e-6);
	assert_true(fabs(r.uptime_pct - 4200.0 / 5400 * 100) < 1e-9);
	/* Unknown time between two down spells does not end the incident. */
	assert_int_equal(r.incidents, 1);
}

/* A period reaching past now counts no future time; a part period. */
static void
test_clipping(void **state)
{
	struct fixture		*f = *state;
	struct report_row	 r;
	char			 err[256];

	assert_int_equal(report_check_file(f->rf.path, NULL, &f->rf.check,
	    maint_test, f->t0, f->t0 + 86400, f->t0 + 6000, &r, err,
	    sizeof err), 0);
	assert_true(fabs(r.unknown_s - 600) < 1e-6);
	assert_true(fabs(r.up_s + r.downtime_s + r.unknown_s +
	    r.maintenance_s - 6000) < 1e-6);
	/* Half rows at both ends: [t0 + 30, t0 + 3630). */
	assert_int_equal(report_check_file(f->rf.path, NULL, &f->rf.check,
	    maint_test, f->t0 + 30, f->t0 + 3630, f->t0 + 7000, &r, err,
	    sizeof err), 0);
	assert_true(fabs(r.up_s - 3570) < 1e-6);
	assert_true(fabs(r.downtime_s - 30) < 1e-6);
	assert_int_equal(report_check_file(f->rf.path, NULL, &f->rf.check, NULL,
	    f->t0 + 10, f->t0, f->t0 + 7000, &r, err, sizeof err), -1);
}

/* Incidents come from the tickets table when it exists. */
static void
test_tickets_db(void **state)
{
	struct fixture		*f = *state;
	struct report_row	 r;
	sqlite3			*db;
	char			*sql;

	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE other(x)", NULL,
	    NULL, NULL), SQLITE_OK);
	/* A db without the table: back to the RRD count. */
	report_pattern(f, f->db, maint_test, &r);
	assert_int_equal(r.incidents_from, REPORT_INC_RRD);
	xasprintf(&sql, "CREATE TABLE tickets(id INTEGER PRIMARY KEY, "
	    "check_name TEXT, opened_at INTEGER);"
	    "INSERT INTO tickets(check_name, opened_at) VALUES "
	    "('shop-home', %lld), ('shop-home', %lld), ('shop-home', %lld),"
	    "('other', %lld);", (long long)f->t0, (long long)f->t0 + 5999,
	    (long long)f->t0 + 6000, (long long)f->t0 + 10);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	free(sql);
	sqlite3_close(db);
	report_pattern(f, f->db, maint_test, &r);
	assert_int_equal(r.incidents_from, REPORT_INC_TICKETS);
	assert_int_equal(r.incidents, 2);
}

/* A file the store made (migrated, WAL): incidents through the door. */
static void
test_tickets_store(void **state)
{
	struct fixture		*f = *state;
	struct report_row	 r;
	struct store_new_ticket	 nt;
	struct store		*st;
	char			 err[256];

	assert_non_null(st = store_open(f->db, 0, err, sizeof err));
	memset(&nt, 0, sizeof nt);
	nt.check = "shop-home";
	nt.severity = "critical";
	nt.id = 1;
	nt.opened_at = f->t0 + 100;
	assert_int_equal(store_ticket_insert(st, &nt), 0);
	nt.id = 2;
	nt.check = "other";
	assert_int_equal(store_ticket_insert(st, &nt), 0);
	/* Read while this writer still holds the file open. */
	report_pattern(f, f->db, maint_test, &r);
	store_close(st);
	assert_int_equal(r.incidents_from, REPORT_INC_TICKETS);
	assert_int_equal(r.incidents, 1);
}

/* p95 bucket edges: exactly 95 % under 100 ms, and all over 5 s. */
static void
test_p95_edges(void **state)
{
	struct fixture		*f = *state;
	struct report_row	 r;
	char			 err[256], p95[32], *path;
	int			 i;

	xasprintf(&path, "%s/edge.rrd", f->rf.dir);
	assert_int_equal(rrd_store_create(path, 60, f->t0, NULL, 0, err,
	    sizeof err), 0);
	for (i = 0; i < 40; i++)
		feed(path, f->t0 + (i + 1) * 60, 1, i < 38 ? 90 : 1500);
	for (; i < 50; i++)
		feed(path, f->t0 + (i + 1) * 60, 1, 6000);
	assert_int_equal(report_check_file(path, NULL, &f->rf.check, NULL,
	    f->t0, f->t0 + 2400, f->t0 + 7000, &r, err, sizeof err), 0);
	assert_true(r.p95_ms == 100);	/* 38 / 40 = 0.95 */
	assert_int_equal(report_check_file(path, NULL, &f->rf.check, NULL,
	    f->t0, f->t0 + 2460, f->t0 + 7000, &r, err, sizeof err), 0);
	assert_true(r.p95_ms == 2000);	/* 40 / 41 under 2000 */
	assert_int_equal(report_check_file(path, NULL, &f->rf.check, NULL,
	    f->t0 + 2400, f->t0 + 3000, f->t0 + 7000, &r, err, sizeof err),
	    0);
	assert_true(isinf(r.p95_ms));
	assert_string_equal(report_p95_str(r.p95_ms, p95, sizeof p95),
	    "> 5000");
	/* JSON and CSV: a number, the timeout every answer ended within. */
	f->rf.check.timeout = 10;
	assert_true(uptime_p95_bound(r.p95_ms, &f->rf.check) == 10000);
	f->rf.check.timeout = 3;
	assert_true(uptime_p95_bound(r.p95_ms, &f->rf.check) == 5000);
	assert_true(uptime_p95_bound(250, &f->rf.check) == 250);
	assert_true(fabs(r.uptime_pct - 100) < 1e-9);
	free(path);
}

/*
 * Ten days of data: a period older than two days is read from the
 * 5-minute archive, a 30-day period from the hourly one, and both find
 * the one hour of downtime.
 */
static void
test_consolidated(void **state)
{
	struct fixture		*f = *state;
	struct report_row	 r;
	char			 err[256], *path, **vals;
	time_t			 d0, now = time(NULL), t;
	int			 i, j, n = 10 * 1440, chunk = 720;

	d0 = (now - 10 * 86400) / 86400 * 86400;
	xasprintf(&path, "%s/long.rrd", f->rf.dir);
	assert_int_equal(rrd_store_create(path, 60, d0, NULL, 0, err,
	    sizeof err), 0);
	vals = xcalloc((size_t)chunk, sizeof *vals);
	for (i = 0; i < n; i += chunk) {
		for (j = 0; j < chunk; j++) {
			int up;

			t = d0 + (time_t)(i + j + 1) * 60;
			/* Down from 02:00 to 03:00 on the second day. */
			up = !(t > d0 + 86400 + 7200 &&
			    t <= d0 + 86400 + 10800);
			xasprintf(&vals[j], "%lld:%d:120:1:1:1:60:0:%d:%d:%d:"
			    "%d:%d", (long long)t, up, up, up, up, up, up);
		}
		if (rrd_update_r(path, NULL, chunk, (const char **)vals) != 0)
			fail_msg("update: %s", rrd_get_error());
		for (j = 0; j < chunk; j++)
			free(vals[j]);
	}
	free(vals);
	assert_int_equal(report_check_file(path, NULL, &f->rf.check, NULL,
	    d0 + 86400, d0 + 2 * 86400, now, &r, err, sizeof err), 0);
	assert_int_equal(r.resolution, 300);
	assert_true(fabs(r.downtime_s - 3600) < 1e-6);
	assert_true(fabs(r.uptime_pct - 100.0 * 23 / 24) < 1e-9);
	assert_int_equal(r.incidents, 1);
	assert_true(r.p95_ms == 250);
	assert_int_equal(report_check_file(path, NULL, &f->rf.check, NULL,
	    now - 30 * 86400, now, now, &r, err, sizeof err), 0);
	/* The last 2 days come from the one-step archive, the rest hourly. */
	assert_int_equal(r.resolution, 60);
	assert_true(fabs(r.downtime_s - 3600) < 1e-6);
	assert_true(r.unknown_s > 19 * 86400);
	free(path);
}

/* A check without a file yet: all unknown, no error. */
static void
test_no_file(void **state)
{
	struct fixture		*f = *state;
	struct report_row	 r;
	char			 err[256];

	assert_int_equal(report_check_file("/nonexistent/x.rrd", NULL,
	    &f->rf.check, NULL, f->t0, f->t0 + 600, f->t0 + 7000, &r, err,
	    sizeof err), 0);
	assert_true(fabs(r.unknown_s - 600) < 1e-6);
	assert_true(isnan(r.uptime_pct));
	assert_true(isnan(r.p95_ms));
}

/*
 * Through the config: state_dir/rrd/<check>.rrd and maint_active with a
 * one-off window over rows 80..89.
 */
static void
test_report_check_config(void **state)
{
	struct fixture		*f = *state;
	struct report_row	 r;
	char			 err[256];
	time_t			 now = time(NULL);

	f->win.weekly = 0;
	f->win.from = maint_from;
	f->win.to = maint_to;
	f->rf.check.maintenance = &f->win;
	f->rf.check.nmaintenance = 1;
	if (!maint_active(&f->rf.check, maint_from + 30)) {
		/* config.c's maint_active is still the skeleton stub. */
		skip();
	}
	assert_int_equal(report_check(&f->rf.cfg, &f->rf.check, f->t0,
	    f->t0 + 6000, &r, err, sizeof err), 0);
	assert_true(fabs(r.maintenance_s - 600) < 1e-6);
	assert_true(fabs(r.uptime_pct - 87.5) < 1e-9);
	assert_true(fabs(report_uptime(&f->rf.cfg, &f->rf.check, now, 86400, NULL) -
	    87.5) < 1e-9);
}

/*
 * Uptime of a check without maintenance windows is read from a coarse
 * archive (5 min rows for a day): the pattern's rows group into whole
 * 5-minute rows, so the figure must be the exact one, 70 up of 90 known.
 */
static void
test_report_uptime_coarse(void **state)
{
	struct fixture		*f = *state;
	struct report_row	 r;
	char			 err[256];
	time_t			 now = time(NULL);
	double			 want = 100.0 * 70 / 90;

	assert_int_equal(report_check_file(f->rf.path, NULL, &f->rf.check,
	    NULL, now - 86400, now, now, &r, err, sizeof err), 0);
	assert_true(fabs(r.uptime_pct - want) < 1e-9);
	assert_true(fabs(report_uptime(&f->rf.cfg, &f->rf.check, now, 86400,
	    NULL) - want) < 1e-9);
	assert_true(fabs(report_uptime(&f->rf.cfg, &f->rf.check, now,
	    30 * 86400, NULL) - want) < 1e-9);
}

/*
 * A retention shorter than the period: the fetch is clamped to what the
 * file keeps (5 min rows for 6 h here; the 1 min rows are gone past 3 h)
 * and the figure is still the pattern's.
 */
static void
test_report_uptime_short_file(void **state)
{
	struct fixture		*f = *state;
	struct rrd_rra		 rra[2] = { { 0, 3 * 3600 }, { 300, 6 * 3600 } };
	struct check_conf	 c = f->rf.check;
	char			 err[256], *path;
	time_t			 now = time(NULL);
	int			 i;

	c.name = "shop-short";
	f->rf.cfg.rrd_rra[0] = rra[0];
	f->rf.cfg.rrd_rra[1] = rra[1];
	f->rf.cfg.nrrd_rra = 2;
	assert_false(report_retention_covers(&f->rf.cfg, 86400));
	assert_true(report_retention_covers(&f->rf.cfg, 3600));
	path = rrd_store_path(&f->rf.cfg, c.name);
	if (rrd_store_create(path, 60, f->t0, rra, 2, err, sizeof err) != 0)
		fail_msg("create: %s", err);
	for (i = 0; i < 100; i++)
		feed(path, f->t0 + (i + 1) * 60, i < 60 || i >= 90 ? 1 :
		    i < 70 || i >= 80 ? 0 : -1, 50);
	/* Archives end at the last update, t0 + 100 min. */
	assert_true(report_file_first(path) >= f->t0 + 6000 - 6 * 3600 - 300);
	assert_true(report_file_first(path) <= f->t0 + 6000 - 6 * 3600 + 300);
	assert_true(fabs(report_uptime(&f->rf.cfg, &c, now, 30 * 86400, NULL) -
	    100.0 * 70 / 90) < 1e-9);
	assert_int_equal(report_file_first("/nonexistent/x.rrd"), -1);
	free(path);
}

/* Period names. */
static void
test_period(void **state)
{
	time_t	s, e;

	assert_int_equal(report_period("week", 1000000, &s, &e), 0);
	assert_int_equal(e - s, 7 * 86400);
	assert_int_equal(e, 1000000);
	assert_int_equal(report_period("fortnight", 1000000, &s, &e), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pattern, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_maintenance, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_clipping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tickets_db, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tickets_store, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_p95_edges, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_consolidated, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_no_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_uptime_coarse,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_uptime_short_file,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_check_config, setup,
		    teardown),
		cmocka_unit_test(test_period),
	};

	log_init("test_report", 1, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
