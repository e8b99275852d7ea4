#!/bin/bash
# 11-daemon-lifecycle: sitewatchd runs its checks and stops cleanly.
# Three checks against nginx (interval 1-2 s) and one against a server
# that never answers (timeout 2 s, so it is nearly always in flight):
#   - the daemon writes its pid file and stays up;
#   - nginx sees the checks arrive, again and again (the scheduler and
#     the probe really run), and the log names the checks;
#   - SIGTERM, even with a check hanging, ends it with status 0 within
#     10 s, and the pid file is gone.
set -eu
. "$top_srcdir/tests/lib/common.sh"

start_nginx
write_config defaults.interval=2 defaults.timeout=2
add_site life "Life Ltd"
add_check life ok1 "$NGINX_URL/ok" interval=1 timeout=1
add_check life ok2 "$NGINX_URL/status/200" interval=2
add_check life kw "$NGINX_URL/keyword" interval=2 "expect_text=Add to cart"
add_check life hang "http://127.0.0.1:$HANG_PORT/" interval=2 timeout=2

access=$SW_TMP/nginx/logs/access.log
# hits PATH: how many requests for PATH nginx has logged.
hits() {
	grep -c "\"GET $1 HTTP" "$access" 2>/dev/null || true
}

start_daemon -v
assert_eq "$SWD_PID" "$(cat "$SW_PIDFILE")" "pid file holds the daemon's pid"

# The checks run, and keep running.
wait_until 10 '[ "$(hits /ok)" -ge 2 ]' ||
    fail "no repeated check of /ok within 10 s (nginx saw $(hits /ok))"
wait_until 10 '[ "$(hits /status/200)" -ge 1 ] && [ "$(hits /keyword)" -ge 1 ]' ||
    fail "ok2/kw never reached nginx"
n1=$(hits /ok)
sleep 3
n2=$(hits /ok)
[ $((n2 - n1)) -ge 2 ] ||
    fail "/ok checked $((n2 - n1)) times in 3 s at interval 1"
[ $((n2 - n1)) -le 6 ] ||
    fail "/ok checked $((n2 - n1)) times in 3 s at interval 1: too often"
daemon_alive || fail "sitewatchd died while running checks"

# The hanging check was tried: the listener holds its connection.
wait_until 5 '[ -n "$(ss -Htn state established "( dport = :$HANG_PORT )" 2>/dev/null)" ]' ||
    fail "the hang check never connected to HANG_PORT"

# The log names the checks (results are logged at debug with -v).
wait_until 5 'grep -q "ok1" "$SW_LOG" && grep -q "hang" "$SW_LOG"' ||
    fail "the log never mentions the checks ok1 and hang"

# Stop while the hang check is in flight.
stop_daemon
assert_le "$SWD_STOP_MS" 10000 "stopped within 10 s of SIGTERM"
assert_no_file "$SW_PIDFILE" "pid file removed on exit"
n3=$(hits /ok)
sleep 1.5
assert_eq "$n3" "$(hits /ok)" "no checks after the daemon stopped"
# The state folder was made.
[ -d "$SW_STATE_DIR/rrd" ] || fail "state_dir/rrd was not created"
