/*
 * uptime.h -- the one computation of a check's up, down, unknown and
 * maintenance seconds (and mean and p95 response time from the same
 * rows) over a period, read from its RRD file.
 *
 * Every view that shows such a figure gets it here: `report`, `status`,
 * the graph legends, the dashboard and check page, the /status bars, the
 * API and /metrics.  docs/rrd.md says how each figure is computed.
 * Reading only; safe from any thread (librrd's fetch is reentrant).
 */
#ifndef UPTIME_H
#define UPTIME_H

#include <stddef.h>
#include <time.h>

struct config;
struct check_conf;

#define UPTIME_NBUCKETS	6	/* = RRD_NBUCKETS */

struct uptime {
	time_t		start;		/* the period: [start, end) */
	time_t		end;
	double		up_s;		/* known, outside maintenance */
	double		down_s;
	double		unknown_s;	/* no data, `unknown`, not yet written */
	double		maint_s;
	double		uptime_pct;	/* up / (up + down); NaN: none known */
	double		mean_ms;	/* of successful checks; NaN */
	/* Smallest le_* bound reached by 95 % of successful checks; NaN
	 * when none succeeded, INFINITY above the last bound. */
	double		p95_ms;
	long		transitions;	/* rows with downtime after one without */
	unsigned long	resolution;	/* finest seconds per row read */
	/* Running sums (the figures above are made from them). */
	double		accounted;
	double		sum_up;
	double		sum_total;
	double		sum_le[UPTIME_NBUCKETS];
	int		prev_down;
};

/* Decides whether a check is in maintenance at t (maint_active). */
typedef int (*uptime_maint_fn)(const struct check_conf *, time_t);

/*
 * The figures of [start, start + nb * len) split into nb periods of len
 * seconds each (out[0] the oldest), from the RRD file at path.  Time
 * after now is not counted.  A missing file is all unknown.  Returns 0,
 * or -1 with a message in err (unreadable file).
 */
int	uptime_file_split(const char *path, const struct check_conf *c,
	    uptime_maint_fn maint, time_t start, time_t len, int nb,
	    time_t now, struct uptime *out, char *err, size_t errlen);
struct rrd_sources;
/*
 * The same over every file of a check (rrd_source.h): in a cluster each
 * location's, a step counting as down when at least the check's
 * `confirm` locations were down in it (uptime_kofn_down); one file is
 * read exactly as uptime_file_split reads it.
 */
int	uptime_sources_split(const struct rrd_sources *,
	    const struct check_conf *c, uptime_maint_fn maint, time_t start,
	    time_t len, int nb, time_t now, struct uptime *out, char *err,
	    size_t errlen);
/*
 * The same for any periods, overlapping or not: out[b].start and
 * out[b].end are given, the rest is filled.  The files are read once for
 * all of them, and each period's figures are exactly those of a read of
 * that period alone (rows are clipped to each period).
 */
int	uptime_sources_periods(const struct rrd_sources *,
	    const struct check_conf *c, uptime_maint_fn maint,
	    struct uptime *out, int nb, time_t now, char *err, size_t errlen);
/*
 * The down share of one step from n locations' `up` (NaN: unknown):
 * the k-th largest down share (1 - up) of the known ones; 0 when fewer
 * than k are known, NaN when none is.  The one rule of k of n.
 */
#define UPTIME_MAX_LOC	32	/* locations read per check */
double	uptime_kofn_down(const double *up, size_t n, int k);
/* One period [start, end). */
int	uptime_file(const char *path, const struct check_conf *c,
	    uptime_maint_fn maint, time_t start, time_t end, time_t now,
	    struct uptime *out, char *err, size_t errlen);
/*
 * The check's files (rrdcached flushed first), maint_active: on one node
 * its one file, in a cluster every location's (k of n).
 */
int	uptime_check(const struct config *, const struct check_conf *c,
	    time_t start, time_t end, time_t now, struct uptime *out,
	    char *err, size_t errlen);

/*
 * p95 into buf: for people (bound set) "≤ 250 ms", "> 5000 ms"; for CSV
 * "250", or the number uptime_p95_bound gives; "-" when none.
 */
const char *uptime_p95_str(double p95, int bound, char *buf, size_t len);
/*
 * p95 as a number for JSON and CSV: the bucket bound reached, or, above
 * the largest bucket, the check's timeout in ms (an answered result
 * ended within it); NAN when there was no answered result.
 */
double	uptime_p95_bound(double p95, const struct check_conf *c);
#define uptime_p95_text(p, b, l)	uptime_p95_str((p), 1, (b), (l))

#endif
