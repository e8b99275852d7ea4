/*
 * cli_notify.c -- `sitewatch notify-test NAME`: send one test message to
 * the channel [notify NAME] now and print the HTTP result;
 * `sitewatch notify-queue [--json]`: the newest notifications in the
 * persistent queue, delivered, waiting and failed.
 *
 * The test message goes through the queue like every notification, so it
 * shows in the listing; it is tried once and never retried.  No url,
 * token or secret is ever printed.
 */
#include <sys/stat.h>

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "cli.h"
#include "config.h"
#include "hook.h"
#include "store.h"
#include "util.h"
#include "xmalloc.h"

#define QUEUE_ROWS	50

static struct store *
open_queue(const struct config *cfg)
{
	struct store	*s;
	char		*db, err[512];

	/* A first run before the daemon's: SQLite needs the folder. */
	(void)mkdir(cfg->state_dir, 0750);
	db = store_where(cfg->database, cfg->state_dir);
	s = store_open(db, STORE_DURABLE, err, sizeof err);
	free(db);
	if (s == NULL)
		fprintf(stderr, "sitewatch: notify queue: %s\n", err);
	return s;
}

int
cli_notify_queue(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct config	*cfg;
	struct store	*s;
	struct mail_row	 rows[QUEUE_ROWS];
	size_t		 n, i;
	int		 ch, json = 0;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch != 'j')
			goto usage;
		json = 1;
	}
	if (optind != argc)
		goto usage;
	if ((cfg = cli_config(cli)) == NULL)
		return 3;
	if ((s = open_queue(cfg)) == NULL)
		return 3;
	n = store_hook_list(s, NULL, rows, QUEUE_ROWS);
	cli_queue_print(rows, n, json, 1);
	for (i = 0; i < n; i++)
		mail_row_free(&rows[i]);
	store_close(s);
	return 0;
usage:
	fprintf(stderr, "usage: sitewatch notify-queue [--json]\n");
	return 3;
}

int
cli_notify_test(struct cli *cli, int argc, char **argv)
{
	const struct notify_conf	*nc;
	struct config			*cfg;
	struct store			*s;
	struct hook_check		 hc;
	struct hook_msg			 m;
	struct hook_job			 job;
	struct mail_row			 row;
	char				 host[256], when[32], *title, *text;
	char				**bodies;
	size_t				 nb, i;
	int				 rc = 1;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: sitewatch notify-test NAME\n");
		return 3;
	}
	if ((cfg = cli_config(cli)) == NULL)
		return 3;
	if ((nc = config_find_notify(cfg, argv[1])) == NULL) {
		fprintf(stderr, "sitewatch: notify-test: no [notify %s] in "
		    "%s\n", argv[1], cfg->path);
		return 3;
	}
	signal(SIGPIPE, SIG_IGN);
	if (curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK)
		return 3;
	if ((s = open_queue(cfg)) == NULL)
		return 3;
	if (gethostname(host, sizeof host) == -1)
		strcpy(host, "?");
	host[sizeof host - 1] = '\0';
	xasprintf(&title, "TEST: sitewatch on %s", host);
	xasprintf(&text, "This is a test message from sitewatch on %s, sent "
	    "%s, to the channel %s (%s). If you can read it, alerts will "
	    "reach you here.", host, util_iso8601(time(NULL), when,
	    sizeof when), nc->name, notify_type_name(nc->type));
	memset(&hc, 0, sizeof hc);
	hc.name = "sitewatch-test";
	hc.site = host;
	hc.url = "";
	hc.state = "up";
	hc.message = "a test message";
	hc.downtime_s = -1;
	memset(&m, 0, sizeof m);
	m.event = "test";
	m.at = time(NULL);
	m.title = title;
	m.text = text;
	m.checks = &hc;
	m.nchecks = 1;
	nb = hook_bodies(nc, &m, &bodies);
	for (i = 0; i < nb; i++) {
		memset(&row, 0, sizeof row);
		row.channel = nc->name;
		row.subject = (char *)"test";
		row.message = bodies[i];
		row.created_at = time(NULL);
		if ((row.id = store_hook_push(s, nc->name, "test", bodies[i],
		    row.created_at)) == -1) {
			fprintf(stderr, "sitewatch: notify-test: cannot "
			    "queue\n");
			rc = 3;
			break;
		}
		memset(&job, 0, sizeof job);
		job.row = &row;
		job.nc = nc;
		hook_deliver(&job, 1, NULL, NULL);
		if (job.verdict == HOOK_SENT) {
			store_mail_sent(s, row.id, time(NULL), job.answer);
			printf("notify %lld to %s (%s): sent: %s\n", row.id,
			    nc->name, notify_type_name(nc->type), job.answer);
			rc = 0;
		} else {
			/* A test is not retried: staff see it right now. */
			store_mail_failed(s, row.id, time(NULL), job.answer);
			fprintf(stderr, "notify %lld to %s (%s): %s: %s\n",
			    row.id, nc->name, notify_type_name(nc->type),
			    job.verdict == HOOK_RETRY ?
			    "temporary failure" : "refused", job.answer);
			rc = job.verdict == HOOK_RETRY ? 1 : 2;
		}
	}
	for (i = 0; i < nb; i++)
		free(bodies[i]);
	free(bodies);
	free(title);
	free(text);
	store_close(s);
	curl_global_cleanup();
	return rc;
}
