/*
 * scheduler.c -- run every check on its interval, on one event_base.
 *
 * DESIGN
 * Every check has a planned start on the monotonic clock.  The checks sit
 * in a binary min-heap ordered by that time, and one libevent timer is
 * armed for the earliest; this costs a few dozen bytes per check instead
 * of one struct event each, which matters at 100,000 checks.
 *
 * When a check is due it starts at once if fewer than max_parallel runs
 * are in flight, otherwise it waits in a FIFO queue and starts as soon as
 * a run ends, so late checks start in the order they were due.  Its next
 * planned start is always one interval after the previous planned start
 * (not after the actual one), so queueing never drifts the phase.  A check
 * never runs twice at once: if it is still running or still queued when
 * it is due again, that turn is skipped and counted.
 *
 * A wake-up of the timer also starts the checks due within the next
 * SCHED_EARLY_MS: at 1,000 starts a second that is one wake-up for every
 * four or five starts instead of one each, and a wake-up of the loop
 * (the context switch and the idle exit) costs about as much CPU as a
 * check's own system calls (bench/RESULTS.md, section 15).  A start
 * that early counts as on time, and the next planned start still follows
 * the planned one, so nothing drifts.
 *
 * First runs are spread evenly so that no burst hits the network at load:
 * the k-th of n checks that share an interval starts k/n of a window
 * after load, the window being the interval or, when shorter, the time
 * n starts take at SPREAD_RATE a second.  A few hourly checks then run at
 * once (a new check shows a result in its first minute, not up to an
 * hour later), and 100,000 checks at 60 s still start evenly.
 *
 * Reload matches checks by their registry id (registry.h): the checks
 * sit in an array at [id].  A check that stays keeps its phase, its
 * run in flight and its last result; a new check is spread like a first
 * run; a removed check is dropped at once, or when its run ends.  Runs in
 * flight point into the config they started with, which the daemon keeps
 * alive until scheduler_config_unused() says no run uses it any more.
 *
 * Canaries: when [daemon] canary lists URLs, they are checked every
 * CANARY_INTERVAL_MS.  While every canary is failing, the checker itself
 * is cut off from the network, so any failed result is reported as
 * unknown instead of down: no tickets, no mail, no false downtime.
 *
 * The checker's own faults (no descriptor, no memory, the source address
 * gone: result.local) are already unknown when they get here; every
 * result tells the checker_health whether a check could be made, and
 * a canary that could not be made says nothing about the network.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "checker_health.h"
#include "config.h"
#include "log.h"
#include "probe.h"
#include "registry.h"
#include "scheduler.h"
#include "util.h"
#include "xmalloc.h"

#define CANARY_INTERVAL_MS	15000
#define CANARY_TIMEOUT_S	5
#define LATENESS_BUCKETS	10001	/* 1 ms buckets up to 10 s */
#define SPREAD_RATE		100	/* first runs a second, at most, while spread */
#define SCHED_EARLY_MS		4	/* due this soon: starts now too */

/* One run in flight. */
struct sched_run {
	struct scheduler	*sched;
	struct sched_check	*check;
	struct probe		*probe;
	const struct check_conf	*conf;		/* as it started */
	const struct config	*cfg;
	double			 lateness_ms;	/* start minus planned start */
};

struct sched_check {
	const struct check_conf	*conf;		/* in the current config */
	uint64_t		 due;		/* planned start, mono ms */
	struct sched_check	*hnext;		/* orphans list */

	/*
	 * The run in flight, if any: its own record, since at most
	 * max_parallel of 100,000 checks run at once.  No copy of the last
	 * result here: the web keeps one, and 424 bytes times 100,000
	 * checks is real memory.  Nor of the name: conf has it.
	 */
	struct sched_run	*run;		/* NULL: not running */
	uint64_t		 run_planned;	/* of the next run */
	unsigned		 id;		/* its registry id */
	unsigned char		 queued;
	unsigned char		 removed;	/* dropped by reload */
};

struct canary {
	struct scheduler	*sched;
	struct check_conf	 conf;
	struct status_range	 range;
	struct probe		*probe;
	int			 running;
	int			 ok;
};

/*
 * A heap slot carries its key, and a check does not know its slot:
 * sifting moves 16-byte slots within one array and touches no check (at
 * 10,000 checks a pop is 14 levels, each a cache miss when every swap
 * also wrote the slot's index into its check).  Every check is in the
 * heap exactly once, except while on_timer has popped it; a reload,
 * which may drop checks or move their turns, rebuilds the heap.
 */
struct heap_ent {
	uint64_t		 due;
	struct sched_check	*c;
};

struct scheduler {
	struct event_base	*base;
	struct evcurl		*curl;
	const struct config	*cfg;
	scheduler_result_cb	 cb;
	void			*cb_arg;
	struct event		*timer;
	int			 stopping;

	struct heap_ent		*heap;
	size_t			 nheap;
	size_t			 heap_cap;

	struct sched_check	**by_id;	/* [registry id], NULL: none */
	size_t			 nby_id;
	size_t			 ncheck;
	struct sched_check	*orphans;	/* removed, run still in flight */

	struct sched_check	**queue;	/* FIFO ring of waiting checks */
	size_t			 q_head, q_len, q_cap;

	unsigned		 in_flight;
	unsigned		 max_parallel;

	/* Several nodes: whether this one probes a check (assign.c). */
	int			(*runs)(unsigned, void *);
	void			*runs_arg;

	struct canary		*canaries;
	size_t			 ncanaries;
	struct event		*canary_timer;
	int			 cut_off;	/* every canary failed */
	struct checker_health	*health;

	unsigned long long	 started, finished, skipped;
	uint32_t		*lateness;	/* histogram, 1 ms buckets */
	unsigned long long	 lateness_n;
	double			 lateness_max;
};

static void	sched_arm(struct scheduler *);
static void	sched_start(struct scheduler *, struct sched_check *);

/* The check at id, NULL when there is none. */
static struct sched_check *
table_find(struct scheduler *s, unsigned id)
{
	return id < s->nby_id ? s->by_id[id] : NULL;
}

static void
table_insert(struct scheduler *s, struct sched_check *c)
{
	s->by_id = registry_slots(s->by_id, &s->nby_id, c->id,
	    sizeof *s->by_id);
	s->by_id[c->id] = c;
	s->ncheck++;
}

static void
table_remove(struct scheduler *s, struct sched_check *c)
{
	s->by_id[c->id] = NULL;
	s->ncheck--;
}

static void
heap_swap(struct scheduler *s, size_t a, size_t b)
{
	struct heap_ent	t = s->heap[a];

	s->heap[a] = s->heap[b];
	s->heap[b] = t;
}

static void
heap_up(struct scheduler *s, size_t i)
{
	while (i > 0 && s->heap[(i - 1) / 2].due > s->heap[i].due) {
		heap_swap(s, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void
heap_down(struct scheduler *s, size_t i)
{
	size_t	l, r, m;

	for (;;) {
		l = 2 * i + 1;
		r = l + 1;
		m = i;
		if (l < s->nheap && s->heap[l].due < s->heap[m].due)
			m = l;
		if (r < s->nheap && s->heap[r].due < s->heap[m].due)
			m = r;
		if (m == i)
			return;
		heap_swap(s, i, m);
		i = m;
	}
}

static void
heap_push(struct scheduler *s, struct sched_check *c)
{
	if (s->nheap == s->heap_cap) {
		s->heap_cap = s->heap_cap ? s->heap_cap * 2 : 64;
		s->heap = xreallocarray(s->heap, s->heap_cap, sizeof *s->heap);
	}
	s->heap[s->nheap].due = c->due;
	s->heap[s->nheap].c = c;
	heap_up(s, s->nheap++);
}

/* Take the earliest check out. */
static struct sched_check *
heap_pop(struct scheduler *s)
{
	struct sched_check	*c = s->heap[0].c;

	s->heap[0] = s->heap[--s->nheap];
	heap_down(s, 0);
	return c;
}

/*
 * After a reload: drop the checks marked removed, take every other
 * check's due time again (a new interval may have moved it), reorder.
 */
static void
heap_rebuild(struct scheduler *s)
{
	size_t	i, n = 0;

	for (i = 0; i < s->nheap; i++) {
		if (s->heap[i].c->removed)
			continue;
		s->heap[n].c = s->heap[i].c;
		s->heap[n++].due = s->heap[i].c->due;
	}
	s->nheap = n;
	for (i = n / 2; i-- > 0;)
		heap_down(s, i);
}

static void
queue_push(struct scheduler *s, struct sched_check *c)
{
	size_t	i, cap;
	struct sched_check **q;

	if (s->q_len == s->q_cap) {
		cap = s->q_cap ? s->q_cap * 2 : 64;
		q = xcalloc(cap, sizeof *q);
		for (i = 0; i < s->q_len; i++)
			q[i] = s->queue[(s->q_head + i) % s->q_cap];
		free(s->queue);
		s->queue = q;
		s->q_cap = cap;
		s->q_head = 0;
	}
	s->queue[(s->q_head + s->q_len++) % s->q_cap] = c;
	c->queued = 1;
}

/* Next waiting check that is still wanted, or NULL. */
static struct sched_check *
queue_pop(struct scheduler *s)
{
	struct sched_check	*c;

	while (s->q_len > 0) {
		c = s->queue[s->q_head];
		s->q_head = (s->q_head + 1) % s->q_cap;
		s->q_len--;
		if (c == NULL)		/* removed by reload */
			continue;
		c->queued = 0;
		return c;
	}
	return NULL;
}

static void
queue_forget(struct scheduler *s, struct sched_check *c)
{
	size_t	i;

	for (i = 0; i < s->q_len; i++)
		if (s->queue[(s->q_head + i) % s->q_cap] == c)
			s->queue[(s->q_head + i) % s->q_cap] = NULL;
	c->queued = 0;
}

static void
check_free(struct sched_check *c)
{
	free(c);
}

static void
orphan_free(struct scheduler *s, struct sched_check *c)
{
	struct sched_check	**pp = &s->orphans;

	while (*pp != NULL && *pp != c)
		pp = &(*pp)->hnext;
	if (*pp == c)
		*pp = c->hnext;
	check_free(c);
}

static void
record_lateness(struct scheduler *s, double ms)
{
	size_t	b;

	if (ms < 0)
		ms = 0;
	b = ms >= LATENESS_BUCKETS - 1 ? LATENESS_BUCKETS - 1 : (size_t)ms;
	s->lateness[b]++;
	s->lateness_n++;
	if (ms > s->lateness_max)
		s->lateness_max = ms;
}

static void
on_probe_done(const struct result *r, void *arg)
{
	struct sched_run	*run = arg;
	struct sched_check	*c = run->check;
	struct scheduler	*s = run->sched;
	struct result		 copy;
	const struct check_conf	*conf = run->conf;

	copy = *r;
	copy.lateness_ms = run->lateness_ms;
	free(run);
	c->run = NULL;
	s->in_flight--;
	s->finished++;

	if (r->local != LOCAL_NONE)
		checker_health_local(s->health, r->local, r->message,
		    util_mono_ms());
	else if (r->state != SW_STATE_UNKNOWN)
		checker_health_measured(s->health, util_mono_ms());
	if (s->cut_off && (r->state == SW_STATE_DOWN ||
	    r->state == SW_STATE_DEGRADED)) {
		result_unknown(&copy, r->name,
		    "checker cut off: every canary is failing");
		copy.at = r->at;
	}
	log_debug("%s: %s (%s) %s, %.0f ms", copy.name,
	    sw_state_name(copy.state), sw_cause_name(copy.cause),
	    copy.message, copy.total_ms);
	s->cb(conf, &copy, s->cb_arg);
	if (c->removed)
		orphan_free(s, c);

	while (!s->stopping && s->in_flight < s->max_parallel &&
	    (c = queue_pop(s)) != NULL)
		sched_start(s, c);
}

/* Start one run now; the caller has checked the parallel limit. */
static void
sched_start(struct scheduler *s, struct sched_check *c)
{
	uint64_t		 now = util_mono_ms();
	struct sched_run	*run;
	struct probe		*p;

	c->run = run = xcalloc(1, sizeof *run);
	run->sched = s;
	run->check = c;
	run->conf = c->conf;
	run->cfg = s->cfg;
	/* Started a little early (SCHED_EARLY_MS): on time. */
	run->lateness_ms = now > c->run_planned ?
	    (double)(now - c->run_planned) : 0;
	record_lateness(s, run->lateness_ms);
	s->in_flight++;
	s->started++;
	/* A probe that cannot start has finished (and freed run) already. */
	if ((p = probe_start(s->curl, c->conf, on_probe_done, run)) != NULL)
		run->probe = p;
}

/* Plan the next turn one interval after the last planned one. */
static void
sched_plan_next(struct scheduler *s, struct sched_check *c, uint64_t now)
{
	uint64_t	iv = (uint64_t)c->conf->interval * 1000;

	c->due += iv;
	if (c->due + iv <= now)		/* far behind (suspend): skip ahead */
		c->due = now + iv - (now - c->due) % iv;
	heap_push(s, c);
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct scheduler	*s = arg;
	struct sched_check	*c;
	uint64_t		 now = util_mono_ms();

	while (s->nheap > 0 && s->heap[0].due <= now + SCHED_EARLY_MS) {
		c = heap_pop(s);
		if (c->run != NULL || c->queued) {
			s->skipped++;
			log_debug("%s: still running at its next turn, "
			    "turn skipped", c->conf->name);
		} else if (s->runs != NULL && !s->runs(c->id, s->runs_arg)) {
			/* Another node's turn; the phase stays, so taking
			 * the check over starts on time. */
		} else {
			c->run_planned = c->due;
			if (s->in_flight < s->max_parallel)
				sched_start(s, c);
			else
				queue_push(s, c);
		}
		sched_plan_next(s, c, now);
	}
	sched_arm(s);
}

static void
sched_arm(struct scheduler *s)
{
	struct timeval	tv;
	uint64_t	now, wait;

	if (s->stopping || s->nheap == 0)
		return;
	now = util_mono_ms();
	wait = s->heap[0].due > now ? s->heap[0].due - now : 0;
	tv.tv_sec = (time_t)(wait / 1000);
	tv.tv_usec = (suseconds_t)(wait % 1000) * 1000;
	evtimer_add(s->timer, &tv);
}

static struct sched_check *
check_new(const struct check_conf *conf)
{
	struct sched_check	*c;

	c = xcalloc(1, sizeof *c);
	c->id = conf->id;
	c->conf = conf;
	return c;
}

/*
 * Spread the first runs of new checks: the k-th of n new checks of one
 * interval starts k/n of the window from now (see the top of the file).
 */
static void
spread_new(struct scheduler *s, struct sched_check **fresh, size_t n)
{
	uint64_t	now = util_mono_ms(), window;
	size_t		i, j, k, count;
	int		iv;

	for (i = 0; i < n; i++) {
		if (fresh[i] == NULL)
			continue;
		iv = fresh[i]->conf->interval;
		count = 0;
		for (j = i; j < n; j++)
			if (fresh[j] != NULL && fresh[j]->conf->interval == iv)
				count++;
		window = (uint64_t)iv * 1000;
		if (window > (uint64_t)count * 1000 / SPREAD_RATE)
			window = (uint64_t)count * 1000 / SPREAD_RATE;
		k = 0;
		for (j = i; j < n; j++) {
			if (fresh[j] == NULL || fresh[j]->conf->interval != iv)
				continue;
			fresh[j]->due = now + window * k / count;
			heap_push(s, fresh[j]);
			fresh[j] = NULL;
			k++;
		}
	}
}

static void
on_canary_done(const struct result *r, void *arg)
{
	struct canary		*cn = arg;
	struct scheduler	*s = cn->sched;
	size_t			 i;
	int			 any_ok = 0, all_done = 1;

	cn->running = 0;
	cn->probe = NULL;
	if (r->local != LOCAL_NONE) {
		/* Not made: it tells nothing about the network. */
		checker_health_local(s->health, r->local, r->message,
		    util_mono_ms());
		return;
	}
	cn->ok = r->state == SW_STATE_UP || r->state == SW_STATE_DEGRADED;
	for (i = 0; i < s->ncanaries; i++) {
		if (s->canaries[i].running)
			all_done = 0;
		if (s->canaries[i].ok)
			any_ok = 1;
	}
	if (!all_done && !any_ok)
		return;
	if (!any_ok && !s->cut_off)
		log_warn("every canary is failing: the checker is cut off, "
		    "failures are recorded as unknown");
	else if (any_ok && s->cut_off)
		log_info("a canary answers again: results count again");
	s->cut_off = !any_ok;
}

static void
on_canary_timer(evutil_socket_t fd, short what, void *arg)
{
	struct scheduler	*s = arg;
	struct canary		*cn;
	size_t			 i;

	for (i = 0; i < s->ncanaries && !s->stopping; i++) {
		cn = &s->canaries[i];
		if (cn->running)
			continue;
		cn->running = 1;
		cn->probe = probe_start(s->curl, &cn->conf, on_canary_done, cn);
	}
}

static void
canaries_free(struct scheduler *s)
{
	size_t	i;

	for (i = 0; i < s->ncanaries; i++) {
		struct canary *cn = &s->canaries[i];

		if (cn->running && cn->probe != NULL)
			probe_cancel(cn->probe, "shutting down");
		free(cn->conf.name);
		free(cn->conf.url);
	}
	free(s->canaries);
	s->canaries = NULL;
	s->ncanaries = 0;
	if (s->canary_timer != NULL) {
		event_free(s->canary_timer);
		s->canary_timer = NULL;
	}
}

static void
canaries_setup(struct scheduler *s, const struct config *cfg)
{
	struct timeval	 every = { CANARY_INTERVAL_MS / 1000, 0 };
	struct canary	*cn;
	size_t		 i;

	canaries_free(s);
	s->cut_off = 0;
	if (cfg->ncanary == 0)
		return;
	s->canaries = xcalloc(cfg->ncanary, sizeof *cn);
	s->ncanaries = cfg->ncanary;
	for (i = 0; i < cfg->ncanary; i++) {
		cn = &s->canaries[i];
		cn->sched = s;
		xasprintf(&cn->conf.name, "canary-%zu", i + 1);
		cn->conf.url = xstrdup(cfg->canary[i]);
		cn->conf.interval = CANARY_INTERVAL_MS / 1000;
		cn->conf.timeout = CANARY_TIMEOUT_S;
		cn->conf.method = "GET";
		cn->range.lo = 200;
		cn->range.hi = 399;
		cn->conf.expect_status = &cn->range;
		cn->conf.nexpect_status = 1;
		cn->conf.max_body = 65536;
		cn->conf.slow_ms = CANARY_TIMEOUT_S * 1000;
		cn->conf.down_ms = CANARY_TIMEOUT_S * 1000;
		cn->conf.cert_warn_days = 0;
		cn->conf.follow_redirects = 1;
		cn->ok = 1;
	}
	s->canary_timer = event_new(s->base, -1, EV_PERSIST, on_canary_timer,
	    s);
	event_add(s->canary_timer, &every);
	on_canary_timer(-1, 0, s);
}

struct scheduler *
scheduler_new(struct event_base *base, struct evcurl *curl,
    const struct config *cfg, scheduler_result_cb cb, void *arg)
{
	struct scheduler	*s;

	s = xcalloc(1, sizeof *s);
	s->base = base;
	s->curl = curl;
	s->cb = cb;
	s->cb_arg = arg;
	s->lateness = xcalloc(LATENESS_BUCKETS, sizeof *s->lateness);
	s->health = checker_health_new();
	s->timer = evtimer_new(base, on_timer, s);
	scheduler_reload(s, cfg);
	return s;
}

void
scheduler_reload(struct scheduler *s, const struct config *cfg)
{
	struct sched_check	**fresh, *c;
	size_t			  i, nfresh = 0;
	uint64_t		  now = util_mono_ms(), iv;

	/* Mark every known check; those still marked afterwards go. */
	for (i = 0; i < s->nby_id; i++)
		if ((c = s->by_id[i]) != NULL)
			c->removed = 1;

	fresh = xcalloc(cfg->nchecks + 1, sizeof *fresh);
	for (i = 0; i < cfg->nchecks; i++) {
		const struct check_conf *conf = cfg->checks[i];

		if ((c = table_find(s, conf->id)) != NULL) {
			c->removed = 0;
			iv = (uint64_t)conf->interval * 1000;
			/* heap_rebuild below takes the new due time. */
			if (conf->interval != c->conf->interval &&
			    c->due > now + iv)
				c->due = now + iv;
			c->conf = conf;
			continue;
		}
		c = check_new(conf);
		table_insert(s, c);
		fresh[nfresh++] = c;
	}
	heap_rebuild(s);
	for (i = 0; i < s->nby_id; i++) {
		if ((c = s->by_id[i]) == NULL || !c->removed)
			continue;
		table_remove(s, c);
		if (c->queued)
			queue_forget(s, c);
		if (c->run != NULL) {
			/* on_probe_done frees it */
			c->hnext = s->orphans;
			s->orphans = c;
		} else
			check_free(c);
	}
	s->cfg = cfg;
	s->max_parallel = cfg->max_parallel > 0 ? (unsigned)cfg->max_parallel :
	    1;
	spread_new(s, fresh, nfresh);
	free(fresh);
	canaries_setup(s, cfg);
	evtimer_del(s->timer);
	sched_arm(s);
}

int
scheduler_config_unused(struct scheduler *s, const struct config *cfg)
{
	struct sched_check	*c;
	size_t			 i;

	if (s->cfg == cfg)
		return 0;
	for (i = 0; i < s->nby_id; i++)
		if ((c = s->by_id[i]) != NULL && c->run != NULL &&
		    c->run->cfg == cfg)
			return 0;
	for (c = s->orphans; c != NULL; c = c->hnext)
		if (c->run != NULL && c->run->cfg == cfg)
			return 0;
	return 1;
}

void
scheduler_stop(struct scheduler *s)
{
	struct sched_check	*c, *next;
	size_t			 i;

	if (s->stopping)
		return;
	s->stopping = 1;
	evtimer_del(s->timer);
	if (s->canary_timer != NULL)
		event_del(s->canary_timer);
	while (queue_pop(s) != NULL)
		;
	/* Cancelling calls on_probe_done, which may free orphans. */
	for (i = 0; i < s->nby_id; i++)
		if ((c = s->by_id[i]) != NULL && c->run != NULL &&
		    c->run->probe != NULL)
			probe_cancel(c->run->probe, "shutting down");
	for (c = s->orphans; c != NULL; c = next) {
		next = c->hnext;
		if (c->run != NULL && c->run->probe != NULL)
			probe_cancel(c->run->probe, "shutting down");
		else
			orphan_free(s, c);
	}
	for (i = 0; i < s->ncanaries; i++)
		if (s->canaries[i].running && s->canaries[i].probe != NULL)
			probe_cancel(s->canaries[i].probe, "shutting down");
}

void
scheduler_free(struct scheduler *s)
{
	size_t			 i;

	if (s == NULL)
		return;
	scheduler_stop(s);
	for (i = 0; i < s->nby_id; i++)
		if (s->by_id[i] != NULL)
			check_free(s->by_id[i]);
	canaries_free(s);
	checker_health_free(s->health);
	event_free(s->timer);
	free(s->by_id);
	free(s->heap);
	free(s->queue);
	free(s->lateness);
	free(s);
}

/* The smallest lateness (ms) below which a share q of starts fell. */
static double
lateness_quantile(const struct scheduler *s, double q)
{
	unsigned long long	want, seen = 0;
	size_t			i;

	if (s->lateness_n == 0)
		return 0;
	want = (unsigned long long)(q * (double)s->lateness_n);
	if (want == 0)
		want = 1;
	for (i = 0; i < LATENESS_BUCKETS; i++) {
		seen += s->lateness[i];
		if (seen >= want)
			return (double)i;
	}
	return s->lateness_max;
}

void
scheduler_get_stats(struct scheduler *s, struct scheduler_stats *st)
{
	int	k;

	memset(st, 0, sizeof *st);
	st->checks = s->ncheck;
	st->started = s->started;
	st->finished = s->finished;
	st->skipped = s->skipped;
	st->in_flight = s->in_flight;
	st->queued = (unsigned)s->q_len;
	st->lateness_p50_ms = lateness_quantile(s, 0.50);
	st->lateness_p99_ms = lateness_quantile(s, 0.99);
	st->lateness_max_ms = s->lateness_max;
	st->cut_off = s->cut_off;
	st->impaired = checker_health_impaired(s->health);
	for (k = 0; k < LOCAL_NKINDS; k++)
		st->local_failures[k] = checker_health_failures(s->health, k);
}

/* The checker's own health, fed by every result (see checker_health.h). */
void
scheduler_set_owner(struct scheduler *s, int (*runs)(unsigned, void *),
    void *arg)
{
	s->runs = runs;
	s->runs_arg = arg;
}

struct checker_health *
scheduler_health(struct scheduler *s)
{
	return s->health;
}
