/*
 * report.c -- SLA figures of a check over a period: the seconds, mean and
 * p95 come from uptime.c (the one computation every view shares), the
 * incidents from the tickets in sitewatch.db, else from the transitions
 * into downtime in the data.
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
#include "rrd_source.h"
#include "rrd_store.h"
#include "store.h"
#include "uptime.h"
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

/* The row of c over the files ss (every location's in a cluster). */
static int
report_check_sources(const struct rrd_sources *ss, const char *db_path,
    const struct check_conf *c, report_maint_fn maint, time_t start,
    time_t end, time_t now, struct report_row *out, char *err, size_t errlen)
{
	struct uptime	u;
	long		dbn;

	memset(out, 0, sizeof *out);
	out->start = start;
	out->end = end;
	out->uptime_pct = out->mean_ms = out->p95_ms = NAN;
	if (end <= start) {
		snprintf(err, errlen, "the period ends before it starts");
		return -1;
	}
	if (uptime_sources_split(ss, c, maint, start, end - start, 1, now, &u,
	    err, errlen) == -1)
		return -1;
	out->up_s = u.up_s;
	out->downtime_s = u.down_s;
	out->unknown_s = u.unknown_s;
	out->maintenance_s = u.maint_s;
	out->uptime_pct = u.uptime_pct;
	out->mean_ms = u.mean_ms;
	out->p95_ms = u.p95_ms;
	out->resolution = u.resolution;
	if ((dbn = report_db_incidents(db_path, c->name, start, end)) >= 0) {
		out->incidents = dbn;
		out->incidents_from = REPORT_INC_TICKETS;
	} else {
		out->incidents = u.transitions;
		out->incidents_from = REPORT_INC_RRD;
	}
	return 0;
}

int
report_check_file(const char *rrd_path, const char *db_path,
    const struct check_conf *c, report_maint_fn maint, time_t start,
    time_t end, time_t now, struct report_row *out, char *err, size_t errlen)
{
	struct rrd_sources	ss;
	int			rc;

	rrd_sources_one(&ss, rrd_path);
	rc = report_check_sources(&ss, db_path, c, maint, start, end, now,
	    out, err, errlen);
	rrd_sources_free(&ss);
	return rc;
}

int
report_check(const struct config *cfg, const struct check_conf *c,
    time_t start, time_t end, struct report_row *out, char *err,
    size_t errlen)
{
	struct rrd_sources	 ss;
	char			*db;
	int			 rc;

	if (rrd_sources_find(cfg, c->name, &ss, err, errlen) == -1)
		return -1;
	db = store_where(cfg->database, cfg->state_dir);
	rrd_sources_flush(cfg, &ss);
	rc = report_check_sources(&ss, db, c, maint_active, start, end,
	    time(NULL), out, err, errlen);
	free(db);
	rrd_sources_free(&ss);
	return rc;
}

double
report_uptime(const struct config *cfg, const struct check_conf *c,
    time_t now, long seconds, double *down_s)
{
	struct uptime	u;
	char		err[256];

	if (down_s != NULL)
		*down_s = NAN;
	if (uptime_check(cfg, c, now - seconds, now, now, &u, err,
	    sizeof err) == -1)
		return NAN;
	if (down_s != NULL)
		*down_s = u.down_s;
	return u.uptime_pct;
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
	return uptime_p95_str(p95, 0, buf, len);
}
