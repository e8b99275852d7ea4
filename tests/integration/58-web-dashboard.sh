#!/bin/bash
# 58-web-dashboard: the staff dashboard in headless Chromium.  Each check
# has a heartbeat bar of its last 50 results (kept 8 bytes a result,
# sent compact, drawn by app.js): one mark per result coloured by state,
# its tooltip the time in UTC, state, cause and total; the filters by
# state, site and text hide the other rows (?state=, ?site=, ?q= set
# them); with a ticket open the "No open tickets" line is hidden and the
# table shown; a TLS check shows its certificate's days left; the update
# stamp is in UTC.  Screenshots at desktop and
# phone width are kept in tests/integration/58-web-dashboard.dir/.
set -eu
. "$top_srcdir/tests/lib/common.sh"

if ! command -v chromium >/dev/null 2>&1; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y chromium \
	    >"$SW_TMP/apt.log" 2>&1 || skip "chromium is not installed and cannot be"
fi
SHOTS=$top_builddir/tests/integration/58-web-dashboard.dir
rm -rf "$SHOTS"
mkdir -p "$SHOTS"

start_nginx
write_config defaults.interval=1 defaults.timeout=1
add_site shop 'Shop Ltd' en
add_check shop shop-home "$NGINX_URL/ok"
add_check shop shop-cart "$NGINX_URL/status/503"
add_check shop shop-tls "$NGINX_TLS_URL/ok" "ca_file=$TEST_CA"
add_site dukkan 'Dükkan Ltd' tr
add_check dukkan dukkan-home "$NGINX_URL/ok"
start_daemon
B=http://127.0.0.1:$SW_HTTP_PORT

wait_json 20 "$B/api/v1/tickets?status=open" 'len(j) == 1' ||
    fail "no ticket for shop-cart: $WAIT_BODY"
# Six results each, then the bars have something to show.
sleep 6

# ---- the server's compact bar: "DT S C MS" a result
http_req GET "$B/"
assert_eq 200 "$HTTP_STATUS" "dashboard"
hb() { printf '%s' "$HTTP_BODY" | grep -o "data-check=\"$1\".*" | head -1 |
    grep -o 'data-hb="[^"]*"' | head -1; }
cart=$(hb shop-cart)
home=$(hb shop-home)
assert_ge "$(printf '%s' "$cart" | wc -w)" 6 "shop-cart: at least six results in its bar"
printf '%s' "$cart" | grep -Eq ' [0-9]+d5[0-9]+' || fail "no down/http result in $cart"
printf '%s' "$home" | grep -Eq ' [0-9]+u0[0-9]+' || fail "no up/ok result in $home"
assert_not_contains "$home" "d5" "an up check has no down result"

chrome() {
	timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-quic \
	    --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync --hide-scrollbars \
	    --user-data-dir="$SW_TMP/chr" --virtual-time-budget=6000 "$@" \
	    2>>"$SW_TMP/chromium.log"
}
# row FILE CHECK: the serialized <tr> of a check's row.
row() { grep -o "<tr [^>]*data-check=\"$2\"[^>]*>" "$1" | head -1; }

# ---- in the browser: the marks and their tooltips
chrome --window-size=1280,900 --dump-dom "$B/" > "$SW_TMP/dash.html" ||
    fail "chromium failed on /"
assert_ge "$(grep -o '<i class="b st-down" title="[0-9-]* [0-9:]* UTC: down, http, [0-9]* ms"' "$SW_TMP/dash.html" | grep -c .)" 6 \
    "down marks with time, cause and total"
assert_ge "$(grep -o '<i class="b st-up" title="[0-9-]* [0-9:]* UTC: up, ok, [0-9]* ms"' "$SW_TMP/dash.html" | grep -c .)" 12 \
    "up marks of the two up checks"
assert_eq 200 "$(grep -o '<i class="b ' "$SW_TMP/dash.html" | grep -c .)" "50 marks a check"
# Certificate days left: on the TLS check's row only.
assert_contains "$(grep -o 'data-check="shop-tls".*' "$SW_TMP/dash.html" | head -1)" \
    '<td class="cert">' "cert cell"
grep -o 'data-check="shop-tls".*' "$SW_TMP/dash.html" | head -1 |
    grep -Eq '<td class="cert">[0-9]+ d</td>' || fail "no days left on shop-tls"
grep -o 'data-check="shop-home".*' "$SW_TMP/dash.html" | head -1 |
    grep -q '<td class="cert"></td>' || fail "days left on a plain-HTTP check"
D=$(cat "$SW_TMP/dash.html")
assert_contains "$D" 'id="no-tickets" class="none" hidden=""' "'No open tickets' hidden with a ticket open"
assert_not_contains "$D" 'id="tickets" class="tickets" data-rendered="js" hidden' "the ticket table is shown"
printf '%s' "$D" | grep -Eq 'id="updated" class="updated">updated [0-9-]+ [0-9:]+ UTC<' ||
    fail "the update stamp is not in UTC"

# ---- the filters
chrome --window-size=1280,900 --dump-dom "$B/?state=down" > "$SW_TMP/down.html" ||
    fail "chromium failed on /?state=down"
assert_contains "$(row "$SW_TMP/down.html" shop-home)" 'hidden' "state=down hides an up check"
assert_not_contains "$(row "$SW_TMP/down.html" shop-cart)" 'hidden' "state=down shows the down check"
assert_contains "$(row "$SW_TMP/down.html" dukkan-home)" 'hidden' "state=down hides another site's up check"
chrome --window-size=1280,900 --dump-dom "$B/?q=DUKKAN" > "$SW_TMP/q.html" ||
    fail "chromium failed on /?q="
assert_not_contains "$(row "$SW_TMP/q.html" dukkan-home)" 'hidden' "search finds dukkan-home"
assert_contains "$(row "$SW_TMP/q.html" shop-cart)" 'hidden' "search hides shop-cart"
chrome --window-size=1280,900 --dump-dom "$B/?site=Shop%20Ltd" > "$SW_TMP/site.html" ||
    fail "chromium failed on /?site="
assert_not_contains "$(row "$SW_TMP/site.html" shop-home)" 'hidden' "site filter shows its checks"
assert_contains "$(row "$SW_TMP/site.html" dukkan-home)" 'hidden' "site filter hides the other site"

for w in 390x844 1280x900; do
	f=$SHOTS/dashboard-${w%%x*}.png
	chrome --window-size="${w/x/,}" --screenshot="$f" "$B/" >/dev/null ||
	    fail "screenshot at $w failed"
	assert_eq "89504e47" "$(head -c 4 "$f" | od -An -tx1 | tr -d ' \n')" "$f is a PNG"
	assert_ge "$(stat -c %s "$f")" 20000 "$f has content"
done

daemon_alive || fail "sitewatchd died"
stop_daemon
