#!/bin/bash
# 06-check-limits: a check reads at most max_body bytes and gives up on
# endless redirects.  /huge is 100 MB: with max_body = 1 MiB the check
# ends quickly with about 1 MiB read; /redirect-loop points at itself.
set -eu
. "$top_srcdir/tests/lib/common.sh"

start_nginx
write_config
add_site lim "Limits Ltd"
add_check lim huge "$NGINX_URL/huge" max_body=1048576 timeout=10
add_check lim loop "$NGINX_URL/redirect-loop" timeout=10
add_check lim huge-tls "https://localhost:$NGINX_TLS_PORT/huge" \
    max_body=1048576 timeout=10 "ca_file=$TEST_CA"

check_json huge
assert_json "$CHECK_JSON" 'j["http_status"] == 200' "huge: status"
assert_json "$CHECK_JSON" '0 < j["bytes"] <= 1048576 + 65536' \
    "huge: at most max_body (plus one read) taken"
assert_json "$CHECK_JSON" 'j["total_ms"] < 5000' "huge: stops early"
assert_le "$CHECK_WALL_MS" 8000 "huge: the command ends quickly"
assert_json "$CHECK_JSON" 'j["cause"] != "timeout"' \
    "huge: the limit is not reported as a timeout"

check_json huge-tls
assert_json "$CHECK_JSON" '0 < j["bytes"] <= 1048576 + 65536' \
    "huge over TLS: at most max_body taken"

check_json loop
assert_eq 2 "$CHECK_RC" "redirect loop: exit status"
assert_json "$CHECK_JSON" 'j["state"] == "down"' "redirect loop: down"
assert_json "$CHECK_JSON" 'j["total_ms"] < 10000' \
    "redirect loop: given up before the timeout"
assert_le "$CHECK_WALL_MS" 12000 "redirect loop: the command ends"
