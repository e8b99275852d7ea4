/*
 * tzinfo.c -- a reader of the system's compiled zone files (TZif, RFC
 * 8536) for the times shown to clients in their own zone.
 *
 * Only the 64-bit data block of a version 2+ file is used: the list of
 * transition times, the local-time type each one starts, and the types'
 * offsets and abbreviations.  Debian ships "fat" files whose transitions
 * run to 2037, so the footer's POSIX rule (for later times) is not read;
 * past the last transition the last type stays.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tzinfo.h"
#include "xmalloc.h"

#define TZ_FILE_MAX	(256 * 1024)	/* the largest zone is ~3 KiB */

struct tz_type {
	long	 off;
	size_t	 abbr;		/* index into chars */
};

struct tzinfo {
	char		*name;
	int64_t		*when;		/* ntrans transition times */
	unsigned char	*idx;		/* the type each starts */
	size_t		 ntrans;
	struct tz_type	*types;
	size_t		 ntypes;
	char		*chars;		/* NUL-separated abbreviations */
	size_t		 nchars;
};

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static int64_t
be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* An IANA name: no absolute path, no "..", only the usual characters. */
static int
tz_name_ok(const char *s)
{
	const char	*p;

	if (*s == '\0' || *s == '/' || strstr(s, "..") != NULL ||
	    strlen(s) > 64)
		return 0;
	for (p = s; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && strchr("_+-/", *p) == NULL)
			return 0;
	return 1;
}

/* The counts of a header at p: isut, isstd, leap, time, type, char. */
static void
tz_counts(const unsigned char *p, size_t c[6])
{
	int	i;

	for (i = 0; i < 6; i++)
		c[i] = be32(p + 20 + 4 * i);
}

static int
tz_parse(struct tzinfo *tz, const unsigned char *d, size_t n)
{
	const unsigned char	*p;
	size_t			 c[6], skip, need, i;

	if (n < 44 || memcmp(d, "TZif", 4) != 0 || d[4] < '2')
		return -1;
	tz_counts(d, c);
	/* Skip the 32-bit block to the second header. */
	skip = 44 + c[3] * 5 + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0];
	if (skip + 44 > n || memcmp(d + skip, "TZif", 4) != 0)
		return -1;
	p = d + skip;
	tz_counts(p, c);
	p += 44;
	need = c[3] * 9 + c[4] * 6 + c[5];
	if (c[4] == 0 || c[4] > 256 || c[5] == 0 ||
	    need > n - (size_t)(p - d))
		return -1;
	tz->ntrans = c[3];
	tz->when = xcalloc(c[3] + 1, sizeof *tz->when);
	tz->idx = xcalloc(c[3] + 1, 1);
	for (i = 0; i < c[3]; i++)
		tz->when[i] = be64(p + 8 * i);
	p += 8 * c[3];
	for (i = 0; i < c[3]; i++)
		if ((tz->idx[i] = p[i]) >= c[4])
			return -1;
	p += c[3];
	tz->ntypes = c[4];
	tz->types = xcalloc(c[4], sizeof *tz->types);
	for (i = 0; i < c[4]; i++) {
		tz->types[i].off = (long)(int32_t)be32(p + 6 * i);
		if ((tz->types[i].abbr = p[6 * i + 5]) >= c[5])
			return -1;
	}
	p += 6 * c[4];
	tz->nchars = c[5];
	tz->chars = xcalloc(c[5] + 1, 1);
	memcpy(tz->chars, p, c[5]);
	return 0;
}

struct tzinfo *
tzinfo_load(const char *name, char *why, size_t len)
{
	struct tzinfo	*tz;
	unsigned char	*d;
	char		 path[256];
	FILE		*f;
	size_t		 n;

	if (!tz_name_ok(name)) {
		snprintf(why, len, "\"%s\" is not a time zone name "
		    "(e.g. Europe/Istanbul)", name);
		return NULL;
	}
	snprintf(path, sizeof path, "%s/%s", TZINFO_DIR, name);
	if ((f = fopen(path, "rb")) == NULL) {
		snprintf(why, len, "no time zone \"%s\" in " TZINFO_DIR,
		    name);
		return NULL;
	}
	d = xmalloc(TZ_FILE_MAX);
	n = fread(d, 1, TZ_FILE_MAX, f);
	fclose(f);
	tz = xcalloc(1, sizeof *tz);
	if (tz_parse(tz, d, n) == -1) {
		free(d);
		tzinfo_free(tz);
		snprintf(why, len, "\"%s\" is not a time zone file", path);
		return NULL;
	}
	free(d);
	tz->name = xstrdup(name);
	return tz;
}

void
tzinfo_free(struct tzinfo *tz)
{
	if (tz == NULL)
		return;
	free(tz->name);
	free(tz->when);
	free(tz->idx);
	free(tz->types);
	free(tz->chars);
	free(tz);
}

const char *
tzinfo_name(const struct tzinfo *tz)
{
	return tz != NULL ? tz->name : "UTC";
}

void
tzinfo_local(const struct tzinfo *tz, time_t t, struct tm *tm, long *off,
    const char **abbr)
{
	const struct tz_type	*ty;
	size_t			 lo, hi, mid;
	time_t			 lt;

	*off = 0;
	*abbr = "UTC";
	if (tz != NULL) {
		/* The type of the last transition at or before t. */
		ty = &tz->types[0];
		if (tz->ntrans > 0 && (int64_t)t >= tz->when[0]) {
			lo = 0;
			hi = tz->ntrans;
			while (hi - lo > 1) {
				mid = lo + (hi - lo) / 2;
				if (tz->when[mid] <= (int64_t)t)
					lo = mid;
				else
					hi = mid;
			}
			ty = &tz->types[tz->idx[lo]];
		}
		*off = ty->off;
		*abbr = tz->chars + ty->abbr;
	}
	lt = t + (time_t)*off;
	gmtime_r(&lt, tm);
}

void
tzinfo_format(const struct tzinfo *tz, time_t t, char *buf, size_t len)
{
	struct tm	 tm;
	const char	*abbr;
	char		 day[32];
	long		 off;

	tzinfo_local(tz, t, &tm, &off, &abbr);
	strftime(day, sizeof day, "%Y-%m-%d %H:%M", &tm);
	if (tz == NULL)
		snprintf(buf, len, "%s UTC", day);
	else
		snprintf(buf, len, "%s %s (%s)", day, abbr, tz->name);
}
