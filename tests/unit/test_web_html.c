/*
 * test_web_html.c -- the HTML escaper and URL encoder of the web pages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "web_render.h"

/* Escape s and compare with want. */
static void
check_escape(const char *s, const char *want)
{
	struct buf	b;

	buf_init(&b);
	html_escape(&b, s);
	assert_string_equal(b.data != NULL ? b.data : "", want);
	buf_free(&b);
}

static void
test_markup(void **state)
{
	check_escape("<b>x</b>", "&lt;b&gt;x&lt;/b&gt;");
	check_escape("<script>alert(1)</script>",
	    "&lt;script&gt;alert(1)&lt;/script&gt;");
	check_escape("a & b", "a &amp; b");
	check_escape("&amp;", "&amp;amp;");
}

static void
test_attribute_quotes(void **state)
{
	/* Must be safe inside both kinds of attribute quotes. */
	check_escape("\" onmouseover=\"x", "&quot; onmouseover=&quot;x");
	check_escape("' onload='x", "&#39; onload=&#39;x");
}

static void
test_plain_and_empty(void **state)
{
	check_escape("shop-home.example_1", "shop-home.example_1");
	check_escape("", "");
	check_escape(NULL, "");
}

static void
test_control_and_utf8(void **state)
{
	/* Tabs and newlines stay; other control bytes become U+FFFD. */
	check_escape("a\tb\nc", "a\tb\nc");
	check_escape("a\x01" "b\x1b[31m", "a\xef\xbf\xbd" "b\xef\xbf\xbd[31m");
	check_escape("x\x7fy", "x\xef\xbf\xbdy");
	/* Valid UTF-8 passes: Turkish and an emoji. */
	check_escape("Çalışıyor 😀", "Çalışıyor 😀");
	/* Broken sequences cannot swallow the next byte (a '<'). */
	check_escape("\xc3<b>", "\xef\xbf\xbd&lt;b&gt;");
	check_escape("\xe2\x82<", "\xef\xbf\xbd\xef\xbf\xbd&lt;");
	/* Overlong '<' (0xc0 0xbc) and a surrogate are not passed. */
	check_escape("\xc0\xbc", "\xef\xbf\xbd\xef\xbf\xbd");
	check_escape("\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

static void
test_long(void **state)
{
	struct buf	 b;
	char		*s;
	size_t		 i, n = 100000;

	s = malloc(n + 1);
	for (i = 0; i < n; i++)
		s[i] = i % 2 ? '<' : 'a';
	s[n] = '\0';
	buf_init(&b);
	html_escape(&b, s);
	assert_int_equal(b.len, n / 2 + n / 2 * 4);
	assert_null(strchr(b.data, '<'));
	buf_free(&b);
	free(s);
}

static void
test_printf(void **state)
{
	struct buf	b;

	buf_init(&b);
	html_printf(&b, "%s: %d <%s>", "x<y", 5, "z");
	assert_string_equal(b.data, "x&lt;y: 5 &lt;z&gt;");
	buf_free(&b);
}

static void
test_urlencode(void **state)
{
	struct buf	b;

	buf_init(&b);
	html_urlencode(&b, "a b/<\"x\">?&=~._-");
	assert_string_equal(b.data,
	    "a%20b%2F%3C%22x%22%3E%3F%26%3D~._-");
	buf_free(&b);
}

static void
test_classes(void **state)
{
	assert_string_equal(html_uptime_class(100), "u-full");
	assert_string_equal(html_uptime_class(99.5), "u-high");
	assert_string_equal(html_uptime_class(96), "u-mid");
	assert_string_equal(html_uptime_class(10), "u-low");
	assert_string_equal(html_uptime_class(0.0 / 0.0), "u-none");
	assert_string_equal(html_state_class(SW_STATE_DOWN), "st-down");
}

static void
test_duration(void **state)
{
	struct buf	b;

	buf_init(&b);
	html_duration(&b, 42);
	buf_addstr(&b, "|");
	html_duration(&b, 3 * 3600 + 5 * 60);
	buf_addstr(&b, "|");
	html_duration(&b, 2 * 86400 + 3600);
	buf_addstr(&b, "|");
	html_duration(&b, -5);
	assert_string_equal(b.data, "42 s|3 h 5 min|2 d 1 h|0 s");
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_markup),
		cmocka_unit_test(test_attribute_quotes),
		cmocka_unit_test(test_plain_and_empty),
		cmocka_unit_test(test_control_and_utf8),
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_printf),
		cmocka_unit_test(test_urlencode),
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_duration),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
