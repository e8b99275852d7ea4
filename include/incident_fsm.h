/*
 * incident_fsm.h -- the per-check incident state machine, pure.
 *
 * One struct fsm_state per check.  fsm_step() takes one result (its state,
 * its time, and two facts the caller knows: is the check inside a
 * maintenance window, is the check it depends on failing) and says what
 * should happen to the check's ticket: open, escalate, resolve, note
 * flapping, or note a dependent failure on the parent.  No I/O, no clock,
 * no allocation: everything it needs comes in the arguments, so the
 * transition table is unit-tested directly (tests/unit/test_incident_fsm.c).
 *
 * Rules (SPEC.md "Tickets", config keys retries/recover):
 *   - `retries` consecutive failing results (down or degraded) open a
 *     ticket: critical when one of them was down, else warning;
 *   - an open warning ticket is escalated to critical after `retries`
 *     consecutive down results (one blip does not escalate either);
 *   - `recover` consecutive up results resolve it; downtime runs from the
 *     first failing result to the first good result of the recovery;
 *   - unknown results are ignored entirely (no open, no resolve, counters
 *     and flap history untouched);
 *   - inside maintenance, or while the parent (depends) is failing,
 *     failing results do not count towards opening; good results still
 *     count, so an open ticket can resolve;
 *   - flapping (Nagios style): the weighted share of state changes among
 *     the last FSM_FLAP_WINDOW results; above flap_high percent the check
 *     starts flapping, below flap_low it stops.  While flapping an open
 *     ticket is not resolved (no open/resolve/open cycles) and the events
 *     produced carry suppress_mail.
 */
#ifndef INCIDENT_FSM_H
#define INCIDENT_FSM_H

#include <stdint.h>
#include <time.h>

#include "incident.h"
#include "sitewatch.h"

#define FSM_FLAP_WINDOW		21	/* results looked at, as in Nagios */
#define FSM_FLAP_HIGH		50.0	/* percent: flapping starts above */
#define FSM_FLAP_LOW		25.0	/* percent: flapping stops below */

struct fsm_params {
	int	retries;	/* failing results before a ticket opens */
	int	recover;	/* up results before it resolves */
	double	flap_high;	/* percent; 0 = FSM_FLAP_HIGH */
	double	flap_low;	/* percent; 0 = FSM_FLAP_LOW */
};

/*
 * Everything the machine remembers about one check (persisted field by
 * field).  One per check, so small (32 bytes): flags are bytes, times
 * unsigned epoch seconds, and the streaks stop counting at
 * FSM_STREAK_MAX (retries and recover are at most 1,000, so no decision
 * changes).
 */
#define FSM_STREAK_MAX		UINT16_MAX
struct fsm_state {
	uint64_t		history;	/* states, 2 bits, newest low */
	uint32_t		first_failure_at; /* of this incident */
	uint32_t		recovery_at;	/* first up of the ok streak */
	uint16_t		fail_streak;	/* counted failures in a row */
	uint16_t		down_streak;	/* consecutive down results */
	uint16_t		ok_streak;	/* consecutive up results */
	unsigned char		nhistory;	/* results in history */
	unsigned char		last;		/* enum sw_state: last
						   measured state */
	unsigned char		severity;	/* enum incident_severity:
						   of the open ticket */
	unsigned char		streak_down;	/* a down was in fail_streak */
	unsigned char		open;		/* a ticket is open */
	unsigned char		flapping;
	unsigned char		dep_noted;	/* noted on parent's ticket */
};

struct fsm_input {
	enum sw_state	state;
	time_t		at;
	int		maint;		/* inside a maintenance window */
	int		parent_down;	/* the depends check is failing */
	int		parent_ticket;	/* ... and has an open ticket */
};

/* What the caller must do; several may be set at once. */
#define FSM_OPEN		0x01	/* open a ticket with out.severity */
#define FSM_ESCALATE		0x02	/* warning ticket becomes critical */
#define FSM_RESOLVE		0x04	/* resolve, with out.downtime_s */
#define FSM_FLAP_START		0x08
#define FSM_FLAP_STOP		0x10
#define FSM_DEPENDENT		0x20	/* note this failure on the parent's
					   ticket (once per failure streak) */
#define FSM_HELD		0x40	/* would have opened: maint/depends */

struct fsm_output {
	unsigned		actions;
	enum incident_severity	severity;
	time_t			first_failure_at;
	long long		downtime_s;
	int			suppress_mail;
	double			flap_pct;	/* the share just computed */
};

void	fsm_init(struct fsm_state *);
/* A saved streak as the state keeps it (stopped at FSM_STREAK_MAX). */
static inline uint16_t
fsm_streak(long long n)
{
	return n <= 0 ? 0 : n >= FSM_STREAK_MAX ? FSM_STREAK_MAX : (uint16_t)n;
}
void	fsm_step(const struct fsm_params *, struct fsm_state *,
	    const struct fsm_input *, struct fsm_output *);
/*
 * The open ticket was resolved by hand while the check may still fail:
 * forget it, so that the next counted failure opens a new ticket.
 */
void	fsm_ticket_gone(struct fsm_state *);
/* Weighted percent of state changes in the history (0..100). */
double	fsm_flap_percent(const struct fsm_state *);
/* Nonzero while the check counts as failing for its dependents. */
int	fsm_failing(const struct fsm_state *);

#endif
