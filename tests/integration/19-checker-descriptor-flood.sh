#!/bin/bash
# 19-checker-descriptor-flood: the daemon under a 1024-descriptor limit
# (prlimit 1024:1024, so raising to the hard limit changes nothing), 40
# healthy checks every 2 s, and 1,100 idle connections to the dashboard
# held for 20 s.  The web's cap keeps the probes' descriptors: no check
# goes down, no ticket opens, nginx keeps seeing the checks on schedule,
# the dashboard answers after the flood, and the log says little.
set -eu
. "$top_srcdir/tests/lib/common.sh"

command -v prlimit >/dev/null 2>&1 || skip "prlimit is not installed"
start_nginx
write_config daemon.max_parallel=100 defaults.interval=2 \
    defaults.timeout=2 smtp.staff=staff@example.com
add_site shop "Shop Ltd" en owner@shop.example
for i in $(seq 1 40); do
	add_check shop "site-$i" "$NGINX_URL/ok?n=$i"
done
# -t refuses what cannot fit under the limit, naming the key's line.
cp "$SW_CONF" "$SW_TMP/big.conf"
sed -i 's/^max_parallel = 100$/max_parallel = 400/' "$SW_TMP/big.conf"
sw_run prlimit --nofile=1024:1024 "$SWD" -t -c "$SW_TMP/big.conf"
assert_eq 1 "$RUN_RC" "-t with max_parallel 400 under 1024 descriptors"
line=$(grep -n '^max_parallel' "$SW_TMP/big.conf" | cut -d: -f1)
assert_contains "$RUN_ERR" "big.conf:$line: max_parallel 400 needs" "-t names FILE:LINE"
sw_run prlimit --nofile=1024:1024 "$SWD" -t -c "$SW_CONF"
assert_eq 0 "$RUN_RC" "-t with max_parallel 100: $RUN_ERR"

# The daemon itself runs under the limit (exec keeps its pid).
REAL_SWD=$SWD
SWD=$SW_TMP/sitewatchd-1024
printf '#!/bin/sh\nexec prlimit --nofile=1024:1024 %s "$@"\n' "$REAL_SWD" \
    > "$SWD"
chmod +x "$SWD"
start_daemon
B=http://127.0.0.1:$SW_HTTP_PORT
assert_eq "1024 1024" "$(awk '/^Max open files/ { print $4, $5 }' \
    "/proc/$SWD_PID/limits")" "the daemon's descriptor limit"
assert_contains "$(cat "$SW_LOG")" "for web connections" \
    "the descriptor budget is logged"

ups() {
	curl -s -m 5 "$B/api/v1/checks" | "$SW_PY" -c '
import json, sys
print(sum(1 for c in json.load(sys.stdin) if c["state"] == "up"))' \
	    2>/dev/null || echo 0
}
wait_until 20 '[ "$(ups)" = 40 ]' || fail "the 40 checks never all came up"

access=$SW_TMP/nginx/logs/access.log
hits() { grep -c '"GET /ok?n=' "$access" || true; }
log_before=$(wc -l < "$SW_LOG")

cat > "$SW_TMP/flood.py" <<'PY'
import socket, sys, time
port, n, secs = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
held = []
for i in range(n):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.%d" % (1 + i % 11), 0))   # 11 client addresses
    s.setblocking(False)
    s.connect_ex(("127.0.0.1", port))
    held.append(s)
open(sys.argv[4], "w").write("%d\n" % len(held))
time.sleep(secs)
for s in held:
    s.close()
PY
n1=$(hits)
t0=$(date +%s)
"$SW_PY" "$SW_TMP/flood.py" "$SW_HTTP_PORT" 1100 20 "$SW_TMP/flood.ready" \
    > "$SW_TMP/flood.out" 2>&1 &
FLOOD_PID=$!
sw_on_exit "kill $FLOOD_PID 2>/dev/null || true"
wait_until 10 '[ -s "$SW_TMP/flood.ready" ]' || fail "the flood did not start"
assert_eq 1100 "$(cat "$SW_TMP/flood.ready")" "connections opened"
wait "$FLOOD_PID" || fail "the flood script failed: $(cat "$SW_TMP/flood.out")"
t1=$(date +%s)
n2=$(hits)
daemon_alive || fail "sitewatchd died under the flood"

# 40 checks every 2 s: 20 a second; allow for a slow, shared machine.
elapsed=$((t1 - t0))
assert_ge $((n2 - n1)) $((elapsed * 20 * 7 / 10)) \
    "checks reaching nginx during the ${elapsed} s flood"

wait_until 10 '[ "$(curl -s -o /dev/null -m 2 -w "%{http_code}" "$B/")" = 200 ]' ||
    fail "the dashboard does not answer after the flood"
http_req GET "$B/api/v1/tickets?status=open"
assert_eq 200 "$HTTP_STATUS" "tickets API"
assert_eq 0 "$(echo "$HTTP_BODY" |
    "$SW_PY" -c 'import json,sys; print(len(json.load(sys.stdin)))')" \
    "open tickets after the flood"
assert_eq 40 "$(ups)" "checks up after the flood"
flood_log=$(tail -n +"$((log_before + 1))" "$SW_LOG")
assert_not_contains "$flood_log" "-> down" "a check went down"
assert_not_contains "$flood_log" "impaired" "the checker was impaired"
assert_not_contains "$flood_log" "Error from accept" "libevent's accept noise"
n=$(printf '%s\n' "$flood_log" | grep -c 'web:' || true)
assert_le "$n" 3 "log lines about the flood"
http_req GET "$B/metrics"
assert_contains "$HTTP_BODY" "sitewatch_checker_impaired 0" "metrics"
assert_contains "$HTTP_BODY" 'sitewatch_checker_local_failures_total{kind="descriptors"} 0' \
    "metrics: no local failures"
[ -z "$(ls -A "$SW_STATE_DIR/outbox" 2>/dev/null)" ] ||
    fail "mail was queued: $(ls "$SW_STATE_DIR/outbox")"
stop_daemon
