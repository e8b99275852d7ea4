#!/bin/bash
# 68-crash-no-loss: the default configuration (rrdcached empty: the
# daemon runs its own, journal in state_dir) loses no result on a crash:
#   - 12 checks at interval 1 run ~25 s; the daemon is SIGKILLed; its
#     rrdcached writes out and ends (or is stopped by the next start);
#     after a restart every result the daemon handled before the kill
#     (its debug line per result), but for the last 2 s, is a row in
#     the RRD (rrd_read fetch, flushed through the new rrdcached);
#   - again, with the daemon and its rrdcached SIGKILLed together (a
#     power cut, an OOM kill of the group): the new rrdcached replays
#     the journal, and the same holds;
#   - one rrdcached of ours at any time, none after the stop;
#   - a child that dies (SIGKILL) is restarted, the daemon stays up.
set -eu
. "$top_srcdir/tests/lib/common.sh"
command -v rrdcached >/dev/null 2>&1 || skip "rrdcached is not installed"
N=12
SOCK=$SW_STATE_DIR/rrdcached.sock

ours() {
	pgrep -f -- "-l unix:$SOCK" 2>/dev/null | wc -l
}
child_pid() {
	cat "$SW_STATE_DIR/rrdcached.pid" 2>/dev/null
}

start_nginx
write_config
add_site web "Web Ltd"
for i in $(seq -w 1 "$N"); do
	add_check web "c$i" "$NGINX_URL/ok?$i" interval=1 timeout=1
done

# crash_round SIGNAL_CHILD_TOO SECONDS: run, SIGKILL, check the rows.
crash_round() {
	local both=$1 secs=$2 t0 tk cpid i n f h s short= handled=0 slack=2
	# Both killed: rrdcached's journal lines for the last BATCHes may
	# not have reached the kernel either (it writes the journal through
	# a stdio buffer); a loaded CI run lost 4 s of one check there once.
	[ "$both" = 0 ] || slack=5
	t0=$(date +%s)
	start_daemon -v
	wait_until 10 '[ -S "$SOCK" ] && [ -n "$(child_pid)" ] &&
	    [ "$(ours)" = 1 ]' ||
	    fail "no rrdcached of the daemon's own on $SOCK"
	cpid=$(child_pid)
	assert_eq 1 "$(ours)" "one rrdcached of ours while running"
	assert_contains "$(tr '\0' ' ' < "/proc/$cpid/cmdline")" "-j" \
	    "rrdcached runs with a journal"
	sleep "$secs"
	if [ "$both" = 1 ]; then
		kill -KILL "$SWD_PID" "$cpid"
	else
		kill -KILL "$SWD_PID"
	fi
	tk=$(date +%s)
	wait "$SWD_PID" 2>/dev/null || true
	_sw_untrack "$SWD_PID"
	SWD_PID=
	echo "=== $(date -u +%FT%TZ) SIGKILLed (rrdcached too: $both)" >> "$SW_LOG"
	cp "$SW_LOG" "$SW_TMP/log.round"

	# The old socket file may outlive a killed rrdcached: wait for the
	# new child's pid.
	start_daemon -v
	wait_until 10 '[ -S "$SOCK" ] && [ -n "$(child_pid)" ] &&
	    [ "$(child_pid)" != "$cpid" ]' ||
	    fail "no new rrdcached after the restart"
	wait_until 5 '[ "$(ours)" = 1 ]' ||
	    fail "not one rrdcached of ours after the restart: $(ours)"
	for i in $(seq -w 1 "$N"); do
		n=c$i
		f=$SW_STATE_DIR/rrd/$n.rrd
		# Results of this round, as the debug log of the killed run
		# saw them, less the last 2 s before the kill.
		h=$(awk -v n="probe $n: up/" '
		    /^=== .*start_daemon/ { k++ }
		    index($0, n) { c[k]++ }
		    END { print c[k] + 0 }' "$SW_TMP/log.round")
		s=$(rrd_known_rows "$f" "$((t0 - 1))" "$tk") ||
		    fail "$n.rrd cannot be read"
		handled=$((handled + h))
		[ "$s" -ge "$((h - slack))" ] || short="$short $n($s<$h)"
	done
	sw_log "round (both=$both): $handled results handled before the kill"
	assert_ge "$handled" "$((N * (secs - 5)))" "results were handled"
	[ -z "$short" ] || fail "results lost in the crash (both=$both):$short"
	stop_daemon
	wait_until 5 '[ "$(ours)" = 0 ]' ||
	    fail "rrdcached of ours still runs after the stop"
}

crash_round 0 25
crash_round 1 20

# The child alone dies: the daemon starts a new one (after its backoff)
# and writes directly meanwhile; still one of ours, none after the stop.
start_daemon
wait_until 10 '[ -S "$SOCK" ] && [ "$(ours)" = 1 ]' || fail "no rrdcached"
old=$(child_pid)
kill -KILL "$old"
wait_until 15 '[ -n "$(child_pid)" ] && [ "$(child_pid)" != "$old" ] &&
    [ "$(ours)" = 1 ]' || fail "rrdcached not restarted after it died"
assert_contains "$(cat "$SW_LOG")" "restarting rrdcached in 1 s" \
    "the restart is logged"
daemon_alive || fail "the daemon died with its rrdcached"
stop_daemon
wait_until 5 '[ "$(ours)" = 0 ]' || fail "rrdcached of ours runs on"
exit 0
