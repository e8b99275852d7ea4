/*
 * notify.h -- turn incident events into mails in the persistent outbox.
 *
 * The daemon-facing half.  notify_event() only queues; delivery happens on
 * the mailer thread and is never lost: a mail leaves the outbox only once
 * the SMTP server has taken it.
 */
#ifndef NOTIFY_H
#define NOTIFY_H

struct config;
struct event_base;
struct incident_event;
struct notifier;
struct errlist;

struct notifier	*notify_open(const struct config *, struct event_base *);
void		 notify_event(struct notifier *, const struct incident_event *);
/* A plain note to staff only, through the same persistent queue. */
void		 notify_staff(struct notifier *, const char *subject,
		    const char *text);
void		 notify_reload(struct notifier *, const struct config *);
/*
 * fn(ticket, arg) once the OPENED mails of that ticket were all handed
 * to the mail queue (or none was due): it is told, a restart need not
 * tell again.  fn NULL: no more calls.
 */
void		 notify_on_told(struct notifier *,
		    void (*fn)(long long, void *), void *arg);
/* Stop the mailer after its current message; the queue stays on disk. */
void		 notify_close(struct notifier *);
/* Mail was queued by another writer: send it now, not at the next wake. */
void		 notify_poke_mail(struct notifier *);

/* Validate every template under templates_dir (sitewatchd -t). */
int		 notify_check_templates(const struct config *,
		    struct errlist *);

#endif
