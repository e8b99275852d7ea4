/*
 * test_status_range.c -- expect_status parsing and matching.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"

/* Parse s, expecting success with n ranges. */
static struct status_range *
parse_ok(const char *s, size_t want_n)
{
	struct status_range	*r;
	size_t			 n;
	char			 err[256] = "";

	if (status_ranges_parse(s, &r, &n, err, sizeof err) != 0)
		print_error("\"%s\": %s\n", s, err);
	assert_int_equal(n, want_n);
	assert_non_null(r);
	return r;
}

/* Parse s, expecting failure with exactly the message want. */
static void
parse_bad(const char *s, const char *want)
{
	struct status_range	*r = (struct status_range *)&r;
	size_t			 n = 99;
	char			 err[256] = "";

	assert_int_equal(status_ranges_parse(s, &r, &n, err, sizeof err), -1);
	assert_null(r);
	assert_int_equal(n, 0);
	assert_string_equal(err, want);
}

static void
test_single_range(void **state)
{
	struct status_range	*r;

	(void)state;
	r = parse_ok("200-399", 1);
	assert_int_equal(r[0].lo, 200);
	assert_int_equal(r[0].hi, 399);
	assert_true(status_ranges_match(r, 1, 200));
	assert_true(status_ranges_match(r, 1, 301));
	assert_true(status_ranges_match(r, 1, 399));
	assert_false(status_ranges_match(r, 1, 199));
	assert_false(status_ranges_match(r, 1, 400));
	assert_false(status_ranges_match(r, 1, 0));
	free(r);
}

static void
test_list(void **state)
{
	struct status_range	*r;

	(void)state;
	r = parse_ok("200,301,400-404", 3);
	assert_true(status_ranges_match(r, 3, 200));
	assert_true(status_ranges_match(r, 3, 301));
	assert_true(status_ranges_match(r, 3, 400));
	assert_true(status_ranges_match(r, 3, 402));
	assert_true(status_ranges_match(r, 3, 404));
	assert_false(status_ranges_match(r, 3, 201));
	assert_false(status_ranges_match(r, 3, 300));
	assert_false(status_ranges_match(r, 3, 405));
	assert_false(status_ranges_match(r, 3, 500));
	free(r);

	r = parse_ok(" 204 , 100 - 599 ,", 2);
	assert_int_equal(r[0].lo, 204);
	assert_int_equal(r[0].hi, 204);
	assert_int_equal(r[1].lo, 100);
	assert_int_equal(r[1].hi, 599);
	assert_true(status_ranges_match(r, 2, 100));
	assert_true(status_ranges_match(r, 2, 599));
	assert_false(status_ranges_match(r, 2, 600));
	assert_false(status_ranges_match(r, 2, 99));
	free(r);

	r = parse_ok("503-503", 1);
	assert_true(status_ranges_match(r, 1, 503));
	assert_false(status_ranges_match(r, 1, 502));
	free(r);

	/* No ranges at all matches nothing. */
	assert_false(status_ranges_match(NULL, 0, 200));
}

static void
test_bad(void **state)
{
	(void)state;
	parse_bad("", "no status code");
	parse_bad(" , ,", "no status code");
	parse_bad("abc", "\"abc\" is not a status code");
	parse_bad("2xx", "\"2xx\" is not a status code");
	parse_bad("200,abc", "\"abc\" is not a status code");
	parse_bad("99", "99 is not a status code (100..599)");
	parse_bad("600", "600 is not a status code (100..599)");
	parse_bad("200-600", "600 is not a status code (100..599)");
	parse_bad("0-200", "0 is not a status code (100..599)");
	parse_bad("404-400", "range 404-400 is backwards");
	parse_bad("200-", "\"200-\" is not a status code or range");
	parse_bad("-200", "\"-200\" is not a status code or range");
	parse_bad("200-300-400", "\"200-300-400\" is not a status code or "
	    "range");
	parse_bad("20 0", "\"20 0\" is not a status code");
	parse_bad("99999999999999999999", "\"99999999999999999999\" is not "
	    "a status code");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_range),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
