/*
 * support_report.c -- support timings from tickets and their timelines.
 *
 * Time to acknowledge is acknowledged_at - opened_at; time to resolve is
 * resolved_at - opened_at (whoever resolved it: staff or the recovery).
 * The one who acknowledged is acknowledged_by (the "acknowledged" event
 * says the same).  Median of an even count is the mean of the middle
 * two; the 90th percentile is the nearest rank (the smallest value with
 * at least 90 % of the values at or below it), so it is always a time
 * that was measured.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "support_report.h"
#include "xmalloc.h"

/* The samples of one row while they are gathered. */
struct acc {
	struct support_row	 row;
	double			*tta, *ttr;
	size_t			 ntta, nttr;
};

struct accs {
	struct acc	*v;
	size_t		 n;
};

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double
support_median(double *v, size_t n)
{
	if (n == 0)
		return NAN;
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double
support_percentile(double *v, size_t n, double p)
{
	size_t	rank;

	if (n == 0)
		return NAN;
	qsort(v, n, sizeof *v, cmp_double);
	rank = (size_t)ceil(p / 100 * (double)n);
	if (rank < 1)
		rank = 1;
	return v[rank - 1];
}

/* The row of a staff member (staff) or a site, made on first use. */
static struct acc *
acc_get(struct accs *a, int staff, const char *name)
{
	struct acc	*x;
	size_t		 i;

	for (i = 0; i < a->n; i++) {
		x = &a->v[i];
		if (strcmp(staff ? (x->row.by != NULL ? x->row.by : "") :
		    (x->row.site != NULL ? x->row.site : ""), name) == 0 &&
		    (x->row.by != NULL) == staff)
			return x;
	}
	a->v = xreallocarray(a->v, a->n + 1, sizeof *a->v);
	x = &a->v[a->n++];
	memset(x, 0, sizeof *x);
	if (staff)
		x->row.by = xstrdup(name);
	else
		x->row.site = xstrdup(name);
	return x;
}

/* Append s, doubling the room: a year of tickets is many samples. */
static void
acc_add(double **v, size_t *n, double s)
{
	if ((*n & (*n - 1)) == 0)	/* 0, 1, 2, 4, ...: full */
		*v = xreallocarray(*v, *n == 0 ? 1 : *n * 2, sizeof **v);
	(*v)[(*n)++] = s;
}

/* Count t's times into x (its tickets already counted). */
static void
acc_times(struct acc *x, const struct ticket *t)
{
	if (t->acknowledged_at <= 0)
		return;
	x->row.acknowledged++;
	acc_add(&x->tta, &x->ntta, t->acknowledged_at >= t->opened_at ?
	    (double)(t->acknowledged_at - t->opened_at) : 0);
	if (t->resolved_at > 0)
		acc_add(&x->ttr, &x->nttr, t->resolved_at >= t->opened_at ?
		    (double)(t->resolved_at - t->opened_at) : 0);
}

static int
cmp_row(const void *a, const void *b)
{
	const struct acc	*x = a, *y = b;

	if ((x->row.by != NULL) != (y->row.by != NULL))
		return x->row.by != NULL ? -1 : 1;
	if (x->row.by != NULL)
		return strcmp(x->row.by, y->row.by);
	return strcmp(x->row.site, y->row.site);
}

struct support_row *
support_rows(const struct ticket *v, size_t n, size_t *nrows)
{
	struct accs		 a = { NULL, 0 };
	struct support_row	*rows;
	struct acc		*x, *site;
	const struct ticket	*t;
	size_t			 i, k, j;

	for (i = 0; i < n; i++) {
		t = &v[i];
		site = acc_get(&a, 0, t->site != NULL ? t->site : "");
		site->row.tickets++;
		acc_times(site, t);
		/* Each staff member once a ticket, whatever they did. */
		for (k = 0; k < t->nevents; k++) {
			const char *by = t->events[k].by;

			if (by == NULL || *by == '\0')
				continue;
			for (j = 0; j < k; j++)
				if (t->events[j].by != NULL &&
				    strcmp(t->events[j].by, by) == 0)
					break;
			if (j < k)
				continue;
			x = acc_get(&a, 1, by);
			x->row.tickets++;
			if (t->acknowledged_by != NULL &&
			    strcmp(t->acknowledged_by, by) == 0)
				acc_times(x, t);
		}
	}
	if (a.n > 0)
		qsort(a.v, a.n, sizeof *a.v, cmp_row);
	rows = xcalloc(a.n + 1, sizeof *rows);
	for (i = 0; i < a.n; i++) {
		x = &a.v[i];
		rows[i] = x->row;
		rows[i].mtta_s = support_median(x->tta, x->ntta);
		rows[i].p90_tta_s = support_percentile(x->tta, x->ntta, 90);
		rows[i].mttr_s = support_median(x->ttr, x->nttr);
		free(x->tta);
		free(x->ttr);
	}
	free(a.v);
	*nrows = a.n;
	return rows;
}

void
support_rows_free(struct support_row *rows, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(rows[i].by);
		free(rows[i].site);
	}
	free(rows);
}
