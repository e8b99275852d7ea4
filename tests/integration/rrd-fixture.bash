# rrd-fixture.bash -- shared by the 2x-rrd scenarios (sourced after
# common.sh): an RRD file with the SPEC layout and a known pattern.

# rrd_make_layout FILE STEP START: `rrdtool create` with the SPEC layout
# (default retention), independent of our own creation code.
rrd_make_layout() {
	local f=$1 step=$2 start=$3 hb=$(( 2 * $2 )) d
	local -a args=()
	for d in up total_ms dns_ms connect_ms tls_ms ttfb_ms le_100 le_250 \
	    le_500 le_1000 le_2000 le_5000; do
		case $d in
		up|le_*) args+=("DS:$d:GAUGE:$hb:0:1") ;;
		*) args+=("DS:$d:GAUGE:$hb:0:U") ;;
		esac
	done
	mkdir -p "$(dirname "$f")"
	rrdtool create "$f" --step "$step" --start "$start" "${args[@]}" \
	    RRA:AVERAGE:0.5:1:2880 \
	    RRA:AVERAGE:0.5:5:4032 RRA:MIN:0.5:5:4032 RRA:MAX:0.5:5:4032 \
	    RRA:AVERAGE:0.5:60:2160 RRA:MIN:0.5:60:2160 RRA:MAX:0.5:60:2160 ||
	    fail "rrdtool create $f"
}

# rrd_feed_pattern FILE T0: 100 one-minute rows from T0 (row i covers
# [T0 + 60 i, T0 + 60 i + 60)):
#   0..59 up in 50 ms, 60..69 down (30 ms), 70..79 unknown,
#   80..89 down (the scenario puts them in a maintenance window),
#   90..99 up in 300 ms.
# Expected over [T0, T0 + 6000) with the window: up 4200 s, down 600 s,
# unknown 600 s, maintenance 600 s, uptime 87.5 %, mean 85.7 ms, p95 500.
rrd_feed_pattern() {
	local f=$1 t0=$2 i t v
	local -a vals=()
	for i in $(seq 0 99); do
		t=$(( t0 + (i + 1) * 60 ))
		if [ "$i" -lt 60 ]; then
			v="1:50:5:5:5:25:1:1:1:1:1:1"
		elif [ "$i" -lt 70 ]; then
			v="0:30:3:3:3:15:0:0:0:0:0:0"
		elif [ "$i" -lt 80 ]; then
			v="U:U:U:U:U:U:U:U:U:U:U:U"
		elif [ "$i" -lt 90 ]; then
			v="0:999:1:1:1:1:0:0:0:0:0:0"
		else
			v="1:300:30:30:30:150:0:0:1:1:1:1"
		fi
		vals+=("$t:$v")
	done
	rrdtool update "$f" "${vals[@]}" || fail "rrdtool update $f"
}

# rrd_fixture_config: config with checks shop-home (maintenance over rows
# 80..89 of the pattern) and shop-empty (no data); sets T0.
rrd_fixture_config() {
	local ms me
	export TZ=UTC
	T0=$(( $(date +%s) / 3600 * 3600 - 4 * 3600 ))
	ms=$(date -u -d "@$(( T0 + 80 * 60 ))" +%Y-%m-%dT%H:%M)
	me=$(date -u -d "@$(( T0 + 90 * 60 ))" +%Y-%m-%dT%H:%M)
	write_config "$@"
	add_site shop "Shop, Ltd"
	add_check shop shop-home "http://127.0.0.1:9/" interval=60 \
	    "maintenance=$ms/$me"
	add_check shop shop-empty "http://127.0.0.1:9/" interval=60
	rrd_make_layout "$SW_STATE_DIR/rrd/shop-home.rrd" 60 "$T0"
	rrd_feed_pattern "$SW_STATE_DIR/rrd/shop-home.rrd" "$T0"
}

# iso EPOCH: ISO 8601 UTC as reports print it.
iso() {
	date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ
}
