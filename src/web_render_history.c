/*
 * web_render_history.c -- the help desk's part of a site's status page:
 * the public updates staff wrote under an incident, and the incidents of
 * the last RENDER_HISTORY_DAYS days with their start and duration.
 *
 * The staff dashboard's list of tickets nobody has taken yet lives here
 * too: it is the same question, how long people have been waiting.
 *
 * Only what clients may read: the service's public title, the cause in
 * the page's words, times in the site's zone (named), and the text of
 * each public update, escaped line by line (never markup).  Internal
 * notes, staff names and raw messages never reach this file: the
 * handler hands it updates only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"
#include "web_render.h"
#include "xmalloc.h"

/* An ISO 8601 UTC time in the site's zone, or a dash. */
static void
site_time(struct buf *b, const struct render_site *s, const char *iso)
{
	time_t	when;
	char	ts[96];

	buf_addstr(b, "<time>");
	if (iso != NULL && util_parse_time(iso, &when) == 0) {
		tzinfo_format(s->tz, when, ts, sizeof ts);
		html_escape(b, ts);
	} else
		buf_addstr(b, "-");
	buf_addstr(b, "</time>");
}

/* Text as written: each line escaped, lines parted by <br>. */
static void
text_lines(struct buf *b, const char *text)
{
	const char	*p, *nl;
	char		 line[1024];
	size_t		 len;

	for (p = text; *p != '\0'; p = *nl != '\0' ? nl + 1 : nl) {
		nl = p + strcspn(p, "\n");
		len = (size_t)(nl - p);
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (p != text)
			buf_addstr(b, "<br>");
		/* A long line goes in pieces: escaping keeps it whole. */
		while (len > 0) {
			size_t n = len < sizeof line - 1 ? len :
			    sizeof line - 1;

			memcpy(line, p, n);
			line[n] = '\0';
			html_escape(b, line);
			p += n;
			len -= n;
		}
	}
}

void
render_updates(struct buf *b, const struct render_site *s,
    const struct render_ticket *t)
{
	size_t	i;

	if (t->nupdates == 0)
		return;
	buf_addstr(b, "<ul class=\"updates\">\n");
	/* Newest first, as the clients look for the latest word. */
	for (i = t->nupdates; i > 0; i--) {
		buf_addstr(b, "<li class=\"update\"><b>");
		html_escape(b, render_word(s->words, SW_W_UPDATE));
		buf_addstr(b, "</b> ");
		site_time(b, s, t->updates[i - 1].at);
		buf_addstr(b, "<p class=\"update-text\">");
		text_lines(b, t->updates[i - 1].text != NULL ?
		    t->updates[i - 1].text : "");
		buf_addstr(b, "</p></li>\n");
	}
	buf_addstr(b, "</ul>\n");
}

void
render_site_duration(struct buf *b, const struct status_words *w,
    long long s)
{
	static const enum status_word unit[] = { SW_W_U_DAY, SW_W_U_HOUR,
	    SW_W_U_MIN, SW_W_U_SEC };
	long long	v[4];
	int		i;

	if (s < 0)
		s = 0;
	v[0] = s / 86400;
	v[1] = s % 86400 / 3600;
	v[2] = s % 3600 / 60;
	v[3] = s % 60;
	for (i = 0; i < 3 && v[i] == 0; i++)
		;
	buf_printf(b, "%lld ", v[i]);
	html_escape(b, render_word(w, unit[i]));
	if (i < 3 && v[i + 1] != 0) {
		buf_printf(b, " %lld ", v[i + 1]);
		html_escape(b, render_word(w, unit[i + 1]));
	}
}

void
render_history(struct buf *b, const struct render_site *s)
{
	const struct render_ticket	*t;
	size_t				 i;

	buf_addstr(b, "<h3>");
	html_escape(b, render_word(s->words, SW_W_HISTORY));
	buf_addstr(b, "</h3>\n<div class=\"history\" id=\"history\">\n");
	for (i = 0; i < s->nhistory; i++) {
		t = &s->history[i];
		buf_printf(b, "<div class=\"past sev-%s\" data-ticket=\"%lld\">"
		    "<p><b>", t->severity != NULL &&
		    strcmp(t->severity, "warning") == 0 ? "warning" :
		    "critical", t->id);
		html_escape(b, t->check != NULL ? t->check : "");
		buf_addstr(b, "</b>: ");
		html_escape(b, render_word(s->words,
		    render_cause_word(t->cause)));
		buf_addstr(b, ".</p><p class=\"when\">");
		html_escape(b, render_word(s->words, SW_W_STARTED));
		buf_addstr(b, " ");
		site_time(b, s, t->opened_at);
		buf_addstr(b, " · ");
		html_escape(b, render_word(s->words, SW_W_LASTED));
		buf_addstr(b, " <span class=\"duration\">");
		if (t->resolved_at == NULL)
			html_escape(b, render_word(s->words, SW_W_ONGOING));
		else
			render_site_duration(b, s->words, t->downtime_s);
		buf_addstr(b, "</span> · ");
		html_escape(b, render_word(s->words, SW_W_REF));
		buf_printf(b, " #%lld</p>\n", t->id);
		render_updates(b, s, t);
		buf_addstr(b, "</div>\n");
	}
	if (s->nhistory == 0) {
		buf_addstr(b, "<p class=\"none\">");
		html_escape(b, render_word(s->words, SW_W_NO_HISTORY));
		buf_addstr(b, "</p>\n");
	}
	buf_addstr(b, "</div>\n");
}

/* Oldest first (ISO 8601 UTC times sort as text), then by number. */
static int
cmp_opened(const void *a, const void *b)
{
	const struct render_ticket *const	*x = a, *const *y = b;

	int	c;

	c = strcmp((*x)->opened_at != NULL ? (*x)->opened_at : "",
	    (*y)->opened_at != NULL ? (*y)->opened_at : "");
	if (c != 0)
		return c;
	return (*x)->id < (*y)->id ? -1 : (*x)->id > (*y)->id;
}

void
render_unacked(struct buf *b, const struct render_ticket *t, size_t n,
    double now)
{
	const struct render_ticket	**v;
	time_t				  when;
	size_t				  i, k = 0;

	v = xcalloc(n + 1, sizeof *v);
	for (i = 0; i < n; i++)
		if (t[i].status != NULL && strcmp(t[i].status, "open") == 0)
			v[k++] = &t[i];
	qsort(v, k, sizeof *v, cmp_opened);
	buf_printf(b, "<section class=\"unacked\" id=\"unacked\"><h2>"
	    "Not acknowledged (%zu)</h2>\n", k);
	if (k == 0)
		buf_addstr(b, "<p class=\"none\">Every open ticket has been "
		    "taken.</p>\n");
	else
		buf_addstr(b, "<ol class=\"unacked-list\">\n");
	for (i = 0; i < k; i++) {
		buf_printf(b, "<li class=\"sev-%s\" data-ticket=\"%lld\">"
		    "#%lld <a href=\"/check/", v[i]->severity != NULL &&
		    strcmp(v[i]->severity, "critical") == 0 ? "critical" :
		    "warning", v[i]->id, v[i]->id);
		html_urlencode(b, v[i]->check != NULL ? v[i]->check : "");
		buf_addstr(b, "\">");
		html_escape(b, v[i]->check != NULL ? v[i]->check : "");
		buf_addstr(b, "</a> waiting for <span class=\"age\" "
		    "data-since=\"");
		html_escape(b, v[i]->opened_at != NULL ? v[i]->opened_at : "");
		buf_addstr(b, "\">");
		if (v[i]->opened_at != NULL &&
		    util_parse_time(v[i]->opened_at, &when) == 0)
			html_duration(b, now - (double)when);
		buf_addstr(b, "</span></li>\n");
	}
	if (k > 0)
		buf_addstr(b, "</ol>\n");
	buf_addstr(b, "</section>\n");
	free(v);
}

void
render_subscribe_form(struct buf *b, const struct render_site *s)
{
	buf_addstr(b, "<form class=\"subscribe\" id=\"subscribe\" "
	    "method=\"post\" action=\"/status/subscribe\">"
	    "<input type=\"hidden\" name=\"site\" value=\"");
	html_escape(b, s->id);
	buf_addstr(b, "\"><label for=\"sub-email\">");
	html_escape(b, render_word(s->words, SW_W_SUB_LABEL));
	buf_addstr(b, "</label> <input type=\"email\" id=\"sub-email\" "
	    "name=\"email\" required maxlength=\"254\" "
	    "autocomplete=\"email\"> <button type=\"submit\">");
	html_escape(b, render_word(s->words, SW_W_SUB_BUTTON));
	buf_addstr(b, "</button></form>\n");
}

void
render_subscribe_note(struct buf *b, const struct status_words *w,
    const char *site_name, const char *site_id, enum status_word k)
{
	buf_addstr(b, "<header class=\"top public\"><h1>");
	html_escape(b, site_name != NULL ? site_name : "");
	buf_addstr(b, "</h1><span class=\"sub\">");
	html_escape(b, render_word(w, SW_W_TITLE));
	buf_printf(b, "</span></header>\n<main>\n<p class=\"subscribe-note\" "
	    "id=\"note\" data-word=\"%d\">", (int)k);
	html_escape(b, render_word(w, k));
	buf_addstr(b, "</p>\n");
	if (site_id != NULL) {
		buf_addstr(b, "<p><a href=\"/status/");
		html_urlencode(b, site_id);
		buf_addstr(b, "\">");
		html_escape(b, render_word(w, SW_W_SUB_BACK));
		buf_addstr(b, "</a></p>\n");
	}
	buf_addstr(b, "</main>\n");
}
