/*
 * store_sqlite.c -- the SQLite backend of the store: connection, schema
 * and its migrations, the helpers its files share, and check states.
 *
 * DESIGN
 * One struct store wraps one connection; callers keep a handle per
 * thread.  The file is in WAL mode so readers (CLI, web) never wait for
 * the daemon's writers and the other way round; writers wait for each
 * other up to STORE_BUSY_MS.  synchronous = NORMAL except for STORE_DURABLE
 * handles (the mail queue: a queued mail is on disk before we say it is
 * queued).  "At most one open ticket per check" is enforced by the schema
 * itself (a partial UNIQUE index), not only by the daemon's bookkeeping.
 *
 * Migrations: migrations[i] takes the schema from version i to i + 1
 * (PRAGMA user_version).  They run inside one BEGIN IMMEDIATE transaction
 * that re-reads user_version first, so two processes opening a fresh file
 * at once migrate it once.  Add a version by appending to the array;
 * never edit an old entry.  Version 2 took the mail queue under the same
 * numbering: before it, outbox.c made its table with CREATE TABLE IF NOT
 * EXISTS on the side, which is why that step is IF NOT EXISTS too (a no-op
 * on a file of version 1 that already has it).  A read-only handle
 * neither creates nor migrates.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "log.h"
#include "store_sqlite.h"
#include "xmalloc.h"

static const char *migrations[] = {
	/* 0 -> 1: tickets, their timeline, and each check's state. */
	"CREATE TABLE IF NOT EXISTS tickets ("
	"  id INTEGER PRIMARY KEY,"
	"  check_name TEXT NOT NULL,"
	"  site TEXT,"
	"  severity TEXT CHECK(severity IN ('warning','critical')),"
	"  status TEXT NOT NULL DEFAULT 'open'"
	"    CHECK(status IN ('open','acknowledged','resolved')),"
	"  cause TEXT,"
	"  summary TEXT,"
	"  opened_at INTEGER,"
	"  first_failure_at INTEGER,"
	"  acknowledged_by TEXT,"
	"  acknowledged_at INTEGER,"
	"  resolved_at INTEGER,"
	"  downtime_s INTEGER,"
	"  last_reminder_at INTEGER,"
	"  flapping INTEGER NOT NULL DEFAULT 0);"
	"CREATE UNIQUE INDEX IF NOT EXISTS tickets_one_open"
	"  ON tickets(check_name) WHERE status <> 'resolved';"
	"CREATE INDEX IF NOT EXISTS tickets_check_opened"
	"  ON tickets(check_name, opened_at);"
	"CREATE TABLE IF NOT EXISTS ticket_events ("
	"  id INTEGER PRIMARY KEY,"
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id),"
	"  at INTEGER NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  \"by\" TEXT,"
	"  text TEXT);"
	"CREATE INDEX IF NOT EXISTS ticket_events_ticket"
	"  ON ticket_events(ticket_id, at, id);"
	"CREATE TABLE IF NOT EXISTS check_state ("
	"  name TEXT PRIMARY KEY,"
	"  state TEXT NOT NULL,"
	"  cause TEXT,"
	"  message TEXT,"
	"  since INTEGER,"
	"  last_at INTEGER,"
	"  last_total_ms REAL,"
	"  ticket_id INTEGER,"
	"  fsm_last TEXT,"
	"  fail_streak INTEGER NOT NULL DEFAULT 0,"
	"  down_streak INTEGER NOT NULL DEFAULT 0,"
	"  ok_streak INTEGER NOT NULL DEFAULT 0,"
	"  streak_down INTEGER NOT NULL DEFAULT 0,"
	"  first_failure_at INTEGER,"
	"  recovery_at INTEGER,"
	"  severity TEXT,"
	"  flapping INTEGER NOT NULL DEFAULT 0,"
	"  history INTEGER NOT NULL DEFAULT 0,"
	"  nhistory INTEGER NOT NULL DEFAULT 0,"
	"  dep_noted INTEGER NOT NULL DEFAULT 0);",
	/* 1 -> 2: the mail queue, one row per message and recipient. */
	"CREATE TABLE IF NOT EXISTS outbox ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" created_at INTEGER NOT NULL,"
	" sender TEXT NOT NULL,"
	" recipients TEXT NOT NULL,"
	" subject TEXT NOT NULL DEFAULT '',"
	" message TEXT NOT NULL,"
	" status TEXT NOT NULL DEFAULT 'queued'"
	"  CHECK (status IN ('queued', 'sent', 'failed')),"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" next_attempt_at INTEGER NOT NULL,"
	" sent_at INTEGER,"
	" last_error TEXT);"
	"CREATE INDEX IF NOT EXISTS outbox_due"
	" ON outbox (status, next_attempt_at);",
	/* 2 -> 3: the last result's HTTP status, for `sitewatch status`. */
	"ALTER TABLE check_state ADD COLUMN http_status INTEGER;",
	/* 3 -> 4: the daemons' heartbeats, for `sitewatch nodes`. */
	"CREATE TABLE IF NOT EXISTS nodes ("
	"  name TEXT PRIMARY KEY,"
	"  started_at INTEGER,"
	"  last_seen INTEGER NOT NULL,"
	"  checks INTEGER NOT NULL DEFAULT 0);",
	/* 4 -> 5: staff accounts (store_sqlite_users.c). */
	"CREATE TABLE users ("
	"  name TEXT PRIMARY KEY,"
	"  role TEXT NOT NULL CHECK (role IN ('staff', 'viewer')),"
	"  hash TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL);",
	/* 5 -> 6: what is sent once for good (store_claim_once). */
	"CREATE TABLE IF NOT EXISTS sent_once ("
	"  kind TEXT NOT NULL,"
	"  key TEXT NOT NULL,"
	"  sent_at INTEGER NOT NULL,"
	"  PRIMARY KEY (kind, key));",
	/* 6 -> 7: notifications share the queue, marked with a channel. */
	"ALTER TABLE outbox ADD COLUMN channel TEXT;",
	/* 7 -> 8: who follows a site's incidents (store_sqlite_subs.c). */
	"CREATE TABLE IF NOT EXISTS subscribers ("
	"  id INTEGER PRIMARY KEY,"
	"  site TEXT NOT NULL,"
	"  email TEXT NOT NULL,"
	"  token TEXT NOT NULL UNIQUE,"
	"  created_at INTEGER NOT NULL,"
	"  confirmed_at INTEGER,"
	"  UNIQUE (site, email));",
	/*
	 * 8 -> 9: which node opened a ticket, and whether its OPENED mails
	 * reached the queue (a node restarted after a crash tells again).
	 */
	"ALTER TABLE tickets ADD COLUMN opened_by TEXT;"
	"ALTER TABLE tickets ADD COLUMN notified INTEGER NOT NULL DEFAULT 1;",
};

#define SQ_VERSION	((int)(sizeof migrations / sizeof migrations[0]))

void
sq_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void
sq_warn(struct store *s)
{
	if (!s->quiet)
		log_warn("%s: %s", s->where, sqlite3_errmsg(SQ(s)));
}

int
sq_exec(struct store *s, const char *sql)
{
	char	*msg = NULL;

	if (sqlite3_exec(SQ(s), sql, NULL, NULL, &msg) != SQLITE_OK) {
		if (!s->quiet)
			log_warn("%s: %s", s->where, msg != NULL ? msg : "?");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

sqlite3_stmt *
sq_prepare(struct store *s, const char *sql)
{
	sqlite3_stmt	*st;

	if (sqlite3_prepare_v2(SQ(s), sql, -1, &st, NULL) != SQLITE_OK) {
		sq_warn(s);
		return NULL;
	}
	return st;
}

/* Step a statement that returns no rows; -1 (logged) on failure. */
static int
sq_step(struct store *s, sqlite3_stmt *st)
{
	if (sqlite3_step(st) != SQLITE_DONE) {
		sq_warn(s);
		return -1;
	}
	return 0;
}

int
sq_done(struct store *s, sqlite3_stmt *st)
{
	int	rc;

	if (st == NULL)
		return -1;
	rc = sq_step(s, st);
	sqlite3_finalize(st);
	return rc;
}

int
sq_one(struct store *s, sqlite3_stmt *st)
{
	int	rc;

	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		return STORE_OK;
	if (rc == SQLITE_DONE)
		return STORE_NOTFOUND;
	sq_warn(s);
	return STORE_ERROR;
}

void
sq_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

void
sq_bind_time(sqlite3_stmt *st, int i, time_t t)
{
	if (t == 0)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, (sqlite3_int64)t);
}

char *
sq_col_dup(sqlite3_stmt *st, int col)
{
	const char	*s = (const char *)sqlite3_column_text(st, col);

	return s != NULL ? xstrdup(s) : NULL;
}

char *
sq_col_dup0(sqlite3_stmt *st, int col)
{
	const char	*s = (const char *)sqlite3_column_text(st, col);

	return xstrdup(s != NULL ? s : "");
}

void
sq_col_copy(sqlite3_stmt *st, int col, char *dst, size_t len)
{
	const char	*s = (const char *)sqlite3_column_text(st, col);

	snprintf(dst, len, "%s", s != NULL ? s : "");
}

static const char *
sq_errmsg(struct store *s)
{
	return sqlite3_errmsg(SQ(s));
}

/*
 * True when the last failure may pass by itself (locked, disk full, I/O):
 * the caller should keep its writes and try again later.
 */
static int
sq_transient(struct store *s)
{
	switch (sqlite3_errcode(SQ(s)) & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_PROTOCOL:
		return 1;
	default:
		return 0;
	}
}

static int
sq_begin(struct store *s)
{
	return sq_exec(s, "BEGIN IMMEDIATE");
}

static int
sq_commit(struct store *s)
{
	return sq_exec(s, "COMMIT");
}

static int
sq_rollback(struct store *s)
{
	return sq_exec(s, "ROLLBACK");
}

static int
sq_version(struct store *s)
{
	sqlite3_stmt	*st;
	int		 v = -1;

	if ((st = sq_prepare(s, "PRAGMA user_version")) == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

int
store_version_current(void)
{
	return SQ_VERSION;
}

/* Bring the schema up to SQ_VERSION (see DESIGN). */
static int
sq_migrate(struct store *s, char *err, size_t errlen)
{
	char	 sql[64];
	int	 v;

	if (sq_version(s) == SQ_VERSION)
		return 0;
	if (sq_begin(s) == -1) {
		sq_err(err, errlen, "%s: %s", s->where, sq_errmsg(s));
		return -1;
	}
	if ((v = sq_version(s)) < 0 || v > SQ_VERSION) {
		sq_err(err, errlen, "%s: schema version %d is not one this "
		    "program knows (up to %d)", s->where, v, SQ_VERSION);
		sq_rollback(s);
		return -1;
	}
	for (; v < SQ_VERSION; v++) {
		if (sq_exec(s, migrations[v]) == -1) {
			sq_err(err, errlen, "%s: migration to version %d "
			    "failed: %s", s->where, v + 1, sq_errmsg(s));
			sq_rollback(s);
			return -1;
		}
	}
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", SQ_VERSION);
	if (sq_exec(s, sql) == -1 || sq_commit(s) == -1) {
		sq_err(err, errlen, "%s: %s", s->where, sq_errmsg(s));
		sq_rollback(s);
		return -1;
	}
	return 0;
}

static int
sq_open(struct store *s, char *err, size_t errlen)
{
	struct sq	*q;
	int		 oflags = SQLITE_OPEN_NOMUTEX;

	s->be = q = xcalloc(1, sizeof *q);
	oflags |= s->flags & STORE_READONLY ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(s->where, &q->db, oflags, NULL) != SQLITE_OK) {
		sq_err(err, errlen, "%s: %s", s->where, q->db != NULL ?
		    sqlite3_errmsg(q->db) : "cannot open");
		return -1;
	}
	sqlite3_busy_timeout(q->db, STORE_BUSY_MS);
	if (s->flags & STORE_READONLY)
		return 0;
	/* WAL: readers and the one writer never block each other. */
	if (sq_exec(s, "PRAGMA journal_mode = WAL") == -1 ||
	    sq_exec(s, s->flags & STORE_DURABLE ? "PRAGMA synchronous = FULL" :
	    "PRAGMA synchronous = NORMAL") == -1 ||
	    sq_exec(s, "PRAGMA foreign_keys = ON") == -1) {
		sq_err(err, errlen, "%s: %s", s->where, sq_errmsg(s));
		return -1;
	}
	return sq_migrate(s, err, errlen);
}

static void
sq_close(struct store *s)
{
	struct sq	*q = s->be;

	if (q == NULL)
		return;
	sqlite3_finalize(q->st_save_state);
	if (q->db != NULL)
		sqlite3_close(q->db);
	free(q);
	s->be = NULL;
}

/* ---- check state ---- */

/* A new column also goes in the SET list of sq_check_state_save. */
#define CS_COLS "name, state, cause, message, since, last_at, last_total_ms, " \
	"ticket_id, fsm_last, fail_streak, down_streak, ok_streak, " \
	"streak_down, first_failure_at, recovery_at, severity, flapping, " \
	"history, nhistory, dep_noted, http_status"

/* A state name column back to the enum (unknown when unreadable). */
static enum sw_state
col_state(sqlite3_stmt *st, int col)
{
	const char	*s = (const char *)sqlite3_column_text(st, col);
	int		 v;

	if (s == NULL || (v = sw_state_parse(s)) < 0)
		return SW_STATE_UNKNOWN;
	return (enum sw_state)v;
}

/* One CS_COLS row into the struct. */
static void
sq_cs_row(sqlite3_stmt *st, struct store_check_state *cs)
{
	const char	*s;
	int		 v;

	memset(cs, 0, sizeof *cs);
	sq_col_copy(st, 0, cs->name, sizeof cs->name);
	cs->state = col_state(st, 1);
	s = (const char *)sqlite3_column_text(st, 2);
	v = s != NULL ? sw_cause_parse(s) : -1;
	cs->cause = v < 0 ? SW_CAUSE_UNKNOWN : (enum sw_cause)v;
	sq_col_copy(st, 3, cs->message, sizeof cs->message);
	cs->since = (time_t)sqlite3_column_int64(st, 4);
	cs->last_at = (time_t)sqlite3_column_int64(st, 5);
	cs->last_total_ms = sqlite3_column_double(st, 6);
	cs->ticket = sqlite3_column_int64(st, 7);
	cs->fsm_last = col_state(st, 8);
	cs->fail_streak = sqlite3_column_int(st, 9);
	cs->down_streak = sqlite3_column_int(st, 10);
	cs->ok_streak = sqlite3_column_int(st, 11);
	cs->streak_down = sqlite3_column_int(st, 12);
	cs->first_failure_at = (time_t)sqlite3_column_int64(st, 13);
	cs->recovery_at = (time_t)sqlite3_column_int64(st, 14);
	s = (const char *)sqlite3_column_text(st, 15);
	cs->severity = s != NULL && strcmp(s, "critical") == 0;
	cs->flapping = sqlite3_column_int(st, 16);
	cs->history = sqlite3_column_int64(st, 17);
	cs->nhistory = sqlite3_column_int(st, 18);
	cs->dep_noted = sqlite3_column_int(st, 19);
	cs->http_status = sqlite3_column_type(st, 20) == SQLITE_NULL ? -1 :
	    sqlite3_column_int(st, 20);
}

static int
sq_check_state_get(struct store *s, const char *name,
    struct store_check_state *out)
{
	sqlite3_stmt	*st;
	int		 rc;

	st = sq_prepare(s, "SELECT " CS_COLS " FROM check_state"
	    " WHERE name = ?");
	if (st == NULL)
		return STORE_ERROR;
	sq_bind_text(st, 1, name);
	if ((rc = sq_one(s, st)) == STORE_OK)
		sq_cs_row(st, out);
	sqlite3_finalize(st);
	return rc;
}

static int
sq_check_states(struct store *s,
    int (*fn)(const struct store_check_state *, void *), void *arg)
{
	struct store_check_state	 cs;
	sqlite3_stmt		*st;
	int			 rc;

	st = sq_prepare(s, "SELECT " CS_COLS " FROM check_state"
	    " ORDER BY name");
	if (st == NULL)
		return STORE_ERROR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sq_cs_row(st, &cs);
		if (fn(&cs, arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

static int
sq_check_state_save(struct store *s,
    const struct store_check_state *cs)
{
	struct sq	*q = s->be;
	sqlite3_stmt	*st;
	int		 rc;

	if (q->st_save_state == NULL && sqlite3_prepare_v3(q->db,
	    /*
	     * An upsert changes the row where it is; INSERT OR REPLACE
	     * deleted and inserted it, and its index entry, on every save
	     * (a thousand a second at 10,000 checks every 10 s).
	     */
	    "INSERT INTO check_state (" CS_COLS
	    ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
	    " ON CONFLICT(name) DO UPDATE SET state = excluded.state,"
	    " cause = excluded.cause, message = excluded.message,"
	    " since = excluded.since, last_at = excluded.last_at,"
	    " last_total_ms = excluded.last_total_ms,"
	    " ticket_id = excluded.ticket_id, fsm_last = excluded.fsm_last,"
	    " fail_streak = excluded.fail_streak,"
	    " down_streak = excluded.down_streak,"
	    " ok_streak = excluded.ok_streak,"
	    " streak_down = excluded.streak_down,"
	    " first_failure_at = excluded.first_failure_at,"
	    " recovery_at = excluded.recovery_at,"
	    " severity = excluded.severity, flapping = excluded.flapping,"
	    " history = excluded.history, nhistory = excluded.nhistory,"
	    " dep_noted = excluded.dep_noted,"
	    " http_status = excluded.http_status", -1,
	    SQLITE_PREPARE_PERSISTENT, &q->st_save_state, NULL) != SQLITE_OK) {
		sq_warn(s);
		q->st_save_state = NULL;
		return -1;
	}
	st = q->st_save_state;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	sq_bind_text(st, 1, cs->name);
	sq_bind_text(st, 2, sw_state_name(cs->state));
	sq_bind_text(st, 3, sw_cause_name(cs->cause));
	sq_bind_text(st, 4, cs->message);
	sq_bind_time(st, 5, cs->since);
	sq_bind_time(st, 6, cs->last_at);
	sqlite3_bind_double(st, 7, cs->last_total_ms);
	if (cs->ticket != 0)
		sqlite3_bind_int64(st, 8, cs->ticket);
	else
		sqlite3_bind_null(st, 8);
	sq_bind_text(st, 9, sw_state_name(cs->fsm_last));
	sqlite3_bind_int(st, 10, cs->fail_streak);
	sqlite3_bind_int(st, 11, cs->down_streak);
	sqlite3_bind_int(st, 12, cs->ok_streak);
	sqlite3_bind_int(st, 13, cs->streak_down);
	sq_bind_time(st, 14, cs->first_failure_at);
	sq_bind_time(st, 15, cs->recovery_at);
	sq_bind_text(st, 16, cs->severity ? "critical" : "warning");
	sqlite3_bind_int(st, 17, cs->flapping);
	sqlite3_bind_int64(st, 18, cs->history);
	sqlite3_bind_int(st, 19, cs->nhistory);
	sqlite3_bind_int(st, 20, cs->dep_noted);
	if (cs->http_status >= 0)
		sqlite3_bind_int(st, 21, cs->http_status);
	else
		sqlite3_bind_null(st, 21);
	rc = sq_step(s, st);
	sqlite3_reset(st);
	return rc;
}

/* ---- nodes ---- */

static int
sq_node_beat(struct store *s, const char *name, const char *location,
    time_t started_at, time_t now, int checks)
{
	sqlite3_stmt	*st;

	(void)location;		/* one node: its files are its own */
	if ((st = sq_prepare(s, "INSERT INTO nodes (name, started_at,"
	    " last_seen, checks) VALUES (?, ?, ?, ?) ON CONFLICT(name) DO"
	    " UPDATE SET started_at = excluded.started_at,"
	    " last_seen = excluded.last_seen, checks = excluded.checks"))
	    == NULL)
		return -1;
	sq_bind_text(st, 1, name);
	sq_bind_time(st, 2, started_at);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)now);
	sqlite3_bind_int(st, 4, checks);
	return sq_done(s, st);
}

static int
sq_claim_once(struct store *s, const char *kind, const char *key,
    time_t now)
{
	sqlite3_stmt	*st;

	if ((st = sq_prepare(s, "INSERT INTO sent_once (kind, key, sent_at)"
	    " VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) == NULL)
		return -1;
	sq_bind_text(st, 1, kind);
	sq_bind_text(st, 2, key);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)now);
	if (sq_done(s, st) == -1)
		return -1;
	return sqlite3_changes(SQ(s)) == 1 ? 1 : 0;
}

static int
sq_nodes(struct store *s, struct store_node **out, size_t *n)
{
	sqlite3_stmt	*st;
	size_t		 cap = 0;
	int		 rc;

	if ((st = sq_prepare(s, "SELECT name, started_at, last_seen, checks"
	    " FROM nodes ORDER BY name")) == NULL)
		return STORE_ERROR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			*out = xreallocarray(*out, cap, sizeof **out);
		}
		memset(&(*out)[*n], 0, sizeof **out);
		sq_col_copy(st, 0, (*out)[*n].name, sizeof (*out)[*n].name);
		(*out)[*n].started_at = (time_t)sqlite3_column_int64(st, 1);
		(*out)[*n].last_seen = (time_t)sqlite3_column_int64(st, 2);
		(*out)[*n].checks = sqlite3_column_int(st, 3);
		(*n)++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		sq_warn(s);
		return STORE_ERROR;
	}
	return STORE_OK;
}

const struct store_ops store_sqlite_ops = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.errmsg = sq_errmsg,
	.transient = sq_transient,
	.version = sq_version,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.ticket_get = sq_ticket_get,
	.ticket_list = sq_ticket_list,
	.open_ticket_for = sq_open_ticket_for,
	.tickets_opened = sq_tickets_opened,
	.ticket_ids = sq_ticket_ids,
	.sub_add = sq_sub_add,
	.sub_confirm = sq_sub_confirm,
	.sub_remove = sq_sub_remove,
	.sub_list = sq_sub_list,
	.sub_forget = sq_sub_forget,
	.ticket_action = sq_ticket_action,
	.ticket_max_id = sq_ticket_max_id,
	.ticket_insert = sq_ticket_insert,
	.ticket_open = sq_ticket_open,
	.ticket_notified = sq_ticket_notified,
	.ticket_escalate = sq_ticket_escalate,
	.ticket_auto_resolve = sq_ticket_auto_resolve,
	.ticket_reminded = sq_ticket_reminded,
	.ticket_flapping = sq_ticket_flapping,
	.event_add = sq_event_add,
	.open_tickets = sq_open_tickets,
	.ticket_brief = sq_ticket_brief,
	.check_state_get = sq_check_state_get,
	.check_states = sq_check_states,
	.check_state_save = sq_check_state_save,
	.mail_push = sq_mail_push,
	.mail_due = sq_mail_due,
	.mail_next_due = sq_mail_next_due,
	.mail_attempts = sq_mail_attempts,
	.mail_done = sq_mail_done,
	.mail_reschedule = sq_mail_reschedule,
	.mail_count = sq_mail_count,
	.mail_list = sq_mail_list,
	.mail_walk = sq_mail_walk,
	.node_beat = sq_node_beat,
	.claim_once = sq_claim_once,
	.nodes = sq_nodes,
	.user_add = sq_user_add,
	.user_del = sq_user_del,
	.user_get = sq_user_get,
	.users = sq_users,
};
