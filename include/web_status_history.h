/*
 * web_status_history.h -- what the status page shows of the help desk's
 * work, read from the tickets' JSON (ticket_json.h): the public updates
 * of an incident, and a site's incidents of the last 14 days.
 */
#ifndef WEB_STATUS_HISTORY_H
#define WEB_STATUS_HISTORY_H

#include <stddef.h>

#include <jansson.h>

#include "web_render.h"

struct registry;
struct site_conf;

/*
 * The events of kind "update" of ticket t (its JSON), oldest first, into
 * out; how many.  With out NULL, only counts.  Strings point into t.
 */
size_t	status_updates(json_t *t, struct render_update *out);

/* A site's past incidents, and the memory they point into. */
struct status_history {
	struct render_ticket	*tickets;
	struct render_update	*updates;
};
/*
 * Fill s->history from hist (tickets of the last days, newest first, of
 * every site): the resolved ones of site, by the public title of their
 * check.  Nothing from hist is copied: keep it until the page is sent.
 */
void	status_history_gather(const struct registry *, json_t *hist,
	    const struct site_conf *site, struct render_site *s,
	    struct status_history *);
void	status_history_free(struct status_history *);

struct web;
struct evhttp_request;
/* The status page's words of lang, else English's (web_status.c). */
const struct status_words *web_status_words(struct web *, const char *lang);

/*
 * web_subscribe.c: POST /status/subscribe (form fields email, site),
 * GET /status/confirm?token=T, GET or POST /status/unsubscribe?token=T.
 */
void	web_status_subscribe(struct web *, struct evhttp_request *,
	    const char *rest);
void	web_status_confirm(struct web *, struct evhttp_request *,
	    const char *rest);
void	web_status_unsubscribe(struct web *, struct evhttp_request *,
	    const char *rest);

#endif
