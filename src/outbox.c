/*
 * outbox.c -- the persistent mail queue in SQLite.
 *
 * DESIGN: a mail is a row before anyone tries to send it, and it changes
 * to "sent" only after the server took it, so a crash or a restart at
 * any point resends at most the message in flight and never loses one.
 * The database file is shared with the ticket store (which owns its
 * PRAGMA user_version); our tables all start with "outbox" and are made
 * with CREATE TABLE IF NOT EXISTS, so either side may create the file.
 * WAL lets the CLI read while the daemon writes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "log.h"
#include "outbox.h"
#include "xmalloc.h"

struct outbox {
	sqlite3	*db;
	long	 backoff_min;
	long	 backoff_max;
};

static const char schema[] =
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
    " ON outbox (status, next_attempt_at);";

/* Read SITEWATCH_MAIL_BACKOFF="MIN,MAX" over the defaults. */
static void
outbox_read_backoff(struct outbox *ob)
{
	const char	*env;
	long		 a, b;

	ob->backoff_min = OUTBOX_BACKOFF_MIN;
	ob->backoff_max = OUTBOX_BACKOFF_MAX;
	if ((env = getenv("SITEWATCH_MAIL_BACKOFF")) == NULL)
		return;
	if (sscanf(env, "%ld,%ld", &a, &b) == 2 && a >= 1 && b >= a) {
		ob->backoff_min = a;
		ob->backoff_max = b;
	}
}

struct outbox *
outbox_open(const char *path, char *err, size_t errlen)
{
	struct outbox	*ob;
	char		*msg = NULL;

	ob = xcalloc(1, sizeof *ob);
	outbox_read_backoff(ob);
	if (sqlite3_open_v2(path, &ob->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, ob->db != NULL ?
		    sqlite3_errmsg(ob->db) : "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(ob->db, 5000);
	/* FULL: a queued mail is on disk before we say it is queued. */
	if (sqlite3_exec(ob->db, "PRAGMA journal_mode=WAL;"
	    "PRAGMA synchronous=FULL;", NULL, NULL, &msg) != SQLITE_OK ||
	    sqlite3_exec(ob->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, msg != NULL ? msg :
		    sqlite3_errmsg(ob->db));
		sqlite3_free(msg);
		goto fail;
	}
	return ob;
fail:
	sqlite3_close(ob->db);
	free(ob);
	return NULL;
}

void
outbox_close(struct outbox *ob)
{
	if (ob == NULL)
		return;
	sqlite3_close(ob->db);
	free(ob);
}

long
outbox_backoff(const struct outbox *ob, int attempts)
{
	long	d = ob->backoff_min;
	int	i;

	for (i = 1; i < attempts && d < ob->backoff_max; i++)
		d *= 2;
	return d < ob->backoff_max ? d : ob->backoff_max;
}

/* Prepare sql or log why not; NULL on error. */
static sqlite3_stmt *
outbox_prepare(struct outbox *ob, const char *sql)
{
	sqlite3_stmt	*st;

	if (sqlite3_prepare_v2(ob->db, sql, -1, &st, NULL) != SQLITE_OK) {
		log_error("outbox: %s", sqlite3_errmsg(ob->db));
		return NULL;
	}
	return st;
}

long long
outbox_push(struct outbox *ob, const char *sender, const char *rcpt,
    const char *subject, const char *message, time_t now)
{
	sqlite3_stmt	*st;
	long long	 id = -1;

	if ((st = outbox_prepare(ob, "INSERT INTO outbox (created_at, "
	    "sender, recipients, subject, message, next_attempt_at) "
	    "VALUES (?, ?, ?, ?, ?, ?)")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_text(st, 2, sender, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, rcpt, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, message, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, now);
	if (sqlite3_step(st) == SQLITE_DONE)
		id = sqlite3_last_insert_rowid(ob->db);
	else
		log_error("outbox: %s", sqlite3_errmsg(ob->db));
	sqlite3_finalize(st);
	return id;
}

static char *
col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char	*s = sqlite3_column_text(st, i);

	return xstrdup(s != NULL ? (const char *)s : "");
}

size_t
outbox_due(struct outbox *ob, time_t now, struct outbox_mail *out,
    size_t max)
{
	sqlite3_stmt	*st;
	size_t		 n = 0;

	if ((st = outbox_prepare(ob, "SELECT id, sender, recipients, "
	    "message, attempts, created_at FROM outbox WHERE status = "
	    "'queued' AND next_attempt_at <= ? ORDER BY next_attempt_at, id "
	    "LIMIT ?")) == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	while (n < max && sqlite3_step(st) == SQLITE_ROW) {
		out[n].id = sqlite3_column_int64(st, 0);
		out[n].sender = col_dup(st, 1);
		out[n].rcpt = col_dup(st, 2);
		out[n].message = col_dup(st, 3);
		out[n].attempts = sqlite3_column_int(st, 4);
		out[n].created_at = sqlite3_column_int64(st, 5);
		n++;
	}
	sqlite3_finalize(st);
	return n;
}

void
outbox_mail_free(struct outbox_mail *m)
{
	free(m->sender);
	free(m->rcpt);
	free(m->message);
	memset(m, 0, sizeof *m);
}

int
outbox_next_due(struct outbox *ob, time_t *when)
{
	sqlite3_stmt	*st;
	int		 rc = -1;

	if ((st = outbox_prepare(ob, "SELECT MIN(next_attempt_at) FROM "
	    "outbox WHERE status = 'queued'")) == NULL)
		return -1;
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

/* Run one UPDATE with ?1 = a, ?2 = b, ?3 = text, ?4 = id (some unused). */
static int
outbox_update(struct outbox *ob, const char *sql, long long id,
    long long a, long long b, const char *text)
{
	sqlite3_stmt	*st;
	int		 rc = -1;

	if ((st = outbox_prepare(ob, sql)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, id);
	if (sqlite3_step(st) == SQLITE_DONE)
		rc = 0;
	else
		log_error("outbox: %s", sqlite3_errmsg(ob->db));
	sqlite3_finalize(st);
	return rc;
}

int
outbox_sent(struct outbox *ob, long long id, time_t now, const char *answer)
{
	return outbox_update(ob, "UPDATE outbox SET status = 'sent', "
	    "attempts = attempts + 1, sent_at = ?1, next_attempt_at = ?2, "
	    "last_error = ?3 WHERE id = ?4", id, now, now, answer);
}

int
outbox_failed(struct outbox *ob, long long id, time_t now, const char *error)
{
	return outbox_update(ob, "UPDATE outbox SET status = 'failed', "
	    "attempts = attempts + 1, next_attempt_at = ?2, "
	    "last_error = ?3 WHERE id = ?4", id, now, now, error);
}

int
outbox_retry(struct outbox *ob, long long id, time_t now, const char *error)
{
	sqlite3_stmt	*st;
	time_t		 created = now;
	int		 attempts = 0;
	char		*why;
	int		 rc;

	if ((st = outbox_prepare(ob, "SELECT attempts, created_at FROM "
	    "outbox WHERE id = ?")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		attempts = sqlite3_column_int(st, 0);
		created = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	attempts++;
	if (now - created >= OUTBOX_GIVE_UP_S) {
		xasprintf(&why, "gave up after %d attempts: %s", attempts,
		    error);
		rc = outbox_failed(ob, id, now, why);
		free(why);
		return rc;
	}
	return outbox_update(ob, "UPDATE outbox SET attempts = ?1, "
	    "next_attempt_at = ?2, last_error = ?3 WHERE id = ?4", id,
	    attempts, now + outbox_backoff(ob, attempts), error);
}

size_t
outbox_list(struct outbox *ob, const char *status, struct outbox_row *out,
    size_t max)
{
	sqlite3_stmt	*st;
	size_t		 n = 0;

	if ((st = outbox_prepare(ob, "SELECT id, recipients, subject, status,"
	    " attempts, created_at, next_attempt_at, last_error FROM outbox"
	    " WHERE ?1 IS NULL OR status = ?1 ORDER BY id DESC LIMIT ?2"))
	    == NULL)
		return 0;
	if (status != NULL)
		sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	while (n < max && sqlite3_step(st) == SQLITE_ROW) {
		out[n].id = sqlite3_column_int64(st, 0);
		out[n].rcpt = col_dup(st, 1);
		out[n].subject = col_dup(st, 2);
		out[n].status = col_dup(st, 3);
		out[n].attempts = sqlite3_column_int(st, 4);
		out[n].created_at = sqlite3_column_int64(st, 5);
		out[n].next_attempt_at = sqlite3_column_int64(st, 6);
		out[n].last_error = col_dup(st, 7);
		n++;
	}
	sqlite3_finalize(st);
	return n;
}

void
outbox_row_free(struct outbox_row *r)
{
	free(r->rcpt);
	free(r->subject);
	free(r->status);
	free(r->last_error);
	memset(r, 0, sizeof *r);
}
