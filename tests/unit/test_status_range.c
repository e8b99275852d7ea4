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

/*
 * Every code of in matches the n ranges of r and none of out does; both
 * lists end with -1.
 */
static void
match(const struct status_range *r, size_t n, const int *in, const int *out)
{
	for (; *in != -1; in++)
		if (!status_ranges_match(r, n, *in))
			fail_msg("%d does not match", *in);
	for (; *out != -1; out++)
		if (status_ranges_match(r, n, *out))
			fail_msg("%d matches", *out);
}

static void
test_single_range(void **state)
{
	struct status_range	*r;

	(void)state;
	r = parse_ok("200-399", 1);
	assert_int_equal(r[0].lo, 200);
	assert_int_equal(r[0].hi, 399);
	match(r, 1, (const int[]){ 200, 301, 399, -1 },
	    (const int[]){ 199, 400, 0, -1 });
	free(r);
}

static void
test_list(void **state)
{
	struct status_range	*r;

	(void)state;
	r = parse_ok("200,301,400-404", 3);
	match(r, 3, (const int[]){ 200, 301, 400, 402, 404, -1 },
	    (const int[]){ 201, 300, 405, 500, -1 });
	free(r);

	r = parse_ok(" 204 , 100 - 599 ,", 2);
	assert_int_equal(r[0].lo, 204);
	assert_int_equal(r[0].hi, 204);
	assert_int_equal(r[1].lo, 100);
	assert_int_equal(r[1].hi, 599);
	match(r, 2, (const int[]){ 100, 599, -1 },
	    (const int[]){ 600, 99, -1 });
	free(r);

	r = parse_ok("503-503", 1);
	match(r, 1, (const int[]){ 503, -1 }, (const int[]){ 502, -1 });
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
