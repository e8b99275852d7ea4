/*
 * web_queue.c -- one worker thread and its job queue, for the web work
 * that may block (SQLite, librrd).
 *
 * A job's work function runs on the thread; the thread then activates
 * the job's event, so its done function runs on the loop, where it may
 * touch struct web and reply.  libevent is set up for threads
 * (evthread_use_pthreads), so event_active() from the worker is safe.
 */
#include <pthread.h>
#include <stdlib.h>

#include <event2/event.h>

#include "log.h"
#include "web_data.h"
#include "web_int.h"
#include "xmalloc.h"

struct web_queue {
	struct event_base	*base;
	char			*name;
	pthread_t		 thread;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	int			 stop;
	size_t			 max;
	size_t			 n;		/* not yet done */
	TAILQ_HEAD(, web_job)	 todo;
	TAILQ_HEAD(, web_job)	 all;
	struct web_data		*data;		/* the thread's */
};

/* Run on the loop once a job's work is over: hand it to its owner. */
static void
web_queue_done(evutil_socket_t fd, short what, void *arg)
{
	struct web_job		*job = arg;
	struct web_queue	*q = job->q;

	pthread_mutex_lock(&q->mu);
	TAILQ_REMOVE(&q->all, job, all);
	q->n--;
	pthread_mutex_unlock(&q->mu);
	job->done(job);
	event_free(job->ev);
	free(job);
}

/* The worker: take jobs in order until told to stop. */
static void *
web_queue_main(void *arg)
{
	struct web_queue	*q = arg;
	struct web_job		*job;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (!q->stop && TAILQ_EMPTY(&q->todo))
			pthread_cond_wait(&q->cv, &q->mu);
		if (q->stop)
			break;
		job = TAILQ_FIRST(&q->todo);
		TAILQ_REMOVE(&q->todo, job, entry);
		pthread_mutex_unlock(&q->mu);
		job->work(job);
		pthread_mutex_lock(&q->mu);
		job->worked = 1;
		event_active(job->ev, EV_READ, 1);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

struct web_queue *
web_queue_new(struct event_base *base, const char *name, size_t max)
{
	struct web_queue	*q;

	q = xcalloc(1, sizeof *q);
	q->base = base;
	q->name = xstrdup(name);
	q->max = max;
	q->data = web_data_new();
	TAILQ_INIT(&q->todo);
	TAILQ_INIT(&q->all);
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	if (pthread_create(&q->thread, NULL, web_queue_main, q) != 0)
		fatal("web: cannot start the %s worker", name);
	{
		char	tn[16];

		snprintf(tn, sizeof tn, "sw-web-%s", name);
		(void)pthread_setname_np(q->thread, tn);
	}
	return q;
}

/* The thread's own handles, for work functions. */
struct web_data *
web_queue_data(struct web_job *job)
{
	return job->q->data;
}

int
web_queue_push(struct web_queue *q, web_job_fn work, web_job_fn done,
    void *arg)
{
	struct web_job	*job;

	pthread_mutex_lock(&q->mu);
	if (q->n >= q->max) {
		pthread_mutex_unlock(&q->mu);
		return -1;
	}
	q->n++;
	pthread_mutex_unlock(&q->mu);

	job = xcalloc(1, sizeof *job);
	job->work = work;
	job->done = done;
	job->arg = arg;
	job->q = q;
	if ((job->ev = event_new(q->base, -1, 0, web_queue_done, job)) == NULL)
		fatal("web: event_new failed");

	pthread_mutex_lock(&q->mu);
	TAILQ_INSERT_TAIL(&q->todo, job, entry);
	TAILQ_INSERT_TAIL(&q->all, job, all);
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
	return 0;
}

size_t
web_queue_len(struct web_queue *q)
{
	size_t	n;

	pthread_mutex_lock(&q->mu);
	n = q->n;
	pthread_mutex_unlock(&q->mu);
	return n;
}

/*
 * Stop the thread after its current job, then settle every job not yet
 * done, on the caller's (the loop's) thread: those whose work ran get
 * their done call as usual, the others are marked cancelled first.
 */
void
web_queue_free(struct web_queue *q)
{
	struct web_job	*job;

	if (q == NULL)
		return;
	pthread_mutex_lock(&q->mu);
	q->stop = 1;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->thread, NULL);

	while ((job = TAILQ_FIRST(&q->all)) != NULL) {
		TAILQ_REMOVE(&q->all, job, all);
		job->cancelled = !job->worked;
		job->done(job);
		event_free(job->ev);
		free(job);
	}
	web_data_free(q->data);
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->cv);
	free(q->name);
	free(q);
}
