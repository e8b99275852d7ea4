#!/bin/bash
# 55-web-metrics-many: /metrics of 3,000 checks is larger than one answer
# is allowed to be, so it goes out in chunks rendered as the client reads:
# the answer is complete (every check has its four state samples, every
# family its HELP and TYPE once, the daemon-wide tail comes last) and says
# the same as the one-piece answer an HTTP/1.0 client gets; clients that
# hang up mid-answer, or read several answers at once, cost nothing (the
# daemon goes on and stops cleanly: under ASan, without a leak), with
# the state of every check that ran saved.
set -eu
. "$top_srcdir/tests/lib/common.sh"

N=3000
start_nginx
write_config defaults.interval=3600 defaults.timeout=2
# Labels to escape in every sample, across chunk boundaries.
for s in $(seq 1 30); do
	add_site "s$s" "Site \"$s\" \\ many" en
done
awk -v n="$N" -v dir="$SW_CHECKS_DIR" -v url="$NGINX_URL/ok" 'BEGIN {
	for (i = 1; i <= n; i++) {
		f = sprintf("%s/s%d.conf", dir, int((i - 1) / 100) + 1)
		printf "[check m%05d]\nurl = %s\n\n", i, url >> f
		close(f)
	}
}'
start_daemon
# 3,000 checks take a moment (seconds under ASan on a busy machine).
wait_until 60 "grep -q 'started: ' '$SW_LOG'" || fail "sitewatchd did not start"
B=http://127.0.0.1:$SW_HTTP_PORT
# The ticket and mail-queue families come with the web's first database
# refresh, a job of its own: both answers compared below must come after
# it, or the first lacks two families the second has.  (HTTP/1.1: a
# one-piece answer would be cached and served to the next request.)
db_refreshed() {
	curl -s --max-time 30 -o "$SW_TMP/m-first" "$B/metrics" &&
	    grep -q '^sitewatch_mail_queue' "$SW_TMP/m-first"
}
wait_until 60 db_refreshed || fail "the web's first database refresh never landed"

# check_body FILE WHAT: the whole answer is there, in the right shape.
check_body() {
	local f=$1 what=$2 n bad
	n=$(grep -c '^sitewatch_check_state{' "$f" || true)
	assert_eq $((4 * N)) "$n" "$what: state samples"
	n=$(grep '^sitewatch_check_state{' "$f" |
	    sed 's/,site=.*//' | sort -u | wc -l)
	assert_eq "$N" "$n" "$what: checks with state samples"
	n=$(grep -c '^sitewatch_check_state{.*} 1$' "$f" || true)
	assert_eq "$N" "$n" "$what: one state per check"
	n=$(grep -c "site=\"Site \\\\\"7\\\\\" \\\\\\\\ many\"" "$f" || true)
	assert_ge "$n" 400 "$what: escaped site labels"
	assert_eq "sitewatch_checks_configured $N" \
	    "$(grep '^sitewatch_checks_configured ' "$f")" "$what: configured"
	case $(tail -n 1 "$f") in
	'sitewatch_web_replies_total{code="5xx"} '*) ;;
	*) fail "$what: does not end with the tail: $(tail -n 1 "$f")" ;;
	esac
	n=$(grep '^# HELP ' "$f" | awk '{ print $3 }' | sort | uniq -d)
	assert_eq "" "$n" "$what: families with two HELP lines"
	assert_eq "$(grep -c '^# HELP ' "$f")" "$(grep -c '^# TYPE ' "$f")" \
	    "$what: HELP and TYPE"
	bad=$(grep -v '^#' "$f" | grep -Ev '^[a-z_]+(\{([a-z_]+="([^"\\]|\\.)*",?)+\})? -?[0-9.e+-]+$' || true)
	assert_eq "" "$bad" "$what: lines that do not parse"
}

# ---- HTTP/1.1: in chunks
curl -s --max-time 30 -D "$SW_TMP/h1" -o "$SW_TMP/m1" "$B/metrics" ||
    fail "GET /metrics failed"
tr -d '\r' < "$SW_TMP/h1" > "$SW_TMP/h1n"
assert_contains "$(cat "$SW_TMP/h1n")" "HTTP/1.1 200 OK" "status"
assert_contains "$(cat "$SW_TMP/h1n")" "Transfer-Encoding: chunked" "chunked"
assert_contains "$(cat "$SW_TMP/h1n")" \
    "Content-Type: text/plain; version=0.0.4; charset=utf-8" "type"
assert_contains "$(cat "$SW_TMP/h1n")" "X-Content-Type-Options: nosniff" \
    "security headers"
assert_ge "$(wc -c < "$SW_TMP/m1")" 500000 "a body larger than one piece"
check_body "$SW_TMP/m1" "chunked"

# ---- HTTP/1.0: one piece, the same families in the same order
curl -s -0 --max-time 30 -D "$SW_TMP/h0" -o "$SW_TMP/m0" "$B/metrics" ||
    fail "GET /metrics (HTTP/1.0) failed"
assert_not_contains "$(tr -d '\r' < "$SW_TMP/h0")" "Transfer-Encoding" \
    "one piece"
check_body "$SW_TMP/m0" "HTTP/1.0"
assert_eq "$(grep '^#' "$SW_TMP/m1")" "$(grep '^#' "$SW_TMP/m0")" \
    "the same families"
assert_eq "$(grep '^sitewatch_check_state{' "$SW_TMP/m1" | sed 's/}.*//')" \
    "$(grep '^sitewatch_check_state{' "$SW_TMP/m0" | sed 's/}.*//')" \
    "the same state series, in the same order"

# ---- HEAD: headers only
code=$(curl -s -I -o "$SW_TMP/hh" -w '%{http_code}' "$B/metrics")
assert_eq 200 "$code" "HEAD"

# ---- clients that hang up mid-answer: a reset, and a timeout
"$SW_PY" - "$SW_HTTP_PORT" <<'EOF'
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
s.recv(4096)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
EOF
curl -s --limit-rate 200k --max-time 1 -o /dev/null "$B/metrics" || true

# ---- four at once, all complete
pids=
for k in 1 2 3 4; do
	curl -s --max-time 30 -o "$SW_TMP/p$k" "$B/metrics" &
	pids="$pids $!"
done
for p in $pids; do
	wait "$p" || fail "a parallel GET /metrics failed"
done
for k in 1 2 3 4; do
	check_body "$SW_TMP/p$k" "parallel $k"
done

# ---- one left half-read when the daemon stops
"$SW_PY" - "$SW_HTTP_PORT" > "$SW_TMP/stall.out" <<'EOF' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
print(len(s.recv(1000)), flush=True)
time.sleep(4)
EOF
STALL_PID=$!
sw_on_exit "kill $STALL_PID"
wait_until 10 "[ -s '$SW_TMP/stall.out' ]" || fail "stalled client got nothing"

daemon_alive || fail "sitewatchd died"
stop_daemon
wait "$STALL_PID" || true

# ---- every check that ran has its state in the database after the stop
# (the stop saves what is due in chunks, each written before the next is
# made); the first turns are spread over the hour, so not all 3,000 ran
ran=$(grep -c 'check m[0-9]*: unknown -> up' "$SW_LOG" || true)
[ "$ran" -gt 100 ] || fail "only $ran checks ran"
n=$(sqlite3 "$SW_STATE_DIR/sitewatch.db" \
    "SELECT count(*) FROM check_state WHERE name LIKE 'm%' AND state = 'up'")
assert_eq "$ran" "$n" "check states saved, up"
