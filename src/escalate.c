/*
 * escalate.c -- mail the escalation levels of critical tickets that
 * nobody acknowledged (see escalate.h).
 *
 * The loop looks every ESC_LOOK_S (sooner when the first level is
 * shorter); a job on its own bio queue reads the open tickets through
 * its own store connection and, for each level due and not yet claimed,
 * claims it and queues one staff mail to that level's addresses in one
 * transaction.  Staff wording, English, as every staff mail.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "bio.h"
#include "config.h"
#include "escalate.h"
#include "log.h"
#include "mime.h"
#include "store.h"
#include "template.h"
#include "xmalloc.h"

#define ESC_LOOK_S	30

struct escalate {
	const struct config	*cfg;
	const struct config	*running;
	struct bio		*bio;
	struct event		*ev;
	escalate_cb		 cb;
	void			*arg;
};

struct esc_job {
	struct escalate		*es;
	const struct config	*cfg;
	size_t			 queued;
};

static void
addrs_free(char **a, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(a[i]);
	free(a);
}

static char *
when_utc(time_t t)
{
	struct tm	 tm;
	char		 buf[32];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
	return xstrdup(buf);
}

/* Render and queue level's mail for ticket t; 0 or -1. */
static int
esc_queue(const struct config *cfg, struct store *st, const struct tmpl *tp,
    const struct words *w, const struct ticket *t, char **to, size_t nto,
    time_t now, char *err, size_t errlen)
{
	const struct check_conf	*c = NULL;
	struct tmpl_data	 d;
	struct mime_msg		 m;
	struct buf		 body, msg;
	char			*subject = NULL, *since, *open_for, *ticket,
				*ack, *link, *sender, *rcpt;
	int			 cause;
	size_t			 i;
	int			 rc = 0;

	for (i = 0; i < cfg->nchecks; i++)
		if (strcmp(cfg->checks[i]->name, t->check) == 0)
			c = cfg->checks[i];
	since = when_utc(t->opened_at);
	open_for = words_duration(w, (long long)(now - t->opened_at));
	xasprintf(&ticket, "#%lld", t->id);
	xasprintf(&ack, "sitewatch ticket ack %lld --by NAME", t->id);
	xasprintf(&link, "%s/check/%s", cfg->public_url != NULL ?
	    cfg->public_url : "", t->check);
	memset(&d, 0, sizeof d);
	d.staff = 1;
	d.top.v[TV_CHECK] = t->check;
	d.top.v[TV_SITE] = t->site != NULL ? t->site : "";
	d.top.v[TV_URL] = c != NULL ? c->url : "";
	d.top.v[TV_STATE] = words_state(w, SW_STATE_DOWN);
	cause = t->cause != NULL ? sw_cause_parse(t->cause) : -1;
	d.top.v[TV_CAUSE] = t->cause;
	d.top.v[TV_CAUSE_TEXT] = cause >= 0 ? words_cause(w, cause) : "";
	d.top.v[TV_SINCE] = since;
	d.top.v[TV_DOWNTIME] = open_for;
	d.top.v[TV_TICKET] = ticket;
	d.top.v[TV_LINK] = link;
	d.top.v[TV_DETAIL] = ack;
	d.top.v[TV_COUNT] = "1";
	d.items = &d.top;
	d.nitems = 1;
	buf_init(&body);
	buf_addstr(&body, "");
	tmpl_render(tp, &d, &subject, &body);
	memset(&m, 0, sizeof m);
	m.from = cfg->smtp.from != NULL ? cfg->smtp.from : "sitewatch";
	m.to = (const char **)to;
	m.nto = nto;
	m.subject = subject;
	m.body = body.data;
	m.date = now;
	buf_init(&msg);
	mime_build(&m, &msg);
	sender = mime_addr_spec(m.from);
	for (i = 0; rc == 0 && i < nto; i++) {
		rcpt = mime_addr_spec(to[i]);
		if (store_mail_push(st, sender, rcpt, subject, msg.data,
		    now) == -1) {
			snprintf(err, errlen, "mail queue: %s",
			    store_errmsg(st));
			rc = -1;
		}
		free(rcpt);
	}
	free(sender);
	buf_free(&msg);
	buf_free(&body);
	free(subject);
	free(since);
	free(open_for);
	free(ticket);
	free(ack);
	free(link);
	return rc;
}

static void
esc_work(void *arg)
{
	struct esc_job		*j = arg;
	const struct config	*cfg = j->cfg;
	struct errlist		 errs;
	struct store		*st;
	struct ticket_brief	*open = NULL;
	struct ticket		 t;
	struct tmpl		*tp;
	struct words		*w;
	char			*path, *where, **to, key[64], err[256];
	size_t			 nopen = 0, i, l, nto;
	time_t			 now = time(NULL);
	long			 after;
	int			 claimed;

	errlist_init(&errs);
	xasprintf(&path, "%s/mail/en/escalation.txt", cfg->templates_dir);
	tp = tmpl_load(path, &errs);
	free(path);
	xasprintf(&path, "%s/mail/en/words.txt", cfg->templates_dir);
	w = words_load(path, &errs);
	free(path);
	where = store_where(cfg->database, cfg->state_dir);
	st = store_open(where, STORE_DURABLE, err, sizeof err);
	free(where);
	if (tp == NULL || w == NULL || st == NULL) {
		log_warn("escalation: %s", st == NULL ? err : errs.n > 0 ?
		    errs.lines[0] : "templates");
		goto out;
	}
	if (store_open_tickets(st, &open, &nopen) != 0) {
		log_warn("escalation: tickets: %s", store_errmsg(st));
		goto out;
	}
	for (i = 0; i < nopen; i++) {
		/* Acknowledged stops the levels; warnings never escalate. */
		if (strcmp(open[i].status, "open") != 0 ||
		    strcmp(open[i].severity, "critical") != 0)
			continue;
		for (l = 0; l < cfg->smtp.nescalate; l++) {
			if (escalate_level(cfg->smtp.escalate[l], &after, &to,
			    &nto, err, sizeof err) == -1)
				continue;	/* refused when read */
			if (open[i].opened_at + after > now) {
				addrs_free(to, nto);
				break;		/* the later ones neither */
			}
			snprintf(key, sizeof key, "%lld#%zu", open[i].id,
			    l + 1);
			memset(&t, 0, sizeof t);
			if (store_begin(st) != 0) {
				addrs_free(to, nto);
				break;
			}
			claimed = store_claim_once(st, "escalation", key, now);
			snprintf(err, sizeof err, "%s", store_errmsg(st));
			if (claimed == 1 && (store_ticket_get(st, open[i].id,
			    &t) != 0 || t.status == NULL ||
			    strcmp(t.status, "open") != 0))
				claimed = 0;	/* taken meanwhile */
			if (claimed == 1 && esc_queue(cfg, st, tp, w, &t, to,
			    nto, now, err, sizeof err) == 0 &&
			    store_commit(st) == 0) {
				log_info("escalation: ticket %lld (%s) not "
				    "acknowledged after %ld s: level %zu "
				    "mailed to %zu address(es)", open[i].id,
				    open[i].check, after, l + 1, nto);
				j->queued++;
			} else {
				store_rollback(st);
				if (claimed == 0)
					log_debug("escalation: ticket %lld "
					    "level %zu was sent already",
					    open[i].id, l + 1);
				else
					log_warn("escalation: ticket %lld "
					    "level %zu: %s", open[i].id, l + 1,
					    err);
			}
			ticket_free(&t);
			addrs_free(to, nto);
		}
	}
out:
	free(open);
	if (st != NULL)
		store_close(st);
	tmpl_free(tp);
	words_free(w);
	errlist_free(&errs);
}

static void
esc_done(void *arg, int cancelled)
{
	struct esc_job	*j = arg;

	j->es->running = NULL;
	if (!cancelled && j->queued > 0 && j->es->cb != NULL)
		j->es->cb(j->es->arg);
}

/* Seconds between looks: the first level's half, 1 to ESC_LOOK_S. */
static int
esc_every(const struct config *cfg)
{
	char	**to, why[128];
	size_t	  nto;
	long	  after;

	if (cfg->smtp.nescalate == 0 || escalate_level(cfg->smtp.escalate[0],
	    &after, &to, &nto, why, sizeof why) == -1)
		return ESC_LOOK_S;
	addrs_free(to, nto);
	after /= 2;
	return after < 1 ? 1 : after > ESC_LOOK_S ? ESC_LOOK_S : (int)after;
}

static void
esc_look(evutil_socket_t fd, short what, void *arg)
{
	struct escalate	*es = arg;
	struct esc_job	*j;
	struct timeval	 tv = { esc_every(es->cfg), 0 };

	(void)fd;
	(void)what;
	evtimer_add(es->ev, &tv);
	if (es->running != NULL || es->cfg->smtp.nescalate == 0)
		return;
	j = xcalloc(1, sizeof *j);
	j->es = es;
	j->cfg = es->cfg;
	if (bio_submit(es->bio, esc_work, esc_done, free, j, 0) == -1) {
		free(j);
		return;
	}
	es->running = es->cfg;
}

struct escalate *
escalate_start(struct event_base *base, const struct config *cfg,
    escalate_cb cb, void *arg)
{
	struct escalate	*es;
	struct timeval	 tv = { 1, 0 };

	es = xcalloc(1, sizeof *es);
	es->cfg = cfg;
	es->cb = cb;
	es->arg = arg;
	es->bio = bio_new(base, "escalate", 1);
	es->ev = evtimer_new(base, esc_look, es);
	evtimer_add(es->ev, &tv);
	return es;
}

void
escalate_reload(struct escalate *es, const struct config *cfg)
{
	es->cfg = cfg;
}

int
escalate_config_unused(const struct escalate *es, const struct config *cfg)
{
	return es == NULL || es->running != cfg;
}

void
escalate_stop(struct escalate *es)
{
	if (es == NULL)
		return;
	event_free(es->ev);
	bio_free(es->bio, BIO_CANCEL);
	free(es);
}

int
escalate_check_templates(const struct config *cfg, struct errlist *errs)
{
	struct tmpl	*t;
	char		*path;
	size_t		 before = errs->n;

	if (cfg->smtp.nescalate == 0)
		return 0;
	xasprintf(&path, "%s/mail/en/escalation.txt", cfg->templates_dir);
	t = tmpl_load(path, errs);
	free(path);
	tmpl_free(t);
	return errs->n > before ? -1 : 0;
}
