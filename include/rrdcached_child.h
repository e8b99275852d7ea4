/*
 * rrdcached_child.h -- the daemon's own rrdcached, for the default
 * configuration (`rrdcached` empty): started, watched, restarted and
 * stopped by the daemon, so that the recorder writes through it.
 */
#ifndef RRDCACHED_CHILD_H
#define RRDCACHED_CHILD_H

struct config;
struct event_base;
struct rrdcached_child;

/*
 * The address of the daemon's own rrdcached for cfg ("unix:" and a path
 * in state_dir), allocated; NULL when cfg does not ask for one.
 */
char			*rrdcached_child_addr(const struct config *);
/*
 * Point cfg->rrdcached at the daemon's own rrdcached when cfg asks for
 * one (every module then writes and flushes through it).
 */
void			 rrdcached_child_bind(struct config *);
/*
 * Start rrdcached for cfg (stopping one a killed daemon left behind) and
 * wait, bounded, for its socket; watch it on base and restart it, with
 * a backoff, when it dies.  NULL when cfg does not ask for one.  A child
 * that cannot start is logged and retried: the recorder writes the
 * files directly meanwhile.
 */
struct rrdcached_child	*rrdcached_child_start(const struct config *,
			    struct event_base *);
/*
 * After a reload: keep ch when cfg wants the same rrdcached, else stop
 * it and start what cfg wants.  Returns the handle to keep.
 */
struct rrdcached_child	*rrdcached_child_reload(struct rrdcached_child *,
			    const struct config *, struct event_base *);
/* SIGTERM (rrdcached writes what it holds), wait, free.  NULL is fine. */
void			 rrdcached_child_stop(struct rrdcached_child *);

#endif
