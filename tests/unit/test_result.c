/*
 * test_result.c -- result_classify(): every state and cause, the severity
 * order, the boundaries of the thresholds and the message texts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "check_status.h"
#include "config.h"
#include "result.h"

#define HOUR	3600LL
#define DAY	(24 * HOUR)

static struct status_range	default_status[] = { { 200, 399 } };

/* A check with SPEC's defaults. */
static void
conf_init(struct check_conf *c)
{
	memset(c, 0, sizeof *c);
	c->name = "shop-home";
	c->url = "https://shop.example/";
	c->interval = 60;
	c->timeout = 10;
	c->expect_status = default_status;
	c->nexpect_status = 1;
	c->max_body = 1048576;
	c->slow_ms = 2000;
	c->down_ms = 8000;
	c->cert_warn_days = 14;
	c->follow_redirects = 1;
}

/* A clean 200 over TLS with a long-lived certificate. */
static void
raw_init(struct probe_raw *raw)
{
	memset(raw, 0, sizeof *raw);
	raw->outcome = TRANSPORT_OK;
	raw->http_status = 200;
	snprintf(raw->reason, sizeof raw->reason, "OK");
	raw->text_found = 0;
	raw->bytes = 15;
	raw->dns_ms = 1;
	raw->connect_ms = 2;
	raw->tls_ms = 3;
	raw->ttfb_ms = 4;
	raw->total_ms = 123;
	raw->has_cert = 1;
	raw->cert_secs_left = 300 * DAY;
}

static void
classify(const struct check_conf *c, const struct probe_raw *raw,
    struct result *r)
{
	memset(r, 0xa5, sizeof *r);
	snprintf(r->name, sizeof r->name, "%s", c->name);
	r->at = 42;
	result_classify(c, raw, r);
}

static void
test_up_ok(void **state)
{
	struct check_conf	c;
	struct probe_raw	raw;
	struct result		r;

	conf_init(&c);
	raw_init(&raw);
	classify(&c, &raw, &r);
	assert_int_equal(r.state, SW_STATE_UP);
	assert_int_equal(r.cause, SW_CAUSE_OK);
	assert_int_equal(r.up, 1);
	assert_string_equal(r.message, "HTTP 200 OK in 123 ms");
	/* Facts are copied; name and at are left alone. */
	assert_string_equal(r.name, "shop-home");
	assert_true(r.at == 42);
	assert_int_equal(r.http_status, 200);
	assert_true(r.dns_ms == 1 && r.connect_ms == 2 && r.tls_ms == 3 &&
	    r.ttfb_ms == 4 && r.total_ms == 123);
	assert_int_equal(r.bytes, 15);
	assert_int_equal(r.cert_days_left, 300);
	assert_string_equal(sw_state_name(r.state), "up");
	assert_string_equal(sw_cause_name(r.cause), "ok");

	/* Short durations keep one decimal. */
	raw.total_ms = 0.42;
	classify(&c, &raw, &r);
	assert_string_equal(r.message, "HTTP 200 OK in 0.4 ms");
}

static void
test_body_limit_is_not_an_error(void **state)
{
	struct check_conf	c;
	struct probe_raw	raw;
	struct result		r;

	conf_init(&c);
	raw_init(&raw);
	raw.outcome = TRANSPORT_BODY_LIMIT;
	raw.bytes = 1048576;
	classify(&c, &raw, &r);
	assert_int_equal(r.state, SW_STATE_UP);
	assert_int_equal(r.cause, SW_CAUSE_OK);
	assert_int_equal(r.bytes, 1048576);
}

/* One transport outcome, its expected state, cause and message start. */
static void
check_transport(enum transport_outcome out, long status,
    enum sw_state state, enum sw_cause cause, const char *prefix)
{
	struct check_conf	c;
	struct probe_raw	raw;
	struct result		r;

	conf_init(&c);
	raw_init(&raw);
	raw.outcome = out;
	raw.http_status = status;
	snprintf(raw.detail, sizeof raw.detail, "libcurl says no");
	/* Everything else is wrong too: transport must still win. */
	raw.total_ms = 9000;
	raw.cert_secs_left = 2 * DAY;
	c.expect_text = "Add to cart";
	classify(&c, &raw, &r);
	assert_int_equal(r.state, state);
	assert_int_equal(r.cause, cause);
	assert_int_equal(r.up, 0);
	assert_true(strncmp(r.message, prefix, strlen(prefix)) == 0);
	assert_non_null(strstr(r.message, "libcurl says no"));
}

static void
test_transport_causes(void **state)
{
	check_transport(TRANSPORT_DNS, 0, SW_STATE_DOWN, SW_CAUSE_DNS,
	    "DNS lookup failed: ");
	check_transport(TRANSPORT_CONNECT, 0, SW_STATE_DOWN, SW_CAUSE_CONNECT,
	    "connection failed: ");
	check_transport(TRANSPORT_TLS, 0, SW_STATE_DOWN, SW_CAUSE_TLS,
	    "TLS failed: ");
	check_transport(TRANSPORT_TIMEOUT, 200, SW_STATE_DOWN,
	    SW_CAUSE_TIMEOUT, "no complete answer within 10 s: ");
	check_transport(TRANSPORT_CERT_EXPIRED, 0, SW_STATE_DOWN,
	    SW_CAUSE_CERT, "certificate has expired");
	check_transport(TRANSPORT_TOO_MANY_REDIRECTS, 301, SW_STATE_DOWN,
	    SW_CAUSE_HTTP, "too many redirects");
	/* A broken answer after a status line is an HTTP problem... */
	check_transport(TRANSPORT_OTHER, 200, SW_STATE_DOWN, SW_CAUSE_HTTP,
	    "transfer failed: ");
	/* ...no answer at all is a connection problem. */
	check_transport(TRANSPORT_OTHER, 0, SW_STATE_DOWN, SW_CAUSE_CONNECT,
	    "transfer failed: ");
	check_transport(TRANSPORT_ABORTED, 0, SW_STATE_UNKNOWN,
	    SW_CAUSE_UNKNOWN, "check aborted");
}

static void
test_http_status(void **state)
{
	struct check_conf	c;
	struct probe_raw	raw;
	struct result		r;

	conf_init(&c);
	raw_init(&raw);
	raw.http_status = 503;
	snprintf(raw.reason, sizeof raw.reason, "Service Unavailable");
	classify(&c, &raw, &r);
	assert_int_equal(r.state, SW_STATE_DOWN);
	assert_int_equal(r.cause, SW_CAUSE_HTTP);
	assert_int_equal(r.up, 0);
	assert_string_equal(r.message, "HTTP 503 Service Unavailable");
	assert_int_equal(r.http_status, 503);

	/* The range bounds are inclusive. */
	raw.http_status = 399;
	raw.reason[0] = '\0';
	classify(&c, &raw, &r);
	assert_int_equal(r.state, SW_STATE_UP);
	raw.http_status = 400;
	classify(&c, &raw, &r);
	assert_int_equal(r.cause, SW_CAUSE_HTTP);
	/* No reason phrase (HTTP/2): the standard one is used. */
	assert_string_equal(r.message, "HTTP 400 Bad Request");
	raw.http_status = 599;
	classify(&c, &raw, &r);
	assert_string_equal(r.message, "HTTP 599");
	raw.http_status = 199;
	classify(&c, &raw, &r);
	assert_int_equal(r.cause, SW_CAUSE_HTTP);
}

static void
test_http_status_list(void **state)
{
	struct status_range	list[] = { { 200, 200 }, { 301, 302 },
				    { 404, 404 } };
	struct check_conf	c;
	struct probe_raw	raw;
	struct result		r;
	static const struct {
		long	status;
		int	ok;
	} cases[] = {
		{ 200, 1 }, { 201, 0 }, { 300, 0 }, { 301, 1 }, { 302, 1 },
		{ 303, 0 }, { 404, 1 }, { 405, 0 }, { 500, 0 },
	};
	size_t			i;

	conf_init(&c);
	c.expect_status = list;
	c.nexpect_status = 3;
	raw_init(&raw);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		raw.http_status = cases[i].status;
		classify(&c, &raw, &r);
		assert_int_equal(r.cause, cases[i].ok ? SW_CAUSE_OK :
		    SW_CAUSE_HTTP);
	}

	/* No list at all means 200-399. */
	c.expect_status = NULL;
	c.nexpect_status = 0;
	raw.http_status = 302;
	classify(&c, &raw, &r);
	assert_int_equal(r.cause, SW_CAUSE_OK);
	raw.http_status = 404;
	classify(&c, &raw, &r);
	assert_int_equal(r.cause, SW_CAUSE_HTTP);
}

static void
test_reason_is_escaped(void **state)
{
	struct check_conf	c;
	struct probe_raw	raw;
	struct result		r;

	conf_init(&c);
	raw_init(&raw);
	raw.http_status = 500;
	snprintf(raw.reason, sizeof raw.reason,
	    "Oops\r\nX-Evil: 1\x1b[31m\\");
	classify(&c, &raw, &r);
	assert_string_equal(r.message,
	    "HTTP 500 Oops\\x0d\\x0aX-Evil: 1\\x1b[31m\\x5c");
	assert_null(strchr(r.message, '\n'));
	assert_null(strchr(r.message, '\r'));
}

static void
test_detail_is_escaped(void **state)
{
	struct check_conf	c;
	struct probe_raw	raw;
	struct result		r;

	conf_init(&c);
	raw_init(&raw);
	raw.outcome = TRANSPORT_OTHER;
	snprintf(raw.detail, sizeof raw.detail, "bad\nline\xff");
	classify(&c, &raw, &r);
	assert_string_equal(r.message, "transfer failed: bad\\x0aline\\xff");
}

static void
test_content(void **state)
{
	struct check_conf	c;
	struct probe_raw	raw;
	struct result		r;

	conf_init(&c);
	c.expect_text = "Add to cart";
	raw_init(&raw);
	raw.bytes = 5000;
	classify(&c, &raw, &r);
	assert_int_equal(r.state, SW_STATE_DOWN);
	assert_int_equal(r.cause, SW_CAUSE_CONTENT);
	assert_int_equal(r.up, 0);
	assert_string_equal(r.message,
	    "expected text \"Add to cart\" not found in the first 5000 bytes");

	raw.text_found = 1;
	classify(&c, &raw, &r);
	assert_int_equal(r.state, SW_STATE_UP);
	assert_int_equal(r.cause, SW_CAUSE_OK);

	/* An empty expect_text asks for nothing. */
	c.expect_text = "";
	raw.text_found = 0;
	classify(&c, &raw, &r);
	assert_int_equal(r.cause, SW_CAUSE_OK);
}

static void
test_slow_boundaries(void **state)
{
	struct check_conf	c;
	struct probe_raw	raw;
	struct result		r;

	conf_init(&c);
	raw_init(&raw);

	raw.total_ms = 2000;		/* exactly slow_ms: not slow */
	classify(&c, &raw, &r);
	assert_int_equal(r.state, SW_STATE_UP);
	assert_int_equal(r.cause, SW_CAUSE_OK);

	raw.total_ms = 2000.5;
	classify(&c, &raw, &r);
	assert_int_equal(r.state, SW_STATE_DEGRADED);
	assert_int_equal(r.cause, SW_CAUSE_SLOW);
	assert_int_equal(r.up, 1);

	raw.total_ms = 2500;
	classify(&c, &raw, &r);
	assert_string_equal(r.message,
	    "HTTP 200 OK in 2500 ms (slow above 2000 ms)");

	raw.total_ms = 8000;		/* exactly down_ms: only degraded */
	classify(&c, &raw, &r);
	assert_int_equal(r.state, SW_STATE_DEGRADED);
	assert_int_equal(r.cause, SW_CAUSE_SLOW);

	raw.total_ms = 8001;
	classify(&c, &raw, &r);
	assert_int_equal(r.state, SW_STATE_DOWN);
	assert_int_equal(r.cause, SW_CAUSE_SLOW);
	assert_int_equal(r.up, 0);
	assert_string_equal(r.message,
	    "HTTP 200 OK in 8001 ms (down above 8000 ms)");

	/* A limit of 0 switches the test off. */
	c.slow_ms = 0;
	c.down_ms = 0;
	classify(&c, &raw, &r);
	assert_int_equal(r.state, SW_STATE_UP);
}

static void
test_cert_warning(void **state)
{
	struct check_conf	c;
	struct probe_raw	raw;
	struct result		r;

	conf_init(&c);
	raw_init(&raw);

	/* 5 days and 3 hours: 5, rounded down as check_http counts. */
	raw.cert_secs_left = 5 * DAY + 3 * HOUR;
	classify(&c, &raw, &r);
	assert_int_equal(r.cert_days_left, 5);
	assert_int_equal(r.state, SW_STATE_DEGRADED);
	assert_int_equal(r.cause, SW_CAUSE_CERT);
	assert_int_equal(r.up, 1);
	assert_string_equal(r.message, "certificate expires in 5 days");

	/* 13 d 23 h with cert_warn_days = 14: less than 14 x 24 h, warn. */
	raw.cert_secs_left = 13 * DAY + 23 * HOUR;
	classify(&c, &raw, &r);
	assert_int_equal(r.cert_days_left, 13);
	assert_int_equal(r.state, SW_STATE_DEGRADED);
	assert_int_equal(r.cause, SW_CAUSE_CERT);
	/* One second short of 14 x 24 h still warns... */
	raw.cert_secs_left = 14 * DAY - 1;
	classify(&c, &raw, &r);
	assert_int_equal(r.cause, SW_CAUSE_CERT);
	/* ...exactly 14 x 24 h does not... */
	raw.cert_secs_left = 14 * DAY;
	classify(&c, &raw, &r);
	assert_int_equal(r.cert_days_left, 14);
	assert_int_equal(r.state, SW_STATE_UP);
	assert_int_equal(r.cause, SW_CAUSE_OK);
	/* ...nor 14 d 1 h. */
	raw.cert_secs_left = 14 * DAY + HOUR;
	classify(&c, &raw, &r);
	assert_int_equal(r.cert_days_left, 14);
	assert_int_equal(r.state, SW_STATE_UP);
	assert_int_equal(r.cause, SW_CAUSE_OK);

	raw.cert_secs_left = DAY + 23 * HOUR;
	classify(&c, &raw, &r);
	assert_int_equal(r.cert_days_left, 1);
	assert_string_equal(r.message, "certificate expires in 1 day");
	/* Under a day: 0 days, and the message counts the hours. */
	raw.cert_secs_left = 23 * HOUR + 59 * 60;
	classify(&c, &raw, &r);
	assert_int_equal(r.cert_days_left, 0);
	assert_string_equal(r.message, "certificate expires in 23 hours");
	raw.cert_secs_left = HOUR;
	classify(&c, &raw, &r);
	assert_string_equal(r.message, "certificate expires in 1 hour");
	raw.cert_secs_left = 59;
	classify(&c, &raw, &r);
	assert_int_equal(r.cert_days_left, 0);
	assert_string_equal(r.message, "certificate expires within the hour");

	/* No certificate (plain HTTP): nothing to judge, -1 days. */
	raw.has_cert = 0;
	raw.cert_secs_left = 0;
	classify(&c, &raw, &r);
	assert_int_equal(r.cause, SW_CAUSE_OK);
	assert_int_equal(r.cert_days_left, -1);

	/* cert_warn_days = 0 never warns about a valid certificate. */
	c.cert_warn_days = 0;
	raw.has_cert = 1;
	raw.cert_secs_left = DAY;
	classify(&c, &raw, &r);
	assert_int_equal(r.cause, SW_CAUSE_OK);
}

/* Expired: the TLS verify result says so, and that is down, not degraded. */
static void
test_cert_expired(void **state)
{
	struct check_conf	c;
	struct probe_raw	raw;
	struct result		r;

	conf_init(&c);
	raw_init(&raw);
	raw.outcome = TRANSPORT_CERT_EXPIRED;
	raw.http_status = 0;
	raw.has_cert = 0;	/* the handshake failed: no leaf was read */
	snprintf(raw.detail, sizeof raw.detail, "certificate has expired");
	classify(&c, &raw, &r);
	assert_int_equal(r.state, SW_STATE_DOWN);
	assert_int_equal(r.cause, SW_CAUSE_CERT);
	assert_int_equal(r.up, 0);
	assert_int_equal(r.cert_days_left, -1);
	assert_true(strncmp(r.message, "certificate has expired",
	    strlen("certificate has expired")) == 0);

	/*
	 * Verified at the handshake, expired by the time it is judged: 0
	 * days (never negative) and a warning, not silence.
	 */
	raw_init(&raw);
	raw.cert_secs_left = -5;
	classify(&c, &raw, &r);
	assert_int_equal(r.cert_days_left, 0);
	assert_int_equal(r.state, SW_STATE_DEGRADED);
	assert_int_equal(r.cause, SW_CAUSE_CERT);
}

static void
test_severity_order(void **state)
{
	struct check_conf	c;
	struct probe_raw	raw;
	struct result		r;

	conf_init(&c);
	c.expect_text = "Add to cart";

	/* HTTP error beats missing content, slowness and the cert. */
	raw_init(&raw);
	raw.http_status = 500;
	raw.reason[0] = '\0';
	raw.total_ms = 9000;
	raw.cert_secs_left = 3 * DAY;
	classify(&c, &raw, &r);
	assert_int_equal(r.cause, SW_CAUSE_HTTP);
	assert_string_equal(r.message, "HTTP 500 Internal Server Error");

	/* Content beats slowness and the cert. */
	raw.http_status = 200;
	classify(&c, &raw, &r);
	assert_int_equal(r.cause, SW_CAUSE_CONTENT);

	/* Down-slow beats an expiring cert (down beats degraded). */
	raw.text_found = 1;
	classify(&c, &raw, &r);
	assert_int_equal(r.state, SW_STATE_DOWN);
	assert_int_equal(r.cause, SW_CAUSE_SLOW);

	/* An expiring cert beats degraded-slow. */
	raw.total_ms = 3000;
	classify(&c, &raw, &r);
	assert_int_equal(r.state, SW_STATE_DEGRADED);
	assert_int_equal(r.cause, SW_CAUSE_CERT);

	/* An expired cert beats everything but other transport failures. */
	raw.outcome = TRANSPORT_CERT_EXPIRED;
	raw.http_status = 500;
	classify(&c, &raw, &r);
	assert_int_equal(r.state, SW_STATE_DOWN);
	assert_int_equal(r.cause, SW_CAUSE_CERT);
}

static void
test_unknown(void **state)
{
	struct result	r;

	memset(&r, 0xa5, sizeof r);
	result_unknown(&r, "shop-home", "shutting down\n");
	assert_int_equal(r.state, SW_STATE_UNKNOWN);
	assert_int_equal(r.cause, SW_CAUSE_UNKNOWN);
	assert_int_equal(r.up, 0);
	assert_int_equal(r.cert_days_left, -1);
	assert_int_equal(r.http_status, 0);
	assert_true(r.total_ms == 0);
	assert_string_equal(r.name, "shop-home");
	assert_string_equal(r.message, "shutting down\\x0a");
	assert_string_equal(sw_state_name(r.state), "unknown");
	assert_string_equal(sw_cause_name(r.cause), "unknown");
}

static void
test_long_text_bounded(void **state)
{
	struct check_conf	c;
	struct probe_raw	raw;
	struct result		r;
	char			big[4096];

	conf_init(&c);
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	c.expect_text = big;
	raw_init(&raw);
	memset(raw.reason, 'y', sizeof raw.reason - 1);
	raw.reason[sizeof raw.reason - 1] = '\0';
	classify(&c, &raw, &r);
	assert_int_equal(r.cause, SW_CAUSE_CONTENT);
	assert_true(strlen(r.message) < sizeof r.message);
	raw.http_status = 500;
	classify(&c, &raw, &r);
	assert_true(strlen(r.message) < sizeof r.message);
	assert_true(strncmp(r.message, "HTTP 500 yyy", 12) == 0);
}

/*
 * The plain up message is what classify writes for an up result with the
 * standard reason phrase (or none), at each precision; a server's own
 * phrase differs, so the incident engine keeps that one as a copy.
 */
static void
test_up_message_made_again(void **state)
{
	static const double	ms[] = { 0.04, 1.8, 9.94, 9.96, 12.5, 123,
				    65432.1 };
	static const long	codes[] = { 200, 204, 301, 299 };
	struct check_conf	c;
	struct probe_raw	raw;
	struct result		r;
	struct check_status	st;
	char			up[CHECK_STATUS_UP_MAX];
	size_t			i, j;

	(void)state;
	conf_init(&c);
	c.slow_ms = c.down_ms = 0;
	for (i = 0; i < sizeof codes / sizeof codes[0]; i++)
		for (j = 0; j < sizeof ms / sizeof ms[0]; j++) {
			raw_init(&raw);
			raw.reason[0] = '\0';
			raw.http_status = codes[i];
			raw.total_ms = ms[j];
			classify(&c, &raw, &r);
			assert_int_equal(r.state, SW_STATE_UP);
			assert_string_equal(r.message, result_up_message(up,
			    sizeof up, codes[i], ms[j]));
		}
	raw_init(&raw);
	raw.total_ms = 1.8;
	classify(&c, &raw, &r);
	assert_string_equal(r.message, "HTTP 200 OK in 1.8 ms");
	memset(&st, 0, sizeof st);
	st.http_status = 200;
	st.last_total_ms = 1.8;
	assert_string_equal(check_status_message(&st, up, sizeof up),
	    "HTTP 200 OK in 1.8 ms");
	st.message = "kept";
	assert_string_equal(check_status_message(&st, up, sizeof up), "kept");
	snprintf(raw.reason, sizeof raw.reason, "Fine");
	classify(&c, &raw, &r);
	assert_string_equal(r.message, "HTTP 200 Fine in 1.8 ms");
	assert_string_not_equal(r.message, result_up_message(up, sizeof up,
	    200, 1.8));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_up_ok),
		cmocka_unit_test(test_body_limit_is_not_an_error),
		cmocka_unit_test(test_transport_causes),
		cmocka_unit_test(test_http_status),
		cmocka_unit_test(test_http_status_list),
		cmocka_unit_test(test_reason_is_escaped),
		cmocka_unit_test(test_detail_is_escaped),
		cmocka_unit_test(test_content),
		cmocka_unit_test(test_slow_boundaries),
		cmocka_unit_test(test_cert_warning),
		cmocka_unit_test(test_cert_expired),
		cmocka_unit_test(test_severity_order),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_long_text_bounded),
		cmocka_unit_test(test_up_message_made_again),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
