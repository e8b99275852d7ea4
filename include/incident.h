/*
 * incident.h -- turn a stream of results into incidents and tickets.
 *
 * The daemon-facing half: incidents_feed() runs the per-check state
 * machine and writes tickets through the store; every ticket change that
 * someone should hear about is passed up as an incident_event.
 */
#ifndef INCIDENT_H
#define INCIDENT_H

#include <time.h>

#include "check_status.h"
#include "sitewatch.h"

struct config;
struct check_conf;
struct result;
struct incidents;
struct event_base;
struct registry;

enum incident_kind {
	INCIDENT_OPENED,	/* new ticket: severity says down or degraded */
	INCIDENT_ESCALATED,	/* a warning ticket became critical */
	INCIDENT_REMINDER,	/* still open and unacknowledged */
	INCIDENT_RESOLVED,
};

enum incident_severity { SEVERITY_WARNING, SEVERITY_CRITICAL };

/* Plain data that travels from incidents to the notifier. */
struct incident_event {
	enum incident_kind	 kind;
	long long		 ticket_id;
	const char		*check;		/* check name */
	const struct check_conf	*conf;		/* NULL: not configured now */
	enum incident_severity	 severity;
	enum sw_state		 state;
	enum sw_cause		 cause;
	const char		*message;	/* result message, escaped */
	time_t			 opened_at;
	time_t			 at;		/* when this event happened */
	long long		 downtime_s;	/* for RESOLVED */
	int			 suppress_mail;	/* maintenance, depends, flap */
	const char		*locations;	/* k of n: that saw it; NULL */
};

typedef void (*incident_event_cb)(const struct incident_event *,
		    void *arg);

/* Checks are found by registry id; names from the db are interned. */
struct incidents	*incidents_open(const struct config *,
			    struct registry *, struct event_base *,
			    incident_event_cb, void *arg);
void			 incidents_feed(struct incidents *,
			    const struct check_conf *, const struct result *);
void			 incidents_reload(struct incidents *,
			    const struct config *);
/* The status of check id, NULL when nothing is known of it. */
const struct check_status *incidents_status(const struct incidents *,
			    unsigned id);
/* Read staff changes to open tickets back soon (one went through the API). */
void			 incidents_poke(struct incidents *);
/*
 * The OPENED mails of ticket are all in the mail queue: a restart need
 * not send them again (notify_on_told).
 */
void			 incidents_told(struct incidents *, long long ticket);
/*
 * Finish pending ticket writes; incidents_told still works (written at
 * incidents_close), the rest is over.  incidents_close does it if not
 * done.
 */
void			 incidents_stop(struct incidents *);
/* Finish pending ticket writes, then free. */
void			 incidents_close(struct incidents *);

#endif
