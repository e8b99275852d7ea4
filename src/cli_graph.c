/*
 * cli_graph.c -- `sitewatch graph CHECK [--period P|--start T --end T]
 * [--metric time|availability|phases] [--format png|svg]
 * [--width W --height H] [--legend] -o FILE`.
 *
 * --legend prints the legend entries librrd drew on the image, one a
 * line: the graph's own words, for people and scripts that compare them
 * with `report`.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli.h"
#include "config.h"
#include "report.h"
#include "rrd_graph.h"
#include "util.h"

#define GRAPH_USAGE	"usage: sitewatch graph CHECK [--period day|week|" \
	"month|year | --start T --end T]\n" \
	"           [--metric time|availability|phases] [--format png|svg]" \
	" [--width W --height H]\n" \
	"           [--legend] -o FILE\n"

/* Parse a size option in pixels; 0 or -1 (message printed). */
static int
cli_graph_size(const char *opt, const char *s, int *out)
{
	long long	 v;
	const char	*errstr;

	if (util_parse_ll(s, 100, 10000, &v, &errstr) == -1) {
		fprintf(stderr, "sitewatch: graph: --%s %s: %s (100..10000)\n",
		    opt, s, errstr);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/*
 * The metric and the image format (from --format, else from the output
 * file's name) into g; 0, or -1 after printing why.
 */
static int
cli_graph_kind(struct graph_req *g, const char *metric, const char *format,
    const char *out)
{
	const char	*ext;
	int		 v;

	if ((v = rrd_graph_metric_parse(metric)) == -1) {
		fprintf(stderr, "sitewatch: graph: unknown metric: %s "
		    "(time, availability, phases)\n", metric);
		return -1;
	}
	g->metric = v;
	if (format == NULL) {
		/* The file name tells when --format does not. */
		ext = strrchr(out, '.');
		format = ext != NULL && strcasecmp(ext, ".svg") == 0 ?
		    "svg" : "png";
	}
	if ((v = rrd_graph_format_parse(format)) == -1) {
		fprintf(stderr, "sitewatch: graph: unknown format: %s "
		    "(png, svg)\n", format);
		return -1;
	}
	g->format = v;
	return 0;
}

int
cli_graph(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_RANGE_OPTIONS,
		{ "metric", required_argument, NULL, 'm' },
		{ "format", required_argument, NULL, 'f' },
		{ "width", required_argument, NULL, 'W' },
		{ "height", required_argument, NULL, 'H' },
		{ "output", required_argument, NULL, 'o' },
		{ "legend", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct graph_req	 g;
	struct buf		 legend;
	struct config		*cfg;
	const char		*period = NULL, *sstart = NULL, *send = NULL;
	const char		*metric = "time", *format = NULL, *out = NULL;
	char			 err[1024];
	time_t			 now = time(NULL);
	int			 ch, want_legend = 0, rc;

	memset(&g, 0, sizeof g);
	g.width = 800;
	g.height = 300;
	/* 0, not 1: glibc then forgets main's "+" and permutes again. */
	optind = 0;
	while ((ch = getopt_long(argc, argv, "p:s:e:m:f:W:H:o:lh", opts,
	    NULL)) != -1) {
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
		case 'm':
			metric = optarg;
			break;
		case 'f':
			format = optarg;
			break;
		case 'W':
			if (cli_graph_size("width", optarg, &g.width) == -1)
				return 3;
			break;
		case 'H':
			if (cli_graph_size("height", optarg, &g.height) == -1)
				return 3;
			break;
		case 'o':
			out = optarg;
			break;
		case 'l':
			want_legend = 1;
			break;
		case 'h':
			fputs(GRAPH_USAGE, stdout);
			return 0;
		default:
			fputs(GRAPH_USAGE, stderr);
			return 3;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "sitewatch: graph: %s\n" GRAPH_USAGE,
		    optind >= argc ? "which check?" : "one check at a time");
		return 3;
	}
	if (out == NULL) {
		fprintf(stderr, "sitewatch: graph: -o FILE is required\n"
		    GRAPH_USAGE);
		return 3;
	}
	if (want_legend && strcmp(out, "-") == 0) {
		fprintf(stderr, "sitewatch: graph: --legend prints to stdout: "
		    "write the image to a file (-o FILE)\n");
		return 3;
	}
	if (cli_graph_kind(&g, metric, format, out) == -1 ||
	    cli_range("graph", &period, sstart, send, now, &g.start,
	    &g.end) == -1)
		return 3;
	g.period = sstart != NULL || send != NULL ? NULL : period;
	if ((cfg = cli_config(cli)) == NULL)
		return 3;
	if ((g.check = config_find_check(cfg, argv[optind])) == NULL) {
		fprintf(stderr, "sitewatch: graph: unknown check: %s\n",
		    argv[optind]);
		return 3;
	}
	buf_init(&legend);
	if (want_legend)
		g.legend = &legend;
	rc = 0;
	if (rrd_graph_write(cfg, &g, out, err, sizeof err) == -1) {
		fprintf(stderr, "sitewatch: graph: %s\n", err);
		rc = 1;
	} else if (legend.len > 0)
		fputs(legend.data, stdout);
	buf_free(&legend);
	return rc;
}
