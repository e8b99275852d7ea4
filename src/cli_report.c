/*
 * cli_report.c -- `sitewatch report [CHECK...] [--period P|--start T
 * --end T] [--csv|--json]`: SLA figures per check (report.c).  With
 * --support, the support timings instead (cli_support.c).
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cli.h"
#include "config.h"
#include "report.h"
#include "uptime.h"
#include "util.h"
#include "xmalloc.h"

#define REPORT_USAGE	"usage: sitewatch report [CHECK...] " \
	"[--period day|week|month|year | --start T --end T] [--csv|--json]\n" \
	"       sitewatch report --support [--period P | --start T --end T] " \
	"[--csv|--json]\n"

enum report_fmt { FMT_TEXT, FMT_CSV, FMT_JSON };

/* Print s as one CSV field (quoted when it needs to be). */
static void
cli_report_csv_field(const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

/* A number or null for JSON. */
static json_t *
cli_report_num(double v, int decimals)
{
	double	m = decimals == 3 ? 1000 : decimals == 1 ? 10 : 1;

	if (isnan(v) || isinf(v))
		return json_null();
	return json_real(round(v * m) / m);
}

/* The JSON object of one row (SPEC field names, exactly these). */
static json_t *
cli_report_json(const struct check_conf *c, const struct report_row *r)
{
	char	s1[32], s2[32];
	json_t	*o, *jp;

	if (isnan(r->p95_ms))
		jp = json_null();
	else
		jp = json_integer((json_int_t)uptime_p95_bound(r->p95_ms, c));
	o = json_object();
	json_object_set_new(o, "name", json_string(c->name));
	json_object_set_new(o, "site", c->site != NULL && c->site->name !=
	    NULL ? json_string(c->site->name) : json_null());
	json_object_set_new(o, "start", json_string(util_iso8601(r->start,
	    s1, sizeof s1)));
	json_object_set_new(o, "end", json_string(util_iso8601(r->end, s2,
	    sizeof s2)));
	json_object_set_new(o, "uptime_pct", cli_report_num(r->uptime_pct,
	    3));
	json_object_set_new(o, "downtime_s",
	    json_integer((json_int_t)llround(r->downtime_s)));
	json_object_set_new(o, "unknown_s",
	    json_integer((json_int_t)llround(r->unknown_s)));
	json_object_set_new(o, "maintenance_s",
	    json_integer((json_int_t)llround(r->maintenance_s)));
	json_object_set_new(o, "incidents", json_integer(r->incidents));
	json_object_set_new(o, "mean_ms", cli_report_num(r->mean_ms, 1));
	json_object_set_new(o, "p95_ms", jp);
	return o;
}

/* One line of CSV. */
static void
cli_report_csv(const struct check_conf *c, const struct report_row *r)
{
	char	s1[32], s2[32];

	cli_report_csv_field(c->name);
	putchar(',');
	cli_report_csv_field(c->site != NULL && c->site->name != NULL ?
	    c->site->name : "");
	printf(",%s,%s,", util_iso8601(r->start, s1, sizeof s1),
	    util_iso8601(r->end, s2, sizeof s2));
	if (!isnan(r->uptime_pct))
		printf("%.3f", r->uptime_pct);
	printf(",%lld,%lld,%lld,%ld,", llround(r->downtime_s),
	    llround(r->unknown_s), llround(r->maintenance_s), r->incidents);
	if (!isnan(r->mean_ms))
		printf("%.1f", r->mean_ms);
	if (isnan(r->p95_ms))
		printf(",\n");
	else
		printf(",%.0f\n", uptime_p95_bound(r->p95_ms, c));
}

/* One line of the text table. */
static void
cli_report_text(const struct check_conf *c, const struct report_row *r)
{
	char	up[32], mean[32], p95[32];

	if (isnan(r->uptime_pct))
		snprintf(up, sizeof up, "-");
	else
		snprintf(up, sizeof up, "%.3f%%", r->uptime_pct);
	if (isnan(r->mean_ms))
		snprintf(mean, sizeof mean, "-");
	else
		snprintf(mean, sizeof mean, "%.0f", r->mean_ms);
	printf("%-24s %-20.20s %9s %9lld %9lld %9lld %5ld %7s %s\n",
	    c->name, c->site != NULL && c->site->name != NULL ?
	    c->site->name : "", up, llround(r->downtime_s),
	    llround(r->unknown_s), llround(r->maintenance_s), r->incidents,
	    mean, uptime_p95_text(r->p95_ms, p95, sizeof p95));
}

/*
 * The checks named in argv[0..argc), or every check when none is; NULL
 * after printing an unknown name.  *np gets the count.
 */
static const struct check_conf **
cli_report_checks(struct config *cfg, int argc, char **argv, size_t *np)
{
	const struct check_conf	**checks;
	size_t			  n = 0;
	int			  i;

	if (argc > 0) {
		checks = xcalloc((size_t)argc, sizeof *checks);
		for (i = 0; i < argc; i++) {
			if ((checks[n] = config_find_check(cfg,
			    argv[i])) == NULL) {
				fprintf(stderr, "sitewatch: report: unknown "
				    "check: %s\n", argv[i]);
				free(checks);
				return NULL;
			}
			n++;
		}
	} else {
		checks = xcalloc(cfg->nchecks + 1, sizeof *checks);
		for (n = 0; n < cfg->nchecks; n++)
			checks[n] = cfg->checks[n];
	}
	*np = n;
	return checks;
}

/* Compute and print the report of checks[0..n) in fmt; the exit status. */
static int
cli_report_run(const struct config *cfg, const struct check_conf **checks,
    size_t n, enum report_fmt fmt, time_t start, time_t end)
{
	struct report_row	 r;
	json_t			*arr = NULL;
	char			 err[1024], s1[32], s2[32];
	size_t			 i;
	int			 rc = 0;

	if (fmt == FMT_JSON)
		arr = json_array();
	else if (fmt == FMT_CSV)
		printf("name,site,start,end,uptime_pct,downtime_s,unknown_s,"
		    "maintenance_s,incidents,mean_ms,p95_ms\n");
	else {
		printf("Report %s to %s (maintenance excluded)\n",
		    util_iso8601(start, s1, sizeof s1),
		    util_iso8601(end, s2, sizeof s2));
		printf("%-24s %-20s %9s %9s %9s %9s %5s %7s %s\n", "CHECK",
		    "SITE", "UPTIME", "DOWN_S", "UNKNOWN_S", "MAINT_S",
		    "INCID", "MEAN_MS", "P95");
	}
	for (i = 0; i < n; i++) {
		if (report_check(cfg, checks[i], start, end, &r, err,
		    sizeof err) == -1) {
			fprintf(stderr, "sitewatch: report: %s: %s\n",
			    checks[i]->name, err);
			rc = 1;
			continue;
		}
		if (fmt == FMT_JSON)
			json_array_append_new(arr, cli_report_json(checks[i],
			    &r));
		else if (fmt == FMT_CSV)
			cli_report_csv(checks[i], &r);
		else
			cli_report_text(checks[i], &r);
	}
	if (arr != NULL) {
		char *s = json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

		if (s != NULL)
			printf("%s\n", s);
		free(s);
		json_decref(arr);
	}
	return rc;
}

int
cli_report(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_RANGE_OPTIONS,
		{ "csv", no_argument, NULL, 'C' },
		{ "json", no_argument, NULL, 'J' },
		{ "support", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const struct check_conf	**checks;
	struct config		 *cfg;
	const char		 *period = NULL, *sstart = NULL, *send = NULL;
	enum report_fmt		  fmt = FMT_TEXT;
	time_t			  now = time(NULL), start, end;
	size_t			  n;
	int			  ch, rc, support = 0;

	/* 0, not 1: glibc then forgets main's "+" and permutes again. */
	optind = 0;
	while ((ch = getopt_long(argc, argv, "p:s:e:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			period = optarg;
			break;
		case 's':
			sstart = optarg;
			break;
		case 'e':
			send = optarg;
			break;
		case 'C':
			fmt = FMT_CSV;
			break;
		case 'J':
			fmt = FMT_JSON;
			break;
		case 'S':
			support = 1;
			break;
		case 'h':
			fputs(REPORT_USAGE, stdout);
			return 0;
		default:
			fputs(REPORT_USAGE, stderr);
			return 3;
		}
	}
	/* Support is judged over weeks, not over one day. */
	if (support && period == NULL && sstart == NULL && send == NULL)
		period = "month";
	if (cli_range("report", &period, sstart, send, now, &start,
	    &end) == -1)
		return 3;
	if (support) {
		if (optind != argc) {
			fprintf(stderr, "sitewatch: report --support takes no "
			    "check names\n");
			return 3;
		}
		return cli_support(cli, fmt == FMT_JSON, fmt == FMT_CSV, start,
		    end);
	}
	if ((cfg = cli_config(cli)) == NULL)
		return 3;
	if ((checks = cli_report_checks(cfg, argc - optind, argv + optind,
	    &n)) == NULL)
		return 3;
	rc = cli_report_run(cfg, checks, n, fmt, start, end);
	free(checks);
	return rc;
}
