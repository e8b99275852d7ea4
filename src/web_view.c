/*
 * web_view.c -- the web's per-check view: the recent results, kept from
 * web_record(), and what refresh jobs read off the loop (open tickets,
 * the mail queue, uptime figures).  A check's status (state, since,
 * ticket) is the incident engine's (incidents_status()), not kept here.
 *
 * DESIGN
 * The pages are served on the loop from this memory.  A timer starts the
 * refresh jobs every WEB_REFRESH_S on the web's worker threads: tickets,
 * the mail queue and (PostgreSQL) each location's verdict each time;
 * uptime figures a batch of checks at a time (one read of a check's
 * files for all its figures), so a tick costs the same whatever the
 * number of checks.  A job works on its own copies (web_src) and its
 * done function swaps the answers in on the loop; a job already running
 * is never doubled.
 * The records sit at their check's registry id (registry.h), made on
 * first use; web_view_reload(), which the daemon's SIGHUP reaches via
 * web_reload(), frees those of checks that left the config.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "assign.h"
#include "config.h"
#include "incident.h"
#include "locations.h"
#include "log.h"
#include "registry.h"
#include "result.h"
#include "rrd_source.h"
#include "status_json.h"
#include "store.h"
#include "util.h"
#include "web_data.h"
#include "web_int.h"
#include "web_render.h"
#include "web_view.h"
#include "xmalloc.h"

#define WEB_REFRESH_S		5	/* tickets and states */
#define WEB_STATS_MS		60000	/* uptime 24 h / 30 d */
#define WEB_STATS_BATCH		64	/* checks per uptime job, at most */
#define WEB_STATS_BATCH_MIN	8	/* and at least */
#define WEB_STATS_ROUND_S	600	/* a round spread over this, if it can */
#define WEB_FIGURES_BACKLOG	100000	/* figures waiting for the db */

struct web_view {
	struct web		*w;		/* its config and queues */
	struct web_check	**by_id;	/* [registry id], NULL: none */
	size_t			 nby_id;

	json_t			*tickets;	/* open; NULL: unknown */
	json_t			*history;	/* the last 14 days' */
	char			*tickets_err;	/* why it is NULL */
	int			 db_busy;	/* refresh job queued */
	long long		 mail_queued;	/* outbox rows; -1: unknown */
	long long		 mail_failed;
	long long		 notify_queued;	/* the same, channels' */
	long long		 notify_failed;
	/* k of n: every location's verdict (sorted); none on SQLite. */
	struct store_location	*locs;
	size_t			 nlocs;
	time_t			 locs_at;	/* when they were read */
	int			 stats_busy;
	uint64_t		 stats_first_ms; /* no uptime job before */
	uint64_t		 stats_due_ms;	/* next round */
	size_t			 stats_next;	/* next check of the round */
	int			 stats_turn;	/* jobs of one: marked or round */
	unsigned		*dirty;		/* ids marked (view_mark) */
	size_t			 ndirty, dirty_cap;
	/* Figures read here, for the other nodes; the last row read back. */
	struct store_figures	*fig_put;
	size_t			 nfig_put, fig_put_cap;
	long long		 fig_seq;
	struct event		*ev_refresh;
};

static void	view_mark(struct web_view *, const struct check_conf *);
static void	view_figures_take(struct web_view *,
		    const struct store_figures *, size_t);

int
web_state_rank(enum sw_state st)
{
	switch (st) {
	case SW_STATE_DOWN:
		return 0;
	case SW_STATE_DEGRADED:
		return 1;
	case SW_STATE_UNKNOWN:
		return 2;
	default:
		return 3;
	}
}

enum sw_state
web_check_state(const struct web_check *wc)
{
	return wc != NULL && web_check_have(wc) ? wc->st->state :
	    SW_STATE_UNKNOWN;
}

int
web_check_stale(const struct web_check *wc, const struct check_conf *c,
    time_t now)
{
	return wc != NULL && web_check_have(wc) && status_stale(wc->st,
	    c->interval, now, 1, 0);
}

/* Before a check's first result, and for checks the engine never saw. */
static const struct check_status view_unknown = {
	.state = SW_STATE_UNKNOWN,
	.cause = SW_CAUSE_UNKNOWN,
	.message = "",
};

struct web_check *
web_view_check(struct web_view *v, const struct check_conf *c)
{
	struct web_check	*wc;

	v->by_id = registry_slots(v->by_id, &v->nby_id, c->id,
	    sizeof *v->by_id);
	if ((wc = v->by_id[c->id]) == NULL) {
		wc = v->by_id[c->id] = xcalloc(1, sizeof *wc);
		wc->up24 = wc->up30 = wc->down24 = wc->down30 = NAN;
	}
	if ((wc->st = incidents_status(v->w->incidents, c->id)) == NULL)
		wc->st = &view_unknown;
	return wc;
}

/* Free one check's record and what it grew. */
static void
view_check_free(struct web_check *wc)
{
	free(wc->last);
	free(wc->daily);
	free(wc);
}

void
web_view_reload(struct web_view *v, const struct config *cfg)
{
	size_t	i;

	(void)cfg;			/* already bound to the registry */
	for (i = 0; i < v->nby_id; i++) {
		if (v->by_id[i] != NULL &&
		    registry_conf(v->w->reg, (unsigned)i) == NULL) {
			view_check_free(v->by_id[i]);
			v->by_id[i] = NULL;
		}
	}
	v->stats_next = 0;
}

/* Keep what the pages show of r. */
static void
view_last_set(struct web_last *l, const struct result *r)
{
	l->at = r->at;
	l->up = r->up;
	l->cert_days_left = r->cert_days_left;
	l->dns_ms = (float)r->dns_ms;
	l->connect_ms = (float)r->connect_ms;
	l->tls_ms = (float)r->tls_ms;
	l->ttfb_ms = (float)r->ttfb_ms;
	l->total_ms = (float)r->total_ms;
	l->bytes = r->bytes;
}

void
web_view_record(struct web_view *v, const struct check_conf *c,
    const struct result *r)
{
	struct web_check	*wc;

	if (registry_conf(v->w->reg, c->id) == NULL)
		return;			/* left the config meanwhile */
	wc = web_view_check(v, c);
	if (wc->last == NULL)
		wc->last = xcalloc(1, sizeof *wc->last);
	view_last_set(wc->last, r);
	if (!r->up || r->state != SW_STATE_UP)
		view_mark(v, c);
}

json_t *
web_view_history(struct web_view *v)
{
	return v->history;
}

json_t *
web_view_tickets(struct web_view *v, const char **err)
{
	*err = v->tickets_err != NULL ? v->tickets_err : "not read yet";
	return v->tickets;
}

void
web_view_mail(struct web_view *v, long long *queued, long long *failed)
{
	*queued = v->mail_queued;
	*failed = v->mail_failed;
}

void
web_view_notify(struct web_view *v, long long *queued, long long *failed)
{
	*queued = v->notify_queued;
	*failed = v->notify_failed;
}

int
web_view_locations(struct web_view *v, struct locations *out)
{
	memset(out, 0, sizeof *out);
	if (!store_is_uri(v->w->cfg->database))
		return 0;
	out->v = v->locs;
	out->n = v->nlocs;
	/*
	 * Judged as of the read, not now: the heartbeats in the copy are as
	 * old as it is (up to WEB_REFRESH_S), and a node_timeout shorter
	 * than that would make every node look gone.  A node that stops is
	 * seen gone one refresh later.
	 */
	out->fresh_after = v->locs_at - v->w->cfg->node_timeout;
	return 1;
}

void
web_view_poke(struct web_view *v)
{
	event_active(v->ev_refresh, 0, 1);	/* not EV_TIMEOUT: see below */
	/* The check's open ticket is the engine's: it reads it back too. */
	incidents_poke(v->w->incidents);
}

/* ---- tickets and the mail queue: the db job ---- */

struct view_db_job {
	struct web_view		*v;
	struct web_src		 src;
	json_t			*tickets;
	json_t			*history;
	long long		 mail_queued;
	long long		 mail_failed;
	long long		 notify_queued;
	long long		 notify_failed;
	struct store_location	*locs;
	size_t			 nlocs;
	time_t			 locs_at;
	int			 locs_rc;
	/* The figures this node read, to write; those read back. */
	struct store_figures	*put, *got;
	size_t			 nput, ngot;
	long long		 after;
	int			 fig_rc;
	int			 rc;
	char			 err[256];
};

static void
view_db_work(struct web_job *job)
{
	struct view_db_job	*r = job->arg;
	char			 err[256];

	r->rc = web_data_tickets(web_queue_data(job), &r->src, 0,
	    &r->tickets, r->err, sizeof r->err);
	web_data_history(web_queue_data(job), &r->src, time(NULL) -
	    RENDER_HISTORY_DAYS * 86400, &r->history, err, sizeof err);
	web_data_mail_queue(web_queue_data(job), &r->src, &r->mail_queued,
	    &r->mail_failed, &r->notify_queued, &r->notify_failed, err,
	    sizeof err);
	r->locs_at = time(NULL);
	r->locs_rc = web_data_locations(web_queue_data(job), &r->src,
	    &r->locs, &r->nlocs, err, sizeof err);
	r->fig_rc = web_data_figures(web_queue_data(job), &r->src, r->put,
	    r->nput, r->after, &r->got, &r->ngot, err, sizeof err);
}

/*
 * A location failing elsewhere changes this check's figures too (k of n):
 * its lead marks it.
 */
static void
view_locations_mark(struct web_view *v)
{
	const struct check_conf	*c;
	size_t			 i;

	for (i = 0; i < v->nlocs; i++) {
		if (strcmp(v->locs[i].state, "down") != 0 &&
		    strcmp(v->locs[i].state, "degraded") != 0)
			continue;
		if ((c = registry_check(v->w->reg, v->locs[i].check)) != NULL)
			view_mark(v, c);
	}
}

/* Rows a job could not write go back in front of the newer ones. */
static void
view_figures_requeue(struct web_view *v, struct store_figures *rows,
    size_t n)
{
	size_t	total = n + v->nfig_put;

	if (n == 0) {
		free(rows);
		return;
	}
	/* A database away for long: keep a bounded backlog. */
	if (total > WEB_FIGURES_BACKLOG) {
		store_figures_free(rows, n);
		return;
	}
	rows = xreallocarray(rows, total, sizeof *rows);
	if (v->nfig_put > 0)
		memcpy(rows + n, v->fig_put, v->nfig_put * sizeof *rows);
	free(v->fig_put);
	v->fig_put = rows;
	v->nfig_put = v->fig_put_cap = total;
}

static void
view_db_done(struct web_job *job)
{
	struct view_db_job	*r = job->arg;
	struct web_view		*v = r->v;

	if (job->cancelled)
		goto out;
	v->db_busy = 0;
	v->mail_queued = r->mail_queued;
	v->mail_failed = r->mail_failed;
	v->notify_queued = r->notify_queued;
	v->notify_failed = r->notify_failed;
	json_decref(v->tickets);
	free(v->tickets_err);
	v->tickets = NULL;
	v->tickets_err = NULL;
	if (r->rc == WEB_DATA_OK) {
		v->tickets = r->tickets;
		r->tickets = NULL;
	} else
		v->tickets_err = xstrdup(r->err);
	/* Verdicts that could not be read keep the last ones read. */
	if (r->locs_rc != WEB_DATA_ERROR) {
		free(v->locs);
		v->locs = r->locs;
		v->nlocs = r->nlocs;
		v->locs_at = r->locs_at;
		r->locs = NULL;
		view_locations_mark(v);
	}
	if (r->fig_rc == WEB_DATA_OK)
		view_figures_take(v, r->got, r->ngot);
	else if (r->fig_rc == WEB_DATA_ERROR && r->nput > 0) {
		/* Not written: again with the next job, before the newer. */
		view_figures_requeue(v, r->put, r->nput);
		r->put = NULL;
		r->nput = 0;
	}
	/* A history that could not be read keeps the last one read. */
	if (r->history != NULL) {
		json_decref(v->history);
		v->history = r->history;
		r->history = NULL;
	}
out:
	store_figures_free(r->put, r->nput);
	store_figures_free(r->got, r->ngot);
	free(r->locs);
	json_decref(r->history);
	json_decref(r->tickets);
	web_src_free(&r->src);
	free(r);
}

/* Queue the db job unless one is on its way. */
static void
view_db_start(struct web_view *v, uint64_t now)
{
	struct view_db_job	*dr;

	(void)now;
	if (v->db_busy)
		return;
	dr = xcalloc(1, sizeof *dr);
	dr->v = v;
	web_src_init(&dr->src, v->w->cfg, NULL);
	/* The job owns the figures to write from here on. */
	dr->put = v->fig_put;
	dr->nput = v->nfig_put;
	dr->after = v->fig_seq;
	v->fig_put = NULL;
	v->nfig_put = v->fig_put_cap = 0;
	if (web_queue_push(v->w->q_db, view_db_work, view_db_done, dr) == 0)
		v->db_busy = 1;
	else {
		view_figures_requeue(v, dr->put, dr->nput);
		web_src_free(&dr->src);
		free(dr);
	}
}

/* ---- uptime figures: the stats job ---- */

/*
 * Which checks are read, and when.  A check's figures (24 hours, 30 days,
 * the daily bars) change only when it fails or when an old failure ages
 * out of a window.  So a check is read when it was never read, when it
 * is marked (a failing result here, a failing location elsewhere, a
 * state other than up), once a day for the bars' new day, and each round
 * while some figure is below 100 % -- not while every figure is 100 %
 * and nothing failed: most of 100,000 checks cost nothing between rounds.
 * A marked check is read again at most every WEB_DIRTY_S, and the marked
 * ones leave room in each job for the round, so that checks failing for
 * days do not keep new ones from their first read.
 *
 * Several nodes: only a check's lead node (assign.h) reads its files, and
 * writes what it read to the database; every node reads back what the
 * leads wrote since its last look (the db job), so a cluster reads each
 * file once, not once a node.
 */
#define STATS_DIRTY	0x01		/* a failure since the last read */
#define STATS_BUSY	0x02		/* queued in a job */
#define STATS_HAVE_DAILY 0x04		/* the daily bars were read */
#define WEB_DIRTY_S	10

static uint32_t
view_mono_s(void)
{
	return (uint32_t)(util_mono_ms() / 1000) + 1;	/* never 0 */
}

static unsigned short
view_today(time_t now)
{
	return (unsigned short)(now / 86400);
}

static int
view_leads(const struct web_view *v, const struct check_conf *c)
{
	return assign_leads(c->id, v->w->assign);
}

/* Mark a check to be read again soon (on the loop). */
static void
view_mark(struct web_view *v, const struct check_conf *c)
{
	struct web_check	*wc;

	if (!view_leads(v, c))
		return;
	wc = web_view_check(v, c);
	if (wc->stats_flags & STATS_DIRTY)
		return;
	wc->stats_flags |= STATS_DIRTY;
	if (v->ndirty == v->dirty_cap) {
		v->dirty_cap = v->dirty_cap ? 2 * v->dirty_cap : 64;
		v->dirty = xreallocarray(v->dirty, v->dirty_cap,
		    sizeof *v->dirty);
	}
	v->dirty[v->ndirty++] = c->id;
}

/* Whether the round reads check c now (see above). */
static int
view_stats_needed(const struct web_view *v, const struct check_conf *c,
    unsigned short today)
{
	const struct web_check	*wc;
	const struct check_status *st;

	wc = c->id < v->nby_id ? v->by_id[c->id] : NULL;
	if (wc != NULL && (wc->stats_flags & STATS_BUSY))
		return 0;
	if (!view_leads(v, c))
		return 0;
	if (wc == NULL || wc->stats_at == 0 || (wc->stats_flags & STATS_DIRTY))
		return 1;
	st = incidents_status(v->w->incidents, c->id);
	if (st != NULL && st->state != SW_STATE_UP)
		return 1;
	return !(wc->up24 == 100.0 && wc->up30 == 100.0) ||
	    wc->daily != NULL || wc->daily_day != today;
}

struct view_stats_job {
	struct web_view		*v;
	struct web_src		*srcs;		/* one per check */
	size_t			 n;
	time_t			 now;
	double			*up24, *up30, *days;
	double			*down24, *down30;
};

static void
view_stats_work(struct web_job *job)
{
	struct view_stats_job	*r = job->arg;
	struct web_src		*src;
	double			 pct[2], down[2];
	size_t			 i;

	for (i = 0; i < r->n; i++) {
		src = &r->srcs[i];
		web_data_read_figures(src, r->now, WEB_DAYS, pct, down,
		    &r->days[i * WEB_DAYS]);
		r->up24[i] = pct[0];
		r->up30[i] = pct[1];
		r->down24[i] = down[0];
		r->down30[i] = down[1];
	}
}

static void
view_stats_free(struct view_stats_job *r)
{
	size_t	i;

	for (i = 0; i < r->n; i++)
		web_src_free(&r->srcs[i]);
	free(r->srcs);
	free(r->up24);
	free(r->up30);
	free(r->down24);
	free(r->down30);
	free(r->days);
	free(r);
}

/*
 * Keep a check's daily bars: whole when some known day was below 100 %,
 * else only where the known days start (unknown days after a known one
 * need the whole array too).
 */
static void
view_daily_set(struct web_check *wc, const double *days, unsigned short day)
{
	size_t	from, d;

	for (from = 0; from < WEB_DAYS && !isfinite(days[from]); from++)
		;
	for (d = from; d < WEB_DAYS && days[d] == 100.0; d++)
		;
	if (d == WEB_DAYS) {
		free(wc->daily);
		wc->daily = NULL;
		wc->daily_from = (unsigned char)from;
	} else {
		if (wc->daily == NULL)
			wc->daily = xcalloc(WEB_DAYS, sizeof *wc->daily);
		for (d = 0; d < WEB_DAYS; d++)
			wc->daily[d] = (float)days[d];
	}
	wc->stats_flags |= STATS_HAVE_DAILY;
	wc->daily_day = day;
}

const float *
web_view_daily(const struct web_check *wc, float buf[WEB_DAYS])
{
	size_t	d;

	if (wc == NULL || !(wc->stats_flags & STATS_HAVE_DAILY))
		return NULL;
	if (wc->daily != NULL)
		return wc->daily;
	for (d = 0; d < WEB_DAYS; d++)
		buf[d] = d < wc->daily_from ? NAN : 100.0f;
	return buf;
}

/* Queue one check's figures for the other nodes (PostgreSQL only). */
static void
view_figures_queue(struct web_view *v, const char *check, time_t at,
    const double *f, const double *days)
{
	struct store_figures	*row;
	char			*p;
	size_t			 d, len = WEB_DAYS * 16;

	if (!store_is_uri(v->w->cfg->database))
		return;
	if (v->nfig_put == v->fig_put_cap) {
		v->fig_put_cap = v->fig_put_cap ? 2 * v->fig_put_cap : 64;
		v->fig_put = xreallocarray(v->fig_put, v->fig_put_cap,
		    sizeof *v->fig_put);
	}
	row = &v->fig_put[v->nfig_put++];
	memset(row, 0, sizeof *row);
	snprintf(row->check, sizeof row->check, "%s", check);
	row->up24 = f[0];
	row->down24 = f[1];
	row->up30 = f[2];
	row->down30 = f[3];
	row->at = at;
	row->days = p = xmalloc(len);
	p[0] = '\0';
	for (d = 0; d < WEB_DAYS; d++)
		p += snprintf(p, len - (size_t)(p - row->days), "%s%.6g",
		    d > 0 ? " " : "", days[d]);
}

/*
 * Figures other nodes read (and ours, back from the database): taken for
 * the checks this node does not lead, and for those it leads but has not
 * read since it started -- a restart need not read every file again.
 */
static void
view_figures_take(struct web_view *v, const struct store_figures *rows,
    size_t n)
{
	const struct check_conf	*c;
	struct web_check	*wc;
	double			 days[WEB_DAYS];
	const char		*p;
	char			*end;
	size_t			 i, d;

	for (i = 0; i < n; i++) {
		if (rows[i].seq > v->fig_seq)
			v->fig_seq = rows[i].seq;
		if ((c = registry_check(v->w->reg, rows[i].check)) == NULL)
			continue;
		wc = web_view_check(v, c);
		if (view_leads(v, c) && wc->stats_at != 0)
			continue;	/* read here: as new or newer */
		wc->up24 = rows[i].up24;
		wc->down24 = rows[i].down24;
		wc->up30 = rows[i].up30;
		wc->down30 = rows[i].down30;
		wc->stats_at = view_mono_s();
		if (rows[i].days == NULL)
			continue;
		for (d = 0, p = rows[i].days; d < WEB_DAYS; d++, p = end) {
			days[d] = strtod(p, &end);
			if (end == p)
				break;
		}
		for (; d < WEB_DAYS; d++)
			days[d] = NAN;
		view_daily_set(wc, days, view_today(rows[i].at));
	}
}

static void
view_stats_done(struct web_job *job)
{
	struct view_stats_job	*r = job->arg;
	struct web_check	*wc;
	const struct check_conf	*c;
	uint32_t		 at = view_mono_s();
	size_t			 i;

	if (job->cancelled)
		goto out;
	r->v->stats_busy = 0;
	for (i = 0; i < r->n; i++) {
		double f[4] = { r->up24[i], r->down24[i], r->up30[i],
		    r->down30[i] };

		/* By id: a check gone meanwhile has no record to fill. */
		if ((c = registry_conf(r->v->w->reg, r->srcs[i].check.id)) ==
		    NULL)
			continue;
		wc = web_view_check(r->v, c);
		wc->stats_flags &= ~STATS_BUSY;
		wc->stats_at = at;
		wc->up24 = f[0];
		wc->down24 = f[1];
		wc->up30 = f[2];
		wc->down30 = f[3];
		view_daily_set(wc, &r->days[i * WEB_DAYS], view_today(r->now));
		view_figures_queue(r->v, c->name, r->now, f,
		    &r->days[i * WEB_DAYS]);
	}
out:
	view_stats_free(r);
}

/*
 * Checks per uptime job: enough for a round in WEB_STATS_ROUND_S, within
 * bounds.  Figures of 24 hours and 30 days barely move in ten minutes,
 * and each check costs a few RRD reads, so 2,000 checks take 17 a tick
 * rather than 64 (a few ms of CPU a second saved for every second).
 * Files behind a shared rrdcached cost far more -- every row crosses the
 * network as text, and each read makes rrdcached write the file's queued
 * values first -- so there the cluster as a whole reads at most a round
 * of every check in WEB_STATS_REMOTE_S, each node its share: a file costs
 * the same to read whether one node or three share the checks.
 */
#define WEB_STATS_REMOTE_S	(3 * 3600)

static size_t
view_stats_batch(const struct web_view *v, const struct config *cfg,
    size_t nchecks)
{
	size_t	n, nodes;

	if (rrd_source_remote(cfg)) {
		nodes = assign_live(v->w->assign);
		n = (nchecks * WEB_REFRESH_S + WEB_STATS_REMOTE_S * nodes - 1) /
		    (WEB_STATS_REMOTE_S * nodes);
		return n > WEB_STATS_BATCH ? WEB_STATS_BATCH : n > 0 ? n : 1;
	}
	n = (nchecks * WEB_REFRESH_S + WEB_STATS_ROUND_S - 1) /
	    WEB_STATS_ROUND_S;
	if (n < WEB_STATS_BATCH_MIN)
		n = WEB_STATS_BATCH_MIN;
	return n > WEB_STATS_BATCH ? WEB_STATS_BATCH : n;
}

/* Take check c into job sr (its slot i). */
static void
view_stats_take(struct web_view *v, struct view_stats_job *sr,
    const struct check_conf *c)
{
	struct web_check	*wc = web_view_check(v, c);

	wc->stats_flags = (unsigned char)((wc->stats_flags & ~STATS_DIRTY) |
	    STATS_BUSY);
	web_src_init(&sr->srcs[sr->n++], v->w->cfg, c);
}

/*
 * Uptime figures come from the RRD files, a few fetches per check: one
 * job takes a batch of checks -- the marked ones first, then the round's
 * next ones that need reading -- and the next tick the next batch, so the
 * cost per tick is bounded whatever the number of checks.
 */
static void
view_stats_start(struct web_view *v, uint64_t now)
{
	const struct config	*cfg = v->w->cfg;
	const struct check_conf	*c;
	struct view_stats_job	*sr;
	struct web_check	*wc;
	uint32_t		 mono = view_mono_s();
	unsigned short		 today;
	size_t			 i, kept, batch, marked;

	if (v->stats_busy || now < v->stats_first_ms)
		return;
	batch = view_stats_batch(v, cfg, cfg->nchecks);
	sr = xcalloc(1, sizeof *sr);
	sr->v = v;
	sr->now = time(NULL);
	today = view_today(sr->now);
	sr->srcs = xcalloc(batch + 1, sizeof *sr->srcs);
	/* A quarter of the job for the round; a job of one, every other. */
	v->stats_turn ^= 1;
	marked = batch > 1 ? batch - (batch / 4 > 0 ? batch / 4 : 1) :
	    (size_t)v->stats_turn;
	/* The marked checks whose last read is old enough. */
	for (i = kept = 0; i < v->ndirty; i++) {
		if ((c = registry_conf(v->w->reg, v->dirty[i])) == NULL)
			continue;	/* left the config */
		wc = web_view_check(v, c);
		if (!(wc->stats_flags & STATS_DIRTY))
			continue;	/* read meanwhile */
		if (sr->n < marked && !(wc->stats_flags & STATS_BUSY) &&
		    (wc->stats_at == 0 || mono - wc->stats_at >= WEB_DIRTY_S))
			view_stats_take(v, sr, c);
		else
			v->dirty[kept++] = v->dirty[i];
	}
	v->ndirty = kept;
	/* The round. */
	if (now >= v->stats_due_ms) {
		if (v->stats_next >= cfg->nchecks)
			v->stats_next = 0;
		while (sr->n < batch && v->stats_next < cfg->nchecks) {
			c = cfg->checks[v->stats_next++];
			if (view_stats_needed(v, c, today))
				view_stats_take(v, sr, c);
		}
		if (v->stats_next >= cfg->nchecks) {
			/* The round is complete. */
			v->stats_next = 0;
			v->stats_due_ms = now + WEB_STATS_MS;
		}
	}
	if (sr->n == 0) {
		view_stats_free(sr);
		return;
	}
	sr->up24 = xcalloc(sr->n, sizeof *sr->up24);
	sr->down24 = xcalloc(sr->n, sizeof *sr->down24);
	sr->down30 = xcalloc(sr->n, sizeof *sr->down30);
	sr->up30 = xcalloc(sr->n, sizeof *sr->up30);
	sr->days = xcalloc(sr->n * WEB_DAYS, sizeof *sr->days);
	if (web_queue_push(v->w->q_stats, view_stats_work, view_stats_done,
	    sr) == -1) {
		for (i = 0; i < sr->n; i++)
			if ((c = registry_conf(v->w->reg,
			    sr->srcs[i].check.id)) != NULL)
				web_view_check(v, c)->stats_flags &=
				    ~STATS_BUSY;
		view_stats_free(sr);
		return;
	}
	v->stats_busy = 1;
}

/* Timer: start the refresh jobs that are due and not already running. */
static void
view_refresh(evutil_socket_t fd, short what, void *arg)
{
	struct web_view	*v = arg;
	uint64_t	 now = util_mono_ms();

	(void)fd;
	(void)what;
	view_db_start(v, now);
	view_stats_start(v, now);
}

struct web_view *
web_view_new(struct web *w)
{
	struct web_view	*v;
	struct timeval	 every = { WEB_REFRESH_S, 0 };

	v = xcalloc(1, sizeof *v);
	v->w = w;
	v->mail_queued = v->mail_failed = -1;
	v->notify_queued = v->notify_failed = -1;
	if ((v->ev_refresh = event_new(w->base, -1, EV_PERSIST, view_refresh,
	    v)) == NULL)
		fatal("web: event_new failed");
	event_add(v->ev_refresh, &every);
	/* The first figures a few seconds in, once checks have run. */
	v->stats_due_ms = v->stats_first_ms = util_mono_ms() + 4000;
	/* The first one now.  Not as EV_TIMEOUT: libevent would then count
	 * the next period from the tick due in WEB_REFRESH_S, skipping it,
	 * and the first figures would wait 10 s instead of 5. */
	event_active(v->ev_refresh, 0, 1);
	return v;
}

/* After the queues are gone: no job of ours can come back. */
void
web_view_free(struct web_view *v)
{
	size_t	i;

	if (v == NULL)
		return;
	event_free(v->ev_refresh);
	for (i = 0; i < v->nby_id; i++)
		if (v->by_id[i] != NULL)
			view_check_free(v->by_id[i]);
	free(v->by_id);
	json_decref(v->tickets);
	json_decref(v->history);
	free(v->tickets_err);
	free(v->locs);
	free(v->dirty);
	store_figures_free(v->fig_put, v->nfig_put);
	free(v);
}
