/*
 * test_locations.c -- what each location says of a check as the readers
 * show it: which rows are the check's, which count (their node beats),
 * and the partial-outage words.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "locations.h"

#define NOW	1000000

/* Rows as the database may order them (not strcmp's order). */
static struct store_location rows[] = {
	{ "web", "c", "up", NOW - 1 },
	{ "Web", "a", "down", NOW - 1 },
	{ "web", "b", "down", NOW - 2 },
	{ "web", "a", "up", NOW - 1 },
	{ "api", "a", "degraded", NOW - 100 },	/* a's node: silent */
	{ "api", "b", "up", NOW - 1 },
};

static void
set_up(struct locations *l)
{
	struct store_location	*v = rows;

	locations_sort(v, sizeof rows / sizeof rows[0]);
	l->v = v;
	l->n = sizeof rows / sizeof rows[0];
	l->fresh_after = NOW - 30;
}

static void
test_find(void **state)
{
	struct locations	l;
	size_t			first;

	(void)state;
	set_up(&l);
	assert_int_equal(locations_find(&l, "web", &first), 3);
	assert_string_equal(l.v[first].location, "a");
	assert_string_equal(l.v[first + 2].location, "c");
	assert_int_equal(locations_find(&l, "Web", &first), 1);
	assert_int_equal(locations_find(&l, "api", &first), 2);
	assert_int_equal(locations_find(&l, "none", &first), 0);
	assert_int_equal(locations_find(&l, "", &first), 0);
	l.n = 0;
	assert_int_equal(locations_find(&l, "web", &first), 0);
}

static void
test_count(void **state)
{
	struct locations	l;
	struct locations_count	k;

	(void)state;
	set_up(&l);
	locations_count(&l, "web", &k);
	assert_int_equal(k.live, 3);
	assert_int_equal(k.down, 1);
	assert_int_equal(k.degraded, 0);
	/* A silent node's verdict counts in neither figure. */
	locations_count(&l, "api", &k);
	assert_int_equal(k.live, 1);
	assert_int_equal(k.degraded, 0);
	/* Exactly node_timeout old is gone, as in the vote's count. */
	l.fresh_after = NOW - 2;
	locations_count(&l, "web", &k);
	assert_int_equal(k.live, 2);
	assert_int_equal(k.down, 0);
}

static void
test_partial(void **state)
{
	struct locations_count	k = { 3, 1, 0 };
	char			buf[64];

	(void)state;
	assert_int_equal(locations_partial(&k, 2, buf, sizeof buf), 1);
	assert_string_equal(buf, "down from 1 of 3 locations");
	/* confirm of them failing is an incident, not a partial outage. */
	assert_int_equal(locations_partial(&k, 1, buf, sizeof buf), 0);
	assert_string_equal(buf, "");
	k.down = 0;
	assert_int_equal(locations_partial(&k, 2, buf, sizeof buf), 0);
	assert_string_equal(buf, "");
	k.degraded = 1;
	assert_int_equal(locations_partial(&k, 2, buf, sizeof buf), 1);
	assert_string_equal(buf, "degraded from 1 of 3 locations");
	k.down = 1;
	assert_int_equal(locations_partial(&k, 3, buf, sizeof buf), 1);
	assert_string_equal(buf, "failing from 2 of 3 locations");
	assert_int_equal(locations_partial(&k, 2, buf, sizeof buf), 0);
	/* The others' nodes gone: one location left, and one word. */
	k.live = 1;
	k.degraded = 0;
	assert_int_equal(locations_partial(&k, 2, buf, sizeof buf), 1);
	assert_string_equal(buf, "down from 1 of 1 location");
	/* A short buffer is cut, never overrun. */
	assert_int_equal(locations_partial(&k, 2, buf, 5), 1);
	assert_string_equal(buf, "down");
}

static void
test_json(void **state)
{
	struct locations	 l;
	json_t			*o;
	char			*s;

	(void)state;
	set_up(&l);
	o = locations_json(&l, "api");
	s = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT);
	assert_string_equal(s, "{\"a\":\"gone\",\"b\":\"up\"}");
	free(s);
	json_decref(o);
	o = locations_json(&l, "none");
	assert_int_equal(json_object_size(o), 0);
	json_decref(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_partial),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
