#!/bin/bash
# 01-check-http: `sitewatch check URL --json` against plain HTTP answers:
# the JSON object has every field SPEC fixes, 200 is up (exit 0), an
# error status is down/http (exit 2) with the status kept, redirects are
# followed (or not, when the check says so), expect_status is honoured.
set -eu
. "$top_srcdir/tests/lib/common.sh"

start_nginx
write_config
add_site web "Web Ltd"
add_check web no-follow "$NGINX_URL/redirect" follow_redirects=no
add_check web only-200 "$NGINX_URL/status/204" expect_status=200
add_check web want-404 "$NGINX_URL/status/404" expect_status=404,410

check_json "$NGINX_URL/ok"
assert_eq 0 "$CHECK_RC" "200: exit status"
assert_json "$CHECK_JSON" 'sorted(j) == sorted(["name", "url", "state",
    "cause", "message", "http_status", "dns_ms", "connect_ms", "tls_ms",
    "ttfb_ms", "total_ms", "bytes", "cert_days_left", "at"])' \
    "200: exactly the fields SPEC lists"
assert_json "$CHECK_JSON" 'j["state"] == "up" and j["cause"] == "ok"' \
    "200: up/ok"
assert_json "$CHECK_JSON" 'j["http_status"] == 200' "200: http_status"
assert_json "$CHECK_JSON" "j['url'] == '$NGINX_URL/ok'" "200: url"
assert_json "$CHECK_JSON" 'j["bytes"] == len("hello sitewatch\n")' \
    "200: bytes of the body"
assert_json "$CHECK_JSON" 'j["tls_ms"] == 0' "plain HTTP: tls_ms is 0"
assert_json "$CHECK_JSON" 'j["cert_days_left"] is None' \
    "plain HTTP: no certificate"
assert_json "$CHECK_JSON" '__import__("re").fullmatch(
    r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", j["at"]) is not None' \
    "at is ISO 8601 UTC"
at=$(json_get "$CHECK_JSON" at)
skew=$(( $(date -u +%s) - $(date -u -d "$at" +%s) ))
[ "$skew" -ge -2 ] && [ "$skew" -le 30 ] || fail "at is $at, not now"

check_json "$NGINX_URL/status/500"
assert_eq 2 "$CHECK_RC" "500: exit status"
assert_json "$CHECK_JSON" 'j["state"] == "down" and j["cause"] == "http"' \
    "500: down/http"
assert_json "$CHECK_JSON" 'j["http_status"] == 500' "500: http_status"
assert_contains "$(json_get "$CHECK_JSON" message)" 500 "500: message"

check_json "$NGINX_URL/status/503"
assert_eq 2 "$CHECK_RC" "503: exit status"
assert_json "$CHECK_JSON" 'j["cause"] == "http" and j["http_status"] == 503' \
    "503: down/http"

check_json "$NGINX_URL/status/404"
assert_eq 2 "$CHECK_RC" "404: exit status"
assert_json "$CHECK_JSON" 'j["cause"] == "http" and j["http_status"] == 404' \
    "404: down/http"

# A hostile error page: the result stays valid JSON and down/http.
check_json "$NGINX_URL/html-error"
assert_eq 2 "$CHECK_RC" "html-error: exit status"
assert_json "$CHECK_JSON" 'j["cause"] == "http" and j["http_status"] == 500' \
    "html-error: down/http"

# Redirects are followed by default: the final answer counts.
check_json "$NGINX_URL/redirect"
assert_eq 0 "$CHECK_RC" "301 followed: exit status"
assert_json "$CHECK_JSON" 'j["state"] == "up" and j["http_status"] == 200' \
    "301 followed: up with the final 200"
assert_json "$CHECK_JSON" 'j["bytes"] == len("hello sitewatch\n")' \
    "301 followed: bytes of the final body"
check_json "$NGINX_URL/status/302"
assert_json "$CHECK_JSON" 'j["state"] == "up" and j["http_status"] == 200' \
    "302 followed"

# follow_redirects = no: the 301 itself is the answer (in 200-399: up).
check_json no-follow
assert_eq 0 "$CHECK_RC" "no-follow: exit status"
assert_json "$CHECK_JSON" 'j["http_status"] == 301 and j["state"] == "up"' \
    "no-follow: 301 answered, up"
assert_json "$CHECK_JSON" 'j["name"] == "no-follow"' "check NAME: name"

# expect_status narrows and widens what counts as up.
check_json only-200
assert_eq 2 "$CHECK_RC" "expect_status=200 vs 204: exit status"
assert_json "$CHECK_JSON" 'j["cause"] == "http" and j["http_status"] == 204' \
    "expect_status=200 vs 204: down/http"
check_json want-404
assert_eq 0 "$CHECK_RC" "expect_status=404,410 vs 404: exit status"
assert_json "$CHECK_JSON" 'j["state"] == "up" and j["http_status"] == 404' \
    "expect_status=404,410 vs 404: up"
