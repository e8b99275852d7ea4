/*
 * test_confirm.c -- k of n confirmation: what a location says, and when
 * the count of failing locations opens or resolves the incident.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "confirm.h"

static void
test_verdict(void **state)
{
	(void)state;
	/* Not measured (canaries down, own fault): not a vote. */
	assert_int_equal(confirm_verdict(SW_STATE_UNKNOWN, 1, 1),
	    VOTE_UNKNOWN);
	assert_int_equal(confirm_verdict(SW_STATE_UNKNOWN, 0, 0),
	    VOTE_UNKNOWN);
	/* Failing results not yet past `retries`: still up. */
	assert_int_equal(confirm_verdict(SW_STATE_DOWN, 0, 1), VOTE_UP);
	assert_int_equal(confirm_verdict(SW_STATE_DOWN, 1, 1), VOTE_DOWN);
	assert_int_equal(confirm_verdict(SW_STATE_DEGRADED, 1, 0),
	    VOTE_DEGRADED);
	/* Up results not yet past `recover`: still failing. */
	assert_int_equal(confirm_verdict(SW_STATE_UP, 1, 1), VOTE_DOWN);
	assert_int_equal(confirm_verdict(SW_STATE_UP, 0, 0), VOTE_UP);
	assert_string_equal(confirm_vote_name(VOTE_DOWN), "down");
	assert_string_equal(confirm_vote_name(VOTE_UNKNOWN), "unknown");
}

static void
test_decide(void **state)
{
	(void)state;
	/* Two of three must see it: one is not enough. */
	assert_int_equal(confirm_decide(1, 2, 0), CONFIRM_KEEP);
	assert_int_equal(confirm_decide(2, 2, 0), CONFIRM_OPEN);
	assert_int_equal(confirm_decide(3, 2, 0), CONFIRM_OPEN);
	/* Open already: nothing more to do while enough fail. */
	assert_int_equal(confirm_decide(2, 2, 1), CONFIRM_KEEP);
	/* Fewer than confirm: resolve, once. */
	assert_int_equal(confirm_decide(1, 2, 1), CONFIRM_RESOLVE);
	assert_int_equal(confirm_decide(0, 2, 1), CONFIRM_RESOLVE);
	assert_int_equal(confirm_decide(0, 2, 0), CONFIRM_KEEP);
	/* confirm 1 (or unset): the first failing location is enough. */
	assert_int_equal(confirm_decide(1, 1, 0), CONFIRM_OPEN);
	assert_int_equal(confirm_decide(1, 0, 0), CONFIRM_OPEN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdict),
		cmocka_unit_test(test_decide),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
