#!/bin/bash
# 56-web-status-pages: each client has its own public page, /status/SITE,
# and sees nothing of another's.  Three sites: Acme (en, one check down:
# "some down" banner, an incident under the check's public title), Örnek
# (tr, Europe/Istanbul, one check slow: "some degraded" banner in Turkish,
# times in +03) and a calm one whose name carries markup (all working).
# /status is 404 until status_index = yes.  Headless Chromium renders the
# two clients' pages at desktop and phone width (390 px); the screenshots
# are kept in tests/integration/56-web-status-pages.dir/.
set -eu
. "$top_srcdir/tests/lib/common.sh"

if ! command -v chromium >/dev/null 2>&1; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y chromium \
	    >"$SW_TMP/apt.log" 2>&1 || skip "chromium is not installed and cannot be"
fi
SHOTS=$top_builddir/tests/integration/56-web-status-pages.dir
rm -rf "$SHOTS"
mkdir -p "$SHOTS"

start_nginx
write_config defaults.interval=2 defaults.timeout=2 \
    'smtp.organization=Web <b>Care</b> Ltd' 'smtp.contact=+90 212 555 0101'
add_site acme 'Acme Shop' en
echo 'timezone = Europe/London' >> "$SW_CHECKS_DIR/acme.conf"
add_check acme acme-home "$NGINX_URL/ok" 'title=Shop front'
add_check acme acme-cart "$NGINX_URL/status/503" 'title=Checkout'
add_site ornek 'Örnek Ltd' tr
echo 'timezone = Europe/Istanbul' >> "$SW_CHECKS_DIR/ornek.conf"
add_check ornek ornek-home "$NGINX_URL/ok" 'title=Ana sayfa'
add_check ornek ornek-search "$NGINX_URL/slow" slow_ms=500 interval=5 timeout=4 'title=Arama'
add_site calm 'Calm <img src=x onerror=alert(7)> Ltd' en
add_check calm calm-home "$NGINX_URL/ok" 'title=<script>alert(1)</script> Home'
start_daemon
B=http://127.0.0.1:$SW_HTTP_PORT

wait_json 20 "$B/api/v1/checks" 'sum(c["state"] != "unknown" for c in j) == 5' ||
    fail "not every check has a result: $WAIT_BODY"
wait_json 20 "$B/api/v1/checks" \
    '[c["ticket"] is not None for c in j if c["name"] == "acme-cart"] == [True]' ||
    fail "no ticket for acme-cart: $WAIT_BODY"

# ---- no index of every client by default
http_req GET "$B/status"
assert_eq 404 "$HTTP_STATUS" "/status without status_index"
http_req GET "$B/status/nope"
assert_eq 404 "$HTTP_STATUS" "/status of an unknown site"

# ---- Acme: its own checks by title, the down banner, the incident
# The page's tickets are refreshed every few seconds.
wait_page 15 "$B/status/acme" '<b>Checkout</b>: the site answers with an error.' ||
    fail "no incident under the public title on /status/acme: $WAIT_BODY"
A=$WAIT_BODY
assert_contains "$A" '<h1>Acme Shop</h1>' "Acme's name"
assert_contains "$A" 'data-state="down">Some services are not available.<' "down banner"
assert_contains "$A" '<span class="name">Shop front</span>' "public title"
assert_contains "$A" '<span class="name">Checkout</span>' "public title of the down check"
assert_contains "$A" '(Europe/London)</time>' "times in the site's zone"
assert_contains "$A" '<p class="sign" id="sign">Web &lt;b&gt;Care&lt;/b&gt; Ltd · +90 212 555 0101</p>' \
    "signed by the organization, as text"
for leak in acme-home acme-cart ornek Örnek Arama calm Calm "$NGINX_PORT" 127.0.0.1 \
    '/graph/' 'HTTP 503'; do
	assert_not_contains "$A" "$leak" "/status/acme shows '$leak'"
done
assert_eq 90 "$(printf '%s' "$A" | grep -o 'class="day u-' | grep -c .)" "90 day bars"
# Today's bar, dated, once the first daily figures are in (a few s).
today=$(date -u +%F)
wait_page 20 "$B/status/acme" "title=\"$today: " ||
    fail "no bar for today on /status/acme: $WAIT_BODY"
wait_page 20 "$B/status/acme" "% available\"></li></ol>" ||
    fail "today's bar has no figure on /status/acme: $WAIT_BODY"

# ---- Örnek: Turkish, degraded, Istanbul time, nothing of Acme
wait_page 10 "$B/status/ornek" 'data-state="degraded"' ||
    fail "no degraded banner on /status/ornek: $WAIT_BODY"
O=$WAIT_BODY
assert_contains "$O" 'lang="tr"' "Turkish page"
assert_contains "$O" 'Bazı hizmetler sorunlu çalışıyor.' "degraded banner in Turkish"
assert_contains "$O" '<span class="name">Ana sayfa</span>' "Turkish title"
assert_contains "$O" 'Çalışıyor, sorunlar var' "degraded in Turkish"
assert_contains "$O" '+03 (Europe/Istanbul)</time>' "Istanbul time"
for leak in ornek-home ornek-search Acme Checkout 'Shop front' calm; do
	assert_not_contains "$O" "$leak" "/status/ornek shows '$leak'"
done

# ---- the calm site: all working; markup from the config stays text
http_req GET "$B/status/calm"
assert_eq 200 "$HTTP_STATUS" "/status/calm"
assert_contains "$HTTP_BODY" 'data-state="up">All services are working normally.<' "all-working banner"
assert_contains "$HTTP_BODY" '&lt;script&gt;alert(1)&lt;/script&gt; Home' "title as text"
assert_contains "$HTTP_BODY" 'Calm &lt;img src=x onerror=alert(7)&gt; Ltd' "site name as text"
assert_not_contains "$HTTP_BODY" '<script>' "no script element from a title"

# chrome ARGS...: one headless run, bounded.
chrome() {
	timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-quic \
	    --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync --hide-scrollbars \
	    --user-data-dir="$SW_TMP/chr" --virtual-time-budget=5000 "$@" \
	    2>>"$SW_TMP/chromium.log"
}
# png_width FILE: the width in a PNG's header.
png_width() { od -An -tu1 -j16 -N4 "$1" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }'; }

# ---- in the browser: the live DOM, phone and desktop
for site in acme ornek; do
	chrome --window-size=390,844 --dump-dom "$B/status/$site" \
	    > "$SW_TMP/$site-phone.html" || fail "chromium failed on /status/$site"
	D=$(cat "$SW_TMP/$site-phone.html")
	assert_contains "$D" 'id="banner"' "$site: banner in the browser's DOM"
	assert_eq 90 "$(grep -o 'class="day u-' "$SW_TMP/$site-phone.html" | grep -c .)" \
	    "$site: 90 bars in the browser"
	assert_not_contains "$D" '<img' "$site: no image"
	for w in 390x844 1280x900; do
		f=$SHOTS/status-$site-${w%%x*}.png
		chrome --window-size="${w/x/,}" --screenshot="$f" "$B/status/$site" \
		    >/dev/null || fail "screenshot of /status/$site at $w failed"
		assert_file_exists "$f" "screenshot of /status/$site at $w"
		assert_eq "89504e47" "$(head -c 4 "$f" | od -An -tx1 | tr -d ' \n')" "$f is a PNG"
		assert_eq "${w%%x*}" "$(png_width "$f")" "$f width"
		assert_ge "$(stat -c %s "$f")" 15000 "$f has content"
	done
done
chrome --window-size=390,844 --dump-dom "$B/status/calm" > "$SW_TMP/calm.html" ||
    fail "chromium failed on /status/calm"
D=$(cat "$SW_TMP/calm.html")
assert_contains "$D" '&lt;script&gt;alert(1)&lt;/script&gt; Home' "title as text in the live DOM"
assert_not_contains "$D" '<img src="x"' "an img element made from the site name"

# ---- status_index = yes: the index lists every site, linked
write_config defaults.interval=2 defaults.timeout=2 daemon.status_index=yes \
    'smtp.organization=Web <b>Care</b> Ltd' 'smtp.contact=+90 212 555 0101'
reload_daemon
wait_page 10 "$B/status" 'href="/status/ornek"' ||
    fail "no index after status_index = yes: $WAIT_BODY"
assert_contains "$WAIT_BODY" 'href="/status/acme"' "index links Acme"
assert_contains "$WAIT_BODY" 'data-state="down"' "index banner: the worst state"

daemon_alive || fail "sitewatchd died"
stop_daemon
