/*
 * cli_common.c -- what every verb of the staff tool shares.
 */
#include <stdio.h>

#include "cli.h"
#include "config.h"

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
