/*
 * outbox.h -- the persistent mail queue, in state_dir/sitewatch.db.
 *
 * One row per message and recipient, so that what the SMTP server said
 * about each recipient maps onto exactly one row: queued -> sent, or
 * queued -> (retry later) -> ... -> failed.  A connection is used by one
 * thread only (the mailer thread in the daemon, the CLI otherwise).
 */
#ifndef OUTBOX_H
#define OUTBOX_H

#include <stddef.h>
#include <time.h>

struct outbox;

struct outbox_mail {
	long long	 id;
	char		*sender;	/* envelope sender (addr-spec) */
	char		*rcpt;		/* envelope recipient */
	char		*message;	/* the whole RFC 5322 text, CRLF */
	int		 attempts;
	time_t		 created_at;
};

/* A row as listed for staff. */
struct outbox_row {
	long long	 id;
	char		*rcpt;
	char		*subject;	/* plain UTF-8, as rendered */
	char		*status;
	int		 attempts;
	time_t		 created_at;
	time_t		 next_attempt_at;
	char		*last_error;
};

/*
 * Backoff of temporary failures: min doubling up to max seconds.  The
 * environment variable SITEWATCH_MAIL_BACKOFF="MIN,MAX" (seconds) makes
 * it shorter for tests; the default is 30,3600.
 */
#define OUTBOX_BACKOFF_MIN	30
#define OUTBOX_BACKOFF_MAX	3600
/* Temporary failures turn permanent after this long in the queue. */
#define OUTBOX_GIVE_UP_S	(3 * 86400)

/* Open (creating the tables) db_path; NULL and a message in err. */
struct outbox	*outbox_open(const char *db_path, char *err,
		    size_t errlen);
void		 outbox_close(struct outbox *);

/* Queue one message for one recipient; returns its id or -1. */
long long	 outbox_push(struct outbox *, const char *sender,
		    const char *rcpt, const char *subject,
		    const char *message, time_t now);
/* Up to max queued mails due at now, oldest first; returns how many. */
size_t		 outbox_due(struct outbox *, time_t now,
		    struct outbox_mail *out, size_t max);
void		 outbox_mail_free(struct outbox_mail *);
/* 1 and *when when a mail is still queued, 0 when none, -1 on error. */
int		 outbox_next_due(struct outbox *, time_t *when);

int		 outbox_sent(struct outbox *, long long id, time_t now,
		    const char *answer);
/* Count an attempt and plan the next one; gives up after GIVE_UP_S. */
int		 outbox_retry(struct outbox *, long long id, time_t now,
		    const char *error);
int		 outbox_failed(struct outbox *, long long id, time_t now,
		    const char *error);

/* Seconds to wait after the given number of failed attempts. */
long		 outbox_backoff(const struct outbox *, int attempts);

/* Rows for listing: status NULL = every row; newest first, at most max. */
size_t		 outbox_list(struct outbox *, const char *status,
		    struct outbox_row *out, size_t max);
void		 outbox_row_free(struct outbox_row *);

#endif
