#!/bin/bash
# 13-daemon-background: without -f, sitewatchd detaches: the command
# returns 0 at once, the pid file names a live sitewatchd that is not the
# command itself, its checks run, and SIGTERM to that pid ends it within
# 10 s and removes the pid file.
set -eu
. "$top_srcdir/tests/lib/common.sh"

start_nginx
write_config defaults.interval=1 defaults.timeout=1
add_check bg bg-ok "$NGINX_URL/ok"
access=$SW_TMP/nginx/logs/access.log

# is_our_daemon PID: PID runs our sitewatchd binary.
is_our_daemon() {
	[ "$(readlink -f "/proc/$1/exe" 2>/dev/null)" = "$(readlink -f "$SWD")" ]
}
# Not a child of this shell: the harness cannot stop it, so do it here.
sw_on_exit 'p=$(cat "$SW_PIDFILE" 2>/dev/null || true);
    if [ -n "$p" ] && is_our_daemon "$p"; then kill -KILL "$p"; fi'

t0=$(date +%s%N)
sw_run timeout 20 "$SWD" -c "$SW_CONF"
assert_eq 0 "$RUN_RC" "detaching start: exit status ($RUN_ERR)"
assert_le $(( ($(date +%s%N) - t0) / 1000000 )) 10000 "returns at once"
wait_until 10 '[ -s "$SW_PIDFILE" ]' || fail "no pid file $SW_PIDFILE"
pid=$(cat "$SW_PIDFILE")
is_our_daemon "$pid" || fail "pid file names $pid, not a running sitewatchd"

wait_until 10 '[ "$(grep -c "GET /ok" "$access" 2>/dev/null)" -ge 2 ]' ||
    fail "the detached daemon runs no checks"

kill -TERM "$pid"
# Negative on purpose: "gone" is what is waited for, and /proc/PID/exe
# of a process that is gone reads as nothing.
wait_until 10 '! is_our_daemon "$pid"' ||
    fail "detached sitewatchd still runs 10 s after SIGTERM"
wait_until 2 '[ ! -e "$SW_PIDFILE" ]' ||
    fail "pid file left behind by the detached daemon"
