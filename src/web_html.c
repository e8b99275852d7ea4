/*
 * web_html.c -- HTML escaping and the page frame.
 *
 * Every byte that comes from the config or from a checked site passes
 * through html_escape() before it reaches a page: a check named
 * "<b>x</b>" or a site answering "<script>" shows up as text.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "utf8.h"
#include "web_render.h"
#include "xmalloc.h"

/* What html_escape writes for the characters HTML gives a meaning. */
static const char *const html_entities[] = {
	['&'] = "&amp;",
	['<'] = "&lt;",
	['>'] = "&gt;",
	['"'] = "&quot;",
	['\''] = "&#39;",
};

/* The entity for c, or NULL when c stands for itself. */
static const char *
html_entity(unsigned char c)
{
	if (c >= sizeof html_entities / sizeof html_entities[0])
		return NULL;
	return html_entities[c];
}

void
html_escape(struct buf *b, const char *str)
{
	const unsigned char	*s = (const unsigned char *)str;
	const unsigned char	*run;
	const char		*e;
	size_t			 n;

	if (s == NULL)
		return;
	while (*s != '\0') {
		/* Copy the longest run of bytes that need nothing. */
		for (run = s; *s >= 0x20 && *s < 0x7f &&
		    html_entity(*s) == NULL; s++)
			;
		if (s > run)
			buf_add(b, run, (size_t)(s - run));
		if (*s == '\0')
			break;
		if ((e = html_entity(*s)) != NULL)
			buf_addstr(b, e);
		else if (*s == '\t' || *s == '\n')
			buf_add(b, s, 1);
		else if (*s >= 0x80 && (n = utf8_len(s)) > 0) {
			buf_add(b, s, n);
			s += n;
			continue;
		} else {
			/* Control bytes and broken UTF-8: the replacement. */
			buf_addstr(b, "\xef\xbf\xbd");
		}
		s++;
	}
}

void
html_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		abort();
	va_end(ap);
	html_escape(b, s);
	free(s);
}

void
html_urlencode(struct buf *b, const char *str)
{
	const unsigned char	*s = (const unsigned char *)str;

	for (; s != NULL && *s != '\0'; s++) {
		if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || *s == '-' || *s == '.' ||
		    *s == '_' || *s == '~')
			buf_add(b, s, 1);
		else
			buf_printf(b, "%%%02X", *s);
	}
}

void
html_duration(struct buf *b, double seconds)
{
	long long	s = seconds < 0 ? 0 : (long long)seconds;

	if (s < 60)
		buf_printf(b, "%lld s", s);
	else if (s < 3600)
		buf_printf(b, "%lld min", s / 60);
	else if (s < 86400)
		buf_printf(b, "%lld h %lld min", s / 3600, s % 3600 / 60);
	else
		buf_printf(b, "%lld d %lld h", s / 86400, s % 86400 / 3600);
}

void
html_time(struct buf *b, double t)
{
	struct tm	tm;
	time_t		tt = (time_t)t;
	char		s[64];

	if (t <= 0) {
		buf_addstr(b, "—");
		return;
	}
	gmtime_r(&tt, &tm);
	strftime(s, sizeof s, "%Y-%m-%d %H:%M:%S UTC", &tm);
	buf_addstr(b, s);
}

const char *
html_state_class(enum sw_state st)
{
	switch (st) {
	case SW_STATE_UP:
		return "st-up";
	case SW_STATE_DEGRADED:
		return "st-degraded";
	case SW_STATE_DOWN:
		return "st-down";
	default:
		return "st-unknown";
	}
}

const char *
html_uptime_class(double pct)
{
	if (!(pct >= 0))
		return "u-none";
	if (pct >= 99.95)
		return "u-full";
	if (pct >= 99)
		return "u-high";
	if (pct >= 95)
		return "u-mid";
	return "u-low";
}

/* The frame used when templates/html/layout.html cannot be read. */
static const char html_default_layout[] =
    "<!DOCTYPE html>\n<html lang=\"{{lang}}\">\n<head>\n"
    "<meta charset=\"utf-8\">\n<title>{{title}}</title>\n"
    "<link rel=\"stylesheet\" href=\"/static/style.css\">\n"
    "<script src=\"/static/app.js\" defer></script>\n</head>\n"
    "<body class=\"{{class}}\">\n{{body}}\n</body>\n</html>\n";

void
html_page(struct buf *out, const char *layout, const char *lang,
    const char *title, const char *page_class, const char *body)
{
	const char	*p, *q;

	p = layout != NULL ? layout : html_default_layout;
	/* Fill the four slots; anything else in braces is copied as is. */
	while ((q = strstr(p, "{{")) != NULL) {
		buf_add(out, p, (size_t)(q - p));
		if (strncmp(q, "{{title}}", 9) == 0) {
			html_escape(out, title);
			p = q + 9;
		} else if (strncmp(q, "{{lang}}", 8) == 0) {
			html_escape(out, lang);
			p = q + 8;
		} else if (strncmp(q, "{{class}}", 9) == 0) {
			html_escape(out, page_class);
			p = q + 9;
		} else if (strncmp(q, "{{body}}", 8) == 0) {
			buf_addstr(out, body);	/* already escaped HTML */
			p = q + 8;
		} else {
			buf_add(out, q, 2);
			p = q + 2;
		}
	}
	buf_addstr(out, p);
}
