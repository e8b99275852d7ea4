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
 *
 * Channels ([notify NAME]) are one more audience each: the staff wording
 * in English, grouped by the same window, filtered by the channel's
 * events and sites.  A channel's group is rendered with its type's
 * template (templates/notify/TYPE.txt) into the service's body
 * (hook_bodies) and handed to the notification sender (hooksend.c),
 * which keeps it in the same persistent queue as mail.
 *
 * A client's times are in the site's zone, named ([site] timezone, read
 * from the small zoneinfo file when the mail is rendered), its link is
 * the site's own /status/SITE, and the mail is signed with [smtp]
 * organization and contact when they are set.
 *
 * A site's confirmed subscribers (subscribers.c keeps them, read off the
 * loop) get the client wording of down, degraded and up alerts in groups
 * of their own, each mail with its unsubscribe link and a
 * List-Unsubscribe header; an address that is also a client address of
 * the site gets the client's mail only.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "config.h"
#include "hook.h"
#include "incident.h"
#include "log.h"
#include "mailer.h"
#include "mime.h"
#include "notify.h"
#include "store.h"
#include "subscribers.h"
#include "template.h"
#include "tzinfo.h"
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
	char		*site_id;	/* its /status/SITE; "" none */
	char		*timezone;	/* the site's; NULL: UTC */
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
	char		*locations;	/* k of n: that saw it; NULL */
};

struct group {
	enum mail_kind	  kind;
	char		 *channel;	/* a [notify NAME]; NULL: a mail */
	char		 *rcpt;		/* NULL: the staff */
	char		 *unsub;	/* a subscriber's link, or NULL */
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
	struct subscribers	*subs;
	/* Channels: templates by type (NULL: none needed), the sender. */
	struct tmpl		*hook_t[NOTIFY_TYPE_COUNT];
	struct hooksend		*hooks;
};

/* The types whose text comes from templates/notify/TYPE.txt. */
static int
type_has_template(int type)
{
	return type != NOTIFY_WEBHOOK && type != NOTIFY_PAGERDUTY;
}

/* What {{event}} says for each kind of group. */
static const char *event_words[MK_COUNT] = {
	[MK_DOWN] = "DOWN",
	[MK_DEGRADED] = "DEGRADED",
	[MK_UP] = "UP",
	[MK_REMINDER] = "REMINDER",
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

/*
 * Load templates/notify/TYPE.txt for every type a channel uses into t[]
 * (the others NULL).  Returns the number of errors added.
 */
static size_t
hook_tmpls_load(struct tmpl **t, const struct config *cfg,
    struct errlist *errs)
{
	size_t	i, before = errs->n;
	int	type;
	char	*path;

	memset(t, 0, NOTIFY_TYPE_COUNT * sizeof *t);
	for (i = 0; i < cfg->nnotifies; i++) {
		type = cfg->notifies[i]->type;
		if (type < 0 || type >= NOTIFY_TYPE_COUNT ||
		    !type_has_template(type) || t[type] != NULL)
			continue;
		xasprintf(&path, "%s/notify/%s.txt", cfg->templates_dir,
		    notify_type_name(type));
		t[type] = tmpl_load(path, errs);
		free(path);
	}
	return errs->n - before;
}

static void
hook_tmpls_free(struct tmpl **t)
{
	size_t	i;

	for (i = 0; i < NOTIFY_TYPE_COUNT; i++) {
		tmpl_free(t[i]);
		t[i] = NULL;
	}
}

int
notify_check_templates(const struct config *cfg, struct errlist *errs)
{
	struct langs	ls;
	struct tmpl	*t[NOTIFY_TYPE_COUNT];
	size_t		nerr;

	nerr = langs_load(&ls, cfg, errs);
	langs_free(&ls);
	nerr += hook_tmpls_load(t, cfg, errs);
	hook_tmpls_free(t);
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
	a->site_id = xstrdup(c != NULL && c->site != NULL &&
	    c->site->id != NULL ? c->site->id : "");
	a->timezone = c != NULL && c->site != NULL &&
	    c->site->timezone != NULL ? xstrdup(c->site->timezone) : NULL;
	a->message = mime_clean(ev->message != NULL ? ev->message : "");
	a->state = ev->state;
	a->cause = ev->cause;
	a->ticket = ev->ticket_id;
	a->opened_at = ev->opened_at;
	a->at = ev->at;
	a->downtime_s = ev->downtime_s;
	a->resolved = ev->kind == INCIDENT_RESOLVED;
	a->cause_known = 1;
	a->locations = ev->locations != NULL && ev->locations[0] != '\0' ?
	    mime_clean(ev->locations) : NULL;
	return a;
}

static void
alert_free(struct alert *a)
{
	free(a->locations);
	free(a->check);
	free(a->site);
	free(a->url_staff);
	free(a->url_client);
	free(a->site_id);
	free(a->timezone);
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
	b->site_id = xstrdup(a->site_id);
	b->timezone = a->timezone != NULL ? xstrdup(a->timezone) : NULL;
	b->message = xstrdup(a->message);
	b->locations = a->locations != NULL ? xstrdup(a->locations) : NULL;
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

/* t in the zone named zone ("2026-12-04 23:40 +03 (Europe/Istanbul)"). */
static char *
fmt_time_zone(time_t t, const char *zone)
{
	struct tzinfo	*tz;
	char		 buf[96], why[128];

	if (t <= 0)
		return xstrdup("");
	tz = zone != NULL ? tzinfo_load(zone, why, sizeof why) : NULL;
	tzinfo_format(tz, t, buf, sizeof buf);
	tzinfo_free(tz);
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
	it->v[TV_SINCE] = pool_add(p, staff ? fmt_time(a->opened_at) :
	    fmt_time_zone(a->opened_at, a->timezone));
	if (a->resolved)
		it->v[TV_DOWNTIME] = pool_add(p,
		    words_duration(l->w, a->downtime_s));
	if (a->ticket > 0) {
		xasprintf(&s, "#%lld", a->ticket);
		it->v[TV_TICKET] = pool_add(p, s);
	}
	if (staff)
		xasprintf(&s, "%s/check/%s", public_url, a->check);
	else if (*a->site_id != '\0')
		xasprintf(&s, "%s/status/%s", public_url, a->site_id);
	else
		/* No site: /status, which lists every site only when
		 * status_index allows it. */
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
		/* k of n: staff only, the clients need not know where from. */
		if (a->locations != NULL)
			buf_printf(&b, "  Failing at: %s\n", a->locations);
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
    const char *subject, const char *body, const char *unsub)
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
	m.unsubscribe = unsub;
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
 * Render a channel's group: the title and text from its type's template
 * (staff wording), the facts for the body, and hand each body to the
 * notification sender.
 */
static void
group_send_channel(struct group *g)
{
	const struct config		*cfg = g->nt->cfg;
	const struct notify_conf	*nc;
	const struct lang		*l;
	struct tmpl_data		 d;
	struct tmpl_item		*items;
	struct hook_check		*hc;
	struct hook_msg			 m;
	struct pool			 p = { NULL, 0 };
	struct buf			 body;
	const char			*public_url;
	char				*subject = NULL, *count, **bodies;
	size_t				 i, nb;

	if ((nc = config_find_notify(cfg, g->channel)) == NULL ||
	    (l = langs_find(&g->nt->langs, "en")) == NULL)
		return;
	public_url = cfg->public_url != NULL ? cfg->public_url : "";
	items = xcalloc(g->nalerts, sizeof *items);
	hc = xcalloc(g->nalerts, sizeof *hc);
	xasprintf(&count, "%zu", g->nalerts);
	pool_add(&p, count);
	for (i = 0; i < g->nalerts; i++) {
		const struct alert *a = g->alerts[i];

		alert_item(a, l, 1, public_url, &p, &items[i]);
		items[i].v[TV_COUNT] = count;
		items[i].v[TV_EVENT] = event_words[g->kind];
		hc[i].name = a->check;
		hc[i].site = a->site;
		hc[i].url = a->url_staff;
		hc[i].state = sw_state_name(a->state);
		hc[i].cause = a->cause_known ? sw_cause_name(a->cause) : NULL;
		hc[i].message = a->message;
		hc[i].ticket = a->ticket;
		hc[i].downtime_s = a->resolved ? a->downtime_s : -1;
	}
	memset(&d, 0, sizeof d);
	d.top = items[0];
	d.items = items;
	d.nitems = g->nalerts;
	d.staff = 1;
	d.top.v[TV_SITE] = pool_add(&p, join_distinct(items, g->nalerts,
	    TV_SITE));
	d.top.v[TV_CHECK] = pool_add(&p, join_distinct(items, g->nalerts,
	    TV_CHECK));
	d.top.v[TV_TICKET] = pool_add(&p, join_distinct(items, g->nalerts,
	    TV_TICKET));
	buf_init(&body);
	buf_addstr(&body, "");
	if (nc->type >= 0 && nc->type < NOTIFY_TYPE_COUNT &&
	    g->nt->hook_t[nc->type] != NULL)
		tmpl_render(g->nt->hook_t[nc->type], &d, &subject, &body);
	else
		xasprintf(&subject, "%s: %s (%s) %s", event_words[g->kind],
		    d.top.v[TV_CHECK], d.top.v[TV_SITE], d.top.v[TV_TICKET]);

	memset(&m, 0, sizeof m);
	m.event = kind_names[g->kind];
	/* When it happened (the first of the group), not when it is sent. */
	m.at = g->alerts[0]->at > 0 ? g->alerts[0]->at : time(NULL);
	m.title = subject;
	m.text = body.data;
	m.checks = hc;
	m.nchecks = g->nalerts;
	nb = hook_bodies(nc, &m, &bodies);
	for (i = 0; i < nb; i++) {
		hooksend_submit(g->nt->hooks, nc->name, m.event, bodies[i]);
		free(bodies[i]);
	}
	free(bodies);
	log_info("notify %s to %s (%s): %zu check(s), \"%s\"",
	    kind_names[g->kind], nc->name, notify_type_name(nc->type),
	    g->nalerts, subject);
	buf_free(&body);
	free(subject);
	free(hc);
	free(items);
	pool_free(&p);
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

	if (g->channel != NULL) {
		group_send_channel(g);
		return;
	}
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
	if (!staff) {
		d.top.v[TV_ORGANIZATION] = cfg->smtp.organization;
		d.top.v[TV_CONTACT] = cfg->smtp.contact;
		d.top.v[TV_UNSUBSCRIBE] = g->unsub;
	}
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
		    cfg->smtp.nstaff, subject, body.data, NULL);
	else
		notify_queue(g->nt, one, 1, subject, body.data, g->unsub);
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
	free(g->channel);
	free(g->unsub);
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

/* The same channel, or both mail. */
static int
same_channel(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/*
 * Add a to the waiting group of (kind, channel, rcpt, lang), opening one
 * if needed; unsub is a subscriber's unsubscribe link (NULL otherwise).
 */
static void
group_add(struct notifier *nt, enum mail_kind kind, const char *channel,
    const char *rcpt, const char *lang, const char *unsub, struct alert *a)
{
	struct group	*g;
	struct timeval	 tv;

	for (g = nt->groups; g != NULL; g = g->next)
		if (g->kind == kind && strcmp(g->lang, lang) == 0 &&
		    same_channel(g->channel, channel) &&
		    ((g->rcpt == NULL && rcpt == NULL) || (g->rcpt != NULL &&
		    rcpt != NULL && strcasecmp(g->rcpt, rcpt) == 0)))
			break;
	if (g == NULL) {
		g = xcalloc(1, sizeof *g);
		g->kind = kind;
		g->channel = channel != NULL ? xstrdup(channel) : NULL;
		g->rcpt = rcpt != NULL ? xstrdup(rcpt) : NULL;
		g->unsub = unsub != NULL ? xstrdup(unsub) : NULL;
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

/* Whether channel nc takes an event of kind about a check of site. */
static int
channel_wants(const struct notify_conf *nc, enum mail_kind kind,
    const struct site_conf *site)
{
	static const unsigned	bits[MK_COUNT] = {
		[MK_DOWN] = NOTIFY_EV_DOWN,
		[MK_DEGRADED] = NOTIFY_EV_DEGRADED,
		[MK_UP] = NOTIFY_EV_UP,
		[MK_REMINDER] = NOTIFY_EV_REMINDER,
	};
	size_t			i;

	if ((nc->events & bits[kind]) == 0)
		return 0;
	if (nc->nsites == 0)
		return 1;
	for (i = 0; site != NULL && i < nc->nsites; i++)
		if ((site->name != NULL && strcmp(site->name,
		    nc->sites[i]) == 0) || (site->id != NULL &&
		    strcmp(site->id, nc->sites[i]) == 0))
			return 1;
	return 0;
}

/* Group a for each confirmed subscriber of site not also its client. */
static void
notify_subscribers(struct notifier *nt, enum mail_kind kind,
    const struct site_conf *site, const struct alert *a)
{
	const struct subscriber	*v;
	char			*unsub;
	size_t			 n, i, k;

	n = subscribers_of(nt->subs, site->id, &v);
	for (i = 0; i < n; i++) {
		for (k = 0; k < site->nclient_emails; k++)
			if (strcasecmp(site->client_emails[k], v[i].email) ==
			    0)
				break;
		if (k < site->nclient_emails)
			continue;
		xasprintf(&unsub, "%s/status/unsubscribe?token=%s",
		    nt->cfg->public_url != NULL ? nt->cfg->public_url : "",
		    v[i].token);
		group_add(nt, kind, NULL, v[i].email, site->language != NULL ?
		    site->language : "en", unsub, alert_dup(a));
		free(unsub);
	}
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
	if (langs_load(&nt->langs, cfg, &errs) > 0 ||
	    hook_tmpls_load(nt->hook_t, cfg, &errs) > 0) {
		for (i = 0; i < errs.n; i++)
			log_error("%s", errs.lines[i]);
		errlist_free(&errs);
		langs_free(&nt->langs);
		hook_tmpls_free(nt->hook_t);
		free(nt);
		return NULL;
	}
	errlist_free(&errs);
	/* A sender only when there are channels (or on the reload that
	   adds the first); rows of removed channels wait for it. */
	if (cfg->nnotifies > 0 && (nt->hooks = hooksend_start(cfg, base,
	    err, sizeof err)) == NULL) {
		log_error("notify queue: %s", err);
		langs_free(&nt->langs);
		hook_tmpls_free(nt->hook_t);
		free(nt);
		return NULL;
	}
	if ((nt->mailer = mailer_start(cfg, base, err, sizeof err)) == NULL) {
		log_error("mail queue: %s", err);
		hooksend_stop(nt->hooks);
		langs_free(&nt->langs);
		hook_tmpls_free(nt->hook_t);
		free(nt);
		return NULL;
	}
	nt->subs = subscribers_open(cfg, base);
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
			group_add(nt, kind, NULL, site->client_emails[i],
			    site->language != NULL ? site->language : "en",
			    NULL, alert_dup(a));
		notify_subscribers(nt, kind, site, a);
	}
	for (i = 0; i < nt->cfg->nnotifies; i++) {
		const struct notify_conf *nc = nt->cfg->notifies[i];

		if (channel_wants(nc, kind, site))
			group_add(nt, kind, nc->name, NULL, "en", NULL,
			    alert_dup(a));
	}
	if (nt->cfg->smtp.nstaff > 0)
		group_add(nt, kind, NULL, NULL, "en", NULL, a);
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
	    nt->cfg->smtp.nstaff, subject, text, NULL);
	log_info("mail to staff: \"%s\"", subject);
}

void
notify_reload(struct notifier *nt, const struct config *cfg)
{
	struct langs	ls;
	struct tmpl	*t[NOTIFY_TYPE_COUNT];
	struct errlist	errs;
	char		err[512];
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
	errlist_init(&errs);
	if (hook_tmpls_load(t, cfg, &errs) > 0) {
		for (i = 0; i < errs.n; i++)
			log_error("%s", errs.lines[i]);
		log_error("notify templates not reloaded");
		hook_tmpls_free(t);
	} else {
		hook_tmpls_free(nt->hook_t);
		memcpy(nt->hook_t, t, sizeof t);
	}
	errlist_free(&errs);
	nt->cfg = cfg;
	mailer_reconfigure(nt->mailer, cfg);
	if (nt->hooks != NULL)
		hooksend_reconfigure(nt->hooks, cfg);
	else if (cfg->nnotifies > 0 && (nt->hooks = hooksend_start(cfg,
	    nt->base, err, sizeof err)) == NULL)
		log_error("notify queue: %s", err);
	subscribers_reload(nt->subs, cfg);
}

void
notify_poke_mail(struct notifier *nt)
{
	mailer_poke(nt->mailer);
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
	hooksend_stop(nt->hooks);
	subscribers_close(nt->subs);
	langs_free(&nt->langs);
	hook_tmpls_free(nt->hook_t);
	free(nt->causes);
	free(nt->waits);
	free(nt);
}
