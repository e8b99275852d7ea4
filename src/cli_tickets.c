/*
 * cli_tickets.c -- `sitewatch tickets` and `sitewatch ticket`.
 *
 *   tickets [--open|--all] [--json]
 *   ticket show ID [--json]
 *   ticket ack ID --by NAME [--note TEXT] [--json]
 *   ticket note ID --by NAME TEXT [--json]
 *   ticket update ID --by NAME TEXT [--json]
 *   ticket resolve ID --by NAME [--note TEXT] [--json]
 *
 * Everything goes through the store and ticket_json (the same functions
 * the web API calls); this file only parses arguments and prints.  A
 * public update (ticket_update.c) also queues the clients' mails.  It works while
 * the daemon runs: the db is in WAL mode with a busy timeout, and the
 * daemon notices acks and hand resolves within seconds.
 *
 * Exit status: 0 done; 1 bad arguments, no such ticket, or an action not
 * allowed in the ticket's status (acking a resolved ticket); 3 the
 * configuration or the database cannot be used.
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cli.h"
#include "config.h"
#include "log.h"
#include "store.h"
#include "ticket_json.h"
#include "ticket_update.h"
#include "util.h"
#include "xmalloc.h"

#define EXIT_USAGE	1
#define EXIT_NOTFOUND	1
#define EXIT_CANNOT	3

struct topts {
	int		 json;
	int		 all;
	const char	*by;
	const char	*note;
};

/* Open the db of the configured state_dir; *absent when there is none. */
static struct store *
tickets_db(struct cli *cli, int *absent)
{
	struct config		*cfg;
	struct store	*db;
	struct stat		 sb;
	char			 err[512], *path;

	*absent = 0;
	if ((cfg = cli_config(cli)) == NULL)
		return NULL;
	path = store_where(cfg->database, cfg->state_dir);
	/* No db yet: nothing was ever opened; do not create one here. */
	if (!store_is_uri(path) && stat(path, &sb) == -1 && errno == ENOENT) {
		free(path);
		*absent = 1;
		return NULL;
	}
	db = store_open(path, 0, err, sizeof err);
	if (db == NULL)
		fprintf(stderr, "sitewatch: %s\n", err);
	free(path);
	return db;
}

/* Print a JSON value on stdout. */
static void
print_json(json_t *j)
{
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
}

/* A JSON string field, escaped for the terminal, or "-". */
static const char *
field(json_t *o, const char *key, char *buf, size_t len)
{
	json_t	*v = json_object_get(o, key);

	if (v == NULL || json_is_null(v))
		return "-";
	if (json_is_integer(v)) {
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	if (!json_is_string(v))
		return "?";
	return log_escape(buf, len, json_string_value(v));
}

/* One line per ticket. */
static void
print_list(json_t *arr)
{
	char	 b[6][256];
	json_t	*t;
	size_t	 i;

	if (json_array_size(arr) == 0) {
		printf("no tickets\n");
		return;
	}
	printf("%-6s %-12s %-8s %-24s %-20s %s\n", "ID", "STATUS",
	    "SEVERITY", "CHECK", "OPENED", "SUMMARY");
	json_array_foreach(arr, i, t) {
		printf("%-6s %-12s %-8s %-24s %-20s %s\n",
		    field(t, "id", b[0], sizeof b[0]),
		    field(t, "status", b[1], sizeof b[1]),
		    field(t, "severity", b[2], sizeof b[2]),
		    field(t, "check", b[3], sizeof b[3]),
		    field(t, "opened_at", b[4], sizeof b[4]),
		    field(t, "summary", b[5], sizeof b[5]));
	}
}

/* A ticket with its timeline, for people. */
static void
print_ticket(json_t *t)
{
	char	 b[5][1024];
	json_t	*ev;
	size_t	 i;

	printf("ticket %s  %s  %s\n", field(t, "id", b[0], sizeof b[0]),
	    field(t, "status", b[1], sizeof b[1]),
	    field(t, "severity", b[2], sizeof b[2]));
	printf("  check:        %s (site %s)\n",
	    field(t, "check", b[0], sizeof b[0]),
	    field(t, "site", b[1], sizeof b[1]));
	printf("  cause:        %s\n", field(t, "cause", b[0], sizeof b[0]));
	printf("  summary:      %s\n", field(t, "summary", b[0], sizeof b[0]));
	printf("  opened:       %s\n", field(t, "opened_at", b[0],
	    sizeof b[0]));
	printf("  acknowledged: %s by %s\n", field(t, "acknowledged_at", b[0],
	    sizeof b[0]), field(t, "acknowledged_by", b[1], sizeof b[1]));
	printf("  resolved:     %s (downtime %s s)\n", field(t, "resolved_at",
	    b[0], sizeof b[0]), field(t, "downtime_s", b[1], sizeof b[1]));
	printf("  timeline:\n");
	json_array_foreach(json_object_get(t, "events"), i, ev) {
		printf("    %s  %-18s %-12s %s\n",
		    field(ev, "at", b[0], sizeof b[0]),
		    field(ev, "kind", b[1], sizeof b[1]),
		    field(ev, "by", b[2], sizeof b[2]),
		    field(ev, "text", b[3], sizeof b[3]));
	}
}

/* Parse the options shared by both verbs; -1 on a bad one. */
static int
parse_opts(int argc, char **argv, struct topts *o, const char *usage)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ "open", no_argument, NULL, 'o' },
		{ "by", required_argument, NULL, 'b' },
		{ "note", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int	ch;

	memset(o, 0, sizeof *o);
	/* 0, not 1: glibc then forgets main's "+" (stop at the verb). */
	optind = 0;
	while ((ch = getopt_long(argc, argv, "jaob:n:h", longopts, NULL))
	    != -1) {
		switch (ch) {
		case 'j':
			o->json = 1;
			break;
		case 'a':
			o->all = 1;
			break;
		case 'o':
			o->all = 0;
			break;
		case 'b':
			o->by = optarg;
			break;
		case 'n':
			o->note = optarg;
			break;
		case 'h':
		default:
			fprintf(stderr, "usage: sitewatch %s\n", usage);
			return -1;
		}
	}
	return 0;
}

int
cli_tickets(struct cli *cli, int argc, char **argv)
{
	static const char	*usage = "tickets [--open|--all] [--json]";
	struct store	*db;
	struct topts		 o;
	struct ticket		*v = NULL;
	json_t			*arr;
	size_t			 n = 0;
	int			 absent;

	if (parse_opts(argc, argv, &o, usage) == -1)
		return EXIT_USAGE;
	if (optind != argc || o.by != NULL || o.note != NULL) {
		fprintf(stderr, "usage: sitewatch %s\n", usage);
		return EXIT_USAGE;
	}
	if ((db = tickets_db(cli, &absent)) == NULL && !absent)
		return EXIT_CANNOT;
	if (db != NULL && store_ticket_list(db, o.all, &v, &n) != STORE_OK) {
		fprintf(stderr, "sitewatch: tickets: %s\n",
		    store_errmsg(db));
		store_close(db);
		return EXIT_CANNOT;
	}
	arr = ticket_json_list(v, n);
	ticket_list_free(v, n);
	if (o.json)
		print_json(arr);
	else
		print_list(arr);
	json_decref(arr);
	store_close(db);
	return 0;
}

/* Join the words left after the options (the note of `ticket note`). */
static char *
join_words(int argc, char **argv)
{
	struct buf	b;
	int		i;

	buf_init(&b);
	for (i = 0; i < argc; i++) {
		if (i > 0)
			buf_addstr(&b, " ");
		buf_addstr(&b, argv[i]);
	}
	return b.data;
}

int
cli_ticket(struct cli *cli, int argc, char **argv)
{
	static const char	*usage = "ticket show ID [--json] | "
	    "ticket ack|resolve ID --by NAME [--note TEXT] [--json] | "
	    "ticket note|update ID --by NAME TEXT [--json]";
	struct store	*db = NULL;
	struct topts		 o;
	const char		*sub, *errstr, *done = NULL;
	char			 err[512], *text = NULL;
	struct ticket		 tk;
	struct update_conf	*uc = NULL;
	json_t			*t = NULL;
	size_t			 nmails = 0;
	long long		 id;
	int			 absent, act, rc, nargs, exitcode = EXIT_USAGE;

	if (parse_opts(argc, argv, &o, usage) == -1)
		return EXIT_USAGE;
	argv += optind;
	nargs = argc - optind;
	if (nargs < 2) {
		fprintf(stderr, "usage: sitewatch %s\n", usage);
		return EXIT_USAGE;
	}
	sub = argv[0];
	if (util_parse_ll(argv[1], 1, (1LL << 62), &id, &errstr) == -1) {
		fprintf(stderr, "sitewatch: ticket: bad ticket id \"%s\": %s\n",
		    argv[1], errstr);
		return EXIT_USAGE;
	}
	if (strcmp(sub, "note") == 0 || strcmp(sub, "update") == 0) {
		if (nargs < 3 && o.note == NULL) {
			fprintf(stderr, "sitewatch: ticket %s: the %s "
			    "text is missing\n", sub, sub);
			return EXIT_USAGE;
		}
		text = nargs >= 3 ? join_words(nargs - 2, argv + 2) :
		    xstrdup(o.note);
	} else if (nargs > 2) {
		fprintf(stderr, "sitewatch: ticket %s: unexpected argument "
		    "\"%s\"\n", sub, argv[2]);
		return EXIT_USAGE;
	} else if (strcmp(sub, "show") != 0 && strcmp(sub, "ack") != 0 &&
	    strcmp(sub, "resolve") != 0) {
		fprintf(stderr, "sitewatch: ticket: unknown action \"%s\"\n"
		    "usage: sitewatch %s\n", sub, usage);
		return EXIT_USAGE;
	}
	if (strcmp(sub, "show") != 0 && (o.by == NULL || *o.by == '\0')) {
		fprintf(stderr, "sitewatch: ticket %s: --by NAME is needed\n",
		    sub);
		goto out;
	}

	if ((db = tickets_db(cli, &absent)) == NULL) {
		if (absent) {
			fprintf(stderr, "sitewatch: ticket: no ticket %lld\n",
			    id);
			exitcode = EXIT_NOTFOUND;
		} else
			exitcode = EXIT_CANNOT;
		goto out;
	}

	err[0] = '\0';
	rc = STORE_OK;
	if (strcmp(sub, "update") == 0) {
		/* The mail needs the sites: tickets_db loaded the config. */
		uc = update_conf_new(cli_config(cli));
		rc = ticket_update_post(db, uc, id, o.by, text, time(NULL),
		    &nmails, err, sizeof err);
		done = "updated";
	} else if ((act = store_action_parse(sub)) != -1) {
		rc = store_ticket_action(db, act, id, o.by, act == STORE_NOTE ?
		    text : o.note, time(NULL), err, sizeof err);
		done = act == STORE_ACK ? "acknowledged" : act == STORE_NOTE ?
		    "noted" : "resolved";
	}
	if (rc == STORE_OK && (rc = store_ticket_get(db, id, &tk)) ==
	    STORE_OK) {
		t = ticket_json(&tk);
		ticket_free(&tk);
	}
	switch (rc) {
	case STORE_OK:
		break;
	case STORE_NOTFOUND:
		fprintf(stderr, "sitewatch: ticket: no ticket %lld\n", id);
		exitcode = EXIT_NOTFOUND;
		goto out;
	case STORE_CONFLICT:
	case STORE_INVALID:
		fprintf(stderr, "sitewatch: ticket %s: %s\n", sub, err);
		exitcode = EXIT_USAGE;
		goto out;
	default:
		fprintf(stderr, "sitewatch: ticket %s: %s\n", sub,
		    err[0] != '\0' ? err : store_errmsg(db));
		exitcode = EXIT_CANNOT;
		goto out;
	}
	if (o.json)
		print_json(t);
	else if (uc != NULL)
		printf("ticket %lld updated; %zu client mail(s) queued\n", id,
		    nmails);
	else if (done != NULL)
		printf("ticket %lld %s\n", id, done);
	else
		print_ticket(t);
	exitcode = 0;
out:
	update_conf_free(uc);
	json_decref(t);
	store_close(db);
	free(text);
	return exitcode;
}
