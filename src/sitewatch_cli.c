/*
 * sitewatch_cli.c -- `sitewatch [-c FILE] VERB ...`, the staff tool.
 *
 * It reads the same config, database and RRD files as the daemon and
 * works whether or not the daemon runs.  This file only finds the verb;
 * each verb lives in its own cli_<verb>.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "log.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

static const struct verb {
	const char	*name;
	int		(*fn)(struct cli *, int, char **);
	const char	*usage;
} verbs[] = {
	{ "check", cli_check, "check NAME|URL [--json]" },
	{ "status", cli_status, "status [--json]" },
	{ "tickets", cli_tickets, "tickets [--open|--all] [--json]" },
	{ "ticket", cli_ticket,
	    "ticket show|ack|note|update|resolve ID [--by NAME] [--note TEXT] [--json]" },
	{ "graph", cli_graph,
	    "graph CHECK [--period P|--start T --end T] [--metric M] "
	    "[--format png|svg] -o FILE" },
	{ "report", cli_report,
	    "report [CHECK...|--support] [--period P|--start T --end T] [--csv|--json]" },
	{ "mail-test", cli_mail_test, "mail-test ADDRESS" },
	{ "report-mail", cli_report_mail,
	    "report-mail SITE [--period month|--start T --end T] "
	    "[--to ADDRESS]" },
	{ "notify-test", cli_notify_test, "notify-test NAME" },
	{ "notify-queue", cli_notify_queue, "notify-queue [--json]" },
	{ "migrate", cli_migrate, "migrate --to URI [--force]" },
	{ "nodes", cli_nodes, "nodes [--json]" },
	{ "user", cli_user,
	    "user add NAME [--role staff|viewer] --password-stdin | del NAME" },
	{ "users", cli_users, "users [--json]" },
};

static void
usage(FILE *f)
{
	size_t	i;

	fprintf(f, "usage: sitewatch [-v] [-c FILE] VERB ...\n");
	for (i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		fprintf(f, "       sitewatch %s\n", verbs[i].usage);
	fprintf(f, "       sitewatch --help | --version\n"
	    "FILE defaults to $SITEWATCH_CONF, else %s\n", DEFAULT_CONFIG);
}

/*
 * $SITEWATCH_CONF, then the installed file.  Not ./sitewatch.conf: a
 * staff member's command must not read another configuration because of
 * the folder it was typed in (the source tree ships one).
 */
static const char *
default_config(void)
{
	const char	*env;

	if ((env = getenv("SITEWATCH_CONF")) != NULL && *env != '\0')
		return env;
	return DEFAULT_CONFIG;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli	 cli = { NULL, NULL };
	size_t		 i;
	int		 ch, rc;

	log_init("sitewatch", 1, 0);
	/* '+' stops at the verb: the verb parses its own options. */
	while ((ch = getopt_long(argc, argv, "+c:hv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			cli.config_path = optarg;
			break;
		case 'v':
			log_set_verbose(1);
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("sitewatch %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 3;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		usage(stderr);
		return 3;
	}
	if (cli.config_path == NULL)
		cli.config_path = default_config();
	for (i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
		if (strcmp(argv[0], verbs[i].name) != 0)
			continue;
		/*
		 * 0, not 1: glibc then forgets the "+" (stop at the verb) of
		 * the parse above, so each verb's options may stand anywhere.
		 */
		optind = 0;
		rc = verbs[i].fn(&cli, argc, argv);
		if (cli.config != NULL)
			config_free(cli.config);
		return rc;
	}
	fprintf(stderr, "sitewatch: unknown verb: %s\n", argv[0]);
	usage(stderr);
	return 3;
}
