/*
 * store.h -- the one door to the database: tickets and their timelines,
 * each check's persisted state, the mail queue, and the counts reports
 * need.  Plain C structs go in and come out; turning a ticket into JSON
 * is ticket_json.h's job, deciding what to write is the callers'.
 *
 * A struct store is one connection used by one thread at a time (the
 * daemon keeps one per thread that writes: the ticket writer, the mailer;
 * the CLI and each web worker keep their own).  Two backends: SQLite,
 * state_dir/sitewatch.db in WAL mode with a busy timeout, so the daemon
 * and any number of CLI processes use it at once (the default); and
 * PostgreSQL, when [daemon] database is a libpq URI, which several
 * daemons (nodes) share (store_pg.c says what it guarantees).  Every backend
 * implements the same struct store_ops (store_impl.h): callers never see
 * which one they talk to.
 *
 * Errors: the functions return STORE_OK / 0 / an id on success and
 * STORE_ERROR / -1 on failure, log the failure unless the handle is quiet,
 * and store_errmsg() says what the database said.  Times are epoch
 * seconds; 0 means "never happened" (NULL in the database).
 */
#ifndef STORE_H
#define STORE_H

#include <stddef.h>
#include <time.h>

#include "sitewatch.h"

struct store;

/* Return codes of the staff actions and lookups. */
enum store_rc {
	STORE_OK = 0,
	STORE_NOTFOUND,		/* no such ticket / row */
	STORE_CONFLICT,		/* not allowed in its status (ack a resolved) */
	STORE_INVALID,		/* bad argument (empty name, ...) */
	STORE_ERROR,		/* the database failed; store_errmsg says why */
};

#define STORE_FILE	"sitewatch.db"
#define STORE_BUSY_MS	5000

/* Flags of store_open. */
#define STORE_READONLY	0x01	/* no create, no migration, no writes */
#define STORE_DURABLE	0x02	/* each commit on disk before it returns */

/*
 * Open the store at `where` (a file path for SQLite, a libpq URI for
 * PostgreSQL: store_pg.c) and bring its schema
 * to the version this program writes.  NULL on failure with a message in
 * err.  A read-only open of a missing file fails.
 */
struct store	*store_open(const char *where, int flags, char *err,
		    size_t errlen);
/* True when where is a libpq URI (postgresql:// or postgres://). */
int		 store_is_uri(const char *where);
/*
 * What store_open takes for [daemon] database (NULL or empty: SQLite
 * in state_dir).  Allocated.
 */
char		*store_where(const char *database, const char *state_dir);
/* A URI fit to show: its password replaced by "***".  Allocated. */
char		*store_mask_uri(const char *uri);
/* The same for state_dir/sitewatch.db. */
struct store	*store_open_dir(const char *state_dir, int flags, char *err,
		    size_t errlen);
void		 store_close(struct store *);
const char	*store_errmsg(struct store *);
/* True when the last failure may pass by itself (busy, disk full). */
int		 store_transient(struct store *);
/* Stop (on) or resume (0) logging each failed statement. */
void		 store_set_quiet(struct store *, int on);
/* The schema version found in the database; -1 on error. */
int		 store_version(struct store *);
/* The schema version this program migrates to. */
int		 store_version_current(void);

/* Group writes in one transaction. */
int	store_begin(struct store *);
int	store_commit(struct store *);
int	store_rollback(struct store *);

/* ---- tickets ---- */

struct ticket_event {
	time_t		 at;
	char		*kind;
	char		*by;		/* NULL: the daemon itself */
	char		*text;
};

/* A ticket as staff see it; strings may be NULL (unknown / not yet). */
struct ticket {
	long long		 id;
	char			*check;
	char			*site;
	char			*severity;	/* warning | critical */
	char			*status;	/* open | acknowledged | resolved */
	char			*cause;
	char			*summary;
	time_t			 opened_at;
	char			*acknowledged_by;
	time_t			 acknowledged_at;
	time_t			 resolved_at;
	long long		 downtime_s;	/* -1: not resolved yet */
	/* The daemon's own fields: for a copy (sitewatch migrate). */
	time_t			 first_failure_at;
	time_t			 last_reminder_at;
	int			 flapping;
	char			*locations;	/* k of n: "a, b"; NULL */
	struct ticket_event	*events;	/* oldest first */
	size_t			 nevents;
};

void	ticket_free(struct ticket *);
void	ticket_list_free(struct ticket *, size_t n);

/* One ticket with its events; STORE_NOTFOUND when there is none. */
int	store_ticket_get(struct store *, long long id, struct ticket *out);
/*
 * Every ticket not resolved (all = 0), or every ticket (all = 1), newest
 * first, each with its events.  Free *out with ticket_list_free.
 */
int	store_ticket_list(struct store *, int all, struct ticket **out,
	    size_t *n);
/* The id of the open (not resolved) ticket of a check, 0 when none. */
long long	store_open_ticket_for(struct store *, const char *check);
/*
 * Every ticket opened in [start, end), newest first, each with its
 * events (the status page's history, the support timings).  Free *out
 * with ticket_list_free.
 */
int	store_tickets_between(struct store *, time_t start, time_t end,
	    struct ticket **out, size_t *n);
/* Tickets of check opened in [start, end); -1 when unknown. */
long long	store_tickets_opened(struct store *, const char *check,
		    time_t start, time_t end);

/* ---- staff actions: CLI and web API ---- */

enum store_action {
	STORE_ACK,	/* open -> acknowledged, stops reminders */
	STORE_NOTE,	/* a note on the timeline, any status */
	STORE_RESOLVE,	/* resolved by hand; downtime from first failure */
};

/* "ack", "note", "resolve" to the action; -1 for anything else. */
int	store_action_parse(const char *);
/*
 * One staff action, atomic: two people acking at once cannot both win.
 * text may be NULL except for a note.  STORE_CONFLICT when the status
 * does not allow it, STORE_INVALID for a bad name or text (err says).
 */
int	store_ticket_action(struct store *, enum store_action, long long id,
	    const char *by, const char *text, time_t at, char *err,
	    size_t errlen);

/* ---- the daemon's ticket writes (its writer thread only) ---- */

struct store_new_ticket {
	long long	 id;		/* store_ticket_insert only */
	const char	*check;
	const char	*site;		/* may be NULL */
	const char	*severity;	/* "critical" | "warning" */
	const char	*cause;
	const char	*summary;
	time_t		 opened_at;
	time_t		 first_failure_at;
	int		 flapping;
	const char	*node;		/* the node opening it (ticket_open) */
};

/* The largest ticket id (0 when empty, -1 on error). */
long long	store_ticket_max_id(struct store *);
/* Insert the ticket, id given, and its "opened" event (copies, tests). */
int	store_ticket_insert(struct store *, const struct store_new_ticket *);
struct ticket_brief;
/*
 * The daemon's open: insert a ticket for nt->check (nt->id ignored: the
 * database numbers it) with its "opened" event, unless the check has an
 * open ticket already -- another node opened it first.  Either way *out
 * is the check's open ticket.  1 created, 0 found open, -1 on error.
 * Several nodes may call it at once: one creates, the others find.
 */
int	store_ticket_open(struct store *, const struct store_new_ticket *,
	    struct ticket_brief *out);
/*
 * A ticket the daemon opened is marked not told until its OPENED mails
 * are in the queue; then this marks it told.
 */
int	store_ticket_notified(struct store *, long long id);
/*
 * The daemon's updates: 1 when the row changed (and its event was
 * added), 0 when it did not, -1 on error.  Of several nodes doing the
 * same, one changes the row: that one tells the people.
 */
/* Warning -> critical (unless resolved or critical already). */
int	store_ticket_escalate(struct store *, long long id, const char *cause,
	    const char *text, time_t at);
/* Resolved by the daemon after recovery (no-op if resolved already). */
int	store_ticket_auto_resolve(struct store *, long long id,
	    long long downtime_s, const char *text, time_t at);
/*
 * A reminder goes out at `at`: only when the ticket is not resolved and
 * its last reminder (or its opening) is at or before due.
 */
int	store_ticket_reminded(struct store *, long long id, time_t at,
	    time_t due);
int	store_ticket_flapping(struct store *, long long id, int on,
	    const char *text, time_t at);
/* Append one event; by may be NULL (the daemon itself). */
int	store_event_add(struct store *, long long id, time_t at,
	    const char *kind, const char *by, const char *text);

/* What the daemon needs to know of a ticket it thinks is open. */
struct ticket_brief {
	long long	id;
	char		check[SW_NAME_MAX];
	char		status[16];
	char		severity[16];
	time_t		opened_at;
	time_t		last_reminder_at;
	char		opened_by[SW_NAME_MAX];	/* "": not known */
	int		notified;	/* its OPENED mails were queued */
};
/* Every open ticket; *out is allocated (free it). */
int	store_open_tickets(struct store *, struct ticket_brief **out,
	    size_t *n);
/* Status and reminder time of one ticket; STORE_NOTFOUND if gone. */
int	store_ticket_brief(struct store *, long long id,
	    struct ticket_brief *out);

/* ---- each check's persisted state: the daemon writes, others read ---- */

struct store_check_state {
	char		name[SW_NAME_MAX];
	enum sw_state	state;		/* of the last result, unknown too */
	enum sw_cause	cause;
	char		message[SW_MESSAGE_MAX];
	time_t		since;		/* state has been this since */
	time_t		last_at;	/* time of the last result */
	double		last_total_ms;
	int		http_status;	/* of the last result, -1: not saved */
	long long	ticket;		/* open ticket id, 0 = none */

	/* The incident machine's memory (struct fsm_state, flattened). */
	enum sw_state	fsm_last;
	int		fail_streak;
	int		down_streak;
	int		ok_streak;
	int		streak_down;
	time_t		first_failure_at;
	time_t		recovery_at;
	int		severity;	/* enum incident_severity */
	int		flapping;
	long long	history;
	int		nhistory;
	int		dep_noted;
};

/* One check; STORE_NOTFOUND before its first result. */
int	store_check_state_get(struct store *, const char *name,
	    struct store_check_state *out);
/*
 * Call fn for every check ever seen, in name order (checks no longer
 * configured too).  A nonzero return of fn stops the walk.
 */
int	store_check_states(struct store *,
	    int (*fn)(const struct store_check_state *, void *), void *arg);
int	store_check_state_save(struct store *,
	    const struct store_check_state *);

/* ---- the mail queue: one row per message and recipient ---- */

struct mail_row {
	long long	 id;
	char		*sender;	/* envelope sender (addr-spec) */
	char		*rcpt;		/* envelope recipient */
	char		*subject;	/* plain UTF-8, as rendered */
	char		*message;	/* RFC 5322 text; "" in listings */
	char		*status;	/* queued | sent | failed */
	int		 attempts;
	time_t		 created_at;
	time_t		 next_attempt_at;
	char		*last_error;	/* the server's last answer */
	char		*channel;	/* a [notify NAME]; NULL: a mail */
};

void	mail_row_free(struct mail_row *);

/*
 * Backoff of temporary failures: min doubling up to max seconds.  The
 * environment variable SITEWATCH_MAIL_BACKOFF="MIN,MAX" (seconds) makes
 * it shorter for tests.
 */
#define STORE_MAIL_BACKOFF_MIN	30
#define STORE_MAIL_BACKOFF_MAX	3600
/* Temporary failures turn permanent after this long in the queue. */
#define STORE_MAIL_GIVE_UP_S	(3 * 86400)

/* Queue one message for one recipient; returns its id or -1. */
long long	store_mail_push(struct store *, const char *sender,
		    const char *rcpt, const char *subject, const char *message,
		    time_t now);
/* Up to max queued mails due at now, oldest first; returns how many. */
size_t		store_mail_due(struct store *, time_t now,
		    struct mail_row *out, size_t max);
/* 1 and *when when a mail is still queued, 0 when none, -1 on error. */
int		store_mail_next_due(struct store *, time_t *when);
int		store_mail_sent(struct store *, long long id, time_t now,
		    const char *answer);
/* Count an attempt and plan the next one; gives up after GIVE_UP_S. */
int		store_mail_retry(struct store *, long long id, time_t now,
		    const char *error);
int		store_mail_failed(struct store *, long long id, time_t now,
		    const char *error);
/* The waits between attempts ([smtp] retry_min, retry_max; seconds). */
void		store_set_mail_backoff(struct store *, long min, long max);
/* Seconds to wait after the given number of failed attempts. */
long		store_mail_backoff(const struct store *, int attempts);
/* Rows with the status ("queued", "sent", "failed"); -1 on error. */
long long	store_mail_count(struct store *, const char *status);
/* Rows for listing: status NULL = every row; newest first, at most max. */
size_t		store_mail_list(struct store *, const char *status,
		    struct mail_row *out, size_t max);

/*
 * The record of what is sent once for good (a client's monthly report
 * "report", site/period; an escalation level "escalation", ticket#level):
 * claim (kind, key) for this node.  1 when it was not claimed before
 * (then send it), 0 when it was, -1 on error.  Called inside the
 * transaction that queues the mails, so the record and the mails are
 * written together or not at all, whichever node or restart tries.
 */
int		store_claim_once(struct store *, const char *kind,
		    const char *key, time_t now);

/*
 * ---- the notification queue ----
 *
 * Messages to [notify NAME] channels are rows of the same outbox, marked
 * with their channel, so they are kept, retried and given up on exactly
 * as mail is; the mail functions above never see them.  In a row the
 * channel's name stands in the recipient, the event in the subject and
 * the request body in the message.  No secret is stored: the token, the
 * signature and the endpoint come from the config when the row is sent.
 * store_mail_sent and store_mail_failed end a notification too.
 */
long long	store_hook_push(struct store *, const char *channel,
		    const char *event, const char *body, time_t now);
size_t		store_hook_due(struct store *, time_t now,
		    struct mail_row *out, size_t max);
int		store_hook_next_due(struct store *, time_t *when);
/*
 * Count an attempt and plan the next one, not sooner than min_wait
 * seconds (a Retry-After); gives up after GIVE_UP_S.
 */
int		store_hook_retry(struct store *, long long id, time_t now,
		    const char *error, long min_wait);
long long	store_hook_count(struct store *, const char *status);
size_t		store_hook_list(struct store *, const char *status,
		    struct mail_row *out, size_t max);

/* ---- who follows a site's incidents (its status page's form) ---- */

struct subscriber {
	char	*site;		/* the site's id (its /status/SITE) */
	char	*email;
	char	*token;		/* confirms and unsubscribes */
	time_t	 created_at;
	time_t	 confirmed_at;	/* 0: not yet */
};
void	subscriber_free(struct subscriber *);

/*
 * Ask to subscribe email to site's incidents with a new token: a new
 * unconfirmed row, or a fresh token for one not confirmed yet.
 * STORE_INVALID when the address is confirmed already (nothing to do),
 * STORE_CONFLICT when it was asked for after `again` (too soon: the
 * caller answers 429).
 */
int	store_sub_add(struct store *, const char *site, const char *email,
	    const char *token, time_t now, time_t again);
/* Confirm by token; *out (may be NULL) is the row.  STORE_NOTFOUND. */
int	store_sub_confirm(struct store *, const char *token, time_t now,
	    struct subscriber *out);
/* Forget the row of token; *out (may be NULL) was it.  STORE_NOTFOUND. */
int	store_sub_remove(struct store *, const char *token,
	    struct subscriber *out);
/* The confirmed subscribers of site; free each and *out. */
int	store_sub_list(struct store *, const char *site,
	    struct subscriber **out, size_t *n);
/* Forget what was not confirmed by before; how many, -1 on error. */
long long	store_sub_forget(struct store *, time_t before);
/*
 * Write a subscriber read from another store (sitewatch migrate), in the
 * caller's transaction: 1 written, 0 there already (same site and
 * address), -1 on error or when the backend cannot.
 */
int	store_sub_import(struct store *, const struct subscriber *);

/* ---- the nodes (daemons) sharing the database ---- */

struct store_node {
	char		name[SW_NAME_MAX];
	char		location[SW_NAME_MAX];	/* "": not said */
	time_t		started_at;
	time_t		last_seen;
	int		checks;		/* checks it runs */
};

/* A daemon's heartbeat: it runs, since started_at, with checks checks. */
int	store_node_beat(struct store *, const char *name,
	    const char *location, time_t started_at, time_t now, int checks);
/* Every node that ever beat, by name; free *out. */
int	store_nodes(struct store *, struct store_node **out, size_t *n);

/* ---- each location's verdict on a check (PostgreSQL only) ---- */

/*
 * One location's verdict: "up", "down", "degraded" or "unknown" (the
 * checker could not tell: not a vote).  Written when it changes.
 */
struct store_vote {
	const char	*check;
	const char	*location;
	const char	*node;
	const char	*state;
	const char	*error;		/* may be NULL */
	time_t		 since;
	time_t		 fresh_after;	/* count nodes seen after this */
};
/*
 * Record v (an upsert) and count the locations that see v->check
 * failing (down or degraded) from a node whose heartbeat is later than
 * v->fresh_after; their names, sorted and joined by ", ", go to failing.
 * Holds a per-check lock to the end of the transaction, so that two
 * nodes voting at once count each other.  The count, or -1 (an error,
 * or a store without locations: SQLite).
 */
int	store_location_vote(struct store *, const struct store_vote *v,
	    char *failing, size_t len);
/* The locations that saw ticket id's failure, as store_location_vote
 * joined them. */
int	store_ticket_set_locations(struct store *, long long id,
	    const char *locations);

struct store_location {
	char		check[SW_NAME_MAX];
	char		location[SW_NAME_MAX];
	char		state[16];
	time_t		last_seen;	/* its node's heartbeat; 0: none */
};
/* Every location's verdict, by check then location, with the heartbeat
 * of the node that wrote it (locations.h says which count); free *out.
 * A store without locations (SQLite) gives none. */
int	store_locations(struct store *, struct store_location **out,
	    size_t *n);

/*
 * A check's uptime figures as its lead node read them from the RRD files
 * (web_view.c), shared so that the other nodes of a cluster need not read
 * every location's file again: NAN where there is no figure.
 */
struct store_figures {
	char		 check[SW_NAME_MAX];
	double		 up24, down24;		/* %, seconds */
	double		 up30, down30;
	char		*days;		/* "%.6g" a day, oldest first, spaces
					 * between; NULL: not read */
	time_t		 at;		/* when they were read */
	long long	 seq;		/* order of writing (store_figures_since) */
};
/* Upsert n rows (PostgreSQL); STORE_INVALID on a store that does not
 * share figures (SQLite: one node reads its own). */
int	store_figures_put(struct store *, const struct store_figures *,
	    size_t n);
/* The rows written after seq `after`, in the order written (so the last
 * one's seq is the next `after`); free with store_figures_free(). */
int	store_figures_since(struct store *, long long after,
	    struct store_figures **out, size_t *n);
void	store_figures_free(struct store_figures *, size_t n);

/* ---- copying one store into another (sitewatch migrate) ---- */

/*
 * Call fn for every mail, message included, oldest first; a nonzero
 * return of fn stops the walk.  STORE_INVALID when the backend cannot.
 */
int	store_mail_walk(struct store *,
	    int (*fn)(const struct mail_row *, void *), void *arg);
/*
 * Write a ticket with its events, or a mail, as read from another store,
 * keeping its id; nothing when that id is there already (so a copy may
 * run again).  1 written, 0 already there, -1 on error.
 */
int	store_ticket_import(struct store *, const struct ticket *);
int	store_mail_import(struct store *, const struct mail_row *);
/* After imports: ids the database hands out start past the largest. */
int	store_import_done(struct store *);

/* ---- staff accounts: sitewatch user, the web's /login ---- */

/*
 * One account.  hash is a crypt(3) string (passwd.h makes and checks
 * it); the store never sees a password.  role: "staff" may act on
 * tickets from the web, "viewer" only reads.
 */
struct store_user {
	char	 name[SW_NAME_MAX];
	char	 role[16];
	char	*hash;			/* NULL in listings */
	time_t	 created_at;
};

/* Is name fit for an account ([A-Za-z0-9._@-], 1..63 bytes)? */
int	store_user_name_ok(const char *name);
/* "staff" or "viewer"? */
int	store_user_role_ok(const char *role);
/*
 * Add an account: STORE_CONFLICT when the name is taken, STORE_INVALID
 * for a bad name, role or hash.
 */
int	store_user_add(struct store *, const char *name, const char *role,
	    const char *hash, time_t now);
/* Remove an account; STORE_NOTFOUND when there is none. */
int	store_user_del(struct store *, const char *name);
/* One account with its hash (free out->hash); STORE_NOTFOUND if none. */
int	store_user_get(struct store *, const char *name,
	    struct store_user *out);
/* Every account by name, without hashes; free *out. */
int	store_users(struct store *, struct store_user **out, size_t *n);
/*
 * Copy every account of from into to (sitewatch migrate), hashes and
 * all; a name to has already is left as it is.  -1 on failure.
 */
int	store_users_copy(struct store *from, struct store *to,
	    long long *written, long long *kept);

#endif
