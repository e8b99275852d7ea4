/*
 * test_hook.c -- the body each channel type gets (hook_format.c): the
 * fields each service requires, no secret in any body, PagerDuty one
 * event per ticket (trigger / resolve, dedup_key = ticket), long texts
 * cut on a character boundary, and hostile text kept valid JSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "config.h"
#include "hook.h"
#include "xmalloc.h"

static struct hook_check checks[2] = {
	{ "shop-home", "Shop Ltd", "https://shop.example/", "down", "http",
	  "HTTP 503 \"Service\" <b>\x01", 12, -1 },
	{ "shop-api", "Shop Ltd", "https://api.shop.example/", "down",
	  "timeout", "no answer in 10 s", 13, -1 },
};

static struct notify_conf
conf(int type)
{
	struct notify_conf	nc;

	memset(&nc, 0, sizeof nc);
	nc.name = (char *)"ops";
	nc.type = type;
	nc.url = (char *)"https://hooks.example.com/x";
	nc.secret = (char *)"SECRET-hmac";
	nc.token = (char *)"SECRET-token";
	nc.chat = (char *)"-100123";
	nc.events = NOTIFY_EV_ALL;
	return nc;
}

static struct hook_msg
msg(const char *event, size_t n)
{
	struct hook_msg	m;

	memset(&m, 0, sizeof m);
	m.event = event;
	m.at = 1764892800;		/* 2025-12-05T00:00:00Z */
	m.title = "DOWN: shop-home (Shop Ltd) #12";
	m.text = "shop-home (Shop Ltd) is not reachable\n  URL: ...";
	m.checks = checks;
	m.nchecks = n;
	return m;
}

/* The one body of type for m, parsed; secrets never in it. */
static json_t *
one_body(int type, const struct hook_msg *m)
{
	struct notify_conf	 nc = conf(type);
	char			**v;
	json_t			*j;
	size_t			 n;

	n = hook_bodies(&nc, m, &v);
	assert_int_equal(n, 1);
	assert_null(strstr(v[0], "SECRET"));
	j = json_loads(v[0], 0, NULL);
	assert_non_null(j);
	free(v[0]);
	free(v);
	return j;
}

static void
test_webhook(void **state)
{
	struct hook_msg	 m = msg("down", 2);
	json_t		*j, *c;

	(void)state;
	j = one_body(NOTIFY_WEBHOOK, &m);
	assert_string_equal(json_string_value(json_object_get(j, "event")),
	    "down");
	assert_string_equal(json_string_value(json_object_get(j, "at")),
	    "2025-12-05T00:00:00Z");
	assert_int_equal(json_array_size(json_object_get(j, "checks")), 2);
	c = json_array_get(json_object_get(j, "checks"), 0);
	assert_string_equal(json_string_value(json_object_get(c, "name")),
	    "shop-home");
	assert_string_equal(json_string_value(json_object_get(c, "message")),
	    checks[0].message);
	assert_int_equal(json_integer_value(json_object_get(c, "ticket")),
	    12);
	assert_true(json_is_null(json_object_get(c, "downtime_s")));
	json_decref(j);
}

static void
test_chat_types(void **state)
{
	struct hook_msg	 m = msg("down", 1);
	json_t		*j, *card;

	(void)state;
	m.text = "the site says <!channel> & <@U1>";
	j = one_body(NOTIFY_SLACK, &m);
	assert_non_null(strstr(json_string_value(json_object_get(j, "text")),
	    "DOWN: shop-home"));
	/* A site's words cannot mention anyone. */
	assert_null(strstr(json_string_value(json_object_get(j, "text")),
	    "<!channel>"));
	assert_non_null(strstr(json_string_value(json_object_get(j, "text")),
	    "&lt;!channel&gt; &amp; &lt;@U1&gt;"));
	m = msg("down", 1);
	assert_int_equal(json_array_size(json_object_get(j, "blocks")), 2);
	json_decref(j);

	j = one_body(NOTIFY_TEAMS, &m);
	assert_string_equal(json_string_value(json_object_get(j, "type")),
	    "message");
	card = json_object_get(json_array_get(json_object_get(j,
	    "attachments"), 0), "content");
	assert_string_equal(json_string_value(json_object_get(card, "type")),
	    "AdaptiveCard");
	json_decref(j);

	j = one_body(NOTIFY_TELEGRAM, &m);
	assert_string_equal(json_string_value(json_object_get(j, "chat_id")),
	    "-100123");
	assert_non_null(json_object_get(j, "text"));
	json_decref(j);

	m.text = "the site says @room look";
	j = one_body(NOTIFY_MATRIX, &m);
	assert_string_equal(json_string_value(json_object_get(j, "msgtype")),
	    "m.text");
	assert_null(strstr(json_string_value(json_object_get(j, "body")),
	    "@room"));
	m = msg("down", 1);
	json_decref(j);

	j = one_body(NOTIFY_NTFY, &m);
	assert_string_equal(json_string_value(json_object_get(j,
	    "priority")), "5");
	assert_non_null(strstr(json_string_value(json_object_get(j, "tags")),
	    "rotating_light"));
	json_decref(j);
}

static void
test_pagerduty(void **state)
{
	struct notify_conf	 nc = conf(NOTIFY_PAGERDUTY);
	struct hook_msg		 m = msg("down", 2);
	char			**v;
	json_t			*j;
	size_t			 n, i;

	(void)state;
	n = hook_bodies(&nc, &m, &v);
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++) {
		assert_null(strstr(v[i], "SECRET"));
		j = json_loads(v[i], 0, NULL);
		assert_string_equal(json_string_value(json_object_get(j,
		    "event_action")), "trigger");
		assert_string_equal(json_string_value(json_object_get(j,
		    "dedup_key")), i == 0 ? "12" : "13");
		assert_non_null(json_object_get(json_object_get(j, "payload"),
		    "summary"));
		json_decref(j);
		free(v[i]);
	}
	free(v);
	m = msg("up", 1);
	n = hook_bodies(&nc, &m, &v);
	assert_int_equal(n, 1);
	j = json_loads(v[0], 0, NULL);
	assert_string_equal(json_string_value(json_object_get(j,
	    "event_action")), "resolve");
	assert_null(json_object_get(j, "payload"));
	json_decref(j);
	free(v[0]);
	free(v);
}

/* A long text is cut below the service's limit, on a UTF-8 boundary. */
static void
test_cut(void **state)
{
	struct hook_msg	 m = msg("down", 1);
	struct buf	 b;
	json_t		*j;
	const char	*t;
	size_t		 i;

	(void)state;
	buf_init(&b);
	for (i = 0; i < 3000; i++)
		buf_addstr(&b, "ş");		/* two bytes each */
	m.text = b.data;
	j = one_body(NOTIFY_TELEGRAM, &m);
	t = json_string_value(json_object_get(j, "text"));
	assert_non_null(t);			/* valid UTF-8 */
	assert_true(strlen(t) <= 4096);
	assert_non_null(strstr(t, "[...]"));
	json_decref(j);
	j = one_body(NOTIFY_SLACK, &m);
	t = json_string_value(json_object_get(json_object_get(json_array_get(
	    json_object_get(j, "blocks"), 1), "text"), "text"));
	assert_non_null(t);
	assert_true(strlen(t) <= 3000);
	json_decref(j);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_webhook),
		cmocka_unit_test(test_chat_types),
		cmocka_unit_test(test_pagerduty),
		cmocka_unit_test(test_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
