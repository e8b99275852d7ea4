/*
 * store_sqlite_subs.c -- who follows a site's incidents (SQLite).
 *
 * One row per site and address; its token both confirms and
 * unsubscribes (it only ever travels in mail to that address).  Asking
 * again before confirming renews the token, unless asked too soon.
 */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store_sqlite.h"
#include "xmalloc.h"

#define SUB_COLS	"site, email, token, created_at, confirmed_at"

static void
sub_row(sqlite3_stmt *st, struct subscriber *out)
{
	memset(out, 0, sizeof *out);
	out->site = sq_col_dup0(st, 0);
	out->email = sq_col_dup0(st, 1);
	out->token = sq_col_dup0(st, 2);
	out->created_at = (time_t)sqlite3_column_int64(st, 3);
	out->confirmed_at = (time_t)sqlite3_column_int64(st, 4);
}

/* The row of token into out (may be NULL). */
static int
sub_get(struct store *s, const char *token, struct subscriber *out)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = sq_prepare(s, "SELECT " SUB_COLS " FROM subscribers"
	    " WHERE token = ?")) == NULL)
		return STORE_ERROR;
	sq_bind_text(st, 1, token);
	if ((rc = sq_one(s, st)) == STORE_OK && out != NULL)
		sub_row(st, out);
	sqlite3_finalize(st);
	return rc;
}

int
sq_sub_add(struct store *s, const char *site, const char *email,
    const char *token, time_t now, time_t again)
{
	sqlite3_stmt	*st;
	int		 rc, found;
	time_t		 created = 0, confirmed = 0;

	if (sq_exec(s, "BEGIN IMMEDIATE") == -1)
		return STORE_ERROR;
	if ((st = sq_prepare(s, "SELECT created_at, confirmed_at FROM"
	    " subscribers WHERE site = ? AND email = ?")) == NULL)
		goto err;
	sq_bind_text(st, 1, site);
	sq_bind_text(st, 2, email);
	if ((rc = sq_one(s, st)) == STORE_ERROR) {
		sqlite3_finalize(st);
		goto err;
	}
	found = rc == STORE_OK;
	if (found) {
		created = (time_t)sqlite3_column_int64(st, 0);
		confirmed = (time_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (found && (confirmed != 0 || created > again)) {
		(void)sq_exec(s, "ROLLBACK");
		return confirmed != 0 ? STORE_INVALID : STORE_CONFLICT;
	}
	st = sq_prepare(s, found ? "UPDATE subscribers SET token = ?3,"
	    " created_at = ?4 WHERE site = ?1 AND email = ?2" :
	    "INSERT INTO subscribers (site, email, token, created_at)"
	    " VALUES (?1, ?2, ?3, ?4)");
	if (st == NULL)
		goto err;
	sq_bind_text(st, 1, site);
	sq_bind_text(st, 2, email);
	sq_bind_text(st, 3, token);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)now);
	if (sq_done(s, st) == -1 || sq_exec(s, "COMMIT") == -1)
		goto err;
	return STORE_OK;
err:
	(void)sq_exec(s, "ROLLBACK");
	return STORE_ERROR;
}

int
sq_sub_confirm(struct store *s, const char *token, time_t now,
    struct subscriber *out)
{
	sqlite3_stmt	*st;

	if ((st = sq_prepare(s, "UPDATE subscribers SET confirmed_at ="
	    " coalesce(confirmed_at, ?) WHERE token = ?")) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	sq_bind_text(st, 2, token);
	if (sq_done(s, st) == -1)
		return STORE_ERROR;
	if (sqlite3_changes(SQ(s)) == 0)
		return STORE_NOTFOUND;
	return sub_get(s, token, out);
}

int
sq_sub_remove(struct store *s, const char *token, struct subscriber *out)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((rc = sub_get(s, token, out)) != STORE_OK)
		return rc;
	if ((st = sq_prepare(s, "DELETE FROM subscribers WHERE token = ?"))
	    == NULL || (sq_bind_text(st, 1, token), sq_done(s, st)) == -1) {
		if (out != NULL)
			subscriber_free(out);
		return STORE_ERROR;
	}
	return STORE_OK;
}

int
sq_sub_list(struct store *s, const char *site, struct subscriber **out,
    size_t *n)
{
	sqlite3_stmt	*st;
	size_t		 cap = 0;
	int		 rc;

	*out = NULL;
	*n = 0;
	if ((st = sq_prepare(s, "SELECT " SUB_COLS " FROM subscribers"
	    " WHERE site = ? AND confirmed_at IS NOT NULL ORDER BY email"))
	    == NULL)
		return STORE_ERROR;
	sq_bind_text(st, 1, site);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			*out = xreallocarray(*out, cap, sizeof **out);
		}
		sub_row(st, &(*out)[(*n)++]);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		sq_warn(s);
		while (*n > 0)
			subscriber_free(&(*out)[--(*n)]);
		free(*out);
		*out = NULL;
		return STORE_ERROR;
	}
	return STORE_OK;
}

long long
sq_sub_forget(struct store *s, time_t before)
{
	sqlite3_stmt	*st;

	if ((st = sq_prepare(s, "DELETE FROM subscribers WHERE confirmed_at"
	    " IS NULL AND created_at < ?")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)before);
	if (sq_done(s, st) == -1)
		return -1;
	return sqlite3_changes(SQ(s));
}
