/*
 * web_actions.c -- POST /ticket/ID/{ack,note,update,resolve}: the staff's ticket
 * actions from the dashboard's and the check page's forms.
 *
 * The checks, in order: accounts exist (without them the pages have no
 * users to name, and act through the API or the CLI); a session; the
 * form's CSRF token is that session's; the session is staff (viewers
 * only read).  Any of them failing is 403 and nothing changes.  Then the
 * same call as the API's and the CLI's (web_data_ticket_action, the
 * store's one atomic action) on the db worker, named by the session's
 * user, and a 303 back to the page the form came from.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/http.h>

#include "log.h"
#include "ticket_update.h"
#include "web_auth.h"
#include "web_data.h"
#include "web_int.h"
#include "web_view.h"
#include "xmalloc.h"

struct action_job {
	struct web		*w;
	struct evhttp_request	*req;
	struct web_src		 src;
	long long		 id;
	char			 action[16];
	char			 by[SW_NAME_MAX];
	char			*text;
	char			*back;
	struct update_conf	*uc;		/* "update": for its mails */
	int			 rc;
	char			 err[256];
};

static void
action_job_work(struct web_job *job)
{
	struct action_job	*j = job->arg;

	if (j->uc != NULL)
		j->rc = web_data_ticket_update(web_queue_data(job), &j->src,
		    j->uc, j->id, j->by, j->text, time(NULL), j->err,
		    sizeof j->err);
	else
		j->rc = web_data_ticket_action(web_queue_data(job), &j->src,
		    j->id, j->action, j->by, j->text, time(NULL), j->err,
		    sizeof j->err);
}

static void
action_job_free(struct action_job *j)
{
	web_src_free(&j->src);
	free(j->text);
	free(j->back);
	update_conf_free(j->uc);
	free(j);
}

static void
action_job_done(struct web_job *job)
{
	struct action_job	*j = job->arg;
	static const int	 codes[] = {
		[WEB_DATA_OK] = 303, [WEB_DATA_NOTFOUND] = 404,
		[WEB_DATA_CONFLICT] = 409, [WEB_DATA_INVALID] = 400,
		[WEB_DATA_ERROR] = 500, [WEB_DATA_UNAVAILABLE] = 503,
	};

	if (job->cancelled)
		web_reply_error(j->w, j->req, 503, "The server is stopping.");
	else if (j->rc == WEB_DATA_OK) {
		log_info("web: ticket %lld: %s by %s (form)", j->id,
		    j->action, j->by);
		/* The pages show the change at once. */
		web_view_poke(j->w->view);
		web_auth_redirect(j->w, j->req, j->back);
	} else
		web_reply_error(j->w, j->req, j->rc >= 0 &&
		    (size_t)j->rc < sizeof codes / sizeof codes[0] ?
		    codes[j->rc] : 500, j->err);
	action_job_free(j);
}

void
web_page_ticket_action(struct web *w, struct evhttp_request *req,
    const char *rest)
{
	const struct web_session	*s;
	struct action_job		*j;
	const char			*p, *body;
	char				*csrf;
	long long			 id = 0;
	size_t				 len;

	/* ID/ACTION: digits without a leading zero, then a known action. */
	for (p = rest; *p >= '0' && *p <= '9' && p - rest < 15; p++)
		id = id * 10 + (*p - '0');
	if (p == rest || rest[0] == '0' || *p != '/' ||
	    (strcmp(p + 1, "ack") != 0 && strcmp(p + 1, "note") != 0 &&
	    strcmp(p + 1, "resolve") != 0 && strcmp(p + 1, "update") != 0)) {
		web_reply_error(w, req, 404, "There is no such action.");
		return;
	}
	if (!web_auth_on(w)) {
		web_reply_error(w, req, 403, "There are no staff accounts: act "
		    "with the API or sitewatch ticket.");
		return;
	}
	if ((s = web_auth_session(w, req)) == NULL) {
		web_reply_error(w, req, 403, "Log in first.");
		return;
	}
	body = web_form_body(req, &len);
	csrf = web_form_get(body, len, "csrf");
	if (!web_session_csrf_ok(s, csrf)) {
		free(csrf);
		log_warn("web: ticket %lld: %s by %s refused: missing or wrong "
		    "CSRF token", id, p + 1, web_session_user(s));
		web_reply_error(w, req, 403, "This form is not from this "
		    "session (missing or wrong CSRF token).");
		return;
	}
	free(csrf);
	if (!web_session_staff(s)) {
		web_reply_error(w, req, 403, "Viewers can only read.");
		return;
	}
	j = xcalloc(1, sizeof *j);
	j->w = w;
	j->req = req;
	j->id = id;
	snprintf(j->action, sizeof j->action, "%s", p + 1);
	snprintf(j->by, sizeof j->by, "%s", web_session_user(s));
	j->text = web_form_get(body, len, "text");
	/* An empty optional field is no text at all. */
	if (j->text != NULL && j->text[0] == '\0' &&
	    strcmp(j->action, "resolve") == 0) {
		free(j->text);
		j->text = NULL;
	}
	j->back = web_form_get(body, len, "back");
	if (j->back == NULL || !web_auth_local_path(j->back)) {
		free(j->back);
		j->back = xstrdup("/");
	}
	if (strcmp(j->action, "update") == 0)
		j->uc = update_conf_new(w->cfg);
	web_src_init(&j->src, w->cfg, NULL);
	if (web_queue_push(w->q_db, action_job_work, action_job_done,
	    j) == -1) {
		web_reply_error(w, req, 503, "Too busy, try again.");
		action_job_free(j);
	}
}
