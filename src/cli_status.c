/*
 * cli_status.c -- `sitewatch status [--json]`: every configured check with
 * its state, since when, last response time, uptime over 24 h and 30 d
 * and its open ticket.
 *
 * It reads what the daemon persisted (check_state and tickets in
 * sitewatch.db, the RRD files), so it works whether or not the daemon
 * runs.  A check the daemon has not run yet shows as unknown.
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cli.h"
#include "config.h"
#include "locations.h"
#include "log.h"
#include "report.h"
#include "status_json.h"
#include "store.h"
#include "util.h"
#include "xmalloc.h"

#define STATUS_USAGE	"usage: sitewatch status [--json]\n"

struct status_row {
	const struct check_conf	*c;
	int			 known;	/* the daemon has recorded a result */
	struct store_check_state	 st;
	double			 up24;
	double			 up30;
	double			 down24, down30;
	long long		 ticket;
	int			 stale;	/* status_stale() */
};

/*
 * Whether the daemon runs: its pid file names a live process.  A pid
 * file left by a crash names a dead one (or another user's, EPERM: taken
 * as alive, the safe side is "not stale" only when it may run).
 */
static int
cli_status_daemon_running(const struct config *cfg)
{
	char	*path, buf[32];
	FILE	*f;
	long	 pid = 0;

	if (cfg->pid_file != NULL)
		path = xstrdup(cfg->pid_file);
	else
		xasprintf(&path, "%s/sitewatchd.pid", cfg->state_dir);
	f = fopen(path, "r");
	free(path);
	if (f == NULL)
		return 0;
	if (fgets(buf, sizeof buf, f) != NULL)
		pid = strtol(buf, NULL, 10);
	fclose(f);
	if (pid <= 0)
		return 0;
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/* Open the db only if it exists: reading status must not create it. */
static struct store *
cli_status_db(const struct config *cfg)
{
	struct stat	 sb;
	char		*path, err[256];
	struct store	*db;

	path = store_where(cfg->database, cfg->state_dir);
	if (!store_is_uri(path) && stat(path, &sb) == -1) {
		free(path);
		return NULL;
	}
	if ((db = store_open(path, 0, err, sizeof err)) == NULL)
		fprintf(stderr, "sitewatch: status: %s\n", err);
	free(path);
	return db;
}

static void
cli_status_collect(const struct config *cfg, struct store *db,
    struct status_row *row, const struct check_conf *c, time_t now,
    int running)
{
	struct check_status	st;

	memset(row, 0, sizeof *row);
	row->c = c;
	if (db != NULL) {
		row->known = store_check_state_get(db, c->name, &row->st) ==
		    STORE_OK;
		row->ticket = store_open_ticket_for(db, c->name);
	}
	row->up24 = report_uptime(cfg, c, now, 24L * 3600, &row->down24);
	row->up30 = report_uptime(cfg, c, now, 30L * 24 * 3600,
	    &row->down30);
	memset(&st, 0, sizeof st);
	st.seen = row->known;
	st.last_at = row->st.last_at;
	/* Saved states lag the daemon's by up to CHECK_STATUS_SAVE_S. */
	row->stale = status_stale(&st, c->interval, now, running,
	    CHECK_STATUS_SAVE_S);
}

static json_t *
cli_status_json(const struct status_row *r, const struct locations *locs)
{
	struct status_view	sv;
	struct check_status	st;

	memset(&sv, 0, sizeof sv);
	memset(&st, 0, sizeof st);
	sv.name = r->c->name;
	sv.site = r->c->site != NULL ? r->c->site->name : NULL;
	sv.url = r->c->url;
	/* The daemon's check_status, as it saved it. */
	st.seen = r->known;
	st.state = r->st.state;
	st.cause = r->st.cause;
	st.message = r->st.message;
	st.since = r->st.since;
	st.last_at = r->st.last_at;
	st.last_total_ms = r->st.last_total_ms;
	st.http_status = r->st.http_status;
	st.ticket = r->ticket;
	sv.st = &st;
	sv.up24 = r->up24;
	sv.up30 = r->up30;
	sv.down24 = r->down24;
	sv.down30 = r->down30;
	sv.stale = r->stale;
	sv.locs = locs;
	sv.confirm = r->c->confirm;
	return status_json(&sv);
}

static const char *
cli_status_pct(double v, char *buf, size_t len)
{
	if (isnan(v) || isinf(v))
		return "-";
	snprintf(buf, len, "%.2f%%", v);
	return buf;
}

static void
cli_status_text(const struct status_row *r)
{
	char	since[32], ms[32], u24[16], u30[16], tk[24], name[80];
	char	state[32];

	snprintf(since, sizeof since, "-");
	if (r->known && r->st.since > 0)
		util_iso8601(r->st.since, since, sizeof since);
	snprintf(ms, sizeof ms, "-");
	if (r->known && r->st.state != SW_STATE_UNKNOWN)
		snprintf(ms, sizeof ms, "%.0f", r->st.last_total_ms);
	snprintf(tk, sizeof tk, "-");
	if (r->ticket > 0)
		snprintf(tk, sizeof tk, "#%lld", r->ticket);
	log_escape(name, sizeof name, r->c->name);
	/* Never a plain "up" for a state that may no longer hold. */
	snprintf(state, sizeof state, "%s%s", r->known ?
	    sw_state_name(r->st.state) : "unknown", r->stale ? "(stale)" : "");
	printf("%-24s %-15s %-8s %-20s %8s %8s %8s %s\n", name, state,
	    r->known ? sw_cause_name(r->st.cause) : "-", since, ms,
	    cli_status_pct(r->up24, u24, sizeof u24),
	    cli_status_pct(r->up30, u30, sizeof u30), tk);
}

int
cli_status(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct config		*cfg;
	struct store	*db;
	struct status_row	 row;
	struct store_location	*rows = NULL;
	struct locations	 locs;
	json_t			*arr = NULL, *o;
	char			*where;
	time_t			 now = time(NULL);
	size_t			 i;
	int			 ch, json = 0, running, pg;

	while ((ch = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'h':
			fputs(STATUS_USAGE, stdout);
			return 0;
		default:
			fputs(STATUS_USAGE, stderr);
			return 3;
		}
	}
	if (optind != argc) {
		fputs(STATUS_USAGE, stderr);
		return 3;
	}
	if ((cfg = cli_config(cli)) == NULL)
		return 3;
	db = cli_status_db(cfg);
	where = store_where(cfg->database, cfg->state_dir);
	pg = store_is_uri(where);
	free(where);
	memset(&locs, 0, sizeof locs);
	if (json && pg && db != NULL && store_locations(db, &rows, &locs.n) !=
	    STORE_OK)
		locs.n = 0;
	locations_sort(rows, locs.n);
	locs.v = rows;
	locs.fresh_after = now - cfg->node_timeout;
	running = cli_status_daemon_running(cfg);
	if (!running && !json)
		printf("sitewatchd is not running: states are as last "
		    "recorded (stale)\n");
	if (json)
		arr = json_array();
	else
		printf("%-24s %-15s %-8s %-20s %8s %8s %8s %s\n", "CHECK",
		    "STATE", "CAUSE", "SINCE", "LAST_MS", "UP_24H", "UP_30D",
		    "TICKET");
	for (i = 0; i < cfg->nchecks; i++) {
		cli_status_collect(cfg, db, &row, cfg->checks[i], now,
		    running);
		if (json) {
			o = cli_status_json(&row, pg ? &locs : NULL);
			json_array_append_new(arr, o);
		} else
			cli_status_text(&row);
	}
	if (json) {
		json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
		    STATUS_JSON_REAL);
		putchar('\n');
		json_decref(arr);
	}
	free(rows);
	if (db != NULL)
		store_close(db);
	return 0;
}
