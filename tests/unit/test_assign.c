/*
 * test_assign.c -- rendezvous hashing of checks over nodes: even shares,
 * the same answer whatever the order the nodes are listed in, and a node
 * that leaves moves only its own checks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "assign.h"

#define NCHECKS	9000

static void
test_even_and_stable(void **state)
{
	const char	*three[] = { "alpha", "beta", "gamma" };
	const char	*other[] = { "gamma", "alpha", "beta" };
	const char	*two[] = { "alpha", "gamma" };
	size_t		 share[3] = { 0, 0, 0 }, pick[3], pick2[3], i;
	char		 name[32];
	int		 moved = 0;

	(void)state;
	for (i = 0; i < NCHECKS; i++) {
		snprintf(name, sizeof name, "site%05zu-home", i);
		assert_int_equal(assign_pick(name, three, 3, 1, pick), 1);
		share[pick[0]]++;
		/* The order of the list does not matter. */
		assign_pick(name, other, 3, 1, pick2);
		assert_string_equal(three[pick[0]], other[pick2[0]]);
		/* beta leaves: only its checks move. */
		assign_pick(name, two, 2, 1, pick2);
		if (strcmp(three[pick[0]], "beta") != 0)
			assert_string_equal(three[pick[0]], two[pick2[0]]);
		else
			moved++;
	}
	for (i = 0; i < 3; i++) {
		/* A third each, within 3 % of all checks. */
		assert_true(share[i] > NCHECKS / 3 - NCHECKS * 3 / 100);
		assert_true(share[i] < NCHECKS / 3 + NCHECKS * 3 / 100);
	}
	assert_int_equal((size_t)moved, share[1]);
}

static void
test_several_locations(void **state)
{
	const char	*nodes[] = { "a", "b", "c", "d" };
	size_t		 pick[4];

	(void)state;
	/* Two distinct nodes, the best first; 0 or more than n = all. */
	assert_int_equal(assign_pick("shop-home", nodes, 4, 2, pick), 2);
	assert_true(pick[0] != pick[1]);
	assert_int_equal(assign_pick("shop-home", nodes, 4, 0, pick), 4);
	assert_int_equal(assign_pick("shop-home", nodes, 4, 9, pick), 4);
	assert_true(pick[0] != pick[1] && pick[1] != pick[2] &&
	    pick[2] != pick[3] && pick[0] != pick[3]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_even_and_stable),
		cmocka_unit_test(test_several_locations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
