/*
 * web_auth.c -- staff sessions of the web pages: which accounts exist,
 * the sessions and their CSRF tokens, the gate in front of the staff
 * routes, and the limit on failed logins.  Everything here runs on the
 * loop and answers from memory; what needs the database (the account
 * list, a password check) is a job on the web's auth queue.
 *
 * DESIGN
 * Accounts: the loop keeps the list of names and roles (never hashes),
 * read once at start and again every WEB_AUTH_REFRESH_MS by a job, so
 * `sitewatch user add/del` (another process) takes effect within
 * seconds; a session whose account is gone or changed role dies at the
 * next read.  Until the first read succeeds nobody knows whether the
 * pages should be open, so they are closed (503), never open.
 *
 * Sessions: a fixed table (WEB_SESSIONS_MAX; the oldest goes when it is
 * full).  The cookie holds 32 random bytes in hex; a look-up compares it
 * with every live session in constant time, which at this size costs
 * microseconds.  Idle and absolute lifetimes on the monotonic clock.
 *
 * Failed logins: per peer address, at most WEB_LOGIN_FAILS failures (and
 * checks in flight) within WEB_LOGIN_WINDOW_S; then 429 with Retry-After
 * until the window ends.  Behind a reverse proxy every client has the
 * proxy's address: the limit is then the proxy's, which still bounds
 * guessing.
 *
 * Tests shorten the clocks: SITEWATCH_SESSION_TTL="IDLE,MAX" and
 * SITEWATCH_LOGIN_LIMIT="FAILS,WINDOW" (seconds).
 */
#include <sys/socket.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/event.h>
#include <event2/http.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "config.h"
#include "log.h"
#include "store.h"
#include "util.h"
#include "web_auth.h"
#include "web_data.h"
#include "web_int.h"
#include "xmalloc.h"

#define WEB_AUTH_REFRESH_MS	2000
#define WEB_SESSIONS_MAX	1024
#define WEB_SESSION_IDLE_S	(2 * 3600)
#define WEB_SESSION_MAX_S	(12 * 3600)
#define WEB_LOGIN_FAILS		5
#define WEB_LOGIN_WINDOW_S	300
#define WEB_LIMITS_MAX		256
#define WEB_COOKIE		"sw_session"
#define WEB_TOKEN_BYTES		32
#define WEB_TOKEN_HEX		(WEB_TOKEN_BYTES * 2)

struct web_session {
	int		 used;
	char		 token[WEB_TOKEN_HEX + 1];
	char		 csrf[WEB_TOKEN_HEX + 1];
	char		 user[SW_NAME_MAX];
	char		 role[16];
	uint64_t	 created_ms;
	uint64_t	 seen_ms;
};

struct web_limit {
	char		 addr[64];
	int		 fails;
	int		 inflight;
	uint64_t	 first_ms;	/* of this window's first failure */
};

struct web_auth {
	struct web		*w;
	struct event		*tick;
	int			 known;		/* the accounts were read */
	int			 reading;	/* a read job is queued */
	struct store_user	*users;		/* names and roles */
	size_t			 nusers;
	struct web_session	 sess[WEB_SESSIONS_MAX];
	struct web_limit	 limits[WEB_LIMITS_MAX];
	long			 idle_s, max_s;
	int			 fails_max;
	long			 window_s;
};

/* "A,B" of an environment variable into two positive numbers. */
static void
web_auth_env(const char *name, long *a, long *b)
{
	const char	*v = getenv(name);
	long		 x, y;

	if (v != NULL && sscanf(v, "%ld,%ld", &x, &y) == 2 && x > 0 && y > 0) {
		*a = x;
		*b = y;
	}
}

/* ---- the accounts ---- */

struct users_job {
	struct web_auth		*a;
	struct web_src		 src;
	struct store_user	*users;
	size_t			 n;
	int			 rc;
};

static void
users_job_work(struct web_job *job)
{
	struct users_job	*j = job->arg;
	struct store		*db;
	char			 err[256];

	j->rc = STORE_ERROR;
	if ((db = web_data_store(web_queue_data(job), &j->src, err,
	    sizeof err)) != NULL)
		j->rc = store_users(db, &j->users, &j->n);
}

/* The account of a name in the list, NULL when none. */
static const struct store_user *
web_auth_user(struct web_auth *a, const char *name)
{
	size_t	i;

	for (i = 0; i < a->nusers; i++)
		if (strcmp(a->users[i].name, name) == 0)
			return &a->users[i];
	return NULL;
}

/* A fresh list: sessions of accounts gone or changed end now. */
static void
web_auth_set_users(struct web_auth *a, struct store_user *users, size_t n)
{
	const struct store_user	*u;
	size_t			 i;

	free(a->users);
	a->users = users;
	a->nusers = n;
	a->known = 1;
	for (i = 0; i < WEB_SESSIONS_MAX; i++) {
		if (!a->sess[i].used)
			continue;
		u = web_auth_user(a, a->sess[i].user);
		if (u == NULL || strcmp(u->role, a->sess[i].role) != 0) {
			log_info("web: session of %s ended: its account %s",
			    a->sess[i].user, u == NULL ? "is gone" :
			    "changed role");
			OPENSSL_cleanse(&a->sess[i], sizeof a->sess[i]);
		}
	}
}

static void
users_job_done(struct web_job *job)
{
	struct users_job	*j = job->arg;

	if (!job->cancelled) {
		j->a->reading = 0;
		if (j->rc == STORE_OK) {
			web_auth_set_users(j->a, j->users, j->n);
			j->users = NULL;
		}
	}
	free(j->users);
	web_src_free(&j->src);
	free(j);
}

/* Every WEB_AUTH_REFRESH_MS: read the accounts again, off the loop. */
static void
web_auth_tick(evutil_socket_t fd, short what, void *arg)
{
	struct web_auth		*a = arg;
	struct users_job	*j;

	if (a->reading)
		return;
	j = xcalloc(1, sizeof *j);
	j->a = a;
	web_src_init(&j->src, a->w->cfg, NULL);
	if (web_queue_push(a->w->q_auth, users_job_work, users_job_done,
	    j) == -1) {
		web_src_free(&j->src);
		free(j);
		return;
	}
	a->reading = 1;
}

struct web_auth *
web_auth_new(struct web *w)
{
	struct web_auth		*a;
	struct store		*db;
	struct store_user	*users = NULL;
	struct timeval		 tv;
	char			*where, err[512];
	size_t			 n = 0;
	long			 fails = WEB_LOGIN_FAILS;

	a = xcalloc(1, sizeof *a);
	a->w = w;
	a->idle_s = WEB_SESSION_IDLE_S;
	a->max_s = WEB_SESSION_MAX_S;
	web_auth_env("SITEWATCH_SESSION_TTL", &a->idle_s, &a->max_s);
	a->window_s = WEB_LOGIN_WINDOW_S;
	web_auth_env("SITEWATCH_LOGIN_LIMIT", &fails, &a->window_s);
	a->fails_max = fails < INT_MAX ? (int)fails : INT_MAX;
	/*
	 * Once, on the loop, at start: the pages must know before their
	 * first request whether they are open.
	 */
	where = store_where(w->cfg->database, w->cfg->state_dir);
	if ((db = store_open(where, 0, err, sizeof err)) == NULL)
		log_warn("web: cannot read the accounts yet: %s", err);
	else if (store_users(db, &users, &n) == STORE_OK)
		web_auth_set_users(a, users, n);
	else
		log_warn("web: cannot read the accounts yet: %s",
		    store_errmsg(db));
	store_close(db);
	free(where);
	if (a->known)
		log_info("web: %zu staff account%s: the staff pages %s", n,
		    n == 1 ? "" : "s", n > 0 ? "need a login" : "are open");
	a->tick = event_new(w->base, -1, EV_PERSIST, web_auth_tick, a);
	tv.tv_sec = WEB_AUTH_REFRESH_MS / 1000;
	tv.tv_usec = (WEB_AUTH_REFRESH_MS % 1000) * 1000;
	event_add(a->tick, &tv);
	return a;
}

void
web_auth_free(struct web_auth *a)
{
	if (a == NULL)
		return;
	if (a->tick != NULL)
		event_free(a->tick);
	free(a->users);
	OPENSSL_cleanse(a->sess, sizeof a->sess);
	free(a);
}

int
web_auth_on(struct web *w)
{
	return !w->auth->known || w->auth->nusers > 0;
}

/* ---- sessions ---- */

static void
web_auth_token(char *hex)
{
	unsigned char	raw[WEB_TOKEN_BYTES];
	size_t		i;

	if (RAND_bytes(raw, sizeof raw) != 1)
		fatal("web: no random bytes for a session token");
	for (i = 0; i < sizeof raw; i++)
		snprintf(hex + i * 2, 3, "%02x", raw[i]);
	OPENSSL_cleanse(raw, sizeof raw);
}

/* The session cookie's value into out: 1, or 0 when there is none. */
static int
web_auth_cookie_value(struct evhttp_request *req, char *out)
{
	const char	*h, *p;
	size_t		 n = strlen(WEB_COOKIE);

	h = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Cookie");
	for (p = h; p != NULL && *p != '\0'; p++) {
		while (*p == ' ' || *p == ';')
			p++;
		if (strncmp(p, WEB_COOKIE, n) == 0 && p[n] == '=' &&
		    strspn(p + n + 1, "0123456789abcdef") == WEB_TOKEN_HEX &&
		    strchr("; ", p[n + 1 + WEB_TOKEN_HEX]) != NULL) {
			memcpy(out, p + n + 1, WEB_TOKEN_HEX);
			out[WEB_TOKEN_HEX] = '\0';
			return 1;
		}
		if ((p = strchr(p, ';')) == NULL)
			break;
	}
	return 0;
}

const struct web_session *
web_auth_session(struct web *w, struct evhttp_request *req)
{
	struct web_auth		*a = w->auth;
	struct web_session	*s, *found = NULL;
	char			 tok[WEB_TOKEN_HEX + 1];
	uint64_t		 now;
	size_t			 i;

	if (!a->known || a->nusers == 0 || !web_auth_cookie_value(req, tok))
		return NULL;
	/* Every slot is compared, so the time says nothing of the token. */
	for (i = 0; i < WEB_SESSIONS_MAX; i++) {
		s = &a->sess[i];
		if (s->used && CRYPTO_memcmp(s->token, tok, WEB_TOKEN_HEX) == 0)
			found = s;
	}
	if (found == NULL)
		return NULL;
	now = util_mono_ms();
	if (now - found->seen_ms > (uint64_t)a->idle_s * 1000 ||
	    now - found->created_ms > (uint64_t)a->max_s * 1000) {
		log_info("web: session of %s expired", found->user);
		OPENSSL_cleanse(found, sizeof *found);
		return NULL;
	}
	found->seen_ms = now;
	return found;
}

const char *
web_session_user(const struct web_session *s)
{
	return s->user;
}

const char *
web_session_role(const struct web_session *s)
{
	return s->role;
}

int
web_session_staff(const struct web_session *s)
{
	return s != NULL && strcmp(s->role, "staff") == 0;
}

const char *
web_session_csrf(const struct web_session *s)
{
	return s->csrf;
}

int
web_session_csrf_ok(const struct web_session *s, const char *token)
{
	return s != NULL && token != NULL &&
	    strlen(token) == WEB_TOKEN_HEX &&
	    CRYPTO_memcmp(s->csrf, token, WEB_TOKEN_HEX) == 0;
}

const struct web_session *
web_auth_login(struct web *w, const char *user, const char *role)
{
	struct web_auth		*a = w->auth;
	struct web_session	*s = NULL;
	size_t			 i;

	/* A free slot, else the session used least recently makes room. */
	for (i = 0; i < WEB_SESSIONS_MAX; i++) {
		if (!a->sess[i].used) {
			s = &a->sess[i];
			break;
		}
		if (s == NULL || a->sess[i].seen_ms < s->seen_ms)
			s = &a->sess[i];
	}
	memset(s, 0, sizeof *s);
	s->used = 1;
	web_auth_token(s->token);
	web_auth_token(s->csrf);
	snprintf(s->user, sizeof s->user, "%s", user);
	snprintf(s->role, sizeof s->role, "%s", role);
	s->created_ms = s->seen_ms = util_mono_ms();
	return s;
}

void
web_auth_logout(struct web *w, const struct web_session *s)
{
	struct web_auth	*a = w->auth;
	size_t		 i = (size_t)(s - a->sess);

	if (i < WEB_SESSIONS_MAX)
		OPENSSL_cleanse(&a->sess[i], sizeof a->sess[i]);
}

/* Cookies are Secure when the pages are meant to be reached by https. */
static int
web_auth_secure(struct web *w)
{
	const char	*u = w->cfg->public_url;

	return u != NULL && strncasecmp(u, "https://", 8) == 0;
}

void
web_auth_cookie(struct web *w, struct evhttp_request *req,
    const struct web_session *s)
{
	char	v[256];

	snprintf(v, sizeof v, "%s=%s; Path=/; HttpOnly; SameSite=Strict; "
	    "Max-Age=%ld%s", WEB_COOKIE, s != NULL ? s->token : "",
	    s != NULL ? w->auth->max_s : 0L,
	    web_auth_secure(w) ? "; Secure" : "");
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Set-Cookie", v);
}

/* ---- the gate ---- */

int
web_auth_bearer_ok(struct web *w, struct evhttp_request *req)
{
	const char	*token = w->cfg->api_token, *header, *given;
	unsigned char	 a[SHA256_DIGEST_LENGTH], b[SHA256_DIGEST_LENGTH];

	header = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Authorization");
	if (token == NULL || *token == '\0' || header == NULL ||
	    strncasecmp(header, "Bearer ", 7) != 0)
		return 0;
	for (given = header + 7; *given == ' '; given++)
		;
	/*
	 * Both sides hashed first: the comparison takes the same time
	 * whatever the length or content of the guess.
	 */
	SHA256((const unsigned char *)token, strlen(token), a);
	SHA256((const unsigned char *)given, strlen(given), b);
	return CRYPTO_memcmp(a, b, sizeof a) == 0;
}

const char *
web_auth_api_staff(struct web *w, struct evhttp_request *req)
{
	const struct web_session	*s;

	if ((s = web_auth_session(w, req)) == NULL || !web_session_staff(s) ||
	    !web_session_csrf_ok(s, evhttp_find_header(
	    evhttp_request_get_input_headers(req), "X-CSRF-Token")))
		return NULL;
	return s->user;
}

int
web_auth_local_path(const char *p)
{
	size_t	i;

	if (p == NULL || p[0] != '/' || p[1] == '/' || p[1] == '\\' ||
	    strlen(p) > 1024)
		return 0;
	for (i = 0; p[i] != '\0'; i++)
		if ((unsigned char)p[i] <= 0x20 || (unsigned char)p[i] >= 0x7f)
			return 0;
	return 1;
}

void
web_auth_redirect(struct web *w, struct evhttp_request *req,
    const char *path)
{
	evhttp_add_header(evhttp_request_get_output_headers(req), "Location",
	    web_auth_local_path(path) ? path : "/");
	web_reply(w, req, 303, "text/plain; charset=utf-8", "See Other\n",
	    10);
}

int
web_auth_gate(struct web *w, struct evhttp_request *req, enum web_gate g)
{
	const struct evhttp_uri	*u = evhttp_request_get_evhttp_uri(req);
	enum evhttp_cmd_type	 m = evhttp_request_get_command(req);
	struct buf		 next;
	const char		*path, *query;
	char			*enc;

	if (g == WEB_GATE_NONE || (w->auth->known && w->auth->nusers == 0))
		return 1;
	if (!w->auth->known) {
		web_reply_error(w, req, 503, "The staff accounts could not be "
		    "read yet; try again in a moment.");
		return 0;
	}
	if (web_auth_session(w, req) != NULL)
		return 1;
	if (g == WEB_GATE_API) {
		if (web_auth_bearer_ok(w, req))
			return 1;
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "WWW-Authenticate", "Bearer realm=\"sitewatch\"");
		web_reply_error(w, req, 401, "log in, or send a valid bearer "
		    "token");
		return 0;
	}
	if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD) {
		web_reply_error(w, req, 403, "Log in first.");
		return 0;
	}
	/* Back to the page asked for once logged in. */
	path = evhttp_uri_get_path(u);
	query = evhttp_uri_get_query(u);
	buf_init(&next);
	buf_addstr(&next, path != NULL ? path : "/");
	if (query != NULL) {
		buf_addstr(&next, "?");
		buf_addstr(&next, query);
	}
	enc = evhttp_uriencode(next.data, -1, 0);
	buf_free(&next);
	buf_init(&next);
	buf_printf(&next, "/login?next=%s", enc != NULL ? enc : "%2F");
	free(enc);
	web_auth_redirect(w, req, next.data);
	buf_free(&next);
	return 0;
}

/* ---- failed logins ---- */

void
web_auth_peer(struct evhttp_request *req, char *out, size_t len)
{
	struct evhttp_connection	*c;
	const char			*host = NULL;
	ev_uint16_t			 port;

	if ((c = evhttp_request_get_connection(req)) != NULL)
		evhttp_connection_get_peer(c, (char **)&host, &port);
	snprintf(out, len, "%s", host != NULL ? host : "?");
}

/* The entry of addr; made (the oldest one going) when make is set. */
static struct web_limit *
web_auth_limit(struct web_auth *a, const char *addr, int make)
{
	struct web_limit	*l, *old = NULL;
	uint64_t		 now = util_mono_ms();
	size_t			 i;

	for (i = 0; i < WEB_LIMITS_MAX; i++) {
		l = &a->limits[i];
		if (l->addr[0] != '\0' && strcmp(l->addr, addr) == 0) {
			/* A window over forgets its failures. */
			if (l->fails > 0 && now - l->first_ms >
			    (uint64_t)a->window_s * 1000)
				l->fails = 0;
			return l;
		}
		/* Room: a free entry, else the oldest with nothing in flight. */
		if (l->addr[0] == '\0')
			old = l;
		else if (l->inflight == 0 && (old == NULL ||
		    (old->addr[0] != '\0' && l->first_ms < old->first_ms)))
			old = l;
	}
	if (old == NULL)
		old = &a->limits[0];
	if (!make)
		return NULL;
	memset(old, 0, sizeof *old);
	snprintf(old->addr, sizeof old->addr, "%s", addr);
	return old;
}

long
web_auth_limited(struct web *w, const char *addr)
{
	struct web_auth		*a = w->auth;
	struct web_limit	*l;
	uint64_t		 now = util_mono_ms(), end;

	if ((l = web_auth_limit(a, addr, 0)) == NULL ||
	    l->fails + l->inflight < a->fails_max)
		return 0;
	end = l->first_ms + (uint64_t)a->window_s * 1000;
	/* Only checks in flight: a moment, then try again. */
	if (l->fails == 0 || end <= now)
		return 1;
	return (long)((end - now + 999) / 1000);
}

void
web_auth_inflight(struct web *w, const char *addr, int d)
{
	struct web_limit	*l;

	if ((l = web_auth_limit(w->auth, addr, d > 0)) != NULL &&
	    l->inflight + d >= 0)
		l->inflight += d;
}

void
web_auth_failed(struct web *w, const char *addr)
{
	struct web_limit	*l = web_auth_limit(w->auth, addr, 1);

	if (l->fails == 0)
		l->first_ms = util_mono_ms();
	l->fails++;
}

void
web_auth_succeeded(struct web *w, const char *addr)
{
	struct web_limit	*l;

	if ((l = web_auth_limit(w->auth, addr, 0)) != NULL)
		l->fails = 0;
}
