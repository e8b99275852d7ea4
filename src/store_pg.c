/*
 * store_pg.c -- the PostgreSQL backend of the store: connection, schema
 * and its migrations, the helpers its files share, and check states.
 *
 * DESIGN
 * Chosen when [daemon] database is a libpq URI; several daemons (nodes)
 * then share one database, so everything the SQLite backend could leave
 * to "one process writes" is said in SQL here:
 * - At most one open ticket per check is a partial unique index, as in
 *   SQLite; a node that loses the race to open one adopts the winner's
 *   (store_pg_tickets.c).
 * - Staff actions lock their ticket row (SELECT ... FOR UPDATE) for the
 *   read-then-write, so two nodes' staff cannot both ack.
 * - The mail queue is claimed, not just read: a sender takes due rows
 *   with FOR UPDATE SKIP LOCKED and stamps a lease on them, so two
 *   nodes' senders never take the same row, and a node that dies
 *   mid-send leaves its rows to another once the lease runs out
 *   (store_pg_mail.c).
 *
 * Every handle is used by one thread, off the event loop (the ticket
 * writer, the mailer and the web workers run on bio queues; the CLI is
 * its own process), so libpq's blocking calls are fine here.  A broken
 * connection is reset at the next statement outside a transaction; the
 * failure before it is transient (store_transient), so the callers keep
 * their writes and try again, as they do with a busy SQLite file.
 *
 * Migrations: migrations[i] takes the schema from version i to i + 1;
 * the version is the one row of schema_version.  They run in one
 * transaction holding an advisory lock, so nodes starting together
 * migrate once.  Append; never edit an old entry.
 *
 * The URI's password must never reach a log, -t or the web: s->where
 * (what messages name) is the URI with its password masked
 * (store_mask_uri), and libpq's own messages name host and port only.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "log.h"
#include "store_pg.h"
#include "xmalloc.h"

/* Any constant: the key of the advisory lock migrations hold. */
#define PG_MIGRATE_LOCK	"7401522"
/* Seconds a connection attempt may take, unless the URI says. */
#define PG_CONNECT_TIMEOUT	"10"

static const char *migrations[] = {
	/* 0 -> 1: tickets, their timeline, check states, the mail queue. */
	"CREATE TABLE tickets ("
	"  id BIGSERIAL PRIMARY KEY,"
	"  check_name TEXT NOT NULL,"
	"  site TEXT,"
	"  severity TEXT CHECK(severity IN ('warning','critical')),"
	"  status TEXT NOT NULL DEFAULT 'open'"
	"    CHECK(status IN ('open','acknowledged','resolved')),"
	"  cause TEXT,"
	"  summary TEXT,"
	"  opened_at BIGINT,"
	"  first_failure_at BIGINT,"
	"  acknowledged_by TEXT,"
	"  acknowledged_at BIGINT,"
	"  resolved_at BIGINT,"
	"  downtime_s BIGINT,"
	"  last_reminder_at BIGINT,"
	"  flapping INTEGER NOT NULL DEFAULT 0);"
	"CREATE UNIQUE INDEX tickets_one_open"
	"  ON tickets(check_name) WHERE status <> 'resolved';"
	"CREATE INDEX tickets_check_opened ON tickets(check_name, opened_at);"
	"CREATE TABLE ticket_events ("
	"  id BIGSERIAL PRIMARY KEY,"
	"  ticket_id BIGINT NOT NULL REFERENCES tickets(id),"
	"  at BIGINT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  \"by\" TEXT,"
	"  text TEXT);"
	"CREATE INDEX ticket_events_ticket ON ticket_events(ticket_id, at, id);"
	"CREATE TABLE check_state ("
	"  name TEXT PRIMARY KEY,"
	"  state TEXT NOT NULL,"
	"  cause TEXT,"
	"  message TEXT,"
	"  since BIGINT,"
	"  last_at BIGINT,"
	"  last_total_ms DOUBLE PRECISION,"
	"  ticket_id BIGINT,"
	"  fsm_last TEXT,"
	"  fail_streak INTEGER NOT NULL DEFAULT 0,"
	"  down_streak INTEGER NOT NULL DEFAULT 0,"
	"  ok_streak INTEGER NOT NULL DEFAULT 0,"
	"  streak_down INTEGER NOT NULL DEFAULT 0,"
	"  first_failure_at BIGINT,"
	"  recovery_at BIGINT,"
	"  severity TEXT,"
	"  flapping INTEGER NOT NULL DEFAULT 0,"
	"  history BIGINT NOT NULL DEFAULT 0,"
	"  nhistory INTEGER NOT NULL DEFAULT 0,"
	"  dep_noted INTEGER NOT NULL DEFAULT 0,"
	"  http_status INTEGER);"
	"CREATE TABLE outbox ("
	"  id BIGSERIAL PRIMARY KEY,"
	"  created_at BIGINT NOT NULL,"
	"  sender TEXT NOT NULL,"
	"  recipients TEXT NOT NULL,"
	"  subject TEXT NOT NULL DEFAULT '',"
	"  message TEXT NOT NULL,"
	"  status TEXT NOT NULL DEFAULT 'queued'"
	"    CHECK (status IN ('queued', 'sent', 'failed')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt_at BIGINT NOT NULL,"
	"  sent_at BIGINT,"
	"  last_error TEXT,"
	"  claimed_until BIGINT,"
	"  claimed_by TEXT);"
	"CREATE INDEX outbox_due ON outbox (status, next_attempt_at);",
	/* 1 -> 2: the nodes' heartbeats, for `sitewatch nodes`. */
	"CREATE TABLE nodes ("
	"  name TEXT PRIMARY KEY,"
	"  started_at BIGINT,"
	"  last_seen BIGINT NOT NULL,"
	"  checks INTEGER NOT NULL DEFAULT 0);",
	/* 2 -> 3: staff accounts (store_pg_users.c). */
	"CREATE TABLE users ("
	"  name TEXT PRIMARY KEY,"
	"  role TEXT NOT NULL CHECK (role IN ('staff', 'viewer')),"
	"  hash TEXT NOT NULL,"
	"  created_at BIGINT NOT NULL);",
	/* 3 -> 4: what is sent once for good (store_claim_once). */
	"CREATE TABLE sent_once ("
	"  kind TEXT NOT NULL,"
	"  key TEXT NOT NULL,"
	"  sent_at BIGINT NOT NULL,"
	"  PRIMARY KEY (kind, key));",
	/* 4 -> 5: notifications share the queue, marked with a channel. */
	"ALTER TABLE outbox ADD COLUMN channel TEXT;",
	/* 5 -> 6: who follows a site's incidents (store_pg_subs.c). */
	"CREATE TABLE subscribers ("
	"  id BIGSERIAL PRIMARY KEY,"
	"  site TEXT NOT NULL,"
	"  email TEXT NOT NULL,"
	"  token TEXT NOT NULL UNIQUE,"
	"  created_at BIGINT NOT NULL,"
	"  confirmed_at BIGINT,"
	"  UNIQUE (site, email));",
	/*
	 * 6 -> 7: which node opened a ticket, and whether its OPENED mails
	 * reached the queue (a node restarted after a crash tells again).
	 */
	"ALTER TABLE tickets ADD COLUMN opened_by TEXT,"
	"  ADD COLUMN notified INTEGER NOT NULL DEFAULT 1;",
	/*
	 * 7 -> 8: each location's verdict on a check, written when it
	 * changes (k of n confirmation), and the locations a ticket names.
	 */
	"CREATE TABLE location_state ("
	"  check_name TEXT NOT NULL,"
	"  location TEXT NOT NULL,"
	"  node TEXT NOT NULL,"
	"  state TEXT NOT NULL"
	"    CHECK (state IN ('up','down','degraded','unknown')),"
	"  since BIGINT NOT NULL,"
	"  error TEXT,"
	"  PRIMARY KEY (check_name, location));"
	"ALTER TABLE tickets ADD COLUMN locations TEXT;",
	/*
	 * 8 -> 9: each check's uptime figures as its lead node read them,
	 * numbered in the order written so that a node reads only what
	 * changed since its last look; each node's location, so that a
	 * reader knows whose RRD files to look for without listing them.
	 */
	"ALTER TABLE nodes ADD COLUMN location TEXT;"
	"CREATE SEQUENCE check_figures_seq;"
	"CREATE TABLE check_figures ("
	"  check_name TEXT PRIMARY KEY,"
	"  up24 DOUBLE PRECISION NOT NULL,"
	"  down24 DOUBLE PRECISION NOT NULL,"
	"  up30 DOUBLE PRECISION NOT NULL,"
	"  down30 DOUBLE PRECISION NOT NULL,"
	"  days TEXT,"
	"  at BIGINT NOT NULL,"
	"  seq BIGINT NOT NULL);"
	"CREATE INDEX check_figures_by_seq ON check_figures (seq);",
};

#define PG_VERSION	((int)(sizeof migrations / sizeof migrations[0]))

void
pg_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void
pg_args_init(struct pg_args *a)
{
	a->n = 0;
}

void
pg_text(struct pg_args *a, const char *s)
{
	if (a->n < PG_ARGS_MAX)
		a->v[a->n++] = s;
}

void
pg_int(struct pg_args *a, long long v)
{
	if (a->n >= PG_ARGS_MAX)
		return;
	snprintf(a->buf[a->n], sizeof a->buf[a->n], "%lld", v);
	a->v[a->n] = a->buf[a->n];
	a->n++;
}

void
pg_time(struct pg_args *a, time_t t)
{
	if (t == 0)
		pg_text(a, NULL);
	else
		pg_int(a, (long long)t);
}

void
pg_double(struct pg_args *a, double d)
{
	if (a->n >= PG_ARGS_MAX)
		return;
	snprintf(a->buf[a->n], sizeof a->buf[a->n], "%.17g", d);
	a->v[a->n] = a->buf[a->n];
	a->n++;
}

/* Keep libpq's last message, on one line, for errmsg and the log. */
static void
pg_keep_error(struct store *s, PGresult *r)
{
	struct pg	*p = PG(s);
	const char	*m, *code;
	char		*nl;

	m = r != NULL ? PQresultErrorMessage(r) : "";
	if (*m == '\0')
		m = PQerrorMessage(p->conn);
	snprintf(p->err, sizeof p->err, "%s", *m != '\0' ? m :
	    "connection lost");
	while ((nl = strchr(p->err, '\n')) != NULL)
		*nl = *(nl + 1) == '\0' ? '\0' : ' ';
	code = r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	snprintf(p->sqlstate, sizeof p->sqlstate, "%s", code != NULL ? code :
	    "");
	/* A server away fails every statement: say so once, not each. */
	if (PQstatus(p->conn) != CONNECTION_OK) {
		if (p->away)
			return;
		p->away = 1;
	}
	if (!s->quiet)
		log_warn("%s: %s", s->where, p->err);
}

/*
 * A connection lost (the server restarted, a network cut) is tried again
 * before the next statement, unless a transaction was under way: then
 * that transaction is gone and its caller must start again.
 */
static int
pg_ensure(struct store *s)
{
	struct pg	*p = PG(s);

	if (PQstatus(p->conn) == CONNECTION_OK)
		return 0;
	if (p->in_tx)
		return -1;
	PQreset(p->conn);
	if (PQstatus(p->conn) != CONNECTION_OK)
		return -1;
	/* A new server session: its prepared statements are gone. */
	p->prepared = 0;
	p->away = 0;
	log_info("%s: connected again", s->where);
	return 0;
}

/* The result of r when it succeeded, else NULL with the error kept. */
static PGresult *
pg_result(struct store *s, PGresult *r)
{
	ExecStatusType	st;

	st = r != NULL ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return r;
	pg_keep_error(s, r);
	PQclear(r);
	return NULL;
}

PGresult *
pg_run(struct store *s, const char *sql, struct pg_args *a)
{
	struct pg	*p = PG(s);

	p->sqlstate[0] = '\0';
	if (pg_ensure(s) == -1) {
		pg_keep_error(s, NULL);
		return NULL;
	}
	return pg_result(s, PQexecParams(p->conn, sql, a != NULL ? a->n : 0,
	    NULL, a != NULL ? a->v : NULL, NULL, NULL, 0));
}

PGresult *
pg_run_prepared(struct store *s, int bit, const char *name, const char *sql,
    struct pg_args *a)
{
	struct pg	*p = PG(s);
	PGresult	*r;

	p->sqlstate[0] = '\0';
	if (pg_ensure(s) == -1) {
		pg_keep_error(s, NULL);
		return NULL;
	}
	if (!(p->prepared & bit)) {
		if ((r = pg_result(s, PQprepare(p->conn, name, sql, a->n,
		    NULL))) == NULL)
			return NULL;
		PQclear(r);
		p->prepared |= bit;
	}
	return pg_result(s, PQexecPrepared(p->conn, name, a->n, a->v, NULL,
	    NULL, 0));
}

int
pg_do(struct store *s, const char *sql, struct pg_args *a)
{
	PGresult	*r;

	if ((r = pg_run(s, sql, a)) == NULL)
		return -1;
	PQclear(r);
	return 0;
}

long long
pg_changed(struct store *s, const char *sql, struct pg_args *a)
{
	PGresult	*r;
	long long	 n;

	if ((r = pg_run(s, sql, a)) == NULL)
		return -1;
	n = strtoll(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	return n;
}

long long
pg_col_ll(PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return 0;
	return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

char *
pg_col_dup(PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return NULL;
	return xstrdup(PQgetvalue(r, row, col));
}

char *
pg_col_dup0(PGresult *r, int row, int col)
{
	return xstrdup(PQgetvalue(r, row, col));
}

void
pg_col_copy(PGresult *r, int row, int col, char *dst, size_t len)
{
	snprintf(dst, len, "%s", PQgetvalue(r, row, col));
}

static const char *
pg_errmsg(struct store *s)
{
	struct pg	*p = PG(s);

	return p != NULL && p->err[0] != '\0' ? p->err : "no error";
}

/*
 * Failures that pass by themselves: the connection (class 08, or no
 * SQLSTATE at all: libpq could not reach the server), a serialization
 * failure or deadlock (40), the server short of resources (53) or
 * shutting down (57P), a lock not available (55P03).
 */
static int
pg_transient(struct store *s)
{
	struct pg	*p = PG(s);
	const char	*c = p->sqlstate;

	if (PQstatus(p->conn) != CONNECTION_OK || c[0] == '\0')
		return 1;
	return strncmp(c, "08", 2) == 0 || strncmp(c, "40", 2) == 0 ||
	    strncmp(c, "53", 2) == 0 || strncmp(c, "57P", 3) == 0 ||
	    strcmp(c, "55P03") == 0;
}

static int
pg_begin(struct store *s)
{
	if (pg_do(s, "BEGIN", NULL) == -1)
		return -1;
	PG(s)->in_tx = 1;
	return 0;
}

static int
pg_commit(struct store *s)
{
	int	rc;

	rc = pg_do(s, "COMMIT", NULL);
	PG(s)->in_tx = 0;
	return rc;
}

static int
pg_rollback(struct store *s)
{
	int	rc;

	/* A lost connection took its transaction with it. */
	if (PQstatus(PG(s)->conn) != CONNECTION_OK) {
		PG(s)->in_tx = 0;
		return 0;
	}
	rc = pg_do(s, "ROLLBACK", NULL);
	PG(s)->in_tx = 0;
	return rc;
}

static int
pg_version(struct store *s)
{
	PGresult	*r;
	int		 v = -1;

	/* A fresh database has no table yet: version 0. */
	if ((r = pg_run(s, "SELECT to_regclass('schema_version') IS NULL",
	    NULL)) == NULL)
		return -1;
	v = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0 ? 0 :
	    -1;
	PQclear(r);
	if (v == 0)
		return 0;
	if ((r = pg_run(s, "SELECT coalesce(max(version), 0)"
	    " FROM schema_version", NULL)) == NULL)
		return -1;
	if (PQntuples(r) == 1)
		v = (int)pg_col_ll(r, 0, 0);
	PQclear(r);
	return v;
}

/* Run a script of several statements (no parameters): a migration. */
static int
pg_script(struct store *s, const char *sql)
{
	PGresult	*r;

	r = PQexec(PG(s)->conn, sql);
	if (r != NULL && PQresultStatus(r) == PGRES_COMMAND_OK) {
		PQclear(r);
		return 0;
	}
	pg_keep_error(s, r);
	PQclear(r);
	return -1;
}

/* Bring the schema up to PG_VERSION (see DESIGN). */
static int
pg_migrate(struct store *s, char *err, size_t errlen)
{
	struct pg_args	 a;
	int		 v;

	if ((v = pg_version(s)) == PG_VERSION)
		return 0;
	if (v < 0)
		goto fail;
	if (pg_begin(s) == -1)
		goto fail;
	if (pg_do(s, "SELECT pg_advisory_xact_lock(" PG_MIGRATE_LOCK ")",
	    NULL) == -1 || pg_do(s, "CREATE TABLE IF NOT EXISTS"
	    " schema_version (version INTEGER NOT NULL)", NULL) == -1 ||
	    (v = pg_version(s)) < 0)
		goto fail_tx;
	if (v > PG_VERSION) {
		pg_err(err, errlen, "%s: schema version %d is not one this "
		    "program knows (up to %d)", s->where, v, PG_VERSION);
		pg_rollback(s);
		return -1;
	}
	for (; v < PG_VERSION; v++) {
		if (pg_script(s, migrations[v]) == -1) {
			pg_err(err, errlen, "%s: migration to version %d "
			    "failed: %s", s->where, v + 1, pg_errmsg(s));
			pg_rollback(s);
			return -1;
		}
	}
	pg_args_init(&a);
	pg_int(&a, PG_VERSION);
	if (pg_do(s, "DELETE FROM schema_version", NULL) == -1 ||
	    pg_do(s, "INSERT INTO schema_version VALUES ($1)", &a) == -1 ||
	    pg_commit(s) == -1)
		goto fail_tx;
	return 0;
fail_tx:
	pg_rollback(s);
fail:
	pg_err(err, errlen, "%s: %s", s->where, pg_errmsg(s));
	return -1;
}

static int
pg_open(struct store *s, char *err, size_t errlen)
{
	static const char *const keys[] = { "connect_timeout",
	    "application_name", "dbname", NULL };
	const char	*vals[4];
	struct pg	*p;

	/* store.c put the real URI in where; messages get the masked one. */
	s->be = p = xcalloc(1, sizeof *p);
	p->conninfo = s->where;
	s->where = store_mask_uri(p->conninfo);
	/* Unique enough among the handles of every node at once. */
	snprintf(p->claim, sizeof p->claim, "%ld.%p.%lld", (long)getpid(),
	    (void *)p, (long long)time(NULL));
	/* The URI comes last, so its own connect_timeout wins. */
	vals[0] = PG_CONNECT_TIMEOUT;
	vals[1] = "sitewatch";
	vals[2] = p->conninfo;
	vals[3] = NULL;
	p->conn = PQconnectdbParams(keys, vals, 1);
	if (p->conn == NULL) {
		pg_err(err, errlen, "%s: out of memory", s->where);
		return -1;
	}
	if (PQstatus(p->conn) != CONNECTION_OK) {
		pg_keep_error(s, NULL);
		pg_err(err, errlen, "%s: %s", s->where, pg_errmsg(s));
		return -1;
	}
	/* Times are epoch seconds; keep the server's clock out of it. */
	if (pg_do(s, "SET TIME ZONE 'UTC'", NULL) == -1) {
		pg_err(err, errlen, "%s: %s", s->where, pg_errmsg(s));
		return -1;
	}
	if (s->flags & STORE_READONLY) {
		if (pg_do(s, "SET default_transaction_read_only = on", NULL)
		    == -1) {
			pg_err(err, errlen, "%s: %s", s->where, pg_errmsg(s));
			return -1;
		}
		return 0;
	}
	/*
	 * synchronous_commit stays the server's (on by default): a queued
	 * mail or a ticket is on the server's disk before we go on.
	 */
	return pg_migrate(s, err, errlen);
}

static void
pg_close(struct store *s)
{
	struct pg	*p = s->be;
	struct pg_args	 a;

	if (p == NULL)
		return;
	/*
	 * Mails this handle claimed and did not send (a stop between the
	 * claim and the send) go back to the queue now, not at the end of
	 * their lease.
	 */
	if (p->claimed && p->conn != NULL && !p->in_tx &&
	    PQstatus(p->conn) == CONNECTION_OK) {
		pg_args_init(&a);
		pg_text(&a, p->claim);
		(void)pg_do(s, "UPDATE outbox SET claimed_until = NULL,"
		    " claimed_by = NULL WHERE claimed_by = $1", &a);
	}
	if (p->conn != NULL)
		PQfinish(p->conn);
	free(p->conninfo);
	free(p);
	s->be = NULL;
}

/* ---- check state ---- */

/* A new column also goes in the SET list of pg_check_state_save. */
#define CS_COLS "name, state, cause, message, since, last_at, last_total_ms, " \
	"ticket_id, fsm_last, fail_streak, down_streak, ok_streak, " \
	"streak_down, first_failure_at, recovery_at, severity, flapping, " \
	"history, nhistory, dep_noted, http_status"

/* A state name column back to the enum (unknown when unreadable). */
static enum sw_state
col_state(PGresult *r, int row, int col)
{
	int	v;

	if (PQgetisnull(r, row, col) ||
	    (v = sw_state_parse(PQgetvalue(r, row, col))) < 0)
		return SW_STATE_UNKNOWN;
	return (enum sw_state)v;
}

/* One CS_COLS row into the struct. */
static void
pg_cs_row(PGresult *r, int i, struct store_check_state *cs)
{
	int	v;

	memset(cs, 0, sizeof *cs);
	pg_col_copy(r, i, 0, cs->name, sizeof cs->name);
	cs->state = col_state(r, i, 1);
	v = PQgetisnull(r, i, 2) ? -1 : sw_cause_parse(PQgetvalue(r, i, 2));
	cs->cause = v < 0 ? SW_CAUSE_UNKNOWN : (enum sw_cause)v;
	pg_col_copy(r, i, 3, cs->message, sizeof cs->message);
	cs->since = (time_t)pg_col_ll(r, i, 4);
	cs->last_at = (time_t)pg_col_ll(r, i, 5);
	cs->last_total_ms = PQgetisnull(r, i, 6) ? 0 :
	    strtod(PQgetvalue(r, i, 6), NULL);
	cs->ticket = pg_col_ll(r, i, 7);
	cs->fsm_last = col_state(r, i, 8);
	cs->fail_streak = (int)pg_col_ll(r, i, 9);
	cs->down_streak = (int)pg_col_ll(r, i, 10);
	cs->ok_streak = (int)pg_col_ll(r, i, 11);
	cs->streak_down = (int)pg_col_ll(r, i, 12);
	cs->first_failure_at = (time_t)pg_col_ll(r, i, 13);
	cs->recovery_at = (time_t)pg_col_ll(r, i, 14);
	cs->severity = strcmp(PQgetvalue(r, i, 15), "critical") == 0;
	cs->flapping = (int)pg_col_ll(r, i, 16);
	cs->history = pg_col_ll(r, i, 17);
	cs->nhistory = (int)pg_col_ll(r, i, 18);
	cs->dep_noted = (int)pg_col_ll(r, i, 19);
	cs->http_status = PQgetisnull(r, i, 20) ? -1 :
	    (int)pg_col_ll(r, i, 20);
}

static int
pg_check_state_get(struct store *s, const char *name,
    struct store_check_state *out)
{
	struct pg_args	 a;
	PGresult	*r;
	int		 rc = STORE_NOTFOUND;

	pg_args_init(&a);
	pg_text(&a, name);
	if ((r = pg_run(s, "SELECT " CS_COLS " FROM check_state"
	    " WHERE name = $1", &a)) == NULL)
		return STORE_ERROR;
	if (PQntuples(r) == 1) {
		pg_cs_row(r, 0, out);
		rc = STORE_OK;
	}
	PQclear(r);
	return rc;
}

static int
pg_check_states(struct store *s,
    int (*fn)(const struct store_check_state *, void *), void *arg)
{
	struct store_check_state	 cs;
	PGresult			*r;
	int				 i;

	if ((r = pg_run(s, "SELECT " CS_COLS " FROM check_state"
	    " ORDER BY name", NULL)) == NULL)
		return STORE_ERROR;
	for (i = 0; i < PQntuples(r); i++) {
		pg_cs_row(r, i, &cs);
		if (fn(&cs, arg) != 0)
			break;
	}
	PQclear(r);
	return STORE_OK;
}

static int
pg_check_state_save(struct store *s, const struct store_check_state *cs)
{
	struct pg_args	 a;
	PGresult	*r;

	pg_args_init(&a);
	pg_text(&a, cs->name);
	pg_text(&a, sw_state_name(cs->state));
	pg_text(&a, sw_cause_name(cs->cause));
	pg_text(&a, cs->message);
	pg_time(&a, cs->since);
	pg_time(&a, cs->last_at);
	pg_double(&a, cs->last_total_ms);
	if (cs->ticket != 0)
		pg_int(&a, cs->ticket);
	else
		pg_text(&a, NULL);
	pg_text(&a, sw_state_name(cs->fsm_last));
	pg_int(&a, cs->fail_streak);
	pg_int(&a, cs->down_streak);
	pg_int(&a, cs->ok_streak);
	pg_int(&a, cs->streak_down);
	pg_time(&a, cs->first_failure_at);
	pg_time(&a, cs->recovery_at);
	pg_text(&a, cs->severity ? "critical" : "warning");
	pg_int(&a, cs->flapping);
	pg_int(&a, cs->history);
	pg_int(&a, cs->nhistory);
	pg_int(&a, cs->dep_noted);
	if (cs->http_status >= 0)
		pg_int(&a, cs->http_status);
	else
		pg_text(&a, NULL);
	/* One a result: at 10,000 checks every 10 s, 1,000 a second. */
	if ((r = pg_run_prepared(s, PG_PREP_STATE, "sw_state_save",
	    "INSERT INTO check_state (" CS_COLS ") VALUES"
	    " ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,"
	    "$18,$19,$20,$21)"
	    " ON CONFLICT (name) DO UPDATE SET state = excluded.state,"
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
	    " http_status = excluded.http_status", &a)) == NULL)
		return -1;
	PQclear(r);
	return 0;
}

/* ---- nodes ---- */

static int
pg_node_beat(struct store *s, const char *name, const char *location,
    time_t started_at, time_t now, int checks)
{
	struct pg_args	a;

	pg_args_init(&a);
	pg_text(&a, name);
	pg_time(&a, started_at);
	pg_int(&a, (long long)now);
	pg_int(&a, checks);
	pg_text(&a, location);
	return pg_do(s, "INSERT INTO nodes (name, started_at, last_seen,"
	    " checks, location) VALUES ($1, $2, $3, $4, $5)"
	    " ON CONFLICT (name) DO UPDATE"
	    " SET started_at = excluded.started_at,"
	    " last_seen = excluded.last_seen, checks = excluded.checks,"
	    " location = excluded.location", &a);
}

static int
pg_claim_once(struct store *s, const char *kind, const char *key,
    time_t now)
{
	struct pg_args	 a;
	PGresult	*r;
	int		 claimed;

	pg_args_init(&a);
	pg_text(&a, kind);
	pg_text(&a, key);
	pg_int(&a, (long long)now);
	if ((r = pg_run(s, "INSERT INTO sent_once (kind, key, sent_at)"
	    " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", &a)) == NULL)
		return -1;
	claimed = strcmp(PQcmdTuples(r), "1") == 0;
	PQclear(r);
	return claimed;
}

static int
pg_nodes(struct store *s, struct store_node **out, size_t *n)
{
	PGresult	*r;
	int		 i, rows;

	if ((r = pg_run(s, "SELECT name, started_at, last_seen, checks,"
	    " location FROM nodes ORDER BY name", NULL)) == NULL)
		return STORE_ERROR;
	rows = PQntuples(r);
	if (rows > 0)
		*out = xcalloc((size_t)rows, sizeof **out);
	for (i = 0; i < rows; i++) {
		pg_col_copy(r, i, 0, (*out)[i].name, sizeof (*out)[i].name);
		(*out)[i].started_at = (time_t)pg_col_ll(r, i, 1);
		(*out)[i].last_seen = (time_t)pg_col_ll(r, i, 2);
		(*out)[i].checks = (int)pg_col_ll(r, i, 3);
		pg_col_copy(r, i, 4, (*out)[i].location,
		    sizeof (*out)[i].location);
		(*n)++;
	}
	PQclear(r);
	return STORE_OK;
}

const struct store_ops store_pg_ops = {
	.name = "postgresql",
	.open = pg_open,
	.close = pg_close,
	.errmsg = pg_errmsg,
	.transient = pg_transient,
	.version = pg_version,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.ticket_get = pg_ticket_get,
	.ticket_list = pg_ticket_list,
	.open_ticket_for = pg_open_ticket_for,
	.tickets_opened = pg_tickets_opened,
	.ticket_ids = pg_ticket_ids,
	.sub_add = pg_sub_add,
	.sub_confirm = pg_sub_confirm,
	.sub_remove = pg_sub_remove,
	.sub_list = pg_sub_list,
	.sub_forget = pg_sub_forget,
	.sub_import = pg_sub_import,
	.ticket_action = pg_ticket_action,
	.ticket_max_id = pg_ticket_max_id,
	.ticket_insert = pg_ticket_insert,
	.ticket_open = pg_ticket_open,
	.ticket_notified = pg_ticket_notified,
	.ticket_escalate = pg_ticket_escalate,
	.ticket_auto_resolve = pg_ticket_auto_resolve,
	.ticket_reminded = pg_ticket_reminded,
	.ticket_flapping = pg_ticket_flapping,
	.event_add = pg_event_add,
	.open_tickets = pg_open_tickets,
	.ticket_brief = pg_ticket_brief,
	.check_state_get = pg_check_state_get,
	.check_states = pg_check_states,
	.check_state_save = pg_check_state_save,
	.mail_push = pg_mail_push,
	.mail_due = pg_mail_due,
	.mail_next_due = pg_mail_next_due,
	.mail_attempts = pg_mail_attempts,
	.mail_done = pg_mail_done,
	.mail_reschedule = pg_mail_reschedule,
	.mail_count = pg_mail_count,
	.mail_list = pg_mail_list,
	.ticket_import = pg_ticket_import,
	.mail_import = pg_mail_import,
	.import_done = pg_import_done,
	.node_beat = pg_node_beat,
	.claim_once = pg_claim_once,
	.location_vote = pg_location_vote,
	.ticket_set_locations = pg_ticket_set_locations,
	.locations = pg_locations,
	.figures_put = pg_figures_put,
	.figures_since = pg_figures_since,
	.nodes = pg_nodes,
	.user_add = pg_user_add,
	.user_del = pg_user_del,
	.user_get = pg_user_get,
	.users = pg_users,
};
