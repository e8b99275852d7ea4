/*
 * incident_fsm.c -- the per-check incident state machine (see the rules
 * in incident_fsm.h).  Pure: no I/O, no clock, no allocation.
 */
#include <string.h>

#include "incident_fsm.h"

#define HIST_MASK	((UINT64_C(1) << (2 * FSM_FLAP_WINDOW)) - 1)

/* Start a check with no history and no ticket. */
void
fsm_init(struct fsm_state *st)
{
	memset(st, 0, sizeof *st);
	st->last = SW_STATE_UNKNOWN;
	st->severity = SEVERITY_WARNING;
}

/* The state recorded i results ago (0 = newest). */
static enum sw_state
hist_at(const struct fsm_state *st, int i)
{
	return (enum sw_state)((st->history >> (2 * i)) & 3);
}

/*
 * Weighted share of state changes, Nagios style: the newest change
 * weighs 1.2, the oldest 0.8.  The sum is divided by the weight of a
 * full window, so that a check with only a few results cannot look like
 * it flaps.
 */
double
fsm_flap_percent(const struct fsm_state *st)
{
	const int	pairs = FSM_FLAP_WINDOW - 1;
	double		sum = 0, full = 0, w;
	int		i;

	for (i = 0; i < pairs; i++) {
		w = 1.2 - 0.4 * i / (pairs - 1);
		full += w;
		if (i + 1 < st->nhistory &&
		    hist_at(st, i) != hist_at(st, i + 1))
			sum += w;
	}
	return 100.0 * sum / full;
}

/* Nonzero while dependents of this check should hold their tickets. */
int
fsm_failing(const struct fsm_state *st)
{
	return st->open || st->last == SW_STATE_DOWN ||
	    st->last == SW_STATE_DEGRADED;
}

/* A hand-resolved ticket: the next counted failure opens a new one. */
void
fsm_ticket_gone(struct fsm_state *st)
{
	st->open = 0;
	st->severity = SEVERITY_WARNING;
	st->first_failure_at = 0;
	st->recovery_at = 0;
	st->ok_streak = 0;
}

/* Push a measured state into the flap history and update flapping. */
static void
fsm_flap(const struct fsm_params *p, struct fsm_state *st, enum sw_state s,
    struct fsm_output *out)
{
	double	high = p->flap_high > 0 ? p->flap_high : FSM_FLAP_HIGH;
	double	low = p->flap_low > 0 ? p->flap_low : FSM_FLAP_LOW;

	st->history = ((st->history << 2) | (uint64_t)(s & 3)) & HIST_MASK;
	if (st->nhistory < FSM_FLAP_WINDOW)
		st->nhistory++;
	out->flap_pct = fsm_flap_percent(st);
	if (!st->flapping && out->flap_pct > high) {
		st->flapping = 1;
		out->actions |= FSM_FLAP_START;
	} else if (st->flapping && out->flap_pct < low) {
		st->flapping = 0;
		out->actions |= FSM_FLAP_STOP;
	}
}

/* A down or degraded result. */
static void
fsm_fail(const struct fsm_params *p, struct fsm_state *st,
    const struct fsm_input *in, struct fsm_output *out)
{
	int	retries = p->retries > 0 ? p->retries : 1;

	st->ok_streak = 0;
	st->recovery_at = 0;
	st->down_streak = in->state != SW_STATE_DOWN ? 0 :
	    st->down_streak < FSM_STREAK_MAX ? st->down_streak + 1 :
	    FSM_STREAK_MAX;

	if (st->open) {
		if (st->severity == SEVERITY_WARNING &&
		    st->down_streak >= retries) {
			st->severity = SEVERITY_CRITICAL;
			out->actions |= FSM_ESCALATE;
		}
		return;
	}

	/*
	 * Held: a window of planned work, or a parent that is down, is not
	 * this check's incident.  The streak restarts afterwards, so the
	 * check must fail `retries` more times on its own before it opens.
	 */
	if (in->maint || in->parent_down) {
		st->fail_streak = 0;
		st->streak_down = 0;
		st->first_failure_at = 0;
		out->actions |= FSM_HELD;
		if (in->parent_down && in->parent_ticket && !st->dep_noted) {
			st->dep_noted = 1;
			out->actions |= FSM_DEPENDENT;
		}
		return;
	}

	/* After a hand resolve the streak goes on but the incident is new. */
	if (st->fail_streak == 0 || st->first_failure_at == 0)
		st->first_failure_at = (uint32_t)in->at;
	if (st->fail_streak < FSM_STREAK_MAX)
		st->fail_streak++;
	if (in->state == SW_STATE_DOWN)
		st->streak_down = 1;
	if (st->fail_streak >= retries) {
		st->open = 1;
		st->dep_noted = 0;
		st->severity = st->streak_down ? SEVERITY_CRITICAL :
		    SEVERITY_WARNING;
		out->actions |= FSM_OPEN;
	}
}

/* An up result. */
static void
fsm_good(const struct fsm_params *p, struct fsm_state *st,
    const struct fsm_input *in, struct fsm_output *out)
{
	int	recover = p->recover > 0 ? p->recover : 1;

	st->fail_streak = 0;
	st->down_streak = 0;
	st->streak_down = 0;
	st->dep_noted = 0;
	if (st->ok_streak == 0)
		st->recovery_at = (uint32_t)in->at;
	if (st->ok_streak < FSM_STREAK_MAX)
		st->ok_streak++;
	if (!st->open) {
		st->first_failure_at = 0;
		return;
	}
	/* A flapping check keeps its ticket until it settles. */
	if (st->ok_streak >= recover && !st->flapping) {
		out->actions |= FSM_RESOLVE;
		out->downtime_s = (long long)st->recovery_at -
		    (long long)st->first_failure_at;
		if (out->downtime_s < 0 || st->first_failure_at == 0)
			out->downtime_s = 0;
		out->first_failure_at = st->first_failure_at;
		st->open = 0;
		st->first_failure_at = 0;
	}
}

/* Feed one result; out says what to do with the ticket. */
void
fsm_step(const struct fsm_params *p, struct fsm_state *st,
    const struct fsm_input *in, struct fsm_output *out)
{
	memset(out, 0, sizeof *out);
	out->severity = st->severity;
	out->first_failure_at = st->first_failure_at;

	/* Not measured: no evidence either way, so nothing moves. */
	if (in->state != SW_STATE_UP && in->state != SW_STATE_DEGRADED &&
	    in->state != SW_STATE_DOWN) {
		out->flap_pct = fsm_flap_percent(st);
		return;
	}

	fsm_flap(p, st, in->state, out);
	st->last = in->state;
	if (in->state == SW_STATE_UP)
		fsm_good(p, st, in, out);
	else
		fsm_fail(p, st, in, out);

	if (out->actions & (FSM_OPEN | FSM_ESCALATE))
		out->first_failure_at = st->first_failure_at;
	out->severity = st->severity;
	out->suppress_mail = st->flapping || in->maint || in->parent_down;
}
