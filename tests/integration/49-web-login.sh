#!/bin/bash
# 49-web-login: staff accounts and acting from the pages.
# With no account the pages are open as before.  `sitewatch user add`
# (password on stdin, stored as a yescrypt hash) closes them: / sends to
# /login, the API and /metrics want the token or a session, the public
# status page stays open.  A wrong password is refused (401) and after a
# few failures the address gets 429; the right one gives a session cookie
# (HttpOnly, SameSite=Strict).  A POST without the session's CSRF token
# is refused (403) and the ticket stays as it was; a viewer's POST is
# refused (403); staff acknowledge through the dashboard's own form and
# `sitewatch ticket show` shows it.  A removed account's session ends,
# sessions expire.  `sitewatch migrate` takes the accounts to PostgreSQL.  Then headless Chromium logs in through the form and
# acknowledges from the dashboard and adds a note from the check page, with
# screenshots of the login page, the dashboard and the check page at
# desktop and phone widths in tests/integration/49-web-login.dir/.
set -eu
. "$top_srcdir/tests/lib/common.sh"

start_nginx
# Short clocks: sessions idle out after 6 s (at most 300 s), and three
# failed logins shut an address out for 60 s.
export SITEWATCH_SESSION_TTL=6,300 SITEWATCH_LOGIN_LIMIT=3,60
TOKEN=tok-$$-$RANDOM
write_config defaults.interval=1 defaults.timeout=1 "daemon.api_token=$TOKEN"
add_site shop "Shop <b>Ltd</b>" en
add_check shop shop-cart "$NGINX_URL/status/503" retries=2
add_check shop shop-home "$NGINX_URL/ok"
add_check shop shop-api "$NGINX_URL/status/500" retries=2
add_check shop shop-pay "$NGINX_URL/status/502" retries=2
start_daemon
B=http://127.0.0.1:$SW_HTTP_PORT
JAR=$SW_TMP/jar

# call METHOD PATH [curl args]: sets CODE, BODY and HEAD.
call() {
	local m=$1 p=$2
	shift 2
	CODE=$(curl -sS -m 20 -o "$SW_TMP/body" -D "$SW_TMP/head" \
	    -w '%{http_code}' -X "$m" "$@" "$B$p") || CODE=000
	BODY=$(cat "$SW_TMP/body")
	HEAD=$(tr -d '\r' < "$SW_TMP/head")
}
show() {
	sw_run "$SWC" -c "$SW_CONF" ticket show "$1" --json
	assert_eq 0 "$RUN_RC" "sitewatch ticket show $1: $RUN_ERR"
	TICKET=$RUN_OUT
}
# adduser NAME ROLE PASSWORD
adduser() {
	RUN_RC=0
	printf '%s\n' "$3" | "$SWC" -c "$SW_CONF" user add "$1" --role "$2" \
	    --password-stdin >"$SW_TMP/.add.out" 2>&1 || RUN_RC=$?
	assert_eq 0 "$RUN_RC" "user add $1: $(cat "$SW_TMP/.add.out")"
}

wait_json 20 "$B/api/v1/tickets?status=open" 'len(j) == 3' ||
    fail "no three open tickets: $WAIT_BODY"
ID=$(curl -s "$B/api/v1/tickets?status=open" |
    "$SW_PY" -c 'import json,sys; print([t["id"] for t in json.load(sys.stdin) if t["check"] == "shop-cart"][0])')
ID2=$(curl -s "$B/api/v1/tickets?status=open" |
    "$SW_PY" -c 'import json,sys; print([t["id"] for t in json.load(sys.stdin) if t["check"] == "shop-api"][0])')
ID3=$(curl -s "$B/api/v1/tickets?status=open" |
    "$SW_PY" -c 'import json,sys; print([t["id"] for t in json.load(sys.stdin) if t["check"] == "shop-pay"][0])')

# ---- no account: open as today, no forms, form routes refused
sw_run "$SWC" -c "$SW_CONF" users --json
assert_eq 0 "$RUN_RC" "users: $RUN_ERR"
assert_json "$RUN_OUT" 'j == []' "no accounts yet"
call GET /
assert_eq 200 "$CODE" "dashboard without accounts"
assert_not_contains "$BODY" 'action="/ticket/' "forms without accounts"
call GET /metrics
assert_eq 200 "$CODE" "metrics without accounts"
call POST "/ticket/$ID/ack" -d csrf=x
assert_eq 403 "$CODE" "form action without accounts"

# ---- accounts from the CLI; the password only on stdin
sw_run "$SWC" -c "$SW_CONF" user add alice
assert_eq 1 "$RUN_RC" "user add without --password-stdin"
adduser alice staff 'correct horse battery'
adduser victor viewer 'viewer pass 1'
sw_run "$SWC" -c "$SW_CONF" user add alice --password-stdin
assert_eq 1 "$RUN_RC" "empty stdin is refused"
printf 'x\n' | "$SWC" -c "$SW_CONF" user add alice --password-stdin \
    >/dev/null 2>&1 && fail "a second alice was added"
sw_run "$SWC" -c "$SW_CONF" user add 'bad name' --password-stdin
assert_eq 1 "$RUN_RC" "a bad name"
sw_run "$SWC" -c "$SW_CONF" users --json
assert_json "$RUN_OUT" '[(u["name"], u["role"]) for u in j] == [("alice", "staff"), ("victor", "viewer")]' "users --json"
use_db
assert_contains "$(q "SELECT hash FROM users WHERE name = 'alice'")" '$y$' "a yescrypt hash is stored"
assert_not_contains "$(q "SELECT * FROM users")" 'correct horse' "the password itself is stored"

# The daemon sees them within a few seconds: / now sends to /login.
wait_until 10 '[ "$(curl -s -o /dev/null -w "%{http_code}" "$B/")" = 303 ]' ||
    fail "/ does not ask for a login after user add"
call GET '/check/shop-cart?x=1'
assert_eq 303 "$CODE" "check page without a session"
assert_contains "$HEAD" 'Location: /login?next=%2Fcheck%2Fshop-cart%3Fx%3D1' "back to the page after login"
call GET /graph/shop-cart.png
assert_eq 303 "$CODE" "graph without a session"
call GET /api/v1/checks
assert_eq 401 "$CODE" "API read without token or session"
call GET /api/v1/checks -H "Authorization: Bearer $TOKEN"
assert_eq 200 "$CODE" "API read with the token"
call GET /metrics
assert_eq 401 "$CODE" "metrics without token or session"
call GET /status/shop
assert_eq 200 "$CODE" "the public page stays public"
call GET /login
assert_eq 200 "$CODE" "login page"
assert_contains "$BODY" '<form id="login" class="login" method="post" action="/login">' "login form"

# ---- wrong passwords, then 429 (from 127.0.0.2: its own address)
for i in 1 2 3; do
	call POST /login --interface 127.0.0.2 -d name=alice -d password=wrong$i
	assert_eq 401 "$CODE" "wrong password $i"
	assert_contains "$BODY" 'Wrong name or password.' "wrong password message"
	assert_not_contains "$HEAD" 'Set-Cookie' "no cookie for a wrong password"
done
call POST /login --interface 127.0.0.2 -d name=alice \
    --data-urlencode 'password=correct horse battery'
assert_eq 429 "$CODE" "fourth try from the same address"
assert_contains "$HEAD" 'Retry-After:' "429 says when"
# No name gives away whether it exists: an unknown name is the same 401.
call POST /login -d name=nobody -d password=x
assert_eq 401 "$CODE" "unknown name"
assert_not_contains "$(cat "$SW_LOG")" 'correct horse' "a password in the log"
assert_not_contains "$(cat "$SW_LOG")" 'wrong1' "a wrong password in the log"

# ---- the right password: a session cookie
call POST /login -c "$JAR" -d name=alice \
    --data-urlencode 'password=correct horse battery' \
    --data-urlencode 'next=/check/shop-cart'
assert_eq 303 "$CODE" "login"
assert_contains "$HEAD" 'Location: /check/shop-cart' "back to the page asked for"
COOKIE=$(printf '%s\n' "$HEAD" | grep -i '^Set-Cookie: sw_session=') ||
    fail "no session cookie: $HEAD"
assert_contains "$COOKIE" 'HttpOnly' "cookie HttpOnly"
assert_contains "$COOKIE" 'SameSite=Strict' "cookie SameSite=Strict"
assert_not_contains "$COOKIE" 'Secure' "no Secure over plain http"
# The dashboard's ticket list is refreshed every few seconds.
wait_until 15 'call GET / -b "$JAR"; [[ $BODY == *"action=\"/ticket/$ID/ack\""* ]]' ||
    fail "no ack form on the dashboard: $BODY"
assert_eq 200 "$CODE" "dashboard with a session"
assert_contains "$BODY" 'Signed in as <b id="user">alice</b>' "who is signed in"
assert_contains "$BODY" "action=\"/ticket/$ID/ack\"" "ack form on the dashboard"
assert_contains "$BODY" 'Shop &lt;b&gt;Ltd&lt;/b&gt;' "site name escaped"
assert_not_contains "$BODY" 'Shop <b>Ltd' "site name as markup"
CSRF=$(printf '%s' "$BODY" | grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 |
    sed 's/.*value="//; s/"//')
[ ${#CSRF} -eq 64 ] || fail "no CSRF token in the page's forms"
call GET /api/v1/checks -b "$JAR"
assert_eq 200 "$CODE" "API read with a session"
call GET /metrics -b "$JAR"
assert_eq 200 "$CODE" "metrics with a session"
call GET /check/shop-cart -b "$JAR"
assert_eq 200 "$CODE" "check page with a session"
assert_contains "$BODY" "action=\"/ticket/$ID/resolve\"" "resolve form on the check page"
assert_contains "$BODY" 'name="back" value="/check/shop-cart"' "the check page's forms come back to it"

# ---- forged POSTs: no token, a wrong one, no session: 403, nothing changes
show "$ID"
BEFORE=$TICKET
call POST "/ticket/$ID/ack" -b "$JAR" -d back=/
assert_eq 403 "$CODE" "POST without the CSRF token"
call POST "/ticket/$ID/ack" -b "$JAR" -d csrf=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
assert_eq 403 "$CODE" "POST with a wrong CSRF token"
call POST "/ticket/$ID/ack" -d "csrf=$CSRF"
assert_eq 403 "$CODE" "POST with the token but no session"
call POST "/api/v1/tickets/$ID/ack" -b "$JAR" -d '{"by": "mallory"}'
assert_eq 403 "$CODE" "API POST with a session but no CSRF header"
show "$ID"
assert_eq "$BEFORE" "$TICKET" "the ticket after forged POSTs"
assert_json "$TICKET" 'j["status"] == "open"' "still open"

# ---- a viewer reads, sees no forms, and may not act
call POST /login -c "$SW_TMP/vjar" -d name=victor \
    --data-urlencode 'password=viewer pass 1'
assert_eq 303 "$CODE" "viewer login"
call GET / -b "$SW_TMP/vjar"
assert_eq 200 "$CODE" "viewer's dashboard"
assert_not_contains "$BODY" 'action="/ticket/' "forms for a viewer"
VCSRF=$(printf '%s' "$BODY" | grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 |
    sed 's/.*value="//; s/"//')
[ ${#VCSRF} -eq 64 ] || fail "no logout form for the viewer"
call POST "/ticket/$ID/ack" -b "$SW_TMP/vjar" -d "csrf=$VCSRF"
assert_eq 403 "$CODE" "viewer POST"
show "$ID"
assert_json "$TICKET" 'j["status"] == "open"' "still open after the viewer's POST"
call POST /logout -b "$SW_TMP/vjar" -d csrf=wrong
assert_eq 403 "$CODE" "logout without the session's token"
call POST /logout -b "$SW_TMP/vjar" -d "csrf=$VCSRF"
assert_eq 303 "$CODE" "logout"
assert_contains "$HEAD" 'Max-Age=0' "logout clears the cookie"
call GET / -b "$SW_TMP/vjar"
assert_eq 303 "$CODE" "after logout"

# ---- staff: the dashboard's ack form, then a note and resolve from the check page
call POST "/ticket/$ID/ack" -b "$JAR" -d "csrf=$CSRF" -d back=/ -d do=ack
assert_eq 303 "$CODE" "ack through the form: $BODY"
assert_contains "$HEAD" 'Location: /' "back to the dashboard"
show "$ID"
assert_json "$TICKET" 'j["status"] == "acknowledged" and j["acknowledged_by"] == "alice"' "ticket show sees the ack"
call POST "/ticket/$ID/note" -b "$JAR" -d "csrf=$CSRF" \
    --data-urlencode 'text=checked <script>x</script> & the cache' \
    -d back=/check/shop-cart
assert_eq 303 "$CODE" "note through the form"
call POST "/ticket/$ID/ack" -b "$JAR" -d "csrf=$CSRF"
assert_eq 409 "$CODE" "a second ack"
call GET /check/shop-cart -b "$JAR"
assert_contains "$BODY" 'checked &lt;script&gt;x&lt;/script&gt; &amp; the cache' "note escaped on the page"
assert_contains "$BODY" "action=\"/ticket/$ID/update\"" "public update form on the check page"
# A public update from the page: on the timeline as the session's, on
# the site's status page (escaped), where the note is not.
call POST "/ticket/$ID/update" -b "$JAR" -d "csrf=$CSRF" -d back=/check/shop-cart
assert_eq 400 "$CODE" "an update needs its text"
call POST "/ticket/$ID/update" -b "$JAR" -d "csrf=$CSRF" -d back=/check/shop-cart \
    --data-urlencode 'text=The host is moving <b>the shop</b>; about 20 minutes.'
assert_eq 303 "$CODE" "public update through the form: $BODY"
show "$ID"
assert_json "$TICKET" 'any(e["kind"] == "update" and e["by"] == "alice" and e["text"].startswith("The host is moving") for e in j["events"])' \
    "ticket show sees the update"
call GET /status/shop
assert_contains "$BODY" 'The host is moving &lt;b&gt;the shop&lt;/b&gt;; about 20 minutes.' "the update on the status page, escaped"
assert_not_contains "$BODY" 'the cache' "the internal note is not"
call POST "/ticket/$ID2/resolve" -b "$JAR" -d "csrf=$CSRF" -d 'text=fixed+by+hand'
assert_eq 303 "$CODE" "resolve through the form"
show "$ID2"
assert_json "$TICKET" 'j["status"] == "resolved" and any(e["by"] == "alice" and e["text"] == "fixed by hand" for e in j["events"])' "ticket show sees the resolve"
# The API takes a staff session with its CSRF header.
call POST "/api/v1/tickets/$ID/note" -b "$JAR" -H "X-CSRF-Token: $CSRF" \
    -d '{"by": "mallory", "text": "through the API"}'
assert_eq 200 "$CODE" "API note with a session: $BODY"
assert_json "$BODY" 'any(e["by"] == "alice" and e["text"] == "through the API" for e in j["events"])' "a session's API note is under its own name"

# ---- expiry, a removed account
sleep 7
call GET / -b "$JAR"
assert_eq 303 "$CODE" "an idle session expired"
call POST /login -c "$JAR" -d name=alice \
    --data-urlencode 'password=correct horse battery'
assert_eq 303 "$CODE" "login again"
sw_run "$SWC" -c "$SW_CONF" user del alice
assert_eq 0 "$RUN_RC" "user del: $RUN_ERR"
wait_until 10 '[ "$(curl -s -b "$JAR" -o /dev/null -w "%{http_code}" "$B/")" = 303 ]' ||
    fail "the session of a removed account still works"
sw_run "$SWC" -c "$SW_CONF" user del alice
assert_eq 2 "$RUN_RC" "deleting a missing account"
adduser alice staff 'correct horse battery'

# ---- headless Chromium: the form, the dashboard's ack, screenshots
# (once: the PostgreSQL run has shown the store's part above).
if [ "${SW_TEST_DB:-}" = pg ]; then
	stop_daemon
	exit 0
fi
if ! command -v chromium >/dev/null 2>&1; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y chromium \
	    >"$SW_TMP/apt.log" 2>&1 || skip "chromium is not installed and cannot be"
fi
SHOTS=$top_builddir/tests/integration/49-web-login.dir
rm -rf "$SHOTS"
mkdir -p "$SHOTS"
# Sessions of the usual length from here on: the browser takes its time.
stop_daemon
unset SITEWATCH_SESSION_TTL SITEWATCH_LOGIN_LIMIT
start_daemon
show "$ID3"
assert_json "$TICKET" 'j["status"] == "open"' "the browser's ticket is open"

sw_log "chromium: log in, acknowledge #$ID3 from the dashboard"
RUN_RC=0
timeout 150 env PYTHONPATH="$top_srcdir/tests/lib" "$SW_PY" - "$B" "$ID3" \
    "$SHOTS" "$SW_TMP/chr" "$SW_TMP/chromium.log" \
    >"$SW_TMP/browser.out" 2>&1 <<'PY' || RUN_RC=$?
import os, sys
import cdp

base, tid, shots, profile, log = sys.argv[1:6]
ack = 'form.act-ack[action="/ticket/%s/ack"]' % tid

def shoot(b, name):
    for w, h, mobile in ((1280, 900, False), (390, 844, True)):
        b.screenshot(os.path.join(shots, "%s-%d.png" % (name, w)), w, h,
                     mobile)
    b.viewport(1280, 900)

with cdp.Browser(profile, log=log) as b:
    b.viewport(1280, 900)
    b.goto(base + "/")
    b.wait('location.pathname === "/login" && '
           'document.getElementById("l-password") !== null',
           what="/ sends to the login form")
    assert b.eval('new URLSearchParams(location.search).get("next")') == "/"
    shoot(b, "login")
    b.eval('document.getElementById("l-name").value = "alice";'
           'document.getElementById("l-password").value = '
           '"correct horse battery";'
           'document.querySelector("#login button[type=submit]").click()')
    b.wait('location.pathname === "/" && document.getElementById("user") '
           '!== null && document.getElementById("user").textContent === '
           '"alice"', what="logged in on the dashboard")
    # HttpOnly: the page's script cannot read the session.
    assert "sw_session" not in (b.eval("document.cookie") or ""), \
        "the session cookie is readable from script"
    b.wait('document.querySelector(%r) !== null' % ack,
           what="the ack form of ticket %s" % tid)
    # Markup from the config stays text.
    assert b.eval('document.querySelector("#checks-body tr.site th b")') \
        is None, "the site name became markup"
    assert "Shop <b>Ltd</b>" in b.eval(
        'document.querySelector("#checks-body tr.site th").textContent')
    shoot(b, "dashboard")
    b.eval('document.querySelector(%r + " button").click()' % ack)
    b.wait('location.pathname === "/" && document.readyState === '
           '"complete" && document.querySelector(%r) === null && '
           '[...document.querySelectorAll("#tickets-body tr")].some('
           'r => r.textContent.includes("acknowledged by alice"))' % ack,
           timeout=20, what="the dashboard shows the ack")
    shoot(b, "dashboard-acked")
    # The check page's own forms: a note, from the browser.
    b.goto(base + "/check/shop-pay")
    b.wait('document.querySelector("form.act-note input[name=text]") '
           '!== null', what="the check page's note form")
    b.eval('document.querySelector("form.act-note input[name=text]").value'
           ' = "<i>noted</i> in the browser";'
           'document.querySelector("form.act-note button").click()')
    b.wait('location.pathname === "/check/shop-pay" && [...document.'
           'querySelectorAll(".timeline li")].some(l => l.textContent.'
           'includes("<i>noted</i> in the browser"))',
           what="the note on the check page's timeline")
    assert b.eval('document.querySelector(".timeline i")') is None, \
        "the note became markup"
    shoot(b, "check")
print("browser: ok")
PY
cat "$SW_TMP/browser.out" >> "$SW_TMP/commands.log"
assert_eq 0 "$RUN_RC" "the browser part: $(tail -5 "$SW_TMP/browser.out")"
show "$ID3"
assert_json "$TICKET" 'j["status"] == "acknowledged" and j["acknowledged_by"] == "alice"' "ticket show sees the browser's ack"
assert_json "$TICKET" 'any(e["kind"] == "note" and e["by"] == "alice" and e["text"] == "<i>noted</i> in the browser" for e in j["events"])' "ticket show sees the browser's note"
for f in login-1280 login-390 dashboard-1280 dashboard-390 dashboard-acked-390 \
    check-1280 check-390; do
	assert_eq "89504e47" "$(head -c 4 "$SHOTS/$f.png" | od -An -tx1 | tr -d ' \n')" "$f is a PNG"
	assert_ge "$(stat -c %s "$SHOTS/$f.png")" 8000 "$f has content"
done

daemon_alive || fail "sitewatchd died"
stop_daemon

# ---- sitewatch migrate takes the accounts along: on PostgreSQL the
# pages stay closed and the same passwords open them.
start_postgres
sw_run "$SWC" -c "$SW_CONF" migrate --to "$PG_URI"
assert_eq 0 "$RUN_RC" "migrate: $RUN_ERR"
assert_contains "$RUN_OUT" "copied 2 staff accounts" "migrate copies the accounts"
write_config defaults.interval=1 defaults.timeout=1 "daemon.api_token=$TOKEN" \
    "daemon.database=$PG_URI"
start_daemon
wait_until 20 'call GET /; [ "$CODE" = 303 ]' ||
    fail "the pages on PostgreSQL do not ask for a login (HTTP $CODE)"
call POST /login -d name=alice --data-urlencode 'password=correct horse battery'
assert_eq 303 "$CODE" "alice's password works after the migration"
call POST /login -d name=victor --data-urlencode 'password=viewer pass 1'
assert_eq 303 "$CODE" "victor's password works after the migration"
stop_daemon
