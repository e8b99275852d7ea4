/*
 * store_pg_locations.c -- each location's verdict on a check, and the
 * count of those failing that k of n confirmation reads (PostgreSQL).
 *
 * A row is written when a location's verdict changes, not per result.
 * The count is taken under a transaction-scoped advisory lock on the
 * check's name: of two nodes voting at once, the second waits for the
 * first's commit and its count (a new snapshot per statement) includes
 * the first's row, so the vote that crosses `confirm` is seen by one
 * node at least, and the ticket's insert decides which one opens it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "store_pg.h"
#include "xmalloc.h"

int
pg_location_vote(struct store *s, const struct store_vote *v,
    char *failing, size_t len)
{
	struct pg_args	 a;
	PGresult	*r;
	size_t		 used = 0;
	int		 i, rows;

	pg_args_init(&a);
	pg_text(&a, v->check);
	if ((r = pg_run(s, "SELECT pg_advisory_xact_lock(7401523,"
	    " hashtext($1))", &a)) == NULL)
		return -1;
	PQclear(r);
	pg_args_init(&a);
	pg_text(&a, v->check);
	pg_text(&a, v->location);
	pg_text(&a, v->node);
	pg_text(&a, v->state);
	pg_time(&a, v->since);
	pg_text(&a, v->error);
	if (pg_do(s, "INSERT INTO location_state (check_name, location,"
	    " node, state, since, error) VALUES ($1, $2, $3, $4, $5, $6)"
	    " ON CONFLICT (check_name, location) DO UPDATE SET"
	    " node = excluded.node, state = excluded.state,"
	    " since = excluded.since, error = excluded.error", &a) == -1)
		return -1;
	pg_args_init(&a);
	pg_text(&a, v->check);
	pg_time(&a, v->fresh_after);
	pg_text(&a, v->node);
	/* This node counts itself (its heartbeat may not be written yet). */
	if ((r = pg_run(s, "SELECT l.location FROM location_state l"
	    " LEFT JOIN nodes n ON n.name = l.node"
	    " WHERE l.check_name = $1 AND l.state IN ('down', 'degraded')"
	    " AND (l.node = $3 OR n.last_seen > $2)"
	    " ORDER BY l.location", &a)) == NULL)
		return -1;
	rows = PQntuples(r);
	for (i = 0; i < rows && len > 0; i++) {
		const char *loc = PQgetvalue(r, i, 0);
		int n = snprintf(failing + used, len - used, "%s%s",
		    i > 0 ? ", " : "", loc);

		if (n < 0 || (size_t)n >= len - used)
			break;		/* the count stays right */
		used += (size_t)n;
	}
	PQclear(r);
	return rows;
}

int
pg_ticket_set_locations(struct store *s, long long id,
    const char *locations)
{
	struct pg_args	a;

	pg_args_init(&a);
	pg_text(&a, locations);
	pg_int(&a, id);
	return pg_do(s, "UPDATE tickets SET locations = $1 WHERE id = $2",
	    &a);
}

int
pg_locations(struct store *s, struct store_location **out, size_t *n)
{
	PGresult	*r;
	int		 i, rows;

	/* A node that never beat (or was removed) has no heartbeat: 0. */
	if ((r = pg_run(s, "SELECT l.check_name, l.location, l.state,"
	    " COALESCE(n.last_seen, 0) FROM location_state l"
	    " LEFT JOIN nodes n ON n.name = l.node"
	    " ORDER BY l.check_name, l.location", NULL)) == NULL)
		return STORE_ERROR;
	rows = PQntuples(r);
	*out = xcalloc((size_t)rows + 1, sizeof **out);
	for (i = 0; i < rows; i++) {
		pg_col_copy(r, i, 0, (*out)[i].check, sizeof (*out)[i].check);
		pg_col_copy(r, i, 1, (*out)[i].location,
		    sizeof (*out)[i].location);
		pg_col_copy(r, i, 2, (*out)[i].state, sizeof (*out)[i].state);
		(*out)[i].last_seen = (time_t)pg_col_ll(r, i, 3);
	}
	*n = (size_t)rows;
	PQclear(r);
	return STORE_OK;
}
