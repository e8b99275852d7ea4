#!/bin/bash
# 07-check-timings: the phase timings are sane for plain HTTP, TLS and a
# slow body: each >= 0, and they never add up to more than total_ms
# (dns <= dns+connect <= ... <= total).  tls_ms is 0 on plain HTTP.
set -eu
. "$top_srcdir/tests/lib/common.sh"

start_nginx
write_config
add_site t "Timings Ltd"
add_check t plain "$NGINX_URL/ok"
add_check t by-name "http://localhost:$NGINX_PORT/ok"
add_check t tls "https://localhost:$NGINX_TLS_PORT/ok" "ca_file=$TEST_CA"
add_check t slow "$NGINX_URL/slow" slow_ms=10000 down_ms=20000
add_check t late "$NGINX_URL/echo-sleep/0.5" slow_ms=10000 down_ms=20000
add_check t redirect "$NGINX_URL/redirect"

sane='all(isinstance(j[k], (int, float)) and j[k] >= 0
    for k in ("dns_ms", "connect_ms", "tls_ms", "ttfb_ms", "total_ms"))
  and j["dns_ms"] <= j["dns_ms"] + j["connect_ms"]
      <= j["dns_ms"] + j["connect_ms"] + j["tls_ms"]
      <= j["dns_ms"] + j["connect_ms"] + j["tls_ms"] + j["ttfb_ms"]
      <= j["total_ms"] + 0.01'

for c in plain by-name tls slow late redirect; do
	check_json "$c"
	assert_eq 0 "$CHECK_RC" "$c: exit status (up)"
	assert_json "$CHECK_JSON" "$sane" "$c: timings sane and within total"
	assert_json "$CHECK_JSON" 'j["total_ms"] > 0' "$c: total_ms > 0"
	case $c in
	tls)	assert_json "$CHECK_JSON" 'j["tls_ms"] > 0' "tls: tls_ms" ;;
	*)	assert_json "$CHECK_JSON" 'j["tls_ms"] == 0' "$c: tls_ms 0" ;;
	esac
	case $c in
	slow)	# The body takes the time, not the first byte.
		assert_json "$CHECK_JSON" 'j["total_ms"] >= 1500 and
		    j["ttfb_ms"] < 1000' "slow: transfer holds the time" ;;
	late)	assert_json "$CHECK_JSON" 'j["ttfb_ms"] >= 450' \
		    "late: ttfb_ms holds the wait" ;;
	esac
done
