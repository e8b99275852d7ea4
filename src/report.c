/*
 * report.c -- SLA figures of a check over a period, from its RRD file.
 *
 * The data come from rrd_fetch_r asked for a one-second resolution: it
 * then picks the finest AVERAGE archive that covers the whole period, so
 * a report over last year still works after the one-step archive rolled
 * off.  Each row covers (t - step, t]; the part of it inside the period
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

#include <rrd.h>
#include <sqlite3.h>

#include "config.h"
#include "report.h"
#include "rrd_store.h"
#include "xmalloc.h"

/* Count tickets opened for c in [start, end); -1 when there is no store. */
static long
report_db_incidents(const char *db_path, const char *check, time_t start,
    time_t end)
{
	sqlite3		*db = NULL;
	sqlite3_stmt	*st = NULL;
	long		 n = -1;

	if (db_path == NULL)
		return -1;
	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		goto out;
	sqlite3_busy_timeout(db, 2000);
	/* opened_at is epoch seconds; accept ISO text too, to be safe. */
	if (sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM tickets "
	    "WHERE check_name = ?1 AND (CASE typeof(opened_at) "
	    "WHEN 'text' THEN CAST(strftime('%s', opened_at) AS INTEGER) "
	    "ELSE opened_at END) >= ?2 AND (CASE typeof(opened_at) "
	    "WHEN 'text' THEN CAST(strftime('%s', opened_at) AS INTEGER) "
	    "ELSE opened_at END) < ?3", -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(st, 1, check, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)start);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)end);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
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

int
report_check_file(const char *rrd_path, const char *db_path,
    const struct check_conf *c, report_maint_fn maint, time_t start,
    time_t end, time_t now, struct report_row *out, char *err, size_t errlen)
{
	time_t		 fs, fe, t, lo, hi, eff_end;
	unsigned long	 step = 1, nds = 0, i, nrows;
	char		**names = NULL;
	rrd_value_t	*data = NULL, *row;
	int		 ix_up, ix_total, ix_le[RRD_NBUCKETS], b, rc = -1;
	int		 prev_down = 0;
	double		 dur, up, sum_up = 0, sum_total = 0, accounted = 0;
	double		 sum_le[RRD_NBUCKETS] = { 0 };
	long		 rrd_incidents = 0, dbn;

	memset(out, 0, sizeof *out);
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
	fs = start;
	fe = eff_end > start ? eff_end : start + 1;
	rrd_clear_error();
	if (rrd_fetch_r(rrd_path, "AVERAGE", &fs, &fe, &step, &nds, &names,
	    &data) != 0) {
		snprintf(err, errlen, "%s", rrd_get_error());
		rrd_clear_error();
		return -1;
	}
	ix_up = report_ds(names, nds, "up");
	ix_total = report_ds(names, nds, "total_ms");
	for (b = 0; b < RRD_NBUCKETS; b++)
		ix_le[b] = report_ds(names, nds, rrd_ds_names[RRD_DS_LE_100 +
		    b]);
	if (ix_up < 0 || ix_total < 0) {
		snprintf(err, errlen, "%s has no up/total_ms data sources",
		    rrd_path);
		goto out;
	}
	out->resolution = step;
	nrows = step > 0 ? (unsigned long)(fe - fs) / step : 0;
	for (i = 0; i < nrows; i++) {
		row = data + i * nds;
		t = fs + (time_t)((i + 1) * step);	/* row covers (t-step, t] */
		lo = t - (time_t)step > start ? t - (time_t)step : start;
		hi = t < eff_end ? t : eff_end;
		if (hi <= lo)
			continue;
		dur = (double)(hi - lo);
		accounted += dur;
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
			if (!prev_down)
				rrd_incidents++;
			prev_down = 1;
		} else
			prev_down = 0;
		if (up <= 0)
			continue;
		sum_up += up * dur;
		if (!isnan(row[ix_total]))
			sum_total += row[ix_total] * up * dur;
		for (b = 0; b < RRD_NBUCKETS; b++)
			if (ix_le[b] >= 0 && !isnan(row[ix_le[b]]))
				sum_le[b] += row[ix_le[b]] * dur;
	}
	/* Time the fetched archive did not reach is unknown as well. */
	if (eff_end > start && (double)(eff_end - start) > accounted)
		out->unknown_s += (double)(eff_end - start) - accounted;
	if (out->up_s + out->downtime_s > 0)
		out->uptime_pct = 100 * out->up_s /
		    (out->up_s + out->downtime_s);
	if (sum_up > 0) {
		out->mean_ms = sum_total / sum_up;
		out->p95_ms = INFINITY;
		for (b = 0; b < RRD_NBUCKETS; b++) {
			if (sum_le[b] / sum_up >= 0.95 - 1e-9) {
				out->p95_ms = rrd_bucket_ms[b];
				break;
			}
		}
	}
	if ((dbn = report_db_incidents(db_path, c->name, start, end)) >= 0) {
		out->incidents = dbn;
		out->incidents_from = REPORT_INC_TICKETS;
	} else {
		out->incidents = rrd_incidents;
		out->incidents_from = REPORT_INC_RRD;
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
	char			err[256];

	if (report_check(cfg, c, now - seconds, now, &r, err,
	    sizeof err) == -1)
		return NAN;
	return r.uptime_pct;
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
