#!/bin/bash
# 66-sighup-storm: 100 SIGHUPs within about a second while checks run at
# interval 1:
#   - the daemon stays up, the configuration stays valid (`sitewatchd -t`)
#     and every reload that ran succeeded;
#   - checks keep their schedule (nginx sees /ok about once a second after
#     the storm, and the RRD keeps getting rows);
#   - no descriptor leak: /proc/PID/fd counts the same before and after;
#   - SIGTERM afterwards still stops it cleanly.
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/faults.bash"

start_nginx
write_config smtp.staff=ops@example.com
add_site web "Web Ltd"
add_check web healthy "$NGINX_URL/ok" interval=1 timeout=1
add_check web other "$NGINX_URL/keyword" interval=1 timeout=1 \
    "expect_text=Add to cart"
add_check web broken "$NGINX_URL/status/500" interval=1 timeout=1 retries=1
start_daemon
wait_until 10 '[ "$(nginx_hits /ok)" -ge 2 ]' || fail "checks do not run"
sleep 2
fd0=$(fd_count "$SWD_PID")
rss0=$(vm_kb "$SWD_PID" VmRSS)

# The pause between signals is a read that times out on a FIFO nobody
# writes (kill and read are builtins): no process per signal, so a busy
# machine does not stretch the storm.
mkfifo "$SW_TMP/never"
exec 9<>"$SW_TMP/never"
t0=$(date +%s%N)
for i in $(seq 100); do
	kill -HUP "$SWD_PID"
	read -r -t 0.008 -u 9 _ || true
done
t1=$(date +%s%N)
sw_log "100 SIGHUPs in $(( (t1 - t0) / 1000000 )) ms"
assert_le "$(( (t1 - t0) / 1000000 ))" 2500 "the storm took about a second"
daemon_alive || fail "the daemon died in the SIGHUP storm"
wait_until 10 '[ "$(grep -c "configuration reloaded" "$SW_LOG")" -ge 1 ]' ||
    fail "no reload happened"
assert_eq 0 "$(grep -c 'not reloaded' "$SW_LOG" || true)" "no failed reload"

sleep 1
h0=$(nginx_hits /ok)
ta=$(date +%s)
sleep 6
h1=$(nginx_hits /ok)
tb=$(date +%s)
assert_ge "$((h1 - h0))" "$((tb - ta - 2))" "checks on schedule after the storm"
assert_le "$((h1 - h0))" "$((tb - ta + 2))" "no doubled schedule after the storm"
# Retired configurations are freed every 5 s: let that run first.
fd1=$(fd_count "$SWD_PID")
rss1=$(vm_kb "$SWD_PID" VmRSS)
sw_log "fds $fd0 -> $fd1, VmRSS $rss0 -> $rss1 kB"
assert_le "$fd1" "$((fd0 + 2))" "no descriptor leak (before $fd0, after $fd1)"
sw_run "$SWD" -t -c "$SW_CONF"
assert_eq 0 "$RUN_RC" "configuration still valid ($RUN_OUT $RUN_ERR)"
stop_daemon
n=$(rrd_read fetch "$SW_STATE_DIR/rrd/healthy.rrd" AVERAGE -s "$ta" \
    -e "$((tb - 1))" | awk 'NR > 2 && $2 + 0 == 1 { n++ } END { print n + 0 }')
assert_ge "$n" "$((tb - ta - 2))" "RRD rows after the storm"
exit 0
