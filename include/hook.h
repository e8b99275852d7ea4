/*
 * hook.h -- notifications to [notify NAME] channels (SPEC "Notification
 * channels"): the request bodies, the HTTP requests, and the daemon's
 * sender over the persistent queue.
 *
 * Three parts, one way down:
 *   hook_bodies()	pure: one message's facts to the body (or, for
 *			PagerDuty, the bodies: one event per ticket) that
 *			goes in the queue.  No secret is in a body.
 *   hook_deliver()	blocking: queued rows to HTTP requests, the
 *			secrets and the endpoint joined from the channel's
 *			settings, all sent at once on one curl multi; each
 *			row gets a verdict.  The CLI calls it directly.
 *   hooksend_*()	the daemon's sender: rounds on a bio queue, as the
 *			mailer's, so no request ever runs on the loop.
 */
#ifndef HOOK_H
#define HOOK_H

#include <stddef.h>
#include <time.h>

struct config;
struct event_base;
struct mail_row;
struct notify_conf;

/* One check of a message. */
struct hook_check {
	const char	*name;
	const char	*site;
	const char	*url;		/* password masked */
	const char	*state;		/* "down", "up", ... */
	const char	*cause;		/* "timeout", ...; NULL: not known */
	const char	*message;
	long long	 ticket;	/* 0: none */
	long long	 downtime_s;	/* -1: not resolved */
};

/* One message: an event over one group of checks. */
struct hook_msg {
	const char		*event;	/* down | degraded | up | reminder |
					   test */
	time_t			 at;
	const char		*title;	/* staff wording, rendered */
	const char		*text;
	const struct hook_check	*checks;
	size_t			 nchecks;
};

/*
 * The bodies to queue for msg on channel nc: *out is an allocated array
 * of allocated strings; returns how many.
 */
size_t	hook_bodies(const struct notify_conf *nc, const struct hook_msg *msg,
	    char ***out);

/* What became of one request. */
enum hook_verdict { HOOK_SENT, HOOK_RETRY, HOOK_FAILED };

struct hook_job {
	const struct mail_row		*row;	/* channel, subject, message */
	const struct notify_conf	*nc;	/* NULL: channel gone */
	enum hook_verdict		 verdict;
	int				 status;	/* HTTP, 0: none */
	long				 retry_after;	/* s, 0: none */
	char				 answer[256];
};

/* Request limits: a hostile endpoint cannot stall or exhaust us. */
#define HOOK_TIMEOUT_S		10	/* a whole request */
#define HOOK_CONNECT_S		5
#define HOOK_BODY_MAX		(64 * 1024)	/* response body kept/read */
#define HOOK_HEADERS_MAX	(32 * 1024)	/* response headers, all */
#define HOOK_RETRY_AFTER_MAX	3600

/*
 * Send every job at once and judge each (blocking, HOOK_TIMEOUT_S).
 * stop (may be NULL) is asked about once a second: when it says yes, the
 * requests still out are abandoned and left to retry (a daemon that
 * stops does not wait for a hanging endpoint).
 */
void	hook_deliver(struct hook_job *, size_t n, int (*stop)(void *),
	    void *arg);

/* The daemon's sender. */
struct hooksend;
struct hooksend	*hooksend_start(const struct config *, struct event_base *,
		    char *err, size_t errlen);
/* Queue one body for a channel; the sender thread writes it to the db. */
void		 hooksend_submit(struct hooksend *, const char *channel,
		    const char *event, const char *body);
void		 hooksend_reconfigure(struct hooksend *,
		    const struct config *);
/* Stop after the current round; what was submitted is stored first. */
void		 hooksend_stop(struct hooksend *);

#endif
