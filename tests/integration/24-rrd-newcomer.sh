#!/bin/bash
# 24-rrd-newcomer: issue 19's newcomer, replayed against the real daemon,
# shortened (interval 1 s): a new check is up for a few seconds, then
# nginx answers 404 for about 30 s, then up again.  The down seconds the
# daemon wrote (its one-step rows with up = 0) must be what every view
# says, within one interval, and the views must agree with each other:
# GET /api/v1/checks and /metrics (24 h and 30 d, from the running
# daemon), `report --period day|week|month --json`, the legend librrd
# drew on `graph --period day|week|month` (`--legend` prints its
# entries), and `status --json` (24 h and 30 d) once the daemon stopped.
set -eu
. "$top_srcdir/tests/lib/common.sh"

start_nginx
export TZ=UTC
OK_FILE=$SW_TMP/nginx/html/ok.txt
write_config defaults.interval=1 defaults.timeout=1
add_site web "Web Ltd"
add_check web newbie "$NGINX_URL/ok" interval=1 timeout=1
f=$SW_STATE_DIR/rrd/newbie.rrd

# rows COND: one-step rows of the last 10 minutes whose up meets COND.
rows() {
	local out
	out=$(rrd_read fetch "$f" AVERAGE -r 1 -s -600 -e now) || return 1
	printf '%s\n' "$out" |
	    awk -F'[: ]+' "/^[0-9]+:/ && \$2 !~ /nan/ && (\$2 $1) { n++ } END { print n + 0 }"
}

start_daemon
wait_until 20 '[ -f "$f" ] && [ "$(rows "== 1")" -ge 5 ]' ||
    fail "no 5 up results within 20 s"
mv "$OK_FILE" "$SW_TMP/ok.txt.saved"	# /ok answers 404 from now on
wait_until 60 '[ "$(rows "== 0")" -ge 30 ]' ||
    fail "no 30 down results within 60 s"
mv "$SW_TMP/ok.txt.saved" "$OK_FILE"
wait_until 20 '[ "$(rows "== 1")" -ge 10 ]' || fail "not up again"

# The API and /metrics: the daemon refreshes its 24 h / 30 d figures once
# a minute, so wait (bounded) for a refresh made after the outage: the
# API's down seconds are then the rows' (a view that is wrong never
# gets there and the wait fails).
api_down() {
	http_req GET "http://127.0.0.1:$SW_HTTP_PORT/api/v1/checks"
	[ "$HTTP_STATUS" = 200 ] || return 1
	json_get "$HTTP_BODY" 0.downtime_24h_s
}
api_ok() {
	local a r
	a=$(api_down) && [ "$a" != null ] || return 1
	r=$(rows "== 0") || return 1
	a=${a%.*}
	[ "$a" -ge $(( r - 1 )) ] && [ "$a" -le $(( r + 1 )) ]
}
# Bounded by the clock, not by a count of polls: each poll runs curl,
# python and rrdtool, which take long on a loaded machine.
deadline=$(( SECONDS + 80 ))
until api_ok; do
	[ "$SECONDS" -lt "$deadline" ] ||
	    fail "/api/v1/checks downtime_24h_s $(api_down) for 80 s, the rows say $(rows "== 0") s"
	sleep 1
done
http_req GET "http://127.0.0.1:$SW_HTTP_PORT/api/v1/checks"
api_json=$HTTP_BODY
http_req GET "http://127.0.0.1:$SW_HTTP_PORT/metrics"
assert_eq 200 "$HTTP_STATUS" "/metrics"
metrics=$HTTP_BODY
http_req GET "http://127.0.0.1:$SW_HTTP_PORT/api/v1/checks"
api_json2=$HTTP_BODY
# Let the daemon stop mid-interval as a user would; then nothing moves.
sleep 2
stop_daemon

down=$(rows "== 0")
sw_log "the daemon wrote $down down rows"
assert_ge "$down" 30 "at least 30 s down"

within() {	# within GOT WANT WHAT: |GOT - WANT| <= 1 interval
	local g=${1%.*}
	[ "$g" -ge $(( $2 - 1 )) ] && [ "$g" -le $(( $2 + 1 )) ] ||
	    fail "$3: $1 s, the data say $2 s"
}
api_d24=$(json_get "$api_json" 0.downtime_24h_s)
api_d30=$(json_get "$api_json" 0.downtime_30d_s)
within "$api_d24" "$down" "/api/v1/checks downtime_24h_s"
within "$api_d30" "$down" "/api/v1/checks downtime_30d_s"
assert_json "$api_json" "j[0]['stale'] is False" "API: not stale while running"
# /metrics shows the figures the API showed (one refresh between is
# allowed for: both read the daemon's one record of them).
m24=$(printf '%s\n' "$metrics" | awk '/^sitewatch_check_downtime_seconds\{check="newbie".*window="24h"/ { print $NF }')
m30=$(printf '%s\n' "$metrics" | awk '/^sitewatch_check_downtime_seconds\{check="newbie".*window="30d"/ { print $NF }')
[ -n "$m24" ] && [ -n "$m30" ] || fail "no sitewatch_check_downtime_seconds for newbie in /metrics"
within "$m24" "$down" "/metrics downtime 24h"
within "$m30" "$down" "/metrics downtime 30d"
assert_contains "$metrics" 'sitewatch_check_stale{check="newbie",site="Web Ltd"} 0' \
    "/metrics: not stale while running"
assert_json "$api_json2" "abs(j[0]['downtime_24h_s'] - $m24) < 1.001" \
    "/metrics and /api/v1/checks agree"

# The daemon stops after the outage: every figure below is of the same
# rows, whatever the moment it is read.
for p in day week month; do
	sw_run "$SWC" -c "$SW_CONF" report --period "$p" --json
	assert_eq 0 "$RUN_RC" "report --period $p ($RUN_ERR)"
	rep_down=$(json_get "$RUN_OUT" 0.downtime_s)
	within "$rep_down" "$down" "report $p downtime_s"
	eval "pct_$p=$(json_get "$RUN_OUT" 0.uptime_pct)"
	# The API's figure was read before the daemon stopped, of the
	# same outage: the same seconds, within one interval.
	within "$rep_down" "${api_d24%.*}" "report $p against the API"
	sw_run "$SWC" -c "$SW_CONF" graph newbie --period "$p" \
	    --metric availability --legend -o "$SW_TMP/$p.svg"
	assert_eq 0 "$RUN_RC" "graph --period $p ($RUN_ERR)"
	assert_file_exists "$SW_TMP/$p.svg"
	legend=$(printf '%s\n' "$RUN_OUT" | grep '^uptime ') ||
	    fail "graph $p: no uptime legend among: $RUN_OUT"
	leg_down=$(printf '%s\n' "$legend" | sed -n 's/.*   down \([0-9]*\) s.*/\1/p')
	leg_pct=$(printf '%s\n' "$legend" | sed -n 's/^uptime \([0-9.]*\) %.*/\1/p')
	[ -n "$leg_down" ] && [ -n "$leg_pct" ] ||
	    fail "graph $p: legend without uptime and down: $legend"
	within "$leg_down" "$down" "graph $p legend down"
	# The legend and the report are the same computation: equal to
	# the rounding of each.
	assert_json null "abs($leg_down - $rep_down) < 0.501" \
	    "graph $p legend down $leg_down s against report $rep_down s"
	assert_json null "abs($leg_pct - $(eval echo \$pct_$p)) < 0.0006" \
	    "graph $p legend uptime $leg_pct % against report"
	assert_contains "$legend" "p95 ≤ 100 ms" "graph $p legend p95 is a bound"
done
# day, week and month hold the same known results: the same figure.
assert_eq "$pct_day" "$pct_week" "uptime of day and week"
assert_eq "$pct_day" "$pct_month" "uptime of day and month"

sw_run "$SWC" -c "$SW_CONF" status --json
assert_eq 0 "$RUN_RC" "status --json"
assert_json "$RUN_OUT" "abs(j[0]['uptime_24h'] - $pct_day) < 0.01" \
    "status 24 h uptime is the day report's"
assert_json "$RUN_OUT" "j[0]['stale'] is True" "stale: the daemon stopped"
assert_json "$RUN_OUT" "abs(j[0]['uptime_30d'] - $pct_day) < 0.01" \
    "status 30 d uptime is the day report's (nothing older)"
within "$(json_get "$RUN_OUT" 0.downtime_24h_s)" "$down" "status downtime_24h_s"
within "$(json_get "$RUN_OUT" 0.downtime_30d_s)" "$down" "status downtime_30d_s"
assert_json "$RUN_OUT" "abs(j[0]['downtime_24h_s'] - $rep_down) < 0.001" \
    "status and report: the same down seconds"
