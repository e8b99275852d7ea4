#!/bin/bash
# 14-daemon-ca-file: a check's own ca_file is parsed once and kept for
# the following handshakes, and a CA replaced on disk counts from the
# next check on.
#   ca_file holds another CA (the self-signed cert)  -> down/tls
#   the right CA moved into its place                 -> up/ok
#   over 4 s of checks every second, the file is opened at most once
#   the file turned into garbage                      -> down/tls, daemon up
#   a check without ca_file beside it stays down/tls (the system trust
#   does not know the test CA), so one store never leaks into the other
set -eu
. "$top_srcdir/tests/lib/common.sh"

command -v strace >/dev/null || fail "strace is missing (scripts/install-deps.sh)"
start_nginx
ca=$SW_TMP/rotating-ca.pem
cp "$SW_CERTS/selfsigned.pem" "$ca"
write_config defaults.interval=1 defaults.timeout=1
add_check tls rot "https://localhost:$NGINX_TLS_PORT/ok" "ca_file=$ca"
add_check tls plain-trust "https://localhost:$NGINX_TLS_PORT/ok"

start_daemon -v
seen() {	# seen CHECK STATE/CAUSE: lines of that result in the log so far
	grep -c "probe $1: $2 " "$SW_LOG" 2>/dev/null || true
}
wait_until 15 '[ "$(seen rot down/tls)" -ge 1 ]' ||
    fail "rot: never down/tls with the wrong CA"

# Replace the file as an operator would (a new inode, a new mtime).
cp "$TEST_CA" "$ca.new"
mv "$ca.new" "$ca"
wait_until 15 '[ "$(seen rot up/ok)" -ge 1 ]' ||
    fail "rot: the CA replaced on disk was not trusted"

# Parsed once: count the opens of the file while checks keep running.
n0=$(seen rot up/ok)
timeout 4 strace -f -qq -e trace=open,openat -p "$SWD_PID" \
    -o "$SW_TMP/strace.out" || true
n1=$(seen rot up/ok)
assert_ge $((n1 - n0)) 3 "rot: checks ran while traced"
opens=$(grep -c 'rotating-ca.pem' "$SW_TMP/strace.out" || true)
assert_le "$opens" 1 "rot: opens of its ca_file over $((n1 - n0)) checks"

# A file that no longer parses: libcurl's own error, the daemon runs on.
echo "not a certificate" > "$ca.new"
mv "$ca.new" "$ca"
wait_until 15 'grep -q "probe rot: down/tls .*certificate file" "$SW_LOG"' ||
    fail "rot: a garbage ca_file did not give down/tls"
daemon_alive || fail "sitewatchd died on a garbage ca_file"

assert_eq 0 "$(seen plain-trust up/ok)" \
    "plain-trust: never up (the system trust does not know the test CA)"
assert_ge "$(seen plain-trust down/tls)" 3 "plain-trust: down/tls"
stop_daemon
