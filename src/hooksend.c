/*
 * hooksend.c -- the daemon's notification sender over the persistent
 * queue, off the event loop.
 *
 * DESIGN: the mailer's shape (mailer.c), for the same reasons.  The loop
 * only appends to an in-memory list (hooksend_submit) and hands it over
 * as one "round" on the "notify" bio queue when no round is out.  A round
 * writes the new rows to the outbox first (marked with their channel,
 * store.h), then sends what is due (hook_deliver: all at once, bounded by
 * HOOK_TIMEOUT_S) and records each verdict: sent, failed, or a retry no
 * sooner than the backoff or the endpoint's Retry-After.  The rows stay
 * queued through a restart; a round at start sends what an earlier run
 * left.  The queue has its own thread and its own database handle, so a
 * hanging endpoint delays neither the checks (the loop) nor the mail (the
 * mailer's thread).
 *
 * The round's channel settings are a copy, made on the loop and handed
 * over with the round, so no config is shared across threads.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "bio.h"
#include "config.h"
#include "hook.h"
#include "log.h"
#include "store.h"
#include "xmalloc.h"

#define HOOK_BATCH	16		/* requests at once */
#define HOOK_IDLE_S	600		/* longest sleep, nothing due */

struct hpending {
	char		*channel;
	char		*event;
	char		*body;
	struct hpending	*next;
};

/* A copy of the channels, for the rounds. */
struct hchannels {
	struct notify_conf	*v;
	size_t			 n;
};

struct hooksend {
	struct bio		*bio;
	struct event		*ev_wake;
	/* The loop's: */
	struct hpending		*head;
	struct hpending		**tail;
	struct hchannels	*next_ch;
	int			 busy;
	int			 stopping;
	/* The rounds': */
	struct hchannels	*ch;
	struct store		*db;
	struct hpending		*unstored;
};

static void	hooksend_kick(struct hooksend *);

static char *
dup0(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static struct hchannels *
channels_copy(const struct config *cfg)
{
	struct hchannels	*c;
	struct notify_conf	*d;
	size_t			 i;

	c = xcalloc(1, sizeof *c);
	c->n = cfg->nnotifies;
	c->v = xcalloc(c->n > 0 ? c->n : 1, sizeof *c->v);
	for (i = 0; i < c->n; i++) {
		const struct notify_conf *s = cfg->notifies[i];

		d = &c->v[i];
		d->name = xstrdup(s->name);
		d->type = s->type;
		d->url = dup0(s->url);
		d->secret = dup0(s->secret);
		d->token = dup0(s->token);
		d->chat = dup0(s->chat);
		d->events = s->events;
	}
	return c;
}

static void
channels_free(struct hchannels *c)
{
	size_t	i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->v[i].name);
		free(c->v[i].url);
		/* Secrets do not linger in freed memory. */
		if (c->v[i].secret != NULL)
			explicit_bzero(c->v[i].secret,
			    strlen(c->v[i].secret));
		if (c->v[i].token != NULL)
			explicit_bzero(c->v[i].token, strlen(c->v[i].token));
		free(c->v[i].secret);
		free(c->v[i].token);
		free(c->v[i].chat);
	}
	free(c->v);
	free(c);
}

static const struct notify_conf *
channels_find(const struct hchannels *c, const char *name)
{
	size_t	i;

	for (i = 0; name != NULL && i < c->n; i++)
		if (strcmp(c->v[i].name, name) == 0)
			return &c->v[i];
	return NULL;
}

static void
hpending_free(struct hpending *p)
{
	free(p->channel);
	free(p->event);
	free(p->body);
	free(p);
}

/*
 * Write the submitted rows after any kept from a failed write; what
 * cannot be written now is kept for the next round unless this is the
 * last.  Returns -1 when rows are kept.
 */
static int
hooksend_store(struct hooksend *hs, struct hpending *p, int last_try)
{
	struct hpending	**pp;
	time_t		  now = time(NULL);

	for (pp = &hs->unstored; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = p;
	while ((p = hs->unstored) != NULL) {
		if (store_hook_push(hs->db, p->channel, p->event, p->body,
		    now) == -1) {
			if (!last_try) {
				log_error("notify queue: cannot store the "
				    "%s message for %s: keeping it and trying "
				    "again", p->event, p->channel);
				return -1;
			}
			log_error("notify: the %s message for %s is lost: "
			    "%s", p->event, p->channel,
			    store_errmsg(hs->db));
		}
		hs->unstored = p->next;
		hpending_free(p);
	}
	return 0;
}

/* Record one verdict; log what staff must see (never a url). */
static void
hooksend_record(struct hooksend *hs, struct hook_job *j)
{
	time_t	now = time(NULL);

	switch (j->verdict) {
	case HOOK_SENT:
		log_info("notify %lld to %s (%s) delivered: %s", j->row->id,
		    j->row->channel, j->row->subject, j->answer);
		if (store_mail_sent(hs->db, j->row->id, now, j->answer) == -1)
			log_error("notify %lld was delivered but could not "
			    "be marked so", j->row->id);
		break;
	case HOOK_RETRY:
		log_warn("notify %lld to %s (%s) delayed: %s%s", j->row->id,
		    j->row->channel, j->row->subject, j->answer,
		    j->retry_after > 0 ? " (Retry-After honoured)" : "");
		store_hook_retry(hs->db, j->row->id, now, j->answer,
		    j->retry_after);
		break;
	case HOOK_FAILED:
		log_error("notify %lld to %s (%s) failed for good: %s",
		    j->row->id, j->row->channel, j->row->subject, j->answer);
		store_mail_failed(hs->db, j->row->id, now, j->answer);
		break;
	}
}

/* hook_deliver's question: is the sender stopping? */
static int
hooksend_stopping(void *arg)
{
	return bio_closing(arg);
}

/* Send everything due now, a batch at a time. */
static void
hooksend_send_due(struct hooksend *hs)
{
	struct mail_row	rows[HOOK_BATCH];
	struct hook_job	jobs[HOOK_BATCH];
	size_t		n, i;

	for (;;) {
		if (bio_closing(hs->bio))
			return;
		if ((n = store_hook_due(hs->db, time(NULL), rows,
		    HOOK_BATCH)) == 0)
			return;
		memset(jobs, 0, sizeof jobs);
		for (i = 0; i < n; i++) {
			jobs[i].row = &rows[i];
			jobs[i].nc = channels_find(hs->ch, rows[i].channel);
		}
		hook_deliver(jobs, n, hooksend_stopping, hs->bio);
		for (i = 0; i < n; i++) {
			hooksend_record(hs, &jobs[i]);
			mail_row_free(&rows[i]);
		}
	}
}

struct hround {
	struct hooksend		*hs;
	struct hpending		*p;
	struct hchannels	*nc;
	int			 last;
	time_t			 delay;
};

/* On the queue's thread. */
static void
hooksend_round(void *arg)
{
	struct hround	*r = arg;
	struct hooksend	*hs = r->hs;
	time_t		 when, now;
	int		 rc, kept;

	if (r->nc != NULL) {
		channels_free(hs->ch);
		hs->ch = r->nc;
		r->nc = NULL;
	}
	kept = hooksend_store(hs, r->p, r->last) == -1;
	r->p = NULL;
	if (r->last)
		return;
	hooksend_send_due(hs);
	rc = store_hook_next_due(hs->db, &when);
	now = time(NULL);
	if (rc == 1 && when <= now)
		r->delay = 0;
	else if (rc == 1 && when - now < HOOK_IDLE_S)
		r->delay = when - now;
	else
		r->delay = rc == -1 ? 5 : HOOK_IDLE_S;
	if (kept && r->delay > 2)
		r->delay = 2;
}

/* On the loop: a round ended; start the next now or when it is due. */
static void
hooksend_round_done(void *arg, int cancelled)
{
	struct hround	*r = arg;
	struct hooksend	*hs = r->hs;
	struct timeval	 tv;

	(void)cancelled;
	hs->busy = 0;
	if (hs->stopping) {
		if (!r->last)
			hooksend_kick(hs);
	} else if (hs->head != NULL || hs->next_ch != NULL || r->delay == 0)
		hooksend_kick(hs);
	else if (hs->ev_wake != NULL) {
		tv.tv_sec = r->delay;
		tv.tv_usec = 0;
		evtimer_add(hs->ev_wake, &tv);
	}
	channels_free(r->nc);
	free(r);
}

static void
hooksend_kick(struct hooksend *hs)
{
	struct hround	*r;

	if (hs->busy)
		return;
	r = xcalloc(1, sizeof *r);
	r->hs = hs;
	r->p = hs->head;
	r->nc = hs->next_ch;
	r->last = hs->stopping;
	hs->head = NULL;
	hs->tail = &hs->head;
	hs->next_ch = NULL;
	hs->busy = 1;
	if (hs->ev_wake != NULL)
		evtimer_del(hs->ev_wake);
	if (bio_submit(hs->bio, hooksend_round, hooksend_round_done, NULL, r,
	    0) == -1)
		fatal("notify queue: the sender queue is full");
}

static void
hooksend_wake(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	hooksend_kick(arg);
}

struct hooksend *
hooksend_start(const struct config *cfg, struct event_base *base, char *err,
    size_t errlen)
{
	struct hooksend	*hs;
	char		*db;

	hs = xcalloc(1, sizeof *hs);
	db = store_where(cfg->database, cfg->state_dir);
	hs->db = store_open(db, STORE_DURABLE, err, errlen);
	free(db);
	if (hs->db == NULL) {
		free(hs);
		return NULL;
	}
	hs->ch = channels_copy(cfg);
	/* The same waits as mail: [smtp] retry_min, retry_max. */
	store_set_mail_backoff(hs->db, cfg->smtp.retry_min,
	    cfg->smtp.retry_max);
	hs->tail = &hs->head;
	hs->bio = bio_new(base, "notify", 4);
	if (base != NULL)
		hs->ev_wake = evtimer_new(base, hooksend_wake, hs);
	hooksend_kick(hs);
	return hs;
}

void
hooksend_submit(struct hooksend *hs, const char *channel, const char *event,
    const char *body)
{
	struct hpending	*p;

	if (hs == NULL)
		return;
	p = xcalloc(1, sizeof *p);
	p->channel = xstrdup(channel);
	p->event = xstrdup(event);
	p->body = xstrdup(body);
	*hs->tail = p;
	hs->tail = &p->next;
	hooksend_kick(hs);
}

void
hooksend_reconfigure(struct hooksend *hs, const struct config *cfg)
{
	if (hs == NULL)
		return;
	channels_free(hs->next_ch);
	hs->next_ch = channels_copy(cfg);
	hooksend_kick(hs);
}

void
hooksend_stop(struct hooksend *hs)
{
	if (hs == NULL)
		return;
	hs->stopping = 1;
	if (hs->ev_wake != NULL)
		evtimer_del(hs->ev_wake);
	hooksend_kick(hs);
	bio_free(hs->bio, BIO_DRAIN);
	if (hs->ev_wake != NULL)
		event_free(hs->ev_wake);
	channels_free(hs->next_ch);
	channels_free(hs->ch);
	store_close(hs->db);
	free(hs);
}
