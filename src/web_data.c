/*
 * web_data.c -- the web module's adapter to the store, the RRD graphs
 * and the uptime report.  Runs on web worker threads only, each with its
 * own store connection (struct web_data).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rrd.h>

#include "config.h"
#include "locations.h"
#include "log.h"
#include "sitewatch.h"
#include "web_data.h"
#include "xmalloc.h"

#include "report.h"
#include "rrd_graph.h"
#include "rrd_source.h"
#include "rrd_store.h"
#include "store.h"
#include "ticket_json.h"
#include "ticket_update.h"
#include "uptime.h"

struct web_data {
	struct store	*tdb;
	char		*tdb_dir;	/* where tdb was opened */
};

/* Copy what a worker needs off the config (c may be NULL). */
void
web_src_init(struct web_src *src, const struct config *cfg,
    const struct check_conf *c)
{
	memset(src, 0, sizeof *src);
	src->state_dir = xstrdup(cfg->state_dir);
	src->db_where = store_where(cfg->database, cfg->state_dir);
	src->rrdcached = cfg->rrdcached != NULL ? xstrdup(cfg->rrdcached) :
	    NULL;
	src->cfg.state_dir = src->state_dir;
	src->cfg.rrdcached = src->rrdcached;
	src->cfg.rrdcached_own = cfg->rrdcached_own;
	src->database = cfg->database != NULL ? xstrdup(cfg->database) : NULL;
	src->node = cfg->node != NULL ? xstrdup(cfg->node) : NULL;
	src->location = cfg->location != NULL ? xstrdup(cfg->location) : NULL;
	src->cfg.database = src->database;
	src->cfg.node = src->node;
	src->cfg.location = src->location;
	/* Plain values: which spans the files keep (report_retention_covers). */
	memcpy(src->cfg.rrd_rra, cfg->rrd_rra, sizeof src->cfg.rrd_rra);
	src->cfg.nrrd_rra = cfg->nrrd_rra;
	if (c == NULL)
		return;
	src->has_check = 1;
	src->check.name = xstrdup(c->name);
	src->check.id = c->id;
	src->check.interval = c->interval;
	src->check.timeout = c->timeout;
	src->check.confirm = c->confirm;
	if (c->site != NULL) {
		src->site.name = xstrdup(c->site->name);
		src->site.language = xstrdup(c->site->language);
		src->check.site = &src->site;
	}
	if (c->nmaintenance > 0) {
		src->check.maintenance = xreallocarray(NULL, c->nmaintenance,
		    sizeof *c->maintenance);
		memcpy(src->check.maintenance, c->maintenance,
		    c->nmaintenance * sizeof *c->maintenance);
		src->check.nmaintenance = c->nmaintenance;
	}
}

void
web_src_free(struct web_src *src)
{
	free(src->state_dir);
	free(src->db_where);
	free(src->rrdcached);
	free(src->database);
	free(src->node);
	free(src->location);
	free(src->check.name);
	free(src->check.maintenance);
	free(src->site.name);
	free(src->site.language);
	memset(src, 0, sizeof *src);
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
	if (wd->tdb != NULL)
		store_close(wd->tdb);
	free(wd->tdb_dir);
	free(wd);
}

/* This thread's connection, (re)opened when the database changed. */
static struct store *
web_data_tdb(struct web_data *wd, const struct web_src *src, char *err,
    size_t errlen)
{
	if (wd->tdb != NULL && strcmp(wd->tdb_dir, src->db_where) != 0) {
		store_close(wd->tdb);
		wd->tdb = NULL;
	}
	if (wd->tdb == NULL) {
		free(wd->tdb_dir);
		wd->tdb_dir = xstrdup(src->db_where);
		wd->tdb = store_open(src->db_where, 0, err, errlen);
	}
	return wd->tdb;
}

struct store *
web_data_store(struct web_data *wd, const struct web_src *src, char *err,
    size_t errlen)
{
	return web_data_tdb(wd, src, err, errlen);
}

/* Map the store's return codes onto ours. */
static int
web_data_rc(int rc)
{
	switch (rc) {
	case STORE_OK:
		return WEB_DATA_OK;
	case STORE_NOTFOUND:
		return WEB_DATA_NOTFOUND;
	case STORE_CONFLICT:
		return WEB_DATA_CONFLICT;
	case STORE_INVALID:
		return WEB_DATA_INVALID;
	default:
		return WEB_DATA_ERROR;
	}
}

int
web_data_tickets(struct web_data *wd, const struct web_src *src, int all,
    json_t **out, char *err, size_t errlen)
{
	struct store	*tdb;
	struct ticket	*v;
	size_t		 n;
	int		 rc;

	*out = NULL;
	if ((tdb = web_data_tdb(wd, src, err, errlen)) == NULL)
		return WEB_DATA_ERROR;
	if ((rc = store_ticket_list(tdb, all, &v, &n)) != STORE_OK)
		snprintf(err, errlen, "%s", store_errmsg(tdb));
	else {
		*out = ticket_json_list(v, n);
		ticket_list_free(v, n);
	}
	return web_data_rc(rc);
}

int
web_data_mail_queue(struct web_data *wd, const struct web_src *src,
    long long *queued, long long *failed, long long *nqueued,
    long long *nfailed, char *err, size_t errlen)
{
	struct store	*tdb;

	*queued = *failed = *nqueued = *nfailed = -1;
	if ((tdb = web_data_tdb(wd, src, err, errlen)) == NULL)
		return WEB_DATA_ERROR;
	*queued = store_mail_count(tdb, "queued");
	*failed = store_mail_count(tdb, "failed");
	*nqueued = store_hook_count(tdb, "queued");
	*nfailed = store_hook_count(tdb, "failed");
	return *queued >= 0 && *failed >= 0 ? WEB_DATA_OK : WEB_DATA_ERROR;
}

int
web_data_locations(struct web_data *wd, const struct web_src *src,
    struct store_location **out, size_t *n, char *err, size_t errlen)
{
	struct store	*tdb;
	int		 rc;

	*out = NULL;
	*n = 0;
	if (!store_is_uri(src->db_where))
		return WEB_DATA_UNAVAILABLE;
	if ((tdb = web_data_tdb(wd, src, err, errlen)) == NULL)
		return WEB_DATA_ERROR;
	if ((rc = store_locations(tdb, out, n)) != STORE_OK) {
		snprintf(err, errlen, "%s", store_errmsg(tdb));
		return web_data_rc(rc);
	}
	/* Sorted here, off the loop: the pages look rows up by halving. */
	locations_sort(*out, *n);
	return WEB_DATA_OK;
}

int
web_data_figures(struct web_data *wd, const struct web_src *src,
    const struct store_figures *put, size_t nput, long long after,
    struct store_figures **got, size_t *ngot, char *err, size_t errlen)
{
	struct store	*tdb;
	int		 rc;

	*got = NULL;
	*ngot = 0;
	if (!store_is_uri(src->db_where))
		return WEB_DATA_UNAVAILABLE;
	if ((tdb = web_data_tdb(wd, src, err, errlen)) == NULL)
		return WEB_DATA_ERROR;
	if ((rc = store_figures_put(tdb, put, nput)) != STORE_OK ||
	    (rc = store_figures_since(tdb, after, got, ngot)) != STORE_OK) {
		snprintf(err, errlen, "%s", store_errmsg(tdb));
		return web_data_rc(rc);
	}
	return WEB_DATA_OK;
}

int
web_data_ticket(struct web_data *wd, const struct web_src *src,
    long long id, json_t **out, char *err, size_t errlen)
{
	struct store	*tdb;
	struct ticket	 t;
	int		 rc;

	*out = NULL;
	if ((tdb = web_data_tdb(wd, src, err, errlen)) == NULL)
		return WEB_DATA_ERROR;
	if ((rc = store_ticket_get(tdb, id, &t)) == STORE_OK) {
		*out = ticket_json(&t);
		ticket_free(&t);
	} else if (rc == STORE_NOTFOUND)
		snprintf(err, errlen, "no ticket %lld", id);
	else if (rc != STORE_OK)
		snprintf(err, errlen, "%s", store_errmsg(tdb));
	return web_data_rc(rc);
}

int
web_data_ticket_action(struct web_data *wd, const struct web_src *src,
    long long id, const char *action, const char *by, const char *text,
    time_t at, char *err, size_t errlen)
{
	struct store	*tdb;
	int		 act, rc;

	err[0] = '\0';
	if ((tdb = web_data_tdb(wd, src, err, errlen)) == NULL)
		return WEB_DATA_ERROR;
	if ((act = store_action_parse(action)) == -1) {
		snprintf(err, errlen, "unknown action");
		return WEB_DATA_INVALID;
	}
	rc = store_ticket_action(tdb, act, id, by, text, at, err, errlen);
	if (rc != STORE_OK && err[0] == '\0')
		snprintf(err, errlen, "%s", rc == STORE_NOTFOUND ?
		    "no such ticket" : store_errmsg(tdb));
	return web_data_rc(rc);
}

int
web_data_history(struct web_data *wd, const struct web_src *src,
    time_t since, json_t **out, char *err, size_t errlen)
{
	struct store	*tdb;
	struct ticket	*v;
	size_t		 n;
	int		 rc;

	*out = NULL;
	if ((tdb = web_data_tdb(wd, src, err, errlen)) == NULL)
		return WEB_DATA_ERROR;
	/* The end is far enough: a clock set back must not hide one. */
	if ((rc = store_tickets_between(tdb, since, since + 366 * 86400, &v,
	    &n)) != STORE_OK)
		snprintf(err, errlen, "%s", store_errmsg(tdb));
	else {
		*out = ticket_json_list(v, n);
		ticket_list_free(v, n);
	}
	return web_data_rc(rc);
}

int
web_data_ticket_update(struct web_data *wd, const struct web_src *src,
    const struct update_conf *uc, long long id, const char *by,
    const char *text, time_t at, char *err, size_t errlen)
{
	struct store	*tdb;
	size_t		 nmails;

	err[0] = '\0';
	if ((tdb = web_data_tdb(wd, src, err, errlen)) == NULL)
		return WEB_DATA_ERROR;
	return web_data_rc(ticket_update_post(tdb, uc, id, by, text, at,
	    &nmails, err, errlen));
}

/*
 * The files of check (every location's in a cluster: rrd_source.h),
 * flushed; on failure an empty set.  *first: the one file the views
 * that draw one line show -- this node's location's when it has one (the
 * node whose page it is), else the first (allocated; NULL: none).
 */
static void
web_data_sources(const struct web_src *src, const char *check,
    struct rrd_sources *ss, char **first)
{
	char	 err[256], *own;
	size_t	 i, pick = 0;

	if (rrd_sources_find(&src->cfg, check, ss, err, sizeof err) == -1)
		memset(ss, 0, sizeof *ss);
	rrd_sources_flush(&src->cfg, ss);
	if (first == NULL)
		return;
	if ((own = rrd_source_location(&src->cfg)) != NULL) {
		for (i = 0; i < ss->n; i++)
			if (ss->v[i].location != NULL &&
			    strcmp(ss->v[i].location, own) == 0)
				pick = i;
		free(own);
	}
	*first = ss->n > 0 ? xstrdup(ss->v[pick].path) : NULL;
}

/* A check that has not run yet has no file: say so, without its path. */
static int
web_data_no_file(const struct web_src *src, char *err, size_t errlen)
{
	struct rrd_sources	ss;
	int			missing;

	web_data_sources(src, src->check.name, &ss, NULL);
	missing = ss.n == 0 || (ss.daemon == NULL &&
	    access(ss.v[0].path, R_OK) == -1);
	rrd_sources_free(&ss);
	if (missing)
		snprintf(err, errlen, "no data yet");
	return missing;
}

int
web_data_graph(const struct web_src *src, const char *check,
    const char *period, const char *metric, int width, int height,
    unsigned char **png, size_t *len, char *err, size_t errlen)
{
	struct graph_req	g;
	struct buf		b;
	int			m;

	*png = NULL;
	*len = 0;
	if (!src->has_check || strcmp(src->check.name, check) != 0 ||
	    (m = rrd_graph_metric_parse(metric)) == -1) {
		snprintf(err, errlen, "no such graph");
		return WEB_DATA_NOTFOUND;
	}
	memset(&g, 0, sizeof g);
	g.check = &src->check;
	g.end = time(NULL);
	if (report_period(period, g.end, &g.start, &g.end) == -1) {
		snprintf(err, errlen, "no such period");
		return WEB_DATA_INVALID;
	}
	g.period = period;
	g.metric = (enum graph_metric)m;
	g.format = GRAPH_PNG;
	g.width = width;
	g.height = height;
	if (web_data_no_file(src, err, errlen))
		return WEB_DATA_NOTFOUND;
	buf_init(&b);
	if (rrd_graph_render(&src->cfg, &g, &b, err, errlen) == -1) {
		buf_free(&b);
		return WEB_DATA_ERROR;
	}
	*png = (unsigned char *)b.data;	/* handed over to the caller */
	*len = b.len;
	return WEB_DATA_OK;
}

/*
 * One CF's rows of path (one of ss, through its rrdcached when the files
 * are behind one) over [*start, *end] at about step seconds.
 */
static int
series_fetch(const struct rrd_sources *ss, const char *path, const char *cf,
    time_t *start, time_t *end, unsigned long *step, unsigned long *nds,
    char ***names, rrd_value_t **data, char *err, size_t errlen)
{
	rrd_clear_error();
	if (rrd_source_fetch(ss, path, cf, start, end, step, nds, names,
	    data) != 0) {
		snprintf(err, errlen, "%s", rrd_get_error());
		rrd_clear_error();
		return -1;
	}
	return 0;
}

static void
series_names_free(char **names, unsigned long nds)
{
	unsigned long	i;

	for (i = 0; names != NULL && i < nds; i++)
		rrd_freemem(names[i]);
	rrd_freemem(names);
}

static int
series_ds(char **names, unsigned long nds, const char *name)
{
	unsigned long	i;

	for (i = 0; i < nds; i++)
		if (strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

/* A value as JSON: a number rounded to 0.01, or null. */
static json_t *
series_num(double v)
{
	return isfinite(v) ? json_real(round(v * 100) / 100) : json_null();
}

/*
 * The newest result, from the file's last update: the phases, total and
 * up (NAN where not given).  A step is only written out once it ends,
 * and librrd leaves a step unknown when less than half of it is known,
 * so a check of an hour's interval has no whole step of its first
 * result for up to two hours; the views that must show it from the
 * first minute read it here.
 */
enum { LAST_DNS, LAST_CONNECT, LAST_TLS, LAST_TTFB, LAST_TOTAL, LAST_UP,
    LAST_N };

static int
last_result(const struct rrd_sources *ss, const char *path, time_t *at,
    double v[LAST_N])
{
	static const char *const name[LAST_N] = { "dns_ms", "connect_ms",
	    "tls_ms", "ttfb_ms", "total_ms", "up" };
	rrd_info_t	*info, *i;
	char		 key[64], *end;
	int		 k, have = 0;

	for (k = 0; k < LAST_N; k++)
		v[k] = NAN;
	/* Through rrdcached when the files are behind one: it may hold the
	 * newest results still. */
	rrd_clear_error();
	if ((info = rrd_source_info_now(ss, path)) == NULL) {
		rrd_clear_error();
		return -1;
	}
	for (i = info; i != NULL; i = i->next) {
		if (strcmp(i->key, "last_update") == 0 &&
		    i->type == RD_I_CNT) {
			*at = (time_t)i->value.u_cnt;
			have = 1;
			continue;
		}
		if (i->type != RD_I_STR)
			continue;
		for (k = 0; k < LAST_N; k++) {
			snprintf(key, sizeof key, "ds[%s].last_ds", name[k]);
			if (strcmp(i->key, key) != 0)
				continue;
			v[k] = strtod(i->value.u_str, &end);
			if (end == i->value.u_str || *end != '\0')
				v[k] = NAN;	/* "U" */
		}
	}
	rrd_info_free(info);
	return have ? 0 : -1;
}

/* The newest result as the series' last row (no band) when it is after
 * the rows read. */
static void
series_last_row(const struct rrd_sources *ss, const char *path,
    time_t after, time_t since, json_t *rows)
{
	double		 v[LAST_N], sum = 0;
	time_t		 last;
	json_t		*row;
	int		 k;

	if (last_result(ss, path, &last, v) == -1 || last <= after ||
	    last <= since || !isfinite(v[LAST_UP]))
		return;
	row = json_array();
	json_array_append_new(row, json_integer((json_int_t)last));
	for (k = LAST_DNS; k <= LAST_TTFB; k++) {
		json_array_append_new(row, series_num(v[k]));
		if (isfinite(v[k]))
			sum += v[k];
	}
	json_array_append_new(row, series_num(isfinite(v[LAST_TOTAL]) ?
	    fmax(v[LAST_TOTAL] - sum, 0) : NAN));
	for (k = 0; k < 3; k++)
		json_array_append_new(row, series_num(v[LAST_TOTAL]));
	json_array_append_new(row, series_num(v[LAST_UP] * 100));
	json_array_append_new(rows, row);
}

int
web_data_series(const struct web_src *src, time_t now, time_t span,
    int maxpts, json_t **out, char *err, size_t errlen)
{
	static const char *const phase[] = { "dns_ms", "connect_ms",
	    "tls_ms", "ttfb_ms" };
	struct uptime	 u;
	struct rrd_sources ss;
	char		*path, **names = NULL, **mnames = NULL, **xnames = NULL;
	rrd_value_t	*data = NULL, *mdata = NULL, *xdata = NULL, v;
	time_t		 fs, fe, ms, me, xs, xe, t, shown = 0;
	unsigned long	 step, mstep, xstep, nds = 0, mnds = 0, xnds = 0;
	unsigned long	 nrows, i, k;
	int		 ix[4], ixt, ixu, ixm, ixx, p, known = 0, rc;
	json_t		*rows, *row, *cols;
	double		 sum, tot;

	*out = NULL;
	if (!src->has_check)
		return WEB_DATA_INVALID;
	/*
	 * The rows are one location's file, this node's when it has one
	 * (several: the chart is one location's; the figures below are
	 * every location's, k of n), read through the shared rrdcached
	 * when the files are behind one.
	 */
	web_data_sources(src, src->check.name, &ss, &path);
	rows = json_array();
	fs = now - span;
	fe = now;
	step = (unsigned long)(span / (maxpts > 0 ? maxpts : 600));
	if (path == NULL || (ss.daemon == NULL &&
	    access(path, F_OK) == -1)) {
		/* Not written yet: an empty series, not an error. */
		step = (unsigned long)src->check.interval;
		goto done;
	}
	if (series_fetch(&ss, path, "AVERAGE", &fs, &fe, &step, &nds, &names,
	    &data, err, errlen) == -1) {
		json_decref(rows);
		free(path);
		rrd_sources_free(&ss);
		return WEB_DATA_ERROR;
	}
	/* MIN and MAX live at the coarser steps only; a miss is no band. */
	ms = xs = now - span;
	me = xe = now;
	mstep = xstep = step;
	if (series_fetch(&ss, path, "MIN", &ms, &me, &mstep, &mnds, &mnames,
	    &mdata, err, errlen) == -1)
		mnds = 0;
	if (series_fetch(&ss, path, "MAX", &xs, &xe, &xstep, &xnds, &xnames,
	    &xdata, err, errlen) == -1)
		xnds = 0;
	for (p = 0; p < 4; p++)
		ix[p] = series_ds(names, nds, phase[p]);
	ixt = series_ds(names, nds, "total_ms");
	ixu = series_ds(names, nds, "up");
	ixm = mnds > 0 ? series_ds(mnames, mnds, "total_ms") : -1;
	ixx = xnds > 0 ? series_ds(xnames, xnds, "total_ms") : -1;
	nrows = step > 0 ? (unsigned long)(fe - fs) / step : 0;
	for (i = 0; i < nrows; i++) {
		/* Row i is the step that ends at fs + (i + 1) * step. */
		t = fs + (time_t)((i + 1) * step);
		if (t > now)
			break;
		tot = ixt >= 0 ? data[i * nds + (unsigned long)ixt] : NAN;
		if (!known && !isfinite(tot) && (ixu < 0 ||
		    !isfinite(data[i * nds + (unsigned long)ixu])))
			continue;
		known = 1;
		shown = t;
		row = json_array();
		json_array_append_new(row, json_integer((json_int_t)t));
		sum = 0;
		for (p = 0; p < 4; p++) {
			v = ix[p] >= 0 ? data[i * nds + (unsigned long)ix[p]] :
			    NAN;
			json_array_append_new(row, series_num(v));
			if (isfinite(v))
				sum += v;
		}
		/* Transfer is what the phases leave of the total. */
		json_array_append_new(row, series_num(isfinite(tot) ?
		    fmax(tot - sum, 0) : NAN));
		json_array_append_new(row, series_num(tot));
		v = NAN;
		if (ixm >= 0 && t > ms && mstep > 0 && (k = (unsigned long)
		    (t - ms - 1) / mstep) < (unsigned long)(me - ms) / mstep)
			v = mdata[k * mnds + (unsigned long)ixm];
		json_array_append_new(row, series_num(isfinite(v) ? v : tot));
		v = NAN;
		if (ixx >= 0 && t > xs && xstep > 0 && (k = (unsigned long)
		    (t - xs - 1) / xstep) < (unsigned long)(xe - xs) / xstep)
			v = xdata[k * xnds + (unsigned long)ixx];
		json_array_append_new(row, series_num(isfinite(v) ? v : tot));
		v = ixu >= 0 ? data[i * nds + (unsigned long)ixu] : NAN;
		json_array_append_new(row, series_num(v * 100));
		json_array_append_new(rows, row);
	}
	series_last_row(&ss, path, shown, now - span, rows);
	series_names_free(names, nds);
	series_names_free(mnames, mnds);
	series_names_free(xnames, xnds);
	rrd_freemem(data);
	rrd_freemem(mdata);
	rrd_freemem(xdata);
done:
	rc = uptime_sources_split(&ss, &src->check, maint_active, now - span,
	    span, 1, now, &u, err, errlen);
	rrd_sources_free(&ss);
	free(path);
	cols = json_pack("[ssssssssss]", "time", "dns_ms", "connect_ms",
	    "tls_ms", "ttfb_ms", "transfer_ms", "total_ms", "total_min_ms",
	    "total_max_ms", "up_pct");
	*out = json_pack("{s:s, s:I, s:I, s:I, s:o, s:o, s:o, s:o}",
	    "check", src->check.name, "start", (json_int_t)(now - span),
	    "end", (json_int_t)now, "step", (json_int_t)step,
	    "columns", cols, "rows", rows,
	    "uptime_pct", series_num(rc == 0 ? u.uptime_pct : NAN),
	    "mean_ms", series_num(rc == 0 ? u.mean_ms : NAN));
	return *out != NULL ? WEB_DATA_OK : WEB_DATA_ERROR;
}

/*
 * A check's figures for the dashboard and status pages: uptime and down
 * seconds of the last 24 hours and 30 days, and of each of the last
 * ndays UTC days (the bars), from one read of its files
 * (uptime_sources_periods: each figure is what a read of its period
 * alone gives, as in every other view).  Today counts from its first
 * result, read from the file's last update when no whole step of it is
 * written yet, so a day with data never reads "no data".
 */
int
web_data_read_figures(const struct web_src *src, time_t now, int ndays,
    double pct[2], double down_s[2], double *days)
{
	struct uptime	*u;
	struct rrd_sources ss;
	char		*path, err[256];
	double		 v[LAST_N];
	time_t		 today, last;
	int		 d, rc;

	pct[0] = pct[1] = down_s[0] = down_s[1] = NAN;
	for (d = 0; d < ndays; d++)
		days[d] = NAN;
	if (!src->has_check || ndays < 0)
		return WEB_DATA_INVALID;
	web_data_sources(src, src->check.name, &ss, &path);
	ss.ds = "up";		/* availability only */
	today = now - now % 86400;
	u = xcalloc((size_t)ndays + 2, sizeof *u);
	u[0].start = now - 86400;
	u[1].start = now - 30 * 86400;
	u[0].end = u[1].end = now;
	for (d = 0; d < ndays; d++) {
		u[2 + d].start = today - (time_t)(ndays - 1 - d) * 86400;
		u[2 + d].end = u[2 + d].start + 86400;
	}
	rc = uptime_sources_periods(&ss, &src->check, maint_active, u,
	    ndays + 2, now, err, sizeof err);
	if (rc == 0) {
		for (d = 0; d < 2; d++) {
			pct[d] = u[d].uptime_pct;
			down_s[d] = u[d].down_s;
		}
		for (d = 0; d < ndays; d++)
			days[d] = u[2 + d].uptime_pct;
		if (ndays > 0 && isnan(days[ndays - 1]) && path != NULL &&
		    last_result(&ss, path, &last, v) == 0 && last >= today &&
		    isfinite(v[LAST_UP]))
			days[ndays - 1] = 100 * v[LAST_UP];
	}
	rrd_sources_free(&ss);
	free(u);
	free(path);
	return rc == 0 ? WEB_DATA_OK : WEB_DATA_ERROR;
}

/*
 * A sparkline: the graph area alone, no title, axes or legend, for the
 * dashboard rows (rrd_graph_render always draws the full frame).  The
 * daemon draws graphs on one web thread only, so librrd's graph code
 * never runs twice at once here.
 */
int
web_data_spark(const struct web_src *src, const char *period,
    const char *metric, int width, int height, unsigned char **png,
    size_t *len, char *err, size_t errlen)
{
	char		*argv[17], *path = NULL, *esc = NULL, *e, *opt;
	char		*daemon = NULL;
	struct rrd_sources ss;
	rrd_info_t	*info, *i;
	time_t		 start, end = time(NULL);
	struct buf	 b;
	size_t		 k;
	int		 argc = 0, rc = WEB_DATA_ERROR;

	*png = NULL;
	*len = 0;
	if (!src->has_check || report_period(period, end, &start, &end) == -1) {
		snprintf(err, errlen, "no such graph");
		return WEB_DATA_NOTFOUND;
	}
	if (web_data_no_file(src, err, errlen))
		return WEB_DATA_NOTFOUND;
	/* One location's file, this node's if any: a sparkline is one line. */
	web_data_sources(src, src->check.name, &ss, &path);
	daemon = ss.daemon != NULL ? xstrdup(ss.daemon) : NULL;
	rrd_sources_free(&ss);
	if (path == NULL) {
		free(daemon);
		snprintf(err, errlen, "no data yet");
		return WEB_DATA_NOTFOUND;
	}
	buf_init(&b);
	for (e = path; *e != '\0'; e++) {	/* ':' separates DEF fields */
		if (*e == ':' || *e == '\\')
			buf_add(&b, "\\", 1);
		buf_add(&b, e, 1);
	}
	esc = b.data;
	argv[argc++] = xstrdup("graph");
	argv[argc++] = xstrdup("-");
	argv[argc++] = xstrdup("--imgformat=PNG");
	if (daemon != NULL)
		xasprintf(&argv[argc++], "--daemon=%s", daemon);
	xasprintf(&argv[argc++], "--start=%lld", (long long)start);
	xasprintf(&argv[argc++], "--end=%lld", (long long)end);
	xasprintf(&argv[argc++], "--width=%d", width);
	xasprintf(&argv[argc++], "--height=%d", height);
	argv[argc++] = xstrdup("--only-graph");
	argv[argc++] = xstrdup("--lower-limit=0");
	argv[argc++] = xstrdup("--color=BACK#f1f5f8");
	argv[argc++] = xstrdup("--color=CANVAS#f1f5f8");
	/*
	 * A day is read from the one-step rows: librrd would pick the
	 * 5-minute archive for a small image, and a check younger than its
	 * first consolidated row would draw nothing.
	 */
	if (end - start <= 86400 && src->check.interval > 0)
		xasprintf(&opt, ":step=%d", src->check.interval);
	else
		opt = xstrdup("");
	xasprintf(&argv[argc++], "DEF:up=%s:up:AVERAGE%s", esc, opt);
	argv[argc++] = xstrdup("CDEF:down=up,UN,UNKN,up,1,LT,INF,UNKN,IF,IF");
	if (strcmp(metric, "availability") == 0) {
		argv[argc++] = xstrdup("CDEF:pct=up,100,*");
		argv[argc++] = xstrdup("AREA:pct#59a14f");
	} else {
		xasprintf(&argv[argc++], "DEF:t=%s:total_ms:AVERAGE%s", esc,
		    opt);
		argv[argc++] = xstrdup("AREA:t#4e79a7");
	}
	argv[argc++] = xstrdup("AREA:down#e15759aa");

	rrd_clear_error();
	if (daemon != NULL)
		rrd_source_lock();
	info = rrd_graph_v(argc, argv);
	if (daemon != NULL)
		rrd_source_unlock();
	if (info == NULL) {
		snprintf(err, errlen, "rrdgraph: %s", rrd_get_error());
		goto out;
	}
	for (i = info; i != NULL; i = i->next)
		if (i->type == RD_I_BLO && strcmp(i->key, "image") == 0 &&
		    *png == NULL) {
			*png = xmalloc(i->value.u_blo.size);
			memcpy(*png, i->value.u_blo.ptr, i->value.u_blo.size);
			*len = i->value.u_blo.size;
			rc = WEB_DATA_OK;
		}
	rrd_info_free(info);
	if (rc != WEB_DATA_OK)
		snprintf(err, errlen, "rrdgraph returned no image");
out:
	rrd_clear_error();
	for (k = 0; k < (size_t)argc; k++)
		free(argv[k]);
	free(opt);
	free(esc);
	free(path);
	free(daemon);
	return rc;
}
