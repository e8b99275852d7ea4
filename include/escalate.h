/*
 * escalate.h -- [smtp] escalate: a critical ticket nobody acknowledged
 * is mailed to the next level once its time came, once per level.
 *
 * Each (ticket, level) is claimed in the store (store_claim_once) in the
 * transaction that queues its mail, so a restart or a second node never
 * sends a level twice; every level whose time came is sent, so a daemon
 * that was down past two levels sends both when it returns (none is
 * skipped).  Acknowledging stops the levels still to come.
 */
#ifndef ESCALATE_H
#define ESCALATE_H

struct config;
struct errlist;
struct event_base;
struct escalate;

/* Called on the loop when mails were queued (to wake the mailer). */
typedef void	(*escalate_cb)(void *arg);

struct escalate	*escalate_start(struct event_base *, const struct config *,
		    escalate_cb, void *);
void		 escalate_reload(struct escalate *, const struct config *);
int		 escalate_config_unused(const struct escalate *,
		    const struct config *);
void		 escalate_stop(struct escalate *);
/* Load and check templates/mail/en/escalation.txt (for sitewatchd -t). */
int		 escalate_check_templates(const struct config *,
		    struct errlist *);

#endif
