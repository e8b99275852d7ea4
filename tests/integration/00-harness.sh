#!/bin/bash
# 00-harness: the harness itself -- every fixture behaves as the other
# scenarios assume (nginx paths and certificates, the hanging and closed
# ports, the SMTP modes, rrdcached), seen with independent clients (curl,
# openssl, Python's smtplib, rrdtool).
set -eu
. "$top_srcdir/tests/lib/common.sh"

command -v curl >/dev/null 2>&1 || skip "curl is not installed"
start_nginx

# curl -w FORMAT URL [curl options]: what curl reports about one request.
get() {
	local url=$1 fmt=$2
	shift 2
	curl -s -o /dev/null --max-time 10 -w "$fmt" "$@" "$url" || true
}

assert_eq "200 16" "$(get "$NGINX_URL/ok" '%{http_code} %{size_download}')" \
    "/ok"
assert_eq "hello sitewatch" "$(curl -s "$NGINX_URL/ok")" "/ok body"
http_req GET "$NGINX_URL/status/503"
assert_eq 503 "$HTTP_STATUS" "http_req: status"
assert_contains "$HTTP_BODY" "status 503" "http_req: body"
assert_contains "$HTTP_HEADERS" "Content-Type: text/plain" "http_req: headers"
http_req GET "http://127.0.0.1:$CLOSED_PORT/"
assert_eq 000 "$HTTP_STATUS" "http_req: no answer"
for code in 200 204 404 500 503; do
	assert_eq "$code" "$(get "$NGINX_URL/status/$code" '%{http_code}')" \
	    "/status/$code"
done
assert_eq "301 /ok" "$(get "$NGINX_URL/redirect" '%{http_code} %{redirect_url}' |
    sed 's|http://127.0.0.1:[0-9]*||')" "/redirect"
assert_eq "301 /redirect-loop" "$(get "$NGINX_URL/redirect-loop" \
    '%{http_code} %{redirect_url}' | sed 's|http://127.0.0.1:[0-9]*||')" \
    "/redirect-loop"
assert_contains "$(curl -s "$NGINX_URL/keyword")" "Add to cart" "/keyword"
err=$(curl -s -w ' %{http_code}' "$NGINX_URL/html-error")
assert_contains "$err" "<script>alert(1)</script>" "/html-error body"
assert_contains "$err" " 500" "/html-error status"

# /slow: about 2 s in all, first byte at once.
read -r code ttfb total size <<<"$(get "$NGINX_URL/slow" \
    '%{http_code} %{time_starttransfer} %{time_total} %{size_download}')"
assert_eq 200 "$code" "/slow status"
assert_json "[$ttfb, $total]" 'j[0] < 0.5 and 1.8 <= j[1] <= 3.5' \
    "/slow: first byte at once, ~2 s in all"
assert_ge "$size" 10000 "/slow size"

# /huge: 100 MB (the file is sparse: it takes no real disk).
assert_eq "200 104857600" "$(get "$NGINX_URL/huge" \
    '%{http_code} %{size_download}')" "/huge"
assert_le "$(du -k "$SW_TMP/nginx/html/huge.bin" | cut -f1)" 1024 \
    "/huge is sparse"

# /echo-sleep/N holds back the first byte for N seconds.
ttfb=$(get "$NGINX_URL/echo-sleep/0.5" '%{time_starttransfer}')
assert_json "$ttfb" '0.45 <= j < 2' "/echo-sleep/0.5 first byte"

# TLS: the good certificate verifies against TEST_CA, by name and by IP.
assert_eq 200 "$(get "$NGINX_TLS_URL/ok" '%{http_code}' --cacert "$TEST_CA")" \
    "valid TLS by name"
assert_eq 200 "$(get "https://127.0.0.1:$NGINX_TLS_PORT/ok" '%{http_code}' \
    --cacert "$TEST_CA")" "valid TLS by IP"
# The others fail verification, each for its own reason.
tls_err() {
	curl -sS -o /dev/null --max-time 10 --cacert "$TEST_CA" \
	    "https://localhost:$1/ok" 2>&1 || true
}
assert_contains "$(tls_err "$NGINX_TLS_EXPIRED_PORT")" "expired" \
    "expired certificate"
assert_contains "$(tls_err "$NGINX_TLS_WRONGHOST_PORT")" "subject name" \
    "wrong-host certificate"
assert_contains "$(tls_err "$NGINX_TLS_SELFSIGNED_PORT")" "self-signed" \
    "self-signed certificate"
assert_eq 200 "$(get "https://localhost:$NGINX_TLS5_PORT/ok" '%{http_code}' \
    --cacert "$TEST_CA")" "5-day certificate still verifies"
end5=$(echo | openssl s_client -connect "127.0.0.1:$NGINX_TLS5_PORT" \
    -servername localhost 2>/dev/null | openssl x509 -noout -enddate |
    sed 's/^notAfter=//')
left=$(( ($(date -d "$end5" +%s) - $(date +%s)) / 86400 ))
assert_eq 4 "$left" "5-day certificate: whole days left"

# HANG_PORT takes the connection and says nothing; CLOSED_PORT refuses.
t0=$(date +%s%N)
rc=0
curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$HANG_PORT/" || rc=$?
assert_eq 28 "$rc" "HANG_PORT: curl times out (28), connected first"
assert_le $(( ($(date +%s%N) - t0) / 1000000 )) 3000 "HANG_PORT bounded"
rc=0
curl -s -o /dev/null --max-time 5 "http://127.0.0.1:$CLOSED_PORT/" || rc=$?
assert_eq 7 "$rc" "CLOSED_PORT: connection refused (7)"

# free_port: distinct, reserved, and nobody listens.
p1=$(free_port)
p2=$(free_port)
[ "$p1" != "$p2" ] || fail "free_port gave $p1 twice"
port_open "$p1" && fail "free_port $p1 is in use"
[ -d "/tmp/sitewatch-test-ports/$p1" ] || fail "port $p1 not reserved"

# SMTP: accept stores one file per message, envelope first.
start_smtp accept
"$SW_PY" - "$SMTP_PORT" <<'PY'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
s.sendmail("support@example.com", ["a@example.com", "b@example.com"],
           "Subject: t1\r\nFrom: support@example.com\r\n\r\nhello\r\n")
s.quit()
PY
assert_eq 1 "$(smtp_count)" "one message stored"
msg=$(smtp_messages)
assert_eq "X-Rcpt-To: a@example.com, b@example.com" \
    "$(head -n 1 "$msg" | tr -d '\r')" "envelope recipients first"
assert_contains "$(cat "$msg")" "Subject: t1" "message kept"
# Switched to tempfail: refused with 451, nothing stored.
smtp_set_mode tempfail
out=$("$SW_PY" - "$SMTP_PORT" <<'PY'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
try:
    s.sendmail("support@example.com", ["a@example.com"], "Subject: t2\r\n\r\nx\r\n")
    print("accepted")
except smtplib.SMTPRecipientsRefused as e:
    print("refused", e.recipients["a@example.com"][0])
PY
)
assert_eq "refused 451" "$out" "tempfail answers 451"
assert_eq 1 "$(smtp_count)" "nothing stored while failing"
assert_contains "$(cat "$SMTP_LOG")" "RCPT a@example.com 451" "smtp log"

# STARTTLS with the test CA, for host localhost.
start_smtp_tls accept required
out=$("$SW_PY" - "$SMTP_PORT" "$TEST_CA" <<'PY'
import smtplib, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
s = smtplib.SMTP("localhost", int(sys.argv[1]), timeout=10)
s.starttls(context=ctx)
s.sendmail("support@example.com", ["c@example.com"], "Subject: t3\r\n\r\nx\r\n")
s.quit()
print("sent")
PY
)
assert_eq sent "$out" "STARTTLS session"
assert_eq 1 "$(smtp_count)" "TLS server stored the message"
assert_contains "$(cat "$(smtp_messages)")" "X-Smtp-Tls: yes" "TLS recorded"

# rrdcached answers on its socket and writes inside var/rrd.
command -v rrdtool >/dev/null 2>&1 || skip "rrdtool is not installed"
start_rrdcached
rrd=$SW_STATE_DIR/rrd/h.rrd
rrdtool create "$rrd" --daemon "unix:$RRDCACHED_SOCK" --step 1 \
    DS:up:GAUGE:2:0:1 RRA:AVERAGE:0.5:1:60
now=$(date +%s)
rrdtool update "$rrd" --daemon "unix:$RRDCACHED_SOCK" "$now:1"
rrdtool flushcached --daemon "unix:$RRDCACHED_SOCK" "$rrd"
assert_eq "$now" "$(rrdtool last "$rrd")" "rrdcached wrote the update"

# The config writer: overrides, removals, extra sections.
write_config defaults.interval=1 smtp.host=127.0.0.1 smtp.host=localhost \
    daemon.listen
conf=$(cat "$SW_CONF")
assert_contains "$conf" "state_dir = $SW_STATE_DIR" "state_dir"
assert_contains "$conf" "host = localhost" "last override wins"
assert_not_contains "$conf" "listen" "a key without = is removed"
assert_contains "$conf" "[defaults]
interval = 1" "defaults section"
add_check shop shop-home "$NGINX_URL/ok" timeout=2 header="X-A: 1"
assert_contains "$(cat "$SW_CHECKS_DIR/shop.conf")" "[check shop-home]
url = $NGINX_URL/ok
timeout = 2
header = X-A: 1" "add_check"
