/*
 * report_monthly.c -- when the clients' monthly reports are due, compose
 * and queue them off the loop (see report_monthly.h).
 *
 * The loop looks every few minutes (and soon after start, so a daemon
 * down on the 1st catches up); a job on its own bio queue does the work:
 * reading RRD files, drawing the graphs and writing the store may take
 * seconds.  Sites done this month are remembered in memory so the store
 * is asked once per site and month per start; the store's record is
 * what makes it once in all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "bio.h"
#include "config.h"
#include "log.h"
#include "report_mail.h"
#include "report_monthly.h"
#include "store.h"
#include "xmalloc.h"

#define FIRST_LOOK_S	5	/* after start */
#define LOOK_EVERY_S	300
#define SEND_HOUR	6	/* on the 1st, daemon time */

struct report_monthly {
	const struct config	*cfg;
	const struct config	*running;	/* the job's config, or NULL */
	struct bio		*bio;
	struct event		*ev;
	report_monthly_cb	 cb;
	void			*arg;
	char			 key[16];	/* the period done[] is for */
	char			**done;		/* site ids */
	size_t			 ndone;
};

struct monthly_job {
	struct report_monthly	*rm;
	const struct config	*cfg;
	const struct site_conf	**sites;
	int			*rc;
	size_t			 n;
	time_t			 start;
	time_t			 end;
	char			 key[16];
	char			 err[256];
};

static const char *
site_key(const struct site_conf *s)
{
	return s->id != NULL ? s->id : s->name;
}

static int
is_done(const struct report_monthly *rm, const char *id)
{
	size_t	i;

	for (i = 0; i < rm->ndone; i++)
		if (strcmp(rm->done[i], id) == 0)
			return 1;
	return 0;
}

static void
forget_done(struct report_monthly *rm)
{
	size_t	i;

	for (i = 0; i < rm->ndone; i++)
		free(rm->done[i]);
	free(rm->done);
	rm->done = NULL;
	rm->ndone = 0;
}

/* On the job's thread: one store connection for the job's sites. */
static void
monthly_work(void *arg)
{
	struct monthly_job	*j = arg;
	struct store		*st;
	char			*where, err[256];
	size_t			 i;

	where = store_where(j->cfg->database, j->cfg->state_dir);
	st = store_open(where, STORE_DURABLE, j->err, sizeof j->err);
	free(where);
	for (i = 0; i < j->n; i++) {
		if (st == NULL) {
			j->rc[i] = -1;
			continue;
		}
		j->rc[i] = report_mail_queue(j->cfg, j->sites[i], st,
		    j->start, j->end, time(NULL), NULL, j->key, NULL, NULL,
		    err, sizeof err);
		if (j->rc[i] == -1)
			log_warn("report %s for %s: %s", j->key,
			    j->sites[i]->name, err);
	}
	if (st != NULL)
		store_close(st);
}

/* On the loop. */
static void
monthly_done(void *arg, int cancelled)
{
	struct monthly_job	*j = arg;
	struct report_monthly	*rm = j->rm;
	size_t			 i, queued = 0;

	rm->running = NULL;
	if (cancelled)
		return;
	if (j->rc[0] == -1 && j->err[0] != '\0')
		log_warn("reports %s: %s", j->key, j->err);
	for (i = 0; i < j->n; i++) {
		if (j->rc[i] == -1)
			continue;	/* tried again at the next look */
		if (strcmp(rm->key, j->key) == 0) {
			rm->done = xappendarray(rm->done, rm->ndone,
			    sizeof *rm->done);
			rm->done[rm->ndone++] = xstrdup(site_key(j->sites[i]));
		}
		if (j->rc[i] == REPORT_MAIL_QUEUED) {
			log_info("report %s for %s queued for its clients",
			    j->key, j->sites[i]->name);
			queued++;
		} else if (j->rc[i] == REPORT_MAIL_ALREADY)
			log_info("report %s for %s: sent already", j->key,
			    j->sites[i]->name);
		else if (j->rc[i] == REPORT_MAIL_EMPTY)
			log_info("report %s for %s: nothing measured, not "
			    "sent", j->key, j->sites[i]->name);
	}
	if (queued > 0 && rm->cb != NULL)
		rm->cb(rm->arg);
}

static void
monthly_free(void *arg)
{
	struct monthly_job	*j = arg;

	free(j->sites);
	free(j->rc);
	free(j);
}

static void
monthly_look(evutil_socket_t fd, short what, void *arg)
{
	struct report_monthly	*rm = arg;
	const struct config	*cfg = rm->cfg;
	struct monthly_job	*j;
	struct timeval		 tv = { LOOK_EVERY_S, 0 };
	struct tm		 tm;
	time_t			 now = time(NULL);
	char			 key[16];
	size_t			 i;

	(void)fd;
	(void)what;
	evtimer_add(rm->ev, &tv);
	if (rm->running != NULL)
		return;
	localtime_r(&now, &tm);
	if (tm.tm_mday == 1 && tm.tm_hour < SEND_HOUR)
		return;
	j = xcalloc(1, sizeof *j);
	report_mail_last_month(now, &j->start, &j->end, key, sizeof key);
	if (strcmp(key, rm->key) != 0) {
		forget_done(rm);
		snprintf(rm->key, sizeof rm->key, "%s", key);
	}
	snprintf(j->key, sizeof j->key, "%s", key);
	for (i = 0; i < cfg->nsites; i++) {
		const struct site_conf *s = cfg->sites[i];

		if (!s->report || s->nclient_emails == 0 ||
		    is_done(rm, site_key(s)))
			continue;
		j->sites = xappendarray(j->sites, j->n, sizeof *j->sites);
		j->sites[j->n++] = s;
	}
	if (j->n == 0) {
		monthly_free(j);
		return;
	}
	j->rm = rm;
	j->cfg = cfg;
	j->rc = xcalloc(j->n, sizeof *j->rc);
	if (bio_submit(rm->bio, monthly_work, monthly_done, monthly_free, j,
	    0) == -1) {
		monthly_free(j);
		return;
	}
	rm->running = cfg;
}

struct report_monthly *
report_monthly_start(struct event_base *base, const struct config *cfg,
    report_monthly_cb cb, void *arg)
{
	struct report_monthly	*rm;
	struct timeval		 tv = { FIRST_LOOK_S, 0 };

	rm = xcalloc(1, sizeof *rm);
	rm->cfg = cfg;
	rm->cb = cb;
	rm->arg = arg;
	rm->bio = bio_new(base, "reports", 1);
	rm->ev = evtimer_new(base, monthly_look, rm);
	evtimer_add(rm->ev, &tv);
	return rm;
}

void
report_monthly_reload(struct report_monthly *rm, const struct config *cfg)
{
	rm->cfg = cfg;
}

int
report_monthly_config_unused(const struct report_monthly *rm,
    const struct config *cfg)
{
	return rm == NULL || rm->running != cfg;
}

void
report_monthly_stop(struct report_monthly *rm)
{
	if (rm == NULL)
		return;
	event_free(rm->ev);
	bio_free(rm->bio, BIO_CANCEL);
	forget_done(rm);
	free(rm);
}
