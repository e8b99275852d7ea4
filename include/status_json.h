/*
 * status_json.h -- one check's status as JSON, the same object for
 * `sitewatch status --json` and GET /api/v1/checks.
 *
 * The caller fills a struct status_view from what it knows (the CLI from
 * the saved state, the web from its view) and gets the object; unknown
 * values are null, numbers are rounded to three decimals.
 */
#ifndef STATUS_JSON_H
#define STATUS_JSON_H

#include <jansson.h>

#include "sitewatch.h"

struct status_view {
	const char	*name;
	const char	*site;		/* NULL: no site */
	const char	*url;
	int		 known;		/* a result was seen: what follows */
	enum sw_state	 state;
	enum sw_cause	 cause;
	const char	*message;
	double		 since;		/* 0: not known */
	double		 last_at;	/* 0: not known */
	double		 last_total_ms;
	long		 http_status;	/* -1: not known */
	double		 up24, up30;	/* NAN: not available */
	long long	 ticket;	/* open one, 0: none */
};

/* The dump flags both sides use, so they print numbers alike. */
#define STATUS_JSON_REAL	JSON_REAL_PRECISION(12)

/*
 * {name, site, url, state, cause, since, last_total_ms, uptime_24h,
 * uptime_30d, ticket, message, http_status, last_at}, keys in that order.
 */
json_t	*status_json(const struct status_view *);

#endif
