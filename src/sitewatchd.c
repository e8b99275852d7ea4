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

#include "config.h"
#include "evcurl.h"
#include "incident.h"
#include "log.h"
#include "notify.h"
#include "registry.h"
#include "rrd_store.h"
#include "scheduler.h"
#include "util.h"
#include "web.h"
#include "xmalloc.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif
/* Where `make install` puts the example configuration. */
#define DEFAULT_CONFIG	SYSCONFDIR "/sitewatch/sitewatch.conf"

struct daemon {
	struct event_base	*base;
	struct config		*cfg;
	struct config		**retired;	/* old configs probes still use */
	size_t			 nretired;
	struct registry		*reg;		/* every check's id */
	struct evcurl		*curl;
	struct scheduler	*sched;
	struct rrd_store	*rrd;
	struct incidents	*incidents;
	struct notifier		*notifier;
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
	if (cfg != NULL && with_templates)
		notify_check_templates(cfg, &errs);
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

/* Many checks mean many sockets: take every descriptor we may. */
static void
raise_fd_limit(void)
{
	struct rlimit	rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		log_warn("cannot raise the descriptor limit: %s",
		    strerror(errno));
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
		return;
	for (i = 0; i < cfg->nchecks; i++)
		if (cfg->checks[i]->interval > 0)
			per_s += 1.0 / cfg->checks[i]->interval;
	if (per_s >= DIRECT_RRD_HINT_PER_S)
		log_info("rrd: %.0f results a second are written to the RRD "
		    "files directly; at this load set rrdcached in [daemon] "
		    "(README: RRD at scale)", per_s);
}

static void
on_incident(const struct incident_event *ev, void *arg)
{
	struct daemon	*d = arg;

	notify_event(d->notifier, ev);
}

/* Free the retired configs that no probe points into any more. */
static void
gc_configs(evutil_socket_t fd, short what, void *arg)
{
	struct daemon	*d = arg;
	size_t		 i = 0;

	while (i < d->nretired) {
		if (scheduler_config_unused(d->sched, d->retired[i])) {
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
	if (prepare_state_dir(cfg) == -1) {
		config_free(cfg);
		return;
	}
	d->retired = xreallocarray(d->retired, d->nretired + 1,
	    sizeof *d->retired);
	d->retired[d->nretired++] = d->cfg;
	d->cfg = cfg;
	/* Names are matched here, once; every module below goes by id. */
	registry_bind(d->reg, cfg);
	rrd_store_reload(d->rrd, cfg);
	incidents_reload(d->incidents, cfg);
	notify_reload(d->notifier, cfg);
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
	struct timeval	 gc_every = { 5, 0 };
	int		 ch, foreground = 0, test_only = 0, verbose = 0;
	size_t		 i;

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

	/* -t prints plain FILE:LINE lines on stderr, without log stamps. */
	if (test_only) {
		struct errlist	 errs;
		struct config	*cfg;

		errlist_init(&errs);
		cfg = config_load(d.config_path, &errs);
		if (cfg != NULL)
			notify_check_templates(cfg, &errs);
		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.lines[i]);
		if (errs.n == 0)
			fprintf(stderr, "%s: configuration OK (%zu checks)\n",
			    d.config_path, cfg->nchecks);
		ch = errs.n == 0 ? 0 : 1;
		errlist_free(&errs);
		if (cfg != NULL)
			config_free(cfg);
		return ch;
	}

	/* State files (db, RRD, mails) are nobody else's business. */
	umask(027);
	log_init("sitewatchd", 1, verbose);
	if ((d.cfg = load_config(d.config_path, 1)) == NULL)
		return 1;
	if (prepare_state_dir(d.cfg) == -1)
		return 1;
	if (!foreground) {
		if (daemon(1, 0) == -1)
			fatal("daemon: %s", strerror(errno));
		log_init("sitewatchd", 0, verbose);
	}
	signal(SIGPIPE, SIG_IGN);
	raise_fd_limit();
	write_pid_file(&d);

	if (curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK)
		fatal("curl_global_init failed");
	if (evthread_use_pthreads() == -1)
		fatal("libevent has no pthread support");
	if ((d.base = event_base_new()) == NULL)
		fatal("event_base_new failed");
	if ((d.curl = evcurl_new(d.base)) == NULL)
		fatal("cannot set up libcurl on the event loop");

	/* Downstream first, so the first result has somewhere to go. */
	d.reg = registry_new();
	registry_bind(d.reg, d.cfg);
	d.notifier = notify_open(d.cfg, d.base);
	d.incidents = incidents_open(d.cfg, d.reg, d.base, on_incident, &d);
	d.rrd = rrd_store_open_loop(d.cfg, d.base);
	if (d.notifier == NULL || d.incidents == NULL || d.rrd == NULL)
		fatal("cannot open the state in %s", d.cfg->state_dir);
	d.sched = scheduler_new(d.base, d.curl, d.cfg, on_result, &d);
	if ((d.web = web_start(d.base, d.cfg, d.sched, d.reg,
	    d.incidents)) == NULL)
		fatal("cannot start the web server on %s", d.cfg->listen);
	/*
	 * After the listener is bound (a port below 1024 needs root) and
	 * before the loop runs any check.  glibc applies the change to the
	 * store threads already started too.
	 */
	drop_privileges(d.cfg);

	d.ev_hup = evsignal_new(d.base, SIGHUP, on_sighup, &d);
	d.ev_term = evsignal_new(d.base, SIGTERM, on_sigterm, &d);
	d.ev_int = evsignal_new(d.base, SIGINT, on_sigterm, &d);
	d.ev_gc = event_new(d.base, -1, EV_PERSIST, gc_configs, &d);
	event_add(d.ev_hup, NULL);
	event_add(d.ev_term, NULL);
	event_add(d.ev_int, NULL);
	event_add(d.ev_gc, &gc_every);

	log_info("started: %zu checks, state in %s", d.cfg->nchecks,
	    d.cfg->state_dir);
	hint_rrdcached(d.cfg);
	event_base_dispatch(d.base);

	/* Reverse order: stop producing, then drain each store. */
	web_stop(d.web);
	d.web = NULL;
	scheduler_free(d.sched);
	incidents_close(d.incidents);
	rrd_store_close(d.rrd);
	notify_close(d.notifier);
	evcurl_free(d.curl);
	event_free(d.ev_hup);
	event_free(d.ev_term);
	event_free(d.ev_int);
	event_free(d.ev_gc);
	event_base_free(d.base);
	for (i = 0; i < d.nretired; i++)
		config_free(d.retired[i]);
	free(d.retired);
	if (d.pid_file != NULL) {
		unlink(d.pid_file);
		free(d.pid_file);
	}
	config_free(d.cfg);
	registry_free(d.reg);
	curl_global_cleanup();
	libevent_global_shutdown();
	log_info("stopped");
	return 0;
}
