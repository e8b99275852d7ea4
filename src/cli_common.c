/*
 * cli_common.c -- what every verb of the staff tool shares.
 */
#include <stdio.h>
#include <time.h>

#include "cli.h"
#include "config.h"
#include "report.h"
#include "util.h"

struct config *
cli_config(struct cli *cli)
{
	struct errlist	errs;
	size_t		i;

	if (cli->config != NULL)
		return cli->config;
	errlist_init(&errs);
	cli->config = config_load(cli->config_path, &errs);
	for (i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.lines[i]);
	errlist_free(&errs);
	return cli->config;
}

int
cli_range(const char *verb, const char **period, const char *sstart,
    const char *send, time_t now, time_t *start, time_t *end)
{
	if (*period != NULL && (sstart != NULL || send != NULL)) {
		fprintf(stderr, "sitewatch: %s: --period or --start/--end, "
		    "not both\n", verb);
		return -1;
	}
	if (sstart != NULL || send != NULL) {
		*end = now;
		if (send != NULL && util_parse_time(send, end) == -1) {
			fprintf(stderr, "sitewatch: %s: bad time: %s\n", verb,
			    send);
			return -1;
		}
		*start = *end - 86400;
		if (sstart != NULL && util_parse_time(sstart, start) == -1) {
			fprintf(stderr, "sitewatch: %s: bad time: %s\n", verb,
			    sstart);
			return -1;
		}
		if (*end <= *start) {
			fprintf(stderr, "sitewatch: %s: --end must come "
			    "after --start\n", verb);
			return -1;
		}
		return 0;
	}
	if (*period == NULL)
		*period = "day";
	if (report_period(*period, now, start, end) == -1) {
		fprintf(stderr, "sitewatch: %s: unknown period: %s "
		    "(day, week, month, year)\n", verb, *period);
		return -1;
	}
	return 0;
}
