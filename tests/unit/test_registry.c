/*
 * test_registry.c -- names to ids: stable across reloads, never reused,
 * and the per-id slots modules grow.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "registry.h"
#include "xmalloc.h"

/* A config with just the named checks (all a registry reads). */
static struct config *
cfg_of(const char *const *names, size_t n)
{
	struct config	*cfg;
	size_t		 i;

	cfg = xcalloc(1, sizeof *cfg);
	cfg->checks = xcalloc(n + 1, sizeof *cfg->checks);
	for (i = 0; i < n; i++) {
		cfg->checks[i] = xcalloc(1, sizeof *cfg->checks[i]);
		cfg->checks[i]->name = xstrdup(names[i]);
	}
	cfg->nchecks = n;
	return cfg;
}

static void
cfg_drop(struct config *cfg)
{
	size_t	i;

	for (i = 0; i < cfg->nchecks; i++) {
		free(cfg->checks[i]->name);
		free(cfg->checks[i]);
	}
	free(cfg->checks);
	free(cfg);
}

static void
test_reload_keeps_ids(void **state)
{
	static const char *const one[] = { "shop", "blog", "api" };
	static const char *const two[] = { "api", "new", "shop" };
	struct registry	*r = registry_new();
	struct config	*a = cfg_of(one, 3), *b = cfg_of(two, 3);

	(void)state;
	registry_bind(r, a);
	assert_int_equal(a->checks[0]->id, 0);
	assert_int_equal(a->checks[1]->id, 1);
	assert_int_equal(a->checks[2]->id, 2);
	assert_ptr_equal(registry_check(r, "blog"), a->checks[1]);

	registry_bind(r, b);
	/* Kept names keep their ids whatever their order; blog's is not
	 * reused by the newcomer. */
	assert_int_equal(b->checks[0]->id, 2);
	assert_int_equal(b->checks[1]->id, 3);
	assert_int_equal(b->checks[2]->id, 0);
	assert_int_equal(registry_size(r), 4);
	assert_null(registry_conf(r, 1));
	assert_string_equal(registry_name(r, 1), "blog");
	assert_int_equal(registry_find(r, "blog"), 1);
	assert_null(registry_check(r, "blog"));
	assert_int_equal(registry_find(r, "nope"), REGISTRY_NONE);
	assert_null(registry_check(r, "nope"));

	/* Back in the config: its old id. */
	registry_bind(r, a);
	assert_int_equal(a->checks[1]->id, 1);
	assert_ptr_equal(registry_conf(r, 1), a->checks[1]);
	assert_null(registry_conf(r, 3));
	cfg_drop(a);
	cfg_drop(b);
	registry_free(r);
}

static void
test_intern_and_growth(void **state)
{
	struct registry	*r = registry_new();
	char		 name[32];
	unsigned	 i;

	(void)state;
	/* Past the first table size: every name still found. */
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof name, "check-%u", i);
		assert_int_equal(registry_intern(r, name), i);
	}
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof name, "check-%u", i);
		assert_int_equal(registry_find(r, name), i);
		assert_int_equal(registry_intern(r, name), i);
	}
	assert_int_equal(registry_size(r), 1000);
	registry_free(r);
}

static void
test_slots(void **state)
{
	int	*a = NULL;
	size_t	 n = 0, i;

	(void)state;
	a = registry_slots(a, &n, 3, sizeof *a);
	assert_true(n > 3);
	a[3] = 7;
	a = registry_slots(a, &n, 500, sizeof *a);
	assert_true(n > 500);
	assert_int_equal(a[3], 7);
	for (i = 4; i < n; i++)
		assert_int_equal(a[i], 0);
	free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reload_keeps_ids),
		cmocka_unit_test(test_intern_and_growth),
		cmocka_unit_test(test_slots),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
