/*
 * cli.h -- the verbs of the `sitewatch` staff tool.
 *
 * Each verb lives in its own cli_<verb>.c and gets argv starting at the
 * verb itself.  Options may stand anywhere after the verb (getopt_long
 * permutes).  A verb returns the process exit status.
 */
#ifndef CLI_H
#define CLI_H

#include <time.h>

struct config;

struct cli {
	const char	*config_path;
	/* Loaded on first use; verbs that need no config never load it. */
	struct config	*config;
};

/* Load the config or print its errors and return NULL. */
struct config	*cli_config(struct cli *);
/* The getopt_long rows of --period/--start/--end, shared by the verbs. */
#define CLI_RANGE_OPTIONS \
	{ "period", required_argument, NULL, 'p' }, \
	{ "start", required_argument, NULL, 's' }, \
	{ "end", required_argument, NULL, 'e' }
/*
 * The time range of --period, or of --start/--end (default: the 24 h
 * before now or before --end); *period becomes "day" when none is
 * given.  0, or -1 after printing "sitewatch: VERB: ..." to stderr.
 */
struct mail_row;
/*
 * The newest rows of the queue, as JSON or a table: mail (to, subject)
 * or, with channels, notifications (channel, event).
 */
void		 cli_queue_print(const struct mail_row *, size_t n, int json,
		    int channels);
int		 cli_range(const char *verb, const char **period,
		    const char *sstart, const char *send, time_t now,
		    time_t *start, time_t *end);

int	cli_check(struct cli *, int argc, char **argv);
int	cli_status(struct cli *, int argc, char **argv);
int	cli_tickets(struct cli *, int argc, char **argv);
int	cli_ticket(struct cli *, int argc, char **argv);
int	cli_graph(struct cli *, int argc, char **argv);
int	cli_report(struct cli *, int argc, char **argv);
/* report --support: support timings of the tickets opened in the range. */
int	cli_support(struct cli *, int json, int csv, time_t start,
	    time_t end);
int	cli_mail_test(struct cli *, int argc, char **argv);
int	cli_notify_test(struct cli *, int argc, char **argv);
int	cli_notify_queue(struct cli *, int argc, char **argv);
int	cli_migrate(struct cli *, int argc, char **argv);
int	cli_nodes(struct cli *, int argc, char **argv);
int	cli_report_mail(struct cli *, int argc, char **argv);
/* cli_users.c: staff accounts of the web pages. */
int	cli_user(struct cli *, int argc, char **argv);
int	cli_users(struct cli *, int argc, char **argv);

#endif
