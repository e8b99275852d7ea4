/*
 * test_rrd_store.c -- the recorder writes the SPEC layout and survives
 * same-second results, interval changes, deleted and corrupt files, a
 * full queue and shutdown with updates still queued.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rrd.h>

#include "config.h"
#include "log.h"
#include "result.h"
#include "rrd_fixture.h"
#include "rrd_store.h"
#include "rrd_store_test.h"
#include "xmalloc.h"

struct fixture {
	struct rrd_fixture	 rf;
	time_t			 t0;
};

static int
setup(void **state)
{
	struct fixture	*f = rrd_fixture_new(sizeof *f, "rrdtest", "Shop Ltd");

	/* A minute boundary two hours back: inside the one-step archive. */
	f->t0 = time(NULL) / 60 * 60 - 7200;
	*state = f;
	return 0;
}

/* Record a result of the check at t: its state and total ms. */
static void
record(struct rrd_store *rs, struct fixture *f, time_t t, enum sw_state st,
    double total)
{
	struct result	r;

	memset(&r, 0, sizeof r);
	snprintf(r.name, sizeof r.name, "shop-home");
	r.at = (double)t + 0.25;
	r.state = st;
	r.up = st == SW_STATE_UP || st == SW_STATE_DEGRADED;
	r.total_ms = total;
	r.dns_ms = total / 10;
	r.connect_ms = total / 10;
	r.tls_ms = total / 5;
	r.ttfb_ms = total / 4;
	r.cert_days_left = -1;
	rrd_store_record(rs, &f->rf.check, &r);
}

/* Value of ds in the one-step row covering (t - 60, t]. */
static double
fetch_at(const char *path, const char *ds, time_t t)
{
	time_t		 s = t - 60, e = t;
	unsigned long	 step = 60, nds, i;
	char		**names;
	rrd_value_t	*data;
	double		 v = -1;
	int		 ix = -1;

	assert_int_equal(rrd_fetch_r(path, "AVERAGE", &s, &e, &step, &nds,
	    &names, &data), 0);
	assert_int_equal(step, 60);
	for (i = 0; i < nds; i++)
		if (strcmp(names[i], ds) == 0)
			ix = (int)i;
	assert_true(ix >= 0);
	/* The first row is the one ending at s + step. */
	for (i = 0; s + (time_t)((i + 1) * step) <= e; i++)
		if (s + (time_t)((i + 1) * step) == t)
			v = data[i * nds + (unsigned long)ix];
	for (i = 0; i < nds; i++)
		rrd_freemem(names[i]);
	rrd_freemem(names);
	rrd_freemem(data);
	return v;
}

/* The value of one key of rrd_info, as text. */
static char *
info_get(const char *path, const char *key)
{
	rrd_info_t	*info, *i;
	char		*out = NULL;

	assert_non_null(info = rrd_info_r(path));
	for (i = info; i != NULL; i = i->next) {
		if (strcmp(i->key, key) != 0)
			continue;
		switch (i->type) {
		case RD_I_CNT:
			xasprintf(&out, "%lu", i->value.u_cnt);
			break;
		case RD_I_VAL:
			if (isnan(i->value.u_val))
				out = xstrdup("nan");
			else
				xasprintf(&out, "%g", i->value.u_val);
			break;
		case RD_I_STR:
			out = xstrdup(i->value.u_str);
			break;
		case RD_I_INT:
			xasprintf(&out, "%d", i->value.u_int);
			break;
		default:
			out = xstrdup("?");
		}
	}
	rrd_info_free(info);
	return out != NULL ? out : xstrdup("(none)");
}

static void
assert_info(const char *path, const char *key, const char *want)
{
	char	*v = info_get(path, key);

	if (strcmp(v, want) != 0)
		fail_msg("%s: %s is %s, want %s", path, key, v, want);
	free(v);
}

/* Files named path + suffix (a glob pattern), the moved-aside copies. */
static int
count_beside(const char *path, const char *suffix)
{
	glob_t	 g;
	char	*pattern;
	int	 n = 0;

	xasprintf(&pattern, "%s%s", path, suffix);
	if (glob(pattern, 0, NULL, &g) == 0) {
		n = (int)g.gl_pathc;
		globfree(&g);
	}
	free(pattern);
	return n;
}

/* The file has exactly the SPEC layout for the default retention. */
static void
test_layout(void **state)
{
	struct fixture		*f = *state;
	struct rrd_store	*rs;
	static const char	*want[][3] = {
		/* cf, pdp_per_row, rows: 2 d, 14 d, 90 d, 5 y at 60 s */
		{ "AVERAGE", "1", "2880" },
		{ "AVERAGE", "5", "4032" }, { "MIN", "5", "4032" },
		{ "MAX", "5", "4032" },
		{ "AVERAGE", "60", "2160" }, { "MIN", "60", "2160" },
		{ "MAX", "60", "2160" },
		{ "AVERAGE", "1440", "1825" }, { "MIN", "1440", "1825" },
		{ "MAX", "1440", "1825" },
	};
	char			 key[64], want_ds[64];
	size_t			 i;
	int			 d;
	struct stat		 st;

	assert_non_null(rs = rrd_store_open(&f->rf.cfg));
	record(rs, f, f->t0, SW_STATE_UP, 120);
	rrd_store_close(rs);

	assert_info(f->rf.path, "step", "60");
	for (d = 0; d < RRD_DS_COUNT; d++) {
		snprintf(key, sizeof key, "ds[%s].type", rrd_ds_names[d]);
		assert_info(f->rf.path, key, "GAUGE");
		snprintf(key, sizeof key, "ds[%s].minimal_heartbeat",
		    rrd_ds_names[d]);
		assert_info(f->rf.path, key, "120");
		snprintf(key, sizeof key, "ds[%s].min", rrd_ds_names[d]);
		assert_info(f->rf.path, key, "0");
		snprintf(key, sizeof key, "ds[%s].max", rrd_ds_names[d]);
		snprintf(want_ds, sizeof want_ds, "%s",
		    d == RRD_DS_UP || d >= RRD_DS_LE_100 ? "1" : "nan");
		assert_info(f->rf.path, key, want_ds);
	}
	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		snprintf(key, sizeof key, "rra[%zu].cf", i);
		assert_info(f->rf.path, key, want[i][0]);
		snprintf(key, sizeof key, "rra[%zu].pdp_per_row", i);
		assert_info(f->rf.path, key, want[i][1]);
		snprintf(key, sizeof key, "rra[%zu].rows", i);
		assert_info(f->rf.path, key, want[i][2]);
	}
	snprintf(key, sizeof key, "rra[%zu].cf", i);
	assert_info(f->rf.path, key, "(none)");
	/* SPEC: about 2.6 MB per check at a 60 s step. */
	assert_int_equal(stat(f->rf.path, &st), 0);
	assert_true(st.st_size > 2500000 && st.st_size < 2700000);
}

/* A custom retention: resolutions rounded to whole steps. */
static void
test_layout_custom(void **state)
{
	struct fixture	*f = *state;
	struct rrd_rra	 rra[] = { { 0, 3600 }, { 120, 86400 } };
	char		 err[256];

	free(f->rf.path);
	xasprintf(&f->rf.path, "%s/custom.rrd", f->rf.dir);
	if (rrd_store_create(f->rf.path, 30, f->t0, rra, 2, err,
	    sizeof err) != 0)
		fail_msg("create: %s", err);
	assert_info(f->rf.path, "step", "30");
	assert_info(f->rf.path, "ds[up].minimal_heartbeat", "60");
	assert_info(f->rf.path, "rra[0].rows", "120");
	assert_info(f->rf.path, "rra[1].pdp_per_row", "4");
	assert_info(f->rf.path, "rra[1].rows", "720");
	assert_info(f->rf.path, "rra[2].cf", "MIN");
	assert_info(f->rf.path, "rra[3].cf", "MAX");
	/* Never overwrites. */
	assert_int_equal(rrd_store_create(f->rf.path, 30, f->t0, rra, 2, err,
	    sizeof err), -1);
}

/* Up, failed and unknown results read back as SPEC says. */
static void
test_values(void **state)
{
	struct fixture		*f = *state;
	struct rrd_store	*rs;
	struct rrd_store_stats	 st;

	assert_non_null(rs = rrd_store_open(&f->rf.cfg));
	record(rs, f, f->t0, SW_STATE_UP, 80);
	record(rs, f, f->t0 + 60, SW_STATE_UP, 300);
	record(rs, f, f->t0 + 120, SW_STATE_DOWN, 40);	/* HTTP 500 fast */
	record(rs, f, f->t0 + 180, SW_STATE_UNKNOWN, 0);
	record(rs, f, f->t0 + 240, SW_STATE_DEGRADED, 2500);
	/* Same second as the one before: skipped, not an error. */
	record(rs, f, f->t0 + 240, SW_STATE_DOWN, 1);
	rrd_store_sync(rs);
	rrd_store_get_stats(rs, &st);
	assert_int_equal(st.queued, 6);
	assert_int_equal(st.written, 5);
	assert_int_equal(st.skipped, 1);
	assert_int_equal(st.errors, 0);
	rrd_store_close(rs);

	assert_true(fetch_at(f->rf.path, "up", f->t0 + 60) == 1);
	assert_true(fabs(fetch_at(f->rf.path, "total_ms", f->t0 + 60) - 300) <
	    1e-6);
	assert_true(fetch_at(f->rf.path, "le_250", f->t0 + 60) == 0);
	assert_true(fetch_at(f->rf.path, "le_500", f->t0 + 60) == 1);
	assert_true(fetch_at(f->rf.path, "ttfb_ms", f->t0 + 60) == 75);
	/* A failed check: up 0, its timings, 0 in every bucket. */
	assert_true(fetch_at(f->rf.path, "up", f->t0 + 120) == 0);
	assert_true(fetch_at(f->rf.path, "total_ms", f->t0 + 120) == 40);
	assert_true(fetch_at(f->rf.path, "le_100", f->t0 + 120) == 0);
	/* unknown: UNKNOWN everywhere, never 0 or 1. */
	assert_true(isnan(fetch_at(f->rf.path, "up", f->t0 + 180)));
	assert_true(isnan(fetch_at(f->rf.path, "le_5000", f->t0 + 180)));
	assert_true(isnan(fetch_at(f->rf.path, "total_ms", f->t0 + 180)));
	/* Degraded is up, answered within 5000 but not 2000. */
	assert_true(fetch_at(f->rf.path, "up", f->t0 + 240) == 1);
	assert_true(fetch_at(f->rf.path, "le_2000", f->t0 + 240) == 0);
	assert_true(fetch_at(f->rf.path, "le_5000", f->t0 + 240) == 1);
}

/* A new interval keeps the old file aside and starts a new one. */
static void
test_interval_change(void **state)
{
	struct fixture		*f = *state;
	struct rrd_store	*rs;

	assert_non_null(rs = rrd_store_open(&f->rf.cfg));
	record(rs, f, f->t0, SW_STATE_UP, 80);
	rrd_store_sync(rs);
	f->rf.check.interval = 30;
	record(rs, f, f->t0 + 30, SW_STATE_UP, 80);
	rrd_store_close(rs);
	assert_info(f->rf.path, "step", "30");
	assert_int_equal(count_beside(f->rf.path, ".step60.*"), 1);
}

/* Deleted: created again.  Corrupt: moved aside and created again. */
static void
test_deleted_and_corrupt(void **state)
{
	struct fixture		*f = *state;
	struct rrd_store	*rs;
	FILE			*fp;

	assert_non_null(rs = rrd_store_open(&f->rf.cfg));
	record(rs, f, f->t0, SW_STATE_UP, 80);
	rrd_store_sync(rs);
	assert_int_equal(unlink(f->rf.path), 0);
	record(rs, f, f->t0 + 60, SW_STATE_UP, 90);
	rrd_store_sync(rs);
	assert_true(fetch_at(f->rf.path, "total_ms", f->t0 + 60) == 90);
	rrd_store_close(rs);

	/* Overwrite the file with garbage; a fresh store finds it. */
	assert_non_null(fp = fopen(f->rf.path, "w"));
	fputs("this is not an rrd file\n", fp);
	fclose(fp);
	assert_non_null(rs = rrd_store_open(&f->rf.cfg));
	record(rs, f, f->t0 + 120, SW_STATE_UP, 70);
	rrd_store_close(rs);
	assert_true(fetch_at(f->rf.path, "total_ms", f->t0 + 120) == 70);
	assert_int_equal(count_beside(f->rf.path, ".*.corrupt"), 1);
}

/* A full queue drops the oldest; close writes what is still queued. */
static void
test_overflow_and_close(void **state)
{
	struct fixture		*f = *state;
	struct rrd_store	*rs;
	struct rrd_store_stats	 st;
	char			 last[32];
	int			 i;

	assert_non_null(rs = rrd_store_open(&f->rf.cfg));
	rrd_store_set_queue_max(rs, 10);
	rrd_store_hold(rs, 1);
	for (i = 0; i < 25; i++) {
		record(rs, f, f->t0 + i * 60, SW_STATE_UP, 100 + i);
	}
	rrd_store_get_stats(rs, &st);
	assert_int_equal(st.queued, 25);
	assert_int_equal(st.dropped, 15);
	/* Close with all ten still queued and the writer held. */
	rrd_store_close(rs);
	/* The ten newest were written, the oldest fifteen dropped. */
	assert_true(fetch_at(f->rf.path, "total_ms", f->t0 + 24 * 60) == 124);
	assert_true(fetch_at(f->rf.path, "total_ms", f->t0 + 15 * 60) == 115);
	assert_true(isnan(fetch_at(f->rf.path, "total_ms", f->t0 + 10 * 60)));
	snprintf(last, sizeof last, "%lld", (long long)(f->t0 + 24 * 60));
	assert_info(f->rf.path, "last_update", last);
}

/*
 * The pending updates span several blocks (RRD_QBLOCK), the oldest
 * dropped mid-block while full, then room is made: every kept update
 * comes out once, in order, across the block boundaries.
 */
static void
test_queue_blocks(void **state)
{
	struct fixture		*f = *state;
	struct rrd_store	*rs;
	struct rrd_store_stats	 st;
	int			 i;

	assert_non_null(rs = rrd_store_open(&f->rf.cfg));
	rrd_store_set_queue_max(rs, 1200);
	rrd_store_hold(rs, 1);
	for (i = 0; i < 2100; i++)	/* 0..899 dropped */
		record(rs, f, f->t0 + i * 60, SW_STATE_UP, 100 + i);
	rrd_store_set_queue_max(rs, 3000);
	for (; i < 2200; i++)
		record(rs, f, f->t0 + i * 60, SW_STATE_UP, 100 + i);
	rrd_store_get_stats(rs, &st);
	assert_int_equal(st.dropped, 900);
	rrd_store_close(rs);
	for (i = 890; i < 2200; i++) {
		if (i < 900)
			assert_true(isnan(fetch_at(f->rf.path, "total_ms",
			    f->t0 + i * 60)));
		else if (fetch_at(f->rf.path, "total_ms", f->t0 + i * 60) !=
		    100 + i)
			fail_msg("update %d: %g", i, fetch_at(f->rf.path,
			    "total_ms", f->t0 + i * 60));
	}
}

/* Count lines of file that contain needle. */
static int
count_lines(const char *file, const char *needle)
{
	FILE	*fp;
	char	 line[2048];
	int	 n = 0;

	if ((fp = fopen(file, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, fp) != NULL)
		if (strstr(line, needle) != NULL)
			n++;
	fclose(fp);
	return n;
}

/*
 * Write errors (here: rrd/ is a plain file, so nothing can be created)
 * are logged once per check per episode, counted, and monitoring goes
 * on; once writing works again that is logged and data flows.
 */
static void
test_write_errors(void **state)
{
	struct fixture		*f = *state;
	struct rrd_store	*rs;
	struct rrd_store_stats	 st;
	char			*dir, *logf;
	FILE			*fp;
	int			 saved, i;

	xasprintf(&dir, "%s/rrd", f->rf.dir);
	xasprintf(&logf, "%s/log", f->rf.dir);
	assert_non_null(rs = rrd_store_open(&f->rf.cfg));
	assert_int_equal(rmdir(dir), 0);
	assert_non_null(fp = fopen(dir, "w"));
	fclose(fp);

	fflush(stderr);
	saved = dup(2);
	assert_non_null(freopen(logf, "w", stderr));
	for (i = 0; i < 3; i++) {
		record(rs, f, f->t0 + i * 60, SW_STATE_UP, 80);
		rrd_store_sync(rs);
	}
	rrd_store_get_stats(rs, &st);
	assert_int_equal(st.errors, 3);
	assert_int_equal(st.written, 0);
	assert_int_equal(unlink(dir), 0);
	assert_int_equal(mkdir(dir, 0755), 0);
	record(rs, f, f->t0 + 180, SW_STATE_UP, 80);
	rrd_store_close(rs);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);

	if (count_lines(logf, "[error]") != 1 ||
	    count_lines(logf, "work again") != 1) {
		char *cmd;

		xasprintf(&cmd, "cat %s", logf);
		(void)system(cmd);
		free(cmd);
		fail_msg("want one error and one recovery line");
	}
	assert_true(fetch_at(f->rf.path, "up", f->t0 + 180) == 1);
	free(dir);
	free(logf);
}

/*
 * The fast value formatter prints exactly what "%.3f" prints without the
 * fraction's trailing zeros (the same number: what lands in the files
 * must not change), for timings in whole microseconds,
 * halfway cases, signs, huge and tiny values, and random doubles.
 */
static void
test_format_value(void **state)
{
	static const double fixed[] = {
		0, -0.0, 1, -1, 0.5, 0.0005, 0.0015, 1.0005, 2.5e-4, -2.5e-4,
		12.345, 12.3455, 999.9995, 1e9, 1e12 - 0.5, 1e12, 1e15, -1e19,
		123456.789, 0.1, 0.2, 0.3, 4.35, 2.675, INFINITY,
		-INFINITY, 5e-324, 0.00049999999999999995,
	};
	char		 a[RRD_VALUE_MAX], b[RRD_VALUE_MAX + 320];
	double		 v;
	size_t		 i, n, nb;
	unsigned	 seed = 12345;

	(void)state;
	n = rrd_store_format_value(a, NAN);
	assert_string_equal(a, "U");
	assert_int_equal(n, 1);
	for (i = 0; i < sizeof fixed / sizeof fixed[0] + 400000; i++) {
		if (i < sizeof fixed / sizeof fixed[0])
			v = fixed[i];
		else if (i % 4 == 0)	/* curl's microseconds, in ms */
			v = (double)(rand_r(&seed) % 100000000) / 1000.0;
		else if (i % 4 == 1)	/* halfway between two prints */
			v = ((double)(rand_r(&seed) % 1000000) + 0.5) / 1000;
		else if (i % 4 == 2)
			v = (double)rand_r(&seed) / RAND_MAX * 1e4 - 5e3;
		else
			v = ldexp((double)rand_r(&seed),
			    rand_r(&seed) % 80 - 60);
		if (fabs(v) > 1e20)	/* no room in a; never a timing */
			continue;
		snprintf(b, sizeof b, "%.3f", v);
		if (strchr(b, '.') != NULL) {
			nb = strlen(b);
			while (b[nb - 1] == '0')
				b[--nb] = '\0';
			if (b[nb - 1] == '.')
				b[--nb] = '\0';
		}
		n = rrd_store_format_value(a, v);
		if (strcmp(a, b) != 0 || n != strlen(b))
			fail_msg("%.17g: got %s, want %s", v, a, b);
	}
}

/* A state_dir that cannot be made: open fails cleanly. */
static void
test_open_fails(void **state)
{
	struct config	cfg;

	memset(&cfg, 0, sizeof cfg);
	cfg.state_dir = "/proc/sitewatch-no-such-dir";
	assert_null(rrd_store_open(&cfg));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_layout, setup,
		    rrd_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_layout_custom, setup,
		    rrd_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_values, setup,
		    rrd_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_interval_change, setup,
		    rrd_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_deleted_and_corrupt, setup,
		    rrd_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_overflow_and_close, setup,
		    rrd_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_queue_blocks, setup,
		    rrd_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_write_errors, setup,
		    rrd_fixture_teardown),
		cmocka_unit_test(test_open_fails),
		cmocka_unit_test(test_format_value),
	};

	log_init("test_rrd_store", 1, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
