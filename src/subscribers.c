/*
 * subscribers.c -- each site's confirmed subscribers, read off the loop
 * for notify.c.
 *
 * DESIGN
 * One bio queue, "subscribers", whose jobs own the store handle (opened
 * by the first job, closed after the queue ends).  A timer submits one
 * read of every configured site every SUBSCRIBERS_REFRESH_S, never two
 * at once; its done callback swaps the new lists in on the loop.  A
 * failed read keeps the lists last read (a database away must not stop
 * the mails of those known).
 */
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "bio.h"
#include "config.h"
#include "log.h"
#include "store.h"
#include "subscribers.h"
#include "xmalloc.h"

struct subs_site {
	char			*id;
	struct subscriber	*v;
	size_t			 n;
};

struct subscribers {
	struct bio		*bio;
	struct event		*timer;
	char			*where;		/* the store: the jobs' */
	struct store		*db;		/* the jobs' */
	int			 failing;	/* the jobs' */
	struct subs_site	*sites;		/* the loop's */
	size_t			 nsites;
	char			**ids;		/* configured site ids */
	size_t			 nids;
	int			 busy;
	int			 stopping;
};

struct subs_job {
	struct subscribers	*s;
	struct subs_site	*sites;
	size_t			 n;
	int			 ok;
};

static void
sites_free(struct subs_site *v, size_t n)
{
	size_t	i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < v[i].n; k++)
			subscriber_free(&v[i].v[k]);
		free(v[i].v);
		free(v[i].id);
	}
	free(v);
}

/* On the queue's thread. */
static void
subs_work(void *arg)
{
	struct subs_job		*j = arg;
	struct subscribers	*s = j->s;
	char			 err[256];
	size_t			 i;

	if (s->db == NULL && (s->db = store_open(s->where, 0, err,
	    sizeof err)) == NULL) {
		if (!s->failing)
			log_warn("subscribers: %s", err);
		s->failing = 1;
		return;
	}
	store_set_quiet(s->db, s->failing);
	for (i = 0; i < j->n; i++)
		if (store_sub_list(s->db, j->sites[i].id, &j->sites[i].v,
		    &j->sites[i].n) != STORE_OK) {
			if (!s->failing)
				log_warn("subscribers: %s",
				    store_errmsg(s->db));
			s->failing = 1;
			return;
		}
	s->failing = 0;
	j->ok = 1;
}

static void
subs_arm(struct subscribers *s)
{
	struct timeval	tv = { SUBSCRIBERS_REFRESH_S, 0 };

	if (s->timer != NULL && !s->stopping)
		evtimer_add(s->timer, &tv);
}

/* On the loop. */
static void
subs_done(void *arg, int cancelled)
{
	struct subs_job		*j = arg;
	struct subscribers	*s = j->s;

	s->busy = 0;
	if (!cancelled && j->ok) {
		sites_free(s->sites, s->nsites);
		s->sites = j->sites;
		s->nsites = j->n;
		j->sites = NULL;
		j->n = 0;
	}
	sites_free(j->sites, j->n);
	free(j);
	subs_arm(s);
}

static void
subs_kick(struct subscribers *s)
{
	struct subs_job	*j;
	size_t		 i;

	if (s->busy || s->stopping)
		return;
	j = xcalloc(1, sizeof *j);
	j->s = s;
	j->n = s->nids;
	j->sites = xcalloc(s->nids + 1, sizeof *j->sites);
	for (i = 0; i < s->nids; i++)
		j->sites[i].id = xstrdup(s->ids[i]);
	if (bio_submit(s->bio, subs_work, subs_done, NULL, j, 0) == -1) {
		sites_free(j->sites, j->n);
		free(j);
		subs_arm(s);
		return;
	}
	s->busy = 1;
}

static void
subs_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	subs_kick(arg);
}

static void
subs_ids(struct subscribers *s, const struct config *cfg)
{
	size_t	i;

	for (i = 0; i < s->nids; i++)
		free(s->ids[i]);
	free(s->ids);
	s->ids = xcalloc(cfg->nsites + 1, sizeof *s->ids);
	for (i = 0; i < cfg->nsites; i++)
		s->ids[i] = xstrdup(cfg->sites[i]->id != NULL ?
		    cfg->sites[i]->id : "");
	s->nids = cfg->nsites;
}

struct subscribers *
subscribers_open(const struct config *cfg, struct event_base *base)
{
	struct subscribers	*s;

	s = xcalloc(1, sizeof *s);
	s->where = store_where(cfg->database, cfg->state_dir);
	s->bio = bio_new(base, "subscribers", 2);
	if (base != NULL)
		s->timer = evtimer_new(base, subs_timer, s);
	subs_ids(s, cfg);
	subs_kick(s);
	return s;
}

void
subscribers_reload(struct subscribers *s, const struct config *cfg)
{
	if (s == NULL)
		return;
	subs_ids(s, cfg);
	subs_kick(s);
}

void
subscribers_close(struct subscribers *s)
{
	size_t	i;

	if (s == NULL)
		return;
	s->stopping = 1;
	if (s->timer != NULL) {
		evtimer_del(s->timer);
		event_free(s->timer);
		s->timer = NULL;
	}
	bio_free(s->bio, BIO_CANCEL);
	store_close(s->db);
	sites_free(s->sites, s->nsites);
	for (i = 0; i < s->nids; i++)
		free(s->ids[i]);
	free(s->ids);
	free(s->where);
	free(s);
}

size_t
subscribers_of(const struct subscribers *s, const char *site_id,
    const struct subscriber **out)
{
	size_t	i;

	*out = NULL;
	if (s == NULL || site_id == NULL)
		return 0;
	for (i = 0; i < s->nsites; i++)
		if (strcmp(s->sites[i].id, site_id) == 0) {
			*out = s->sites[i].v;
			return s->sites[i].n;
		}
	return 0;
}
