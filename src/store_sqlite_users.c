/*
 * store_sqlite_users.c -- staff accounts in SQLite (table users, made
 * by migration 4 -> 5 in store_sqlite.c).
 */
#include <stdlib.h>
#include <string.h>

#include "store_sqlite.h"
#include "xmalloc.h"

int
sq_user_add(struct store *s, const char *name, const char *role,
    const char *hash, time_t now)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = sq_prepare(s, "INSERT INTO users (name, role, hash,"
	    " created_at) VALUES (?, ?, ?, ?)")) == NULL)
		return STORE_ERROR;
	sq_bind_text(st, 1, name);
	sq_bind_text(st, 2, role);
	sq_bind_text(st, 3, hash);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)now);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return STORE_OK;
	if (rc == SQLITE_CONSTRAINT)
		return STORE_CONFLICT;
	sq_warn(s);
	return STORE_ERROR;
}

int
sq_user_del(struct store *s, const char *name)
{
	sqlite3_stmt	*st;

	if ((st = sq_prepare(s, "DELETE FROM users WHERE name = ?")) == NULL)
		return STORE_ERROR;
	sq_bind_text(st, 1, name);
	if (sq_done(s, st) == -1)
		return STORE_ERROR;
	return sqlite3_changes(SQ(s)) > 0 ? STORE_OK : STORE_NOTFOUND;
}

int
sq_user_get(struct store *s, const char *name, struct store_user *out)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = sq_prepare(s, "SELECT name, role, hash, created_at"
	    " FROM users WHERE name = ?")) == NULL)
		return STORE_ERROR;
	sq_bind_text(st, 1, name);
	if ((rc = sq_one(s, st)) == STORE_OK) {
		sq_col_copy(st, 0, out->name, sizeof out->name);
		sq_col_copy(st, 1, out->role, sizeof out->role);
		out->hash = sq_col_dup0(st, 2);
		out->created_at = (time_t)sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	return rc;
}

int
sq_users(struct store *s, struct store_user **out, size_t *n)
{
	sqlite3_stmt	*st;
	size_t		 cap = 0;
	int		 rc;

	/*
	 * A file no program of version 5 or later opened for writing (read
	 * only: sitewatch migrate's source) has no accounts table: none.
	 */
	if ((st = sq_prepare(s, "SELECT 1 FROM sqlite_master WHERE"
	    " type = 'table' AND name = 'users'")) == NULL)
		return STORE_ERROR;
	rc = sq_one(s, st);
	sqlite3_finalize(st);
	if (rc != STORE_OK)
		return rc == STORE_NOTFOUND ? STORE_OK : STORE_ERROR;
	if ((st = sq_prepare(s, "SELECT name, role, created_at FROM users"
	    " ORDER BY name")) == NULL)
		return STORE_ERROR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			*out = xreallocarray(*out, cap, sizeof **out);
		}
		memset(&(*out)[*n], 0, sizeof **out);
		sq_col_copy(st, 0, (*out)[*n].name, sizeof (*out)[*n].name);
		sq_col_copy(st, 1, (*out)[*n].role, sizeof (*out)[*n].role);
		(*out)[*n].created_at = (time_t)sqlite3_column_int64(st, 2);
		(*n)++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		sq_warn(s);
		return STORE_ERROR;
	}
	return STORE_OK;
}
