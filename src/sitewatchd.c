/*
 * sitewatchd.c -- the daemon: parse argv, load the configuration, wire the
 * modules in data-flow order on one event_base, run, and shut down in
 * reverse order.
 *
 *   config -> scheduler -> probe (evcurl) -> on_result -> rrd_store
 *                                                       -> incidents -> notify
 *
 * Signals are libevent events, so reload and shutdown run in loop
 * context, never inside a signal handler.
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/event.h>
#include <event2/thread.h>

#include "checker_health.h"
#include "config.h"
#include "evcurl.h"
#include "incident.h"
#include "log.h"
#include "notify.h"
#include "ticket_update.h"
#include "registry.h"
#include "report_mail.h"
#include "report_monthly.h"
#include "escalate.h"
#include "assign.h"
#include "store.h"
#include "rrd_store.h"
#include "rrdcached_child.h"
#include "scheduler.h"
#include "util.h"
#include "web.h"
#include "xmalloc.h"

/*
 * jemalloc (configure.ac) reads this at its first allocation; MALLOC_CONF
 * in the environment still overrides it, and the C library's malloc
 * ignores it.  Pages freed after a burst (the first round's file
 * creations, a large /metrics answer) go back to the system within about
 * a second instead of jemalloc's default ten: the 100,000-check scenario
 * (f) peaked 1.6 MB lower with it (bench/RESULTS.md, section 15).
 */
const char *malloc_conf =
    "background_thread:true,max_background_threads:1,"
    "dirty_decay_ms:1000,muzzy_decay_ms:0";

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

struct daemon {
	struct event_base	*base;
	struct config		*cfg;
	struct config		**retired;	/* old configs probes still use */
	size_t			 nretired;
	struct registry		*reg;		/* every check's id */
	struct evcurl		*curl;
	struct scheduler	*sched;
	struct rrd_store	*rrd;
	struct rrdcached_child	*rrdcached;	/* our own, or NULL */
	struct incidents	*incidents;
	struct notifier		*notifier;
	struct report_monthly	*reports;
	struct escalate		*escalate;
	struct assign		*assign;	/* several nodes, else NULL */
	struct web		*web;
	struct event		*ev_hup, *ev_term, *ev_int, *ev_gc;
	const char		*config_path;
	char			*pid_file;
};

/* Asked for (--help) it goes to stdout and exits 0; a mistake, 1. */
static void
usage(FILE *f, int status)
{
	fprintf(f, "usage: sitewatchd [-ftv] [-c FILE]\n"
	    "       sitewatchd --dump-config | --help | --version\n"
	    "  -c FILE        configuration (default %s)\n"
	    "  -f             stay in the foreground, log to stderr\n"
	    "  -t             check the configuration and templates, then exit\n"
	    "  -v             log debug detail (each result)\n"
	    "  --dump-config  print every key with its default\n",
	    DEFAULT_CONFIG);
	exit(status);
}

/* Print every config and template error; returns the number found. */
static struct config *
load_config(const char *path, int with_templates)
{
	struct errlist	 errs;
	struct config	*cfg;
	size_t		 i;

	errlist_init(&errs);
	cfg = config_load(path, &errs);
	if (cfg != NULL && with_templates) {
		notify_check_templates(cfg, &errs);
		report_mail_check_templates(cfg, &errs);
		escalate_check_templates(cfg, &errs);
		ticket_update_check_templates(cfg, &errs);
	}
	for (i = 0; i < errs.n; i++)
		log_error("%s", errs.lines[i]);
	if (errs.n > 0 && cfg != NULL) {
		config_free(cfg);
		cfg = NULL;
	}
	errlist_free(&errs);
	return cfg;
}

static int
mkdir_p(const char *path, mode_t mode)
{
	char	*p, *s;
	int	 rc = 0;

	p = xstrdup(path);
	for (s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, mode) == -1 && errno != EEXIST) {
			rc = -1;
			break;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	return rc;
}

static int
prepare_state_dir(const struct config *cfg)
{
	const char	*sub[] = { "", "/rrd", "/outbox" };
	char		*path;
	size_t		 i;

	for (i = 0; i < sizeof sub / sizeof sub[0]; i++) {
		xasprintf(&path, "%s%s", cfg->state_dir, sub[i]);
		if (mkdir_p(path, 0750) == -1) {
			log_error("cannot create %s: %s", path, strerror(errno));
			free(path);
			return -1;
		}
		free(path);
	}
	return 0;
}

static void
write_pid_file(struct daemon *d)
{
	FILE	*f;

	if (d->cfg->pid_file != NULL)
		d->pid_file = xstrdup(d->cfg->pid_file);
	else
		xasprintf(&d->pid_file, "%s/sitewatchd.pid", d->cfg->state_dir);
	if ((f = fopen(d->pid_file, "w")) == NULL) {
		log_warn("cannot write pid file %s: %s", d->pid_file,
		    strerror(errno));
		return;
	}
	fprintf(f, "%ld\n", (long)getpid());
	fclose(f);
}

/*
 * Descriptors: many checks mean many sockets, and a check that finds
 * none left is not a site's outage (checker_health.c) but must not
 * happen in the first place.  At start the soft limit goes up to the
 * hard one (as nginx and Redis do); then a budget is taken:
 *
 *   FD_FIXED		stdio, the loop's epoll and notify pipes, SQLite
 *			(database, journal, one handle per store thread),
 *			the RRD writer and rrdcached, the mail queue and
 *			its SMTP socket, the log, the web's listener
 *   FD_PER_PROBE	per check in flight (max_parallel): its socket,
 *			and the resolver's socketpair while it runs
 *   the web		what is left, at most FD_WEB_DEFAULT; or
 *			[daemon] max_connections when set
 *
 * A budget that cannot fit is refused at -t and at start, naming the
 * key (FILE:LINE) that asked for it; a max_parallel left to its default
 * is lowered to fit instead, and the log says so.
 */
#define FD_FIXED		64
#define FD_PER_PROBE		3
#define FD_WEB_MIN		16
#define FD_WEB_DEFAULT		1024
#define FD_UNLIMITED		(1L << 20)	/* RLIM_INFINITY, counted */

/* The limit the daemon runs with: the hard one, which it raises to. */
static long
fd_limit_hard(void)
{
	struct rlimit	rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return 1024;
	if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > FD_UNLIMITED)
		return FD_UNLIMITED;
	return (long)rl.rlim_max;
}

/* Raise the soft descriptor limit to the hard one, and say so. */
static void
raise_fd_limit(void)
{
	struct rlimit	rl;
	rlim_t		old;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	old = rl.rlim_cur;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		log_warn("cannot raise the descriptor limit: %s",
		    strerror(errno));
	else if (old != rl.rlim_cur)
		log_info("descriptor limit raised from %llu to %llu",
		    (unsigned long long)old, (unsigned long long)rl.rlim_cur);
}

/*
 * The line of KEY in the [daemon] section of the main file, 0 when it is
 * not written there (its default applies).
 */
static int
daemon_key_line(const char *path, const char *key)
{
	FILE	*f;
	char	 line[1024], *p;
	size_t	 klen = strlen(key);
	int	 n = 0, in_daemon = 0, found = 0;

	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL) {
		n++;
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		if (*p == '[') {
			in_daemon = strncmp(p, "[daemon]", 8) == 0;
			continue;
		}
		if (!in_daemon || strncmp(p, key, klen) != 0)
			continue;
		for (p += klen; *p == ' ' || *p == '\t'; p++)
			;
		if (*p == '=')
			found = n;	/* the last one wins, as in the loader */
	}
	fclose(f);
	return found;
}

/*
 * Fit max_parallel and the web's connections into limit descriptors.
 * Returns 0 (cfg adjusted: max_connections is the web's cap from then
 * on), or -1 with a FILE:LINE message in errs.
 */
static int
fd_budget(struct config *cfg, long limit, struct errlist *errs, int say)
{
	long	probes, web, left;
	int	line;

	probes = (long)cfg->max_parallel * FD_PER_PROBE;
	if (FD_FIXED + probes + FD_WEB_MIN > limit) {
		if ((line = daemon_key_line(cfg->path, "max_parallel")) > 0) {
			errlist_add(errs, cfg->path, line, "max_parallel %d "
			    "needs %ld descriptors (%d per check in flight, "
			    "%d more for the rest) and the limit is %ld: "
			    "lower it or raise the limit (ulimit -n, "
			    "LimitNOFILE)", cfg->max_parallel,
			    probes + FD_FIXED + FD_WEB_MIN, FD_PER_PROBE,
			    FD_FIXED + FD_WEB_MIN, limit);
			return -1;
		}
		cfg->max_parallel = (int)((limit - FD_FIXED - FD_WEB_MIN) /
		    FD_PER_PROBE);
		if (cfg->max_parallel < 1) {
			errlist_add(errs, cfg->path, 0, "a descriptor limit "
			    "of %ld is too low to run at all", limit);
			return -1;
		}
		if (say)
			log_warn("max_parallel lowered to %d to fit the "
			    "descriptor limit of %ld", cfg->max_parallel, limit);
		probes = (long)cfg->max_parallel * FD_PER_PROBE;
	}
	left = limit - FD_FIXED - probes;
	if (cfg->max_connections > 0) {
		web = cfg->max_connections;
		if (web > left) {
			line = daemon_key_line(cfg->path, "max_connections");
			errlist_add(errs, cfg->path, line, "max_connections "
			    "%ld does not fit: the descriptor limit %ld leaves "
			    "%ld after max_parallel %d (%d each) and %d for "
			    "the rest", web, limit, left, cfg->max_parallel,
			    FD_PER_PROBE, FD_FIXED);
			return -1;
		}
	} else
		web = left < FD_WEB_DEFAULT ? left : FD_WEB_DEFAULT;
	cfg->max_connections = (int)web;
	if (say)
		log_info("descriptors: limit %ld = %ld for %d checks in flight "
		    "+ %d for the stores, mail and loop + %ld for web "
		    "connections%s", limit, probes, cfg->max_parallel,
		    FD_FIXED, web, limit - FD_FIXED - probes - web > 0 ?
		    " + spare" : "");
	return 0;
}

/* fd_budget for a running daemon: errors go to the log. */
static int
fd_budget_log(struct config *cfg, int say)
{
	struct errlist	errs;
	size_t		i;
	int		rc;

	errlist_init(&errs);
	rc = fd_budget(cfg, fd_limit_hard(), &errs, say);
	for (i = 0; i < errs.n; i++)
		log_error("%s", errs.lines[i]);
	errlist_free(&errs);
	return rc;
}

static uid_t	chown_uid;
static gid_t	chown_gid;

static int
chown_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	if (lchown(path, chown_uid, chown_gid) == -1)
		log_warn("cannot hand %s to the daemon user: %s", path,
		    strerror(errno));
	return 0;
}

/*
 * Started as root with [daemon] user set: hand the state folder to that
 * user and become it, once everything that needs root is open.
 */
static void
drop_privileges(const struct config *cfg)
{
	struct passwd	*pw;

	if (geteuid() != 0 || cfg->user == NULL)
		return;
	if ((pw = getpwnam(cfg->user)) == NULL)
		fatal("user %s: no such user", cfg->user);
	chown_uid = pw->pw_uid;
	chown_gid = pw->pw_gid;
	nftw(cfg->state_dir, chown_one, 16, FTW_PHYS);
	if (setgroups(1, &pw->pw_gid) == -1 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1)
		fatal("cannot drop privileges to %s: %s", cfg->user,
		    strerror(errno));
	log_info("running as user %s", cfg->user);
}

/* The one place a result fans out to the stores, in data-flow order. */
static void
on_result(const struct check_conf *c, const struct result *r, void *arg)
{
	struct daemon	*d = arg;

	rrd_store_record(d->rrd, c, r);
	incidents_feed(d->incidents, c, r);
	web_record(d->web, c, r);
}

/*
 * Direct RRD writes cost an open, a header read and a close per result on
 * the writer thread (tens of µs); rrdcached batches them.  Say so once
 * per start or reload when the load is where that starts to matter.
 */
#define DIRECT_RRD_HINT_PER_S	100

static void
hint_rrdcached(const struct config *cfg)
{
	double	per_s = 0;
	size_t	i;

	if (cfg->rrdcached != NULL && *cfg->rrdcached != '\0')
		return;	/* an operator's, or our own */
	for (i = 0; i < cfg->nchecks; i++)
		if (cfg->checks[i]->interval > 0)
			per_s += 1.0 / cfg->checks[i]->interval;
	if (per_s >= DIRECT_RRD_HINT_PER_S)
		log_info("rrd: %.0f results a second are written to the RRD "
		    "files directly; at this load leave rrdcached in [daemon] "
		    "empty or name one (README: RRD at scale)", per_s);
}

/*
 * The checker's own health changed: tell staff once (never clients, no
 * ticket).  The checks it could not make are already unknown.
 */
static void
on_impaired(int on, enum local_kind kind, const char *message, void *arg)
{
	struct daemon	*d = arg;
	char		 host[256], subject[320], *text;

	if (gethostname(host, sizeof host) == -1)
		snprintf(host, sizeof host, "this host");
	host[sizeof host - 1] = '\0';
	if (on) {
		snprintf(subject, sizeof subject, "[sitewatch] the monitor on "
		    "%s is impaired: %s", host, local_kind_text(kind));
		xasprintf(&text, "sitewatchd on %s cannot make some checks "
		    "for a reason of its own: %s.\n\n"
		    "Those checks are recorded as unknown: no ticket is opened "
		    "and no client is mailed while this lasts.  You get one "
		    "more mail when it is over.\n\nFirst failure: %s\n",
		    host, local_kind_text(kind),
		    message != NULL ? message : "");
	} else {
		snprintf(subject, sizeof subject, "[sitewatch] the monitor on "
		    "%s is no longer impaired", host);
		xasprintf(&text, "sitewatchd on %s makes its checks again.  "
		    "See sitewatch_checker_local_failures_total in /metrics "
		    "for what failed.\n", host);
	}
	notify_staff(d->notifier, subject, text);
	free(text);
}

static void
on_incident(const struct incident_event *ev, void *arg)
{
	struct daemon	*d = arg;

	notify_event(d->notifier, ev);
}

/* A job queued mail (monthly reports, escalations): send it now. */
static void
on_reports_queued(void *arg)
{
	struct daemon	*d = arg;

	notify_poke_mail(d->notifier);
}

/* A ticket's OPENED mails are all in the queue: mark it told. */
static void
on_told(long long ticket, void *arg)
{
	struct daemon	*d = arg;

	incidents_told(d->incidents, ticket);
}

/* Free the retired configs that no probe points into any more. */
static void
gc_configs(evutil_socket_t fd, short what, void *arg)
{
	struct daemon	*d = arg;
	size_t		 i = 0;

	while (i < d->nretired) {
		if (scheduler_config_unused(d->sched, d->retired[i]) &&
		    report_monthly_config_unused(d->reports, d->retired[i]) &&
		    escalate_config_unused(d->escalate, d->retired[i]) &&
		    assign_config_unused(d->assign, d->retired[i])) {
			config_free(d->retired[i]);
			d->retired[i] = d->retired[--d->nretired];
		} else
			i++;
	}
}

static void
on_sighup(evutil_socket_t sig, short what, void *arg)
{
	struct daemon	*d = arg;
	struct config	*cfg;

	log_info("reloading configuration from %s", d->config_path);
	if ((cfg = load_config(d->config_path, 1)) == NULL) {
		log_error("configuration not reloaded: the old one keeps "
		    "running");
		return;
	}
	if (prepare_state_dir(cfg) == -1 || fd_budget_log(cfg, 0) == -1) {
		config_free(cfg);
		return;
	}
	rrdcached_child_bind(cfg);
	d->rrdcached = rrdcached_child_reload(d->rrdcached, cfg, d->base);
	evcurl_set_source(d->curl, cfg->source);
	d->retired = xreallocarray(d->retired, d->nretired + 1,
	    sizeof *d->retired);
	d->retired[d->nretired++] = d->cfg;
	d->cfg = cfg;
	/* Names are matched here, once; every module below goes by id. */
	registry_bind(d->reg, cfg);
	rrd_store_reload(d->rrd, cfg);
	incidents_reload(d->incidents, cfg);
	notify_reload(d->notifier, cfg);
	report_monthly_reload(d->reports, cfg);
	escalate_reload(d->escalate, cfg);
	assign_reload(d->assign, cfg);
	scheduler_reload(d->sched, cfg);
	web_reload(d->web, cfg);
	log_info("configuration reloaded: %zu checks", cfg->nchecks);
	hint_rrdcached(cfg);
}

static void
on_sigterm(evutil_socket_t sig, short what, void *arg)
{
	struct daemon	*d = arg;

	log_info("signal %d: stopping", (int)sig);
	/*
	 * Cancelled probes report "unknown" at once, so every result is
	 * handed downstream before the loop ends; the stores then drain
	 * their queues in their close functions.
	 */
	scheduler_stop(d->sched);
	event_base_loopexit(d->base, NULL);
	event_del(d->ev_hup);
	event_del(d->ev_gc);
	event_del(d->ev_term);
	event_del(d->ev_int);
}

/* -t: plain FILE:LINE lines on stderr, without log stamps; the exit code. */
static int
check_only(const char *path)
{
	struct errlist	 errs;
	struct config	*cfg;
	size_t		 i;
	int		 rc;

	errlist_init(&errs);
	cfg = config_load(path, &errs);
	if (cfg != NULL) {
		notify_check_templates(cfg, &errs);
		report_mail_check_templates(cfg, &errs);
		escalate_check_templates(cfg, &errs);
		ticket_update_check_templates(cfg, &errs);
	}
	if (cfg != NULL && errs.n == 0)
		(void)fd_budget(cfg, fd_limit_hard(), &errs, 0);
	for (i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.lines[i]);
	if (errs.n == 0 && cfg->nnotifies > 0)
		fprintf(stderr, "%s: configuration OK (%zu checks, %zu "
		    "channels)\n", path, cfg->nchecks, cfg->nnotifies);
	else if (errs.n == 0)
		fprintf(stderr, "%s: configuration OK (%zu checks)\n", path,
		    cfg->nchecks);
	rc = errs.n == 0 ? 0 : 1;
	errlist_free(&errs);
	if (cfg != NULL)
		config_free(cfg);
	return rc;
}

/*
 * Wire the modules on one event_base, downstream first so that the first
 * result has somewhere to go, then drop privileges and start our own
 * rrdcached.
 */
static void
daemon_wire(struct daemon *d)
{
	struct timeval	 gc_every = { 5, 0 };

	if (curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK)
		fatal("curl_global_init failed");
	if (evthread_use_pthreads() == -1)
		fatal("libevent has no pthread support");
	if ((d->base = event_base_new()) == NULL)
		fatal("event_base_new failed");
	/*
	 * Signals first: a SIGTERM while the modules start (the mailer may
	 * already have sent what was due) is then handled by the loop, a
	 * clean stop, instead of killing the process half set up.
	 */
	d->ev_hup = evsignal_new(d->base, SIGHUP, on_sighup, d);
	d->ev_term = evsignal_new(d->base, SIGTERM, on_sigterm, d);
	d->ev_int = evsignal_new(d->base, SIGINT, on_sigterm, d);
	event_add(d->ev_hup, NULL);
	event_add(d->ev_term, NULL);
	event_add(d->ev_int, NULL);
	if ((d->curl = evcurl_new(d->base)) == NULL)
		fatal("cannot set up libcurl on the event loop");
	evcurl_set_source(d->curl, d->cfg->source);

	d->reg = registry_new();
	registry_bind(d->reg, d->cfg);
	d->notifier = notify_open(d->cfg, d->base);
	notify_on_told(d->notifier, on_told, d);
	d->incidents = incidents_open(d->cfg, d->reg, d->base, on_incident, d);
	d->rrd = rrd_store_open_loop(d->cfg, d->base);
	rrd_store_set_registry(d->rrd, d->reg);
	if (d->notifier == NULL || d->incidents == NULL || d->rrd == NULL)
		fatal("cannot open the state in %s", d->cfg->state_dir);
	d->sched = scheduler_new(d->base, d->curl, d->cfg, on_result, d);
	checker_health_set_cb(scheduler_health(d->sched), on_impaired, d);
	if ((d->web = web_start(d->base, d->cfg, d->sched, d->reg,
	    d->incidents)) == NULL)
		fatal("cannot start the web server on %s", d->cfg->listen);
	/*
	 * After the listener is bound (a port below 1024 needs root) and
	 * before the loop runs any check.  glibc applies the change to the
	 * store threads already started too.
	 */
	drop_privileges(d->cfg);
	/*
	 * As the daemon's user, so that its socket and journal are that
	 * user's; before the loop runs, so before the recorder's first
	 * batch (the writer writes directly while it is not up).
	 */
	d->rrdcached = rrdcached_child_start(d->cfg, d->base);

	d->reports = report_monthly_start(d->base, d->cfg, on_reports_queued,
	    d);
	d->escalate = escalate_start(d->base, d->cfg, on_reports_queued, d);
	/* Nodes sharing PostgreSQL share the checks; one node runs them all. */
	if (d->cfg->database != NULL && store_is_uri(d->cfg->database)) {
		d->assign = assign_start(d->base, d->cfg);
		scheduler_set_owner(d->sched, assign_runs, d->assign);
		web_set_assign(d->web, d->assign);
	}

	d->ev_gc = event_new(d->base, -1, EV_PERSIST, gc_configs, d);
	event_add(d->ev_gc, &gc_every);
}

/* Reverse order: stop producing, then drain each store. */
static void
daemon_unwire(struct daemon *d)
{
	size_t	i;

	web_stop(d->web);
	d->web = NULL;
	scheduler_free(d->sched);
	/* Its last answers may be OPENED mails: the notifier sends them. */
	incidents_stop(d->incidents);
	rrd_store_close(d->rrd);
	/* After the recorder's last batch went to it. */
	rrdcached_child_stop(d->rrdcached);
	report_monthly_stop(d->reports);
	escalate_stop(d->escalate);
	assign_stop(d->assign);
	notify_close(d->notifier);
	incidents_close(d->incidents);
	evcurl_free(d->curl);
	event_free(d->ev_hup);
	event_free(d->ev_term);
	event_free(d->ev_int);
	event_free(d->ev_gc);
	event_base_free(d->base);
	for (i = 0; i < d->nretired; i++)
		config_free(d->retired[i]);
	free(d->retired);
	if (d->pid_file != NULL) {
		unlink(d->pid_file);
		free(d->pid_file);
	}
	config_free(d->cfg);
	registry_free(d->reg);
	curl_global_cleanup();
	libevent_global_shutdown();
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dump-config", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct daemon	 d;
	int		 ch, foreground = 0, test_only = 0, verbose = 0;

	memset(&d, 0, sizeof d);
	d.config_path = DEFAULT_CONFIG;
	while ((ch = getopt_long(argc, argv, "c:fhtv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			d.config_path = optarg;
			break;
		case 'f':
			foreground = 1;
			break;
		case 't':
			test_only = 1;
			break;
		case 'v':
			verbose++;
			break;
		case 'D':
			config_dump_keys();
			return 0;
		case 'h':
			usage(stdout, 0);
			break;
		case 'V':
			printf("sitewatchd %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr, 1);
		}
	}
	if (optind != argc)
		usage(stderr, 1);
	if (test_only)
		return check_only(d.config_path);

	/* State files (db, RRD, mails) are nobody else's business. */
	umask(027);
	log_init("sitewatchd", 1, verbose);
	if ((d.cfg = load_config(d.config_path, 1)) == NULL)
		return 1;
	if (prepare_state_dir(d.cfg) == -1)
		return 1;
	/* Every module writes and reads through our own rrdcached. */
	rrdcached_child_bind(d.cfg);
	if (!foreground) {
		if (daemon(1, 0) == -1)
			fatal("daemon: %s", strerror(errno));
		log_init("sitewatchd", 0, verbose);
	}
	signal(SIGPIPE, SIG_IGN);
	raise_fd_limit();
	if (fd_budget_log(d.cfg, 1) == -1)
		return 1;
	write_pid_file(&d);

	daemon_wire(&d);
	log_info("started: %zu checks, state in %s", d.cfg->nchecks,
	    d.cfg->state_dir);
	hint_rrdcached(d.cfg);
	event_base_dispatch(d.base);
	daemon_unwire(&d);
	log_info("stopped");
	return 0;
}
