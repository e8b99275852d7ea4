/*
 * rrd_layout.c -- what a check's RRD file holds (SPEC "RRD layout"): its
 * data sources, the archives derived from the retention, the values one
 * result stores and how a value is written.  Definitions and
 * rrd_create_r2 only; no queue, no thread.
 */
#include <sys/stat.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pthread.h>

#include <rrd.h>
#include <rrd_client.h>

#include "config.h"
#include "log.h"
#include "result.h"
#include "rrd_source.h"
#include "rrd_store.h"
#include "rrd_store_int.h"
#include "xmalloc.h"

const char *const rrd_ds_names[RRD_DS_COUNT] = {
	"up", "total_ms", "dns_ms", "connect_ms", "tls_ms", "ttfb_ms",
	"le_100", "le_250", "le_500", "le_1000", "le_2000", "le_5000",
};
const int rrd_bucket_ms[RRD_NBUCKETS] = { 100, 250, 500, 1000, 2000, 5000 };

/* The default retention of SPEC: 1s:2d,5m:14d,1h:90d,1d:5y. */
static const struct rrd_rra rrd_default_rra[] = {
	{ 0, 2 * 86400 }, { 300, 14 * 86400 }, { 3600, 90 * 86400 },
	{ 86400, 5 * 365 * 86400 },
};

/* In a cluster: this location's file (rrd_source.h). */
char *
rrd_store_path(const struct config *cfg, const char *check)
{
	char	*p, *dir, *loc;

	dir = rrd_source_dir(cfg);
	loc = rrd_source_location(cfg);
	if (loc != NULL)
		xasprintf(&p, "%s/%s%c%s.rrd", dir, check, RRD_LOC_SEP, loc);
	else
		xasprintf(&p, "%s/%s.rrd", dir, check);
	free(loc);
	free(dir);
	return p;
}

/*
 * A failed check stores up=0, the timings it got, and 0 in every le_*
 * bucket: it did not answer (successfully) within any bound.  So each
 * le_* AVERAGE is the share of ALL known checks answered in time, and
 * le_X / up is the share among successful ones -- exact even after
 * consolidation, since both are averaged over the same known steps.
 * unknown results store U everywhere.
 */
void
rrd_store_values(const struct result *r, double v[RRD_DS_COUNT])
{
	struct rrd_sample	s;

	rrd_store_sample(r, &s);
	rrd_sample_values(&s, v);
}

void
rrd_store_sample(const struct result *r, struct rrd_sample *s)
{
	s->known = r->state != SW_STATE_UNKNOWN;
	s->up = r->up;
	s->total_ms = r->total_ms;
	s->dns_ms = r->dns_ms;
	s->connect_ms = r->connect_ms;
	s->tls_ms = r->tls_ms;
	s->ttfb_ms = r->ttfb_ms;
}

void
rrd_sample_values(const struct rrd_sample *s, double v[RRD_DS_COUNT])
{
	int	i;

	if (!s->known) {
		for (i = 0; i < RRD_DS_COUNT; i++)
			v[i] = NAN;
		return;
	}
	v[RRD_DS_UP] = s->up ? 1 : 0;
	v[RRD_DS_TOTAL] = s->total_ms;
	v[RRD_DS_DNS] = s->dns_ms;
	v[RRD_DS_CONNECT] = s->connect_ms;
	v[RRD_DS_TLS] = s->tls_ms;
	v[RRD_DS_TTFB] = s->ttfb_ms;
	for (i = 0; i < RRD_NBUCKETS; i++)
		v[RRD_DS_LE_100 + i] = s->up &&
		    s->total_ms <= rrd_bucket_ms[i] ? 1 : 0;
}

int
rrd_store_create(const char *path, int interval, time_t last_up,
    const struct rrd_rra *rra, size_t n, char *err, size_t errlen)
{
	return rrd_store_create_at(NULL, path, interval, last_up, rra, n, err,
	    errlen);
}

int
rrd_store_create_at(const char *daemon, const char *path, int interval,
    time_t last_up, const struct rrd_rra *rra, size_t n, char *err,
    size_t errlen)
{
	const char	*argv[RRD_DS_COUNT + 3 * RRD_RRA_MAX + 4];
	char		*owned[RRD_DS_COUNT + 3 * RRD_RRA_MAX + 4];
	unsigned long	 step, res, rows, prev_res = 0;
	size_t		 i, argc = 0, nowned = 0;
	int		 d, c, rc;

	if (n == 0) {
		rra = rrd_default_rra;
		n = sizeof rrd_default_rra / sizeof rrd_default_rra[0];
	}
	step = interval > 0 ? (unsigned long)interval : 60;
	for (d = 0; d < RRD_DS_COUNT; d++) {
		int bounded = d == RRD_DS_UP || d >= RRD_DS_LE_100;

		xasprintf(&owned[nowned], "DS:%s:GAUGE:%lu:0:%s",
		    rrd_ds_names[d], 2 * step, bounded ? "1" : "U");
		argv[argc++] = owned[nowned++];
	}
	for (i = 0; i < n && i < RRD_RRA_MAX; i++) {
		/* Resolution in whole steps, at least one. */
		res = rra[i].step_s == 0 ? 1 :
		    (rra[i].step_s + step / 2) / step;
		if (res == 0)
			res = 1;
		/* Two entries of one resolution would be one archive. */
		if (res == prev_res)
			continue;
		prev_res = res;
		rows = (rra[i].span_s + res * step / 2) / (res * step);
		if (rows < 2)
			rows = 2;
		for (c = 0; c < 3; c++) {
			static const char *cf[] = { "AVERAGE", "MIN", "MAX" };

			/* At one step MIN and MAX would repeat AVERAGE. */
			if (c > 0 && res == 1)
				break;
			xasprintf(&owned[nowned], "RRA:%s:" RRD_XFF ":%lu:%lu", cf[c],
			    res, rows);
			argv[argc++] = owned[nowned++];
		}
	}
	rrd_clear_error();
	if (daemon != NULL) {
		/* rrdcached's CREATE: the file is on its machine. */
		pthread_mutex_lock(&rrd_store_rrdc_lock);
		rc = rrdc_connect(daemon);
		if (rc == 0)
			rc = rrdc_create_r2(path, step, last_up, 1, NULL, NULL,
			    (int)argc, argv);
		if (rc != 0)
			snprintf(err, errlen, "%s", *rrd_get_error() != '\0' ?
			    rrd_get_error() : "rrdcached refused CREATE");
		pthread_mutex_unlock(&rrd_store_rrdc_lock);
	} else if ((rc = rrd_create_r2(path, step, last_up, 1, NULL, NULL,
	    (int)argc, argv)) != 0)
		snprintf(err, errlen, "%s", rrd_get_error());
	/*
	 * librrd makes the file 0644 whatever the umask: state files are not
	 * for other users (the daemon's umask is 027).
	 */
	else if (chmod(path, 0640) == -1)
		log_warn("rrd: cannot chmod %s: %s", path, strerror(errno));
	rrd_clear_error();
	for (i = 0; i < nowned; i++)
		free(owned[i]);
	return rc == 0 ? 0 : -1;
}

/* Write the decimal digits of q >= 0 at p; returns their count. */
size_t
rrd_store_digits(char *p, long long q)
{
	char	tmp[24];
	size_t	n = 0, k = 0;

	do {
		tmp[k++] = (char)('0' + q % 10);
		q /= 10;
	} while (q > 0);
	while (k > 0)
		p[n++] = tmp[--k];
	return n;
}

/*
 * Drop the fraction's trailing zeros, and its point when nothing is left
 * of it: the same number to librrd, and rrdcached holds every value as
 * the text it was sent until it writes the file (minutes): "1" and "0"
 * instead of "1.000" and "0.000" make the line of 13 values about half
 * as long, and rrdcached's memory shrinks with it.
 */
static size_t
rrd_store_trim(char *p, size_t n)
{
	if (memchr(p, '.', n) == NULL)
		return n;
	while (n > 0 && p[n - 1] == '0')
		n--;
	if (n > 0 && p[n - 1] == '.')
		n--;
	p[n] = '\0';
	return n;
}

/* No %.3f per value: see inside. */
size_t
rrd_store_format_value(char *p, double v)
{
	long long	 r;
	double		 m;
	size_t		 n = 0;
	int		 f;

	if (isnan(v)) {
		p[0] = 'U';
		p[1] = '\0';
		return 1;
	}
	/*
	 * %.3f costs about 150 ns a value.  When v * 1000 is within 1e-3 of
	 * an integer, far from a rounding tie (its own error is < 1.3e-4
	 * below 1e12), that integer is what %.3f prints; timings from
	 * curl's microseconds always are.  Anything else takes snprintf.
	 */
	m = fabs(v) * 1000;
	if (!(m < 1e12) || fabs(m - (double)(r = llround(m))) >= 1e-3)
		return rrd_store_trim(p,
		    (size_t)snprintf(p, RRD_VALUE_MAX, "%.3f", v));
	if (signbit(v))
		p[n++] = '-';
	f = (int)(r % 1000);
	n += rrd_store_digits(p + n, r / 1000);
	p[n++] = '.';
	p[n++] = (char)('0' + f / 100);
	p[n++] = (char)('0' + f / 10 % 10);
	p[n++] = (char)('0' + f % 10);
	return rrd_store_trim(p, n);
}
