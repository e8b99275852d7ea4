/*
 * web_login.c -- GET and POST /login, POST /logout, and the reading of
 * the forms' bodies.
 *
 * A login is checked on the auth queue's thread (yescrypt takes tens of
 * ms, which the loop must not spend): the handler counts the attempt as
 * in flight for the peer's address, the job reads the account's hash
 * and checks the password, and the done function, back on the loop,
 * makes the session or counts a failure.  The password is wiped from
 * the job before it is freed and never reaches a log line.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <openssl/crypto.h>

#include "log.h"
#include "passwd.h"
#include "store.h"
#include "web_auth.h"
#include "web_data.h"
#include "web_forms.h"
#include "web_int.h"
#include "xmalloc.h"

/* ---- form bodies ---- */

const char *
web_form_body(struct evhttp_request *req, size_t *len)
{
	struct evbuffer	*in = evhttp_request_get_input_buffer(req);

	/* A NUL at the end, so the body reads as a string. */
	*len = evbuffer_get_length(in);
	evbuffer_add(in, "", 1);
	return (const char *)evbuffer_pullup(in, -1);
}

static int
form_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decode len bytes of s ('+' is a space, %XX a byte); NULL on a NUL. */
static char *
form_decode(const char *s, size_t len)
{
	char	*out, *o;
	size_t	 i;
	int	 h, l;

	out = o = xmalloc(len + 1);
	for (i = 0; i < len; i++) {
		if (s[i] == '+')
			*o++ = ' ';
		else if (s[i] == '%' && i + 2 < len &&
		    (h = form_hex((unsigned char)s[i + 1])) >= 0 &&
		    (l = form_hex((unsigned char)s[i + 2])) >= 0) {
			*o = (char)(h * 16 + l);
			if (*o++ == '\0') {
				free(out);
				return NULL;
			}
			i += 2;
		} else
			*o++ = s[i];
	}
	*o = '\0';
	return out;
}

char *
web_form_get(const char *body, size_t len, const char *key)
{
	const char	*p = body, *end = body + len, *amp, *eq;
	char		*k;
	size_t		 klen;

	while (p < end) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL)
			eq = amp;
		klen = (size_t)(eq - p);
		if ((k = form_decode(p, klen)) != NULL &&
		    strcmp(k, key) == 0) {
			free(k);
			return eq < amp ? form_decode(eq + 1,
			    (size_t)(amp - eq - 1)) : xstrdup("");
		}
		free(k);
		p = amp + 1;
	}
	return NULL;
}

/* ---- /login ---- */

/* The login page, with code (200, or 401 after a wrong password). */
static void
login_page(struct web *w, struct evhttp_request *req, int code,
    const char *next, const char *name, const char *msg)
{
	struct buf	b;

	buf_init(&b);
	render_login(&b, web_auth_local_path(next) ? next : "/", name, msg);
	web_reply_page_code(w, req, code, "en", "sitewatch — log in",
	    "login", &b);
}

struct login_job {
	struct web		*w;
	struct evhttp_request	*req;
	struct web_src		 src;
	char			 addr[64];
	char			*name;
	char			*password;
	char			*next;
	char			 role[16];
	int			 ok;
	int			 rc;
};

static void
login_job_work(struct web_job *job)
{
	struct login_job	*j = job->arg;
	struct store_user	 u;
	struct store		*db;
	char			 err[256];

	memset(&u, 0, sizeof u);
	if ((db = web_data_store(web_queue_data(job), &j->src, err,
	    sizeof err)) == NULL) {
		j->rc = STORE_ERROR;
		return;
	}
	j->rc = store_user_get(db, j->name, &u);
	if (j->rc == STORE_ERROR)
		return;
	/* No such account: the same work, then no. */
	j->ok = passwd_check(j->password, j->rc == STORE_OK ? u.hash : NULL);
	snprintf(j->role, sizeof j->role, "%s", u.role);
	free(u.hash);
}

static void
login_job_free(struct login_job *j)
{
	if (j->password != NULL) {
		OPENSSL_cleanse(j->password, strlen(j->password));
		free(j->password);
	}
	free(j->name);
	free(j->next);
	web_src_free(&j->src);
	free(j);
}

static void
login_job_done(struct web_job *job)
{
	struct login_job		*j = job->arg;
	struct web			*w = j->w;
	const struct web_session	*s;

	web_auth_inflight(w, j->addr, -1);
	if (job->cancelled)
		web_reply_error(w, j->req, 503, "The server is stopping.");
	else if (j->rc == STORE_ERROR)
		web_reply_error(w, j->req, 503, "Logins cannot be checked "
		    "now (the database is not answering); try again soon.");
	else if (j->ok && store_user_role_ok(j->role)) {
		web_auth_succeeded(w, j->addr);
		s = web_auth_login(w, j->name, j->role);
		web_auth_cookie(w, j->req, s);
		log_info("web: %s (%s) logged in from %s", j->name, j->role,
		    j->addr);
		web_auth_redirect(w, j->req, j->next);
	} else {
		web_auth_failed(w, j->addr);
		log_info("web: failed login as %s from %s", j->name, j->addr);
		login_page(w, j->req, 401, j->next, j->name,
		    "Wrong name or password.");
	}
	login_job_free(j);
}

/* 429 with the wait in Retry-After. */
static void
login_too_many(struct web *w, struct evhttp_request *req, long wait)
{
	char	s[32], msg[128];

	snprintf(s, sizeof s, "%ld", wait);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Retry-After", s);
	snprintf(msg, sizeof msg, "Too many failed logins from your address: "
	    "try again in %ld s.", wait);
	web_reply_error(w, req, 429, msg);
}

static void
login_post(struct web *w, struct evhttp_request *req)
{
	struct login_job	*j;
	const char		*body;
	size_t			 len;
	long			 wait;

	j = xcalloc(1, sizeof *j);
	j->w = w;
	j->req = req;
	web_auth_peer(req, j->addr, sizeof j->addr);
	body = web_form_body(req, &len);
	j->name = web_form_get(body, len, "name");
	j->password = web_form_get(body, len, "password");
	j->next = web_form_get(body, len, "next");
	if (j->next == NULL || !web_auth_local_path(j->next)) {
		free(j->next);
		j->next = xstrdup("/");
	}
	if ((wait = web_auth_limited(w, j->addr)) > 0) {
		login_too_many(w, req, wait);
		login_job_free(j);
		return;
	}
	if (j->name == NULL || j->password == NULL ||
	    !store_user_name_ok(j->name) ||
	    strlen(j->password) > PASSWD_MAX) {
		web_auth_failed(w, j->addr);
		login_page(w, req, 401, j->next, NULL,
		    "Wrong name or password.");
		login_job_free(j);
		return;
	}
	web_src_init(&j->src, w->cfg, NULL);
	if (web_queue_push(w->q_auth, login_job_work, login_job_done,
	    j) == -1) {
		web_reply_error(w, req, 503, "Too busy, try again.");
		login_job_free(j);
		return;
	}
	web_auth_inflight(w, j->addr, 1);
}

void
web_page_login(struct web *w, struct evhttp_request *req, const char *rest)
{
	char	*next;

	(void)rest;
	/* No accounts: nothing to log in to, the pages are open. */
	if (!web_auth_on(w)) {
		web_auth_redirect(w, req, "/");
		return;
	}
	if (evhttp_request_get_command(req) == EVHTTP_REQ_POST) {
		login_post(w, req);
		return;
	}
	next = web_query(req, "next");
	login_page(w, req, 200, next, NULL, NULL);
	free(next);
}

void
web_page_logout(struct web *w, struct evhttp_request *req, const char *rest)
{
	const struct web_session	*s;
	const char			*body;
	char				*csrf;
	size_t				 len;

	(void)rest;
	s = web_auth_session(w, req);
	body = web_form_body(req, &len);
	csrf = web_form_get(body, len, "csrf");
	if (s == NULL || !web_session_csrf_ok(s, csrf)) {
		free(csrf);
		web_reply_error(w, req, 403, "This form is not from this "
		    "session (missing or wrong CSRF token).");
		return;
	}
	free(csrf);
	log_info("web: %s logged out", web_session_user(s));
	web_auth_logout(w, s);
	web_auth_cookie(w, req, NULL);
	web_auth_redirect(w, req, "/login");
}
