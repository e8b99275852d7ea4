/*
 * ticket_update.c -- a public update on a ticket: the timeline event and
 * the clients' mails.
 *
 * DESIGN
 * Staff post an update from the CLI or the web API, in their own
 * process, not the daemon's.  The event and one mail per client address
 * are written in ONE transaction through the store door, the mails into
 * the persistent queue the daemon's mailer sends from (mailer.c looks at
 * it every few seconds, so mail queued by another process leaves soon).
 * Whichever process or node posts it, an update is therefore mailed
 * exactly once and never without being on the timeline; a template that
 * cannot be rendered refuses the update before anything is written.
 *
 * The mail is rendered here, with the mail template renderer, in the
 * site's language (English when its folder has no update.txt), with the
 * times in the site's zone (named) and the staff text quoted as written:
 * line by line after "> ", control bytes other than tab and newline
 * replaced, since a client reads it as plain text.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/rand.h>

#include "config.h"
#include "mime.h"
#include "store.h"
#include "template.h"
#include "ticket_update.h"
#include "tzinfo.h"
#include "xmalloc.h"

#define STAFF_NAME_MAX	128	/* as store.c allows for --by */

struct update_site {
	char	 *name;
	char	 *id;
	char	 *lang;
	char	 *timezone;	/* NULL: UTC */
	char	**emails;
	size_t	  nemails;
};

struct update_conf {
	char			*templates_dir;
	char			*from;
	char			*public_url;
	char			*organization;
	char			*contact;
	struct update_site	*sites;
	size_t			 nsites;
	char			**checks;	/* check names ... */
	size_t			*check_site;	/* ... and their site */
	size_t			 nchecks;
};

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

struct update_conf *
update_conf_new(const struct config *cfg)
{
	struct update_conf	*uc;
	const struct site_conf	*s;
	size_t			 i, k;

	uc = xcalloc(1, sizeof *uc);
	uc->templates_dir = xstrdup(cfg->templates_dir);
	uc->from = xstrdup(cfg->smtp.from != NULL ? cfg->smtp.from :
	    "sitewatch");
	uc->public_url = xstrdup(cfg->public_url != NULL ? cfg->public_url :
	    "");
	uc->organization = dup_or_null(cfg->smtp.organization);
	uc->contact = dup_or_null(cfg->smtp.contact);
	uc->sites = xcalloc(cfg->nsites + 1, sizeof *uc->sites);
	for (i = 0; i < cfg->nsites; i++) {
		s = cfg->sites[i];
		uc->sites[i].name = xstrdup(s->name != NULL ? s->name : "");
		uc->sites[i].id = xstrdup(s->id != NULL ? s->id : "");
		uc->sites[i].lang = xstrdup(s->language != NULL ?
		    s->language : "en");
		uc->sites[i].timezone = dup_or_null(s->timezone);
		uc->sites[i].emails = xcalloc(s->nclient_emails + 1,
		    sizeof *uc->sites[i].emails);
		for (k = 0; k < s->nclient_emails; k++)
			uc->sites[i].emails[k] = xstrdup(s->client_emails[k]);
		uc->sites[i].nemails = s->nclient_emails;
	}
	uc->nsites = cfg->nsites;
	uc->checks = xcalloc(cfg->nchecks + 1, sizeof *uc->checks);
	uc->check_site = xcalloc(cfg->nchecks + 1, sizeof *uc->check_site);
	for (i = 0; i < cfg->nchecks; i++) {
		for (k = 0; k < cfg->nsites; k++)
			if (cfg->checks[i]->site == cfg->sites[k])
				break;
		if (k == cfg->nsites)
			continue;
		uc->checks[uc->nchecks] = xstrdup(cfg->checks[i]->name);
		uc->check_site[uc->nchecks++] = k;
	}
	return uc;
}

void
update_conf_free(struct update_conf *uc)
{
	size_t	i, k;

	if (uc == NULL)
		return;
	for (i = 0; i < uc->nsites; i++) {
		free(uc->sites[i].name);
		free(uc->sites[i].id);
		free(uc->sites[i].lang);
		free(uc->sites[i].timezone);
		for (k = 0; k < uc->sites[i].nemails; k++)
			free(uc->sites[i].emails[k]);
		free(uc->sites[i].emails);
	}
	free(uc->sites);
	for (i = 0; i < uc->nchecks; i++)
		free(uc->checks[i]);
	free(uc->checks);
	free(uc->check_site);
	free(uc->templates_dir);
	free(uc->from);
	free(uc->public_url);
	free(uc->organization);
	free(uc->contact);
	free(uc);
}

/* The site of a ticket: by its check, else by the site name it kept. */
static const struct update_site *
ticket_site(const struct update_conf *uc, const struct ticket *t)
{
	size_t	i;

	for (i = 0; t->check != NULL && i < uc->nchecks; i++)
		if (strcmp(uc->checks[i], t->check) == 0)
			return &uc->sites[uc->check_site[i]];
	for (i = 0; t->site != NULL && i < uc->nsites; i++)
		if (strcmp(uc->sites[i].name, t->site) == 0)
			return &uc->sites[i];
	return NULL;
}

/* A staff text as a client reads it: each line after "> ". */
static char *
quote_text(const char *text)
{
	struct buf	 b;
	const char	*p;
	int		 bol = 1;

	buf_init(&b);
	buf_addstr(&b, "");
	for (p = text; *p != '\0'; p++) {
		if (*p == '\r' && p[1] == '\n')
			continue;
		if (bol) {
			buf_addstr(&b, "> ");
			bol = 0;
		}
		if (*p == '\n' || *p == '\r') {
			buf_addstr(&b, "\n");
			bol = 1;
		} else if (*p == '\t' || (unsigned char)*p >= 0x20) {
			if (*p == 0x7f)
				buf_addstr(&b, " ");
			else
				buf_add(&b, p, 1);
		} else
			buf_addstr(&b, " ");
	}
	return b.data;
}

/* Reject what no one should post; 0 when by and text are fine. */
static int
check_args(const char *by, const char *text, char *err, size_t errlen)
{
	const char	*p;

	if (by == NULL || *by == '\0') {
		snprintf(err, errlen, "a name is needed (--by NAME)");
		return -1;
	}
	if (strlen(by) > STAFF_NAME_MAX) {
		snprintf(err, errlen, "name longer than %d bytes",
		    STAFF_NAME_MAX);
		return -1;
	}
	for (p = by; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			snprintf(err, errlen, "the name holds a control "
			    "character");
			return -1;
		}
	if (text == NULL || strspn(text, " \t\r\n") == strlen(text)) {
		snprintf(err, errlen, "the update text is empty");
		return -1;
	}
	if (strlen(text) > TICKET_UPDATE_MAX) {
		snprintf(err, errlen, "update longer than %d bytes",
		    TICKET_UPDATE_MAX);
		return -1;
	}
	return 0;
}

/* Template name.txt and the words of lang, else English's; -1, err set. */
static int
load_lang(const char *dir, const char *lang, const char *name,
    struct tmpl **t, struct words **w, char *err, size_t errlen)
{
	struct errlist	 errs;
	char		*path;
	int		 i;

	*t = NULL;
	*w = NULL;
	for (i = 0; i < 2 && *t == NULL; i++) {
		if (i == 1 && strcmp(lang, "en") == 0)
			break;
		errlist_init(&errs);
		xasprintf(&path, "%s/mail/%s/%s.txt", dir,
		    i == 0 ? lang : "en", name);
		*t = tmpl_load(path, &errs);
		free(path);
		if (*t != NULL) {
			xasprintf(&path, "%s/mail/%s/words.txt", dir,
			    i == 0 ? lang : "en");
			*w = words_load(path, &errs);
			free(path);
		}
		if (*t != NULL && *w == NULL) {
			tmpl_free(*t);
			*t = NULL;
		}
		if (*t == NULL && errs.n > 0)
			snprintf(err, errlen, "%s", errs.lines[0]);
		errlist_free(&errs);
	}
	return *t != NULL ? 0 : -1;
}

/* The site's page, its id percent-encoded but for safe bytes. */
static char *
status_link(const char *public_url, const char *id)
{
	struct buf	 b;
	const char	*p;

	buf_init(&b);
	buf_printf(&b, "%s/status/", public_url);
	for (p = id; *p != '\0'; p++)
		if (isalnum((unsigned char)*p) || strchr("._-~", *p) != NULL)
			buf_add(&b, p, 1);
		else
			buf_printf(&b, "%%%02X", (unsigned char)*p);
	return b.data;
}

/* Render the mail of one update; subject and body are allocated. */
static void
render(const struct update_conf *uc, const struct update_site *site,
    const struct tmpl *tm, const struct words *w, const struct ticket *t,
    const char *by, const char *text, time_t at, const char *unsubscribe,
    char **subject, struct buf *body)
{
	struct tmpl_data	 d;
	struct tzinfo		*tz = NULL;
	char			 why[128], since[96], when[96];
	char			*ticket, *quoted, *down = NULL, *link, *name;
	char			*sby, *sacked;

	if (site->timezone != NULL)
		tz = tzinfo_load(site->timezone, why, sizeof why);
	tzinfo_format(tz, t->opened_at, since, sizeof since);
	tzinfo_format(tz, at, when, sizeof when);
	tzinfo_free(tz);
	xasprintf(&ticket, "#%lld", t->id);
	quoted = quote_text(text);
	if (t->resolved_at > 0 && t->downtime_s >= 0)
		down = words_duration(w, t->downtime_s);
	link = status_link(uc->public_url, site->id);
	name = mime_clean(site->name);
	sby = mime_clean(by);
	sacked = t->acknowledged_by != NULL ? mime_clean(t->acknowledged_by) :
	    NULL;

	memset(&d, 0, sizeof d);
	d.top.v[TV_SITE] = name;
	d.top.v[TV_TICKET] = ticket;
	d.top.v[TV_SINCE] = since;
	d.top.v[TV_AT] = when;
	d.top.v[TV_TEXT] = quoted;
	d.top.v[TV_BY] = sby;
	d.top.v[TV_ACKED_BY] = sacked;
	d.top.v[TV_DOWNTIME] = down;
	d.top.v[TV_LINK] = link;
	d.top.v[TV_ORGANIZATION] = uc->organization;
	d.top.v[TV_CONTACT] = uc->contact;
	d.top.v[TV_UNSUBSCRIBE] = unsubscribe;
	d.top.v[TV_COUNT] = "1";
	d.items = &d.top;
	d.nitems = 1;
	buf_init(body);
	buf_addstr(body, "");
	tmpl_render(tm, &d, subject, body);
	free(ticket);
	free(quoted);
	free(down);
	free(link);
	free(name);
	free(sby);
	free(sacked);
}

/* Queue one message to one address; -1 on a db error. */
static int
queue_one(struct store *db, const struct update_conf *uc, const char *to,
    const char *subject, const char *body, const char *unsubscribe,
    time_t at, size_t *nmails)
{
	struct mime_msg	 m;
	struct buf	 msg;
	const char	*tov[1];
	char		*sender, *rcpt;
	int		 rc = 0;

	sender = mime_addr_spec(uc->from);
	rcpt = mime_addr_spec(to);
	if (*rcpt != '\0') {
		memset(&m, 0, sizeof m);
		tov[0] = to;
		m.from = uc->from;
		m.to = tov;
		m.nto = 1;
		m.subject = subject;
		m.body = body;
		m.date = at;
		m.unsubscribe = unsubscribe;
		buf_init(&msg);
		mime_build(&m, &msg);
		if (store_mail_push(db, sender, rcpt, subject, msg.data, at) ==
		    -1)
			rc = -1;
		else
			(*nmails)++;
		buf_free(&msg);
	}
	free(rcpt);
	free(sender);
	return rc;
}

/* A page of ours with a token: public_url/status/WHAT?token=TOKEN. */
static char *
token_link(const struct update_conf *uc, const char *what, const char *token)
{
	char	*s;

	xasprintf(&s, "%s/status/%s?token=%s", uc->public_url, what, token);
	return s;
}

/* Whether email is one of the site's client addresses. */
static int
is_client(const struct update_site *site, const char *email)
{
	size_t	i;

	for (i = 0; i < site->nemails; i++)
		if (strcasecmp(site->emails[i], email) == 0)
			return 1;
	return 0;
}

/*
 * The update's mail to each client address, then to each confirmed
 * subscriber (with an unsubscribe link of its own); -1 on a db error.
 */
static int
queue_mails(struct store *db, const struct update_conf *uc,
    const struct update_site *site, const struct tmpl *tm,
    const struct words *w, const struct ticket *t, const char *by,
    const char *text, time_t at, size_t *nmails)
{
	struct subscriber	*subs = NULL;
	struct buf		 body;
	char			*subject, *unsub;
	size_t			 i, nsubs = 0;
	int			 rc = 0;

	render(uc, site, tm, w, t, by, text, at, NULL, &subject, &body);
	for (i = 0; rc == 0 && i < site->nemails; i++)
		rc = queue_one(db, uc, site->emails[i], subject, body.data,
		    NULL, at, nmails);
	free(subject);
	buf_free(&body);
	if (rc == 0 && store_sub_list(db, site->id, &subs, &nsubs) !=
	    STORE_OK)
		rc = -1;
	for (i = 0; rc == 0 && i < nsubs; i++) {
		if (is_client(site, subs[i].email))
			continue;	/* it has the client's mail */
		unsub = token_link(uc, "unsubscribe", subs[i].token);
		render(uc, site, tm, w, t, by, text, at, unsub, &subject,
		    &body);
		rc = queue_one(db, uc, subs[i].email, subject, body.data,
		    unsub, at, nmails);
		free(subject);
		buf_free(&body);
		free(unsub);
	}
	for (i = 0; i < nsubs; i++)
		subscriber_free(&subs[i]);
	free(subs);
	return rc;
}

int
ticket_update_post(struct store *db, const struct update_conf *uc,
    long long id, const char *by, const char *text, time_t at,
    size_t *nmails, char *err, size_t errlen)
{
	const struct update_site	*site;
	struct ticket			 t;
	struct tmpl			*tm = NULL;
	struct words			*w = NULL;
	int				 rc;

	*nmails = 0;
	err[0] = '\0';
	if (check_args(by, text, err, errlen) == -1)
		return STORE_INVALID;
	if (store_begin(db) == -1) {
		snprintf(err, errlen, "database: %s", store_errmsg(db));
		return STORE_ERROR;
	}
	memset(&t, 0, sizeof t);
	if ((rc = store_ticket_get(db, id, &t)) != STORE_OK) {
		if (rc == STORE_NOTFOUND)
			snprintf(err, errlen, "no ticket %lld", id);
		else
			snprintf(err, errlen, "database: %s",
			    store_errmsg(db));
		store_rollback(db);
		return rc;
	}
	site = ticket_site(uc, &t);
	if (site != NULL && load_lang(uc->templates_dir, site->lang,
	    "update", &tm, &w, err, errlen) == -1) {
		rc = STORE_ERROR;
		goto out;
	}
	if (store_event_add(db, id, at, "update", by, text) == -1 ||
	    (site != NULL && queue_mails(db, uc, site, tm, w, &t, by, text,
	    at, nmails) == -1) || store_commit(db) == -1) {
		snprintf(err, errlen, "database: %s", store_errmsg(db));
		rc = STORE_ERROR;
		goto out;
	}
	rc = STORE_OK;
out:
	if (rc != STORE_OK) {
		store_rollback(db);
		*nmails = 0;
	}
	ticket_free(&t);
	tmpl_free(tm);
	words_free(w);
	return rc;
}

int
ticket_update_check_templates(const struct config *cfg,
    struct errlist *errs)
{
	struct tmpl	*t;
	char		*path;
	size_t		 i, k, before = errs->n;

	/* English always (the fallback), then each site's language once. */
	for (i = 0; i <= cfg->nsites; i++) {
		const char *lang = i == 0 ? "en" : cfg->sites[i - 1]->language;

		if (lang == NULL)
			continue;
		for (k = 0; k < i; k++)
			if (strcmp(k == 0 ? "en" : cfg->sites[k - 1]->language
			    != NULL ? cfg->sites[k - 1]->language : "",
			    lang) == 0)
				break;
		if (k < i)
			continue;
		xasprintf(&path, "%s/mail/%s/update.txt", cfg->templates_dir,
		    lang);
		t = tmpl_load(path, errs);
		tmpl_free(t);
		free(path);
		xasprintf(&path, "%s/mail/%s/subscribe.txt",
		    cfg->templates_dir, lang);
		t = tmpl_load(path, errs);
		tmpl_free(t);
		free(path);
	}
	return errs->n > before ? -1 : 0;
}

/* ---- subscribers ---------------------------------------------------- */

int
subscribe_email_ok(const char *s)
{
	const char	*at, *p, *dot;

	if (s == NULL || strlen(s) < 3 || strlen(s) > 254)
		return 0;
	if ((at = strchr(s, '@')) == NULL || strchr(at + 1, '@') != NULL ||
	    at == s || at - s > 64)
		return 0;
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    strchr("\"(),:;<>[\\]", *p) != NULL)
			return 0;
	/* The domain: labels of letters, digits and '-', parted by dots. */
	if ((dot = strrchr(at + 1, '.')) == NULL || dot == at + 1 ||
	    dot[1] == '\0')
		return 0;
	for (p = at + 1; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')
			return 0;
	if (strstr(at + 1, "..") != NULL || s[0] == '.' || at[-1] == '.')
		return 0;
	return 1;
}

static const struct update_site *
site_by_id(const struct update_conf *uc, const char *id)
{
	size_t	i;

	for (i = 0; i < uc->nsites; i++)
		if (strcmp(uc->sites[i].id, id) == 0)
			return &uc->sites[i];
	return NULL;
}

const char *
update_site_name(const struct update_conf *uc, const char *id,
    const char **lang)
{
	const struct update_site	*site;

	if ((site = site_by_id(uc, id)) == NULL)
		return NULL;
	if (lang != NULL)
		*lang = site->lang;
	return site->name;
}

int
subscribe_request(struct store *db, const struct update_conf *uc,
    const char *site_id, const char *email, time_t now, char *err,
    size_t errlen)
{
	const struct update_site	*site;
	struct tmpl			*tm = NULL;
	struct words			*w = NULL;
	struct tmpl_data		 d;
	struct buf			 body;
	unsigned char			 rnd[24];
	char				 token[sizeof rnd * 2 + 1], *link;
	char				*subject = NULL, *name;
	size_t				 i, n = 0;
	int				 rc;

	err[0] = '\0';
	if ((site = site_by_id(uc, site_id)) == NULL) {
		snprintf(err, errlen, "no such site");
		return STORE_NOTFOUND;
	}
	if (!subscribe_email_ok(email)) {
		snprintf(err, errlen, "not an e-mail address");
		return STORE_INVALID;
	}
	if (RAND_bytes(rnd, sizeof rnd) != 1) {
		snprintf(err, errlen, "no random bytes for a token");
		return STORE_ERROR;
	}
	for (i = 0; i < sizeof rnd; i++)
		snprintf(token + 2 * i, 3, "%02x", rnd[i]);
	if (load_lang(uc->templates_dir, site->lang, "subscribe", &tm, &w,
	    err, errlen) == -1)
		return STORE_ERROR;
	(void)store_sub_forget(db, now - SUBSCRIBE_FORGET_S);
	rc = store_sub_add(db, site->id, email, token, now,
	    now - SUBSCRIBE_AGAIN_S);
	if (rc == STORE_OK) {
		link = token_link(uc, "confirm", token);
		name = mime_clean(site->name);
		memset(&d, 0, sizeof d);
		d.top.v[TV_SITE] = name;
		d.top.v[TV_LINK] = link;
		d.top.v[TV_ORGANIZATION] = uc->organization;
		d.top.v[TV_CONTACT] = uc->contact;
		d.items = &d.top;
		d.nitems = 1;
		buf_init(&body);
		buf_addstr(&body, "");
		tmpl_render(tm, &d, &subject, &body);
		/*
		 * The request stands without its mail if the queue
		 * fails: asking again after SUBSCRIBE_AGAIN_S mails anew.
		 */
		if (queue_one(db, uc, email, subject, body.data, NULL, now,
		    &n) == -1) {
			snprintf(err, errlen, "database: %s",
			    store_errmsg(db));
			rc = STORE_ERROR;
		}
		free(subject);
		buf_free(&body);
		free(link);
		free(name);
	} else if (rc == STORE_ERROR)
		snprintf(err, errlen, "database: %s", store_errmsg(db));
	tmpl_free(tm);
	words_free(w);
	return rc;
}
