#!/bin/bash
# 04-check-network: failures below HTTP.  A server that accepts and never
# answers -> down/timeout within the check's timeout (2 s); a closed port
# -> down/connect; a name that cannot resolve -> down/dns.  None of them
# has an HTTP status.  ip = 4 | 6 picks the address family: nginx
# listens on 127.0.0.1 only, so "localhost" works over 4 and not over 6.
set -eu
. "$top_srcdir/tests/lib/common.sh"

start_nginx
write_config
add_site net "Net Ltd"
add_check net hang "http://127.0.0.1:$HANG_PORT/" timeout=2
# ca_file: a one-shot `check` parses its CA store on the event loop, and
# the system bundle takes ~3 s under ASan (30 ms without); the small test
# CA keeps this about the stalled handshake, not about parsing speed.
add_check net hang-tls "https://127.0.0.1:$HANG_PORT/" timeout=2 \
    "ca_file=$TEST_CA"
add_check net closed "http://127.0.0.1:$CLOSED_PORT/" timeout=5
add_check net nxdomain "http://nonexistent.invalid/" timeout=5
add_check net v4 "http://localhost:$NGINX_PORT/ok" ip=4 timeout=5
add_check net v6 "http://localhost:$NGINX_PORT/ok" ip=6 timeout=5

check_json hang
assert_eq 2 "$CHECK_RC" "hang: exit status"
assert_json "$CHECK_JSON" 'j["state"] == "down" and j["cause"] == "timeout"' \
    "hang: down/timeout"
assert_json "$CHECK_JSON" '1500 <= j["total_ms"] < 3000' \
    "hang: total_ms is the 2 s timeout"
assert_json "$CHECK_JSON" 'j["http_status"] is None' "hang: no HTTP status"
assert_le "$CHECK_WALL_MS" 5000 "hang: the command itself ends in time"

# The TLS handshake never gets an answer either.
check_json hang-tls
assert_eq 2 "$CHECK_RC" "hang-tls: exit status"
assert_json "$CHECK_JSON" 'j["cause"] == "timeout" and j["total_ms"] < 3000' \
    "hang-tls: down/timeout"

check_json closed
assert_eq 2 "$CHECK_RC" "closed: exit status"
assert_json "$CHECK_JSON" 'j["state"] == "down" and j["cause"] == "connect"' \
    "closed: down/connect"
assert_json "$CHECK_JSON" 'j["http_status"] is None' "closed: no status"
assert_json "$CHECK_JSON" 'j["total_ms"] < 2000' "closed: fails fast"

check_json nxdomain
assert_eq 2 "$CHECK_RC" "nxdomain: exit status"
assert_json "$CHECK_JSON" 'j["state"] == "down" and j["cause"] == "dns"' \
    "nxdomain: down/dns"

# The same through an ad-hoc URL (the [defaults] apply).
check_json "http://127.0.0.1:$CLOSED_PORT/x"
assert_eq 2 "$CHECK_RC" "closed, ad hoc: exit status"
assert_json "$CHECK_JSON" 'j["cause"] == "connect"' "closed, ad hoc: connect"

check_json v4
assert_eq 0 "$CHECK_RC" "ip=4 to an IPv4-only server: exit status"
assert_json "$CHECK_JSON" 'j["state"] == "up"' "ip=4: up"
check_json v6
assert_eq 2 "$CHECK_RC" "ip=6 to an IPv4-only server: exit status"
assert_json "$CHECK_JSON" 'j["state"] == "down" and
    j["cause"] in ("connect", "dns")' "ip=6: down, cannot connect"
