#!/bin/bash
# 61-hostile-daemon: the daemon runs hostile checks (never-ending bodies,
# nginx /huge, a trickle, a 10 MB header, a stalled TLS handshake, bytes
# that must not reach a log) beside a healthy /ok check at interval 1:
#   - the healthy check keeps its schedule: ~1 request a second in the
#     nginx access log and ~1 RRD row a second while the others run;
#   - memory stays bounded: VmHWM after ~8 runs of each hostile check is
#     below a fixed bound, and hardly grew between the first few runs
#     and the end;
#   - the hostile checks get the right causes (RRD up=0; log lines);
#   - nothing raw reaches the daemon log (invalid UTF-8, ESC, BEL come
#     out as \xNN), nor the headers of the alert mails in the outbox
#     (no raw 8-bit byte, no <script>, no header injected through a CR).
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/faults.bash"

start_nginx
start_hostile
write_config smtp.staff=ops@example.com smtp.group_window=1
add_site hostile "Hostile Ltd" en owner@hostile.example
# Long timeouts on purpose: the stalls overlap the healthy check.
add_check hostile forever "$HOSTILE_URL/forever" interval=2 timeout=2
add_check hostile drip "$HOSTILE_URL/drip" interval=2 timeout=2
add_check hostile huge "$NGINX_URL/huge" interval=2 timeout=2
# Allowed to read (scan) up to 200 MB: nothing of it may be kept.  Two
# such checks take a core at loopback speed; an ASan build scans several
# times slower, so there they may read 30 MB, or the loop (rightly) runs
# late for everyone and the healthy check's schedule says nothing.
BIG=200000000
if ldd "$SWD" 2>/dev/null | grep -q libasan; then
	BIG=30000000
fi
add_check hostile forever-big "$HOSTILE_URL/forever" interval=2 timeout=2 \
    max_body=$BIG
add_check hostile huge-big "$NGINX_URL/huge" interval=2 timeout=2 \
    max_body=$BIG
add_check hostile trickle "$HOSTILE_URL/trickle" interval=2 timeout=2
add_check hostile bigheader "$HOSTILE_URL/bigheader" interval=2 timeout=2
add_check hostile tlshang "https://127.0.0.1:$HANG_PORT/" interval=2 \
    timeout=2
add_check hostile loop "$NGINX_URL/redirect-loop" interval=2 timeout=2
add_check hostile badstatus "$HOSTILE_URL/badstatus" interval=1 timeout=1 \
    retries=1
add_site good "Good Ltd"
add_check good healthy "$NGINX_URL/ok" interval=1 timeout=1

# ASan keeps freed memory in quarantine (256 MB by default), which would
# read as growth: keep it small so that growth still means something.
if ldd "$SWD" 2>/dev/null | grep -q libasan; then
	# And the fast unwinder on malloc: with the slow one every malloc
	# walks the stack, and OpenSSL's thousands of them for the system CA
	# store stalled the loop for seconds on a busy machine.
	ASAN_OPTIONS="quarantine_size_mb=8${ASAN_OPTIONS:+:$ASAN_OPTIONS}:fast_unwind_on_malloc=1"
	export ASAN_OPTIONS
	SAN=1
else
	SAN=
fi
ALOG=$SW_TMP/nginx/logs/access.log
ok_hits() {
	grep -c 'GET /ok ' "$ALOG" || true
}

# -v: debug lines carry every result message, hostile text included.
start_daemon -v
wait_until 10 '[ "$(ok_hits)" -ge 1 ]' || fail "healthy check never ran"
sleep 3
hwm_early=$(vm_kb "$SWD_PID" VmHWM)
t0=$(date +%s)
h0=$(ok_hits)
sleep 12
h1=$(ok_hits)
t1=$(date +%s)
hwm_late=$(vm_kb "$SWD_PID" VmHWM)
daemon_alive || fail "daemon died among hostile sites"
el=$((t1 - t0))
echo "healthy: $((h1 - h0)) requests in $el s; VmHWM $hwm_early -> $hwm_late kB"
# One request a second, give or take scheduling spread at the edges.
assert_ge "$((h1 - h0))" "$((el - 2))" "healthy check kept its schedule"
assert_le "$((h1 - h0))" "$((el + 2))" "healthy check not run twice a second"
hugeruns=$(grep -c 'GET /huge ' "$ALOG" || true)
assert_ge "$hugeruns" 6 "the /huge check ran repeatedly"
assert_ge "$(grep -c '^/forever$' "$HOSTILE_REQS")" 6 \
    "the never-ending body check ran repeatedly"
# Bound: 100 MB bodies and endless ones must not be buffered.  ASan's
# shadow memory and quarantine raise the floor of a sanitizer build.
if [ -n "$SAN" ]; then
	bound=400000
else
	bound=100000
fi
assert_le "$hwm_late" "$bound" "VmHWM (kB) bounded"
# The web's uptime refresh reads a day of 1-second rows of each check
# once (about 8 MB a fetch at interval 1): a one-off, not per hostile run.
assert_le "$((hwm_late - hwm_early))" 40000 "VmHWM (kB) hardly grew"

stop_daemon

# The healthy RRD: about one row a second over the same window.
rows=$(rrd_read fetch "$SW_STATE_DIR/rrd/healthy.rrd" AVERAGE -s "$t0" \
    -e "$((t1 - 1))" | awk 'NR > 2 && $2 + 0 == 1 { n++ } END { print n + 0 }')
assert_ge "$rows" "$((el - 3))" "healthy: rows with up=1 in the RRD"
for n in drip trickle bigheader tlshang badstatus; do
	down=$(rrd_read fetch "$SW_STATE_DIR/rrd/$n.rrd" AVERAGE -s "$t0" \
	    -e "$((t1 - 1))" | awk 'NR > 2 && $2 == "0.0000000000e+00" { n++ }
	    END { print n + 0 }')
	assert_ge "$down" 1 "$n: recorded down in the RRD"
done

# Through the daemon, the same causes as with `sitewatch check` (60).
# (forever-big and huge-big scan their 200 MB in well under a second.)
for nc in forever:up/ok forever-big:up/ok huge-big:up/ok drip:down/timeout \
    trickle:down/timeout bigheader:down/http tlshang:down/timeout \
    loop:down/http badstatus:down/http healthy:up/ok; do
	grep -a -q "probe ${nc%%:*}: ${nc#*:} " "$SW_LOG" ||
	    fail "${nc%%:*}: no ${nc#*:} result in the log"
done
assert_eq 0 "$(grep -a -c 'probe healthy: \(down\|degraded\)/' "$SW_LOG" || true)" \
    "the healthy check never suffered from its neighbours"

# The log: the hostile status line was logged, escaped.
# (The message is escaped once in the result and its backslashes once
# more by the logger: "\x5cxff" -- unambiguous either way.)
grep -a -q 'badstatus: down/http .*Oops \\x\(5cx\)\{0,1\}ff' "$SW_LOG" ||
    fail "the escaped reason is not in the log"
! has_raw_bytes "$SW_LOG" ||
    fail "raw bytes in the daemon log: $(grep -a -n "$(printf '\x1b')" "$SW_LOG" | head -3)"
assert_not_contains "$(cat "$SW_LOG")" 'X-Injected' "no CR injection in the log"

# The mails (no smtp host: the outbox).  Headers: 7-bit, no markup, no
# injected header; bodies may carry the (escaped) detail as text/plain.
wait_until 5 '[ -n "$(ls "$SW_STATE_DIR/outbox" 2>/dev/null)" ]' ||
    fail "no alert mail in the outbox"
n=0
for f in "$SW_STATE_DIR"/outbox/*.eml; do
	n=$((n + 1))
	"$SW_PY" - "$f" <<'PY' || fail "bad headers in $f: $(head -c 2000 "$f")"
import sys
raw = open(sys.argv[1], "rb").read()
head = raw.split(b"\r\n\r\n", 1)[0]
bad = []
if any(b >= 0x80 for b in head):
    bad.append("8-bit byte in headers")
if b"<script" in head.lower():
    bad.append("markup in headers")
for line in head.split(b"\r\n"):
    if b"\r" in line or b"\n" in line:
        bad.append("bare CR/LF in a header")
    if line.lower().startswith(b"x-injected"):
        bad.append("injected header")
if b"Content-Type: text/plain" not in raw:
    bad.append("not text/plain")
if bad:
    sys.exit(", ".join(bad))
PY
done
assert_ge "$n" 1 "alert mails checked"
exit 0
