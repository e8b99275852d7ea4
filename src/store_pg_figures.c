/*
 * store_pg_figures.c -- each check's uptime figures, read from the RRD
 * files by the check's lead node and shared with the other nodes
 * (PostgreSQL; see web_view.c).
 *
 * Readers ask for the rows written after the last one they saw, by a
 * number taken from a sequence.  Numbers are taken in one order and
 * committed in another when two writers overlap, and a reader could then
 * pass over the smaller one; so writers take them under a
 * transaction-scoped advisory lock, which serialises them to commit
 * time: what a reader sees is always a prefix of the numbers.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "store_pg.h"
#include "xmalloc.h"

#define PG_FIGURES_LOCK	"7401524"

int
pg_figures_put(struct store *s, const struct store_figures *v, size_t n)
{
	struct pg_args	a;
	size_t		i;

	if (n == 0)
		return STORE_OK;
	if (store_begin(s) == -1)
		return STORE_ERROR;
	if (pg_do(s, "SELECT pg_advisory_xact_lock(" PG_FIGURES_LOCK ")",
	    NULL) == -1)
		goto fail;
	for (i = 0; i < n; i++) {
		pg_args_init(&a);
		pg_text(&a, v[i].check);
		pg_double(&a, v[i].up24);
		pg_double(&a, v[i].down24);
		pg_double(&a, v[i].up30);
		pg_double(&a, v[i].down30);
		pg_text(&a, v[i].days);
		pg_int(&a, (long long)v[i].at);
		/* Days not read this time keep the ones read before. */
		if (pg_do(s, "INSERT INTO check_figures (check_name, up24,"
		    " down24, up30, down30, days, at, seq) VALUES ($1, $2, $3,"
		    " $4, $5, $6, $7, nextval('check_figures_seq'))"
		    " ON CONFLICT (check_name) DO UPDATE SET"
		    " up24 = excluded.up24, down24 = excluded.down24,"
		    " up30 = excluded.up30, down30 = excluded.down30,"
		    " days = COALESCE(excluded.days, check_figures.days),"
		    " at = excluded.at, seq = excluded.seq", &a) == -1)
			goto fail;
	}
	if (store_commit(s) == -1)
		goto fail;
	return STORE_OK;
fail:
	store_rollback(s);
	return STORE_ERROR;
}

static double
pg_col_double(PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return NAN;
	return strtod(PQgetvalue(r, row, col), NULL);
}

int
pg_figures_since(struct store *s, long long after, struct store_figures **out,
    size_t *n)
{
	struct pg_args	 a;
	PGresult	*r;
	int		 i, rows;

	pg_args_init(&a);
	pg_int(&a, after);
	if ((r = pg_run(s, "SELECT check_name, up24, down24, up30, down30,"
	    " days, at, seq FROM check_figures WHERE seq > $1 ORDER BY seq",
	    &a)) == NULL)
		return STORE_ERROR;
	rows = PQntuples(r);
	*out = xcalloc((size_t)rows + 1, sizeof **out);
	for (i = 0; i < rows; i++) {
		struct store_figures *f = &(*out)[i];

		pg_col_copy(r, i, 0, f->check, sizeof f->check);
		f->up24 = pg_col_double(r, i, 1);
		f->down24 = pg_col_double(r, i, 2);
		f->up30 = pg_col_double(r, i, 3);
		f->down30 = pg_col_double(r, i, 4);
		f->days = PQgetisnull(r, i, 5) ? NULL : pg_col_dup(r, i, 5);
		f->at = (time_t)pg_col_ll(r, i, 6);
		f->seq = pg_col_ll(r, i, 7);
	}
	*n = (size_t)rows;
	PQclear(r);
	return STORE_OK;
}
