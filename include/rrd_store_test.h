/*
 * rrd_store_test.h -- hooks into the recorder for the unit tests and the
 * bench (tests/ only; the daemon never calls them).
 */
#ifndef RRD_STORE_TEST_H
#define RRD_STORE_TEST_H

#include <stddef.h>

struct config;
struct rrd_store;

/* Queue counters. */
struct rrd_store_stats {
	unsigned long long	queued;		/* taken by record() */
	unsigned long long	written;	/* given to librrd */
	unsigned long long	dropped;	/* queue overflow */
	unsigned long long	skipped;	/* same second */
	unsigned long long	errors;		/* failed writes */
	unsigned long long	batched;	/* written by BATCH */
};

/* The store without a loop: every batch goes out at once. */
struct rrd_store	*rrd_store_open(const struct config *);
/* Largest number of queued updates before the oldest is dropped. */
void	rrd_store_set_queue_max(struct rrd_store *, size_t);
/* Nonzero keeps the writer from taking work (close still drains). */
void	rrd_store_hold(struct rrd_store *, int);
/* Wait until the queue is empty and written. */
void	rrd_store_sync(struct rrd_store *);
void	rrd_store_get_stats(struct rrd_store *, struct rrd_store_stats *);

#endif
