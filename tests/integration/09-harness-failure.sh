#!/bin/bash
# 09-harness-failure: the harness's failure paths, seen from outside.
# Small scenarios written here are run as child processes:
#   - one that fails after starting nginx and SMTP: exit 1, the message,
#     the kept temp dir with its logs, every server stopped, every port
#     reservation released;
#   - one that hangs: the watchdog ends it after SW_TEST_TIMEOUT;
#   - one whose daemon cannot start: start_daemon fails and shows why;
#   - one that passes: its temp dir is removed.
set -eu
. "$top_srcdir/tests/lib/common.sh"

inner=$SW_TMP/inner
mkdir -p "$inner"

# run_inner NAME BODY [ENV...]: write and run a scenario; sets RUN_*.
run_inner() {
	local name=$1 body=$2
	shift 2
	{
		echo '#!/bin/bash'
		echo 'set -eu'
		echo '. "$top_srcdir/tests/lib/common.sh"'
		printf '%s\n' "$body"
	} > "$inner/$name.sh"
	chmod +x "$inner/$name.sh"
	sw_run env "$@" top_srcdir="$top_srcdir" top_builddir="$top_builddir" \
	    timeout 60 "$inner/$name.sh"
}

# kept_dir: the temp dir a failed inner scenario reported.
kept_dir() {
	sed -n 's/.*files kept in \(\/tmp\/sw-[^ ]*\).*/\1/p' <<<"$RUN_ERR" |
	    tail -n 1
}

# 1. Fails with servers running.
run_inner fails '
start_nginx
start_smtp accept
echo "$NGINX_PID $SMTP_PID $HANG_PID" > "$INNER_OUT"
cat "$SW_TMP/.ports" >> "$INNER_OUT"
curl -s -o /dev/null "$NGINX_URL/ok" || true
fail "on purpose"' INNER_OUT="$inner/fails.out"
assert_eq 1 "$RUN_RC" "failing scenario: exit status"
assert_contains "$RUN_ERR" "FAIL: fails: on purpose" "failing scenario: message"
kept=$(kept_dir)
[ -n "$kept" ] && [ -d "$kept" ] || fail "no kept dir reported: $RUN_ERR"
sw_on_exit "rm -rf '$kept'"
assert_file_exists "$kept/nginx/logs/access.log" "kept dir has nginx logs"
assert_contains "$RUN_ERR" "tail of nginx/logs/access.log" \
    "failing scenario: log tails printed"
assert_contains "$RUN_ERR" "GET /ok" "failing scenario: access log shown"
read -r p_nginx p_smtp p_hang < "$inner/fails.out"
for p in $p_nginx $p_smtp $p_hang; do
	[ ! -d "/proc/$p" ] || fail "pid $p still runs after the scenario"
done
for port in $(tail -n +2 "$inner/fails.out"); do
	[ ! -d "/tmp/sitewatch-test-ports/$port" ] ||
	    fail "port $port still reserved"
	port_open "$port" && fail "something still listens on $port"
done

# 2. Hangs: the watchdog ends it.
t0=$(date +%s%N)
run_inner hangs '
start_nginx
curl -s "http://127.0.0.1:$HANG_PORT/" > /dev/null' SW_TEST_TIMEOUT=3
elapsed=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$RUN_RC" -ne 0 ] || fail "hanging scenario passed"
assert_contains "$RUN_ERR" "timed out after 3 s" "hanging scenario: message"
assert_le "$elapsed" 20000 "hanging scenario: ended by the watchdog"
kept=$(kept_dir)
[ -z "$kept" ] || sw_on_exit "rm -rf '$kept'"

# 3. The daemon cannot start: start_daemon says so and shows its log.
if [ -x "$SWD" ]; then
	run_inner nodaemon '
write_config defaults.interval=banana
add_check x x1 "http://127.0.0.1:1/"
start_daemon
echo "not reached"'
	assert_eq 1 "$RUN_RC" "daemon start failure: exit status"
	assert_contains "$RUN_ERR" "sitewatchd exited early" \
	    "daemon start failure: message"
	assert_contains "$RUN_ERR" "tail of sitewatchd.log" \
	    "daemon start failure: log shown"
	assert_contains "$RUN_ERR" "sitewatch.conf:" \
	    "daemon start failure: the daemon's own error shown"
	assert_not_contains "$RUN_OUT" "not reached" \
	    "daemon start failure: the scenario stopped"
	kept=$(kept_dir)
	[ -z "$kept" ] || sw_on_exit "rm -rf '$kept'"
fi

# 4. Passes: nothing left behind.
run_inner passes '
start_nginx
echo "$SW_TMP" > "$INNER_OUT"' INNER_OUT="$inner/passes.out"
assert_eq 0 "$RUN_RC" "passing scenario: exit status ($RUN_ERR)"
assert_no_file "$(cat "$inner/passes.out")" "passing scenario: temp dir removed"

# 5. A skip stays a skip.
run_inner skips 'skip "no such tool"'
assert_eq 77 "$RUN_RC" "skipping scenario: exit status"
