/*
 * hook_format.c -- the body each channel type gets for one message, in
 * that service's own format (SPEC "Notification channels").
 *
 * DESIGN: pure, from plain data to strings, so every format is unit-
 * tested without a server.  What a body holds is what the queue keeps:
 * never a secret.  The request side (hook_send.c) adds what is secret or
 * depends on the row when it sends: the webhook's signature, the
 * Telegram token in the path, the Matrix transaction id, the PagerDuty
 * routing key.  ntfy takes its title, priority and tags as headers, so
 * its queued body is a small JSON envelope the sender unpacks.
 *
 * The services cap their text (Slack 3000 characters a section, Telegram
 * 4096, PagerDuty's summary 1024): a long group is cut, whole characters
 * only, with a note that it was.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "config.h"
#include "hook.h"
#include "log.h"
#include "util.h"
#include "xmalloc.h"

#define SLACK_TEXT_MAX		2900
#define TELEGRAM_TEXT_MAX	4000
#define PD_SUMMARY_MAX		1000
#define TEXT_MAX		16000	/* others: a sane bound */

/* s cut to at most max bytes on a UTF-8 boundary, marked when cut. */
static char *
text_cut(const char *s, size_t max)
{
	static const char	 more[] = "\n[...]";
	size_t			 len = strlen(s);
	char			*out;

	if (len <= max)
		return xstrdup(s);
	len = max - (sizeof more - 1);
	while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
		len--;
	out = xmalloc(len + sizeof more);
	memcpy(out, s, len);
	memcpy(out + len, more, sizeof more);
	return out;
}

/* json_string that never fails on bad UTF-8 (the facts are cleaned). */
static json_t *
jstr(const char *s)
{
	json_t	*j;

	if (s == NULL)
		return json_null();
	if ((j = json_string(s)) == NULL)
		j = json_string("?");
	return j;
}

static char *
jdump(json_t *j)
{
	char	*s, *out;

	if ((s = json_dumps(j, JSON_COMPACT)) == NULL)
		fatal("json_dumps: out of memory");
	out = xstrdup(s);
	free(s);
	json_decref(j);
	return out;
}

/* The SPEC's webhook body: {event, at, checks: [...]}. */
static char *
body_webhook(const struct hook_msg *m)
{
	json_t	*o, *a, *c;
	char	 at[32];
	size_t	 i;

	a = json_array();
	for (i = 0; i < m->nchecks; i++) {
		const struct hook_check *k = &m->checks[i];

		c = json_object();
		json_object_set_new(c, "name", jstr(k->name));
		json_object_set_new(c, "site", jstr(k->site));
		json_object_set_new(c, "url", jstr(k->url));
		json_object_set_new(c, "state", jstr(k->state));
		json_object_set_new(c, "cause", jstr(k->cause));
		json_object_set_new(c, "message", jstr(k->message));
		json_object_set_new(c, "ticket", k->ticket > 0 ?
		    json_integer(k->ticket) : json_null());
		json_object_set_new(c, "downtime_s", k->downtime_s >= 0 ?
		    json_integer(k->downtime_s) : json_null());
		json_array_append_new(a, c);
	}
	o = json_object();
	json_object_set_new(o, "event", jstr(m->event));
	json_object_set_new(o, "at", jstr(util_iso8601(m->at, at,
	    sizeof at)));
	json_object_set_new(o, "checks", a);
	return jdump(o);
}

/*
 * Slack reads "<!channel>", "<@U123>" and "<url|text>" in its text as
 * mentions and links: a check's message (a site's own words) must not
 * page a whole workspace, so &, < and > are escaped as Slack asks.
 */
static char *
slack_escape(const char *s)
{
	struct buf	b;

	buf_init(&b);
	buf_addstr(&b, "");
	for (; *s != '\0'; s++) {
		if (*s == '&')
			buf_addstr(&b, "&amp;");
		else if (*s == '<')
			buf_addstr(&b, "&lt;");
		else if (*s == '>')
			buf_addstr(&b, "&gt;");
		else
			buf_add(&b, s, 1);
	}
	return b.data;
}

/* Slack incoming webhook: text (the notification) and blocks. */
static char *
body_slack(const struct hook_msg *m)
{
	json_t	*o, *blocks, *b, *t;
	char	*text, *all, *esc;

	esc = slack_escape(m->text);
	text = text_cut(esc, SLACK_TEXT_MAX);
	free(esc);
	esc = slack_escape(m->title);
	xasprintf(&all, "%s\n%s", esc, text);
	free(esc);
	blocks = json_array();
	b = json_object();
	t = json_object();
	json_object_set_new(b, "type", json_string("header"));
	json_object_set_new(t, "type", json_string("plain_text"));
	json_object_set_new(t, "text", jstr(m->title));
	json_object_set_new(b, "text", t);
	json_array_append_new(blocks, b);
	b = json_object();
	t = json_object();
	json_object_set_new(b, "type", json_string("section"));
	json_object_set_new(t, "type", json_string("mrkdwn"));
	json_object_set_new(t, "text", jstr(text));
	json_object_set_new(b, "text", t);
	json_array_append_new(blocks, b);
	o = json_object();
	json_object_set_new(o, "text", jstr(all));
	json_object_set_new(o, "blocks", blocks);
	free(text);
	free(all);
	return jdump(o);
}

/* Teams through Workflows: a message carrying one Adaptive Card. */
static char *
body_teams(const struct hook_msg *m)
{
	json_t	*o, *atts, *att, *card, *body, *tb;
	char	*text;

	text = text_cut(m->text, TEXT_MAX);
	body = json_array();
	tb = json_object();
	json_object_set_new(tb, "type", json_string("TextBlock"));
	json_object_set_new(tb, "text", jstr(m->title));
	json_object_set_new(tb, "weight", json_string("Bolder"));
	json_object_set_new(tb, "size", json_string("Medium"));
	json_object_set_new(tb, "wrap", json_true());
	json_array_append_new(body, tb);
	tb = json_object();
	json_object_set_new(tb, "type", json_string("TextBlock"));
	json_object_set_new(tb, "text", jstr(text));
	json_object_set_new(tb, "wrap", json_true());
	json_array_append_new(body, tb);
	card = json_object();
	json_object_set_new(card, "$schema",
	    json_string("http://adaptivecards.io/schemas/adaptive-card.json"));
	json_object_set_new(card, "type", json_string("AdaptiveCard"));
	json_object_set_new(card, "version", json_string("1.4"));
	json_object_set_new(card, "body", body);
	att = json_object();
	json_object_set_new(att, "contentType",
	    json_string("application/vnd.microsoft.card.adaptive"));
	json_object_set_new(att, "contentUrl", json_null());
	json_object_set_new(att, "content", card);
	atts = json_array();
	json_array_append_new(atts, att);
	o = json_object();
	json_object_set_new(o, "type", json_string("message"));
	json_object_set_new(o, "attachments", atts);
	free(text);
	return jdump(o);
}

/* Telegram sendMessage (the token goes in the path when it is sent). */
static char *
body_telegram(const struct notify_conf *nc, const struct hook_msg *m)
{
	json_t	*o;
	char	*all, *text;

	xasprintf(&all, "%s\n\n%s", m->title, m->text);
	text = text_cut(all, TELEGRAM_TEXT_MAX);
	o = json_object();
	json_object_set_new(o, "chat_id", jstr(nc->chat));
	json_object_set_new(o, "text", jstr(text));
	json_object_set_new(o, "disable_web_page_preview", json_true());
	free(all);
	free(text);
	return jdump(o);
}

/* ntfy: the envelope the sender turns into headers and a text body. */
static char *
body_ntfy(const struct hook_msg *m)
{
	json_t		*o;
	const char	*prio, *tags;
	char		*text;

	if (strcmp(m->event, "down") == 0) {
		prio = "5";
		tags = "rotating_light,sitewatch,down";
	} else if (strcmp(m->event, "degraded") == 0) {
		prio = "4";
		tags = "warning,sitewatch,degraded";
	} else if (strcmp(m->event, "reminder") == 0) {
		prio = "4";
		tags = "hourglass,sitewatch,reminder";
	} else if (strcmp(m->event, "up") == 0) {
		prio = "3";
		tags = "white_check_mark,sitewatch,up";
	} else {
		prio = "2";
		tags = "sitewatch,test";
	}
	text = text_cut(m->text, TEXT_MAX);
	o = json_object();
	json_object_set_new(o, "title", jstr(m->title));
	json_object_set_new(o, "priority", json_string(prio));
	json_object_set_new(o, "tags", json_string(tags));
	json_object_set_new(o, "message", jstr(text));
	free(text);
	return jdump(o);
}

/*
 * Matrix clients notify the whole room for "@room" in a body: a site's
 * words must not, so a zero-width space goes after each such '@'.
 */
static char *
matrix_defuse(const char *s)
{
	struct buf	b;

	buf_init(&b);
	buf_addstr(&b, "");
	for (; *s != '\0'; s++) {
		buf_add(&b, s, 1);
		if (*s == '@' && strncasecmp(s + 1, "room", 4) == 0)
			buf_addstr(&b, "\xe2\x80\x8b");
	}
	return b.data;
}

/* Matrix m.room.message (the room, txn id and token join at sending). */
static char *
body_matrix(const struct hook_msg *m)
{
	json_t	*o;
	char	*all, *text, *safe;

	xasprintf(&all, "%s\n\n%s", m->title, m->text);
	safe = matrix_defuse(all);
	free(all);
	all = safe;
	text = text_cut(all, TEXT_MAX);
	o = json_object();
	json_object_set_new(o, "msgtype", json_string("m.text"));
	json_object_set_new(o, "body", jstr(text));
	free(all);
	free(text);
	return jdump(o);
}

/*
 * PagerDuty Events v2 for one check: trigger on down, degraded and
 * reminder (a trigger with the same dedup_key adds to the incident),
 * resolve on up.  dedup_key is the ticket id; the routing key joins at
 * sending.
 */
static char *
body_pagerduty(const struct hook_msg *m, const struct hook_check *k)
{
	json_t	*o, *p, *d;
	char	 key[32], *summary, *all;
	int	 resolve = strcmp(m->event, "up") == 0;

	o = json_object();
	if (k->ticket > 0)
		snprintf(key, sizeof key, "%lld", k->ticket);
	else
		snprintf(key, sizeof key, "sitewatch-%s", m->event);
	json_object_set_new(o, "event_action",
	    json_string(resolve ? "resolve" : "trigger"));
	json_object_set_new(o, "dedup_key", json_string(key));
	if (!resolve) {
		xasprintf(&all, "%s (%s) is %s: %s%s%s", k->name, k->site,
		    k->state, k->cause != NULL ? k->cause : "unknown",
		    k->message != NULL && *k->message != '\0' ? " - " : "",
		    k->message != NULL ? k->message : "");
		summary = text_cut(all, PD_SUMMARY_MAX);
		d = json_object();
		json_object_set_new(d, "url", jstr(k->url));
		json_object_set_new(d, "cause", jstr(k->cause));
		json_object_set_new(d, "message", jstr(k->message));
		json_object_set_new(d, "ticket", k->ticket > 0 ?
		    json_integer(k->ticket) : json_null());
		json_object_set_new(d, "event", jstr(m->event));
		p = json_object();
		json_object_set_new(p, "summary", jstr(summary));
		json_object_set_new(p, "source", jstr(k->url != NULL &&
		    *k->url != '\0' ? k->url : "sitewatch"));
		json_object_set_new(p, "severity", json_string(
		    strcmp(m->event, "degraded") == 0 ? "warning" :
		    strcmp(m->event, "test") == 0 ? "info" : "critical"));
		json_object_set_new(p, "component", jstr(k->name));
		json_object_set_new(p, "group", jstr(k->site));
		json_object_set_new(p, "class", jstr(k->cause));
		json_object_set_new(p, "custom_details", d);
		json_object_set_new(o, "payload", p);
		json_object_set_new(o, "client", json_string("sitewatch"));
		free(all);
		free(summary);
	}
	return jdump(o);
}

size_t
hook_bodies(const struct notify_conf *nc, const struct hook_msg *m,
    char ***out)
{
	char	**v;
	size_t	  i;

	if (nc->type == NOTIFY_PAGERDUTY) {
		v = xcalloc(m->nchecks > 0 ? m->nchecks : 1, sizeof *v);
		for (i = 0; i < m->nchecks; i++)
			v[i] = body_pagerduty(m, &m->checks[i]);
		*out = v;
		return m->nchecks;
	}
	v = xcalloc(1, sizeof *v);
	switch (nc->type) {
	case NOTIFY_SLACK:
		v[0] = body_slack(m);
		break;
	case NOTIFY_TEAMS:
		v[0] = body_teams(m);
		break;
	case NOTIFY_TELEGRAM:
		v[0] = body_telegram(nc, m);
		break;
	case NOTIFY_NTFY:
		v[0] = body_ntfy(m);
		break;
	case NOTIFY_MATRIX:
		v[0] = body_matrix(m);
		break;
	case NOTIFY_WEBHOOK:
	default:
		v[0] = body_webhook(m);
		break;
	}
	*out = v;
	return 1;
}
