/*
 * rrd_store.c -- the recorder: every result into state_dir/rrd/<check>.rrd.
 *
 * DESIGN
 * The loop only copies a result's numbers into a bounded ring (one short
 * mutex hold); it never touches a file.  When the ring is full the
 * OLDEST update is dropped (with one warning per episode), because
 * blocking the loop would delay every probe.
 *
 * The writer is the "rrd-writer" bio queue (bio.c); the batch policy
 * runs where results arrive (the loop): at most one batch is out, and
 * one is handed over -- the writer then takes the whole ring -- after a
 * quiet spell at once, otherwise when RRD_BATCH_WAIT_MS has passed since
 * the last one (a loop timer), when the ring reaches a high-water mark,
 * or at once for rrd_store_sync and rrd_store_close.  So at 1,000
 * results a second the writer gets a few batches a second, and data
 * lands within about half a second.  Layout (rrd_layout.c) and the
 * rrdcached BATCH client (rrd_cached.c) are files of their own.
 *
 * A batch is grouped by check (stable: each file's updates stay in time
 * order) through the per-file table, which grows with the number of
 * checks.  Each file gets all its values in one write:
 *  - direct: rrd_update_r with several "t:v:..." arguments;
 *  - rrdcached: the writer's own connection (unix:PATH, /PATH, host,
 *    host:port or [v6]:port, as rrdc_connect reads them) sends BATCH,
 *    one "UPDATE <abs path> <t:v:...> ..." line per file (split below
 *    4 KB, rrdcached's line limit), and "."; its "<N> errors" reply
 *    names the failed command numbers, which map back to files, so
 *    errors stay per file.  Up to RRD_BATCH_CMDS commands an exchange.
 *    A daemon that refuses BATCH gets librrd's rrdc_update per file.
 * Creating, renaming aside and re-creating files is done here too, off
 * the loop (rrdcached cannot create files for us in a way that keeps our
 * layout, so rrd_create_r2 runs here in both modes).
 *
 * Per check the writer remembers the file's step and last update time:
 *  - a result in the same second as the last one is skipped (librrd
 *    refuses it); logged once per check at debug;
 *  - a new interval renames the old file to <check>.rrd.step<S>.<epoch>
 *    and starts a new one, so old history is kept;
 *  - a file that vanished is created again; one librrd cannot read is
 *    moved to <check>.rrd.<epoch>.corrupt and created again.  A known
 *    file is not stat()ed before each write: a failed write makes the
 *    writer look at it again and retry once.  rrdcached accepts updates
 *    for a file it holds even when the file is gone, so with it a known
 *    file is still looked at every RRD_RECHECK_S;
 *  - other write errors (full disk) are logged once per check until a
 *    write works again; monitoring goes on.
 * A new rrd_retention on reload applies to files created from then on;
 * existing files keep their archives (librrd cannot reshape them).
 * librrd's rrdc_* keeps one global connection per process, so every
 * rrdc_* call in the program (flush, forget before re-creating a file,
 * the no-BATCH fallback) goes through rrd_store_rrdc_lock; the BATCH
 * connection is the writer's alone.  When rrdcached cannot be reached
 * the writer writes the files itself (logged once, and once when it is
 * back) rather than lose results; rrdcached has nothing queued for them
 * then.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rrd.h>
#include <rrd_client.h>

#include <event2/event.h>

#include "bio.h"
#include "config.h"
#include "log.h"
#include "registry.h"
#include "result.h"
#include "rrd_cached.h"
#include "rrd_store.h"
#include "util.h"
#include "xmalloc.h"

#define RRD_QUEUE_MAX_DEFAULT	100000
/*
 * The writer takes at most one batch in this time, unless the queue
 * reaches the high-water mark (RRD_HIWATER, or a quarter of the queue
 * when that is smaller) or someone needs it now.
 */
#define RRD_BATCH_WAIT_MS	500
#define RRD_HIWATER		512
/* With rrdcached, stat a known file this often to see it vanish. */
#define RRD_RECHECK_S		30
/* rrdcached BATCH: commands and bytes per exchange; one line's length. */
#define RRD_BATCH_CMDS		2000
#define RRD_BATCH_BYTES		(512 * 1024)
#define RRD_LINE_MAX		3500

/* rrdc_* shares one connection per process: serialize every use. */
static pthread_mutex_t	rrd_store_rrdc_lock = PTHREAD_MUTEX_INITIALIZER;

/* One queued update: a copy, so the result may be gone when we write. */
struct rrd_job {
	unsigned	id;		/* the check's registry id */
	char		name[SW_NAME_MAX];
	int		interval;
	time_t		t;
	double		at;		/* exact result time */
	double		v[RRD_DS_COUNT];
};

/* What the writer knows of one check's file. */
struct rrd_file_state {
	char			*name;
	char			*path;
	unsigned long		 step;		/* 0 = not read yet */
	time_t			 last_t;
	double			 last_at;	/* exact time of last_t's */
	time_t			 checked;	/* last stat() */
	int			 failing;	/* error logged */
	int			 same_sec_logged;
	unsigned long		 mark;		/* batch seen in */
	size_t			 jfirst, jlast;	/* its jobs */
};

struct rrd_store {
	pthread_mutex_t		 mtx;
	/* The batch policy: the owner's thread (the loop) only. */
	struct bio		*writer;	/* the "rrd-writer" queue */
	struct event		*ev_batch;	/* RRD_BATCH_WAIT_MS is up */
	struct timespec		 last;		/* last batch handed over */
	int			 armed;		/* ev_batch pending */
	int			 busy;		/* a batch is out */
	int			 stopping;
	int			 hold;		/* tests: wait */
	int			 syncing;	/* in rrd_store_sync */

	/* Ring of pending updates, guarded by mtx. */
	struct rrd_job		*ring;
	size_t			 cap, head, count, max, hiwater;
	int			 overflowing;

	/* Settings, guarded by mtx; the writer copies them per batch. */
	char			*rrd_dir;
	char			*rrdcached;
	struct rrd_rra		 rra[RRD_RRA_MAX];
	size_t			 nrra;
	unsigned		 generation;	/* rrd_dir moved */

	struct rrd_store_stats	 stats;

	/* Writer-only. */
	struct rrd_wctx		*w;
	struct rrd_file_state	**states;	/* [registry id] */
	size_t			 nstates;
	unsigned long		 batchno;
	unsigned		 writer_generation;
	int			 rrdc_failing;
	struct rrd_bclient	 bcl;
};

static void	rrd_store_writer(void *);
static void	rrd_store_written(void *, int);
static struct rrd_wctx *rrd_wctx_new(void);
static void	rrd_wctx_free(struct rrd_wctx *);

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

/* Set the queue bound and the high-water mark that wakes the writer. */
static void
rrd_store_set_hiwater(struct rrd_store *rs, size_t max)
{
	rs->max = max < 1 ? 1 : max;
	rs->hiwater = rs->max / 4 < RRD_HIWATER ? rs->max / 4 : RRD_HIWATER;
	if (rs->hiwater < 1)
		rs->hiwater = 1;
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

/*
 * The batch policy, on the owner's thread: hand the ring to the writer
 * when no batch is out and one is due -- the first update after a quiet
 * spell at once, later ones when RRD_BATCH_WAIT_MS has passed since the
 * last batch, at the high-water mark, or at once for sync and close.
 * Otherwise arm the timer for the rest of the wait.  Without a loop
 * (base NULL) every batch is due.
 */
static void
rrd_store_kick(struct rrd_store *rs, int now)
{
	struct timespec	 t;
	struct timeval	 tv;
	long long	 left_ms;
	size_t		 count;

	if (rs->busy || (rs->hold && !rs->stopping))
		return;
	pthread_mutex_lock(&rs->mtx);
	count = rs->count;
	pthread_mutex_unlock(&rs->mtx);
	if (count == 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t);
	left_ms = RRD_BATCH_WAIT_MS -
	    ((long long)(t.tv_sec - rs->last.tv_sec) * 1000 +
	    (t.tv_nsec - rs->last.tv_nsec) / 1000000);
	if (!now && !rs->stopping && !rs->syncing && rs->ev_batch != NULL &&
	    count < rs->hiwater && left_ms > 0) {
		if (!rs->armed) {
			tv.tv_sec = left_ms / 1000;
			tv.tv_usec = (left_ms % 1000) * 1000;
			evtimer_add(rs->ev_batch, &tv);
			rs->armed = 1;
		}
		return;
	}
	if (rs->armed) {
		evtimer_del(rs->ev_batch);
		rs->armed = 0;
	}
	rs->last = t;
	rs->busy = 1;
	if (bio_submit(rs->writer, rrd_store_writer, rrd_store_written,
	    NULL, rs, 0) == -1)
		fatal("rrd: writer queue full");
}

/* On the loop: the batch timer is up. */
static void
rrd_store_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct rrd_store	*rs = arg;

	(void)fd;
	(void)what;
	rs->armed = 0;
	rrd_store_kick(rs, 1);
}

struct rrd_store *
rrd_store_open_loop(const struct config *cfg, struct event_base *base)
{
	struct rrd_store	*rs;

	rs = xcalloc(1, sizeof *rs);
	pthread_mutex_init(&rs->mtx, NULL);
	rs->bcl.fd = -1;
	rs->w = rrd_wctx_new();
	rrd_store_set_hiwater(rs, RRD_QUEUE_MAX_DEFAULT);
	rrd_store_apply(rs, cfg);
	if (rrd_store_mkdirs(rs->rrd_dir) == -1) {
		log_error("rrd: cannot create %s: %s", rs->rrd_dir,
		    strerror(errno));
		rrd_store_close(rs);
		return NULL;
	}
	/* One batch out at a time: the queue is never full. */
	rs->writer = bio_new(base, "rrd-writer", 2);
	if (base != NULL)
		rs->ev_batch = evtimer_new(base, rrd_store_on_timer, rs);
	log_info("rrd: recording in %s%s%s", rs->rrd_dir,
	    rs->rrdcached != NULL ? " through rrdcached " : "",
	    rs->rrdcached != NULL ? rs->rrdcached : "");
	return rs;
}

struct rrd_store *
rrd_store_open(const struct config *cfg)
{
	return rrd_store_open_loop(cfg, NULL);
}

void
rrd_store_record(struct rrd_store *rs, const struct check_conf *c,
    const struct result *r)
{
	struct rrd_job	*j;
	size_t		 newcap, i, n;

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
	j->id = c->id;
	snprintf(j->name, sizeof j->name, "%s", c->name);
	j->interval = c->interval;
	j->t = (time_t)floor(r->at);
	j->at = r->at;
	rrd_store_values(r, j->v);
	n = ++rs->count;
	rs->stats.queued++;
	pthread_mutex_unlock(&rs->mtx);
	/*
	 * While a batch is out or the timer runs, nothing more to decide:
	 * at 1,000 results a second the writer gets a few batches a
	 * second, not 1,000 wake-ups.
	 */
	if (!rs->busy && (!rs->armed || n >= rs->hiwater))
		rrd_store_kick(rs, 0);
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
	rrd_store_set_hiwater(rs, max);
	pthread_mutex_unlock(&rs->mtx);
}

void
rrd_store_hold(struct rrd_store *rs, int hold)
{
	rs->hold = hold;
	rrd_store_kick(rs, 0);
}

void
rrd_store_sync(struct rrd_store *rs)
{
	/*
	 * Every batch is due while syncing; the drain runs the done
	 * callbacks here, and each hands over what came meanwhile.
	 */
	rs->syncing++;
	rrd_store_kick(rs, 1);
	bio_drain(rs->writer);
	rs->syncing--;
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
	struct rrd_file_state	*s;
	size_t			 i;

	for (i = 0; i < rs->nstates; i++) {
		if ((s = rs->states[i]) == NULL)
			continue;
		free(s->name);
		free(s->path);
		free(s);
	}
	free(rs->states);
	rs->states = NULL;
	rs->nstates = 0;
}

void
rrd_store_close(struct rrd_store *rs)
{
	if (rs == NULL)
		return;
	if (rs->writer != NULL) {
		/* The last batches go out at once, held or not. */
		rs->stopping = 1;
		if (rs->armed)
			evtimer_del(rs->ev_batch);
		rs->armed = 0;
		rrd_store_kick(rs, 1);
		bio_free(rs->writer, BIO_DRAIN);
		rrd_bclient_close(&rs->bcl);
	}
	if (rs->ev_batch != NULL)
		event_free(rs->ev_batch);
	rrd_wctx_free(rs->w);
	if (rs->rrdcached != NULL) {
		pthread_mutex_lock(&rrd_store_rrdc_lock);
		rrdc_disconnect();
		pthread_mutex_unlock(&rrd_store_rrdc_lock);
	}
	rrd_store_states_free(rs);
	free(rs->ring);
	free(rs->rrd_dir);
	free(rs->rrdcached);
	pthread_mutex_destroy(&rs->mtx);
	free(rs);
}

/*
 * The writer's state for one check, made on first sight, at the check's
 * registry id.  The name is compared all the same: a program without a
 * registry (a test with one check) may leave the id at 0, and a later
 * name then takes the slot over (its file state is read again).
 */
static struct rrd_file_state *
rrd_store_state(struct rrd_store *rs, const char *dir, unsigned id,
    const char *name)
{
	struct rrd_file_state	*s;

	rs->states = registry_slots(rs->states, &rs->nstates, id,
	    sizeof *rs->states);
	if ((s = rs->states[id]) != NULL && strcmp(s->name, name) == 0)
		return s;
	if (s != NULL) {
		/* Two names under one id in one batch: a caller's bug. */
		if (s->mark == rs->batchno)
			fatal("rrd: checks %s and %s share id %u", s->name,
			    name, id);
		free(s->name);
		free(s->path);
		free(s);
	}
	s = rs->states[id] = xcalloc(1, sizeof *s);
	s->name = xstrdup(name);
	xasprintf(&s->path, "%s/%s.rrd", dir, name);
	return s;
}

/* Settings the writer uses for one batch. */
struct rrd_batch_conf {
	char		*dir;
	char		*rrdcached;
	struct rrd_rra	 rra[RRD_RRA_MAX];
	size_t		 nrra;
	time_t		 now;
	char		*cdir;		/* dir, escaped */
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
	s->checked = bc->now;
	s->step = (unsigned long)interval;
	s->last_t = first_t - interval;
	s->last_at = 0;
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
 * can be updated, -1 when not (logged).  A file we know and that worked
 * is not looked at again (no stat per write): when it vanished or broke
 * the update fails and the writer calls us again with recheck set.  With
 * rrdcached the update may not fail (it keeps the file's values in
 * memory), so there a known file is still looked at every RRD_RECHECK_S.
 */
static int
rrd_store_ensure(const struct rrd_batch_conf *bc, struct rrd_file_state *s,
    int interval, time_t first_t, int recheck)
{
	struct stat	 st;
	rrd_info_t	*info, *i;
	char		 suffix[64];
	unsigned long	 step = 0;
	time_t		 last = 0;

	if (!recheck && !s->failing && s->step == (unsigned long)interval &&
	    (bc->rrdcached == NULL || (bc->now >= s->checked &&
	    bc->now - s->checked < RRD_RECHECK_S)))
		return 0;
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
	s->checked = bc->now;
	/* The update failed: read the file again (it may be corrupt now). */
	if (recheck)
		s->step = 0;
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
		s->last_at = 0;
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
 * One file's share of a batch: its "t:v:..." strings, NUL-separated at
 * voff in the batch's value buffer, and how writing them went.
 */
struct rrd_pending {
	struct rrd_file_state	*s;
	int			 interval;
	time_t			 first_t;
	size_t			 voff, vlen, nv;
	int			 rc;		/* 1 to do, 0 done, -1 */
	char			*err;		/* when rc == -1 */
};

/* What the writer reuses from batch to batch. */
struct rrd_wctx {
	struct rrd_batch_conf	 bc;
	struct rrd_job		*batch, *sorted;
	size_t			 bcap;
	size_t			*next;		/* chains */
	struct rrd_file_state	**files;
	size_t			 fcap, nfiles;
	struct rrd_pending	*pend;
	size_t			 npend;
	struct buf		 vals;		/* the "t:v:..." */
	struct buf		 out;		/* one BATCH exchange */
	size_t			*cmds;		/* command: pend */
	size_t			 ccap;
	const char		**argv;
	size_t			 acap;
	struct rrd_store_stats	 st;		/* for rs->stats */
};

/* Set p's outcome: rc, and librrd's (or rrdcached's) message. */
static void
rrd_pending_done(struct rrd_pending *p, int rc, const char *err)
{
	p->rc = rc;
	free(p->err);
	p->err = rc == 0 ? NULL : xstrdup(err != NULL && *err != '\0' ? err :
	    "unknown error");
}

/* The argv of p's values (valid until the next call). */
static const char **
rrd_pending_argv(struct rrd_wctx *w, const struct rrd_pending *p)
{
	const char	*v = w->vals.data + p->voff;
	size_t		 i;

	if (p->nv > w->acap) {
		w->acap = p->nv;
		w->argv = xreallocarray(w->argv, w->acap, sizeof *w->argv);
	}
	for (i = 0; i < p->nv; i++) {
		w->argv[i] = v;
		v += strlen(v) + 1;
	}
	return w->argv;
}

/*
 * Check one file's updates (jobs[0..n), one check, time order), make
 * sure its file is there, and queue its value strings as a pending
 * write.  Skipped updates are counted here.
 */
static void
rrd_store_prepare(struct rrd_wctx *w, struct rrd_file_state *s,
    struct rrd_job *jobs, size_t n)
{
	struct rrd_pending	*p;
	char			 line[RRD_DS_COUNT *
				     (RRD_VALUE_MAX + 1) + 32];
	size_t			 i, len;
	int			 d, interval = jobs[n - 1].interval;

	p = &w->pend[w->npend++];
	memset(p, 0, sizeof *p);
	p->s = s;
	p->interval = interval;
	p->first_t = jobs[0].t;
	p->voff = w->vals.len;
	if (rrd_store_ensure(&w->bc, s, interval, jobs[0].t, 0) == -1) {
		/* Logged there; counted as a failed write. */
		rrd_pending_done(p, -1, "");
		return;
	}
	for (i = 0; i < n; i++) {
		/*
		 * Scheduler jitter may put two runs of a 1 s check in one
		 * wall-clock second (x.001 and x.999): the later one is the
		 * next step's result, not a repeat, so it goes there.
		 */
		if (jobs[i].t == s->last_t && s->last_at > 0 &&
		    jobs[i].at - s->last_at >= jobs[i].interval / 2.0)
			jobs[i].t = s->last_t + 1;
		/* A job of an older interval belongs to the old file. */
		if (jobs[i].interval != interval || jobs[i].t <= s->last_t) {
			if (!s->same_sec_logged)
				log_debug("rrd: %s: skipping an update at %lld "
				    "(last one at %lld)", s->name,
				    (long long)jobs[i].t,
				    (long long)s->last_t);
			s->same_sec_logged = 1;
			w->st.skipped++;
			continue;
		}
		/* Times before 1970 cannot be recorded by librrd anyway. */
		len = rrd_store_digits(line, jobs[i].t > 0 ?
		    (long long)jobs[i].t : 0);
		for (d = 0; d < RRD_DS_COUNT; d++) {
			line[len++] = ':';
			len += rrd_store_format_value(line + len, jobs[i].v[d]);
		}
		buf_add(&w->vals, line, len + 1);
		p->nv++;
		s->last_t = jobs[i].t;
		s->last_at = jobs[i].at;
	}
	p->vlen = w->vals.len - p->voff;
	p->rc = p->nv > 0 ? 1 : 0;
}

/* Write p with librrd itself. */
static void
rrd_store_write_direct(struct rrd_wctx *w, struct rrd_pending *p)
{
	const char	**argv = rrd_pending_argv(w, p);

	rrd_clear_error();
	if (rrd_update_r(p->s->path, NULL, (int)p->nv, argv) == 0)
		rrd_pending_done(p, 0, NULL);
	else
		rrd_pending_done(p, -1, rrd_get_error());
	rrd_clear_error();
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
			if (n > 0 &&
			    len + strlen(argv[i + n]) + 1 > RRD_LINE_MAX)
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

/* Write p through librrd's rrdcached client (when BATCH is refused). */
static void
rrd_store_write_rrdc(struct rrd_store *rs, struct rrd_wctx *w,
    struct rrd_pending *p)
{
	const char	**argv = rrd_pending_argv(w, p);
	int		  rc;

	pthread_mutex_lock(&rrd_store_rrdc_lock);
	rrd_clear_error();
	if (rrdc_connect(w->bc.rrdcached) != 0) {
		pthread_mutex_unlock(&rrd_store_rrdc_lock);
		if (!rs->rrdc_failing)
			log_error("rrd: cannot reach rrdcached %s (%s): "
			    "writing files directly until it is back",
			    w->bc.rrdcached, rrd_get_error());
		rs->rrdc_failing = 1;
		rrd_store_write_direct(w, p);
		return;
	}
	if (rs->rrdc_failing)
		log_info("rrd: rrdcached %s is back", w->bc.rrdcached);
	rs->rrdc_failing = 0;
	rc = rrd_store_rrdc_update(p->s->path, p->nv, argv);
	rrd_pending_done(p, rc, rrd_get_error());
	rrd_clear_error();
	pthread_mutex_unlock(&rrd_store_rrdc_lock);
}

/*
 * Run the BATCH in w->out (commands w->cmds[0..ncmd) by pending) and set
 * each pending's outcome from rrdcached's error list.  Returns 0, -1
 * when rrdcached cannot be reached or the connection broke (nothing is
 * known of these commands then), -2 when it does not allow BATCH.
 */
static int
rrd_store_batch_run(struct rrd_store *rs, struct rrd_wctx *w, size_t ncmd,
    char *err, size_t errlen)
{
	struct rrd_bclient	*c = &rs->bcl;
	char			 line[1024], *e;
	long			 nerr, k, i;
	int			 tries, fresh;

	for (tries = 0; tries < 2; tries++) {
		fresh = c->fd == -1;
		if (fresh && rrd_bclient_connect(c, w->bc.rrdcached, err,
		    errlen) == -1)
			return -1;
		if (rrd_bclient_send(c, w->out.data, w->out.len) == 0 &&
		    rrd_bclient_line(c, line, sizeof line) == 0)
			break;
		snprintf(err, errlen, "%s", errno != 0 ? strerror(errno) :
		    "connection closed");
		rrd_bclient_close(c);
		/*
		 * A connection that worked before may be to a daemon that
		 * has restarted since: one fresh try.
		 */
		if (fresh)
			return -1;
	}
	if (tries == 2)
		return -1;
	if (strtol(line, &e, 10) != 0 || e == line) {
		snprintf(err, errlen, "%.200s", line);
		rrd_bclient_close(c);
		return -2;
	}
	if (rrd_bclient_line(c, line, sizeof line) == -1 ||
	    (nerr = strtol(line, &e, 10)) < 0 || e == line) {
		snprintf(err, errlen, "bad reply to BATCH: %.200s", line);
		rrd_bclient_close(c);
		return -1;
	}
	for (i = 0; i < nerr; i++) {
		if (rrd_bclient_line(c, line, sizeof line) == -1) {
			snprintf(err, errlen, "connection closed");
			rrd_bclient_close(c);
			return -1;
		}
		/* "<command number> <message>"; numbers start at 1. */
		k = strtol(line, &e, 10);
		if (k < 1 || (size_t)k > ncmd)
			continue;
		e += strspn(e, " ");
		if (w->pend[w->cmds[k - 1]].rc != -1)
			rrd_pending_done(&w->pend[w->cmds[k - 1]], -1, e);
	}
	for (i = 0; i < (long)ncmd; i++) {
		if (w->pend[w->cmds[i]].rc != 1)
			continue;
		rrd_pending_done(&w->pend[w->cmds[i]], 0, NULL);
		w->st.batched += w->pend[w->cmds[i]].nv;
	}
	return 0;
}

/* Add p's UPDATE commands to w->out, at most RRD_LINE_MAX bytes each. */
static void
rrd_store_batch_add(struct rrd_wctx *w, size_t pi, size_t *ncmd)
{
	struct rrd_pending	*p = &w->pend[pi];
	const char		*v, *end;
	size_t			 head, len, n;

	v = w->vals.data + p->voff;
	end = v + p->vlen;
	head = strlen(w->bc.cdir) + strlen(p->s->name) + 16;
	while (v < end) {
		buf_addstr(&w->out, "UPDATE ");
		buf_addstr(&w->out, w->bc.cdir);
		buf_add(&w->out, "/", 1);
		buf_addstr(&w->out, p->s->name);
		buf_add(&w->out, ".rrd", 4);
		for (len = head; v < end; v += n + 1) {
			n = strlen(v);
			if (len > head && len + n + 1 > RRD_LINE_MAX)
				break;
			buf_add(&w->out, " ", 1);
			buf_add(&w->out, v, n);
			len += n + 1;
		}
		buf_add(&w->out, "\n", 1);
		if (*ncmd == w->ccap) {
			w->ccap = w->ccap == 0 ? 256 : w->ccap * 2;
			w->cmds = xreallocarray(w->cmds, w->ccap,
			    sizeof *w->cmds);
		}
		w->cmds[(*ncmd)++] = pi;
	}
}

/*
 * Write the pendings still to write through rrdcached: BATCH exchanges
 * of up to RRD_BATCH_CMDS commands on the writer's own connection.  When
 * rrdcached is down the files are written directly (logged once), and
 * when it refuses BATCH librrd's rrdc_update is used instead.
 */
static void
rrd_store_write_cached(struct rrd_store *rs, struct rrd_wctx *w)
{
	size_t	i, j, ncmd;
	char	err[512];
	int	rc;

	for (i = 0; i < w->npend; i = j) {
		if (rs->bcl.refused) {
			for (j = i; j < w->npend; j++)
				if (w->pend[j].rc == 1)
					rrd_store_write_rrdc(rs, w,
					    &w->pend[j]);
			return;
		}
		buf_free(&w->out);
		buf_init(&w->out);
		buf_addstr(&w->out, "BATCH\n");
		ncmd = 0;
		for (j = i; j < w->npend && ncmd < RRD_BATCH_CMDS &&
		    w->out.len < RRD_BATCH_BYTES; j++)
			if (w->pend[j].rc == 1)
				rrd_store_batch_add(w, j, &ncmd);
		if (ncmd == 0)
			continue;
		buf_add(&w->out, ".\n", 2);
		errno = 0;
		rc = rrd_store_batch_run(rs, w, ncmd, err, sizeof err);
		if (rc == 0) {
			if (rs->rrdc_failing)
				log_info("rrd: rrdcached %s is back",
				    w->bc.rrdcached);
			rs->rrdc_failing = 0;
			continue;
		}
		if (rc == -2) {
			log_error("rrd: rrdcached %s refuses BATCH (%s): "
			    "sending one update at a time", w->bc.rrdcached,
			    err);
			rs->bcl.refused = 1;
			j = i;
			continue;
		}
		/*
		 * No daemon: write the files ourselves rather than lose
		 * the data; it has nothing queued for a file while it is
		 * down.
		 */
		if (!rs->rrdc_failing)
			log_error("rrd: cannot reach rrdcached %s (%s): "
			    "writing files directly until it is back",
			    w->bc.rrdcached, err);
		rs->rrdc_failing = 1;
		for (j = i; j < w->npend; j++)
			if (w->pend[j].rc == 1)
				rrd_store_write_direct(w, &w->pend[j]);
		return;
	}
}

/*
 * Write every pending of the batch, once more for a file whose write
 * failed when it can be made right (vanished, corrupt: re-created), then
 * log per file: the first failure of an episode, and the recovery.
 */
static void
rrd_store_write_all(struct rrd_store *rs, struct rrd_wctx *w)
{
	struct rrd_pending	*p;
	size_t			 i;
	int			 attempt, again;

	for (attempt = 0; attempt < 2; attempt++) {
		if (w->bc.rrdcached != NULL)
			rrd_store_write_cached(rs, w);
		else
			for (i = 0; i < w->npend; i++)
				if (w->pend[i].rc == 1)
					rrd_store_write_direct(w, &w->pend[i]);
		if (attempt == 1)
			break;
		/* Vanished or unreadable since we looked: once more. */
		for (i = 0, again = 0; i < w->npend; i++) {
			p = &w->pend[i];
			if (p->rc != -1 || p->nv == 0)
				continue;
			if (rrd_store_ensure(&w->bc, p->s, p->interval,
			    p->first_t, 1) == 0) {
				p->rc = 1;
				again = 1;
			}
		}
		if (!again)
			break;
	}
	for (i = 0; i < w->npend; i++) {
		p = &w->pend[i];
		if (p->rc != 0) {
			if (!p->s->failing)
				log_error("rrd: cannot update %s: %s (more "
				    "failures of this file are not logged "
				    "until it works again)", p->s->path,
				    p->err);
			p->s->failing = 1;
			p->s->step = 0;
			w->st.errors++;
		} else {
			if (p->nv > 0 && p->s->failing) {
				log_info("rrd: %s: updates work again",
				    p->s->path);
				p->s->failing = 0;
			}
			w->st.written += p->nv;
		}
		free(p->err);
		p->err = NULL;
	}
}

/*
 * Group w->batch[0..n) by check, keeping each check's updates in arrival
 * (= time) order, into w->sorted, and prepare each file.  A chain per
 * file through the table (at the check's id) instead of sorting: O(n).
 */
static void
rrd_store_group(struct rrd_store *rs, struct rrd_wctx *w, size_t n)
{
	struct rrd_file_state	*s;
	size_t			 i, j, k, m;

	rs->batchno++;
	w->nfiles = 0;
	for (i = 0; i < n; i++) {
		s = rrd_store_state(rs, w->bc.dir, w->batch[i].id,
		    w->batch[i].name);
		w->next[i] = SIZE_MAX;
		if (s->mark != rs->batchno) {
			s->mark = rs->batchno;
			s->jfirst = s->jlast = i;
			if (w->nfiles == w->fcap) {
				w->fcap = w->fcap == 0 ? 256 : w->fcap * 2;
				w->files = xreallocarray(w->files, w->fcap,
				    sizeof *w->files);
			}
			w->files[w->nfiles++] = s;
		} else {
			w->next[s->jlast] = i;
			s->jlast = i;
		}
	}
	w->pend = xreallocarray(w->pend, w->nfiles ? w->nfiles : 1,
	    sizeof *w->pend);
	w->npend = 0;
	buf_free(&w->vals);
	buf_init(&w->vals);
	for (i = 0, k = 0; i < w->nfiles; i++) {
		s = w->files[i];
		m = k;
		for (j = s->jfirst; j != SIZE_MAX; j = w->next[j])
			w->sorted[k++] = w->batch[j];
		rrd_store_prepare(w, s, w->sorted + m, k - m);
	}
}

/* What the writer keeps between batches. */
static struct rrd_wctx *
rrd_wctx_new(void)
{
	struct rrd_wctx	*w;

	w = xcalloc(1, sizeof *w);
	buf_init(&w->vals);
	buf_init(&w->out);
	return w;
}

/* Free what the writer kept between batches. */
static void
rrd_wctx_free(struct rrd_wctx *w)
{
	if (w == NULL)
		return;
	free(w->batch);
	free(w->sorted);
	free(w->next);
	free(w->files);
	free(w->pend);
	free(w->cmds);
	free(w->argv);
	buf_free(&w->vals);
	buf_free(&w->out);
	free(w);
}

/* Escape path for an rrdcached command line: "\" before " " and "\". */
static char *
rrd_store_escape(const char *path)
{
	struct buf	b;

	buf_init(&b);
	for (; *path != '\0'; path++) {
		if (*path == ' ' || *path == '\\')
			buf_add(&b, "\\", 1);
		buf_add(&b, path, 1);
	}
	buf_add(&b, "", 0);
	return b.data;
}

/*
 * The batch's settings; with rrdcached also the directory as it sends
 * it: librrd's client resolves relative paths for a local daemon.
 */
static void
rrd_store_batch_conf(struct rrd_store *rs, struct rrd_batch_conf *bc)
{
	char	*real = NULL;
	int	 local;

	bc->dir = xstrdup(rs->rrd_dir);
	bc->rrdcached = rs->rrdcached != NULL ? xstrdup(rs->rrdcached) : NULL;
	bc->nrra = rs->nrra;
	memcpy(bc->rra, rs->rra, sizeof bc->rra);
	bc->now = time(NULL);
	bc->cdir = NULL;
	if (bc->rrdcached == NULL)
		return;
	local = strncmp(bc->rrdcached, "unix:", 5) == 0 ||
	    bc->rrdcached[0] == '/';
	if (local && bc->dir[0] != '/')
		real = realpath(bc->dir, NULL);
	bc->cdir = rrd_store_escape(real != NULL ? real : bc->dir);
	free(real);
}

/* On the writer's thread: take the whole ring, write it file by file. */
static void
rrd_store_writer(void *arg)
{
	struct rrd_store	*rs = arg;
	struct rrd_wctx		*w = rs->w;
	size_t			 n, i;

	pthread_mutex_lock(&rs->mtx);
	n = rs->count;
	if (n > w->bcap) {
		w->bcap = n;
		w->batch = xreallocarray(w->batch, n, sizeof *w->batch);
		w->sorted = xreallocarray(w->sorted, n, sizeof *w->sorted);
		w->next = xreallocarray(w->next, n, sizeof *w->next);
	}
	for (i = 0; i < n; i++)
		w->batch[i] = rs->ring[(rs->head + i) % rs->cap];
	if (n > 0)
		rs->head = (rs->head + n) % rs->cap;
	rs->count = 0;
	if (rs->overflowing) {
		log_info("rrd: write queue caught up (%llu updates dropped so "
		    "far)", rs->stats.dropped);
		rs->overflowing = 0;
	}
	rrd_store_batch_conf(rs, &w->bc);
	if (rs->writer_generation != rs->generation) {
		rs->writer_generation = rs->generation;
		rrd_store_states_free(rs);
	}
	pthread_mutex_unlock(&rs->mtx);

	memset(&w->st, 0, sizeof w->st);
	if (n > 0) {
		rrd_store_group(rs, w, n);
		rrd_store_write_all(rs, w);
	}
	free(w->bc.dir);
	free(w->bc.rrdcached);
	free(w->bc.cdir);
}

/* On the owner's thread: count the batch, hand over what came since. */
static void
rrd_store_written(void *arg, int cancelled)
{
	struct rrd_store	*rs = arg;

	(void)cancelled;		/* the writer queue is drained */
	pthread_mutex_lock(&rs->mtx);
	rs->stats.written += rs->w->st.written;
	rs->stats.skipped += rs->w->st.skipped;
	rs->stats.errors += rs->w->st.errors;
	rs->stats.batched += rs->w->st.batched;
	pthread_mutex_unlock(&rs->mtx);
	rs->busy = 0;
	rrd_store_kick(rs, 0);
}
