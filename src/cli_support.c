/*
 * cli_support.c -- `sitewatch report --support [--period P|--start T
 * --end T] [--json|--csv]`: how fast support answered the tickets opened
 * in the period, per staff member and per site (support_report.c), read
 * through the store door (SQLite or PostgreSQL alike).
 */
#include <sys/stat.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "config.h"
#include "log.h"
#include "store.h"
#include "support_report.h"
#include "util.h"
#include "xmalloc.h"

/* A figure in JSON: a whole number when it is one, null when none. */
static json_t *
json_secs(double s)
{
	if (isnan(s))
		return json_null();
	if (s == floor(s))
		return json_integer((json_int_t)s);
	return json_real(s);
}

/* "37 s", "4 min 2 s", "2 h 5 min", "3 d 4 h"; "-" when none. */
static const char *
text_secs(double s, char *buf, size_t len)
{
	long long	v;

	if (isnan(s))
		return "-";
	v = (long long)llround(s);
	if (v < 60)
		snprintf(buf, len, "%lld s", v);
	else if (v < 3600)
		snprintf(buf, len, "%lld min %lld s", v / 60, v % 60);
	else if (v < 86400)
		snprintf(buf, len, "%lld h %lld min", v / 3600, v % 3600 / 60);
	else
		snprintf(buf, len, "%lld d %lld h", v / 86400, v % 86400 / 3600);
	return buf;
}

/* One CSV field, quoted when it must be. */
static void
csv_field(const char *s)
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

static void
csv_secs(double s)
{
	if (!isnan(s))
		printf(s == floor(s) ? ",%.0f" : ",%.1f", s);
	else
		putchar(',');
}

static void
print_rows(const struct support_row *r, size_t n, int json, int csv,
    time_t start, time_t end)
{
	char	 b[4][64], name[256], t1[32], t2[32];
	json_t	*arr, *o;
	size_t	 i;
	int	 staff = -1;

	if (json) {
		arr = json_array();
		for (i = 0; i < n; i++) {
			o = json_object();
			if (r[i].by != NULL)
				json_object_set_new(o, "by",
				    json_string(r[i].by));
			else
				json_object_set_new(o, "site",
				    json_string(r[i].site));
			json_object_set_new(o, "tickets",
			    json_integer(r[i].tickets));
			json_object_set_new(o, "acknowledged",
			    json_integer(r[i].acknowledged));
			json_object_set_new(o, "mtta_s", json_secs(r[i].mtta_s));
			json_object_set_new(o, "p90_tta_s",
			    json_secs(r[i].p90_tta_s));
			json_object_set_new(o, "mttr_s", json_secs(r[i].mttr_s));
			json_array_append_new(arr, o);
		}
		json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(arr);
		return;
	}
	if (csv) {
		printf("by,site,tickets,acknowledged,mtta_s,p90_tta_s,"
		    "mttr_s\n");
		for (i = 0; i < n; i++) {
			csv_field(r[i].by != NULL ? r[i].by : "");
			putchar(',');
			csv_field(r[i].site != NULL ? r[i].site : "");
			printf(",%lld,%lld", r[i].tickets, r[i].acknowledged);
			csv_secs(r[i].mtta_s);
			csv_secs(r[i].p90_tta_s);
			csv_secs(r[i].mttr_s);
			putchar('\n');
		}
		return;
	}
	printf("Support timings of the tickets opened from %s to %s\n",
	    util_iso8601(start, t1, sizeof t1), util_iso8601(end, t2,
	    sizeof t2));
	if (n == 0)
		printf("no tickets\n");
	for (i = 0; i < n; i++) {
		if ((r[i].by != NULL) != staff) {
			staff = r[i].by != NULL;
			printf("\n%-24s %7s %6s %-14s %-14s %s\n", staff ?
			    "STAFF" : "SITE", "TICKETS", "ACKED", "MEDIAN ACK",
			    "P90 ACK", "MEDIAN RESOLVE");
		}
		log_escape(name, sizeof name, staff ? r[i].by : r[i].site);
		printf("%-24s %7lld %6lld %-14s %-14s %s\n", name,
		    r[i].tickets, r[i].acknowledged,
		    text_secs(r[i].mtta_s, b[0], sizeof b[0]),
		    text_secs(r[i].p90_tta_s, b[1], sizeof b[1]),
		    text_secs(r[i].mttr_s, b[2], sizeof b[2]));
	}
}

int
cli_support(struct cli *cli, int json, int csv, time_t start, time_t end)
{
	struct config		*cfg;
	struct store		*db;
	struct ticket		*v = NULL;
	struct support_row	*rows;
	struct stat		 sb;
	char			 err[512], *where;
	size_t			 n = 0, nrows;

	if ((cfg = cli_config(cli)) == NULL)
		return 3;
	where = store_where(cfg->database, cfg->state_dir);
	/* No db yet: no ticket was ever opened; do not make one here. */
	if (!store_is_uri(where) && stat(where, &sb) == -1 &&
	    errno == ENOENT)
		db = NULL;
	else if ((db = store_open(where, 0, err, sizeof err)) ==
	    NULL) {
		fprintf(stderr, "sitewatch: report: %s\n", err);
		free(where);
		return 3;
	}
	free(where);
	if (db != NULL && store_tickets_between(db, start, end, &v, &n) !=
	    STORE_OK) {
		fprintf(stderr, "sitewatch: report: tickets: %s\n",
		    store_errmsg(db));
		store_close(db);
		return 3;
	}
	rows = support_rows(v, n, &nrows);
	print_rows(rows, nrows, json, csv, start, end);
	support_rows_free(rows, nrows);
	ticket_list_free(v, n);
	store_close(db);
	return 0;
}
