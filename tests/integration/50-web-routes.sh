#!/bin/bash
# 50-web-routes: every route of the web server answers with the right
# status, type and security headers; hostile text from the config and
# from a checked site (markup in a site name, an expect_text, a status
# line) shows as text in /, /check/NAME and /status; /metrics escapes its
# labels; the ticket API refuses what it must (401, 400, 413, 404, 405).
set -eu
. "$top_srcdir/tests/lib/common.sh"
# librrd leaks a little per graph (PLATFORM.md); LeakSanitizer can only
# match that to the librrd suppression with full stack unwinding.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"

start_nginx

# A site whose status line carries markup: "HTTP/1.0 503 <script>...".
EVIL_PORT=$(free_port)
cat > "$SW_TMP/evil.py" <<'EOF'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(503, "<script>alert(1)</script>")
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
EOF
"$SW_PY" "$SW_TMP/evil.py" "$EVIL_PORT" &
EVIL_PID=$!
sw_on_exit "kill $EVIL_PID"
wait_until 10 "port_open $EVIL_PORT" || fail "evil server did not start"

TOKEN=s3cret-token-$$
write_config defaults.interval=1 defaults.timeout=1 "daemon.api_token=$TOKEN"
add_site shop '<b>Shop</b> & "Co"\Ltd' en
add_check shop shop-ok "$NGINX_URL/ok"
add_check shop shop-err "$NGINX_URL/html-error"
add_check shop shop-evil "http://127.0.0.1:$EVIL_PORT/x"
add_check shop shop-text "$NGINX_URL/ok" 'expect_text=<img src=x onerror=alert(2)>'
start_daemon
B=http://127.0.0.1:$SW_HTTP_PORT

# req METHOD PATH [curl args]: sets CODE, BODY, HDR (headers, no CR).
req() {
	local m=$1 p=$2
	shift 2
	CODE=$(curl -sS --path-as-is -m 10 -o "$SW_TMP/body" -D "$SW_TMP/hdr" \
	    -w '%{http_code}' -X "$m" "$@" "$B$p") || CODE=000
	BODY=$(tr -d '\0' < "$SW_TMP/body")
	HDR=$(tr -d '\r' < "$SW_TMP/hdr")
}
# expect CODE METHOD PATH [curl args]
expect() {
	local want=$1
	shift
	req "$@"
	assert_eq "$want" "$CODE" "$1 $2: status"
}
# secure: the security headers are on the last answer.
secure() {
	assert_contains "$HDR" "Content-Security-Policy: default-src 'none'; script-src 'self'" "$1: CSP"
	assert_contains "$HDR" "X-Content-Type-Options: nosniff" "$1: nosniff"
	assert_contains "$HDR" "X-Frame-Options: DENY" "$1: frame options"
	assert_contains "$HDR" "Referrer-Policy: no-referrer" "$1: referrer policy"
}

# Every check has a result (down ones included).
wait_json 20 "$B/api/v1/checks" \
    'sum(c["state"] != "unknown" for c in j) == 4' ||
    fail "not every check has a result after 20 s: $WAIT_BODY"

# ---- the dashboard
expect 200 GET /
secure /
assert_contains "$HDR" "Content-Type: text/html; charset=utf-8" "/ type"
assert_contains "$BODY" '&lt;b&gt;Shop&lt;/b&gt; &amp; &quot;Co&quot;\Ltd' "site name escaped"
assert_not_contains "$BODY" '<b>Shop</b>' "raw site name"
assert_contains "$BODY" 'HTTP 503 &lt;script&gt;alert(1)&lt;/script&gt;' "status line escaped"
assert_not_contains "$BODY" '<script>alert' "raw script from the site"
assert_contains "$BODY" '&quot;&lt;img src=x onerror=alert(2)&gt;&quot; not found' "expect_text escaped"
assert_not_contains "$BODY" '<img src=x' "raw img from the config"
assert_eq 1 "$(grep -o '<script' "$SW_TMP/body" | wc -l)" "only the app.js script tag"
assert_contains "$BODY" '<script src="/static/app.js" defer></script>' "app.js linked"
assert_not_contains "$BODY" ' onload=' "no inline handlers"
assert_not_contains "$BODY" ' onclick=' "no inline handlers"
assert_not_contains "$BODY" ' style="' "no inline style"
# Down first: shop-err/shop-evil/shop-text come before shop-ok.
pos() { grep -bo "data-check=\"$1\"" "$SW_TMP/body" | head -1 | cut -d: -f1; }
for c in shop-err shop-evil shop-text; do
	[ "$(pos $c)" -lt "$(pos shop-ok)" ] || fail "$c (down) is not listed before shop-ok (up)"
done
# The heartbeat bar: compact results ("DT S C MS"), up/ok for shop-ok.
printf '%s' "$BODY" | grep -o 'data-check="shop-ok".*' | head -1 |
    grep -Eq 'data-hb="[0-9]+u0[0-9]+' || fail "no heartbeat data for shop-ok"
assert_contains "$BODY" 'class="badge st-down">down<' "down badge"

# HEAD: headers, no body.
HEAD_OUT=$(curl -sS -I -m 5 "$B/")
assert_contains "$HEAD_OUT" "200 OK" "HEAD /"

# ---- one check
expect 200 GET /check/shop-evil
secure /check
assert_contains "$BODY" 'HTTP 503 &lt;script&gt;alert(1)&lt;/script&gt;' "check page: message escaped"
assert_not_contains "$BODY" '<script>alert' "check page: raw script"
assert_contains "$BODY" '<tr class="st-down"><td>' "check page: recent results"
assert_contains "$BODY" "http://127.0.0.1:$EVIL_PORT/x" "check page: URL as text"
for p in day week month year; do
	assert_contains "$BODY" "/graph/shop-evil.png?period=$p&amp;metric=time" "graph $p time"
	assert_contains "$BODY" "/graph/shop-evil.png?period=$p&amp;metric=availability" "graph $p availability"
done
expect 200 GET /check/shop-text
assert_contains "$BODY" '&lt;img src=x onerror=alert(2)&gt;' "check page: expect_text escaped"
assert_not_contains "$BODY" '<img src=x' "check page: raw img"
expect 404 GET /check/nope
secure "404 page"
assert_contains "$HDR" "text/html" "404 is a page"
expect 404 GET /check/../etc/passwd
expect 404 GET '/check/%3Cb%3Ex%3C%2Fb%3E'
assert_not_contains "$BODY" '<b>x' "404 does not echo the path"
expect 404 GET /check/

# ---- public status page: plain words, nothing internal; no index of
# every client unless status_index = yes
expect 404 GET /status
expect 404 GET /status/nope
expect 404 GET '/status/%3Cb%3E'
assert_not_contains "$BODY" '<b>' "404 does not echo the site"
expect 200 GET /status/shop
secure /status/shop
assert_contains "$BODY" '&lt;b&gt;Shop&lt;/b&gt;' "status: site name escaped"
assert_contains "$BODY" 'Not available' "status: down in plain words"
assert_contains "$BODY" 'Working normally' "status: up in plain words"
assert_eq 90 "$(grep -o 'class="day ' "$SW_TMP/body" | wc -l)" "status: 90 day bars"
for leak in 127.0.0.1 html-error 'alert(' 'Internal Server Error' 'HTTP 5' 'onerror' '/graph/'; do
	assert_not_contains "$BODY" "$leak" "status page leaks '$leak'"
done

# ---- graphs: only existing checks, known periods and metrics
# A check's file is made by the recorder's writer after its first result
# (11 MB each at a 1 s interval: on a busy machine that takes a while);
# until then its graph is a 404, as a graph of a file not there yet is.
graphs_ready() {
	local g
	for g in shop-ok shop-err; do
		[ "$(curl -s -m 10 -o /dev/null -w '%{http_code}' \
		    "$B/graph/$g.png?period=week&metric=time")" = 200 ] ||
		    return 1
	done
}
wait_until 20 graphs_ready || fail "no graph of shop-ok and shop-err after 20 s"
expect 200 GET '/graph/shop-ok.png?period=day&metric=time'
assert_contains "$HDR" "Content-Type: image/png" "graph type"
assert_eq "89504e47" "$(head -c 4 "$SW_TMP/body" | od -An -tx1 | tr -d ' \n')" "graph is a PNG"
expect 200 GET '/graph/shop-ok.png?period=year&metric=availability&width=300&height=100'
assert_eq "89504e47" "$(head -c 4 "$SW_TMP/body" | od -An -tx1 | tr -d ' \n')" "availability graph is a PNG"
expect 200 GET '/graph/shop-err.png?period=day&metric=time&width=160&height=32&style=spark'
assert_eq "89504e47" "$(head -c 4 "$SW_TMP/body" | od -An -tx1 | tr -d ' \n')" "sparkline is a PNG"
# The sparkline is the graph area alone: exactly the size asked for.
assert_eq "160x32" "$("$SW_PY" -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); print("%dx%d" % struct.unpack(">II", d[16:24]))' "$SW_TMP/body")" "sparkline size"
expect 400 GET '/graph/shop-ok.png?style=fancy'
expect 404 GET '/graph/nope.png'
expect 404 GET '/graph/..%2F..%2Fetc%2Fpasswd.png'
expect 404 GET '/graph/../../etc/passwd.png'
expect 404 GET '/graph/shop-ok.svg'
expect 404 GET '/graph/shop-ok'
expect 400 GET '/graph/shop-ok.png?period=decade'
expect 400 GET '/graph/shop-ok.png?metric=rm%20-rf'
expect 400 GET '/graph/shop-ok.png?width=abc'

# ---- static files
expect 200 GET /static/app.js
assert_contains "$HDR" "Content-Type: text/javascript" "app.js type"
assert_contains "$BODY" "/api/v1/checks" "app.js polls the API"
expect 200 GET /static/style.css
expect 404 GET /static/../../../etc/passwd
expect 404 GET /static/layout.html

# ---- JSON API
expect 200 GET /api/v1/checks
secure /api/v1/checks
assert_contains "$HDR" "Content-Type: application/json" "API type"
assert_json "$BODY" 'len(j) == 4 and all(set(c) >= {"name","site","url","state","cause","since","last_total_ms","uptime_24h","uptime_30d","ticket"} for c in j)' "check fields"
assert_json "$BODY" '[c["state"] for c in j if c["name"] == "shop-ok"] == ["up"]' "shop-ok up"
assert_json "$BODY" '[(c["state"], c["cause"]) for c in j if c["name"] == "shop-err"] == [("down", "http")]' "shop-err down/http"
assert_json "$BODY" '[(c["name"], c["http_status"]) for c in j if c["name"] in ("shop-ok", "shop-err")] == [("shop-ok", 200), ("shop-err", 500)]' "http_status of the last result"
assert_json "$BODY" 'all(c["site"] == "<b>Shop</b> & \"Co\"\\Ltd" for c in j)' "site in JSON"
assert_json "$BODY" 'all(c["since"].endswith("Z") and c["last_total_ms"] >= 0 for c in j)' "since and time"
expect 400 GET '/api/v1/tickets?status=bogus'
assert_json "$BODY" '"error" in j' "400 is a JSON error"
expect 404 GET /api/v1/tickets/abc
assert_json "$BODY" '"error" in j' "404 is a JSON error"
expect 404 GET /api/v1/tickets/0
expect 404 GET /api/v1/nope
assert_json "$BODY" '"error" in j' "unknown API path: JSON error"

# Writes: token first, then the body.
J='{"by": "alice", "text": "looking"}'
expect 401 POST /api/v1/tickets/1/ack -H 'Content-Type: application/json' -d "$J"
assert_json "$BODY" '"error" in j' "401 is a JSON error"
assert_contains "$HDR" "WWW-Authenticate: Bearer" "401 names the scheme"
expect 401 POST /api/v1/tickets/1/ack -H "Authorization: Bearer wrong" -d "$J"
expect 401 POST /api/v1/tickets/1/ack -H "Authorization: Bearer ${TOKEN}x" -d "$J"
expect 401 POST /api/v1/tickets/1/ack -H "Authorization: Basic $TOKEN" -d "$J"
AUTH="Authorization: Bearer $TOKEN"
expect 400 POST /api/v1/tickets/1/ack -H "$AUTH" -d '{"by": '
assert_json "$BODY" '"error" in j' "bad JSON: JSON error"
expect 400 POST /api/v1/tickets/1/ack -H "$AUTH" -d '{"text": "no name"}'
expect 400 POST /api/v1/tickets/1/ack -H "$AUTH" -d '{"by": ""}'
expect 400 POST /api/v1/tickets/1/ack -H "$AUTH" -d '{"by": 5}'
expect 400 POST /api/v1/tickets/1/ack -H "$AUTH" -d '["alice"]'
expect 400 POST /api/v1/tickets/1/note -H "$AUTH" -d '{"by": "alice"}'
head -c 20000 /dev/zero | tr '\0' a > "$SW_TMP/big"
expect 413 POST /api/v1/tickets/1/ack -H "$AUTH" --data-binary @"$SW_TMP/big"
assert_json "$BODY" '"error" in j' "413 is a JSON error"
# Past evhttp's own cap (64 KB) it answers 413 itself.
head -c 200000 /dev/zero | tr '\0' a > "$SW_TMP/huge"
expect 413 POST /api/v1/tickets/1/ack -H "$AUTH" --data-binary @"$SW_TMP/huge"
expect 404 POST /api/v1/tickets/999999/ack -H "$AUTH" -d "$J"
assert_json "$BODY" '"error" in j' "unknown ticket: JSON error"
expect 404 POST /api/v1/tickets/1/delete -H "$AUTH" -d "$J"

# ---- methods
expect 405 GET /api/v1/tickets/1/ack
assert_contains "$HDR" "Allow: POST" "405 says what is allowed"
expect 405 POST / -d x
assert_contains "$HDR" "Allow: GET, HEAD" "405 on /"
expect 405 DELETE /api/v1/checks
expect 405 PUT /metrics -d x
expect 405 POST /api/v1/tickets/1 -H "$AUTH" -d "$J"

# ---- unknown routes
expect 404 GET /nope
secure "404"
expect 404 GET /admin/../../etc/passwd

# ---- metrics
expect 200 GET /metrics
assert_contains "$HDR" "Content-Type: text/plain; version=0.0.4" "metrics type"
SITE_L='site="<b>Shop</b> & \"Co\"\\Ltd"'
assert_contains "$BODY" "sitewatch_check_up{check=\"shop-ok\",$SITE_L} 1" "up, labels escaped"
assert_contains "$BODY" "sitewatch_check_up{check=\"shop-err\",$SITE_L} 0" "down is 0"
assert_contains "$BODY" "sitewatch_check_state{check=\"shop-err\",$SITE_L,state=\"down\"} 1" "state"
assert_contains "$BODY" "sitewatch_check_state{check=\"shop-err\",$SITE_L,state=\"up\"} 0" "state"
assert_contains "$BODY" "sitewatch_check_phase_seconds{check=\"shop-ok\",$SITE_L,phase=\"ttfb\"}" "phases"
assert_contains "$BODY" "sitewatch_check_duration_seconds{check=\"shop-ok\"" "duration"
assert_contains "$BODY" 'sitewatch_scheduler_lateness_ms{quantile="0.99"}' "lateness p99"
assert_contains "$BODY" '# TYPE sitewatch_checks_total counter' "counter type"
started=$(sed -n 's/^sitewatch_checks_total{event="started"} //p' "$SW_TMP/body")
assert_ge "$started" 4 "runs started"
# Every sample line parses as NAME{LABELS} VALUE or NAME VALUE.
bad=$(grep -v '^#' "$SW_TMP/body" | grep -Ev '^[a-z_]+(\{([a-z_]+="([^"\\]|\\.)*",?)+\})? -?[0-9.e+-]+$' || true)
assert_eq "" "$bad" "metrics lines that do not parse"

# The daemon is fine, and stops cleanly.
daemon_alive || fail "sitewatchd died"
stop_daemon
