#!/bin/bash
# 12-daemon-reload: SIGHUP reloads without a restart.  A new check in the
# new configuration starts to run; a broken new configuration is reported
# (FILE:LINE in the log) while the old one keeps running; SIGINT stops
# the daemon cleanly like SIGTERM.
set -eu
. "$top_srcdir/tests/lib/common.sh"

start_nginx
write_config defaults.interval=1 defaults.timeout=1
add_check one first "$NGINX_URL/ok" interval=1

access=$SW_TMP/nginx/logs/access.log
hits() {
	grep -c "\"GET $1 HTTP" "$access" 2>/dev/null || true
}

start_daemon
wait_until 10 '[ "$(hits /ok)" -ge 1 ]' || fail "first check never ran"
assert_eq 0 "$(hits /status/201)" "no request for the new path yet"

# A new check in a new file, then SIGHUP.
add_check two second "$NGINX_URL/status/201" interval=1
reload_daemon
wait_until 10 '[ "$(hits /status/201)" -ge 1 ]' ||
    fail "the check added by SIGHUP never ran"
daemon_alive || fail "sitewatchd died on SIGHUP"
pid_before=$SWD_PID

# A reload moves turns and drops checks: a check planned 60 s ahead runs
# within a couple of seconds once its interval becomes 1 s, and a check
# taken out of the configuration runs no more.
add_check slow later "$NGINX_URL/status/202" interval=60 timeout=1
reload_daemon
wait_until 10 '[ "$(hits /status/202)" -ge 1 ]' ||
    fail "the 60 s check never made its first run"
n202=$(hits /status/202)
sed -i 's/^interval = 60$/interval = 1/' "$SW_CHECKS_DIR/slow.conf"
rm "$SW_CHECKS_DIR/one.conf"
reload_daemon
wait_until 5 '[ "$(hits /status/202)" -gt "$n202" ]' ||
    fail "a 60 s check set to 1 s did not run again within 5 s"
sleep 1.5	# a run of "first" started before the reload may still land
nok=$(hits /ok)
sleep 2.5
assert_eq "$nok" "$(hits /ok)" "no run of a check taken out by SIGHUP"
[ "$(hits /status/201)" -gt 0 ] || fail "the kept check stopped"

# A broken new configuration: reported, the old one runs on.
echo "interval = often" >> "$SW_CHECKS_DIR/two.conf"
bad_line=$(grep -n '^interval = often' "$SW_CHECKS_DIR/two.conf" | cut -d: -f1)
reload_daemon
wait_until 10 'grep -q "two.conf:$bad_line" "$SW_LOG"' ||
    fail "the broken reload was not reported as two.conf:$bad_line"
daemon_alive || fail "sitewatchd died on a broken reload"
assert_eq "$pid_before" "$SWD_PID" "same process"
n1=$(hits /status/201)
sleep 2.5
[ "$(hits /status/201)" -gt "$n1" ] ||
    fail "checks stopped after a broken reload"

# SIGINT stops like SIGTERM.
kill -INT "$SWD_PID"
daemon_wait_exit 10
assert_eq 0 "$SWD_EXIT" "exit status after SIGINT"
assert_no_file "$SW_PIDFILE" "pid file removed after SIGINT"
