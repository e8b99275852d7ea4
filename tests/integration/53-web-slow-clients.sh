#!/bin/bash
# 53-web-slow-clients: clients that are slow, silent, greedy or gone
# cannot hold up the checks or the other clients.
#   - 150 connections trickle header lines (slowloris) and 50 say nothing:
#     the checks keep their pace, and / still answers at once;
#   - the silent ones are closed by the server's idle time before a request (5 s);
#   - clients that ask for graphs and hang up before the answer do no harm;
#   - oversized headers are refused.
set -eu
. "$top_srcdir/tests/lib/common.sh"
# librrd leaks a little per graph (PLATFORM.md); LeakSanitizer can only
# match that to the librrd suppression with full stack unwinding.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"

start_nginx
write_config defaults.interval=1 defaults.timeout=1
add_site shop "Shop Ltd" en
add_check shop shop-home "$NGINX_URL/ok"
add_check shop shop-b "$NGINX_URL/status/200"
start_daemon
B=http://127.0.0.1:$SW_HTTP_PORT
wait_json 10 "$B/api/v1/checks" 'j[0]["state"] == "up"' ||
    fail "shop-home never came up: $WAIT_BODY"

access=$SW_TMP/nginx/logs/access.log
hits() { grep -c '"GET /ok HTTP' "$access" || true; }

cat > "$SW_TMP/slow.py" <<'EOF'
import socket, sys, time
port, secs = int(sys.argv[1]), float(sys.argv[2])
trickle, silent = [], []
for i in range(150):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
    trickle.append(s)
for i in range(50):
    silent.append(socket.create_connection(("127.0.0.1", port)))
for s in silent:
    s.settimeout(0.05)
open(sys.argv[3], "w").write("ready\n")
closed_at = {}
t0 = time.time()
while time.time() - t0 < secs:
    for s in trickle:
        try:
            s.sendall(b"X-Slow: 1\r\n")
        except OSError:
            pass
    for i, s in enumerate(silent):
        if i in closed_at:
            continue
        try:
            if s.recv(1) == b"":
                closed_at[i] = time.time() - t0
        except socket.timeout:
            pass
        except OSError:
            closed_at[i] = time.time() - t0
    time.sleep(0.5)
print(len(closed_at), max(closed_at.values()) if closed_at else -1)
EOF
"$SW_PY" "$SW_TMP/slow.py" "$SW_HTTP_PORT" 16 "$SW_TMP/slow.ready" > "$SW_TMP/slow.out" &
SLOW_PID=$!
sw_on_exit "kill $SLOW_PID 2>/dev/null || true"
wait_until 10 '[ -e "$SW_TMP/slow.ready" ]' || fail "slow clients did not connect"

# While they hang on: the checks keep their pace, pages answer at once.
n1=$(hits)
for i in 1 2 3 4 5; do
	t=$(curl -s -o /dev/null -m 5 -w '%{time_total}' "$B/") || fail "/ did not answer under slow clients"
	"$SW_PY" -c "import sys; sys.exit(0 if float('$t') < 1.0 else 1)" ||
	    fail "/ took $t s with slow clients connected"
	sleep 0.8
done
# Graph requests that hang up at once: the answer finds no client.
for i in $(seq 1 20); do
	curl -s -o /dev/null -m 0.01 "$B/graph/shop-b.png?period=year&metric=time&width=$((300 + i))" || true
	curl -s -o /dev/null -m 0.01 "$B/check/shop-b" || true
done
n2=$(hits)
assert_ge $((n2 - n1)) 3 "checks of /ok during ~5 s of slow clients"
daemon_alive || fail "sitewatchd died with slow clients"

# The silent connections are closed by the timeout.
wait "$SLOW_PID" || true
read -r nclosed last < "$SW_TMP/slow.out"
assert_eq 50 "$nclosed" "silent connections closed by the server"
"$SW_PY" -c "import sys; sys.exit(0 if 3 <= float('$last') <= 9 else 1)" ||
    fail "the silent connections were closed after $last s (idle time is 5 s)"

# Oversized headers are refused.
big=$(head -c 20000 /dev/zero | tr '\0' a)
code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' -H "X-Big: $big" "$B/") || true
[ "$code" != 200 ] || fail "a 20 KB header was accepted"

# Still fine afterwards.
code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$B/api/v1/checks")
assert_eq 200 "$code" "API after the abuse"
stop_daemon
