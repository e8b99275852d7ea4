/*
 * web_queue.c -- the web's worker queues, for the work that may block
 * (SQLite, librrd): a thin layer over bio.c.
 *
 * A job's work function runs on the queue's bio thread, its done
 * function back on the loop, where it may touch struct web and reply.
 * What this layer adds to bio: the thread's own store handles
 * (web_data, used only by the work functions of that queue) and the
 * web_job the handlers already know.  A full queue refuses the job
 * (bio's rule) and the handler answers 503; at shutdown the running job
 * finishes and the others are cancelled (done runs with cancelled set).
 */
#include <stdlib.h>

#include "bio.h"
#include "log.h"
#include "web_data.h"
#include "web_int.h"
#include "xmalloc.h"

struct web_queue {
	struct bio		*bio;
	struct web_data		*data;		/* the thread's */
};

/* On the queue's thread. */
static void
web_queue_work(void *arg)
{
	struct web_job	*job = arg;

	job->work(job);
}

/* On the loop: hand the job to its owner (cancelled: work never ran). */
static void
web_queue_done(void *arg, int cancelled)
{
	struct web_job	*job = arg;

	job->cancelled = cancelled;
	job->done(job);
}

struct web_queue *
web_queue_new(struct event_base *base, const char *name, size_t max)
{
	struct web_queue	*q;
	char			*bname;

	q = xcalloc(1, sizeof *q);
	q->data = web_data_new();
	xasprintf(&bname, "web-%s", name);
	q->bio = bio_new(base, bname, max);
	free(bname);
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

	job = xcalloc(1, sizeof *job);
	job->work = work;
	job->done = done;
	job->arg = arg;
	job->q = q;
	if (bio_submit(q->bio, web_queue_work, web_queue_done, free, job,
	    0) == -1) {
		free(job);
		return -1;
	}
	return 0;
}

size_t
web_queue_len(struct web_queue *q)
{
	return bio_pending(q->bio);
}

/* Finish the running job, cancel the rest, on the loop's thread. */
void
web_queue_free(struct web_queue *q)
{
	if (q == NULL)
		return;
	bio_free(q->bio, BIO_CANCEL);
	web_data_free(q->data);
	free(q);
}
