#!/bin/bash
# web-bench.bash -- not a scenario: figures for the web server.  200 checks
# (20 sites x 10, one down each) at a 10 s interval; wrk on the pages for
# 5 s each (2 threads, 32 connections); scheduler lateness before and
# after; a graph drawn cold and from the cache.  Needs wrk.
set -eu
# Run from the top of a built tree: bash tests/integration/web-bench.bash
top_srcdir=${top_srcdir:-$PWD}; top_builddir=${top_builddir:-$PWD}
export top_srcdir top_builddir
. "$top_srcdir/tests/lib/common.sh"
start_nginx
write_config defaults.interval=10 defaults.timeout=5
for s in $(seq 1 20); do
	add_site site$s "Site $s" en
	for c in $(seq 1 10); do
		if [ $c = 1 ]; then u="$NGINX_URL/status/503"; else u="$NGINX_URL/ok"; fi
		add_check site$s s$s-c$c "$u"
	done
done
start_daemon
B=http://127.0.0.1:$SW_HTTP_PORT
sleep 14
lat() { curl -s $B/metrics | grep lateness_ms; }
echo "== lateness before"; lat
for p in /api/v1/checks / /metrics /status; do
	echo "== wrk $p"
	wrk -t2 -c32 -d5s "$B$p" | grep -E "Requests/sec|Latency|Non-2xx"
done
echo "== lateness after hammering"; lat
echo "== graph cold vs cached"
for i in 1 2; do curl -s -o /dev/null -w "%{http_code} %{time_total}s %{size_download}B\n" "$B/graph/s1-c2.png?period=week&metric=time"; done
curl -s -o /dev/null -w "spark %{http_code} %{time_total}s %{size_download}B\n" "$B/graph/s1-c3.png?period=day&metric=time&width=160&height=32&style=spark"
echo "== page sizes"; for p in / /status /api/v1/checks /metrics; do curl -s -o /dev/null -w "$p %{size_download}B %{time_total}s\n" "$B$p"; done
grep -c . $SW_LOG
stop_daemon
echo "stop ms $SWD_STOP_MS"
