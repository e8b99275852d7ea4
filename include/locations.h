/*
 * locations.h -- what each location says of a check, as the readers show
 * it: `status --json`, GET /api/v1/checks, the dashboard and the check
 * page (k of n, SPEC "Several nodes, several locations"); pure.
 *
 * The rows are the nodes' verdicts (store_locations()).  A location
 * counts while the node that wrote its verdict beats: its heartbeat is
 * later than now - node_timeout, the rule the vote's own count uses
 * (store_pg_locations.c), so a page never says "1 of 3" where the count
 * that opens incidents sees 1 of 2.  A location whose node stopped
 * beating shows as "gone" and counts in neither figure.
 */
#ifndef LOCATIONS_H
#define LOCATIONS_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "store.h"

/* Every location's verdict, sorted by check with locations_sort(). */
struct locations {
	const struct store_location	*v;
	size_t				 n;
	time_t				 fresh_after;	/* read - node_timeout */
};

/* What the live locations say of one check. */
struct locations_count {
	int	live;		/* locations with a verdict, node beating */
	int	down;
	int	degraded;
};

/*
 * Sort rows by check with strcmp: the database's collation need not
 * order names as strcmp does, and locations_find() halves by strcmp.
 */
void	 locations_sort(struct store_location *, size_t);
/* The rows of check: how many, the first at *first. */
size_t	 locations_find(const struct locations *, const char *check,
	    size_t *first);
/* A row's state as shown: its verdict, or "gone" (its node is silent). */
const char	*locations_state(const struct locations *,
		    const struct store_location *);
void	 locations_count(const struct locations *, const char *check,
	    struct locations_count *);
/*
 * The partial-outage marker: some but fewer than confirm live locations
 * see the check failing (no incident), e.g. "down from 1 of 3
 * locations" into buf, and 1; otherwise buf is "" and 0.
 */
int	 locations_partial(const struct locations_count *, int confirm,
	    char *buf, size_t len);
/* {LOCATION: state, ...} of check (an empty object when none). */
json_t	*locations_json(const struct locations *, const char *check);

#endif
