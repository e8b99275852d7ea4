/*
 * test_uptime_prop.c -- one number everywhere, as a property: generated
 * histories (runs of up, down and unknown results, gaps without any
 * result, maintenance windows, several check intervals) are written with
 * explicit times into files made by the recorder's own layout
 * (rrd_store_create), and then
 *  - every period that holds all the known results (a "day", "week" and
 *    "month" before now) gives the same seconds,
 *  - those seconds, and those of random sub-periods, equal what the
 *    history itself says (for the part older than the one-step archive:
 *    the documented rule of a consolidated row, docs/rrd.md),
 *  - the report's figures, the legend text of the graphs and the status
 *    object of the CLI and the API (status_json) say the same,
 *  - periods read all at once (uptime_sources_periods, the web's one
 *    read of 24 h, 30 days and the daily bars) give exactly what each
 *    read alone gives.
 * The newcomer of issue 19 (up, 195 s down, up) is the first history.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <rrd.h>

#include "config.h"
#include "report.h"
#include "rrd_graph.h"
#include "rrd_source.h"
#include "rrd_store.h"
#include "status_json.h"
#include "uptime.h"
#include "xmalloc.h"

#define NHIST		200
#define MAXSTEPS	3200
#define FINE_ROWS	600	/* one-step archive */
#define MID_RES		10	/* steps per row of the next one */
#define MAXWIN		3

/* Per step of the history: 1 up, 0 down, -1 unknown (what the file holds). */
static int	step_val[MAXSTEPS + 8];
static time_t	win_from[MAXWIN], win_to[MAXWIN];
static int	nwin;

static int
maint_test(const struct check_conf *c, time_t t)
{
	int	i;

	(void)c;
	for (i = 0; i < nwin; i++)
		if (t >= win_from[i] && t < win_to[i])
			return 1;
	return 0;
}

/* A small xorshift, seeded: the same histories on every run. */
static unsigned long long	rng = 0x9e3779b97f4a7c15ULL;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

struct hist {
	int	step;
	time_t	t0;		/* file made; step 1 covers (t0, t0 + step] */
	int	n;		/* steps */
	time_t	last_up;	/* time of the last update */
	time_t	now;
	int	newcomer;
};

/* What the history says of [a, b): the expected figures. */
struct expect {
	double	up, down, unknown, maint;
};

/* Add the part [lo, hi) of a row worth share (NaN: unknown). */
static void
expect_add(struct expect *e, time_t lo, time_t hi, double share)
{
	double	dur = (double)(hi - lo);

	if (hi <= lo)
		return;
	if (maint_test(NULL, lo + (hi - lo) / 2))
		e->maint += dur;
	else if (isnan(share))
		e->unknown += dur;
	else {
		e->up += share * dur;
		e->down += (1 - share) * dur;
	}
}

/* The value of the step covering (t - step, t] (1-based), NaN: unknown. */
static double
step_share(const struct hist *h, time_t t)
{
	long	i = (long)((t - h->t0) / h->step);

	if (i < 1 || t > h->last_up)
		return NAN;
	return step_val[i] < 0 ? NAN : step_val[i];
}

/*
 * The expected figures: one-step rows where the one-step archive still
 * holds them (from its oldest row, moved up to a row edge of the next
 * archive), MID_RES-step rows before: a row with any known step (xff
 * 0.99) holds the share of good results among its known steps.
 */
static void
expect_period(const struct hist *h, time_t a, time_t b, struct expect *e)
{
	time_t	s = h->step, mlen = s * MID_RES, fine_last, fine_first, t;
	time_t	eff = b < h->now ? b : h->now;
	double	sum;
	int	known, k;

	memset(e, 0, sizeof *e);
	fine_last = h->last_up - h->last_up % s;
	fine_first = fine_last - FINE_ROWS * s;
	if (fine_first % mlen != 0)
		fine_first += mlen - fine_first % mlen;
	/* Older part: rows of the middle archive, ending on multiples. */
	for (t = a - a % mlen + mlen; t - mlen < eff && t - mlen < fine_first;
	    t += mlen) {
		time_t lo = t - mlen > a ? t - mlen : a;
		time_t hi = t < fine_first ? t : fine_first;

		if (hi > eff)
			hi = eff;
		sum = 0;
		known = 0;
		for (k = 0; k < MID_RES; k++) {
			double v = step_share(h, t - k * s);

			if (!isnan(v)) {
				sum += v;
				known++;
			}
		}
		expect_add(e, lo, hi, known > 0 ? sum / known : NAN);
	}
	/* Newer part: one step per row; nothing after the last update. */
	for (t = (a > fine_first ? a : fine_first) + s; t - s < eff; t += s) {
		time_t lo = t - s, hi = t < eff ? t : eff;

		/* After the last row written: not read at all, unknown. */
		if (t > fine_last)
			e->unknown += (double)(hi - lo);
		else
			expect_add(e, lo, hi, step_share(h, t));
	}
}

/* One update line: "t:up:total:dns:connect:tls:ttfb:le..." or U's. */
static char *
update_line(time_t t, int v, double total)
{
	char	buf[256];
	int	n, b;

	n = snprintf(buf, sizeof buf, "%lld", (long long)t);
	if (v < 0) {
		for (b = 0; b < RRD_DS_COUNT; b++)
			n += snprintf(buf + n, sizeof buf - (size_t)n, ":U");
	} else {
		n += snprintf(buf + n, sizeof buf - (size_t)n,
		    ":%d:%.0f:1:2:3:%.0f", v, total, total / 2);
		for (b = 0; b < RRD_NBUCKETS; b++)
			n += snprintf(buf + n, sizeof buf - (size_t)n, ":%d",
			    v == 1 && total <= rrd_bucket_ms[b]);
	}
	return xstrdup(buf);
}

/* Make the history h at path: generate, create the file, write it. */
static void
write_history(const char *path, struct hist *h)
{
	struct rrd_rra	 rra[3];
	char		*lines[MAXSTEPS], err[256];
	const char	*argv[MAXSTEPS];
	time_t		 prev, t;
	int		 i, nl = 0, kind = 1, left = 0, w;

	rra[0].step_s = 0;
	rra[0].span_s = (unsigned)(FINE_ROWS * h->step);
	rra[1].step_s = (unsigned)(MID_RES * h->step);
	rra[1].span_s = (unsigned)(6000 * h->step);
	rra[2].step_s = (unsigned)(60 * h->step);
	rra[2].span_s = (unsigned)(60000 * h->step);
	unlink(path);
	if (rrd_store_create(path, h->step, h->t0, rra, 3, err,
	    sizeof err) != 0)
		fail_msg("create: %s", err);
	nwin = 0;
	if (!h->newcomer) {
		/* Windows on edges of every archive's rows. */
		for (w = (int)rnd(MAXWIN + 1); w > 0; w--) {
			time_t u = 60 * h->step;

			win_from[nwin] = h->t0 + (time_t)rnd((unsigned)
			    (h->n / 60 + 1)) * u;
			win_to[nwin] = win_from[nwin] + (1 + (time_t)rnd(4)) * u;
			nwin++;
		}
	}
	prev = h->t0;
	h->last_up = h->t0;
	for (i = 1; i <= h->n + 1; i++)
		step_val[i] = -1;
	for (i = 1; i <= h->n; i++) {
		int v;

		if (h->newcomer)
			/* Up 300 s, down 195 s, up again. */
			kind = i <= 300 ? 1 : i <= 495 ? 0 : 1;
		else if (left-- <= 0) {
			/* up, down, unknown result, gap (no update) */
			unsigned r = rnd(10);

			kind = r < 5 ? 1 : r < 8 ? 0 : r < 9 ? -1 : 2;
			left = 1 + (int)rnd(kind == 1 ? 120 : 40);
		}
		if (kind == 2)
			continue;
		v = kind;
		t = h->t0 + (time_t)i * h->step;
		/* Within the heartbeat the update fills every step since the
		 * last one; beyond it they are unknown. */
		if (t - prev <= 2 * h->step) {
			int j;

			for (j = (int)((prev - h->t0) / h->step) + 1; j <= i;
			    j++)
				step_val[j] = v;
		}
		lines[nl] = update_line(t, v, 20 + rnd(400));
		argv[nl] = lines[nl];
		nl++;
		prev = t;
		h->last_up = t;
	}
	rrd_clear_error();
	if (nl > 0 && rrd_update_r(path, NULL, nl, argv) != 0)
		fail_msg("update: %s", rrd_get_error());
	for (i = 0; i < nl; i++)
		free(lines[i]);
	h->now = h->last_up + (time_t)rnd(3) * h->step;
}

static void
assert_close(double got, double want, const char *what, int hist)
{
	if (fabs(got - want) > 1e-6)
		fail_msg("history %d: %s is %.6f, the history says %.6f",
		    hist, what, got, want);
}

/* The number after `key` in s (legend text), or NaN. */
static double
legend_num(const char *s, const char *key)
{
	const char	*p = strstr(s, key);

	return p != NULL ? strtod(p + strlen(key), NULL) : NAN;
}

/* Every view of [a, b) against the history. */
static void
check_views(const char *path, const struct check_conf *c, struct hist *h,
    time_t a, time_t b, int hist, const struct uptime *same)
{
	struct uptime		 u;
	struct report_row	 r;
	struct expect		 e;
	struct status_view	 sv;
	struct check_status	 st;
	json_t			*o;
	char			 err[256], line[256];

	if (uptime_file(path, c, maint_test, a, b, h->now, &u, err,
	    sizeof err) != 0)
		fail_msg("uptime: %s", err);
	expect_period(h, a, b, &e);
	assert_close(u.up_s, e.up, "up_s", hist);
	assert_close(u.down_s, e.down, "down_s", hist);
	assert_close(u.maint_s, e.maint, "maint_s", hist);
	assert_close(u.unknown_s, e.unknown, "unknown_s", hist);
	if (same != NULL) {
		assert_close(u.up_s, same->up_s, "up_s of a longer period",
		    hist);
		assert_close(u.down_s, same->down_s,
		    "down_s of a longer period", hist);
		assert_close(u.maint_s, same->maint_s,
		    "maint_s of a longer period", hist);
		if (!(isnan(u.p95_ms) && isnan(same->p95_ms)))
			assert_close(u.p95_ms, same->p95_ms,
			    "p95 of a longer period", hist);
	}
	/* The report (sitewatch report) prints these, rounded. */
	if (report_check_file(path, NULL, c, maint_test, a, b, h->now, &r, err,
	    sizeof err) != 0)
		fail_msg("report: %s", err);
	assert_close(r.downtime_s, e.down, "report downtime_s", hist);
	assert_close(r.maintenance_s, e.maint, "report maintenance_s", hist);
	assert_close(r.unknown_s, e.unknown, "report unknown_s", hist);
	/* The graph legend's text. */
	if (rrd_graph_legend_text(path, c, maint_test, a, b, h->now, line,
	    sizeof line) != 0)
		fail_msg("legend failed");
	if (e.up + e.down > 0) {
		assert_close(legend_num(line, "down "), (double)llround(e.down),
		    "legend down", hist);
		assert_true(fabs(legend_num(line, "uptime ") -
		    100 * e.up / (e.up + e.down)) < 6e-4);
	} else
		assert_non_null(strstr(line, "uptime -"));
	/* The status object of `status --json` and /api/v1/checks. */
	memset(&st, 0, sizeof st);
	memset(&sv, 0, sizeof sv);
	st.seen = 1;
	st.message = "";
	sv.name = c->name;
	sv.url = "http://x/";
	sv.st = &st;
	sv.up24 = u.uptime_pct;
	sv.up30 = r.uptime_pct;
	sv.down24 = u.down_s;
	sv.down30 = r.downtime_s;
	o = status_json(&sv);
	/* Rounded to three decimals there. */
	assert_close(json_real_value(json_object_get(o, "downtime_24h_s")),
	    round(e.down * 1000) / 1000, "status downtime_24h_s", hist);
	assert_close(json_real_value(json_object_get(o, "downtime_30d_s")),
	    round(e.down * 1000) / 1000, "status downtime_30d_s", hist);
	if (e.up + e.down > 0) {
		double want = round(100000 * e.up / (e.up + e.down)) / 1000;

		assert_true(fabs(json_real_value(json_object_get(o,
		    "uptime_24h")) - want) < 1e-9);
		assert_true(fabs(json_real_value(json_object_get(o,
		    "uptime_30d")) - want) < 1e-9);
	} else
		assert_true(json_is_null(json_object_get(o, "uptime_24h")));
	json_decref(o);
}

/* Periods read together against each read alone: every field. */
static void
check_together(const char *path, const struct check_conf *c, time_t now,
    const time_t *from, const time_t *to, int n, int hist)
{
	struct uptime		 all[64], one;
	struct rrd_sources	 ss;
	char			 err[256], what[64];
	int			 b, rc;

	assert_true(n <= 64);
	for (b = 0; b < n; b++) {
		all[b].start = from[b];
		all[b].end = to[b];
	}
	rrd_sources_one(&ss, path);
	rc = uptime_sources_periods(&ss, c, maint_test, all, n, now, err,
	    sizeof err);
	rrd_sources_free(&ss);
	if (rc != 0)
		fail_msg("periods: %s", err);
	for (b = 0; b < n; b++) {
		if (uptime_file(path, c, maint_test, from[b], to[b], now, &one,
		    err, sizeof err) != 0)
			fail_msg("uptime: %s", err);
		snprintf(what, sizeof what, "period %d of %d", b, n);
		assert_int_equal(all[b].start, from[b]);
		assert_int_equal(all[b].end, to[b]);
		assert_close(all[b].up_s, one.up_s, what, hist);
		assert_close(all[b].down_s, one.down_s, what, hist);
		assert_close(all[b].maint_s, one.maint_s, what, hist);
		assert_close(all[b].unknown_s, one.unknown_s, what, hist);
		assert_int_equal(all[b].transitions, one.transitions);
		assert_int_equal(all[b].resolution, one.resolution);
		if (!(isnan(all[b].uptime_pct) && isnan(one.uptime_pct)))
			assert_close(all[b].uptime_pct, one.uptime_pct, what,
			    hist);
		if (!(isnan(all[b].mean_ms) && isnan(one.mean_ms)))
			assert_close(all[b].mean_ms, one.mean_ms, what, hist);
		if (!(isnan(all[b].p95_ms) && isnan(one.p95_ms)))
			assert_true(all[b].p95_ms == one.p95_ms);
	}
}

static void
test_histories(void **state)
{
	struct check_conf	 c;
	struct uptime		 whole;
	struct hist		 h;
	char			 dir[64], *path, err[256];
	static const int	 steps[] = { 1, 5, 10, 60 };
	time_t			 day, from[64], to[64];
	int			 i, k, np;

	(void)state;
	snprintf(dir, sizeof dir, "/tmp/sw-upprop.XXXXXX");
	assert_non_null(mkdtemp(dir));
	xasprintf(&path, "%s/p.rrd", dir);
	memset(&c, 0, sizeof c);
	c.name = "prop";
	for (i = 0; i < NHIST; i++) {
		memset(&h, 0, sizeof h);
		h.newcomer = i == 0;
		h.step = h.newcomer ? 1 : steps[rnd(4)];
		c.interval = h.step;
		/* A compressed clock: times on every archive's row edges. */
		h.t0 = 1790000000 - 1790000000 % (60 * 60 * 10) -
		    (time_t)rnd(100) * 600;
		h.n = h.newcomer ? 800 : 50 + (int)rnd(i % 2 ? 500 : 3000);
		write_history(path, &h);

		/* Day, week, month before now (longer when the history is):
		 * all hold every known step. */
		if (uptime_file(path, &c, maint_test, h.t0 - 3600, h.now,
		    h.now, &whole, err, sizeof err) != 0)
			fail_msg("uptime: %s", err);
		if (h.newcomer) {
			assert_close(whole.down_s, 195, "newcomer down_s", i);
			assert_close(whole.up_s, 605, "newcomer up_s", i);
		}
		day = h.now - h.t0 + 3600 > 86400 ? h.now - h.t0 + 3600 :
		    86400;
		check_views(path, &c, &h, h.now - day, h.now, i, &whole);
		check_views(path, &c, &h, h.now - 7 * day, h.now, i, &whole);
		check_views(path, &c, &h, h.now - 30 * day, h.now, i, &whole);
		/* Random sub-periods, on step edges. */
		np = 0;
		for (k = 0; k < 4; k++) {
			time_t a = h.t0 + (time_t)rnd((unsigned)h.n) * h.step;
			time_t b = a + (time_t)(1 + rnd((unsigned)h.n)) *
			    h.step;

			check_views(path, &c, &h, a, b, i, NULL);
			from[np] = a;
			to[np++] = b;
		}
		/* The web's read: the last 24 h and 30 days, and 30 days
		 * split at UTC midnights, with the sub-periods above, at
		 * once; and a split of the history into short periods on
		 * no particular edge. */
		from[np] = h.now - 86400;
		to[np++] = h.now;
		from[np] = h.now - 30 * 86400;
		to[np++] = h.now;
		for (k = 0; k < 30; k++) {
			from[np] = h.now - h.now % 86400 - (29 - k) * 86400;
			to[np] = from[np] + 86400;
			np++;
		}
		for (k = 0; k < 20; k++) {
			from[np] = h.t0 + (time_t)k * (h.now - h.t0) / 20 - 7;
			to[np] = from[np] + (h.now - h.t0) / 20 + 3;
			np++;
		}
		check_together(path, &c, h.now, from, to, np, i);
	}
	unlink(path);
	rmdir(dir);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_histories),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
