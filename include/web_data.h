/*
 * web_data.h -- the web module's one door to the other stores: the store
 * (SQLite), the RRD graphs and the uptime report.  Every function here
 * may block and runs on a web worker thread, never on the loop.
 *
 * A store that is not built in answers WEB_DATA_UNAVAILABLE; the pages
 * then say "not available" rather than show made-up figures.
 */
#ifndef WEB_DATA_H
#define WEB_DATA_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "config.h"

enum web_data_rc {
	WEB_DATA_OK = 0,
	WEB_DATA_NOTFOUND,	/* no such ticket */
	WEB_DATA_CONFLICT,	/* not allowed in the ticket's status */
	WEB_DATA_INVALID,	/* bad argument */
	WEB_DATA_ERROR,		/* the store failed; err says why */
	WEB_DATA_UNAVAILABLE,	/* that store is not built in */
};

/*
 * What a worker needs, copied off the config when the job is made (a
 * reload may free the config while the job runs).  The stores take a
 * struct config and a struct check_conf; cfg and check here are private
 * copies holding only what they read: state_dir and rrdcached; the
 * check's name, site name, interval and maintenance windows.
 */
struct web_src {
	char			*state_dir;
	char			*db_where;	/* store_where(): never shown */
	char			*rrdcached;	/* NULL: direct */
	/* Which RRD files are the check's (rrd_source.h). */
	char			*database, *node, *location;
	struct config		 cfg;
	struct site_conf	 site;
	struct check_conf	 check;
	int			 has_check;
};
void	web_src_init(struct web_src *, const struct config *,
	    const struct check_conf *);
void	web_src_free(struct web_src *);

/* One worker thread's handles (the SQLite connection is per thread). */
struct web_data;
struct web_data	*web_data_new(void);
void		 web_data_free(struct web_data *);

struct store;
/*
 * This thread's store connection, for questions of the modules' own
 * (accounts, subscribers); NULL: err.
 */
struct store	*web_data_store(struct web_data *, const struct web_src *,
		    char *err, size_t errlen);

/* ---- tickets ---- */
int	web_data_tickets(struct web_data *, const struct web_src *, int all,
	    json_t **out, char *err, size_t errlen);
int	web_data_ticket(struct web_data *, const struct web_src *,
	    long long id, json_t **out, char *err, size_t errlen);
/*
 * A public update (ticket_update.h): its event and its client mails;
 * uc is the job's copy of what the mails need of the config.
 */
struct update_conf;
int	web_data_ticket_update(struct web_data *, const struct web_src *,
	    const struct update_conf *uc, long long id, const char *by,
	    const char *text, time_t at, char *err, size_t errlen);
/* Tickets opened since then, newest first, with their events. */
int	web_data_history(struct web_data *, const struct web_src *,
	    time_t since, json_t **out, char *err, size_t errlen);
/*
 * Mails waiting in the outbox and mails given up on, then the same of
 * the notifications to channels (-1: unknown).
 */
int	web_data_mail_queue(struct web_data *, const struct web_src *,
	    long long *queued, long long *failed, long long *nqueued,
	    long long *nfailed, char *err, size_t errlen);
/*
 * k of n: every location's verdict, sorted (locations_sort()); free *out.
 * WEB_DATA_UNAVAILABLE on a store without locations (SQLite).
 */
struct store_location;
/*
 * A cluster's shared uptime figures (store_figures_put/_since): write the
 * n in put, then read those written after seq `after` into *got (free
 * with store_figures_free()).  WEB_DATA_UNAVAILABLE on SQLite.
 */
struct store_figures;
int	web_data_figures(struct web_data *, const struct web_src *,
	    const struct store_figures *put, size_t nput, long long after,
	    struct store_figures **got, size_t *ngot, char *err,
	    size_t errlen);
int	web_data_locations(struct web_data *, const struct web_src *,
	    struct store_location **out, size_t *n, char *err,
	    size_t errlen);
/* action: "ack", "note" or "resolve"; text may be NULL (not for note). */
int	web_data_ticket_action(struct web_data *, const struct web_src *,
	    long long id, const char *action, const char *by,
	    const char *text, time_t at, char *err, size_t errlen);

/* ---- RRD ---- */

/*
 * Draw a PNG of check over period (day|week|month|year) showing metric
 * (time|availability), width x height pixels of canvas.
 */
int	web_data_graph(const struct web_src *, const char *check,
	    const char *period, const char *metric, int width, int height,
	    unsigned char **png, size_t *len, char *err, size_t errlen);
/* The graph area alone (no frame or legend), width x height pixels. */
int	web_data_spark(const struct web_src *, const char *period,
	    const char *metric, int width, int height, unsigned char **png,
	    size_t *len, char *err, size_t errlen);
/*
 * A check's series over the last span seconds, at most about maxpts rows,
 * as JSON: {"check", "start", "end", "step", "columns", "rows",
 * "uptime_pct", "mean_ms"}.  Each row is [time, dns, connect, tls, ttfb,
 * transfer, total, total_min, total_max, up_pct] (ms and percent; null
 * unknown); the phases add up to total, so they stack.  Rows before the
 * first known one are left out, so a new check's data fills the chart.
 * uptime_pct and mean_ms are the period's one figures, from uptime.c as
 * everywhere else.
 */
int	web_data_series(const struct web_src *, time_t now, time_t span,
	    int maxpts, json_t **out, char *err, size_t errlen);
/*
 * Uptime in percent (NAN when nothing is known) and down seconds of the
 * last 24 hours (index 0) and 30 days (1), and the uptime of each of the
 * last ndays UTC days, oldest first: one read of the check's files.
 */
int	web_data_read_figures(const struct web_src *, time_t now, int ndays,
	    double pct[2], double down_s[2], double *days);

#endif
