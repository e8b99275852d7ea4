/*
 * cli_users.c -- staff accounts of the web pages:
 *   sitewatch user add NAME [--role staff|viewer] --password-stdin
 *   sitewatch user del NAME
 *   sitewatch users [--json]
 *
 * The password is read from standard input only (one line; a command
 * line is seen by every user of the machine in ps), hashed here with
 * yescrypt (passwd.c) and only the hash is stored.  Once any account
 * exists the daemon's staff pages ask for a login (web_auth.c); it sees
 * a new or removed account within a few seconds.
 *
 * Exit status: 0 done; 1 bad arguments; 2 the name is taken (add) or
 * there is no such account (del); 3 the configuration or the database
 * cannot be used.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "cli.h"
#include "config.h"
#include "passwd.h"
#include "store.h"
#include "util.h"
#include "xmalloc.h"

#define USER_USAGE \
	"usage: sitewatch user add NAME [--role staff|viewer] " \
	"--password-stdin\n" \
	"       sitewatch user del NAME\n"
#define USERS_USAGE	"usage: sitewatch users [--json]\n"

/* The configured database, opened for writing; NULL after a message. */
static struct store *
users_open(struct cli *cli, const char *verb)
{
	struct config	*cfg;
	struct store	*db;
	char		*where, err[512];

	if ((cfg = cli_config(cli)) == NULL)
		return NULL;
	where = store_where(cfg->database, cfg->state_dir);
	db = store_open(where, 0, err, sizeof err);
	free(where);
	if (db == NULL)
		fprintf(stderr, "sitewatch: %s: %s\n", verb, err);
	return db;
}

/*
 * One line of stdin into pw (its end of line dropped): 0, or -1 after a
 * message.  Longer than PASSWD_MAX or empty is refused.
 */
static int
users_read_password(char *pw, size_t len)
{
	size_t	n;

	if (fgets(pw, (int)len, stdin) == NULL) {
		fprintf(stderr, "sitewatch: user add: no password on "
		    "standard input\n");
		return -1;
	}
	n = strcspn(pw, "\r\n");
	if (pw[n] == '\0' && n == len - 1) {
		fprintf(stderr, "sitewatch: user add: the password is longer "
		    "than %d bytes\n", PASSWD_MAX);
		return -1;
	}
	pw[n] = '\0';
	if (n == 0) {
		fprintf(stderr, "sitewatch: user add: the password is "
		    "empty\n");
		return -1;
	}
	return 0;
}

static int
users_add(struct cli *cli, const char *name, const char *role)
{
	struct store	*db;
	char		 pw[PASSWD_MAX + 2], hash[PASSWD_HASH_MAX];
	int		 rc;

	if (!store_user_name_ok(name)) {
		fprintf(stderr, "sitewatch: user add: bad name \"%s\" (1 to "
		    "%d of A-Z a-z 0-9 . _ - @)\n", name, SW_NAME_MAX - 1);
		return 1;
	}
	if (!store_user_role_ok(role)) {
		fprintf(stderr, "sitewatch: user add: bad role \"%s\" (staff "
		    "or viewer)\n", role);
		return 1;
	}
	if (users_read_password(pw, sizeof pw) == -1) {
		OPENSSL_cleanse(pw, sizeof pw);
		return 1;
	}
	rc = passwd_hash(pw, hash, sizeof hash);
	OPENSSL_cleanse(pw, sizeof pw);
	if (rc == -1) {
		fprintf(stderr, "sitewatch: user add: cannot hash the "
		    "password: %s\n", strerror(errno));
		return 3;
	}
	if ((db = users_open(cli, "user add")) == NULL)
		return 3;
	switch (store_user_add(db, name, role, hash, time(NULL))) {
	case STORE_OK:
		printf("account %s added (%s)\n", name, role);
		rc = 0;
		break;
	case STORE_CONFLICT:
		fprintf(stderr, "sitewatch: user add: there is an account "
		    "%s already\n", name);
		rc = 2;
		break;
	default:
		fprintf(stderr, "sitewatch: user add: %s\n",
		    store_errmsg(db));
		rc = 3;
		break;
	}
	store_close(db);
	return rc;
}

static int
users_del(struct cli *cli, const char *name)
{
	struct store	*db;
	int		 rc;

	if ((db = users_open(cli, "user del")) == NULL)
		return 3;
	switch (store_user_del(db, name)) {
	case STORE_OK:
		printf("account %s removed\n", name);
		rc = 0;
		break;
	case STORE_NOTFOUND:
		fprintf(stderr, "sitewatch: user del: there is no account "
		    "%s\n", name);
		rc = 2;
		break;
	default:
		fprintf(stderr, "sitewatch: user del: %s\n",
		    store_errmsg(db));
		rc = 3;
		break;
	}
	store_close(db);
	return rc;
}

int
cli_user(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "password-stdin", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*role = "staff";
	int		 ch, from_stdin = 0;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			role = optarg;
			break;
		case 'p':
			from_stdin = 1;
			break;
		case 'h':
			fputs(USER_USAGE, stdout);
			return 0;
		default:
			fputs(USER_USAGE, stderr);
			return 1;
		}
	}
	if (argc - optind != 2) {
		fputs(USER_USAGE, stderr);
		return 1;
	}
	if (strcmp(argv[optind], "add") == 0) {
		if (!from_stdin) {
			fprintf(stderr, "sitewatch: user add: give the "
			    "password on standard input with "
			    "--password-stdin\n");
			return 1;
		}
		return users_add(cli, argv[optind + 1], role);
	}
	if (strcmp(argv[optind], "del") == 0)
		return users_del(cli, argv[optind + 1]);
	fprintf(stderr, "sitewatch: user: unknown action %s\n", argv[optind]);
	fputs(USER_USAGE, stderr);
	return 1;
}

int
cli_users(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct store		*db;
	struct store_user	*v = NULL;
	json_t			*arr, *o;
	size_t			 n = 0, i;
	char			 when[32];
	int			 ch, json = 0;

	while ((ch = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'h':
			fputs(USERS_USAGE, stdout);
			return 0;
		default:
			fputs(USERS_USAGE, stderr);
			return 1;
		}
	}
	if (optind != argc) {
		fputs(USERS_USAGE, stderr);
		return 1;
	}
	if ((db = users_open(cli, "users")) == NULL)
		return 3;
	if (store_users(db, &v, &n) != STORE_OK) {
		fprintf(stderr, "sitewatch: users: %s\n", store_errmsg(db));
		store_close(db);
		return 3;
	}
	store_close(db);
	arr = json_array();
	for (i = 0; i < n; i++) {
		util_iso8601(v[i].created_at, when, sizeof when);
		if (!json) {
			printf("%-32s %-6s %s\n", v[i].name, v[i].role, when);
			continue;
		}
		o = json_object();
		json_object_set_new(o, "name", json_string(v[i].name));
		json_object_set_new(o, "role", json_string(v[i].role));
		json_object_set_new(o, "created_at", json_string(when));
		json_array_append_new(arr, o);
	}
	if (json) {
		json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
		putchar('\n');
	} else if (n == 0)
		printf("no accounts: the staff pages are open to anyone who "
		    "can reach them\n");
	json_decref(arr);
	free(v);
	return 0;
}
