/*
 * rrd_store.h -- record results in state_dir/rrd/<check>.rrd.
 *
 * The daemon-facing half: never blocks the event loop.  Updates go to
 * rrdcached when configured, otherwise to a writer thread with a bounded
 * queue.  Graph and report code live in their own modules and only read.
 */
#ifndef RRD_STORE_H
#define RRD_STORE_H

#include <stddef.h>
#include <time.h>

struct config;
struct check_conf;
struct result;
struct rrd_rra;
struct rrd_store;

struct event_base;
/*
 * Returns NULL and logs when the store cannot be opened at all.  The
 * daemon passes its loop: batches are timed on it and their done
 * callbacks come back to it.  Without one (tools, tests) every batch
 * goes out as soon as the writer is free; close settles them.
 */
struct rrd_store	*rrd_store_open_loop(const struct config *,
			    struct event_base *);
/* Queue one result (called on the loop; returns at once). */
/*
 * Queued updates name their check by the registry's name, which lives as
 * long as the daemon; without a registry (tests), by the check's own,
 * which must then outlive the store's last write.
 */
struct registry;
void			 rrd_store_set_registry(struct rrd_store *,
			    const struct registry *);
void			 rrd_store_record(struct rrd_store *,
			    const struct check_conf *, const struct result *);
void			 rrd_store_reload(struct rrd_store *,
			    const struct config *);
/* Write every queued update, then free. */
void			 rrd_store_close(struct rrd_store *);

/*
 * Everything below is the file layout, for graphs, reports and the
 * writer; none of it is needed by the daemon's loop.  Test hooks are in
 * rrd_store_test.h.
 */

/* Data sources in file order (SPEC "RRD layout"). */
enum rrd_ds {
	RRD_DS_UP = 0, RRD_DS_TOTAL, RRD_DS_DNS, RRD_DS_CONNECT, RRD_DS_TLS,
	RRD_DS_TTFB, RRD_DS_LE_100, RRD_DS_LE_250, RRD_DS_LE_500,
	RRD_DS_LE_1000, RRD_DS_LE_2000, RRD_DS_LE_5000, RRD_DS_COUNT
};
extern const char	*const rrd_ds_names[RRD_DS_COUNT];
/* The bound of each le_* data source, from RRD_DS_LE_100 on. */
#define RRD_NBUCKETS	6
extern const int	 rrd_bucket_ms[RRD_NBUCKETS];

/*
 * Every archive's xff: a consolidated row is known when at least 1 % of
 * its steps are, and then holds the share of good results among them.
 * With 0.5 a row less than half known turned UNKNOWN and its down time
 * went silently missing from every older figure (docs/rrd.md).
 */
#define RRD_XFF		"0.99"
#define RRD_XFF_VAL	0.99

/*
 * state_dir/rrd/<check>.rrd, allocated; in a cluster this location's
 * file, <check>~<location>.rrd (rrd_source.h).
 */
char	*rrd_store_path(const struct config *, const char *check);
/*
 * The values one result stores, in rrd_ds order (NaN = UNKNOWN); the
 * rule for failed checks is written next to the function.
 */
/* A result as the file records it; the le_* follow from total and up. */
struct rrd_sample {
	int	known;		/* state not unknown: else every value U */
	int	up;
	double	total_ms, dns_ms, connect_ms, tls_ms, ttfb_ms;
};
void	 rrd_store_sample(const struct result *, struct rrd_sample *);
void	 rrd_sample_values(const struct rrd_sample *, double v[RRD_DS_COUNT]);
void	 rrd_store_values(const struct result *, double v[RRD_DS_COUNT]);
/*
 * Create path with the SPEC layout for a check of the given interval and
 * retention (n == 0: the default 1s:2d,5m:14d,1h:90d,1d:5y).  Never
 * overwrites.  Returns 0, or -1 with librrd's message in err.
 */
int	 rrd_store_create(const char *path, int interval, time_t last_up,
	    const struct rrd_rra *, size_t n, char *err, size_t errlen);
/*
 * Make rrdcached (when the config names one) write path to disk, so a
 * reader sees every update.  Safe from any thread.
 */
void	 rrd_store_flush_file(const struct config *, const char *path);
/*
 * Write v into p as snprintf "%.3f" would (NaN: "U"), faster, without
 * the fraction's trailing zeros ("1", "0.5", "12.345"); returns the
 * length.  p has room for RRD_VALUE_MAX bytes.
 */
#define RRD_VALUE_MAX	32
size_t	 rrd_store_format_value(char *p, double v);
/* Write q in decimal into p; returns the length (the writer's). */
size_t	 rrd_store_digits(char *p, long long q);

#endif
