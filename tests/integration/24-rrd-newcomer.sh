#!/bin/bash
# 24-rrd-newcomer: issue 19's newcomer, replayed against the real daemon,
# shortened (interval 1 s): a new check is up for a few seconds, then
# nginx answers 404 for about 30 s, then up again.  The down seconds the
# daemon wrote (its one-step rows with up = 0) must be what every view
# says, within one interval: `report --period day|week|month --json`;
# `status --json`'s 24-hour and 30-day uptime must be the day report's.
# (rrdtool draws legend text as glyphs, so the legend's own words are
# checked in test_uptime_prop, through rrd_graph_legend_text.)
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
for p in day week month; do
	sw_run "$SWC" -c "$SW_CONF" report --period "$p" --json
	assert_eq 0 "$RUN_RC" "report --period $p ($RUN_ERR)"
	within "$(json_get "$RUN_OUT" 0.downtime_s)" "$down" "report $p downtime_s"
	eval "pct_$p=$(json_get "$RUN_OUT" 0.uptime_pct)"
	sw_run "$SWC" -c "$SW_CONF" graph newbie --period "$p" \
	    --metric availability -o "$SW_TMP/$p.svg"
	assert_eq 0 "$RUN_RC" "graph --period $p ($RUN_ERR)"
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
