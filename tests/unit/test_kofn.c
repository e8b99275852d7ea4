/*
 * test_kofn.c -- k of n (issue 16): a step counts as down only when at
 * least `confirm` locations were down in it.
 *  - uptime_kofn_down, the one rule, on one step's values;
 *  - three location files of a cluster (<check>~a/b/c.rrd, made by the
 *    recorder's own layout and written with known histories): the
 *    uptime every view reads (uptime_check) for confirm 1, 2 and 3, the
 *    file names the recorder uses, and a single node left as it was;
 *  - the response-time graph draws one line per location, named.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rrd.h>

#include "config.h"
#include "rrd_fixture.h"
#include "rrd_graph.h"
#include "rrd_source.h"
#include "rrd_store.h"
#include "uptime.h"
#include "util.h"
#include "xmalloc.h"

#define MINUTES	60

static void
test_kofn_rule(void **state)
{
	const double	one_of_three[] = { 1, 0, 1 };
	const double	two_of_three[] = { 1, 0, 0 };
	const double	all[] = { 0, 0, 0 };
	const double	unknown_one[] = { NAN, 0, 1 };
	const double	none[] = { NAN, NAN };
	const double	shares[] = { 0.25, 0.5, 1 };	/* down .75 .5 0 */

	(void)state;
	assert_true(uptime_kofn_down(one_of_three, 3, 2) == 0);
	assert_true(uptime_kofn_down(one_of_three, 3, 1) == 1);
	assert_true(uptime_kofn_down(two_of_three, 3, 2) == 1);
	assert_true(uptime_kofn_down(two_of_three, 3, 3) == 0);
	assert_true(uptime_kofn_down(all, 3, 3) == 1);
	/* An unknown location is no vote either way. */
	assert_true(uptime_kofn_down(unknown_one, 3, 2) == 0);
	assert_true(uptime_kofn_down(unknown_one, 3, 1) == 1);
	assert_true(isnan(uptime_kofn_down(none, 2, 1)));
	/* Consolidated rows: the k-th largest down share. */
	assert_true(fabs(uptime_kofn_down(shares, 3, 1) - 0.75) < 1e-12);
	assert_true(fabs(uptime_kofn_down(shares, 3, 2) - 0.5) < 1e-12);
	assert_true(uptime_kofn_down(shares, 3, 3) == 0);
	/* confirm 0 is read as 1. */
	assert_true(uptime_kofn_down(two_of_three, 3, 0) == 1);
}

struct kofn {
	struct rrd_fixture	 rf;
	time_t			 t0;
};

/* Minute i of location loc: b down from 10 to 29, c from 20 to 29. */
static int
kofn_down(char loc, int i)
{
	return (loc == 'b' && i >= 10 && i < 30) ||
	    (loc == 'c' && i >= 20 && i < 30);
}

/* shop-home~LOC.rrd with an hour of one-minute results. */
static void
kofn_write(struct kofn *k, char loc)
{
	const char	*argv[MINUTES];
	char		*path, *v[MINUTES], err[256];
	int		 i;

	xasprintf(&path, "%s/rrd/shop-home~%c.rrd", k->rf.dir, loc);
	if (rrd_store_create(path, 60, k->t0, NULL, 0, err, sizeof err) != 0)
		fail_msg("create %s: %s", path, err);
	for (i = 0; i < MINUTES; i++) {
		if (kofn_down(loc, i))
			xasprintf(&v[i], "%lld:0:900:1:1:0:U:0:0:0:0:0:0",
			    (long long)(k->t0 + 60 * (i + 1)));
		else
			xasprintf(&v[i], "%lld:1:%d:1:1:0:5:1:1:1:1:1:1",
			    (long long)(k->t0 + 60 * (i + 1)),
			    loc == 'a' ? 50 : 150);
		argv[i] = v[i];
	}
	rrd_clear_error();
	if (rrd_update_r(path, NULL, MINUTES, argv) != 0)
		fail_msg("update %s: %s", path, rrd_get_error());
	for (i = 0; i < MINUTES; i++)
		free(v[i]);
	free(path);
}

static int
setup(void **state)
{
	struct kofn	*k;
	time_t		 now = time(NULL);

	k = rrd_fixture_new(sizeof *k, "kofn", "Shop Ltd");
	/* A cluster of three locations; the database is never opened. */
	k->rf.cfg.database = "postgresql://sitewatch@db.invalid/sitewatch";
	k->rf.cfg.location = "a";
	k->t0 = now - now % 60 - 2 * 3600;
	rrd_fixture_create(&k->rf, k->t0);	/* a plain file, no data */
	kofn_write(k, 'a');
	kofn_write(k, 'b');
	kofn_write(k, 'c');
	*state = k;
	return 0;
}

/* Down seconds of the hour for confirm. */
static double
kofn_down_s(struct kofn *k, int confirm, double *pct, double *mean)
{
	struct uptime	u;
	char		err[256];

	k->rf.check.confirm = confirm;
	if (uptime_check(&k->rf.cfg, &k->rf.check, k->t0,
	    k->t0 + 60 * MINUTES, time(NULL), &u, err, sizeof err) != 0)
		fail_msg("uptime_check: %s", err);
	assert_true(u.unknown_s == 0);
	if (pct != NULL)
		*pct = u.uptime_pct;
	if (mean != NULL)
		*mean = u.mean_ms;
	return u.down_s;
}

static void
test_kofn_files(void **state)
{
	struct kofn		*k = *state;
	struct rrd_sources	 ss;
	char			*p, *want, err[256];
	double			 pct, mean;

	/* The recorder's own file here is location a's. */
	p = rrd_store_path(&k->rf.cfg, "shop-home");
	xasprintf(&want, "%s/rrd/shop-home~a.rrd", k->rf.dir);
	assert_string_equal(p, want);
	free(p);
	free(want);
	/* Readers find the three (and the plain file), sorted. */
	assert_int_equal(rrd_sources_find(&k->rf.cfg, "shop-home", &ss, err,
	    sizeof err), 0);
	assert_int_equal(ss.n, 4);
	assert_null(ss.v[0].location);
	assert_string_equal(ss.v[1].location, "a");
	assert_string_equal(ss.v[3].location, "c");
	rrd_sources_free(&ss);

	/* b alone is down 20 min, b and c together 10 min. */
	assert_true(kofn_down_s(k, 1, NULL, NULL) == 1200);
	assert_true(kofn_down_s(k, 2, &pct, &mean) == 600);
	assert_true(fabs(pct - 100.0 * 3000 / 3600) < 1e-9);
	/* Mean of the answered results of every location. */
	assert_true(mean > 50 && mean < 150);
	assert_true(kofn_down_s(k, 3, &pct, NULL) == 0);
	assert_true(pct == 100);
}

/* The same folder as one node: its one file only, as ever. */
static void
test_kofn_single_node(void **state)
{
	struct kofn		*k = *state;
	struct rrd_sources	 ss;
	struct uptime		 u;
	char			*p, *want, err[256];

	k->rf.cfg.database = NULL;
	p = rrd_store_path(&k->rf.cfg, "shop-home");
	xasprintf(&want, "%s/rrd/shop-home.rrd", k->rf.dir);
	assert_string_equal(p, want);
	free(want);
	free(p);
	assert_int_equal(rrd_sources_find(&k->rf.cfg, "shop-home", &ss, err,
	    sizeof err), 0);
	assert_int_equal(ss.n, 1);
	rrd_sources_free(&ss);
	/* Its plain file has no results: the hour is unknown. */
	assert_int_equal(uptime_check(&k->rf.cfg, &k->rf.check, k->t0,
	    k->t0 + 3600, time(NULL), &u, err, sizeof err), 0);
	assert_true(u.unknown_s == 3600);
	assert_true(isnan(u.uptime_pct));
}

/* One line per location, named in the legend, with the k-of-n figure. */
static void
test_kofn_graph(void **state)
{
	struct kofn		*k = *state;
	struct graph_req	 g;
	struct buf		 out, legend;
	char			 err[256];

	k->rf.check.confirm = 2;
	memset(&g, 0, sizeof g);
	g.check = &k->rf.check;
	g.start = k->t0;
	g.end = k->t0 + 3600;
	g.metric = GRAPH_TIME;
	buf_init(&out);
	buf_init(&legend);
	g.legend = &legend;
	if (rrd_graph_render(&k->rf.cfg, &g, &out, err, sizeof err) != 0)
		fail_msg("graph: %s", err);
	assert_true(out.len > 8 && memcmp(out.data, "\x89PNG", 4) == 0);
	buf_add(&legend, "", 1);
	assert_non_null(strstr(legend.data, "a\n"));
	assert_non_null(strstr(legend.data, "b\n"));
	assert_non_null(strstr(legend.data, "c\n"));
	assert_non_null(strstr(legend.data, "uptime 83.333 %"));
	buf_free(&out);
	buf_free(&legend);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kofn_rule),
		cmocka_unit_test_setup_teardown(test_kofn_files, setup,
		    rrd_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_kofn_single_node, setup,
		    rrd_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_kofn_graph, setup,
		    rrd_fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
