/*
 * store_pg_range.c -- which tickets opened in a span of time, for the
 * status page's incident history and the support timings (PostgreSQL).
 */
#include <stdlib.h>

#include <libpq-fe.h>

#include "store_pg.h"
#include "xmalloc.h"

int
pg_ticket_ids(struct store *s, time_t start, time_t end, long long **ids,
    size_t *n)
{
	struct pg_args	 a;
	PGresult	*r;
	int		 i, rows;

	*ids = NULL;
	*n = 0;
	pg_args_init(&a);
	pg_int(&a, (long long)start);
	pg_int(&a, (long long)end);
	if ((r = pg_run(s, "SELECT id FROM tickets WHERE opened_at >= $1"
	    " AND opened_at < $2 ORDER BY opened_at DESC, id DESC", &a)) ==
	    NULL)
		return STORE_ERROR;
	rows = PQntuples(r);
	*ids = xcalloc((size_t)rows + 1, sizeof **ids);
	for (i = 0; i < rows; i++)
		(*ids)[(*n)++] = pg_col_ll(r, i, 0);
	PQclear(r);
	return STORE_OK;
}
