/*
 * config.c -- load sitewatch.conf and every checks_dir/NAME.conf into an
 * immutable struct config.
 *
 * DESIGN
 * inih splits "key = value" lines and strips inline comments, but the
 * Debian build gives its handler no line number and truncates long
 * section names, so every line first goes through our own reader.  The
 * reader counts lines, handles [section] lines itself (full length, with
 * our own messages), reports lines that are neither section nor key, and
 * hands inih only key lines, left-trimmed so that inih's multi-line
 * continuation never fires.  A key line too long for inih's fixed buffer
 * is split by the reader and given to the handler directly.
 *
 * Every key is described once in conf_keys[]: the handler looks the key up
 * there and parses the value by its type straight into the struct the
 * section stands for.  [defaults] is itself a struct check_conf; when all
 * files are read each check takes, for every key it did not set, the
 * [defaults] value, which already holds the table default when [defaults]
 * did not set it either.  Only then come the checks that need the whole
 * picture: duplicate names, missing url, timeout vs interval, depends.
 *
 * Errors never stop the load: each becomes one "FILE:LINE: message" line
 * and the result is NULL when there was any.
 */
#include <sys/stat.h>

#include <arpa/inet.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>
#include <ini.h>

#include "conf_keys.h"
#include "config.h"
#include "log.h"
#include "sitewatch.h"
#include "util.h"
#include "xmalloc.h"

#define ERR_MAX		512	/* one error message */
#define SHOW_MAX	80	/* a value quoted in a message */
#define SHOW_BUF	(SHOW_MAX * 4 + 1) /* the same, escaped */
#define WEEK_MIN	(7 * 24 * 60)

/*
 * Where a key's value came from; line 0 means "not set".  Eight bytes:
 * every check has one per key while the config loads, and 100,000 checks
 * times 43 keys at 24 bytes made the peak memory of a start.
 */
struct keysrc {
	unsigned	 file;		/* index in loader names[] */
	unsigned	 line : 30;
	unsigned	 own : 1;	/* set in this section, not inherited */
	unsigned	 bad : 1;	/* set, but the value was refused */
};
#define KS_FILE(ld, ks)	((ks)->line != 0 ? \
	    (const char *)(ld)->names[(ks)->file] : (const char *)NULL)

/* A [check NAME] while loading. */
struct check_state {
	struct check_conf	*c;
	struct keysrc		*src;	/* conf_nkeys entries */
	size_t			 order;	/* load order */
	int			 dropped; /* duplicate name: not kept */
	struct check_state	*dep;	/* resolved depends */
};

enum sec_kind {
	SEC_NONE,	/* before the first section */
	SEC_IGNORE,	/* a bad section: its keys are skipped */
	SEC_DAEMON,
	SEC_SMTP,
	SEC_DEFAULTS,
	SEC_SITE,
	SEC_CHECK
};

struct loader {
	struct config		 *cfg;
	struct errlist		 *errs;
	char			 *show_dir;	/* "" or "dir/" */
	struct keysrc		 *main_src;	/* daemon, smtp */
	struct check_conf	  defs;		/* [defaults] */
	struct keysrc		 *defs_src;
	struct check_state	**cs;
	size_t			  ncs;
	char			**names;	/* for keysrc */
	size_t			  nnames;
};

/* One file being read. */
struct file_ctx {
	struct loader		*ld;
	FILE			*f;
	const char		*file;		/* as shown */
	unsigned		 fileno;	/* its index in names[] */
	int			 main;
	int			 line;
	char			*raw;
	size_t			 rawcap;
	enum sec_kind		 sec;
	char			*secname;	/* "[check x]" */
	struct site_conf	*site;
	struct keysrc		*site_src;
	struct check_state	*check;
};

static const char *day_names[7] = {
	"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"
};
static const char *day_full_names[7] = {
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
	"Sunday"
};

/* Quote a value for a message: escaped, and cut when long. */
static const char *
show(const char *v, char *buf, size_t len)
{
	char	tmp[SHOW_MAX + 1];

	if (strlen(v) > SHOW_MAX)
		snprintf(tmp, sizeof tmp, "%.*s...", SHOW_MAX - 3, v);
	else
		snprintf(tmp, sizeof tmp, "%s", v);
	return log_escape(buf, len, tmp);
}

/* Skip leading white space. */
static char *
lskip(char *s)
{
	while (*s != '\0' && isspace((unsigned char)*s))
		s++;
	return s;
}

/* Cut trailing white space in place. */
static char *
rstrip(char *s)
{
	size_t	n = strlen(s);

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* Nonzero when s is a valid check name. */
static int
check_name_ok(const char *s, char *err, size_t errlen)
{
	const char	*p;
	char		 b[SHOW_BUF];

	if (*s == '\0') {
		snprintf(err, errlen, "empty check name");
		return 0;
	}
	if (strlen(s) >= SW_NAME_MAX) {
		snprintf(err, errlen, "check name \"%s\" is too long (at most "
		    "%d characters)", show(s, b, sizeof b), SW_NAME_MAX - 1);
		return 0;
	}
	for (p = s; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' &&
		    *p != '-') {
			snprintf(err, errlen, "bad check name \"%s\": only "
			    "A-Z, a-z, 0-9, \".\", \"_\" and \"-\" are allowed",
			    show(s, b, sizeof b));
			return 0;
		}
	}
	return 1;
}

/* Check that s is an http:// or https:// URL curl can use. */
static int
url_ok(const char *s, char *err, size_t errlen)
{
	CURLU		*u;
	CURLUcode	 rc;
	char		*host = NULL;

	if (strncasecmp(s, "http://", 7) != 0 &&
	    strncasecmp(s, "https://", 8) != 0) {
		snprintf(err, errlen, "must start with http:// or https://");
		return 0;
	}
	if ((u = curl_url()) == NULL)
		fatal("curl_url: out of memory");
	rc = curl_url_set(u, CURLUPART_URL, s, 0);
	if (rc == CURLUE_OK)
		rc = curl_url_get(u, CURLUPART_HOST, &host, 0);
	if (rc == CURLUE_OK && (host == NULL || *host == '\0'))
		rc = CURLUE_NO_HOST;
	curl_free(host);
	curl_url_cleanup(u);
	if (rc != CURLUE_OK) {
		snprintf(err, errlen, "not a valid URL (%s)",
		    curl_url_strerror(rc));
		return 0;
	}
	return 1;
}

/* Loose check of a mail address: one @ with text on both sides. */
static int
addr_ok(const char *s)
{
	const char	*at, *p;

	if ((at = strchr(s, '@')) == NULL || at == s || at[1] == '\0' ||
	    strchr(at + 1, '@') != NULL)
		return 0;
	for (p = s; *p != '\0'; p++)
		if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p) ||
		    strchr("<>,;\"()[]\\", *p) != NULL)
			return 0;
	return 1;
}

/* Accept "a@b" or "Name <a@b>". */
static int
mailbox_ok(const char *s)
{
	const char	*lt, *gt;
	char		*inner;
	int		 ok;

	if ((lt = strrchr(s, '<')) == NULL)
		return addr_ok(s);
	if ((gt = strchr(lt, '>')) == NULL || gt[1] != '\0')
		return 0;
	inner = xstrndup(lt + 1, (size_t)(gt - lt - 1));
	ok = addr_ok(inner);
	free(inner);
	return ok;
}

/*
 * Split a comma-separated value into trimmed, non-empty items.  Returns
 * the count; *out is NULL when there are none.
 */
static size_t
split_list(const char *v, char ***out)
{
	char	*copy, *item, *save = NULL;
	char   **list = NULL;
	size_t	 n = 0;

	copy = xstrdup(v);
	for (item = strtok_r(copy, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		item = rstrip(lskip(item));
		if (*item == '\0')
			continue;
		list = xreallocarray(list, n + 1, sizeof *list);
		list[n++] = xstrdup(item);
	}
	free(copy);
	*out = list;
	return n;
}

static void
free_list(char **list, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

/*
 * Parse a number with an optional unit suffix.  units is a string of
 * letters and mult their factors; no suffix means factor 1.  Returns 0,
 * -1 when s is not a number at all, -2 on an unknown suffix, -3 when the
 * result would overflow.
 */
static int
parse_scaled(const char *s, const char *units, const long long *mult,
    long long *out, const char **suffix)
{
	char		*end;
	const char	*u;
	long long	 v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || !(isdigit((unsigned char)*s) || *s == '-' ||
	    *s == '+'))
		return -1;
	if (errno == ERANGE)
		return -3;
	*suffix = end;
	if (*end == '\0') {
		*out = v;
		return 0;
	}
	if (end[1] != '\0' || (u = strchr(units, *end)) == NULL)
		return -2;
	if (v > LLONG_MAX / mult[u - units] || v < LLONG_MIN / mult[u - units])
		return -3;
	*out = v * mult[u - units];
	return 0;
}

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

/* Parse one maintenance window (weekly or one-off). */
static int
maint_parse(const char *v, struct maint_window *w, char *err, size_t errlen)
{
	const char	*p, *slash;
	char		 day[16], *a, b[SHOW_BUF];
	size_t		 n;
	int		 d, start, end, dur;

	memset(w, 0, sizeof *w);
	if ((slash = strchr(v, '/')) != NULL) {
		a = xstrndup(v, (size_t)(slash - v));
		if (parse_local(rstrip(lskip(a)), &w->from) == -1) {
			snprintf(err, errlen, "bad start \"%s\" (expected a "
			    "valid YYYY-MM-DDTHH:MM)", show(a, b, sizeof b));
			free(a);
			return -1;
		}
		free(a);
		a = xstrdup(slash + 1);
		if (parse_local(rstrip(lskip(a)), &w->to) == -1) {
			snprintf(err, errlen, "bad end \"%s\" (expected a "
			    "valid YYYY-MM-DDTHH:MM)", show(a, b, sizeof b));
			free(a);
			return -1;
		}
		free(a);
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
		    "Thu, Fri, Sat or Sun)", show(day, b, sizeof b));
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

/* Parse rrd_retention into rra[]; returns the count or -1. */
static int
retention_parse(const char *v, struct rrd_rra *rra, char *err, size_t errlen)
{
	static const long long	 mult[] = {
		1, 60, 3600, 86400, 7 * 86400, 365 * 86400
	};
	char			*copy, *item, *save = NULL, *colon, *bad;
	const char		*suffix;
	long long		 step, span;
	int			 n = 0, rc;
	char			 b[SHOW_BUF];

	copy = xstrdup(v);
	for (item = strtok_r(copy, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		item = rstrip(lskip(item));
		if ((colon = strchr(item, ':')) == NULL) {
			snprintf(err, errlen, "item \"%s\": expected STEP:SPAN",
			    show(item, b, sizeof b));
			goto fail;
		}
		*colon = '\0';
		rstrip(item);
		bad = item;
		if ((rc = parse_scaled(item, "smhdwy", mult, &step,
		    &suffix)) == 0) {
			bad = lskip(colon + 1);
			rc = parse_scaled(bad, "smhdwy", mult, &span, &suffix);
		}
		if (rc != 0 || step < 1 || span < 1 || step > UINT_MAX ||
		    span > UINT_MAX) {
			snprintf(err, errlen, "\"%s\" is not a duration (a "
			    "positive number with s, m, h, d, w or y)",
			    show(bad, b, sizeof b));
			goto fail;
		}
		if (span <= step) {
			snprintf(err, errlen, "item \"%s:%s\": the span must "
			    "be longer than the step", item, bad);
			goto fail;
		}
		if (n == RRD_RRA_MAX) {
			snprintf(err, errlen, "more than %d items",
			    RRD_RRA_MAX);
			goto fail;
		}
		/* "1s" stands for one step of the check, whatever it is. */
		rra[n].step_s = step == 1 ? 0 : (unsigned)step;
		rra[n].span_s = (unsigned)span;
		if (n > 0 && rra[n].step_s <= rra[n - 1].step_s) {
			snprintf(err, errlen, "steps must grow from one item "
			    "to the next");
			goto fail;
		}
		n++;
	}
	free(copy);
	if (n == 0) {
		snprintf(err, errlen, "no STEP:SPAN item");
		return -1;
	}
	return n;
fail:
	free(copy);
	return -1;
}

int
status_ranges_parse(const char *s, struct status_range **out, size_t *nout,
    char *err, size_t errlen)
{
	struct status_range	*r = NULL;
	size_t			 n = 0;
	char			*copy, *item, *save = NULL, *dash, *lo, *hi;
	long long		 l, h;
	const char		*errstr;
	char			 b[SHOW_BUF], b2[SHOW_BUF];

	*out = NULL;
	*nout = 0;
	copy = xstrdup(s);
	for (item = strtok_r(copy, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		item = rstrip(lskip(item));
		if (*item == '\0')
			continue;
		lo = item;
		hi = NULL;
		if ((dash = strchr(item, '-')) != NULL) {
			*dash = '\0';
			lo = rstrip(item);
			hi = lskip(dash + 1);
		}
		if (util_parse_ll(lo, 0, 100000, &l, &errstr) == -1 ||
		    (hi != NULL &&
		    util_parse_ll(hi, 0, 100000, &h, &errstr) == -1)) {
			if (hi != NULL)
				snprintf(err, errlen, "\"%s-%s\" is not a "
				    "status code or range",
				    show(lo, b, sizeof b),
				    show(hi, b2, sizeof b2));
			else
				snprintf(err, errlen, "\"%s\" is not a status "
				    "code", show(lo, b, sizeof b));
			goto fail;
		}
		if (hi == NULL)
			h = l;
		if (l < 100 || l > 599 || h < 100 || h > 599) {
			snprintf(err, errlen, "%lld is not a status code "
			    "(100..599)", l < 100 || l > 599 ? l : h);
			goto fail;
		}
		if (l > h) {
			snprintf(err, errlen, "range %lld-%lld is backwards",
			    l, h);
			goto fail;
		}
		r = xreallocarray(r, n + 1, sizeof *r);
		r[n].lo = (int)l;
		r[n].hi = (int)h;
		n++;
	}
	free(copy);
	if (n == 0) {
		snprintf(err, errlen, "no status code");
		return -1;
	}
	*out = r;
	*nout = n;
	return 0;
fail:
	free(copy);
	free(r);
	return -1;
}

int
status_ranges_match(const struct status_range *r, size_t n, int status)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (status >= r[i].lo && status <= r[i].hi)
			return 1;
	return 0;
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

/* Pointer to the field of k inside base. */
#define FIELD(k, base, type)	\
	((type *)(void *)((char *)(base) + (k)->off))
/* Pointer to the count of a list key inside base. */
#define COUNT(k, base)		\
	((size_t *)(void *)((char *)(base) + (k)->count_off))

/* Release whatever k holds in base and reset it. */
static void
value_free(const struct conf_key *k, void *base)
{
	switch (k->type) {
	case CONF_STRING:
	case CONF_PATH:
	case CONF_URL:
	case CONF_WORD:
	case CONF_METHOD:
	case CONF_LISTEN:
	case CONF_CHECKREF:
	case CONF_MAILBOX:
		free(*FIELD(k, base, char *));
		*FIELD(k, base, char *) = NULL;
		break;
	case CONF_EMAILS:
	case CONF_URLS:
	case CONF_HEADER:
		free_list(*FIELD(k, base, char **), *COUNT(k, base));
		*FIELD(k, base, char **) = NULL;
		*COUNT(k, base) = 0;
		break;
	case CONF_STATUS:
	case CONF_MAINT:
		free(*FIELD(k, base, void *));
		*FIELD(k, base, void *) = NULL;
		*COUNT(k, base) = 0;
		break;
	case CONF_INT:
	case CONF_DURATION:
	case CONF_SIZE:
	case CONF_BOOL:
	case CONF_ENUM:
	case CONF_RETENTION:
		break;
	}
}

/* A copy of n plain elements of size bytes each; NULL when n is 0. */
static void *
array_dup(const void *from, size_t n, size_t size)
{
	void	*p;

	if (n == 0)
		return NULL;
	p = xreallocarray(NULL, n, size);
	memcpy(p, from, n * size);
	return p;
}

/* Copy the value of k from one struct to another (both of its section). */
static void
value_copy(const struct conf_key *k, const void *from, void *to)
{
	const char	*s;
	char	       **l;
	size_t		 i, n;

	value_free(k, to);
	switch (k->type) {
	case CONF_STRING:
	case CONF_PATH:
	case CONF_URL:
	case CONF_WORD:
	case CONF_METHOD:
	case CONF_LISTEN:
	case CONF_CHECKREF:
	case CONF_MAILBOX:
		s = *FIELD(k, from, char *);
		*FIELD(k, to, char *) = s != NULL ? xstrdup(s) : NULL;
		break;
	case CONF_EMAILS:
	case CONF_URLS:
	case CONF_HEADER:
		n = *COUNT(k, from);
		l = n > 0 ? xreallocarray(NULL, n, sizeof *l) : NULL;
		for (i = 0; i < n; i++)
			l[i] = xstrdup((*FIELD(k, from, char **))[i]);
		*FIELD(k, to, char **) = l;
		*COUNT(k, to) = n;
		break;
	case CONF_STATUS:
		n = *COUNT(k, from);
		*FIELD(k, to, struct status_range *) = array_dup(
		    *FIELD(k, from, struct status_range *), n,
		    sizeof(struct status_range));
		*COUNT(k, to) = n;
		break;
	case CONF_MAINT:
		n = *COUNT(k, from);
		*FIELD(k, to, struct maint_window *) = array_dup(
		    *FIELD(k, from, struct maint_window *), n,
		    sizeof(struct maint_window));
		*COUNT(k, to) = n;
		break;
	case CONF_INT:
	case CONF_DURATION:
	case CONF_BOOL:
	case CONF_ENUM:
		*FIELD(k, to, int) = *FIELD(k, from, const int);
		break;
	case CONF_SIZE:
		*FIELD(k, to, size_t) = *FIELD(k, from, const size_t);
		break;
	case CONF_RETENTION:
		/* Only in [daemon], which is never copied. */
		break;
	}
}

/* Write "expected a, b or c" for the choices of k. */
static void
choices_expected(const struct conf_key *k, char *buf, size_t len)
{
	const struct conf_choice	*c;
	size_t				 used, n = 0;

	for (c = k->choices; c->name != NULL; c++)
		n++;
	used = (size_t)snprintf(buf, len, "expected ");
	for (c = k->choices; c->name != NULL && used < len; c++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
		    c == k->choices ? "" : (c->name == k->choices[n - 1].name ?
		    " or " : ", "), c->name);
}

/* Check an integer against the range of k. */
static int
range_ok(const struct conf_key *k, long long v, char *err, size_t errlen)
{
	if (v < k->min) {
		snprintf(err, errlen, "%s must be at least %lld", k->name,
		    k->min);
		return 0;
	}
	if (v > k->max) {
		snprintf(err, errlen, "%s must be at most %lld", k->name,
		    k->max);
		return 0;
	}
	return 1;
}

/*
 * Parse v as the value of k and store it in base.  Returns 0, or -1 with
 * the whole message (without FILE:LINE) in err.
 */
static int
value_parse(struct loader *ld, const struct conf_key *k, void *base,
    const char *v, char *err, size_t errlen)
{
	static const long long	 dmult[] = { 1, 60, 3600, 86400 };
	static const long long	 smult[] = { 1024, 1024 * 1024,
	    1024 * 1024 * 1024, 1024, 1024 * 1024, 1024 * 1024 * 1024 };
	const struct conf_choice *c;
	char			 why[ERR_MAX], b[SHOW_BUF], *s, **list;
	const char		*suffix, *p;
	long long		 n;
	size_t			 i, nlist;
	int			 rc;
	struct maint_window	 w, **mw;
	struct status_range	*r;
	struct rrd_rra		 rra[RRD_RRA_MAX];

	why[0] = '\0';
	switch (k->type) {
	case CONF_STRING:
		value_free(k, base);
		*FIELD(k, base, char *) = xstrdup(v);
		return 0;
	case CONF_PATH:
		if (v[0] == '/')
			s = xstrdup(v);
		else
			xasprintf(&s, "%s/%s", ld->cfg->dir, v);
		value_free(k, base);
		*FIELD(k, base, char *) = s;
		if (strcmp(k->name, "ca_file") == 0 && access(s, R_OK) == -1) {
			snprintf(err, errlen, "%s \"%s\": cannot read: %s",
			    k->name, show(v, b, sizeof b), strerror(errno));
			return -1;
		}
		return 0;
	case CONF_URL:
		if (!url_ok(v, why, sizeof why))
			break;
		value_free(k, base);
		*FIELD(k, base, char *) = xstrdup(v);
		return 0;
	case CONF_INT:
		if ((rc = parse_scaled(v, "", dmult, &n, &suffix)) == -1 ||
		    rc == -2) {
			snprintf(why, sizeof why, "not a number");
			break;
		}
		if (rc == -3)
			n = v[0] == '-' ? LLONG_MIN : LLONG_MAX;
		if (!range_ok(k, n, err, errlen))
			return -1;
		*FIELD(k, base, int) = (int)n;
		return 0;
	case CONF_DURATION:
		rc = parse_scaled(v, "smhd", dmult, &n, &suffix);
		if (rc == -1) {
			snprintf(why, sizeof why, "not a number");
			break;
		}
		if (rc == -2) {
			snprintf(why, sizeof why, "unknown unit \"%s\" (use s, "
			    "m, h or d)", show(suffix, b, sizeof b));
			break;
		}
		if (rc == -3)
			n = v[0] == '-' ? LLONG_MIN : LLONG_MAX;
		else if (*suffix != '\0' && k->unit > 1) {
			/* A suffix gives seconds; the key counts units. */
			if (n % k->unit != 0) {
				snprintf(err, errlen, "%s must be a whole "
				    "number of minutes", k->name);
				return -1;
			}
			n /= k->unit;
		}
		if (!range_ok(k, n, err, errlen))
			return -1;
		*FIELD(k, base, int) = (int)n;
		return 0;
	case CONF_SIZE:
		/* k, M, G, and the same followed by B or iB. */
		s = xstrdup(v);
		i = strlen(s);
		if (i > 2 && strcmp(s + i - 2, "iB") == 0)
			s[i - 2] = '\0';
		else if (i > 1 && s[i - 1] == 'B' && strchr("kKMG", s[i - 2]))
			s[i - 1] = '\0';
		rc = parse_scaled(s, "kMGK", smult, &n, &suffix);
		free(s);
		if (rc == -1) {
			snprintf(why, sizeof why, "not a number");
			break;
		}
		if (rc == -2) {
			snprintf(why, sizeof why, "not a size (bytes, or a "
			    "number with k, M or G)");
			break;
		}
		if (rc == -3)
			n = v[0] == '-' ? LLONG_MIN : LLONG_MAX;
		if (!range_ok(k, n, err, errlen))
			return -1;
		*FIELD(k, base, size_t) = (size_t)n;
		return 0;
	case CONF_BOOL:
		if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0 ||
		    strcasecmp(v, "on") == 0 || strcmp(v, "1") == 0)
			*FIELD(k, base, int) = 1;
		else if (strcasecmp(v, "no") == 0 ||
		    strcasecmp(v, "false") == 0 ||
		    strcasecmp(v, "off") == 0 || strcmp(v, "0") == 0)
			*FIELD(k, base, int) = 0;
		else {
			snprintf(why, sizeof why, "expected yes or no");
			break;
		}
		return 0;
	case CONF_ENUM:
	case CONF_WORD:
		for (c = k->choices; c->name != NULL; c++)
			if (strcasecmp(v, c->name) == 0)
				break;
		if (c->name == NULL) {
			choices_expected(k, why, sizeof why);
			break;
		}
		if (k->type == CONF_ENUM)
			*FIELD(k, base, int) = c->value;
		else {
			value_free(k, base);
			*FIELD(k, base, char *) = xstrdup(c->name);
		}
		return 0;
	case CONF_EMAILS:
	case CONF_URLS:
		nlist = split_list(v, &list);
		for (i = 0; i < nlist; i++) {
			if (k->type == CONF_EMAILS && !addr_ok(list[i])) {
				snprintf(why, sizeof why, "\"%s\" is not a "
				    "mail address", show(list[i], b, sizeof b));
				break;
			}
			if (k->type == CONF_URLS &&
			    !url_ok(list[i], err, errlen)) {
				snprintf(why, sizeof why, "\"%s\" %s",
				    show(list[i], b, sizeof b), err);
				break;
			}
		}
		if (i < nlist) {
			free_list(list, nlist);
			break;
		}
		value_free(k, base);
		*FIELD(k, base, char **) = list;
		*COUNT(k, base) = nlist;
		return 0;
	case CONF_HEADER:
		p = v;
		while (*p != '\0' && (isalnum((unsigned char)*p) ||
		    strchr("!#$%&'*+.^_`|~-", *p) != NULL))
			p++;
		if (p == v || *p != ':') {
			snprintf(why, sizeof why, "expected \"Name: value\"");
			break;
		}
		n = (long long)*COUNT(k, base);
		list = xreallocarray(*FIELD(k, base, char **), (size_t)n + 1,
		    sizeof *list);
		list[n] = xstrdup(v);
		*FIELD(k, base, char **) = list;
		*COUNT(k, base) = (size_t)n + 1;
		return 0;
	case CONF_STATUS:
		if (status_ranges_parse(v, &r, &nlist, why, sizeof why) == -1)
			break;
		value_free(k, base);
		*FIELD(k, base, struct status_range *) = r;
		*COUNT(k, base) = nlist;
		return 0;
	case CONF_MAINT:
		if (maint_parse(v, &w, why, sizeof why) == -1)
			break;
		mw = FIELD(k, base, struct maint_window *);
		*mw = xreallocarray(*mw, *COUNT(k, base) + 1, sizeof w);
		(*mw)[(*COUNT(k, base))++] = w;
		return 0;
	case CONF_RETENTION:
		if ((rc = retention_parse(v, rra, why, sizeof why)) == -1)
			break;
		memcpy(FIELD(k, base, struct rrd_rra), rra, sizeof rra);
		*COUNT(k, base) = (size_t)rc;
		return 0;
	case CONF_METHOD:
		for (p = v; isalpha((unsigned char)*p); p++)
			;
		if (*p != '\0' || p - v > 16) {
			snprintf(why, sizeof why, "not an HTTP method");
			break;
		}
		s = xstrdup(v);
		for (i = 0; s[i] != '\0'; i++)
			s[i] = (char)toupper((unsigned char)s[i]);
		value_free(k, base);
		*FIELD(k, base, char *) = s;
		return 0;
	case CONF_LISTEN:
		p = strrchr(v, ':');
		if (p == NULL || p == v || util_parse_ll(p + 1, 1, 65535, &n,
		    &suffix) == -1 || (v[0] == '[' && p[-1] != ']')) {
			snprintf(why, sizeof why, "expected ADDRESS:PORT "
			    "(e.g. 127.0.0.1:8080)");
			break;
		}
		value_free(k, base);
		*FIELD(k, base, char *) = xstrdup(v);
		return 0;
	case CONF_CHECKREF:
		if (!check_name_ok(v, why, sizeof why))
			break;
		value_free(k, base);
		*FIELD(k, base, char *) = xstrdup(v);
		return 0;
	case CONF_MAILBOX:
		if (!mailbox_ok(v)) {
			snprintf(why, sizeof why, "not a mail address");
			break;
		}
		value_free(k, base);
		*FIELD(k, base, char *) = xstrdup(v);
		return 0;
	}
	snprintf(err, errlen, "bad value \"%s\" for %s: %s",
	    show(v, b, sizeof b), k->name, why);
	return -1;
}

/* Give every key of sec that src says is unset its table default. */
static void
apply_defaults(struct loader *ld, enum conf_section sec, void *base,
    struct keysrc *src)
{
	const struct conf_key	*k;
	char			 err[ERR_MAX];
	size_t			 i;

	for (i = 0; i < conf_nkeys; i++) {
		k = &conf_keys[i];
		if (k->section != sec || src[i].line != 0 || src[i].bad ||
		    k->def == NULL || k->def[0] == '\0')
			continue;
		if (value_parse(ld, k, base, k->def, err, sizeof err) == -1)
			errlist_add(ld->errs, "built-in default", 0, "%s",
			    err);
	}
}

/* Keep a copy of a file name that keysrc entries may point at. */
static const char *
loader_name(struct loader *ld, const char *name)
{
	ld->names = xreallocarray(ld->names, ld->nnames + 1,
	    sizeof *ld->names);
	return ld->names[ld->nnames++] = xstrdup(name);
}

/* Free one check_conf and everything it owns. */
static void
check_free(struct check_conf *c)
{
	size_t	i;

	if (c == NULL)
		return;
	for (i = 0; i < conf_nkeys; i++)
		if (conf_keys[i].section == CONF_SEC_CHECK)
			value_free(&conf_keys[i], c);
	free(c->name);
	/* c->file points into the config's files[]. */
	free(c);
}

/* Start a [section] read by the line reader. */
static void
section_begin(struct file_ctx *fc, char *s)
{
	struct loader		*ld = fc->ld;
	struct check_state	*st;
	struct check_conf	*c;
	char			*close, *name, *rest, err[ERR_MAX];
	char			 b[SHOW_BUF];

	free(fc->secname);
	fc->secname = NULL;
	fc->sec = SEC_IGNORE;
	fc->check = NULL;
	if ((close = strchr(s, ']')) == NULL) {
		errlist_add(ld->errs, fc->file, fc->line,
		    "syntax error: missing \"]\"");
		return;
	}
	rest = lskip(close + 1);
	if (*rest != '\0' && *rest != ';' && *rest != '#') {
		errlist_add(ld->errs, fc->file, fc->line,
		    "syntax error: text after \"]\"");
		return;
	}
	*close = '\0';
	name = rstrip(lskip(s + 1));

	if (strcmp(name, "daemon") == 0 || strcmp(name, "smtp") == 0 ||
	    strcmp(name, "defaults") == 0) {
		if (!fc->main) {
			errlist_add(ld->errs, fc->file, fc->line,
			    "[%s] belongs in %s, not in a checks_dir file",
			    name, ld->cfg->path);
			return;
		}
		fc->sec = name[0] == 'd' ? (name[1] == 'a' ? SEC_DAEMON :
		    SEC_DEFAULTS) : SEC_SMTP;
		xasprintf(&fc->secname, "[%s]", name);
		return;
	}
	if (strcmp(name, "site") == 0 || strncmp(name, "check", 5) == 0) {
		if (strncmp(name, "check", 5) == 0 && name[5] != '\0' &&
		    !isspace((unsigned char)name[5]))
			goto unknown;
		if (fc->main) {
			errlist_add(ld->errs, fc->file, fc->line,
			    "[%s] belongs in a file in checks_dir, not in %s",
			    name[0] == 's' ? "site" : "check NAME",
			    ld->cfg->path);
			return;
		}
		if (name[0] == 's') {
			fc->sec = SEC_SITE;
			fc->secname = xstrdup("[site]");
			return;
		}
		name = lskip(name + 5);
		if (*name == '\0') {
			errlist_add(ld->errs, fc->file, fc->line,
			    "[check] needs a name: [check NAME]");
			return;
		}
		if (!check_name_ok(name, err, sizeof err)) {
			errlist_add(ld->errs, fc->file, fc->line, "%s", err);
			return;
		}
		c = xcalloc(1, sizeof *c);
		c->name = xstrdup(name);
		c->file = ld->names[fc->fileno];	/* shared: files[] */
		c->line = fc->line;
		c->site = fc->site;
		st = xcalloc(1, sizeof *st);
		st->c = c;
		st->src = xcalloc(conf_nkeys, sizeof *st->src);
		st->order = ld->ncs;
		ld->cs = xreallocarray(ld->cs, ld->ncs + 1, sizeof *ld->cs);
		ld->cs[ld->ncs++] = st;
		fc->check = st;
		fc->sec = SEC_CHECK;
		xasprintf(&fc->secname, "[check %s]", name);
		return;
	}
unknown:
	errlist_add(ld->errs, fc->file, fc->line, "unknown section [%s]",
	    show(name, b, sizeof b));
}

/* inih's handler: one key of the current section. */
static int
conf_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct file_ctx		*fc = user;
	struct loader		*ld = fc->ld;
	const struct conf_key	*k, *other;
	enum conf_section	 cs;
	struct keysrc		*src, *ks;
	void			*base;
	char			 err[ERR_MAX], b[SHOW_BUF];
	int			 i;

	switch (fc->sec) {
	case SEC_NONE:
		errlist_add(ld->errs, fc->file, fc->line,
		    "key \"%s\" outside of any section",
		    show(name, b, sizeof b));
		return 1;
	case SEC_IGNORE:
		return 1;
	case SEC_DAEMON:
		cs = CONF_SEC_DAEMON;
		base = ld->cfg;
		src = ld->main_src;
		break;
	case SEC_SMTP:
		cs = CONF_SEC_SMTP;
		base = &ld->cfg->smtp;
		src = ld->main_src;
		break;
	case SEC_DEFAULTS:
		cs = CONF_SEC_CHECK;
		base = &ld->defs;
		src = ld->defs_src;
		break;
	case SEC_SITE:
		cs = CONF_SEC_SITE;
		base = fc->site;
		src = fc->site_src;
		break;
	case SEC_CHECK:
	default:
		cs = CONF_SEC_CHECK;
		base = fc->check->c;
		src = fc->check->src;
		break;
	}
	if ((k = conf_key_find(cs, name)) == NULL) {
		/* A key of another section: say where it belongs. */
		for (i = 0, other = NULL; i < CONF_SEC_COUNT && other == NULL;
		    i++)
			other = conf_key_find((enum conf_section)i, name);
		if (other != NULL)
			errlist_add(ld->errs, fc->file, fc->line,
			    "unknown key \"%s\" in %s (it belongs in %s)",
			    name, fc->secname,
			    other->section == CONF_SEC_CHECK ?
			    "[defaults] or [check NAME]" :
			    other->section == CONF_SEC_DAEMON ? "[daemon]" :
			    other->section == CONF_SEC_SMTP ? "[smtp]" :
			    "[site]");
		else
			errlist_add(ld->errs, fc->file, fc->line,
			    "unknown key \"%s\" in %s",
			    show(name, b, sizeof b), fc->secname);
		return 1;
	}
	/* An empty value is the same as no line: default or inherited. */
	if (*value == '\0')
		return 1;
	ks = &src[conf_key_index(k)];
	if (ks->line != 0 && !(k->flags & CONF_F_REPEAT)) {
		errlist_add(ld->errs, fc->file, fc->line,
		    "duplicate key \"%s\" in %s (first set at line %d)",
		    name, fc->secname, ks->line);
		return 1;
	}
	if (value_parse(ld, k, base, value, err, sizeof err) == -1) {
		errlist_add(ld->errs, fc->file, fc->line, "%s", err);
		ks->bad = 1;
	}
	if (ks->line == 0) {
		ks->file = fc->fileno;
		ks->line = (unsigned)fc->line & 0x3fffffff;
		ks->own = 1;
	}
	(void)section;
	return 1;
}

/*
 * Find where the key of a "key = value" line ends: the first '=' or ':'
 * before any inline comment, as inih does.  NULL when there is none.
 */
static char *
find_sep(char *s)
{
	char	*p;

	for (p = s; *p != '\0'; p++) {
		if (*p == '=' || *p == ':')
			return p;
		if (*p == ';' && p > s && isspace((unsigned char)p[-1]))
			return NULL;
	}
	return NULL;
}

/*
 * inih's reader: one line per call, counted, with sections, syntax errors
 * and over-long lines handled here (see DESIGN).  Lines inih need not see
 * are handed over as empty lines, so its line count stays ours.
 */
static char *
conf_reader(char *str, int num, void *stream)
{
	struct file_ctx	*fc = stream;
	ssize_t		 n;
	char		*s, *sep, *name, *value, *p;
	size_t		 len;
	int		 was_space;

	if (num < 2 || (n = getline(&fc->raw, &fc->rawcap, fc->f)) == -1)
		return NULL;
	fc->line++;
	while (n > 0 && (fc->raw[n - 1] == '\n' || fc->raw[n - 1] == '\r'))
		fc->raw[--n] = '\0';
	s = fc->raw;
	if (fc->line == 1 && strncmp(s, "\xEF\xBB\xBF", 3) == 0)
		s += 3;
	s = lskip(s);
	if (*s == '\0' || *s == ';' || *s == '#')
		goto blank;
	if (*s == '[') {
		section_begin(fc, s);
		goto blank;
	}
	if ((sep = find_sep(s)) == NULL) {
		errlist_add(fc->ld->errs, fc->file, fc->line,
		    "syntax error: expected \"[section]\" or \"key = value\"");
		goto blank;
	}
	if (sep == s) {
		errlist_add(fc->ld->errs, fc->file, fc->line,
		    "syntax error: no key name before \"%c\"", *sep);
		goto blank;
	}
	len = strlen(s);
	if (len + 2 <= (size_t)num) {
		memcpy(str, s, len);
		str[len] = '\n';
		str[len + 1] = '\0';
		return str;
	}
	/* Too long for inih's buffer: split it the way inih would. */
	*sep = '\0';
	name = rstrip(s);
	value = sep + 1;
	for (p = value, was_space = 0; *p != '\0'; p++) {
		if (*p == ';' && was_space) {
			*p = '\0';
			break;
		}
		was_space = isspace((unsigned char)*p);
	}
	value = rstrip(lskip(value));
	conf_handler(fc, "", name, value);
blank:
	str[0] = '\n';
	str[1] = '\0';
	return str;
}

/* Read one file; f is closed by the caller. */
static void
parse_file(struct loader *ld, FILE *f, const char *file, int is_main)
{
	struct file_ctx		 fc;
	struct site_conf	*site;
	const char		*base;
	size_t			 len;
	int			 rc;

	memset(&fc, 0, sizeof fc);
	fc.ld = ld;
	fc.f = f;
	fc.file = loader_name(ld, file);
	fc.fileno = (unsigned)ld->nnames - 1;
	fc.main = is_main;
	fc.sec = SEC_NONE;
	if (!is_main) {
		site = xcalloc(1, sizeof *site);
		site->file = xstrdup(file);
		ld->cfg->sites = xreallocarray(ld->cfg->sites,
		    ld->cfg->nsites + 1, sizeof *ld->cfg->sites);
		ld->cfg->sites[ld->cfg->nsites++] = site;
		fc.site = site;
		fc.site_src = xcalloc(conf_nkeys, sizeof *fc.site_src);
	}
	rc = ini_parse_stream(conf_reader, &fc, conf_handler, &fc);
	if (rc == -2)
		fatal("inih: out of memory");
	if (!is_main) {
		apply_defaults(ld, CONF_SEC_SITE, fc.site, fc.site_src);
		/* No name: the file's name without .conf stands in. */
		if (fc.site->name == NULL) {
			base = strrchr(file, '/');
			base = base != NULL ? base + 1 : file;
			len = strlen(base);
			if (len > 5 && strcmp(base + len - 5, ".conf") == 0)
				len -= 5;
			fc.site->name = xstrndup(base, len);
		}
		free(fc.site_src);
	}
	free(fc.raw);
	free(fc.secname);
}

/* Open path for reading; report why not. */
static FILE *
open_conf(struct loader *ld, const char *path, const char *shown)
{
	struct stat	 st;
	FILE		*f;

	if ((f = fopen(path, "r")) == NULL) {
		errlist_add(ld->errs, shown, 0, "cannot open: %s",
		    strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		errlist_add(ld->errs, shown, 0, "cannot open: %s",
		    strerror(EISDIR));
		fclose(f);
		return NULL;
	}
	return f;
}

/*
 * Make the timeout/interval and slow_ms/down_ms pairs agree.  When both
 * values of a pair were written somewhere, a conflict is an error, named
 * where the section itself wrote one (so it is reported once).  When one
 * is only the built-in default it gives way instead, so that "interval = 1"
 * alone means a 1 s timeout rather than an error; adjust is 0 for
 * [defaults], whose values are adjusted per check.
 */
static void
cross_checks(struct loader *ld, struct check_conf *c,
    const struct keysrc *src, int adjust)
{
	const struct keysrc	*a, *b, *at;

	a = &src[conf_key_index(conf_key_find(CONF_SEC_CHECK, "timeout"))];
	b = &src[conf_key_index(conf_key_find(CONF_SEC_CHECK, "interval"))];
	if (c->timeout > c->interval && !a->bad && !b->bad) {
		if (a->line == 0) {
			if (adjust)
				c->timeout = c->interval;
		} else if (a->own || b->own) {
			at = a->own ? a : b;
			errlist_add(ld->errs, KS_FILE(ld, at), at->line,
			    "timeout (%d) must not exceed interval (%d)",
			    c->timeout, c->interval);
		}
	}
	a = &src[conf_key_index(conf_key_find(CONF_SEC_CHECK, "slow_ms"))];
	b = &src[conf_key_index(conf_key_find(CONF_SEC_CHECK, "down_ms"))];
	if (c->slow_ms > c->down_ms && !a->bad && !b->bad) {
		if (a->line == 0 || b->line == 0) {
			if (adjust && a->line == 0)
				c->slow_ms = c->down_ms;
			else if (adjust)
				c->down_ms = c->slow_ms;
		} else if (a->own || b->own) {
			at = a->own ? a : b;
			errlist_add(ld->errs, KS_FILE(ld, at), at->line,
			    "slow_ms (%d) must not exceed down_ms (%d)",
			    c->slow_ms, c->down_ms);
		}
	}
}

/* After the main file: defaults, derived values, and [defaults] itself. */
static void
finish_main(struct loader *ld)
{
	struct config		*cfg = ld->cfg;
	const struct keysrc	*ks;
	char			*s, b[SHOW_BUF];
	unsigned char		 a6[16];

	apply_defaults(ld, CONF_SEC_DAEMON, cfg, ld->main_src);
	apply_defaults(ld, CONF_SEC_SMTP, &cfg->smtp, ld->main_src);
	apply_defaults(ld, CONF_SEC_CHECK, &ld->defs, ld->defs_src);
	cross_checks(ld, &ld->defs, ld->defs_src, 0);

	/* A relative unix socket is relative to the conf folder too. */
	if (cfg->rrdcached != NULL && strncmp(cfg->rrdcached, "unix:", 5) ==
	    0 && cfg->rrdcached[5] != '/' && cfg->rrdcached[5] != '\0') {
		xasprintf(&s, "unix:%s/%s", cfg->dir, cfg->rrdcached + 5);
		free(cfg->rrdcached);
		cfg->rrdcached = s;
	}
	if (cfg->source != NULL && inet_pton(AF_INET, cfg->source, a6) != 1 &&
	    inet_pton(AF_INET6, cfg->source, a6) != 1) {
		ks = &ld->main_src[conf_key_index(conf_key_find(
		    CONF_SEC_DAEMON, "source"))];
		errlist_add(ld->errs, KS_FILE(ld, ks), ks->line,
		    "source \"%s\": not an IPv4 or IPv6 address",
		    show(cfg->source, b, sizeof b));
	}
	if (cfg->user != NULL && getpwnam(cfg->user) == NULL) {
		ks = &ld->main_src[conf_key_index(conf_key_find(
		    CONF_SEC_DAEMON, "user"))];
		errlist_add(ld->errs, KS_FILE(ld, ks), ks->line,
		    "user \"%s\": no such user", show(cfg->user, b, sizeof b));
	}
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read every checks_dir/NAME.conf in sorted order. */
static void
load_checks_dir(struct loader *ld)
{
	struct config		*cfg = ld->cfg;
	const struct keysrc	*ks;
	DIR			*d;
	struct dirent		*de;
	struct stat		 st;
	char		       **names = NULL, *shown, *path;
	const char		*rel;
	size_t			 n = 0, i, len, dlen;
	FILE			*f;

	/* Show the folder the way the user wrote the main path. */
	dlen = strlen(cfg->dir);
	if (strncmp(cfg->checks_dir, cfg->dir, dlen) == 0 &&
	    cfg->checks_dir[dlen] == '/' && cfg->dir[1] != '\0') {
		rel = cfg->checks_dir + dlen + 1;
		xasprintf(&shown, "%s%s", ld->show_dir, rel);
	} else
		shown = xstrdup(cfg->checks_dir);

	if ((d = opendir(cfg->checks_dir)) == NULL) {
		ks = &ld->main_src[conf_key_index(conf_key_find(
		    CONF_SEC_DAEMON, "checks_dir"))];
		errlist_add(ld->errs, ks->line ? KS_FILE(ld, ks) : cfg->path,
		    ks->line, "checks_dir \"%s\": cannot open: %s", shown,
		    strerror(errno));
		free(shown);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		/* Hidden files are editor droppings, not sites. */
		if (de->d_name[0] == '.' || len <= 5 ||
		    strcmp(de->d_name + len - 5, ".conf") != 0)
			continue;
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof *names, cmp_str);
	for (i = 0; i < n; i++) {
		xasprintf(&path, "%s/%s", cfg->checks_dir, names[i]);
		free(names[i]);
		xasprintf(&names[i], "%s/%s", shown, path +
		    strlen(cfg->checks_dir) + 1);
		/* Only regular files (or links to them) are sites. */
		if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		if ((f = open_conf(ld, path, names[i])) != NULL) {
			parse_file(ld, f, names[i], 0);
			fclose(f);
		}
		free(path);
	}
	free_list(names, n);
	free(shown);
}

/* Order check states by name, then by load order. */
static int
cmp_state(const void *a, const void *b)
{
	const struct check_state	*x = *(struct check_state *const *)a;
	const struct check_state	*y = *(struct check_state *const *)b;
	int				 c;

	if ((c = strcmp(x->c->name, y->c->name)) != 0)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Find the kept check called name in the sorted array. */
static struct check_state *
find_state(struct check_state **sorted, size_t n, const char *name)
{
	size_t	lo = 0, hi = n, mid;
	int	c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(name, sorted[mid]->c->name)) == 0) {
			/* The first of equal names is the kept one. */
			while (mid > 0 && strcmp(name,
			    sorted[mid - 1]->c->name) == 0)
				mid--;
			return sorted[mid];
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* Report a depends cycle once, from its earliest check. */
static void
depends_cycle(struct loader *ld, struct check_state *st)
{
	struct check_state	*p;
	const struct keysrc	*ks;
	struct buf		 b;
	size_t			 steps;

	for (p = st->dep, steps = 0; p != NULL && p != st &&
	    steps <= ld->ncs; p = p->dep, steps++)
		;
	if (p != st)
		return;
	for (p = st->dep; p != st; p = p->dep)
		if (p->order < st->order)
			return;
	buf_init(&b);
	buf_addstr(&b, st->c->name);
	for (p = st->dep; ; p = p->dep) {
		buf_printf(&b, " -> %s", p->c->name);
		if (p == st)
			break;
	}
	ks = &st->src[conf_key_index(conf_key_find(CONF_SEC_CHECK,
	    "depends"))];
	errlist_add(ld->errs, KS_FILE(ld, ks), ks->line, "depends: cycle %s",
	    b.data);
	buf_free(&b);
}

/* After every file: inheritance, names, url, depends; fill cfg->checks. */
static void
finish_checks(struct loader *ld)
{
	struct check_state	**sorted, *st, *t;
	const struct conf_key	 *k;
	const struct keysrc	 *ks;
	size_t			  i, j, n = ld->ncs, dep_i;
	char			  b[SHOW_BUF];

	if (n == 0)
		return;
	sorted = xreallocarray(NULL, n, sizeof *sorted);
	memcpy(sorted, ld->cs, n * sizeof *sorted);
	qsort(sorted, n, sizeof *sorted, cmp_state);
	for (i = 1; i < n; i++) {
		if (strcmp(sorted[i]->c->name, sorted[i - 1]->c->name) != 0)
			continue;
		for (j = i - 1; j > 0 && sorted[j]->dropped; j--)
			;
		st = sorted[i];
		st->dropped = 1;
		errlist_add(ld->errs, st->c->file, st->c->line,
		    "duplicate check name \"%s\" (first defined at %s:%d)",
		    st->c->name, sorted[j]->c->file, sorted[j]->c->line);
	}

	dep_i = conf_key_index(conf_key_find(CONF_SEC_CHECK, "depends"));
	for (i = 0; i < n; i++) {
		st = ld->cs[i];
		if (st->dropped)
			continue;
		for (j = 0; j < conf_nkeys; j++) {
			k = &conf_keys[j];
			if (k->section != CONF_SEC_CHECK || st->src[j].line)
				continue;
			value_copy(k, &ld->defs, st->c);
			st->src[j] = ld->defs_src[j];
			st->src[j].own = 0;
		}
		if (st->c->url == NULL &&
		    !st->src[conf_key_index(conf_key_find(CONF_SEC_CHECK,
		    "url"))].bad)
			errlist_add(ld->errs, st->c->file, st->c->line,
			    "check \"%s\" has no url", st->c->name);
		cross_checks(ld, st->c, st->src, 1);
	}

	for (i = 0; i < n; i++) {
		st = ld->cs[i];
		if (st->dropped || st->c->depends == NULL)
			continue;
		ks = &st->src[dep_i];
		if (strcmp(st->c->depends, st->c->name) == 0) {
			errlist_add(ld->errs, KS_FILE(ld, ks), ks->line,
			    "depends: check \"%s\" cannot depend on itself",
			    st->c->name);
			continue;
		}
		if ((t = find_state(sorted, n, st->c->depends)) == NULL) {
			errlist_add(ld->errs, KS_FILE(ld, ks), ks->line,
			    "depends: unknown check \"%s\"",
			    show(st->c->depends, b, sizeof b));
			continue;
		}
		st->dep = t;
	}
	for (i = 0; i < n; i++)
		if (!ld->cs[i]->dropped && ld->cs[i]->dep != NULL)
			depends_cycle(ld, ld->cs[i]);
	free(sorted);

	ld->cfg->checks = xreallocarray(NULL, n, sizeof *ld->cfg->checks);
	for (i = 0; i < n; i++) {
		st = ld->cs[i];
		if (st->dropped)
			check_free(st->c);
		else
			ld->cfg->checks[ld->cfg->nchecks++] = st->c;
		free(st->src);
		free(st);
	}
	free(ld->cs);
	ld->cs = NULL;
	ld->ncs = 0;
}

/* Free what the loader owns (not the config it built). */
static void
loader_free(struct loader *ld)
{
	size_t	i;

	for (i = 0; i < conf_nkeys; i++)
		if (conf_keys[i].section == CONF_SEC_CHECK)
			value_free(&conf_keys[i], &ld->defs);
	for (i = 0; i < ld->ncs; i++) {
		check_free(ld->cs[i]->c);
		free(ld->cs[i]->src);
		free(ld->cs[i]);
	}
	free(ld->cs);
	free_list(ld->names, ld->nnames);
	free(ld->main_src);
	free(ld->defs_src);
	free(ld->show_dir);
}

static void	config_index(struct config *);

struct config *
config_load(const char *path, struct errlist *errs)
{
	struct loader	 ld;
	struct config	*cfg;
	FILE		*f;
	char		*dir, *slash;

	memset(&ld, 0, sizeof ld);
	cfg = xcalloc(1, sizeof *cfg);
	cfg->path = xstrdup(path);
	ld.cfg = cfg;
	ld.errs = errs;
	if ((f = open_conf(&ld, path, path)) == NULL) {
		config_free(cfg);
		return NULL;
	}
	if ((slash = strrchr(path, '/')) == NULL) {
		dir = xstrdup(".");
		ld.show_dir = xstrdup("");
	} else {
		dir = xstrndup(path, slash == path ? 1 :
		    (size_t)(slash - path));
		ld.show_dir = xstrndup(path, (size_t)(slash - path) + 1);
	}
	if ((cfg->dir = realpath(dir, NULL)) == NULL) {
		errlist_add(errs, path, 0, "cannot resolve its folder: %s",
		    strerror(errno));
		free(dir);
		fclose(f);
		loader_free(&ld);
		config_free(cfg);
		return NULL;
	}
	free(dir);
	ld.main_src = xcalloc(conf_nkeys, sizeof *ld.main_src);
	ld.defs_src = xcalloc(conf_nkeys, sizeof *ld.defs_src);

	parse_file(&ld, f, path, 1);
	fclose(f);
	finish_main(&ld);
	load_checks_dir(&ld);
	finish_checks(&ld);
	/* Ad-hoc URL checks (sitewatch check URL) start from [defaults]. */
	cfg->defaults = xmalloc(sizeof *cfg->defaults);
	*cfg->defaults = ld.defs;
	memset(&ld.defs, 0, sizeof ld.defs);
	cfg->files = ld.names;
	cfg->nfiles = ld.nnames;
	ld.names = NULL;
	ld.nnames = 0;
	loader_free(&ld);

	if (errs->n > 0) {
		config_free(cfg);
		return NULL;
	}
	config_index(cfg);
	return cfg;
}

void
config_free(struct config *cfg)
{
	struct site_conf	*s;
	size_t			 i, j;

	if (cfg == NULL)
		return;
	for (i = 0; i < conf_nkeys; i++) {
		if (conf_keys[i].section == CONF_SEC_DAEMON)
			value_free(&conf_keys[i], cfg);
		else if (conf_keys[i].section == CONF_SEC_SMTP)
			value_free(&conf_keys[i], &cfg->smtp);
	}
	for (i = 0; i < cfg->nsites; i++) {
		s = cfg->sites[i];
		for (j = 0; j < conf_nkeys; j++)
			if (conf_keys[j].section == CONF_SEC_SITE)
				value_free(&conf_keys[j], s);
		free(s->file);
		free(s);
	}
	free(cfg->sites);
	for (i = 0; i < cfg->nchecks; i++)
		check_free(cfg->checks[i]);
	free(cfg->checks);
	free(cfg->by_name);
	check_free(cfg->defaults);
	free_list(cfg->files, cfg->nfiles);
	free(cfg->path);
	free(cfg->dir);
	free(cfg);
}

static int
config_cmp_name(const void *a, const void *b)
{
	const struct check_conf	*ca = *(const struct check_conf *const *)a;
	const struct check_conf	*cb = *(const struct check_conf *const *)b;

	return strcmp(ca->name, cb->name);
}

/* Index the checks by name: lookups run per result and per request. */
static void
config_index(struct config *cfg)
{
	cfg->by_name = xcalloc(cfg->nchecks + 1, sizeof *cfg->by_name);
	if (cfg->nchecks > 0)
		memcpy(cfg->by_name, cfg->checks,
		    cfg->nchecks * sizeof *cfg->by_name);
	qsort(cfg->by_name, cfg->nchecks, sizeof *cfg->by_name,
	    config_cmp_name);
}

const struct check_conf *
config_find_check(const struct config *cfg, const char *name)
{
	size_t	lo = 0, hi = cfg->nchecks, mid;
	int	c;

	if (cfg->by_name == NULL) {
		/* A config built by hand (tests): no index. */
		for (mid = 0; mid < cfg->nchecks; mid++)
			if (strcmp(cfg->checks[mid]->name, name) == 0)
				return cfg->checks[mid];
		return NULL;
	}
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(name, cfg->by_name[mid]->name)) == 0)
			return cfg->by_name[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* Print the keys of one section as a commented INI block. */
static void
dump_section(enum conf_section sec, const char *header, const char *note)
{
	const struct conf_key	*k;
	char			 what[128];
	size_t			 i;

	printf("\n%s\n", header);
	if (note != NULL)
		printf("; %s\n", note);
	for (i = 0; i < conf_nkeys; i++) {
		k = &conf_keys[i];
		if (k->section != sec)
			continue;
		conf_key_describe(k, what, sizeof what);
		printf("; %s (%s)%s\n", k->help, what,
		    (k->flags & CONF_F_OPTIONAL) && strstr(k->help, "empty") ==
		    NULL ? "; empty = none" : "");
		printf("%s =%s%s\n", k->name, k->def != NULL && *k->def ?
		    " " : "", k->def != NULL ? k->def : "");
	}
}

void
config_dump_keys(void)
{
	printf("; sitewatch configuration keys, each with its default.\n"
	    "; Relative paths are relative to the folder of sitewatch.conf;"
	    " an empty value\n"
	    "; is the same as leaving the key out.  \"; comment\" needs a "
	    "space before \";\".\n");
	printf("\n; ---- sitewatch.conf ----\n");
	dump_section(CONF_SEC_DAEMON, "[daemon]", NULL);
	dump_section(CONF_SEC_SMTP, "[smtp]", NULL);
	dump_section(CONF_SEC_CHECK, "[defaults]",
	    "every key below may also be set in a [check NAME] section; a "
	    "check takes the\n; [defaults] value for each key it leaves "
	    "out or empty");
	printf("\n; ---- checks_dir/SITE.conf: one [site], one [check NAME] "
	    "per URL ----\n");
	dump_section(CONF_SEC_SITE, "[site]", NULL);
	printf("\n[check NAME]\n; NAME: A-Z a-z 0-9 . _ -, at most %d "
	    "characters, unique across all files;\n; the keys are those of "
	    "[defaults]; url is required\n", SW_NAME_MAX - 1);
}
