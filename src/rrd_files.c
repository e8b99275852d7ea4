/*
 * rrd_files.c -- the recorder's per-check file table: what the writer
 * knows of each check's file (step, last update, failing), and making
 * the file right before a write: create it, move an old-interval or
 * corrupt one aside, tell rrdcached to forget it.  The writer's thread
 * only; see rrd_store.c's DESIGN for the rules.
 *
 * The table is looked up through rrd_files_get alone, by the check's
 * registry id that every job carries (the writer never sees the
 * registry itself, which is the loop's).
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rrd.h>
#include <rrd_client.h>

#include "config.h"
#include "log.h"
#include "registry.h"
#include "rrd_source.h"
#include "rrd_store.h"
#include "rrd_store_int.h"
#include "rrdcached_child.h"
#include "xmalloc.h"

/* With rrdcached, stat a known file this often to see it vanish. */
#define RRD_RECHECK_S		30

pthread_mutex_t	rrd_store_rrdc_lock = PTHREAD_MUTEX_INITIALIZER;

/* 100,000 checks: a state and a name of up to 9 bytes in 48 bytes. */
_Static_assert(offsetof(struct rrd_file_state, name) <= 39,
    "a file state's fields fit 39 bytes");

/* The table: a slot per check, at its registry id (registry.h). */
struct rrd_files {
	struct rrd_file_state	**states;
	size_t			 nstates;
};

/* Create dir and its parents; 0 or -1 with errno. */
int
rrd_files_mkdirs(const char *dir)
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
	struct stat	 st;
	char		*own = NULL;
	const char	*addr;

	if (cfg == NULL)
		return;
	addr = cfg->rrdcached;
	/*
	 * A tool (CLI) beside a running daemon: the daemon's own rrdcached,
	 * when its socket is there, holds the values not yet written.
	 */
	if ((addr == NULL || *addr == '\0') &&
	    (own = rrdcached_child_addr(cfg)) != NULL &&
	    stat(own + 5, &st) == 0 && S_ISSOCK(st.st_mode))
		addr = own;
	if (addr == NULL || *addr == '\0') {
		free(own);
		return;
	}
	pthread_mutex_lock(&rrd_store_rrdc_lock);
	rrd_clear_error();
	if (rrdc_connect(addr) == 0 && rrdc_flush(path) != 0)
		log_debug("rrd: flush %s through rrdcached: %s", path,
		    rrd_get_error());
	rrd_clear_error();
	pthread_mutex_unlock(&rrd_store_rrdc_lock);
	free(own);
}

struct rrd_files *
rrd_files_new(void)
{
	return xcalloc(1, sizeof(struct rrd_files));
}

/* Free one file state. */
static void
rrd_files_drop(struct rrd_file_state *s)
{
	free(s);
}

void
rrd_files_clear(struct rrd_files *ft)
{
	size_t	i;

	for (i = 0; i < ft->nstates; i++)
		if (ft->states[i] != NULL)
			rrd_files_drop(ft->states[i]);
	free(ft->states);
	ft->states = NULL;
	ft->nstates = 0;
}

void
rrd_files_free(struct rrd_files *ft)
{
	if (ft == NULL)
		return;
	rrd_files_clear(ft);
	free(ft);
}

/*
 * The name is compared all the same: a program without a registry (a
 * test with one check) may leave the id at 0, and a later name then
 * takes the slot over (its file state is read again).
 */
struct rrd_file_state *
rrd_files_get(struct rrd_files *ft, unsigned id, const char *name,
    uint32_t batchno)
{
	struct rrd_file_state	*s;
	size_t			 len;

	ft->states = registry_slots(ft->states, &ft->nstates, id,
	    sizeof *ft->states);
	if ((s = ft->states[id]) != NULL && strcmp(s->name, name) == 0)
		return s;
	if (s != NULL) {
		/* Two names under one id in one batch: a caller's bug. */
		if (s->mark == batchno)
			fatal("rrd: checks %s and %s share id %u", s->name,
			    name, id);
		rrd_files_drop(s);
	}
	/*
	 * The name after the state; the file's name and path are made when
	 * they are needed (rrd_file_name): 100,000 checks would otherwise
	 * hold three strings each.
	 */
	len = strlen(name) + 1;
	s = ft->states[id] = xcalloc(1, offsetof(struct rrd_file_state,
	    name) + len);
	memcpy(s->name, name, len);
	return s;
}

/* A location's own file in a cluster (rrd_source.h): <check>~<location>. */
const char *
rrd_file_name(const struct rrd_batch_conf *bc, const struct rrd_file_state *s,
    char *buf, size_t len)
{
	if (bc->location != NULL)
		snprintf(buf, len, "%s%c%s.rrd", s->name, RRD_LOC_SEP,
		    bc->location);
	else
		snprintf(buf, len, "%s.rrd", s->name);
	return buf;
}

void
rrd_file_path(const struct rrd_batch_conf *bc, const struct rrd_file_state *s,
    char *buf, size_t len)
{
	if (bc->location != NULL)
		snprintf(buf, len, "%s/%s%c%s.rrd", bc->dir, s->name,
		    RRD_LOC_SEP, bc->location);
	else
		snprintf(buf, len, "%s/%s.rrd", bc->dir, s->name);
}

/* Tell rrdcached to drop what it keeps of path (before re-creating it). */
static void
rrd_files_forget(const struct rrd_batch_conf *bc, const char *path,
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

/* Create the file for interval; 0 or -1 (logged once per episode). */
static int
rrd_files_make(const struct rrd_batch_conf *bc, struct rrd_file_state *s,
    int interval, time_t first_t)
{
	char	err[512], path[PATH_MAX];

	rrd_file_path(bc, s, path, sizeof path);
	if (!bc->remote)
		(void)rrd_files_mkdirs(bc->dir);
	rrd_files_forget(bc, path, 0);
	if (rrd_store_create_at(bc->remote ? bc->rrdcached : NULL, path,
	    interval, first_t - interval, bc->rra, bc->nrra, err,
	    sizeof err) == -1) {
		if (!s->failing)
			log_error("rrd: cannot create %s: %s", path, err);
		s->failing = 1;
		s->step = 0;
		return -1;
	}
	log_debug("rrd: created %s (step %d s)", path, interval);
	s->checked = bc->now;
	s->step = (unsigned long)interval;
	s->last_t = first_t - interval;
	s->last_at = 0;
	return 0;
}

/* Move path aside to a name made from fmt-like suffix; logged. */
static void
rrd_files_move_aside(const struct rrd_batch_conf *bc,
    struct rrd_file_state *s, const char *suffix, int corrupt)
{
	char	*to, path[PATH_MAX];

	rrd_file_path(bc, s, path, sizeof path);
	rrd_files_forget(bc, path, !corrupt);
	xasprintf(&to, "%s%s", path, suffix);
	if (rename(path, to) == -1)
		log_error("rrd: cannot rename %s to %s: %s", path, to,
		    strerror(errno));
	else if (corrupt)
		log_error("rrd: %s is not a readable RRD file: moved to %s, "
		    "starting a new one", path, to);
	else
		log_info("rrd: %s: interval changed from %lu s: old history "
		    "kept in %s, starting a new file", s->name,
		    (unsigned long)s->step, to);
	free(to);
	s->step = 0;
}

/*
 * rrd_files_ensure for a file behind a shared rrdcached: INFO tells its
 * step and last update, no answer (no such file) makes us CREATE it.
 * It cannot be renamed there: a file of another step is logged once and
 * written as it is (rrdcached has no command to move it aside).
 */
static int
rrd_files_ensure_remote(const struct rrd_batch_conf *bc,
    struct rrd_file_state *s, int interval, time_t first_t, int recheck)
{
	rrd_info_t	*info = NULL, *i;
	unsigned long	 step = 0;
	time_t		 last = 0;
	int		 up;
	char		 path[PATH_MAX];

	if (!recheck && !s->failing && s->step != 0)
		return 0;
	rrd_file_path(bc, s, path, sizeof path);
	pthread_mutex_lock(&rrd_store_rrdc_lock);
	rrd_clear_error();
	if ((up = rrdc_connect(bc->rrdcached) == 0))
		info = rrdc_info(path);
	for (i = info; i != NULL; i = i->next) {
		if (strcmp(i->key, "step") == 0)
			step = i->value.u_cnt;
		else if (strcmp(i->key, "last_update") == 0)
			last = (time_t)i->value.u_cnt;
	}
	if (info != NULL)
		rrd_info_free(info);
	rrd_clear_error();
	pthread_mutex_unlock(&rrd_store_rrdc_lock);
	if (!up) {
		if (!s->failing)
			log_error("rrd: %s: rrdcached %s cannot be reached",
			    path, bc->rrdcached);
		s->failing = 1;
		return -1;
	}
	if (step == 0)
		return rrd_files_make(bc, s, interval, first_t);
	if (step != (unsigned long)interval)
		log_error("rrd: %s has a step of %lu s, the check's interval "
		    "is %d s: rrdcached cannot move it aside, so it is kept",
		    path, step, interval);
	s->checked = bc->now;
	s->step = (unsigned long)interval;
	s->last_t = last;
	s->last_at = 0;
	return 0;
}

/*
 * Make sure s's file exists with the step of interval.  Returns 0 when it
 * can be updated, -1 when not (logged).  A file we know and that worked
 * is not looked at again (no stat per write): when it vanished or broke
 * the update fails and the writer calls us again with recheck set.  With
 * rrdcached the update may not fail (it keeps the file's values in
 * memory), so there a known file is still looked at every RRD_RECHECK_S.
 */
int
rrd_files_ensure(const struct rrd_batch_conf *bc, struct rrd_file_state *s,
    int interval, time_t first_t, int recheck)
{
	struct stat	 st;
	rrd_info_t	*info, *i;
	char		 suffix[64];
	unsigned long	 step = 0;
	time_t		 last = 0;
	char		 path[PATH_MAX];

	if (bc->remote)
		return rrd_files_ensure_remote(bc, s, interval, first_t,
		    recheck);
	if (!recheck && !s->failing && s->step == (unsigned long)interval &&
	    (bc->rrdcached == NULL || (bc->now >= s->checked &&
	    bc->now - s->checked < RRD_RECHECK_S)))
		return 0;
	rrd_file_path(bc, s, path, sizeof path);
	if (stat(path, &st) == -1) {
		if (errno != ENOENT) {
			if (!s->failing)
				log_error("rrd: %s: %s", path,
				    strerror(errno));
			s->failing = 1;
			return -1;
		}
		if (s->step != 0)
			log_warn("rrd: %s vanished: creating it again",
			    path);
		return rrd_files_make(bc, s, interval, first_t);
	}
	s->checked = bc->now;
	/* The update failed: read the file again (it may be corrupt now). */
	if (recheck)
		s->step = 0;
	if (s->step == 0) {
		/* First sight of an existing file: read its step and end. */
		if (bc->rrdcached != NULL)
			rrd_files_forget(bc, path, 1);
		rrd_clear_error();
		if ((info = rrd_info_r(path)) != NULL) {
			for (i = info; i != NULL; i = i->next) {
				if (strcmp(i->key, "step") == 0)
					step = i->value.u_cnt;
				else if (strcmp(i->key, "last_update") == 0)
					last = (time_t)i->value.u_cnt;
			}
			rrd_info_free(info);
		}
		rrd_clear_error();
		if (step == 0 && access(path, R_OK) == -1) {
			/* Unreadable is not corrupt: leave it be. */
			if (!s->failing)
				log_error("rrd: %s: %s", path,
				    strerror(errno));
			s->failing = 1;
			return -1;
		}
		if (step == 0) {
			snprintf(suffix, sizeof suffix, ".%lld.corrupt",
			    (long long)time(NULL));
			rrd_files_move_aside(bc, s, suffix, 1);
			return rrd_files_make(bc, s, interval, first_t);
		}
		s->step = step;
		s->last_t = last;
		s->last_at = 0;
	}
	if (s->step != (unsigned long)interval) {
		snprintf(suffix, sizeof suffix, ".step%lu.%lld",
		    (unsigned long)s->step,
		    (long long)time(NULL));
		rrd_files_move_aside(bc, s, suffix, 0);
		return rrd_files_make(bc, s, interval, first_t);
	}
	return 0;
}
