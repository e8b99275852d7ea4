/*
 * ticket_update.h -- a public update on a ticket (`sitewatch ticket
 * update`, POST /api/v1/tickets/ID/update): an event of kind "update" on
 * its timeline and a mail to each client address of its site, in the
 * site's language (templates/mail/<lang>/update.txt).
 *
 * Internal notes (kind "note") never go this way: only an update is
 * shown to clients, on their status page and in their mail.
 */
#ifndef TICKET_UPDATE_H
#define TICKET_UPDATE_H

#include <stddef.h>
#include <time.h>

struct config;
struct errlist;
struct store;

/* The longest update text, in bytes (the store keeps notes as long). */
#define TICKET_UPDATE_MAX	4096

/*
 * What posting an update needs of the config (templates, sender,
 * signature, sites and which site each check belongs to), copied: a web
 * worker may still run after a reload freed the config.
 */
struct update_conf;
struct update_conf	*update_conf_new(const struct config *);
void			 update_conf_free(struct update_conf *);

/*
 * Post one update: the event and its mails (one queue row a client
 * address) in one transaction, so an update is never mailed without
 * being on the timeline, nor mailed twice.  Returns a store.h code:
 * STORE_NOTFOUND, STORE_INVALID (a bad name or text, err says),
 * STORE_ERROR (the database, or a template that cannot be read).
 * *nmails is the number of mails queued.
 */
int	ticket_update_post(struct store *, const struct update_conf *,
	    long long id, const char *by, const char *text, time_t at,
	    size_t *nmails, char *err, size_t errlen);

/* ---- subscribers: the status page's form ---- */

/* Unconfirmed subscriptions are forgotten after this long. */
#define SUBSCRIBE_FORGET_S	(7 * 86400)
/* One address may ask again (a new confirmation mail) after this long. */
#define SUBSCRIBE_AGAIN_S	600

/*
 * Whether s is an address we mail: one '@', a local part and a dotted
 * domain of printable ASCII, no blank, quote, angle bracket or control
 * byte (so it cannot add a header or a recipient), at most 254 bytes.
 */
int	subscribe_email_ok(const char *s);
/*
 * Ask for email to follow site_id's incidents: forget the unconfirmed
 * past SUBSCRIBE_FORGET_S, record the request with a new random token
 * and queue the confirmation mail (templates/mail/LANG/subscribe.txt:
 * its link is public_url/status/confirm?token=...).  STORE_OK: mailed;
 * STORE_INVALID: confirmed already (nothing mailed: say the same as for
 * OK); STORE_CONFLICT: asked again too soon; STORE_NOTFOUND: no site.
 */
int	subscribe_request(struct store *, const struct update_conf *,
	    const char *site_id, const char *email, time_t now, char *err,
	    size_t errlen);
/* The name and language of site id; NULL when there is none. */
const char	*update_site_name(const struct update_conf *, const char *id,
		    const char **lang);

/* Check update.txt of every language (sitewatchd -t); -1 on an error. */
int	ticket_update_check_templates(const struct config *,
	    struct errlist *);

#endif
