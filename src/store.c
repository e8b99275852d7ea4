/*
 * store.c -- the database door: choose a backend, check arguments, keep
 * the policies that are not SQL, and call the backend.
 *
 * DESIGN
 * Callers see store.h only; a backend is a struct store_ops
 * (store_impl.h).  What stays here must be the same whatever the
 * database: the limits on a staff name and a note, the mail backoff and
 * when a temporary failure turns permanent, and freeing the structs the
 * backends fill.  What a backend owns: its connection, every statement,
 * its schema and its migrations, and making each staff action one atomic
 * step (SQLite: BEGIN IMMEDIATE; a server database: a row lock).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"
#include "xmalloc.h"

/* Bytes of a staff name and of a note (digits: for the messages). */
#define STORE_BY_MAX	128
#define STORE_BY_MAX_S	"128"
#define STORE_TEXT_MAX	4096
#define STORE_TEXT_MAX_S "4096"

void
store_set_mail_backoff(struct store *s, long min, long max)
{
	s->backoff_min = min >= 1 ? min : STORE_MAIL_BACKOFF_MIN;
	s->backoff_max = max >= s->backoff_min ? max : s->backoff_min;
}

struct store *
store_open(const char *where, int flags, char *err, size_t errlen)
{
	struct store	*s;

	s = xcalloc(1, sizeof *s);
	s->ops = store_is_uri(where) ? &store_pg_ops : &store_sqlite_ops;
	s->where = xstrdup(where);
	s->flags = flags;
	s->backoff_min = STORE_MAIL_BACKOFF_MIN;
	s->backoff_max = STORE_MAIL_BACKOFF_MAX;
	if (s->ops->open(s, err, errlen) == -1) {
		store_close(s);
		return NULL;
	}
	return s;
}

int
store_is_uri(const char *where)
{
	return where != NULL && (strncmp(where, "postgresql://", 13) == 0 ||
	    strncmp(where, "postgres://", 11) == 0);
}

char *
store_where(const char *database, const char *state_dir)
{
	char	*path;

	if (database != NULL && *database != '\0')
		return xstrdup(database);
	xasprintf(&path, "%s/%s", state_dir, STORE_FILE);
	return path;
}

/*
 * Copy uri with the password of its user part and any password=
 * parameter replaced by "***".  What is not a URI is copied as it is.
 */
char *
store_mask_uri(const char *uri)
{
	const char	*auth, *end, *at, *colon, *p, *v;
	char		*out, *o;
	size_t		 len;

	len = strlen(uri);
	/* Each masked value shrinks or grows to 3 bytes: room for it all. */
	out = o = xmalloc(len * 2 + 4);
	if ((auth = strstr(uri, "://")) == NULL) {
		memcpy(out, uri, len + 1);
		return out;
	}
	auth += 3;
	end = auth + strcspn(auth, "/?#");
	at = NULL;
	for (p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	colon = at != NULL ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
	if (colon != NULL) {
		memcpy(o, uri, (size_t)(colon + 1 - uri));
		o += colon + 1 - uri;
		memcpy(o, "***", 3);
		o += 3;
		p = at;
	} else
		p = uri;
	/* The query: mask the value of every password= parameter. */
	while (*p != '\0') {
		if (p > end && (p[-1] == '?' || p[-1] == '&') &&
		    strncmp(p, "password=", 9) == 0) {
			memcpy(o, "password=***", 12);
			o += 12;
			v = p + 9;
			p = v + strcspn(v, "&#");
			continue;
		}
		*o++ = *p++;
	}
	*o = '\0';
	return out;
}

struct store *
store_open_dir(const char *state_dir, int flags, char *err, size_t errlen)
{
	struct store	*s;
	char		*path;

	xasprintf(&path, "%s/%s", state_dir, STORE_FILE);
	s = store_open(path, flags, err, errlen);
	free(path);
	return s;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	s->ops->close(s);
	free(s->where);
	free(s);
}

const char *
store_errmsg(struct store *s)
{
	return s->ops->errmsg(s);
}

int
store_transient(struct store *s)
{
	return s->ops->transient(s);
}

void
store_set_quiet(struct store *s, int on)
{
	s->quiet = on;
}

int
store_version(struct store *s)
{
	return s->ops->version(s);
}

int
store_begin(struct store *s)
{
	return s->ops->begin(s);
}

int
store_commit(struct store *s)
{
	return s->ops->commit(s);
}

int
store_rollback(struct store *s)
{
	return s->ops->rollback(s);
}

/* ---- tickets ---- */

void
ticket_free(struct ticket *t)
{
	size_t	i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nevents; i++) {
		free(t->events[i].kind);
		free(t->events[i].by);
		free(t->events[i].text);
	}
	free(t->events);
	free(t->locations);
	free(t->check);
	free(t->site);
	free(t->severity);
	free(t->status);
	free(t->cause);
	free(t->summary);
	free(t->acknowledged_by);
	memset(t, 0, sizeof *t);
}

void
ticket_list_free(struct ticket *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		ticket_free(&v[i]);
	free(v);
}

int
store_ticket_get(struct store *s, long long id, struct ticket *out)
{
	memset(out, 0, sizeof *out);
	return s->ops->ticket_get(s, id, out);
}

int
store_ticket_list(struct store *s, int all, struct ticket **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	return s->ops->ticket_list(s, all, out, n);
}

long long
store_open_ticket_for(struct store *s, const char *check)
{
	return s->ops->open_ticket_for(s, check);
}

long long
store_tickets_opened(struct store *s, const char *check, time_t start,
    time_t end)
{
	return s->ops->tickets_opened(s, check, start, end);
}

int
store_tickets_between(struct store *s, time_t start, time_t end,
    struct ticket **out, size_t *n)
{
	long long	*ids;
	size_t		 nids, i;
	int		 rc;

	*out = NULL;
	*n = 0;
	if ((rc = s->ops->ticket_ids(s, start, end, &ids, &nids)) !=
	    STORE_OK)
		return rc;
	/* A ticket at a time: the backends' one reader of a ticket. */
	*out = xcalloc(nids + 1, sizeof **out);
	for (i = 0; i < nids; i++) {
		rc = s->ops->ticket_get(s, ids[i], &(*out)[*n]);
		if (rc == STORE_NOTFOUND)
			continue;	/* gone meanwhile (never, but) */
		if (rc != STORE_OK)
			break;
		(*n)++;
	}
	free(ids);
	if (rc != STORE_OK && rc != STORE_NOTFOUND) {
		ticket_list_free(*out, *n);
		*out = NULL;
		*n = 0;
		return rc;
	}
	return STORE_OK;
}

int
store_action_parse(const char *name)
{
	if (strcmp(name, "ack") == 0)
		return STORE_ACK;
	if (strcmp(name, "note") == 0)
		return STORE_NOTE;
	if (strcmp(name, "resolve") == 0)
		return STORE_RESOLVE;
	return -1;
}

/* Check the by/text arguments of a staff action. */
static int
store_check_args(const char *by, const char *text, int need_text, char *err,
    size_t errlen)
{
	const char	*why = NULL;

	if (by == NULL || *by == '\0')
		why = "a name is needed (--by NAME)";
	else if (strlen(by) > STORE_BY_MAX)
		why = "name longer than " STORE_BY_MAX_S " bytes";
	else if (need_text && (text == NULL || *text == '\0'))
		why = "the note text is empty";
	else if (text != NULL && strlen(text) > STORE_TEXT_MAX)
		why = "note longer than " STORE_TEXT_MAX_S " bytes";
	if (why == NULL)
		return 0;
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", why);
	return -1;
}

int
store_ticket_action(struct store *s, enum store_action act, long long id,
    const char *by, const char *text, time_t at, char *err, size_t errlen)
{
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (store_check_args(by, text, act == STORE_NOTE, err, errlen) == -1)
		return STORE_INVALID;
	return s->ops->ticket_action(s, act, id, by, text, at, err, errlen);
}

long long
store_ticket_max_id(struct store *s)
{
	return s->ops->ticket_max_id(s);
}

int
store_ticket_insert(struct store *s, const struct store_new_ticket *nt)
{
	return s->ops->ticket_insert(s, nt);
}

int
store_ticket_escalate(struct store *s, long long id, const char *cause,
    const char *text, time_t at)
{
	return s->ops->ticket_escalate(s, id, cause, text, at);
}

int
store_ticket_auto_resolve(struct store *s, long long id,
    long long downtime_s, const char *text, time_t at)
{
	return s->ops->ticket_auto_resolve(s, id, downtime_s, text, at);
}

int
store_ticket_open(struct store *s, const struct store_new_ticket *nt,
    struct ticket_brief *out)
{
	return s->ops->ticket_open(s, nt, out);
}

int
store_ticket_notified(struct store *s, long long id)
{
	return s->ops->ticket_notified(s, id);
}

int
store_ticket_reminded(struct store *s, long long id, time_t at, time_t due)
{
	return s->ops->ticket_reminded(s, id, at, due);
}

int
store_ticket_flapping(struct store *s, long long id, int on,
    const char *text, time_t at)
{
	return s->ops->ticket_flapping(s, id, on, text, at);
}

int
store_event_add(struct store *s, long long id, time_t at, const char *kind,
    const char *by, const char *text)
{
	return s->ops->event_add(s, id, at, kind, by, text);
}

int
store_open_tickets(struct store *s, struct ticket_brief **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	return s->ops->open_tickets(s, out, n);
}

int
store_ticket_brief(struct store *s, long long id, struct ticket_brief *out)
{
	return s->ops->ticket_brief(s, id, out);
}

/* ---- check state ---- */

int
store_check_state_get(struct store *s, const char *name,
    struct store_check_state *out)
{
	return s->ops->check_state_get(s, name, out);
}

int
store_check_states(struct store *s,
    int (*fn)(const struct store_check_state *, void *), void *arg)
{
	return s->ops->check_states(s, fn, arg);
}

int
store_check_state_save(struct store *s, const struct store_check_state *cs)
{
	return s->ops->check_state_save(s, cs);
}

/* ---- mail queue ---- */

void
mail_row_free(struct mail_row *m)
{
	free(m->sender);
	free(m->rcpt);
	free(m->subject);
	free(m->message);
	free(m->status);
	free(m->last_error);
	free(m->channel);
	memset(m, 0, sizeof *m);
}

long
store_mail_backoff(const struct store *s, int attempts)
{
	long	d = s->backoff_min;
	int	i;

	for (i = 1; i < attempts && d < s->backoff_max; i++)
		d *= 2;
	return d < s->backoff_max ? d : s->backoff_max;
}

long long
store_mail_push(struct store *s, const char *sender, const char *rcpt,
    const char *subject, const char *message, time_t now)
{
	return s->ops->mail_push(s, NULL, sender, rcpt, subject, message,
	    now);
}

size_t
store_mail_due(struct store *s, time_t now, struct mail_row *out, size_t max)
{
	memset(out, 0, max * sizeof *out);
	return s->ops->mail_due(s, 0, now, out, max);
}

int
store_mail_next_due(struct store *s, time_t *when)
{
	return s->ops->mail_next_due(s, 0, when);
}

int
store_mail_sent(struct store *s, long long id, time_t now, const char *answer)
{
	return s->ops->mail_done(s, id, "sent", now, answer);
}

int
store_mail_failed(struct store *s, long long id, time_t now,
    const char *error)
{
	return s->ops->mail_done(s, id, "failed", now, error);
}

/* A temporary failure of a mail or notification (store.h). */
static int
queue_retry(struct store *s, long long id, time_t now, const char *error,
    long min_wait)
{
	time_t	 created = now;
	long	 wait;
	int	 attempts = 0, rc;
	char	*why;

	if (s->ops->mail_attempts(s, id, &attempts, &created) == STORE_ERROR)
		return -1;
	attempts++;
	if (now - created >= STORE_MAIL_GIVE_UP_S) {
		xasprintf(&why, "gave up after %d attempts: %s", attempts,
		    error);
		rc = store_mail_failed(s, id, now, why);
		free(why);
		return rc;
	}
	wait = store_mail_backoff(s, attempts);
	if (wait < min_wait)
		wait = min_wait;
	return s->ops->mail_reschedule(s, id, attempts, now + wait, error);
}

int
store_mail_retry(struct store *s, long long id, time_t now,
    const char *error)
{
	return queue_retry(s, id, now, error, 0);
}

long long
store_mail_count(struct store *s, const char *status)
{
	return s->ops->mail_count(s, 0, status);
}

long long
store_hook_push(struct store *s, const char *channel, const char *event,
    const char *body, time_t now)
{
	return s->ops->mail_push(s, channel, "", channel, event, body, now);
}

size_t
store_hook_due(struct store *s, time_t now, struct mail_row *out, size_t max)
{
	memset(out, 0, max * sizeof *out);
	return s->ops->mail_due(s, 1, now, out, max);
}

int
store_hook_next_due(struct store *s, time_t *when)
{
	return s->ops->mail_next_due(s, 1, when);
}

int
store_hook_retry(struct store *s, long long id, time_t now,
    const char *error, long min_wait)
{
	return queue_retry(s, id, now, error, min_wait);
}

long long
store_hook_count(struct store *s, const char *status)
{
	return s->ops->mail_count(s, 1, status);
}

size_t
store_hook_list(struct store *s, const char *status, struct mail_row *out,
    size_t max)
{
	memset(out, 0, max * sizeof *out);
	return s->ops->mail_list(s, 1, status, out, max);
}

int
store_claim_once(struct store *s, const char *kind, const char *key,
    time_t now)
{
	return s->ops->claim_once(s, kind, key, now);
}

int
store_node_beat(struct store *s, const char *name, const char *location,
    time_t started_at, time_t now, int checks)
{
	return s->ops->node_beat(s, name, location, started_at, now, checks);
}

int
store_nodes(struct store *s, struct store_node **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	return s->ops->nodes(s, out, n);
}

int
store_location_vote(struct store *s, const struct store_vote *v,
    char *failing, size_t len)
{
	if (len > 0)
		failing[0] = '\0';
	if (s->ops->location_vote == NULL)
		return -1;
	return s->ops->location_vote(s, v, failing, len);
}

int
store_ticket_set_locations(struct store *s, long long id,
    const char *locations)
{
	if (s->ops->ticket_set_locations == NULL)
		return -1;
	return s->ops->ticket_set_locations(s, id, locations);
}

int
store_locations(struct store *s, struct store_location **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (s->ops->locations == NULL)
		return STORE_OK;
	return s->ops->locations(s, out, n);
}

int
store_figures_put(struct store *s, const struct store_figures *v, size_t n)
{
	if (s->ops->figures_put == NULL)
		return STORE_INVALID;
	return s->ops->figures_put(s, v, n);
}

int
store_figures_since(struct store *s, long long after,
    struct store_figures **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (s->ops->figures_since == NULL)
		return STORE_INVALID;
	return s->ops->figures_since(s, after, out, n);
}

void
store_figures_free(struct store_figures *v, size_t n)
{
	size_t	i;

	for (i = 0; v != NULL && i < n; i++)
		free(v[i].days);
	free(v);
}

int
store_mail_walk(struct store *s, int (*fn)(const struct mail_row *, void *),
    void *arg)
{
	if (s->ops->mail_walk == NULL)
		return STORE_INVALID;
	return s->ops->mail_walk(s, fn, arg);
}

int
store_ticket_import(struct store *s, const struct ticket *t)
{
	if (s->ops->ticket_import == NULL)
		return -1;
	return s->ops->ticket_import(s, t);
}

int
store_mail_import(struct store *s, const struct mail_row *m)
{
	if (s->ops->mail_import == NULL)
		return -1;
	return s->ops->mail_import(s, m);
}

int
store_import_done(struct store *s)
{
	if (s->ops->import_done == NULL)
		return 0;
	return s->ops->import_done(s);
}

size_t
store_mail_list(struct store *s, const char *status, struct mail_row *out,
    size_t max)
{
	memset(out, 0, max * sizeof *out);
	return s->ops->mail_list(s, 0, status, out, max);
}

void
subscriber_free(struct subscriber *s)
{
	if (s == NULL)
		return;
	free(s->site);
	free(s->email);
	free(s->token);
	memset(s, 0, sizeof *s);
}

int
store_sub_add(struct store *s, const char *site, const char *email,
    const char *token, time_t now, time_t again)
{
	return s->ops->sub_add(s, site, email, token, now, again);
}

int
store_sub_confirm(struct store *s, const char *token, time_t now,
    struct subscriber *out)
{
	return s->ops->sub_confirm(s, token, now, out);
}

int
store_sub_remove(struct store *s, const char *token, struct subscriber *out)
{
	return s->ops->sub_remove(s, token, out);
}

int
store_sub_list(struct store *s, const char *site, struct subscriber **out,
    size_t *n)
{
	return s->ops->sub_list(s, site, out, n);
}

long long
store_sub_forget(struct store *s, time_t before)
{
	return s->ops->sub_forget(s, before);
}

int
store_sub_import(struct store *s, const struct subscriber *sub)
{
	if (s->ops->sub_import == NULL)
		return -1;
	return s->ops->sub_import(s, sub);
}
