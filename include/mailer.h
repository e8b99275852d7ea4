/*
 * mailer.h -- deliver queued mail: SMTP through libesmtp, or .eml files
 * in state_dir/outbox/ when no SMTP host is set.
 *
 * mailer_deliver() blocks (a whole SMTP dialogue): the daemon calls it
 * only from the mailer's bio queue (mailer_start), the CLI directly.
 */
#ifndef MAILER_H
#define MAILER_H

#include <stddef.h>

struct config;
struct smtp_conf;
struct mail_row;

enum mail_result { MAIL_SENT, MAIL_TEMPFAIL, MAIL_PERMFAIL };

/* One message to deliver, and what became of it. */
struct mail_job {
	const struct mail_row	*mail;
	enum mail_result		 result;
	char				 answer[256]; /* its words */
};

/* The settings a delivery needs, copied so that no config is shared. */
struct mailer_conf {
	char	*host;			/* NULL = write .eml files */
	int	 port;
	int	 starttls;		/* enum starttls_mode */
	char	*user;
	char	*password;
	char	*outbox_dir;		/* state_dir/outbox */
	int	 timeout_s;
	int	 retry_min;		/* seconds, [smtp] retry_min */
	int	 retry_max;
};

struct mailer_conf	*mailer_conf_new(const struct config *);
void			 mailer_conf_free(struct mailer_conf *);

/* Deliver n jobs in one session; every job gets a result and answer. */
void	 mailer_deliver(const struct mailer_conf *, struct mail_job *,
	    size_t n);

/* The daemon's sender thread over the outbox in state_dir. */
struct mailer;
struct event_base;
/* The sender's rounds run on a bio queue; retries wake on base's timers. */
struct mailer	*mailer_start(const struct config *, struct event_base *,
		    char *err, size_t);
/* Queue a message for one recipient; the thread writes it to the db. */
void		 mailer_submit(struct mailer *, const char *sender,
		    const char *rcpt, const char *subject,
		    const char *message);
void		 mailer_reconfigure(struct mailer *, const struct config *);
/* Look at the queue now: another writer (a job, the CLI) added mail. */
void		 mailer_poke(struct mailer *);
/*
 * The stop is coming: mails submitted from now on are only written to
 * the outbox (sent on the next start), as mailer_stop does.
 */
void		 mailer_stopping(struct mailer *);
/*
 * Stop after the current session: submitted mails are written to the
 * outbox first, so they go out on the next start.
 */
void		 mailer_stop(struct mailer *);

#endif
