/*
 * report_mail.h -- the report a site's clients get each month: per check
 * the period's uptime (maintenance excluded, unknown apart), incidents
 * with start and duration, mean and p95 load time, in the site's
 * language, with a PNG graph of the period per check attached.
 */
#ifndef REPORT_MAIL_H
#define REPORT_MAIL_H

#include <stddef.h>
#include <time.h>

#include "util.h"

struct config;
struct site_conf;
struct mail_row;
struct store;

/*
 * The calendar month before the one holding now, in the daemon's local
 * time: [*start, *end) and its name "2026-11" (key, at least 8 bytes).
 */
void	report_mail_last_month(time_t now, time_t *start, time_t *end,
	    char *key, size_t keylen);

/*
 * The site's checks by id ("shop" for checks.d/shop.conf) or by name; NULL
 * when there is no such site.
 */
const struct site_conf *report_mail_site(const struct config *,
	    const char *which);

/*
 * Compose the report of site over [start, end) for each of its client
 * addresses (or only for `to` when not NULL) and queue one message a
 * recipient in st's mail queue, in one transaction.  When rows is not
 * NULL the queued rows go there (allocated, *nrows of them; free each
 * with mail_row_free).
 *
 * With claim (a period's name, "2026-11") the same transaction claims
 * (site, claim) in the store's record of reports sent first: a report
 * some node already sent is not sent again, and a period without a
 * single measured second is recorded but not mailed.
 *
 * Returns REPORT_MAIL_QUEUED, _ALREADY or _EMPTY, or -1 with a message in
 * err (unreadable templates, no address, a failed queue write: then
 * nothing is queued or recorded).
 */
#define REPORT_MAIL_QUEUED	0
#define REPORT_MAIL_ALREADY	1
#define REPORT_MAIL_EMPTY	2
int	report_mail_queue(const struct config *, const struct site_conf *site,
	    struct store *st, time_t start, time_t end, time_t now,
	    const char *to, const char *claim, struct mail_row **rows,
	    size_t *nrows, char *err, size_t errlen);

/* Load and check every language's report.txt (for sitewatchd -t). */
int	report_mail_check_templates(const struct config *, struct errlist *);

#endif
