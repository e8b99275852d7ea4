/*
 * report.c -- SLA figures of a check over a period, from its RRD file.
 *
 * The data come from rrd_fetch_r: the finest AVERAGE archive that covers
 * the whole period gives its consolidated rows, and the newest part not
 * consolidated yet comes from a finer archive, so a report over last year
 * still works after the one-step archive rolled off, and a fresh check
 * has figures over 30 days.  Each row covers (t - step, t]; the part of it inside the period
 * counts as
 *  - maintenance when the middle of that part is in a maintenance window
 *    (whatever was measured: SLA time excludes it),
 *  - unknown when `up` is UNKNOWN (no data, `unknown` results),
 *  - else up for up * seconds and down for (1 - up) * seconds (at a
 *    consolidated resolution `up` is the share of good checks).
 * uptime_pct = up / (up + down).  Time after now is not counted at all.
 *
 * Response time is taken from successful checks only: the mean weights
 * total_ms by `up` (exact at one step, an estimate once consolidated),
 * and p95 comes from the latency buckets: share(le_X) = sum(le_X) /
 * sum(up) is the share of successful checks answered within X ms (a
 * failed check stores 0 in every bucket).  p95 is the smallest bound
 * whose share reaches 95 %: an upper bound, not interpolated.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* For rrd_open and rrd_t: see report_file_first. */
#define RRD_EXPORT_DEPRECATED
#include <rrd.h>

#include "config.h"
#include "report.h"
#include "rrd_store.h"
#include "store.h"
#include "xmalloc.h"

/*
 * rrd_open's flag for a read-only open: rrd.h declares rrd_open but its
 * flags are in the private rrd_tool.h (RRD_READONLY, 1 since rrdtool
 * 1.4).
 */
#define REPORT_RRD_READONLY	1

/* Count tickets opened for c in [start, end); -1 when there is no store. */
static long
report_db_incidents(const char *db_path, const char *check, time_t start,
    time_t end)
{
	struct store	*st;
	long		 n;

	/* Read-only: a report never creates the database. */
	if (db_path == NULL ||
	    (st = store_open(db_path, STORE_READONLY, NULL, 0)) == NULL)
		return -1;
	store_set_quiet(st, 1);
	n = (long)store_tickets_opened(st, check, start, end);
	store_close(st);
	return n;
}

/* Index of DS name in the fetched names, or -1. */
static int
report_ds(char **names, unsigned long n, const char *name)
{
	unsigned long	i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

/* What the rows of one or more fetches add up to. */
struct report_acc {
	double	accounted;
	double	sum_up;
	double	sum_total;
	double	sum_le[RRD_NBUCKETS];
	long	rrd_incidents;
	int	prev_down;
};

/*
 * Fetch [a, b) from the finest AVERAGE archive that covers it and add its
 * rows to out and acc.  With covered set, stop at the archive's last
 * consolidated row instead, and say in *covered where that was: the rest
 * is for a finer archive.  Returns 0, or -1 with a message in err.
 */
static int
report_fetch_range(const char *rrd_path, const struct check_conf *c,
    report_maint_fn maint, time_t a, time_t b, unsigned long res,
    time_t *covered, struct report_row *out, struct report_acc *acc,
    char *err, size_t errlen)
{
	time_t		 fs = a, fe = b, t, lo, hi, last;
	unsigned long	 step = res, nds = 0, i, nrows;
	char		**names = NULL;
	rrd_value_t	*data = NULL, *row;
	int		 ix_up, ix_total, ix_le[RRD_NBUCKETS], k, rc = -1;
	double		 dur, up;

	rrd_clear_error();
	if (rrd_fetch_r(rrd_path, "AVERAGE", &fs, &fe, &step, &nds, &names,
	    &data) != 0) {
		snprintf(err, errlen, "%s", rrd_get_error());
		rrd_clear_error();
		return -1;
	}
	ix_up = report_ds(names, nds, "up");
	ix_total = report_ds(names, nds, "total_ms");
	for (k = 0; k < RRD_NBUCKETS; k++)
		ix_le[k] = report_ds(names, nds, rrd_ds_names[RRD_DS_LE_100 +
		    k]);
	if (ix_up < 0 || ix_total < 0) {
		snprintf(err, errlen, "%s has no up/total_ms data sources",
		    rrd_path);
		goto out;
	}
	if (covered != NULL) {
		/* Rows after the last whole step of this archive are not
		 * consolidated yet: they would read as unknown. */
		rrd_clear_error();
		if ((last = rrd_last_r(rrd_path)) > 0 && step > 0) {
			last -= last % (time_t)step;
			if (last < b)
				b = last > a ? last : a;
		}
		rrd_clear_error();
		*covered = b;
	}
	if (out->resolution == 0 || step < out->resolution)
		out->resolution = step;
	nrows = step > 0 ? (unsigned long)(fe - fs) / step : 0;
	for (i = 0; i < nrows; i++) {
		row = data + i * nds;
		/* This row covers (t - step, t]. */
		t = fs + (time_t)((i + 1) * step);
		lo = t - (time_t)step > a ? t - (time_t)step : a;
		hi = t < b ? t : b;
		if (hi <= lo)
			continue;
		dur = (double)(hi - lo);
		acc->accounted += dur;
		if (maint != NULL && maint(c, lo + (hi - lo) / 2)) {
			out->maintenance_s += dur;
			continue;
		}
		up = row[ix_up];
		if (isnan(up)) {
			out->unknown_s += dur;
			continue;
		}
		out->up_s += up * dur;
		out->downtime_s += (1 - up) * dur;
		/* A row holding any downtime after one without: an incident. */
		if (up < 1 - 1e-9) {
			if (!acc->prev_down)
				acc->rrd_incidents++;
			acc->prev_down = 1;
		} else
			acc->prev_down = 0;
		if (up <= 0)
			continue;
		acc->sum_up += up * dur;
		if (!isnan(row[ix_total]))
			acc->sum_total += row[ix_total] * up * dur;
		for (k = 0; k < RRD_NBUCKETS; k++)
			if (ix_le[k] >= 0 && !isnan(row[ix_le[k]]))
				acc->sum_le[k] += row[ix_le[k]] * dur;
	}
	rc = 0;
out:
	for (i = 0; i < nds; i++)
		rrd_freemem(names[i]);
	rrd_freemem(names);
	rrd_freemem(data);
	return rc;
}

int
report_retention_covers(const struct config *cfg, long seconds)
{
	size_t	i;

	if (cfg == NULL || cfg->nrrd_rra == 0)
		return 1;	/* the default keeps five years */
	for (i = 0; i < cfg->nrrd_rra; i++)
		if ((long)cfg->rrd_rra[i].span_s >= seconds)
			return 1;
	return 0;
}

time_t
report_file_first(const char *rrd_path)
{
	rrd_t		 rrd;
	rrd_file_t	*f;
	unsigned long	 step, last, rows, pdp, k;
	time_t		 first = -1, t, len;

	/*
	 * One header read with librrd's raw file interface, which rrd.h
	 * marks deprecated (it follows the file format) but which librrd
	 * 1.7 exports and rrd_first_r itself uses.  The public ways cost
	 * far more, and the web asks this for every check: rrd_info_r
	 * formats every field of the file (hundreds of strings for 12 data
	 * sources), rrd_first_r opens the file once per archive.
	 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
	rrd_init(&rrd);
	rrd_clear_error();
	if ((f = rrd_open(rrd_path, &rrd, REPORT_RRD_READONLY)) == NULL) {
		rrd_free(&rrd);
		rrd_clear_error();
		return -1;
	}
	step = rrd.stat_head->pdp_step;
	last = (unsigned long)rrd.live_head->last_up;
	/* As rrd_first: the end of the last whole row, back rows - 1. */
	for (k = 0; k < rrd.stat_head->rra_cnt; k++) {
		rows = rrd.rra_def[k].row_cnt;
		pdp = rrd.rra_def[k].pdp_cnt;
		len = (time_t)(step * pdp);
		if (len <= 0 || rows == 0)
			continue;
		t = (time_t)last - (time_t)last % len -
		    (time_t)(rows - 1) * len;
		if (first == -1 || t < first)
			first = t;
	}
	rrd_close(f);
	rrd_free(&rrd);
#pragma GCC diagnostic pop
	rrd_clear_error();
	return first;
}

/*
 * report_check_file with the resolution to ask of the coarse fetch: 1
 * for the finest archive that covers the period, more to let librrd take
 * a coarser one (it picks the covering archive whose step is nearest).
 */
static int
report_check_res(const char *rrd_path, const char *db_path,
    const struct check_conf *c, report_maint_fn maint, time_t start,
    time_t end, time_t now, unsigned long res, int clamp,
    struct report_row *out, char *err, size_t errlen)
{
	struct report_acc	acc;
	time_t			eff_end, covered, fstart, first;
	long			dbn;
	int			b;

	memset(out, 0, sizeof *out);
	memset(&acc, 0, sizeof acc);
	out->start = start;
	out->end = end;
	out->uptime_pct = out->mean_ms = out->p95_ms = NAN;
	eff_end = end < now ? end : now;
	if (end <= start) {
		snprintf(err, errlen, "the period ends before it starts");
		return -1;
	}
	if (access(rrd_path, F_OK) == -1 && errno == ENOENT) {
		/* Nothing recorded yet: the whole period is unknown. */
		if (eff_end > start)
			out->unknown_s = (double)(eff_end - start);
		dbn = report_db_incidents(db_path, c->name, start, end);
		out->incidents = dbn > 0 ? dbn : 0;
		out->incidents_from = dbn >= 0 ? REPORT_INC_TICKETS :
		    REPORT_INC_RRD;
		return 0;
	}
	if (eff_end <= start)
		eff_end = start + 1;
	/*
	 * The finest archive covering the whole period gives its rows up to
	 * its last consolidated one; the newer rest (at most one of its rows)
	 * comes from the finest archive covering that.  A fresh check then
	 * has an uptime over 30 days, and no fetch reads more rows than the
	 * coarse archive has plus one of its steps at the fine resolution.
	 */
	/*
	 * librrd returns the whole period asked for, rows of unknowns where
	 * no archive reaches: a month asked of a file that keeps two hours
	 * is 8640 rows at 5 minutes.  With clamp (the caller expects the
	 * file to be shorter than the period) only what the file has is
	 * asked for; the rest is counted unknown below all the same.
	 */
	fstart = start;
	if (clamp && (first = report_file_first(rrd_path)) > fstart &&
	    first < eff_end)
		fstart = first;
	if (report_fetch_range(rrd_path, c, maint, fstart, eff_end, res,
	    &covered, out, &acc, err, errlen) == -1)
		return -1;
	if (covered < eff_end && report_fetch_range(rrd_path, c, maint,
	    covered, eff_end, 1, NULL, out, &acc, err, errlen) == -1)
		return -1;
	/* Time the fetched archives did not reach is unknown as well. */
	if ((double)(eff_end - start) > acc.accounted)
		out->unknown_s += (double)(eff_end - start) - acc.accounted;
	if (out->up_s + out->downtime_s > 0)
		out->uptime_pct = 100 * out->up_s /
		    (out->up_s + out->downtime_s);
	if (acc.sum_up > 0) {
		out->mean_ms = acc.sum_total / acc.sum_up;
		out->p95_ms = INFINITY;
		for (b = 0; b < RRD_NBUCKETS; b++) {
			if (acc.sum_le[b] / acc.sum_up >= 0.95 - 1e-9) {
				out->p95_ms = rrd_bucket_ms[b];
				break;
			}
		}
	}
	if ((dbn = report_db_incidents(db_path, c->name, start, end)) >= 0) {
		out->incidents = dbn;
		out->incidents_from = REPORT_INC_TICKETS;
	} else {
		out->incidents = acc.rrd_incidents;
		out->incidents_from = REPORT_INC_RRD;
	}
	return 0;
}

int
report_check_file(const char *rrd_path, const char *db_path,
    const struct check_conf *c, report_maint_fn maint, time_t start,
    time_t end, time_t now, struct report_row *out, char *err, size_t errlen)
{
	return report_check_res(rrd_path, db_path, c, maint, start, end, now,
	    1, 0, out, err, errlen);
}

int
report_check(const struct config *cfg, const struct check_conf *c,
    time_t start, time_t end, struct report_row *out, char *err,
    size_t errlen)
{
	char	*path, *db;
	int	 rc;

	path = rrd_store_path(cfg, c->name);
	xasprintf(&db, "%s/sitewatch.db", cfg->state_dir);
	rrd_store_flush_file(cfg, path);
	rc = report_check_file(path, db, c, maint_active, start, end,
	    time(NULL), out, err, errlen);
	free(db);
	free(path);
	return rc;
}

double
report_uptime(const struct config *cfg, const struct check_conf *c,
    time_t now, long seconds)
{
	struct report_row	r;
	char			err[256], *path;
	int			rc;

	unsigned long		res = 1;

	/*
	 * No incident count: uptime needs no ticket store.  A share of good
	 * checks is the same read from consolidated rows, so about 300 rows
	 * of a coarse archive do (the web and `status` ask this of every
	 * check; 24 h of 10 s rows is 8640 rows of 12 values).  Maintenance
	 * is decided per row, so a check that has windows keeps the finest.
	 */
	if (c->nmaintenance == 0 && seconds > 288)
		res = (unsigned long)seconds / 288;
	path = rrd_store_path(cfg, c->name);
	rrd_store_flush_file(cfg, path);
	rc = report_check_res(path, NULL, c, maint_active, now - seconds, now,
	    time(NULL), res, !report_retention_covers(cfg, seconds), &r, err,
	    sizeof err);
	free(path);
	return rc == -1 ? NAN : r.uptime_pct;
}

int
report_period(const char *name, time_t now, time_t *start, time_t *end)
{
	static const struct {
		const char	*name;
		long		 len;
	} periods[] = {
		{ "day", 86400 }, { "week", 7 * 86400 },
		{ "month", 30 * 86400 }, { "year", 365 * 86400 },
	};
	size_t	i;

	for (i = 0; i < sizeof periods / sizeof periods[0]; i++) {
		if (strcmp(name, periods[i].name) == 0) {
			*end = now;
			*start = now - periods[i].len;
			return 0;
		}
	}
	return -1;
}

const char *
report_p95_str(double p95, char *buf, size_t len)
{
	if (isnan(p95))
		snprintf(buf, len, "-");
	else if (isinf(p95))
		snprintf(buf, len, "> %d", rrd_bucket_ms[RRD_NBUCKETS - 1]);
	else
		snprintf(buf, len, "%.0f", p95);
	return buf;
}
