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
#include "log.h"
#include "sitewatch.h"
#include "web_data.h"
#include "xmalloc.h"

#include "report.h"
#include "rrd_graph.h"
#include "rrd_store.h"
#include "store.h"
#include "ticket_json.h"

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
	src->rrdcached = cfg->rrdcached != NULL ? xstrdup(cfg->rrdcached) :
	    NULL;
	src->cfg.state_dir = src->state_dir;
	src->cfg.rrdcached = src->rrdcached;
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
	free(src->rrdcached);
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

/* This thread's connection, (re)opened when state_dir changed. */
static struct store *
web_data_tdb(struct web_data *wd, const struct web_src *src, char *err,
    size_t errlen)
{
	if (wd->tdb != NULL && strcmp(wd->tdb_dir, src->state_dir) != 0) {
		store_close(wd->tdb);
		wd->tdb = NULL;
	}
	if (wd->tdb == NULL) {
		free(wd->tdb_dir);
		wd->tdb_dir = xstrdup(src->state_dir);
		wd->tdb = store_open_dir(src->state_dir, 0, err, errlen);
	}
	return wd->tdb;
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
    long long *queued, long long *failed, char *err, size_t errlen)
{
	struct store	*tdb;

	*queued = *failed = -1;
	if ((tdb = web_data_tdb(wd, src, err, errlen)) == NULL)
		return WEB_DATA_ERROR;
	*queued = store_mail_count(tdb, "queued");
	*failed = store_mail_count(tdb, "failed");
	return *queued >= 0 && *failed >= 0 ? WEB_DATA_OK : WEB_DATA_ERROR;
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

/* A check that has not run yet has no file: say so, without its path. */
static int
web_data_no_file(const struct web_src *src, char *err, size_t errlen)
{
	char	*path;
	int	 missing;

	xasprintf(&path, "%s/rrd/%s.rrd", src->state_dir, src->check.name);
	missing = access(path, R_OK) == -1;
	free(path);
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

int
web_data_uptime(const struct web_src *src, const char *check, time_t start,
    time_t end, double *pct)
{
	*pct = NAN;
	if (!src->has_check || strcmp(src->check.name, check) != 0)
		return WEB_DATA_INVALID;
	*pct = report_uptime(&src->cfg, &src->check, end,
	    (long)(end - start));
	return WEB_DATA_OK;
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
 * 100 x the mean of `up` over the known rows of (start, end] in the
 * archive librrd picks for resolution res; NAN when none is known.
 */
static int
web_data_mean_up(const char *path, time_t start, time_t end,
    unsigned long res, double *pct)
{
	char		**names = NULL;
	rrd_value_t	*data = NULL;
	unsigned long	 step = res, nds = 0, up, i;

	*pct = NAN;
	rrd_clear_error();
	if (rrd_fetch_r(path, "AVERAGE", &start, &end, &step, &nds, &names,
	    &data) != 0) {
		rrd_clear_error();
		return -1;
	}
	for (up = 0; up < nds; up++)
		if (strcmp(names[up], "up") == 0)
			break;
	if (up < nds && step > 0)
		*pct = 100.0 * web_data_mean(data + up,
		    (unsigned long)(end - start) / step, nds);
	for (i = 0; i < nds; i++)
		rrd_freemem(names[i]);
	rrd_freemem(names);
	rrd_freemem(data);
	return 0;
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
	time_t		 today, first, start, end, kept;
	int		 d, rc = WEB_DATA_ERROR;

	for (d = 0; d < ndays; d++)
		pct[d] = NAN;
	xasprintf(&path, "%s/rrd/%s.rrd", src->state_dir, check);
	rrd_store_flush_file(&src->cfg, path);
	today = now - now % 86400;

	/* Past days: rows of the 1-day archive, each ending at midnight. */
	first = today - (time_t)(ndays - 1) * 86400;
	start = first;
	if (!report_retention_covers(&src->cfg, (long)ndays * 86400) &&
	    (kept = report_file_first(path)) > start)
		start = kept < today ? kept - kept % 86400 : today;
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
			long	day;

			day = (long)((t - first) / 86400);

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

	/*
	 * Today so far: the 5-minute rows (a day of 10 s rows is 8640 rows of
	 * 12 values, and this runs for every check); while none of those is
	 * consolidated yet (just after midnight or a start), the finest rows
	 * of the last ten minutes.
	 */
	rc = WEB_DATA_OK;
	if (web_data_mean_up(path, today, now, 300, &pct[ndays - 1]) == -1 ||
	    !isfinite(pct[ndays - 1]))
		if (web_data_mean_up(path, now - 600 > today ? now - 600 :
		    today, now, 1, &pct[ndays - 1]) == -1)
			rc = WEB_DATA_ERROR;
	free(path);
	return rc;
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
	char		*argv[16], *path = NULL, *esc = NULL, *e;
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
	xasprintf(&path, "%s/rrd/%s.rrd", src->state_dir, src->check.name);
	rrd_store_flush_file(&src->cfg, path);
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
	xasprintf(&argv[argc++], "--start=%lld", (long long)start);
	xasprintf(&argv[argc++], "--end=%lld", (long long)end);
	xasprintf(&argv[argc++], "--width=%d", width);
	xasprintf(&argv[argc++], "--height=%d", height);
	argv[argc++] = xstrdup("--only-graph");
	argv[argc++] = xstrdup("--lower-limit=0");
	argv[argc++] = xstrdup("--color=BACK#f1f5f8");
	argv[argc++] = xstrdup("--color=CANVAS#f1f5f8");
	xasprintf(&argv[argc++], "DEF:up=%s:up:AVERAGE", esc);
	argv[argc++] = xstrdup("CDEF:down=up,UN,UNKN,up,1,LT,INF,UNKN,IF,IF");
	if (strcmp(metric, "availability") == 0) {
		argv[argc++] = xstrdup("CDEF:pct=up,100,*");
		argv[argc++] = xstrdup("AREA:pct#59a14f");
	} else {
		xasprintf(&argv[argc++], "DEF:t=%s:total_ms:AVERAGE", esc);
		argv[argc++] = xstrdup("AREA:t#4e79a7");
	}
	argv[argc++] = xstrdup("AREA:down#e15759aa");

	rrd_clear_error();
	if ((info = rrd_graph_v(argc, argv)) == NULL) {
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
	free(esc);
	free(path);
	return rc;
}
