/*
 * cli_check.c -- `sitewatch check NAME|URL [--json]`: run one check now.
 *
 * A NAME is looked up in the configuration; a URL runs an ad-hoc check
 * with the [defaults] of the configuration, or with built-in defaults when
 * there is none, so that staff can diagnose any site from any machine.
 * --ca-file (an extension of SPEC) trusts an extra CA for an ad-hoc URL.
 * Exit status follows the monitoring-plugins convention: 0 up,
 * 1 degraded, 2 down, 3 could not run.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <jansson.h>

#include "cli.h"
#include "config.h"
#include "log.h"
#include "probe.h"
#include "result.h"
#include "util.h"

#define CLI_CHECK_ADHOC_NAME	"adhoc"

enum { CLI_CHECK_UP = 0, CLI_CHECK_DEGRADED, CLI_CHECK_DOWN, CLI_CHECK_ERR };

static struct status_range cli_check_status_default[] = { { 200, 399 } };

static void
cli_check_usage(FILE *f)
{
	fprintf(f, "usage: sitewatch [-c FILE] check NAME|URL [--json] "
	    "[--ca-file PEM]\n");
}

/* The defaults SPEC documents, for ad-hoc checks without a config. */
static void
cli_check_builtin(struct check_conf *c)
{
	memset(c, 0, sizeof *c);
	c->interval = 60;
	c->timeout = 10;
	c->method = "GET";
	c->expect_status = cli_check_status_default;
	c->nexpect_status = 1;
	c->max_body = 1048576;
	c->slow_ms = 2000;
	c->down_ms = 8000;
	c->cert_warn_days = 14;
	c->retries = 2;
	c->recover = 2;
	c->renotify = 3600;
	c->follow_redirects = 1;
	c->ip = IP_ANY;
}

/* Nonzero when s starts like an http(s) URL (a check NAME never has ':'). */
static int
cli_check_is_url(const char *s)
{
	return strncasecmp(s, "http://", 7) == 0 ||
	    strncasecmp(s, "https://", 8) == 0;
}

/* Nonzero when libcurl can parse url and it names a host. */
static int
cli_check_url_valid(const char *url)
{
	CURLU	*u;
	char	*host = NULL;
	int	 ok = 0;

	if ((u = curl_url()) == NULL)
		return 0;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    host != NULL && *host != '\0')
		ok = 1;
	curl_free(host);
	curl_url_cleanup(u);
	return ok;
}

/*
 * The ad-hoc check for url: [defaults] when the configuration loads (it
 * is loaded quietly: a broken or missing config must not stop a URL
 * check), else the built-in defaults.
 */
static void
cli_check_adhoc(struct cli *cli, char *url, struct check_conf *c)
{
	struct errlist	errs;

	if (cli->config == NULL && cli->config_path != NULL) {
		errlist_init(&errs);
		cli->config = config_load(cli->config_path, &errs);
		errlist_free(&errs);
	}
	if (cli->config != NULL && cli->config->defaults != NULL) {
		*c = *cli->config->defaults;
		c->site = NULL;
		c->depends = NULL;
	} else
		cli_check_builtin(c);
	c->name = CLI_CHECK_ADHOC_NAME;
	c->url = url;
}

/* A JSON string that survives bytes that are not UTF-8. */
static json_t *
cli_check_jstr(const char *s)
{
	char	 clean[2048];
	json_t	*j;

	if ((j = json_string(s)) != NULL)
		return j;
	return json_string(log_escape(clean, sizeof clean, s));
}

/* Milliseconds as a JSON number, at microsecond precision. */
static json_t *
cli_check_jms(double ms)
{
	return json_real((double)(long long)(ms * 1000.0 + 0.5) / 1000.0);
}

/* Print one result as the JSON object SPEC fixes. */
static int
cli_check_print_json(const struct check_conf *c, const struct result *r)
{
	json_t	*o;
	char	 at[32];
	char	*s;

	util_iso8601((time_t)r->at, at, sizeof at);
	o = json_object();
	json_object_set_new(o, "name", cli_check_jstr(r->name));
	json_object_set_new(o, "url", cli_check_jstr(c->url));
	json_object_set_new(o, "state", json_string(sw_state_name(r->state)));
	json_object_set_new(o, "cause", json_string(sw_cause_name(r->cause)));
	json_object_set_new(o, "message", cli_check_jstr(r->message));
	json_object_set_new(o, "http_status", r->http_status > 0 ?
	    json_integer(r->http_status) : json_null());
	json_object_set_new(o, "dns_ms", cli_check_jms(r->dns_ms));
	json_object_set_new(o, "connect_ms", cli_check_jms(r->connect_ms));
	json_object_set_new(o, "tls_ms", cli_check_jms(r->tls_ms));
	json_object_set_new(o, "ttfb_ms", cli_check_jms(r->ttfb_ms));
	json_object_set_new(o, "total_ms", cli_check_jms(r->total_ms));
	json_object_set_new(o, "bytes", json_integer(r->bytes));
	json_object_set_new(o, "cert_days_left", r->cert_days_left >= 0 ?
	    json_integer(r->cert_days_left) : json_null());
	json_object_set_new(o, "at", json_string(at));
	s = json_dumps(o, JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	json_decref(o);
	if (s == NULL)
		return -1;
	printf("%s\n", s);
	free(s);
	return 0;
}

/* Print one result as a block for people. */
static void
cli_check_print_text(const struct check_conf *c, const struct result *r)
{
	char	url[1024], at[32];
	double	transfer;

	log_escape(url, sizeof url, c->url);
	util_iso8601((time_t)r->at, at, sizeof at);
	transfer = r->total_ms - r->dns_ms - r->connect_ms - r->tls_ms -
	    r->ttfb_ms;
	if (transfer < 0)
		transfer = 0;
	printf("check:       %s\n", r->name);
	printf("url:         %s\n", url);
	printf("state:       %s\n", sw_state_name(r->state));
	printf("cause:       %s\n", sw_cause_name(r->cause));
	printf("message:     %s\n", r->message);
	if (r->http_status > 0)
		printf("http status: %ld\n", r->http_status);
	else
		printf("http status: -\n");
	printf("dns:         %9.1f ms\n", r->dns_ms);
	printf("connect:     %9.1f ms\n", r->connect_ms);
	printf("tls:         %9.1f ms\n", r->tls_ms);
	printf("ttfb:        %9.1f ms\n", r->ttfb_ms);
	printf("transfer:    %9.1f ms\n", transfer);
	printf("total:       %9.1f ms\n", r->total_ms);
	printf("bytes:       %lld\n", r->bytes);
	if (r->cert_days_left >= 0)
		printf("cert:        expires in %d days\n", r->cert_days_left);
	else
		printf("cert:        -\n");
	printf("at:          %s\n", at);
}

/* `sitewatch check NAME|URL [--json]`. */
int
cli_check(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "ca-file", required_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 }
	};
	const struct check_conf	*c;
	struct check_conf	 adhoc;
	struct result		 r;
	char			*target, *ca_file = NULL;
	int			 ch, json = 0, rc;

	/*
	 * optind = 0, not 1: glibc re-reads the optstring (and with it the
	 * permuting mode) only then; main's "+c:hv" would otherwise keep
	 * options after the operand from being seen.
	 */
	optind = 0;
	while ((ch = getopt_long(argc, argv, "c:hj", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'c':
			cli->config_path = optarg;
			break;
		case 'A':
			ca_file = optarg;
			break;
		case 'h':
			cli_check_usage(stdout);
			return CLI_CHECK_UP;
		default:
			cli_check_usage(stderr);
			return CLI_CHECK_ERR;
		}
	}
	if (argc - optind != 1) {
		cli_check_usage(stderr);
		return CLI_CHECK_ERR;
	}
	target = argv[optind];

	if (cli_check_is_url(target)) {
		if (!cli_check_url_valid(target)) {
			fprintf(stderr, "sitewatch: check: bad URL\n");
			return CLI_CHECK_ERR;
		}
		cli_check_adhoc(cli, target, &adhoc);
		if (ca_file != NULL)
			adhoc.ca_file = ca_file;
		c = &adhoc;
	} else if (strstr(target, "://") != NULL) {
		fprintf(stderr, "sitewatch: check: only http and https URLs "
		    "can be checked\n");
		return CLI_CHECK_ERR;
	} else if (ca_file != NULL) {
		fprintf(stderr, "sitewatch: check: --ca-file goes with a URL; "
		    "a configured check has its own ca_file\n");
		return CLI_CHECK_ERR;
	} else {
		if (cli_config(cli) == NULL)
			return CLI_CHECK_ERR;
		if ((c = config_find_check(cli->config, target)) == NULL) {
			char	clean[SW_NAME_MAX * 4];

			fprintf(stderr, "sitewatch: check: unknown check: %s\n",
			    log_escape(clean, sizeof clean, target));
			return CLI_CHECK_ERR;
		}
	}

	if (curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK) {
		fprintf(stderr, "sitewatch: check: cannot initialise "
		    "libcurl\n");
		return CLI_CHECK_ERR;
	}
	rc = probe_run_once(c, &r);
	curl_global_cleanup();
	if (rc == -1) {
		fprintf(stderr, "sitewatch: check: %s\n", r.message);
		return CLI_CHECK_ERR;
	}
	if (json) {
		if (cli_check_print_json(c, &r) == -1) {
			fprintf(stderr, "sitewatch: check: cannot encode "
			    "JSON\n");
			return CLI_CHECK_ERR;
		}
	} else
		cli_check_print_text(c, &r);

	switch (r.state) {
	case SW_STATE_UP:
		return CLI_CHECK_UP;
	case SW_STATE_DEGRADED:
		return CLI_CHECK_DEGRADED;
	case SW_STATE_DOWN:
		return CLI_CHECK_DOWN;
	default:
		return CLI_CHECK_ERR;
	}
}
