/*
 * uptime.c -- up, down, unknown and maintenance seconds of a check over a
 * period, with mean and p95 from the same rows.  The one place these
 * figures are computed (see docs/rrd.md, "Figures").
 *
 * Which rows: an RRD file holds the same time at several resolutions.
 * Reading a period from "the finest archive that covers all of it" made
 * the figure depend on the period's length: a week read from 5-minute
 * rows, a day from one-step rows, and the same outage came out twice
 * different.  Here each stretch of time is read from the finest AVERAGE
 * archive that still holds it, whatever the period: the newest part
 * from the one-step archive, the part that archive has rolled off from
 * the 5-minute one, and so on.  The seam between two archives falls on
 * a row edge of the coarser one, so its rows are read whole.  A stretch
 * is thus read the same way by every period that contains it.
 *
 * How a row counts: a row covers (t - step, t]; the part of it inside
 * the period counts as maintenance when the middle of that part is in a
 * maintenance window, unknown when `up` is UNKNOWN, else up for up x
 * seconds and down for (1 - up) x seconds.  A consolidated row's `up` is
 * the share of good results among its known steps (the layout's xff is
 * 0.99, so a row keeps its down time as long as any step is known).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* For rrd_open and rrd_t: the archive table, as report_file_first. */
#define RRD_EXPORT_DEPRECATED
#include <rrd.h>

#include "config.h"
#include "rrd_store.h"
#include "uptime.h"

/* rrd_open's read-only flag (in the private rrd_tool.h; 1 since 1.4). */
#define UPTIME_RRD_READONLY	1
#define UPTIME_MAX_RRA		16

struct uptime_rra {
	time_t	len;		/* seconds per row */
	time_t	first;		/* coverage: (first, last] */
	time_t	last;
};

/* One stretch [lo, hi) to read at resolution len. */
struct uptime_plan {
	time_t	lo, hi, len;
};

/*
 * The AVERAGE archives of path, finest first.  Returns their count, 0
 * when the file has none, -1 when it cannot be read.
 */
static int
uptime_archives(const char *path, struct uptime_rra *a, char *err,
    size_t errlen)
{
	rrd_t		 rrd;
	rrd_file_t	*f;
	unsigned long	 step, k;
	time_t		 last, len;
	int		 n = 0, i, j;

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
	rrd_init(&rrd);
	rrd_clear_error();
	if ((f = rrd_open(path, &rrd, UPTIME_RRD_READONLY)) == NULL) {
		snprintf(err, errlen, "%s", rrd_get_error());
		rrd_free(&rrd);
		rrd_clear_error();
		return -1;
	}
	step = rrd.stat_head->pdp_step;
	last = (time_t)rrd.live_head->last_up;
	for (k = 0; k < rrd.stat_head->rra_cnt && n < UPTIME_MAX_RRA; k++) {
		if (strcmp(rrd.rra_def[k].cf_nam, "AVERAGE") != 0)
			continue;
		len = (time_t)(step * rrd.rra_def[k].pdp_cnt);
		if (len <= 0 || rrd.rra_def[k].row_cnt == 0)
			continue;
		a[n].len = len;
		a[n].last = last - last % len;
		a[n].first = a[n].last - (time_t)rrd.rra_def[k].row_cnt * len;
		n++;
	}
	rrd_close(f);
	rrd_free(&rrd);
#pragma GCC diagnostic pop
	rrd_clear_error();
	/* Finest first (a handful of entries). */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && a[j].len < a[j - 1].len; j--) {
			struct uptime_rra t = a[j];

			a[j] = a[j - 1];
			a[j - 1] = t;
		}
	return n;
}

static int
uptime_ds(char **names, unsigned long n, const char *name)
{
	unsigned long	i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

/* Add the part [lo, hi) of one row to the period u. */
static void
uptime_add(struct uptime *u, const struct check_conf *c,
    uptime_maint_fn maint, time_t lo, time_t hi, const rrd_value_t *row,
    int ix_up, int ix_total, const int *ix_le)
{
	double	dur, up;
	int	k;

	if (lo < u->start)
		lo = u->start;
	if (hi > u->end)
		hi = u->end;
	if (hi <= lo)
		return;
	dur = (double)(hi - lo);
	u->accounted += dur;
	if (maint != NULL && maint(c, lo + (hi - lo) / 2)) {
		u->maint_s += dur;
		return;
	}
	up = row[ix_up];
	if (isnan(up)) {
		u->unknown_s += dur;
		return;
	}
	u->up_s += up * dur;
	u->down_s += (1 - up) * dur;
	if (up < 1 - 1e-9) {
		if (!u->prev_down)
			u->transitions++;
		u->prev_down = 1;
	} else
		u->prev_down = 0;
	if (up <= 0)
		return;
	u->sum_up += up * dur;
	if (ix_total >= 0 && !isnan(row[ix_total]))
		u->sum_total += row[ix_total] * up * dur;
	for (k = 0; k < UPTIME_NBUCKETS; k++)
		if (ix_le[k] >= 0 && !isnan(row[ix_le[k]]))
			u->sum_le[k] += row[ix_le[k]] * dur;
}

/* Read [lo, hi) at resolution len and add its rows to the periods. */
static int
uptime_read(const char *path, const struct check_conf *c,
    uptime_maint_fn maint, const struct uptime_plan *p, struct uptime *out,
    int nb, char *err, size_t errlen)
{
	time_t		 fs = p->lo, fe = p->hi, t, lo, hi;
	unsigned long	 step = (unsigned long)p->len, nds = 0, i, nrows;
	char		**names = NULL;
	rrd_value_t	*data = NULL;
	int		 ix_up, ix_total, ix_le[UPTIME_NBUCKETS], k, b, rc = -1;

	rrd_clear_error();
	if (rrd_fetch_r(path, "AVERAGE", &fs, &fe, &step, &nds, &names,
	    &data) != 0) {
		snprintf(err, errlen, "%s", rrd_get_error());
		rrd_clear_error();
		return -1;
	}
	ix_up = uptime_ds(names, nds, "up");
	ix_total = uptime_ds(names, nds, "total_ms");
	for (k = 0; k < UPTIME_NBUCKETS; k++)
		ix_le[k] = uptime_ds(names, nds,
		    rrd_ds_names[RRD_DS_LE_100 + k]);
	if (ix_up < 0) {
		snprintf(err, errlen, "%s has no up data source", path);
		goto out;
	}
	nrows = step > 0 ? (unsigned long)(fe - fs) / step : 0;
	for (i = 0; i < nrows; i++) {
		/* Row i covers (fs + i * step, fs + (i + 1) * step]. */
		t = fs + (time_t)((i + 1) * step);
		lo = t - (time_t)step > p->lo ? t - (time_t)step : p->lo;
		hi = t < p->hi ? t : p->hi;
		if (hi <= lo)
			continue;
		for (b = 0; b < nb; b++) {
			if (out[b].end <= lo || out[b].start >= hi)
				continue;
			if (out[b].resolution == 0 || step < out[b].resolution)
				out[b].resolution = step;
			uptime_add(&out[b], c, maint, lo, hi, data + i * nds,
			    ix_up, ix_total, ix_le);
		}
	}
	rc = 0;
out:
	for (i = 0; i < nds; i++)
		rrd_freemem(names[i]);
	rrd_freemem(names);
	rrd_freemem(data);
	return rc;
}

/* The figures made from the sums, and the time nothing reached. */
static void
uptime_finish(struct uptime *u, time_t now)
{
	time_t	eff;
	int	b;

	eff = u->end < now ? u->end : now;
	if (eff > u->start && (double)(eff - u->start) > u->accounted)
		u->unknown_s += (double)(eff - u->start) - u->accounted;
	if (u->up_s + u->down_s > 0)
		u->uptime_pct = 100 * u->up_s / (u->up_s + u->down_s);
	if (u->sum_up > 0) {
		u->mean_ms = u->sum_total / u->sum_up;
		u->p95_ms = INFINITY;
		for (b = 0; b < UPTIME_NBUCKETS; b++)
			if (u->sum_le[b] / u->sum_up >= 0.95 - 1e-9) {
				u->p95_ms = rrd_bucket_ms[b];
				break;
			}
	}
}

int
uptime_file_split(const char *path, const struct check_conf *c,
    uptime_maint_fn maint, time_t start, time_t len, int nb, time_t now,
    struct uptime *out, char *err, size_t errlen)
{
	struct uptime_rra	 a[UPTIME_MAX_RRA];
	struct uptime_plan	 plan[UPTIME_MAX_RRA];
	time_t			 end, cursor, lo, hi;
	int			 n, np = 0, k, b, rc = 0;

	for (b = 0; b < nb; b++) {
		memset(&out[b], 0, sizeof out[b]);
		out[b].start = start + (time_t)b * len;
		out[b].end = out[b].start + len;
		out[b].uptime_pct = out[b].mean_ms = out[b].p95_ms = NAN;
	}
	if (nb <= 0 || len <= 0) {
		snprintf(err, errlen, "the period ends before it starts");
		return -1;
	}
	end = start + (time_t)nb * len;
	if (access(path, F_OK) == -1 && errno == ENOENT)
		goto done;	/* nothing recorded yet: all unknown */
	if ((n = uptime_archives(path, a, err, errlen)) == -1)
		return -1;
	/*
	 * Plan newest first: each archive takes from where the finer one
	 * stopped back to its own oldest row, that edge moved up to a row
	 * edge of the next coarser archive.  After the finest archive's
	 * last row nothing is written yet (unknown).
	 */
	cursor = end < now ? end : now;
	for (k = 0; k < n && cursor > start; k++) {
		lo = a[k].first;
		if (k + 1 < n && lo % a[k + 1].len != 0)
			lo += a[k + 1].len - lo % a[k + 1].len;
		if (lo < start)
			lo = start;
		hi = cursor < a[k].last ? cursor : a[k].last;
		if (hi > lo) {
			plan[np].lo = lo;
			plan[np].hi = hi;
			plan[np].len = a[k].len;
			np++;
		}
		if (lo < cursor)
			cursor = lo;
	}
	/* Oldest first, so transitions are counted in time order. */
	while (np-- > 0)
		if ((rc = uptime_read(path, c, maint, &plan[np], out, nb, err,
		    errlen)) == -1)
			break;
done:
	for (b = 0; b < nb; b++)
		uptime_finish(&out[b], now);
	return rc;
}

int
uptime_file(const char *path, const struct check_conf *c,
    uptime_maint_fn maint, time_t start, time_t end, time_t now,
    struct uptime *out, char *err, size_t errlen)
{
	if (end <= start) {
		memset(out, 0, sizeof *out);
		out->uptime_pct = out->mean_ms = out->p95_ms = NAN;
		snprintf(err, errlen, "the period ends before it starts");
		return -1;
	}
	return uptime_file_split(path, c, maint, start, end - start, 1, now,
	    out, err, errlen);
}

int
uptime_check(const struct config *cfg, const struct check_conf *c,
    time_t start, time_t end, time_t now, struct uptime *out, char *err,
    size_t errlen)
{
	char	*path;
	int	 rc;

	path = rrd_store_path(cfg, c->name);
	rrd_store_flush_file(cfg, path);
	rc = uptime_file(path, c, maint_active, start, end, now, out, err,
	    errlen);
	free(path);
	return rc;
}

double
uptime_p95_bound(double p95, const struct check_conf *c)
{
	double	last = rrd_bucket_ms[UPTIME_NBUCKETS - 1];

	if (!isinf(p95))
		return p95;
	/* An older configuration may have had a longer timeout: never
	 * claim less than the largest bucket. */
	return c != NULL && c->timeout * 1000.0 > last ?
	    c->timeout * 1000.0 : last;
}

const char *
uptime_p95_str(double p95, int bound, char *buf, size_t len)
{
	if (isnan(p95))
		snprintf(buf, len, "-");
	else if (isinf(p95))
		snprintf(buf, len, "> %d%s", rrd_bucket_ms[UPTIME_NBUCKETS - 1],
		    bound ? " ms" : "");
	else
		snprintf(buf, len, "%s%.0f%s", bound ? "\xe2\x89\xa4 " : "",
		    p95, bound ? " ms" : "");
	return buf;
}
