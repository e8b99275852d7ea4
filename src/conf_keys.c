/*
 * conf_keys.c -- the master table of configuration keys (see conf_keys.h).
 *
 * Defaults are written as they would be in a file and go through the same
 * parser as user values, so a default can never be something a user could
 * not write (a unit test loads an empty configuration to prove it).
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "conf_keys.h"
#include "config.h"

static const struct conf_choice starttls_choices[] = {
	{ "yes", STARTTLS_YES },
	{ "no", STARTTLS_NO },
	{ "required", STARTTLS_REQUIRED },
	{ NULL, 0 }
};

static const struct conf_choice ip_choices[] = {
	{ "any", IP_ANY },
	{ "4", IP_V4 },
	{ "6", IP_V6 },
	{ NULL, 0 }
};

static const struct conf_choice report_choices[] = {
	{ "no", 0 },
	{ "monthly", 1 },
	{ NULL, 0 }
};

static const struct conf_choice notify_choices[] = {
	{ "webhook", NOTIFY_WEBHOOK },
	{ "slack", NOTIFY_SLACK },
	{ "teams", NOTIFY_TEAMS },
	{ "telegram", NOTIFY_TELEGRAM },
	{ "ntfy", NOTIFY_NTFY },
	{ "matrix", NOTIFY_MATRIX },
	{ "pagerduty", NOTIFY_PAGERDUTY },
	{ NULL, 0 }
};

static const struct conf_choice language_choices[] = {
	{ "en", 0 },
	{ "tr", 1 },
	{ NULL, 0 }
};

#define D(f)		CONF_SEC_DAEMON, #f
#define DOFF(f)		offsetof(struct config, f)
#define S(f)		CONF_SEC_SMTP, #f
#define SOFF(f)		offsetof(struct smtp_conf, f)
#define C(f)		CONF_SEC_CHECK, #f
#define COFF(f)		offsetof(struct check_conf, f)
#define SITE(f)		CONF_SEC_SITE, #f
#define SITEOFF(f)	offsetof(struct site_conf, f)
#define N(f)		CONF_SEC_NOTIFY, #f
#define NOFF(f)		offsetof(struct notify_conf, f)
#define SECRET		CONF_F_SECRET
#define OPT		CONF_F_OPTIONAL
#define REP		CONF_F_REPEAT

const struct conf_key conf_keys[] = {
	/* [daemon] */
	{ D(state_dir), CONF_PATH, 0, 0, 0, 0, NULL, "var",
	  DOFF(state_dir), 0,
	  "folder for rrd/, sitewatch.db and outbox/; created when missing" },
	{ D(database), CONF_STRING, OPT, 0, 0, 0, NULL, "",
	  DOFF(database), 0,
	  "empty = state_dir/sitewatch.db (SQLite); or a libpq URI, e.g. "
	  "postgresql://USER:PASSWORD@HOST/DB, shared by several nodes" },
	{ D(checks_dir), CONF_PATH, 0, 0, 0, 0, NULL, "checks.d",
	  DOFF(checks_dir), 0,
	  "folder of the per-site files; every *.conf in it is loaded, in "
	  "sorted order" },
	{ D(templates_dir), CONF_PATH, 0, 0, 0, 0, NULL, "templates",
	  DOFF(templates_dir), 0,
	  "folder of the mail and web templates" },
	{ D(listen), CONF_LISTEN, 0, 0, 0, 0, NULL, "127.0.0.1:8080",
	  DOFF(listen), 0,
	  "address and port of the web UI and API (IPv6 as [::1]:8080)" },
	{ D(max_parallel), CONF_INT, 0, 1, 100000, 0, NULL, "500",
	  DOFF(max_parallel), 0,
	  "checks in flight at once" },
	{ D(max_connections), CONF_INT, 0, 0, 1000000, 0, NULL, "0",
	  DOFF(max_connections), 0,
	  "web connections at once; 0 = what the descriptor limit leaves "
	  "after the checks' share (logged at start)" },
	{ D(source), CONF_STRING, OPT, 0, 0, 0, NULL, "",
	  DOFF(source), 0,
	  "local address the probes leave from (e.g. 127.0.0.2); empty = any" },
	{ D(rrdcached), CONF_STRING, OPT, 0, 0, 0, NULL, "",
	  DOFF(rrdcached), 0,
	  "rrdcached address, e.g. unix:/run/rrdcached.sock; empty = the "
	  "daemon runs its own on state_dir/rrdcached.sock; none = write RRD "
	  "files directly" },
	{ D(rrd_retention), CONF_RETENTION, 0, 0, 0, 0, NULL,
	  "1s:2d,5m:14d,1h:90d,1d:5y", DOFF(rrd_rra), DOFF(nrrd_rra),
	  "STEP:SPAN,... archive resolutions (units s m h d w y; 1s = one "
	  "check interval)" },
	{ D(api_token), CONF_STRING, OPT, 0, 0, 0, NULL, "",
	  DOFF(api_token), 0,
	  "bearer token for write calls of the API; empty = API read-only" },
	{ D(public_url), CONF_URL, 0, 0, 0, 0, NULL, "http://127.0.0.1:8080",
	  DOFF(public_url), 0,
	  "address of the web UI as users reach it (used in mails)" },
	{ D(canary), CONF_URLS, OPT, 0, 0, 0, NULL, "",
	  DOFF(canary), DOFF(ncanary),
	  "comma-separated URLs that are always up; when every canary fails "
	  "results are unknown, no tickets, no mail" },
	{ D(user), CONF_STRING, OPT, 0, 0, 0, NULL, "",
	  DOFF(user), 0,
	  "user to drop privileges to after start; empty = stay" },
	{ D(pid_file), CONF_PATH, OPT, 0, 0, 0, NULL, "",
	  DOFF(pid_file), 0,
	  "pid file; empty = state_dir/sitewatchd.pid" },
	{ D(node), CONF_STRING, OPT, 0, 0, 0, NULL, "",
	  DOFF(node), 0,
	  "this node's name, unique among the daemons sharing a database; "
	  "empty = the host name" },
	{ D(location), CONF_STRING, OPT, 0, 0, 0, NULL, "",
	  DOFF(location), 0,
	  "where this node probes from; empty = the node's name" },
	{ D(node_timeout), CONF_DURATION, 0, 1, 86400, 1, NULL, "30",
	  DOFF(node_timeout), 0,
	  "seconds without a heartbeat after which a node counts as gone" },

	{ D(status_index), CONF_BOOL, 0, 0, 0, 0, NULL, "no",
	  DOFF(status_index), 0,
	  "yes = /status lists every site; no = it answers 404 and each "
	  "client only has /status/SITE" },

	/* [smtp] */
	{ S(host), CONF_STRING, OPT, 0, 0, 0, NULL, "",
	  SOFF(host), 0,
	  "SMTP relay; empty = mails are written to state_dir/outbox/*.eml" },
	{ S(port), CONF_INT, 0, 1, 65535, 0, NULL, "587",
	  SOFF(port), 0,
	  "SMTP port" },
	{ S(starttls), CONF_ENUM, 0, 0, 0, 0, starttls_choices, "yes",
	  SOFF(starttls), 0,
	  "yes = when offered, required = refuse to send without, no = never" },
	{ S(user), CONF_STRING, OPT, 0, 0, 0, NULL, "",
	  SOFF(user), 0,
	  "SMTP AUTH user; empty = no authentication" },
	{ S(password), CONF_STRING, OPT, 0, 0, 0, NULL, "",
	  SOFF(password), 0,
	  "SMTP AUTH password" },
	{ S(from), CONF_MAILBOX, 0, 0, 0, 0, NULL,
	  "Site Support <support@example.com>", SOFF(from), 0,
	  "sender of every mail" },
	{ S(staff), CONF_EMAILS, OPT, 0, 0, 0, NULL, "",
	  SOFF(staff), SOFF(nstaff),
	  "comma-separated staff addresses; they get every alert with detail" },
	{ S(group_window), CONF_DURATION, 0, 0, 3600, 1, NULL, "30",
	  SOFF(group_window), 0,
	  "seconds an alert waits to be joined by others for the same "
	  "recipient; then one mail lists them all" },
	{ S(retry_min), CONF_DURATION, 0, 1, 86400, 1, NULL, "30",
	  SOFF(retry_min), 0,
	  "wait before the first retry of a mail the server did not take; "
	  "it doubles with each attempt" },
	{ S(retry_max), CONF_DURATION, 0, 1, 86400, 1, NULL, "1h",
	  SOFF(retry_max), 0,
	  "the longest wait between two attempts at a mail (it is given up "
	  "after a few days)" },

	{ S(escalate), CONF_ESCALATE, OPT, 0, 0, 0, NULL, "",
	  SOFF(escalate), SOFF(nescalate),
	  "levels \"15m lead@example.com, 60m boss@example.com\": a critical "
	  "ticket not acknowledged that long after it opened is mailed to "
	  "that level once; empty = none" },
	{ S(organization), CONF_STRING, OPT, 0, 0, 0, NULL, "",
	  SOFF(organization), 0,
	  "who supports the sites, signing the clients' status pages; "
	  "empty = no signature" },
	{ S(contact), CONF_STRING, OPT, 0, 0, 0, NULL, "",
	  SOFF(contact), 0,
	  "how clients reach support (an address or phone), on their status "
	  "pages; empty = none" },

	/* [defaults] and [check NAME] */
	{ C(url), CONF_URL, 0, 0, 0, 0, NULL, NULL,
	  COFF(url), 0,
	  "the address to check, http:// or https:// (required)" },
	{ C(title), CONF_STRING, OPT, 0, 0, 0, NULL, "",
	  COFF(title), 0,
	  "the check's name on the public status page; empty = its name" },
	{ C(interval), CONF_DURATION, 0, 1, 86400, 1, NULL, "60",
	  COFF(interval), 0,
	  "seconds between checks (s, m, h suffixes allowed)" },
	{ C(timeout), CONF_DURATION, 0, 1, 3600, 1, NULL, "10",
	  COFF(timeout), 0,
	  "seconds for the whole check; may exceed interval (runs never "
	  "overlap; when left to its default it shrinks to the interval)" },
	{ C(method), CONF_METHOD, 0, 0, 0, 0, NULL, "GET",
	  COFF(method), 0,
	  "HTTP method" },
	{ C(header), CONF_HEADER, OPT | REP, 0, 0, 0, NULL, "",
	  COFF(headers), COFF(nheaders),
	  "extra request header \"Name: value\"; may repeat; a check's own "
	  "headers replace those of [defaults]" },
	{ C(body), CONF_STRING, OPT, 0, 0, 0, NULL, "",
	  COFF(body), 0,
	  "request body; empty = none" },
	{ C(expect_status), CONF_STATUS, 0, 0, 0, 0, NULL, "200-399",
	  COFF(expect_status), COFF(nexpect_status),
	  "accepted HTTP status codes: list or ranges, e.g. 200,301,400-404" },
	{ C(expect_text), CONF_STRING, OPT, 0, 0, 0, NULL, "",
	  COFF(expect_text), 0,
	  "text the body must contain (within max_body); empty = none" },
	{ C(max_body), CONF_SIZE, 0, 0, 1073741824LL, 0, NULL, "1048576",
	  COFF(max_body), 0,
	  "bytes of body read at most (k, M, G suffixes allowed)" },
	{ C(slow_ms), CONF_INT, 0, 1, 3600000, 0, NULL, "2000",
	  COFF(slow_ms), 0,
	  "response time in ms above which the check is degraded; at most "
	  "down_ms (a default gives way to the other of the pair)" },
	{ C(down_ms), CONF_INT, 0, 1, 3600000, 0, NULL, "8000",
	  COFF(down_ms), 0,
	  "response time in ms above which the check is down; at least "
	  "slow_ms" },
	{ C(cert_warn_days), CONF_INT, 0, 0, 3650, 0, NULL, "14",
	  COFF(cert_warn_days), 0,
	  "TLS certificate expiring within this many days: degraded" },
	{ C(retries), CONF_INT, 0, 1, 1000, 0, NULL, "2",
	  COFF(retries), 0,
	  "consecutive failed results before an incident opens" },
	{ C(locations), CONF_INT, 0, 0, 1000, 0, NULL, "1",
	  COFF(locations), 0,
	  "with several nodes on one database: how many of them probe the "
	  "check each interval (0 = all)" },
	{ C(confirm), CONF_INT, 0, 1, 1000, 0, NULL, "1",
	  COFF(confirm), 0,
	  "how many of those locations must see it failing before an "
	  "incident opens; at most locations" },
	{ C(recover), CONF_INT, 0, 1, 1000, 0, NULL, "2",
	  COFF(recover), 0,
	  "consecutive good results before it resolves" },
	{ C(renotify), CONF_DURATION, 0, 0, 31536000, 60, NULL, "60",
	  COFF(renotify), 0,
	  "minutes between reminder mails while down and unacknowledged "
	  "(s, m, h, d suffixes allowed); 0 = never" },
	{ C(maintenance), CONF_MAINT, OPT | REP, 0, 0, 0, NULL, "",
	  COFF(maintenance), COFF(nmaintenance),
	  "window without tickets or mail; may repeat; weekly "
	  "\"Sun 02:00-04:00\" (may cross midnight) or one-off "
	  "\"2026-12-01T02:00/2026-12-01T04:00\", local time" },
	{ C(follow_redirects), CONF_BOOL, 0, 0, 0, 0, NULL, "yes",
	  COFF(follow_redirects), 0,
	  "follow HTTP redirects" },
	{ C(ip), CONF_ENUM, 0, 0, 0, 0, ip_choices, "any",
	  COFF(ip), 0,
	  "IP version to connect with" },
	{ C(ca_file), CONF_PATH, OPT, 0, 0, 0, NULL, "",
	  COFF(ca_file), 0,
	  "extra CA bundle to trust (PEM); empty = the system's" },
	{ C(depends), CONF_CHECKREF, OPT, 0, 0, 0, NULL, "",
	  COFF(depends), 0,
	  "another check; while it is down this one opens no ticket and "
	  "sends no mail" },

	/* [site] */
	{ SITE(name), CONF_STRING, OPT, 0, 0, 0, NULL, "",
	  SITEOFF(name), 0,
	  "the client's name; empty = the file name without .conf" },
	{ SITE(client_email), CONF_EMAILS, OPT, 0, 0, 0, NULL, "",
	  SITEOFF(client_emails), SITEOFF(nclient_emails),
	  "comma-separated client addresses; empty = staff only" },
	{ SITE(language), CONF_WORD, 0, 0, 0, 0, language_choices, "en",
	  SITEOFF(language), 0,
	  "language of client mails and of the status page" },
	{ SITE(report), CONF_ENUM, 0, 0, 0, 0, report_choices, "no",
	  SITEOFF(report), 0,
	  "monthly = on the 1st at 06:00 (daemon time) each client address "
	  "gets the past month's report; no = never" },
	{ SITE(timezone), CONF_TZ, OPT, 0, 0, 0, NULL, "",
	  SITEOFF(timezone), 0,
	  "IANA time zone of the site's status page, e.g. Europe/Istanbul; "
	  "empty = UTC" },

	/* [notify NAME] */
	{ N(type), CONF_ENUM, 0, 0, 0, 0, notify_choices, "",
	  NOFF(type), 0,
	  "the service: webhook, slack, teams, telegram, ntfy, matrix or "
	  "pagerduty (required)" },
	{ N(url), CONF_URL, OPT | SECRET, 0, 0, 0, NULL, "",
	  NOFF(url), 0,
	  "the endpoint; for telegram, matrix and pagerduty the API base "
	  "(empty = the public service); never shown, it may hold a token" },
	{ N(secret), CONF_STRING, OPT | SECRET, 0, 0, 0, NULL, "",
	  NOFF(secret), 0,
	  "webhook: HMAC-SHA256 key of the X-Sitewatch-Signature header" },
	{ N(token), CONF_STRING, OPT | SECRET, 0, 0, 0, NULL, "",
	  NOFF(token), 0,
	  "telegram bot token, matrix access token, pagerduty routing key, "
	  "ntfy access token" },
	{ N(chat), CONF_STRING, OPT, 0, 0, 0, NULL, "",
	  NOFF(chat), 0,
	  "telegram chat id or matrix room id" },
	{ N(events), CONF_STRING, 0, 0, 0, 0, NULL,
	  "down, degraded, up, reminder",
	  NOFF(events_text), 0,
	  "the events this channel gets, comma-separated" },
	{ N(sites), CONF_STRING, OPT, 0, 0, 0, NULL, "",
	  NOFF(sites_text), 0,
	  "only these sites ([site] names), comma-separated; empty = all" },
};

const size_t conf_nkeys = sizeof conf_keys / sizeof conf_keys[0];

static const char *section_names[CONF_SEC_COUNT] = {
	[CONF_SEC_DAEMON] = "daemon",
	[CONF_SEC_SMTP] = "smtp",
	[CONF_SEC_CHECK] = "check",
	[CONF_SEC_SITE] = "site",
	[CONF_SEC_NOTIFY] = "notify",
};

const struct conf_key *
conf_key_find(enum conf_section sec, const char *name)
{
	size_t	i;

	for (i = 0; i < conf_nkeys; i++)
		if (conf_keys[i].section == sec &&
		    strcmp(conf_keys[i].name, name) == 0)
			return &conf_keys[i];
	return NULL;
}

size_t
conf_key_index(const struct conf_key *k)
{
	return (size_t)(k - conf_keys);
}

const char *
conf_section_name(enum conf_section sec)
{
	if ((unsigned)sec >= CONF_SEC_COUNT)
		return "invalid";
	return section_names[sec];
}
