/* cli_mail.c -- STUB: `sitewatch mail-test`. */
#include <stdio.h>

#include "cli.h"

int
cli_mail_test(struct cli *cli, int argc, char **argv)
{
	fprintf(stderr, "sitewatch: mail-test: not built yet\n");
	return 3;
}
