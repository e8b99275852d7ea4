/*
 * cli_report_mail.c -- `sitewatch report-mail SITE [--period month|--start
 * T --end T] [--to ADDRESS]`: the clients' report of a site, now.
 *
 * The default period is the past calendar month (what the daemon sends
 * on the 1st); --period month is the last 30 days, as for `report`.  The
 * mails are queued first and then tried at once: one the server does not
 * take now stays queued for the daemon to retry, so it is never lost.
 *
 * Exit status: 0 every mail sent (or written to outbox/ without a relay);
 * 1 some stay queued; 2 a server refused one; 3 bad arguments, site,
 * templates or database.
 */
#include <sys/stat.h>

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "config.h"
#include "mailer.h"
#include "report_mail.h"
#include "store.h"
#include "xmalloc.h"

#define REPORT_MAIL_USAGE "usage: sitewatch report-mail SITE " \
	"[--period month|--start T --end T] [--to ADDRESS]\n"

/* Try each queued row now; returns the exit status. */
static int
send_now(const struct config *cfg, struct store *db, struct mail_row *rows,
    size_t n)
{
	struct mailer_conf	*mc;
	struct mail_job		 job;
	size_t			 i;
	int			 rc = 0;

	mc = mailer_conf_new(cfg);
	for (i = 0; i < n; i++) {
		memset(&job, 0, sizeof job);
		job.mail = &rows[i];
		mailer_deliver(mc, &job, 1);
		if (job.result == MAIL_SENT) {
			store_mail_sent(db, rows[i].id, time(NULL), job.answer);
			printf("mail %lld to %s: %s %s\n", rows[i].id,
			    rows[i].rcpt, mc->host != NULL ? "sent:" :
			    "written to", job.answer);
		} else if (job.result == MAIL_TEMPFAIL) {
			store_mail_retry(db, rows[i].id, time(NULL),
			    job.answer);
			printf("mail %lld to %s: queued, the daemon retries "
			    "(%s)\n", rows[i].id, rows[i].rcpt, job.answer);
			if (rc == 0)
				rc = 1;
		} else {
			store_mail_failed(db, rows[i].id, time(NULL),
			    job.answer);
			fprintf(stderr, "mail %lld to %s: refused: %s\n",
			    rows[i].id, rows[i].rcpt, job.answer);
			rc = 2;
		}
	}
	mailer_conf_free(mc);
	return rc;
}

int
cli_report_mail(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "period", required_argument, NULL, 'p' },
		{ "start", required_argument, NULL, 's' },
		{ "end", required_argument, NULL, 'e' },
		{ "to", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const struct site_conf	*site;
	struct config		*cfg;
	struct store		*db;
	const char		*period = NULL, *sstart = NULL, *send = NULL;
	const char		*to = NULL;
	struct mail_row		*rows = NULL;
	size_t			 nrows = 0, i;
	time_t			 now = time(NULL), start, end;
	char			*where, err[512], key[16];
	int			 ch, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "p:s:e:t:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			period = optarg;
			break;
		case 's':
			sstart = optarg;
			break;
		case 'e':
			send = optarg;
			break;
		case 't':
			to = optarg;
			break;
		case 'h':
			fputs(REPORT_MAIL_USAGE, stdout);
			return 0;
		default:
			fputs(REPORT_MAIL_USAGE, stderr);
			return 3;
		}
	}
	if (optind != argc - 1) {
		fputs(REPORT_MAIL_USAGE, stderr);
		return 3;
	}
	if (period == NULL && sstart == NULL && send == NULL)
		report_mail_last_month(now, &start, &end, key, sizeof key);
	else if (cli_range("report-mail", &period, sstart, send, now, &start,
	    &end) == -1)
		return 3;
	if ((cfg = cli_config(cli)) == NULL)
		return 3;
	if ((site = report_mail_site(cfg, argv[optind])) == NULL) {
		fprintf(stderr, "sitewatch: report-mail: no site %s (a "
		    "checks.d file name without .conf, or a [site] name)\n",
		    argv[optind]);
		return 3;
	}
	signal(SIGPIPE, SIG_IGN);
	(void)mkdir(cfg->state_dir, 0750);
	where = store_where(cfg->database, cfg->state_dir);
	db = store_open(where, STORE_DURABLE, err, sizeof err);
	free(where);
	if (db == NULL) {
		fprintf(stderr, "sitewatch: report-mail: %s\n", err);
		return 3;
	}
	if (report_mail_queue(cfg, site, db, start, end, now, to, NULL, &rows,
	    &nrows, err, sizeof err) == -1) {
		fprintf(stderr, "sitewatch: report-mail: %s\n", err);
		rc = 3;
	} else
		rc = send_now(cfg, db, rows, nrows);
	for (i = 0; i < nrows; i++)
		mail_row_free(&rows[i]);
	free(rows);
	store_close(db);
	return rc;
}
