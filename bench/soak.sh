#!/bin/bash
# bench/soak.sh [--minutes N] [--checks N] -- a bounded soak of sitewatchd.
#
# Runs the built daemon for N minutes (default 10) with many checks at
# interval 1 against nginx (most healthy, some failing, some slow, one
# never answering), through rrdcached, with an SMTP server, and injects
# faults along the way, one every ~20 s in turn:
#   rrdcached killed (SIGKILL) and restarted, an SMTP outage (451) and its
#   end, a burst of 20 SIGHUPs, nginx SIGHUP (reload).
# Every 30 s it prints the daemon's RSS, VmHWM and descriptor count.  At
# the end it prints a verdict: FLAT when RSS and fds in the second half
# stayed within a margin of their values at the end of the first minute
# (warm-up), GROWING otherwise, and exits 0 / 1 accordingly.
#
# Run from the top of a built tree (uses tests/lib/common.sh for nginx,
# SMTP and rrdcached; everything on loopback, stopped by PID at the end):
#   bench/soak.sh --minutes 2
set -eu
MINUTES=10
NCHECKS=200
while [ $# -gt 0 ]; do
	case $1 in
	--minutes) MINUTES=$2; shift 2 ;;
	--checks) NCHECKS=$2; shift 2 ;;
	-h|--help) sed -n '2,20p' "$0"; exit 0 ;;
	*) echo "usage: $0 [--minutes N] [--checks N]" >&2; exit 2 ;;
	esac
done
case $MINUTES in ''|*[!0-9]*|0) echo "soak: bad --minutes" >&2; exit 2 ;; esac
here=$(cd "$(dirname "$0")/.." && pwd)
top_srcdir=${top_srcdir:-$here}
top_builddir=${top_builddir:-$here}
export top_srcdir top_builddir
# The harness's watchdog: the soak plus a margin.
SW_TEST_TIMEOUT=$((MINUTES * 60 + 180))
export SW_TEST_TIMEOUT
. "$top_srcdir/tests/lib/common.sh"
# libesmtp over-reads its own header names (tests/integration/mail-asan.supp).
ASAN_OPTIONS="suppressions=$top_srcdir/tests/integration/mail-asan.supp${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export ASAN_OPTIONS

start_nginx
start_smtp accept
start_rrdcached
write_config smtp.retry_min=1 smtp.retry_max=5 "daemon.rrdcached=unix:$RRDCACHED_SOCK" \
    daemon.rrd_retention=1s:1h,5m:1d,1h:7d,1d:30d \
    smtp.host=127.0.0.1 "smtp.port=$SMTP_PORT" smtp.starttls=no \
    smtp.staff=ops@example.com smtp.group_window=5
add_site soak "Soak Ltd" en owner@soak.example
i=0
while [ "$i" -lt "$NCHECKS" ]; do
	case $((i % 20)) in
	0) url="$NGINX_URL/status/503" ;;
	1) url="$NGINX_URL/slow" ;;
	2) url="http://127.0.0.1:$HANG_PORT/" ;;
	3) url="$NGINX_URL/redirect" ;;
	4) url="http://127.0.0.1:$CLOSED_PORT/" ;;
	*) url="$NGINX_URL/ok?$i" ;;
	esac
	add_check soak "c$i" "$url" interval=1 timeout=1 retries=2 recover=2
	i=$((i + 1))
done
start_daemon
echo "soak: $NCHECKS checks at interval 1 for $MINUTES min; daemon pid $SWD_PID"

kb() {
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}
fds() {
	ls "/proc/$1/fd" | wc -l
}
t_start=$(date +%s)
t_stop=$((t_start + MINUTES * 60))
next_sample=$t_start
next_fault=$((t_start + 20))
fault=0
samples=()
printf '%6s %10s %10s %5s  %s\n' secs rss_kB hwm_kB fds fault
while :; do
	now=$(date +%s)
	daemon_alive || { echo "soak: the daemon died" >&2; exit 1; }
	if [ "$now" -ge "$next_fault" ] && [ "$now" -lt "$((t_stop - 20))" ]; then
		case $((fault % 6)) in
		0)	kill -KILL "$RRDCACHED_PID"
			wait "$RRDCACHED_PID" 2>/dev/null || true
			_sw_untrack "$RRDCACHED_PID"
			rm -f "$RRDCACHED_SOCK"
			last="rrdcached killed" ;;
		1)	start_rrdcached; last="rrdcached back" ;;
		2)	smtp_set_mode tempfail; last="SMTP outage (451)" ;;
		3)	smtp_set_mode accept; last="SMTP back" ;;
		4)	for j in $(seq 20); do
				kill -HUP "$SWD_PID"
				sleep 0.02
			done
			last="20 x SIGHUP" ;;
		5)	kill -HUP "$NGINX_PID"; last="nginx reload" ;;
		esac
		echo "soak: +$((now - t_start)) s fault: $last"
		fault=$((fault + 1))
		next_fault=$((now + 20))
	fi
	if [ "$now" -ge "$next_sample" ]; then
		rss=$(kb "$SWD_PID" VmRSS)
		hwm=$(kb "$SWD_PID" VmHWM)
		fd=$(fds "$SWD_PID")
		samples+=("$((now - t_start)) $rss $fd")
		printf '%6d %10d %10d %5d\n' "$((now - t_start))" "$rss" \
		    "$hwm" "$fd"
		next_sample=$((next_sample + 30))
	fi
	[ "$now" -lt "$t_stop" ] || break
	sleep 1
done
# Stop in a known state: rrdcached and SMTP up.
[ -n "${RRDCACHED_PID:-}" ] && _sw_alive "$RRDCACHED_PID" || start_rrdcached
smtp_set_mode accept
stop_daemon
echo "soak: stopped in $SWD_STOP_MS ms (exit $SWD_EXIT)"
echo "soak: mails delivered $(smtp_count), log lines $(wc -l < "$SW_LOG")," \
    "errors $(grep -c '\[error\]' "$SW_LOG" || true)"

# Verdict: compare the second half with the sample at ~60 s (warm-up
# done): RSS may grow by 10 % + 8 MB at most, fds by 10 at most.
printf '%s\n' "${samples[@]}" | awk -v total=$((MINUTES * 60)) '
{ t[NR] = $1; r[NR] = $2; f[NR] = $3 }
END {
	base = 1
	for (i = 1; i <= NR; i++) if (t[i] <= 60) base = i
	maxr = 0; maxf = 0
	for (i = base; i <= NR; i++) {
		if (t[i] < total / 2 && i != base) continue
		if (r[i] > maxr) maxr = r[i]
		if (f[i] > maxf) maxf = f[i]
	}
	lr = r[base] * 1.10 + 8192; lf = f[base] + 10
	printf "soak: baseline at %d s: RSS %d kB, %d fds; second half max: " \
	    "RSS %d kB, %d fds\n", t[base], r[base], f[base], maxr, maxf
	if (maxr <= lr && maxf <= lf) { print "soak: verdict FLAT"; exit 0 }
	print "soak: verdict GROWING"; exit 1
}'
