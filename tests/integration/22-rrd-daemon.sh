#!/bin/bash
# 22-rrd-daemon: the daemon records real checks against nginx in
# state_dir/rrd/<check>.rrd with the SPEC layout:
#   - /ok reads back up=1 with timings > 0 and le_100=1 (loopback);
#   - /status/500 reads back up=0 with the timings it got, buckets 0;
#   - a new interval on SIGHUP keeps the old file aside and starts one
#     with the new step;
#   - `sitewatch report` and `graph` work on what the daemon wrote.
set -eu
. "$top_srcdir/tests/lib/common.sh"

start_nginx
write_config defaults.interval=1 defaults.timeout=1
add_site web "Web Ltd"
add_check web web-ok "$NGINX_URL/ok" interval=1 timeout=1
add_check web web-500 "$NGINX_URL/status/500" interval=1 timeout=1
okf=$SW_STATE_DIR/rrd/web-ok.rrd
errf=$SW_STATE_DIR/rrd/web-500.rrd

# rows FILE COND: how many one-step rows of the last 2 minutes hold
# known values meeting COND (awk, $2 = up, $3 = total_ms, $8 = le_100).
# A file that cannot be read prints nothing and fails: never "0 rows",
# which the "never recorded as down" assertions below would take.
rows() {
	local out
	out=$(rrd_read fetch "$1" AVERAGE -r 1 -s -120 -e now) || return 1
	printf '%s\n' "$out" |
	    awk -F'[: ]+' "/^[0-9]+:/ && \$2 !~ /nan/ && ($2) { n++ } END { print n + 0 }"
}
info() {
	local out
	out=$(rrd_read info "$1") || return 1
	printf '%s\n' "$out" | sed -n "s/^$2 = //p" | tr -d '"'
}

start_daemon
wait_until 20 '[ -f "$okf" ] && [ -f "$errf" ] &&
    [ "$(rows "$okf" '"'"'$2 == 1'"'"')" -ge 3 ] &&
    [ "$(rows "$errf" '"'"'$2 == 0'"'"')" -ge 3 ]' ||
    fail "no 3 recorded results per check within 20 s (ok: $(rows "$okf" 1), 500: $(rows "$errf" 1))"

# Layout: step = interval, heartbeat = 2 x interval, the RRA list.
assert_eq 1 "$(info "$okf" step)" "step is the interval"
for ds in up total_ms dns_ms connect_ms tls_ms ttfb_ms le_100 le_250 \
    le_500 le_1000 le_2000 le_5000; do
	assert_eq GAUGE "$(info "$okf" "ds\[$ds\]\.type")" "$ds is a GAUGE"
	assert_eq 2 "$(info "$okf" "ds\[$ds\]\.minimal_heartbeat")" "$ds heartbeat"
done
assert_eq "AVERAGE 1 172800" "$(info "$okf" 'rra\[0\]\.cf') $(info "$okf" 'rra\[0\]\.pdp_per_row') $(info "$okf" 'rra\[0\]\.rows')" \
    "1 step for 2 days"
assert_eq "AVERAGE MIN MAX 300" "$(info "$okf" 'rra\[1\]\.cf') $(info "$okf" 'rra\[2\]\.cf') $(info "$okf" 'rra\[3\]\.cf') $(info "$okf" 'rra\[3\]\.pdp_per_row')" \
    "5 min with MIN and MAX"
assert_eq 10 "$(rrd_read info "$okf" | grep -c '^rra\[[0-9]*\]\.cf')" "10 archives"

# Values.
assert_eq 0 "$(rows "$okf" '$2 != 1')" "/ok never recorded as down"
[ "$(rows "$okf" '$2 == 1 && $3 > 0 && $4 >= 0 && $7 > 0')" -ge 3 ] ||
    fail "/ok rows lack total_ms/ttfb_ms > 0"
[ "$(rows "$okf" '$2 == 1 && $8 == 1')" -ge 3 ] ||
    fail "/ok on loopback not counted under 100 ms"
assert_eq 0 "$(rows "$errf" '$2 != 0')" "/status/500 never recorded as up"
[ "$(rows "$errf" '$2 == 0 && $3 > 0 && $8 == 0 && $13 == 0')" -ge 3 ] ||
    fail "/status/500 rows: want total_ms > 0 and every bucket 0"

# The CLI reads what the daemon wrote.
sw_run "$SWC" -c "$SW_CONF" report web-ok web-500 --period day --json
assert_eq 0 "$RUN_RC" "report ($RUN_ERR)"
assert_eq 100 "$(json_get "$RUN_OUT" 0.uptime_pct)" "web-ok uptime"
assert_eq 0 "$(json_get "$RUN_OUT" 1.uptime_pct)" "web-500 uptime"
# p95 is a bucket bound (exact figures: test_uptime_prop); on loopback a
# low one, though a busy machine may push one run past 100 ms.
assert_json "$RUN_OUT" 'j[0]["p95_ms"] in (100, 250, 500, 1000)' "web-ok p95 bucket"
sw_run "$SWC" -c "$SW_CONF" graph web-ok --period day -o "$SW_TMP/ok.png"
assert_eq 0 "$RUN_RC" "graph ($RUN_ERR)"
assert_contains "$(file -b "$SW_TMP/ok.png")" "PNG image data" "graph is a PNG"

# A new interval: the old history is kept aside, a new file starts.
add_site web "Web Ltd"
add_check web web-ok "$NGINX_URL/ok" interval=2 timeout=1
add_check web web-500 "$NGINX_URL/status/500" interval=1 timeout=1
reload_daemon
wait_until 15 '[ "$(info "$okf" step)" = 2 ] && [ "$(rows "$okf" '"'"'$2 == 1'"'"')" -ge 1 ]' ||
    fail "web-ok did not move to a 2 s step (step $(info "$okf" step))"
ls "$SW_STATE_DIR"/rrd/web-ok.rrd.step1.* >/dev/null 2>&1 ||
    fail "the 1 s history was not kept aside"
assert_contains "$(cat "$SW_LOG")" "interval changed from 1 s" "interval change logged"
assert_eq 1 "$(info "$errf" step)" "web-500 kept its file"

stop_daemon
# Queued updates were written before exit: the last one is recent.
last=$(rrd_read last "$errf")
[ $(( $(date +%s) - last )) -le 4 ] ||
    fail "last update of web-500 is $(( $(date +%s) - last )) s old after stop"
exit 0
