/*
 * web_int.h -- what the web_*.c files share; nothing outside src/web*.c
 * includes it.
 *
 * Threads: struct web and everything it points to belong to the loop.
 * Work that may block is a web_job on a web_queue: its work function runs
 * on the queue's thread and sees only the job's own copies (never the
 * config, which a reload may free); its done function runs back on the
 * loop and is the one that replies.
 */
#ifndef WEB_INT_H
#define WEB_INT_H

#include <sys/queue.h>

#include <stdint.h>
#include <time.h>

#include <event2/http.h>
#include <jansson.h>

#include "result.h"
#include "sitewatch.h"
#include "util.h"
#include "web_body.h"

struct config;
struct check_conf;
struct scheduler;

#define WEB_RING	20	/* recent results kept per check */
#define WEB_DAYS	90	/* days on the public status bar */
#define WEB_API_BODY_MAX	WEB_BODY_MAX	/* see web_body.h */
#define WEB_HTTP_BODY_MAX	65536	/* evhttp's own cap: 413 */
#define WEB_HEADERS_MAX		16384
#define WEB_TIMEOUT_S		10	/* per connection, idle */

/* ---- worker queues ---- */

struct web_job;
typedef void (*web_job_fn)(struct web_job *);

struct web_job {
	web_job_fn		 work;		/* on the thread */
	web_job_fn		 done;		/* on the loop */
	void			*arg;
	int			 cancelled;	/* work never ran */
	struct web_queue	*q;
	struct event		*ev;
	int			 worked;
	TAILQ_ENTRY(web_job)	 entry;		/* waiting to run */
	TAILQ_ENTRY(web_job)	 all;		/* not yet done */
};

struct web_queue	*web_queue_new(struct event_base *, const char *name,
			    size_t max);
/* Queue a job; -1 when the queue is full (the caller answers 503). */
int			 web_queue_push(struct web_queue *, web_job_fn work,
			    web_job_fn done, void *arg);
size_t			 web_queue_len(struct web_queue *);
/* The thread's own store handles, for work functions. */
struct web_data		*web_queue_data(struct web_job *);
/* Finish the running job, cancel the rest (done runs with cancelled). */
void			 web_queue_free(struct web_queue *);

/* ---- what the web module remembers per check ---- */

/* One of the recent results: 24 bytes and the message. */
struct web_sample {
	double		 at;
	char		*message;	/* allocated: mostly a few words */
	float		 total_ms;
	short		 http_status;	/* 0..999 */
	unsigned char	 state;		/* enum sw_state */
	unsigned char	 cause;		/* enum sw_cause */
};

/* What the pages show of a check's last result: struct result less
 * its name and with the message sized to fit (88 bytes, not 424). */
struct web_last {
	double		at;
	enum sw_state	state;
	enum sw_cause	cause;
	int		up;
	int		cert_days_left;	/* -1 when not applicable */
	long		http_status;
	double		dns_ms;
	double		connect_ms;
	double		tls_ms;
	double		ttfb_ms;
	double		total_ms;
	long long	bytes;
	char		*message;	/* allocated */
};

/*
 * What a check costs here before it ran matters: at 100,000 checks every
 * byte is 100 KB.  So the last result and the ring come with the first
 * result, and the name is sized to fit.
 */
struct web_check {
	int			have;		/* a result was seen: last */
	struct web_last		*last;
	double			since;		/* 0 = not known */
	int			since_exact;	/* saw it change */
	/* Grows to WEB_RING: at an hour's interval it fills in a day. */
	struct web_sample	*ring;		/* newest at head - 1 */
	unsigned		head;
	unsigned		nring;
	unsigned		capring;

	/* Filled by the refresh jobs; NAN = not available. */
	double			up24;
	double			up30;
	/* float: a percentage needs no more, and it is 90 per check. */
	float			*daily;		/* WEB_DAYS, oldest first */
	int			have_daily;
	long long		ticket;		/* open one, 0 = none */
	char			name[];		/* allocated to fit */
};

struct web_graph;
struct web_mstream;

/*
 * A rendered answer kept for WEB_RESP_TTL_MS: a hundred clients polling
 * the dashboard, or a flood, cost one rendering a second, not one each.
 */
#define WEB_RESP_CACHE	8
#define WEB_RESP_TTL_MS	1000
#define WEB_RESP_BODY_MAX	(1024 * 1024)	/* larger: not kept */
struct web_resp {
	char		*key;		/* path?query */
	char		*ctype;
	char		*body;
	size_t		 len;
	uint64_t	 at_ms;
};

struct web {
	struct event_base	*base;
	struct config *const	*cfgp;
	struct scheduler	*sched;
	struct evhttp		*http;
	struct web_listen	*wl;		/* web_listen.c: caps, idle time */
	char			*listen;	/* as bound at start */

	struct web_queue	*q_db;		/* tickets (SQLite) */
	struct web_queue	*q_stats;	/* uptime figures (librrd) */
	struct web_queue	*q_graph;	/* graphs (librrd, slow) */

	struct web_check	**checks;	/* sorted by name */
	size_t			 nchecks;
	size_t			 capchecks;

	json_t			*tickets;	/* open; NULL: unknown */
	char			*tickets_err;	/* why it is NULL */
	int			 db_busy;	/* refresh job queued */
	long long		 mail_queued;	/* outbox rows; -1: unknown */
	long long		 mail_failed;
	int			 stats_busy;
	uint64_t		 states_due_ms;	/* next read of saved states */
	uint64_t		 states_fast_ms; /* every refresh until then */
	uint64_t		 stats_due_ms;	/* next uptime refresh */
	uint64_t		 daily_due_ms;
	size_t			 stats_next;	/* next check of the rotation */
	int			 stats_daily;	/* this round also draws bars */
	const struct config	*seen_cfg;	/* checks list built for it */
	struct event		*ev_refresh;

	/* The graph cache, newest first. */
	TAILQ_HEAD(web_graphs, web_graph) graphs;
	size_t			 ngraphs;

	char			*static_js;	/* from templates/html */
	size_t			 static_js_len;
	char			*static_css;
	size_t			 static_css_len;
	char			*layout;

	struct web_resp		 resp[WEB_RESP_CACHE];
	/* /metrics answers going out in chunks (web_metrics.c). */
	TAILQ_HEAD(web_mstreams, web_mstream) mstreams;
	const char		*capture;	/* web_reply() saves */

	unsigned long long	 nrequests;
	unsigned long long	 nreplies[6];	/* by status class */
};

/* ---- web.c: lookups and reply helpers ---- */

const struct config	*web_cfg(struct web *);
/* The runtime record of a configured check (created on first use). */
struct web_check	*web_check_get(struct web *, const char *name);
/* The check's state as shown: unknown before its first result. */
enum sw_state		 web_check_state(const struct web_check *);
/* Order of badness for sorting: down, degraded, unknown, up. */
int			 web_state_rank(enum sw_state);

/*
 * Reply helpers.  Contract: every request handler ends in exactly one
 * call of one of these, now or later from a job's done function; they
 * add the security headers and count the reply.
 */
void	web_reply(struct web *, struct evhttp_request *, int code,
	    const char *ctype, const void *body, size_t len);
/* The same with a body in an evbuffer, sent without a copy (emptied). */
void	web_reply_buffer(struct web *, struct evhttp_request *, int code,
	    const char *ctype, struct evbuffer *body);
/* Only the headers and the count, for an answer sent in chunks. */
void	web_reply_headers(struct web *, struct evhttp_request *, int code,
	    const char *ctype);
void	web_reply_json(struct web *, struct evhttp_request *, int code,
	    json_t *steal);
void	web_reply_error(struct web *, struct evhttp_request *, int code,
	    const char *msg);	/* JSON under /api/, else an HTML page */
const char	*web_reason(int code);
/* Value of one query parameter, allocated; NULL when absent. */
char	*web_query(struct evhttp_request *, const char *key);

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
/* Wrap body in the page layout (templates/html/layout.html). */
void	 html_page(struct web *, struct buf *out, const char *lang,
	    const char *title, const char *page_class, const char *body);
/* CSS class of a state and of a daily uptime figure. */
const char	*html_state_class(enum sw_state);
const char	*html_uptime_class(double pct);

/* ---- web_pages.c ---- */
void	web_page_dashboard(struct web *, struct evhttp_request *,
	    const char *rest);
void	web_page_check(struct web *, struct evhttp_request *,
	    const char *rest);
void	web_page_status(struct web *, struct evhttp_request *,
	    const char *rest);
void	web_page_graph(struct web *, struct evhttp_request *,
	    const char *rest);
/* Drop cached graphs of checks that are gone (refresh timer). */
void	web_graph_expire(struct web *, int all);

/* ---- web_api.c ---- */
/* One /api/v1/checks object for a configured check. */
json_t	*web_api_check_json(struct web *, const struct check_conf *);
void	web_api_checks(struct web *, struct evhttp_request *,
	    const char *rest);
void	web_api_tickets(struct web *, struct evhttp_request *,
	    const char *rest);
void	web_api_ticket(struct web *, struct evhttp_request *,
	    const char *rest);

/* ---- web_metrics.c ---- */
void	web_metrics(struct web *, struct evhttp_request *,
	    const char *rest);
/* Drop the state of chunked answers still going (before evhttp_free). */
void	web_metrics_stop(struct web *);

#endif
