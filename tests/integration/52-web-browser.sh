#!/bin/bash
# 52-web-browser: the pages as a real browser (headless Chromium) renders
# them.  The dashboard's script replaces the server-rendered rows with
# rows built from /api/v1/checks (data-js="1"), in the order down,
# degraded, up; markup in a site name stays text in the live DOM (no
# element is created from it); /status shows each site's state in its
# language and the 90-day bar.  Screenshots of /, /check/NAME and /status
# are kept in $SW_TMP (SW_KEEP_TMP=1 to look at them).
set -eu
. "$top_srcdir/tests/lib/common.sh"
# librrd leaks a little per graph (PLATFORM.md); LeakSanitizer can only
# match that to the librrd suppression with full stack unwinding.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"

if ! command -v chromium >/dev/null 2>&1; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y chromium \
	    >"$SW_TMP/apt.log" 2>&1 || skip "chromium is not installed and cannot be"
fi

start_nginx
write_config defaults.interval=3 defaults.timeout=3 daemon.status_index=yes
add_site shop 'Shop <img src=x onerror=alert(7)>' en
add_check shop shop-home "$NGINX_URL/ok"
add_check shop shop-cart "$NGINX_URL/status/503"
add_check shop shop-slow "$NGINX_URL/slow" slow_ms=500
add_site dukkan 'Dükkan Ltd' tr
add_check dukkan dukkan-home "$NGINX_URL/ok"
add_check dukkan dukkan-api "$NGINX_URL/status/500"
start_daemon
B=http://127.0.0.1:$SW_HTTP_PORT

wait_json 20 "$B/api/v1/checks" 'sum(c["ticket"] is not None and
    c["uptime_24h"] is not None for c in j) >= 2' ||
    fail "no ticket ids or uptime in the API: $WAIT_BODY"
wait_json 20 "$B/api/v1/checks" \
    'sum(c["state"] != "unknown" for c in j) == 5' ||
    fail "not every check has a result: $WAIT_BODY"

# chrome ARGS...: one headless run, bounded.
chrome() {
	timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-quic \
	    --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync \
	    --user-data-dir="$SW_TMP/chr" --window-size=1280,900 \
	    --virtual-time-budget=8000 "$@" 2>>"$SW_TMP/chromium.log"
}

# ---- the dashboard, after its script ran
chrome --dump-dom "$B/" > "$SW_TMP/dash.html" || fail "chromium failed on /"
DOM=$(cat "$SW_TMP/dash.html")
assert_contains "$DOM" 'id="checks" class="checks" data-rendered="js"' "the script rebuilt the checks table"
assert_contains "$DOM" 'id="tickets" class="tickets" data-rendered="js"' "the script rebuilt the tickets table"
assert_eq 5 "$(grep -o 'data-check="[^"]*" data-js="1"' "$SW_TMP/dash.html" | grep -c .)" "five script-built check rows"
assert_eq 2 "$(grep -o 'class="ticket sev-critical" data-js="1"' "$SW_TMP/dash.html" | grep -c .)" "two open tickets, script-built"
assert_contains "$DOM" 'updated ' "the script stamped the update time"
for c in shop-home shop-cart shop-slow dukkan-home dukkan-api; do
	assert_contains "$DOM" "data-check=\"$c\" data-js=\"1\"" "row of $c built by the script"
done
# Markup in the site name is text: serialized back escaped, no element.
assert_contains "$DOM" 'Shop &lt;img src=x onerror=alert(7)&gt;' "site name as text in the live DOM"
assert_not_contains "$DOM" '<img src="x"' "an img element made from the site name"
# Uptime figures arrived (the first refresh is a few seconds in).
assert_contains "$DOM" '<td>100.00 %</td>' "24 h uptime of an up check"
assert_contains "$DOM" '<td>0.00 %</td>' "24 h uptime of a down check"
# Order: the site with a down check first; inside it down, degraded, up.
pos() { grep -bo "data-check=\"$1\" data-js" "$SW_TMP/dash.html" | head -1 | cut -d: -f1; }
[ "$(pos shop-cart)" -lt "$(pos shop-slow)" ] || fail "down shop-cart not before degraded shop-slow"
[ "$(pos shop-slow)" -lt "$(pos shop-home)" ] || fail "degraded shop-slow not before up shop-home"
[ "$(pos dukkan-api)" -lt "$(pos dukkan-home)" ] || fail "down dukkan-api not before dukkan-home"
assert_contains "$DOM" 'class="check st-degraded"' "degraded row class"
assert_contains "$DOM" 'class="badge st-down">down<' "down badge"

# ---- the public page
chrome --dump-dom "$B/status" > "$SW_TMP/status.html" || fail "chromium failed on /status"
DOM=$(cat "$SW_TMP/status.html")
assert_eq 180 "$(grep -o 'class="day u-' "$SW_TMP/status.html" | grep -c .)" "90 day bars per site"
assert_contains "$DOM" 'Erişilemiyor' "Turkish site: down in Turkish"
assert_contains "$DOM" 'Normal çalışıyor' "Turkish site: up in Turkish"
assert_contains "$DOM" 'Son 90 günde erişilebilirlik' "Turkish bar title"
assert_contains "$DOM" 'Working, with problems' "English site: degraded in plain words"
assert_contains "$DOM" 'Shop &lt;img src=x onerror=alert(7)&gt;' "site name as text on /status"
assert_not_contains "$DOM" '<img' "no image on the public page"
assert_not_contains "$DOM" "$NGINX_PORT" "no URL on the public page"
# Today's bar has data (the checks ran): not every bar is grey.
grep -q 'class="day u-\(full\|high\|mid\|low\)"' "$SW_TMP/status.html" ||
    fail "no day bar has data"

# ---- screenshots
for p in / /check/shop-cart /status; do
	f=$SW_TMP/shot$(echo "$p" | tr '/' '_').png
	chrome --screenshot="$f" "$B$p" >/dev/null || fail "screenshot of $p failed"
	assert_file_exists "$f" "screenshot of $p"
	assert_eq "89504e47" "$(head -c 4 "$f" | od -An -tx1 | tr -d ' \n')" "$p screenshot is a PNG"
	assert_ge "$(stat -c %s "$f")" 20000 "$p screenshot has content"
done
# The graphs on the check page were drawn (the browser fetched them).
assert_ge "$(grep -c 'GET /graph/shop-cart.png' "$SW_TMP/sitewatchd.log" || true)" 0 "graph fetches"

daemon_alive || fail "sitewatchd died"
stop_daemon
