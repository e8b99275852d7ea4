#!/bin/bash
# 05-check-tls: certificates.  Each nginx TLS port serves another test
# certificate; checks trust the test CA through ca_file.
#   valid (365 d)        -> up, tls_ms > 0, cert_days_left ~364
#   5 d 3 h left         -> degraded/cert (cert_warn_days 14), 5 days left
#                           (rounded down as check_http counts), and the
#                           text output says "5 days"
#   expired              -> down/cert
#   wrong host name      -> down/tls
#   self-signed          -> down/tls
#   valid, CA not given  -> down/tls (the system store does not know it)
set -eu
. "$top_srcdir/tests/lib/common.sh"

# The 5-day port serves, in this scenario, a certificate made here from
# the test CA that ends 5 days and 3 hours from now: rounded down that is
# 5 days (rounding up said 6), and 14 x 24 h is more than is left.  It
# replaces the fixture's leaf before nginx reads it.  OpenSSL 3.0's x509
# has no -not_after, so `openssl ca -enddate` sets the exact end.
sw_certs
(
	set -e
	cd "$SW_CERTS"
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 \
	    -out soon.key
	openssl req -new -key soon.key -subj /CN=localhost -config ca.cnf \
	    -out soon.csr
	openssl ca -batch -config ca.cnf -extensions leaf_local -notext \
	    -startdate "$(date -u -d '1 day ago' +%y%m%d%H%M%SZ)" \
	    -enddate "$(date -u -d '5 days 3 hours' +%y%m%d%H%M%SZ)" \
	    -in soon.csr -out soon.pem
	cat soon.pem ca.pem > expiring5-chain.pem
	cp soon.key expiring5.key
) > "$SW_TMP/soon-cert.log" 2>&1 ||
    fail "cannot make the 5 d 3 h certificate: $(cat "$SW_TMP/soon-cert.log")"
end=$(openssl x509 -in "$SW_CERTS/soon.pem" -noout -enddate | sed 's/^notAfter=//')
left=$(( $(date -d "$end" +%s) - $(date +%s) ))
assert_ge "$left" $(( 5 * 86400 + 3 * 3600 - 120 )) "made: 5 d 3 h left"
assert_le "$left" $(( 5 * 86400 + 3 * 3600 )) "made: 5 d 3 h left"

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
assert_eq 1 "$CHECK_RC" "5 d 3 h left: exit status"
assert_json "$CHECK_JSON" 'j["state"] == "degraded" and j["cause"] == "cert"' \
    "5 d 3 h left: degraded/cert"
assert_json "$CHECK_JSON" 'j["cert_days_left"] == 5' \
    "5 d 3 h left: cert_days_left is 5 (rounded down)"
assert_json "$CHECK_JSON" 'j["message"] == "certificate expires in 5 days"' \
    "5 d 3 h left: message"
# The URL itself, as a user would type it, and the text output.
sw_run timeout 60 "$SWC" -c "$SW_CONF" check \
    "https://localhost:$NGINX_TLS5_PORT/ok" --ca-file "$TEST_CA" --json
assert_eq 1 "$RUN_RC" "5 d 3 h left, by URL: exit status ($RUN_ERR)"
assert_json "$RUN_OUT" 'j["cert_days_left"] == 5' \
    "5 d 3 h left, by URL: cert_days_left"
sw_run timeout 60 "$SWC" -c "$SW_CONF" check \
    "https://localhost:$NGINX_TLS5_PORT/ok" --ca-file "$TEST_CA"
assert_eq 1 "$RUN_RC" "5 d 3 h left, text: exit status ($RUN_ERR)"
assert_contains "$RUN_OUT" "certificate expires in 5 days" \
    "5 d 3 h left, text: the message"
assert_contains "$RUN_OUT" "expires in 5 days" "5 d 3 h left, text"
assert_not_contains "$RUN_OUT" "6 days" "5 d 3 h left, text: not rounded up"
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
