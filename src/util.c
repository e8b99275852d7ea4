/*
 * util.c -- clocks, bounded number parsing, times, buffers, error lists,
 * and the names of states and causes.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sitewatch.h"
#include "util.h"
#include "xmalloc.h"

static const char *state_names[] = {
	[SW_STATE_UNKNOWN] = "unknown",
	[SW_STATE_UP] = "up",
	[SW_STATE_DEGRADED] = "degraded",
	[SW_STATE_DOWN] = "down",
};

static const char *cause_names[] = {
	[SW_CAUSE_OK] = "ok",
	[SW_CAUSE_DNS] = "dns",
	[SW_CAUSE_CONNECT] = "connect",
	[SW_CAUSE_TLS] = "tls",
	[SW_CAUSE_TIMEOUT] = "timeout",
	[SW_CAUSE_HTTP] = "http",
	[SW_CAUSE_CONTENT] = "content",
	[SW_CAUSE_SLOW] = "slow",
	[SW_CAUSE_CERT] = "cert",
	[SW_CAUSE_UNKNOWN] = "unknown",
};

const char *
sw_state_name(enum sw_state s)
{
	if ((unsigned)s >= sizeof state_names / sizeof state_names[0])
		return "invalid";
	return state_names[s];
}

const char *
sw_cause_name(enum sw_cause c)
{
	if ((unsigned)c >= SW_CAUSE_COUNT)
		return "invalid";
	return cause_names[c];
}

int
sw_state_parse(const char *s)
{
	size_t	i;

	for (i = 0; i < sizeof state_names / sizeof state_names[0]; i++)
		if (strcmp(s, state_names[i]) == 0)
			return (int)i;
	return -1;
}

int
sw_cause_parse(const char *s)
{
	size_t	i;

	for (i = 0; i < SW_CAUSE_COUNT; i++)
		if (strcmp(s, cause_names[i]) == 0)
			return (int)i;
	return -1;
}

uint64_t
util_mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

double
util_wall_time(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
util_parse_ll(const char *s, long long min, long long max, long long *out,
    const char **errstr)
{
	char		*end;
	long long	 v;

	errno = 0;
	if (s == NULL || *s == '\0') {
		*errstr = "invalid";
		return -1;
	}
	v = strtoll(s, &end, 10);
	if (*end != '\0' || end == s) {
		*errstr = "invalid";
		return -1;
	}
	if ((errno == ERANGE && v == LLONG_MIN) || v < min) {
		*errstr = "too small";
		return -1;
	}
	if ((errno == ERANGE && v == LLONG_MAX) || v > max) {
		*errstr = "too large";
		return -1;
	}
	*out = v;
	*errstr = NULL;
	return 0;
}

char *
util_iso8601(time_t t, char *buf, size_t len)
{
	struct tm	tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

int
util_parse_time(const char *s, time_t *out)
{
	struct tm	 tm;
	const char	*end;
	long long	 v;
	const char	*errstr;

	if (util_parse_ll(s, 0, LLONG_MAX / 2, &v, &errstr) == 0) {
		*out = (time_t)v;
		return 0;
	}
	memset(&tm, 0, sizeof tm);
	if ((end = strptime(s, "%Y-%m-%d", &tm)) == NULL)
		return -1;
	if (*end == 'T' || *end == ' ') {
		const char *t = end + 1;

		if ((end = strptime(t, "%H:%M:%S", &tm)) == NULL &&
		    (end = strptime(t, "%H:%M", &tm)) == NULL)
			return -1;
		if (*end == 'Z')
			end++;
	}
	if (*end != '\0')
		return -1;
	*out = timegm(&tm);
	return 0;
}

void
buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
}

static void
buf_grow(struct buf *b, size_t need)
{
	size_t	cap;

	if (b->len + need + 1 <= b->cap)
		return;
	cap = b->cap ? b->cap : 64;
	while (cap < b->len + need + 1)
		cap *= 2;
	b->data = xreallocarray(b->data, cap, 1);
	b->cap = cap;
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_addstr(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

/* Read a whole file into an allocated string; NULL with errno set. */
char *
buf_read_file(const char *path)
{
	FILE		*f;
	char		 chunk[4096];
	size_t		 n;
	struct buf	 b;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	buf_init(&b);
	buf_addstr(&b, "");
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	if (ferror(f)) {
		fclose(f);
		buf_free(&b);
		errno = EIO;
		return NULL;
	}
	fclose(f);
	return b.data;
}

void
errlist_init(struct errlist *el)
{
	el->lines = NULL;
	el->n = el->cap = 0;
}

void
errlist_add(struct errlist *el, const char *file, int line, const char *fmt,
    ...)
{
	va_list	 ap;
	char	*msg, *full;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg == NULL)
		return;
	if (line > 0)
		xasprintf(&full, "%s:%d: %s", file, line, msg);
	else
		xasprintf(&full, "%s: %s", file, msg);
	free(msg);
	if (el->n == el->cap) {
		el->cap = el->cap ? el->cap * 2 : 8;
		el->lines = xreallocarray(el->lines, el->cap, sizeof *el->lines);
	}
	el->lines[el->n++] = full;
}

void
errlist_free(struct errlist *el)
{
	size_t	i;

	for (i = 0; i < el->n; i++)
		free(el->lines[i]);
	free(el->lines);
	errlist_init(el);
}
