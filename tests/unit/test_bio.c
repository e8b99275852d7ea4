/*
 * test_bio.c -- the background work queues: FIFO order, done callbacks
 * on the loop thread, the overflow rule, and shutdown (drain, cancel).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>
#include <event2/thread.h>

#include "bio.h"
#include "xmalloc.h"

#define NJOBS	200

struct order {
	int		 worked[NJOBS];
	int		 nworked;	/* the thread's */
	int		 done[NJOBS];
	int		 ndone;		/* the caller's */
	int		 cancelled;
	int		 freed;
};

struct item {
	struct order	*o;
	int		 i;
};

static void
item_work(void *arg)
{
	struct item	*it = arg;

	it->o->worked[it->o->nworked++] = it->i;
}

static void
item_done(void *arg, int cancelled)
{
	struct item	*it = arg;

	if (cancelled)
		it->o->cancelled++;
	else
		it->o->done[it->o->ndone++] = it->i;
}

static void
item_free(void *arg)
{
	struct item	*it = arg;

	it->o->freed++;
	free(it);
}

static struct item *
item_new(struct order *o, int i)
{
	struct item	*it = xcalloc(1, sizeof *it);

	it->o = o;
	it->i = i;
	return it;
}

/* Work runs in submit order, and so do the done callbacks. */
static void
test_fifo(void **state)
{
	struct order	 o;
	struct bio	*q;
	int		 i;

	(void)state;
	memset(&o, 0, sizeof o);
	q = bio_new(NULL, "t-fifo", NJOBS);
	for (i = 0; i < NJOBS; i++)
		assert_int_equal(bio_submit(q, item_work, item_done,
		    item_free, item_new(&o, i), 0), 0);
	bio_drain(q);
	assert_int_equal(bio_pending(q), 0);
	assert_int_equal(o.nworked, NJOBS);
	assert_int_equal(o.ndone, NJOBS);
	assert_int_equal(o.freed, NJOBS);
	for (i = 0; i < NJOBS; i++) {
		assert_int_equal(o.worked[i], i);
		assert_int_equal(o.done[i], i);
	}
	bio_free(q, BIO_DRAIN);
}

struct where {
	pthread_t		 work_thread;
	pthread_t		 done_thread;
	struct event_base	*base;
	int			 ndone;
};

static void
where_work(void *arg)
{
	struct where	*w = arg;

	w->work_thread = pthread_self();
}

static void
where_done(void *arg, int cancelled)
{
	struct where	*w = arg;

	assert_false(cancelled);
	w->done_thread = pthread_self();
	if (++w->ndone == 3)
		event_base_loopbreak(w->base);
}

/* Done callbacks come back on the thread that runs the loop. */
static void
test_done_on_loop(void **state)
{
	struct where		 w;
	struct bio		*q;
	struct timeval		 limit = { 10, 0 };
	int			 i;

	(void)state;
	memset(&w, 0, sizeof w);
	assert_int_equal(evthread_use_pthreads(), 0);
	assert_non_null(w.base = event_base_new());
	q = bio_new(w.base, "t-loop", 8);
	for (i = 0; i < 3; i++)
		assert_int_equal(bio_submit(q, where_work, where_done, NULL,
		    &w, 0), 0);
	/* A bound, so that a lost wake-up fails instead of hanging. */
	event_base_loopexit(w.base, &limit);
	event_base_dispatch(w.base);
	assert_int_equal(w.ndone, 3);
	assert_true(pthread_equal(w.done_thread, pthread_self()));
	assert_false(pthread_equal(w.work_thread, pthread_self()));
	bio_free(q, BIO_DRAIN);
	event_base_free(w.base);
}

/* A job that holds the thread until released or the queue closes. */
struct gate {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	int		 started;
	int		 open;
	struct bio	*q;
};

static void
gate_work(void *arg)
{
	struct gate	*g = arg;

	pthread_mutex_lock(&g->mu);
	g->started = 1;
	pthread_cond_broadcast(&g->cv);
	while (!g->open && !bio_closing(g->q)) {
		pthread_mutex_unlock(&g->mu);
		usleep(1000);
		pthread_mutex_lock(&g->mu);
	}
	pthread_mutex_unlock(&g->mu);
}

static void
gate_start(struct gate *g, struct bio *q)
{
	memset(g, 0, sizeof *g);
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->cv, NULL);
	g->q = q;
	assert_int_equal(bio_submit(q, gate_work, NULL, NULL, g, 0), 0);
	pthread_mutex_lock(&g->mu);
	while (!g->started)
		pthread_cond_wait(&g->cv, &g->mu);
	pthread_mutex_unlock(&g->mu);
}

static void
gate_open(struct gate *g)
{
	pthread_mutex_lock(&g->mu);
	g->open = 1;
	pthread_mutex_unlock(&g->mu);
}

struct waiter {
	struct bio	*q;
	struct order	*o;
	int		 rc;
};

static void *
waiter_main(void *arg)
{
	struct waiter	*wt = arg;

	wt->rc = bio_submit(wt->q, item_work, item_done, item_free,
	    item_new(wt->o, 99), BIO_WAIT);
	return NULL;
}

/*
 * A full queue refuses at once and queues nothing; BIO_WAIT waits for
 * the thread to make room instead.
 */
static void
test_overflow(void **state)
{
	struct order	 o;
	struct gate	 g;
	struct waiter	 wt;
	struct bio	*q;
	struct item	*extra;
	pthread_t	 t;

	(void)state;
	memset(&o, 0, sizeof o);
	q = bio_new(NULL, "t-full", 2);
	gate_start(&g, q);		/* taken: does not count */
	assert_int_equal(bio_submit(q, item_work, item_done, item_free,
	    item_new(&o, 0), 0), 0);
	assert_int_equal(bio_submit(q, item_work, item_done, item_free,
	    item_new(&o, 1), 0), 0);
	extra = item_new(&o, 2);
	assert_int_equal(bio_submit(q, item_work, item_done, item_free,
	    extra, 0), -1);
	/* Refused: the caller still owns it, nothing more is pending. */
	assert_int_equal(bio_pending(q), 3);
	free(extra);

	memset(&wt, 0, sizeof wt);
	wt.q = q;
	wt.o = &o;
	wt.rc = -2;
	assert_int_equal(pthread_create(&t, NULL, waiter_main, &wt), 0);
	usleep(50 * 1000);
	assert_int_equal(bio_pending(q), 3);	/* still waiting */
	gate_open(&g);
	pthread_join(t, NULL);
	assert_int_equal(wt.rc, 0);
	bio_drain(q);
	assert_int_equal(o.ndone, 3);
	assert_int_equal(o.done[0], 0);
	assert_int_equal(o.done[1], 1);
	assert_int_equal(o.done[2], 99);
	bio_free(q, BIO_DRAIN);
}

struct followup {
	struct bio	*q;
	struct order	*o;
};

/* A done callback that queues one last job, as a writer's last try. */
static void
followup_done(void *arg, int cancelled)
{
	struct followup	*f = arg;

	assert_false(cancelled);
	assert_true(bio_closing(f->q));
	assert_int_equal(bio_submit(f->q, item_work, item_done, item_free,
	    item_new(f->o, 1000), 0), 0);
}

static void
noop_work(void *arg)
{
	(void)arg;
}

/*
 * BIO_DRAIN: every queued job runs and is done before bio_free returns,
 * including work queued by done callbacks meanwhile.
 */
static void
test_shutdown_drains(void **state)
{
	struct order	 o;
	struct followup	 f;
	struct gate	 g;
	struct bio	*q;
	int		 i;

	(void)state;
	memset(&o, 0, sizeof o);
	q = bio_new(NULL, "t-drain", NJOBS + 1);
	gate_start(&g, q);
	for (i = 0; i < NJOBS - 1; i++)
		assert_int_equal(bio_submit(q, item_work, item_done,
		    item_free, item_new(&o, i), 0), 0);
	f.q = q;
	f.o = &o;
	assert_int_equal(bio_submit(q, noop_work, followup_done, NULL, &f,
	    0), 0);
	/* The gate opens when bio_free raises closing. */
	bio_free(q, BIO_DRAIN);
	assert_int_equal(o.nworked, NJOBS);
	assert_int_equal(o.ndone, NJOBS);
	assert_int_equal(o.freed, NJOBS);
	assert_int_equal(o.cancelled, 0);
	assert_int_equal(o.done[NJOBS - 1], 1000);
}

/* BIO_CANCEL: the running job finishes, the waiting ones are cancelled. */
static void
test_shutdown_cancels(void **state)
{
	struct order	 o;
	struct gate	 g;
	struct bio	*q;
	int		 i;

	(void)state;
	memset(&o, 0, sizeof o);
	q = bio_new(NULL, "t-cancel", 16);
	gate_start(&g, q);
	for (i = 0; i < 5; i++)
		assert_int_equal(bio_submit(q, item_work, item_done,
		    item_free, item_new(&o, i), 0), 0);
	bio_free(q, BIO_CANCEL);
	assert_int_equal(o.nworked, 0);
	assert_int_equal(o.cancelled, 5);
	assert_int_equal(o.freed, 5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fifo),
		cmocka_unit_test(test_done_on_loop),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_shutdown_drains),
		cmocka_unit_test(test_shutdown_cancels),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
