/*
 * store_sqlite_tickets.c -- tickets and their timelines in SQLite.
 *
 * DESIGN
 * The daemon opens a ticket from its writer thread, inside the batch's
 * BEGIN IMMEDIATE transaction: the check's open ticket is looked for and
 * a new one inserted only when there is none, numbered by SQLite (the
 * same shape as PostgreSQL's insert-or-find, store_pg_tickets.c).  Staff
 * actions run as BEGIN IMMEDIATE transactions that read the status and
 * change it in one step, so two people acking at once cannot both win.
 * The daemon's own updates say "AND status <> 'resolved'" and add their
 * event only when a row changed (and say so: 1): a ticket resolved by
 * hand meanwhile keeps staff's record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store_sqlite.h"
#include "xmalloc.h"

static void	sq_brief_row(sqlite3_stmt *, struct ticket_brief *);

#define SQ_BRIEF_COLS "id, check_name, status, opened_at, " \
	"last_reminder_at, severity, opened_by, notified"

#define TICKET_COLS "id, check_name, site, severity, status, cause, " \
	"summary, opened_at, acknowledged_by, acknowledged_at, resolved_at, " \
	"downtime_s, first_failure_at, last_reminder_at, flapping"

/* Fill the timeline of t (its id set). */
static int
sq_events(struct store *s, struct ticket *t)
{
	sqlite3_stmt		*st;
	struct ticket_event	*ev;
	size_t			 cap = 0;
	int			 rc;

	st = sq_prepare(s, "SELECT at, kind, \"by\", text FROM ticket_events"
	    " WHERE ticket_id = ? ORDER BY at, id");
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, t->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (t->nevents == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			t->events = xreallocarray(t->events, cap,
			    sizeof *t->events);
		}
		ev = &t->events[t->nevents++];
		ev->at = (time_t)sqlite3_column_int64(st, 0);
		ev->kind = sq_col_dup(st, 1);
		ev->by = sq_col_dup(st, 2);
		ev->text = sq_col_dup(st, 3);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		sq_warn(s);
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

/* One row of TICKET_COLS into t, with its events. */
static int
sq_ticket_row(struct store *s, sqlite3_stmt *st, struct ticket *t)
{
	memset(t, 0, sizeof *t);
	t->id = sqlite3_column_int64(st, 0);
	t->check = sq_col_dup(st, 1);
	t->site = sq_col_dup(st, 2);
	t->severity = sq_col_dup(st, 3);
	t->status = sq_col_dup(st, 4);
	t->cause = sq_col_dup(st, 5);
	t->summary = sq_col_dup(st, 6);
	t->opened_at = (time_t)sqlite3_column_int64(st, 7);
	t->acknowledged_by = sq_col_dup(st, 8);
	t->acknowledged_at = (time_t)sqlite3_column_int64(st, 9);
	t->resolved_at = (time_t)sqlite3_column_int64(st, 10);
	t->downtime_s = sqlite3_column_type(st, 11) == SQLITE_NULL ? -1 :
	    sqlite3_column_int64(st, 11);
	t->first_failure_at = (time_t)sqlite3_column_int64(st, 12);
	t->last_reminder_at = (time_t)sqlite3_column_int64(st, 13);
	t->flapping = sqlite3_column_int(st, 14);
	return sq_events(s, t);
}

int
sq_ticket_get(struct store *s, long long id, struct ticket *out)
{
	sqlite3_stmt	*st;
	int		 rc;

	st = sq_prepare(s, "SELECT " TICKET_COLS " FROM tickets WHERE id = ?");
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sq_one(s, st)) == STORE_OK)
		rc = sq_ticket_row(s, st, out);
	sqlite3_finalize(st);
	if (rc != STORE_OK)
		ticket_free(out);
	return rc;
}

int
sq_ticket_list(struct store *s, int all, struct ticket **out, size_t *n)
{
	sqlite3_stmt	*st;
	size_t		 cap = 0;
	int		 rc;

	st = sq_prepare(s, all ?
	    "SELECT " TICKET_COLS " FROM tickets ORDER BY id DESC" :
	    "SELECT " TICKET_COLS " FROM tickets WHERE status <> 'resolved'"
	    " ORDER BY id DESC");
	if (st == NULL)
		return STORE_ERROR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			*out = xreallocarray(*out, cap, sizeof **out);
		}
		if (sq_ticket_row(s, st, &(*out)[(*n)++]) != STORE_OK)
			break;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		ticket_list_free(*out, *n);
		*out = NULL;
		*n = 0;
		return STORE_ERROR;
	}
	return STORE_OK;
}

long long
sq_tickets_opened(struct store *s, const char *check, time_t start,
    time_t end)
{
	sqlite3_stmt	*st;
	long long	 n = -1;

	/* opened_at is epoch seconds; accept ISO text too, to be safe. */
	if ((st = sq_prepare(s, "SELECT COUNT(*) FROM tickets "
	    "WHERE check_name = ?1 AND (CASE typeof(opened_at) "
	    "WHEN 'text' THEN CAST(strftime('%s', opened_at) AS INTEGER) "
	    "ELSE opened_at END) >= ?2 AND (CASE typeof(opened_at) "
	    "WHEN 'text' THEN CAST(strftime('%s', opened_at) AS INTEGER) "
	    "ELSE opened_at END) < ?3")) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, check, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)start);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)end);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

long long
sq_open_ticket_for(struct store *s, const char *check)
{
	sqlite3_stmt	*st;
	long long	 id = 0;

	st = sq_prepare(s, "SELECT id FROM tickets WHERE check_name = ?"
	    " AND status <> 'resolved'");
	if (st == NULL)
		return 0;
	sq_bind_text(st, 1, check);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

/* Read status and first failure of a ticket inside a transaction. */
static int
sq_status(struct store *s, long long id, char *status, size_t len,
    time_t *first_failure)
{
	sqlite3_stmt	*st;
	int		 rc;

	st = sq_prepare(s, "SELECT status, coalesce(first_failure_at,"
	    " opened_at, 0) FROM tickets WHERE id = ?");
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sq_one(s, st)) == STORE_OK) {
		sq_col_copy(st, 0, status, len);
		if (first_failure != NULL)
			*first_failure = (time_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return rc;
}

/* One staff action as one IMMEDIATE transaction (see DESIGN). */
int
sq_ticket_action(struct store *s, enum store_action act, long long id,
    const char *by, const char *text, time_t at, char *err, size_t errlen)
{
	sqlite3_stmt	*st = NULL;
	char		 status[16];
	time_t		 first = 0;
	long long	 downtime;
	int		 rc;

	if (sq_exec(s, "BEGIN IMMEDIATE") == -1) {
		sq_err(err, errlen, "%s", sqlite3_errmsg(SQ(s)));
		return STORE_ERROR;
	}
	rc = sq_status(s, id, status, sizeof status, &first);
	if (rc == STORE_NOTFOUND) {
		sq_err(err, errlen, "no ticket %lld", id);
		goto out;
	}
	if (rc != STORE_OK)
		goto dberr;

	switch (act) {
	case STORE_ACK:
		if (strcmp(status, "open") != 0) {
			sq_err(err, errlen, "ticket %lld is already %s", id,
			    status);
			rc = STORE_CONFLICT;
			goto out;
		}
		st = sq_prepare(s, "UPDATE tickets SET status ="
		    " 'acknowledged', acknowledged_by = ?, acknowledged_at = ?"
		    " WHERE id = ?");
		if (st == NULL)
			goto dberr;
		sq_bind_text(st, 1, by);
		sq_bind_time(st, 2, at);
		sqlite3_bind_int64(st, 3, id);
		if (sq_done(s, st) == -1 || sq_event_add(s, id, at,
		    "acknowledged", by, text) == -1)
			goto dberr;
		break;
	case STORE_NOTE:
		if (sq_event_add(s, id, at, "note", by, text) == -1)
			goto dberr;
		break;
	case STORE_RESOLVE:
		if (strcmp(status, "resolved") == 0) {
			sq_err(err, errlen, "ticket %lld is already resolved",
			    id);
			rc = STORE_CONFLICT;
			goto out;
		}
		downtime = first != 0 && at > first ? (long long)(at - first) :
		    0;
		st = sq_prepare(s, "UPDATE tickets SET status = 'resolved',"
		    " resolved_at = ?, downtime_s = ? WHERE id = ?");
		if (st == NULL)
			goto dberr;
		sq_bind_time(st, 1, at);
		sqlite3_bind_int64(st, 2, downtime);
		sqlite3_bind_int64(st, 3, id);
		if (sq_done(s, st) == -1 || sq_event_add(s, id, at,
		    "resolved", by, text != NULL ? text :
		    "resolved by hand") == -1)
			goto dberr;
		break;
	}
	if (sq_exec(s, "COMMIT") == -1)
		goto dberr;
	return STORE_OK;
dberr:
	sq_err(err, errlen, "database: %s", sqlite3_errmsg(SQ(s)));
	rc = STORE_ERROR;
out:
	(void)sq_exec(s, "ROLLBACK");
	return rc;
}

long long
sq_ticket_max_id(struct store *s)
{
	sqlite3_stmt	*st;
	long long	 id = 0;

	if ((st = sq_prepare(s, "SELECT coalesce(max(id), 0) FROM tickets"))
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
sq_event_add(struct store *s, long long id, time_t at,
    const char *kind, const char *by, const char *text)
{
	sqlite3_stmt	*st;

	st = sq_prepare(s, "INSERT INTO ticket_events (ticket_id, at, kind,"
	    " \"by\", text) VALUES (?, ?, ?, ?, ?)");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)at);
	sq_bind_text(st, 3, kind);
	sq_bind_text(st, 4, by);
	sq_bind_text(st, 5, text);
	return sq_done(s, st);
}

int
sq_ticket_insert(struct store *s, const struct store_new_ticket *nt)
{
	sqlite3_stmt	*st;

	st = sq_prepare(s, "INSERT INTO tickets (id, check_name, site,"
	    " severity, status, cause, summary, opened_at, first_failure_at,"
	    " flapping) VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?, ?)");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, nt->id);
	sq_bind_text(st, 2, nt->check);
	sq_bind_text(st, 3, nt->site);
	sq_bind_text(st, 4, nt->severity);
	sq_bind_text(st, 5, nt->cause);
	sq_bind_text(st, 6, nt->summary);
	sq_bind_time(st, 7, nt->opened_at);
	sq_bind_time(st, 8, nt->first_failure_at);
	sqlite3_bind_int(st, 9, nt->flapping != 0);
	if (sq_done(s, st) == -1)
		return -1;
	return sq_event_add(s, nt->id, nt->opened_at, "opened", NULL,
	    nt->summary);
}

/*
 * The daemon's open (store.h): the check's open ticket if it has one,
 * else a new one.  The writer's transaction holds SQLite's write lock
 * from the look to the insert.
 */
int
sq_ticket_open(struct store *s, const struct store_new_ticket *nt,
    struct ticket_brief *out)
{
	sqlite3_stmt	*st;
	int		 rc;

	st = sq_prepare(s, "SELECT " SQ_BRIEF_COLS " FROM tickets"
	    " WHERE check_name = ? AND status <> 'resolved'");
	if (st == NULL)
		return -1;
	sq_bind_text(st, 1, nt->check);
	if ((rc = sq_one(s, st)) == STORE_OK)
		sq_brief_row(st, out);
	sqlite3_finalize(st);
	if (rc != STORE_NOTFOUND)
		return rc == STORE_OK ? 0 : -1;
	st = sq_prepare(s, "INSERT INTO tickets (check_name, site,"
	    " severity, status, cause, summary, opened_at, first_failure_at,"
	    " flapping, opened_by, notified)"
	    " VALUES (?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, 0)");
	if (st == NULL)
		return -1;
	sq_bind_text(st, 1, nt->check);
	sq_bind_text(st, 2, nt->site);
	sq_bind_text(st, 3, nt->severity);
	sq_bind_text(st, 4, nt->cause);
	sq_bind_text(st, 5, nt->summary);
	sq_bind_time(st, 6, nt->opened_at);
	sq_bind_time(st, 7, nt->first_failure_at);
	sqlite3_bind_int(st, 8, nt->flapping != 0);
	sq_bind_text(st, 9, nt->node);
	if (sq_done(s, st) == -1)
		return -1;
	memset(out, 0, sizeof *out);
	snprintf(out->opened_by, sizeof out->opened_by, "%s",
	    nt->node != NULL ? nt->node : "");
	out->id = sqlite3_last_insert_rowid(SQ(s));
	snprintf(out->check, sizeof out->check, "%s", nt->check);
	snprintf(out->status, sizeof out->status, "open");
	snprintf(out->severity, sizeof out->severity, "%s", nt->severity);
	out->opened_at = nt->opened_at;
	if (sq_event_add(s, out->id, nt->opened_at, "opened", NULL,
	    nt->summary) == -1)
		return -1;
	return 1;
}

/*
 * Run a daemon's UPDATE of ticket id, then add its event.  With
 * if_changed, no row changed means the ticket was resolved by hand (or
 * by another node) meanwhile: that record stands and no event is added.
 * 1 when a row changed, 0 when none did, -1 on error.
 */
static int
sq_update_event(struct store *s, sqlite3_stmt *st, int if_changed,
    long long id, time_t at, const char *kind, const char *text)
{
	int	changed;

	if (sq_done(s, st) == -1)
		return -1;
	changed = sqlite3_changes(SQ(s)) > 0;
	if (if_changed && !changed)
		return 0;
	if (sq_event_add(s, id, at, kind, NULL, text) == -1)
		return -1;
	return changed;
}

int
sq_ticket_escalate(struct store *s, long long id, const char *cause,
    const char *text, time_t at)
{
	sqlite3_stmt	*st;

	st = sq_prepare(s, "UPDATE tickets SET severity = 'critical',"
	    " cause = coalesce(?, cause)"
	    " WHERE id = ? AND status <> 'resolved'"
	    " AND severity <> 'critical'");
	if (st == NULL)
		return -1;
	sq_bind_text(st, 1, cause);
	sqlite3_bind_int64(st, 2, id);
	return sq_update_event(s, st, 1, id, at, "escalated", text);
}

int
sq_ticket_auto_resolve(struct store *s, long long id,
    long long downtime_s, const char *text, time_t at)
{
	sqlite3_stmt	*st;

	st = sq_prepare(s, "UPDATE tickets SET status = 'resolved',"
	    " resolved_at = ?, downtime_s = ? WHERE id = ?"
	    " AND status <> 'resolved'");
	if (st == NULL)
		return -1;
	sq_bind_time(st, 1, at);
	sqlite3_bind_int64(st, 2, downtime_s);
	sqlite3_bind_int64(st, 3, id);
	return sq_update_event(s, st, 1, id, at, "resolved", text);
}

int
sq_ticket_reminded(struct store *s, long long id, time_t at, time_t due)
{
	sqlite3_stmt	*st;

	st = sq_prepare(s, "UPDATE tickets SET last_reminder_at = ?"
	    " WHERE id = ? AND status <> 'resolved'"
	    " AND coalesce(last_reminder_at, opened_at, 0) <= ?");
	if (st == NULL)
		return -1;
	sq_bind_time(st, 1, at);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)due);
	return sq_update_event(s, st, 1, id, at, "reminded",
	    "reminder sent to staff");
}

int
sq_ticket_flapping(struct store *s, long long id, int on,
    const char *text, time_t at)
{
	sqlite3_stmt	*st;

	st = sq_prepare(s, "UPDATE tickets SET flapping = ? WHERE id = ?");
	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 1, on != 0);
	sqlite3_bind_int64(st, 2, id);
	return sq_update_event(s, st, 0, id, at, on ? "flapping" :
	    "flapping-stopped", text);
}

/* One row of SQ_BRIEF_COLS. */
static void
sq_brief_row(sqlite3_stmt *st, struct ticket_brief *b)
{
	memset(b, 0, sizeof *b);
	b->id = sqlite3_column_int64(st, 0);
	sq_col_copy(st, 1, b->check, sizeof b->check);
	sq_col_copy(st, 2, b->status, sizeof b->status);
	b->opened_at = (time_t)sqlite3_column_int64(st, 3);
	b->last_reminder_at = (time_t)sqlite3_column_int64(st, 4);
	sq_col_copy(st, 5, b->severity, sizeof b->severity);
	sq_col_copy(st, 6, b->opened_by, sizeof b->opened_by);
	b->notified = sqlite3_column_int(st, 7) != 0;
}

int
sq_ticket_notified(struct store *s, long long id)
{
	sqlite3_stmt	*st;

	if ((st = sq_prepare(s, "UPDATE tickets SET notified = 1"
	    " WHERE id = ?")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return sq_done(s, st);
}

int
sq_open_tickets(struct store *s, struct ticket_brief **out,
    size_t *n)
{
	sqlite3_stmt	*st;
	size_t		 cap = 0;
	int		 rc;

	*out = NULL;
	*n = 0;
	st = sq_prepare(s, "SELECT " SQ_BRIEF_COLS " FROM tickets"
	    " WHERE status <> 'resolved' ORDER BY id");
	if (st == NULL)
		return STORE_ERROR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			*out = xreallocarray(*out, cap, sizeof **out);
		}
		sq_brief_row(st, &(*out)[(*n)++]);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

int
sq_ticket_brief(struct store *s, long long id,
    struct ticket_brief *out)
{
	sqlite3_stmt	*st;
	int		 rc;

	st = sq_prepare(s, "SELECT " SQ_BRIEF_COLS " FROM tickets"
	    " WHERE id = ?");
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sq_one(s, st)) == STORE_OK)
		sq_brief_row(st, out);
	sqlite3_finalize(st);
	return rc;
}
