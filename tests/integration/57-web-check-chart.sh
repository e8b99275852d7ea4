#!/bin/bash
# 57-web-check-chart: the check page's live charts.  The series API
# (/api/v1/checks/NAME/series) answers rows whose phases add up to the
# total, with the period's uptime from the same computation as the other
# figures; headless Chromium loads Debian's dygraphs from /static/, and
# each chart reports the rows it drew and the pixels it painted on its
# canvas (data-rows, data-ink), read here from the live DOM.  Screenshots
# of the check page at desktop and phone width are kept in
# tests/integration/57-web-check-chart.dir/.
set -eu
. "$top_srcdir/tests/lib/common.sh"

if ! command -v chromium >/dev/null 2>&1; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y chromium \
	    >"$SW_TMP/apt.log" 2>&1 || skip "chromium is not installed and cannot be"
fi
[ -r /usr/share/javascript/dygraphs/dygraph.min.js ] ||
    DEBIAN_FRONTEND=noninteractive apt-get install -y libjs-dygraphs \
    >>"$SW_TMP/apt.log" 2>&1 || fail "libjs-dygraphs is not installed (scripts/install-deps.sh)"
SHOTS=$top_builddir/tests/integration/57-web-check-chart.dir
rm -rf "$SHOTS"
mkdir -p "$SHOTS"

start_nginx
write_config defaults.interval=1 defaults.timeout=1
add_site shop 'Shop Ltd' en
add_check shop shop-home "$NGINX_URL/ok"
add_check shop shop-new "$NGINX_URL/ok" interval=3600
add_site news 'News Ltd' en
add_check news news-hourly "$NGINX_URL/ok" interval=3600
start_daemon
B=http://127.0.0.1:$SW_HTTP_PORT

# ---- the API
wait_json 30 "$B/api/v1/checks/shop-home/series?period=hour" \
    'len([r for r in j["rows"] if r[6] is not None]) >= 8' ||
    fail "fewer than 8 known rows in the series: $WAIT_BODY"
S=$WAIT_BODY
assert_json "$S" 'j["check"] == "shop-home" and j["step"] == 1 and j["columns"][0] == "time" and j["columns"][6] == "total_ms"' "series header"
assert_json "$S" 'all(abs(sum(r[1:6]) - r[6]) < 0.1 for r in j["rows"] if r[6] is not None)' "phases add up to the total"
assert_json "$S" 'all(r[7] <= r[6] <= r[8] for r in j["rows"] if r[6] is not None)' "total inside its band"
assert_json "$S" 'j["uptime_pct"] == 100 and j["rows"][0][6] is not None' "uptime, and no empty lead-in"
http_req GET "$B/api/v1/checks/shop-home/series"
assert_eq 200 "$HTTP_STATUS" "series, default period"
assert_json "$HTTP_BODY" 'j["end"] - j["start"] == 86400' "default period is a day"
http_req GET "$B/api/v1/checks/shop-home/series?period=decade"
assert_eq 400 "$HTTP_STATUS" "bad period"
http_req GET "$B/api/v1/checks/nope/series"
assert_eq 404 "$HTTP_STATUS" "unknown check"
http_req GET "$B/api/v1/checks/shop-home/other"
assert_eq 404 "$HTTP_STATUS" "unknown resource"
http_req GET "$B/static/dygraph.min.js"
assert_eq 200 "$HTTP_STATUS" "the chart library from /usr/share/javascript"
assert_eq "$(stat -c %s /usr/share/javascript/dygraphs/dygraph.min.js)" \
    "$(printf '%s' "$HTTP_BODY" | wc -c)" "served whole"

chrome() {
	timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-quic \
	    --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync --hide-scrollbars \
	    --user-data-dir="$SW_TMP/chr" --virtual-time-budget=8000 "$@" \
	    2>>"$SW_TMP/chromium.log"
}
# attr FILE ID NAME: an attribute of the element with that id.
attr() { grep -o "id=\"$2\"[^>]*" "$1" | grep -o "$3=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }

# ---- the charts, drawn: rows and painted pixels
chrome --window-size=1280,900 --dump-dom "$B/check/shop-home" > "$SW_TMP/check.html" ||
    fail "chromium failed on /check/shop-home"
for id in chart-phases chart-total chart-up; do
	assert_ge "$(attr "$SW_TMP/check.html" $id data-rows)" 8 "$id: rows drawn"
	assert_ge "$(attr "$SW_TMP/check.html" $id data-ink)" 2000 "$id: pixels painted"
done
assert_contains "$(cat "$SW_TMP/check.html")" 'points, one per 1 s (UTC)' "the note says what is drawn"
# A new check (one result an hour): its series starts at its first
# result, so the chart is its data, not a sliver at the end of a day.
http_req GET "$B/api/v1/checks/shop-new/series"
assert_eq 200 "$HTTP_STATUS" "series of a new check"
assert_json "$HTTP_BODY" 'len(j["rows"]) >= 1 and j["rows"][0][6] is not None' \
    "a new check's series begins with its first result"
# Its step is an hour, and librrd writes a step out only once it ends
# (unknown if less than half of it was known): the newest row is the
# result itself, whatever the minute of the hour the test runs in.
assert_json "$HTTP_BODY" 'j["step"] == 3600 and j["end"] - j["rows"][-1][0] < 120 and j["rows"][-1][9] == 100' \
    "the newest row is the first result, not the end of an hour"
chrome --window-size=1280,900 --dump-dom "$B/check/shop-new" > "$SW_TMP/new.html" ||
    fail "chromium failed on /check/shop-new"
assert_ge "$(attr "$SW_TMP/new.html" chart-phases data-rows)" 1 "a new check's chart has its point"

# A site whose only check runs hourly: today's bar is its first result,
# not "no data" (no whole step of it may exist yet) -- once the web has
# read the figures, 4-5 s after the start (the wait allows for a slow
# machine; the bar never goes back to "no data" afterwards).
wait_page 20 "$B/status/news" "title=\"$(date -u +%F): 100.00 %" || {
	today=$(printf '%s' "$WAIT_BODY" | grep -o '<li class="day [^"]*" title="[^"]*"' | tail -n 1)
	fail "today's bar of an hourly check is not 100.00 % within 20 s: $today"
}

# No ticket open: the dashboard says so in a sentence.
http_req GET "$B/"
assert_contains "$HTTP_BODY" '<p id="no-tickets" class="none">No open tickets.</p>' "no open tickets, said"
assert_contains "$HTTP_BODY" '<table id="tickets" class="tickets" hidden>' "no empty ticket table"

for w in 390x844 1280x900; do
	f=$SHOTS/check-shop-home-${w%%x*}.png
	chrome --window-size="${w/x/,}" --screenshot="$f" "$B/check/shop-home" \
	    >/dev/null || fail "screenshot at $w failed"
	assert_eq "89504e47" "$(head -c 4 "$f" | od -An -tx1 | tr -d ' \n')" "$f is a PNG"
	assert_ge "$(stat -c %s "$f")" 20000 "$f has content"
done

daemon_alive || fail "sitewatchd died"
stop_daemon
