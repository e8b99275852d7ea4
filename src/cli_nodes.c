/*
 * cli_nodes.c -- `sitewatch nodes [--json]`: the daemons (nodes) that
 * share this configuration's database, from their heartbeats.
 *
 * A node is "up" when its last heartbeat is at most node_timeout seconds
 * old, else "gone".  With SQLite the one node is the local daemon.
 * JSON: an array of {node, location, state, last_seen, checks}; location
 * is the node's name until nodes have locations of their own.
 *
 * Exit status: 0 listed (an empty list too); 1 bad arguments; 3 the
 * configuration or the database cannot be used.
 */
#include <sys/stat.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cli.h"
#include "config.h"
#include "store.h"
#include "util.h"
#include "xmalloc.h"

#define NODES_USAGE	"usage: sitewatch nodes [--json]\n"

int
cli_nodes(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct config		*cfg;
	struct store		*db = NULL;
	struct store_node	*v = NULL;
	struct stat		 sb;
	json_t			*arr, *o;
	size_t			 n = 0, i;
	time_t			 now;
	char			*where, err[512], when[32];
	const char		*state;
	int			 ch, json = 0, rc = 0;

	while ((ch = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'h':
			fputs(NODES_USAGE, stdout);
			return 0;
		default:
			fputs(NODES_USAGE, stderr);
			return 1;
		}
	}
	if (optind != argc) {
		fputs(NODES_USAGE, stderr);
		return 1;
	}
	if ((cfg = cli_config(cli)) == NULL)
		return 3;
	where = store_where(cfg->database, cfg->state_dir);
	/* No SQLite file yet: no daemon ever ran here, an empty list. */
	if (store_is_uri(where) || stat(where, &sb) == 0) {
		if ((db = store_open(where, 0, err, sizeof err)) == NULL) {
			fprintf(stderr, "sitewatch: nodes: %s\n", err);
			free(where);
			return 3;
		}
		if (store_nodes(db, &v, &n) != STORE_OK) {
			fprintf(stderr, "sitewatch: nodes: %s\n",
			    store_errmsg(db));
			rc = 3;
		}
	}
	free(where);
	now = time(NULL);
	arr = json_array();
	for (i = 0; rc == 0 && i < n; i++) {
		state = now - v[i].last_seen <= cfg->node_timeout ? "up" :
		    "gone";
		util_iso8601(v[i].last_seen, when, sizeof when);
		if (!json) {
			printf("%-24s %-5s %s %6d checks\n", v[i].name, state,
			    when, v[i].checks);
			continue;
		}
		o = json_object();
		json_object_set_new(o, "node", json_string(v[i].name));
		json_object_set_new(o, "location", json_string(v[i].name));
		json_object_set_new(o, "state", json_string(state));
		json_object_set_new(o, "last_seen", json_string(when));
		json_object_set_new(o, "checks", json_integer(v[i].checks));
		json_array_append_new(arr, o);
	}
	if (json && rc == 0) {
		json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
		putchar('\n');
	}
	json_decref(arr);
	free(v);
	store_close(db);
	return rc;
}
