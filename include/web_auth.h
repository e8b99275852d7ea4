/*
 * web_auth.h -- staff logins of the web pages: who may see the staff
 * pages and act on tickets.  Only src/web*.c include it.
 *
 * With no account in the database the pages are open, as they always
 * were (the listener is then meant for a staff network).  Once any
 * account exists (`sitewatch user add`):
 *   - /, /check/NAME and /graph/... need a session: a GET without one
 *     is sent to /login, anything else gets 403;
 *   - the API and /metrics take the bearer token (api_token) or a
 *     session (staff and viewers read; only staff write);
 *   - /status/... and /static/... stay public.
 * A session is a random 256-bit token in an HttpOnly, SameSite=Strict
 * cookie (Secure when public_url is https://), kept in the daemon's
 * memory (a restart logs everyone out) with an idle and an absolute
 * lifetime.  Each session has its own CSRF token, which every form that
 * changes something carries.
 */
#ifndef WEB_AUTH_H
#define WEB_AUTH_H

#include <stddef.h>

struct evhttp_request;
struct web;
struct web_auth;
struct web_session;

/* What a route needs (web.c's table). */
enum web_gate {
	WEB_GATE_NONE = 0,	/* public */
	WEB_GATE_PAGE,		/* a staff page: a session */
	WEB_GATE_API,		/* the bearer token or a session */
};

/* Reads the accounts once now, then every few seconds on q_auth. */
struct web_auth	*web_auth_new(struct web *);
void		 web_auth_free(struct web_auth *);
/* Do the staff pages need a login (any account, or not known yet)? */
int		 web_auth_on(struct web *);
/*
 * Before a gated route's handler: 1 to go on; 0 when the request was
 * answered (303 to /login, 401, 403, or 503 while the accounts are not
 * known yet).
 */
int		 web_auth_gate(struct web *, struct evhttp_request *,
		    enum web_gate);
/* Does the request carry "Authorization: Bearer <api_token>"? */
int		 web_auth_bearer_ok(struct web *, struct evhttp_request *);
/*
 * A request with a staff session whose X-CSRF-Token header is right: the
 * API's writes take it in place of the bearer token.  Its user, or NULL.
 */
const char	*web_auth_api_staff(struct web *, struct evhttp_request *);

/* The request's live session, NULL when none (or no accounts). */
const struct web_session *web_auth_session(struct web *,
		    struct evhttp_request *);
const char	*web_session_user(const struct web_session *);
const char	*web_session_role(const struct web_session *);
int		 web_session_staff(const struct web_session *);
const char	*web_session_csrf(const struct web_session *);
/* Is token this session's CSRF token (compared in constant time)? */
int		 web_session_csrf_ok(const struct web_session *,
		    const char *token);

/* ---- for web_login.c ---- */

/* The peer's address as text ("127.0.0.1"), for the login limit. */
void		 web_auth_peer(struct evhttp_request *, char *, size_t);
/*
 * Seconds this address must still wait before trying again (too many
 * failed logins), 0 when it may try now.
 */
long		 web_auth_limited(struct web *, const char *addr);
/* A password check for addr started (1) or ended (-1). */
void		 web_auth_inflight(struct web *, const char *addr, int d);
void		 web_auth_failed(struct web *, const char *addr);
void		 web_auth_succeeded(struct web *, const char *addr);
/* A new session for user (role "staff" or "viewer"). */
const struct web_session *web_auth_login(struct web *, const char *user,
		    const char *role);
void		 web_auth_logout(struct web *, const struct web_session *);
/* Set-Cookie for s, or one that clears the cookie (s NULL). */
void		 web_auth_cookie(struct web *, struct evhttp_request *,
		    const struct web_session *);
/* Is p a local path fit to go back to after a form ("/x", not "//x")? */
int		 web_auth_local_path(const char *p);
/* 303 to a local path. */
void		 web_auth_redirect(struct web *, struct evhttp_request *,
		    const char *path);

/* web_login.c: GET and POST /login, POST /logout. */
void	web_page_login(struct web *, struct evhttp_request *,
	    const char *rest);
void	web_page_logout(struct web *, struct evhttp_request *,
	    const char *rest);
/*
 * The value of key in an application/x-www-form-urlencoded body,
 * decoded and allocated; NULL when absent or when it holds a NUL byte.
 */
char	*web_form_get(const char *body, size_t len, const char *key);
/* The request's body as a string (NUL-terminated, may hold no NUL). */
const char *web_form_body(struct evhttp_request *, size_t *len);

/* web_actions.c: POST /ticket/ID/{ack,note,resolve} from the forms. */
void	web_page_ticket_action(struct web *, struct evhttp_request *,
	    const char *rest);

#endif
