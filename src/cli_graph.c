/* cli_graph.c -- STUB: `sitewatch graph`. */
#include <stdio.h>

#include "cli.h"

int
cli_graph(struct cli *cli, int argc, char **argv)
{
	fprintf(stderr, "sitewatch: graph: not built yet\n");
	return 3;
}
