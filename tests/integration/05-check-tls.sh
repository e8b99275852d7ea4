#!/bin/bash
# 05-check-tls: certificates.  Each nginx TLS port serves another test
# certificate; checks trust the test CA through ca_file.
#   valid (365 d)        -> up, tls_ms > 0, cert_days_left ~364
#   expires in 5 days    -> degraded/cert (cert_warn_days 14), 4..5 left
#   expired              -> down/cert
#   wrong host name      -> down/tls
#   self-signed          -> down/tls
#   valid, CA not given  -> down/tls (the system store does not know it)
set -eu
. "$top_srcdir/tests/lib/common.sh"

start_nginx
write_config
add_site tls "TLS Ltd"
add_check tls valid "https://localhost:$NGINX_TLS_PORT/ok" "ca_file=$TEST_CA"
add_check tls valid-ip "https://127.0.0.1:$NGINX_TLS_PORT/ok" \
    "ca_file=$TEST_CA"
add_check tls soon "https://localhost:$NGINX_TLS5_PORT/ok" "ca_file=$TEST_CA" \
    cert_warn_days=14
add_check tls soon-quiet "https://localhost:$NGINX_TLS5_PORT/ok" \
    "ca_file=$TEST_CA" cert_warn_days=3
add_check tls expired "https://localhost:$NGINX_TLS_EXPIRED_PORT/ok" \
    "ca_file=$TEST_CA"
add_check tls wronghost "https://localhost:$NGINX_TLS_WRONGHOST_PORT/ok" \
    "ca_file=$TEST_CA"
add_check tls selfsigned "https://localhost:$NGINX_TLS_SELFSIGNED_PORT/ok" \
    "ca_file=$TEST_CA"
add_check tls untrusted "https://localhost:$NGINX_TLS_PORT/ok"

check_json valid
assert_eq 0 "$CHECK_RC" "valid: exit status"
assert_json "$CHECK_JSON" 'j["state"] == "up" and j["cause"] == "ok"' \
    "valid: up/ok"
assert_json "$CHECK_JSON" 'j["tls_ms"] > 0' "valid: tls_ms > 0"
assert_json "$CHECK_JSON" '363 <= j["cert_days_left"] <= 365' \
    "valid: cert_days_left ~364"
assert_json "$CHECK_JSON" 'j["http_status"] == 200' "valid: status"

check_json valid-ip
assert_eq 0 "$CHECK_RC" "valid by IP (IP SAN): exit status"

check_json soon
assert_eq 1 "$CHECK_RC" "5 days left: exit status"
assert_json "$CHECK_JSON" 'j["state"] == "degraded" and j["cause"] == "cert"' \
    "5 days left: degraded/cert"
assert_json "$CHECK_JSON" '4 <= j["cert_days_left"] <= 5' \
    "5 days left: cert_days_left"
assert_json "$CHECK_JSON" 'j["http_status"] == 200' \
    "5 days left: the page itself answered"

check_json soon-quiet
assert_eq 0 "$CHECK_RC" "5 days left, cert_warn_days=3: exit status"
assert_json "$CHECK_JSON" 'j["state"] == "up"' \
    "5 days left, cert_warn_days=3: up"

check_json expired
assert_eq 2 "$CHECK_RC" "expired: exit status"
assert_json "$CHECK_JSON" 'j["state"] == "down" and j["cause"] == "cert"' \
    "expired: down/cert"

check_json wronghost
assert_eq 2 "$CHECK_RC" "wrong host: exit status"
assert_json "$CHECK_JSON" 'j["state"] == "down" and j["cause"] == "tls"' \
    "wrong host: down/tls"

check_json selfsigned
assert_eq 2 "$CHECK_RC" "self-signed: exit status"
assert_json "$CHECK_JSON" 'j["state"] == "down" and j["cause"] == "tls"' \
    "self-signed: down/tls"

check_json untrusted
assert_eq 2 "$CHECK_RC" "CA not trusted: exit status"
assert_json "$CHECK_JSON" 'j["state"] == "down" and j["cause"] == "tls"' \
    "CA not trusted: down/tls"
