#!/bin/bash
# 67-sigterm-burst: SIGTERM in the middle of a burst of writes (60 checks
# at interval 1, direct RRD writes, a ticket opening):
#   - exit 0 within 10 s;
#   - every result the daemon handled (its debug log line per result) is
#     in the RRD: rrd_read fetch has a row for each, no torn file
#     (rrd_read info works on every file);
#   - after a restart the open incident keeps its one ticket (no
#     duplicate) and the daemon goes on recording.
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/faults.bash"
use_db
N=60

start_nginx
# A short retention: at 1 s steps the default (1s:2d) makes 17 MB files,
# and creating 61 of them (1 GB) while the stop waits is a disk test, not
# a signal test.
write_config daemon.rrd_retention=1s:1h,5m:1d,1h:7d,1d:1y
add_site web "Web Ltd"
for i in $(seq -w 1 "$N"); do
	add_check web "c$i" "$NGINX_URL/ok?$i" interval=1 timeout=1
done
add_check web broken "$NGINX_URL/status/503" interval=1 timeout=1 retries=1
t_start=$(date +%s)
# -v: one debug line per handled result ("probe NAME: STATE/CAUSE ...").
start_daemon -v
wait_until 15 '[ "$(q "SELECT count(*) FROM tickets")" = 1 ]' ||
    fail "no ticket for the broken check"
sleep 4
stop_daemon
assert_le "$SWD_STOP_MS" 10000 "stopped within 10 s"
t_end=$(date +%s)

# Per check: results handled (known state) vs rows in the RRD.
handled=0 stored=0 short=
for i in $(seq -w 1 "$N") broken; do
	case $i in broken) n=broken ;; *) n=c$i ;; esac
	f=$SW_STATE_DIR/rrd/$n.rrd
	rrd_read info "$f" >/dev/null 2>&1 || fail "$n.rrd is torn or missing"
	h=$(grep -a -c "probe $n: \(up\|down\|degraded\)/" "$SW_LOG" || true)
	s=$(rrd_known_rows "$f" "$((t_start - 1))" "$t_end") ||
	    fail "$n.rrd cannot be read"
	handled=$((handled + h))
	stored=$((stored + s))
	[ "$s" -ge "$h" ] || short="$short $n($s<$h)"
done
sw_log "results handled $handled, RRD rows $stored"
assert_ge "$handled" "$((N * 4))" "a burst of results was handled"
[ -z "$short" ] || fail "results missing from the RRD:$short"

start_daemon
sleep 3
assert_eq 1 "$(q "SELECT count(*) FROM tickets WHERE check_name = 'broken'")" \
    "no duplicate ticket after the restart"
stop_daemon
t_end2=$(date +%s)
s=$(rrd_read fetch "$SW_STATE_DIR/rrd/c01.rrd" AVERAGE -s "$t_end" \
    -e "$t_end2" | awk 'NR > 2 && $2 + 0 == 1 { n++ } END { print n + 0 }')
assert_ge "$s" 1 "recording goes on after the restart"
exit 0
