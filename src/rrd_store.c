/*
 * rrd_store.c -- the recorder: every result into state_dir/rrd/<check>.rrd.
 *
 * DESIGN
 * The loop only copies a result's numbers into a bounded ring (one short
 * mutex hold) and signals the writer thread; it never touches a file.
 * When the ring is full the OLDEST update is dropped (with one warning
 * per episode), because blocking the loop would delay every probe.
 *
 * The writer takes the whole ring at once, groups it by check (stable,
 * so each file's updates stay in time order) and writes each file with
 * one call: rrd_update_r with several "t:v:..." arguments, or
 * rrdc_update when rrdcached is configured.  Creating, renaming aside and
 * re-creating files is also done there, off the loop (rrdcached cannot
 * create files for us in a way that keeps our layout, so rrd_create_r2
 * runs here in both modes).
 *
 * Per check the writer remembers the file's step and last update time:
 *  - a result in the same second as the last one is skipped (librrd
 *    refuses it); logged once per check at debug;
 *  - a new interval renames the old file to <check>.rrd.step<S>.<epoch>
 *    and starts a new one, so old history is kept;
 *  - a file that vanished is created again; one librrd cannot read is
 *    moved to <check>.rrd.<epoch>.corrupt and created again;
 *  - other write errors (full disk) are logged once per check until a
 *    write works again; monitoring goes on.
 * A new rrd_retention on reload applies to files created from then on;
 * existing files keep their archives (librrd cannot reshape them).
 * rrdc_* keeps one global connection per process, so every rrdc_* call
 * in the program goes through rrd_store_rrdc_lock.  When rrdcached
 * cannot be reached the writer writes the files itself (logged once)
 * rather than lose results; rrdcached has nothing queued for them then.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rrd.h>
#include <rrd_client.h>

#include "config.h"
#include "log.h"
#include "result.h"
#include "rrd_store.h"
#include "xmalloc.h"

const char *const rrd_ds_names[RRD_DS_COUNT] = {
	"up", "total_ms", "dns_ms", "connect_ms", "tls_ms", "ttfb_ms",
	"le_100", "le_250", "le_500", "le_1000", "le_2000", "le_5000",
};
const int rrd_bucket_ms[RRD_NBUCKETS] = { 100, 250, 500, 1000, 2000, 5000 };

/* The default retention of SPEC: 1s:2d,5m:14d,1h:90d,1d:5y. */
static const struct rrd_rra rrd_default_rra[] = {
	{ 0, 2 * 86400 }, { 300, 14 * 86400 }, { 3600, 90 * 86400 },
	{ 86400, 5 * 365 * 86400 },
};

#define RRD_QUEUE_MAX_DEFAULT	100000
#define RRD_STATE_BUCKETS	256

/* rrdc_* shares one connection per process: serialize every use. */
static pthread_mutex_t	rrd_store_rrdc_lock = PTHREAD_MUTEX_INITIALIZER;

/* One queued update: a copy, so the result may be gone when we write. */
struct rrd_job {
	char		name[SW_NAME_MAX];
	int		interval;
	time_t		t;
	double		v[RRD_DS_COUNT];
	size_t		seq;		/* arrival order */
};

/* What the writer knows of one check's file. */
struct rrd_file_state {
	char			*name;
	char			*path;
	unsigned long		 step;		/* 0 = not read yet */
	time_t			 last_t;
	int			 failing;	/* error logged */
	int			 same_sec_logged;
	struct rrd_file_state	*next;
};

struct rrd_store {
	pthread_mutex_t		 mtx;
	pthread_cond_t		 cond;		/* work to do */
	pthread_cond_t		 idle;		/* writer idle */
	pthread_t		 thread;
	int			 started;
	int			 stopping;
	int			 busy;		/* has a batch */
	int			 hold;		/* tests: wait */

	/* Ring of pending updates, guarded by mtx. */
	struct rrd_job		*ring;
	size_t			 cap, head, count, max;
	int			 overflowing;
	size_t			 seq;

	/* Settings, guarded by mtx; the writer copies them per batch. */
	char			*rrd_dir;
	char			*rrdcached;
	struct rrd_rra		 rra[RRD_RRA_MAX];
	size_t			 nrra;
	unsigned		 generation;	/* rrd_dir moved */

	struct rrd_store_stats	 stats;

	/* Writer-only. */
	struct rrd_file_state	*states[RRD_STATE_BUCKETS];
	unsigned		 writer_generation;
	int			 rrdc_failing;
};

static void	*rrd_store_writer(void *);

/* Create dir and its parents; 0 or -1 with errno. */
static int
rrd_store_mkdirs(const char *dir)
{
	char	*p, *s;
	int	 rc = 0;

	s = xstrdup(dir);
	for (p = s + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(s, 0755) == -1 && errno != EEXIST)
			rc = -1;
		*p = '/';
	}
	if (mkdir(s, 0755) == -1 && errno != EEXIST)
		rc = -1;
	else
		rc = 0;
	free(s);
	return rc;
}

char *
rrd_store_path(const struct config *cfg, const char *check)
{
	char	*p;

	xasprintf(&p, "%s/rrd/%s.rrd", cfg->state_dir, check);
	return p;
}

/*
 * A failed check stores up=0, the timings it got, and 0 in every le_*
 * bucket: it did not answer (successfully) within any bound.  So each
 * le_* AVERAGE is the share of ALL known checks answered in time, and
 * le_X / up is the share among successful ones -- exact even after
 * consolidation, since both are averaged over the same known steps.
 * unknown results store U everywhere.
 */
void
rrd_store_values(const struct result *r, double v[RRD_DS_COUNT])
{
	int	i;

	if (r->state == SW_STATE_UNKNOWN) {
		for (i = 0; i < RRD_DS_COUNT; i++)
			v[i] = NAN;
		return;
	}
	v[RRD_DS_UP] = r->up ? 1 : 0;
	v[RRD_DS_TOTAL] = r->total_ms;
	v[RRD_DS_DNS] = r->dns_ms;
	v[RRD_DS_CONNECT] = r->connect_ms;
	v[RRD_DS_TLS] = r->tls_ms;
	v[RRD_DS_TTFB] = r->ttfb_ms;
	for (i = 0; i < RRD_NBUCKETS; i++)
		v[RRD_DS_LE_100 + i] = r->up &&
		    r->total_ms <= rrd_bucket_ms[i] ? 1 : 0;
}

int
rrd_store_create(const char *path, int interval, time_t last_up,
    const struct rrd_rra *rra, size_t n, char *err, size_t errlen)
{
	const char	*argv[RRD_DS_COUNT + 3 * RRD_RRA_MAX + 4];
	char		*owned[RRD_DS_COUNT + 3 * RRD_RRA_MAX + 4];
	unsigned long	 step, res, rows, prev_res = 0;
	size_t		 i, argc = 0, nowned = 0;
	int		 d, c, rc;

	if (n == 0) {
		rra = rrd_default_rra;
		n = sizeof rrd_default_rra / sizeof rrd_default_rra[0];
	}
	step = interval > 0 ? (unsigned long)interval : 60;
	for (d = 0; d < RRD_DS_COUNT; d++) {
		int bounded = d == RRD_DS_UP || d >= RRD_DS_LE_100;

		xasprintf(&owned[nowned], "DS:%s:GAUGE:%lu:0:%s",
		    rrd_ds_names[d], 2 * step, bounded ? "1" : "U");
		argv[argc++] = owned[nowned++];
	}
	for (i = 0; i < n && i < RRD_RRA_MAX; i++) {
		/* Resolution in whole steps, at least one. */
		res = rra[i].step_s == 0 ? 1 :
		    (rra[i].step_s + step / 2) / step;
		if (res == 0)
			res = 1;
		/* Two entries of one resolution would be one archive. */
		if (res == prev_res)
			continue;
		prev_res = res;
		rows = (rra[i].span_s + res * step / 2) / (res * step);
		if (rows < 2)
			rows = 2;
		for (c = 0; c < 3; c++) {
			static const char *cf[] = { "AVERAGE", "MIN", "MAX" };

			/* At one step MIN and MAX would repeat AVERAGE. */
			if (c > 0 && res == 1)
				break;
			xasprintf(&owned[nowned], "RRA:%s:0.5:%lu:%lu", cf[c],
			    res, rows);
			argv[argc++] = owned[nowned++];
		}
	}
	rrd_clear_error();
	rc = rrd_create_r2(path, step, last_up, 1, NULL, NULL, (int)argc,
	    argv);
	if (rc != 0)
		snprintf(err, errlen, "%s", rrd_get_error());
	rrd_clear_error();
	for (i = 0; i < nowned; i++)
		free(owned[i]);
	return rc == 0 ? 0 : -1;
}

void
rrd_store_flush_file(const struct config *cfg, const char *path)
{
	if (cfg == NULL || cfg->rrdcached == NULL || *cfg->rrdcached == '\0')
		return;
	pthread_mutex_lock(&rrd_store_rrdc_lock);
	rrd_clear_error();
	if (rrdc_connect(cfg->rrdcached) == 0 && rrdc_flush(path) != 0)
		log_debug("rrd: flush %s through rrdcached: %s", path,
		    rrd_get_error());
	rrd_clear_error();
	pthread_mutex_unlock(&rrd_store_rrdc_lock);
}

/* Copy the settings of cfg into rs (mtx held or not yet shared). */
static void
rrd_store_apply(struct rrd_store *rs, const struct config *cfg)
{
	char	*dir;

	xasprintf(&dir, "%s/rrd", cfg->state_dir);
	if (rs->rrd_dir == NULL || strcmp(rs->rrd_dir, dir) != 0)
		rs->generation++;
	free(rs->rrd_dir);
	rs->rrd_dir = dir;
	free(rs->rrdcached);
	rs->rrdcached = cfg->rrdcached != NULL && *cfg->rrdcached != '\0' ?
	    xstrdup(cfg->rrdcached) : NULL;
	rs->nrra = cfg->nrrd_rra > RRD_RRA_MAX ? RRD_RRA_MAX : cfg->nrrd_rra;
	memcpy(rs->rra, cfg->rrd_rra, rs->nrra * sizeof rs->rra[0]);
}

struct rrd_store *
rrd_store_open(const struct config *cfg)
{
	struct rrd_store	*rs;
	int			 rc;

	rs = xcalloc(1, sizeof *rs);
	pthread_mutex_init(&rs->mtx, NULL);
	pthread_cond_init(&rs->cond, NULL);
	pthread_cond_init(&rs->idle, NULL);
	rs->max = RRD_QUEUE_MAX_DEFAULT;
	rrd_store_apply(rs, cfg);
	if (rrd_store_mkdirs(rs->rrd_dir) == -1) {
		log_error("rrd: cannot create %s: %s", rs->rrd_dir,
		    strerror(errno));
		goto fail;
	}
	if ((rc = pthread_create(&rs->thread, NULL, rrd_store_writer,
	    rs)) != 0) {
		log_error("rrd: cannot start the writer: %s", strerror(rc));
		goto fail;
	}
	rs->started = 1;
	log_info("rrd: recording in %s%s%s", rs->rrd_dir,
	    rs->rrdcached != NULL ? " through rrdcached " : "",
	    rs->rrdcached != NULL ? rs->rrdcached : "");
	return rs;
fail:
	rrd_store_close(rs);
	return NULL;
}

void
rrd_store_record(struct rrd_store *rs, const struct check_conf *c,
    const struct result *r)
{
	struct rrd_job	*j;
	size_t		 newcap, i;

	if (rs == NULL)
		return;
	pthread_mutex_lock(&rs->mtx);
	if (rs->count == rs->cap && rs->cap < rs->max) {
		/* Grow the ring, unrolling it so head is at 0 again. */
		struct rrd_job	*nr;

		newcap = rs->cap == 0 ? 64 : rs->cap * 2;
		if (newcap > rs->max)
			newcap = rs->max;
		nr = xreallocarray(NULL, newcap, sizeof *nr);
		for (i = 0; i < rs->count; i++)
			nr[i] = rs->ring[(rs->head + i) % rs->cap];
		free(rs->ring);
		rs->ring = nr;
		rs->cap = newcap;
		rs->head = 0;
	}
	if (rs->count == rs->cap) {
		/* Full: drop the oldest rather than block the loop. */
		if (!rs->overflowing)
			log_warn("rrd: write queue full (%zu updates): "
			    "dropping the oldest", rs->cap);
		rs->overflowing = 1;
		rs->head = (rs->head + 1) % rs->cap;
		rs->count--;
		rs->stats.dropped++;
	}
	j = &rs->ring[(rs->head + rs->count) % rs->cap];
	snprintf(j->name, sizeof j->name, "%s", c->name);
	j->interval = c->interval;
	j->t = (time_t)floor(r->at);
	j->seq = rs->seq++;
	rrd_store_values(r, j->v);
	rs->count++;
	rs->stats.queued++;
	pthread_cond_signal(&rs->cond);
	pthread_mutex_unlock(&rs->mtx);
}

void
rrd_store_reload(struct rrd_store *rs, const struct config *cfg)
{
	if (rs == NULL)
		return;
	pthread_mutex_lock(&rs->mtx);
	rrd_store_apply(rs, cfg);
	pthread_mutex_unlock(&rs->mtx);
	if (rrd_store_mkdirs(rs->rrd_dir) == -1)
		log_error("rrd: cannot create %s: %s", rs->rrd_dir,
		    strerror(errno));
}

void
rrd_store_set_queue_max(struct rrd_store *rs, size_t max)
{
	pthread_mutex_lock(&rs->mtx);
	rs->max = max < 1 ? 1 : max;
	pthread_mutex_unlock(&rs->mtx);
}

void
rrd_store_hold(struct rrd_store *rs, int hold)
{
	pthread_mutex_lock(&rs->mtx);
	rs->hold = hold;
	pthread_cond_signal(&rs->cond);
	pthread_mutex_unlock(&rs->mtx);
}

void
rrd_store_sync(struct rrd_store *rs)
{
	pthread_mutex_lock(&rs->mtx);
	while (rs->count > 0 || rs->busy)
		pthread_cond_wait(&rs->idle, &rs->mtx);
	pthread_mutex_unlock(&rs->mtx);
}

void
rrd_store_get_stats(struct rrd_store *rs, struct rrd_store_stats *st)
{
	pthread_mutex_lock(&rs->mtx);
	*st = rs->stats;
	pthread_mutex_unlock(&rs->mtx);
}

/* Free every per-file state (writer side). */
static void
rrd_store_states_free(struct rrd_store *rs)
{
	struct rrd_file_state	*s, *next;
	size_t			 i;

	for (i = 0; i < RRD_STATE_BUCKETS; i++) {
		for (s = rs->states[i]; s != NULL; s = next) {
			next = s->next;
			free(s->name);
			free(s->path);
			free(s);
		}
		rs->states[i] = NULL;
	}
}

void
rrd_store_close(struct rrd_store *rs)
{
	if (rs == NULL)
		return;
	if (rs->started) {
		pthread_mutex_lock(&rs->mtx);
		rs->stopping = 1;
		pthread_cond_signal(&rs->cond);
		pthread_mutex_unlock(&rs->mtx);
		/* The writer empties the queue before it returns. */
		pthread_join(rs->thread, NULL);
	}
	if (rs->rrdcached != NULL) {
		pthread_mutex_lock(&rrd_store_rrdc_lock);
		rrdc_disconnect();
		pthread_mutex_unlock(&rrd_store_rrdc_lock);
	}
	rrd_store_states_free(rs);
	free(rs->ring);
	free(rs->rrd_dir);
	free(rs->rrdcached);
	pthread_cond_destroy(&rs->idle);
	pthread_cond_destroy(&rs->cond);
	pthread_mutex_destroy(&rs->mtx);
	free(rs);
}

/* A string hash for the per-file table. */
static unsigned
rrd_store_hash(const char *s)
{
	unsigned	h = 5381;

	while (*s != '\0')
		h = h * 33 + (unsigned char)*s++;
	return h % RRD_STATE_BUCKETS;
}

/* The writer's state for one check, made on first sight. */
static struct rrd_file_state *
rrd_store_state(struct rrd_store *rs, const char *dir, const char *name)
{
	struct rrd_file_state	*s;
	unsigned		 h = rrd_store_hash(name);

	for (s = rs->states[h]; s != NULL; s = s->next)
		if (strcmp(s->name, name) == 0)
			return s;
	s = xcalloc(1, sizeof *s);
	s->name = xstrdup(name);
	xasprintf(&s->path, "%s/%s.rrd", dir, name);
	s->next = rs->states[h];
	rs->states[h] = s;
	return s;
}

/* Settings the writer uses for one batch. */
struct rrd_batch_conf {
	char		*dir;
	char		*rrdcached;
	struct rrd_rra	 rra[RRD_RRA_MAX];
	size_t		 nrra;
};

/* Tell rrdcached to drop what it keeps of path (before re-creating it). */
static void
rrd_store_forget(const struct rrd_batch_conf *bc, const char *path,
    int flush)
{
	if (bc->rrdcached == NULL)
		return;
	pthread_mutex_lock(&rrd_store_rrdc_lock);
	rrd_clear_error();
	if (rrdc_connect(bc->rrdcached) == 0) {
		if (flush)
			(void)rrdc_flush(path);
		(void)rrdc_forget(path);
	}
	rrd_clear_error();
	pthread_mutex_unlock(&rrd_store_rrdc_lock);
}

/* Create s->path for interval; 0 or -1 (logged once per episode). */
static int
rrd_store_make(const struct rrd_batch_conf *bc, struct rrd_file_state *s,
    int interval, time_t first_t)
{
	char	err[512];

	(void)rrd_store_mkdirs(bc->dir);
	rrd_store_forget(bc, s->path, 0);
	if (rrd_store_create(s->path, interval, first_t - interval, bc->rra,
	    bc->nrra, err, sizeof err) == -1) {
		if (!s->failing)
			log_error("rrd: cannot create %s: %s", s->path, err);
		s->failing = 1;
		s->step = 0;
		return -1;
	}
	log_debug("rrd: created %s (step %d s)", s->path, interval);
	s->step = (unsigned long)interval;
	s->last_t = first_t - interval;
	return 0;
}

/* Move path aside to a name made from fmt-like suffix; logged. */
static void
rrd_store_move_aside(const struct rrd_batch_conf *bc,
    struct rrd_file_state *s, const char *suffix, int corrupt)
{
	char	*to;

	rrd_store_forget(bc, s->path, !corrupt);
	xasprintf(&to, "%s%s", s->path, suffix);
	if (rename(s->path, to) == -1)
		log_error("rrd: cannot rename %s to %s: %s", s->path, to,
		    strerror(errno));
	else if (corrupt)
		log_error("rrd: %s is not a readable RRD file: moved to %s, "
		    "starting a new one", s->path, to);
	else
		log_info("rrd: %s: interval changed from %lu s: old history "
		    "kept in %s, starting a new file", s->name, s->step, to);
	free(to);
	s->step = 0;
}

/*
 * Make sure s->path exists with the step of interval.  Returns 0 when it
 * can be updated, -1 when not (logged).
 */
static int
rrd_store_ensure(const struct rrd_batch_conf *bc, struct rrd_file_state *s,
    int interval, time_t first_t)
{
	struct stat	 st;
	rrd_info_t	*info, *i;
	char		 suffix[64];
	unsigned long	 step = 0;
	time_t		 last = 0;

	if (stat(s->path, &st) == -1) {
		if (errno != ENOENT) {
			if (!s->failing)
				log_error("rrd: %s: %s", s->path,
				    strerror(errno));
			s->failing = 1;
			return -1;
		}
		if (s->step != 0)
			log_warn("rrd: %s vanished: creating it again",
			    s->path);
		return rrd_store_make(bc, s, interval, first_t);
	}
	if (s->step == 0) {
		/* First sight of an existing file: read its step and end. */
		if (bc->rrdcached != NULL)
			rrd_store_forget(bc, s->path, 1);
		rrd_clear_error();
		if ((info = rrd_info_r(s->path)) != NULL) {
			for (i = info; i != NULL; i = i->next) {
				if (strcmp(i->key, "step") == 0)
					step = i->value.u_cnt;
				else if (strcmp(i->key, "last_update") == 0)
					last = (time_t)i->value.u_cnt;
			}
			rrd_info_free(info);
		}
		rrd_clear_error();
		if (step == 0 && access(s->path, R_OK) == -1) {
			/* Unreadable is not corrupt: leave it be. */
			if (!s->failing)
				log_error("rrd: %s: %s", s->path,
				    strerror(errno));
			s->failing = 1;
			return -1;
		}
		if (step == 0) {
			snprintf(suffix, sizeof suffix, ".%lld.corrupt",
			    (long long)time(NULL));
			rrd_store_move_aside(bc, s, suffix, 1);
			return rrd_store_make(bc, s, interval, first_t);
		}
		s->step = step;
		s->last_t = last;
	}
	if (s->step != (unsigned long)interval) {
		snprintf(suffix, sizeof suffix, ".step%lu.%lld", s->step,
		    (long long)time(NULL));
		rrd_store_move_aside(bc, s, suffix, 0);
		return rrd_store_make(bc, s, interval, first_t);
	}
	return 0;
}

/*
 * rrdc_update in pieces: the client builds one command line in a fixed
 * 4 KB buffer and fails (without a message) beyond it.
 */
static int
rrd_store_rrdc_update(const char *path, size_t nv, const char **argv)
{
	size_t	i, n, len;

	for (i = 0; i < nv; i += n) {
		len = strlen(path) + 16;
		for (n = 0; i + n < nv; n++) {
			if (n > 0 && len + strlen(argv[i + n]) + 1 > 3500)
				break;
			len += strlen(argv[i + n]) + 1;
		}
		if (rrdc_update(path, (int)n, argv + i) != 0) {
			if (*rrd_get_error() == '\0')
				rrd_set_error("rrdcached refused the update");
			return -1;
		}
	}
	return 0;
}

/* Write one check's updates (jobs[0..n), same name, time order). */
static void
rrd_store_write_file(struct rrd_store *rs, const struct rrd_batch_conf *bc,
    struct rrd_job *jobs, size_t n)
{
	struct rrd_file_state	*s;
	const char		**argv;
	char			**vals, num[RRD_DS_COUNT][32];
	size_t			 i, nv = 0, skipped = 0;
	int			 d, rc = -1, attempt;
	char			 err[512];

	s = rrd_store_state(rs, bc->dir, jobs[0].name);
	if (rrd_store_ensure(bc, s, jobs[n - 1].interval, jobs[0].t) == -1)
		goto count;
	vals = xreallocarray(NULL, n, sizeof *vals);
	for (i = 0; i < n; i++) {
		/* A job of an older interval belongs to the old file. */
		if (jobs[i].interval != jobs[n - 1].interval ||
		    jobs[i].t <= s->last_t) {
			if (!s->same_sec_logged)
				log_debug("rrd: %s: skipping an update at %lld "
				    "(last one at %lld)", s->name,
				    (long long)jobs[i].t,
				    (long long)s->last_t);
			s->same_sec_logged = 1;
			skipped++;
			continue;
		}
		for (d = 0; d < RRD_DS_COUNT; d++) {
			if (isnan(jobs[i].v[d]))
				snprintf(num[d], sizeof num[d], "U");
			else
				snprintf(num[d], sizeof num[d], "%.3f",
				    jobs[i].v[d]);
		}
		xasprintf(&vals[nv++], "%lld:%s:%s:%s:%s:%s:%s:%s:%s:%s:%s:"
		    "%s:%s", (long long)jobs[i].t, num[0], num[1], num[2],
		    num[3], num[4], num[5], num[6], num[7], num[8], num[9],
		    num[10], num[11]);
		s->last_t = jobs[i].t;
	}
	argv = (const char **)vals;
	for (attempt = 0, rc = 0; nv > 0 && attempt < 2; attempt++) {
		rrd_clear_error();
		if (bc->rrdcached != NULL) {
			pthread_mutex_lock(&rrd_store_rrdc_lock);
			if (rrdc_connect(bc->rrdcached) == 0) {
				if (rs->rrdc_failing)
					log_info("rrd: rrdcached %s is back",
					    bc->rrdcached);
				rs->rrdc_failing = 0;
				rc = rrd_store_rrdc_update(s->path, nv, argv);
				pthread_mutex_unlock(&rrd_store_rrdc_lock);
			} else {
				/*
				 * No daemon: write the file ourselves rather
				 * than lose the data; it has nothing queued
				 * for a file while it is down.
				 */
				if (!rs->rrdc_failing)
					log_error("rrd: cannot reach rrdcached "
					    "%s (%s): writing files directly "
					    "until it is back", bc->rrdcached,
					    rrd_get_error());
				rs->rrdc_failing = 1;
				pthread_mutex_unlock(&rrd_store_rrdc_lock);
				rrd_clear_error();
				rc = rrd_update_r(s->path, NULL, (int)nv,
				    argv);
			}
		} else
			rc = rrd_update_r(s->path, NULL, (int)nv, argv);
		if (rc == 0)
			break;
		snprintf(err, sizeof err, "%s", rrd_get_error());
		rrd_clear_error();
		/* Vanished or unreadable since we looked: once more. */
		s->step = 0;
		if (attempt == 0 && rrd_store_ensure(bc, s,
		    jobs[n - 1].interval, jobs[0].t) == 0)
			continue;
		break;
	}
	if (nv > 0 && rc != 0) {
		if (!s->failing)
			log_error("rrd: cannot update %s: %s (more failures "
			    "of this file are not logged until it works "
			    "again)", s->path, err);
		s->failing = 1;
		s->step = 0;
	} else if (nv > 0 && s->failing) {
		log_info("rrd: %s: updates work again", s->path);
		s->failing = 0;
	}
	for (i = 0; i < nv; i++)
		free(vals[i]);
	free(vals);
count:
	pthread_mutex_lock(&rs->mtx);
	rs->stats.skipped += skipped;
	if (rc != 0)
		rs->stats.errors++;
	else
		rs->stats.written += nv;
	pthread_mutex_unlock(&rs->mtx);
}

/* Order jobs by check name, then arrival. */
static int
rrd_job_cmp(const void *a, const void *b)
{
	const struct rrd_job	*x = a, *y = b;
	int			 c;

	if ((c = strcmp(x->name, y->name)) != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The writer thread: take the whole queue, write it file by file. */
static void *
rrd_store_writer(void *arg)
{
	struct rrd_store	*rs = arg;
	struct rrd_batch_conf	 bc;
	struct rrd_job		*batch = NULL;
	size_t			 n, i, j, bcap = 0;
	int			 stop;

	for (;;) {
		pthread_mutex_lock(&rs->mtx);
		while ((rs->count == 0 || rs->hold) && !rs->stopping) {
			rs->busy = 0;
			pthread_cond_broadcast(&rs->idle);
			pthread_cond_wait(&rs->cond, &rs->mtx);
		}
		stop = rs->stopping && rs->count == 0;
		if (stop) {
			rs->busy = 0;
			pthread_cond_broadcast(&rs->idle);
			pthread_mutex_unlock(&rs->mtx);
			break;
		}
		n = rs->count;
		if (n > bcap) {
			bcap = n;
			batch = xreallocarray(batch, bcap, sizeof *batch);
		}
		for (i = 0; i < n; i++)
			batch[i] = rs->ring[(rs->head + i) % rs->cap];
		rs->head = (rs->head + n) % rs->cap;
		rs->count = 0;
		if (rs->overflowing) {
			log_info("rrd: write queue caught up (%llu updates "
			    "dropped so far)", rs->stats.dropped);
			rs->overflowing = 0;
		}
		rs->busy = 1;
		bc.dir = xstrdup(rs->rrd_dir);
		bc.rrdcached = rs->rrdcached != NULL ?
		    xstrdup(rs->rrdcached) : NULL;
		bc.nrra = rs->nrra;
		memcpy(bc.rra, rs->rra, sizeof bc.rra);
		if (rs->writer_generation != rs->generation) {
			rs->writer_generation = rs->generation;
			rrd_store_states_free(rs);
		}
		pthread_mutex_unlock(&rs->mtx);

		qsort(batch, n, sizeof *batch, rrd_job_cmp);
		for (i = 0; i < n; i = j) {
			for (j = i + 1; j < n && strcmp(batch[j].name,
			    batch[i].name) == 0; j++)
				;
			rrd_store_write_file(rs, &bc, batch + i, j - i);
		}
		free(bc.dir);
		free(bc.rrdcached);
	}
	free(batch);
	return NULL;
}
