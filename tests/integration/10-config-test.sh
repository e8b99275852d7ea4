#!/bin/bash
# 10-config-test: `sitewatchd -t` validates the configuration.  A good
# one exits 0; a broken one exits 1 and prints `FILE:LINE: message` for
# each error -- every error of every file in one run -- with the right
# file and line.  The daemon refuses to start on a broken one.  A timeout
# longer than the interval is accepted, and the daemon then never runs a
# check twice at once: seen from the target, one connection at a time.
set -eu
. "$top_srcdir/tests/lib/common.sh"

# new_case NAME: point the config writers at a fresh folder.
new_case() {
	SW_CONF=$SW_TMP/$1/sitewatch.conf
	SW_CHECKS_DIR=$SW_TMP/$1/checks.d
	mkdir -p "$SW_CHECKS_DIR"
}

# line_of FILE REGEX: the number of the first line matching REGEX.
line_of() {
	local n
	n=$(grep -n -E -m1 -- "$2" "$1" | cut -d: -f1)
	[ -n "$n" ] || fail "line_of: no '$2' in $1"
	echo "$n"
}

# config_test: run sitewatchd -t on $SW_CONF.
config_test() {
	sw_run timeout 30 "$SWD" -t -c "$SW_CONF"
	[ "$RUN_RC" -ne 124 ] || fail "sitewatchd -t hung"
}

# assert_reports FILE LINE MSG: -t failed and named FILE:LINE.
assert_reports() {
	assert_eq 1 "$RUN_RC" "$3: exit status of -t"
	assert_contains "$RUN_ERR" "$1:$2:" "$3: FILE:LINE"
}

# Every error line is FILE:LINE: message.
assert_error_format() {
	local l n=0
	while IFS= read -r l; do
		[ -n "$l" ] || continue
		n=$((n + 1))
		[[ $l =~ ^[^:]+:[0-9]+:\ .+ ]] ||
		    fail "$1: not FILE:LINE: message: '$l'"
	done <<<"$RUN_ERR"
	assert_ge "$n" 1 "$1: at least one error line"
}

# 1. A good configuration, using many keys.
new_case good
write_config defaults.interval=30 defaults.timeout=5 smtp.port=2525 \
    "smtp.staff=ops@example.com, oncall@example.com" smtp.group_window=10
add_site shop "Shop Ltd" tr "owner@shop.example, it@shop.example"
add_check shop shop-home "http://127.0.0.1:1/" interval=60 timeout=10 \
    method=GET "header=User-Agent: sitewatch" "header=X-Test: 1" \
    expect_status=200-399 "expect_text=Add to cart" max_body=1048576 \
    slow_ms=2000 down_ms=8000 cert_warn_days=14 retries=2 recover=2 \
    renotify=60 "maintenance=Sun 02:00-04:00" \
    "maintenance=2026-12-01T02:00/2026-12-01T04:00" follow_redirects=yes \
    ip=any
add_check shop shop-api "https://localhost:1/api" interval=30 \
    expect_status=200,204 depends=shop-home
add_site blog "Blog"
add_check blog blog.home_1 "http://localhost:1/"
config_test
assert_eq 0 "$RUN_RC" "good config: exit status (stderr: $RUN_ERR)"

# 2. A bad value in the main file.
new_case main-bad
write_config defaults.interval=abc
add_check site s1 "http://127.0.0.1:1/"
config_test
assert_reports "$SW_CONF" "$(line_of "$SW_CONF" '^interval = abc')" \
    "interval=abc in sitewatch.conf"
assert_error_format "interval=abc"

# 3. A bad expect_status in a checks.d file, below a good check.
new_case status-bad
write_config
add_check shop ok-check "http://127.0.0.1:1/"
add_check shop bad-status "http://127.0.0.1:1/x" expect_status=banana
f=$SW_CHECKS_DIR/shop.conf
config_test
assert_reports "$f" "$(line_of "$f" '^expect_status = banana')" \
    "expect_status=banana"
assert_error_format "expect_status=banana"

# 4. An unknown key (a typo must not pass silently).
new_case unknown-key
write_config
add_check shop typo "http://127.0.0.1:1/" slow_msec=100
f=$SW_CHECKS_DIR/shop.conf
config_test
assert_reports "$f" "$(line_of "$f" '^slow_msec = ')" "unknown key slow_msec"

# 5. Errors in two files and in the main file: all reported in one run.
new_case many
write_config defaults.timeout=-5
add_check a a1 "http://127.0.0.1:1/" interval=0
add_check b b1 "http://127.0.0.1:1/" retries=many
config_test
assert_reports "$SW_CONF" "$(line_of "$SW_CONF" '^timeout = -5')" \
    "many: timeout=-5 in sitewatch.conf"
assert_reports "$SW_CHECKS_DIR/a.conf" \
    "$(line_of "$SW_CHECKS_DIR/a.conf" '^interval = 0')" "many: interval=0"
assert_reports "$SW_CHECKS_DIR/b.conf" \
    "$(line_of "$SW_CHECKS_DIR/b.conf" '^retries = many')" \
    "many: retries=many"
assert_error_format "many"

# 6. A check NAME outside [A-Za-z0-9._-].
new_case bad-name
write_config
add_check shop "bad/name" "http://127.0.0.1:1/"
f=$SW_CHECKS_DIR/shop.conf
config_test
assert_reports "$f" "$(line_of "$f" '^\[check bad/name\]')" "bad check name"

# 7. The same NAME in two files.
new_case dup
write_config
add_check a same "http://127.0.0.1:1/"
add_check b same "http://127.0.0.1:2/"
config_test
assert_eq 1 "$RUN_RC" "duplicate name: exit status"
assert_contains "$RUN_ERR" "same" "duplicate name: named"
assert_contains "$RUN_ERR" "$SW_CHECKS_DIR/" "duplicate name: file named"
assert_error_format "duplicate name"

# 8. The daemon itself refuses a broken configuration, and says why.
new_case main-bad
sw_run timeout 30 "$SWD" -f -c "$SW_CONF"
assert_eq 1 "$RUN_RC" "sitewatchd on a broken config: exit status"
assert_contains "$RUN_ERR" "$SW_CONF:" "sitewatchd on a broken config: where"
[ ! -e "$SW_STATE_DIR/sitewatchd.pid" ] ||
    fail "sitewatchd left a pid file after refusing to start"

# 9. A missing configuration file is an error too.
sw_run timeout 30 "$SWD" -t -c "$SW_TMP/nonexistent.conf"
assert_eq 1 "$RUN_RC" "missing config: exit status"
assert_contains "$RUN_ERR" "nonexistent.conf" "missing config: named"

# 10. A timeout longer than the interval is accepted, written in any of
# the three ways: from [defaults] over the check's interval, in the check
# itself, or both in [defaults].
new_case timeout-defaults
write_config defaults.timeout=10
add_check shop t1 "http://127.0.0.1:1/" interval=5
config_test
assert_eq 0 "$RUN_RC" "[defaults] timeout over a check's interval (stderr: $RUN_ERR)"
assert_eq "$SW_CONF: configuration OK (1 checks)" "$RUN_ERR" \
    "[defaults] timeout over a check's interval: no warning"
new_case timeout-check
write_config
add_check shop t2 "http://127.0.0.1:1/" interval=2 timeout=5
config_test
assert_eq 0 "$RUN_RC" "check timeout over its interval (stderr: $RUN_ERR)"
assert_eq "$SW_CONF: configuration OK (1 checks)" "$RUN_ERR" \
    "check timeout over its interval: no warning"
new_case timeout-both
write_config defaults.interval=2 defaults.timeout=5
add_check shop t3 "http://127.0.0.1:1/"
config_test
assert_eq 0 "$RUN_RC" "both in [defaults] (stderr: $RUN_ERR)"
assert_eq "$SW_CONF: configuration OK (1 checks)" "$RUN_ERR" \
    "both in [defaults]: no warning"

# 11. Runs never overlap.  The target answers after 2.5 s; the check runs
# every second with a 3 s timeout.  The target counts its connections and
# the most it ever held at once; the daemon skips the turns that fall
# while a run is in flight and counts them in /metrics.
new_case no-overlap
cat > "$SW_TMP/slow_server.py" <<'PY'
import socket, sys, threading, time
port, state, lifetime = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
lock = threading.Lock()
n = {"total": 0, "cur": 0, "max": 0}
def save():
    with open(state + ".tmp", "w") as f:
        f.write("%d %d %d\n" % (n["total"], n["max"], n["cur"]))
    import os; os.replace(state + ".tmp", state)
def serve(c):
    with lock:
        n["total"] += 1; n["cur"] += 1; n["max"] = max(n["max"], n["cur"])
        save()
    try:
        c.settimeout(10)
        buf = b""
        while b"\r\n\r\n" not in buf:
            d = c.recv(4096)
            if not d:
                break
            buf += d
        time.sleep(2.5)
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
                  b"Connection: close\r\n\r\nok")
    except OSError:
        pass
    finally:
        c.close()
        with lock:
            n["cur"] -= 1
            save()
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", port))
ls.listen(16)
ls.settimeout(1.0)
save()
end = time.monotonic() + lifetime
while time.monotonic() < end:
    try:
        c, _ = ls.accept()
    except socket.timeout:
        continue
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
P=$(free_port) || fail "no free port"
"$SW_PY" "$SW_TMP/slow_server.py" "$P" "$SW_TMP/slow.state" 120 \
    </dev/null >"$SW_TMP/slow.log" 2>&1 &
SPID=$!
_sw_track "$SPID" slow_server
wait_until 10 "[ -s '$SW_TMP/slow.state' ]" || fail "slow server did not start"
write_config
add_check shop slow "http://127.0.0.1:$P/" interval=1 timeout=3 \
    slow_ms=5000 down_ms=6000
config_test
assert_eq 0 "$RUN_RC" "interval=1 timeout=3: -t (stderr: $RUN_ERR)"
start_daemon
# Three runs take at least 2 x 3 s of turns: wait for the third to reach
# the target.
wait_until 20 "[ \"\$(cut -d' ' -f1 '$SW_TMP/slow.state')\" -ge 3 ]" ||
    fail "the target saw fewer than 3 runs: $(cat "$SW_TMP/slow.state")"
read -r total most cur < "$SW_TMP/slow.state"
sw_log "slow target: $total connections, at most $most at once"
assert_eq 1 "$most" "connections held at once by the slow target"
http_req GET "http://127.0.0.1:$SW_HTTP_PORT/metrics"
assert_eq 200 "$HTTP_STATUS" "/metrics"
skipped=$(printf '%s\n' "$HTTP_BODY" |
    sed -n 's/^sitewatch_checks_total{event="skipped"} \([0-9]*\)$/\1/p')
# Two full runs done: each let at least two turns pass (2.5 s > 2 x 1 s).
assert_ge "${skipped:-x}" 4 "skipped turns counted in /metrics"
stop_daemon
read -r total most cur < "$SW_TMP/slow.state"
assert_eq 1 "$most" "connections held at once, after the stop"
kill -TERM "$SPID" 2>/dev/null || true
wait "$SPID" 2>/dev/null || true
_sw_untrack "$SPID"
