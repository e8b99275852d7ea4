/*
 * web_status.c -- the public status page (/status): each site's
 * services in plain words of the site's language, its 90 daily bars and
 * its current incidents; nothing internal.
 *
 * The words are templates/html/<lang>/words.txt, "key = text" lines read
 * by the mail's reader (words_read in template.c).  They are read at the
 * start and at each reload, for English and every language a site asks
 * for; a language that cannot be read falls back to English, with one
 * warning.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "registry.h"
#include "web_int.h"
#include "web_render.h"
#include "web_status_history.h"
#include "web_view.h"
#include "xmalloc.h"

struct status_lang {
	char			*lang;
	struct status_words	 words;
};

struct web_status {
	struct status_lang	*langs;		/* [0] is English */
	size_t			 nlangs;
	struct tzinfo		**tz;		/* per cfg->sites[i]; NULL: UTC */
	size_t			 ntz;
};

/* Read one language's words; -1 (logged) when broken or incomplete. */
static int
status_load(const char *dir, const char *lang, struct status_words *sw)
{
	struct errlist	 errs;
	size_t		 i;
	int		 rc;

	errlist_init(&errs);
	rc = status_words_load(dir, lang, sw, &errs);
	for (i = 0; i < errs.n; i++)
		log_warn("web: %s", errs.lines[i]);
	errlist_free(&errs);
	return rc;
}

/* Add lang unless it is there; a broken one is left out (English then). */
static void
status_lang_add(struct web_status *st, const char *dir, const char *lang)
{
	struct status_lang	*l;
	size_t			 i;

	for (i = 0; i < st->nlangs; i++)
		if (strcmp(st->langs[i].lang, lang) == 0)
			return;
	st->langs = xreallocarray(st->langs, st->nlangs + 1,
	    sizeof *st->langs);
	l = &st->langs[st->nlangs];
	memset(l, 0, sizeof *l);
	if (status_load(dir, lang, &l->words) == -1 && st->nlangs > 0)
		return;		/* English stands in */
	l->lang = xstrdup(lang);
	st->nlangs++;
}

struct web_status *
web_status_new(const struct config *cfg)
{
	struct web_status	*st;
	char			 why[256];
	size_t			 i;

	st = xcalloc(1, sizeof *st);
	/* English first: it stands in for the rest (keys if it is broken). */
	status_lang_add(st, cfg->templates_dir, "en");
	for (i = 0; i < cfg->nsites; i++)
		status_lang_add(st, cfg->templates_dir,
		    cfg->sites[i]->language);
	/* Zones are read here, once a load: never a file per request. */
	st->ntz = cfg->nsites;
	st->tz = xcalloc(cfg->nsites + 1, sizeof *st->tz);
	for (i = 0; i < cfg->nsites; i++)
		if (cfg->sites[i]->timezone != NULL &&
		    (st->tz[i] = tzinfo_load(cfg->sites[i]->timezone, why,
		    sizeof why)) == NULL)
			log_warn("web: site %s: %s; its page shows UTC",
			    cfg->sites[i]->id, why);
	return st;
}

void
web_status_free(struct web_status *st)
{
	size_t	i;

	if (st == NULL)
		return;
	for (i = 0; i < st->nlangs; i++) {
		status_words_free(&st->langs[i].words);
		free(st->langs[i].lang);
	}
	free(st->langs);
	for (i = 0; i < st->ntz; i++)
		tzinfo_free(st->tz[i]);
	free(st->tz);
	free(st);
}

/* The words of lang, else English's. */
static const struct status_words *
status_words(struct web_status *st, const char *lang)
{
	size_t	i;

	for (i = 0; i < st->nlangs; i++)
		if (strcmp(st->langs[i].lang, lang) == 0)
			return &st->langs[i].words;
	return &st->langs[0].words;
}

const struct status_words *
web_status_words(struct web *w, const char *lang)
{
	return status_words(w->status, lang != NULL ? lang : "en");
}

/* What the page shows of a check: its name, state and daily bars. */
static void
status_check(struct web *w, struct render_check *rc,
    const struct check_conf *c, float days[WEB_DAYS])
{
	struct web_check	*wc = web_view_check(w->view, c);

	memset(rc, 0, sizeof *rc);
	rc->name = c->name;
	rc->title = c->title;
	rc->state = web_check_state(wc);
	rc->daily = web_view_daily(wc, days);
	/* A state that may no longer hold is not shown as current. */
	if ((rc->stale = web_check_stale(wc, c, time(NULL))))
		rc->state = SW_STATE_UNKNOWN;
}

/* Open tickets as the page shows them, each under its check's site. */
static void
status_ticket(const struct registry *reg, json_t *t, struct render_ticket *rt,
    const struct site_conf **site)
{
	const struct check_conf	*c;
	const char		*check;

	memset(rt, 0, sizeof *rt);
	*site = NULL;
	check = json_string_value(json_object_get(t, "check"));
	if (check == NULL || (c = registry_check(reg, check)) == NULL)
		return;
	*site = c->site;
	rt->id = json_integer_value(json_object_get(t, "id"));
	rt->check = c->title != NULL ? c->title : c->name;
	rt->severity = json_string_value(json_object_get(t, "severity"));
	rt->status = json_string_value(json_object_get(t, "status"));
	rt->cause = json_string_value(json_object_get(t, "cause"));
	rt->opened_at = json_string_value(json_object_get(t, "opened_at"));
	rt->downtime_s = -1;
}

/*
 * Fill sites[0..n) from cfg's sites whose index is in which[] (n of
 * them), with their checks and open tickets; what is returned is freed
 * with status_gather_free.
 */
struct status_gather {
	struct render_site	*sites;
	struct render_check	*checks;
	struct render_ticket	*tickets, *bysite;
	const struct site_conf	**tsite;
	struct render_update	*updates;	/* the tickets' public ones */
	float			(*days)[WEB_DAYS];	/* each check's bars */
};

static void
status_gather(struct web *w, const size_t *which, size_t n,
    struct status_gather *g)
{
	const struct config	*cfg = w->cfg;
	const struct site_conf	*site;
	struct render_site	*rs;
	json_t			*all, *t;
	const char		*err;
	size_t			 i, j, k, nc = 0, nt = 0, ntk, maxc = 0;

	all = web_view_tickets(w->view, &err);
	ntk = json_array_size(all);
	for (k = 0; k < n; k++)
		for (j = 0; j < cfg->nchecks; j++)
			if (cfg->checks[j]->site == cfg->sites[which[k]])
				maxc++;
	g->sites = xcalloc(n + 1, sizeof *g->sites);
	g->checks = xcalloc(maxc + 1, sizeof *g->checks);
	g->days = xcalloc(maxc + 1, sizeof *g->days);
	g->tickets = xcalloc(ntk + 1, sizeof *g->tickets);
	g->bysite = xcalloc(ntk + 1, sizeof *g->bysite);
	g->tsite = xcalloc(ntk + 1, sizeof *g->tsite);
	nc = 0;
	json_array_foreach(all, i, t)
		nc += status_updates(t, NULL);
	g->updates = xcalloc(nc + 1, sizeof *g->updates);
	nc = 0;
	json_array_foreach(all, i, t) {
		status_ticket(w->reg, t, &g->tickets[i], &g->tsite[i]);
		g->tickets[i].updates = g->updates + nc;
		g->tickets[i].nupdates = status_updates(t, g->updates + nc);
		nc += g->tickets[i].nupdates;
	}
	nc = 0;
	/* Grouped by site: each site's checks and tickets are in a row. */
	for (k = 0; k < n; k++) {
		site = cfg->sites[which[k]];
		rs = &g->sites[k];
		rs->name = site->name;
		rs->id = site->id;
		rs->lang = site->language;
		rs->words = status_words(w->status, rs->lang);
		rs->tz = which[k] < w->status->ntz ?
		    w->status->tz[which[k]] : NULL;
		rs->checks = g->checks + nc;
		for (j = 0; j < cfg->nchecks; j++)
			if (cfg->checks[j]->site == site)
				status_check(w, &g->checks[nc],
				    cfg->checks[j], g->days[nc]), nc++;
		rs->nchecks = (size_t)(g->checks + nc - rs->checks);
		rs->tickets = g->bysite + nt;
		for (j = 0; j < ntk; j++)
			if (g->tsite[j] == site)
				g->bysite[nt++] = g->tickets[j];
		rs->ntickets = (size_t)(g->bysite + nt - rs->tickets);
	}
}

static void
status_gather_free(struct status_gather *g)
{
	free(g->sites);
	free(g->checks);
	free(g->days);
	free(g->tickets);
	free(g->bysite);
	free(g->tsite);
	free(g->updates);
}

void
web_page_status(struct web *w, struct evhttp_request *req, const char *rest)
{
	const struct config	*cfg = w->cfg;
	struct render_status	 rs;
	struct status_gather	 g;
	const char		*lang = "en";
	struct buf		 b;
	size_t			*which, i;

	(void)rest;
	/* One client never learns of another's sites unless asked. */
	if (!cfg->status_index) {
		web_reply_error(w, req, 404, "There is no such page.");
		return;
	}
	/* One language for the frame when every site shares it. */
	for (i = 0; i < cfg->nsites; i++)
		if (i == 0 || strcmp(cfg->sites[i]->language, lang) != 0)
			lang = i == 0 ? cfg->sites[i]->language : "en";
	which = xcalloc(cfg->nsites + 1, sizeof *which);
	for (i = 0; i < cfg->nsites; i++)
		which[i] = i;
	status_gather(w, which, cfg->nsites, &g);
	memset(&rs, 0, sizeof rs);
	rs.words = status_words(w->status, lang);
	rs.now = (double)time(NULL);
	rs.organization = cfg->smtp.organization;
	rs.contact = cfg->smtp.contact;
	rs.sites = g.sites;
	rs.nsites = cfg->nsites;
	buf_init(&b);
	render_status(&b, &rs);
	web_reply_page(w, req, lang, rs.words->w[SW_W_TITLE] != NULL ?
	    rs.words->w[SW_W_TITLE] : "Service status", "public", &b);
	status_gather_free(&g);
	free(which);
}

void
web_page_status_site(struct web *w, struct evhttp_request *req,
    const char *rest)
{
	const struct config	*cfg = w->cfg;
	struct render_status	 rs;
	struct status_gather	 g;
	struct status_history	 h;
	struct buf		 b, title;
	char			*id;
	size_t			 i;

	/* The index links with the id percent-encoded. */
	if ((id = evhttp_uridecode(rest, 0, NULL)) == NULL) {
		web_reply_error(w, req, 404, "There is no such page.");
		return;
	}
	for (i = 0; i < cfg->nsites; i++)
		if (strcmp(cfg->sites[i]->id, id) == 0)
			break;
	free(id);
	if (i == cfg->nsites) {
		web_reply_error(w, req, 404, "There is no such page.");
		return;
	}
	status_gather(w, &i, 1, &g);
	status_history_gather(w->reg, web_view_history(w->view),
	    cfg->sites[i], &g.sites[0], &h);
	memset(&rs, 0, sizeof rs);
	rs.words = g.sites[0].words;
	rs.now = (double)time(NULL);
	rs.organization = cfg->smtp.organization;
	rs.contact = cfg->smtp.contact;
	rs.one = 1;
	rs.sites = g.sites;
	rs.nsites = 1;
	buf_init(&b);
	render_status(&b, &rs);
	buf_init(&title);
	buf_printf(&title, "%s: %s", cfg->sites[i]->name,
	    rs.words->w[SW_W_TITLE] != NULL ? rs.words->w[SW_W_TITLE] :
	    "Service status");
	web_reply_page(w, req, cfg->sites[i]->language, title.data,
	    "public", &b);
	buf_free(&title);
	status_history_free(&h);
	status_gather_free(&g);
}
