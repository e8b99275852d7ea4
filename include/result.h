/*
 * result.h -- what one check run measured, and how it is judged.
 *
 * The probe fills a struct probe_raw with the facts (transport outcome,
 * status, timings, certificate); result_classify() turns those facts and
 * the check's thresholds into a state, a cause and a human message.  The
 * split keeps the judgement pure, so it is unit-tested without a network.
 */
#ifndef RESULT_H
#define RESULT_H

#include <time.h>

#include "sitewatch.h"

struct check_conf;

/* How the transfer itself ended, before any HTTP judgement. */
enum transport_outcome {
	TRANSPORT_OK = 0,
	TRANSPORT_DNS,
	TRANSPORT_CONNECT,
	TRANSPORT_TLS,		/* handshake failed or peer not trusted */
	TRANSPORT_CERT_EXPIRED,	/* verification failed because it expired */
	TRANSPORT_TIMEOUT,
	TRANSPORT_TOO_MANY_REDIRECTS,
	TRANSPORT_BODY_LIMIT,	/* we stopped reading past max_body: not an error */
	TRANSPORT_OTHER,
	TRANSPORT_ABORTED,	/* cancelled by us (shutdown, interval) */
	TRANSPORT_LOCAL,	/* not made: the checker's own fault (local) */
};

struct probe_raw {
	enum transport_outcome	outcome;
	char			detail[SW_MESSAGE_MAX];	/* libcurl's error text */
	long			http_status;	/* 0 when none was received */
	char			reason[128];	/* "Service Unavailable", raw */
	int			text_found;	/* expect_text seen in the body */
	long long		bytes;		/* body bytes received */
	double			dns_ms;		/* phase lengths, not offsets */
	double			connect_ms;
	double			tls_ms;
	double			ttfb_ms;
	double			total_ms;
	int			has_cert;	/* 0: no TLS or not known */
	long long		cert_secs_left;	/* to notAfter; < 0: expired */
	int			local;	/* enum local_kind, for TRANSPORT_LOCAL */
};

struct result {
	char		name[SW_NAME_MAX];
	double		at;		/* wall clock, epoch seconds */
	enum sw_state	state;
	enum sw_cause	cause;
	int		up;		/* 1 for up or degraded, else 0 */
	char		message[SW_MESSAGE_MAX];	/* printable, escaped */
	long		http_status;
	double		dns_ms;
	double		connect_ms;
	double		tls_ms;
	double		ttfb_ms;
	double		total_ms;
	long long	bytes;
	int		cert_days_left;	/* -1 when not applicable */
	double		lateness_ms;	/* start minus planned start */
	int		local;		/* enum local_kind: not measured
					   because of the checker itself */
	int		aborted;	/* cut short by the daemon's stop */
};

/*
 * Judge raw against the check's thresholds and fill r (name and at are
 * left as set by the caller).  The order of tests is the order of
 * severity: transport failures, then HTTP status, then content, then
 * certificate expiry and slowness.
 */
void	result_classify(const struct check_conf *, const struct probe_raw *,
	    struct result *r);

/*
 * The message result_classify() gives an up result of HTTP status
 * http_status in ms when the server's reason phrase is HTTP's own (or
 * none): "HTTP 200 OK in 1.8 ms".  Written into buf, which it returns.
 */
const char *result_up_message(char *buf, size_t len, long http_status,
	    double ms);

/* An "unknown" result: the checker could not measure (reason in why). */
void	result_unknown(struct result *r, const char *name, const char *why);
/*
 * An "unknown" result because the checker itself failed (local is an
 * enum local_kind): the message names the local cause, then why.
 */
void	result_local(struct result *r, const char *name, int local,
	    const char *why);

#endif
