/*
 * config.h -- the loaded configuration: sitewatch.conf plus every
 * checks.d/NAME.conf, validated and immutable once loaded.
 *
 * A reload builds a fresh struct config and swaps it in only when it
 * loaded without error; nothing ever edits one in place.  All strings are
 * owned by the config and freed by config_free().
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stddef.h>
#include <time.h>

#include "util.h"

/*
 * Where `make install` puts the configuration: what both programs read
 * without -c (the CLI after $SITEWATCH_CONF).  The build passes
 * SYSCONFDIR; the fallback serves a compile by hand.
 */
#ifndef SYSCONFDIR
#define SYSCONFDIR	"/etc"
#endif
#define DEFAULT_CONFIG	SYSCONFDIR "/sitewatch/sitewatch.conf"

/* One entry of expect_status: lo..hi inclusive (lo == hi for one code). */
struct status_range {
	int	lo;
	int	hi;
};

/*
 * One maintenance window.  Weekly windows are minutes since Monday 00:00
 * local time (end may be smaller than start: the window crosses the end
 * of the week); one-off windows are absolute epoch seconds.
 */
struct maint_window {
	int	weekly;
	int	week_start_min;
	int	week_end_min;
	time_t	from;
	time_t	to;
};

enum ip_version { IP_ANY = 0, IP_V4 = 4, IP_V6 = 6 };
enum starttls_mode { STARTTLS_NO = 0, STARTTLS_YES, STARTTLS_REQUIRED };

/* One [site] of a checks.d file. */
struct site_conf {
	char	 *name;			/* "Shop Ltd" */
	char	 *file;			/* the checks.d file it came from */
	char	**client_emails;
	size_t	  nclient_emails;
	char	 *language;		/* "en" or "tr" */
	char	 *timezone;		/* IANA name, NULL = the daemon's */
	int	  report;		/* 1: monthly report mail */
	char	 *id;			/* file name without .conf: the
					   SITE of /status/SITE */
};

/* One [check NAME]: plain data, every [defaults] value already applied. */
struct check_conf {
	char			 *name;
	unsigned		  id;		/* the registry's (registry.h);
						   set by registry_bind() */
	int			  line;		/* of file, below */
	const struct site_conf	 *site;
	char			 *file;		/* where it was defined (shared:
						   the config's files[]) */
	char			 *url;
	char			 *title;	/* public name, NULL = name */
	int			  interval;	/* seconds */
	int			  timeout;	/* seconds, whole check */
	char			 *method;
	char			**headers;	/* "Name: value" */
	size_t			  nheaders;
	char			 *body;		/* NULL = no request body */
	struct status_range	 *expect_status;
	size_t			  nexpect_status;
	char			 *expect_text;	/* NULL = none */
	size_t			  max_body;
	int			  slow_ms;
	int			  down_ms;
	int			  cert_warn_days;
	int			  retries;
	int			  locations;	/* nodes probing it; 0 = all */
	int			  confirm;	/* of them failing: an incident */
	int			  recover;
	int			  renotify;	/* seconds, 0 = never */
	struct maint_window	 *maintenance;
	size_t			  nmaintenance;
	int			  follow_redirects;
	enum ip_version		  ip;
	char			 *ca_file;	/* NULL = system store */
	char			 *depends;	/* NULL = none */
};

/* One archive resolution: a row every step_s seconds kept for span_s. */
struct rrd_rra {
	unsigned	step_s;		/* 0 means "one step of the check" */
	unsigned	span_s;
};
#define RRD_RRA_MAX	8

/*
 * One level of [smtp] escalate, "15m lead@example.com boss@example.com":
 * seconds after the ticket opened and the addresses (allocated; free
 * and each address).  0, or -1 with why filled.
 */
int	escalate_level(const char *item, long *after_s, char ***addrs,
	    size_t *naddrs, char *why, size_t len);

struct smtp_conf {
	char			 *host;		/* NULL = write to outbox/ */
	int			  port;
	enum starttls_mode	  starttls;
	char			 *user;
	char			 *password;
	char			 *from;
	char			**staff;
	size_t			  nstaff;
	int			  group_window;	/* seconds */
	int			  retry_min;	/* seconds: first retry */
	int			  retry_max;	/* seconds: longest wait */
	char			 *organization;	/* signs client pages; NULL */
	char			 *contact;	/* the same; NULL */
	char			**escalate;	/* levels, see escalate_level */
	size_t			  nescalate;
};

/* The types of [notify NAME] channels (SPEC "Notification channels"). */
enum notify_type {
	NOTIFY_WEBHOOK = 0,
	NOTIFY_SLACK,
	NOTIFY_TEAMS,
	NOTIFY_TELEGRAM,
	NOTIFY_NTFY,
	NOTIFY_MATRIX,
	NOTIFY_PAGERDUTY,
	NOTIFY_TYPE_COUNT
};

/* The events a channel may take (bits of notify_conf events). */
#define NOTIFY_EV_DOWN		0x01
#define NOTIFY_EV_DEGRADED	0x02
#define NOTIFY_EV_UP		0x04
#define NOTIFY_EV_REMINDER	0x08
#define NOTIFY_EV_ALL		0x0f

/*
 * One [notify NAME] of sitewatch.conf.  secret and token are never shown
 * (not in -t errors, logs, the web or /metrics); url may hold a token too
 * (Slack, Teams), so it is shown only as its scheme and host.
 */
struct notify_conf {
	char			 *name;
	char			 *file;		/* shared: the config's files[] */
	int			  line;
	int			  type;		/* enum notify_type */
	char			 *url;		/* NULL: the service's default */
	char			 *secret;	/* webhook HMAC key; NULL */
	char			 *token;	/* NULL */
	char			 *chat;		/* telegram chat, matrix room */
	char			 *events_text;	/* as written */
	char			 *sites_text;
	unsigned		  events;	/* NOTIFY_EV_* */
	char			**sites;	/* [site] names; none = all */
	size_t			  nsites;
};

struct config {
	char			 *path;		/* sitewatch.conf as given */
	char			 *dir;		/* its folder: base of relative paths */

	/* [daemon]; paths are already made absolute against dir. */
	char			 *state_dir;
	char			 *database;	/* libpq URI; NULL = SQLite */
	char			 *checks_dir;
	char			 *templates_dir;
	char			 *listen;	/* "127.0.0.1:8080" */
	int			  max_parallel;
	int			  max_connections; /* web; 0 = from the budget */
	char			 *source;	/* probes' local address; NULL = any */
	char			 *rrdcached;	/* NULL = write files directly */
	int			  rrdcached_own; /* rrdcached is the daemon's child */
	struct rrd_rra		  rrd_rra[RRD_RRA_MAX];
	size_t			  nrrd_rra;
	char			 *api_token;	/* NULL = API read-only */
	int			  status_index;	/* /status lists every site */
	char			 *public_url;
	char			**canary;
	size_t			  ncanary;
	char			 *user;		/* drop privileges to; NULL = stay */
	char			 *pid_file;
	char			 *node;		/* NULL = the host name */
	char			 *location;	/* NULL = the node's name */
	int			  node_timeout;	/* seconds */

	struct smtp_conf	  smtp;

	struct site_conf	**sites;
	size_t			  nsites;
	struct check_conf	**checks;	/* sorted by file, then order */
	size_t			  nchecks;
	struct notify_conf	**notifies;	/* in file order */
	size_t			  nnotifies;

	/*
	 * The [defaults] section as a check (name and url NULL), for ad-hoc
	 * `sitewatch check URL` runs; NULL when the loader does not keep it.
	 */
	struct check_conf	 *defaults;
	/* Every file read, as shown; the checks' file points in here. */
	char			**files;
	size_t			  nfiles;
};

/*
 * Load path and every checks_dir/NAME.conf in sorted order.  Every problem
 * found is added to errs as "FILE:LINE: message"; loading goes on past
 * errors so that one run reports them all.  Returns the config, or NULL
 * when errs is not empty afterwards.
 */
struct config		*config_load(const char *path, struct errlist *errs);
void			 config_free(struct config *);
/*
 * A check by name, for one-shot tools (a linear scan); the daemon finds
 * checks through its registry (registry.h).
 */
const struct check_conf	*config_find_check(const struct config *,
			    const char *name);

/*
 * Parse an expect_status value ("200-399", "200,301,400-404").  Returns 0,
 * or -1 with a message in err.  *out is allocated.
 */
int	status_ranges_parse(const char *, struct status_range **out,
	    size_t *nout, char *err, size_t errlen);
int	status_ranges_match(const struct status_range *, size_t, int status);

/* "webhook", ... for a notify type; "invalid" out of range. */
const char		*notify_type_name(int);
/* The channel called name, or NULL. */
const struct notify_conf	*config_find_notify(const struct config *,
			    const char *name);
/* The NOTIFY_EV_* bit of "down", "degraded", "up", "reminder"; 0 if none. */
unsigned		 notify_event_bit(const char *);

/* Nonzero when t lies inside one of the check's maintenance windows. */
int	maint_active(const struct check_conf *, time_t t);

/* Print every key with its default and help text (sitewatchd --dump-config). */
void	config_dump_keys(void);

#endif
