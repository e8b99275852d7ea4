/*
 * bio.c -- background work queues (after the idea of Redis's bio.c).
 *
 * DESIGN
 * Each queue is one thread and two FIFO lists under one mutex: `todo`
 * (submitted, not yet taken) and `done` (worked, done callback not yet
 * run).  One thread per queue is what gives the FIFO guarantee: a
 * ticket's insert is committed before its resolution, a mail is stored
 * before the next round sends it.  Queues never share a thread, so a
 * slow SMTP server cannot delay a ticket commit.
 *
 * Handing back: the thread appends the finished job to `done` and calls
 * event_active() on the queue's one event (thread-safe once the program
 * called evthread_use_pthreads); the event's callback takes the whole
 * `done` list and runs the done callbacks on the loop, in order, where
 * they may touch loop-owned state.  A wake-up therefore costs one
 * event_active, however many jobs finished meanwhile.
 *
 * Bound: `max` counts jobs in `todo` only.  A job the thread took no
 * longer holds the producer back, so a submit with BIO_WAIT (never from
 * the loop) waits only for the thread, never for the loop.
 *
 * Shutdown: bio_free() raises `closing` (long work may look at it),
 * cancels or keeps the waiting jobs, then drains on the caller's thread:
 * it waits for each job, runs its done callback right there -- the loop
 * no longer runs at that point -- and lets those callbacks queue follow-
 * up work (a writer's last try).  Only then is the thread stopped and
 * joined.  The thread blocks every signal: they go to the loop thread.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "bio.h"
#include "log.h"
#include "xmalloc.h"

struct bio_job {
	bio_work_fn	 work;
	bio_done_fn	 done;
	bio_free_fn	 freefn;
	void		*arg;
	struct bio_job	*next;
};

/* A FIFO list of jobs. */
struct bio_list {
	struct bio_job	*head;
	struct bio_job	**tail;
};

struct bio {
	char		*name;
	struct event	*ev;		/* done jobs waiting: loop side */
	pthread_t	 thread;
	pthread_mutex_t	 mu;
	pthread_cond_t	 work_cv;	/* thread: todo or stop */
	pthread_cond_t	 done_cv;	/* drain: a job finished */
	pthread_cond_t	 room_cv;	/* BIO_WAIT: todo shrank */
	/* Under mu: */
	struct bio_list	 todo;
	struct bio_list	 done;
	size_t		 ntodo;
	size_t		 max;
	size_t		 pending;	/* submitted, done not run */
	int		 running;	/* the thread holds a job */
	int		 stop;
	int		 closing;
};

static void
bio_list_init(struct bio_list *l)
{
	l->head = NULL;
	l->tail = &l->head;
}

static void
bio_list_add(struct bio_list *l, struct bio_job *j)
{
	j->next = NULL;
	*l->tail = j;
	l->tail = &j->next;
}

/* Take the whole list (mu held). */
static struct bio_job *
bio_list_take(struct bio_list *l)
{
	struct bio_job	*j = l->head;

	bio_list_init(l);
	return j;
}

/* Run the done callbacks of a taken list, in order, and free the jobs. */
static void
bio_deliver(struct bio *q, struct bio_job *j, int cancelled)
{
	struct bio_job	*next;
	size_t		 n = 0;

	for (; j != NULL; j = next) {
		next = j->next;
		if (j->done != NULL)
			j->done(j->arg, cancelled);
		if (j->freefn != NULL)
			j->freefn(j->arg);
		free(j);
		n++;
	}
	pthread_mutex_lock(&q->mu);
	q->pending -= n;
	pthread_mutex_unlock(&q->mu);
}

/* Loop side: some jobs finished. */
static void
bio_on_done(evutil_socket_t fd, short what, void *arg)
{
	struct bio	*q = arg;
	struct bio_job	*list;

	(void)fd;
	(void)what;
	pthread_mutex_lock(&q->mu);
	list = bio_list_take(&q->done);
	pthread_mutex_unlock(&q->mu);
	bio_deliver(q, list, 0);
}

/* The queue's thread: take jobs in order until told to stop. */
static void *
bio_main(void *arg)
{
	struct bio	*q = arg;
	struct bio_job	*j;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (q->todo.head == NULL && !q->stop)
			pthread_cond_wait(&q->work_cv, &q->mu);
		if ((j = q->todo.head) == NULL)
			break;		/* stop, and nothing left */
		if ((q->todo.head = j->next) == NULL)
			q->todo.tail = &q->todo.head;
		q->ntodo--;
		q->running = 1;
		pthread_cond_broadcast(&q->room_cv);
		pthread_mutex_unlock(&q->mu);

		j->work(j->arg);

		pthread_mutex_lock(&q->mu);
		q->running = 0;
		bio_list_add(&q->done, j);
		pthread_cond_broadcast(&q->done_cv);
		if (q->ev != NULL)
			event_active(q->ev, EV_READ, 1);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

struct bio *
bio_new(struct event_base *base, const char *name, size_t max)
{
	struct bio	*q;
	sigset_t	 all, old;
	char		 tn[16];
	int		 rc;

	q = xcalloc(1, sizeof *q);
	q->name = xstrdup(name);
	q->max = max < 1 ? 1 : max;
	bio_list_init(&q->todo);
	bio_list_init(&q->done);
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->work_cv, NULL);
	pthread_cond_init(&q->done_cv, NULL);
	pthread_cond_init(&q->room_cv, NULL);
	if (base != NULL &&
	    (q->ev = event_new(base, -1, 0, bio_on_done, q)) == NULL)
		fatal("bio %s: event_new failed", name);

	/* The thread inherits the mask: signals stay with the loop. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&q->thread, NULL, bio_main, q);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		fatal("bio %s: cannot start its thread: %s", name,
		    strerror(rc));
	/* Named, so that `top -H` and perf tell the threads apart. */
	snprintf(tn, sizeof tn, "sw-%s", name);
	(void)pthread_setname_np(q->thread, tn);
	return q;
}

int
bio_submit(struct bio *q, bio_work_fn work, bio_done_fn done,
    bio_free_fn freefn, void *arg, int flags)
{
	struct bio_job	*j;

	j = xcalloc(1, sizeof *j);
	j->work = work;
	j->done = done;
	j->freefn = freefn;
	j->arg = arg;
	pthread_mutex_lock(&q->mu);
	while (q->ntodo >= q->max) {
		if (!(flags & BIO_WAIT)) {
			pthread_mutex_unlock(&q->mu);
			free(j);
			return -1;
		}
		pthread_cond_wait(&q->room_cv, &q->mu);
	}
	bio_list_add(&q->todo, j);
	q->ntodo++;
	q->pending++;
	pthread_cond_signal(&q->work_cv);
	pthread_mutex_unlock(&q->mu);
	return 0;
}

size_t
bio_pending(struct bio *q)
{
	size_t	n;

	pthread_mutex_lock(&q->mu);
	n = q->pending;
	pthread_mutex_unlock(&q->mu);
	return n;
}

int
bio_closing(struct bio *q)
{
	int	c;

	pthread_mutex_lock(&q->mu);
	c = q->closing;
	pthread_mutex_unlock(&q->mu);
	return c;
}

void
bio_drain(struct bio *q)
{
	struct bio_job	*list;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		if (q->done.head != NULL) {
			list = bio_list_take(&q->done);
			pthread_mutex_unlock(&q->mu);
			bio_deliver(q, list, 0);
			pthread_mutex_lock(&q->mu);
			continue;
		}
		if (q->todo.head == NULL && !q->running)
			break;
		pthread_cond_wait(&q->done_cv, &q->mu);
	}
	pthread_mutex_unlock(&q->mu);
}

void
bio_free(struct bio *q, int how)
{
	struct bio_job	*list = NULL;

	if (q == NULL)
		return;
	pthread_mutex_lock(&q->mu);
	q->closing = 1;
	if (how == BIO_CANCEL) {
		list = bio_list_take(&q->todo);
		q->ntodo = 0;
		pthread_cond_broadcast(&q->room_cv);
	}
	pthread_mutex_unlock(&q->mu);
	bio_deliver(q, list, 1);
	bio_drain(q);

	pthread_mutex_lock(&q->mu);
	q->stop = 1;
	pthread_cond_signal(&q->work_cv);
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->thread, NULL);

	if (q->ev != NULL)
		event_free(q->ev);
	pthread_cond_destroy(&q->room_cv);
	pthread_cond_destroy(&q->done_cv);
	pthread_cond_destroy(&q->work_cv);
	pthread_mutex_destroy(&q->mu);
	free(q->name);
	free(q);
}
