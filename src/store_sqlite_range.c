/*
 * store_sqlite_range.c -- which tickets opened in a span of time, for the
 * status page's incident history and the support timings (SQLite).
 */
#include <stdlib.h>

#include <sqlite3.h>

#include "store_sqlite.h"
#include "xmalloc.h"

int
sq_ticket_ids(struct store *s, time_t start, time_t end, long long **ids,
    size_t *n)
{
	sqlite3_stmt	*st;
	size_t		 cap = 0;
	int		 rc;

	*ids = NULL;
	*n = 0;
	if ((st = sq_prepare(s, "SELECT id FROM tickets WHERE opened_at >= ?"
	    " AND opened_at < ? ORDER BY opened_at DESC, id DESC")) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)start);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)end);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap == 0 ? 32 : cap * 2;
			*ids = xreallocarray(*ids, cap, sizeof **ids);
		}
		(*ids)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		sq_warn(s);
		free(*ids);
		*ids = NULL;
		*n = 0;
		return STORE_ERROR;
	}
	return STORE_OK;
}
