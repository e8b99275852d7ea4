/*
 * rrd_source.c -- a check's RRD files: their names, finding every
 * location's file, and reading one locally or through rrdcached.
 *
 * How a reader learns the locations: from the files themselves -- a
 * listing of the folder when the files are local, rrdcached's LIST when
 * they are behind a shared rrdcached -- not from location_state, which
 * only holds the locations that voted.  A file is what was recorded, so
 * the file list is the truth for every period.  One exception, for cost:
 * rrdcached's LIST of 90,000 files takes it seconds of CPU, so a
 * cluster's daemon asks for each check's file of every location any node
 * ever beat from (the `nodes` rows, which stay when a node goes:
 * assign_locations()), one LAST each.  A location whose node row an
 * operator deleted is then no longer read by the daemons (the CLI, which
 * lists, still reads it).
 */
#include <sys/types.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rrd.h>
#include <rrd_client.h>

#include "assign.h"
#include "config.h"
#include "rrd_cached.h"
#include "rrd_source.h"
#include "rrd_store.h"
#include "xmalloc.h"

/* rrd_files.c owns librrd's one rrdcached connection's lock. */
extern pthread_mutex_t	rrd_store_rrdc_lock;

int
rrd_source_cluster(const struct config *cfg)
{
	return cfg != NULL && cfg->database != NULL &&
	    cfg->database[0] != '\0';
}

/* A unix socket (or the daemon's own child) means local files. */
static int
rrd_source_tcp(const char *addr)
{
	return addr != NULL && addr[0] != '\0' && addr[0] != '/' &&
	    strncmp(addr, "unix:", 5) != 0;
}

int
rrd_source_remote(const struct config *cfg)
{
	return rrd_source_cluster(cfg) && !cfg->rrdcached_own &&
	    rrd_source_tcp(cfg->rrdcached);
}

char *
rrd_source_location(const struct config *cfg)
{
	char	 node[256], *s, *p;

	if (!rrd_source_cluster(cfg))
		return NULL;
	if (cfg->location != NULL && cfg->location[0] != '\0')
		s = xstrdup(cfg->location);
	else
		s = xstrdup(assign_node_name(cfg, node, sizeof node));
	/* A file name and an rrdcached argument: no '/', ' ' or ':'. */
	for (p = s; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-' &&
		    *p != '_')
			*p = '_';
	return s;
}

char *
rrd_source_dir(const struct config *cfg)
{
	char	*d;

	if (rrd_source_remote(cfg))
		return xstrdup("rrd");
	xasprintf(&d, "%s/rrd", cfg->state_dir);
	return d;
}

/* Add dir/file with its location (NULL: the plain file). */
static void
rrd_sources_add(struct rrd_sources *ss, const char *dir, const char *file,
    const char *loc, size_t loclen)
{
	struct rrd_source	*s;

	ss->v = xreallocarray(ss->v, ss->n + 1, sizeof *ss->v);
	s = &ss->v[ss->n++];
	s->location = loc != NULL ? xstrndup(loc, loclen) : NULL;
	xasprintf(&s->path, "%s/%s", dir, file);
}

/*
 * A cluster's folder holds a file per check and location: scanning it for
 * every read would cost all the files per check, a round of the web's
 * uptime figures the square of the checks.  So the listing is kept,
 * sorted, and a check's files are found in it by halving.  It is read
 * again when older than RRD_LIST_TTL seconds, or when a check has no file
 * in a listing older than RRD_LIST_MISS_TTL (a new check or a new
 * location shows within seconds, and a folder of checks not yet run is
 * not read again for each of them).
 */
#define RRD_LIST_TTL		30
#define RRD_LIST_MISS_TTL	5
/*
 * Through rrdcached a listing costs far more: its LIST stats every file
 * and builds the answer by appending line after line (quadratic in the
 * files: about a second of its CPU at 90,000), so it is read again only
 * every RRD_LIST_REMOTE_TTL, and a check missing from it is looked for
 * file by file: its plain file and one per location the listing shows
 * (LAST, a header read each).  Locations appear as the nodes of a cluster
 * start: the listing is read again after 5 s, then after twice as long
 * each time it shows the same locations, up to RRD_LIST_REMOTE_TTL.
 */
#define RRD_LIST_REMOTE_TTL	600

struct rrd_listing {
	char	*where;		/* the folder, or rrdcached's address */
	time_t	 at;
	char	**names;	/* file names, sorted by strcmp */
	size_t	 n, cap;
	char	**locs;		/* the locations the names show */
	size_t	 nlocs;
	int	 ttl;		/* through rrdcached: read again after */
};

static pthread_mutex_t		rrd_listing_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct rrd_listing	rrd_listing;

static void
rrd_listing_clear(struct rrd_listing *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		free(l->names[i]);
	l->n = 0;
	for (i = 0; i < l->nlocs; i++)
		free(l->locs[i]);
	free(l->locs);
	l->locs = NULL;
	l->nlocs = 0;
}

/* Note the location of a "<check>~<location>.rrd" name, once. */
static void
rrd_listing_loc(struct rrd_listing *l, const char *name)
{
	const char	*t = strchr(name, RRD_LOC_SEP);
	size_t		 len, i;

	if (t == NULL || (len = strlen(t + 1)) <= 4)
		return;
	len -= 4;			/* ".rrd" */
	for (i = 0; i < l->nlocs; i++)
		if (strlen(l->locs[i]) == len &&
		    strncmp(l->locs[i], t + 1, len) == 0)
			return;
	l->locs = xreallocarray(l->locs, l->nlocs + 1, sizeof *l->locs);
	l->locs[l->nlocs++] = xstrndup(t + 1, len);
}

static void
rrd_listing_add(struct rrd_listing *l, const char *name)
{
	size_t	len = strlen(name);

	/* Only what can be a check's file: "*.rrd". */
	if (len < 5 || strcmp(name + len - 4, ".rrd") != 0)
		return;
	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 1024 : l->cap * 2;
		l->names = xreallocarray(l->names, l->cap, sizeof *l->names);
	}
	l->names[l->n++] = xstrdup(name);
	rrd_listing_loc(l, name);
}

static int
rrd_listing_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The local folder's files. */
static void
rrd_listing_scan(struct rrd_listing *l, const char *dir)
{
	DIR		*d;
	struct dirent	*e;

	if ((d = opendir(dir)) == NULL)
		return;		/* nothing recorded yet */
	while ((e = readdir(d)) != NULL)
		rrd_listing_add(l, e->d_name);
	closedir(d);
}

/* rrdcached's LIST of its rrd/ folder. */
static int
rrd_listing_fetch(struct rrd_listing *l, const char *addr, char *err,
    size_t errlen)
{
	struct rrd_bclient	 c = { -1, 0, "", 0 };
	char			 line[1024], *e, *base;
	long			 n, i;
	int			 rc = -1;

	if (rrd_bclient_connect(&c, addr, err, errlen) == -1)
		return -1;
	if (rrd_bclient_send(&c, "LIST /rrd\n", 10) == -1 ||
	    rrd_bclient_line(&c, line, sizeof line) == -1) {
		snprintf(err, errlen, "rrdcached %s: LIST: no answer", addr);
		goto out;
	}
	n = strtol(line, &e, 10);
	if (e == line || n < 0) {
		/* Nothing written to the cluster yet: no folder, no files. */
		if (strstr(line, "No such file") != NULL) {
			rc = 0;
			goto out;
		}
		snprintf(err, errlen, "rrdcached %s: LIST: %.200s", addr, line);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (rrd_bclient_line(&c, line, sizeof line) == -1) {
			snprintf(err, errlen, "rrdcached %s: LIST cut short",
			    addr);
			goto out;
		}
		base = strrchr(line, '/');
		rrd_listing_add(l, base != NULL ? base + 1 : line);
	}
	rc = 0;
out:
	rrd_bclient_close(&c);
	return rc;
}

static int
rrd_listing_loc_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The locations of l, sorted and joined (to compare two listings). */
static char *
rrd_listing_locs(struct rrd_listing *l)
{
	size_t	i, len = 1;
	char	*s;

	if (l->nlocs > 1)
		qsort(l->locs, l->nlocs, sizeof *l->locs, rrd_listing_loc_cmp);
	for (i = 0; i < l->nlocs; i++)
		len += strlen(l->locs[i]) + 1;
	s = xcalloc(1, len);
	for (i = 0; i < l->nlocs; i++) {
		strcat(s, l->locs[i]);
		strcat(s, " ");
	}
	return s;
}

/* Read the listing of where again (addr set: through rrdcached). */
static int
rrd_listing_load(struct rrd_listing *l, const char *where, const char *addr,
    time_t now, char *err, size_t errlen)
{
	char	*before, *after;
	int	 same;

	before = rrd_listing_locs(l);
	same = l->where != NULL && strcmp(l->where, where) == 0;
	rrd_listing_clear(l);
	free(l->where);
	l->where = NULL;
	if (addr != NULL) {
		if (rrd_listing_fetch(l, addr, err, errlen) == -1) {
			rrd_listing_clear(l);
			free(before);
			return -1;
		}
	} else
		rrd_listing_scan(l, where);
	if (l->n > 1)
		qsort(l->names, l->n, sizeof *l->names, rrd_listing_cmp);
	after = rrd_listing_locs(l);
	if (same && l->nlocs > 0 && strcmp(before, after) == 0)
		l->ttl = l->ttl * 2 < RRD_LIST_REMOTE_TTL ? l->ttl * 2 :
		    RRD_LIST_REMOTE_TTL;
	else
		l->ttl = RRD_LIST_MISS_TTL;
	free(before);
	free(after);
	l->where = xstrdup(where);
	l->at = now;
	return 0;
}

/* The first name not below key. */
static size_t
rrd_listing_lower(const struct rrd_listing *l, const char *key)
{
	size_t	lo = 0, hi = l->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(l->names[mid], key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Add check's files in l: "<check>.rrd" and every "<check>~<loc>.rrd".
 * Check names have no '~' (SPEC: [A-Za-z0-9._-]), so that prefix is the
 * check's alone.  Returns how many.
 */
static size_t
rrd_listing_find(const struct rrd_listing *l, struct rrd_sources *ss,
    const char *dir, const char *check)
{
	char	*key;
	size_t	 i, cl = strlen(check), fl, n0 = ss->n;

	xasprintf(&key, "%s.rrd", check);
	i = rrd_listing_lower(l, key);
	if (i < l->n && strcmp(l->names[i], key) == 0)
		rrd_sources_add(ss, dir, key, NULL, 0);
	free(key);
	xasprintf(&key, "%s%c", check, RRD_LOC_SEP);
	for (i = rrd_listing_lower(l, key); i < l->n &&
	    strncmp(l->names[i], key, cl + 1) == 0; i++) {
		fl = strlen(l->names[i]);
		if (fl > cl + 5)
			rrd_sources_add(ss, dir, l->names[i],
			    l->names[i] + cl + 1, fl - cl - 5);
	}
	free(key);
	return ss->n - n0;
}

static int	rrd_source_exists(const char *addr, const char *path);

/*
 * check's files behind rrdcached, asked for one by one: its plain file
 * and its file of each of the n locations.
 */
static void
rrd_sources_probe(struct rrd_sources *ss, const char *dir, const char *addr,
    const char *check, const char *const *locs, size_t n)
{
	char	*file, *path;
	size_t	 i;

	for (i = 0; i <= n; i++) {
		if (i == n)
			xasprintf(&file, "%s.rrd", check);
		else
			xasprintf(&file, "%s%c%s.rrd", check, RRD_LOC_SEP,
			    locs[i]);
		xasprintf(&path, "%s/%s", dir, file);
		if (rrd_source_exists(addr, path) == 1)
			rrd_sources_add(ss, dir, file, i < n ? locs[i] : NULL,
			    i < n ? strlen(locs[i]) : 0);
		free(path);
		free(file);
	}
}

/* A cluster's files of check, from the kept listing of dir or addr. */
static int
rrd_sources_listed(struct rrd_sources *ss, const char *dir, const char *addr,
    const char *check, char *err, size_t errlen)
{
	struct rrd_listing	*l = &rrd_listing;
	const char		*where = addr != NULL ? addr : dir;
	time_t			 now = time(NULL);
	char			**locs;
	size_t			 nlocs, i;
	int			 rc = 0;

	/* The daemon of a cluster knows the locations: no listing at all. */
	if (addr != NULL && (locs = assign_locations(&nlocs)) != NULL) {
		rrd_sources_probe(ss, dir, addr, check,
		    (const char *const *)locs, nlocs);
		for (i = 0; i < nlocs; i++)
			free(locs[i]);
		free(locs);
		return 0;
	}
	pthread_mutex_lock(&rrd_listing_mtx);
	if (l->where == NULL || strcmp(l->where, where) != 0 ||
	    now - l->at >= (addr != NULL ? l->ttl : RRD_LIST_TTL) ||
	    now < l->at)
		rc = rrd_listing_load(l, where, addr, now, err, errlen);
	if (rc == 0 && rrd_listing_find(l, ss, dir, check) == 0) {
		if (addr != NULL)
			rrd_sources_probe(ss, dir, addr, check,
			    (const char *const *)l->locs, l->nlocs);
		else if (now - l->at >= RRD_LIST_MISS_TTL &&
		    (rc = rrd_listing_load(l, where, addr, now, err,
		    errlen)) == 0)
			rrd_listing_find(l, ss, dir, check);
	}
	pthread_mutex_unlock(&rrd_listing_mtx);
	return rc;
}

/* The plain file first, then by location. */
static int
rrd_sources_cmp(const void *a, const void *b)
{
	const struct rrd_source	*x = a, *y = b;

	if (x->location == NULL || y->location == NULL)
		return (x->location != NULL) - (y->location != NULL);
	return strcmp(x->location, y->location);
}

int
rrd_sources_find(const struct config *cfg, const char *check,
    struct rrd_sources *ss, char *err, size_t errlen)
{
	char	*dir, *file;

	memset(ss, 0, sizeof *ss);
	dir = rrd_source_dir(cfg);
	if (!rrd_source_cluster(cfg)) {
		/* One node: the one file, there or not (as ever). */
		xasprintf(&file, "%s.rrd", check);
		rrd_sources_add(ss, dir, file, NULL, 0);
		free(file);
	} else {
		if (rrd_source_remote(cfg))
			ss->daemon = xstrdup(cfg->rrdcached);
		if (rrd_sources_listed(ss, dir, ss->daemon, check, err,
		    errlen) == -1) {
			free(dir);
			rrd_sources_free(ss);
			return -1;
		}
	}
	free(dir);
	if (ss->n > 1)
		qsort(ss->v, ss->n, sizeof *ss->v, rrd_sources_cmp);
	return 0;
}

void
rrd_sources_one(struct rrd_sources *ss, const char *path)
{
	memset(ss, 0, sizeof *ss);
	ss->v = xcalloc(1, sizeof *ss->v);
	ss->v[0].path = xstrdup(path);
	ss->n = 1;
}

void
rrd_sources_free(struct rrd_sources *ss)
{
	size_t	i;

	for (i = 0; i < ss->n; i++) {
		free(ss->v[i].location);
		free(ss->v[i].path);
	}
	free(ss->v);
	free(ss->daemon);
	memset(ss, 0, sizeof *ss);
}

void
rrd_sources_flush(const struct config *cfg, const struct rrd_sources *ss)
{
	size_t	i;

	for (i = 0; i < ss->n; i++)
		rrd_store_flush_file(cfg, ss->v[i].path);
}

void
rrd_source_lock(void)
{
	pthread_mutex_lock(&rrd_store_rrdc_lock);
}

void
rrd_source_unlock(void)
{
	pthread_mutex_unlock(&rrd_store_rrdc_lock);
}

/*
 * FETCH of one data source, on a connection of our own: librrd's
 * rrdc_fetch asks for every column.  One connection for the process,
 * kept, behind its own lock (the web's uptime job is its one user in the
 * daemon).
 */
static pthread_mutex_t		rrd_fetch_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct rrd_bclient	rrd_fetch_conn = { .fd = -1 };
static char			*rrd_fetch_addr;

/* "Key: value" of a FETCH answer's head; NULL when line is not key's. */
static const char *
rrd_fetch_head(const char *line, const char *key)
{
	size_t	n = strlen(key);

	if (strncmp(line, key, n) != 0 || line[n] != ':')
		return NULL;
	return line + n + 1 + (line[n + 1] == ' ');
}

/* Send the FETCH and read its answer; -1 with librrd's error set. */
static int
rrd_fetch_ask(struct rrd_bclient *c, const char *cmd, time_t *start,
    time_t *end, unsigned long *step, unsigned long *nds, char ***names,
    rrd_value_t **data)
{
	char		 line[4096], *e;
	const char	*v;
	long		 nlines, i;
	unsigned long	 nrows = 0, k, row;
	time_t		 t;

	if (rrd_bclient_send(c, cmd, strlen(cmd)) == -1 ||
	    rrd_bclient_line(c, line, sizeof line) == -1) {
		rrd_set_error("rrdcached: FETCH: no answer");
		return -1;
	}
	if ((nlines = strtol(line, &e, 10)) < 0 || e == line) {
		rrd_set_error("rrdcached: %s", line);
		return nlines < 0 ? -2 : -1;	/* -2: an answer, not a break */
	}
	*nds = 0;
	for (i = 0; i < nlines; i++) {
		if (rrd_bclient_line(c, line, sizeof line) == -1) {
			rrd_set_error("rrdcached: FETCH cut short");
			return -1;
		}
		if ((v = rrd_fetch_head(line, "Start")) != NULL)
			*start = (time_t)strtoll(v, NULL, 10);
		else if ((v = rrd_fetch_head(line, "End")) != NULL)
			*end = (time_t)strtoll(v, NULL, 10);
		else if ((v = rrd_fetch_head(line, "Step")) != NULL)
			*step = strtoul(v, NULL, 10);
		else if ((v = rrd_fetch_head(line, "DSName")) != NULL &&
		    *nds == 0) {
			/* The one column asked for. */
			*nds = 1;
			*names = xcalloc(1, sizeof **names);
			(*names)[0] = xstrdup(v);
			if (*step == 0 || *end < *start) {
				rrd_set_error("rrdcached: FETCH: bad head");
				return -2;
			}
			nrows = (unsigned long)(*end - *start) / *step;
			*data = xreallocarray(NULL, nrows > 0 ? nrows : 1,
			    sizeof **data);
			for (k = 0; k < nrows; k++)
				(*data)[k] = NAN;
		} else if (*nds == 1 && (t = (time_t)strtoll(line, &e, 10)) >
		    *start && *e == ':') {
			/* The row ending at t. */
			row = (unsigned long)(t - *start) / *step - 1;
			if (row < nrows)
				(*data)[row] = strtod(e + 1, NULL);
		}
	}
	if (*nds != 1) {
		rrd_set_error("rrdcached: FETCH: no data source in the answer");
		return -2;
	}
	return 0;
}

/*
 * The kept connection, to addr and connected (rrd_fetch_mtx held); NULL
 * with librrd's error set.
 */
static struct rrd_bclient *
rrd_kept_conn(const char *addr)
{
	struct rrd_bclient	*c = &rrd_fetch_conn;
	char			 err[256];

	if (rrd_fetch_addr != NULL && strcmp(rrd_fetch_addr, addr) != 0)
		rrd_bclient_close(c);
	if (c->fd == -1) {
		if (rrd_bclient_connect(c, addr, err, sizeof err) == -1) {
			rrd_set_error("%s", err);
			return NULL;
		}
		free(rrd_fetch_addr);
		rrd_fetch_addr = xstrdup(addr);
	}
	return c;
}

static int
rrd_source_fetch_ds(const char *addr, const char *path, const char *cf,
    const char *ds, time_t *start, time_t *end, unsigned long *step,
    unsigned long *nds, char ***names, rrd_value_t **data)
{
	struct rrd_bclient	*c;
	char			*cmd;
	time_t			 s0 = *start, e0 = *end;
	int			 rc = -1, tries;

	*nds = 0;
	*names = NULL;
	*data = NULL;
	xasprintf(&cmd, "FETCH %s %s %lld %lld %s\n", path, cf,
	    (long long)*start, (long long)*end, ds);
	pthread_mutex_lock(&rrd_fetch_mtx);
	/* A kept connection may have been dropped: once more on a new one. */
	for (tries = 0; tries < 2 && rc == -1; tries++) {
		if ((c = rrd_kept_conn(addr)) == NULL)
			break;
		*start = s0;
		*end = e0;
		*step = 0;
		rc = rrd_fetch_ask(c, cmd, start, end, step, nds, names, data);
		if (rc != 0) {
			rrd_bclient_close(c);	/* out of step with it */
			if (*names != NULL)
				free((*names)[0]);
			free(*names);
			free(*data);
			*nds = 0;
			*names = NULL;
			*data = NULL;
		}
	}
	pthread_mutex_unlock(&rrd_fetch_mtx);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

/* 1 when rrdcached knows path (LAST answers), 0 when not, -1: no answer. */
static int
rrd_source_exists(const char *addr, const char *path)
{
	struct rrd_bclient	*c;
	char			*cmd, line[1024];
	int			 rc = -1, tries;

	xasprintf(&cmd, "LAST %s\n", path);
	pthread_mutex_lock(&rrd_fetch_mtx);
	for (tries = 0; tries < 2 && rc == -1; tries++) {
		if ((c = rrd_kept_conn(addr)) == NULL)
			break;
		if (rrd_bclient_send(c, cmd, strlen(cmd)) == -1 ||
		    rrd_bclient_line(c, line, sizeof line) == -1) {
			rrd_bclient_close(c);
			continue;
		}
		rc = line[0] == '-' ? 0 : 1;
	}
	pthread_mutex_unlock(&rrd_fetch_mtx);
	free(cmd);
	return rc;
}

int
rrd_source_fetch(const struct rrd_sources *ss, const char *path,
    const char *cf, time_t *start, time_t *end, unsigned long *step,
    unsigned long *nds, char ***names, rrd_value_t **data)
{
	int	rc;

	if (ss->daemon == NULL)
		return rrd_fetch_r(path, cf, start, end, step, nds, names,
		    data);
	if (ss->ds != NULL)
		return rrd_source_fetch_ds(ss->daemon, path, cf, ss->ds,
		    start, end, step, nds, names, data);
	rrd_source_lock();
	rc = rrdc_connect(ss->daemon);
	if (rc == 0)
		rc = rrdc_fetch(path, cf, start, end, step, nds, names, data);
	rrd_source_unlock();
	return rc;
}

/* INFO of path, after rrdcached has written what it holds of it when
 * flush is set. */
static rrd_info_t *
rrd_source_info_at(const struct rrd_sources *ss, const char *path, int flush)
{
	rrd_info_t	*info = NULL;

	if (ss->daemon == NULL)
		return rrd_info_r(path);
	rrd_source_lock();
	if (rrdc_connect(ss->daemon) == 0 && (!flush || rrdc_flush(path) == 0))
		info = rrdc_info(path);
	rrd_source_unlock();
	return info;
}

rrd_info_t *
rrd_source_info(const struct rrd_sources *ss, const char *path)
{
	return rrd_source_info_at(ss, path, 0);
}

/* The same, after rrdcached has written what it holds of the file: its
 * last update is then the newest result, not the last write-out. */
rrd_info_t *
rrd_source_info_now(const struct rrd_sources *ss, const char *path)
{
	return rrd_source_info_at(ss, path, 1);
}
