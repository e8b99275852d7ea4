#!/bin/bash
# bench/run.sh -- benchmark sitewatchd against the raw limit of a
# libcurl-multi + libevent loop and against peers, in one run, on
# loopback only, and print one table with PASS/FAIL per target.
#
#   bench/run.sh [--quick] [--only LIST] [--sitewatchd PATH] [--keep]
#
#   --quick        shorter windows and smaller counts (~2-3 min)
#   --only LIST    comma-separated subset of: raw,peers,a,b,c,d,e,f
#                  (default: all; a..f need a built sitewatchd)
#   --sitewatchd   the daemon to measure (default: ./sitewatchd of the
#                  tree, built by the project's own make)
#   --keep         keep the temp dir (configs, logs) and print its path
#   --profile      perf-record sitewatchd during the (a) and (c) windows
#                  and print where its CPU goes (sampling adds ~1-2% CPU)
#
# What runs (every server on 127.0.0.1 free ports, killed by PID on exit):
#   target   nginx, 1 worker, keep-alive off, plain HTTP and HTTPS (test CA,
#            RSA 2048, no session cache or tickets: a full handshake each)
#   raw      bench/rawloop (built here with pkg-config, not automake)
#   peers    check_curl and check_http (a process per check, xargs -P2),
#            prometheus-blackbox-exporter driven by wrk
#   (a)      10,000 plain checks every 10 s = 1,000 checks/s, the default
#            configuration as shipped (the daemon's own rrdcached child,
#            its CPU counted), then 5,000 (500/s), then (a') the same
#            1,000/s through an rrdcached started by hand
#   (b)      ramp of plain-HTTP rates (through rrdcached) until a step is
#            not sustained
#   (c)      HTTPS, a fresh handshake per check (default configuration),
#            vs the raw loop at the same rate
#   (d)      100,000 checks every 3600 s: memory, start-up, idle cost
#   (e)      lateness at 1,000 checks/s, quiet and then while graphs are
#            drawn, the ticket store is read, and mail waits on an SMTP
#            server that never answers
#   (f)      100,000 checks every 60 s (1,667/s), default configuration,
#            RRD (short retention), 20 failing checks (incidents), the
#            web's /, /status and /metrics fetched every 3 s
#
# With rrdcached, its CPU is added to the daemon's (the a' and b rows);
# the daemon's own rrdcached child (state_dir/rrdcached.pid) is counted
# in every row where it runs.
# CPU is user+sys of the checker process only (/proc/PID/stat, all
# threads; getrusage in rawloop; wait4 rusage for the process-per-check
# peers); nginx's CPU is not counted for anyone.  Ratios compare runs at
# the same rate where the rate changes the per-check cost.
set -u
set -o pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$BENCH_DIR/.." && pwd)
. "$BENCH_DIR/lib.sh"

QUICK=0
ONLY=raw,peers,a,b,c,d,e,f
SWD=$TOP/sitewatchd
KEEP=0
PROFILE=0
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--only) ONLY=$2; shift ;;
	--only=*) ONLY=${1#--only=} ;;
	--sitewatchd) SWD=$2; shift ;;
	--keep) KEEP=1 ;;
	--profile) PROFILE=1 ;;
	-h|--help) sed -n '2,30p' "$0"; exit 0 ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 1 ;;
	esac
	shift
done
want() { case ",$ONLY," in *",$1,"*) return 0 ;; esac; return 1; }

# The whole run is bounded: a watchdog ends it after 20 minutes whatever
# happens (the default run takes ~12).
RUN_LIMIT=1200
[ $QUICK = 1 ] && RUN_LIMIT=600

# Sizes: default | quick.
if [ $QUICK = 1 ]; then
	RAW_DUR=3; PEER_N=200; BB_DUR=3
	A_N=2000; A_IV=2; A_WARM=4; A_WIN=8
	B_IV=2; B_RATES=${BENCH_B_RATES:-"2000 5000 9000"}; B_WARM=4; B_WIN=6
	C_N=400; C_IV=2; C_WARM=4; C_WIN=6
	D_N=100000; D_WIN=8
	E_N=2000; E_IV=2; E_WARM=4; E_WIN=8
	F_N=${BENCH_F_N:-10000}; F_IV=${BENCH_F_IV:-10}; F_WARM=12; F_WIN=10
else
	RAW_DUR=10; PEER_N=1000; BB_DUR=10
	A_N=10000; A_IV=10; A_WARM=12; A_WIN=30
	B_IV=2; B_RATES="1000 2000 4000 6000 8000 11000 14000"; B_WARM=12; B_WIN=8
	C_N=2000; C_IV=10; C_WARM=12; C_WIN=20
	D_N=100000; D_WIN=20
	E_N=5000; E_IV=5; E_WARM=8; E_WIN=20
	F_N=${BENCH_F_N:-100000}; F_IV=${BENCH_F_IV:-60}; F_WARM=75; F_WIN=60
fi
E_FAIL=20
A_RATE=$((A_N / A_IV))
A5_N=$((A_N / 2))
A5_RATE=$((A5_N / A_IV))
C_RATE=$((C_N / C_IV))
RETENTION_SHORT='1s:30m,5m:2h'

TMP=$(mktemp -d /tmp/sitewatch-bench.XXXXXX)
WATCHDOG=
cleanup() {
	trap - EXIT INT TERM
	if [ -n "$WATCHDOG" ]; then
		kill "$WATCHDOG" 2>/dev/null
		[ -s "$TMP/watchdog.pid" ] && kill "$(cat "$TMP/watchdog.pid")" 2>/dev/null
	fi
	bench_cleanup
	if [ $KEEP = 1 ]; then
		echo "kept: $TMP" >&2
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT TERM
# It holds no pipe of ours open, and cleanup ends its sleep by PID.
( exec >/dev/null 2>&1; sleep $RUN_LIMIT & echo $! >"$TMP/watchdog.pid"
  wait $! && kill -TERM $$ ) &
WATCHDOG=$!

# Fresh connections by the ten thousand: take every descriptor we may.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# ---------------------------------------------------------------- results
declare -A R		# measured values by key
ROWS=()			# "label|value|note" of the measurement table
TROWS=()		# "label|measured|limit|verdict" of the target table
row() { ROWS+=("$1|$2|${3:-}"); }
trow() { TROWS+=("$1|$2|$3|$4"); }
# verdict MEASURED OP LIMIT -> PASS/FAIL (n/a when measured is empty)
verdict() {
	[ -n "$1" ] && [ "$1" != "n/a" ] || { echo "n/a"; return; }
	awk -v m="$1" -v l="$3" -v op="$2" 'BEGIN {
		if (op == "<=") ok = m + 0 <= l + 0
		else if (op == "<") ok = m + 0 < l + 0
		else if (op == ">=") ok = m + 0 >= l + 0
		else ok = m + 0 > l + 0
		print ok ? "PASS" : "FAIL" }'
}

# ---------------------------------------------------------------- build
say "building bench/rawloop"
make -s -C "$BENCH_DIR" OUT="$TMP" >"$TMP/make.log" 2>&1 ||
    { cat "$TMP/make.log" >&2; exit 1; }
RAWLOOP=$TMP/rawloop

say "making a test CA and starting nginx"
make_certs "$TMP/certs"
CA=$TMP/certs/ca.pem
start_nginx "$TMP/nginx" "$TMP/certs" 1 || { say "nginx failed"; exit 1; }
URL_PLAIN=http://127.0.0.1:$NGX_HTTP/ok
URL_LOG=http://127.0.0.1:$NGX_HTTP_LOG/ok
URL_TLS=https://127.0.0.1:$NGX_HTTPS/ok

# ---------------------------------------------------------------- raw loop
# rawloop KEY ARGS... -> R[KEY.rate], R[KEY.cpu], R[KEY.fail]
rawloop() {
	local key=$1 out; shift
	out=$("$RAWLOOP" "$@" 2>"$TMP/raw-$key.err") || true
	echo "$out" >"$TMP/raw-$key.out"
	R[$key.rate]=$(printf '%s\n' "$out" | grep -o 'rate=[0-9.]*' | tail -1 | cut -d= -f2)
	R[$key.cpu]=$(printf '%s\n' "$out" | grep -o 'cpu_us_per=[0-9.]*' | cut -d= -f2)
	R[$key.fail]=$(printf '%s\n' "$out" | grep -o 'fail=[0-9]*' | cut -d= -f2)
	R[$key.late]=$(printf '%s\n' "$out" | grep -o 'late_p99_ms=[0-9.]*' | cut -d= -f2)
	if [ -z "${R[$key.cpu]}" ]; then
		say "rawloop $key failed: $(cat "$TMP/raw-$key.err")"
		R[$key.cpu]=
	fi
}
RAWROWS=()
rawrow() {
	local key=$1 label=$2
	RAWROWS+=("$label|$(fmt '%.1f' "${R[$key.cpu]:-0}") µs/check|$(fmt '%.0f' "${R[$key.rate]:-0}") checks/s, ${R[$key.fail]:-?} failed")
}

if want raw || want a || want b || want c; then
	say "raw loop: plain saturated, plain paced ${A_RATE}/s, https"
	rawloop raw_sat -u "$URL_PLAIN" -c 64 -d "$RAW_DUR" -w 1
	rawloop raw_sat_reuse -u "$URL_PLAIN" -c 64 -d "$RAW_DUR" -w 1 -R
	rawloop raw_pace -u "$URL_PLAIN" -c 500 -r "$A_RATE" -d "$RAW_DUR" -w 1
	rawloop raw_pace5 -u "$URL_PLAIN" -c 500 -r "$A5_RATE" -d "$RAW_DUR" -w 1
	rawloop raw_tls_sat -u "$URL_TLS" -k "$CA" -c 32 -d "$RAW_DUR" -w 1
	rawloop raw_tls_pace -u "$URL_TLS" -k "$CA" -c 500 -r "$C_RATE" \
	    -d "$RAW_DUR" -w 1
fi

# The machine is shared and its speed drifts: a paced reference is taken
# again right after the sitewatchd scenario it is compared with, and the
# ratio uses the mean of the two.
raw_again() {
	local key=$1; shift
	[ -n "${R[$key.cpu]:-}" ] || return 0
	rawloop "${key}2" "$@"
	[ -n "${R[${key}2.cpu]:-}" ] || return 0
	R[${key}1.cpu]=${R[$key.cpu]}
	R[$key.cpu]=$(calc "(${R[$key.cpu]} + ${R[${key}2.cpu]}) / 2")
}

# ---------------------------------------------------------------- peers
# Process-per-check peers: COUNT runs, two at a time; CPU from wait4's
# rusage of xargs (its children included).
peer_proc() {
	local key=$1 n=$2; shift 2
	local t0 t1 line u s fails
	[ -x "$1" ] || { say "$1 missing (bench/install-peers.sh)"; return; }
	"$@" >"$TMP/$key.first" 2>&1 ||
	    { say "$key: first run failed: $(head -c 300 "$TMP/$key.first")"; return; }
	t0=$(now_ms)
	seq "$n" | /usr/bin/time -f '%U %S' -o "$TMP/$key.time" \
	    timeout 300 xargs -P2 -I{} "$@" >/dev/null 2>&1
	fails=$?
	t1=$(now_ms)
	read -r u s <"$TMP/$key.time" || true
	[ "$fails" = 0 ] || say "$key: some runs failed (xargs rc=$fails)"
	R[$key.cpu]=$(calc "($u + $s) * 1e6 / $n")
	R[$key.rate]=$(calc "$n * 1000 / ($t1 - $t0)")
	row "$key (process per check, xargs -P2, $n)" \
	    "$(fmt '%.0f' "${R[$key.cpu]}") µs/check" \
	    "$(fmt '%.0f' "${R[$key.rate]}") checks/s on 2 cores"
}

# blackbox_exporter on a loopback port, probed by wrk for BB_DUR seconds.
peer_blackbox() {
	local bin=/usr/bin/prometheus-blackbox-exporter port pid d=$TMP/bb
	local key target c0 c1 n out ok
	[ -x "$bin" ] && command -v wrk >/dev/null ||
	    { say "blackbox_exporter or wrk missing (bench/install-peers.sh)"; return; }
	mkdir -p "$d"
	cat >"$d/blackbox.yml" <<EOF
modules:
  http_2xx:
    prober: http
    timeout: 5s
    http:
      preferred_ip_protocol: ip4
      ip_protocol_fallback: false
  https_2xx:
    prober: http
    timeout: 5s
    http:
      preferred_ip_protocol: ip4
      ip_protocol_fallback: false
      fail_if_not_ssl: true
      tls_config:
        ca_file: $CA
EOF
	port=$(free_port)
	"$bin" --config.file="$d/blackbox.yml" \
	    --web.listen-address="127.0.0.1:$port" --log.level=error \
	    >"$d/log" 2>&1 &
	pid=$!
	track_pid "$pid"
	wait_for 10 "curl -sf http://127.0.0.1:$port/metrics >/dev/null" ||
	    { say "blackbox_exporter did not start: $(tail -3 "$d/log")"; return; }
	for key in bb bb_tls; do
		if [ $key = bb ]; then
			target="module=http_2xx&target=$URL_PLAIN"
		else
			target="module=https_2xx&target=$URL_TLS"
		fi
		ok=$(http_get "http://127.0.0.1:$port/probe?$target" |
		    awk '$1 == "probe_success" { print $2 }')
		if [ "$ok" != 1 ]; then
			say "blackbox $key probe does not succeed; skipped"
			continue
		fi
		c0=$(cpu_us "$pid")
		out=$(wrk -t1 -c4 -d"${BB_DUR}s" \
		    "http://127.0.0.1:$port/probe?$target" 2>&1)
		c1=$(cpu_us "$pid")
		n=$(printf '%s\n' "$out" | awk '/requests in/ { print $1 }')
		[ -n "$n" ] && [ "$n" -gt 0 ] || { say "wrk: $out"; continue; }
		R[$key.cpu]=$(calc "($c1 - $c0) / $n")
		R[$key.rate]=$(calc "$n / $BB_DUR")
		row "blackbox_exporter, $([ $key = bb ] && echo plain || echo https), saturated (wrk -c4)" \
		    "$(fmt '%.0f' "${R[$key.cpu]}") µs/check" \
		    "$(fmt '%.0f' "${R[$key.rate]}") probes/s, exporter CPU only"
		# The same at the rate sitewatchd is measured at, with a
		# keep-alive client paced like a scheduler.
		local prate=$A_RATE
		[ $key = bb_tls ] && prate=$C_RATE
		c0=$(cpu_us "$pid")
		out=$("$RAWLOOP" -K -u "http://127.0.0.1:$port/probe?$target" \
		    -r "$prate" -c 256 -d "$BB_DUR" -w 0 2>/dev/null)
		c1=$(cpu_us "$pid")
		n=$(printf '%s\n' "$out" | grep -o ' ok=[0-9]*' | cut -d= -f2)
		[ -n "$n" ] && [ "$n" -gt 0 ] || continue
		R[${key}_pace.cpu]=$(calc "($c1 - $c0) / $n")
		row "blackbox_exporter, $([ $key = bb ] && echo plain || echo https), paced $prate/s" \
		    "$(fmt '%.0f' "${R[${key}_pace.cpu]}") µs/check" \
		    "$n probes in ${BB_DUR}s, exporter CPU only"
	done
	stop_pid "$pid" 5
}

if want peers; then
	say "peers: check_curl, check_http ($PEER_N each), blackbox_exporter"
	peer_proc check_curl "$PEER_N" /usr/lib/nagios/plugins/check_curl \
	    -I 127.0.0.1 -p "$NGX_HTTP" -u /ok
	peer_proc check_http "$PEER_N" /usr/lib/nagios/plugins/check_http \
	    -I 127.0.0.1 -p "$NGX_HTTP" -u /ok
	peer_proc check_curl_tls "$((PEER_N / 2))" \
	    /usr/lib/nagios/plugins/check_curl -I 127.0.0.1 -p "$NGX_HTTPS" \
	    -u /ok -S --ca-cert "$CA" -D
	peer_blackbox
fi

# ---------------------------------------------------------------- sitewatchd
# swd_setup NAME N INTERVAL URL [CHECK_EXTRA] [DAEMON_EXTRA]: a config
# in $TMP/swd-NAME.  Sets SD (its dir), SPORT (its listen port).
swd_setup() {
	local name=$1 n=$2 iv=$3 url=$4 cextra=${5:-} dextra=${6:-}
	local to=$((iv < 10 ? iv / 2 : 5))
	[ $to -ge 1 ] || to=1
	SD=$TMP/swd-$name
	SPORT=$(free_port)
	mkdir -p "$SD/var"
	cat >"$SD/sitewatch.conf" <<EOF
; generated by bench/run.sh
[daemon]
state_dir = $SD/var
checks_dir = $SD/checks.d
templates_dir = $TEMPLATES
listen = 127.0.0.1:$SPORT
max_parallel = 500
rrd_retention = ${RETENTION:-$RETENTION_SHORT}
$dextra

[smtp]
from = Bench <bench@localhost>
staff = bench@localhost

[defaults]
interval = $iv
timeout = $to
EOF
	gen_checks "$SD/checks.d" "$n" 100 "$url" "$cextra"
}

# swd_start: run it in the foreground mode, in the background; sets
# SPID and R[startup_ms] (exec until the "started:" log line).
swd_start() {
	local t0
	t0=$(now_ms)
	"$SWD" -f -c "$SD/sitewatch.conf" >"$SD/log" 2>&1 &
	SPID=$!
	track_pid "$SPID"
	if ! wait_for 60 "grep -q 'started: ' '$SD/log' || ! kill -0 $SPID 2>/dev/null"; then
		say "sitewatchd did not start in 60 s"
		return 1
	fi
	if ! kill -0 "$SPID" 2>/dev/null; then
		say "sitewatchd exited: $(tail -5 "$SD/log")"
		return 1
	fi
	SSTART_MS=$(( $(now_ms) - t0 ))
}

# swd_snap PREFIX begin|end: CPU, clock and scheduler counters.  At the
# beginning /metrics is read before the CPU and at the end after it, so
# rendering /metrics (it walks every check) is never inside the window.
# The counters are stamped with the time the GET returned: sitewatchd
# reads them at the end of rendering, after the per-check lines.
swd_snap() {
	local p=$1 m=
	if [ "$2" = begin ]; then
		m=$(curl -s --max-time 5 "http://127.0.0.1:$SPORT/metrics" 2>/dev/null)
		R[$p.mt]=$(now_ms)
	fi
	R[$p.t]=$(now_ms)
	R[$p.cpu]=$(cpu_us "$SPID")
	R[$p.threads]=$(cpu_threads "$SPID")
	if [ -n "${RRDC_SOCK:-}" ]; then
		R[$p.rrdc]=$(rrdc_stat UpdatesReceived)
		R[$p.rrdc_cpu]=$(cpu_us "$RRDC_PID")
	fi
	# The daemon's own rrdcached (default configuration): a process of
	# its own, counted with the daemon, and shown as a "thread".
	R[$p.child]=$(cat "$SD/var/rrdcached.pid" 2>/dev/null)
	R[$p.child_cpu]=0
	if [ -n "${R[$p.child]}" ]; then
		R[$p.child_cpu]=$(cpu_us "${R[$p.child]}")
		R[$p.threads]="${R[$p.threads]}
rrdcached-child ${R[$p.child_cpu]}"
	fi
	if [ "$2" = end ]; then
		m=$(curl -s --max-time 5 "http://127.0.0.1:$SPORT/metrics" 2>/dev/null)
		R[$p.mt]=$(now_ms)
	fi
	R[$p.started]=$(prom_value "$m" '^sitewatch_checks_total$' 'event="started"')
	R[$p.finished]=$(prom_value "$m" '^sitewatch_checks_total$' 'event="finished"')
	R[$p.skipped]=$(prom_value "$m" '^sitewatch_checks_total$' 'event="skipped"')
	R[$p.late50]=$(prom_value "$m" 'lateness' 'quantile="0.5"')
	R[$p.late99]=$(prom_value "$m" 'lateness' 'quantile="0.99"')
	R[$p.latemax]=$(prom_value "$m" 'lateness' 'quantile="1"')
}

# swd_stop: SIGTERM, bounded wait; R[stop_ms], R[stop_rc].
swd_stop() {
	local t0 rc
	t0=$(now_ms)
	kill -TERM "$SPID" 2>/dev/null
	if wait_for 60 "! kill -0 $SPID 2>/dev/null"; then
		wait "$SPID"; rc=$?
	else
		say "sitewatchd did not stop in 60 s: KILL"
		kill -KILL "$SPID" 2>/dev/null; wait "$SPID"; rc=137
	fi
	SSTOP_MS=$(( $(now_ms) - t0 ))
	SSTOP_RC=$rc
}

# rrdcached for the daemon's state dir; sets RRDC_SOCK, RRDC_PID.
rrdc_start() {
	local base=$1
	mkdir -p "$base/rrd"
	RRDC_SOCK=$TMP/rrdcached-$$.sock
	rm -f "$RRDC_SOCK"
	rrdcached -g -l "unix:$RRDC_SOCK" -B -b "$base" -p "$TMP/rrdcached.pid" \
	    -w 300 -z 60 -f 600 -t 4 >"$TMP/rrdcached.log" 2>&1 &
	RRDC_PID=$!
	track_pid "$RRDC_PID"
	wait_for 10 "[ -S '$RRDC_SOCK' ]"
}

# One field of rrdcached's STATS answer.
rrdc_stat() {
	/usr/bin/python3 - "$RRDC_SOCK" "$1" <<'EOF' 2>/dev/null
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(3)
s.connect(sys.argv[1])
s.sendall(b"STATS\n")
data = b""
while True:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
    lines = data.decode().split("\n")
    if lines and lines[0].split(" ")[0].isdigit() and \
       len(lines) > int(lines[0].split(" ")[0]) + 1:
        break
for l in data.decode().split("\n")[1:]:
    if l.startswith(sys.argv[2] + ":"):
        print(l.split(":", 1)[1].strip())
EOF
}

# RRD rows that landed in [t1, t2] for a sample of the check files
# (direct mode; after the daemon stopped and drained its queue).  Prints
# "landed expected".
rrd_rows() {
	local dir=$1 iv=$2 t1=$3 t2=$4 n=$5
	local s e step=1 files
	s=$(( (t1 / 1000 + iv - 1) / iv * iv ))
	e=$(( t2 / 1000 / iv * iv ))
	[ "$n" -gt 300 ] && step=$((n / 300))
	# The last row of the window is complete only once every check has
	# updated past it, which the stop may have cut: it is not counted.
	files=$(ls "$dir" | grep '\.rrd$' | awk -v st="$step" 'NR % st == 0')
	[ -n "$files" ] || { echo "0 0"; return; }
	printf '%s\n' "$files" | awk -v d="$dir" -v s="$s" -v e="$e" -v iv="$iv" \
	    '{ printf "fetch %s/%s AVERAGE -r %d -s %d -e %d\n", d, $1, iv, s - iv, e - iv }' |
	    rrdtool - 2>/dev/null |
	    awk -v nf="$(printf '%s\n' "$files" | wc -l)" -v s="$s" -v e="$e" -v iv="$iv" '
	    /^[0-9]+: / { t = $1 + 0; if (t > s && t <= e - iv) { if ($2 !~ /nan/) ok++ } }
	    END { printf "%d %d\n", ok, nf * (e - iv - s) / iv }'
}

swd_ready() {
	[ -x "$SWD" ] || { say "no sitewatchd at $SWD: daemon scenarios skipped"; return 1; }
	# The templates of the tree the daemon was built in.
	TEMPLATES=$(cd "$(dirname "$SWD")" && pwd)/templates
	[ -d "$TEMPLATES" ] || TEMPLATES=$TOP/templates
	[ -d "$TEMPLATES" ] || say "warning: no templates/ next to $SWD"
	return 0
}

# A steady-state scenario: setup, start, warm up, measure a window, stop.
# swd_window NAME N IV URL WARM WIN [CHECK_EXTRA] [DAEMON_EXTRA]
# Fills R[NAME.*]: cpu (µs/check), done, sched, ratio, late50/99/max,
# rate, hwm_kb, startup_ms, stop_ms, stop_rc, jitter (nginx log).
swd_window() {
	local name=$1 n=$2 iv=$3 url=$4 warm=$5 win=$6 cx=${7:-} dx=${8:-}
	local done sched cpu j t0 t1 logn
	local lpid=
	swd_setup "$name" "$n" "$iv" "$url" "$cx" "$dx"
	[ -z "${SWD_SETUP_HOOK:-}" ] || $SWD_SETUP_HOOK
	swd_start || { R[$name.error]="did not start"; return 1; }
	R[$name.startup_ms]=$SSTART_MS
	# A load to run beside the daemon for its whole life (scenario e).
	if [ -n "${SWD_LOAD_HOOK:-}" ]; then
		$SWD_LOAD_HOOK &
		lpid=$!
		track_pid "$lpid"
	fi
	sleep "$warm"
	swd_snap "$name.s0" begin
	if [ $PROFILE = 1 ] && { [ $name = a ] || [ $name = a2 ] || [ $name = c ] || [ $name = d ]; }; then
		perf record -q -e cpu-clock -F 499 ${BENCH_PERF_OPTS:--g} -p "$SPID" \
		    -o "$TMP/perf-$name.data" -- sleep "$win" >/dev/null 2>&1
	else
		sleep "$win"
	fi
	swd_snap "$name.s1" end
	[ -z "$lpid" ] || stop_pid "$lpid" 5
	R[$name.hwm_kb]=$(proc_kb "$SPID" VmHWM)
	R[$name.rss_kb]=$(proc_kb "$SPID" VmRSS)
	R[$name.child_hwm_kb]=0
	[ -z "${R[$name.s1.child]}" ] ||
	    R[$name.child_hwm_kb]=$(proc_kb "${R[$name.s1.child]}" VmHWM)
	kill -0 "$SPID" 2>/dev/null || { R[$name.error]="died"; say "$(tail -5 "$SD/log")"; }
	swd_stop
	R[$name.stop_ms]=$SSTOP_MS
	R[$name.stop_rc]=$SSTOP_RC
	t0=${R[$name.s0.t]}; t1=${R[$name.s1.t]}
	sleep 1.5	# nginx flushes its log every second
	logn=$(log_count "$NGX_LOG" "$t0" "$t1")
	R[$name.logdone]=$logn
	# The outside view: requests that reached nginx in [t0, t1] against
	# the starts planned in it.  Timestamps are exact on both sides, so
	# this is the measure the completion target uses.
	R[$name.logratio]=$(calc "$logn / ($n * ($t1 - $t0) / 1000 / $iv + 1e-9)")
	if [ -n "${R[$name.s1.finished]}" ] && [ -n "${R[$name.s0.finished]}" ]; then
		# Counter window: from one /metrics answer to the other.
		done=$(calc "${R[$name.s1.finished]} - ${R[$name.s0.finished]}")
		sched=$(calc "$n * (${R[$name.s1.mt]} - ${R[$name.s0.mt]}) / 1000 / $iv")
		R[$name.rate]=$(calc "$done * 1000 / (${R[$name.s1.mt]} - ${R[$name.s0.mt]})")
		R[$name.done_src]="metrics, $(calc "${R[$name.s1.skipped]:-0} - ${R[$name.s0.skipped]:-0}") turns skipped"
	else
		done=$logn
		sched=$(calc "$n * ($t1 - $t0) / 1000 / $iv")
		R[$name.rate]=$(calc "$done * 1000 / ($t1 - $t0)")
		R[$name.done_src]="nginx log"
	fi
	cpu=$(( ${R[$name.s1.cpu]} - ${R[$name.s0.cpu]} ))
	R[$name.done]=$done
	R[$name.sched]=$sched
	R[$name.ratio]=$(calc "$done / ($sched + 1e-9)")
	# CPU window [t0, t1] times the rate the counters saw.
	R[$name.cpu]=$(awk -v c="$cpu" -v r="${R[$name.rate]}" -v a="$t0" -v b="$t1" \
	    'BEGIN { n = r * (b - a) / 1000; if (n > 0) printf "%.6g\n", c / n }')
	R[$name.cpu_share]=$(calc "$cpu / 1000 / (${R[$name.s1.t]} - ${R[$name.s0.t]})")
	R[$name.threads]=$(cpu_threads_per_check "${R[$name.s0.threads]}" \
	    "${R[$name.s1.threads]}" "$(calc "${R[$name.rate]} * ($t1 - $t0) / 1000")")
	R[$name.late50]=${R[$name.s1.late50]}
	R[$name.late99]=${R[$name.s1.late99]}
	R[$name.latemax]=${R[$name.s1.latemax]}
	if [ "$url" != "${url#"$URL_LOG"}" ] || [ "$url" != "${url#"$URL_TLS"}" ]; then
		j=$(log_jitter "$NGX_LOG" "${R[$name.s0.t]}" "${R[$name.s1.t]}" "$iv")
		R[$name.jitter]=$j
	fi
	R[$name.cpu_all]=${R[$name.cpu]:-}
	# The daemon's own rrdcached, same window, per check run (it may
	# have been restarted in between: then only the daemon is counted).
	if [ -n "${R[$name.s1.child]}" ] && [ -n "${R[$name.cpu]:-}" ] &&
	    [ "${R[$name.s0.child]}" = "${R[$name.s1.child]}" ]; then
		R[$name.child_cpu]=$(awk -v rc="$(( ${R[$name.s1.child_cpu]} - ${R[$name.s0.child_cpu]} ))" \
		    -v r="${R[$name.rate]}" -v a="$t0" -v b="$t1" \
		    'BEGIN { n = r * (b - a) / 1000; if (n > 0) printf "%.6g\n", rc / n }')
		R[$name.cpu_all]=$(calc "${R[$name.cpu]} + ${R[$name.child_cpu]:-0}")
	fi
	[ -z "${RRDC_SOCK:-}" ] || {
		R[$name.rrdc_ups]=$(calc "(${R[$name.s1.rrdc]:-0} - ${R[$name.s0.rrdc]:-0}) * 1000 / (${R[$name.s1.t]} - ${R[$name.s0.t]})")
		R[$name.rrdc_cpu]=$(calc "(${R[$name.s1.rrdc_cpu]} - ${R[$name.s0.rrdc_cpu]}) / ((${R[$name.s1.rrdc]:-0} - ${R[$name.s0.rrdc]:-0}) + 1e-9)")
		# The whole cost of a check: the daemon's CPU and rrdcached's
		# (same window, per check run).
		[ -z "${R[$name.cpu]:-}" ] ||
		R[$name.cpu_all]=$(awk -v c="${R[$name.cpu]}" -v rc="$(( ${R[$name.s1.rrdc_cpu]} - ${R[$name.s0.rrdc_cpu]} ))" \
		    -v r="${R[$name.rate]}" -v a="$t0" -v b="$t1" \
		    'BEGIN { n = r * (b - a) / 1000; if (n > 0) printf "%.6g\n", c + rc / n }')
	}
	say "$name: ${R[$name.rate]}/s done=$done/$sched cpu/check=${R[$name.cpu]} µs late p99=${R[$name.late99]:-?} jitter=${R[$name.jitter]:-} stop=${SSTOP_MS}ms rc=$SSTOP_RC"
	say "$name: µs/check by thread: ${R[$name.threads]}"
}

# Latency cell: metrics p50/p99/max or, lacking /metrics, nginx-log jitter.
late_cell() {
	local k=$1
	if [ -n "${R[$k.late99]:-}" ]; then
		echo "p50 ${R[$k.late50]:-?} / p99 ${R[$k.late99]} / max ${R[$k.latemax]:-?} ms"
	elif [ -n "${R[$k.jitter]:-}" ]; then
		set -- ${R[$k.jitter]}
		echo "p50 $1 / p99 $2 / max $3 ms (nginx-log jitter)"
	else
		echo "n/a"
	fi
}
late99() {
	if [ -n "${R[$1.late99]:-}" ]; then echo "${R[$1.late99]}"
	elif [ -n "${R[$1.jitter]:-}" ]; then set -- ${R[$1.jitter]}; echo "$2"
	fi
}

if want a && swd_ready; then
	# The default configuration as shipped: no rrdcached key, so the
	# daemon runs its own rrdcached child (counted with it).
	say "(a) $A_N plain checks every ${A_IV}s, default configuration"
	RRDC_SOCK=
	# The reference is taken right before and right after each scenario
	# it judges (the one at the top came before the peers, minutes ago:
	# this machine's speed drifts by a fifth in that time).
	rawloop raw_pace -u "$URL_PLAIN" -c 500 -r "$A_RATE" -d "$RAW_DUR" -w 1
	if swd_window a "$A_N" "$A_IV" "$URL_LOG" "$A_WARM" "$A_WIN"; then
		# The child wrote everything out when the daemon stopped it.
		rr=$(rrd_rows "$SD/var/rrd" "$A_IV" "${R[a.s0.t]}" "${R[a.s1.t]}" "$A_N")
		R[a.rrd_landed]=${rr% *}; R[a.rrd_expected]=${rr#* }
		R[a.rrd_files]=$(ls "$SD/var/rrd" 2>/dev/null | grep -c '\.rrd$')
	fi
	raw_again raw_pace -u "$URL_PLAIN" -c 500 -r "$A_RATE" -d "$RAW_DUR" -w 1
	say "(a5) $A5_N plain checks every ${A_IV}s, default configuration"
	rawloop raw_pace5 -u "$URL_PLAIN" -c 500 -r "$A5_RATE" -d "$RAW_DUR" -w 1
	swd_window a5 "$A5_N" "$A_IV" "$URL_LOG" "$A_WARM" "$A_WIN" || true
	raw_again raw_pace5 -u "$URL_PLAIN" -c 500 -r "$A5_RATE" -d "$RAW_DUR" -w 1
	say "(a') the same 1,000/s through an rrdcached started by hand"
	rrdc_start "$TMP/swd-a2/var"
	swd_window a2 "$A_N" "$A_IV" "$URL_LOG" "$A_WARM" "$A_WIN" "" \
	    "rrdcached = unix:$RRDC_SOCK" || true
	stop_pid "$RRDC_PID" 10
	RRDC_SOCK=
fi

if want b && swd_ready; then
	R[b.max]=
	for rate in $B_RATES; do
		n=$((rate * B_IV))
		say "(b) ramp: $n plain checks every ${B_IV}s = $rate/s, through rrdcached"
		rrdc_start "$TMP/swd-b$rate/var"
		swd_window "b$rate" "$n" "$B_IV" "$URL_LOG" "$B_WARM" "$B_WIN" "" \
		    "rrdcached = unix:$RRDC_SOCK" || { stop_pid "$RRDC_PID" 10; RRDC_SOCK=; break; }
		stop_pid "$RRDC_PID" 10	# writes what it holds: rows readable
		RRDC_SOCK=
		rr=$(rrd_rows "$SD/var/rrd" "$B_IV" "${R[b$rate.s0.t]}" "${R[b$rate.s1.t]}" "$n")
		rrpct=n/a
		[ "${rr#* }" -gt 0 ] && rrpct=$(fmt '%.1f%%' "$(calc "${rr% *} * 100 / ${rr#* }")")
		l=$(late99 "b$rate")
		ok=$(awk -v r="${R[b$rate.logratio]}" -v l="${l:-0}" \
		    'BEGIN { print (r >= 0.99 && l < 100) ? 1 : 0 }')
		row "(b) ramp step $rate/s" \
		    "$(fmt '%.1f' "${R[b$rate.cpu_all]:-0}") µs/check" \
		    "daemon $(fmt '%.1f' "${R[b$rate.cpu]:-0}") + rrdcached; ran $(fmt '%.2f' "$(calc "${R[b$rate.logratio]} * 100")")% of scheduled (nginx log), RRD rows $rrpct, CPU $(fmt '%.0f' "$(calc "${R[b$rate.cpu_share]} * 100")")% of a core, late $(late_cell "b$rate")"
		[ "$ok" = 1 ] || break
		R[b.max]=$rate
		R[b.max_cpu]=${R[b$rate.cpu_all]}
		# The most checks per CPU-second of any sustained step.
		if [ -z "${R[b.best_cpu]:-}" ] || awk -v a="${R[b$rate.cpu_all]}" \
		    -v b="${R[b.best_cpu]}" 'BEGIN { exit !(a < b) }'; then
			R[b.best_cpu]=${R[b$rate.cpu_all]}
			R[b.best_rate]=$rate
		fi
	done
fi

if want c && swd_ready; then
	say "(c) $C_N https checks every ${C_IV}s, fresh handshake each, default configuration"
	swd_window c "$C_N" "$C_IV" "$URL_TLS" "$C_WARM" "$C_WIN" \
	    "ca_file = $CA" || true
	raw_again raw_tls_pace -u "$URL_TLS" -k "$CA" -c 500 -r "$C_RATE" \
	    -d "$RAW_DUR" -w 1
fi

if want d && swd_ready; then
	say "(d) baseline: 1 check"
	RETENTION='1s:2h,1h:1d' swd_window d0 1 3600 "$URL_LOG" 1 2 || true
	say "(d) $D_N checks every 3600 s"
	RETENTION='1s:2h,1h:1d' swd_window d "$D_N" 3600 "$URL_LOG" 2 "$D_WIN" || true
	t0=$(now_ms)
	"$SWD" -t -c "$SD/sitewatch.conf" >/dev/null 2>&1
	R[d.check_rc]=$?
	R[d.check_ms]=$(( $(now_ms) - t0 ))
fi

# (e) The loop must not wait on disk, SMTP or SQLite: the same 1,000
# checks a second twice, once quiet (mail to files) and once while graphs
# are drawn without pause, the ticket store is read by the API and the
# CLI, 20 failing checks open tickets whose mail goes to an SMTP server
# that accepts and never answers; RRD as shipped (the daemon's own
# rrdcached).
e_setup() {
	local i
	{
		printf '[site]\nname = Failing\nlanguage = en\n'
		printf 'client_email = client@localhost\n\n'
		for i in $(seq 1 "$E_FAIL"); do
			printf '[check f%03d]\nurl = http://127.0.0.1:%s/\n' "$i" "$E_CLOSED"
			printf 'retries = 1\n\n'
		done
	} >"$SD/checks.d/zz-failing.conf"
	[ "$E_STRESS" = 1 ] || return 0
	sed -i "s/^\\[smtp\\]\$/[smtp]\\nhost = 127.0.0.1\\nport = $E_SMTP\\nstarttls = no/" \
	    "$SD/sitewatch.conf"
}
e_load() {
	local i=0 end=$(( $(now_ms) + (E_WARM + E_WIN + 10) * 1000 )) ok=0
	local cli
	cli=$(dirname "$SWD")/sitewatch
	while [ $i -lt 5000 ] && [ "$(now_ms)" -lt $end ]; do
		# A new width each time: the web's graph cache cannot answer.
		curl -s -o /dev/null -w '%{http_code}\n' --max-time 10 \
		    "http://127.0.0.1:$SPORT/graph/c$(printf %07d $((i % 50 + 1))).png?period=day&width=$((300 + i % 400))" |
		    grep -q 200 && ok=$((ok + 1))
		curl -s -o /dev/null --max-time 10 "http://127.0.0.1:$SPORT/api/v1/tickets"
		[ ! -x "$cli" ] || "$cli" tickets --all --json -c "$SD/sitewatch.conf" >/dev/null 2>&1
		i=$((i + 1))
		echo "$ok" >"$TMP/e-graphs"
	done
}
slow_smtp() {	# slow_smtp PORT: accepts and never says a word (bounded)
	/usr/bin/python3 - "$1" <<'EOF' &
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(64)
s.settimeout(1)
held, end = [], time.time() + 900
while time.time() < end:
    try:
        held.append(s.accept()[0])
    except socket.timeout:
        pass
EOF
	E_SMTP_PID=$!
	track_pid "$E_SMTP_PID"
}

if want e && swd_ready; then
	E_CLOSED=$(free_port)
	E_SMTP=$(free_port)
	slow_smtp "$E_SMTP"
	say "(e0) $E_N plain checks every ${E_IV}s + $E_FAIL failing, quiet"
	E_STRESS=0 SWD_SETUP_HOOK=e_setup swd_window e0 "$E_N" "$E_IV" "$URL_LOG" "$E_WARM" "$E_WIN" || true
	say "(e) the same while graphs are drawn, tickets read, SMTP stalled"
	E_STRESS=1 SWD_SETUP_HOOK=e_setup SWD_LOAD_HOOK=e_load \
	    swd_window e "$E_N" "$E_IV" "$URL_LOG" "$E_WARM" "$E_WIN" || true
	R[e.graphs]=$(cat "$TMP/e-graphs" 2>/dev/null || echo 0)
	R[e.tickets]=$(ls "$TMP/swd-e/var" >/dev/null 2>&1 && sqlite3 "$TMP/swd-e/var/sitewatch.db" 'SELECT count(*) FROM tickets' 2>/dev/null || echo '?')
	stop_pid "$E_SMTP_PID" 5
fi

# (f) 100,000 checks every 60 s with everything on: the default
# configuration (its own rrdcached), RRD files (short retention, to fit
# the disk), 20 failing checks opening tickets, and the web asked for /,
# two clients' status pages (one healthy, the failing one) and /metrics
# every 3 s for the daemon's whole life.  /status itself, the index of
# every client, is off by default (status_index).
F_PAGES="/ /status/site00001 /status/zz-failing /metrics"
f_setup() {
	E_STRESS=0 e_setup
}
f_load() {
	local p t
	while :; do
		for p in $F_PAGES; do
			t=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' \
			    --max-time 10 "http://127.0.0.1:$SPORT$p")
			echo "$(now_ms) $p $t" >>"$TMP/f-web"
		done
		sleep 3
	done
}
if want f && swd_ready; then
	E_CLOSED=${E_CLOSED:-$(free_port)}
	: >"$TMP/f-web"
	say "(f) $F_N checks every ${F_IV}s, default configuration, RRD, incidents, web polled"
	RETENTION='1s:30m,1h:1d' SWD_SETUP_HOOK=f_setup SWD_LOAD_HOOK=f_load \
	    swd_window f "$F_N" "$F_IV" "$URL_LOG" "$F_WARM" "$F_WIN" || true
	# The slowest answer of / and of /status over the whole life (a
	# failed one counts as 10 s), and of /metrics for context.
	for p in $F_PAGES; do
		R[f.web$p]=$(awk -v p="$p" '$2 == p { v = ($3 == 200) ? $4 * 1000 : 10000; if (v > m) m = v; n++ }
		    END { if (n) printf "%.0f\n", m }' "$TMP/f-web")
	done
	R[f.web_n]=$(wc -l <"$TMP/f-web")
fi

# ---------------------------------------------------------------- report
ratio() {	# ratio A B -> A/B or empty
	[ -n "${1:-}" ] && [ -n "${2:-}" ] || return 0
	calc "$1 / $2"
}
x() { [ -n "${1:-}" ] && fmt '%.2fx' "$1" || echo n/a; }

if [ -n "${R[raw_sat.cpu]:-}" ]; then
	rawrow raw_sat "raw loop, plain, saturated (64 in flight)"
	rawrow raw_sat_reuse "raw loop, plain, saturated, easy handles recycled"
	if [ -n "${R[raw_pace2.cpu]:-}" ]; then
		R[raw_pace.cpu]=${R[raw_pace1.cpu]}
		rawrow raw_pace "raw loop, plain, paced ${A_RATE}/s (before a)"
		rawrow raw_pace2 "raw loop, plain, paced ${A_RATE}/s (after a)"
		R[raw_pace.cpu]=$(calc "(${R[raw_pace1.cpu]} + ${R[raw_pace2.cpu]}) / 2")
	else
		rawrow raw_pace "raw loop, plain, paced ${A_RATE}/s"
	fi
	[ -z "${R[raw_pace5.cpu]:-}" ] ||
	    rawrow raw_pace5 "raw loop, plain, paced ${A5_RATE}/s (mean around a5)"
	rawrow raw_tls_sat "raw loop, https full handshake, saturated"
	if [ -n "${R[raw_tls_pace2.cpu]:-}" ]; then
		R[raw_tls_pace.cpu]=${R[raw_tls_pace1.cpu]}
		rawrow raw_tls_pace "raw loop, https, paced ${C_RATE}/s (before c)"
		rawrow raw_tls_pace2 "raw loop, https, paced ${C_RATE}/s (after c)"
		R[raw_tls_pace.cpu]=$(calc "(${R[raw_tls_pace1.cpu]} + ${R[raw_tls_pace2.cpu]}) / 2")
	else
		rawrow raw_tls_pace "raw loop, https full handshake, paced ${C_RATE}/s"
	fi
fi
for k in a a5 a2 c f; do
	[ -n "${R[$k.done]:-}" ] || continue
	case $k in
	a) what="plain $A_N checks/${A_IV}s, default config" ;;
	a5) what="plain $A5_N checks/${A_IV}s, default config" ;;
	a2) what="plain $A_N checks/${A_IV}s, rrdcached by hand" ;;
	c) what="https $C_N checks/${C_IV}s, default config" ;;
	f) what="$F_N checks/${F_IV}s, default config, all on" ;;
	esac
	if [ $k = a2 ]; then
		split="daemon $(fmt '%.1f' "${R[$k.cpu]:-0}") + rrdcached $(fmt '%.1f' "$(calc "${R[$k.cpu_all]:-0} - ${R[$k.cpu]:-0}")")"
	else
		split="daemon $(fmt '%.1f' "${R[$k.cpu]:-0}") + own rrdcached $(fmt '%.1f' "${R[$k.child_cpu]:-0}")"
	fi
	row "($k) sitewatchd $what" \
	    "$(fmt '%.1f' "${R[$k.cpu_all]:-0}") µs/check" \
	    "$split; $(fmt '%.0f' "${R[$k.rate]}")/s, done ${R[$k.done]}/$(fmt '%.0f' "${R[$k.sched]}") ($(fmt '%.3f' "$(calc "${R[$k.ratio]} * 100")")% via ${R[$k.done_src]}; nginx log $(fmt '%.3f' "$(calc "${R[$k.logratio]} * 100")")%), late $(late_cell $k), peak RSS ${R[$k.hwm_kb]:-?} kB + rrdcached ${R[$k.child_hwm_kb]:-0} kB, start ${R[$k.startup_ms]:-?} ms, stop ${R[$k.stop_ms]:-?} ms rc ${R[$k.stop_rc]:-?}"
	[ -z "${R[$k.threads]:-}" ] || row "($k) µs/check by thread" "" "${R[$k.threads]}"
done
[ -n "${R[f.web_n]:-}" ] && row "(f) web answers while it runs (slowest)" \
    "/ ${R[f.web/]:-?} ms" "/status/site00001 ${R[f.web/status/site00001]:-?} ms, /status/zz-failing ${R[f.web/status/zz-failing]:-?} ms, /metrics ${R[f.web/metrics]:-?} ms; ${R[f.web_n]} requests, every 3 s"
[ -n "${R[a.rrd_expected]:-}" ] && row "(a) RRD rows landed (after the stop, sample)" \
    "${R[a.rrd_landed]}/${R[a.rrd_expected]}" \
    "$(fmt '%.0f' "$(calc "${R[a.rrd_landed]} * 1000 / (${R[a.s1.t]} - ${R[a.s0.t]}) * ${A_N} / (${R[a.rrd_expected]} * $A_IV * 1000 / (${R[a.s1.t]} - ${R[a.s0.t]}) + 1e-9)")") updates/s est., ${R[a.rrd_files]} files"
[ -n "${R[a2.rrdc_ups]:-}" ] && row "(a') rrdcached updates received" \
    "$(fmt '%.0f' "${R[a2.rrdc_ups]}")/s" \
    "rrdcached CPU $(fmt '%.1f' "${R[a2.rrdc_cpu]}") µs/update"
if [ -n "${R[d.done]:-}" ] || [ -n "${R[d.hwm_kb]:-}" ]; then
	R[d.per_check]=$(calc "${R[d.hwm_kb]} * 1024 / $D_N")
	R[d.marginal]=$(calc "(${R[d.hwm_kb]} - ${R[d0.hwm_kb]:-0}) * 1024 / ($D_N - 1)")
	row "(d) $D_N checks/3600s: peak RSS" "${R[d.hwm_kb]} kB" \
	    "$(fmt '%.0f' "${R[d.per_check]}") B/check total, $(fmt '%.0f' "${R[d.marginal]}") B/check over a 1-check daemon (${R[d0.hwm_kb]:-?} kB)"
	row "(d) start-up / stop / -t" "${R[d.startup_ms]} ms" \
	    "stop ${R[d.stop_ms]} ms rc ${R[d.stop_rc]}; sitewatchd -t ${R[d.check_ms]} ms rc ${R[d.check_rc]}"
	row "(d) idle cost" "$(fmt '%.2f' "$(calc "${R[d.cpu_share]} * 100")")% of a core" \
	    "${R[d.done]} checks in ${D_WIN}s window, late $(late_cell d)"
fi

for k in e0 e; do
	[ -n "${R[$k.done]:-}" ] || continue
	row "($k) $E_N checks/${E_IV}s + $E_FAIL failing$( [ $k = e ] && echo ", under load" || echo ", quiet")" \
	    "p99 $(late99 $k) ms" \
	    "$(fmt '%.0f' "${R[$k.rate]}")/s, ran $(fmt '%.3f' "$(calc "${R[$k.logratio]} * 100")")% (nginx log), late $(late_cell $k)$( [ $k = e ] && echo "; meanwhile ${R[e.graphs]:-0} graphs drawn, ${R[e.tickets]:-?} tickets opened, SMTP silent")"
done

# Targets.
# (a) is judged as shipped: the default configuration, the daemon's own
# rrdcached child counted with it.  rrdcached started by hand (a') is a
# row of its own, for context.
r=$(ratio "${R[a.cpu_all]:-}" "${R[raw_pace.cpu]:-}")
trow "(a) default config CPU/check vs raw loop at ${A_RATE}/s" "$(x "$r")" "<= 1.25x" "$(verdict "$r" '<=' 1.25)"
r=$(ratio "${R[a5.cpu_all]:-}" "${R[raw_pace5.cpu]:-}")
trow "(a) default config CPU/check vs raw loop at ${A5_RATE}/s" "$(x "$r")" "<= 1.25x" "$(verdict "$r" '<=' 1.25)"
r=$(ratio "${R[a2.cpu_all]:-}" "${R[raw_pace.cpu]:-}")
[ -n "$r" ] && row "context: (a') rrdcached by hand / raw loop at ${A_RATE}/s" "$(x "$r")" "rrdcached's CPU included"
if [ -n "${R[b.max]:-}" ]; then
	row "(b) highest sustained plain rate (ramp)" "${R[b.max]}/s" \
	    "raw loop saturated: $(fmt '%.0f' "${R[raw_sat.rate]:-0}")/s on one core; CPU/check there $(x "$(ratio "${R[b.max_cpu]:-}" "${R[raw_sat.cpu]:-}")") of raw saturated"
elif want b && [ -x "$SWD" ]; then
	row "(b) highest sustained plain rate (ramp)" "none" "the first step already failed"
fi
# checks per CPU-second = 1e6 / (µs per check): the ratio is peer/swd.
# Each side at its most efficient: the peers driven as fast as they go
# (blackbox saturated by wrk, check_curl on both cores), sitewatchd at its
# cheapest sustained step of the ramp or (a'), rrdcached's CPU included.
best=${R[a.cpu_all]:-}
bestwhere="(a) ${A_RATE}/s"
if [ -n "${R[a2.cpu_all]:-}" ] && { [ -z "$best" ] ||
    awk -v a="${R[a2.cpu_all]}" -v b="$best" 'BEGIN { exit !(a < b) }'; }; then
	best=${R[a2.cpu_all]}
	bestwhere="(a') ${A_RATE}/s"
fi
if [ -n "${R[b.best_cpu]:-}" ] && { [ -z "$best" ] ||
    awk -v a="${R[b.best_cpu]}" -v b="$best" 'BEGIN { exit !(a < b) }'; }; then
	best=${R[b.best_cpu]}
	bestwhere="(b) ${R[b.best_rate]}/s"
fi
[ -n "$best" ] && row "sitewatchd at its most efficient (rrdcached incl.)" \
    "$(fmt '%.1f' "$best") µs/check" "$bestwhere"
r=$(ratio "${R[bb.cpu]:-}" "$best")
trow "checks per CPU-s vs blackbox_exporter (plain)" "$(x "$r")" ">= 6x" "$(verdict "$r" '>=' 6)"
r=$(ratio "${R[check_curl.cpu]:-}" "$best")
trow "checks per CPU-s vs check_curl (plain)" "$(x "$r")" ">= 60x" "$(verdict "$r" '>=' 60)"
r=$(ratio "${R[c.cpu_all]:-}" "${R[raw_tls_pace.cpu]:-}")
trow "(c) HTTPS CPU/check vs raw loop at ${C_RATE}/s (default config)" "$(x "$r")" "<= 1.0x" "$(verdict "$r" '<=' 1.0)"
r=${R[a.logratio]:-${R[a.ratio]:-}}
trow "(a) share of scheduled checks run (nginx log)" "$( [ -n "$r" ] && fmt '%.3f%%' "$(calc "$r * 100")" || echo n/a)" ">= 99.9%" "$(verdict "$r" '>=' 0.999)"
r=$(late99 a)
trow "(a) scheduling lateness p99" "$( [ -n "$r" ] && echo "$r ms" || echo n/a)" "< 50 ms" "$(verdict "$r" '<' 50)"
r=$(late99 e)
trow "(e) lateness p99 with graphs, SMTP stalled, SQLite read" "$( [ -n "$r" ] && echo "$r ms" || echo n/a)" "< 50 ms" "$(verdict "$r" '<' 50)"
r=${R[d.per_check]:-}
trow "(d) RSS per configured check (peak RSS / $D_N)" "$( [ -n "$r" ] && fmt '%.0f B' "$r" || echo n/a)" "< 2048 B" "$(verdict "$r" '<' 2048)"
r=${R[d.startup_ms]:-}
trow "(d) start-up with $D_N checks" "$( [ -n "$r" ] && echo "$r ms" || echo n/a)" "< 5000 ms" "$(verdict "$r" '<' 5000)"
if want f; then
	r=${R[f.logratio]:-}
	trow "(f) share of scheduled checks run (nginx log)" "$( [ -n "$r" ] && fmt '%.3f%%' "$(calc "$r * 100")" || echo n/a)" ">= 99.9%" "$(verdict "$r" '>=' 0.999)"
	r=$(late99 f)
	trow "(f) scheduling lateness p99" "$( [ -n "$r" ] && echo "$r ms" || echo n/a)" "< 50 ms" "$(verdict "$r" '<' 50)"
	r=
	[ -z "${R[f.hwm_kb]:-}" ] ||
	    r=$(calc "(${R[f.hwm_kb]} + ${R[f.child_hwm_kb]:-0}) * 1024 / $F_N")
	trow "(f) RSS per configured check (daemon + rrdcached)" "$( [ -n "$r" ] && fmt '%.0f B' "$r" || echo n/a)" "< 1536 B" "$(verdict "$r" '<' 1536)"
	r=${R[f.startup_ms]:-}
	trow "(f) start-up with $F_N checks" "$( [ -n "$r" ] && echo "$r ms" || echo n/a)" "< 3000 ms" "$(verdict "$r" '<' 3000)"
	r=$(awk -v a="${R[f.web/]:-}" -v b="${R[f.web/status/site00001]:-}" \
	    -v c="${R[f.web/status/zz-failing]:-}" 'BEGIN {
	    if (a == "" || b == "" || c == "") exit
	    m = a + 0; if (b + 0 > m) m = b + 0; if (c + 0 > m) m = c + 0; print m }')
	trow "(f) / and /status/SITE answer, slowest" "$( [ -n "$r" ] && echo "$r ms" || echo n/a)" "< 200 ms" "$(verdict "$r" '<' 200)"
fi
# Peers' own figures against the raw loop, for context.
r=$(ratio "${R[bb.cpu]:-}" "${R[raw_pace.cpu]:-}")
[ -n "$r" ] && row "context: blackbox saturated / raw loop paced (CPU per check)" "$(x "$r")" ""
r=$(ratio "${R[bb_pace.cpu]:-}" "${R[a.cpu_all]:-}")
[ -n "$r" ] && row "context: checks per CPU-s vs blackbox, both at ${A_RATE}/s" "$(x "$r")" "sitewatchd (a), own rrdcached incl."
r=$(ratio "${R[check_curl.cpu]:-}" "${R[raw_pace.cpu]:-}")
[ -n "$r" ] && row "context: check_curl / raw loop (CPU per check)" "$(x "$r")" ""

for k in a a2 c d; do
	[ -s "$TMP/perf-$k.data" ] || continue
	{
		echo
		echo "PROFILE of sitewatchd in ($k), by library, then top symbols (self):"
		perf report -i "$TMP/perf-$k.data" --no-children --sort dso \
		    --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -12
		perf report -i "$TMP/perf-$k.data" --no-children --sort dso,sym \
		    --stdio -g none 2>/dev/null | grep -E '^ +[0-9]' | head -30
	} | tee "$TMP/profile-$k.txt"
done

{
	echo
	echo "sitewatch benchmark  $(date -u +%Y-%m-%dT%H:%M:%SZ)  $(nproc) CPUs  load $(cut -d' ' -f1-3 /proc/loadavg)  $([ $QUICK = 1 ] && echo quick || echo full)  $(cd "$TOP" && git rev-parse --short HEAD 2>/dev/null)"
	echo "nginx target: 1 worker, keep-alive off; CPU = checker process only"
	echo
	printf '%-56s %-18s %s\n' "MEASUREMENT" "VALUE" "NOTE"
	for l in "${RAWROWS[@]}" "${ROWS[@]}"; do
		IFS='|' read -r a b c <<<"$l"
		printf '%-56s %-18s %s\n' "$a" "$b" "$c"
	done
	echo
	printf '%-56s %-12s %-30s %s\n' "TARGET" "MEASURED" "LIMIT" "RESULT"
	for l in "${TROWS[@]}"; do
		IFS='|' read -r a b c d <<<"$l"
		printf '%-56s %-12s %-30s %s\n' "$a" "$b" "$c" "$d"
	done
} | tee "$TMP/table.txt"
cp "$TMP/table.txt" "${BENCH_OUT:-/dev/null}" 2>/dev/null || true
fails=$(printf '%s\n' "${TROWS[@]}" | grep -c '|FAIL$')
exit $(( fails > 0 ? 1 : 0 ))
