/*
 * store_pg_users.c -- staff accounts in PostgreSQL (table users, made by
 * migration 2 -> 3 in store_pg.c).  Every node reads the same table, so
 * an account added on one is good for logging in on all of them.
 */
#include <stdlib.h>
#include <string.h>

#include "store_pg.h"
#include "xmalloc.h"

int
pg_user_add(struct store *s, const char *name, const char *role,
    const char *hash, time_t now)
{
	struct pg_args	a;
	long long	n;

	pg_args_init(&a);
	pg_text(&a, name);
	pg_text(&a, role);
	pg_text(&a, hash);
	pg_int(&a, (long long)now);
	/* A taken name is an answer, not a failure to log. */
	n = pg_changed(s, "INSERT INTO users (name, role, hash, created_at)"
	    " VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING", &a);
	if (n < 0)
		return STORE_ERROR;
	return n == 0 ? STORE_CONFLICT : STORE_OK;
}

int
pg_user_del(struct store *s, const char *name)
{
	struct pg_args	a;
	long long	n;

	pg_args_init(&a);
	pg_text(&a, name);
	if ((n = pg_changed(s, "DELETE FROM users WHERE name = $1", &a)) < 0)
		return STORE_ERROR;
	return n > 0 ? STORE_OK : STORE_NOTFOUND;
}

int
pg_user_get(struct store *s, const char *name, struct store_user *out)
{
	struct pg_args	 a;
	PGresult	*r;
	int		 rc = STORE_NOTFOUND;

	pg_args_init(&a);
	pg_text(&a, name);
	if ((r = pg_run(s, "SELECT name, role, hash, created_at FROM users"
	    " WHERE name = $1", &a)) == NULL)
		return STORE_ERROR;
	if (PQntuples(r) == 1) {
		pg_col_copy(r, 0, 0, out->name, sizeof out->name);
		pg_col_copy(r, 0, 1, out->role, sizeof out->role);
		out->hash = pg_col_dup0(r, 0, 2);
		out->created_at = (time_t)pg_col_ll(r, 0, 3);
		rc = STORE_OK;
	}
	PQclear(r);
	return rc;
}

int
pg_users(struct store *s, struct store_user **out, size_t *n)
{
	PGresult	*r;
	int		 i, rows;

	if ((r = pg_run(s, "SELECT name, role, created_at FROM users"
	    " ORDER BY name", NULL)) == NULL)
		return STORE_ERROR;
	rows = PQntuples(r);
	if (rows > 0)
		*out = xcalloc((size_t)rows, sizeof **out);
	for (i = 0; i < rows; i++) {
		pg_col_copy(r, i, 0, (*out)[i].name, sizeof (*out)[i].name);
		pg_col_copy(r, i, 1, (*out)[i].role, sizeof (*out)[i].role);
		(*out)[i].created_at = (time_t)pg_col_ll(r, i, 2);
		(*n)++;
	}
	PQclear(r);
	return STORE_OK;
}
