#!/bin/bash
# bench/uptime-day.sh -- what one figure costs for a check at 1 s
# resolution: a day is 86,400 one-step rows.  Not part of `make check`.
#
# Makes a state folder with one check (interval 1 s) and its RRD file in
# the layout the daemon creates for it (rrd_store_create, default
# rrd_retention, mirrored below with rrdtool so the history can start a
# day back), fills it with a whole day of results (rrdtool's pipe mode,
# 2,000 updates a command; one 195 s outage), then times
#   sitewatch report --period day --json     (what `report` costs)
#   sitewatch report --period month --json   (the 30-day figure)
#   sitewatch status --json                  (24 h and 30 d: the two
#                                             reads the web's refresh
#                                             makes for each check too)
#   sitewatch report of one minute           (the same process, 60 rows)
# N times each (default 10) and prints the median and the fastest wall
# time and the mean CPU time.
#
#   bench/uptime-day.sh [-n N] [-k]       (from a built tree; -k keeps the folder)
set -eu

n=10
keep=0
while getopts n:k o; do
	case $o in
	n) n=$OPTARG ;;
	k) keep=1 ;;
	*) echo "usage: bench/uptime-day.sh [-n N] [-k]" >&2; exit 2 ;;
	esac
done
top=$(cd "$(dirname "$0")/.." && pwd)
swc=$top/sitewatch
[ -x "$swc" ] || { echo "build first: $swc is missing" >&2; exit 2; }
command -v rrdtool >/dev/null || { echo "rrdtool is missing" >&2; exit 2; }

dir=$(mktemp -d /tmp/sw-uptime-day.XXXXXX)
[ "$keep" = 1 ] || trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/var/rrd" "$dir/checks.d"
cat > "$dir/sitewatch.conf" <<EOF
[daemon]
state_dir = $dir/var
checks_dir = $dir/checks.d
rrdcached = none
EOF
cat > "$dir/checks.d/bench.conf" <<EOF
[site]
name = Bench
[check day1s]
url = http://127.0.0.1:9/
interval = 1
EOF
f=$dir/var/rrd/day1s.rrd

# The layout of rrd_store_create() for interval 1 and the default
# rrd_retention (1s:2d,5m:14d,1h:90d,1d:5y): heartbeat 2 s, xff 0.99,
# MIN and MAX only where a row holds more than one step.
now=$(date +%s)
start=$(( now - 86400 - 60 ))
args=()
for d in up total_ms dns_ms connect_ms tls_ms ttfb_ms le_100 le_250 le_500 \
    le_1000 le_2000 le_5000; do
	case $d in
	up|le_*) args+=("DS:$d:GAUGE:2:0:1") ;;
	*) args+=("DS:$d:GAUGE:2:0:U") ;;
	esac
done
args+=(RRA:AVERAGE:0.99:1:172800)
for r in 300:4032 3600:2160 86400:1825; do
	for cf in AVERAGE MIN MAX; do
		args+=("RRA:$cf:0.99:${r%%:*}:${r#*:}")
	done
done
rrdtool create "$f" --step 1 --start "$start" "${args[@]}"

t0=$(date +%s%N)
# One result a second up to now; down for 195 s two hours back.
awk -v f="$f" -v s="$start" -v e="$now" 'BEGIN {
	o1 = e - 7200; o2 = o1 + 195; line = ""; k = 0
	for (t = s + 1; t <= e; t++) {
		if (t > o1 && t <= o2)
			v = "0:30:1:1:1:20:0:0:0:0:0:0"
		else
			v = "1:" 40 + t % 50 ":1:2:0:30:1:1:1:1:1:1"
		line = line " " t ":" v
		if (++k == 2000) {
			print "update " f line; line = ""; k = 0
		}
	}
	if (k > 0)
		print "update " f line
}' | rrdtool - > "$dir/fill.log"
grep -v '^OK' "$dir/fill.log" | head -3 >&2 || true
t1=$(date +%s%N)
echo "filled $(( now - start )) one-second rows in $(( (t1 - t0) / 1000000 )) ms"

# time_cmd LABEL CMD...: run N times, print the median and the fastest
# wall time, and the CPU time (task-clock, all threads) when perf is
# there: on a shared machine the CPU time is the steadier figure.
time_cmd() {
	local label=$1 i a b cpu=""
	local -a ms=()
	shift
	"$@" > "$dir/out.json"
	for i in $(seq "$n"); do
		a=$(date +%s%N)
		"$@" > /dev/null
		b=$(date +%s%N)
		ms+=($(( (b - a) / 1000 )))
	done
	if command -v perf >/dev/null 2>&1; then
		cpu=$(perf stat -x, -e task-clock -r "$n" "$@" 2>&1 >/dev/null |
		    awk -F, '/task-clock/ { printf "  cpu %6.1f ms", $1 }')
	fi
	printf '%s\n' "${ms[@]}" | sort -n | awk -v l="$label" -v n="$n" \
	    -v cpu="$cpu" '{ v[NR] = $1 } END {
		printf "%-34s median %6.1f ms  fastest %6.1f ms%s  (n = %d)\n",
		    l, v[int((NR + 1) / 2)] / 1000, v[1] / 1000, cpu, n }'
}
time_cmd "report --period day --json" \
    "$swc" -c "$dir/sitewatch.conf" report --period day --json
echo "  $(tr -d '\n ' < "$dir/out.json" | cut -c1-200)"
time_cmd "report --period month --json" \
    "$swc" -c "$dir/sitewatch.conf" report --period month --json
time_cmd "status --json (24 h + 30 d)" \
    "$swc" -c "$dir/sitewatch.conf" status --json
# The same process, config and database, reading 60 rows: what the
# figures above cost beyond it is the rows.
time_cmd "report of one minute (60 rows)" \
    "$swc" -c "$dir/sitewatch.conf" report --start $(( now - 120 )) \
    --end $(( now - 60 )) --json
time_cmd "sitewatch --help (process start)" "$swc" --help
[ "$keep" = 1 ] && echo "kept $dir"
exit 0
