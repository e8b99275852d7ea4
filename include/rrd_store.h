/*
 * rrd_store.h -- record results in state_dir/rrd/<check>.rrd.
 *
 * The daemon-facing half: never blocks the event loop.  Updates go to
 * rrdcached when configured, otherwise to a writer thread with a bounded
 * queue.  Graph and report code live in their own modules and only read.
 */
#ifndef RRD_STORE_H
#define RRD_STORE_H

struct config;
struct check_conf;
struct result;
struct rrd_store;

/* Returns NULL and logs when the store cannot be opened at all. */
struct rrd_store	*rrd_store_open(const struct config *);
/* Queue one result (called on the loop; returns at once). */
void			 rrd_store_record(struct rrd_store *,
			    const struct check_conf *, const struct result *);
void			 rrd_store_reload(struct rrd_store *,
			    const struct config *);
/* Write every queued update, then free. */
void			 rrd_store_close(struct rrd_store *);

#endif
