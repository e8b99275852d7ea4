/*
 * test_subscribers.c -- the subscribers' rows in the store (SQLite) and
 * the addresses the form accepts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "store.h"
#include "ticket_update.h"

static void
test_email_ok(void **state)
{
	(void)state;
	assert_true(subscribe_email_ok("visitor@example.org"));
	assert_true(subscribe_email_ok("a.b+tag@mail.example.co"));
	assert_false(subscribe_email_ok(NULL));
	assert_false(subscribe_email_ok(""));
	assert_false(subscribe_email_ok("a@b"));
	assert_false(subscribe_email_ok("@example.org"));
	assert_false(subscribe_email_ok("a@@example.org"));
	assert_false(subscribe_email_ok("a@example..org"));
	assert_false(subscribe_email_ok(".a@example.org"));
	assert_false(subscribe_email_ok("a b@example.org"));
	assert_false(subscribe_email_ok("a@example.org\r\nBcc: x@y.org"));
	assert_false(subscribe_email_ok("a@example.org, b@example.org"));
	assert_false(subscribe_email_ok("<a@example.org>"));
	assert_false(subscribe_email_ok("\"a\"@example.org"));
	assert_false(subscribe_email_ok("a@exa_mple.org"));
	assert_false(subscribe_email_ok("ä@example.org"));
}

static void
test_rows(void **state)
{
	struct store		*db;
	struct subscriber	*v, row;
	char			 dir[] = "/tmp/sw-subs.XXXXXX", path[64];
	char			 err[256];
	size_t			 n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/sitewatch.db", dir);
	db = store_open(path, 0, err, sizeof err);
	assert_non_null(db);

	assert_int_equal(store_sub_add(db, "shop", "v@example.org", "t1",
	    1000, 0), STORE_OK);
	/* Asked again within the wait (asked after 500): too soon. */
	assert_int_equal(store_sub_add(db, "shop", "v@example.org", "t2",
	    1100, 500), STORE_CONFLICT);
	/* After it: a fresh token, the old one is gone. */
	assert_int_equal(store_sub_add(db, "shop", "v@example.org", "t3",
	    2000, 1400), STORE_OK);
	assert_int_equal(store_sub_confirm(db, "t1", 2100, NULL),
	    STORE_NOTFOUND);
	assert_int_equal(store_sub_list(db, "shop", &v, &n), STORE_OK);
	assert_int_equal(n, 0);			/* none confirmed yet */
	free(v);
	assert_int_equal(store_sub_confirm(db, "t3", 2100, &row), STORE_OK);
	assert_string_equal(row.site, "shop");
	assert_string_equal(row.email, "v@example.org");
	assert_int_equal(row.confirmed_at, 2100);
	subscriber_free(&row);
	/* Confirmed: asking again changes nothing. */
	assert_int_equal(store_sub_add(db, "shop", "v@example.org", "t4",
	    9000, 8000), STORE_INVALID);
	/* Another site, another address; one left unconfirmed. */
	assert_int_equal(store_sub_add(db, "blog", "v@example.org", "t5",
	    3000, 0), STORE_OK);
	assert_int_equal(store_sub_add(db, "shop", "late@example.org", "t6",
	    3000, 0), STORE_OK);
	assert_int_equal(store_sub_list(db, "shop", &v, &n), STORE_OK);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].token, "t3");
	subscriber_free(&v[0]);
	free(v);
	/* Forget what was not confirmed by 3001: t5 and t6. */
	assert_int_equal(store_sub_forget(db, 3001), 2);
	assert_int_equal(store_sub_confirm(db, "t6", 3100, NULL),
	    STORE_NOTFOUND);
	assert_int_equal(store_sub_remove(db, "t3", &row), STORE_OK);
	assert_string_equal(row.email, "v@example.org");
	subscriber_free(&row);
	assert_int_equal(store_sub_remove(db, "t3", NULL), STORE_NOTFOUND);
	assert_int_equal(store_sub_list(db, "shop", &v, &n), STORE_OK);
	assert_int_equal(n, 0);
	free(v);
	store_close(db);
	unlink(path);
	snprintf(path, sizeof path, "%s/sitewatch.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/sitewatch.db-shm", dir);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_email_ok),
		cmocka_unit_test(test_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
