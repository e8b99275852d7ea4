/*
 * notify.c -- turn incident events into mails and hand them to the
 * mailer's persistent queue.
 *
 * DESIGN: an event becomes one "alert" per audience: the staff (always
 * English, with the technical detail) and each client address of the
 * site (the site's language, plain words only; never reminders).  Alerts
 * for the same audience and mail kind wait in a group for group_window
 * seconds from the first one, then go out as ONE mail listing every
 * check, so a network blip over forty sites is one mail, not forty.
 * Rendering runs on the loop (it is cheap and touches no disk); the
 * rendered message goes to the mailer thread, which writes it to SQLite
 * and sends it.  At shutdown the waiting groups are rendered at once, so
 * nothing held in memory is lost.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "config.h"
#include "incident.h"
#include "log.h"
#include "mailer.h"
#include "mime.h"
#include "notify.h"
#include "template.h"
#include "xmalloc.h"

enum mail_kind { MK_DOWN, MK_DEGRADED, MK_UP, MK_REMINDER, MK_COUNT };

static const char *kind_names[MK_COUNT] = {
	[MK_DOWN] = "down",
	[MK_DEGRADED] = "degraded",
	[MK_UP] = "up",
	[MK_REMINDER] = "reminder",
};

/* One language's templates and words. */
struct lang {
	char		*name;
	struct tmpl	*t[MK_COUNT];
	struct words	*w;
};

struct langs {
	struct lang	*v;
	size_t		 n;
};

/* One check's part of a mail; every string already cleaned. */
struct alert {
	char		*check;
	char		*site;
	char		*url_staff;	/* password masked */
	char		*url_client;	/* no credentials, query, fragment */
	char		*message;
	enum sw_state	 state;
	enum sw_cause	 cause;
	long long	 ticket;
	time_t		 opened_at;
	time_t		 at;
	long long	 downtime_s;
	int		 resolved;
	int		 cause_known;	/* 0: recovery, cause unknown */
	int		 opened;	/* of an OPENED event */
};

struct group {
	enum mail_kind	  kind;
	char		 *rcpt;		/* NULL: the staff */
	char		 *lang;
	struct alert	**alerts;
	size_t		  nalerts;
	struct event	 *timer;
	struct notifier	 *nt;
	struct group	 *next;
};

/* The cause an open ticket was opened for: a recovery reports "ok". */
struct ticket_cause {
	long long	ticket;
	enum sw_cause	cause;
};

/* An opened ticket whose mails wait in groups: how many groups. */
struct ticket_wait {
	long long	ticket;
	int		groups;
};

struct notifier {
	struct ticket_cause	*causes;
	size_t			 ncauses;
	struct ticket_wait	*waits;
	size_t			 nwaits;
	void			(*told)(long long, void *);
	void			*told_arg;
	const struct config	*cfg;
	struct event_base	*base;
	struct langs		 langs;
	struct group		*groups;
	struct mailer		*mailer;
};

static void	group_fire(evutil_socket_t, short, void *);

/* --- templates ------------------------------------------------------- */

static void
langs_free(struct langs *ls)
{
	size_t	i, k;

	for (i = 0; i < ls->n; i++) {
		for (k = 0; k < MK_COUNT; k++)
			tmpl_free(ls->v[i].t[k]);
		words_free(ls->v[i].w);
		free(ls->v[i].name);
	}
	free(ls->v);
	ls->v = NULL;
	ls->n = 0;
}

static const struct lang *
langs_find(const struct langs *ls, const char *name)
{
	size_t	i;

	for (i = 0; i < ls->n; i++)
		if (strcmp(ls->v[i].name, name) == 0)
			return &ls->v[i];
	return NULL;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Load one language folder; errors go to errs. */
static void
lang_load(struct langs *ls, const char *dir, const char *name,
    struct errlist *errs)
{
	struct lang	*l;
	char		*path;
	size_t		 k;

	ls->v = xappendarray(ls->v, ls->n, sizeof *ls->v);
	l = &ls->v[ls->n++];
	memset(l, 0, sizeof *l);
	l->name = xstrdup(name);
	for (k = 0; k < MK_COUNT; k++) {
		xasprintf(&path, "%s/%s/%s.txt", dir, name, kind_names[k]);
		l->t[k] = tmpl_load(path, errs);
		free(path);
	}
	xasprintf(&path, "%s/%s/words.txt", dir, name);
	l->w = words_load(path, errs);
	free(path);
}

/* The line of a checks.d file where key is set, or 0 when not found. */
static int
key_line(const char *file, const char *key)
{
	FILE	*f;
	char	 line[1024], *p;
	size_t	 len = strlen(key);
	int	 n = 0, found = 0;

	if (file == NULL || (f = fopen(file, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL) {
		n++;
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		if (strncmp(p, key, len) == 0 && (p[len] == ' ' ||
		    p[len] == '\t' || p[len] == '=')) {
			found = n;
			break;
		}
	}
	fclose(f);
	return found;
}

/*
 * Load every language under templates_dir/mail.  English must be there
 * (staff mails) and so must every language a site asks for.  Returns the
 * number of errors added.
 */
static size_t
langs_load(struct langs *ls, const struct config *cfg, struct errlist *errs)
{
	DIR		 *d;
	struct dirent	 *de;
	struct stat	  sb;
	char		 *dir, *sub, **names = NULL;
	size_t		  n = 0, i, before = errs->n;

	memset(ls, 0, sizeof *ls);
	xasprintf(&dir, "%s/mail", cfg->templates_dir);
	if ((d = opendir(dir)) == NULL) {
		errlist_add(errs, dir, 0, "no mail templates here");
		free(dir);
		return errs->n - before;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		xasprintf(&sub, "%s/%s", dir, de->d_name);
		if (stat(sub, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			names = xreallocarray(names, n + 1, sizeof *names);
			names[n++] = xstrdup(de->d_name);
		}
		free(sub);
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp_str);
	for (i = 0; i < n; i++) {
		lang_load(ls, dir, names[i], errs);
		free(names[i]);
	}
	free(names);
	if (langs_find(ls, "en") == NULL)
		errlist_add(errs, dir, 0, "no English templates (mail/en): "
		    "staff mails need them");
	for (i = 0; i < cfg->nsites; i++) {
		const struct site_conf *s = cfg->sites[i];

		if (s->language != NULL && langs_find(ls, s->language) == NULL)
			errlist_add(errs, s->file != NULL ? s->file : dir,
			    key_line(s->file, "language"), "site %s: no mail "
			    "templates for language %s in %s", s->name,
			    s->language, dir);
	}
	free(dir);
	return errs->n - before;
}

int
notify_check_templates(const struct config *cfg, struct errlist *errs)
{
	struct langs	ls;
	size_t		nerr;

	nerr = langs_load(&ls, cfg, errs);
	langs_free(&ls);
	return nerr > 0 ? -1 : 0;
}

/* --- alerts ---------------------------------------------------------- */

/*
 * The URL as a client may see it: no user or password, no query or
 * fragment (tokens live there).  Staff see it whole but for the password.
 */
static char *
url_clean(const char *url, int for_client)
{
	const char	*auth, *end, *at, *colon;
	struct buf	 b;
	char		*out;

	buf_init(&b);
	buf_addstr(&b, "");
	if (url == NULL)
		return b.data;
	auth = strstr(url, "://");
	auth = auth != NULL ? auth + 3 : url;
	end = auth + strcspn(auth, "/?#");
	at = memchr(auth, '@', (size_t)(end - auth));
	buf_add(&b, url, (size_t)(auth - url));
	if (at != NULL && !for_client) {
		colon = memchr(auth, ':', (size_t)(at - auth));
		if (colon != NULL) {
			buf_add(&b, auth, (size_t)(colon - auth));
			buf_addstr(&b, ":***");
		} else
			buf_add(&b, auth, (size_t)(at - auth));
		buf_add(&b, "@", 1);
	}
	if (at != NULL)
		auth = at + 1;
	if (for_client)
		buf_add(&b, auth, strcspn(auth, "?#"));
	else
		buf_addstr(&b, auth);
	out = mime_clean(b.data);
	buf_free(&b);
	return out;
}

static struct alert *
alert_new(const struct incident_event *ev, const struct check_conf *c)
{
	struct alert	*a;

	a = xcalloc(1, sizeof *a);
	a->check = mime_clean(ev->check != NULL ? ev->check : "?");
	a->site = mime_clean(c != NULL && c->site != NULL &&
	    c->site->name != NULL ? c->site->name : "");
	a->url_staff = url_clean(c != NULL ? c->url : NULL, 0);
	a->url_client = url_clean(c != NULL ? c->url : NULL, 1);
	a->message = mime_clean(ev->message != NULL ? ev->message : "");
	a->state = ev->state;
	a->cause = ev->cause;
	a->ticket = ev->ticket_id;
	a->opened_at = ev->opened_at;
	a->at = ev->at;
	a->downtime_s = ev->downtime_s;
	a->resolved = ev->kind == INCIDENT_RESOLVED;
	a->cause_known = 1;
	return a;
}

static void
alert_free(struct alert *a)
{
	free(a->check);
	free(a->site);
	free(a->url_staff);
	free(a->url_client);
	free(a->message);
	free(a);
}

static struct alert *
alert_dup(const struct alert *a)
{
	struct alert	*b;

	b = xmalloc(sizeof *b);
	*b = *a;
	b->check = xstrdup(a->check);
	b->site = xstrdup(a->site);
	b->url_staff = xstrdup(a->url_staff);
	b->url_client = xstrdup(a->url_client);
	b->message = xstrdup(a->message);
	return b;
}

/* --- rendering -------------------------------------------------------- */

/* Strings made for one rendering, freed together. */
struct pool {
	char	**v;
	size_t	  n;
};

static const char *
pool_add(struct pool *p, char *s)
{
	p->v = xappendarray(p->v, p->n, sizeof *p->v);
	p->v[p->n++] = s;
	return s;
}

static void
pool_free(struct pool *p)
{
	size_t	i;

	for (i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
}

static char *
fmt_time(time_t t)
{
	struct tm	 tm;
	char		 buf[32];

	if (t <= 0)
		return xstrdup("");
	gmtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
	return xstrdup(buf);
}

/* The values of one alert for the given audience. */
static void
alert_item(const struct alert *a, const struct lang *l, int staff,
    const char *public_url, struct pool *p, struct tmpl_item *it)
{
	char	*s;

	memset(it, 0, sizeof *it);
	it->v[TV_SITE] = a->site;
	it->v[TV_CHECK] = a->check;
	it->v[TV_URL] = staff ? a->url_staff : a->url_client;
	it->v[TV_STATE] = words_state(l->w, a->state);
	if (a->cause_known) {
		it->v[TV_CAUSE] = sw_cause_name(a->cause);
		it->v[TV_CAUSE_TEXT] = words_cause(l->w, a->cause);
	}
	it->v[TV_SINCE] = pool_add(p, fmt_time(a->opened_at));
	if (a->resolved)
		it->v[TV_DOWNTIME] = pool_add(p,
		    words_duration(l->w, a->downtime_s));
	if (a->ticket > 0) {
		xasprintf(&s, "#%lld", a->ticket);
		it->v[TV_TICKET] = pool_add(p, s);
	}
	if (staff)
		xasprintf(&s, "%s/check/%s", public_url, a->check);
	else
		xasprintf(&s, "%s/status", public_url);
	it->v[TV_LINK] = pool_add(p, s);
	if (staff) {
		struct buf	b;
		char		*at = fmt_time(a->at);

		buf_init(&b);
		buf_printf(&b, "  Check:   %s (%s)\n", a->check, a->site);
		buf_printf(&b, "  URL:     %s\n", a->url_staff);
		if (a->resolved)
			buf_printf(&b,
			    "  State:   %s again, the cause was %s\n",
			    sw_state_name(a->state), a->cause_known ?
			    sw_cause_name(a->cause) : "not recorded");
		else
			buf_printf(&b, "  State:   %s, cause %s\n",
			    sw_state_name(a->state), sw_cause_name(a->cause));
		if (*a->message != '\0')
			buf_printf(&b, "  Message: %s\n", a->message);
		buf_printf(&b, "  Opened:  %s\n", it->v[TV_SINCE]);
		buf_printf(&b, "  Event:   %s\n", at);
		if (a->resolved)
			buf_printf(&b, "  Down:    %lld s\n", a->downtime_s);
		if (a->ticket > 0)
			buf_printf(&b, "  Ticket:  #%lld %s\n", a->ticket,
			    it->v[TV_LINK]);
		free(at);
		it->v[TV_DETAIL] = pool_add(p, b.data);
	}
}

/* "a, b, c (+2)": the distinct values, at most three named. */
static char *
join_distinct(struct tmpl_item *items, size_t n, int var)
{
	struct buf	 b;
	size_t		 i, k, nseen = 0, more = 0;

	buf_init(&b);
	buf_addstr(&b, "");
	for (i = 0; i < n; i++) {
		const char *v = items[i].v[var];

		if (v == NULL || *v == '\0')
			continue;
		for (k = 0; k < i; k++)
			if (items[k].v[var] != NULL &&
			    strcmp(items[k].v[var], v) == 0)
				break;
		if (k < i)
			continue;
		if (nseen == 3) {
			more++;
			continue;
		}
		if (nseen > 0)
			buf_addstr(&b, ", ");
		buf_addstr(&b, v);
		nseen++;
	}
	if (more > 0)
		buf_printf(&b, " (+%zu)", more);
	return b.data;
}

/*
 * Build one message from the configured sender to the given addresses
 * and queue it for each of them, one row a recipient.
 */
static void
notify_queue(struct notifier *nt, const char **to, size_t nto,
    const char *subject, const char *body)
{
	const struct config	*cfg = nt->cfg;
	struct mime_msg		 m;
	struct buf		 msg;
	char			*sender, *rcpt;
	size_t			 i;

	memset(&m, 0, sizeof m);
	m.from = cfg->smtp.from != NULL ? cfg->smtp.from : "sitewatch";
	m.to = to;
	m.nto = nto;
	m.subject = subject;
	m.body = body;
	m.date = time(NULL);
	buf_init(&msg);
	mime_build(&m, &msg);
	sender = mime_addr_spec(m.from);
	for (i = 0; i < nto; i++) {
		rcpt = mime_addr_spec(to[i]);
		if (*rcpt != '\0')
			mailer_submit(nt->mailer, sender, rcpt, subject,
			    msg.data);
		free(rcpt);
	}
	free(sender);
	buf_free(&msg);
}

/*
 * One more group with ticket's OPENED alert went to the queue (or, with
 * add, n more wait).  At zero the ticket is told (notify_on_told).
 */
static void
told_count(struct notifier *nt, long long ticket, int add)
{
	size_t	i;

	for (i = 0; i < nt->nwaits; i++)
		if (nt->waits[i].ticket == ticket)
			break;
	if (i == nt->nwaits) {
		if (add <= 0) {
			if (nt->told != NULL)
				nt->told(ticket, nt->told_arg);
			return;
		}
		nt->waits = xreallocarray(nt->waits, nt->nwaits + 1,
		    sizeof *nt->waits);
		nt->waits[nt->nwaits].ticket = ticket;
		nt->waits[nt->nwaits++].groups = 0;
	}
	nt->waits[i].groups += add != 0 ? add : -1;
	if (nt->waits[i].groups > 0)
		return;
	nt->waits[i] = nt->waits[--nt->nwaits];
	if (nt->told != NULL)
		nt->told(ticket, nt->told_arg);
}

/* Render a group's mail and hand it to the mailer, one row a recipient. */
static void
group_send(struct group *g)
{
	const struct config	*cfg = g->nt->cfg;
	const struct lang	*l;
	struct tmpl_data	 d;
	struct tmpl_item	*items;
	struct pool		 p = { NULL, 0 };
	struct buf		 body;
	const char		*one[1], *public_url;
	char			*subject, *count;
	size_t			 i;
	int			 staff = g->rcpt == NULL;

	if ((l = langs_find(&g->nt->langs, g->lang)) == NULL &&
	    (l = langs_find(&g->nt->langs, "en")) == NULL)
		return;
	public_url = cfg->public_url != NULL ? cfg->public_url : "";
	items = xcalloc(g->nalerts, sizeof *items);
	for (i = 0; i < g->nalerts; i++)
		alert_item(g->alerts[i], l, staff, public_url, &p, &items[i]);
	memset(&d, 0, sizeof d);
	d.top = items[0];
	d.items = items;
	d.nitems = g->nalerts;
	d.staff = staff;
	d.top.v[TV_SITE] = pool_add(&p, join_distinct(items, g->nalerts,
	    TV_SITE));
	d.top.v[TV_CHECK] = pool_add(&p, join_distinct(items, g->nalerts,
	    TV_CHECK));
	d.top.v[TV_TICKET] = pool_add(&p, join_distinct(items, g->nalerts,
	    TV_TICKET));
	xasprintf(&count, "%zu", g->nalerts);
	d.top.v[TV_COUNT] = pool_add(&p, count);
	for (i = 0; i < g->nalerts; i++)
		items[i].v[TV_COUNT] = count;

	buf_init(&body);
	buf_addstr(&body, "");
	tmpl_render(l->t[g->kind], &d, &subject, &body);

	one[0] = g->rcpt;
	if (staff)
		notify_queue(g->nt, (const char **)cfg->smtp.staff,
		    cfg->smtp.nstaff, subject, body.data);
	else
		notify_queue(g->nt, one, 1, subject, body.data);
	log_info("mail %s to %s: %zu check(s), \"%s\"", kind_names[g->kind],
	    staff ? "staff" : g->rcpt, g->nalerts, subject);
	for (i = 0; i < g->nalerts; i++)
		if (g->alerts[i]->opened)
			told_count(g->nt, g->alerts[i]->ticket, 0);
	buf_free(&body);
	free(subject);
	free(items);
	pool_free(&p);
}

static void
group_free(struct group *g)
{
	size_t	i;

	for (i = 0; i < g->nalerts; i++)
		alert_free(g->alerts[i]);
	free(g->alerts);
	if (g->timer != NULL)
		event_free(g->timer);
	free(g->rcpt);
	free(g->lang);
	free(g);
}

/* Unlink g from its notifier, send it and free it. */
static void
group_flush(struct group *g)
{
	struct group	**pp;

	for (pp = &g->nt->groups; *pp != NULL; pp = &(*pp)->next)
		if (*pp == g) {
			*pp = g->next;
			break;
		}
	group_send(g);
	group_free(g);
}

static void
group_fire(evutil_socket_t fd, short what, void *arg)
{
	group_flush(arg);
}

/* Add a to the waiting group of (kind, rcpt, lang), opening one if needed. */
static void
group_add(struct notifier *nt, enum mail_kind kind, const char *rcpt,
    const char *lang, struct alert *a)
{
	struct group	*g;
	struct timeval	 tv;

	for (g = nt->groups; g != NULL; g = g->next)
		if (g->kind == kind && strcmp(g->lang, lang) == 0 &&
		    ((g->rcpt == NULL && rcpt == NULL) || (g->rcpt != NULL &&
		    rcpt != NULL && strcasecmp(g->rcpt, rcpt) == 0)))
			break;
	if (g == NULL) {
		g = xcalloc(1, sizeof *g);
		g->kind = kind;
		g->rcpt = rcpt != NULL ? xstrdup(rcpt) : NULL;
		g->lang = xstrdup(lang);
		g->nt = nt;
		g->next = nt->groups;
		nt->groups = g;
		tv.tv_sec = nt->cfg->smtp.group_window > 0 ?
		    nt->cfg->smtp.group_window : 0;
		tv.tv_usec = 0;
		if (nt->base != NULL) {
			g->timer = evtimer_new(nt->base, group_fire, g);
			evtimer_add(g->timer, &tv);
		}
	}
	g->alerts = xappendarray(g->alerts, g->nalerts,
	    sizeof *g->alerts);
	g->alerts[g->nalerts++] = a;
	if (g->timer == NULL)
		group_flush(g);
}

/*
 * Remember why ticket id opened (or escalated), so that its recovery,
 * which reports the cause "ok", can say what the problem was.  Returns
 * the remembered cause or -1; forget drops the entry.
 */
static int
cause_note(struct notifier *nt, long long ticket, int cause, int forget)
{
	size_t	i;
	int	old;

	for (i = 0; i < nt->ncauses; i++)
		if (nt->causes[i].ticket == ticket)
			break;
	if (i == nt->ncauses) {
		if (forget || cause < 0)
			return -1;
		nt->causes = xreallocarray(nt->causes, nt->ncauses + 1,
		    sizeof *nt->causes);
		nt->causes[nt->ncauses].ticket = ticket;
		nt->causes[nt->ncauses++].cause = cause;
		return cause;
	}
	old = nt->causes[i].cause;
	if (forget)
		nt->causes[i] = nt->causes[--nt->ncauses];
	else if (cause >= 0)
		nt->causes[i].cause = cause;
	return old;
}

/* --- the daemon-facing API ------------------------------------------- */

struct notifier *
notify_open(const struct config *cfg, struct event_base *base)
{
	struct notifier	*nt;
	struct errlist	 errs;
	char		 err[512];
	size_t		 i;

	nt = xcalloc(1, sizeof *nt);
	nt->cfg = cfg;
	nt->base = base;
	errlist_init(&errs);
	if (langs_load(&nt->langs, cfg, &errs) > 0) {
		for (i = 0; i < errs.n; i++)
			log_error("%s", errs.lines[i]);
		errlist_free(&errs);
		langs_free(&nt->langs);
		free(nt);
		return NULL;
	}
	errlist_free(&errs);
	if ((nt->mailer = mailer_start(cfg, base, err, sizeof err)) == NULL) {
		log_error("mail queue: %s", err);
		langs_free(&nt->langs);
		free(nt);
		return NULL;
	}
	return nt;
}

void
notify_event(struct notifier *nt, const struct incident_event *ev)
{
	const struct check_conf	*c;
	const struct site_conf	*site;
	enum mail_kind		 kind;
	struct alert		*a;
	size_t			 i;
	int			 known, ngroups;

	if (nt == NULL)
		return;
	if (ev->kind == INCIDENT_OPENED && (ev->suppress_mail ||
	    ((ev->conf == NULL || ev->conf->site == NULL ||
	    ev->conf->site->nclient_emails == 0) &&
	    nt->cfg->smtp.nstaff == 0)))
		told_count(nt, ev->ticket_id, -1);	/* nothing to send */
	/* Causes are remembered even for mails that are not sent. */
	known = -1;
	if (ev->kind == INCIDENT_RESOLVED)
		known = cause_note(nt, ev->ticket_id, -1, 1);
	else if (ev->cause != SW_CAUSE_OK && (ev->kind != INCIDENT_REMINDER ||
	    cause_note(nt, ev->ticket_id, -1, 0) < 0))
		cause_note(nt, ev->ticket_id, ev->cause, 0);
	if (ev->suppress_mail)
		return;
	switch (ev->kind) {
	case INCIDENT_OPENED:
		kind = ev->severity == SEVERITY_CRITICAL ? MK_DOWN :
		    MK_DEGRADED;
		break;
	case INCIDENT_ESCALATED:
		kind = MK_DOWN;
		break;
	case INCIDENT_REMINDER:
		kind = MK_REMINDER;
		break;
	case INCIDENT_RESOLVED:
		kind = MK_UP;
		break;
	default:
		return;
	}
	c = ev->conf;
	site = c != NULL ? c->site : NULL;
	a = alert_new(ev, c);
	a->opened = ev->kind == INCIDENT_OPENED;
	if (a->opened) {
		/* Counted before any group is sent (group_add may send). */
		ngroups = nt->cfg->smtp.nstaff > 0;
		if (site != NULL)
			ngroups += (int)site->nclient_emails;
		if (ngroups > 0)
			told_count(nt, ev->ticket_id, ngroups);
	}
	if (kind == MK_UP) {
		/* After a restart we may not know: then we do not say. */
		if (known >= 0)
			a->cause = known;
		else if (a->cause == SW_CAUSE_OK)
			a->cause_known = 0;
	}
	if (kind != MK_REMINDER && site != NULL) {
		for (i = 0; i < site->nclient_emails; i++)
			group_add(nt, kind, site->client_emails[i],
			    site->language != NULL ? site->language : "en",
			    alert_dup(a));
	}
	if (nt->cfg->smtp.nstaff > 0)
		group_add(nt, kind, NULL, "en", a);
	else
		alert_free(a);
}

/*
 * A note to staff only, in English, through the same queue as every
 * alert (the checker's own health: no ticket, no client, no template).
 */
void
notify_staff(struct notifier *nt, const char *subject, const char *text)
{
	if (nt == NULL || nt->cfg->smtp.nstaff == 0)
		return;
	notify_queue(nt, (const char **)nt->cfg->smtp.staff,
	    nt->cfg->smtp.nstaff, subject, text);
	log_info("mail to staff: \"%s\"", subject);
}

void
notify_reload(struct notifier *nt, const struct config *cfg)
{
	struct langs	ls;
	struct errlist	errs;
	size_t		i;

	if (nt == NULL)
		return;
	errlist_init(&errs);
	if (langs_load(&ls, cfg, &errs) > 0) {
		for (i = 0; i < errs.n; i++)
			log_error("%s", errs.lines[i]);
		log_error("mail templates not reloaded");
		langs_free(&ls);
	} else {
		langs_free(&nt->langs);
		nt->langs = ls;
	}
	errlist_free(&errs);
	nt->cfg = cfg;
	mailer_reconfigure(nt->mailer, cfg);
}

void
notify_on_told(struct notifier *nt, void (*fn)(long long, void *), void *arg)
{
	if (nt == NULL)
		return;
	nt->told = fn;
	nt->told_arg = arg;
}

void
notify_close(struct notifier *nt)
{
	if (nt == NULL)
		return;
	/*
	 * What waits for its group window is sent to the queue now, all of
	 * it stored for the next start: none half sent while the rest waits
	 * for its turn.
	 */
	mailer_stopping(nt->mailer);
	while (nt->groups != NULL)
		group_flush(nt->groups);
	mailer_stop(nt->mailer);
	langs_free(&nt->langs);
	free(nt->causes);
	free(nt->waits);
	free(nt);
}
