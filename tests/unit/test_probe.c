/*
 * test_probe.c -- probe and evcurl against a real HTTP server on loopback.
 *
 * The server is libevent's evhttp on its own thread and event_base, so
 * the probes run on the test's loop exactly as in the daemon.  Paths pick
 * the behaviour: /ok, /status503, /big (4 MiB), /needle (the text across
 * a 64 KiB boundary), /hang (never answers).
 *
 * What is checked: exactly one callback per probe whatever ends it
 * (answer, timeout, probe_cancel, cancel from another callback,
 * evcurl_free), thousands of probes at once, the body cap, the phases.
 */
#include <sys/resource.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <event2/thread.h>

#include "config.h"
#include "evcurl.h"
#include "evcurl_test.h"
#include "probe.h"
#include "util.h"

#define BIG_SIZE	(4 * 1024 * 1024)
#define NEEDLE		"Add to cart"
#define NEEDLE_AT	65530

static struct event_base	*srv_base;
static struct evhttp		*srv_http;
static pthread_t		 srv_thread;
static int			 srv_port;
static int			 closed_port;
static char			*big_body;
static unsigned			 many;	/* probes at once */

static struct status_range	default_status[] = { { 200, 399 } };

/* --- the server ------------------------------------------------------- */

static void
srv_reply(struct evhttp_request *req, int code, const char *reason,
    const char *body, size_t len)
{
	struct evbuffer	*b = evbuffer_new();

	evbuffer_add(b, body, len);
	evhttp_send_reply(req, code, reason, b);
	evbuffer_free(b);
}

static void
srv_handle(struct evhttp_request *req, void *arg)
{
	const char	*uri = evhttp_request_get_uri(req);

	if (strcmp(uri, "/ok") == 0)
		srv_reply(req, 200, "OK", "hello sitewatch", 15);
	else if (strcmp(uri, "/status503") == 0)
		srv_reply(req, 503, "Service Unavailable", "down", 4);
	else if (strcmp(uri, "/big") == 0)
		srv_reply(req, 200, "OK", big_body, BIG_SIZE);
	else if (strcmp(uri, "/needle") == 0)
		srv_reply(req, 200, "OK", big_body, 200000);
	else if (strcmp(uri, "/method") == 0) {
		/* "<method> <X-Probe or -> <body length>": what was sent. */
		const char	*xp = evhttp_find_header(
				    evhttp_request_get_input_headers(req),
				    "X-Probe");
		char		 out[128];
		int		 n;

		n = snprintf(out, sizeof out, "%s %s %zu",
		    evhttp_request_get_command(req) == EVHTTP_REQ_POST ?
		    "POST" : evhttp_request_get_command(req) ==
		    EVHTTP_REQ_GET ? "GET" : "OTHER", xp != NULL ? xp : "-",
		    evbuffer_get_length(evhttp_request_get_input_buffer(req)));
		srv_reply(req, 200, "OK", out, (size_t)n);
	} else if (strcmp(uri, "/hang") == 0)
		;	/* never answer; evhttp_free() cleans up */
	else
		srv_reply(req, 404, "Not Found", "", 0);
}

static void *
srv_run(void *arg)
{
	event_base_dispatch(srv_base);
	return NULL;
}

static int
port_of(int fd)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;

	if (getsockname(fd, (struct sockaddr *)&sin, &len) == -1)
		return -1;
	return ntohs(sin.sin_port);
}

static int
srv_start(void **state)
{
	struct sockaddr_in	 sin;
	struct evconnlistener	*l;
	int			 fd;

	big_body = malloc(BIG_SIZE);
	memset(big_body, 'a', BIG_SIZE);
	memcpy(big_body + NEEDLE_AT, NEEDLE, strlen(NEEDLE));

	srv_base = event_base_new();
	srv_http = evhttp_new(srv_base);
	evhttp_set_gencb(srv_http, srv_handle, NULL);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* A deep backlog: thousands of probes connect at once. */
	l = evconnlistener_new_bind(srv_base, NULL, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 4096,
	    (struct sockaddr *)&sin, sizeof sin);
	if (l == NULL)
		return -1;
	evhttp_bind_listener(srv_http, l);
	srv_port = port_of(evconnlistener_get_fd(l));

	/* A port where nothing listens: bind, learn it, close. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1)
		return -1;
	closed_port = port_of(fd);
	close(fd);

	return pthread_create(&srv_thread, NULL, srv_run, NULL) == 0 ? 0 : -1;
}

static int
srv_stop(void **state)
{
	event_base_loopbreak(srv_base);
	pthread_join(srv_thread, NULL);
	evhttp_free(srv_http);
	event_base_free(srv_base);
	free(big_body);
	return 0;
}

/* --- helpers ---------------------------------------------------------- */

struct slot {
	struct probe	*probe;
	int		 calls;
	struct result	 r;
};

struct run {
	struct event_base	*base;
	struct evcurl		*ec;
	struct check_conf	 conf;
	char			 url[128];
	struct slot		*slots;
	unsigned		 n;
	unsigned		 done;
	int			 cancel_next;	/* from a callback */
};

static void
run_init(struct run *t, const char *path, unsigned n)
{
	memset(t, 0, sizeof *t);
	t->base = event_base_new();
	t->ec = evcurl_new(t->base);
	assert_non_null(t->ec);
	snprintf(t->url, sizeof t->url, "http://127.0.0.1:%d%s",
	    srv_port, path);
	t->conf.name = "t";
	t->conf.url = t->url;
	t->conf.interval = 60;
	t->conf.timeout = 10;
	t->conf.method = "GET";
	t->conf.expect_status = default_status;
	t->conf.nexpect_status = 1;
	t->conf.max_body = 1048576;
	t->conf.slow_ms = 5000;
	t->conf.down_ms = 8000;
	t->conf.cert_warn_days = 14;
	t->conf.follow_redirects = 1;
	t->n = n;
	t->slots = calloc(n, sizeof *t->slots);
}

static void
run_free(struct run *t)
{
	if (t->ec != NULL)
		evcurl_free(t->ec);
	event_base_free(t->base);
	free(t->slots);
}

static struct run	*cur;

static void
on_done(const struct result *r, void *arg)
{
	struct slot	*s = arg;
	size_t		 i = (size_t)(s - cur->slots);

	s->calls++;
	s->r = *r;
	s->probe = NULL;
	cur->done++;
	/* Cancelling a running neighbour from inside a callback. */
	if (cur->cancel_next && i % 2 == 0 && i + 1 < cur->n &&
	    cur->slots[i + 1].probe != NULL)
		probe_cancel(cur->slots[i + 1].probe, "cancelled");
	if (cur->done == cur->n)
		event_base_loopbreak(cur->base);
}

static void
run_start(struct run *t)
{
	unsigned	i;

	cur = t;
	for (i = 0; i < t->n; i++)
		t->slots[i].probe = probe_start(t->ec, &t->conf, on_done,
		    &t->slots[i]);
}

/* Run the loop until every probe is done, at most limit_s seconds. */
static void
run_loop(struct run *t, int limit_s)
{
	struct timeval	tv = { limit_s, 0 };

	if (t->done < t->n) {
		event_base_loopexit(t->base, &tv);
		event_base_dispatch(t->base);
	}
}

static void
assert_one_call_each(struct run *t)
{
	unsigned	i;

	for (i = 0; i < t->n; i++)
		assert_int_equal(t->slots[i].calls, 1);
	assert_int_equal(t->done, t->n);
}

/*
 * Start every probe and run them to the end (10 s at most), each called
 * back once; the first one's result.
 */
static struct result *
run_all(struct run *t)
{
	run_start(t);
	run_loop(t, 10);
	assert_one_call_each(t);
	return &t->slots[0].r;
}

static void
assert_phases_sane(const struct result *r)
{
	assert_true(r->dns_ms >= 0 && r->connect_ms >= 0 && r->tls_ms >= 0 &&
	    r->ttfb_ms >= 0);
	assert_true(r->dns_ms + r->connect_ms + r->tls_ms + r->ttfb_ms <=
	    r->total_ms + 1e-6);
}

/* --- tests ------------------------------------------------------------ */

static void
test_ok(void **state)
{
	struct run	t;
	struct result	*r;

	run_init(&t, "/ok", 1);
	r = run_all(&t);
	assert_int_equal(r->state, SW_STATE_UP);
	assert_int_equal(r->cause, SW_CAUSE_OK);
	assert_int_equal(r->http_status, 200);
	assert_int_equal(r->bytes, 15);
	assert_int_equal(r->cert_days_left, -1);
	assert_true(r->tls_ms == 0);
	assert_true(r->total_ms > 0);
	assert_string_equal(r->name, "t");
	assert_true(r->at > 1e9);
	assert_phases_sane(r);
	assert_int_equal(evcurl_running(t.ec), 0);
	run_free(&t);
}

static void
test_many_at_once(void **state)
{
	struct run	t;
	unsigned	i;

	print_message("%u probes at once\n", many);
	run_init(&t, "/ok", many);
	/*
	 * This is about one callback each, not speed: on a loaded machine
	 * under ASan, 2000 transfers sharing one thread with their server
	 * may take longer than slow_ms.
	 */
	t.conf.slow_ms = 0;
	t.conf.down_ms = 0;
	t.conf.timeout = 25;
	run_start(&t);
	assert_int_equal(evcurl_running(t.ec), many);
	run_loop(&t, 30);
	assert_one_call_each(&t);
	for (i = 0; i < t.n; i++) {
		assert_int_equal(t.slots[i].r.state, SW_STATE_UP);
		assert_phases_sane(&t.slots[i].r);
	}
	assert_int_equal(evcurl_running(t.ec), 0);
	run_free(&t);
}

static void
test_http_status(void **state)
{
	struct run	t;

	run_init(&t, "/status503", 1);
	run_all(&t);
	assert_int_equal(t.slots[0].r.state, SW_STATE_DOWN);
	assert_int_equal(t.slots[0].r.cause, SW_CAUSE_HTTP);
	assert_string_equal(t.slots[0].r.message,
	    "HTTP 503 Service Unavailable");
	run_free(&t);
}

static void
test_body_cap(void **state)
{
	struct run	t;

	run_init(&t, "/big", 1);
	t.conf.max_body = 65536;
	run_all(&t);
	/* Stopping at the cap is not an error. */
	assert_int_equal(t.slots[0].r.state, SW_STATE_UP);
	assert_int_equal(t.slots[0].r.bytes, 65536);
	run_free(&t);
}

static void
test_expect_text(void **state)
{
	struct run	t;

	/* Found across the 64 KiB mark. */
	run_init(&t, "/needle", 1);
	t.conf.expect_text = NEEDLE;
	run_start(&t);
	run_loop(&t, 10);
	assert_int_equal(t.slots[0].r.cause, SW_CAUSE_OK);
	assert_int_equal(t.slots[0].r.bytes, 200000);
	run_free(&t);

	/* Cut by max_body in the middle of the text: not found. */
	run_init(&t, "/needle", 1);
	t.conf.expect_text = NEEDLE;
	t.conf.max_body = NEEDLE_AT + 5;
	run_start(&t);
	run_loop(&t, 10);
	assert_int_equal(t.slots[0].r.state, SW_STATE_DOWN);
	assert_int_equal(t.slots[0].r.cause, SW_CAUSE_CONTENT);
	assert_string_equal(t.slots[0].r.message, "expected text \"" NEEDLE
	    "\" not found in the first 65535 bytes");
	run_free(&t);

	/* Cut right after it: found. */
	run_init(&t, "/needle", 1);
	t.conf.expect_text = NEEDLE;
	t.conf.max_body = NEEDLE_AT + strlen(NEEDLE);
	run_start(&t);
	run_loop(&t, 10);
	assert_int_equal(t.slots[0].r.cause, SW_CAUSE_OK);
	run_free(&t);
}

static void
test_timeout(void **state)
{
	struct run	 t;
	struct result	*r;

	run_init(&t, "/hang", 3);
	t.conf.timeout = 1;
	r = run_all(&t);
	assert_int_equal(r->state, SW_STATE_DOWN);
	assert_int_equal(r->cause, SW_CAUSE_TIMEOUT);
	assert_true(r->total_ms >= 1000 && r->total_ms < 2000);
	/* The server accepted: the wait is for the first byte. */
	assert_true(r->ttfb_ms > 900);
	assert_phases_sane(r);
	run_free(&t);
}

static void
test_connect_refused(void **state)
{
	struct run	t;

	run_init(&t, "/ok", 1);
	snprintf(t.url, sizeof t.url, "http://127.0.0.1:%d/ok", closed_port);
	run_all(&t);
	assert_int_equal(t.slots[0].r.state, SW_STATE_DOWN);
	assert_int_equal(t.slots[0].r.cause, SW_CAUSE_CONNECT);
	assert_int_equal(t.slots[0].r.up, 0);
	run_free(&t);
}

static void
cancel_all(evutil_socket_t fd, short what, void *arg)
{
	struct run	*t = arg;
	unsigned	 i;

	for (i = 0; i < t->n; i++)
		if (t->slots[i].probe != NULL)
			probe_cancel(t->slots[i].probe, "interval timeout");
}

static void
test_cancel(void **state)
{
	struct run	 t;
	struct event	*ev;
	struct timeval	 tv = { 0, 200000 };
	unsigned	 i;

	run_init(&t, "/hang", 100);
	run_start(&t);
	ev = evtimer_new(t.base, cancel_all, &t);
	evtimer_add(ev, &tv);
	run_loop(&t, 10);
	event_free(ev);
	assert_one_call_each(&t);
	for (i = 0; i < t.n; i++) {
		assert_int_equal(t.slots[i].r.state, SW_STATE_UNKNOWN);
		assert_string_equal(t.slots[i].r.message, "interval timeout");
	}
	assert_int_equal(evcurl_running(t.ec), 0);
	run_free(&t);
}

static void
test_cancel_from_callback(void **state)
{
	struct run	t;
	unsigned	i, up = 0, unknown = 0;

	run_init(&t, "/ok", 200);
	t.cancel_next = 1;
	run_all(&t);
	for (i = 0; i < t.n; i++) {
		if (t.slots[i].r.state == SW_STATE_UP)
			up++;
		else if (t.slots[i].r.state == SW_STATE_UNKNOWN)
			unknown++;
	}
	assert_int_equal(up + unknown, t.n);
	assert_true(up >= t.n / 2);
	run_free(&t);
}

static void
test_free_aborts(void **state)
{
	struct run	 t;
	struct timeval	 tv = { 0, 200000 };
	unsigned	 i;

	run_init(&t, "/hang", 50);
	run_start(&t);
	event_base_loopexit(t.base, &tv);
	event_base_dispatch(t.base);
	assert_int_equal(t.done, 0);
	assert_int_equal(evcurl_running(t.ec), 50);
	evcurl_free(t.ec);
	t.ec = NULL;
	assert_one_call_each(&t);
	for (i = 0; i < t.n; i++)
		assert_int_equal(t.slots[i].r.state, SW_STATE_UNKNOWN);
	run_free(&t);
}

/*
 * Easy handles are reset and reused: what one check set (method, body,
 * headers, a short body cap) must not reach the next check on the same
 * handle.  Each run waits for the last, so the second takes the first's
 * handle from the pool.
 */
static void
test_handle_reuse(void **state)
{
	struct run	 t;
	char		*hdrs[] = { "X-Probe: one" };
	const char	*wants[] = { "POST one 4", "GET - 0", "POST one 4",
			    "GET - 0" };
	unsigned	 k;

	run_init(&t, "/method", 1);
	for (k = 0; k < 4; k++) {
		t.done = 0;
		t.slots[0].calls = 0;
		t.conf.expect_text = (char *)wants[k];
		if (k % 2 == 0) {
			t.conf.method = "POST";
			t.conf.body = "data";
			t.conf.headers = hdrs;
			t.conf.nheaders = 1;
		} else {
			t.conf.method = "GET";
			t.conf.body = NULL;
			t.conf.headers = NULL;
			t.conf.nheaders = 0;
		}
		run_all(&t);
		if (t.slots[0].r.state != SW_STATE_UP)
			fail_msg("run %u: %s", k, t.slots[0].r.message);
	}
	run_free(&t);
	/* A cancelled probe's handle goes back to the pool as well. */
	run_init(&t, "/hang", 1);
	run_start(&t);
	probe_cancel(t.slots[0].probe, "cancelled");
	t.conf.url = t.url;
	snprintf(t.url, sizeof t.url, "http://127.0.0.1:%d/ok", srv_port);
	t.done = 0;
	t.slots[0].calls = 0;
	run_all(&t);
	assert_int_equal(t.slots[0].r.state, SW_STATE_UP);
	run_free(&t);
}

static void
test_run_once(void **state)
{
	struct check_conf	c;
	struct result		r;
	char			url[128];

	memset(&c, 0, sizeof c);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/ok", srv_port);
	c.name = "once";
	c.url = url;
	c.timeout = 5;
	c.expect_status = default_status;
	c.nexpect_status = 1;
	c.max_body = 1024;
	c.slow_ms = 5000;
	c.down_ms = 8000;
	assert_int_equal(probe_run_once(&c, &r), 0);
	assert_int_equal(r.state, SW_STATE_UP);
	assert_string_equal(r.name, "once");
	assert_int_equal(r.bytes, 15);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok),
		cmocka_unit_test(test_many_at_once),
		cmocka_unit_test(test_http_status),
		cmocka_unit_test(test_body_cap),
		cmocka_unit_test(test_expect_text),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_connect_refused),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_cancel_from_callback),
		cmocka_unit_test(test_free_aborts),
		cmocka_unit_test(test_handle_reuse),
		cmocka_unit_test(test_run_once),
	};
	struct rlimit	rl;
	int		rc;

	/* Two fds per probe (ours and the server's) plus slack. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max < 8192 ? rl.rlim_max : 8192;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	many = rl.rlim_cur >= 4300 ? 2000 : (unsigned)(rl.rlim_cur - 100) / 2;
	evthread_use_pthreads();
	curl_global_init(CURL_GLOBAL_ALL);
	rc = cmocka_run_group_tests(tests, srv_start, srv_stop);
	curl_global_cleanup();
	libevent_global_shutdown();
	return rc;
}
