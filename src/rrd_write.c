/*
 * rrd_write.c -- the recorder's writer thread: take the queue, group it
 * by check, and write each file's values in one go, directly with librrd
 * or through rrdcached (BATCH on our own connection, rrdc_update when
 * BATCH is refused, direct writes while rrdcached is down).  The rules
 * are in rrd_store.c's DESIGN.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rrd.h>
#include <rrd_client.h>

#include "log.h"
#include "rrd_store.h"
#include "rrd_store_int.h"
#include "util.h"
#include "xmalloc.h"

/* rrdcached BATCH: commands and bytes per exchange; one line's length. */
#define RRD_BATCH_CMDS		2000
#define RRD_WRITER_BATCH_MAX	4096	/* updates taken at once */
#define RRD_BATCH_BYTES		(512 * 1024)
#define RRD_LINE_MAX		3500

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
	double			 v[RRD_DS_COUNT];
	size_t			 i, len;
	int			 d, interval = jobs[n - 1].interval;

	p = &w->pend[w->npend++];
	memset(p, 0, sizeof *p);
	p->s = s;
	p->interval = interval;
	p->first_t = jobs[0].t;
	p->voff = w->vals.len;
	if (rrd_files_ensure(&w->bc, s, interval, jobs[0].t, 0) == -1) {
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
		rrd_sample_values(&jobs[i].sample, v);
		for (d = 0; d < RRD_DS_COUNT; d++) {
			line[len++] = ':';
			len += rrd_store_format_value(line + len, v[d]);
		}
		buf_add(&w->vals, line, len + 1);
		p->nv++;
		s->last_t = jobs[i].t;
		s->last_at = jobs[i].at;
	}
	p->vlen = w->vals.len - p->voff;
	p->rc = p->nv > 0 ? 1 : 0;
}

/* A file's path for a log line, in the writer thread's own buffer. */
static const char *
rrd_log_path(struct rrd_wctx *w, const struct rrd_file_state *s)
{
	static __thread char	path[PATH_MAX];

	rrd_file_path(&w->bc, s, path, sizeof path);
	return path;
}

/*
 * Write p with librrd itself; not a shared rrdcached's file, which is on
 * its machine (the results are lost, counted as errors).
 */
static void
rrd_store_write_direct(struct rrd_wctx *w, struct rrd_pending *p)
{
	const char	**argv;
	char		  path[PATH_MAX];

	if (w->bc.remote) {
		rrd_pending_done(p, -1, "rrdcached cannot be reached");
		return;
	}
	argv = rrd_pending_argv(w, p);
	rrd_file_path(&w->bc, p->s, path, sizeof path);
	rrd_clear_error();
	if (rrd_update_r(path, NULL, (int)p->nv, argv) == 0)
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
	char		  path[PATH_MAX];
	int		  rc;

	pthread_mutex_lock(&rrd_store_rrdc_lock);
	rrd_clear_error();
	if (rrdc_connect(w->bc.rrdcached) != 0) {
		pthread_mutex_unlock(&rrd_store_rrdc_lock);
		if (!rs->rrdc_failing)
			log_error("rrd: cannot reach rrdcached %s (%s): %s",
			    w->bc.rrdcached, rrd_get_error(), w->bc.remote ?
			    "its files cannot be written meanwhile" :
			    "writing files directly until it is back");
		rs->rrdc_failing = 1;
		rrd_store_write_direct(w, p);
		return;
	}
	if (rs->rrdc_failing)
		log_info("rrd: rrdcached %s is back", w->bc.rrdcached);
	rs->rrdc_failing = 0;
	rrd_file_path(&w->bc, p->s, path, sizeof path);
	rc = rrd_store_rrdc_update(path, p->nv, argv);
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
	char			 file[PATH_MAX];
	size_t			 head, len, n;

	v = w->vals.data + p->voff;
	end = v + p->vlen;
	rrd_file_name(&w->bc, p->s, file, sizeof file);
	head = strlen(w->bc.cdir) + strlen(file) + 16;
	while (v < end) {
		buf_addstr(&w->out, "UPDATE ");
		buf_addstr(&w->out, w->bc.cdir);
		buf_add(&w->out, "/", 1);
		buf_addstr(&w->out, file);
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
			log_error("rrd: cannot reach rrdcached %s (%s): %s",
			    w->bc.rrdcached, err, w->bc.remote ?
			    "its files cannot be written meanwhile" :
			    "writing files directly until it is back");
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
			if (rrd_files_ensure(&w->bc, p->s, p->interval,
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
				    "until it works again)",
				    rrd_log_path(w, p->s), p->err);
			p->s->failing = 1;
			p->s->step = 0;
			w->st.errors++;
		} else {
			if (p->nv > 0 && p->s->failing) {
				log_info("rrd: %s: updates work again",
				    rrd_log_path(w, p->s));
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
 * file through the table instead of sorting by name: O(n).
 */
static void
rrd_store_group(struct rrd_store *rs, struct rrd_wctx *w, size_t n)
{
	struct rrd_file_state	*s;
	size_t			 i, j, k, m;

	rs->batchno++;
	w->nfiles = 0;
	for (i = 0; i < n; i++) {
		s = rrd_files_get(rs->files, w->batch[i].id,
		    w->batch[i].name, rs->batchno);
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
struct rrd_wctx *
rrd_wctx_new(void)
{
	struct rrd_wctx	*w;

	w = xcalloc(1, sizeof *w);
	buf_init(&w->vals);
	buf_init(&w->out);
	return w;
}

/* Free what the writer kept between batches. */
void
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
	bc->location = rs->location != NULL ? xstrdup(rs->location) : NULL;
	bc->remote = rs->remote;
	if (bc->rrdcached == NULL)
		return;
	local = strncmp(bc->rrdcached, "unix:", 5) == 0 ||
	    bc->rrdcached[0] == '/';
	if (local && bc->dir[0] != '/')
		real = realpath(bc->dir, NULL);
	bc->cdir = rrd_store_escape(real != NULL ? real : bc->dir);
	free(real);
}

/* On the writer's thread: take the queue's oldest, write them file by file. */
void
rrd_store_writer(void *arg)
{
	struct rrd_store	*rs = arg;
	struct rrd_wctx		*w = rs->w;
	size_t			 n;

	pthread_mutex_lock(&rs->mtx);
	/*
	 * A bounded bite: while 100,000 new files are created the queue can
	 * hold tens of thousands of updates, and taking them all at once
	 * would copy them twice more (batch, sorted).  The rest is the next
	 * batch, handed over at once (rrd_store_written).
	 */
	n = rs->count < RRD_WRITER_BATCH_MAX ? rs->count :
	    RRD_WRITER_BATCH_MAX;
	if (n > w->bcap) {
		w->bcap = n;
		w->batch = xreallocarray(w->batch, n, sizeof *w->batch);
		w->sorted = xreallocarray(w->sorted, n, sizeof *w->sorted);
		w->next = xreallocarray(w->next, n, sizeof *w->next);
	}
	rrd_queue_take(rs, w->batch, n);
	if (rs->overflowing && rs->count == 0) {
		log_info("rrd: write queue caught up (%llu updates dropped so "
		    "far)", rs->stats.dropped);
		rs->overflowing = 0;
	}
	rrd_store_batch_conf(rs, &w->bc);
	if (rs->writer_generation != rs->generation) {
		rs->writer_generation = rs->generation;
		rrd_files_clear(rs->files);
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
	free(w->bc.location);
}

const struct rrd_store_stats *
rrd_wctx_stats(const struct rrd_wctx *w)
{
	return &w->st;
}
