/*
 * incident_int.h -- what incident.c and incident_writer.c share; nothing
 * else includes it.
 *
 * The engine (incident.c) decides on the loop and describes each change
 * of the db as a struct wop; the writer (incident_writer.c) runs them on
 * the ticket-db bio queue in the order pushed, and hands the ops whose
 * result the engine waits for (answer set, and W_SYNC) back to it on the
 * loop once their batch is committed.
 */
#ifndef INCIDENT_INT_H
#define INCIDENT_INT_H

#include <stddef.h>
#include <time.h>

#include "incident.h"
#include "store.h"

struct event_base;

enum wop_kind {
	W_STATE,	/* save a check's state */
	W_INSERT,	/* open a ticket, or find the one open */
	W_ESCALATE,
	W_RESOLVE,
	W_REMINDED,
	W_FLAP,
	W_EVENT,	/* timeline event only */
	W_SYNC,		/* read back ticket statuses for the loop */
	W_BEAT,		/* this node's heartbeat: s1 name, n checks */
	W_NOTIFIED,	/* the ticket's OPENED mails are queued */
	W_VOTE,		/* a location's verdict; open/resolve on the count */
};

/* One ticket the loop asked about, and what the db said. */
struct sync_item {
	long long	id;
	unsigned	check;		/* registry id */
	int		found;
	char		status[16];
	time_t		last_reminder_at;	/* maybe another node's */
};

/*
 * A ticket being opened: its id is the database's, known once the
 * W_INSERT has run.  Ops queued after it for the same ticket point here
 * and read the id on the writer's thread, which runs them after the
 * insert (FIFO).  The writer writes id and created; the loop reads them
 * only in an answer (after the batch came back) and alone counts refs.
 */
struct tslot {
	long long	id;		/* 0: not written (yet) */
	int		created;	/* this node's insert made it */
	int		refs;
};

struct tslot	*tslot_new(void);
struct tslot	*tslot_ref(struct tslot *);
void		 tslot_unref(struct tslot *);

/* What an event will say, kept from the moment it was decided. */
struct wev {
	enum incident_severity	severity;
	enum sw_state		state;
	enum sw_cause		cause;
	char			*message;
	time_t			opened_at;
	long long		downtime_s;
	int			suppress_mail;
	char			*locations;	/* k of n: that saw it */
};

/* One job for the writer thread; strings are owned. */
struct wop {
	struct wop		*next;
	enum wop_kind		 kind;
	long long		 id;		/* the ticket, unless slot */
	struct tslot		*slot;		/* ticket being opened */
	int			 if_created;	/* skip unless slot created */
	time_t			 at;
	long long		 n;		/* downtime, flag, due */
	char			*s1, *s2, *s3, *s4, *s5, *s6;
	const char		*node;		/* W_INSERT: the engine's */
	struct store_check_state	 cs;
	struct sync_item	*items;
	size_t			 nitems;
	/* Answered ops: what the engine needs back. */
	int			 answer;	/* hand back when committed */
	unsigned		 check;		/* registry id */
	struct wev		 ev;
	int			 rc;		/* the store's 1 / 0 */
	struct ticket_brief	 tb;		/* W_INSERT: the open one */
	/* W_VOTE: s1..s5 as W_INSERT, then the vote. */
	char			*loc;		/* this node's location */
	const char		*vote;		/* confirm_vote_name() */
	int			 confirm;
	time_t			 fresh_after;	/* live nodes beat after */
	time_t			 since;		/* the verdict's; at: now */
	int			 vact;		/* enum confirm_action done */
};

struct wop	*wop_new(enum wop_kind, long long id, time_t at);
void		 wop_free(struct wop *);
/* The ticket an op is about: its id, or its slot's once written. */
long long	 wop_ticket(const struct wop *);

/*
 * Called on the loop with each committed op that asked for an answer,
 * and each W_SYNC (not while closing).
 */
typedef void	(*iwriter_synced_cb)(struct wop *, void *arg);

struct iwriter;

/* Start the writer on db (which it alone uses from then on). */
struct iwriter	*iwriter_new(struct event_base *, struct store *,
		    iwriter_synced_cb, void *arg);
/* Queue one op, or a chain first..last linked by next (FIFO). */
void		 iwriter_push(struct iwriter *, struct wop *);
void		 iwriter_push_chain(struct iwriter *, struct wop *first,
		    struct wop *last);
/* Write what is queued (each batch a last try), then free. */
/*
 * On the loop: wait until what is queued is committed, or has failed and
 * waits for its retry (then it stays queued).  For the stop.
 */
void		 iwriter_wait(struct iwriter *);
void		 iwriter_close(struct iwriter *);

#endif
