/*
 * bio.h -- background work: named job queues, each served by one thread,
 * with each job's done callback handed back to the event loop.
 *
 * The one way off the loop for work that blocks (SQLite commits, librrd,
 * SMTP).  A job is a work function and its argument, with an optional
 * done callback and free function:
 *
 *	work(arg)		on the queue's thread, jobs in FIFO order
 *	done(arg, cancelled)	on the loop thread, in the same order
 *	freefn(arg)		right after done
 *
 * Overflow rule (the only one): a queue holds at most `max` jobs not yet
 * taken by its thread.  bio_submit() on a full queue returns -1 and
 * queues nothing: the caller still owns arg and decides (answer 503,
 * count a drop, keep it for later).  Only a caller that passes BIO_WAIT
 * waits for room instead; the loop thread must never pass it.
 *
 * Thread creation: a queue that cannot start its thread is fatal (the
 * daemon cannot keep its promises without it, and it happens at start).
 */
#ifndef BIO_H
#define BIO_H

#include <stddef.h>

struct event_base;
struct bio;

typedef void	(*bio_work_fn)(void *arg);
typedef void	(*bio_done_fn)(void *arg, int cancelled);
typedef void	(*bio_free_fn)(void *arg);

#define BIO_WAIT	0x1	/* bio_submit: wait for room (not the loop) */

#define BIO_DRAIN	0	/* bio_free: run every queued job first */
#define BIO_CANCEL	1	/* bio_free: done(arg, 1) for unstarted jobs */

/*
 * A queue named name (its thread is "sw-<name>"), bounded to max
 * waiting jobs.  base NULL (the CLI, tests without a loop): done
 * callbacks run only inside bio_drain() and bio_free().
 */
struct bio	*bio_new(struct event_base *base, const char *name,
		    size_t max);
/* Queue a job: 0, or -1 when the queue is full (see the rule above). */
int		 bio_submit(struct bio *, bio_work_fn work, bio_done_fn done,
		    bio_free_fn freefn, void *arg, int flags);
/* Jobs submitted whose done callback has not run yet. */
size_t		 bio_pending(struct bio *);
/* Nonzero once bio_free() began: long work may stop early. */
int		 bio_closing(struct bio *);
/*
 * On the loop thread: wait until every job has run, running the done
 * callbacks here as they finish (a done callback may submit more).
 */
void		 bio_drain(struct bio *);
/*
 * Orderly end: BIO_DRAIN runs every queued job; BIO_CANCEL lets the
 * running one finish and cancels the rest.  Then joins and frees.
 */
void		 bio_free(struct bio *, int how);

#endif
