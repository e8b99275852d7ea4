#!/bin/bash
# 23-rrd-rrdcached: with [daemon] rrdcached set, updates go through
# rrdcached (its counters grow), read back after a flush, and the daemon
# and the CLI work through it:
#   - rrd_bench writes a known pattern through the recorder via the unix
#     socket, every update in rrdcached BATCH exchanges (the recorder's
#     own client); rrdcached's UpdatesReceived counts them; after
#     `rrdtool flushcached` every value reads back;
#   - the daemon records /ok through rrdcached; `sitewatch report` (which
#     flushes first) sees the results, and after SIGTERM the file has them.
set -eu
. "$top_srcdir/tests/lib/common.sh"

bench=$top_builddir/tests/bench/rrd_bench
[ -x "$bench" ] || fail "$bench is not built (make check builds it)"
start_rrdcached
export TZ=UTC

before=$(rrdcached_stat UpdatesReceived)
sets=$(rrdcached_stat DataSetsWritten)
sw_run "$bench" -d "$SW_STATE_DIR" -c 3 -n 50 -r "unix:$RRDCACHED_SOCK"
assert_eq 0 "$RUN_RC" "rrd_bench through rrdcached ($RUN_ERR)"
assert_contains "$RUN_OUT" "written 153 dropped 0 skipped 0 errors 0 batched 153" \
    "153 updates written, all through BATCH"
assert_not_contains "$RUN_ERR" "writing files directly" "no fallback to direct writes"
# UPDATE commands carry several values each: batched, at least one a file.
cmds=$(( $(rrdcached_stat UpdatesReceived) - before ))
[ "$cmds" -ge 3 ] && [ "$cmds" -lt 153 ] ||
    fail "rrdcached got $cmds UPDATE commands for 153 values (want 3..152)"
for i in 0 1 2; do
	rrdtool flushcached --daemon "unix:$RRDCACHED_SOCK" \
	    "$SW_STATE_DIR/rrd/bench-$i.rrd" || fail "flushcached bench-$i"
done
[ $(( $(rrdcached_stat DataSetsWritten) - sets )) -ge 153 ] ||
    fail "rrdcached wrote $(( $(rrdcached_stat DataSetsWritten) - sets )) values, want 153"

f=$SW_STATE_DIR/rrd/bench-1.rrd
rrdtool flushcached --daemon "unix:$RRDCACHED_SOCK" "$f" || fail "flushcached"
# Update j is at t0 + 60 j: up unless j % 10 == 9, total_ms 100 + j.
t0=$(( $(rrd_read last "$f") - 50 * 60 ))
assert_eq "1 150" "$(rrdtool lastupdate "$f" | awk -F'[: ]+' '/^[0-9]+:/ { printf "%g %g\n", $2, $3 }')" \
    "last update (j = 50) read back"
row() {
	rrd_read fetch "$f" AVERAGE -r 60 -s $(( $1 - 120 )) -e "$1" |
	    awk -F'[: ]+' -v t="$1" '$1 == t { printf "%g %g\n", $2, $3 }'
}
assert_eq "0 149" "$(row $(( t0 + 49 * 60 )))" "j = 49: down, 149 ms"
assert_eq "1 120" "$(row $(( t0 + 20 * 60 )))" "j = 20: up, 120 ms"
n=$(rrd_read fetch "$f" AVERAGE -r 60 -s "$t0" -e $(( t0 + 50 * 60 )) |
    grep -c '^[0-9]*: [0-9]')
assert_eq 50 "$n" "all 50 timed updates present"

# The daemon through rrdcached.
start_nginx
write_config "daemon.rrdcached=unix:$RRDCACHED_SOCK" defaults.interval=1 \
    defaults.timeout=1
add_site web "Web Ltd"
add_check web cached-ok "$NGINX_URL/ok"
before=$(rrdcached_stat UpdatesReceived)
start_daemon
okf=$SW_STATE_DIR/rrd/cached-ok.rrd
wait_until 20 '[ $(( $(rrdcached_stat UpdatesReceived) - before )) -ge 3 ]' ||
    fail "the daemon sent no updates to rrdcached"
sw_run "$SWC" -c "$SW_CONF" report cached-ok --period day --json
assert_eq 0 "$RUN_RC" "report through rrdcached ($RUN_ERR)"
assert_eq 100 "$(json_get "$RUN_OUT" 0.uptime_pct)" "report sees the flushed results"
assert_json "$RUN_OUT" 'j[0]["unknown_s"] < 86400 - 2' "some known time"
stop_daemon
assert_not_contains "$(cat "$SW_LOG")" "writing files directly" "the daemon used rrdcached"
rrdtool flushcached --daemon "unix:$RRDCACHED_SOCK" "$okf" || fail "flushcached"
n=$(rrd_read fetch "$okf" AVERAGE -r 1 -s -60 -e now |
    awk -F'[: ]+' '/^[0-9]+:/ && $2 !~ /nan/ && $2 == 1 && $3 > 0 { n++ } END { print n + 0 }')
[ "$n" -ge 3 ] || fail "only $n rows with up=1 and total_ms > 0 in $okf"
exit 0
