/*
 * report_monthly.h -- the daemon's side of `[site] report = monthly`:
 * from the 1st of each month at 06:00 (daemon time) every such site's
 * client addresses get the past month's report (report_mail.c), once:
 * the store's record of reports sent is claimed in the transaction that
 * queues the mails, so neither a restart nor a second node sends it again.
 * A daemon that was down on the 1st sends it when it comes back.
 */
#ifndef REPORT_MONTHLY_H
#define REPORT_MONTHLY_H

struct config;
struct event_base;
struct report_monthly;

/* Called on the loop when mails were queued (to wake the mailer). */
typedef void	(*report_monthly_cb)(void *arg);

struct report_monthly	*report_monthly_start(struct event_base *,
			    const struct config *, report_monthly_cb, void *);
/* The next look uses cfg. */
void			 report_monthly_reload(struct report_monthly *,
			    const struct config *);
/* Nonzero when no job of it points into cfg (the daemon may free it). */
int			 report_monthly_config_unused(
			    const struct report_monthly *,
			    const struct config *);
/* Lets a running job end, drops the rest. */
void			 report_monthly_stop(struct report_monthly *);

#endif
