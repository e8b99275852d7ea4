/*
 * test_ticket_db.c -- tickets, check states and schema migrations of the
 * store on a temporary SQLite file; tickets rendered by ticket_json.
 */
#include <sys/time.h>

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store.h"
#include "ticket_json.h"

struct fx {
	char			 dir[64];
	char			 path[128];
	struct store	*db;
};

static int
setup(void **state)
{
	struct fx	*fx = calloc(1, sizeof *fx);
	char		 err[256];

	snprintf(fx->dir, sizeof fx->dir, "/tmp/test_ticket_db.XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	snprintf(fx->path, sizeof fx->path, "%s/%s", fx->dir, STORE_FILE);
	if ((fx->db = store_open(fx->path, 0, err, sizeof err)) == NULL) {
		print_error("%s\n", err);
		return -1;
	}
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*fx = *state;
	char		 p[200];

	store_close(fx->db);
	snprintf(p, sizeof p, "%s-wal", fx->path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", fx->path);
	unlink(p);
	unlink(fx->path);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

/* A staff action, as the CLI and the web call it. */
static int
act(struct store *db, enum store_action a, long long id, const char *by,
    const char *text, time_t at, char *err, size_t errlen)
{
	return store_ticket_action(db, a, id, by, text, at, err, errlen);
}

/* One ticket as its JSON, through the one renderer. */
static int
get_json(struct store *db, long long id, json_t **out)
{
	struct ticket	t;
	int		rc;

	*out = NULL;
	if ((rc = store_ticket_get(db, id, &t)) == STORE_OK) {
		*out = ticket_json(&t);
		ticket_free(&t);
	}
	return rc;
}

static int
list_json(struct store *db, int all, json_t **out)
{
	struct ticket	*v;
	size_t		 n;
	int		 rc;

	*out = NULL;
	if ((rc = store_ticket_list(db, all, &v, &n)) == STORE_OK) {
		*out = ticket_json_list(v, n);
		ticket_list_free(v, n);
	}
	return rc;
}

/* Insert a ticket the way the daemon does. */
static int
insert(struct store *db, long long id, const char *check, time_t at)
{
	struct store_new_ticket	nt;
	int			rc;

	memset(&nt, 0, sizeof nt);
	nt.id = id;
	nt.check = check;
	nt.site = "Shop Ltd";
	nt.severity = "critical";
	nt.cause = "http";
	nt.summary = "shop is down: HTTP 500";
	nt.opened_at = at;
	nt.first_failure_at = at - 30;
	if (store_begin(db) == -1)
		return -1;
	rc = store_ticket_insert(db, &nt);
	if (rc == 0)
		store_commit(db);
	else
		store_rollback(db);
	return rc;
}

/* One scalar answer from a raw query (tests may peek at the schema). */
static long long
query_ll(const char *path, const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	long long	 v = -1;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static const char *
jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void
test_schema_and_migrations(void **state)
{
	struct fx		*fx = *state;
	struct store	*again;
	char			 err[256];

	assert_int_equal(store_version(fx->db), store_version_current());
	assert_int_equal(insert(fx->db, 1, "shop", 1000), 0);
	/* Re-opening (a second process, a restart) migrates nothing more. */
	again = store_open(fx->path, 0, err, sizeof err);
	assert_non_null(again);
	assert_int_equal(store_version(again), store_version_current());
	assert_int_equal(store_open_ticket_for(again, "shop"), 1);
	store_close(again);
	assert_int_equal(query_ll(fx->path, "SELECT count(*) FROM tickets"),
	    1);
	/* WAL, so the CLI can read while the daemon writes. */
	assert_int_equal(query_ll(fx->path, "SELECT journal_mode = 'wal'"
	    " FROM pragma_journal_mode"), 1);
	/* Another module's table in the same file does not disturb us. */
	assert_int_equal(query_ll(fx->path, "CREATE TABLE IF NOT EXISTS "
	    "outbox_test(x); SELECT 1"), -1);
	again = store_open(fx->path, 0, err, sizeof err);
	assert_non_null(again);
	store_close(again);
}

#ifndef DB_FIXTURES
#error DB_FIXTURES must name tests/fixtures/db
#endif

/* Run the SQL of fixture file name on db. */
static void
run_fixture(sqlite3 *db, const char *name)
{
	char	 path[512], *sql, *msg = NULL;
	FILE	*f;
	long	 len;

	snprintf(path, sizeof path, "%s/%s", DB_FIXTURES, name);
	assert_non_null(f = fopen(path, "r"));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	assert_true((len = ftell(f)) > 0);
	rewind(f);
	sql = calloc(1, (size_t)len + 1);
	assert_int_equal(fread(sql, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", name, msg);
	free(sql);
}

/*
 * Make an old file at path with the SQL of the code before the store
 * (tests/fixtures/db): version 1, with or without the mail queue.
 */
static void
make_v1(const char *path, int with_outbox)
{
	sqlite3	*db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	run_fixture(db, "v1.sql");
	if (with_outbox)
		run_fixture(db, "v1-outbox.sql");
	sqlite3_close(db);
}

/* An old file opens, migrates to the current version, keeps its rows. */
static void
test_migrate_from_v1(void **state)
{
	struct fx			*fx = *state;
	struct store			*db;
	struct store_check_state	 cs;
	struct mail_row			 m[2];
	json_t				*t;
	char				 err[256], old[200];
	int				 with_outbox;

	for (with_outbox = 0; with_outbox <= 1; with_outbox++) {
		snprintf(old, sizeof old, "%s/old%d.db", fx->dir, with_outbox);
		make_v1(old, with_outbox);
		db = store_open(old, 0, err, sizeof err);
		assert_non_null(db);
		assert_int_equal(store_version(db), store_version_current());
		assert_int_equal(get_json(db, 4, &t), STORE_OK);
		assert_string_equal(jstr(t, "summary"), "shop is slow");
		assert_true(json_is_null(json_object_get(t, "downtime_s")));
		json_decref(t);
		assert_int_equal(store_check_state_get(db, "shop", &cs),
		    STORE_OK);
		assert_int_equal(cs.ticket, 4);
		/* The new code writes on it: an ack, a mail, a ticket. */
		assert_int_equal(act(db, STORE_ACK, 4, "ayse", NULL, 1100, err,
		    sizeof err), STORE_OK);
		assert_int_equal(store_mail_count(db, "queued"), with_outbox);
		assert_true(store_mail_push(db, "a@x", "c@x", "s2", "m2",
		    1200) > 0);
		assert_int_equal(store_mail_due(db, 1300, m, 2),
		    (size_t)with_outbox + 1);
		mail_row_free(&m[0]);
		if (with_outbox)
			mail_row_free(&m[1]);
		assert_int_equal(store_ticket_max_id(db), 4);
		store_close(db);
		assert_int_equal(query_ll(old, "PRAGMA user_version"),
		    store_version_current());
		snprintf(err, sizeof err, "%s-wal", old);
		unlink(err);
		snprintf(err, sizeof err, "%s-shm", old);
		unlink(err);
		unlink(old);
	}
}

/* A read-only handle (reports) neither creates nor migrates. */
static void
test_readonly(void **state)
{
	struct fx	*fx = *state;
	struct store	*db;
	char		 err[256], old[200];

	snprintf(old, sizeof old, "%s/none.db", fx->dir);
	assert_null(store_open(old, STORE_READONLY, err, sizeof err));
	assert_int_equal(access(old, F_OK), -1);
	assert_int_equal(insert(fx->db, 1, "shop", 1000), 0);
	db = store_open(fx->path, STORE_READONLY, err, sizeof err);
	assert_non_null(db);
	assert_int_equal(store_tickets_opened(db, "shop", 1000, 1001), 1);
	assert_int_equal(store_tickets_opened(db, "shop", 1001, 2000), 0);
	store_close(db);
}

static void
test_newer_schema_refused(void **state)
{
	struct fx		*fx = *state;
	struct store	*again;
	sqlite3			*db;
	char			 err[256] = "";

	assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	again = store_open(fx->path, 0, err, sizeof err);
	assert_null(again);
	assert_non_null(strstr(err, "99"));
}

static void
test_one_open_ticket_per_check(void **state)
{
	struct fx	*fx = *state;
	char		 err[256];

	assert_int_equal(insert(fx->db, 1, "shop", 1000), 0);
	/* The schema itself refuses a second open ticket. */
	assert_int_equal(insert(fx->db, 2, "shop", 1010), -1);
	assert_int_equal(insert(fx->db, 3, "blog", 1010), 0);
	assert_int_equal(store_open_ticket_for(fx->db, "shop"), 1);
	assert_int_equal(act(fx->db, STORE_ACK, 1, "ayse", NULL, 1020, err,
	    sizeof err), STORE_OK);
	/* Acknowledged is still open. */
	assert_int_equal(insert(fx->db, 2, "shop", 1030), -1);
	assert_int_equal(act(fx->db, STORE_RESOLVE, 1, "ayse", NULL, 1040, err,
	    sizeof err), STORE_OK);
	assert_int_equal(store_open_ticket_for(fx->db, "shop"), 0);
	assert_int_equal(insert(fx->db, 2, "shop", 1050), 0);
	assert_int_equal(store_open_ticket_for(fx->db, "shop"), 2);
	assert_int_equal(store_ticket_max_id(fx->db), 3);
}

static void
test_timeline_and_actions(void **state)
{
	struct fx	*fx = *state;
	json_t		*t, *ev;
	char		 err[256];
	static const char *kinds[] = { "opened", "acknowledged", "note",
	    "reminded", "resolved" };
	size_t		 i;

	assert_int_equal(insert(fx->db, 7, "shop", 1000), 0);
	assert_int_equal(act(fx->db, STORE_ACK, 7, "ayse", "looking", 1100,
	    err, sizeof err), STORE_OK);
	assert_int_equal(act(fx->db, STORE_ACK, 7, "mehmet", NULL, 1110,
	    err, sizeof err), STORE_CONFLICT);
	assert_int_equal(act(fx->db, STORE_NOTE, 7, "ayse", "host restarted",
	    1200, err, sizeof err), STORE_OK);
	assert_int_equal(store_begin(fx->db), 0);
	assert_int_equal(store_ticket_reminded(fx->db, 7, 1250, 1250), 1);
	assert_int_equal(store_commit(fx->db), 0);
	assert_int_equal(act(fx->db, STORE_RESOLVE, 7, "ayse", NULL, 1300,
	    err, sizeof err), STORE_OK);
	assert_int_equal(act(fx->db, STORE_RESOLVE, 7, "ayse", NULL, 1310,
	    err, sizeof err), STORE_CONFLICT);
	assert_int_equal(act(fx->db, STORE_ACK, 7, "ayse", NULL, 1320,
	    err, sizeof err), STORE_CONFLICT);
	assert_non_null(strstr(err, "resolved"));
	/* A note after the fact is fine (post-mortem). */
	assert_int_equal(act(fx->db, STORE_NOTE, 7, "ayse", "root cause: disk",
	    1400, err, sizeof err), STORE_OK);
	/* The daemon's own resolve after a hand resolve changes nothing. */
	assert_int_equal(store_begin(fx->db), 0);
	assert_int_equal(store_ticket_auto_resolve(fx->db, 7, 5, "recovered",
	    1500), 0);
	assert_int_equal(store_ticket_escalate(fx->db, 7, "http", "worse",
	    1500), 0);
	assert_int_equal(store_commit(fx->db), 0);

	assert_int_equal(get_json(fx->db, 7, &t), STORE_OK);
	assert_int_equal(json_integer_value(json_object_get(t, "id")), 7);
	assert_string_equal(jstr(t, "check"), "shop");
	assert_string_equal(jstr(t, "site"), "Shop Ltd");
	assert_string_equal(jstr(t, "status"), "resolved");
	assert_string_equal(jstr(t, "severity"), "critical");
	assert_string_equal(jstr(t, "cause"), "http");
	assert_string_equal(jstr(t, "acknowledged_by"), "ayse");
	assert_string_equal(jstr(t, "opened_at"), "1970-01-01T00:16:40Z");
	assert_string_equal(jstr(t, "acknowledged_at"),
	    "1970-01-01T00:18:20Z");
	assert_string_equal(jstr(t, "resolved_at"), "1970-01-01T00:21:40Z");
	/* From the first failure (opened - 30) to the hand resolve. */
	assert_int_equal(json_integer_value(json_object_get(t, "downtime_s")),
	    330);
	assert_int_equal(json_array_size(json_object_get(t, "events")), 6);
	for (i = 0; i < 5; i++) {
		ev = json_array_get(json_object_get(t, "events"), i);
		assert_string_equal(jstr(ev, "kind"), kinds[i]);
	}
	ev = json_array_get(json_object_get(t, "events"), 0);
	assert_true(json_is_null(json_object_get(ev, "by")));
	ev = json_array_get(json_object_get(t, "events"), 1);
	assert_string_equal(jstr(ev, "by"), "ayse");
	assert_string_equal(jstr(ev, "text"), "looking");
	assert_int_equal(json_object_size(t), 13);
	json_decref(t);
}

static void
test_bad_arguments(void **state)
{
	struct fx	*fx = *state;
	json_t		*t = NULL;
	char		 err[256];

	assert_int_equal(insert(fx->db, 1, "shop", 1000), 0);
	assert_int_equal(act(fx->db, STORE_ACK, 42, "ayse", NULL, 1, err,
	    sizeof err), STORE_NOTFOUND);
	assert_int_equal(get_json(fx->db, 42, &t), STORE_NOTFOUND);
	assert_null(t);
	assert_int_equal(act(fx->db, STORE_ACK, 1, "", NULL, 1, err,
	    sizeof err), STORE_INVALID);
	assert_int_equal(act(fx->db, STORE_NOTE, 1, "ayse", "", 1, err,
	    sizeof err), STORE_INVALID);
	assert_int_equal(act(fx->db, STORE_RESOLVE, 1, NULL, NULL, 1, err,
	    sizeof err), STORE_INVALID);
	/* Nothing of the refused actions reached the timeline. */
	assert_int_equal(get_json(fx->db, 1, &t), STORE_OK);
	assert_string_equal(jstr(t, "status"), "open");
	assert_int_equal(json_array_size(json_object_get(t, "events")), 1);
	assert_true(json_is_null(json_object_get(t, "resolved_at")));
	assert_true(json_is_null(json_object_get(t, "downtime_s")));
	json_decref(t);
}

static void
test_list(void **state)
{
	struct fx	*fx = *state;
	json_t		*arr;
	char		 err[256];

	assert_int_equal(insert(fx->db, 1, "a", 1000), 0);
	assert_int_equal(insert(fx->db, 2, "b", 1000), 0);
	assert_int_equal(insert(fx->db, 3, "c", 1000), 0);
	assert_int_equal(act(fx->db, STORE_ACK, 2, "x", NULL, 1001, err,
	    sizeof err), STORE_OK);
	assert_int_equal(act(fx->db, STORE_RESOLVE, 3, "x", NULL, 1001, err,
	    sizeof err), STORE_OK);
	assert_int_equal(list_json(fx->db, 0, &arr), STORE_OK);
	/* --open: not resolved, acknowledged included, newest first. */
	assert_int_equal(json_array_size(arr), 2);
	assert_int_equal(json_integer_value(json_object_get(
	    json_array_get(arr, 0), "id")), 2);
	json_decref(arr);
	assert_int_equal(list_json(fx->db, 1, &arr), STORE_OK);
	assert_int_equal(json_array_size(arr), 3);
	json_decref(arr);
}

static void
test_check_state_roundtrip(void **state)
{
	struct fx		*fx = *state;
	struct store_check_state	 cs, got;

	memset(&cs, 0, sizeof cs);
	snprintf(cs.name, sizeof cs.name, "shop");
	cs.state = SW_STATE_DOWN;
	cs.cause = SW_CAUSE_HTTP;
	snprintf(cs.message, sizeof cs.message, "HTTP 500");
	cs.since = 900;
	cs.last_at = 1000;
	cs.last_total_ms = 12.5;
	cs.ticket = 4;
	cs.fsm_last = SW_STATE_DOWN;
	cs.fail_streak = 3;
	cs.down_streak = 3;
	cs.streak_down = 1;
	cs.first_failure_at = 880;
	cs.severity = 1;
	cs.history = 0x3ffffffffffLL;
	cs.nhistory = 21;
	assert_int_equal(store_check_state_save(fx->db, &cs), 0);
	cs.fail_streak = 4;
	assert_int_equal(store_check_state_save(fx->db, &cs), 0);
	assert_int_equal(store_check_state_get(fx->db, "shop", &got), STORE_OK);
	assert_string_equal(got.name, "shop");
	assert_int_equal(got.state, SW_STATE_DOWN);
	assert_int_equal(got.cause, SW_CAUSE_HTTP);
	assert_string_equal(got.message, "HTTP 500");
	assert_int_equal(got.since, 900);
	assert_true(got.last_total_ms == 12.5);
	assert_int_equal(got.ticket, 4);
	assert_int_equal(got.fail_streak, 4);
	assert_int_equal(got.first_failure_at, 880);
	assert_int_equal(got.severity, 1);
	assert_int_equal(got.history, 0x3ffffffffffLL);
	assert_int_equal(got.nhistory, 21);
	assert_int_equal(store_check_state_get(fx->db, "nope", &got),
	    STORE_NOTFOUND);
	assert_int_equal(query_ll(fx->path, "SELECT count(*) FROM check_state"),
	    1);
}

/* Holds the write lock for a while, like the daemon's writer batch. */
struct holder {
	const char	*path;
	int		 ready;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
};

static void *
hold_lock(void *arg)
{
	struct holder		*h = arg;
	struct store	*db;
	char			 err[256];

	db = store_open(h->path, 0, err, sizeof err);
	assert_non_null(db);
	assert_int_equal(store_begin(db), 0);
	assert_int_equal(store_event_add(db, 1, 1001, "note", NULL,
	    "from the daemon"), 0);
	pthread_mutex_lock(&h->mu);
	h->ready = 1;
	pthread_cond_signal(&h->cv);
	pthread_mutex_unlock(&h->mu);
	usleep(300 * 1000);
	assert_int_equal(store_commit(db), 0);
	store_close(db);
	return NULL;
}

static double
now_s(void)
{
	struct timeval	tv;

	gettimeofday(&tv, NULL);
	return tv.tv_sec + tv.tv_usec / 1e6;
}

/* A CLI write while another connection holds the write lock. */
static void
test_concurrent_write(void **state)
{
	struct fx	*fx = *state;
	struct holder	 h;
	pthread_t	 th;
	json_t		*t;
	char		 err[256];
	double		 t0, read_s, write_s;

	assert_int_equal(insert(fx->db, 1, "shop", 1000), 0);
	memset(&h, 0, sizeof h);
	h.path = fx->path;
	pthread_mutex_init(&h.mu, NULL);
	pthread_cond_init(&h.cv, NULL);
	assert_int_equal(pthread_create(&th, NULL, hold_lock, &h), 0);
	pthread_mutex_lock(&h.mu);
	while (!h.ready)
		pthread_cond_wait(&h.cv, &h.mu);
	pthread_mutex_unlock(&h.mu);

	/* Reading does not wait for the writer (WAL). */
	t0 = now_s();
	assert_int_equal(get_json(fx->db, 1, &t), STORE_OK);
	read_s = now_s() - t0;
	json_decref(t);
	/* Writing waits for it (busy timeout) and then succeeds. */
	t0 = now_s();
	assert_int_equal(act(fx->db, STORE_ACK, 1, "ayse", NULL, 1002, err,
	    sizeof err), STORE_OK);
	write_s = now_s() - t0;
	pthread_join(th, NULL);
	assert_true(read_s < 0.2);
	assert_true(write_s > 0.1);

	assert_int_equal(get_json(fx->db, 1, &t), STORE_OK);
	assert_string_equal(jstr(t, "status"), "acknowledged");
	/* opened, the daemon's note, then the ack: commit order. */
	assert_int_equal(json_array_size(json_object_get(t, "events")), 3);
	assert_string_equal(jstr(json_array_get(json_object_get(t, "events"),
	    2), "kind"), "acknowledged");
	json_decref(t);
	pthread_mutex_destroy(&h.mu);
	pthread_cond_destroy(&h.cv);
}

/* The daemon's view: open tickets and one ticket's status. */
static void
test_briefs(void **state)
{
	struct fx		*fx = *state;
	struct ticket_brief	*b, one;
	size_t			 n;
	char			 err[256];

	assert_int_equal(insert(fx->db, 5, "shop", 1000), 0);
	assert_int_equal(insert(fx->db, 6, "blog", 1000), 0);
	assert_int_equal(act(fx->db, STORE_ACK, 6, "x", NULL, 1001, err,
	    sizeof err), STORE_OK);
	assert_int_equal(store_open_tickets(fx->db, &b, &n), STORE_OK);
	assert_int_equal(n, 2);
	assert_int_equal(b[0].id, 5);
	assert_string_equal(b[0].status, "open");
	assert_string_equal(b[0].severity, "critical");
	assert_string_equal(b[1].status, "acknowledged");
	free(b);
	assert_int_equal(store_ticket_brief(fx->db, 6, &one), STORE_OK);
	assert_string_equal(one.check, "blog");
	assert_int_equal(store_ticket_brief(fx->db, 9, &one),
	    STORE_NOTFOUND);
}

/* Open the daemon's way: a ticket of the check's, made or found. */
static int
open_one(struct store *db, const char *check, const char *sev, time_t at,
    struct ticket_brief *b)
{
	struct store_new_ticket	nt;
	int			rc;

	memset(&nt, 0, sizeof nt);
	nt.check = check;
	nt.severity = sev;
	nt.cause = "http";
	nt.summary = "down";
	nt.opened_at = at;
	nt.first_failure_at = at - 10;
	nt.node = "alpha";
	if (store_begin(db) == -1)
		return -1;
	rc = store_ticket_open(db, &nt, b);
	if (rc == -1)
		store_rollback(db);
	else if (store_commit(db) == -1)
		return -1;
	return rc;
}

/* One write in its own transaction (the writer's batch of one). */
#define TX(db, call)	(store_begin(db) == 0 ? ((rc = (call)), \
	store_commit(db), rc) : -1)

/*
 * What several nodes rely on: the open that finds another's ticket, and
 * updates that say whether they changed anything (one node sends).
 */
static void
test_open_or_follow(void **state)
{
	struct fx		*fx = *state;
	struct ticket_brief	 b, c;
	char			 err[256];
	int			 rc;

	assert_int_equal(insert(fx->db, 4, "blog", 900), 0);
	assert_int_equal(open_one(fx->db, "shop", "warning", 1000, &b), 1);
	assert_int_equal(b.id, 5);
	assert_string_equal(b.status, "open");
	assert_int_equal(b.opened_at, 1000);
	/* A second node deciding the same: it finds ticket 5. */
	assert_int_equal(open_one(fx->db, "shop", "critical", 1002, &c), 0);
	assert_int_equal(c.id, 5);
	assert_string_equal(c.severity, "warning");
	assert_int_equal(c.opened_at, 1000);
	assert_int_equal(store_tickets_opened(fx->db, "shop", 0, 2000), 1);
	/* Not told until its mails are queued; a copied ticket is. */
	assert_string_equal(c.opened_by, "alpha");
	assert_int_equal(c.notified, 0);
	assert_int_equal(TX(fx->db, store_ticket_notified(fx->db, 5)), 0);
	assert_int_equal(store_ticket_brief(fx->db, 5, &c), STORE_OK);
	assert_int_equal(c.notified, 1);
	assert_int_equal(store_ticket_brief(fx->db, 4, &c), STORE_OK);
	assert_int_equal(c.notified, 1);
	assert_string_equal(c.opened_by, "");
	/* Escalated once; the second does nothing. */
	assert_int_equal(TX(fx->db, store_ticket_escalate(fx->db, 5, "http",
	    "worse", 1010)), 1);
	assert_int_equal(TX(fx->db, store_ticket_escalate(fx->db, 5, "http",
	    "worse", 1011)), 0);
	/* A reminder due since 1030 moves once, not again at once. */
	assert_int_equal(TX(fx->db, store_ticket_reminded(fx->db, 5, 1060,
	    1030)), 1);
	assert_int_equal(TX(fx->db, store_ticket_reminded(fx->db, 5, 1061,
	    1031)), 0);
	assert_int_equal(store_ticket_brief(fx->db, 5, &c), STORE_OK);
	assert_int_equal(c.last_reminder_at, 1060);
	/* Staff ack: the follower sees it as it finds the ticket. */
	assert_int_equal(act(fx->db, STORE_ACK, 5, "ayse", NULL, 1070, err,
	    sizeof err), STORE_OK);
	assert_int_equal(open_one(fx->db, "shop", "critical", 1071, &c), 0);
	assert_string_equal(c.status, "acknowledged");
	/* Resolved by one node; the other's resolve changes nothing. */
	assert_int_equal(TX(fx->db, store_ticket_auto_resolve(fx->db, 5, 80,
	    "recovered", 1080)), 1);
	assert_int_equal(TX(fx->db, store_ticket_auto_resolve(fx->db, 5, 81,
	    "recovered", 1081)), 0);
	assert_int_equal(TX(fx->db, store_ticket_reminded(fx->db, 5, 2000,
	    1900)), 0);
	/* The next outage is a new ticket. */
	assert_int_equal(open_one(fx->db, "shop", "critical", 1100, &c), 1);
	assert_true(c.id > 5);
	assert_int_equal(store_open_ticket_for(fx->db, "shop"), c.id);
}

/* Check that masking uri gives want, and that no secret is left. */
static void
masked(const char *uri, const char *want)
{
	char	*got;

	got = store_mask_uri(uri);
	assert_string_equal(got, want);
	assert_null(strstr(got, "s3cret"));
	free(got);
}

/* A libpq URI picks PostgreSQL; its password never reaches a message. */
static void
test_uri_masked(void **state)
{
	char	*w;

	(void)state;
	assert_true(store_is_uri("postgresql://h/db"));
	assert_true(store_is_uri("postgres://h/db"));
	assert_false(store_is_uri("/var/lib/sitewatch/sitewatch.db"));
	assert_false(store_is_uri(NULL));
	w = store_where(NULL, "/st");
	assert_string_equal(w, "/st/" STORE_FILE);
	free(w);
	w = store_where("", "/st");
	assert_string_equal(w, "/st/" STORE_FILE);
	free(w);
	w = store_where("postgresql://h/db", "/st");
	assert_string_equal(w, "postgresql://h/db");
	free(w);

	masked("postgresql://sw:s3cret@db.example:5432/sitewatch",
	    "postgresql://sw:***@db.example:5432/sitewatch");
	masked("postgresql://sw@db.example/sitewatch",
	    "postgresql://sw@db.example/sitewatch");
	masked("postgresql://db.example/sitewatch",
	    "postgresql://db.example/sitewatch");
	/* An @ in the password, written raw: the last @ ends the user. */
	masked("postgres://sw:s3cret@x@db/sw", "postgres://sw:***@db/sw");
	masked("postgresql://db/sw?password=s3cret&sslmode=require",
	    "postgresql://db/sw?password=***&sslmode=require");
	masked("postgresql://db/sw?sslmode=require&password=s3cret",
	    "postgresql://db/sw?sslmode=require&password=***");
	masked("postgresql://u:s3cret@db/sw?password=s3cret",
	    "postgresql://u:***@db/sw?password=***");
	/* "password=" inside another value is no parameter of its own. */
	masked("postgresql://db/sw?application_name=xpassword=1",
	    "postgresql://db/sw?application_name=xpassword=1");
	masked("", "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_schema_and_migrations,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_from_v1,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_one_open_ticket_per_check,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeline_and_actions,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_state_roundtrip,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_write,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_briefs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_or_follow, setup,
		    teardown),
		cmocka_unit_test(test_uri_masked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
