/*
 * web_api.c -- the JSON API under /api/v1.
 *
 * Reads are open (the listener is meant for the staff network) until a
 * staff account exists, then they take the token or a session
 * (web_auth.h); ticket changes need "Authorization: Bearer <api_token>"
 * or a staff session with its X-CSRF-Token header.  Errors are
 * {"error": "..."} with the matching status: 400 bad body, 401 no or
 * wrong token, 403 no token configured (read-only), 404 no such ticket,
 * 409 not allowed in the ticket's status, 413 body too large.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "config.h"
#include "locations.h"
#include "log.h"
#include "status_json.h"
#include "ticket_update.h"
#include "web_data.h"
#include "web_body.h"
#include "web_int.h"
#include "web_view.h"
#include "web_auth.h"
#include "xmalloc.h"


/*
 * A configured check as the CLI and the API show it; locs: each
 * location's verdict (NULL: SQLite, none).
 */
static json_t *
api_check_json(struct web *w, const struct check_conf *c,
    const struct locations *locs)
{
	struct web_check	*wc = web_view_check(w->view, c);
	struct status_view	 sv;
	json_t			*o;

	memset(&sv, 0, sizeof sv);
	sv.name = c->name;
	sv.site = c->site != NULL ? c->site->name : NULL;
	sv.url = c->url;
	sv.st = wc->st;
	sv.up24 = wc->up24;
	sv.up30 = wc->up30;
	sv.down24 = wc->down24;
	sv.down30 = wc->down30;
	sv.stale = web_check_stale(wc, c, time(NULL));
	sv.locs = locs;
	sv.confirm = c->confirm;
	o = status_json(&sv);
	/* The web's own addition: the dashboard shows it. */
	json_object_set_new(o, "cert_days_left", web_check_have(wc) &&
	    wc->last->cert_days_left >= 0 ?
	    json_integer(wc->last->cert_days_left) : json_null());
	return o;
}

void
web_api_checks(struct web *w, struct evhttp_request *req, const char *rest)
{
	const struct config	*cfg = w->cfg;
	struct locations	 locs;
	json_t			*a;
	size_t			 i;
	int			 pg;

	(void)rest;
	pg = web_view_locations(w->view, &locs);
	a = json_array();
	for (i = 0; i < cfg->nchecks; i++)
		json_array_append_new(a, api_check_json(w, cfg->checks[i],
		    pg ? &locs : NULL));
	web_reply_json(w, req, 200, a);
}

/* ---- reads that need the db: done on the db worker ---- */

struct api_job {
	struct web		*w;
	struct evhttp_request	*req;
	struct web_src		 src;
	int			 all;
	long long		 id;
	char			 action[16];	/* "" for reads */
	struct update_conf	*uc;		/* "update": for its mails */
	char			*by;
	char			*text;
	time_t			 at;
	json_t			*out;
	int			 rc;
	char			 err[256];
};

static int
api_code(int rc)
{
	switch (rc) {
	case WEB_DATA_OK:
		return 200;
	case WEB_DATA_NOTFOUND:
		return 404;
	case WEB_DATA_CONFLICT:
		return 409;
	case WEB_DATA_INVALID:
		return 400;
	case WEB_DATA_UNAVAILABLE:
		return 503;
	default:
		return 500;
	}
}

static void
api_job_work(struct web_job *job)
{
	struct api_job	*j = job->arg;
	struct web_data	*wd = web_queue_data(job);

	if (j->action[0] == '\0' && j->id == 0)
		j->rc = web_data_tickets(wd, &j->src, j->all, &j->out, j->err,
		    sizeof j->err);
	else if (j->action[0] == '\0')
		j->rc = web_data_ticket(wd, &j->src, j->id, &j->out, j->err,
		    sizeof j->err);
	else {
		if (j->uc != NULL)
			j->rc = web_data_ticket_update(wd, &j->src, j->uc,
			    j->id, j->by, j->text, j->at, j->err,
			    sizeof j->err);
		else
			j->rc = web_data_ticket_action(wd, &j->src, j->id,
			    j->action, j->by, j->text, j->at, j->err,
			    sizeof j->err);
		/* Answer with the ticket as it is now. */
		if (j->rc == WEB_DATA_OK)
			j->rc = web_data_ticket(wd, &j->src, j->id, &j->out,
			    j->err, sizeof j->err);
	}
}

static void
api_job_done(struct web_job *job)
{
	struct api_job	*j = job->arg;

	if (job->cancelled)
		web_reply_error(j->w, j->req, 503, "the server is stopping");
	else if (j->rc == WEB_DATA_OK) {
		web_reply_json(j->w, j->req, 200, j->out);
		j->out = NULL;
		if (j->action[0] != '\0') {
			log_info("web: ticket %lld: %s by %s", j->id,
			    j->action, j->by);
			/* Let the pages see the change now. */
			web_view_poke(j->w->view);
		}
	} else
		web_reply_error(j->w, j->req, api_code(j->rc), j->err);
	json_decref(j->out);
	web_src_free(&j->src);
	update_conf_free(j->uc);
	free(j->by);
	free(j->text);
	free(j);
}

/* Queue j, or answer 503 when the worker is swamped. */
static void
api_job_push(struct web *w, struct api_job *j)
{
	if (web_queue_push(w->q_db, api_job_work, api_job_done, j) == 0)
		return;
	web_reply_error(w, j->req, 503, "too busy, try again");
	web_src_free(&j->src);
	update_conf_free(j->uc);
	free(j->by);
	free(j->text);
	free(j);
}

static struct api_job *
api_job_new(struct web *w, struct evhttp_request *req)
{
	struct api_job	*j;

	j = xcalloc(1, sizeof *j);
	j->w = w;
	j->req = req;
	web_src_init(&j->src, w->cfg, NULL);
	return j;
}

void
web_api_tickets(struct web *w, struct evhttp_request *req, const char *rest)
{
	struct api_job	*j;
	char		*status;
	int		 all = 0;

	if ((status = web_query(req, "status")) != NULL) {
		if (strcmp(status, "all") == 0)
			all = 1;
		else if (strcmp(status, "open") != 0) {
			free(status);
			web_reply_error(w, req, 400,
			    "status must be open or all");
			return;
		}
		free(status);
	}
	j = api_job_new(w, req);
	j->all = all;
	api_job_push(w, j);
}

/* POST /api/v1/tickets/ID/ACTION: checks in the order the SPEC lists. */
static void
api_ticket_action(struct web *w, struct evhttp_request *req, long long id,
    const char *action)
{
	const struct config	*cfg = w->cfg;
	struct evbuffer		*in;
	struct api_job		*j;
	char			*by, *text;
	size_t			 len;
	int			 status;
	char			 msg[256];
	const char		*user;

	/* A staff session with its CSRF token stands for the token. */
	if ((user = web_auth_api_staff(w, req)) != NULL)
		;
	else if (web_auth_session(w, req) != NULL &&
	    !web_auth_bearer_ok(w, req)) {
		web_reply_error(w, req, 403, "a session acts only as staff "
		    "and with its X-CSRF-Token header");
		return;
	} else if (cfg->api_token == NULL || cfg->api_token[0] == '\0') {
		web_reply_error(w, req, 403, "the API is read-only: no "
		    "api_token is configured");
		return;
	} else if (!web_auth_bearer_ok(w, req)) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "WWW-Authenticate", "Bearer realm=\"sitewatch\"");
		web_reply_error(w, req, 401, "a valid bearer token is needed");
		return;
	}
	in = evhttp_request_get_input_buffer(req);
	len = evbuffer_get_length(in);
	status = web_body_parse(action, (const char *)evbuffer_pullup(in, -1),
	    len, &by, &text, msg, sizeof msg);
	if (status != 0) {
		web_reply_error(w, req, status, msg);
		return;
	}
	j = api_job_new(w, req);
	j->id = id;
	snprintf(j->action, sizeof j->action, "%s", action);
	/* A session acts under its own name, whatever the body says. */
	if (user != NULL) {
		free(by);
		by = xstrdup(user);
	}
	j->by = by;
	j->text = text;
	j->at = time(NULL);
	if (strcmp(action, "update") == 0)
		j->uc = update_conf_new(cfg);
	api_job_push(w, j);
}

void
web_api_ticket(struct web *w, struct evhttp_request *req, const char *rest)
{
	enum evhttp_cmd_type	 m = evhttp_request_get_command(req);
	struct api_job		*j;
	const char		*p, *action;
	long long		 id = 0;

	/* ID: digits only, no sign, no leading zero, fits. */
	for (p = rest; *p >= '0' && *p <= '9' && p - rest < 15; p++)
		id = id * 10 + (*p - '0');
	if (p == rest || rest[0] == '0' || (*p != '\0' && *p != '/')) {
		web_reply_error(w, req, 404, "no such ticket");
		return;
	}
	if (*p == '\0') {
		if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD) {
			evhttp_add_header(
			    evhttp_request_get_output_headers(req), "Allow",
			    "GET, HEAD");
			web_reply_error(w, req, 405, "use GET");
			return;
		}
		/* A read: the token or a session once accounts exist. */
		if (!web_auth_gate(w, req, WEB_GATE_API))
			return;
		j = api_job_new(w, req);
		j->id = id;
		api_job_push(w, j);
		return;
	}
	action = p + 1;
	if (strcmp(action, "ack") != 0 && strcmp(action, "note") != 0 &&
	    strcmp(action, "update") != 0 && strcmp(action, "resolve") != 0) {
		web_reply_error(w, req, 404, "no such action (ack, note, "
		    "update, resolve)");
		return;
	}
	if (m != EVHTTP_REQ_POST) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", "POST");
		web_reply_error(w, req, 405, "use POST");
		return;
	}
	api_ticket_action(w, req, id, action);
}
