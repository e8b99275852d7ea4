/*
 * support_report.h -- how fast support answers: per staff member and per
 * site, tickets, acknowledged, median and p90 time to acknowledge, median
 * time to resolve (`sitewatch report --support`).
 *
 * Pure: tickets (with their events) in, rows out; the CLI reads the
 * tickets through the store door and prints.
 */
#ifndef SUPPORT_REPORT_H
#define SUPPORT_REPORT_H

#include <stddef.h>

struct ticket;

struct support_row {
	char		*by;		/* a staff member's row, or NULL */
	char		*site;		/* a site's row, or NULL */
	long long	 tickets;
	long long	 acknowledged;
	double		 mtta_s;	/* median time to acknowledge; NAN */
	double		 p90_tta_s;	/* its 90th percentile; NAN */
	double		 mttr_s;	/* median time to resolve; NAN */
};

/*
 * Rows of tickets v[0..n): every staff member who acted on one (by name),
 * then every site (by name; "" for a ticket without one).  A staff
 * member's tickets are those with an event of theirs; acknowledged, those
 * they acknowledged, whose times to acknowledge and (once resolved) to
 * resolve are theirs.  Times run from the ticket's opening.
 */
struct support_row	*support_rows(const struct ticket *v, size_t n,
			    size_t *nrows);
void			 support_rows_free(struct support_row *, size_t);

/* The median and the p-th percentile (nearest rank) of v; NAN if n = 0. */
double	support_median(double *v, size_t n);
double	support_percentile(double *v, size_t n, double p);

#endif
