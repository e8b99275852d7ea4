/*
 * scheduler.h -- run every check on its interval, on one event_base.
 *
 * First runs are spread evenly over each interval; at most one run per
 * check is in flight; at most max_parallel runs are in flight overall and
 * the rest wait in order.  A reload keeps the phase and state of checks
 * that stay.
 */
#ifndef SCHEDULER_H
#define SCHEDULER_H

#include <event2/event.h>

#include "checker_health.h"
#include "result.h"

struct config;
struct check_conf;
struct evcurl;
struct scheduler;

/* Called on the loop for every finished run, with the check it ran. */
typedef void (*scheduler_result_cb)(const struct check_conf *,
		    const struct result *, void *arg);

struct scheduler	*scheduler_new(struct event_base *, struct evcurl *,
			    const struct config *, scheduler_result_cb,
			    void *arg);
/*
 * Swap in a new config.  The old one is not freed here: the caller frees
 * it once scheduler_config_unused() says no probe still points into it.
 */
void			 scheduler_reload(struct scheduler *,
			    const struct config *);
int			 scheduler_config_unused(struct scheduler *,
			    const struct config *);
/* Stop starting runs and cancel those in flight (results: unknown). */
void			 scheduler_stop(struct scheduler *);
void			 scheduler_free(struct scheduler *);

struct scheduler_stats {
	unsigned long long	checks;		/* configured */
	unsigned long long	started;
	unsigned long long	finished;
	unsigned long long	skipped;	/* turns skipped: still running */
	unsigned		in_flight;
	unsigned		queued;
	double			lateness_p50_ms;	/* start - planned start */
	double			lateness_p99_ms;
	double			lateness_max_ms;
	int			cut_off;	/* every canary failing */
	int			impaired;	/* checker_health.h */
	unsigned long long	local_failures[LOCAL_NKINDS];
};
void			 scheduler_get_stats(struct scheduler *,
			    struct scheduler_stats *);
/* The checker's own health: counts, impaired, the transition callback. */
struct checker_health	*scheduler_health(struct scheduler *);
/*
 * With several nodes: runs(check id, arg) says whether this node probes
 * the check at its turn (the turn is kept either way).  NULL: all.
 */
void			 scheduler_set_owner(struct scheduler *,
			    int (*runs)(unsigned, void *), void *arg);

#endif
