/*
 * incident_writer.c -- the incident engine's ticket writer: its ops
 * (struct wop, incident_int.h) written to the ticket db off the loop.
 *
 * DESIGN
 * The ops go to the "ticket-db" bio queue (bio.c) as FIFO batches: the
 * loop gathers ops while a batch is being written and hands them all
 * over as the next one, which the writer commits as one transaction, so
 * a burst of results costs one fsync, and a slow disk delays the db,
 * never the next probe.  One batch is out at a time; a batch that fails
 * for a passing reason (db locked, disk full) comes back to the loop,
 * goes in front of what was queued since and is tried again a second
 * later (state saves are shed past WRITER_MAX_PENDING).  Ops run in the
 * order queued, so a ticket's insert always precedes its escalation,
 * reminders and resolution; ops queued before the insert's id is known
 * read it from the insert's struct tslot.  A W_SYNC op's answer, and the
 * result of each op the engine marked `answer` (did this node's write
 * open, resolve, escalate, remind?), go back to the engine on the loop
 * through the synced callback, after the batch is committed: a result
 * rolled back with its batch is never acted upon.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "bio.h"
#include "confirm.h"
#include "incident_int.h"
#include "log.h"
#include "store.h"
#include "xmalloc.h"

struct iwriter {
	struct store	*db;		/* ours alone */
	struct bio		*bio;
	struct wop		*head, **tail;	/* not handed over yet */
	int			 busy;		/* a batch is out */
	int			 failing;	/* last batch kept: retry */
	int			 retry_wait;	/* ev_retry armed */
	int			 closing;	/* every batch is a last try */
	struct event		*ev_retry;	/* a second after a failure */
	iwriter_synced_cb	 synced;
	void			*arg;
};

/* One batch, from the loop to the writer and back. */
struct wbatch {
	struct iwriter		*wr;
	struct wop		*ops;		/* in order */
	int			 last_try;
	int			 rc;		/* writer_batch()'s */
	char			 why[256];
};

static void	writer_kick(struct iwriter *);
static void	writer_done(void *, int);

struct tslot *
tslot_new(void)
{
	struct tslot	*t;

	t = xcalloc(1, sizeof *t);
	t->refs = 1;
	return t;
}

struct tslot *
tslot_ref(struct tslot *t)
{
	t->refs++;
	return t;
}

void
tslot_unref(struct tslot *t)
{
	if (t != NULL && --t->refs == 0)
		free(t);
}

long long
wop_ticket(const struct wop *w)
{
	return w->slot != NULL ? w->slot->id : w->id;
}

void
wop_free(struct wop *w)
{
	tslot_unref(w->slot);
	free(w->ev.message);
	free(w->ev.locations);
	free(w->loc);
	free(w->s1);
	free(w->s2);
	free(w->s3);
	free(w->s4);
	free(w->s5);
	free(w->s6);
	free(w->items);
	free(w);
}

struct wop *
wop_new(enum wop_kind kind, long long id, time_t at)
{
	struct wop	*w;

	w = xcalloc(1, sizeof *w);
	w->kind = kind;
	w->id = id;
	w->at = at;
	return w;
}

void
iwriter_push_chain(struct iwriter *wr, struct wop *first, struct wop *last)
{
	*wr->tail = first;
	wr->tail = &last->next;
	writer_kick(wr);
}

void
iwriter_push(struct iwriter *wr, struct wop *w)
{
	iwriter_push_chain(wr, w, w);
}

void
iwriter_wait(struct iwriter *wr)
{
	if (wr == NULL || wr->bio == NULL)
		return;
	writer_kick(wr);
	bio_drain(wr->bio);
}

/*
 * The ticket an op opens (W_INSERT, or a W_VOTE that crossed confirm):
 * check, site, severity, cause and summary ride in s1..s5.
 */
static void
wop_new_ticket(const struct wop *w, struct store_new_ticket *nt)
{
	memset(nt, 0, sizeof *nt);
	nt->check = w->s1;
	nt->site = w->s2;
	nt->severity = w->s3;
	nt->cause = w->s4;
	nt->summary = w->s5;
	nt->opened_at = w->at;
	nt->first_failure_at = (time_t)w->n;
	nt->node = w->node;
}

/*
 * A location's verdict (k of n, confirm.h): record it, count the live
 * locations that see the check failing and open or resolve the check's
 * ticket when the count crosses `confirm`.  Whoever's write changes the
 * ticket tells the people (rc 1), as for W_INSERT and W_RESOLVE.  Run
 * again from the start after a rollback, so it sets every answer.
 */
static int
vote_run(struct store *db, struct wop *w)
{
	struct store_vote	 v;
	struct store_new_ticket	 nt;
	char			 failing[512];
	long long		 open_id, downtime;
	int			 n, rc;

	memset(&v, 0, sizeof v);
	v.check = w->s1;
	v.location = w->loc;
	v.node = w->node;
	v.state = w->vote;
	v.error = w->ev.message;
	v.since = w->since;
	v.fresh_after = w->fresh_after;
	w->rc = 0;
	w->id = 0;
	w->vact = CONFIRM_KEEP;
	memset(&w->tb, 0, sizeof w->tb);
	if ((n = store_location_vote(db, &v, failing, sizeof failing)) == -1)
		return -1;
	open_id = store_open_ticket_for(db, w->s1);
	w->vact = confirm_decide(n, w->confirm, open_id > 0);
	switch (w->vact) {
	case CONFIRM_OPEN:
		wop_new_ticket(w, &nt);
		if ((rc = store_ticket_open(db, &nt, &w->tb)) == -1)
			return -1;
		w->rc = rc;
		w->id = w->tb.id;
		if (rc == 1 && store_ticket_set_locations(db, w->id,
		    failing) == -1)
			return -1;
		free(w->ev.locations);
		w->ev.locations = xstrdup(failing);
		return 0;
	case CONFIRM_RESOLVE:
		if (store_ticket_brief(db, open_id, &w->tb) != STORE_OK)
			return -1;
		downtime = (long long)(w->at - w->tb.opened_at);
		w->ev.downtime_s = downtime > 0 ? downtime : 0;
		w->ev.opened_at = w->tb.opened_at;
		w->id = open_id;
		free(w->s6);
		xasprintf(&w->s6, "recovered: fewer than %d locations see "
		    "it failing", w->confirm);
		if ((rc = store_ticket_auto_resolve(db, open_id,
		    w->ev.downtime_s, w->s6, w->at)) == -1)
			return -1;
		w->rc = rc;
		return 0;
	default:
		if (open_id > 0 && store_ticket_brief(db, open_id, &w->tb) ==
		    STORE_OK)
			w->id = open_id;
		return 0;
	}
}

/* Run one op on the writer's connection (inside its transaction). */
static int
wop_run(struct store *db, struct wop *w)
{
	struct store_new_ticket		 nt;
	struct ticket_brief		 b;
	long long			 id = wop_ticket(w);
	size_t				 i;
	int				 rc;

	w->rc = 0;
	/*
	 * The ticket being opened was not written (its insert failed for
	 * good), or another node's was found: nothing of ours to add.
	 */
	if (w->kind != W_INSERT && w->slot != NULL && (w->slot->id == 0 ||
	    (w->if_created && !w->slot->created)))
		return 0;
	switch (w->kind) {
	case W_STATE:
		return store_check_state_save(db, &w->cs);
	case W_INSERT:
		wop_new_ticket(w, &nt);
		/* Again after a rollback: the slot says the last run. */
		w->slot->id = 0;
		w->slot->created = 0;
		if ((rc = store_ticket_open(db, &nt, &w->tb)) == -1)
			return -1;
		w->rc = rc;
		w->slot->id = w->tb.id;
		w->slot->created = rc == 1;
		return 0;
	case W_ESCALATE:
		rc = store_ticket_escalate(db, id, w->s1, w->s2, w->at);
		break;
	case W_RESOLVE:
		rc = store_ticket_auto_resolve(db, id, w->n, w->s1, w->at);
		break;
	case W_REMINDED:
		rc = store_ticket_reminded(db, id, w->at, (time_t)w->n);
		break;
	case W_FLAP:
		rc = store_ticket_flapping(db, id, (int)w->n, w->s1, w->at);
		break;
	case W_EVENT:
		rc = store_event_add(db, id, w->at, w->s1, NULL, w->s2);
		break;
	case W_NOTIFIED:
		return store_ticket_notified(db, id);
	case W_VOTE:
		return vote_run(db, w);
	case W_BEAT:
		return store_node_beat(db, w->s1, w->loc, (time_t)w->id,
		    w->at, (int)w->n);
	case W_SYNC:
		for (i = 0; i < w->nitems; i++) {
			if (store_ticket_brief(db, w->items[i].id, &b) ==
			    STORE_OK) {
				w->items[i].found = 1;
				w->items[i].last_reminder_at =
				    b.last_reminder_at;
				snprintf(w->items[i].status,
				    sizeof w->items[i].status, "%s", b.status);
			}
		}
		return 0;
	default:
		return 0;
	}
	if (rc == -1)
		return -1;
	w->rc = rc;
	return 0;
}

/*
 * Run a batch as one transaction.  A failure that may pass by itself (the
 * db locked by another program past the busy timeout, a full disk) keeps
 * the batch for another try: returns -1 with the reason in why, unless
 * this is the last try (then 1: lost).  Any other failure retries the ops
 * one by one, so that one bad op loses only itself.
 */
static int
writer_batch(struct iwriter *wr, struct wop *batch, int last_try,
    char *why, size_t whylen)
{
	struct wop	*w;
	size_t		 n = 0;
	int		 failed = 0, transient;

	if (store_begin(wr->db) == -1)
		failed = 1;
	else {
		for (w = batch; w != NULL && !failed; w = w->next)
			if (wop_run(wr->db, w) == -1)
				failed = 1;
		if (!failed && store_commit(wr->db) == -1)
			failed = 1;
	}
	if (!failed)
		return 0;
	transient = store_transient(wr->db);
	snprintf(why, whylen, "%s", store_errmsg(wr->db));
	/* SQLite may have rolled back already (disk full): no matter. */
	store_rollback(wr->db);
	if (transient && !last_try)
		return -1;
	if (transient) {
		/*
		 * Stopping: one by one, each op would wait out the busy
		 * timeout again, and the stop must end within 10 s.
		 */
		for (w = batch; w != NULL; w = w->next)
			n++;
		log_error("ticket db: %zu writes lost at shutdown: %s", n,
		    why);
		return 1;
	}
	for (w = batch; w != NULL; w = w->next) {
		if (wop_run(wr->db, w) == -1)
			log_warn("ticket db: write of ticket %lld lost: %s",
			    wop_ticket(w), store_errmsg(wr->db));
	}
	return 0;
}

/*
 * While writes fail, state saves pile up (one per result); past this many
 * kept ops they are dropped -- each result saves the whole state again --
 * so that a long outage cannot eat the memory.  Ticket ops are kept.
 */
#define WRITER_MAX_PENDING	20000

/* Drop the kept state saves; returns the new tail pointer. */
static struct wop **
writer_shed(struct wop **pending, size_t *n)
{
	struct wop	**pp = pending, *w;

	while ((w = *pp) != NULL) {
		if (w->kind == W_STATE) {
			*pp = w->next;
			wop_free(w);
			(*n)--;
		} else
			pp = &w->next;
	}
	return pp;
}

/* On the writer's thread: commit one batch. */
static void
writer_work(void *arg)
{
	struct wbatch	*b = arg;

	b->rc = writer_batch(b->wr, b->ops, b->last_try, b->why,
	    sizeof b->why);
}

/*
 * Hand everything queued to the writer as one batch, unless a batch is
 * out already (its done callback kicks again) or a failed one waits for
 * its retry.
 */
static void
writer_kick(struct iwriter *wr)
{
	struct wbatch	*b;

	if (wr->bio == NULL || wr->busy || wr->head == NULL ||
	    (wr->retry_wait && !wr->closing))
		return;
	b = xcalloc(1, sizeof *b);
	b->wr = wr;
	b->ops = wr->head;
	b->last_try = wr->closing;
	wr->head = NULL;
	wr->tail = &wr->head;
	wr->busy = 1;
	/* One batch out at a time: the queue is never full. */
	if (bio_submit(wr->bio, writer_work, writer_done, NULL, b,
	    0) == -1)
		fatal("ticket db: writer queue full");
}

/* A failed batch goes back in front of what was queued since. */
static void
writer_keep(struct iwriter *wr, struct wbatch *b)
{
	struct wop	**pp;
	size_t		  n = 0;

	for (pp = &b->ops; *pp != NULL; pp = &(*pp)->next)
		n++;
	*pp = wr->head;
	if (wr->head == NULL)
		wr->tail = pp;
	wr->head = b->ops;
	for (; *pp != NULL; pp = &(*pp)->next)
		n++;
	if (!wr->failing)
		log_error("ticket db: cannot write (%s): keeping %zu writes, "
		    "trying again every second", b->why, n);
	wr->failing = 1;
	if (n > WRITER_MAX_PENDING)
		wr->tail = writer_shed(&wr->head, &n);
}

/* On the loop: a batch is written (or kept, or lost at shutdown). */
static void
writer_done(void *arg, int cancelled)
{
	struct wbatch	*b = arg;
	struct iwriter	*wr = b->wr;
	struct wop	*w, *next;
	struct timeval	 sec = { 1, 0 };
	size_t		 n = 0;

	(void)cancelled;		/* the writer queue is drained */
	wr->busy = 0;
	if (b->rc == -1) {
		writer_keep(wr, b);
		if (!wr->closing) {
			wr->retry_wait = 1;
			evtimer_add(wr->ev_retry, &sec);
		}
		free(b);
		writer_kick(wr);
		return;
	}
	for (w = b->ops; w != NULL; w = w->next)
		n++;
	if (wr->failing && b->rc == 0)
		log_info("ticket db: writes work again (%zu kept writes done)",
		    n);
	wr->failing = 0;
	for (w = b->ops; w != NULL; w = next) {
		next = w->next;
		/*
		 * A sync is for a loop that goes on; results are wanted
		 * at the stop too, but not those of a batch lost.
		 */
		if ((w->kind == W_SYNC && !wr->closing) ||
		    (w->answer && b->rc == 0))
			wr->synced(w, wr->arg);
		wop_free(w);
	}
	free(b);
	writer_kick(wr);
}

/* Timer: a second after a failed batch, try again. */
static void
on_retry(evutil_socket_t fd, short what, void *arg)
{
	struct iwriter	*wr = arg;

	(void)fd;
	(void)what;
	wr->retry_wait = 0;
	writer_kick(wr);
}

struct iwriter *
iwriter_new(struct event_base *base, struct store *db,
    iwriter_synced_cb synced, void *arg)
{
	struct iwriter	*wr;

	wr = xcalloc(1, sizeof *wr);
	wr->db = db;
	wr->tail = &wr->head;
	wr->synced = synced;
	wr->arg = arg;
	wr->bio = bio_new(base, "ticket-db", 2);
	wr->ev_retry = evtimer_new(base, on_retry, wr);
	return wr;
}

void
iwriter_close(struct iwriter *wr)
{
	struct wop	*w, *next;

	if (wr == NULL)
		return;
	/*
	 * Stop the writer only after it has committed everything: from now
	 * on each batch is a last try, and the drain runs the done
	 * callbacks here (they hand over what is left).
	 */
	wr->closing = 1;
	wr->retry_wait = 0;
	evtimer_del(wr->ev_retry);
	writer_kick(wr);
	bio_free(wr->bio, BIO_DRAIN);
	event_free(wr->ev_retry);
	for (w = wr->head; w != NULL; w = next) {
		next = w->next;
		wop_free(w);
	}
	free(wr);
}
