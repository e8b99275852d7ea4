/*
 * web_listen.h -- the dashboard's listening socket, with a connection
 * cap, a per-client-address cap, a short idle time for connections that
 * have sent nothing, and accept errors logged at most once a minute.
 *
 * The web must never take the descriptors the probes need: at the cap
 * it stops accepting (the kernel's backlog holds the rest) instead of
 * accepting and failing elsewhere.
 */
#ifndef WEB_LISTEN_H
#define WEB_LISTEN_H

struct event_base;
struct evhttp;
struct web_listen;

struct web_listen_stats {
	unsigned		 open;		/* connections now */
	unsigned		 max;		/* the cap */
	unsigned		 per_client;	/* the cap per address */
	int			 paused;	/* not accepting now */
	unsigned long long	 refused;	/* over the per-client cap */
	unsigned long long	 accept_errors;
};

/*
 * Bind host:port and hand it to http.  max: connections at once (at
 * least 1); per_client: from one address.  NULL (errno set) when the
 * address cannot be bound.  Free after evhttp_free(http), which frees
 * the listener itself.
 */
struct web_listen	*web_listen_new(struct event_base *, struct evhttp *,
			    const char *host, unsigned short port,
			    unsigned max, unsigned per_client);
void			 web_listen_free(struct web_listen *);
void			 web_listen_stats(const struct web_listen *,
			    struct web_listen_stats *);

#endif
