/*
 * web_render.h -- the web's HTML, written from plain data into a
 * struct buf: escaping (web_html.c) and the page bodies (web_render.c).
 *
 * Nothing here knows evhttp, the config or the web's state: a handler
 * gathers the figures into the structs below and sends what comes out,
 * so every page can be rendered and checked in a unit test.
 */
#ifndef WEB_RENDER_H
#define WEB_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "check_status.h"
#include "sitewatch.h"
#include "tzinfo.h"
#include "util.h"

/* ---- web_html.c ---- */

/* Append s to b with & < > " ' escaped; control bytes become U+FFFD. */
void	 html_escape(struct buf *, const char *s);
/* The same for a whole formatted string. */
void	 html_printf(struct buf *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Percent-encode s for a URL path segment or query value. */
void	 html_urlencode(struct buf *, const char *s);
/* "3 min", "2 h 5 min", "4 d"; for ages and durations. */
void	 html_duration(struct buf *, double seconds);
/* "2026-11-25 02:31:07 UTC", or a dash for t <= 0. */
void	 html_time(struct buf *, double t);
/*
 * Wrap body in layout (templates/html/layout.html; NULL: a built-in
 * frame), filling {{lang}}, {{title}}, {{class}} and {{body}}.
 */
void	 html_page(struct buf *out, const char *layout, const char *lang,
	    const char *title, const char *page_class, const char *body);
/* CSS class of a state and of a daily uptime figure. */
const char	*html_state_class(enum sw_state);
const char	*html_uptime_class(double pct);

/* ---- the data the pages show ---- */

#define RENDER_DAYS	90	/* days on the public status bar */

/*
 * One recent result: the dashboard's heartbeat bar and the check page's
 * table.  8 bytes, since every check keeps RENDER_BEATS of them
 * (web_beats.c).
 */
#define RENDER_BEATS	50
struct render_beat {
	uint32_t	at;		/* epoch seconds (to 2106) */
	uint16_t	total_ms;	/* saturates at 65535 */
	uint16_t	state:2;	/* enum sw_state */
	uint16_t	cause:4;	/* enum sw_cause */
	uint16_t	http:10;	/* HTTP status, 0..999; 0: none */
};

/* One check as a page shows it. */
struct render_check {
	const char	*name;
	const char	*title;		/* public name; NULL: name */
	const char	*site;		/* NULL: no site */
	enum sw_state	 state;
	int		 have;		/* a result was seen: what follows */
	enum sw_cause	 cause;
	const char	*message;
	double		 since;		/* 0: not known */
	double		 total_ms;
	double		 up24, up30;	/* NAN: not available */
	long long	 ticket;	/* open one, 0: none */
	const float	*daily;		/* RENDER_DAYS or NULL */
	int		 stale;		/* no result for two intervals */
	int		 cert_days;	/* TLS certificate, -1: none */
	double		 last_at;	/* the last result, 0: none */
	/* k of n: "down from 1 of 3 locations" (no incident), or "". */
	char		 partial[48];
	char		 up_message[CHECK_STATUS_UP_MAX];	/* message's room */
	/* The heartbeat ring: nbeats results, the oldest at beat0. */
	const struct render_beat *beats;
	unsigned	 nbeats;
	unsigned	 beat0;
};

/* A public update of a ticket, as its clients read it. */
struct render_update {
	const char	*at;		/* ISO 8601 UTC */
	const char	*text;		/* as staff wrote it: escape it */
};

/* One open ticket. */
struct render_ticket {
	long long	 id;
	const char	*check;
	const char	*site;
	const char	*severity;	/* "critical" | "warning" */
	const char	*status;	/* "open" | "acknowledged" */
	const char	*acked_by;	/* NULL: nobody */
	const char	*summary;
	const char	*cause;
	const char	*opened_at;	/* ISO 8601 UTC */
	/* Public updates, oldest first (the status page only). */
	const struct render_update *updates;
	size_t		 nupdates;
	/* Past incidents (the status page's history) only: */
	const char	*resolved_at;	/* ISO 8601 UTC; NULL: still open */
	long long	 downtime_s;	/* -1: not known */
};

/* The staff dashboard: checks in display order, sites grouped. */
struct render_dashboard {
	double				 now;
	size_t				 total;		/* checks configured */
	size_t				 counts[4];	/* of all, by sw_state */
	const struct render_check	*checks;	/* this page's */
	size_t				 nchecks;
	size_t				 page;		/* 1.., 0: one page */
	size_t				 npages;	/* 0: all on one */
	const char			*query;		/* "&state=.." or "" */
	const struct render_ticket	*tickets;
	size_t				 ntickets;
	const char			*tickets_err;	/* not available */
	int				 impaired;	/* the checker's own faults */
	/* Logged in (web_auth.h): NULL when the pages are open. */
	const char			*user;
	const char			*role;
	const char			*csrf;		/* the session's */
	int				 staff;		/* may act: forms */
};
void	render_dashboard(struct buf *, const struct render_dashboard *);

/*
 * The words of the public status page, one set per language, read from
 * templates/html/<lang>/words.txt (see web_status.c).
 */
enum status_word {
	SW_W_TITLE, SW_W_ALL_OK, SW_W_UP, SW_W_DEGRADED, SW_W_DOWN,
	SW_W_UNKNOWN, SW_W_DAYS, SW_W_INCIDENTS, SW_W_NO_INCIDENTS,
	SW_W_SINCE, SW_W_ACKED, SW_W_OPEN, SW_W_REF, SW_W_NODATA,
	SW_W_UPTIME, SW_W_TODAY, SW_W_AGO,
	SW_W_C_DNS, SW_W_C_CONNECT, SW_W_C_TLS, SW_W_C_TIMEOUT, SW_W_C_HTTP,
	SW_W_C_CONTENT, SW_W_C_SLOW, SW_W_C_CERT, SW_W_C_OTHER,
	SW_W_B_DEGRADED, SW_W_B_DOWN, SW_W_B_UNKNOWN,
	SW_W_UPDATED,
	/* The help desk: public updates and the incident history. */
	SW_W_UPDATE, SW_W_HISTORY, SW_W_NO_HISTORY, SW_W_STARTED,
	SW_W_LASTED, SW_W_ONGOING, SW_W_U_DAY, SW_W_U_HOUR, SW_W_U_MIN,
	SW_W_U_SEC,
	/* Subscribers: the form and the pages its links open. */
	SW_W_SUB_LABEL, SW_W_SUB_BUTTON, SW_W_SUB_SENT, SW_W_SUB_DONE,
	SW_W_SUB_GONE, SW_W_SUB_BAD, SW_W_SUB_WAIT, SW_W_SUB_UNKNOWN,
	SW_W_SUB_BACK,
	SW_W_COUNT
};
struct status_words {
	char	*w[SW_W_COUNT];
};
/*
 * Read dir/html/LANG/words.txt ("key = text" lines, the mail's format):
 * 0, or -1 with the reasons in errs (sw is then empty).
 */
int	status_words_load(const char *dir, const char *lang,
	    struct status_words *, struct errlist *errs);
void	status_words_free(struct status_words *);

/* One site of the public status page, in its own language and zone. */
struct render_site {
	const char			*name;
	const char			*id;		/* its /status/ID */
	const char			*lang;
	const struct tzinfo		*tz;		/* NULL: UTC */
	const struct status_words	*words;
	const struct render_check	*checks;
	size_t				 nchecks;
	const struct render_ticket	*tickets;	/* of this site */
	size_t				 ntickets;
	/* Its incidents of the last RENDER_HISTORY_DAYS, newest first. */
	const struct render_ticket	*history;
	size_t				 nhistory;
	int				 have_history;	/* 0: not read */
};
#define RENDER_HISTORY_DAYS	14
struct render_status {
	const struct status_words	*words;		/* of the frame */
	double				 now;
	int				 one;		/* one site's own page */
	const char			*organization;	/* signature; NULL */
	const char			*contact;	/* NULL */
	const struct render_site	*sites;
	size_t				 nsites;
};
/*
 * The index (every site, each with a link to its page) or, with one set,
 * the single site's page: its name, banner, services, bars, incidents.
 */
void	render_status(struct buf *, const struct render_status *);
/* ---- web_render_history.c: what staff told clients, and when ---- */

/* A ticket's public updates (nothing when it has none). */
void	render_updates(struct buf *, const struct render_site *,
	    const struct render_ticket *);
/* The subscribe form of a site's page (plain HTML: no script needed). */
void	render_subscribe_form(struct buf *, const struct render_site *);
/* A short page of the subscribe flow: one sentence, a link back. */
void	render_subscribe_note(struct buf *, const struct status_words *,
	    const char *site_name, const char *site_id, enum status_word);
/* The site's incidents of the last RENDER_HISTORY_DAYS, newest first. */
void	render_history(struct buf *, const struct render_site *);
/*
 * The dashboard's tickets nobody has taken yet, oldest first, each with
 * how long it has waited.
 */
void	render_unacked(struct buf *, const struct render_ticket *, size_t,
	    double now);
/* "2 h 5 min" in the site's words: the two largest units. */
void	render_site_duration(struct buf *, const struct status_words *,
	    long long seconds);
/* A word of the page (its key when missing), and a cause's word. */
const char	*render_word(const struct status_words *, enum status_word);
enum status_word render_cause_word(const char *cause);

/* The overall state of checks: the worst, unknown only when none is bad. */
enum sw_state	render_overall(const struct render_check *, size_t);

/* Pieces the check page (web_pages.c) shares with the dashboard. */
void	render_nav(struct buf *, const char *title, double now);
void	render_uptime(struct buf *, double pct);
/* The partial-outage badge (render_check's partial); nothing for "". */
void	render_partial(struct buf *, const char *partial);
/* An <img> of a check's graph; cls "spark" asks for the bare curve. */
void	render_graph_img(struct buf *, const char *name, const char *period,
	    const char *metric, int width, int height, const char *cls);

/* The body of an error page. */
void	render_error(struct buf *, int code, const char *reason,
	    const char *msg);

#endif
