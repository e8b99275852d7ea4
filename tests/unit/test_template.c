/*
 * test_template.c -- the mail template renderer, its error messages, the
 * words of each language and the shipped templates.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "notify.h"
#include "sitewatch.h"
#include "template.h"
#include "util.h"
#include "xmalloc.h"

static const char *
srcdir(void)
{
	const char	*s = getenv("top_srcdir");

	return s != NULL ? s : ".";
}

/* The shipped words of lang ("en", "tr"); they load without error. */
static struct words *
shipped_words(const char *lang)
{
	struct words	*w;
	struct errlist	 errs;
	char		*path;

	errlist_init(&errs);
	xasprintf(&path, "%s/templates/mail/%s/words.txt", srcdir(), lang);
	w = words_load(path, &errs);
	free(path);
	if (errs.n > 0)
		fail_msg("%s", errs.lines[0]);
	assert_non_null(w);
	errlist_free(&errs);
	return w;
}

/* Parse text; expect exactly one error line, equal to want. */
static void
expect_error(const char *text, const char *want)
{
	struct errlist	 errs;
	struct tmpl	*t;

	errlist_init(&errs);
	t = tmpl_parse("t.txt", text, &errs);
	assert_null(t);
	if (errs.n != 1)
		fail_msg("%zu errors for %s, first: %s", errs.n, want,
		    errs.n > 0 ? errs.lines[0] : "none");
	assert_string_equal(errs.lines[0], want);
	errlist_free(&errs);
}

/*
 * Render text with d: the subject is want_subject (unless NULL), the
 * body want_body.
 */
static void
expect_render(const char *text, const struct tmpl_data *d,
    const char *want_subject, const char *want_body)
{
	struct errlist	 errs;
	struct tmpl	*t;
	struct buf	 body;
	char		*subject;

	errlist_init(&errs);
	t = tmpl_parse("t.txt", text, &errs);
	if (errs.n > 0)
		fail_msg("%s", errs.lines[0]);
	assert_non_null(t);
	buf_init(&body);
	buf_addstr(&body, "");
	tmpl_render(t, d, &subject, &body);
	if (want_subject != NULL)
		assert_string_equal(subject, want_subject);
	assert_string_equal(body.data, want_body);
	free(subject);
	buf_free(&body);
	tmpl_free(t);
	errlist_free(&errs);
}

static void
test_variables(void **state)
{
	struct tmpl_data	 d;

	memset(&d, 0, sizeof d);
	d.top.v[TV_SITE] = "Shop Ltd";
	d.top.v[TV_CHECK] = "shop-home";
	d.top.v[TV_TICKET] = "#7";
	/* A variable without a value ({{url}}) renders empty. */
	expect_render("Subject: {{site}} down {{ticket}}\n\n"
	    "Hello {{ check }}, {{url}}.\n", &d, "Shop Ltd down #7",
	    "Hello shop-home, .\n");
}

static void
test_sections(void **state)
{
	struct tmpl_item	 items[2];
	struct tmpl_data	 d;
	const char		*text = "Subject: {{#staff}}S:{{/staff}}"
	    "{{^staff}}C:{{/staff}}{{check}}\n"
	    "\n"
	    "Top {{check}}\n"
	    "{{#checks}}\n"
	    "- {{check}} at {{site}}\n"
	    "{{/checks}}\n"
	    "{{#staff}}\n"
	    "secret {{detail}}\n"
	    "{{/staff}}\n"
	    "{{^staff}}\n"
	    "for clients\n"
	    "{{/staff}}\n"
	    "end\n";

	memset(&d, 0, sizeof d);
	memset(items, 0, sizeof items);
	items[0].v[TV_CHECK] = "a";
	items[1].v[TV_CHECK] = "b";
	d.top.v[TV_CHECK] = "a (+1)";
	d.top.v[TV_SITE] = "Shop";
	d.top.v[TV_DETAIL] = "HTTP 503";
	d.items = items;
	d.nitems = 2;
	/* Items fall back to the mail-wide value; tag lines vanish. */
	expect_render(text, &d, "C:a (+1)", "Top a (+1)\n- a at Shop\n"
	    "- b at Shop\nfor clients\nend\n");
	d.staff = 1;
	expect_render(text, &d, "S:a (+1)", "Top a (+1)\n- a at Shop\n"
	    "- b at Shop\nsecret HTTP 503\nend\n");
}

/* A variable as a section: kept only when it has a value. */
static void
test_conditionals(void **state)
{
	struct tmpl_item	 items[2];
	struct tmpl_data	 d;

	memset(&d, 0, sizeof d);
	memset(items, 0, sizeof items);
	items[0].v[TV_CHECK] = "a";
	items[0].v[TV_CAUSE_TEXT] = "slow";
	items[1].v[TV_CHECK] = "b";
	d.items = items;
	d.nitems = 2;
	expect_render("Subject: s\n{{#checks}}\n{{check}}\n{{#cause_text}}\n"
	    "  was {{cause_text}}\n{{/cause_text}}\n{{^cause_text}}\n"
	    "  cause unknown\n{{/cause_text}}\n{{/checks}}\n", &d, NULL,
	    "a\n  was slow\nb\n  cause unknown\n");
}

static void
test_errors(void **state)
{
	expect_error("Subject: x\n\nline two {{site}}\n{{foo}}\n",
	    "t.txt:4: unknown variable {{foo}}");
	expect_error("Subject: x {{sitee}}\n",
	    "t.txt:1: unknown variable {{sitee}}");
	expect_error("Hello {{site}}\n",
	    "t.txt:1: the first line must be \"Subject: ...\"");
	expect_error("", "t.txt:1: the first line must be \"Subject: ...\"");
	expect_error("Subject: x\n\n{{#checks}}\n{{check}}\n",
	    "t.txt:3: {{#checks}} is never closed");
	expect_error("Subject: x\nbody\n{{/staff}}\n",
	    "t.txt:3: {{/staff}} closes no section");
	expect_error("Subject: x\n{{#staff}}\n{{/checks}}\n{{/staff}}\n",
	    "t.txt:3: {{/checks}} does not match {{#staff}} of line 2");
	expect_error("Subject: x\n{{#checks}}{{#checks}}{{/checks}}\n",
	    "t.txt:2: {{#checks}} cannot stand here");
	expect_error("Subject: x\n\n{{#loop}}\n",
	    "t.txt:3: unknown section {{#loop}}");
	expect_error("Subject: x\n\nbroken {{site\n",
	    "t.txt:3: unclosed {{");
	expect_error("Subject: {{#checks}}{{check}}\n",
	    "t.txt:1: {{#checks}} cannot stand in the Subject line");
}

/* Every cause and state has words in both languages, and they differ. */
static void
test_words_every_cause(void **state)
{
	struct words	*en = shipped_words("en"), *tr = shipped_words("tr");
	int		 i;

	for (i = 0; i < SW_CAUSE_COUNT; i++) {
		assert_true(strlen(words_cause(en, i)) > 10);
		assert_true(strlen(words_cause(tr, i)) > 10);
		assert_string_not_equal(words_cause(en, i),
		    words_cause(tr, i));
	}
	for (i = SW_STATE_UNKNOWN; i <= SW_STATE_DOWN; i++)
		assert_string_not_equal(words_state(en, i), words_state(tr, i));
	/* Real Turkish letters, not ASCII stand-ins. */
	assert_non_null(strstr(words_cause(tr, SW_CAUSE_CONNECT), "ı"));
	assert_non_null(strstr(words_cause(tr, SW_CAUSE_CONNECT), "ğ"));
	assert_non_null(strstr(words_cause(tr, SW_CAUSE_CERT), "ü"));
	assert_non_null(strstr(words_state(tr, SW_STATE_DOWN), "ş"));
	words_free(en);
	words_free(tr);
}

static void
test_words_errors(void **state)
{
	struct errlist	 errs;
	char		 path[] = "/tmp/sw-words-XXXXXX";
	FILE		*f;
	int		 fd, i;
	char		*want;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fprintf(f, "# only a few\ncause.ok = fine\ncause.bogus = x\n"
	    "no equals sign\n");
	fclose(f);
	errlist_init(&errs);
	assert_null(words_load(path, &errs));
	xasprintf(&want, "%s:3: unknown key cause.bogus", path);
	assert_string_equal(errs.lines[0], want);
	free(want);
	xasprintf(&want, "%s:4: expected key = text", path);
	assert_string_equal(errs.lines[1], want);
	free(want);
	xasprintf(&want, "%s: missing cause.dns", path);
	assert_string_equal(errs.lines[2], want);
	free(want);
	/* Every other cause is named as missing too. */
	for (i = 0; i < (int)errs.n; i++)
		if (strstr(errs.lines[i], "missing cause.unknown") != NULL)
			break;
	assert_true(i < (int)errs.n);
	unlink(path);
	errlist_free(&errs);
}

static void
test_duration(void **state)
{
	static const struct {
		int		 tr;
		long long	 secs;
		const char	*want;
	} cases[] = {
		{ 0, 3900, "1 h 5 min" },
		{ 1, 3900, "1 sa 5 dk" },
		{ 0, 45, "45 s" },
		{ 1, 90061, "1 g 1 sa" },
		{ 0, 7200, "2 h" },
		{ 0, 125, "2 min 5 s" },
	};
	struct words	*w[2] = { shipped_words("en"), shipped_words("tr") };
	char		*s;
	size_t		 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		s = words_duration(w[cases[i].tr], cases[i].secs);
		assert_string_equal(s, cases[i].want);
		free(s);
	}
	words_free(w[0]);
	words_free(w[1]);
}

/* The shipped templates pass the same check as sitewatchd -t. */
static void
test_shipped_templates(void **state)
{
	struct config	 cfg;
	struct site_conf site, *sites[1];
	struct errlist	 errs;
	char		*dir;

	memset(&cfg, 0, sizeof cfg);
	memset(&site, 0, sizeof site);
	xasprintf(&dir, "%s/templates", srcdir());
	cfg.templates_dir = dir;
	site.name = (char *)"Dükkan";
	site.file = (char *)"checks.d/shop.conf";
	site.language = (char *)"tr";
	sites[0] = &site;
	cfg.sites = sites;
	cfg.nsites = 1;
	errlist_init(&errs);
	if (notify_check_templates(&cfg, &errs) != 0)
		fail_msg("%s", errs.lines[0]);
	assert_int_equal(errs.n, 0);

	/* A site asking for a language we have no templates for. */
	site.language = (char *)"de";
	assert_int_equal(notify_check_templates(&cfg, &errs), -1);
	assert_int_equal(errs.n, 1);
	assert_non_null(strstr(errs.lines[0], "checks.d/shop.conf: site "
	    "Dükkan: no mail templates for language de"));	/* no file */
	errlist_free(&errs);
	free(dir);
}

/* The Turkish client mail reads as Turkish and keeps staff detail out. */
static void
test_render_turkish(void **state)
{
	struct tmpl_item	 items[2];
	struct tmpl_data	 d;
	struct errlist		 errs;
	struct tmpl		*t;
	struct buf		 body;
	char			*path, *subject;

	errlist_init(&errs);
	xasprintf(&path, "%s/templates/mail/tr/down.txt", srcdir());
	t = tmpl_load(path, &errs);
	free(path);
	assert_non_null(t);
	memset(&d, 0, sizeof d);
	memset(items, 0, sizeof items);
	items[0].v[TV_SITE] = "Dükkan";
	items[0].v[TV_URL] = "https://shop.example/";
	items[0].v[TV_CAUSE_TEXT] = "web sunucusu çok geç yanıt verdi";
	items[0].v[TV_TICKET] = "#12";
	items[0].v[TV_DETAIL] = "SECRET-DETAIL";
	items[1] = items[0];
	items[1].v[TV_URL] = "https://shop.example/cart";
	items[1].v[TV_TICKET] = "#13";
	d.top = items[0];
	d.items = items;
	d.nitems = 2;
	buf_init(&body);
	buf_addstr(&body, "");
	tmpl_render(t, &d, &subject, &body);
	assert_string_equal(subject, "Dükkan siteniz şu anda erişilemiyor "
	    "[destek kaydı #12]");
	assert_non_null(strstr(body.data, "https://shop.example/cart"));
	assert_non_null(strstr(body.data, "#13"));
	assert_non_null(strstr(body.data, "Destek ekibimiz"));
	assert_null(strstr(body.data, "SECRET-DETAIL"));
	assert_null(strstr(body.data, "{{"));
	free(subject);
	buf_free(&body);
	tmpl_free(t);
	errlist_free(&errs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_variables),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_conditionals),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_words_every_cause),
		cmocka_unit_test(test_words_errors),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_shipped_templates),
		cmocka_unit_test(test_render_turkish),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
