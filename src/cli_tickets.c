/* cli_tickets.c -- STUB: `sitewatch tickets` and `sitewatch ticket`. */
#include <stdio.h>

#include "cli.h"

int
cli_tickets(struct cli *cli, int argc, char **argv)
{
	fprintf(stderr, "sitewatch: tickets: not built yet\n");
	return 3;
}

int
cli_ticket(struct cli *cli, int argc, char **argv)
{
	fprintf(stderr, "sitewatch: ticket: not built yet\n");
	return 3;
}
