/*
 * store_sqlite_mail.c -- the mail queue (table outbox) in SQLite.
 *
 * DESIGN: a mail is a row before anyone tries to send it, and it changes
 * to "sent" only after the server took it, so a crash or a restart at
 * any point resends at most the message in flight and never loses one.
 * The handles that queue mails are opened STORE_DURABLE (synchronous =
 * FULL).  The policy (backoff, when to give up) is store.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store_sqlite.h"
#include "xmalloc.h"

long long
sq_mail_push(struct store *s, const char *channel, const char *sender,
    const char *rcpt, const char *subject, const char *message, time_t now)
{
	sqlite3_stmt	*st;
	long long	 id = -1;

	if ((st = sq_prepare(s, "INSERT INTO outbox (created_at, "
	    "sender, recipients, subject, message, next_attempt_at, channel) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?)")) == NULL)
		return -1;
	if (channel != NULL)
		sqlite3_bind_text(st, 7, channel, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_text(st, 2, sender, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, rcpt, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, message, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, now);
	if (sqlite3_step(st) == SQLITE_DONE)
		id = sqlite3_last_insert_rowid(SQ(s));
	else
		sq_warn(s);
	sqlite3_finalize(st);
	return id;
}

/*
 * The columns of a struct mail_row; a listing leaves the message out
 * (MAIL_COLS("''")), the sender needs it.
 */
#define MAIL_COLS(msg) "id, sender, recipients, subject, " msg ", status, " \
	"attempts, created_at, next_attempt_at, last_error, channel"
/* The rows of queue q (store_impl.h): ?9 is q. */
#define IN_QUEUE	" (channel IS NOT NULL) = ?9 "

/* Run st and read up to max MAIL_COLS rows into out; how many. */
static size_t
sq_mail_rows(sqlite3_stmt *st, struct mail_row *out, size_t max)
{
	struct mail_row	*m;
	size_t		 n = 0;

	while (n < max && sqlite3_step(st) == SQLITE_ROW) {
		m = &out[n++];
		m->id = sqlite3_column_int64(st, 0);
		m->sender = sq_col_dup0(st, 1);
		m->rcpt = sq_col_dup0(st, 2);
		m->subject = sq_col_dup0(st, 3);
		m->message = sq_col_dup0(st, 4);
		m->status = sq_col_dup0(st, 5);
		m->attempts = sqlite3_column_int(st, 6);
		m->created_at = sqlite3_column_int64(st, 7);
		m->next_attempt_at = sqlite3_column_int64(st, 8);
		m->last_error = sq_col_dup0(st, 9);
		m->channel = sqlite3_column_type(st, 10) == SQLITE_NULL ?
		    NULL : sq_col_dup0(st, 10);
	}
	sqlite3_finalize(st);
	return n;
}

size_t
sq_mail_due(struct store *s, int q, time_t now, struct mail_row *out,
    size_t max)
{
	sqlite3_stmt	*st;

	if ((st = sq_prepare(s, "SELECT " MAIL_COLS("message") " FROM outbox"
	    " WHERE status = 'queued' AND next_attempt_at <= ?1 AND" IN_QUEUE
	    " ORDER BY next_attempt_at, id LIMIT ?2")) == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	sqlite3_bind_int(st, 9, q != 0);
	return sq_mail_rows(st, out, max);
}

int
sq_mail_next_due(struct store *s, int q, time_t *when)
{
	sqlite3_stmt	*st;
	int		 rc = -1;

	if ((st = sq_prepare(s, "SELECT MIN(next_attempt_at) FROM "
	    "outbox WHERE status = 'queued' AND" IN_QUEUE)) == NULL)
		return -1;
	sqlite3_bind_int(st, 9, q != 0);
	if (sqlite3_step(st) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 0) == SQLITE_NULL)
			rc = 0;
		else {
			*when = sqlite3_column_int64(st, 0);
			rc = 1;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

int
sq_mail_attempts(struct store *s, long long id, int *attempts,
    time_t *created)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = sq_prepare(s, "SELECT attempts, created_at FROM "
	    "outbox WHERE id = ?")) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sq_one(s, st)) == STORE_OK) {
		*attempts = sqlite3_column_int(st, 0);
		*created = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return rc;
}

long long
sq_mail_count(struct store *s, int q, const char *status)
{
	sqlite3_stmt	*st;
	long long	 n = -1;

	if ((st = sq_prepare(s, "SELECT COUNT(*) FROM outbox WHERE "
	    "status = ?1 AND" IN_QUEUE)) == NULL)
		return -1;
	sqlite3_bind_int(st, 9, q != 0);
	sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Run one UPDATE with ?1 = a, ?2 = b, ?3 = text, ?4 = id (some unused). */
static int
sq_mail_update(struct store *s, const char *sql, long long id,
    long long a, long long b, const char *text)
{
	sqlite3_stmt	*st;

	if ((st = sq_prepare(s, sql)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, id);
	return sq_done(s, st);
}

int
sq_mail_done(struct store *s, long long id, const char *status, time_t now,
    const char *text)
{
	if (strcmp(status, "sent") == 0)
		return sq_mail_update(s, "UPDATE outbox SET status = 'sent', "
		    "attempts = attempts + 1, sent_at = ?1, "
		    "next_attempt_at = ?2, last_error = ?3 WHERE id = ?4", id,
		    now, now, text);
	return sq_mail_update(s, "UPDATE outbox SET status = 'failed', "
	    "attempts = attempts + 1, next_attempt_at = ?2, "
	    "last_error = ?3 WHERE id = ?4", id, now, now, text);
}

int
sq_mail_reschedule(struct store *s, long long id, int attempts, time_t next,
    const char *text)
{
	return sq_mail_update(s, "UPDATE outbox SET attempts = ?1, "
	    "next_attempt_at = ?2, last_error = ?3 WHERE id = ?4", id,
	    attempts, next, text);
}

int
sq_mail_walk(struct store *s, int (*fn)(const struct mail_row *, void *),
    void *arg)
{
	sqlite3_stmt	*st;
	struct mail_row	 m;
	int		 rc = STORE_OK, stop = 0;

	if ((st = sq_prepare(s, "SELECT " MAIL_COLS("message") " FROM outbox"
	    " ORDER BY id")) == NULL)
		return STORE_ERROR;
	/* One row at a time: a queue may hold many large messages. */
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&m, 0, sizeof m);
		m.id = sqlite3_column_int64(st, 0);
		m.sender = sq_col_dup0(st, 1);
		m.rcpt = sq_col_dup0(st, 2);
		m.subject = sq_col_dup0(st, 3);
		m.message = sq_col_dup0(st, 4);
		m.status = sq_col_dup0(st, 5);
		m.attempts = sqlite3_column_int(st, 6);
		m.created_at = sqlite3_column_int64(st, 7);
		m.next_attempt_at = sqlite3_column_int64(st, 8);
		m.last_error = sq_col_dup0(st, 9);
		m.channel = sqlite3_column_type(st, 10) == SQLITE_NULL ?
		    NULL : sq_col_dup0(st, 10);
		stop = fn(&m, arg) != 0;
		mail_row_free(&m);
	}
	if (!stop && rc != SQLITE_DONE) {
		sq_warn(s);
		rc = STORE_ERROR;
	} else
		rc = STORE_OK;
	sqlite3_finalize(st);
	return rc;
}

size_t
sq_mail_list(struct store *s, int q, const char *status,
    struct mail_row *out, size_t max)
{
	sqlite3_stmt	*st;

	if ((st = sq_prepare(s, "SELECT " MAIL_COLS("''") " FROM outbox"
	    " WHERE (?1 IS NULL OR status = ?1) AND" IN_QUEUE
	    " ORDER BY id DESC LIMIT ?2")) == NULL)
		return 0;
	sqlite3_bind_int(st, 9, q != 0);
	if (status != NULL)
		sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	return sq_mail_rows(st, out, max);
}
