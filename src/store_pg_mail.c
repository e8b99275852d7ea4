/*
 * store_pg_mail.c -- the mail queue (table outbox) in PostgreSQL.
 *
 * DESIGN
 * As in SQLite, a mail is a row before anyone tries to send it and turns
 * "sent" only after the server took it.  With several nodes on one
 * database every node's sender reads the same queue, so reading due rows
 * claims them: one statement picks them with FOR UPDATE SKIP LOCKED (two
 * senders at the same moment take disjoint rows, neither waits) and
 * stamps claimed_until = now + PG_MAIL_LEASE on them (a later reader
 * skips them while the lease runs).  Sending ends the claim (sent,
 * failed, or rescheduled); a node killed mid-send leaves its claim to run
 * out, and then any node sends the mail.  The lease is far longer than a
 * send may take (libesmtp's timeouts), so a live sender never loses its
 * rows to another.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "store_pg.h"
#include "xmalloc.h"

/* Seconds a sender holds the rows it read. */
#define PG_MAIL_LEASE	300

long long
pg_mail_push(struct store *s, const char *channel, const char *sender,
    const char *rcpt, const char *subject, const char *message, time_t now)
{
	struct pg_args	 a;
	PGresult	*r;
	long long	 id = -1;

	pg_args_init(&a);
	pg_int(&a, (long long)now);
	pg_text(&a, sender);
	pg_text(&a, rcpt);
	pg_text(&a, subject);
	pg_text(&a, message);
	pg_text(&a, channel);
	if ((r = pg_run(s, "INSERT INTO outbox (created_at, sender,"
	    " recipients, subject, message, next_attempt_at, channel)"
	    " VALUES ($1, $2, $3, $4, $5, $1, $6) RETURNING id", &a)) == NULL)
		return -1;
	if (PQntuples(r) == 1)
		id = pg_col_ll(r, 0, 0);
	PQclear(r);
	return id;
}

/*
 * The columns of a struct mail_row; a listing leaves the message out
 * (MAIL_COLS("''")), the sender needs it.
 */
#define MAIL_COLS(msg) "id, sender, recipients, subject, " msg ", status, " \
	"attempts, created_at, next_attempt_at, last_error, channel"
/* The rows of queue q (store_impl.h), q the parameter N. */
#define IN_QUEUE(N)	" (channel IS NOT NULL) = ($" #N "::int <> 0) "

/* Up to max MAIL_COLS rows of r into out; how many.  Clears r. */
static size_t
pg_mail_rows(PGresult *r, struct mail_row *out, size_t max)
{
	struct mail_row	*m;
	size_t		 n = 0;
	int		 i;

	for (i = 0; i < PQntuples(r) && n < max; i++) {
		m = &out[n++];
		m->id = pg_col_ll(r, i, 0);
		m->sender = pg_col_dup0(r, i, 1);
		m->rcpt = pg_col_dup0(r, i, 2);
		m->subject = pg_col_dup0(r, i, 3);
		m->message = pg_col_dup0(r, i, 4);
		m->status = pg_col_dup0(r, i, 5);
		m->attempts = (int)pg_col_ll(r, i, 6);
		m->created_at = (time_t)pg_col_ll(r, i, 7);
		m->next_attempt_at = (time_t)pg_col_ll(r, i, 8);
		m->last_error = pg_col_dup0(r, i, 9);
		m->channel = PQgetisnull(r, i, 10) ? NULL :
		    pg_col_dup0(r, i, 10);
	}
	PQclear(r);
	return n;
}

/* Claim up to max due rows (see DESIGN). */
size_t
pg_mail_due(struct store *s, int q, time_t now, struct mail_row *out,
    size_t max)
{
	struct pg_args	 a;
	PGresult	*r;

	pg_args_init(&a);
	pg_int(&a, (long long)now);
	pg_int(&a, (long long)max);
	pg_int(&a, PG_MAIL_LEASE);
	pg_text(&a, PG(s)->claim);
	pg_int(&a, q != 0);
	if ((r = pg_run(s, "WITH c AS (UPDATE outbox SET claimed_until ="
	    " $1::bigint + $3::bigint, claimed_by = $4"
	    " WHERE id IN (SELECT id FROM outbox"
	    " WHERE status = 'queued' AND next_attempt_at <= $1 AND"
	    IN_QUEUE(5)
	    " AND (claimed_until IS NULL OR claimed_until <= $1)"
	    " ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)"
	    " RETURNING " MAIL_COLS("message") ")"
	    " SELECT * FROM c ORDER BY next_attempt_at, id", &a)) == NULL)
		return 0;
	if (PQntuples(r) > 0)
		PG(s)->claimed = 1;
	return pg_mail_rows(r, out, max);
}

int
pg_mail_next_due(struct store *s, int q, time_t *when)
{
	struct pg_args	 a;
	PGresult	*r;
	int		 rc = -1;

	pg_args_init(&a);
	pg_int(&a, q != 0);
	/* A claimed row is due again when its lease runs out. */
	if ((r = pg_run(s, "SELECT MIN(greatest(next_attempt_at,"
	    " coalesce(claimed_until, 0))) FROM outbox"
	    " WHERE status = 'queued' AND" IN_QUEUE(1), &a)) == NULL)
		return -1;
	if (PQntuples(r) == 1) {
		if (PQgetisnull(r, 0, 0))
			rc = 0;
		else {
			*when = (time_t)pg_col_ll(r, 0, 0);
			rc = 1;
		}
	}
	PQclear(r);
	return rc;
}

int
pg_mail_attempts(struct store *s, long long id, int *attempts,
    time_t *created)
{
	struct pg_args	 a;
	PGresult	*r;
	int		 rc = STORE_NOTFOUND;

	pg_args_init(&a);
	pg_int(&a, id);
	if ((r = pg_run(s, "SELECT attempts, created_at FROM outbox"
	    " WHERE id = $1", &a)) == NULL)
		return STORE_ERROR;
	if (PQntuples(r) == 1) {
		*attempts = (int)pg_col_ll(r, 0, 0);
		*created = (time_t)pg_col_ll(r, 0, 1);
		rc = STORE_OK;
	}
	PQclear(r);
	return rc;
}

long long
pg_mail_count(struct store *s, int q, const char *status)
{
	struct pg_args	 a;
	PGresult	*r;
	long long	 n = -1;

	pg_args_init(&a);
	pg_text(&a, status);
	pg_int(&a, q != 0);
	if ((r = pg_run(s, "SELECT COUNT(*) FROM outbox WHERE status = $1"
	    " AND" IN_QUEUE(2), &a)) == NULL)
		return -1;
	if (PQntuples(r) == 1)
		n = pg_col_ll(r, 0, 0);
	PQclear(r);
	return n;
}

int
pg_mail_done(struct store *s, long long id, const char *status, time_t now,
    const char *text)
{
	struct pg_args	a;

	pg_args_init(&a);
	pg_int(&a, (long long)now);
	pg_text(&a, text);
	pg_int(&a, id);
	if (strcmp(status, "sent") == 0)
		return pg_do(s, "UPDATE outbox SET status = 'sent',"
		    " attempts = attempts + 1, sent_at = $1,"
		    " next_attempt_at = $1, last_error = $2,"
		    " claimed_until = NULL,"
		    " claimed_by = NULL WHERE id = $3", &a);
	return pg_do(s, "UPDATE outbox SET status = 'failed',"
	    " attempts = attempts + 1, next_attempt_at = $1,"
	    " last_error = $2, claimed_until = NULL,"
	    " claimed_by = NULL WHERE id = $3", &a);
}

int
pg_mail_reschedule(struct store *s, long long id, int attempts, time_t next,
    const char *text)
{
	struct pg_args	a;

	pg_args_init(&a);
	pg_int(&a, attempts);
	pg_int(&a, (long long)next);
	pg_text(&a, text);
	pg_int(&a, id);
	return pg_do(s, "UPDATE outbox SET attempts = $1,"
	    " next_attempt_at = $2, last_error = $3, claimed_until = NULL,"
	    " claimed_by = NULL"
	    " WHERE id = $4", &a);
}

size_t
pg_mail_list(struct store *s, int q, const char *status,
    struct mail_row *out, size_t max)
{
	struct pg_args	 a;
	PGresult	*r;

	pg_args_init(&a);
	pg_text(&a, status);
	pg_int(&a, (long long)max);
	pg_int(&a, q != 0);
	if ((r = pg_run(s, "SELECT " MAIL_COLS("''") " FROM outbox"
	    " WHERE ($1::text IS NULL OR status = $1) AND" IN_QUEUE(3)
	    " ORDER BY id DESC LIMIT $2", &a)) == NULL)
		return 0;
	return pg_mail_rows(r, out, max);
}

/* A mail copied from another store, id kept (store.h). */
int
pg_mail_import(struct store *s, const struct mail_row *m)
{
	struct pg_args	a;
	long long	n;

	pg_args_init(&a);
	pg_int(&a, m->id);
	pg_int(&a, (long long)m->created_at);
	pg_text(&a, m->sender);
	pg_text(&a, m->rcpt);
	pg_text(&a, m->subject);
	pg_text(&a, m->message);
	pg_text(&a, m->status);
	pg_int(&a, m->attempts);
	pg_int(&a, (long long)m->next_attempt_at);
	pg_text(&a, m->last_error != NULL && *m->last_error != '\0' ?
	    m->last_error : NULL);
	pg_text(&a, m->channel);
	n = pg_changed(s, "INSERT INTO outbox (id, created_at, sender,"
	    " recipients, subject, message, status, attempts,"
	    " next_attempt_at, sent_at, last_error, channel) VALUES ($1, $2,"
	    " $3, $4, $5, $6, $7, $8, $9, CASE WHEN $7 = 'sent' THEN"
	    " $9::bigint END, $10, $11) ON CONFLICT (id) DO NOTHING", &a);
	return n < 0 ? -1 : (int)n;
}

/* Ids handed out after a copy start past the copied ones. */
int
pg_import_done(struct store *s)
{
	/* An empty table: the next id is 1 (setval's third argument). */
	return pg_do(s, "SELECT setval('tickets_id_seq', greatest(m, 1),"
	    " m > 0) FROM (SELECT coalesce(max(id), 0) AS m FROM tickets) t;",
	    NULL) == -1 || pg_do(s, "SELECT setval('outbox_id_seq',"
	    " greatest(m, 1), m > 0) FROM (SELECT coalesce(max(id), 0) AS m"
	    " FROM outbox) o", NULL) == -1 ? -1 : 0;
}
