/*
 * web_view.h -- the web's per-check view: what the pages, the API and
 * the metrics show of each configured check besides its status (the
 * incident engine's check_status, which a record points to).  Fed on the
 * loop by web_record() (the recent results) and by refresh jobs on the
 * web's worker threads (open tickets, the mail queue, uptime).
 *
 * Readers get a check's record by its check_conf (at its registry id);
 * only web_view.c writes them.
 */
#ifndef WEB_VIEW_H
#define WEB_VIEW_H

#include <stdint.h>

#include <jansson.h>

#include "check_status.h"
#include "sitewatch.h"

struct config;
struct check_conf;
struct result;
struct web;

#define WEB_DAYS	90	/* days on the public status bar */

/*
 * What the pages show of a check's last result beyond its status (state,
 * cause, message, since, ticket: the incident engine's check_status).
 */
struct web_last {
	double		at;
	int		up;
	int		cert_days_left;	/* -1 when not applicable */
	float		dns_ms;		/* float: shown to 0.1 ms */
	float		connect_ms;
	float		tls_ms;
	float		ttfb_ms;
	float		total_ms;
	long long	bytes;
};

/*
 * What a check costs here before it ran matters: at 100,000 checks every
 * byte is 100 KB.  So the last result and the ring come with the first
 * result, and the name is sized to fit.  Read-only outside web_view.c.
 */
struct web_check {
	/* Set by web_view_check(): the status (see web_check_have()). */
	const struct check_status *st;
	struct web_last		*last;

	/* Filled by the refresh jobs; NAN = not available. */
	double			up24;
	double			up30;
	double			down24;		/* seconds */
	double			down30;
	/*
	 * The daily bars, read with web_view_daily().  float: a percentage
	 * needs no more.  Kept only when some day was not 100 %: a healthy
	 * check (most of 100,000) keeps just the first day with data.
	 */
	float			*daily;		/* WEB_DAYS, oldest first */
	/* The uptime job's bookkeeping (web_view.c, "uptime figures"). */
	uint32_t		stats_at;	/* uptime read at (mono s); 0:
						 * never (web_view.c) */
	unsigned short		daily_day;	/* day (UTC) of the bars */
	unsigned char		daily_from;	/* daily NULL: unknown before */
	unsigned char		stats_flags;
};

/* 100,000 checks: 64 bytes each, the allocator's class. */
_Static_assert(sizeof(struct web_check) <= 64, "a web record is 64 bytes");

/* Both the status and the last result are there: a result was seen. */
static inline int
web_check_have(const struct web_check *wc)
{
	return wc->st->seen && wc->last != NULL;
}

struct web_view;

/* Start the refresh timer; the first refresh runs at once. */
struct web_view		*web_view_new(struct web *);
void			 web_view_free(struct web_view *);
/* The config changed: forget checks gone, add new ones, start over. */
void			 web_view_reload(struct web_view *,
			    const struct config *);
/* Remember one result (its details, the recent results). */
void			 web_view_record(struct web_view *,
			    const struct check_conf *, const struct result *);
/*
 * k of n: every location's verdict as last read (WEB_REFRESH_S), with
 * liveness judged as of that read; 1, or 0 on a store without
 * locations (SQLite).
 * Valid until the next refresh: use it at once, on the loop.
 */
struct locations;
int			 web_view_locations(struct web_view *,
			    struct locations *);
/* Refresh tickets now (a ticket changed through the API). */
void			 web_view_poke(struct web_view *);

/* The record of a configured check (created on first use), at its id. */
struct web_check	*web_view_check(struct web_view *,
			    const struct check_conf *);
/* The check's state as shown: unknown before its first result. */
enum sw_state		 web_check_state(const struct web_check *);
/*
 * Whether the shown state is stale: a result came, but none for more than
 * two of the check's intervals (status_stale, the daemon running).
 */
int			 web_check_stale(const struct web_check *,
			    const struct check_conf *, time_t now);
/*
 * The daily bars of a check (WEB_DAYS, oldest first, NAN: no data), in
 * buf when not kept whole; NULL when not read yet.
 */
const float		*web_view_daily(const struct web_check *,
			    float buf[WEB_DAYS]);
/* Order of badness for sorting: down, degraded, unknown, up. */
int			 web_state_rank(enum sw_state);
/*
 * Tickets opened in the last RENDER_HISTORY_DAYS days (the status
 * page's history), with their events; NULL when not read yet.
 */
json_t			*web_view_history(struct web_view *);
/* Open tickets as last read; NULL with *err set when not known. */
json_t			*web_view_tickets(struct web_view *,
			    const char **err);
/* Mails waiting and given up on in the outbox (-1: not known). */
void			 web_view_mail(struct web_view *, long long *queued,
			    long long *failed);
/* The same for the notifications to [notify NAME] channels. */
void			 web_view_notify(struct web_view *, long long *queued,
			    long long *failed);

#endif
