/*
 * test_web_login.c -- the parts of staff logins that need no server:
 * yescrypt hashes (passwd.c), the accounts in the store (a temporary
 * SQLite file), form bodies as browsers send them, the paths a form may
 * come back to, and the login and action forms' markup with hostile
 * values in it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "passwd.h"
#include "store.h"
#include "web_auth.h"
#include "web_forms.h"
#include "xmalloc.h"

static void
test_passwd(void **state)
{
	char	h[PASSWD_HASH_MAX], h2[PASSWD_HASH_MAX];

	assert_int_equal(passwd_hash("correct horse", h, sizeof h), 0);
	assert_memory_equal(h, "$y$", 3);
	assert_null(strstr(h, "correct horse"));
	assert_int_equal(passwd_check("correct horse", h), 1);
	assert_int_equal(passwd_check("correct hors", h), 0);
	assert_int_equal(passwd_check("", h), 0);
	/* No account: no, after the same work. */
	assert_int_equal(passwd_check("correct horse", NULL), 0);
	/* A fresh salt each time. */
	assert_int_equal(passwd_hash("correct horse", h2, sizeof h2), 0);
	assert_string_not_equal(h, h2);
	/* Too little room is a failure, not a cut hash. */
	assert_int_equal(passwd_hash("x", h2, 10), -1);
}

static void
test_store_users(void **state)
{
	char			 dir[] = "/tmp/sw-test-users.XXXXXX", err[256];
	char			 path[256];
	struct store		*db;
	struct store_user	 u, *v = NULL;
	size_t			 n = 0;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/sitewatch.db", dir);
	db = store_open(path, 0, err, sizeof err);
	assert_non_null(db);
	assert_int_equal(store_user_add(db, "alice", "staff", "$y$x", 10),
	    STORE_OK);
	assert_int_equal(store_user_add(db, "alice", "viewer", "$y$y", 11),
	    STORE_CONFLICT);
	assert_int_equal(store_user_add(db, "bad name", "staff", "$y$x", 1),
	    STORE_INVALID);
	assert_int_equal(store_user_add(db, "bob", "admin", "$y$x", 1),
	    STORE_INVALID);
	assert_int_equal(store_user_add(db, "bob", "viewer", "plain", 1),
	    STORE_INVALID);
	assert_int_equal(store_user_add(db, "bob@x.example", "viewer",
	    "$y$z", 12), STORE_OK);
	assert_int_equal(store_user_get(db, "alice", &u), STORE_OK);
	assert_string_equal(u.role, "staff");
	assert_string_equal(u.hash, "$y$x");
	assert_int_equal(u.created_at, 10);
	free(u.hash);
	assert_int_equal(store_user_get(db, "carol", &u), STORE_NOTFOUND);
	assert_int_equal(store_users(db, &v, &n), STORE_OK);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].name, "alice");
	assert_string_equal(v[1].name, "bob@x.example");
	assert_null(v[1].hash);
	free(v);
	assert_int_equal(store_user_del(db, "alice"), STORE_OK);
	assert_int_equal(store_user_del(db, "alice"), STORE_NOTFOUND);
	store_close(db);
	unlink(path);
	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

/* The decoded value of key in body, or "(null)". */
static void
check_form(const char *body, const char *key, const char *want)
{
	char	*v = web_form_get(body, strlen(body), key);

	assert_string_equal(v != NULL ? v : "(null)", want);
	free(v);
}

static void
test_form(void **state)
{
	const char	*b = "name=alice&password=a+b%26c%3D&next=%2Fcheck%2Fx"
	    "&empty=&bare&bad=%zz%4";

	check_form(b, "name", "alice");
	check_form(b, "password", "a b&c=");
	check_form(b, "next", "/check/x");
	check_form(b, "empty", "");
	check_form(b, "bare", "");
	check_form(b, "bad", "%zz%4");
	check_form(b, "missing", "(null)");
	/* A NUL byte in a value is refused, not cut short. */
	check_form("csrf=ab%00cd", "csrf", "(null)");
	/* The key is decoded too. */
	check_form("a%62c=1", "abc", "1");
}

static void
test_local_path(void **state)
{
	assert_true(web_auth_local_path("/"));
	assert_true(web_auth_local_path("/check/shop-home?x=1"));
	assert_false(web_auth_local_path("//evil.example/"));
	assert_false(web_auth_local_path("/\\evil.example/"));
	assert_false(web_auth_local_path("https://evil.example/"));
	assert_false(web_auth_local_path("/a\r\nSet-Cookie: x=1"));
	assert_false(web_auth_local_path("/a b"));
	assert_false(web_auth_local_path(""));
	assert_false(web_auth_local_path(NULL));
}

static void
test_forms_markup(void **state)
{
	struct buf	b;

	buf_init(&b);
	render_login(&b, "/\"><script>x</script>", "<b>eve</b>",
	    "Wrong <i>name</i>");
	assert_null(strstr(b.data, "<script>"));
	assert_null(strstr(b.data, "<b>eve"));
	assert_null(strstr(b.data, "<i>"));
	assert_non_null(strstr(b.data, "value=\"&lt;b&gt;eve&lt;/b&gt;\""));
	assert_non_null(strstr(b.data, "method=\"post\" action=\"/login\""));
	buf_free(&b);

	buf_init(&b);
	render_ticket_actions(&b, 7, "open", "tok\"en", "/check/a");
	assert_non_null(strstr(b.data, "action=\"/ticket/7/ack\""));
	assert_non_null(strstr(b.data, "action=\"/ticket/7/note\""));
	assert_non_null(strstr(b.data, "action=\"/ticket/7/resolve\""));
	assert_non_null(strstr(b.data,
	    "name=\"csrf\" value=\"tok&quot;en\""));
	assert_non_null(strstr(b.data, "name=\"back\" value=\"/check/a\""));
	buf_free(&b);

	/* Acknowledged: no ack; resolved: a note only. */
	buf_init(&b);
	render_ticket_actions(&b, 8, "acknowledged", "t", "/");
	assert_null(strstr(b.data, "/ticket/8/ack"));
	assert_non_null(strstr(b.data, "/ticket/8/resolve"));
	buf_free(&b);
	buf_init(&b);
	render_ticket_actions(&b, 9, "resolved", "t", "/");
	assert_null(strstr(b.data, "/ticket/9/ack"));
	assert_null(strstr(b.data, "/ticket/9/resolve"));
	assert_non_null(strstr(b.data, "/ticket/9/note"));
	buf_free(&b);

	buf_init(&b);
	render_userbar(&b, "<img src=x>", "staff", "t");
	assert_null(strstr(b.data, "<img"));
	assert_non_null(strstr(b.data, "action=\"/logout\""));
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_passwd),
		cmocka_unit_test(test_store_users),
		cmocka_unit_test(test_form),
		cmocka_unit_test(test_local_path),
		cmocka_unit_test(test_forms_markup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
