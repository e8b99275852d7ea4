/* cli_check.c -- STUB: `sitewatch check`. */
#include <stdio.h>

#include "cli.h"

int
cli_check(struct cli *cli, int argc, char **argv)
{
	fprintf(stderr, "sitewatch: check: not built yet\n");
	return 3;
}
