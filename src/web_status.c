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
#include "web_view.h"
#include "xmalloc.h"

struct status_lang {
	char			*lang;
	struct status_words	 words;
};

struct web_status {
	struct status_lang	*langs;		/* [0] is English */
	size_t			 nlangs;
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
	size_t			 i;

	st = xcalloc(1, sizeof *st);
	/* English first: it stands in for the rest (keys if it is broken). */
	status_lang_add(st, cfg->templates_dir, "en");
	for (i = 0; i < cfg->nsites; i++)
		status_lang_add(st, cfg->templates_dir,
		    cfg->sites[i]->language);
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

/* What the page shows of a check: its name, state and daily bars. */
static void
status_check(struct web *w, struct render_check *rc,
    const struct check_conf *c)
{
	struct web_check	*wc = web_view_check(w->view, c);

	memset(rc, 0, sizeof *rc);
	rc->name = c->name;
	rc->state = web_check_state(wc);
	rc->daily = wc->have_daily ? wc->daily : NULL;
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
	rt->check = c->name;
	rt->severity = json_string_value(json_object_get(t, "severity"));
	rt->status = json_string_value(json_object_get(t, "status"));
	rt->cause = json_string_value(json_object_get(t, "cause"));
	rt->opened_at = json_string_value(json_object_get(t, "opened_at"));
}

void
web_page_status(struct web *w, struct evhttp_request *req, const char *rest)
{
	const struct config	*cfg = w->cfg;
	struct render_status	 rs;
	struct render_site	*sites;
	struct render_check	*checks;
	struct render_ticket	*tickets, *bysite;
	const struct site_conf	**tsite;
	json_t			*all, *t;
	const char		*err, *lang = "en";
	struct buf		 b;
	size_t			 i, j, nc = 0, nt = 0, ntk;

	(void)rest;
	/* One language for the frame when every site shares it. */
	for (i = 0; i < cfg->nsites; i++)
		if (i == 0 || strcmp(cfg->sites[i]->language, lang) != 0)
			lang = i == 0 ? cfg->sites[i]->language : "en";
	all = web_view_tickets(w->view, &err);
	ntk = json_array_size(all);
	sites = xcalloc(cfg->nsites + 1, sizeof *sites);
	checks = xcalloc(cfg->nchecks + 1, sizeof *checks);
	tickets = xcalloc(ntk + 1, sizeof *tickets);
	bysite = xcalloc(ntk + 1, sizeof *bysite);
	tsite = xcalloc(ntk + 1, sizeof *tsite);
	json_array_foreach(all, i, t)
		status_ticket(w->reg, t, &tickets[i], &tsite[i]);
	memset(&rs, 0, sizeof rs);
	rs.words = status_words(w->status, lang);
	rs.all_ok = cfg->nchecks > 0;
	/* Grouped by site: each site's checks and tickets are in a row. */
	for (i = 0; i < cfg->nsites; i++) {
		sites[i].name = cfg->sites[i]->name;
		sites[i].lang = cfg->sites[i]->language;
		sites[i].words = status_words(w->status, sites[i].lang);
		sites[i].checks = checks + nc;
		for (j = 0; j < cfg->nchecks; j++)
			if (cfg->checks[j]->site == cfg->sites[i])
				status_check(w, &checks[nc++], cfg->checks[j]);
		sites[i].nchecks = (size_t)(checks + nc - sites[i].checks);
		sites[i].tickets = bysite + nt;
		for (j = 0; j < ntk; j++)
			if (tsite[j] == cfg->sites[i])
				bysite[nt++] = tickets[j];
		sites[i].ntickets = (size_t)(bysite + nt - sites[i].tickets);
	}
	for (i = 0; i < cfg->nchecks; i++)
		if (web_check_state(web_view_check(w->view,
		    cfg->checks[i])) != SW_STATE_UP)
			rs.all_ok = 0;
	rs.sites = sites;
	rs.nsites = cfg->nsites;
	buf_init(&b);
	render_status(&b, &rs);
	web_reply_page(w, req, lang, rs.words->w[SW_W_TITLE] != NULL ?
	    rs.words->w[SW_W_TITLE] : "Service status", "public", &b);
	free(sites);
	free(checks);
	free(tickets);
	free(bysite);
	free(tsite);
}
