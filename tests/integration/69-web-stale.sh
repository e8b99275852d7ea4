#!/bin/bash
# 69-web-stale: a check whose last result grows older than two intervals
# (its site stops answering; the run in flight waits out a long timeout)
# is marked stale in every view of the running daemon: /api/v1/checks
# (stale: true), /metrics (sitewatch_check_stale 1), the dashboard
# ("stale since" the last result's time) and the public status page (not
# shown as a current state).  When answers come again, the mark goes in all.
set -eu
. "$top_srcdir/tests/lib/common.sh"

start_nginx
write_config defaults.interval=1 defaults.timeout=20
add_site web "Web Ltd"
add_check web frozen "$NGINX_URL/ok" interval=1 timeout=20
base=http://127.0.0.1:$SW_HTTP_PORT

# metric NAME: the value of NAME for check frozen in /metrics, or "".
metric() {
	http_req GET "$base/metrics"
	[ "$HTTP_STATUS" = 200 ] || return 1
	printf '%s\n' "$HTTP_BODY" |
	    awk -v n="$1" '$1 ~ "^" n "[{]check=\"frozen\"" { print $NF }'
}

start_daemon
wait_until 20 '[ "$(metric sitewatch_check_up)" = 1 ]' ||
    fail "frozen not up within 20 s"
assert_eq 0 "$(metric sitewatch_check_stale)" "/metrics: fresh results"
http_req GET "$base/metrics"
grep -q '^# TYPE sitewatch_check_stale gauge$' <<<"$HTTP_BODY" ||
    fail "/metrics: no TYPE line for sitewatch_check_stale"
http_req GET "$base/api/v1/checks"
assert_json "$HTTP_BODY" 'j[0]["stale"] is False' "API: fresh results"

# nginx's workers stop: connections are taken by the kernel and never
# answered, so no result comes for up to 20 s (the timeout).
workers=$(pgrep -P "$NGINX_PID") || fail "no nginx worker"
sw_on_exit "kill -CONT $workers 2>/dev/null"
kill -STOP $workers
frozen_at=$(date +%s)

wait_until 8 '[ "$(metric sitewatch_check_stale)" = 1 ]' ||
    fail "/metrics: sitewatch_check_stale not 1 within 8 s of the freeze"
http_req GET "$base/api/v1/checks"
assert_eq 200 "$HTTP_STATUS" "/api/v1/checks"
assert_json "$HTTP_BODY" 'j[0]["stale"] is True' "API: stale"
last_at=$(json_get "$HTTP_BODY" 0.last_at)
http_req GET "$base/"
assert_eq 200 "$HTTP_STATUS" "dashboard"
want=$(date -u -d "$last_at" '+%Y-%m-%d %H:%M:%S UTC')
assert_contains "$HTTP_BODY" "<span class=\"badge stale\">stale</span> <span class=\"msg stale\">since $want" \
    "dashboard: stale since the last result"
# The site's own page where there is one (/status/SITE), else /status.
http_req GET "$base/status/web"
[ "$HTTP_STATUS" = 404 ] && http_req GET "$base/status"
assert_eq 200 "$HTTP_STATUS" "public status page"
assert_contains "$HTTP_BODY" 'class="service st-unknown stale"' \
    "public status page: stale, not a current up"
# Still inside the 20 s timeout: nothing has answered meanwhile.
assert_le $(( $(date +%s) - frozen_at )) 18 "the checks were frozen"

kill -CONT $workers
wait_until 10 '[ "$(metric sitewatch_check_stale)" = 0 ]' ||
    fail "/metrics: still stale 10 s after nginx came back"
http_req GET "$base/api/v1/checks"
assert_json "$HTTP_BODY" 'j[0]["stale"] is False and j[0]["state"] == "up"' \
    "API: fresh again"
# The page may come from the web's one-second answer cache: ask again
# (bounded) until a render made after the fresh result.
wait_until 5 'http_req GET "$base/"; [[ $HTTP_BODY != *"class=\"badge stale\""* ]]' ||
    fail "dashboard: still stale 5 s after the API was fresh"
assert_contains "$HTTP_BODY" 'data-check="frozen"' "dashboard: the check is there"
stop_daemon
