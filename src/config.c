/*
 * config.c -- load sitewatch.conf and every checks_dir/NAME.conf into an
 * immutable struct config.
 *
 * DESIGN
 * The loader drives the parts (config_int.h): config_read.c reads each
 * file line by line and parses every value by its type (config_types.c)
 * straight into the struct its section stands for.  [defaults] is itself
 * a struct check_conf; when all files are read each check takes, for
 * every key it did not set, the [defaults] value, which already holds the
 * table default when [defaults] did not set it either.  Only then come
 * the checks that need the whole picture: duplicate names, missing url,
 * slow_ms vs down_ms, depends.
 *
 * Errors never stop the load: each becomes one "FILE:LINE: message" line
 * and the result is NULL when there was any.
 */
#include <sys/stat.h>

#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf_keys.h"
#include "config.h"
#include "config_int.h"
#include "log.h"
#include "sitewatch.h"
#include "util.h"
#include "xmalloc.h"

/* Free one check_conf and everything it owns. */
static void
check_free(struct check_conf *c)
{
	size_t	i;

	if (c == NULL)
		return;
	for (i = 0; i < conf_nkeys; i++)
		if (conf_keys[i].section == CONF_SEC_CHECK)
			conf_value_free(&conf_keys[i], c);
	free(c->name);
	/* c->file points into the config's files[]. */
	free(c);
}

/*
 * Make the timeout/interval and slow_ms/down_ms pairs agree.
 *
 * A timeout longer than the interval is fine wherever it was written: the
 * scheduler never starts a check while its last run is still in flight (it
 * skips that turn and counts it), so runs cannot overlap.  Only the
 * built-in default timeout gives way to a shorter interval, so that
 * "interval = 1" alone still means a 1 s timeout.
 *
 * For slow_ms/down_ms, when both were written somewhere a conflict is an
 * error, named where the section itself wrote one (so it is reported
 * once); when one is only the built-in default it gives way.  adjust is 0
 * for [defaults], whose values are adjusted per check.
 */
static void
cross_checks(struct loader *ld, struct check_conf *c,
    const struct keysrc *src, int adjust)
{
	const struct keysrc	*a, *b, *at;

	a = &src[conf_key_index(conf_key_find(CONF_SEC_CHECK, "timeout"))];
	if (adjust && c->timeout > c->interval && a->line == 0)
		c->timeout = c->interval;
	a = &src[conf_key_index(conf_key_find(CONF_SEC_CHECK, "confirm"))];
	b = &src[conf_key_index(conf_key_find(CONF_SEC_CHECK, "locations"))];
	if (c->locations > 0 && c->confirm > c->locations && !a->bad &&
	    !b->bad && (a->own || b->own)) {
		at = a->own ? a : b;
		errlist_add(ld->errs, KS_FILE(ld, at), at->line,
		    "confirm (%d) must not exceed locations (%d)", c->confirm,
		    c->locations);
	}
	a = &src[conf_key_index(conf_key_find(CONF_SEC_CHECK, "slow_ms"))];
	b = &src[conf_key_index(conf_key_find(CONF_SEC_CHECK, "down_ms"))];
	if (c->slow_ms > c->down_ms && !a->bad && !b->bad) {
		if (a->line == 0 || b->line == 0) {
			if (adjust && a->line == 0)
				c->slow_ms = c->down_ms;
			else if (adjust)
				c->down_ms = c->slow_ms;
		} else if (a->own || b->own) {
			at = a->own ? a : b;
			errlist_add(ld->errs, KS_FILE(ld, at), at->line,
			    "slow_ms (%d) must not exceed down_ms (%d)",
			    c->slow_ms, c->down_ms);
		}
	}
}

/* After the main file: defaults, derived values, and [defaults] itself. */
/*
 * templates_dir left out, or SPEC's own "templates", is a folder beside
 * the config: a config written by hand for an installed sitewatch has
 * none there.  When that folder is missing, the installed templates are
 * used, and the log says so.  Any other path is kept as written (a
 * missing one is then reported where it is read).
 */
static void
templates_fallback(struct config *cfg)
{
	const char	*installed = PKGDATADIR "/templates";
	size_t		 n = strlen(cfg->dir);

	if (cfg->templates_dir == NULL ||
	    strncmp(cfg->templates_dir, cfg->dir, n) != 0 ||
	    strcmp(cfg->templates_dir + n, "/templates") != 0 ||
	    access(cfg->templates_dir, F_OK) == 0 || errno != ENOENT ||
	    access(installed, F_OK) == -1)
		return;
	log_info("templates_dir %s does not exist: using the installed "
	    "templates in %s", cfg->templates_dir, installed);
	free(cfg->templates_dir);
	cfg->templates_dir = xstrdup(installed);
}

static void
finish_main(struct loader *ld)
{
	struct config		*cfg = ld->cfg;
	const struct keysrc	*ks;
	char			*s, b[SHOW_BUF];
	unsigned char		 a6[16];

	conf_apply_defaults(ld, CONF_SEC_DAEMON, cfg, ld->main_src);
	conf_apply_defaults(ld, CONF_SEC_SMTP, &cfg->smtp, ld->main_src);
	conf_apply_defaults(ld, CONF_SEC_CHECK, &ld->defs, ld->defs_src);
	cross_checks(ld, &ld->defs, ld->defs_src, 0);

	/* A relative unix socket is relative to the conf folder too. */
	if (cfg->rrdcached != NULL && strncmp(cfg->rrdcached, "unix:", 5) ==
	    0 && cfg->rrdcached[5] != '/' && cfg->rrdcached[5] != '\0') {
		xasprintf(&s, "unix:%s/%s", cfg->dir, cfg->rrdcached + 5);
		free(cfg->rrdcached);
		cfg->rrdcached = s;
	}
	/*
	 * Empty: the daemon runs its own rrdcached (rrdcached_child.c
	 * fills in its address once it is the daemon).  "none": the writer
	 * thread writes the files itself.
	 */
	if (cfg->rrdcached == NULL)
		cfg->rrdcached_own = 1;
	else if (strcmp(cfg->rrdcached, "none") == 0) {
		free(cfg->rrdcached);
		cfg->rrdcached = NULL;
	}
	templates_fallback(cfg);
	if (cfg->source != NULL && inet_pton(AF_INET, cfg->source, a6) != 1 &&
	    inet_pton(AF_INET6, cfg->source, a6) != 1) {
		ks = &ld->main_src[conf_key_index(conf_key_find(
		    CONF_SEC_DAEMON, "source"))];
		errlist_add(ld->errs, KS_FILE(ld, ks), ks->line,
		    "source \"%s\": not an IPv4 or IPv6 address",
		    conf_show(cfg->source, b, sizeof b));
	}
	/* The URI holds a password: the message never quotes it. */
	if (cfg->database != NULL && strncmp(cfg->database,
	    "postgresql://", 13) != 0 && strncmp(cfg->database,
	    "postgres://", 11) != 0) {
		ks = &ld->main_src[conf_key_index(conf_key_find(
		    CONF_SEC_DAEMON, "database"))];
		errlist_add(ld->errs, KS_FILE(ld, ks), ks->line,
		    "database: not a libpq URI (postgresql://USER@HOST/DB); "
		    "leave it empty for SQLite in state_dir");
	}
	if (cfg->smtp.retry_max < cfg->smtp.retry_min) {
		ks = &ld->main_src[conf_key_index(conf_key_find(
		    CONF_SEC_SMTP, "retry_max"))];
		errlist_add(ld->errs, KS_FILE(ld, ks), ks->line,
		    "retry_max (%d s) must not be below retry_min (%d s)",
		    cfg->smtp.retry_max, cfg->smtp.retry_min);
	}
	if (cfg->user != NULL && getpwnam(cfg->user) == NULL) {
		ks = &ld->main_src[conf_key_index(conf_key_find(
		    CONF_SEC_DAEMON, "user"))];
		errlist_add(ld->errs, KS_FILE(ld, ks), ks->line,
		    "user \"%s\": no such user", conf_show(cfg->user, b, sizeof b));
	}
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read every checks_dir/NAME.conf in sorted order. */
static void
load_checks_dir(struct loader *ld)
{
	struct config		*cfg = ld->cfg;
	const struct keysrc	*ks;
	DIR			*d;
	struct dirent		*de;
	struct stat		 st;
	char		       **names = NULL, *shown, *path;
	const char		*rel;
	size_t			 n = 0, i, len, dlen;
	FILE			*f;

	/* Show the folder the way the user wrote the main path. */
	dlen = strlen(cfg->dir);
	if (strncmp(cfg->checks_dir, cfg->dir, dlen) == 0 &&
	    cfg->checks_dir[dlen] == '/' && cfg->dir[1] != '\0') {
		rel = cfg->checks_dir + dlen + 1;
		xasprintf(&shown, "%s%s", ld->show_dir, rel);
	} else
		shown = xstrdup(cfg->checks_dir);

	if ((d = opendir(cfg->checks_dir)) == NULL) {
		ks = &ld->main_src[conf_key_index(conf_key_find(
		    CONF_SEC_DAEMON, "checks_dir"))];
		errlist_add(ld->errs, ks->line ? KS_FILE(ld, ks) : cfg->path,
		    ks->line, "checks_dir \"%s\": cannot open: %s", shown,
		    strerror(errno));
		free(shown);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		/* Hidden files are editor droppings, not sites. */
		if (de->d_name[0] == '.' || len <= 5 ||
		    strcmp(de->d_name + len - 5, ".conf") != 0)
			continue;
		names = xappendarray(names, n, sizeof *names);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof *names, cmp_str);
	for (i = 0; i < n; i++) {
		xasprintf(&path, "%s/%s", cfg->checks_dir, names[i]);
		free(names[i]);
		xasprintf(&names[i], "%s/%s", shown, path +
		    strlen(cfg->checks_dir) + 1);
		/* Only regular files (or links to them) are sites. */
		if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		if ((f = conf_open(ld, path, names[i])) != NULL) {
			conf_read_file(ld, f, names[i], 0);
			fclose(f);
		}
		free(path);
	}
	conf_free_list(names, n);
	free(shown);
}

/* Order check states by name, then by load order. */
static int
cmp_state(const void *a, const void *b)
{
	const struct check_state	*x = *(struct check_state *const *)a;
	const struct check_state	*y = *(struct check_state *const *)b;
	int				 c;

	if ((c = strcmp(x->c->name, y->c->name)) != 0)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Find the kept check called name in the sorted array. */
static struct check_state *
find_state(struct check_state **sorted, size_t n, const char *name)
{
	size_t	lo = 0, hi = n, mid;
	int	c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(name, sorted[mid]->c->name)) == 0) {
			/* The first of equal names is the kept one. */
			while (mid > 0 && strcmp(name,
			    sorted[mid - 1]->c->name) == 0)
				mid--;
			return sorted[mid];
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* Report a depends cycle once, from its earliest check. */
static void
depends_cycle(struct loader *ld, struct check_state *st)
{
	struct check_state	*p;
	const struct keysrc	*ks;
	struct buf		 b;
	size_t			 steps;

	for (p = st->dep, steps = 0; p != NULL && p != st &&
	    steps <= ld->ncs; p = p->dep, steps++)
		;
	if (p != st)
		return;
	for (p = st->dep; p != st; p = p->dep)
		if (p->order < st->order)
			return;
	buf_init(&b);
	buf_addstr(&b, st->c->name);
	for (p = st->dep; ; p = p->dep) {
		buf_printf(&b, " -> %s", p->c->name);
		if (p == st)
			break;
	}
	ks = &st->dep_src;
	errlist_add(ld->errs, KS_FILE(ld, ks), ks->line, "depends: cycle %s",
	    b.data);
	buf_free(&b);
}

/* After every file: inheritance, names, url, depends; fill cfg->checks. */
static void
finish_checks(struct loader *ld)
{
	struct check_state	**sorted, *st, *t;
	const struct conf_key	 *k;
	const struct keysrc	 *ks;
	struct keysrc		 *src;
	size_t			  i, j, n = ld->ncs, dep_i, url_i;
	char			  b[SHOW_BUF];

	if (n == 0)
		return;
	sorted = xreallocarray(NULL, n, sizeof *sorted);
	memcpy(sorted, ld->cs, n * sizeof *sorted);
	qsort(sorted, n, sizeof *sorted, cmp_state);
	for (i = 1; i < n; i++) {
		if (strcmp(sorted[i]->c->name, sorted[i - 1]->c->name) != 0)
			continue;
		for (j = i - 1; j > 0 && sorted[j]->dropped; j--)
			;
		st = sorted[i];
		st->dropped = 1;
		errlist_add(ld->errs, st->c->file, st->c->line,
		    "duplicate check name \"%s\" (first defined at %s:%d)",
		    st->c->name, sorted[j]->c->file, sorted[j]->c->line);
	}

	dep_i = conf_key_index(conf_key_find(CONF_SEC_CHECK, "depends"));
	url_i = conf_key_index(conf_key_find(CONF_SEC_CHECK, "url"));
	src = ld->check_src;	/* one check's full row at a time */
	for (i = 0; i < n; i++) {
		st = ld->cs[i];
		if (st->dropped)
			continue;
		memset(src, 0, conf_nkeys * sizeof *src);
		for (j = 0; j < st->nset; j++)
			src[st->set[j].key] = st->set[j].ks;
		for (j = 0; j < conf_nkeys; j++) {
			k = &conf_keys[j];
			if (k->section != CONF_SEC_CHECK || src[j].line)
				continue;
			conf_value_copy(k, &ld->defs, st->c);
			src[j] = ld->defs_src[j];
			src[j].own = 0;
		}
		if (st->c->url == NULL && !src[url_i].bad)
			errlist_add(ld->errs, st->c->file, st->c->line,
			    "check \"%s\" has no url", st->c->name);
		cross_checks(ld, st->c, src, 1);
		st->dep_src = src[dep_i];
		free(st->set);
		st->set = NULL;
		st->nset = 0;
	}
	memset(src, 0, conf_nkeys * sizeof *src);

	for (i = 0; i < n; i++) {
		st = ld->cs[i];
		if (st->dropped || st->c->depends == NULL)
			continue;
		ks = &st->dep_src;
		if (strcmp(st->c->depends, st->c->name) == 0) {
			errlist_add(ld->errs, KS_FILE(ld, ks), ks->line,
			    "depends: check \"%s\" cannot depend on itself",
			    st->c->name);
			continue;
		}
		if ((t = find_state(sorted, n, st->c->depends)) == NULL) {
			errlist_add(ld->errs, KS_FILE(ld, ks), ks->line,
			    "depends: unknown check \"%s\"",
			    conf_show(st->c->depends, b, sizeof b));
			continue;
		}
		st->dep = t;
	}
	for (i = 0; i < n; i++)
		if (!ld->cs[i]->dropped && ld->cs[i]->dep != NULL)
			depends_cycle(ld, ld->cs[i]);
	free(sorted);

	ld->cfg->checks = xreallocarray(NULL, n, sizeof *ld->cfg->checks);
	for (i = 0; i < n; i++) {
		st = ld->cs[i];
		if (st->dropped)
			check_free(st->c);
		else
			ld->cfg->checks[ld->cfg->nchecks++] = st->c;
		free(st->set);
		free(st);
	}
	free(ld->cs);
	ld->cs = NULL;
	ld->ncs = 0;
}

/* Free one notify_conf and everything it owns. */
static void
notify_free(struct notify_conf *n)
{
	size_t	i;

	if (n == NULL)
		return;
	for (i = 0; i < conf_nkeys; i++)
		if (conf_keys[i].section == CONF_SEC_NOTIFY)
			conf_value_free(&conf_keys[i], n);
	conf_free_list(n->sites, n->nsites);
	free(n->name);
	free(n);
}

static const char *notify_type_names[NOTIFY_TYPE_COUNT] = {
	[NOTIFY_WEBHOOK] = "webhook",
	[NOTIFY_SLACK] = "slack",
	[NOTIFY_TEAMS] = "teams",
	[NOTIFY_TELEGRAM] = "telegram",
	[NOTIFY_NTFY] = "ntfy",
	[NOTIFY_MATRIX] = "matrix",
	[NOTIFY_PAGERDUTY] = "pagerduty",
};

const char *
notify_type_name(int t)
{
	if (t < 0 || t >= NOTIFY_TYPE_COUNT)
		return "invalid";
	return notify_type_names[t];
}

unsigned
notify_event_bit(const char *s)
{
	if (strcmp(s, "down") == 0)
		return NOTIFY_EV_DOWN;
	if (strcmp(s, "degraded") == 0)
		return NOTIFY_EV_DEGRADED;
	if (strcmp(s, "up") == 0)
		return NOTIFY_EV_UP;
	if (strcmp(s, "reminder") == 0)
		return NOTIFY_EV_REMINDER;
	return 0;
}

/* A site named s (its [site] name, or its file name without .conf). */
static int
site_known(const struct config *cfg, const char *s)
{
	size_t	i;

	for (i = 0; i < cfg->nsites; i++)
		if ((cfg->sites[i]->name != NULL &&
		    strcmp(cfg->sites[i]->name, s) == 0) ||
		    (cfg->sites[i]->id != NULL &&
		    strcmp(cfg->sites[i]->id, s) == 0))
			return 1;
	return 0;
}

/* The keysrc of key name of a [notify NAME] being loaded. */
static const struct keysrc *
notify_src(const struct notify_state *ns, const char *name)
{
	return &ns->src[conf_key_index(conf_key_find(CONF_SEC_NOTIFY,
	    name))];
}

/*
 * After every file: each [notify NAME] has what its type needs, names
 * known events and sites, and a name of its own.  A secret, a token or
 * a url is never quoted (the url of Slack or Teams is itself the key).
 */
static void
finish_notifies(struct loader *ld)
{
	struct config		*cfg = ld->cfg;
	struct notify_state	*ns;
	struct notify_conf	*n;
	const struct keysrc	*ks;
	char		       **items, b[SHOW_BUF];
	size_t			 i, j, nitems;
	unsigned		 bit;
	int			 dropped;

	if (ld->nns > 0)
		cfg->notifies = xreallocarray(NULL, ld->nns,
		    sizeof *cfg->notifies);
	for (i = 0; i < ld->nns; i++) {
		ns = ld->ns[i];
		n = ns->n;
		dropped = 0;
		for (j = 0; j < cfg->nnotifies; j++)
			if (strcmp(cfg->notifies[j]->name, n->name) == 0)
				break;
		if (j < cfg->nnotifies) {
			errlist_add(ld->errs, n->file, n->line,
			    "duplicate channel name \"%s\" (first defined at "
			    "%s:%d)", n->name, cfg->notifies[j]->file,
			    cfg->notifies[j]->line);
			dropped = 1;
		}
		conf_apply_defaults(ld, CONF_SEC_NOTIFY, n, ns->src);
		if (n->type < 0) {
			if (!notify_src(ns, "type")->bad)
				errlist_add(ld->errs, n->file, n->line,
				    "[notify %s] needs type = webhook, slack, "
				    "teams, telegram, ntfy, matrix or pagerduty",
				    n->name);
		} else {
			switch (n->type) {
			case NOTIFY_WEBHOOK:
			case NOTIFY_SLACK:
			case NOTIFY_TEAMS:
			case NOTIFY_NTFY:
				if (n->url == NULL &&
				    !notify_src(ns, "url")->bad)
					errlist_add(ld->errs, n->file,
					    n->line, "[notify %s] needs url "
					    "(type %s)", n->name,
					    notify_type_name(n->type));
				break;
			default:
				if (n->token == NULL)
					errlist_add(ld->errs, n->file,
					    n->line, "[notify %s] needs token "
					    "(type %s)", n->name,
					    notify_type_name(n->type));
				if (n->type != NOTIFY_PAGERDUTY &&
				    n->chat == NULL)
					errlist_add(ld->errs, n->file,
					    n->line, "[notify %s] needs chat "
					    "(the %s)", n->name,
					    n->type == NOTIFY_TELEGRAM ?
					    "telegram chat id" :
					    "matrix room id");
				break;
			}
		}
		n->events = 0;
		ks = notify_src(ns, "events");
		nitems = conf_split_list(n->events_text != NULL ?
		    n->events_text : "", &items);
		for (j = 0; j < nitems; j++) {
			if ((bit = notify_event_bit(items[j])) == 0)
				errlist_add(ld->errs, ks->line ?
				    KS_FILE(ld, ks) : n->file, ks->line ?
				    (int)ks->line : n->line,
				    "events: unknown event \"%s\" (expected "
				    "down, degraded, up or reminder)",
				    conf_show(items[j], b, sizeof b));
			n->events |= bit;
		}
		conf_free_list(items, nitems);
		ks = notify_src(ns, "sites");
		n->nsites = conf_split_list(n->sites_text != NULL ?
		    n->sites_text : "", &n->sites);
		for (j = 0; j < n->nsites; j++)
			if (!site_known(cfg, n->sites[j]))
				errlist_add(ld->errs, KS_FILE(ld, ks),
				    ks->line, "sites: unknown site \"%s\" "
				    "(not the [site] name of any file in "
				    "checks_dir)", conf_show(n->sites[j], b,
				    sizeof b));
		if (dropped)
			notify_free(n);
		else
			cfg->notifies[cfg->nnotifies++] = n;
		free(ns->src);
		free(ns);
	}
	free(ld->ns);
	ld->ns = NULL;
	ld->nns = 0;
}

const struct notify_conf *
config_find_notify(const struct config *cfg, const char *name)
{
	size_t	i;

	for (i = 0; i < cfg->nnotifies; i++)
		if (strcmp(cfg->notifies[i]->name, name) == 0)
			return cfg->notifies[i];
	return NULL;
}

/* Free what the loader owns (not the config it built). */
static void
loader_free(struct loader *ld)
{
	size_t	i;

	for (i = 0; i < conf_nkeys; i++)
		if (conf_keys[i].section == CONF_SEC_CHECK)
			conf_value_free(&conf_keys[i], &ld->defs);
	for (i = 0; i < ld->ncs; i++) {
		check_free(ld->cs[i]->c);
		free(ld->cs[i]->set);
		free(ld->cs[i]);
	}
	free(ld->cs);
	for (i = 0; i < ld->nns; i++) {
		notify_free(ld->ns[i]->n);
		free(ld->ns[i]->src);
		free(ld->ns[i]);
	}
	free(ld->ns);
	conf_free_list(ld->names, ld->nnames);
	free(ld->main_src);
	free(ld->defs_src);
	free(ld->check_src);
	free(ld->show_dir);
}

struct config *
config_load(const char *path, struct errlist *errs)
{
	struct loader	 ld;
	struct config	*cfg;
	FILE		*f;
	char		*dir, *slash;

	memset(&ld, 0, sizeof ld);
	cfg = xcalloc(1, sizeof *cfg);
	cfg->path = xstrdup(path);
	ld.cfg = cfg;
	ld.errs = errs;
	if ((f = conf_open(&ld, path, path)) == NULL) {
		config_free(cfg);
		return NULL;
	}
	if ((slash = strrchr(path, '/')) == NULL) {
		dir = xstrdup(".");
		ld.show_dir = xstrdup("");
	} else {
		dir = xstrndup(path, slash == path ? 1 :
		    (size_t)(slash - path));
		ld.show_dir = xstrndup(path, (size_t)(slash - path) + 1);
	}
	if ((cfg->dir = realpath(dir, NULL)) == NULL) {
		errlist_add(errs, path, 0, "cannot resolve its folder: %s",
		    strerror(errno));
		free(dir);
		fclose(f);
		loader_free(&ld);
		config_free(cfg);
		return NULL;
	}
	free(dir);
	ld.main_src = xcalloc(conf_nkeys, sizeof *ld.main_src);
	ld.defs_src = xcalloc(conf_nkeys, sizeof *ld.defs_src);
	ld.check_src = xcalloc(conf_nkeys, sizeof *ld.check_src);

	conf_read_file(&ld, f, path, 1);
	fclose(f);
	finish_main(&ld);
	load_checks_dir(&ld);
	finish_checks(&ld);
	finish_notifies(&ld);
	/* Ad-hoc URL checks (sitewatch check URL) start from [defaults]. */
	cfg->defaults = xmalloc(sizeof *cfg->defaults);
	*cfg->defaults = ld.defs;
	memset(&ld.defs, 0, sizeof ld.defs);
	cfg->files = ld.names;
	cfg->nfiles = ld.nnames;
	ld.names = NULL;
	ld.nnames = 0;
	loader_free(&ld);

	if (errs->n > 0) {
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

void
config_free(struct config *cfg)
{
	struct site_conf	*s;
	size_t			 i, j;

	if (cfg == NULL)
		return;
	for (i = 0; i < conf_nkeys; i++) {
		if (conf_keys[i].section == CONF_SEC_DAEMON)
			conf_value_free(&conf_keys[i], cfg);
		else if (conf_keys[i].section == CONF_SEC_SMTP)
			conf_value_free(&conf_keys[i], &cfg->smtp);
	}
	for (i = 0; i < cfg->nsites; i++) {
		s = cfg->sites[i];
		for (j = 0; j < conf_nkeys; j++)
			if (conf_keys[j].section == CONF_SEC_SITE)
				conf_value_free(&conf_keys[j], s);
		free(s->file);
		free(s->id);
		free(s);
	}
	free(cfg->sites);
	for (i = 0; i < cfg->nchecks; i++)
		check_free(cfg->checks[i]);
	free(cfg->checks);
	for (i = 0; i < cfg->nnotifies; i++)
		notify_free(cfg->notifies[i]);
	free(cfg->notifies);
	check_free(cfg->defaults);
	conf_free_list(cfg->files, cfg->nfiles);
	free(cfg->path);
	free(cfg->dir);
	free(cfg);
}

const struct check_conf *
config_find_check(const struct config *cfg, const char *name)
{
	size_t	i;

	for (i = 0; i < cfg->nchecks; i++)
		if (strcmp(cfg->checks[i]->name, name) == 0)
			return cfg->checks[i];
	return NULL;
}

/* Print the keys of one section as a commented INI block. */
static void
dump_section(enum conf_section sec, const char *header, const char *note)
{
	const struct conf_key	*k;
	char			 what[128];
	size_t			 i;

	printf("\n%s\n", header);
	if (note != NULL)
		printf("; %s\n", note);
	for (i = 0; i < conf_nkeys; i++) {
		k = &conf_keys[i];
		if (k->section != sec)
			continue;
		conf_key_describe(k, what, sizeof what);
		printf("; %s (%s)%s\n", k->help, what,
		    (k->flags & CONF_F_OPTIONAL) && strstr(k->help, "empty") ==
		    NULL ? "; empty = none" : "");
		printf("%s =%s%s\n", k->name, k->def != NULL && *k->def ?
		    " " : "", k->def != NULL ? k->def : "");
	}
}

void
config_dump_keys(void)
{
	printf("; sitewatch configuration keys, each with its default.\n"
	    "; Relative paths are relative to the folder of sitewatch.conf;"
	    " an empty value\n"
	    "; is the same as leaving the key out.  \"; comment\" needs a "
	    "space before \";\".\n");
	printf("\n; ---- sitewatch.conf ----\n");
	dump_section(CONF_SEC_DAEMON, "[daemon]", NULL);
	dump_section(CONF_SEC_SMTP, "[smtp]", NULL);
	dump_section(CONF_SEC_CHECK, "[defaults]",
	    "every key below may also be set in a [check NAME] section; a "
	    "check takes the\n; [defaults] value for each key it leaves "
	    "out or empty");
	dump_section(CONF_SEC_NOTIFY, "[notify NAME]", "a notification "
	    "channel besides mail; NAME as a check name; as many as wanted");
	printf("\n; ---- checks_dir/SITE.conf: one [site], one [check NAME] "
	    "per URL ----\n");
	dump_section(CONF_SEC_SITE, "[site]", NULL);
	printf("\n[check NAME]\n; NAME: A-Z a-z 0-9 . _ -, at most %d "
	    "characters, unique across all files;\n; the keys are those of "
	    "[defaults]; url is required\n", SW_NAME_MAX - 1);
}

