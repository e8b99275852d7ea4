/*
 * test_support_report.c -- the support timings: median and nearest-rank
 * percentile, and who is counted where.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <string.h>

#include <cmocka.h>

#include "store.h"
#include "support_report.h"

static void
test_median_percentile(void **state)
{
	double	a[] = { 50, 10, 30, 20, 40 };
	double	b[] = { 7, 1 };
	double	c[10];
	int	i;

	(void)state;
	assert_true(isnan(support_median(a, 0)));
	assert_true(isnan(support_percentile(a, 0, 90)));
	assert_true(support_median(a, 5) == 30);
	assert_true(support_median(b, 2) == 4);	/* mean of the middle two */
	for (i = 0; i < 10; i++)
		c[i] = 10 - i;			/* 10 .. 1 */
	assert_true(support_percentile(c, 10, 90) == 9);
	assert_true(support_percentile(c, 10, 100) == 10);
	assert_true(support_percentile(c, 1, 90) == 1);
}

static void
test_rows(void **state)
{
	struct ticket_event	e1[] = {
		{ 100, "opened", NULL, "down" },
		{ 130, "acknowledged", "ann", NULL },
		{ 140, "note", "bo", "x" },
		{ 160, "note", "ann", "y" },
	};
	struct ticket_event	e2[] = {
		{ 1000, "opened", NULL, "down" },
		{ 1090, "acknowledged", "ann", NULL },
	};
	struct ticket		t[2];
	struct support_row	*r;
	size_t			 n;

	(void)state;
	memset(t, 0, sizeof t);
	t[0].site = "Shop";
	t[0].opened_at = 100;
	t[0].acknowledged_by = "ann";
	t[0].acknowledged_at = 130;
	t[0].resolved_at = 400;
	t[0].events = e1;
	t[0].nevents = 4;
	t[1].site = "Shop";
	t[1].opened_at = 1000;
	t[1].acknowledged_by = "ann";
	t[1].acknowledged_at = 1090;
	t[1].events = e2;
	t[1].nevents = 2;
	r = support_rows(t, 2, &n);
	assert_int_equal(n, 3);			/* ann, bo, then Shop */
	assert_string_equal(r[0].by, "ann");
	assert_int_equal(r[0].tickets, 2);	/* once a ticket */
	assert_int_equal(r[0].acknowledged, 2);
	assert_true(r[0].mtta_s == 60);		/* (30 + 90) / 2 */
	assert_true(r[0].p90_tta_s == 90);
	assert_true(r[0].mttr_s == 300);	/* only the resolved one */
	assert_string_equal(r[1].by, "bo");
	assert_int_equal(r[1].tickets, 1);
	assert_int_equal(r[1].acknowledged, 0);
	assert_true(isnan(r[1].mtta_s));
	assert_null(r[2].by);
	assert_string_equal(r[2].site, "Shop");
	assert_int_equal(r[2].tickets, 2);
	assert_true(r[2].mtta_s == 60);
	support_rows_free(r, n);

	r = support_rows(NULL, 0, &n);
	assert_int_equal(n, 0);
	support_rows_free(r, n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_median_percentile),
		cmocka_unit_test(test_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
