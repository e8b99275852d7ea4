/*
 * result.c -- judge what a check run measured against its thresholds.
 *
 * Pure: no clock, no network, no config loading, so every rule is
 * unit-tested.  The tests run in severity order and the first that fails
 * decides the state and the cause:
 *
 *   0. the checker's own fault (local: unknown, never the site's)
 *   1. transport (dns, connect, tls, timeout, expired cert: down)
 *   2. HTTP status outside expect_status (down, http)
 *   3. expect_text missing (down, content)
 *   4. total_ms over down_ms (down, slow)
 *   5. less than cert_warn_days x 24 h left on the certificate (degraded,
 *      cert), judged on the seconds left, not on the rounded days
 *   6. total_ms over slow_ms (degraded, slow)
 *   7. otherwise up, ok
 *
 * Every byte that came from a site (reason phrase, libcurl's error text,
 * which may quote the site) goes through log_escape() before it lands in
 * the message, which is printed, logged, mailed and shown in HTML.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "check_status.h"
#include "checker_health.h"
#include "config.h"
#include "log.h"
#include "result.h"

/* Decimals for a duration in a message: "0.4 ms" but "123 ms". */
#define MS_PREC(ms)	((ms) < 10 ? 1 : 0)

/* Standard reason phrases, for HTTP/2 and servers that send none. */
static const struct {
	int		 code;
	const char	*text;
} result_reasons[] = {
	{ 200, "OK" }, { 201, "Created" }, { 202, "Accepted" },
	{ 204, "No Content" }, { 206, "Partial Content" },
	{ 301, "Moved Permanently" }, { 302, "Found" }, { 303, "See Other" },
	{ 304, "Not Modified" }, { 307, "Temporary Redirect" },
	{ 308, "Permanent Redirect" }, { 400, "Bad Request" },
	{ 401, "Unauthorized" }, { 403, "Forbidden" }, { 404, "Not Found" },
	{ 405, "Method Not Allowed" }, { 408, "Request Timeout" },
	{ 410, "Gone" }, { 429, "Too Many Requests" },
	{ 500, "Internal Server Error" }, { 501, "Not Implemented" },
	{ 502, "Bad Gateway" }, { 503, "Service Unavailable" },
	{ 504, "Gateway Timeout" },
};

/* Nonzero when status is in one of the ranges (none given: 200-399). */
static int
result_status_ok(const struct check_conf *c, long status)
{
	size_t	i;

	if (c->expect_status == NULL || c->nexpect_status == 0)
		return status >= 200 && status <= 399;
	for (i = 0; i < c->nexpect_status; i++)
		if (status >= c->expect_status[i].lo &&
		    status <= c->expect_status[i].hi)
			return 1;
	return 0;
}

/* "HTTP 503 Service Unavailable", the reason phrase escaped. */
static void
result_status_text(long http_status, const char *raw_reason, char *buf,
    size_t len)
{
	char	reason[160];	/* escaped, bounded */
	size_t	i;

	log_escape(reason, sizeof reason, raw_reason);
	if (reason[0] == '\0') {
		for (i = 0; i < sizeof result_reasons /
		    sizeof result_reasons[0]; i++)
			if (result_reasons[i].code == http_status) {
				snprintf(reason, sizeof reason, "%s",
				    result_reasons[i].text);
				break;
			}
	}
	if (reason[0] == '\0')
		snprintf(buf, len, "HTTP %ld", http_status);
	else
		snprintf(buf, len, "HTTP %ld %s", http_status, reason);
}

#define DAY_SECS	86400LL

/*
 * Whole days left on the certificate, rounded down as check_http counts
 * them (5 days and 3 hours is 5: rounding up would tell staff they have
 * more time than they do); -1 when there is none.  One that expired
 * after a handshake that still verified has 0 days, not a negative count.
 */
static int
result_cert_days(const struct probe_raw *raw)
{
	if (!raw->has_cert)
		return -1;
	if (raw->cert_secs_left <= 0)
		return 0;
	if (raw->cert_secs_left / DAY_SECS > INT_MAX)
		return INT_MAX;
	return (int)(raw->cert_secs_left / DAY_SECS);
}

/* Set state, cause and message in one place. */
static void
result_set(struct result *r, enum sw_state state, enum sw_cause cause,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
result_set(struct result *r, enum sw_state state, enum sw_cause cause,
    const char *fmt, ...)
{
	va_list	ap;

	r->state = state;
	r->cause = cause;
	r->up = state == SW_STATE_UP || state == SW_STATE_DEGRADED;
	va_start(ap, fmt);
	vsnprintf(r->message, sizeof r->message, fmt, ap);
	va_end(ap);
}

/* Degraded when less than cert_warn_days x 24 h is left. */
static void
result_cert_expiring(struct result *r, const struct probe_raw *raw,
    int days)
{
	long long	hours = raw->cert_secs_left / 3600;

	if (days > 0)
		result_set(r, SW_STATE_DEGRADED, SW_CAUSE_CERT,
		    "certificate expires in %d day%s", days,
		    days == 1 ? "" : "s");
	else if (hours > 0)
		result_set(r, SW_STATE_DEGRADED, SW_CAUSE_CERT,
		    "certificate expires in %lld hour%s", hours,
		    hours == 1 ? "" : "s");
	else
		result_set(r, SW_STATE_DEGRADED, SW_CAUSE_CERT,
		    "certificate expires within the hour");
}

/* The transport failures judged by their kind alone: "WHAT: detail". */
static const struct transport_verdict {
	enum transport_outcome	 outcome;
	enum sw_state		 state;
	enum sw_cause		 cause;
	const char		*what;
} transport_verdicts[] = {
	{ TRANSPORT_DNS, SW_STATE_DOWN, SW_CAUSE_DNS, "DNS lookup failed" },
	{ TRANSPORT_CONNECT, SW_STATE_DOWN, SW_CAUSE_CONNECT,
	    "connection failed" },
	{ TRANSPORT_TLS, SW_STATE_DOWN, SW_CAUSE_TLS, "TLS failed" },
	{ TRANSPORT_CERT_EXPIRED, SW_STATE_DOWN, SW_CAUSE_CERT,
	    "certificate has expired" },
	{ TRANSPORT_TOO_MANY_REDIRECTS, SW_STATE_DOWN, SW_CAUSE_HTTP,
	    "too many redirects" },
	{ TRANSPORT_ABORTED, SW_STATE_UNKNOWN, SW_CAUSE_UNKNOWN,
	    "check aborted" },
};

/*
 * Judge a transport failure.  Returns 0 when the transfer itself went
 * well enough for the HTTP tests to run.
 */
static int
result_transport(const struct check_conf *c, const struct probe_raw *raw,
    struct result *r)
{
	const struct transport_verdict	*v;
	char				 detail[SW_MESSAGE_MAX];
	size_t				 i;

	log_escape(detail, sizeof detail, raw->detail);
	for (i = 0; i < sizeof transport_verdicts /
	    sizeof transport_verdicts[0]; i++) {
		v = &transport_verdicts[i];
		if (v->outcome == raw->outcome) {
			result_set(r, v->state, v->cause, "%s: %s", v->what,
			    detail);
			return -1;
		}
	}
	switch (raw->outcome) {
	case TRANSPORT_OK:
	case TRANSPORT_BODY_LIMIT:
		return 0;
	case TRANSPORT_TIMEOUT:
		result_set(r, SW_STATE_DOWN, SW_CAUSE_TIMEOUT,
		    "no complete answer within %d s: %s", c->timeout, detail);
		break;
	case TRANSPORT_LOCAL:
		/* No ticket, no mail, RRD UNKNOWN: the site was not asked. */
		result_set(r, SW_STATE_UNKNOWN, SW_CAUSE_UNKNOWN,
		    "not checked, local fault: %s: %s",
		    local_kind_text(raw->local), detail);
		r->local = raw->local != LOCAL_NONE ? raw->local :
		    LOCAL_TRANSFER;
		break;
	case TRANSPORT_OTHER:
	default:
		/* The site answered something broken, or nothing at all. */
		result_set(r, SW_STATE_DOWN, raw->http_status > 0 ?
		    SW_CAUSE_HTTP : SW_CAUSE_CONNECT,
		    "transfer failed: %s", detail);
		break;
	}
	return -1;
}

const char *
result_up_message(char *buf, size_t len, long http_status, double ms)
{
	char	status[192];

	result_status_text(http_status, "", status, sizeof status);
	snprintf(buf, len, "%s in %.*f ms", status, MS_PREC(ms), ms);
	return buf;
}

const char *
check_status_message(const struct check_status *st, char *buf, size_t len)
{
	if (st->message != NULL)
		return st->message;
	return result_up_message(buf, len, st->http_status,
	    st->last_total_ms);
}

/* Judge raw against the check's thresholds and fill r (not name, at). */
void
result_classify(const struct check_conf *c, const struct probe_raw *raw,
    struct result *r)
{
	char	status[192], text[96];
	double	ms = raw->total_ms;
	int	days = result_cert_days(raw);

	r->http_status = raw->http_status;
	r->dns_ms = raw->dns_ms;
	r->connect_ms = raw->connect_ms;
	r->tls_ms = raw->tls_ms;
	r->ttfb_ms = raw->ttfb_ms;
	r->total_ms = raw->total_ms;
	r->bytes = raw->bytes;
	r->cert_days_left = days;
	r->local = LOCAL_NONE;

	if (result_transport(c, raw, r) != 0)
		return;
	result_status_text(raw->http_status, raw->reason, status,
	    sizeof status);
	if (!result_status_ok(c, raw->http_status)) {
		result_set(r, SW_STATE_DOWN, SW_CAUSE_HTTP, "%s", status);
		return;
	}
	if (c->expect_text != NULL && *c->expect_text != '\0' &&
	    !raw->text_found) {
		log_escape(text, sizeof text, c->expect_text);
		result_set(r, SW_STATE_DOWN, SW_CAUSE_CONTENT,
		    "expected text \"%s\" not found in the first %lld bytes",
		    text, raw->bytes);
		return;
	}
	/* A limit of 0 or less switches that test off. */
	if (c->down_ms > 0 && ms > c->down_ms) {
		result_set(r, SW_STATE_DOWN, SW_CAUSE_SLOW,
		    "%s in %.*f ms (down above %d ms)", status, MS_PREC(ms), ms,
		    c->down_ms);
		return;
	}
	if (raw->has_cert && c->cert_warn_days > 0 &&
	    raw->cert_secs_left < c->cert_warn_days * DAY_SECS) {
		result_cert_expiring(r, raw, days);
		return;
	}
	if (c->slow_ms > 0 && ms > c->slow_ms) {
		result_set(r, SW_STATE_DEGRADED, SW_CAUSE_SLOW,
		    "%s in %.*f ms (slow above %d ms)", status, MS_PREC(ms), ms,
		    c->slow_ms);
		return;
	}
	result_set(r, SW_STATE_UP, SW_CAUSE_OK, "%s in %.*f ms", status,
	    MS_PREC(ms), ms);
}

/* An "unknown" result: the checker could not measure (reason in why). */
void
result_unknown(struct result *r, const char *name, const char *why)
{
	char	clean[SW_MESSAGE_MAX];

	memset(r, 0, sizeof *r);
	snprintf(r->name, sizeof r->name, "%s", name != NULL ? name : "");
	log_escape(clean, sizeof clean, why != NULL ? why : "");
	snprintf(r->message, sizeof r->message, "%s", clean);
	r->state = SW_STATE_UNKNOWN;
	r->cause = SW_CAUSE_UNKNOWN;
	r->up = 0;
	r->cert_days_left = -1;
}

/* An "unknown" result of the checker's own fault (local kind). */
void
result_local(struct result *r, const char *name, int local, const char *why)
{
	char	msg[SW_MESSAGE_MAX];

	snprintf(msg, sizeof msg, "not checked, local fault: %s: %s",
	    local_kind_text(local), why != NULL ? why : "");
	result_unknown(r, name, msg);
	r->local = local != LOCAL_NONE ? local : LOCAL_TRANSFER;
}
