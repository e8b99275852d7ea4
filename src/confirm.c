/*
 * confirm.c -- k of n confirmation rules (see confirm.h).
 */
#include "confirm.h"

const char *
confirm_vote_name(enum confirm_vote v)
{
	switch (v) {
	case VOTE_UP:
		return "up";
	case VOTE_DEGRADED:
		return "degraded";
	case VOTE_DOWN:
		return "down";
	case VOTE_UNKNOWN:
		return "unknown";
	default:
		return "";
	}
}

enum confirm_vote
confirm_verdict(enum sw_state last_result, int fsm_open, int critical)
{
	if (last_result != SW_STATE_UP && last_result != SW_STATE_DOWN &&
	    last_result != SW_STATE_DEGRADED)
		return VOTE_UNKNOWN;
	if (!fsm_open)
		return VOTE_UP;
	return critical ? VOTE_DOWN : VOTE_DEGRADED;
}

enum confirm_action
confirm_decide(int failing, int confirm, int ticket_open)
{
	if (confirm < 1)
		confirm = 1;
	if (failing >= confirm)
		return ticket_open ? CONFIRM_KEEP : CONFIRM_OPEN;
	return ticket_open ? CONFIRM_RESOLVE : CONFIRM_KEEP;
}
