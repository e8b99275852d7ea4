/*
 * locations.c -- each location's verdict on a check, as the readers
 * show it (see locations.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "locations.h"

static int
locations_cmp(const void *a, const void *b)
{
	const struct store_location *x = a, *y = b;
	int c = strcmp(x->check, y->check);

	return c != 0 ? c : strcmp(x->location, y->location);
}

void
locations_sort(struct store_location *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof *v, locations_cmp);
}

/*
 * The first of check's rows is found by halving, so 100,000 checks do
 * not each read every row.
 */
size_t
locations_find(const struct locations *l, const char *check, size_t *first)
{
	size_t	lo = 0, hi = l->n, mid, end;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(l->v[mid].check, check) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < l->n && strcmp(l->v[end].check, check) == 0;
	    end++)
		;
	*first = lo;
	return end - lo;
}

/* As the vote counts (store_pg_locations.c): a heartbeat after then. */
static int
locations_live(const struct locations *l, const struct store_location *r)
{
	return r->last_seen > l->fresh_after;
}

const char *
locations_state(const struct locations *l, const struct store_location *r)
{
	return locations_live(l, r) ? r->state : "gone";
}

void
locations_count(const struct locations *l, const char *check,
    struct locations_count *out)
{
	size_t	i, first, n;

	memset(out, 0, sizeof *out);
	n = locations_find(l, check, &first);
	for (i = first; i < first + n; i++) {
		if (!locations_live(l, &l->v[i]))
			continue;
		out->live++;
		if (strcmp(l->v[i].state, "down") == 0)
			out->down++;
		else if (strcmp(l->v[i].state, "degraded") == 0)
			out->degraded++;
	}
}

int
locations_partial(const struct locations_count *k, int confirm, char *buf,
    size_t len)
{
	int		 failing = k->down + k->degraded;
	const char	*what;

	if (len > 0)
		buf[0] = '\0';
	/* confirm or more failing is an incident: the state says it. */
	if (failing == 0 || failing >= confirm)
		return 0;
	if (k->degraded == 0)
		what = "down";
	else if (k->down == 0)
		what = "degraded";
	else
		what = "failing";
	snprintf(buf, len, "%s from %d of %d location%s", what, failing,
	    k->live, k->live == 1 ? "" : "s");
	return 1;
}

json_t *
locations_json(const struct locations *l, const char *check)
{
	json_t	*o = json_object();
	size_t	 i, first, n;

	n = locations_find(l, check, &first);
	for (i = first; i < first + n; i++)
		json_object_set_new(o, l->v[i].location,
		    json_string(locations_state(l, &l->v[i])));
	return o;
}
