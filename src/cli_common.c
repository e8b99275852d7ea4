/*
 * cli_common.c -- what every verb of the staff tool shares.
 */
#include <stdio.h>
#include <time.h>

#include <jansson.h>

#include "cli.h"
#include "config.h"
#include "report.h"
#include "store.h"
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

void
cli_queue_print(const struct mail_row *rows, size_t n, int json, int channels)
{
	const char	*who_key = channels ? "channel" : "to";
	const char	*what_key = channels ? "event" : "subject";
	json_t		*arr;
	char		 t1[32], t2[32];
	size_t		 i;

	if (json) {
		arr = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(arr, json_pack("{s:I, s:s, s:s, "
			    "s:s, s:i, s:s, s:s, s:s}",
			    "id", (json_int_t)rows[i].id,
			    who_key, channels ? rows[i].channel : rows[i].rcpt,
			    what_key, rows[i].subject,
			    "status", rows[i].status,
			    "attempts", rows[i].attempts,
			    "created_at", util_iso8601(rows[i].created_at, t1,
			    sizeof t1),
			    "next_attempt_at", util_iso8601(
			    rows[i].next_attempt_at, t2, sizeof t2),
			    "last_error", rows[i].last_error));
		json_dumpf(arr, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(arr);
		return;
	}
	printf("%-6s %-7s %-3s %-20s %-*s %s\n", "ID", "STATUS", "TRY",
	    "CREATED", channels ? 20 : 28, channels ? "CHANNEL" : "TO",
	    channels ? "EVENT / LAST ANSWER" : "SUBJECT / LAST ANSWER");
	for (i = 0; i < n; i++)
		printf("%-6lld %-7s %-3d %-20s %-*s %s\n    %s\n", rows[i].id,
		    rows[i].status, rows[i].attempts,
		    util_iso8601(rows[i].created_at, t1, sizeof t1),
		    channels ? 20 : 28, channels ? rows[i].channel :
		    rows[i].rcpt, rows[i].subject, rows[i].last_error);
}
