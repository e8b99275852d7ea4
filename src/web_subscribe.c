/*
 * web_subscribe.c -- the subscribers' side of the status page: the form
 * posts here, and the links of their mails open here.
 *
 *   POST /status/subscribe	email, site (a form, no script needed)
 *   GET /status/confirm?token=T
 *   GET|POST /status/unsubscribe?token=T	(POST: RFC 8058 one-click)
 *
 * DESIGN
 * Each is one job on the web's db worker (the store and the mail queue
 * may block); the loop only checks the form and counts requests.  Two
 * limits answer 429: SUB_PER_CLIENT subscribe requests from one client
 * address a
 * SUB_WINDOW_S window (an in-memory table of the last SUB_CLIENTS
 * addresses: a flood from many addresses pushes out old entries, never
 * grows it), and one confirmation mail per address every
 * SUBSCRIBE_AGAIN_S (the store's row says when it was asked).  Whether
 * an address is subscribed already is never told: it gets the same
 * answer as a new one, and no mail.
 */
#include <sys/socket.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "config.h"
#include "log.h"
#include "store.h"
#include "ticket_update.h"
#include "web_data.h"
#include "web_int.h"
#include "web_status_history.h"
#include "xmalloc.h"

#define SUB_BODY_MAX	2048	/* bytes of the form */
#define SUB_PER_CLIENT	10	/* requests from one address ... */
#define SUB_WINDOW_S	600	/* ... in this long */
#define SUB_CLIENTS	1024	/* addresses remembered */
#define SUB_TOKEN_MAX	64

/* One client address and its requests in the current window. */
struct sub_client {
	char	addr[64];
	time_t	since;
	int	count;
};

/* The loop's only: handlers run there, one at a time. */
static struct sub_client	sub_clients[SUB_CLIENTS];

/* Count a request from req's peer; 0 while under the limit. */
static int
sub_limited(struct evhttp_request *req, time_t now)
{
	struct evhttp_connection	*conn;
	const char			*addr = NULL;
	struct sub_client		*c, *oldest = &sub_clients[0];
	ev_uint16_t			 port;
	size_t				 i;

	if ((conn = evhttp_request_get_connection(req)) != NULL)
		evhttp_connection_get_peer(conn, (char **)&addr, &port);
	if (addr == NULL)
		addr = "?";
	for (i = 0; i < SUB_CLIENTS; i++) {
		c = &sub_clients[i];
		if (strcmp(c->addr, addr) == 0)
			break;
		if (c->since < oldest->since)
			oldest = c;
	}
	if (i == SUB_CLIENTS) {
		c = oldest;
		snprintf(c->addr, sizeof c->addr, "%s", addr);
		c->since = now;
		c->count = 0;
	}
	if (now - c->since >= SUB_WINDOW_S) {
		c->since = now;
		c->count = 0;
	}
	return ++c->count > SUB_PER_CLIENT;
}

enum sub_kind { SUB_ASK, SUB_CONFIRM, SUB_REMOVE };

struct sub_job {
	struct web		*w;
	struct evhttp_request	*req;
	enum sub_kind		 kind;
	struct web_src		 src;
	struct update_conf	*uc;
	char			*site;		/* its id */
	char			*email;
	char			*token;
	time_t			 now;
	struct subscriber	 row;		/* confirmed or removed */
	int			 rc;
	char			 err[256];
};

static void
sub_job_free(struct sub_job *j)
{
	web_src_free(&j->src);
	update_conf_free(j->uc);
	subscriber_free(&j->row);
	free(j->site);
	free(j->email);
	free(j->token);
	free(j);
}

static void
sub_work(struct web_job *job)
{
	struct sub_job	*j = job->arg;
	struct store	*db;

	if ((db = web_data_store(web_queue_data(job), &j->src, j->err,
	    sizeof j->err)) == NULL) {
		j->rc = STORE_ERROR;
		return;
	}
	switch (j->kind) {
	case SUB_ASK:
		j->rc = subscribe_request(db, j->uc, j->site, j->email, j->now,
		    j->err, sizeof j->err);
		break;
	case SUB_CONFIRM:
		/* An old request is forgotten first: its link then fails. */
		(void)store_sub_forget(db, j->now - SUBSCRIBE_FORGET_S);
		j->rc = store_sub_confirm(db, j->token, j->now, &j->row);
		break;
	case SUB_REMOVE:
		j->rc = store_sub_remove(db, j->token, &j->row);
		break;
	}
}

/* A short page in the site's words (English when the site is unknown). */
static void
sub_reply(struct web *w, struct evhttp_request *req, int code,
    const char *site_id, enum status_word k)
{
	const struct config		*cfg = w->cfg;
	const struct site_conf		*site = NULL;
	const struct status_words	*words;
	struct buf			 b;
	size_t				 i;

	for (i = 0; site_id != NULL && i < cfg->nsites; i++)
		if (strcmp(cfg->sites[i]->id, site_id) == 0)
			site = cfg->sites[i];
	words = web_status_words(w, site != NULL ? site->language : "en");
	if (code != 200) {
		web_reply_error(w, req, code, render_word(words, k));
		return;
	}
	buf_init(&b);
	render_subscribe_note(&b, words, site != NULL ? site->name : NULL,
	    site != NULL ? site->id : NULL, k);
	web_reply_page(w, req, site != NULL ? site->language : "en",
	    render_word(words, SW_W_TITLE), "public", &b);
}

static void
sub_done(struct web_job *job)
{
	struct sub_job	*j = job->arg;
	const char	*site = j->row.site != NULL ? j->row.site : j->site;

	if (job->cancelled) {
		web_reply_error(j->w, j->req, 503, "the server is stopping");
		goto out;
	}
	switch (j->rc) {
	case STORE_OK:
		if (j->kind == SUB_ASK)
			log_info("web: site %s: a subscription was asked for",
			    j->site);
		sub_reply(j->w, j->req, 200, site, j->kind == SUB_ASK ?
		    SW_W_SUB_SENT : j->kind == SUB_CONFIRM ? SW_W_SUB_DONE :
		    SW_W_SUB_GONE);
		break;
	case STORE_INVALID:	/* subscribed already: say nothing more */
		sub_reply(j->w, j->req, 200, site, SW_W_SUB_SENT);
		break;
	case STORE_CONFLICT:
		sub_reply(j->w, j->req, 429, site, SW_W_SUB_WAIT);
		break;
	case STORE_NOTFOUND:
		sub_reply(j->w, j->req, 404, site, j->kind == SUB_ASK ?
		    SW_W_SUB_BAD : SW_W_SUB_UNKNOWN);
		break;
	default:
		log_warn("web: subscribers: %s", j->err);
		web_reply_error(j->w, j->req, 503, "try again later");
		break;
	}
out:
	sub_job_free(j);
}

static struct sub_job *
sub_job_new(struct web *w, struct evhttp_request *req, enum sub_kind kind)
{
	struct sub_job	*j;

	j = xcalloc(1, sizeof *j);
	j->w = w;
	j->req = req;
	j->kind = kind;
	j->now = time(NULL);
	web_src_init(&j->src, w->cfg, NULL);
	return j;
}

static void
sub_push(struct web *w, struct sub_job *j)
{
	if (web_queue_push(w->q_db, sub_work, sub_done, j) == 0)
		return;
	web_reply_error(w, j->req, 503, "too busy, try again");
	sub_job_free(j);
}

/* The token of ?token=T: hex of a sane length, else NULL. */
static char *
sub_token(struct evhttp_request *req)
{
	char	*t;

	if ((t = web_query(req, "token")) == NULL)
		return NULL;
	if (*t == '\0' || strlen(t) > SUB_TOKEN_MAX ||
	    strspn(t, "0123456789abcdef") != strlen(t)) {
		free(t);
		return NULL;
	}
	return t;
}

void
web_status_subscribe(struct web *w, struct evhttp_request *req,
    const char *rest)
{
	struct evbuffer		*in = evhttp_request_get_input_buffer(req);
	struct evkeyvalq	 form;
	struct sub_job		*j;
	const char		*email, *site;
	char			*body;
	size_t			 len, i;
	time_t			 now = time(NULL);

	(void)rest;
	if (sub_limited(req, now)) {
		sub_reply(w, req, 429, NULL, SW_W_SUB_WAIT);
		return;
	}
	if ((len = evbuffer_get_length(in)) > SUB_BODY_MAX) {
		web_reply_error(w, req, 413, "the form is too large");
		return;
	}
	body = xmalloc(len + 1);
	evbuffer_copyout(in, body, len);
	body[len] = '\0';
	TAILQ_INIT(&form);
	if (evhttp_parse_query_str(body, &form) == -1) {
		free(body);
		web_reply_error(w, req, 400, "the form cannot be read");
		return;
	}
	free(body);
	site = evhttp_find_header(&form, "site");
	email = evhttp_find_header(&form, "email");
	for (i = 0; site != NULL && i < w->cfg->nsites; i++)
		if (strcmp(w->cfg->sites[i]->id, site) == 0)
			break;
	if (site == NULL || i == w->cfg->nsites) {
		evhttp_clear_headers(&form);
		web_reply_error(w, req, 404, "There is no such page.");
		return;
	}
	if (email == NULL || !subscribe_email_ok(email)) {
		sub_reply(w, req, 400, site, SW_W_SUB_BAD);
		evhttp_clear_headers(&form);
		return;
	}
	j = sub_job_new(w, req, SUB_ASK);
	j->site = xstrdup(site);
	j->email = xstrdup(email);
	j->uc = update_conf_new(w->cfg);
	evhttp_clear_headers(&form);
	sub_push(w, j);
}

/* confirm and unsubscribe: a token, one job. */
static void
sub_by_token(struct web *w, struct evhttp_request *req, enum sub_kind kind)
{
	struct sub_job	*j;
	char		*token;

	/* Not counted: a token is not guessed, a wrong one costs a read. */
	if ((token = sub_token(req)) == NULL) {
		sub_reply(w, req, 404, NULL, SW_W_SUB_UNKNOWN);
		return;
	}
	j = sub_job_new(w, req, kind);
	j->token = token;
	sub_push(w, j);
}

void
web_status_confirm(struct web *w, struct evhttp_request *req,
    const char *rest)
{
	(void)rest;
	sub_by_token(w, req, SUB_CONFIRM);
}

void
web_status_unsubscribe(struct web *w, struct evhttp_request *req,
    const char *rest)
{
	(void)rest;
	sub_by_token(w, req, SUB_REMOVE);
}
