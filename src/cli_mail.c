/*
 * cli_mail.c -- `sitewatch mail-test ADDRESS`: compose one test message
 * and send it through the configured path (SMTP or the .eml outbox) now,
 * printing what the server said.  `sitewatch mail-test --queue [--json]`
 * lists the newest rows of the mail queue instead.
 *
 * The test message goes through the outbox table like every other mail,
 * so it shows in the listing; it is tried once and never retried.
 */
#include <sys/stat.h>

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


#include "cli.h"
#include "config.h"
#include "mailer.h"
#include "mime.h"
#include "store.h"
#include "xmalloc.h"

#define QUEUE_ROWS	50

static const char test_subject[] = "sitewatch test mail / deneme e-postası";

/* List the newest rows of the queue. */
static int
mail_queue(struct store *ob, int json)
{
	struct mail_row		 rows[QUEUE_ROWS];
	size_t			 n, i;

	n = store_mail_list(ob, NULL, rows, QUEUE_ROWS);
	cli_queue_print(rows, n, json, 0);
	for (i = 0; i < n; i++)
		mail_row_free(&rows[i]);
	return 0;
}

/* Compose the test message for rcpt. */
static void
mail_compose(const struct config *cfg, const char *rcpt, struct buf *msg)
{
	struct mime_msg	 m;
	struct buf	 body;
	char		 host[256], when[32];
	const char	*to[1];

	if (gethostname(host, sizeof host) == -1)
		strcpy(host, "?");
	host[sizeof host - 1] = '\0';
	buf_init(&body);
	buf_printf(&body,
	    "This is a test message from sitewatch on %s, sent %s.\n"
	    "If you can read it, staff and client alerts will reach you.\n"
	    "\n"
	    "Bu, %s üzerindeki sitewatch'tan gönderilen bir deneme "
	    "e-postasıdır.\n"
	    "Bunu okuyabiliyorsanız uyarılar size ulaşacak: çğıİöşü.\n",
	    host, util_iso8601(time(NULL), when, sizeof when), host);
	memset(&m, 0, sizeof m);
	to[0] = rcpt;
	m.from = cfg->smtp.from != NULL ? cfg->smtp.from : "sitewatch";
	m.to = to;
	m.nto = 1;
	m.subject = test_subject;
	m.body = body.data;
	m.date = time(NULL);
	mime_build(&m, msg);
	buf_free(&body);
}

int
cli_mail_test(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "queue", no_argument, NULL, 'q' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct config		*cfg;
	struct store		*ob = NULL;
	struct mail_row		 mail;
	struct mailer_conf	*mc = NULL;
	struct mail_job		 job;
	struct buf		 msg;
	char			*db, *sender = NULL, *rcpt = NULL, err[512];
	int			 ch, queue = 0, json = 0, rc = 1;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'q':
			queue = 1;
			break;
		case 'j':
			json = 1;
			break;
		default:
			goto usage;
		}
	}
	if (queue ? optind != argc : optind != argc - 1)
		goto usage;
	if ((cfg = cli_config(cli)) == NULL)
		return 3;
	/* libesmtp writes to sockets the server may have closed. */
	signal(SIGPIPE, SIG_IGN);
	(void)mkdir(cfg->state_dir, 0750);
	db = store_where(cfg->database, cfg->state_dir);
	ob = store_open(db, STORE_DURABLE, err, sizeof err);
	free(db);
	if (ob == NULL) {
		fprintf(stderr, "sitewatch: mail queue: %s\n", err);
		return 3;
	}
	if (queue) {
		rc = mail_queue(ob, json);
		store_close(ob);
		return rc;
	}

	rcpt = mime_addr_spec(argv[optind]);
	if (*rcpt == '\0' || strchr(rcpt, '@') == NULL) {
		fprintf(stderr, "sitewatch: mail-test: not an address: %s\n",
		    argv[optind]);
		rc = 3;
		goto out;
	}
	buf_init(&msg);
	mail_compose(cfg, argv[optind], &msg);
	sender = mime_addr_spec(cfg->smtp.from != NULL ? cfg->smtp.from :
	    "");
	memset(&mail, 0, sizeof mail);
	mail.sender = sender;
	mail.rcpt = rcpt;
	mail.message = msg.data;
	mail.created_at = time(NULL);
	if ((mail.id = store_mail_push(ob, sender, rcpt, test_subject, msg.data,
	    mail.created_at)) == -1) {
		fprintf(stderr, "sitewatch: mail-test: cannot queue\n");
		buf_free(&msg);
		goto out;
	}
	memset(&job, 0, sizeof job);
	job.mail = &mail;
	mc = mailer_conf_new(cfg);
	mailer_deliver(mc, &job, 1);
	if (job.result == MAIL_SENT) {
		store_mail_sent(ob, mail.id, time(NULL), job.answer);
		printf("mail %lld to %s: %s %s\n", mail.id, rcpt,
		    mc->host != NULL ? "sent:" : "written to", job.answer);
		rc = 0;
	} else {
		/* A test is not retried: staff see the answer right now. */
		store_mail_failed(ob, mail.id, time(NULL), job.answer);
		fprintf(stderr, "mail %lld to %s: %s: %s\n", mail.id, rcpt,
		    job.result == MAIL_TEMPFAIL ? "temporary failure" :
		    "refused", job.answer);
		rc = job.result == MAIL_TEMPFAIL ? 1 : 2;
	}
	buf_free(&msg);
out:
	mailer_conf_free(mc);
	free(sender);
	free(rcpt);
	store_close(ob);
	return rc;
usage:
	fprintf(stderr, "usage: sitewatch mail-test ADDRESS\n"
	    "       sitewatch mail-test --queue [--json]\n");
	return 3;
}
