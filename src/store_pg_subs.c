/*
 * store_pg_subs.c -- who follows a site's incidents (PostgreSQL); the
 * same rules as store_sqlite_subs.c.  Asking to subscribe locks the
 * (site, address) row, so two nodes asked at once agree.
 */
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "store_pg.h"
#include "xmalloc.h"

#define SUB_COLS	"site, email, token, created_at, confirmed_at"

static void
sub_row(PGresult *r, int i, struct subscriber *out)
{
	memset(out, 0, sizeof *out);
	out->site = pg_col_dup0(r, i, 0);
	out->email = pg_col_dup0(r, i, 1);
	out->token = pg_col_dup0(r, i, 2);
	out->created_at = (time_t)pg_col_ll(r, i, 3);
	out->confirmed_at = (time_t)pg_col_ll(r, i, 4);
}

static int
sub_get(struct store *s, const char *token, struct subscriber *out)
{
	struct pg_args	 a;
	PGresult	*r;
	int		 rc = STORE_NOTFOUND;

	pg_args_init(&a);
	pg_text(&a, token);
	if ((r = pg_run(s, "SELECT " SUB_COLS " FROM subscribers"
	    " WHERE token = $1", &a)) == NULL)
		return STORE_ERROR;
	if (PQntuples(r) == 1) {
		if (out != NULL)
			sub_row(r, 0, out);
		rc = STORE_OK;
	}
	PQclear(r);
	return rc;
}

int
pg_sub_add(struct store *s, const char *site, const char *email,
    const char *token, time_t now, time_t again)
{
	const struct store_ops	*ops = s->ops;
	struct pg_args		 a;
	PGresult		*r;
	int			 found = 0;
	time_t			 created = 0, confirmed = 0;

	if (ops->begin(s) == -1)
		return STORE_ERROR;
	pg_args_init(&a);
	pg_text(&a, site);
	pg_text(&a, email);
	if ((r = pg_run(s, "SELECT created_at, coalesce(confirmed_at, 0)"
	    " FROM subscribers WHERE site = $1 AND email = $2 FOR UPDATE",
	    &a)) == NULL)
		goto err;
	if (PQntuples(r) == 1) {
		found = 1;
		created = (time_t)pg_col_ll(r, 0, 0);
		confirmed = (time_t)pg_col_ll(r, 0, 1);
	}
	PQclear(r);
	if (found && (confirmed != 0 || created > again)) {
		(void)ops->rollback(s);
		return confirmed != 0 ? STORE_INVALID : STORE_CONFLICT;
	}
	pg_args_init(&a);
	pg_text(&a, site);
	pg_text(&a, email);
	pg_text(&a, token);
	pg_int(&a, (long long)now);
	/* ON CONFLICT: another node inserted it meanwhile; take it over. */
	if (pg_do(s, found ? "UPDATE subscribers SET token = $3,"
	    " created_at = $4 WHERE site = $1 AND email = $2" :
	    "INSERT INTO subscribers (site, email, token, created_at)"
	    " VALUES ($1, $2, $3, $4) ON CONFLICT (site, email) DO UPDATE"
	    " SET token = $3, created_at = $4"
	    " WHERE subscribers.confirmed_at IS NULL", &a) == -1 ||
	    ops->commit(s) == -1)
		goto err;
	return STORE_OK;
err:
	(void)ops->rollback(s);
	return STORE_ERROR;
}

int
pg_sub_confirm(struct store *s, const char *token, time_t now,
    struct subscriber *out)
{
	struct pg_args	 a;
	long long	 n;

	pg_args_init(&a);
	pg_int(&a, (long long)now);
	pg_text(&a, token);
	if ((n = pg_changed(s, "UPDATE subscribers SET confirmed_at ="
	    " coalesce(confirmed_at, $1) WHERE token = $2", &a)) == -1)
		return STORE_ERROR;
	if (n == 0)
		return STORE_NOTFOUND;
	return sub_get(s, token, out);
}

int
pg_sub_remove(struct store *s, const char *token, struct subscriber *out)
{
	struct pg_args	 a;
	int		 rc;

	if ((rc = sub_get(s, token, out)) != STORE_OK)
		return rc;
	pg_args_init(&a);
	pg_text(&a, token);
	if (pg_do(s, "DELETE FROM subscribers WHERE token = $1", &a) == -1) {
		if (out != NULL)
			subscriber_free(out);
		return STORE_ERROR;
	}
	return STORE_OK;
}

int
pg_sub_list(struct store *s, const char *site, struct subscriber **out,
    size_t *n)
{
	struct pg_args	 a;
	PGresult	*r;
	int		 i, rows;

	*out = NULL;
	*n = 0;
	pg_args_init(&a);
	pg_text(&a, site);
	if ((r = pg_run(s, "SELECT " SUB_COLS " FROM subscribers WHERE"
	    " site = $1 AND confirmed_at IS NOT NULL ORDER BY email", &a)) ==
	    NULL)
		return STORE_ERROR;
	rows = PQntuples(r);
	*out = xcalloc((size_t)rows + 1, sizeof **out);
	for (i = 0; i < rows; i++)
		sub_row(r, i, &(*out)[(*n)++]);
	PQclear(r);
	return STORE_OK;
}

long long
pg_sub_forget(struct store *s, time_t before)
{
	struct pg_args	a;

	pg_args_init(&a);
	pg_int(&a, (long long)before);
	return pg_changed(s, "DELETE FROM subscribers WHERE confirmed_at"
	    " IS NULL AND created_at < $1", &a);
}

int
pg_sub_import(struct store *s, const struct subscriber *sub)
{
	struct pg_args	a;
	long long	n;

	pg_args_init(&a);
	pg_text(&a, sub->site);
	pg_text(&a, sub->email);
	pg_text(&a, sub->token);
	pg_int(&a, (long long)sub->created_at);
	pg_time(&a, sub->confirmed_at);
	if ((n = pg_changed(s, "INSERT INTO subscribers (site, email, token,"
	    " created_at, confirmed_at) VALUES ($1, $2, $3, $4, $5)"
	    " ON CONFLICT DO NOTHING", &a)) == -1)
		return -1;
	return n > 0;
}
