/*
 * cli_migrate.c -- `sitewatch migrate --to URI [--force]`: copy a single
 * node's SQLite state (tickets with their timelines, check states, the
 * mail queue, the staff accounts) into PostgreSQL, so the node, and others after it, can run
 * on `database = URI`.
 *
 * DESIGN
 * Everything goes through the store (store.h), from the SQLite store of
 * the configuration's state_dir to the store the URI names, in one
 * transaction on the target: a failure leaves the target as it was.
 * Rows keep their ids (mails and tickets refer to ticket ids, staff know
 * them), and a row whose id is there already is left alone, so running
 * it again changes nothing.  A target that holds anything is refused
 * unless --force: merging two clusters' tickets is not a copy.  Stop the
 * daemon first; what it writes after the copy stays in SQLite.
 *
 * Exit status: 0 copied; 1 bad arguments, or a non-empty target without
 * --force; 3 a database cannot be used.
 */
#include <sys/stat.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "store.h"
#include "xmalloc.h"

#define MIGRATE_USAGE	"usage: sitewatch migrate --to URI [--force]\n"

struct copy {
	struct store	*to;
	long long	 written, kept;
	int		 failed;
};

/* One check state, copied (an upsert: the same on a second run). */
static int
copy_state(const struct store_check_state *cs, void *arg)
{
	struct copy	*c = arg;

	if (store_check_state_save(c->to, cs) == -1) {
		c->failed = 1;
		return 1;
	}
	c->written++;
	return 0;
}

/* One mail, copied unless its id is there already. */
static int
copy_mail(const struct mail_row *m, void *arg)
{
	struct copy	*c = arg;
	int		 rc;

	if ((rc = store_mail_import(c->to, m)) == -1) {
		c->failed = 1;
		return 1;
	}
	if (rc == 1)
		c->written++;
	else
		c->kept++;
	return 0;
}

/* Stop the walk at the first row: the target holds something. */
static int
any_state(const struct store_check_state *cs, void *arg)
{
	(void)cs;
	*(int *)arg = 1;
	return 1;
}

/* 1 when the target holds a ticket, a mail or a check state. */
static int
target_used(struct store *to)
{
	struct mail_row	m;
	int		any = 0;

	if (store_ticket_max_id(to) != 0)
		return 1;
	if (store_mail_list(to, NULL, &m, 1) > 0) {
		mail_row_free(&m);
		return 1;
	}
	if (store_check_states(to, any_state, &any) != STORE_OK)
		return 1;
	return any;
}

/*
 * The confirmed subscribers of every configured site (an unconfirmed
 * request is asked again); -1 on failure.
 */
static int
copy_subscribers(const struct config *cfg, struct store *from,
    struct store *to, struct copy *c)
{
	struct subscriber	*v;
	size_t			 i, k, n;
	int			 rc = 0;

	for (i = 0; rc == 0 && i < cfg->nsites; i++) {
		store_set_quiet(from, 1);
		if (store_sub_list(from, cfg->sites[i]->id, &v, &n) !=
		    STORE_OK) {
			/* A file of an older version has none (read-only). */
			if (strstr(store_errmsg(from), "no such table") !=
			    NULL)
				return 0;
			fprintf(stderr, "sitewatch: migrate: subscribers: "
			    "%s\n", store_errmsg(from));
			return -1;
		}
		store_set_quiet(from, 0);
		for (k = 0; k < n; k++) {
			if (rc == 0 && (rc = store_sub_import(to, &v[k])) ==
			    1)
				c->written++;
			else if (rc == 0)
				c->kept++;
			if (rc == 1)
				rc = 0;
			subscriber_free(&v[k]);
		}
		free(v);
	}
	return rc;
}

/* Copy everything inside the target's transaction; -1 on failure. */
static int
migrate_copy(struct store *from, struct store *to, struct copy *c[3])
{
	struct ticket	*t = NULL;
	size_t		 n = 0, i;
	int		 rc;

	if (store_ticket_list(from, 1, &t, &n) != STORE_OK)
		return -1;
	for (i = 0; i < n; i++) {
		if ((rc = store_ticket_import(to, &t[i])) == -1)
			break;
		if (rc == 1)
			c[0]->written++;
		else
			c[0]->kept++;
	}
	ticket_list_free(t, n);
	if (i < n)
		return -1;
	if (store_check_states(from, copy_state, c[1]) != STORE_OK ||
	    c[1]->failed)
		return -1;
	if (store_mail_walk(from, copy_mail, c[2]) != STORE_OK ||
	    c[2]->failed)
		return -1;
	return store_import_done(to);
}

int
cli_migrate(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct config	*cfg;
	struct store	*from = NULL, *to = NULL;
	struct copy	 tickets, states, mails, subs, *c[3];
	struct stat	 sb;
	const char	*uri = NULL;
	char		*path, *shown, err[512];
	long long	 uwritten, ukept;
	int		 ch, force = 0, rc = 3;

	while ((ch = getopt_long(argc, argv, "t:fh", longopts, NULL)) != -1) {
		switch (ch) {
		case 't':
			uri = optarg;
			break;
		case 'f':
			force = 1;
			break;
		case 'h':
			fputs(MIGRATE_USAGE, stdout);
			return 0;
		default:
			fputs(MIGRATE_USAGE, stderr);
			return 1;
		}
	}
	if (optind != argc || uri == NULL) {
		fputs(MIGRATE_USAGE, stderr);
		return 1;
	}
	if (!store_is_uri(uri)) {
		fprintf(stderr, "sitewatch: migrate: --to needs a libpq URI "
		    "(postgresql://USER@HOST/DB)\n");
		return 1;
	}
	if ((cfg = cli_config(cli)) == NULL)
		return 3;
	path = store_where(NULL, cfg->state_dir);
	if (stat(path, &sb) == -1) {
		fprintf(stderr, "sitewatch: migrate: %s: no SQLite database "
		    "to copy\n", path);
		free(path);
		return 3;
	}
	from = store_open(path, STORE_READONLY, err, sizeof err);
	free(path);
	if (from == NULL) {
		fprintf(stderr, "sitewatch: migrate: %s\n", err);
		return 3;
	}
	if ((to = store_open(uri, 0, err, sizeof err)) == NULL) {
		fprintf(stderr, "sitewatch: migrate: %s\n", err);
		goto out;
	}
	shown = store_mask_uri(uri);
	if (!force && target_used(to)) {
		fprintf(stderr, "sitewatch: migrate: %s already holds "
		    "tickets, mails or check states; --force copies what it "
		    "lacks beside them\n", shown);
		free(shown);
		rc = 1;
		goto out;
	}
	memset(&tickets, 0, sizeof tickets);
	memset(&states, 0, sizeof states);
	memset(&mails, 0, sizeof mails);
	tickets.to = states.to = mails.to = to;
	c[0] = &tickets;
	c[1] = &states;
	c[2] = &mails;
	memset(&subs, 0, sizeof subs);
	subs.to = to;
	/* The accounts too: without them the pages there would be open. */
	if (store_begin(to) == -1 || migrate_copy(from, to, c) == -1 ||
	    store_users_copy(from, to, &uwritten, &ukept) == -1 ||
	    copy_subscribers(cfg, from, to, &subs) == -1 ||
	    store_commit(to) == -1) {
		fprintf(stderr, "sitewatch: migrate: %s: %s; nothing copied\n",
		    shown, store_errmsg(to));
		store_rollback(to);
		free(shown);
		goto out;
	}
	printf("copied to %s: %lld tickets (%lld there already), "
	    "%lld check states, %lld mails (%lld there already), "
	    "%lld subscribers (%lld there already)\n", shown,
	    tickets.written, tickets.kept, states.written, mails.written,
	    mails.kept, subs.written, subs.kept);
	printf("copied %lld staff accounts (%lld there already)\n",
	    uwritten, ukept);
	free(shown);
	rc = 0;
out:
	store_close(to);
	store_close(from);
	return rc;
}
