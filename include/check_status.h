/*
 * check_status.h -- a check's status: one struct, owned by the incident
 * engine (incidents_status()), read by the web, the metrics and, filled
 * from the saved state, the CLI.  Plain data, no module behind it.
 */
#ifndef CHECK_STATUS_H
#define CHECK_STATUS_H

#include <stddef.h>
#include <time.h>

#include "sitewatch.h"

/*
 * A running daemon saves a check's last result at least this often (and
 * at once on a change of state): a reader of the saved states (the CLI)
 * sees a last result up to this much older than the daemon's own.
 */
#define CHECK_STATUS_SAVE_S	300

/*
 * One per check in the daemon: 48 bytes, the small fields last.  Most
 * results are up with the words result_classify() gives every such one
 * ("HTTP 200 OK in 1.8 ms"): those are not kept but made again from
 * http_status and last_total_ms (message NULL), which saves 100,000
 * checks a copy each.  Read it with check_status_message().
 */
struct check_status {
	const char	*message;	/* NULL: the plain up message */
	time_t		 since;		/* 0: not known */
	time_t		 last_at;	/* 0: no result ever */
	double		 last_total_ms;
	long long	 ticket;	/* the open one, 0: none */
	int		 http_status;	/* of the last result: 0 none came,
					   -1 not known */
	unsigned char	 seen;		/* a result came since the start */
	unsigned char	 state;		/* enum sw_state */
	unsigned char	 cause;		/* enum sw_cause */
};

/* Room for any plain up message (result.c). */
#define CHECK_STATUS_UP_MAX	96

/* st's message: its own, or the plain up one made in buf (result.c). */
const char	*check_status_message(const struct check_status *st,
		    char *buf, size_t len);

#endif
