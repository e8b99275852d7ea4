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
#include "rrd_source.h"
#include "rrd_store.h"
#include "uptime.h"
#include "xmalloc.h"

/* rrd_open's read-only flag (in the private rrd_tool.h; 1 since 1.4). */
#define UPTIME_RRD_READONLY	1
#define UPTIME_MAX_RRA		16
/*
 * Rows of one archive read through a shared rrdcached: FETCH answers
 * every row as text (two days at 1 s took 2.7 s here), and one lock
 * holds librrd's one connection meanwhile.  Past this many, the older
 * part of the period comes from the next coarser archive.
 */
#define UPTIME_REMOTE_ROWS	3600

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

/*
 * The AVERAGE archives of a file behind rrdcached (its INFO), finest
 * first; as uptime_archives.
 */
static int
uptime_archives_info(const struct rrd_sources *ss, const char *path,
    struct uptime_rra *a, char *err, size_t errlen)
{
	rrd_info_t	*info, *i;
	unsigned long	 step = 0, ppr[UPTIME_MAX_RRA], rows[UPTIME_MAX_RRA];
	time_t		 last = 0, len;
	int		 avg[UPTIME_MAX_RRA], k, n = 0, j;

	memset(avg, 0, sizeof avg);
	memset(ppr, 0, sizeof ppr);
	memset(rows, 0, sizeof rows);
	rrd_clear_error();
	if ((info = rrd_source_info(ss, path)) == NULL) {
		snprintf(err, errlen, "%s: %s", path, rrd_get_error());
		rrd_clear_error();
		return -1;
	}
	for (i = info; i != NULL; i = i->next) {
		if (strcmp(i->key, "step") == 0)
			step = i->value.u_cnt;
		else if (strcmp(i->key, "last_update") == 0)
			last = (time_t)i->value.u_cnt;
		else if (sscanf(i->key, "rra[%d].", &k) == 1 && k >= 0 &&
		    k < UPTIME_MAX_RRA) {
			const char *f = strchr(i->key, '.') + 1;

			if (strcmp(f, "cf") == 0)
				avg[k] = strcmp(i->value.u_str, "AVERAGE") == 0;
			else if (strcmp(f, "pdp_per_row") == 0)
				ppr[k] = i->value.u_cnt;
			else if (strcmp(f, "rows") == 0)
				rows[k] = i->value.u_cnt;
		}
	}
	rrd_info_free(info);
	rrd_clear_error();
	for (k = 0; k < UPTIME_MAX_RRA; k++) {
		len = (time_t)(step * ppr[k]);
		if (!avg[k] || len <= 0 || rows[k] == 0)
			continue;
		a[n].len = len;
		a[n].last = last - last % len;
		a[n].first = a[n].last - (time_t)rows[k] * len;
		n++;
	}
	for (k = 1; k < n; k++)
		for (j = k; j > 0 && a[j].len < a[j - 1].len; j--) {
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

/* One row as it counts: from one file, or merged from several. */
struct uptime_row {
	double	up;		/* availability (k of n); NaN: unknown */
	double	answered;	/* share of good results: mean/p95 weight */
	double	total_w;	/* total_ms x answered; NaN: none */
	double	le[UPTIME_NBUCKETS];
};

/* Add the part [lo, hi) of one row to the period u. */
static void
uptime_add(struct uptime *u, const struct check_conf *c,
    uptime_maint_fn maint, time_t lo, time_t hi, const struct uptime_row *r)
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
	up = r->up;
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
	if (!(r->answered > 0))
		return;
	u->sum_up += r->answered * dur;
	if (!isnan(r->total_w))
		u->sum_total += r->total_w * dur;
	for (k = 0; k < UPTIME_NBUCKETS; k++)
		if (!isnan(r->le[k]))
			u->sum_le[k] += r->le[k] * dur;
}

/*
 * k of n, the one place it is decided (report, status, web): a step is
 * down when at least k locations were down in it.  Each location's down
 * share is 1 - up; the step's is the k-th largest of the known ones.  At
 * one step (0 or 1 each) that is exactly "k or more were down"; for a
 * consolidated row it is the share of time k were down when their down
 * time overlapped, as one outage seen from several places does.  Fewer
 * than k known locations cannot make k down: 0.  None known: NaN.
 */
double
uptime_kofn_down(const double *up, size_t n, int k)
{
	double	d[UPTIME_MAX_LOC];
	size_t	i, j, m = 0;

	if (k < 1)
		k = 1;
	for (i = 0; i < n && m < UPTIME_MAX_LOC; i++) {
		if (isnan(up[i]))
			continue;
		/* Insertion, largest first: n is a handful. */
		for (j = m++; j > 0 && d[j - 1] < 1 - up[i]; j--)
			d[j] = d[j - 1];
		d[j] = 1 - up[i];
	}
	if (m == 0)
		return NAN;
	return (size_t)k > m ? 0 : d[k - 1];
}

/* The row of n locations' rows: k of n for up, the mean of the rest. */
static void
uptime_merge(const struct uptime_row *r, size_t n, int k,
    struct uptime_row *out)
{
	double	ups[UPTIME_MAX_LOC], down;
	size_t	i, known = 0;
	int	b;

	if (n == 1) {
		*out = r[0];
		return;
	}
	memset(out, 0, sizeof *out);
	for (i = 0; i < n; i++) {
		ups[i] = r[i].up;
		if (isnan(r[i].up))
			continue;
		known++;
		out->answered += r[i].answered;
		if (!isnan(r[i].total_w))
			out->total_w += r[i].total_w;
		for (b = 0; b < UPTIME_NBUCKETS; b++)
			if (!isnan(r[i].le[b]))
				out->le[b] += r[i].le[b];
	}
	down = uptime_kofn_down(ups, n, k);
	out->up = isnan(down) ? NAN : 1 - down;
	if (known == 0)
		return;
	out->answered /= (double)known;
	out->total_w /= (double)known;
	for (b = 0; b < UPTIME_NBUCKETS; b++)
		out->le[b] /= (double)known;
}

/* What one fetch of one file gave. */
struct uptime_fetch {
	time_t		 fs, fe;
	unsigned long	 step, nds;
	char		**names;
	rrd_value_t	*data;
	int		 ix_up, ix_total, ix_le[UPTIME_NBUCKETS];
};

static void
uptime_fetch_free(struct uptime_fetch *f)
{
	unsigned long	i;

	for (i = 0; i < f->nds; i++)
		rrd_freemem(f->names[i]);
	rrd_freemem(f->names);
	rrd_freemem(f->data);
}

/* Fetch [p->lo, p->hi) of path at p->len; 0 or -1 with err. */
static int
uptime_fetch(const struct rrd_sources *ss, const char *path,
    const struct uptime_plan *p, struct uptime_fetch *f, char *err,
    size_t errlen)
{
	int	k;

	memset(f, 0, sizeof *f);
	f->fs = p->lo;
	f->fe = p->hi;
	f->step = (unsigned long)p->len;
	rrd_clear_error();
	if (rrd_source_fetch(ss, path, "AVERAGE", &f->fs, &f->fe, &f->step,
	    &f->nds, &f->names, &f->data) != 0) {
		snprintf(err, errlen, "%s", rrd_get_error());
		rrd_clear_error();
		memset(f, 0, sizeof *f);
		return -1;
	}
	f->ix_up = uptime_ds(f->names, f->nds, "up");
	f->ix_total = uptime_ds(f->names, f->nds, "total_ms");
	for (k = 0; k < UPTIME_NBUCKETS; k++)
		f->ix_le[k] = uptime_ds(f->names, f->nds,
		    rrd_ds_names[RRD_DS_LE_100 + k]);
	if (f->ix_up < 0) {
		snprintf(err, errlen, "%s has no up data source", path);
		uptime_fetch_free(f);
		return -1;
	}
	return 0;
}

/* The row of f that covers t (ends at or after it), as it counts. */
static void
uptime_row_at(const struct uptime_fetch *f, time_t t, struct uptime_row *r)
{
	const rrd_value_t	*row;
	unsigned long		 i, nrows;
	int			 k;

	r->up = r->answered = r->total_w = NAN;
	for (k = 0; k < UPTIME_NBUCKETS; k++)
		r->le[k] = NAN;
	nrows = f->step > 0 ? (unsigned long)(f->fe - f->fs) / f->step : 0;
	if (t <= f->fs || f->step == 0 ||
	    (i = (unsigned long)(t - f->fs - 1) / f->step) >= nrows)
		return;
	row = f->data + i * f->nds;
	r->up = r->answered = row[f->ix_up];
	if (f->ix_total >= 0 && !isnan(row[f->ix_total]))
		r->total_w = row[f->ix_total] * r->up;
	for (k = 0; k < UPTIME_NBUCKETS; k++)
		if (f->ix_le[k] >= 0)
			r->le[k] = row[f->ix_le[k]];
}

/*
 * Read [lo, hi) at resolution len from every file and add the rows to
 * the periods: the first file's rows set the grid (one file: exactly its
 * rows), each other file's row covering the same end time joins them.
 */
static int
uptime_read(const struct rrd_sources *ss, const struct check_conf *c,
    uptime_maint_fn maint, const struct uptime_plan *p, struct uptime *out,
    int nb, char *err, size_t errlen)
{
	struct uptime_fetch	 f[UPTIME_MAX_LOC];
	struct uptime_row	 rows[UPTIME_MAX_LOC], row;
	size_t			 n = 0, j;
	time_t			 t, lo, hi;
	unsigned long		 i, nrows, step;
	int			 b, k, rc = -1;

	for (j = 0; j < ss->n && j < UPTIME_MAX_LOC; j++) {
		if (uptime_fetch(ss, ss->v[j].path, p, &f[n], err,
		    errlen) == -1)
			goto out;
		n++;
	}
	/* k of the files there are: one node's confirm is always met. */
	k = c != NULL && c->confirm > 1 ? c->confirm : 1;
	if ((size_t)k > n)
		k = (int)n;
	step = f[0].step;
	nrows = step > 0 ? (unsigned long)(f[0].fe - f[0].fs) / step : 0;
	for (i = 0; i < nrows; i++) {
		/* Row i covers (fs + i * step, fs + (i + 1) * step]. */
		t = f[0].fs + (time_t)((i + 1) * step);
		lo = t - (time_t)step > p->lo ? t - (time_t)step : p->lo;
		hi = t < p->hi ? t : p->hi;
		if (hi <= lo)
			continue;
		for (j = 0; j < n; j++)
			uptime_row_at(&f[j], t, &rows[j]);
		uptime_merge(rows, n, k, &row);
		for (b = 0; b < nb; b++) {
			if (out[b].end <= lo || out[b].start >= hi)
				continue;
			if (out[b].resolution == 0 || step < out[b].resolution)
				out[b].resolution = step;
			uptime_add(&out[b], c, maint, lo, hi, &row);
		}
	}
	rc = 0;
out:
	for (j = 0; j < n; j++)
		uptime_fetch_free(&f[j]);
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

/*
 * The archives of the set: each file's (a missing local file skipped,
 * taken out of *live); the table of the file written last is the plan's
 * (every location's file has the same layout).  Returns their count, 0
 * when no file is there yet, -1 on an unreadable file.
 */
static int
uptime_set_archives(struct rrd_sources *live, struct uptime_rra *a,
    char *err, size_t errlen)
{
	struct uptime_rra	 t[UPTIME_MAX_RRA];
	size_t			 j, m = 0;
	int			 n = 0, tn;

	for (j = 0; j < live->n; j++) {
		const char *path = live->v[j].path;

		if (live->daemon == NULL && access(path, F_OK) == -1 &&
		    errno == ENOENT)
			continue;	/* nothing recorded yet */
		tn = live->daemon != NULL ?
		    uptime_archives_info(live, path, t, err, errlen) :
		    uptime_archives(path, t, err, errlen);
		if (tn == -1)
			return -1;
		if (tn > 0 && (n == 0 || t[0].last > a[0].last)) {
			memcpy(a, t, (size_t)tn * sizeof *a);
			n = tn;
		}
		live->v[m++] = live->v[j];
	}
	live->n = m;
	return n;
}

/* Everything but the period's bounds to zero, the figures unknown. */
static void
uptime_clear(struct uptime *u)
{
	time_t	start = u->start, end = u->end;

	memset(u, 0, sizeof *u);
	u->start = start;
	u->end = end;
	u->uptime_pct = u->mean_ms = u->p95_ms = NAN;
}

int
uptime_sources_split(const struct rrd_sources *ss,
    const struct check_conf *c, uptime_maint_fn maint, time_t start,
    time_t len, int nb, time_t now, struct uptime *out, char *err,
    size_t errlen)
{
	int			 b;

	for (b = 0; b < nb; b++) {
		out[b].start = start + (time_t)b * len;
		out[b].end = out[b].start + len;
	}
	if (nb <= 0 || len <= 0) {
		for (b = 0; b < nb; b++)
			uptime_clear(&out[b]);
		snprintf(err, errlen, "the period ends before it starts");
		return -1;
	}
	return uptime_sources_periods(ss, c, maint, out, nb, now, err, errlen);
}

int
uptime_sources_periods(const struct rrd_sources *ss,
    const struct check_conf *c, uptime_maint_fn maint, struct uptime *out,
    int nb, time_t now, char *err, size_t errlen)
{
	struct uptime_rra	 a[UPTIME_MAX_RRA];
	struct uptime_plan	 plan[UPTIME_MAX_RRA];
	struct rrd_sources	 live;
	time_t			 start, end, cursor, lo, hi;
	int			 n, np = 0, k, b, rc = 0;

	if (nb <= 0) {
		snprintf(err, errlen, "no period");
		return -1;
	}
	start = out[0].start;
	end = out[0].end;
	for (b = 0; b < nb; b++) {
		if (out[b].start < start)
			start = out[b].start;
		if (out[b].end > end)
			end = out[b].end;
		uptime_clear(&out[b]);
	}
	/* A shallow copy: the files that are there (the strings shared). */
	live = *ss;
	live.v = xreallocarray(NULL, ss->n > 0 ? ss->n : 1, sizeof *live.v);
	memcpy(live.v, ss->v, ss->n * sizeof *live.v);
	if ((n = uptime_set_archives(&live, a, err, errlen)) == -1) {
		free(live.v);
		return -1;
	}
	if (live.n == 0)
		goto done;	/* nothing recorded yet: all unknown */
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
		if (live.daemon != NULL && k + 1 < n &&
		    hi - lo > UPTIME_REMOTE_ROWS * a[k].len) {
			lo = hi - UPTIME_REMOTE_ROWS * a[k].len;
			if (lo % a[k + 1].len != 0)
				lo += a[k + 1].len - lo % a[k + 1].len;
		}
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
		if ((rc = uptime_read(&live, c, maint, &plan[np], out, nb, err,
		    errlen)) == -1)
			break;
done:
	free(live.v);
	for (b = 0; b < nb; b++)
		uptime_finish(&out[b], now);
	return rc;
}

int
uptime_file_split(const char *path, const struct check_conf *c,
    uptime_maint_fn maint, time_t start, time_t len, int nb, time_t now,
    struct uptime *out, char *err, size_t errlen)
{
	struct rrd_sources	ss;
	int			rc;

	rrd_sources_one(&ss, path);
	rc = uptime_sources_split(&ss, c, maint, start, len, nb, now, out,
	    err, errlen);
	rrd_sources_free(&ss);
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
	struct rrd_sources	ss;
	int			rc;

	if (end <= start)
		return uptime_file("", c, maint_active, start, end, now, out,
		    err, errlen);
	if (rrd_sources_find(cfg, c->name, &ss, err, errlen) == -1) {
		memset(out, 0, sizeof *out);
		out->uptime_pct = out->mean_ms = out->p95_ms = NAN;
		return -1;
	}
	rrd_sources_flush(cfg, &ss);
	rc = uptime_sources_split(&ss, c, maint_active, start, end - start, 1,
	    now, out, err, errlen);
	rrd_sources_free(&ss);
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
