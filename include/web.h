/*
 * web.h -- the staff dashboard, the public status page, the JSON API and
 * the Prometheus metrics, served by evhttp on the daemon's event_base.
 *
 * Everything runs on the loop except what may block: ticket reads and
 * writes (SQLite), uptime figures and graphs (librrd) go to worker
 * threads and come back to the loop to be answered.
 */
#ifndef WEB_H
#define WEB_H

struct event_base;
struct config;
struct result;
struct scheduler;
struct registry;
struct incidents;
struct check_conf;
struct web;

/*
 * Listen on cfg->listen and serve.  cfg must live until web_reload()
 * hands over the next one.  Returns NULL (and logs why) when the
 * address cannot be bound.
 */
struct web	*web_start(struct event_base *, const struct config *,
		    struct scheduler *, const struct registry *,
		    struct incidents *);
/*
 * The daemon applied a new config (SIGHUP): follow its checks, sites and
 * languages.  The socket stays; a changed listen is warned about once.
 */
void		 web_reload(struct web *, const struct config *);
/* Remember one result for the pages (its details, recent results). */
void		 web_record(struct web *, const struct check_conf *,
		    const struct result *);
/*
 * Several nodes (assign.h): the uptime figures of a check are read by
 * its lead node only, and the others take them from the database.
 */
struct assign;
void		 web_set_assign(struct web *, struct assign *);
/* Stop listening, finish the worker threads, free everything. */
void		 web_stop(struct web *);

#endif
