/*
 * ticket_db.c -- tickets, timelines and persisted check state in SQLite.
 *
 * DESIGN
 * The only file with SQL for tickets.  One struct ticket_db wraps one
 * connection; callers keep a handle per thread.  The file is in WAL mode
 * so readers (CLI, web) never wait for the daemon's writer and the other
 * way round; writers wait for each other up to TICKET_DB_BUSY_MS.  Staff
 * actions run as BEGIN IMMEDIATE transactions that read the status and
 * change it in one step, so two people acking at once cannot both win.
 * "At most one open ticket per check" is enforced by the schema itself
 * (a partial UNIQUE index), not only by the daemon's bookkeeping.
 *
 * Migrations: migrations[i] takes the schema from version i to i + 1.
 * They run inside one BEGIN IMMEDIATE transaction that re-reads
 * user_version first, so two processes opening a fresh file at once
 * migrate it once.  Add a version by appending to the array; never edit
 * an old entry.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "log.h"
#include "ticket_db.h"
#include "util.h"
#include "xmalloc.h"

#define TDB_BY_MAX	128	/* bytes of a staff name */
#define TDB_TEXT_MAX	4096	/* bytes of a note */

struct ticket_db {
	sqlite3		*db;
	char		*path;
	int		 quiet;	/* the caller reports failures itself */
	/* Kept prepared: the daemon saves check states all day long. */
	sqlite3_stmt	*st_save_state;
};

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
};

/* Copy a formatted message into err when there is room for one. */
static void
tdb_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

const char *
ticket_db_errmsg(struct ticket_db *t)
{
	return sqlite3_errmsg(t->db);
}

/*
 * True when the last failure may pass by itself (locked, disk full, I/O):
 * the caller should keep its writes and try again later.
 */
int
ticket_db_transient(struct ticket_db *t)
{
	switch (sqlite3_errcode(t->db) & 0xff) {
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

/* Stop (on) or resume (0) logging each failed statement. */
void
ticket_db_set_quiet(struct ticket_db *t, int on)
{
	t->quiet = on;
}

/* Run SQL without results; logs and returns -1 on failure. */
static int
tdb_exec(struct ticket_db *t, const char *sql)
{
	char	*msg = NULL;

	if (sqlite3_exec(t->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		if (!t->quiet)
			log_warn("%s: %s", t->path, msg != NULL ? msg : "?");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* Prepare one statement; NULL (and a log line) on failure. */
static sqlite3_stmt *
tdb_prepare(struct ticket_db *t, const char *sql)
{
	sqlite3_stmt	*st;

	if (sqlite3_prepare_v2(t->db, sql, -1, &st, NULL) != SQLITE_OK) {
		if (!t->quiet)
			log_warn("%s: %s", t->path, sqlite3_errmsg(t->db));
		return NULL;
	}
	return st;
}

/* Bind text, or NULL for a NULL pointer. */
static void
bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

/* Bind a time, or NULL for 0 (never happened). */
static void
bind_time(sqlite3_stmt *st, int i, time_t t)
{
	if (t == 0)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, (sqlite3_int64)t);
}

/* Step a statement that returns no rows, then finalize it. */
static int
tdb_done(struct ticket_db *t, sqlite3_stmt *st)
{
	int	rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		if (!t->quiet)
			log_warn("%s: %s", t->path, sqlite3_errmsg(t->db));
		return -1;
	}
	return 0;
}

int
ticket_db_begin(struct ticket_db *t)
{
	return tdb_exec(t, "BEGIN IMMEDIATE");
}

int
ticket_db_commit(struct ticket_db *t)
{
	return tdb_exec(t, "COMMIT");
}

int
ticket_db_rollback(struct ticket_db *t)
{
	return tdb_exec(t, "ROLLBACK");
}

int
ticket_db_version(struct ticket_db *t)
{
	sqlite3_stmt	*st;
	int		 v = -1;

	if ((st = tdb_prepare(t, "PRAGMA user_version")) == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Bring the schema up to TICKET_DB_VERSION (see DESIGN). */
static int
tdb_migrate(struct ticket_db *t, char *err, size_t errlen)
{
	char	 sql[64];
	int	 v, n = (int)(sizeof migrations / sizeof migrations[0]);

	if ((v = ticket_db_version(t)) == n)
		return 0;
	if (ticket_db_begin(t) == -1) {
		tdb_err(err, errlen, "%s: %s", t->path, sqlite3_errmsg(t->db));
		return -1;
	}
	if ((v = ticket_db_version(t)) < 0 || v > n) {
		tdb_err(err, errlen, "%s: schema version %d is not one this "
		    "program knows (up to %d)", t->path, v, n);
		ticket_db_rollback(t);
		return -1;
	}
	for (; v < n; v++) {
		if (tdb_exec(t, migrations[v]) == -1) {
			tdb_err(err, errlen, "%s: migration to version %d "
			    "failed: %s", t->path, v + 1,
			    sqlite3_errmsg(t->db));
			ticket_db_rollback(t);
			return -1;
		}
	}
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", n);
	if (tdb_exec(t, sql) == -1 || ticket_db_commit(t) == -1) {
		tdb_err(err, errlen, "%s: %s", t->path, sqlite3_errmsg(t->db));
		ticket_db_rollback(t);
		return -1;
	}
	return 0;
}

struct ticket_db *
ticket_db_open(const char *path, char *err, size_t errlen)
{
	struct ticket_db	*t;

	t = xcalloc(1, sizeof *t);
	t->path = xstrdup(path);
	if (sqlite3_open_v2(path, &t->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		tdb_err(err, errlen, "%s: %s", path, t->db != NULL ?
		    sqlite3_errmsg(t->db) : "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(t->db, TICKET_DB_BUSY_MS);
	/* WAL: readers and the one writer never block each other. */
	if (tdb_exec(t, "PRAGMA journal_mode = WAL") == -1 ||
	    tdb_exec(t, "PRAGMA synchronous = NORMAL") == -1 ||
	    tdb_exec(t, "PRAGMA foreign_keys = ON") == -1) {
		tdb_err(err, errlen, "%s: %s", path, sqlite3_errmsg(t->db));
		goto fail;
	}
	if (tdb_migrate(t, err, errlen) == -1)
		goto fail;
	return t;
fail:
	ticket_db_close(t);
	return NULL;
}

struct ticket_db *
ticket_db_open_dir(const char *state_dir, char *err, size_t errlen)
{
	struct ticket_db	*t;
	char			*path;

	xasprintf(&path, "%s/%s", state_dir, TICKET_DB_FILE);
	t = ticket_db_open(path, err, errlen);
	free(path);
	return t;
}

void
ticket_db_close(struct ticket_db *t)
{
	if (t == NULL)
		return;
	sqlite3_finalize(t->st_save_state);
	if (t->db != NULL)
		sqlite3_close(t->db);
	free(t->path);
	free(t);
}

/* ---- JSON readers ---- */

/* An epoch column as ISO 8601 UTC, or JSON null. */
static json_t *
json_time_col(sqlite3_stmt *st, int col)
{
	char	buf[32];

	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return json_null();
	util_iso8601((time_t)sqlite3_column_int64(st, col), buf, sizeof buf);
	return json_string(buf);
}

/* A text column as a JSON string (invalid UTF-8 made safe), or null. */
static json_t *
json_text_col(sqlite3_stmt *st, int col)
{
	const char	*s;
	json_t		*j;
	char		*esc;
	size_t		 len;

	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return json_null();
	s = (const char *)sqlite3_column_text(st, col);
	len = (size_t)sqlite3_column_bytes(st, col);
	if ((j = json_stringn(s, len)) != NULL)
		return j;
	/* Not UTF-8 (hostile site text): escape it rather than drop it. */
	esc = xmalloc(4 * len + 1);
	log_escape(esc, 4 * len + 1, s);
	j = json_string(esc);
	free(esc);
	return j != NULL ? j : json_null();
}

static json_t *
json_int_col(sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return json_null();
	return json_integer(sqlite3_column_int64(st, col));
}

#define TICKET_COLS "id, check_name, site, severity, status, cause, " \
	"summary, opened_at, acknowledged_by, acknowledged_at, resolved_at, " \
	"downtime_s"

/* Append the timeline of one ticket to obj as "events". */
static int
tdb_events_json(struct ticket_db *t, long long id, json_t *obj)
{
	sqlite3_stmt	*st;
	json_t		*arr, *ev;
	int		 rc;

	st = tdb_prepare(t, "SELECT at, kind, \"by\", text FROM ticket_events"
	    " WHERE ticket_id = ? ORDER BY at, id");
	if (st == NULL)
		return TDB_ERROR;
	sqlite3_bind_int64(st, 1, id);
	arr = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ev = json_object();
		json_object_set_new(ev, "at", json_time_col(st, 0));
		json_object_set_new(ev, "kind", json_text_col(st, 1));
		json_object_set_new(ev, "by", json_text_col(st, 2));
		json_object_set_new(ev, "text", json_text_col(st, 3));
		json_array_append_new(arr, ev);
	}
	sqlite3_finalize(st);
	json_object_set_new(obj, "events", arr);
	return rc == SQLITE_DONE ? TDB_OK : TDB_ERROR;
}

/* One row of TICKET_COLS as the SPEC's ticket object, with events. */
static json_t *
tdb_ticket_json(struct ticket_db *t, sqlite3_stmt *st)
{
	json_t	*o;

	o = json_object();
	json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0)));
	json_object_set_new(o, "check", json_text_col(st, 1));
	json_object_set_new(o, "site", json_text_col(st, 2));
	json_object_set_new(o, "severity", json_text_col(st, 3));
	json_object_set_new(o, "status", json_text_col(st, 4));
	json_object_set_new(o, "cause", json_text_col(st, 5));
	json_object_set_new(o, "summary", json_text_col(st, 6));
	json_object_set_new(o, "opened_at", json_time_col(st, 7));
	json_object_set_new(o, "acknowledged_by", json_text_col(st, 8));
	json_object_set_new(o, "acknowledged_at", json_time_col(st, 9));
	json_object_set_new(o, "resolved_at", json_time_col(st, 10));
	json_object_set_new(o, "downtime_s", json_int_col(st, 11));
	if (tdb_events_json(t, sqlite3_column_int64(st, 0), o) != TDB_OK) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int
ticket_db_get_json(struct ticket_db *t, long long id, json_t **out)
{
	sqlite3_stmt	*st;
	int		 rc;

	*out = NULL;
	st = tdb_prepare(t, "SELECT " TICKET_COLS " FROM tickets WHERE id = ?");
	if (st == NULL)
		return TDB_ERROR;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*out = tdb_ticket_json(t, st);
		rc = *out != NULL ? TDB_OK : TDB_ERROR;
	} else
		rc = rc == SQLITE_DONE ? TDB_NOTFOUND : TDB_ERROR;
	sqlite3_finalize(st);
	return rc;
}

int
ticket_db_list_json(struct ticket_db *t, int all, json_t **out)
{
	sqlite3_stmt	*st;
	json_t		*o;
	int		 rc;

	*out = NULL;
	st = tdb_prepare(t, all ?
	    "SELECT " TICKET_COLS " FROM tickets ORDER BY id DESC" :
	    "SELECT " TICKET_COLS " FROM tickets WHERE status <> 'resolved'"
	    " ORDER BY id DESC");
	if (st == NULL)
		return TDB_ERROR;
	*out = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((o = tdb_ticket_json(t, st)) == NULL)
			break;
		json_array_append_new(*out, o);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(*out);
		*out = NULL;
		return TDB_ERROR;
	}
	return TDB_OK;
}

long long
ticket_db_open_ticket_for(struct ticket_db *t, const char *check)
{
	sqlite3_stmt	*st;
	long long	 id = 0;

	st = tdb_prepare(t, "SELECT id FROM tickets WHERE check_name = ?"
	    " AND status <> 'resolved'");
	if (st == NULL)
		return 0;
	bind_text(st, 1, check);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

/* ---- staff actions ---- */

/* Check the by/text arguments of a staff action. */
static int
tdb_check_args(const char *by, const char *text, int need_text, char *err,
    size_t errlen)
{
	if (by == NULL || *by == '\0') {
		tdb_err(err, errlen, "a name is needed (--by NAME)");
		return -1;
	}
	if (strlen(by) > TDB_BY_MAX) {
		tdb_err(err, errlen, "name longer than %d bytes", TDB_BY_MAX);
		return -1;
	}
	if (need_text && (text == NULL || *text == '\0')) {
		tdb_err(err, errlen, "the note text is empty");
		return -1;
	}
	if (text != NULL && strlen(text) > TDB_TEXT_MAX) {
		tdb_err(err, errlen, "note longer than %d bytes", TDB_TEXT_MAX);
		return -1;
	}
	return 0;
}

/* Read status and first failure of a ticket inside a transaction. */
static int
tdb_status(struct ticket_db *t, long long id, char *status, size_t len,
    time_t *first_failure)
{
	sqlite3_stmt	*st;
	int		 rc;

	st = tdb_prepare(t, "SELECT status, coalesce(first_failure_at,"
	    " opened_at, 0) FROM tickets WHERE id = ?");
	if (st == NULL)
		return TDB_ERROR;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(status, len, "%s",
		    (const char *)sqlite3_column_text(st, 0));
		if (first_failure != NULL)
			*first_failure = (time_t)sqlite3_column_int64(st, 1);
		rc = TDB_OK;
	} else
		rc = rc == SQLITE_DONE ? TDB_NOTFOUND : TDB_ERROR;
	sqlite3_finalize(st);
	return rc;
}

enum tdb_action { ACT_ACK, ACT_NOTE, ACT_RESOLVE };

/* One staff action as one IMMEDIATE transaction (see DESIGN). */
static int
tdb_action(struct ticket_db *t, enum tdb_action act, long long id,
    const char *by, const char *text, time_t at, char *err, size_t errlen)
{
	sqlite3_stmt	*st = NULL;
	char		 status[16];
	time_t		 first = 0;
	long long	 downtime;
	int		 rc;

	if (tdb_check_args(by, text, act == ACT_NOTE, err, errlen) == -1)
		return TDB_INVALID;
	if (ticket_db_begin(t) == -1) {
		tdb_err(err, errlen, "%s", sqlite3_errmsg(t->db));
		return TDB_ERROR;
	}
	rc = tdb_status(t, id, status, sizeof status, &first);
	if (rc == TDB_NOTFOUND) {
		tdb_err(err, errlen, "no ticket %lld", id);
		goto out;
	}
	if (rc != TDB_OK)
		goto dberr;

	switch (act) {
	case ACT_ACK:
		if (strcmp(status, "open") != 0) {
			tdb_err(err, errlen, "ticket %lld is already %s", id,
			    status);
			rc = TDB_CONFLICT;
			goto out;
		}
		st = tdb_prepare(t, "UPDATE tickets SET status ="
		    " 'acknowledged', acknowledged_by = ?, acknowledged_at = ?"
		    " WHERE id = ?");
		if (st == NULL)
			goto dberr;
		bind_text(st, 1, by);
		bind_time(st, 2, at);
		sqlite3_bind_int64(st, 3, id);
		if (tdb_done(t, st) == -1 || ticket_db_add_event(t, id, at,
		    "acknowledged", by, text) == -1)
			goto dberr;
		break;
	case ACT_NOTE:
		if (ticket_db_add_event(t, id, at, "note", by, text) == -1)
			goto dberr;
		break;
	case ACT_RESOLVE:
		if (strcmp(status, "resolved") == 0) {
			tdb_err(err, errlen, "ticket %lld is already resolved",
			    id);
			rc = TDB_CONFLICT;
			goto out;
		}
		downtime = first != 0 && at > first ? (long long)(at - first) :
		    0;
		st = tdb_prepare(t, "UPDATE tickets SET status = 'resolved',"
		    " resolved_at = ?, downtime_s = ? WHERE id = ?");
		if (st == NULL)
			goto dberr;
		bind_time(st, 1, at);
		sqlite3_bind_int64(st, 2, downtime);
		sqlite3_bind_int64(st, 3, id);
		if (tdb_done(t, st) == -1 || ticket_db_add_event(t, id, at,
		    "resolved", by, text != NULL ? text :
		    "resolved by hand") == -1)
			goto dberr;
		break;
	}
	if (ticket_db_commit(t) == -1)
		goto dberr;
	return TDB_OK;
dberr:
	tdb_err(err, errlen, "database: %s", sqlite3_errmsg(t->db));
	rc = TDB_ERROR;
out:
	ticket_db_rollback(t);
	return rc;
}

int
ticket_db_ack(struct ticket_db *t, long long id, const char *by,
    const char *note, time_t at, char *err, size_t errlen)
{
	return tdb_action(t, ACT_ACK, id, by, note, at, err, errlen);
}

int
ticket_db_note(struct ticket_db *t, long long id, const char *by,
    const char *text, time_t at, char *err, size_t errlen)
{
	return tdb_action(t, ACT_NOTE, id, by, text, at, err, errlen);
}

int
ticket_db_resolve(struct ticket_db *t, long long id, const char *by,
    const char *note, time_t at, char *err, size_t errlen)
{
	return tdb_action(t, ACT_RESOLVE, id, by, note, at, err, errlen);
}

/* ---- check state ---- */

/* A new column also goes in the SET list of ticket_db_save_check_state. */
#define CS_COLS "name, state, cause, message, since, last_at, last_total_ms, " \
	"ticket_id, fsm_last, fail_streak, down_streak, ok_streak, " \
	"streak_down, first_failure_at, recovery_at, severity, flapping, " \
	"history, nhistory, dep_noted"

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

/* Copy a text column into a fixed buffer (empty for NULL). */
static void
col_copy(sqlite3_stmt *st, int col, char *dst, size_t len)
{
	const char	*s = (const char *)sqlite3_column_text(st, col);

	snprintf(dst, len, "%s", s != NULL ? s : "");
}

/* One CS_COLS row into the struct. */
static void
tdb_cs_row(sqlite3_stmt *st, struct tdb_check_state *cs)
{
	const char	*s;
	int		 v;

	memset(cs, 0, sizeof *cs);
	col_copy(st, 0, cs->name, sizeof cs->name);
	cs->state = col_state(st, 1);
	s = (const char *)sqlite3_column_text(st, 2);
	v = s != NULL ? sw_cause_parse(s) : -1;
	cs->cause = v < 0 ? SW_CAUSE_UNKNOWN : (enum sw_cause)v;
	col_copy(st, 3, cs->message, sizeof cs->message);
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
}

int
ticket_db_check_state(struct ticket_db *t, const char *name,
    struct tdb_check_state *out)
{
	sqlite3_stmt	*st;
	int		 rc;

	st = tdb_prepare(t, "SELECT " CS_COLS " FROM check_state"
	    " WHERE name = ?");
	if (st == NULL)
		return TDB_ERROR;
	bind_text(st, 1, name);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		tdb_cs_row(st, out);
		rc = TDB_OK;
	} else
		rc = rc == SQLITE_DONE ? TDB_NOTFOUND : TDB_ERROR;
	sqlite3_finalize(st);
	return rc;
}

int
ticket_db_check_states(struct ticket_db *t,
    int (*fn)(const struct tdb_check_state *, void *), void *arg)
{
	struct tdb_check_state	 cs;
	sqlite3_stmt		*st;
	int			 rc;

	st = tdb_prepare(t, "SELECT " CS_COLS " FROM check_state"
	    " ORDER BY name");
	if (st == NULL)
		return TDB_ERROR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		tdb_cs_row(st, &cs);
		if (fn(&cs, arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? TDB_OK : TDB_ERROR;
}

int
ticket_db_save_check_state(struct ticket_db *t,
    const struct tdb_check_state *cs)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (t->st_save_state == NULL && sqlite3_prepare_v3(t->db,
	    /*
	     * An upsert changes the row where it is; INSERT OR REPLACE
	     * deleted and inserted it, and its index entry, on every save
	     * (a thousand a second at 10,000 checks every 10 s).
	     */
	    "INSERT INTO check_state (" CS_COLS
	    ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
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
	    " dep_noted = excluded.dep_noted", -1,
	    SQLITE_PREPARE_PERSISTENT, &t->st_save_state, NULL) != SQLITE_OK) {
		if (!t->quiet)
			log_warn("%s: %s", t->path, sqlite3_errmsg(t->db));
		t->st_save_state = NULL;
		return -1;
	}
	st = t->st_save_state;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	bind_text(st, 1, cs->name);
	bind_text(st, 2, sw_state_name(cs->state));
	bind_text(st, 3, sw_cause_name(cs->cause));
	bind_text(st, 4, cs->message);
	bind_time(st, 5, cs->since);
	bind_time(st, 6, cs->last_at);
	sqlite3_bind_double(st, 7, cs->last_total_ms);
	if (cs->ticket != 0)
		sqlite3_bind_int64(st, 8, cs->ticket);
	else
		sqlite3_bind_null(st, 8);
	bind_text(st, 9, sw_state_name(cs->fsm_last));
	sqlite3_bind_int(st, 10, cs->fail_streak);
	sqlite3_bind_int(st, 11, cs->down_streak);
	sqlite3_bind_int(st, 12, cs->ok_streak);
	sqlite3_bind_int(st, 13, cs->streak_down);
	bind_time(st, 14, cs->first_failure_at);
	bind_time(st, 15, cs->recovery_at);
	bind_text(st, 16, cs->severity ? "critical" : "warning");
	sqlite3_bind_int(st, 17, cs->flapping);
	sqlite3_bind_int64(st, 18, cs->history);
	sqlite3_bind_int(st, 19, cs->nhistory);
	sqlite3_bind_int(st, 20, cs->dep_noted);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		if (!t->quiet)
			log_warn("%s: %s", t->path, sqlite3_errmsg(t->db));
		return -1;
	}
	return 0;
}

/* ---- the daemon's writes ---- */

long long
ticket_db_max_id(struct ticket_db *t)
{
	sqlite3_stmt	*st;
	long long	 id = 0;

	if ((st = tdb_prepare(t, "SELECT coalesce(max(id), 0) FROM tickets"))
	    == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	else
		id = -1;
	sqlite3_finalize(st);
	return id;
}

int
ticket_db_add_event(struct ticket_db *t, long long id, time_t at,
    const char *kind, const char *by, const char *text)
{
	sqlite3_stmt	*st;

	st = tdb_prepare(t, "INSERT INTO ticket_events (ticket_id, at, kind,"
	    " \"by\", text) VALUES (?, ?, ?, ?, ?)");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)at);
	bind_text(st, 3, kind);
	bind_text(st, 4, by);
	bind_text(st, 5, text);
	return tdb_done(t, st);
}

int
ticket_db_insert(struct ticket_db *t, const struct tdb_new_ticket *nt)
{
	sqlite3_stmt	*st;

	st = tdb_prepare(t, "INSERT INTO tickets (id, check_name, site,"
	    " severity, status, cause, summary, opened_at, first_failure_at,"
	    " flapping) VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?, ?)");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, nt->id);
	bind_text(st, 2, nt->check);
	bind_text(st, 3, nt->site);
	bind_text(st, 4, nt->severity);
	bind_text(st, 5, nt->cause);
	bind_text(st, 6, nt->summary);
	bind_time(st, 7, nt->opened_at);
	bind_time(st, 8, nt->first_failure_at);
	sqlite3_bind_int(st, 9, nt->flapping != 0);
	if (tdb_done(t, st) == -1)
		return -1;
	return ticket_db_add_event(t, nt->id, nt->opened_at, "opened", NULL,
	    nt->summary);
}

int
ticket_db_escalate(struct ticket_db *t, long long id, const char *cause,
    const char *text, time_t at)
{
	sqlite3_stmt	*st;

	st = tdb_prepare(t, "UPDATE tickets SET severity = 'critical',"
	    " cause = coalesce(?, cause)"
	    " WHERE id = ? AND status <> 'resolved'");
	if (st == NULL)
		return -1;
	bind_text(st, 1, cause);
	sqlite3_bind_int64(st, 2, id);
	if (tdb_done(t, st) == -1)
		return -1;
	if (sqlite3_changes(t->db) == 0)
		return 0;
	return ticket_db_add_event(t, id, at, "escalated", NULL, text);
}

int
ticket_db_auto_resolve(struct ticket_db *t, long long id,
    long long downtime_s, const char *text, time_t at)
{
	sqlite3_stmt	*st;

	st = tdb_prepare(t, "UPDATE tickets SET status = 'resolved',"
	    " resolved_at = ?, downtime_s = ? WHERE id = ?"
	    " AND status <> 'resolved'");
	if (st == NULL)
		return -1;
	bind_time(st, 1, at);
	sqlite3_bind_int64(st, 2, downtime_s);
	sqlite3_bind_int64(st, 3, id);
	if (tdb_done(t, st) == -1)
		return -1;
	/* Resolved by hand meanwhile: staff's record stands. */
	if (sqlite3_changes(t->db) == 0)
		return 0;
	return ticket_db_add_event(t, id, at, "resolved", NULL, text);
}

int
ticket_db_reminded(struct ticket_db *t, long long id, time_t at)
{
	sqlite3_stmt	*st;

	st = tdb_prepare(t, "UPDATE tickets SET last_reminder_at = ?"
	    " WHERE id = ?");
	if (st == NULL)
		return -1;
	bind_time(st, 1, at);
	sqlite3_bind_int64(st, 2, id);
	if (tdb_done(t, st) == -1)
		return -1;
	return ticket_db_add_event(t, id, at, "reminded", NULL,
	    "reminder sent to staff");
}

int
ticket_db_set_flapping(struct ticket_db *t, long long id, int on,
    const char *text, time_t at)
{
	sqlite3_stmt	*st;

	st = tdb_prepare(t, "UPDATE tickets SET flapping = ? WHERE id = ?");
	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 1, on != 0);
	sqlite3_bind_int64(st, 2, id);
	if (tdb_done(t, st) == -1)
		return -1;
	return ticket_db_add_event(t, id, at, on ? "flapping" :
	    "flapping-stopped", NULL, text);
}

/* One row (id, check_name, status, opened_at, last_reminder_at, sev). */
static void
tdb_brief_row(sqlite3_stmt *st, struct tdb_ticket_brief *b)
{
	memset(b, 0, sizeof *b);
	b->id = sqlite3_column_int64(st, 0);
	col_copy(st, 1, b->check, sizeof b->check);
	col_copy(st, 2, b->status, sizeof b->status);
	b->opened_at = (time_t)sqlite3_column_int64(st, 3);
	b->last_reminder_at = (time_t)sqlite3_column_int64(st, 4);
	col_copy(st, 5, b->severity, sizeof b->severity);
}

int
ticket_db_open_tickets(struct ticket_db *t, struct tdb_ticket_brief **out,
    size_t *n)
{
	sqlite3_stmt	*st;
	size_t		 cap = 0;
	int		 rc;

	*out = NULL;
	*n = 0;
	st = tdb_prepare(t, "SELECT id, check_name, status, opened_at,"
	    " last_reminder_at, severity FROM tickets"
	    " WHERE status <> 'resolved'"
	    " ORDER BY id");
	if (st == NULL)
		return TDB_ERROR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			*out = xreallocarray(*out, cap, sizeof **out);
		}
		tdb_brief_row(st, &(*out)[(*n)++]);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? TDB_OK : TDB_ERROR;
}

int
ticket_db_ticket_brief(struct ticket_db *t, long long id,
    struct tdb_ticket_brief *out)
{
	sqlite3_stmt	*st;
	int		 rc;

	st = tdb_prepare(t, "SELECT id, check_name, status, opened_at,"
	    " last_reminder_at, severity FROM tickets WHERE id = ?");
	if (st == NULL)
		return TDB_ERROR;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		tdb_brief_row(st, out);
		rc = TDB_OK;
	} else
		rc = rc == SQLITE_DONE ? TDB_NOTFOUND : TDB_ERROR;
	sqlite3_finalize(st);
	return rc;
}
