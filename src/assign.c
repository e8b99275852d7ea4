/*
 * assign.c -- spread the checks over the live nodes (see assign.h).
 *
 * Every few seconds a job on its own bio queue reads the heartbeats
 * through its own store connection and works out, for every check, the
 * nodes that probe it; the loop then swaps in the new table of this
 * node's checks (by registry id).  Until the first answer this node
 * probes everything it is configured for: at start it may double a few
 * runs, never leave a check unprobed.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "assign.h"
#include "bio.h"
#include "config.h"
#include "log.h"
#include "store.h"
#include "xmalloc.h"

struct assign {
	const struct config	*cfg;
	const struct config	*running;
	struct bio		*bio;
	struct event		*ev;
	uint8_t			*mine;		/* [registry id]; NULL: all */
	size_t			 nmine;
	size_t			 nlive;		/* nodes in the last answer */
};

struct assign_job {
	struct assign		*as;
	const struct config	*cfg;
	uint8_t			*mine;
	size_t			 nmine;
	size_t			 count;		/* checks that are ours */
	size_t			 nlive;
	int			 ok;
};

/* FNV-1a over the check's name, a zero byte and the node's name. */
/*
 * The locations of every node that ever beat, as the last look read
 * them: readers of the RRD files (rrd_source.c, any thread) look for
 * each check's file of each, instead of listing every file.
 */
static pthread_mutex_t	assign_locs_mtx = PTHREAD_MUTEX_INITIALIZER;
static char		**assign_locs;
static size_t		 assign_nlocs;

static void
assign_locs_set(const struct config *cfg, const struct store_node *nodes,
    size_t n, const char *me)
{
	char	**v;
	size_t	 i, j, m = 0;

	v = xcalloc(n + 1, sizeof *v);
	v[m++] = xstrdup(cfg->location != NULL && cfg->location[0] != '\0' ?
	    cfg->location : me);
	for (i = 0; i < n; i++) {
		if (nodes[i].location[0] == '\0')
			continue;
		for (j = 0; j < m && strcmp(v[j], nodes[i].location) != 0; j++)
			;
		if (j == m)
			v[m++] = xstrdup(nodes[i].location);
	}
	pthread_mutex_lock(&assign_locs_mtx);
	for (i = 0; i < assign_nlocs; i++)
		free(assign_locs[i]);
	free(assign_locs);
	assign_locs = v;
	assign_nlocs = m;
	pthread_mutex_unlock(&assign_locs_mtx);
}

char **
assign_locations(size_t *n)
{
	char	**v = NULL;
	size_t	 i;

	pthread_mutex_lock(&assign_locs_mtx);
	*n = assign_nlocs;
	if (assign_nlocs > 0) {
		v = xcalloc(assign_nlocs, sizeof *v);
		for (i = 0; i < assign_nlocs; i++)
			v[i] = xstrdup(assign_locs[i]);
	}
	pthread_mutex_unlock(&assign_locs_mtx);
	return v;
}

static uint64_t
score(const char *check, const char *node)
{
	uint64_t	h = 14695981039346656037ULL;
	const char	*p;

	for (p = check; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	h = (h ^ 0) * 1099511628211ULL;
	for (p = node; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	/* FNV's low bits mix poorly: finish as splitmix64 does. */
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

size_t
assign_pick(const char *check, const char *const *nodes, size_t n,
    size_t want, size_t *pick)
{
	uint64_t	*sc;
	size_t		 i, j, k, got = 0;

	if (want == 0 || want > n)
		want = n;
	sc = xcalloc(n > 0 ? n : 1, sizeof *sc);
	for (i = 0; i < n; i++)
		sc[i] = score(check, nodes[i]);
	/* want is small: pick the best, then the next best, ... */
	for (k = 0; k < want; k++) {
		size_t best = n;

		for (i = 0; i < n; i++) {
			for (j = 0; j < got; j++)
				if (pick[j] == i)
					break;
			if (j < got)
				continue;
			/* Ties (equal scores) go to the smaller name. */
			if (best == n || sc[i] > sc[best] || (sc[i] ==
			    sc[best] && strcmp(nodes[i], nodes[best]) < 0))
				best = i;
		}
		pick[got++] = best;
	}
	free(sc);
	return got;
}

const char *
assign_node_name(const struct config *cfg, char *buf, size_t len)
{
	if (cfg->node != NULL && cfg->node[0] != '\0') {
		snprintf(buf, len, "%s", cfg->node);
		return buf;
	}
	if (gethostname(buf, len) == -1)
		snprintf(buf, len, "localhost");
	buf[len - 1] = '\0';
	return buf;
}

static void
assign_work(void *arg)
{
	struct assign_job	*j = arg;
	const struct config	*cfg = j->cfg;
	struct store		*st;
	struct store_node	*nodes = NULL;
	const char		**names;
	char			*where, err[256], me[256];
	size_t			 n = 0, nlive = 0, i, k, *pick, got, maxid = 0;
	time_t			 now = time(NULL);
	int			 self = 0;

	where = store_where(cfg->database, cfg->state_dir);
	st = store_open(where, 0, err, sizeof err);
	free(where);
	if (st == NULL || store_nodes(st, &nodes, &n) != STORE_OK) {
		if (st != NULL)
			store_close(st);
		free(nodes);
		return;		/* keep the last answer */
	}
	store_close(st);
	assign_node_name(cfg, me, sizeof me);
	assign_locs_set(cfg, nodes, n, me);
	names = xcalloc(n + 1, sizeof *names);
	for (i = 0; i < n; i++) {
		if (strcmp(nodes[i].name, me) == 0)
			self = 1;
		else if (nodes[i].last_seen < now - cfg->node_timeout)
			continue;	/* gone */
		names[nlive++] = nodes[i].name;
	}
	if (!self)
		names[nlive++] = me;	/* before its first heartbeat */
	for (i = 0; i < cfg->nchecks; i++)
		if (cfg->checks[i]->id + 1 > maxid)
			maxid = cfg->checks[i]->id + 1;
	j->mine = xcalloc(maxid > 0 ? maxid : 1, 1);
	j->nmine = maxid;
	pick = xcalloc(nlive, sizeof *pick);
	for (i = 0; i < cfg->nchecks; i++) {
		const struct check_conf *c = cfg->checks[i];

		got = assign_pick(c->name, names, nlive,
		    (size_t)(c->locations > 0 ? c->locations : 0), pick);
		/* 2: this node is the check's first pick, its lead. */
		for (k = 0; k < got; k++)
			if (strcmp(names[pick[k]], me) == 0) {
				j->mine[c->id] = k == 0 ? 2 : 1;
				j->count++;
			}
	}
	j->nlive = nlive;
	j->ok = 1;
	free(pick);
	free(names);
	free(nodes);
}

static void
assign_done(void *arg, int cancelled)
{
	struct assign_job	*j = arg;
	struct assign		*as = j->as;

	as->running = NULL;
	if (cancelled || !j->ok || j->cfg != as->cfg)
		return;		/* a newer config asks again */
	if (as->mine == NULL || j->nlive != as->nlive)
		log_info("assign: %zu live node(s), this one probes %zu of "
		    "%zu checks", j->nlive, j->count, j->cfg->nchecks);
	free(as->mine);
	as->mine = j->mine;
	as->nmine = j->nmine;
	as->nlive = j->nlive;
	j->mine = NULL;
}

static void
assign_free_job(void *arg)
{
	struct assign_job	*j = arg;

	free(j->mine);
	free(j);
}

/* Seconds between looks: a third of node_timeout, at least 1. */
static int
assign_every(const struct config *cfg)
{
	return cfg->node_timeout / 3 > 1 ? cfg->node_timeout / 3 : 1;
}

static void
assign_look(evutil_socket_t fd, short what, void *arg)
{
	struct assign		*as = arg;
	struct assign_job	*j;
	struct timeval		 tv = { assign_every(as->cfg), 0 };

	(void)fd;
	(void)what;
	evtimer_add(as->ev, &tv);
	if (as->running != NULL)
		return;
	j = xcalloc(1, sizeof *j);
	j->as = as;
	j->cfg = as->cfg;
	if (bio_submit(as->bio, assign_work, assign_done, assign_free_job, j,
	    0) == -1) {
		free(j);
		return;
	}
	as->running = as->cfg;
}

struct assign *
assign_start(struct event_base *base, const struct config *cfg)
{
	struct assign	*as;
	struct timeval	 tv = { 0, 0 };

	as = xcalloc(1, sizeof *as);
	as->cfg = cfg;
	as->bio = bio_new(base, "assign", 1);
	as->ev = evtimer_new(base, assign_look, as);
	evtimer_add(as->ev, &tv);
	return as;
}

void
assign_reload(struct assign *as, const struct config *cfg)
{
	if (as == NULL)
		return;
	as->cfg = cfg;
	/* Ids may be new: probe everything until the next answer. */
	free(as->mine);
	as->mine = NULL;
	as->nmine = 0;
}

int
assign_config_unused(const struct assign *as, const struct config *cfg)
{
	return as == NULL || as->running != cfg;
}

int
assign_runs(unsigned id, void *arg)
{
	const struct assign	*as = arg;

	if (as == NULL || as->mine == NULL)
		return 1;
	return id < as->nmine && as->mine[id];
}

int
assign_leads(unsigned id, void *arg)
{
	const struct assign	*as = arg;

	if (as == NULL || as->mine == NULL)
		return 1;
	return id < as->nmine && as->mine[id] == 2;
}

size_t
assign_live(const void *arg)
{
	const struct assign	*as = arg;

	return as == NULL || as->nlive == 0 ? 1 : as->nlive;
}

void
assign_stop(struct assign *as)
{
	if (as == NULL)
		return;
	event_free(as->ev);
	bio_free(as->bio, BIO_CANCEL);
	free(as->mine);
	free(as);
}
