/*
 * probe_http.c -- run one HTTP(S) check and turn it into a result.
 *
 * probe_start() builds an easy handle from a check_conf and gives it to
 * evcurl; probe_finish() collects the facts into a struct probe_raw and
 * lets result_classify() judge them.  Every probe ends through
 * probe_finish() exactly once: finished, failed, timed out, cancelled or
 * aborted by evcurl_free().
 *
 * Every check opens a fresh connection and makes a full TLS handshake
 * (no reuse, no session cache), because a monitor that reuses a
 * connection measures neither connect time nor a certificate change.
 * The body is never kept: the write callback searches expect_text in a
 * sliding window and stops reading after max_body bytes.
 */
#include <sys/socket.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "bodyscan.h"
#include "checker_health.h"
#include "config.h"
#include "evcurl.h"
#include "log.h"
#include "probe.h"
#include "trust_store.h"
#include "util.h"
#include "xmalloc.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0"
#endif
#define PROBE_USER_AGENT	"sitewatch/" PACKAGE_VERSION
#define PROBE_MAXREDIRS		10L
/* Parsed CA stores are reused this long (seconds) across handshakes. */
#define PROBE_CA_CACHE_S	3600L

/* Lifecycle: a probe is freed only after its callback has returned. */
enum probe_state {
	PROBE_RUNNING,
	PROBE_DONE,		/* callback running or ran: no more cancel */
};

struct probe {
	enum probe_state	 state;
	struct evcurl		*ec;
	const struct check_conf	*conf;
	CURL			*easy;
	struct curl_slist	*headers;
	X509_STORE		*trust;	/* own ca_file: our reference */
	probe_done_cb		 cb;
	void			*arg;
	double			 at;	/* wall clock at start */
	int			 is_tls; /* last connection was TLS */
	int			 has_cert; /* cert_secs_left is known */
	long long		 cert_secs_left;
	int			 sock_errno;	/* our socket() failed: why */

	/* Body scanning. */
	size_t			 max_body;
	size_t			 seen;	/* body bytes looked at */
	int			 limit_hit; /* stopped at max_body */
	struct bodyscan		 scan;	/* for expect_text */

	char			 reason[128]; /* of the last status line */
	char			 errbuf[CURL_ERROR_SIZE];
};

/* libcurl write callback: scan up to max_body bytes, then stop reading. */
static size_t
probe_on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct probe	*p = arg;
	size_t		 n = size * nmemb, room;

	room = p->max_body - p->seen;
	if (n > room) {
		bodyscan_feed(&p->scan, data, room);
		p->seen += room;
		p->limit_hit = 1;
		return 0;	/* CURLE_WRITE_ERROR: mapped to BODY_LIMIT */
	}
	bodyscan_feed(&p->scan, data, n);
	p->seen += n;
	return n;
}

/* libcurl header callback: keep the reason phrase of each status line. */
static size_t
probe_on_header(char *data, size_t size, size_t nitems, void *arg)
{
	struct probe	*p = arg;
	size_t		 n = size * nitems, i, len;
	const char	*r;

	if (n < 5 || strncmp(data, "HTTP/", 5) != 0)
		return n;
	/* "HTTP/1.1 503 Service Unavailable\r\n": skip version and code. */
	for (i = 0; i < n && data[i] != ' '; i++)
		;
	for (; i < n && data[i] == ' '; i++)
		;
	for (; i < n && data[i] != ' ' && data[i] != '\r' && data[i] != '\n';
	    i++)
		;
	for (; i < n && data[i] == ' '; i++)
		;
	r = data + i;
	for (len = 0; i + len < n && r[len] != '\r' && r[len] != '\n' &&
	    r[len] != '\0'; len++)
		;
	if (len >= sizeof p->reason)
		len = sizeof p->reason - 1;
	memcpy(p->reason, r, len);
	p->reason[len] = '\0';
	return n;
}

/*
 * Seconds from now until t, into *secs; -1 when t cannot be read.  The
 * rounding to whole days is result.c's (down, as check_http counts), and
 * the warning is judged on these seconds, not on the rounded days.
 */
static int
probe_secs_until(const ASN1_TIME *t, long long *secs)
{
	int	days, rest;

	if (ASN1_TIME_diff(&days, &rest, NULL, t) != 1)
		return -1;
	*secs = (long long)days * 86400 + rest;
	return 0;
}

/*
 * libcurl CURLOPT_PREREQFUNCTION: the connection (and its TLS handshake)
 * is up and no request is sent yet.  The TLS object is only alive while
 * the connection is, so read the leaf certificate's expiry here, once per
 * connection (redirects included: the last one counts).
 */
static int
probe_on_connected(void *arg, char *conn_primary_ip, char *conn_local_ip,
    int conn_primary_port, int conn_local_port)
{
	struct probe			*p = arg;
	const struct curl_tlssessioninfo *ti = NULL;
	X509				*leaf;
	SSL				*ssl;

	p->is_tls = 0;
	p->has_cert = 0;
	if (curl_easy_getinfo(p->easy, CURLINFO_TLS_SSL_PTR, &ti) != CURLE_OK ||
	    ti == NULL || ti->backend != CURLSSLBACKEND_OPENSSL ||
	    ti->internals == NULL)
		return CURL_PREREQFUNC_OK;
	p->is_tls = 1;
	ssl = ti->internals;
	if ((leaf = SSL_get0_peer_certificate(ssl)) != NULL)
		p->has_cert = probe_secs_until(X509_get0_notAfter(leaf),
		    &p->cert_secs_left) == 0;
	return CURL_PREREQFUNC_OK;
}

/* libcurl CURLOPT_SSL_CTX_FUNCTION: verify with the check's own store. */
static CURLcode
probe_on_ssl_ctx(CURL *easy, void *ssl_ctx, void *arg)
{
	(void)easy;
	/* set1: the context takes its own reference. */
	SSL_CTX_set1_cert_store(ssl_ctx, arg);
	return CURLE_OK;
}

/*
 * libcurl CURLOPT_OPENSOCKETFUNCTION: make the socket ourselves, so that
 * when it cannot be made we know the errno the system gave (EMFILE,
 * ENOMEM, ...) and not only libcurl's "could not connect".
 */
static curl_socket_t
probe_on_opensocket(void *arg, curlsocktype purpose,
    struct curl_sockaddr *a)
{
	struct probe	*p = arg;
	int		 fd;

	(void)purpose;
	if ((fd = socket(a->family, a->socktype | SOCK_CLOEXEC,
	    a->protocol)) == -1) {
		p->sock_errno = errno;
		return CURL_SOCKET_BAD;
	}
	return fd;
}

/* Set the request method and body from the check. */
static void
probe_set_method(CURL *easy, const struct check_conf *c)
{
	const char	*m = c->method != NULL && *c->method != '\0' ?
			    c->method : "GET";

	if (c->body != NULL && *c->body != '\0') {
		curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)strlen(c->body));
		curl_easy_setopt(easy, CURLOPT_POSTFIELDS, c->body);
		if (strcasecmp(m, "POST") != 0)
			curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, m);
		return;
	}
	if (strcasecmp(m, "GET") == 0)
		return;
	if (strcasecmp(m, "HEAD") == 0)
		curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
	else if (strcasecmp(m, "POST") == 0) {
		curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)0);
		curl_easy_setopt(easy, CURLOPT_POSTFIELDS, "");
	} else
		curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, m);
}

/* Give back what a probe holds; its easy handle is out of the multi. */
static void
probe_free(struct probe *p)
{
	evcurl_easy_put(p->ec, p->easy);
	curl_slist_free_all(p->headers);
	X509_STORE_free(p->trust);
	bodyscan_free(&p->scan);
	free(p);
}

/* Build the easy handle for a check.  Returns -1 on a setup failure. */
static int
probe_setup(struct probe *p)
{
	const struct check_conf	*c = p->conf;
	CURL			*easy = p->easy;
	struct curl_slist	*l;
	long			 ms, ipr;
	size_t			 i;

	ms = (long)(c->timeout > 0 ? c->timeout : 10) * 1000;
	if (curl_easy_setopt(easy, CURLOPT_URL, c->url) != CURLE_OK)
		return -1;
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, p->errbuf);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(easy, CURLOPT_USERAGENT, PROBE_USER_AGENT);
	/* Never through a proxy from the environment: we time the site. */
	curl_easy_setopt(easy, CURLOPT_PROXY, "");
	/* One fresh connection per check, closed after it. */
	curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
	curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, ms);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, ms);
	if (c->follow_redirects) {
		curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(easy, CURLOPT_MAXREDIRS, PROBE_MAXREDIRS);
	}
	switch (c->ip) {
	case IP_V4:
		ipr = CURL_IPRESOLVE_V4;
		break;
	case IP_V6:
		ipr = CURL_IPRESOLVE_V6;
		break;
	default:
		ipr = CURL_IPRESOLVE_WHATEVER;
		break;
	}
	curl_easy_setopt(easy, CURLOPT_IPRESOLVE, ipr);

	/* TLS: verify everything, full handshake every time. */
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(easy, CURLOPT_SSL_SESSIONID_CACHE, 0L);
	/*
	 * libcurl keeps the parsed CA store between handshakes only when no
	 * CA folder is set, and Debian's libcurl sets /etc/ssl/certs by
	 * default: without clearing it the whole system bundle (~140 certs)
	 * is parsed again for every check.  The bundle itself holds the same
	 * certificates.  A check with its own ca_file trusts the file and
	 * the folder (the system's CAs by hash); that store is kept by
	 * trust_store and handed to each handshake, and libcurl's own cache
	 * is left alone for the system's.  A file that cannot be loaded is
	 * given to libcurl as it is, to fail with libcurl's usual error.
	 */
	if (c->ca_file != NULL && *c->ca_file != '\0') {
		p->trust = trust_store_get(evcurl_trust(p->ec), c->ca_file);
		if (p->trust != NULL) {
			curl_easy_setopt(easy, CURLOPT_CAINFO, NULL);
			curl_easy_setopt(easy, CURLOPT_CAPATH, NULL);
			curl_easy_setopt(easy, CURLOPT_CA_CACHE_TIMEOUT, 0L);
			curl_easy_setopt(easy, CURLOPT_SSL_CTX_FUNCTION,
			    probe_on_ssl_ctx);
			curl_easy_setopt(easy, CURLOPT_SSL_CTX_DATA, p->trust);
		} else
			curl_easy_setopt(easy, CURLOPT_CAINFO, c->ca_file);
	} else {
		curl_easy_setopt(easy, CURLOPT_CAPATH, NULL);
		curl_easy_setopt(easy, CURLOPT_CA_CACHE_TIMEOUT,
		    PROBE_CA_CACHE_S);
	}

	probe_set_method(easy, c);
	for (i = 0; i < c->nheaders; i++) {
		if ((l = curl_slist_append(p->headers, c->headers[i])) == NULL)
			return -1;
		p->headers = l;
	}
	if (p->headers != NULL)
		curl_easy_setopt(easy, CURLOPT_HTTPHEADER, p->headers);

	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, probe_on_body);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, p);
	curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, probe_on_header);
	curl_easy_setopt(easy, CURLOPT_HEADERDATA, p);
	curl_easy_setopt(easy, CURLOPT_PREREQFUNCTION, probe_on_connected);
	curl_easy_setopt(easy, CURLOPT_PREREQDATA, p);
	curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION,
	    probe_on_opensocket);
	curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, p);
	return 0;
}

/*
 * Map how libcurl ended to our transport outcome.  The checker's own
 * faults are sorted out first, by the errno the system returned
 * (checker_health.c has the table): a check that was never made is
 * unknown, not a site's outage.
 */
static enum transport_outcome
probe_outcome(struct probe *p, CURLcode code, int *local)
{
	long		vr = 0, oserr = 0, hdr = 0;
	curl_off_t	body = 0, first = 0;

	if (code != CURLE_OK && code != CURLE_ABORTED_BY_CALLBACK) {
		(void)curl_easy_getinfo(p->easy, CURLINFO_OS_ERRNO, &oserr);
		(void)curl_easy_getinfo(p->easy, CURLINFO_HEADER_SIZE, &hdr);
		(void)curl_easy_getinfo(p->easy, CURLINFO_SIZE_DOWNLOAD_T,
		    &body);
		/* The first byte's time: the site did send something. */
		(void)curl_easy_getinfo(p->easy, CURLINFO_STARTTRANSFER_TIME_T,
		    &first);
		*local = local_curl_kind(code, oserr, p->sock_errno,
		    p->errbuf, (long long)hdr + (long long)body +
		    (long long)p->seen + (p->reason[0] != '\0') +
		    (first > 0));
		if (*local != LOCAL_NONE)
			return TRANSPORT_LOCAL;
	}
	switch (code) {
	case CURLE_OK:
		return TRANSPORT_OK;
	case CURLE_WRITE_ERROR:
		return p->limit_hit ? TRANSPORT_BODY_LIMIT : TRANSPORT_OTHER;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return TRANSPORT_DNS;
	case CURLE_COULDNT_CONNECT:
		return TRANSPORT_CONNECT;
	case CURLE_OPERATION_TIMEDOUT:
		return TRANSPORT_TIMEOUT;
	case CURLE_TOO_MANY_REDIRECTS:
		return TRANSPORT_TOO_MANY_REDIRECTS;
	case CURLE_ABORTED_BY_CALLBACK:
		return TRANSPORT_ABORTED;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_USE_SSL_FAILED:
		/* Told apart through the verify result, as SPEC asks. */
		if (curl_easy_getinfo(p->easy, CURLINFO_SSL_VERIFYRESULT,
		    &vr) == CURLE_OK && vr == X509_V_ERR_CERT_HAS_EXPIRED)
			return TRANSPORT_CERT_EXPIRED;
		return TRANSPORT_TLS;
	default:
		return TRANSPORT_OTHER;
	}
}

/* Microseconds from a _T CURLINFO, 0 when libcurl has none. */
static curl_off_t
probe_us(CURL *easy, CURLINFO what)
{
	curl_off_t	v = 0;

	if (curl_easy_getinfo(easy, what, &v) != CURLE_OK || v < 0)
		return 0;
	return v;
}

/* Clamp a phase so that it is >= 0 and fits in what is left of total. */
static curl_off_t
probe_phase(curl_off_t v, curl_off_t *left)
{
	if (v < 0)
		v = 0;
	if (v > *left)
		v = *left;
	*left -= v;
	return v;
}

/*
 * Phase lengths from libcurl's offsets (µs since the start of each
 * request; libcurl adds them up over redirects).  A phase that never
 * finished because the check failed in it runs until the end, as in a
 * browser's network panel.  Clamping keeps dns+connect+tls+ttfb <= total
 * whatever the redirects did to the sums.
 */
static void
probe_timings(struct probe *p, enum transport_outcome out,
    struct probe_raw *raw)
{
	CURL		*e = p->easy;
	curl_off_t	 dns, con, app, pre, start, total, left;
	curl_off_t	 d, c, t, w;
	int		 failed, https;

	dns = probe_us(e, CURLINFO_NAMELOOKUP_TIME_T);
	con = probe_us(e, CURLINFO_CONNECT_TIME_T);
	app = probe_us(e, CURLINFO_APPCONNECT_TIME_T);
	pre = probe_us(e, CURLINFO_PRETRANSFER_TIME_T);
	start = probe_us(e, CURLINFO_STARTTRANSFER_TIME_T);
	total = probe_us(e, CURLINFO_TOTAL_TIME_T);
	failed = out != TRANSPORT_OK && out != TRANSPORT_BODY_LIMIT;

	https = strncasecmp(p->conf->url, "https:", 6) == 0;

	if (dns == 0 && failed && out == TRANSPORT_DNS)
		d = total;
	else
		d = dns;
	/*
	 * libcurl records the connect time only once TLS is up too, so on a
	 * failed https check the TCP/TLS split is unknown.  A timeout there
	 * is counted as connecting (as a browser's "initial connection",
	 * which includes TLS); a TLS error means TCP did connect, so the time
	 * after the lookup is the handshake's.
	 */
	if (con > 0)
		c = con - dns;
	else if (failed && (out == TRANSPORT_CONNECT ||
	    out == TRANSPORT_TIMEOUT))
		c = total - dns;
	else
		c = 0;
	if (app > 0)
		t = app - con;
	else if (failed && https && (out == TRANSPORT_TLS ||
	    out == TRANSPORT_CERT_EXPIRED || (out == TRANSPORT_TIMEOUT &&
	    con > 0)))
		t = total - (con > 0 ? con : dns);
	else
		t = 0;
	if (start > 0)
		w = start - pre;
	else if (pre > 0 && failed)
		w = total - pre;
	else
		w = 0;

	left = total;
	raw->dns_ms = probe_phase(d, &left) / 1000.0;
	raw->connect_ms = probe_phase(c, &left) / 1000.0;
	raw->tls_ms = probe_phase(t, &left) / 1000.0;
	raw->ttfb_ms = probe_phase(w, &left) / 1000.0;
	raw->total_ms = total / 1000.0;
}

/* End the probe: collect the facts, judge them, call back, free. */
static void
probe_finish(struct probe *p, CURLcode code)
{
	struct probe_raw	 raw;
	struct result		 r;
	long			 status = 0;

	memset(&raw, 0, sizeof raw);
	raw.outcome = probe_outcome(p, code, &raw.local);
	if (code != CURLE_OK && raw.outcome != TRANSPORT_BODY_LIMIT)
		snprintf(raw.detail, sizeof raw.detail, "%s", p->errbuf[0] !=
		    '\0' ? p->errbuf : curl_easy_strerror(code));
	if (raw.outcome == TRANSPORT_LOCAL && p->sock_errno != 0)
		snprintf(raw.detail, sizeof raw.detail, "socket: %s",
		    strerror(p->sock_errno));
	curl_easy_getinfo(p->easy, CURLINFO_RESPONSE_CODE, &status);
	raw.http_status = status;
	snprintf(raw.reason, sizeof raw.reason, "%s", p->reason);
	raw.text_found = p->scan.found;
	raw.bytes = (long long)p->seen;
	raw.has_cert = p->is_tls && p->has_cert;
	raw.cert_secs_left = p->cert_secs_left;
	probe_timings(p, raw.outcome, &raw);

	memset(&r, 0, sizeof r);
	if (raw.outcome == TRANSPORT_ABORTED) {
		result_unknown(&r, p->conf->name,
		    "check aborted: shutting down");
		r.aborted = 1;
		r.http_status = raw.http_status;
		r.dns_ms = raw.dns_ms;
		r.connect_ms = raw.connect_ms;
		r.tls_ms = raw.tls_ms;
		r.ttfb_ms = raw.ttfb_ms;
		r.total_ms = raw.total_ms;
		r.bytes = raw.bytes;
	} else {
		snprintf(r.name, sizeof r.name, "%s", p->conf->name);
		result_classify(p->conf, &raw, &r);
	}
	r.at = p->at;
	log_debug("probe %s: %s/%s %.1f ms: %s", r.name,
	    sw_state_name(r.state), sw_cause_name(r.cause), r.total_ms,
	    r.message);

	p->state = PROBE_DONE;
	p->cb(&r, p->arg);
	probe_free(p);
}

/* evcurl: the transfer has ended and left the multi handle. */
static void
probe_on_done(CURL *easy, CURLcode code, void *arg)
{
	probe_finish(arg, code);
}

/* Start a check; exactly one callback will follow (maybe already ran). */
struct probe *
probe_start(struct evcurl *ec, const struct check_conf *c, probe_done_cb cb,
    void *arg)
{
	struct probe	*p;
	struct result	 r;
	const char	*why;
	int		 mc = 0;

	p = xcalloc(1, sizeof *p);
	p->state = PROBE_RUNNING;
	p->ec = ec;
	p->conf = c;
	p->cb = cb;
	p->arg = arg;
	p->at = util_wall_time();
	p->has_cert = 0;
	p->max_body = c->max_body > 0 ? c->max_body : 1048576;
	bodyscan_init(&p->scan, c->expect_text);
	/*
	 * Each of these fails only for the checker's own reasons (memory,
	 * libcurl's state): the check was not made, and says so.
	 */
	why = NULL;
	if ((p->easy = evcurl_easy_get(ec)) == NULL)
		why = "curl_easy_init failed";
	else if (probe_setup(p) == -1)
		why = "cannot set the transfer's options";
	else if ((mc = evcurl_add(ec, p->easy, probe_on_done, p)) != 0)
		why = curl_multi_strerror((CURLMcode)mc);
	if (why != NULL) {
		result_local(&r, c->name, mc == CURLM_OUT_OF_MEMORY ||
		    p->easy == NULL ? LOCAL_MEMORY : LOCAL_TRANSFER, why);
		r.at = p->at;
		probe_free(p);
		cb(&r, arg);
		return NULL;
	}
	return p;
}

/* Abort a running probe; its callback runs now with an unknown result. */
void
probe_cancel(struct probe *p, const char *why)
{
	struct result	r;

	if (p == NULL || p->state != PROBE_RUNNING)
		return;
	evcurl_remove(p->ec, p->easy);
	result_unknown(&r, p->conf->name, why != NULL ? why : "cancelled");
	r.at = p->at;
	p->state = PROBE_DONE;
	p->cb(&r, p->arg);
	probe_free(p);
}

struct probe_once {
	struct event_base	*base;
	struct result		*out;
};

/* probe_run_once: copy the result out and stop the private loop. */
static void
probe_once_done(const struct result *r, void *arg)
{
	struct probe_once	*o = arg;

	*o->out = *r;
	event_base_loopbreak(o->base);
}

/* Run one check to completion on a private event_base. */
int
probe_run_once(const struct check_conf *c, struct result *r)
{
	struct event_base	*base;
	struct evcurl		*ec;
	struct probe_once	 o;
	int			 rc = -1;

	result_unknown(r, c->name, "check did not run");
	if ((base = event_base_new()) == NULL)
		return -1;
	if ((ec = evcurl_new(base)) == NULL) {
		event_base_free(base);
		return -1;
	}
	o.base = base;
	o.out = r;
	if (probe_start(ec, c, probe_once_done, &o) != NULL) {
		event_base_dispatch(base);
		rc = 0;
	}
	evcurl_free(ec);
	event_base_free(base);
	return rc;
}
