/*
 * test_checker_health.c -- which errors are the checker's own (the
 * errno and libcurl tables), and the impaired on/off transitions.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "checker_health.h"

static void
test_errno_table(void **state)
{
	static const struct {
		int		 err;
		enum local_kind	 kind;
	} cases[] = {
		{ EMFILE, LOCAL_DESCRIPTORS },
		{ ENFILE, LOCAL_DESCRIPTORS },
		{ ENOMEM, LOCAL_MEMORY },
		{ ENOBUFS, LOCAL_MEMORY },
		{ EADDRNOTAVAIL, LOCAL_SOCKET },
		{ EAFNOSUPPORT, LOCAL_SOCKET },
		{ EPERM, LOCAL_SOCKET },
		/* What the network or the site answered stays the site's. */
		{ ECONNREFUSED, LOCAL_NONE },
		{ ECONNRESET, LOCAL_NONE },
		{ ENETUNREACH, LOCAL_NONE },
		{ EHOSTUNREACH, LOCAL_NONE },
		{ ETIMEDOUT, LOCAL_NONE },
		{ EPIPE, LOCAL_NONE },
		{ 0, LOCAL_NONE },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (local_errno_kind(cases[i].err) != cases[i].kind)
			print_error("errno %d\n", cases[i].err);
		assert_int_equal(local_errno_kind(cases[i].err),
		    cases[i].kind);
	}
}

static void
test_curl_table(void **state)
{
	(void)state;
	assert_int_equal(local_curl_kind(CURLE_OK, EMFILE, EMFILE, "", 0),
	    LOCAL_NONE);
	/* connect: by the errno, ours first. */
	assert_int_equal(local_curl_kind(CURLE_COULDNT_CONNECT, 0, EMFILE,
	    "Failed to connect", 0), LOCAL_DESCRIPTORS);
	assert_int_equal(local_curl_kind(CURLE_COULDNT_CONNECT, 0, EINVAL,
	    "", 0), LOCAL_SOCKET);
	assert_int_equal(local_curl_kind(CURLE_COULDNT_CONNECT, ENOBUFS, 0,
	    "", 0), LOCAL_MEMORY);
	assert_int_equal(local_curl_kind(CURLE_COULDNT_CONNECT, ECONNREFUSED,
	    0, "Connection refused", 0), LOCAL_NONE);
	assert_int_equal(local_curl_kind(CURLE_COULDNT_CONNECT, EHOSTUNREACH,
	    0, "", 0), LOCAL_NONE);
	/* bind to [daemon] source */
	assert_int_equal(local_curl_kind(CURLE_INTERFACE_FAILED,
	    EADDRNOTAVAIL, 0, "Couldn't bind", 0), LOCAL_SOURCE);
	assert_int_equal(local_curl_kind(CURLE_INTERFACE_FAILED, EMFILE, 0,
	    "", 0), LOCAL_DESCRIPTORS);
	/* resolver: only libcurl's "thread failed to start" */
	assert_int_equal(local_curl_kind(CURLE_COULDNT_RESOLVE_HOST, 0, 0,
	    "getaddrinfo() thread failed to start", 0), LOCAL_RESOLVER);
	assert_int_equal(local_curl_kind(CURLE_COULDNT_RESOLVE_HOST, EMFILE,
	    0, "Could not resolve host: nowhere.invalid", 0), LOCAL_NONE);
	assert_int_equal(local_curl_kind(CURLE_OUT_OF_MEMORY, 0, 0, "", 0),
	    LOCAL_MEMORY);
	/* a site's header line over libcurl's cap says "out of memory" */
	assert_int_equal(local_curl_kind(CURLE_OUT_OF_MEMORY, 0, 0, "",
	    102400), LOCAL_NONE);
	assert_int_equal(local_curl_kind(CURLE_FAILED_INIT, 0, 0, "", 0),
	    LOCAL_TRANSFER);
	/* mid-transfer: only running out is ours */
	assert_int_equal(local_curl_kind(CURLE_RECV_ERROR, ECONNRESET, 0,
	    "", 0), LOCAL_NONE);
	assert_int_equal(local_curl_kind(CURLE_SEND_ERROR, ENOBUFS, 0, "", 0),
	    LOCAL_MEMORY);
	assert_int_equal(local_curl_kind(CURLE_RECV_ERROR, EPERM, 0, "", 0),
	    LOCAL_NONE);
	/* a stale errno never makes a timeout or TLS failure ours */
	assert_int_equal(local_curl_kind(CURLE_OPERATION_TIMEDOUT, EMFILE, 0,
	    "", 0), LOCAL_NONE);
	assert_int_equal(local_curl_kind(CURLE_SSL_CONNECT_ERROR, ENOMEM, 0,
	    "", 0), LOCAL_NONE);
}

static int	calls, last_on;

static void
on_change(int on, enum local_kind kind, const char *msg, void *arg)
{
	(void)kind;
	(void)msg;
	(void)arg;
	calls++;
	last_on = on;
}

static void
test_transitions(void **state)
{
	struct checker_health	*h = checker_health_new();

	(void)state;
	calls = 0;
	checker_health_set_cb(h, on_change, NULL);
	checker_health_measured(h, 1000);
	assert_int_equal(calls, 0);
	checker_health_local(h, LOCAL_DESCRIPTORS, "x", 2000);
	checker_health_local(h, LOCAL_DESCRIPTORS, "x", 2100);
	checker_health_local(h, LOCAL_MEMORY, "x", 2200);
	assert_int_equal(calls, 1);
	assert_int_equal(last_on, 1);
	assert_true(checker_health_impaired(h));
	assert_int_equal(checker_health_failures(h, LOCAL_DESCRIPTORS), 2);
	assert_int_equal(checker_health_failures(h, LOCAL_MEMORY), 1);
	/* Measured again, but too soon after the last local failure. */
	checker_health_measured(h, 5000);
	assert_int_equal(calls, 1);
	checker_health_measured(h, 2200 + 30000);
	assert_int_equal(calls, 2);
	assert_int_equal(last_on, 0);
	assert_false(checker_health_impaired(h));
	checker_health_measured(h, 90000);
	assert_int_equal(calls, 2);
	checker_health_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errno_table),
		cmocka_unit_test(test_curl_table),
		cmocka_unit_test(test_transitions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
