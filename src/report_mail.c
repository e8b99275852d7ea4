/*
 * report_mail.c -- a site's report for its clients, as one mail a client
 * address: templates/mail/<language>/report.txt filled with the same
 * figures as `sitewatch report` (report.c, so maintenance is excluded and
 * unknown time kept apart), the site's incidents from the ticket store,
 * times in the site's zone, and a PNG of each check's load time over the
 * period attached.  The mails go into the persistent queue; the caller
 * (the CLI, or the daemon's monthly job) decides when they leave.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "config.h"
#include "mime.h"
#include "report.h"
#include "report_mail.h"
#include "rrd_graph.h"
#include "store.h"
#include "template.h"
#include "tzinfo.h"
#include "uptime.h"
#include "xmalloc.h"

#define GRAPH_W	720
#define GRAPH_H	220

/* Strings the items point to, freed together. */
struct strs {
	char	**v;
	size_t	  n;
};

static const char *
keep(struct strs *s, char *str)
{
	s->v = xappendarray(s->v, s->n, sizeof *s->v);
	s->v[s->n++] = str;
	return str;
}

static void
strs_free(struct strs *s)
{
	size_t	i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

void
report_mail_last_month(time_t now, time_t *start, time_t *end, char *key,
    size_t keylen)
{
	struct tm	tm;

	localtime_r(&now, &tm);
	tm.tm_mday = 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	*end = mktime(&tm);
	if (--tm.tm_mon < 0) {
		tm.tm_mon = 11;
		tm.tm_year--;
	}
	tm.tm_isdst = -1;
	*start = mktime(&tm);
	snprintf(key, keylen, "%04d-%02d", tm.tm_year + 1900, tm.tm_mon + 1);
}

const struct site_conf *
report_mail_site(const struct config *cfg, const char *which)
{
	size_t	i;

	for (i = 0; i < cfg->nsites; i++)
		if (cfg->sites[i]->id != NULL &&
		    strcmp(cfg->sites[i]->id, which) == 0)
			return cfg->sites[i];
	for (i = 0; i < cfg->nsites; i++)
		if (cfg->sites[i]->name != NULL &&
		    strcmp(cfg->sites[i]->name, which) == 0)
			return cfg->sites[i];
	return NULL;
}

/* The address without credentials, query or fragment (tokens live there). */
static char *
public_url(const char *url)
{
	const char	*host, *at, *end;
	struct buf	 b;
	char		*out;

	buf_init(&b);
	buf_addstr(&b, "");
	if (url == NULL)
		return b.data;
	host = strstr(url, "://");
	host = host != NULL ? host + 3 : url;
	end = host + strcspn(host, "/?#");
	if ((at = memchr(host, '@', (size_t)(end - host))) != NULL) {
		buf_add(&b, url, (size_t)(host - url));
		host = at + 1;
	} else
		buf_add(&b, url, (size_t)(host - url));
	buf_add(&b, host, strcspn(host, "?#"));
	out = mime_clean(b.data);
	buf_free(&b);
	return out;
}

static int
site_has(const struct site_conf *site, const struct check_conf *c)
{
	return c->site == site;
}

/* The lines of the check's incidents that opened in the period. */
static char *
incident_lines(const struct check_conf *c, const struct ticket *t, size_t nt,
    const struct tzinfo *tz, const struct words *w, time_t start, time_t end,
    time_t now, int *count)
{
	struct buf	 b;
	char		 when[96], *dur;
	long long	 secs;
	size_t		 i;

	buf_init(&b);
	buf_addstr(&b, "");
	*count = 0;
	/* The store lists newest first: the mail reads oldest first. */
	for (i = nt; i-- > 0;) {
		if (t[i].check == NULL || strcmp(t[i].check, c->name) != 0 ||
		    t[i].opened_at < start || t[i].opened_at >= end)
			continue;
		(*count)++;
		tzinfo_format(tz, t[i].opened_at, when, sizeof when);
		secs = t[i].resolved_at > 0 ? (long long)(t[i].resolved_at -
		    t[i].opened_at) : (long long)(now - t[i].opened_at);
		dur = words_duration(w, secs > 0 ? secs : 0);
		buf_printf(&b, "    - %s, %s%s\n", when, dur,
		    t[i].resolved_at > 0 ? "" : " ...");
		free(dur);
	}
	/* The template's line gives the last line end. */
	if (b.len > 0 && b.data[b.len - 1] == '\n')
		b.data[--b.len] = '\0';
	return b.data;
}

/* A number or "-" when there is none. */
static char *
fmt_num(const char *fmt, double v)
{
	char	*s;

	if (isnan(v))
		return xstrdup("-");
	xasprintf(&s, fmt, v);
	return s;
}

/* The PNG of a check's load time over the period, or -1. */
static int
check_graph(const struct config *cfg, const struct check_conf *c,
    time_t start, time_t end, struct buf *png)
{
	struct graph_req	req;
	char			err[256];

	memset(&req, 0, sizeof req);
	req.check = c;
	req.start = start;
	req.end = end;
	req.metric = GRAPH_TIME;
	req.format = GRAPH_PNG;
	req.width = GRAPH_W;
	req.height = GRAPH_H;
	buf_init(png);
	if (rrd_graph_render(cfg, &req, png, err, sizeof err) == -1) {
		buf_free(png);
		return -1;
	}
	return 0;
}

static struct tmpl *
load_template(const struct config *cfg, const char *lang,
    struct words **w, struct errlist *errs)
{
	struct tmpl	*t;
	char		*path;

	xasprintf(&path, "%s/mail/%s/report.txt", cfg->templates_dir, lang);
	t = tmpl_load(path, errs);
	free(path);
	xasprintf(&path, "%s/mail/%s/words.txt", cfg->templates_dir, lang);
	*w = words_load(path, errs);
	free(path);
	return t;
}

int
report_mail_check_templates(const struct config *cfg, struct errlist *errs)
{
	struct words	*w;
	struct tmpl	*t;
	size_t		 i, j, before = errs->n;
	const char	*lang;

	for (i = 0; i <= cfg->nsites; i++) {
		lang = i == cfg->nsites ? "en" : cfg->sites[i]->language;
		if (lang == NULL)
			continue;
		/* Each language once. */
		for (j = 0; j < i && j < cfg->nsites; j++)
			if (cfg->sites[j]->language != NULL &&
			    strcmp(cfg->sites[j]->language, lang) == 0)
				break;
		if (j < i && j < cfg->nsites)
			continue;
		t = load_template(cfg, lang, &w, errs);
		tmpl_free(t);
		words_free(w);
	}
	return errs->n > before ? -1 : 0;
}

int
report_mail_queue(const struct config *cfg, const struct site_conf *site,
    struct store *st, time_t start, time_t end, time_t now, const char *to,
    const char *claim, struct mail_row **rows, size_t *nrows, char *err,
    size_t errlen)
{
	struct errlist		 errs;
	struct words		*w = NULL;
	struct tmpl		*t = NULL;
	struct tzinfo		*tz = NULL;
	struct ticket		*tickets = NULL;
	struct report_row	 r;
	struct tmpl_data	 d;
	struct tmpl_item	*items = NULL;
	struct mime_attach	*att = NULL;
	struct buf		*pngs = NULL, body, msg;
	struct strs		 keep_s = { NULL, 0 };
	struct mime_msg		 m;
	const char		*lang, *one[1];
	char			*subject = NULL, *s, *sender, *rcpt, d1[16],
				 d2[16], why[128], rerr[256];
	size_t			 ntickets = 0, n = 0, i, k, nrcpt;
	struct tm		 tm;
	time_t			 last;
	int			 count, rc = -1, known = 0, claimed;
	long long		 id;

	struct mail_row		*out = NULL;
	size_t			 nout = 0;

	errlist_init(&errs);
	lang = site->language != NULL ? site->language : "en";
	if ((t = load_template(cfg, lang, &w, &errs)) == NULL || w == NULL) {
		snprintf(err, errlen, "%s", errs.n > 0 ? errs.lines[0] :
		    "cannot read the report template");
		goto out;
	}
	if (site->timezone != NULL &&
	    (tz = tzinfo_load(site->timezone, why, sizeof why)) == NULL) {
		snprintf(err, errlen, "site %s: %s", site->name, why);
		goto out;
	}
	if (store_ticket_list(st, 1, &tickets, &ntickets) != 0) {
		snprintf(err, errlen, "tickets: %s", store_errmsg(st));
		goto out;
	}
	items = xcalloc(cfg->nchecks + 1, sizeof *items);
	pngs = xcalloc(cfg->nchecks + 1, sizeof *pngs);
	att = xcalloc(cfg->nchecks + 1, sizeof *att);
	for (i = 0, k = 0; i < cfg->nchecks; i++) {
		const struct check_conf *c = cfg->checks[i];
		struct tmpl_item *it = &items[n];

		if (!site_has(site, c))
			continue;
		it->v[TV_SITE] = site->name;
		it->v[TV_CHECK] = keep(&keep_s, mime_clean(c->title != NULL ?
		    c->title : c->name));
		it->v[TV_URL] = keep(&keep_s, public_url(c->url));
		if (report_check(cfg, c, start, end, &r, rerr,
		    sizeof rerr) == -1) {
			memset(&r, 0, sizeof r);
			r.uptime_pct = r.mean_ms = r.p95_ms = NAN;
			r.unknown_s = (double)(end - start);
		}
		if (r.up_s + r.downtime_s + r.maintenance_s > 0)
			known = 1;
		it->v[TV_UPTIME] = keep(&keep_s, fmt_num("%.3f %%",
		    r.uptime_pct));
		it->v[TV_DOWNTIME] = keep(&keep_s, words_duration(w,
		    llround(r.downtime_s)));
		/* Only said when there was some. */
		if (r.unknown_s >= 1)
			it->v[TV_UNKNOWN] = keep(&keep_s, words_duration(w,
			    llround(r.unknown_s)));
		it->v[TV_MEAN] = keep(&keep_s, fmt_num("%.0f ms", r.mean_ms));
		it->v[TV_P95] = keep(&keep_s, xstrdup(isnan(r.p95_ms) ? "-" :
		    uptime_p95_text(r.p95_ms, (char[32]){ 0 }, 32)));
		s = incident_lines(c, tickets, ntickets, tz, w, start, end,
		    now, &count);
		it->v[TV_INCIDENT_LIST] = *s != '\0' ? keep(&keep_s, s) :
		    (free(s), NULL);
		xasprintf(&s, "%d", count);
		it->v[TV_INCIDENTS] = keep(&keep_s, s);
		n++;
		if (check_graph(cfg, c, start, end, &pngs[k]) == 0) {
			xasprintf(&s, "%s.png", c->name);
			att[k].name = keep(&keep_s, s);
			att[k].type = "image/png";
			att[k].data = (const unsigned char *)pngs[k].data;
			att[k].len = pngs[k].len;
			k++;
		}
	}
	if (n == 0) {
		snprintf(err, errlen, "site %s has no checks", site->name);
		goto out;
	}
	/* The period as dates in the daemon's time: the last day is inclusive. */
	localtime_r(&start, &tm);
	strftime(d1, sizeof d1, "%Y-%m-%d", &tm);
	last = end - 1;
	localtime_r(&last, &tm);
	strftime(d2, sizeof d2, "%Y-%m-%d", &tm);
	/* Mail-wide values only: a check's own would stand in for another
	 * check's empty one. */
	memset(&d, 0, sizeof d);
	d.top.v[TV_SITE] = site->name;
	/* Signed as the client mails are ([smtp] organization, contact). */
	if (cfg->smtp.organization != NULL)
		d.top.v[TV_ORGANIZATION] = keep(&keep_s,
		    mime_clean(cfg->smtp.organization));
	if (cfg->smtp.contact != NULL)
		d.top.v[TV_CONTACT] = keep(&keep_s,
		    mime_clean(cfg->smtp.contact));
	xasprintf(&s, "%s - %s", d1, d2);
	d.top.v[TV_PERIOD] = keep(&keep_s, s);
	for (i = 0; i < n; i++)
		items[i].v[TV_PERIOD] = s;
	xasprintf(&s, "%s/status/%s", cfg->public_url != NULL ?
	    cfg->public_url : "", site->id != NULL ? site->id : "");
	d.top.v[TV_LINK] = keep(&keep_s, s);
	xasprintf(&s, "%zu", n);
	d.top.v[TV_COUNT] = keep(&keep_s, s);
	d.items = items;
	d.nitems = n;
	d.staff = 0;
	buf_init(&body);
	buf_addstr(&body, "");
	tmpl_render(t, &d, &subject, &body);

	nrcpt = to != NULL ? 1 : site->nclient_emails;
	if (nrcpt == 0) {
		snprintf(err, errlen, "site %s has no client_email", site->name);
		buf_free(&body);
		goto out;
	}
	sender = mime_addr_spec(cfg->smtp.from != NULL ? cfg->smtp.from :
	    "sitewatch");
	out = xcalloc(nrcpt, sizeof *out);
	rc = store_begin(st) == 0 ? 0 : -1;
	if (rc == -1)
		snprintf(err, errlen, "mail queue: %s", store_errmsg(st));
	if (rc == 0 && claim != NULL) {
		xasprintf(&s, "%s/%s", site->id != NULL ? site->id :
		    site->name, claim);
		claimed = store_claim_once(st, "report", s, now);
		free(s);
		switch (claimed) {
		case 1:
			if (!known)
				nrcpt = 0;	/* recorded, nothing to say */
			break;
		case 0:
			store_rollback(st);
			rc = REPORT_MAIL_ALREADY;
			goto unqueued;
		default:
			snprintf(err, errlen, "reports sent: %s",
			    store_errmsg(st));
			rc = -1;
		}
	}
	for (i = 0; rc == 0 && i < nrcpt; i++) {
		one[0] = to != NULL ? to : site->client_emails[i];
		memset(&m, 0, sizeof m);
		m.from = cfg->smtp.from != NULL ? cfg->smtp.from : "sitewatch";
		m.to = one;
		m.nto = 1;
		m.subject = subject;
		m.body = body.data;
		m.date = now;
		m.attach = att;
		m.nattach = k;
		buf_init(&msg);
		mime_build(&m, &msg);
		rcpt = mime_addr_spec(one[0]);
		if (*rcpt == '\0' || strchr(rcpt, '@') == NULL) {
			snprintf(err, errlen, "not an address: %s", one[0]);
			rc = -1;
		} else if ((id = store_mail_push(st, sender, rcpt, subject,
		    msg.data, now)) == -1) {
			snprintf(err, errlen, "mail queue: %s",
			    store_errmsg(st));
			rc = -1;
		} else {
			out[nout].id = id;
			out[nout].sender = xstrdup(sender);
			out[nout].rcpt = xstrdup(rcpt);
			out[nout].subject = xstrdup(subject);
			out[nout].message = xstrdup(msg.data);
			nout++;
		}
		free(rcpt);
		buf_free(&msg);
	}
	if (rc == 0 && store_commit(st) != 0) {
		snprintf(err, errlen, "mail queue: %s", store_errmsg(st));
		rc = -1;
	}
	if (rc == -1)
		store_rollback(st);
	else if (claim != NULL && !known)
		rc = REPORT_MAIL_EMPTY;
unqueued:
	if (rc != -1 && rows != NULL) {
		*rows = out;
		*nrows = nout;
		out = NULL;
		nout = 0;
	}
	for (i = 0; i < nout; i++)
		mail_row_free(&out[i]);
	free(out);
	free(sender);
	buf_free(&body);
out:
	for (i = 0; pngs != NULL && i < cfg->nchecks + 1; i++)
		if (pngs[i].data != NULL)
			buf_free(&pngs[i]);
	free(pngs);
	free(att);
	free(items);
	free(subject);
	strs_free(&keep_s);
	ticket_list_free(tickets, ntickets);
	tzinfo_free(tz);
	tmpl_free(t);
	words_free(w);
	errlist_free(&errs);
	return rc;
}
