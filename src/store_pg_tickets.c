/*
 * store_pg_tickets.c -- tickets and their timelines in PostgreSQL.
 *
 * DESIGN
 * The same statements as the SQLite backend, with what a server shared by
 * several processes needs on top: a staff action locks its ticket row
 * (SELECT ... FOR UPDATE) between reading the status and changing it, so
 * of two staff acking at once on two nodes one wins and the other is
 * told it is already acknowledged.  The daemon's own updates say "AND
 * status <> 'resolved'" and add their event only when a row changed, as
 * in SQLite, and say whether they did: of two nodes resolving the same
 * ticket, the one whose update changed the row sends the mail.
 *
 * Several nodes may decide to open a ticket for the same check at the
 * same moment.  The partial unique index tickets_one_open (one row per
 * check not resolved) makes that a constraint: the daemon's open is an
 * INSERT ... ON CONFLICT DO NOTHING RETURNING id, numbered by the
 * sequence; the node whose insert returns nothing reads the open ticket
 * instead and adopts it.  An insert that meets another node's insert not
 * yet committed waits for it, so the read after it sees its row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "store_pg.h"
#include "xmalloc.h"

#define TICKET_COLS "id, check_name, site, severity, status, cause, " \
	"summary, opened_at, acknowledged_by, acknowledged_at, resolved_at, " \
	"downtime_s, first_failure_at, last_reminder_at, flapping, locations"

/* Fill the timeline of t (its id set). */
static int
pg_events(struct store *s, struct ticket *t)
{
	struct pg_args		 a;
	struct ticket_event	*ev;
	PGresult		*r;
	int			 i, n;

	pg_args_init(&a);
	pg_int(&a, t->id);
	if ((r = pg_run(s, "SELECT at, kind, \"by\", text FROM ticket_events"
	    " WHERE ticket_id = $1 ORDER BY at, id", &a)) == NULL)
		return STORE_ERROR;
	n = PQntuples(r);
	if (n > 0)
		t->events = xcalloc((size_t)n, sizeof *t->events);
	for (i = 0; i < n; i++) {
		ev = &t->events[t->nevents++];
		ev->at = (time_t)pg_col_ll(r, i, 0);
		ev->kind = pg_col_dup(r, i, 1);
		ev->by = pg_col_dup(r, i, 2);
		ev->text = pg_col_dup(r, i, 3);
	}
	PQclear(r);
	return STORE_OK;
}

/* Row i of TICKET_COLS into t, with its events. */
static int
pg_ticket_row(struct store *s, PGresult *r, int i, struct ticket *t)
{
	memset(t, 0, sizeof *t);
	t->id = pg_col_ll(r, i, 0);
	t->check = pg_col_dup(r, i, 1);
	t->site = pg_col_dup(r, i, 2);
	t->severity = pg_col_dup(r, i, 3);
	t->status = pg_col_dup(r, i, 4);
	t->cause = pg_col_dup(r, i, 5);
	t->summary = pg_col_dup(r, i, 6);
	t->opened_at = (time_t)pg_col_ll(r, i, 7);
	t->acknowledged_by = pg_col_dup(r, i, 8);
	t->acknowledged_at = (time_t)pg_col_ll(r, i, 9);
	t->resolved_at = (time_t)pg_col_ll(r, i, 10);
	t->downtime_s = PQgetisnull(r, i, 11) ? -1 : pg_col_ll(r, i, 11);
	t->first_failure_at = (time_t)pg_col_ll(r, i, 12);
	t->last_reminder_at = (time_t)pg_col_ll(r, i, 13);
	t->flapping = (int)pg_col_ll(r, i, 14);
	t->locations = pg_col_dup(r, i, 15);
	return pg_events(s, t);
}

int
pg_ticket_get(struct store *s, long long id, struct ticket *out)
{
	struct pg_args	 a;
	PGresult	*r;
	int		 rc = STORE_NOTFOUND;

	pg_args_init(&a);
	pg_int(&a, id);
	if ((r = pg_run(s, "SELECT " TICKET_COLS " FROM tickets"
	    " WHERE id = $1", &a)) == NULL)
		return STORE_ERROR;
	if (PQntuples(r) == 1)
		rc = pg_ticket_row(s, r, 0, out);
	PQclear(r);
	if (rc != STORE_OK)
		ticket_free(out);
	return rc;
}

int
pg_ticket_list(struct store *s, int all, struct ticket **out, size_t *n)
{
	PGresult	*r;
	int		 i, rows, rc = STORE_OK;

	if ((r = pg_run(s, all ?
	    "SELECT " TICKET_COLS " FROM tickets ORDER BY id DESC" :
	    "SELECT " TICKET_COLS " FROM tickets WHERE status <> 'resolved'"
	    " ORDER BY id DESC", NULL)) == NULL)
		return STORE_ERROR;
	rows = PQntuples(r);
	if (rows > 0)
		*out = xcalloc((size_t)rows, sizeof **out);
	for (i = 0; i < rows && rc == STORE_OK; i++) {
		rc = pg_ticket_row(s, r, i, &(*out)[i]);
		(*n)++;
	}
	PQclear(r);
	if (rc != STORE_OK) {
		ticket_list_free(*out, *n);
		*out = NULL;
		*n = 0;
		return STORE_ERROR;
	}
	return STORE_OK;
}

long long
pg_tickets_opened(struct store *s, const char *check, time_t start,
    time_t end)
{
	struct pg_args	 a;
	PGresult	*r;
	long long	 n = -1;

	pg_args_init(&a);
	pg_text(&a, check);
	pg_int(&a, (long long)start);
	pg_int(&a, (long long)end);
	if ((r = pg_run(s, "SELECT COUNT(*) FROM tickets WHERE"
	    " check_name = $1 AND opened_at >= $2 AND opened_at < $3", &a))
	    == NULL)
		return -1;
	if (PQntuples(r) == 1)
		n = pg_col_ll(r, 0, 0);
	PQclear(r);
	return n;
}

long long
pg_open_ticket_for(struct store *s, const char *check)
{
	struct pg_args	 a;
	PGresult	*r;
	long long	 id = 0;

	pg_args_init(&a);
	pg_text(&a, check);
	if ((r = pg_run(s, "SELECT id FROM tickets WHERE check_name = $1"
	    " AND status <> 'resolved'", &a)) == NULL)
		return 0;
	if (PQntuples(r) >= 1)
		id = pg_col_ll(r, 0, 0);
	PQclear(r);
	return id;
}

/* Lock ticket id and read its status and first failure (in a tx). */
static int
pg_lock_status(struct store *s, long long id, char *status, size_t len,
    time_t *first_failure)
{
	struct pg_args	 a;
	PGresult	*r;
	int		 rc = STORE_NOTFOUND;

	pg_args_init(&a);
	pg_int(&a, id);
	if ((r = pg_run(s, "SELECT status, coalesce(first_failure_at,"
	    " opened_at, 0) FROM tickets WHERE id = $1 FOR UPDATE", &a))
	    == NULL)
		return STORE_ERROR;
	if (PQntuples(r) == 1) {
		pg_col_copy(r, 0, 0, status, len);
		*first_failure = (time_t)pg_col_ll(r, 0, 1);
		rc = STORE_OK;
	}
	PQclear(r);
	return rc;
}

/* One staff action as one transaction on a locked row (see DESIGN). */
int
pg_ticket_action(struct store *s, enum store_action act, long long id,
    const char *by, const char *text, time_t at, char *err, size_t errlen)
{
	const struct store_ops	*ops = s->ops;
	struct pg_args		 a;
	char			 status[16];
	time_t			 first = 0;
	long long		 downtime;
	int			 rc;

	if (ops->begin(s) == -1) {
		pg_err(err, errlen, "database: %s", ops->errmsg(s));
		return STORE_ERROR;
	}
	rc = pg_lock_status(s, id, status, sizeof status, &first);
	if (rc == STORE_NOTFOUND) {
		pg_err(err, errlen, "no ticket %lld", id);
		goto out;
	}
	if (rc != STORE_OK)
		goto dberr;

	pg_args_init(&a);
	switch (act) {
	case STORE_ACK:
		if (strcmp(status, "open") != 0) {
			pg_err(err, errlen, "ticket %lld is already %s", id,
			    status);
			rc = STORE_CONFLICT;
			goto out;
		}
		pg_text(&a, by);
		pg_time(&a, at);
		pg_int(&a, id);
		if (pg_do(s, "UPDATE tickets SET status = 'acknowledged',"
		    " acknowledged_by = $1, acknowledged_at = $2"
		    " WHERE id = $3", &a) == -1 || pg_event_add(s, id, at,
		    "acknowledged", by, text) == -1)
			goto dberr;
		break;
	case STORE_NOTE:
		if (pg_event_add(s, id, at, "note", by, text) == -1)
			goto dberr;
		break;
	case STORE_RESOLVE:
		if (strcmp(status, "resolved") == 0) {
			pg_err(err, errlen, "ticket %lld is already resolved",
			    id);
			rc = STORE_CONFLICT;
			goto out;
		}
		downtime = first != 0 && at > first ? (long long)(at - first) :
		    0;
		pg_time(&a, at);
		pg_int(&a, downtime);
		pg_int(&a, id);
		if (pg_do(s, "UPDATE tickets SET status = 'resolved',"
		    " resolved_at = $1, downtime_s = $2 WHERE id = $3", &a) ==
		    -1 || pg_event_add(s, id, at, "resolved", by,
		    text != NULL ? text : "resolved by hand") == -1)
			goto dberr;
		break;
	}
	if (ops->commit(s) == -1)
		goto dberr;
	return STORE_OK;
dberr:
	pg_err(err, errlen, "database: %s", ops->errmsg(s));
	rc = STORE_ERROR;
out:
	(void)ops->rollback(s);
	return rc;
}

long long
pg_ticket_max_id(struct store *s)
{
	PGresult	*r;
	long long	 id = -1;

	if ((r = pg_run(s, "SELECT coalesce(max(id), 0) FROM tickets", NULL))
	    == NULL)
		return -1;
	if (PQntuples(r) == 1)
		id = pg_col_ll(r, 0, 0);
	PQclear(r);
	return id;
}

int
pg_event_add(struct store *s, long long id, time_t at, const char *kind,
    const char *by, const char *text)
{
	struct pg_args	a;

	pg_args_init(&a);
	pg_int(&a, id);
	pg_int(&a, (long long)at);
	pg_text(&a, kind);
	pg_text(&a, by);
	pg_text(&a, text);
	return pg_do(s, "INSERT INTO ticket_events (ticket_id, at, kind,"
	    " \"by\", text) VALUES ($1, $2, $3, $4, $5)", &a);
}

int
pg_ticket_insert(struct store *s, const struct store_new_ticket *nt)
{
	struct pg_args	a;

	pg_args_init(&a);
	pg_int(&a, nt->id);
	pg_text(&a, nt->check);
	pg_text(&a, nt->site);
	pg_text(&a, nt->severity);
	pg_text(&a, nt->cause);
	pg_text(&a, nt->summary);
	pg_time(&a, nt->opened_at);
	pg_time(&a, nt->first_failure_at);
	pg_int(&a, nt->flapping != 0);
	if (pg_do(s, "INSERT INTO tickets (id, check_name, site, severity,"
	    " status, cause, summary, opened_at, first_failure_at, flapping)"
	    " VALUES ($1, $2, $3, $4, 'open', $5, $6, $7, $8, $9)", &a) == -1)
		return -1;
	/* Ids the database hands out later start past this one. */
	pg_args_init(&a);
	pg_int(&a, nt->id);
	if (pg_do(s, "SELECT setval(pg_get_serial_sequence('tickets', 'id'),"
	    " greatest($1::bigint, (SELECT last_value FROM tickets_id_seq)))",
	    &a) == -1)
		return -1;
	return pg_event_add(s, nt->id, nt->opened_at, "opened", NULL,
	    nt->summary);
}

/*
 * Run a daemon's UPDATE of ticket id, then add its event.  With
 * if_changed, no row changed means the ticket was resolved by hand (or
 * by another node) meanwhile: that record stands and no event is added.
 * 1 when a row changed, 0 when none did, -1 on error.
 */
static int
pg_update_event(struct store *s, const char *sql, struct pg_args *a,
    int if_changed, long long id, time_t at, const char *kind,
    const char *text)
{
	long long	n;

	if ((n = pg_changed(s, sql, a)) == -1)
		return -1;
	if (if_changed && n == 0)
		return 0;
	if (pg_event_add(s, id, at, kind, NULL, text) == -1)
		return -1;
	return n > 0;
}

int
pg_ticket_escalate(struct store *s, long long id, const char *cause,
    const char *text, time_t at)
{
	struct pg_args	a;

	pg_args_init(&a);
	pg_text(&a, cause);
	pg_int(&a, id);
	return pg_update_event(s, "UPDATE tickets SET severity = 'critical',"
	    " cause = coalesce($1, cause)"
	    " WHERE id = $2 AND status <> 'resolved'"
	    " AND severity <> 'critical'", &a, 1, id, at,
	    "escalated", text);
}

int
pg_ticket_auto_resolve(struct store *s, long long id, long long downtime_s,
    const char *text, time_t at)
{
	struct pg_args	a;

	pg_args_init(&a);
	pg_time(&a, at);
	pg_int(&a, downtime_s);
	pg_int(&a, id);
	return pg_update_event(s, "UPDATE tickets SET status = 'resolved',"
	    " resolved_at = $1, downtime_s = $2 WHERE id = $3"
	    " AND status <> 'resolved'", &a, 1, id, at, "resolved", text);
}

int
pg_ticket_reminded(struct store *s, long long id, time_t at, time_t due)
{
	struct pg_args	a;

	pg_args_init(&a);
	pg_time(&a, at);
	pg_int(&a, id);
	pg_int(&a, (long long)due);
	return pg_update_event(s, "UPDATE tickets SET last_reminder_at = $1"
	    " WHERE id = $2 AND status <> 'resolved'"
	    " AND coalesce(last_reminder_at, opened_at, 0) <= $3", &a, 1, id,
	    at, "reminded", "reminder sent to staff");
}

int
pg_ticket_flapping(struct store *s, long long id, int on, const char *text,
    time_t at)
{
	struct pg_args	a;

	pg_args_init(&a);
	pg_int(&a, on != 0);
	pg_int(&a, id);
	return pg_update_event(s, "UPDATE tickets SET flapping = $1"
	    " WHERE id = $2", &a, 0, id, at, on ? "flapping" :
	    "flapping-stopped", text);
}

#define BRIEF_COLS "id, check_name, status, opened_at, last_reminder_at, " \
	"severity, opened_by, notified"

/* Row i of BRIEF_COLS into b. */
static void
pg_brief_row(PGresult *r, int i, struct ticket_brief *b)
{
	memset(b, 0, sizeof *b);
	b->id = pg_col_ll(r, i, 0);
	pg_col_copy(r, i, 1, b->check, sizeof b->check);
	pg_col_copy(r, i, 2, b->status, sizeof b->status);
	b->opened_at = (time_t)pg_col_ll(r, i, 3);
	b->last_reminder_at = (time_t)pg_col_ll(r, i, 4);
	pg_col_copy(r, i, 5, b->severity, sizeof b->severity);
	pg_col_copy(r, i, 6, b->opened_by, sizeof b->opened_by);
	b->notified = pg_col_ll(r, i, 7) != 0;
}

int
pg_ticket_notified(struct store *s, long long id)
{
	struct pg_args	a;

	pg_args_init(&a);
	pg_int(&a, id);
	return pg_do(s, "UPDATE tickets SET notified = 1 WHERE id = $1", &a);
}

int
pg_open_tickets(struct store *s, struct ticket_brief **out, size_t *n)
{
	PGresult	*r;
	int		 i, rows;

	*out = NULL;
	*n = 0;
	if ((r = pg_run(s, "SELECT " BRIEF_COLS " FROM tickets"
	    " WHERE status <> 'resolved' ORDER BY id", NULL)) == NULL)
		return STORE_ERROR;
	rows = PQntuples(r);
	if (rows > 0)
		*out = xcalloc((size_t)rows, sizeof **out);
	for (i = 0; i < rows; i++)
		pg_brief_row(r, i, &(*out)[(*n)++]);
	PQclear(r);
	return STORE_OK;
}

int
pg_ticket_brief(struct store *s, long long id, struct ticket_brief *out)
{
	struct pg_args	 a;
	PGresult	*r;
	int		 rc = STORE_NOTFOUND;

	pg_args_init(&a);
	pg_int(&a, id);
	if ((r = pg_run(s, "SELECT " BRIEF_COLS " FROM tickets"
	    " WHERE id = $1", &a)) == NULL)
		return STORE_ERROR;
	if (PQntuples(r) == 1) {
		pg_brief_row(r, 0, out);
		rc = STORE_OK;
	}
	PQclear(r);
	return rc;
}

/*
 * The daemon's open (see DESIGN): insert, or find the check's open
 * ticket.  The found one may be resolved between the two statements;
 * then the insert is tried again (a few times: each round needs another
 * node to open and resolve a ticket of this check meanwhile).
 */
int
pg_ticket_open(struct store *s, const struct store_new_ticket *nt,
    struct ticket_brief *out)
{
	struct pg_args	 a;
	PGresult	*r;
	int		 round, rows;

	for (round = 0; round < 3; round++) {
		pg_args_init(&a);
		pg_text(&a, nt->check);
		pg_text(&a, nt->site);
		pg_text(&a, nt->severity);
		pg_text(&a, nt->cause);
		pg_text(&a, nt->summary);
		pg_time(&a, nt->opened_at);
		pg_time(&a, nt->first_failure_at);
		pg_int(&a, nt->flapping != 0);
		pg_text(&a, nt->node);
		if ((r = pg_run(s, "INSERT INTO tickets (check_name, site,"
		    " severity, status, cause, summary, opened_at,"
		    " first_failure_at, flapping, opened_by, notified) VALUES"
		    " ($1, $2, $3, 'open', $4, $5, $6, $7, $8, $9, 0)"
		    " ON CONFLICT (check_name)"
		    " WHERE status <> 'resolved' DO NOTHING RETURNING id", &a))
		    == NULL)
			return -1;
		if ((rows = PQntuples(r)) == 1) {
			memset(out, 0, sizeof *out);
			out->id = pg_col_ll(r, 0, 0);
		}
		PQclear(r);
		if (rows == 1) {
			snprintf(out->check, sizeof out->check, "%s",
			    nt->check);
			snprintf(out->status, sizeof out->status, "open");
			snprintf(out->severity, sizeof out->severity, "%s",
			    nt->severity);
			out->opened_at = nt->opened_at;
			snprintf(out->opened_by, sizeof out->opened_by, "%s",
			    nt->node != NULL ? nt->node : "");
			if (pg_event_add(s, out->id, nt->opened_at, "opened",
			    NULL, nt->summary) == -1)
				return -1;
			return 1;
		}
		pg_args_init(&a);
		pg_text(&a, nt->check);
		if ((r = pg_run(s, "SELECT " BRIEF_COLS " FROM tickets"
		    " WHERE check_name = $1 AND status <> 'resolved'", &a)) ==
		    NULL)
			return -1;
		if ((rows = PQntuples(r)) == 1)
			pg_brief_row(r, 0, out);
		PQclear(r);
		if (rows == 1)
			return 0;
	}
	snprintf(PG(s)->err, sizeof PG(s)->err, "ticket of %s: the open "
	    "ticket changed three times while opening", nt->check);
	return -1;
}

/* A ticket copied from another store, id and timeline kept (store.h). */
int
pg_ticket_import(struct store *s, const struct ticket *t)
{
	struct pg_args	a;
	long long	n;
	size_t		i;

	pg_args_init(&a);
	pg_int(&a, t->id);
	pg_text(&a, t->check);
	pg_text(&a, t->site);
	pg_text(&a, t->severity);
	pg_text(&a, t->status);
	pg_text(&a, t->cause);
	pg_text(&a, t->summary);
	pg_time(&a, t->opened_at);
	pg_time(&a, t->first_failure_at);
	pg_text(&a, t->acknowledged_by);
	pg_time(&a, t->acknowledged_at);
	pg_time(&a, t->resolved_at);
	if (t->downtime_s >= 0)
		pg_int(&a, t->downtime_s);
	else
		pg_text(&a, NULL);
	pg_time(&a, t->last_reminder_at);
	pg_int(&a, t->flapping != 0);
	if ((n = pg_changed(s, "INSERT INTO tickets (id, check_name, site,"
	    " severity, status, cause, summary, opened_at, first_failure_at,"
	    " acknowledged_by, acknowledged_at, resolved_at, downtime_s,"
	    " last_reminder_at, flapping) VALUES ($1, $2, $3, $4, $5, $6, $7,"
	    " $8, $9, $10, $11, $12, $13, $14, $15)"
	    " ON CONFLICT (id) DO NOTHING", &a)) <= 0)
		return n == 0 ? 0 : -1;
	for (i = 0; i < t->nevents; i++)
		if (pg_event_add(s, t->id, t->events[i].at, t->events[i].kind,
		    t->events[i].by, t->events[i].text) == -1)
			return -1;
	return 1;
}
