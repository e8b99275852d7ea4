#!/bin/bash
# 59-web-dashboard-many: a dashboard of many checks comes a page at a
# time (200 rows), the checks needing a look first whatever their place
# in the config; every check is on exactly one page; a page number out of
# range or malformed gives the nearest page, never an error.  /metrics
# gives timestamps to the millisecond (not rounded to six digits).
set -eu
. "$top_srcdir/tests/lib/common.sh"

N=450
start_nginx
# Short archives: the default (1s:2d) makes a 2 MB file per 10 s check,
# and creating 900 MB before the daemon may stop is not what this tests.
write_config defaults.interval=10 defaults.timeout=2 \
    daemon.rrd_retention=1s:1h,5m:1d,1h:7d,1d:1y
for s in 1 2 3 4 5; do
	add_site "s$s" "Site $s" en
done
awk -v n="$N" -v dir="$SW_CHECKS_DIR" -v url="$NGINX_URL" 'BEGIN {
	for (i = 1; i <= n; i++) {
		f = sprintf("%s/s%d.conf", dir, int((i - 1) / 90) + 1)
		# The last three of the config fail: they must still come first.
		path = i > n - 3 ? "status/503" : "ok"
		printf "[check d%04d]\nurl = %s/%s\n\n", i, url, path >> f
		close(f)
	}
}'
start_daemon
B=http://127.0.0.1:$SW_HTTP_PORT
# The answer is larger than one argument may be (json_holds): from a file.
all_measured() {
	curl -s --max-time 10 -o "$SW_TMP/checks.json" "$B/api/v1/checks" &&
	    "$SW_PY" -c 'import json, sys
j = json.load(open(sys.argv[1]))
sys.exit(0 if sum(c["state"] != "unknown" for c in j) == int(sys.argv[2])
    and sum(c["state"] == "down" for c in j) == 3 else 1)' \
	    "$SW_TMP/checks.json" "$N"
}
wait_until 60 all_measured || fail "not every check has its result"

# rows FILE: the check names of a page's table, in order.
rows() {
	grep -o '<tr class="check [a-z-]*" data-check="[^"]*"' "${1:--}" |
	    sed 's/.*data-check="//; s/"$//'
}
for p in 1 2 3; do
	code=$(curl -s -o "$SW_TMP/p$p.html" -w '%{http_code}' "$B/?page=$p")
	assert_eq 200 "$code" "page $p"
	assert_contains "$(cat "$SW_TMP/p$p.html")" "page $p of 3" "pager $p"
	assert_contains "$(cat "$SW_TMP/p$p.html")" 'data-paged="1"' \
	    "page $p marked as a page for the script"
	assert_contains "$(cat "$SW_TMP/p$p.html")" \
	    "$N checks: <span class=\"st-down\">3 down</span>" "summary $p"
done
assert_eq 200 "$(rows "$SW_TMP/p1.html" | wc -l)" "rows on page 1"
assert_eq 200 "$(rows "$SW_TMP/p2.html" | wc -l)" "rows on page 2"
assert_eq 50 "$(rows "$SW_TMP/p3.html" | wc -l)" "rows on page 3"
assert_eq "d0448 d0449 d0450" "$(rows "$SW_TMP/p1.html" | head -n 3 |
    tr '\n' ' ' | sed 's/ $//')" "the failing checks lead page 1"
assert_eq 3 "$(grep -c '<tr class="check st-down"' "$SW_TMP/p1.html")" \
    "down rows on page 1"
all=$(cat "$SW_TMP/p1.html" "$SW_TMP/p2.html" "$SW_TMP/p3.html" | rows)
assert_eq "$N" "$(printf '%s\n' "$all" | sort -u | wc -l)" \
    "every check on some page"
assert_eq "$N" "$(printf '%s\n' "$all" | wc -l)" "no check on two pages"
assert_eq "d0001 d0002" "$(rows "$SW_TMP/p1.html" | sed -n '4,5p' |
    tr '\n' ' ' | sed 's/ $//')" "then the config's order"

for q in 99 0 abc -1; do
	code=$(curl -s -o "$SW_TMP/q.html" -w '%{http_code}' "$B/?page=$q")
	assert_eq 200 "$code" "page=$q"
	case $q in 99) want=3 ;; *) want=1 ;; esac
	assert_contains "$(cat "$SW_TMP/q.html")" "page $want of 3" "page=$q"
done

# The server filters a long list: by state, by site, by a piece of name.
curl -s -o "$SW_TMP/f.html" "$B/?state=down" || fail "GET /?state=down"
assert_eq "d0448 d0449 d0450" "$(rows "$SW_TMP/f.html" | tr '\n' ' ' |
    sed 's/ $//')" "state=down"
assert_not_contains "$(cat "$SW_TMP/f.html")" 'rel="next"' "state=down: one page"
curl -s -o "$SW_TMP/f.html" "$B/?q=D04" || fail "GET /?q=D04"
assert_eq 51 "$(rows "$SW_TMP/f.html" | grep -c '^d04')" "q=D04 (any case)"
assert_eq 51 "$(rows "$SW_TMP/f.html" | wc -l)" "q=D04: nothing else"
curl -s -o "$SW_TMP/f.html" "$B/?site=Site%202&q=d01" ||
    fail "GET /?site=Site 2"
assert_eq "d0100 d0101" "$(rows "$SW_TMP/f.html" | sed -n '1,2p' |
    tr '\n' ' ' | sed 's/ $//')" "site=Site 2 and q=d01"
assert_eq 81 "$(rows "$SW_TMP/f.html" | wc -l)" "site=Site 2 and q=d01: all"
curl -s -o "$SW_TMP/f.html" "$B/?state=up&page=2" || fail "GET state=up"
assert_contains "$(cat "$SW_TMP/f.html")" \
    'href="/?page=1&amp;state=up"' "the pager keeps the filter"
assert_contains "$(cat "$SW_TMP/f.html")" "page 2 of 3" "state=up: pages"

# Timestamps keep their milliseconds and agree with the clock.
curl -s -o "$SW_TMP/m" "$B/metrics" || fail "GET /metrics"
now=$(date +%s)
bad=$(grep '^sitewatch_check_last_run_timestamp_seconds{' "$SW_TMP/m" |
    awk -v now="$now" '$NF !~ /^[0-9]+\.[0-9][0-9][0-9]$/ ||
    $NF < now - 600 || $NF > now + 5' | head -n 3)
assert_eq "" "$bad" "last-run timestamps to the millisecond"
assert_eq "$N" "$(grep -c '^sitewatch_check_last_run_timestamp_seconds{' \
    "$SW_TMP/m")" "a timestamp per check"

daemon_alive || fail "sitewatchd died"
stop_daemon
