/*
 * ticket_db.h -- tickets, their timelines and each check's persisted
 * state in SQLite (state_dir/sitewatch.db).  The only module with SQL for
 * them.
 *
 * Every function here is synchronous and works on the handle it is given:
 * the daemon calls the write functions from its writer thread only (see
 * incident.c), the CLI and the web API call the staff actions and the
 * JSON readers directly.  The db is in WAL mode with a busy timeout, so
 * the daemon and any number of CLI processes can use it at once.
 *
 * Schema versions are kept in PRAGMA user_version (owned here); other
 * modules (outbox) add their own tables with CREATE TABLE IF NOT EXISTS
 * in the same file and never touch user_version.
 *
 * Times are epoch seconds in the db and ISO 8601 UTC in JSON.
 */
#ifndef TICKET_DB_H
#define TICKET_DB_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "sitewatch.h"

struct ticket_db;

/* Return codes of the staff actions and lookups. */
enum tdb_rc {
	TDB_OK = 0,
	TDB_NOTFOUND,	/* no such ticket */
	TDB_CONFLICT,	/* not allowed in its status (e.g. ack a resolved) */
	TDB_INVALID,	/* bad argument (empty name, ...) */
	TDB_ERROR,	/* SQLite failed; the message says why */
};

#define TICKET_DB_FILE		"sitewatch.db"
#define TICKET_DB_VERSION	1	/* schema version this code writes */
#define TICKET_DB_BUSY_MS	5000

/*
 * Open (creating if needed) the db at path and bring its schema to
 * TICKET_DB_VERSION.  NULL on failure with a message in err.
 */
struct ticket_db	*ticket_db_open(const char *path, char *err,
			    size_t errlen);
/* The same for state_dir/sitewatch.db. */
struct ticket_db	*ticket_db_open_dir(const char *state_dir, char *err,
			    size_t errlen);
void			 ticket_db_close(struct ticket_db *);
/* The last SQLite error message of this handle. */
const char		*ticket_db_errmsg(struct ticket_db *);
/* The schema version found in the file (PRAGMA user_version). */
int			 ticket_db_version(struct ticket_db *);

/* Group writes in one transaction (BEGIN IMMEDIATE ... COMMIT). */
int	ticket_db_begin(struct ticket_db *);
int	ticket_db_commit(struct ticket_db *);
int	ticket_db_rollback(struct ticket_db *);

/* ---- staff actions: CLI and web API (status changes + timeline) ---- */

/*
 * Acknowledge: open -> acknowledged, stops reminders.  note may be NULL.
 * TDB_CONFLICT when it is already acknowledged or resolved.
 */
int	ticket_db_ack(struct ticket_db *, long long id, const char *by,
	    const char *note, time_t at, char *err, size_t errlen);
/* Add a note to the timeline (any status). */
int	ticket_db_note(struct ticket_db *, long long id, const char *by,
	    const char *text, time_t at, char *err, size_t errlen);
/*
 * Resolve by hand; downtime_s runs from the first failure to now.  If the
 * check still fails, the daemon opens a new ticket on its next confirmed
 * failure.  TDB_CONFLICT when already resolved.
 */
int	ticket_db_resolve(struct ticket_db *, long long id, const char *by,
	    const char *note, time_t at, char *err, size_t errlen);

/*
 * One ticket as the SPEC's JSON object (id, check, site, severity,
 * status, cause, summary, opened_at, acknowledged_by, acknowledged_at,
 * resolved_at, downtime_s, events[{at, kind, by, text}]).  *out is a new
 * reference.  TDB_NOTFOUND when there is no such ticket.
 */
int	ticket_db_get_json(struct ticket_db *, long long id, json_t **out);
/*
 * Every ticket not resolved (all = 0), or every ticket (all = 1), newest
 * first, each with its events.  *out is a new JSON array.
 */
int	ticket_db_list_json(struct ticket_db *, int all, json_t **out);

/* The id of the open (not resolved) ticket of a check, 0 when none. */
long long	ticket_db_open_ticket_for(struct ticket_db *,
		    const char *check);

/* ---- persisted check state: the daemon writes, `status` reads ---- */

struct tdb_check_state {
	char		name[SW_NAME_MAX];
	enum sw_state	state;		/* of the last result, unknown too */
	enum sw_cause	cause;
	char		message[SW_MESSAGE_MAX];
	time_t		since;		/* state has been this since */
	time_t		last_at;	/* time of the last result */
	double		last_total_ms;
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

/* Look up one check; TDB_NOTFOUND before its first result. */
int	ticket_db_check_state(struct ticket_db *, const char *name,
	    struct tdb_check_state *out);
/*
 * Call fn for every check ever seen, in name order.  A nonzero return of
 * fn stops the walk.  Checks no longer configured are listed too; the
 * caller filters against its config.
 */
int	ticket_db_check_states(struct ticket_db *,
	    int (*fn)(const struct tdb_check_state *, void *), void *arg);
int	ticket_db_save_check_state(struct ticket_db *,
	    const struct tdb_check_state *);

/* ---- the daemon's writes (writer thread only) ---- */

struct tdb_new_ticket {
	long long	 id;		/* pre-assigned by the daemon */
	const char	*check;
	const char	*site;		/* may be NULL */
	const char	*severity;	/* "critical" | "warning" */
	const char	*cause;
	const char	*summary;
	time_t		 opened_at;
	time_t		 first_failure_at;
	int		 flapping;
};

/* The largest ticket id in the db (0 when empty). */
long long	ticket_db_max_id(struct ticket_db *);
/* Insert the ticket and its "opened" event. */
int	ticket_db_insert(struct ticket_db *, const struct tdb_new_ticket *);
/* Warning -> critical (unless resolved meanwhile), with an event. */
int	ticket_db_escalate(struct ticket_db *, long long id, const char *cause,
	    const char *text, time_t at);
/* Resolved by the daemon after recovery (no-op if resolved by hand). */
int	ticket_db_auto_resolve(struct ticket_db *, long long id,
	    long long downtime_s, const char *text, time_t at);
/* Record that a reminder went out. */
int	ticket_db_reminded(struct ticket_db *, long long id, time_t at);
int	ticket_db_set_flapping(struct ticket_db *, long long id, int on,
	    const char *text, time_t at);
/* Append one event; by may be NULL (the daemon itself). */
int	ticket_db_add_event(struct ticket_db *, long long id, time_t at,
	    const char *kind, const char *by, const char *text);

/* What the daemon needs to know of a ticket it thinks is open. */
struct tdb_ticket_brief {
	long long	id;
	char		check[SW_NAME_MAX];
	char		status[16];	/* open | acknowledged | resolved */
	char		severity[16];	/* warning | critical */
	time_t		opened_at;
	time_t		last_reminder_at;
};
/* Every open ticket; *out is allocated (free it). */
int	ticket_db_open_tickets(struct ticket_db *,
	    struct tdb_ticket_brief **out, size_t *n);
/* Fill status/last_reminder_at of one ticket; TDB_NOTFOUND if gone. */
int	ticket_db_ticket_brief(struct ticket_db *, long long id,
	    struct tdb_ticket_brief *out);

#endif
