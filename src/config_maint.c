/*
 * config_maint.c -- maintenance windows: the grammar of a
 * "maintenance = " value and the test whether one is on at a moment.
 *
 * A weekly window ("Sun 02:00-04:00") is kept as minutes since Monday
 * 00:00 local time, so that the test is one localtime_r() and two
 * comparisons; a window may cross midnight and the end of the week.  A
 * one-off window ("2026-12-01T02:00/2026-12-01T04:00") is read in local
 * time and kept as epoch seconds.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "config.h"
#include "config_int.h"
#include "xmalloc.h"

#define WEEK_MIN	(7 * 24 * 60)

static const char *day_names[7] = {
	"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"
};
static const char *day_full_names[7] = {
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
	"Sunday"
};

/* Parse a "h:mm"/"hh:mm" time of day into minutes; 24:00 when end. */
static int
parse_hhmm(const char **pp, int end, int *out)
{
	const char	*p = *pp;
	int		 h = 0, m, nd = 0;

	while (isdigit((unsigned char)*p) && nd < 2) {
		h = h * 10 + (*p++ - '0');
		nd++;
	}
	if (nd == 0 || *p++ != ':')
		return -1;
	if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]))
		return -1;
	m = (p[0] - '0') * 10 + (p[1] - '0');
	p += 2;
	if (m > 59 || h > 24 || (h == 24 && (!end || m != 0)))
		return -1;
	*out = h * 60 + m;
	*pp = p;
	return 0;
}

/* Parse one local "YYYY-MM-DDTHH:MM[:SS]" into epoch seconds. */
static int
parse_local(const char *s, time_t *out)
{
	struct tm	 tm, want;
	const char	*end;

	memset(&tm, 0, sizeof tm);
	if ((end = strptime(s, "%Y-%m-%dT%H:%M", &tm)) == NULL)
		return -1;
	if (*end == ':' && (end = strptime(end, ":%S", &tm)) == NULL)
		return -1;
	if (*end != '\0')
		return -1;
	want = tm;
	tm.tm_isdst = -1;
	if ((*out = mktime(&tm)) == (time_t)-1)
		return -1;
	/* mktime quietly turns Feb 30 into Mar 2: refuse such dates. */
	if (tm.tm_mday != want.tm_mday || tm.tm_mon != want.tm_mon ||
	    tm.tm_year != want.tm_year)
		return -1;
	return 0;
}

/*
 * One end (which: "start" or "end") of a one-off window into *t; frees
 * a, an allocated copy of the text.
 */
static int
parse_edge(char *a, const char *which, time_t *t, char *err, size_t errlen)
{
	char	b[SHOW_BUF];
	int	rc = 0;

	if (parse_local(conf_rstrip(conf_lskip(a)), t) == -1) {
		snprintf(err, errlen, "bad %s \"%s\" (expected a valid "
		    "YYYY-MM-DDTHH:MM)", which, conf_show(a, b, sizeof b));
		rc = -1;
	}
	free(a);
	return rc;
}

/* Parse one maintenance window (weekly or one-off). */
int
maint_parse(const char *v, struct maint_window *w, char *err, size_t errlen)
{
	const char	*p, *slash;
	char		 day[16], b[SHOW_BUF];
	size_t		 n;
	int		 d, start, end, dur;

	memset(w, 0, sizeof *w);
	if ((slash = strchr(v, '/')) != NULL) {
		if (parse_edge(xstrndup(v, (size_t)(slash - v)), "start",
		    &w->from, err, errlen) == -1 ||
		    parse_edge(xstrdup(slash + 1), "end", &w->to, err,
		    errlen) == -1)
			return -1;
		if (w->to <= w->from) {
			snprintf(err, errlen, "window ends before it starts");
			return -1;
		}
		return 0;
	}

	w->weekly = 1;
	for (n = 0; isalpha((unsigned char)v[n]) && n < sizeof day - 1; n++)
		day[n] = v[n];
	day[n] = '\0';
	if (n == 0 || !isspace((unsigned char)v[n]))
		goto shape;
	for (d = 0; d < 7; d++)
		if (strcasecmp(day, day_names[d]) == 0 ||
		    strcasecmp(day, day_full_names[d]) == 0)
			break;
	if (d == 7) {
		snprintf(err, errlen, "unknown day \"%s\" (use Mon, Tue, Wed, "
		    "Thu, Fri, Sat or Sun)", conf_show(day, b, sizeof b));
		return -1;
	}
	for (p = v + n; *p == ' ' || *p == '\t'; p++)
		;
	if (parse_hhmm(&p, 0, &start) == -1)
		goto badtime;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p++ != '-')
		goto shape;
	while (*p == ' ' || *p == '\t')
		p++;
	if (parse_hhmm(&p, 1, &end) == -1)
		goto badtime;
	if (*p != '\0')
		goto shape;
	if ((dur = end - start) == 0) {
		snprintf(err, errlen, "window is empty (start and end are "
		    "equal)");
		return -1;
	}
	if (dur < 0)
		dur += 24 * 60;		/* crosses midnight */
	w->week_start_min = d * 24 * 60 + start;
	w->week_end_min = (w->week_start_min + dur) % WEEK_MIN;
	return 0;
badtime:
	/* Name the time that failed: the run of digits and colons. */
	n = strspn(p, "0123456789:");
	if (n > 0 && n < sizeof day) {
		memcpy(day, p, n);
		day[n] = '\0';
		snprintf(err, errlen, "bad time \"%s\" (expected HH:MM from "
		    "00:00 to 24:00)", day);
		return -1;
	}
shape:
	snprintf(err, errlen, "expected a weekly window like \"Sun "
	    "02:00-04:00\" or a one-off window like "
	    "\"2026-12-01T02:00/2026-12-01T04:00\"");
	return -1;
}

int
maint_active(const struct check_conf *c, time_t t)
{
	const struct maint_window	*w;
	struct tm			 tm;
	size_t				 i;
	int				 m, have_tm = 0;

	for (i = 0; i < c->nmaintenance; i++) {
		w = &c->maintenance[i];
		if (!w->weekly) {
			if (t >= w->from && t < w->to)
				return 1;
			continue;
		}
		if (!have_tm) {
			localtime_r(&t, &tm);
			have_tm = 1;
		}
		/* Minutes since Monday 00:00; tm_wday counts from Sunday. */
		m = ((tm.tm_wday + 6) % 7) * 24 * 60 + tm.tm_hour * 60 +
		    tm.tm_min;
		if (w->week_start_min < w->week_end_min) {
			if (m >= w->week_start_min && m < w->week_end_min)
				return 1;
		} else if (m >= w->week_start_min || m < w->week_end_min)
			return 1;
	}
	return 0;
}
