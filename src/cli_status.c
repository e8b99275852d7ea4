/* cli_status.c -- STUB: `sitewatch status`. */
#include <stdio.h>

#include "cli.h"

int
cli_status(struct cli *cli, int argc, char **argv)
{
	fprintf(stderr, "sitewatch: status: not built yet\n");
	return 3;
}
