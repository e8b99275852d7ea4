/*
 * rrd_store.c -- the recorder: every result into state_dir/rrd/<check>.rrd.
 *
 * DESIGN
 * The loop only copies a result's numbers into a bounded queue (one short
 * mutex hold); it never touches a file.  When the queue is full the
 * OLDEST update is dropped (with one warning per episode), because
 * blocking the loop would delay every probe.
 *
 * The writer is the "rrd-writer" bio queue (bio.c); the batch policy
 * runs where results arrive (the loop): at most one batch is out, and
 * one is handed over -- the writer then takes the queue's oldest -- after a
 * quiet spell at once, otherwise when RRD_BATCH_WAIT_MS has passed since
 * the last one (a loop timer), when the queue reaches a high-water mark,
 * or at once for rrd_store_sync and rrd_store_close.  So at 1,000
 * results a second the writer gets a few batches a second, and data
 * lands within about half a second.  This file is that loop side (queue,
 * batch policy, drop-and-count); the per-check file table (rrd_files.c),
 * the writer's thread (rrd_write.c), the layout (rrd_layout.c) and the
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
 * Creating, renaming aside and re-creating files is done by the writer
 * too (rrd_files.c), off the loop, with rrd_create_r2 -- except in a
 * cluster with a shared rrdcached over TCP (rrd_source.h): its files are
 * on its machine, named rrd/<check>~<location>.rrd relative to its base
 * folder, so they are created with its CREATE command (our layout, the
 * same arguments) and read with INFO; nothing is renamed there, and
 * while it is away nothing can be written (counted as errors).
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
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rrd.h>
#include <rrd_client.h>

#include <event2/event.h>

#include "bio.h"
#include "config.h"
#include "log.h"
#include "registry.h"
#include "result.h"
#include "rrd_source.h"
#include "rrd_store.h"
#include "rrd_store_int.h"
#include "rrd_store_test.h"
#include "xmalloc.h"

#define RRD_QUEUE_MAX_DEFAULT	100000
/*
 * The writer takes at most one batch in this time, unless the queue
 * reaches the high-water mark (RRD_HIWATER, or a quarter of the queue
 * when that is smaller) or someone needs it now.
 */
#define RRD_BATCH_WAIT_MS	500
#define RRD_HIWATER		512

static void	rrd_store_written(void *, int);

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
	char	*dir, *loc;

	/* In a cluster, this location's own file of each check. */
	dir = rrd_source_dir(cfg);
	loc = rrd_source_location(cfg);
	if (rs->rrd_dir == NULL || strcmp(rs->rrd_dir, dir) != 0 ||
	    (rs->location == NULL) != (loc == NULL) || (loc != NULL &&
	    strcmp(rs->location, loc) != 0))
		rs->generation++;
	free(rs->rrd_dir);
	rs->rrd_dir = dir;
	free(rs->location);
	rs->location = loc;
	rs->remote = rrd_source_remote(cfg);
	free(rs->rrdcached);
	rs->rrdcached = cfg->rrdcached != NULL && *cfg->rrdcached != '\0' ?
	    xstrdup(cfg->rrdcached) : NULL;
	rs->nrra = cfg->nrrd_rra > RRD_RRA_MAX ? RRD_RRA_MAX : cfg->nrrd_rra;
	memcpy(rs->rra, cfg->rrd_rra, rs->nrra * sizeof rs->rra[0]);
}

/*
 * The batch policy, on the owner's thread: hand the queue to the writer
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
	rs->files = rrd_files_new();
	rrd_store_set_hiwater(rs, RRD_QUEUE_MAX_DEFAULT);
	rrd_store_apply(rs, cfg);
	/* Remote files: rrdcached's CREATE makes its folders. */
	if (!rs->remote && rrd_files_mkdirs(rs->rrd_dir) == -1) {
		log_error("rrd: cannot create %s: %s", rs->rrd_dir,
		    strerror(errno));
		rrd_store_close(rs);
		return NULL;
	}
	/* One batch out at a time: the queue is never full. */
	rs->writer = bio_new(base, "rrd-writer", 2);
	if (base != NULL)
		rs->ev_batch = evtimer_new(base, rrd_store_on_timer, rs);
	log_info("rrd: recording in %s%s%s%s%s", rs->rrd_dir,
	    rs->location != NULL ? " as location " : "",
	    rs->location != NULL ? rs->location : "",
	    rs->rrdcached != NULL ? " through rrdcached " : "",
	    rs->rrdcached != NULL ? rs->rrdcached : "");
	return rs;
}

struct rrd_store *
rrd_store_open(const struct config *cfg)
{
	return rrd_store_open_loop(cfg, NULL);
}

/* With mtx held: a new slot at the end of the pending updates. */
static struct rrd_job *
rrd_queue_slot(struct rrd_store *rs)
{
	struct rrd_qblock	*b;

	if (rs->qlast == NULL || rs->qtail == RRD_QBLOCK) {
		if ((b = rs->qspare) != NULL)
			rs->qspare = NULL;
		else
			b = xmalloc(sizeof *b);
		b->next = NULL;
		if (rs->qlast != NULL)
			rs->qlast->next = b;
		else {
			rs->qfirst = b;
			rs->qhead = 0;
		}
		rs->qlast = b;
		rs->qtail = 0;
	}
	return &rs->qlast->job[rs->qtail++];
}

void
rrd_queue_take(struct rrd_store *rs, struct rrd_job *out, size_t n)
{
	struct rrd_qblock	*b;
	size_t			 end, k;

	while (n > 0 && (b = rs->qfirst) != NULL) {
		end = b == rs->qlast ? rs->qtail : RRD_QBLOCK;
		k = end - rs->qhead < n ? end - rs->qhead : n;
		if (out != NULL) {
			memcpy(out, &b->job[rs->qhead], k * sizeof *out);
			out += k;
		}
		rs->qhead += k;
		rs->count -= k;
		n -= k;
		if (rs->qhead < end)
			break;
		if (b == rs->qlast) {
			/* All taken: the block starts over. */
			rs->qhead = rs->qtail = 0;
			break;
		}
		rs->qfirst = b->next;
		rs->qhead = 0;
		if (rs->qspare == NULL)
			rs->qspare = b;
		else
			free(b);
	}
}

void
rrd_store_record(struct rrd_store *rs, const struct check_conf *c,
    const struct result *r)
{
	struct rrd_job	*j;
	size_t		 n;

	if (rs == NULL)
		return;
	pthread_mutex_lock(&rs->mtx);
	while (rs->count >= rs->max) {
		/* Full: drop the oldest rather than block the loop. */
		if (!rs->overflowing)
			log_warn("rrd: write queue full (%zu updates): "
			    "dropping the oldest", rs->max);
		rs->overflowing = 1;
		rrd_queue_take(rs, NULL, 1);
		rs->stats.dropped++;
	}
	j = rrd_queue_slot(rs);
	j->id = c->id;
	j->name = rs->reg != NULL ? registry_name(rs->reg, c->id) : c->name;
	j->interval = c->interval;
	j->t = (time_t)floor(r->at);
	j->at = r->at;
	rrd_store_sample(r, &j->sample);
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
rrd_store_set_registry(struct rrd_store *rs, const struct registry *reg)
{
	rs->reg = reg;
}

void
rrd_store_reload(struct rrd_store *rs, const struct config *cfg)
{
	if (rs == NULL)
		return;
	pthread_mutex_lock(&rs->mtx);
	rrd_store_apply(rs, cfg);
	pthread_mutex_unlock(&rs->mtx);
	if (!rs->remote && rrd_files_mkdirs(rs->rrd_dir) == -1)
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

void
rrd_store_close(struct rrd_store *rs)
{
	struct rrd_qblock	*b;

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
	rrd_files_free(rs->files);
	while ((b = rs->qfirst) != NULL) {
		rs->qfirst = b->next;
		free(b);
	}
	free(rs->qspare);
	free(rs->rrd_dir);
	free(rs->location);
	free(rs->rrdcached);
	pthread_mutex_destroy(&rs->mtx);
	free(rs);
}


/* On the owner's thread: count the batch, hand over what came since. */
static void
rrd_store_written(void *arg, int cancelled)
{
	struct rrd_store		*rs = arg;
	const struct rrd_store_stats	*st;

	(void)cancelled;		/* the writer queue is drained */
	pthread_mutex_lock(&rs->mtx);
	st = rrd_wctx_stats(rs->w);
	rs->stats.written += st->written;
	rs->stats.skipped += st->skipped;
	rs->stats.errors += st->errors;
	rs->stats.batched += st->batched;
	pthread_mutex_unlock(&rs->mtx);
	rs->busy = 0;
	rrd_store_kick(rs, 0);
}
