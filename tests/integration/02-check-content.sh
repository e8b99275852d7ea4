#!/bin/bash
# 02-check-content: expect_text. Present -> up; missing -> down/content
# (exit 2); present only beyond max_body -> down/content, because only
# the first max_body bytes are read.  Configured headers reach the site
# (/headers echoes the request back).
set -eu
. "$top_srcdir/tests/lib/common.sh"

start_nginx
write_config
add_site shop "Shop Ltd"
add_check shop kw-present "$NGINX_URL/keyword" "expect_text=Add to cart"
add_check shop kw-missing "$NGINX_URL/ok" "expect_text=Add to cart"
add_check shop kw-beyond "$NGINX_URL/keyword" "expect_text=Add to cart" \
    max_body=40
add_check shop hdr "$NGINX_URL/headers" "header=X-Sitewatch-Test: abc123" \
    "header=X-Second: two" "expect_text=X-Sitewatch-Test: abc123"
add_check shop hdr-missing "$NGINX_URL/headers" \
    "expect_text=X-Sitewatch-Test: abc123"
add_check shop kw-tls "https://localhost:$NGINX_TLS_PORT/keyword" \
    "expect_text=Add to cart" "ca_file=$TEST_CA"

check_json kw-present
assert_eq 0 "$CHECK_RC" "text present: exit status"
assert_json "$CHECK_JSON" 'j["state"] == "up" and j["cause"] == "ok"' \
    "text present: up/ok"
assert_json "$CHECK_JSON" 'j["name"] == "kw-present"' "name"

check_json kw-missing
assert_eq 2 "$CHECK_RC" "text missing: exit status"
assert_json "$CHECK_JSON" 'j["state"] == "down" and j["cause"] == "content"' \
    "text missing: down/content"
assert_json "$CHECK_JSON" 'j["http_status"] == 200' \
    "text missing: the HTTP answer itself was fine"

check_json kw-beyond
assert_eq 2 "$CHECK_RC" "text beyond max_body: exit status"
assert_json "$CHECK_JSON" 'j["cause"] == "content"' \
    "text beyond max_body: down/content"
assert_json "$CHECK_JSON" 'j["bytes"] <= 40 + 16384' \
    "max_body=40: reading stopped early"

check_json kw-tls
assert_eq 0 "$CHECK_RC" "text over TLS: exit status"
assert_json "$CHECK_JSON" 'j["state"] == "up"' "text over TLS: up"

check_json hdr
assert_eq 0 "$CHECK_RC" "configured header sent: exit status"
assert_json "$CHECK_JSON" 'j["state"] == "up"' "configured header sent: up"
check_json hdr-missing
assert_eq 2 "$CHECK_RC" "no header configured: exit status"
assert_json "$CHECK_JSON" 'j["cause"] == "content"' \
    "no header configured: the echo lacks it"
