/*
 * incident_int.h -- what incident.c and incident_writer.c share; nothing
 * else includes it.
 *
 * The engine (incident.c) decides on the loop and describes each change
 * of the db as a struct wop; the writer (incident_writer.c) runs them on
 * the ticket-db bio queue in the order pushed.
 */
#ifndef INCIDENT_INT_H
#define INCIDENT_INT_H

#include <stddef.h>
#include <time.h>

#include "store.h"

struct event_base;

enum wop_kind {
	W_STATE,	/* save a check's state */
	W_INSERT,	/* new ticket */
	W_ESCALATE,
	W_RESOLVE,
	W_REMINDED,
	W_FLAP,
	W_EVENT,	/* timeline event only */
	W_SYNC,		/* read back ticket statuses for the loop */
	W_BEAT,		/* this node's heartbeat: s1 name, n checks */
};

/* One ticket the loop asked about, and what the db said. */
struct sync_item {
	long long	id;
	unsigned	check;		/* registry id */
	int		found;
	char		status[16];
};

/* One job for the writer thread; strings are owned. */
struct wop {
	struct wop		*next;
	enum wop_kind		 kind;
	long long		 id;
	time_t			 at;
	long long		 n;		/* downtime, flag */
	char			*s1, *s2, *s3, *s4, *s5;
	struct store_check_state	 cs;
	struct sync_item	*items;
	size_t			 nitems;
};

struct wop	*wop_new(enum wop_kind, long long id, time_t at);
void		 wop_free(struct wop *);

/* Called on the loop with each answered W_SYNC op (not while closing). */
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
void		 iwriter_close(struct iwriter *);

#endif
