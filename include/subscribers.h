/*
 * subscribers.h -- the daemon's copy of each site's confirmed
 * subscribers, so that notify.c, which renders on the loop, can mail
 * them the client wording of down, degraded and up alerts.
 *
 * Read off the loop (a bio queue with a store handle of its own) at
 * start, at each reload and every SUBSCRIBERS_REFRESH_S; a confirmation
 * or an unsubscribe through the page counts from the next read.
 */
#ifndef SUBSCRIBERS_H
#define SUBSCRIBERS_H

#include <stddef.h>

struct config;
struct event_base;
struct subscriber;

#define SUBSCRIBERS_REFRESH_S	5

struct subscribers;
struct subscribers	*subscribers_open(const struct config *,
			    struct event_base *);
void			 subscribers_reload(struct subscribers *,
			    const struct config *);
void			 subscribers_close(struct subscribers *);
/* The confirmed subscribers of site id as last read; how many. */
size_t			 subscribers_of(const struct subscribers *,
			    const char *site_id,
			    const struct subscriber **out);

#endif
