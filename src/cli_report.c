/* cli_report.c -- STUB: `sitewatch report`. */
#include <stdio.h>

#include "cli.h"

int
cli_report(struct cli *cli, int argc, char **argv)
{
	fprintf(stderr, "sitewatch: report: not built yet\n");
	return 3;
}
