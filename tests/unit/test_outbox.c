/*
 * test_outbox.c -- the store's mail queue on a temporary SQLite file:
 * due order, backoff, give-up, sent/failed never due again, persistence.
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
#include "xmalloc.h"

#define T0	1795000000

struct fixture {
	char		 dir[64];
	char		*db;
};

static int
setup(void **state)
{
	struct fixture	*f = xcalloc(1, sizeof *f);

	strcpy(f->dir, "/tmp/sw-outbox-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	xasprintf(&f->db, "%s/sitewatch.db", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;
	char		*p;

	xasprintf(&p, "rm -rf '%s'", f->dir);
	if (system(p) != 0)
		return -1;
	free(p);
	free(f->db);
	free(f);
	return 0;
}

static struct store *
open_ob(struct fixture *f)
{
	struct store	*ob;
	char		 err[256];

	ob = store_open(f->db, STORE_DURABLE, err, sizeof err);
	if (ob == NULL)
		fail_msg("%s", err);
	return ob;
}

static size_t
count_due(struct store *ob, time_t now)
{
	struct mail_row	m[8];
	size_t			n, i;

	n = store_mail_due(ob, now, m, 8);
	for (i = 0; i < n; i++)
		mail_row_free(&m[i]);
	return n;
}

static void
test_backoff(void **state)
{
	struct fixture	*f = *state;
	struct store	*ob = open_ob(f);

	assert_int_equal(store_mail_backoff(ob, 1), 30);
	assert_int_equal(store_mail_backoff(ob, 2), 60);
	assert_int_equal(store_mail_backoff(ob, 3), 120);
	assert_int_equal(store_mail_backoff(ob, 7), 1920);
	assert_int_equal(store_mail_backoff(ob, 8), 3600);
	assert_int_equal(store_mail_backoff(ob, 500), 3600);
	store_close(ob);

	ob = open_ob(f);
	store_set_mail_backoff(ob, 1, 4);
	assert_int_equal(store_mail_backoff(ob, 1), 1);
	assert_int_equal(store_mail_backoff(ob, 3), 4);
	assert_int_equal(store_mail_backoff(ob, 9), 4);
	/* A longest wait below the first is the first. */
	store_set_mail_backoff(ob, 9, 2);
	assert_int_equal(store_mail_backoff(ob, 1), 9);
	assert_int_equal(store_mail_backoff(ob, 5), 9);
	store_close(ob);
}

static void
test_queue_cycle(void **state)
{
	struct fixture		*f = *state;
	struct store		*ob = open_ob(f);
	struct mail_row	 m[4];
	struct mail_row	 rows[4];
	long long		 a, b;
	time_t			 when;

	assert_int_equal(store_mail_next_due(ob, &when), 0);
	a = store_mail_push(ob, "s@example.com", "one@example.com", "Konu ş",
	    "Subject: x\r\n\r\nbody\r\n", T0);
	b = store_mail_push(ob, "s@example.com", "two@example.com", "s2", "m2",
	    T0 + 1);
	assert_true(a > 0 && b > a);
	assert_int_equal(store_mail_next_due(ob, &when), 1);
	assert_int_equal(when, T0);
	/* Not due before it was queued; oldest first once due. */
	assert_int_equal(count_due(ob, T0 - 1), 0);
	assert_int_equal(store_mail_due(ob, T0 + 5, m, 4), 2);
	assert_int_equal(m[0].id, a);
	assert_string_equal(m[0].rcpt, "one@example.com");
	assert_string_equal(m[0].message, "Subject: x\r\n\r\nbody\r\n");
	assert_int_equal(m[1].id, b);
	mail_row_free(&m[0]);
	mail_row_free(&m[1]);

	/* a: temporary failure, waits 30 s, then 60 s. */
	assert_int_equal(store_mail_retry(ob, a, T0 + 10, "421 try later"), 0);
	assert_int_equal(count_due(ob, T0 + 39), 1);	/* b only */
	assert_int_equal(count_due(ob, T0 + 40), 2);
	assert_int_equal(store_mail_retry(ob, a, T0 + 40, "421 again"), 0);
	assert_int_equal(store_mail_next_due(ob, &when), 1);
	assert_int_equal(when, T0 + 1);			/* b still due */
	/* b: permanent failure, never due again. */
	assert_int_equal(store_mail_failed(ob, b, T0 + 41, "550 no such user"), 0);
	assert_int_equal(count_due(ob, T0 + 99), 0);
	assert_int_equal(store_mail_next_due(ob, &when), 1);
	assert_int_equal(when, T0 + 100);
	assert_int_equal(count_due(ob, T0 + 100), 1);
	/* a: sent, never due again; the queue is empty. */
	assert_int_equal(store_mail_sent(ob, a, T0 + 100, "250 ok"), 0);
	assert_int_equal(count_due(ob, T0 + 100000), 0);
	assert_int_equal(store_mail_next_due(ob, &when), 0);

	assert_int_equal(store_mail_list(ob, NULL, rows, 4), 2);
	assert_int_equal(rows[0].id, b);
	assert_string_equal(rows[0].status, "failed");
	assert_string_equal(rows[0].last_error, "550 no such user");
	assert_int_equal(rows[0].attempts, 1);
	assert_string_equal(rows[1].status, "sent");
	assert_string_equal(rows[1].subject, "Konu ş");
	assert_int_equal(rows[1].attempts, 3);
	mail_row_free(&rows[0]);
	mail_row_free(&rows[1]);
	assert_int_equal(store_mail_list(ob, "failed", rows, 4), 1);
	mail_row_free(&rows[0]);
	store_close(ob);
}

/* Temporary failures do not go on for ever. */
static void
test_give_up(void **state)
{
	struct fixture		*f = *state;
	struct store		*ob = open_ob(f);
	struct mail_row	 row;
	long long		 id;

	id = store_mail_push(ob, "s@x", "r@x", "s", "m", T0);
	assert_int_equal(store_mail_retry(ob, id, T0 + 60, "421"), 0);
	assert_int_equal(count_due(ob, T0 + 200), 1);
	assert_int_equal(store_mail_retry(ob, id, T0 + STORE_MAIL_GIVE_UP_S, "421 x"),
	    0);
	assert_int_equal(count_due(ob, T0 + 10 * STORE_MAIL_GIVE_UP_S), 0);
	assert_int_equal(store_mail_list(ob, "failed", &row, 1), 1);
	assert_string_equal(row.last_error, "gave up after 2 attempts: 421 x");
	mail_row_free(&row);
	store_close(ob);
}

/* A restart finds the queue as it was left. */
static void
test_persistence(void **state)
{
	struct fixture		*f = *state;
	struct store		*ob = open_ob(f);
	struct mail_row	 m;
	long long		 id;

	id = store_mail_push(ob, "s@x", "r@x", "s", "kept", T0);
	store_close(ob);
	ob = open_ob(f);
	assert_int_equal(store_mail_due(ob, T0, &m, 1), 1);
	assert_int_equal(m.id, id);
	assert_string_equal(m.message, "kept");
	mail_row_free(&m);
	store_close(ob);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_backoff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_cycle, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_give_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_persistence, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
