/*
 * web_int.h -- what the web_*.c files share; nothing outside src/web*.c
 * includes it.
 *
 * Threads: struct web and everything it points to belong to the loop.
 * Work that may block is a web_job on a web_queue (over bio.c): its work
 * function runs on the queue's thread and sees only the job's own copies
 * (never the config, which a reload may free); its done function runs
 * back on the loop and is the one that replies.
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
struct incidents;
struct registry;
struct scheduler;

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

/*
 * The web's one record: what the loop's files share.  Each part is
 * owned by one file, which alone reads and writes inside it:
 *   view	web_view.c	per-check results, tickets, uptime (refresh jobs)
 *   beats	web_beats.c	each check's last 50 results, compact
 *   replies	web_reply.c	frame, static files, answer cache, counters
 *   graphs	web_graph.c	graph cache
 *   status	web_status.c	the status page's words
 *   mstreams	web_metrics.c	/metrics answers going out in chunks
 * cfg is the daemon's current config: web_reload() swaps it.
 */
struct web {
	struct event_base	*base;
	const struct config	*cfg;
	struct scheduler	*sched;
	const struct registry	*reg;		/* checks by name and id */
	struct incidents	*incidents;	/* check_status, by id */
	struct assign		*assign;	/* several nodes, else NULL */
	struct evhttp		*http;
	struct web_listen	*wl;		/* web_listen.c: caps, idle time */
	char			*listen;	/* as bound at start */

	struct web_queue	*q_db;		/* tickets (SQLite) */
	struct web_queue	*q_stats;	/* uptime figures (librrd) */
	struct web_queue	*q_graph;	/* graphs (librrd, slow) */
	struct web_queue	*q_auth;	/* accounts, password checks */

	struct web_view		*view;
	struct web_beats	*beats;		/* web_beats.c: heartbeat bars */
	struct web_replies	*replies;
	struct web_graphs	*graphs;
	struct web_status	*status;
	struct web_mstreams	*mstreams;
	struct web_auth		*auth;		/* web_auth.c: logins */
};

/* ---- web_reply.c: every answer goes out here ---- */

struct web_replies	*web_replies_new(const struct config *);
void			 web_replies_free(struct web_replies *);
/* A request came in: count it, and send its answer without delay. */
void	web_reply_request(struct web *, struct evhttp_request *);
/* Requests taken and replies sent by status class (index 1..5). */
void	web_reply_counts(struct web *, unsigned long long *requests,
	    unsigned long long replies[6]);
/*
 * Call fn for a GET of a cacheable route: the saved answer when it is
 * fresh (WEB_RESP_TTL_MS), else fn's answer, saved on the way out.
 */
void	web_reply_cached(struct web *, struct evhttp_request *,
	    void (*fn)(struct web *, struct evhttp_request *, const char *),
	    const char *rest);

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
/* An HTML page: body (emptied) in the layout of templates/html. */
void	web_reply_page(struct web *, struct evhttp_request *,
	    const char *lang, const char *title, const char *page_class,
	    struct buf *body);
/* The same with another status (a login refused: 401). */
void	web_reply_page_code(struct web *, struct evhttp_request *, int code,
	    const char *lang, const char *title, const char *page_class,
	    struct buf *body);
const char	*web_reason(int code);
/* Value of one query parameter, allocated; NULL when absent. */
char	*web_query(struct evhttp_request *, const char *key);
/* GET /static/NAME: app.js and style.css of templates/html. */
void	web_static(struct web *, struct evhttp_request *, const char *rest);

/* ---- handlers, one file each; the route table is in web.c ---- */

/* web_pages.c */
void	web_page_dashboard(struct web *, struct evhttp_request *,
	    const char *rest);
void	web_page_check(struct web *, struct evhttp_request *,
	    const char *rest);
/* Is s (len bytes) a possible check name ([A-Za-z0-9._-])? */
int	web_valid_name(const char *s, size_t len);

/* web_status.c */
struct web_status	*web_status_new(const struct config *);
void			 web_status_free(struct web_status *);
/* /status: every site, only with status_index = yes (else 404). */
void	web_page_status(struct web *, struct evhttp_request *,
	    const char *rest);
/* /status/SITE: one client's own page. */
void	web_page_status_site(struct web *, struct evhttp_request *,
	    const char *rest);

/* web_series.c: /api/v1/checks/NAME/series */
void	web_api_check_sub(struct web *, struct evhttp_request *,
	    const char *rest);

/* web_graph.c */
struct web_graphs	*web_graphs_new(struct event_base *);
void			 web_graphs_free(struct web_graphs *);
void	web_page_graph(struct web *, struct evhttp_request *,
	    const char *rest);

/* web_api.c */
void	web_api_checks(struct web *, struct evhttp_request *,
	    const char *rest);
void	web_api_tickets(struct web *, struct evhttp_request *,
	    const char *rest);
void	web_api_ticket(struct web *, struct evhttp_request *,
	    const char *rest);

/* web_metrics.c */
struct web_mstreams	*web_mstreams_new(void);
/* Drop the state of chunked answers still going (before evhttp_free). */
void			 web_mstreams_free(struct web_mstreams *);
void	web_metrics(struct web *, struct evhttp_request *,
	    const char *rest);

#endif
