#!/bin/bash
# 03-check-slow: response time thresholds.  /slow takes ~2 s: over
# slow_ms=500 it is degraded/slow (exit 1), over down_ms=1000 down/slow
# (exit 2); a fast page under the same limits is up.  /echo-sleep/1 holds
# the first byte back for 1 s, which ttfb_ms must show.
set -eu
. "$top_srcdir/tests/lib/common.sh"

start_nginx
write_config
add_site slow "Slow Ltd"
add_check slow slow-warn "$NGINX_URL/slow" slow_ms=500 down_ms=8000
add_check slow slow-down "$NGINX_URL/slow" slow_ms=300 down_ms=1000
add_check slow fast "$NGINX_URL/ok" slow_ms=500 down_ms=1000
add_check slow late-byte "$NGINX_URL/echo-sleep/1" slow_ms=500 down_ms=8000

check_json slow-warn
assert_eq 1 "$CHECK_RC" "slow_ms exceeded: exit status"
assert_json "$CHECK_JSON" 'j["state"] == "degraded" and j["cause"] == "slow"' \
    "slow_ms exceeded: degraded/slow"
assert_json "$CHECK_JSON" '1500 <= j["total_ms"] <= 4000' \
    "slow_ms exceeded: total_ms ~2 s"
assert_json "$CHECK_JSON" 'j["http_status"] == 200' "slow: answer was 200"
assert_contains "$(json_get "$CHECK_JSON" message)" "ms" \
    "slow: the message names the time"

check_json slow-down
assert_eq 2 "$CHECK_RC" "down_ms exceeded: exit status"
assert_json "$CHECK_JSON" 'j["state"] == "down" and j["cause"] == "slow"' \
    "down_ms exceeded: down/slow"

check_json fast
assert_eq 0 "$CHECK_RC" "fast page: exit status"
assert_json "$CHECK_JSON" 'j["state"] == "up" and j["total_ms"] < 500' \
    "fast page: up, under slow_ms"

check_json late-byte
assert_eq 1 "$CHECK_RC" "late first byte: exit status"
assert_json "$CHECK_JSON" 'j["cause"] == "slow"' "late first byte: slow"
assert_json "$CHECK_JSON" '900 <= j["ttfb_ms"] <= 3000' \
    "late first byte: ttfb_ms shows the 1 s wait"
assert_json "$CHECK_JSON" 'j["ttfb_ms"] <= j["total_ms"]' \
    "ttfb_ms within total_ms"
