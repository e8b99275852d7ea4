/*
 * confirm.h -- k of n confirmation (SPEC "Several nodes, several
 * locations"), pure.
 *
 * Each location runs its own incident machine (retries, recover); what
 * it says about a check is its verdict, written to the database when it
 * changes.  An incident opens when at least `confirm` locations say the
 * check is failing, and resolves when fewer do.  Both rules are here, so
 * that they are unit-tested (tests/unit/test_confirm.c).
 */
#ifndef CONFIRM_H
#define CONFIRM_H

#include "sitewatch.h"

enum confirm_vote {
	VOTE_NONE = 0,		/* nothing written yet */
	VOTE_UP,
	VOTE_DEGRADED,
	VOTE_DOWN,
	VOTE_UNKNOWN,		/* not measured: not a vote */
};

/* "up", "degraded", "down", "unknown" ("" for VOTE_NONE). */
const char	*confirm_vote_name(enum confirm_vote);
/*
 * A location's verdict: unknown when its last result was not measured
 * (the canaries are down, the checker's own fault); else failing while
 * its machine holds the incident open (after `retries`, until
 * `recover`), down when critical, degraded when a warning.
 */
enum confirm_vote confirm_verdict(enum sw_state last_result, int fsm_open,
		    int critical);

enum confirm_action {
	CONFIRM_KEEP = 0,
	CONFIRM_OPEN,		/* open (or find) the check's ticket */
	CONFIRM_RESOLVE,	/* resolve the check's open ticket */
};
/* With failing locations counted, and whether a ticket is open. */
enum confirm_action confirm_decide(int failing, int confirm,
		    int ticket_open);

#endif
