#!/bin/bash
# 54-web-status-history: the public page's 90-day bar and the uptime
# figures come from the check's RRD file.  A file is made with known
# history (hourly rows, a 1-day archive): ten days ago to five days ago
# all up, four days ago half down, three days ago no data, two days ago
# one hour down, yesterday all up.  Each bar must show its day's colour,
# in the right place (today is the last bar), and the API's 30-day uptime
# must be a real figure between the down days' share and 100 %.
set -eu
. "$top_srcdir/tests/lib/common.sh"

start_nginx
export TZ=UTC
now=$(date +%s)
today=$(( now / 86400 * 86400 ))
f=$SW_STATE_DIR/rrd/hist.rrd
mkdir -p "$(dirname "$f")"
args=()
for d in up total_ms dns_ms connect_ms tls_ms ttfb_ms le_100 le_250 le_500 \
    le_1000 le_2000 le_5000; do
	case $d in
	up|le_*) args+=("DS:$d:GAUGE:7200:0:1") ;;
	*) args+=("DS:$d:GAUGE:7200:0:U") ;;
	esac
done
rrdtool create "$f" --step 3600 --start $(( today - 10 * 86400 - 1 )) \
    "${args[@]}" RRA:AVERAGE:0.5:1:48 RRA:AVERAGE:0.5:24:1825 \
    RRA:MIN:0.5:24:1825 RRA:MAX:0.5:24:1825 || fail "rrdtool create"
vals=()
for day in 10 9 8 7 6 5 4 3 2 1; do
	for h in $(seq 0 23); do
		t=$(( today - day * 86400 + (h + 1) * 3600 ))
		case $day in
		4) [ "$h" -lt 12 ] && up=1 || up=0 ;;
		3) up=U ;;
		2) [ "$h" = 5 ] && up=0 || up=1 ;;
		*) up=1 ;;
		esac
		if [ "$up" = U ]; then
			vals+=("$t:U:U:U:U:U:U:U:U:U:U:U:U")
		else
			vals+=("$t:$up:50:5:5:5:25:$up:$up:$up:$up:$up:$up")
		fi
	done
done
rrdtool update "$f" "${vals[@]}" || fail "rrdtool update"

write_config
add_site hist "History Ltd" en
add_check hist hist "$NGINX_URL/ok" interval=3600 timeout=5
start_daemon
B=http://127.0.0.1:$SW_HTTP_PORT

# The first figures come a few seconds after the start.  Only a real
# answer can satisfy the wait: no answer is "not yet", not "not null".
wait_json 20 "$B/api/v1/checks" 'j[0]["uptime_30d"] is not None' ||
    fail "no 30-day uptime within 20 s: $WAIT_BODY"
assert_json "$WAIT_BODY" '80 < j[0]["uptime_30d"] < 100' \
    "30-day uptime between 80 and 100 %"

wait_page 10 "$B/status/hist" 'class="day u-full"' ||
    fail "no coloured day on /status/hist: $WAIT_BODY"
status_page=$WAIT_BODY
printf '%s\n' "$status_page" | grep -o 'class="day u-[a-z]*"' |
    sed 's/.*u-//; s/"//' > "$SW_TMP/bars"
assert_eq 90 "$(grep -c . "$SW_TMP/bars")" "90 bars"
bar() { sed -n "$(( 90 - $1 ))p" "$SW_TMP/bars"; }	# bar N days ago
assert_eq full "$(bar 1)" "yesterday: all up"
assert_eq mid "$(bar 2)" "two days ago: 23 of 24 hours up"
assert_eq none "$(bar 3)" "three days ago: no data"
assert_eq low "$(bar 4)" "four days ago: half down"
for d in 5 6 7 8 9 10; do
	assert_eq full "$(bar $d)" "$d days ago: all up"
done
assert_eq none "$(bar 11)" "eleven days ago: before the file"
assert_eq none "$(bar 89)" "89 days ago"
# The bar's tooltip gives its (UTC) date and the figure.
assert_contains "$status_page" "title=\"$(date -u -d '2 days ago' +%F): 95.83 % available\"" \
    "two days ago in words"
stop_daemon
