/*
 * report.h -- SLA figures of one check over a period, read from its RRD
 * file (and the store's ticket counts for incidents).
 *
 * Used by `sitewatch report`, `sitewatch status` (uptime 24 h / 30 d),
 * graph legends and later the web UI.  Reading only; safe from any
 * thread (librrd's fetch is reentrant, the store is opened read-only per
 * call).
 */
#ifndef REPORT_H
#define REPORT_H

#include <time.h>

struct config;
struct check_conf;

/* Where "incidents" came from. */
enum report_incident_src {
	REPORT_INC_TICKETS = 0,	/* tickets table of sitewatch.db */
	REPORT_INC_RRD,		/* transitions to down in the RRD */
};

struct report_row {
	time_t		start;		/* the period: [start, end) */
	time_t		end;
	double		up_s;		/* known, outside maintenance */
	double		downtime_s;
	double		unknown_s;	/* no data, `unknown` */
	double		maintenance_s;
	double		uptime_pct;	/* NaN: no known time */
	long		incidents;
	enum report_incident_src incidents_from;
	double		mean_ms;	/* of good checks; NaN */
	/*
	 * p95 estimated from the le_* buckets: the smallest bound under
	 * which at least 95 % of successful checks answered.  NaN when no
	 * check succeeded, INFINITY when it is above 5000 ms.
	 */
	double		p95_ms;
	unsigned long	resolution;	/* finest seconds per row used */
};

/* Decides whether a check is in maintenance at t (maint_active). */
typedef int (*report_maint_fn)(const struct check_conf *, time_t);

/*
 * Compute the figures of check c over [start, end) into out.  Returns 0,
 * or -1 with a message in err (no file, unreadable file).
 */
int	report_check(const struct config *, const struct check_conf *c,
	    time_t start, time_t end, struct report_row *out, char *err,
	    size_t errlen);
/* The same with another maintenance test and RRD file (for tests). */
int	report_check_file(const char *rrd_path, const char *db_path,
	    const struct check_conf *c, report_maint_fn maint, time_t start,
	    time_t end, time_t now, struct report_row *out, char *err,
	    size_t errlen);

/*
 * Uptime in percent of the last `seconds` before now (for `status`):
 * NaN when nothing is known.  Maintenance excluded, as in reports.  The
 * down seconds of the same computation go to *down_s when not NULL
 * (NaN when the file cannot be read).
 */
double	report_uptime(const struct config *, const struct check_conf *c,
	    time_t now, long seconds, double *down_s);

/*
 * Turn a period name (day, week, month, year) into [*start, *end) ending
 * at now.  Returns 0, or -1 for an unknown name.
 */
int	report_period(const char *name, time_t now, time_t *start,
	    time_t *end);

/*
 * The oldest time any archive of an RRD file still covers, or -1 when the
 * file cannot be read.  Fetching before it only gives rows of unknowns.
 */
time_t	report_file_first(const char *rrd_path);
/*
 * Whether the configured rrd_retention keeps `seconds` of history (files
 * made under another setting may differ: this only says which is likely).
 * Finding the start with report_file_first costs a few reads of the
 * header, worth it only when the file is expected to be short.
 */
int	report_retention_covers(const struct config *, long seconds);

/* Format p95 for people: "250", "> 5000" or "-" (into buf). */
const char *report_p95_str(double p95, char *buf, size_t len);

#endif
