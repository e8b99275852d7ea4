#!/bin/bash
# 63-rrdcached-restart: rrdcached is killed (SIGKILL) while the daemon
# records two checks at interval 1, stays away for a while, and comes
# back on the same socket:
#   - the daemon stays up, logs the outage ONCE, writes the files directly
#     meanwhile (rows keep coming during the outage: rrd_read fetch) and
#     says when rrdcached is back; updates then go through it again
#     (its UpdatesReceived counter grows);
#   - the RRD has a row for nearly every second of the whole run: a gap
#     at most around the kill (rrdcached's unwritten second), no torn file.
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/faults.bash"
export TZ=UTC

# ups FILE FROM TO: rows with up == 1 in [FROM, TO].
ups() {
	rrd_read fetch "$1" AVERAGE -s "$(( $2 - 1 ))" -e "$3" |
	    awk -F'[: ]+' -v a="$2" -v b="$3" \
	    '$1 >= a && $1 <= b && $2 + 0 == 1 { n++ } END { print n + 0 }'
}

start_nginx
start_rrdcached
write_config "daemon.rrdcached=unix:$RRDCACHED_SOCK"
add_site web "Web Ltd"
add_check web a-ok "$NGINX_URL/ok" interval=1 timeout=1
add_check web b-ok "$NGINX_URL/ok" interval=1 timeout=1
start_daemon
wait_until 10 '[ "$(rrdcached_stat UpdatesReceived)" -ge 4 ]' ||
    fail "no updates through rrdcached"
t_start=$(date +%s)
sleep 3

# The outage.
kill -KILL "$RRDCACHED_PID"
wait "$RRDCACHED_PID" 2>/dev/null || true
_sw_untrack "$RRDCACHED_PID"
t_kill=$(date +%s)
rm -f "$RRDCACHED_SOCK"
wait_until 10 'grep -q "cannot reach rrdcached" "$SW_LOG"' ||
    fail "the outage was not logged"
sleep 5
daemon_alive || fail "the daemon died with rrdcached"
t_back=$(date +%s)
# Written directly during the outage: the files on disk have these rows.
for f in a-ok b-ok; do
	n=$(ups "$SW_STATE_DIR/rrd/$f.rrd" "$((t_kill + 2))" "$((t_back - 1))")
	assert_ge "$n" "$((t_back - t_kill - 4))" \
	    "$f: rows written directly during the outage"
done
assert_eq 1 "$(grep -c 'cannot reach rrdcached' "$SW_LOG")" \
    "the outage is logged once, not per update"

start_rrdcached
before=$(rrdcached_stat UpdatesReceived)
wait_until 10 'grep -q "rrdcached .* is back" "$SW_LOG"' ||
    fail "the daemon did not go back to rrdcached"
wait_until 10 '[ "$(( $(rrdcached_stat UpdatesReceived) - before ))" -ge 4 ]' ||
    fail "updates do not go through rrdcached again"
sleep 3
t_end=$(date +%s)
stop_daemon
# rrdcached writes what it holds when it stops.
_sw_stop_pid "$RRDCACHED_PID" 10

for f in a-ok b-ok; do
	rrd_read info "$SW_STATE_DIR/rrd/$f.rrd" >/dev/null ||
	    fail "$f.rrd is torn"
	span=$((t_end - 1 - t_start + 1))
	n=$(ups "$SW_STATE_DIR/rrd/$f.rrd" "$t_start" "$((t_end - 1))")
	sw_log "$f: $n of $span seconds recorded"
	assert_ge "$n" "$((span - 3))" "$f: at most a short gap around the kill"
done
exit 0
