/*
 * status_json.h -- one check's status as JSON, the same object for
 * `sitewatch status --json` and GET /api/v1/checks.
 *
 * The status itself is a struct check_status: the incident engine's own
 * in the daemon (incidents_status()), filled from the saved state by the
 * CLI.  Unknown values are null, numbers are rounded to three decimals.
 */
#ifndef STATUS_JSON_H
#define STATUS_JSON_H

#include <time.h>

#include <jansson.h>

#include "check_status.h"
#include "locations.h"
#include "sitewatch.h"

struct status_view {
	const char			*name;
	const char			*site;		/* NULL: no site */
	const char			*url;
	const struct check_status	*st;	/* seen: a result came */
	double				 up24, up30;	/* NAN: not available */
	double				 down24, down30; /* seconds; NAN */
	int				 stale;	/* status_stale() */
	/* k of n (PostgreSQL): every location's verdict; NULL: SQLite. */
	const struct locations		*locs;
	int				 confirm;	/* the check's */
};

/* The dump flags both sides use, so they print numbers alike. */
#define STATUS_JSON_REAL	JSON_REAL_PRECISION(12)

/*
 * {name, site, url, state, cause, since, last_total_ms, uptime_24h,
 * uptime_30d, ticket, message, http_status, last_at, stale,
 * downtime_24h_s, downtime_30d_s}, keys in that order; with locs also
 * locations ({LOCATION: state}) and partial_outage (locations_partial():
 * "down from 1 of 3 locations", or null).
 */
json_t	*status_json(const struct status_view *);

/*
 * Whether a status no longer says what the check is doing now: the
 * daemon does not run, or its last result is older than two intervals
 * (plus lag: how much older the reader's copy may be than the daemon's,
 * CHECK_STATUS_SAVE_S for saved states, 0 for the daemon's own).
 * A check with no result yet is unknown, not stale (unless no daemon).
 */
int	 status_stale(const struct check_status *, int interval, time_t now,
	    int daemon_running, int lag);

#endif
