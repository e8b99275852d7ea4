/*
 * web_data.c -- the web module's adapter to ticket_db, the RRD graphs
 * and the uptime report.  Runs on web worker threads only.
 *
 * The stores are built by other modules; while one of them is not in the
 * tree (__has_include finds no header), its functions here answer
 * WEB_DATA_UNAVAILABLE and the pages say so.  Nothing is ever made up.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rrd.h>

#include "config.h"
#include "log.h"
#include "sitewatch.h"
#include "web_data.h"
#include "xmalloc.h"

#if __has_include("ticket_db.h")
#include "ticket_db.h"
#define HAVE_TICKET_DB 1
#endif
#if __has_include("rrd_graph.h") && __has_include("report.h")
#include "rrd_graph.h"
#include "report.h"
#define HAVE_RRD_GRAPH 1
#endif

struct web_data {
#ifdef HAVE_TICKET_DB
	struct ticket_db	*tdb;
#endif
	char			*tdb_dir;	/* state_dir tdb was opened in */
};

/* Copy what a worker needs off the config (c may be NULL). */
void
web_src_init(struct web_src *src, const struct config *cfg,
    const struct check_conf *c)
{
	src->state_dir = xstrdup(cfg->state_dir);
	src->rrdcached = cfg->rrdcached != NULL ? xstrdup(cfg->rrdcached) :
	    NULL;
	src->interval = c != NULL ? c->interval : 0;
}

void
web_src_free(struct web_src *src)
{
	free(src->state_dir);
	free(src->rrdcached);
	src->state_dir = src->rrdcached = NULL;
}

struct web_data *
web_data_new(void)
{
	return xcalloc(1, sizeof(struct web_data));
}

void
web_data_free(struct web_data *wd)
{
	if (wd == NULL)
		return;
#ifdef HAVE_TICKET_DB
	if (wd->tdb != NULL)
		ticket_db_close(wd->tdb);
#endif
	free(wd->tdb_dir);
	free(wd);
}

int
web_data_rrd_available(void)
{
#ifdef HAVE_RRD_GRAPH
	return 1;
#else
	return 0;
#endif
}

#ifdef HAVE_TICKET_DB
/* This thread's connection, (re)opened when state_dir changed. */
static struct ticket_db *
web_data_tdb(struct web_data *wd, const struct web_src *src, char *err,
    size_t errlen)
{
	if (wd->tdb != NULL && strcmp(wd->tdb_dir, src->state_dir) != 0) {
		ticket_db_close(wd->tdb);
		wd->tdb = NULL;
	}
	if (wd->tdb == NULL) {
		free(wd->tdb_dir);
		wd->tdb_dir = xstrdup(src->state_dir);
		wd->tdb = ticket_db_open_dir(src->state_dir, err, errlen);
	}
	return wd->tdb;
}

/* Map ticket_db's return codes onto ours. */
static int
web_data_rc(int rc)
{
	switch (rc) {
	case TDB_OK:
		return WEB_DATA_OK;
	case TDB_NOTFOUND:
		return WEB_DATA_NOTFOUND;
	case TDB_CONFLICT:
		return WEB_DATA_CONFLICT;
	case TDB_INVALID:
		return WEB_DATA_INVALID;
	default:
		return WEB_DATA_ERROR;
	}
}
#endif

int
web_data_tickets(struct web_data *wd, const struct web_src *src, int all,
    json_t **out, char *err, size_t errlen)
{
	*out = NULL;
#ifdef HAVE_TICKET_DB
	struct ticket_db	*tdb;
	int			 rc;

	if ((tdb = web_data_tdb(wd, src, err, errlen)) == NULL)
		return WEB_DATA_ERROR;
	if ((rc = ticket_db_list_json(tdb, all, out)) != TDB_OK)
		snprintf(err, errlen, "%s", ticket_db_errmsg(tdb));
	return web_data_rc(rc);
#else
	snprintf(err, errlen, "tickets are not available in this build");
	return WEB_DATA_UNAVAILABLE;
#endif
}

int
web_data_ticket(struct web_data *wd, const struct web_src *src,
    long long id, json_t **out, char *err, size_t errlen)
{
	*out = NULL;
#ifdef HAVE_TICKET_DB
	struct ticket_db	*tdb;
	int			 rc;

	if ((tdb = web_data_tdb(wd, src, err, errlen)) == NULL)
		return WEB_DATA_ERROR;
	rc = ticket_db_get_json(tdb, id, out);
	if (rc == TDB_NOTFOUND)
		snprintf(err, errlen, "no ticket %lld", id);
	else if (rc != TDB_OK)
		snprintf(err, errlen, "%s", ticket_db_errmsg(tdb));
	return web_data_rc(rc);
#else
	snprintf(err, errlen, "tickets are not available in this build");
	return WEB_DATA_UNAVAILABLE;
#endif
}

int
web_data_ticket_action(struct web_data *wd, const struct web_src *src,
    long long id, const char *action, const char *by, const char *text,
    time_t at, char *err, size_t errlen)
{
#ifdef HAVE_TICKET_DB
	struct ticket_db	*tdb;
	int			 rc;

	err[0] = '\0';
	if ((tdb = web_data_tdb(wd, src, err, errlen)) == NULL)
		return WEB_DATA_ERROR;
	if (strcmp(action, "ack") == 0)
		rc = ticket_db_ack(tdb, id, by, text, at, err, errlen);
	else if (strcmp(action, "note") == 0)
		rc = ticket_db_note(tdb, id, by, text, at, err, errlen);
	else if (strcmp(action, "resolve") == 0)
		rc = ticket_db_resolve(tdb, id, by, text, at, err, errlen);
	else {
		snprintf(err, errlen, "unknown action");
		return WEB_DATA_INVALID;
	}
	if (rc != TDB_OK && err[0] == '\0')
		snprintf(err, errlen, "%s", rc == TDB_NOTFOUND ?
		    "no such ticket" : ticket_db_errmsg(tdb));
	return web_data_rc(rc);
#else
	snprintf(err, errlen, "tickets are not available in this build");
	return WEB_DATA_UNAVAILABLE;
#endif
}

#ifdef HAVE_TICKET_DB
struct web_data_states {
	struct web_data_state	*v;
	size_t			 n;
};

/* Collect one persisted check state. */
static int
web_data_state_cb(const struct tdb_check_state *st, void *arg)
{
	struct web_data_states	*s = arg;
	struct web_data_state	*o;

	s->v = xreallocarray(s->v, s->n + 1, sizeof *s->v);
	o = &s->v[s->n++];
	memset(o, 0, sizeof *o);
	snprintf(o->name, sizeof o->name, "%s", st->name);
	o->state = st->state;
	o->since = st->since;
	o->ticket = st->ticket;
	return 0;
}
#endif

int
web_data_check_states(struct web_data *wd, const struct web_src *src,
    struct web_data_state **out, size_t *n, char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
#ifdef HAVE_TICKET_DB
	struct ticket_db	*tdb;
	struct web_data_states	 s = { NULL, 0 };
	int			 rc;

	if ((tdb = web_data_tdb(wd, src, err, errlen)) == NULL)
		return WEB_DATA_ERROR;
	rc = ticket_db_check_states(tdb, web_data_state_cb, &s);
	if (rc != TDB_OK) {
		snprintf(err, errlen, "%s", ticket_db_errmsg(tdb));
		free(s.v);
		return web_data_rc(rc);
	}
	*out = s.v;
	*n = s.n;
	return WEB_DATA_OK;
#else
	snprintf(err, errlen, "tickets are not available in this build");
	return WEB_DATA_UNAVAILABLE;
#endif
}

int
web_data_graph(const struct web_src *src, const char *check,
    const char *period, const char *metric, int width, int height,
    unsigned char **png, size_t *len, char *err, size_t errlen)
{
	*png = NULL;
	*len = 0;
#ifdef HAVE_RRD_GRAPH
#error "wire rrd_graph here"
#else
	snprintf(err, errlen, "graphs are not available in this build");
	return WEB_DATA_UNAVAILABLE;
#endif
}

int
web_data_uptime(const struct web_src *src, const char *check, time_t start,
    time_t end, double *pct)
{
	*pct = NAN;
#ifdef HAVE_RRD_GRAPH
#error "wire report here"
#else
	return WEB_DATA_UNAVAILABLE;
#endif
}

/* Mean of the finite values in v[0..n). */
static double
web_data_mean(const rrd_value_t *v, unsigned long n, unsigned long stride)
{
	double		sum = 0;
	unsigned long	i, k = 0;

	for (i = 0; i < n; i++)
		if (isfinite(v[i * stride])) {
			sum += v[i * stride];
			k++;
		}
	return k > 0 ? sum / k : NAN;
}

/*
 * Daily uptime straight from the file's `up` data source: one fetch at
 * day resolution for the past, one at the finest for today (the daily
 * row of today is consolidated only when the day ends).  Days fall on
 * UTC boundaries, as the archive's rows do.
 */
int
web_data_daily(const struct web_src *src, const char *check, time_t now,
    int ndays, double *pct)
{
	char		*path = NULL, **names = NULL;
	rrd_value_t	*data = NULL;
	unsigned long	 step, nds = 0, i, nrows, up = 0;
	time_t		 today, start, end;
	int		 d, rc = WEB_DATA_ERROR;

	for (d = 0; d < ndays; d++)
		pct[d] = NAN;
	xasprintf(&path, "%s/rrd/%s.rrd", src->state_dir, check);
	today = now - now % 86400;

	/* Past days: rows of the 1-day archive, each ending at midnight. */
	start = today - (time_t)(ndays - 1) * 86400;
	end = today;
	step = 86400;
	rrd_clear_error();
	if (ndays > 1 && rrd_fetch_r(path, "AVERAGE", &start, &end, &step,
	    &nds, &names, &data) == 0) {
		for (up = 0; up < nds; up++)
			if (strcmp(names[up], "up") == 0)
				break;
		nrows = step > 0 ? (unsigned long)(end - start) / step : 0;
		/* Row i covers (start + i*step, start + (i+1)*step]. */
		for (i = 0; up < nds && i < nrows; i++) {
			time_t	t = start + (time_t)i * (time_t)step;
			long	day = (long)((t - (today - (time_t)(ndays - 1) *
			    86400)) / 86400);

			if (step != 86400 || day < 0 || day >= ndays - 1)
				continue;
			if (isfinite(data[i * nds + up]))
				pct[day] = 100.0 * data[i * nds + up];
		}
		for (i = 0; i < nds; i++)
			rrd_freemem(names[i]);
		rrd_freemem(names);
		rrd_freemem(data);
		names = NULL;
		data = NULL;
	}

	/* Today so far, at the finest resolution the file has. */
	start = today;
	end = now;
	step = 1;
	nds = 0;
	rrd_clear_error();
	if (rrd_fetch_r(path, "AVERAGE", &start, &end, &step, &nds, &names,
	    &data) != 0)
		goto done;
	for (up = 0; up < nds; up++)
		if (strcmp(names[up], "up") == 0)
			break;
	if (up < nds && step > 0)
		pct[ndays - 1] = 100.0 * web_data_mean(data + up,
		    (unsigned long)(end - start) / step, nds);
	for (i = 0; i < nds; i++)
		rrd_freemem(names[i]);
	rrd_freemem(names);
	rrd_freemem(data);
	rc = WEB_DATA_OK;
done:
	free(path);
	return rc;
}
