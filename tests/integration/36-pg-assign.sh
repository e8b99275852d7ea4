#!/bin/bash
# 36-pg-assign: two daemons on one PostgreSQL database share the checks
# (issue 16, assignment and failover).  Each node probes from its own
# source address (alpha 127.0.0.2, beta 127.0.0.3), so nginx's log says
# which node probed which check.
#
#   both up          -> every check probed by exactly one node, both
#                       nodes busy; a check with locations = 2 by both
#   beta SIGKILLed   -> alpha probes every check within node_timeout
#                       and a few seconds
#   beta back        -> the checks are shared again
set -eu
. "$top_srcdir/tests/lib/common.sh"

start_nginx
SW_TEST_DB=pg
LOG=$SW_TMP/nginx/logs/access.log
write_config daemon.node=alpha daemon.node_timeout=2 daemon.source=127.0.0.2
add_site shop "Shop Ltd"
for i in 01 02 03 04 05 06 07 08 09 10 11 12; do
	add_check shop "c$i" "$NGINX_URL/ok?c=c$i" interval=1 timeout=1
done
add_check shop both "$NGINX_URL/ok?c=both" interval=1 timeout=1 locations=2
CONF2=$SW_TMP/beta.conf
PORT2=$(free_port)
sed -e "s|^state_dir = .*|state_dir = $SW_TMP/var2|" \
    -e "s|^listen = .*|listen = 127.0.0.1:$PORT2|" \
    -e "s|^node = .*|node = beta|" -e "s|^source = .*|source = 127.0.0.3|" \
    "$SW_CONF" > "$CONF2"
grep -q "^source = 127.0.0.3" "$CONF2" || fail "beta's config"

# confirm above locations is refused where it is written.
cp "$SW_CHECKS_DIR/shop.conf" "$SW_TMP/shop.conf.saved"
printf '[check odd]\nurl = %s/ok\nlocations = 2\nconfirm = 3\n' "$NGINX_URL" >> "$SW_CHECKS_DIR/shop.conf"
sw_run "$SWD" -t -c "$SW_CONF"
[ "$RUN_RC" -ne 0 ] || fail "-t accepted confirm = 3 with locations = 2"
assert_contains "$RUN_ERR" "$SW_CHECKS_DIR/shop.conf:$(grep -n '^confirm = 3' "$SW_CHECKS_DIR/shop.conf" | cut -d: -f1): confirm (3) must not exceed locations (2)" \
    "-t names the file and line"
cp "$SW_TMP/shop.conf.saved" "$SW_CHECKS_DIR/shop.conf"

# owners SECS: after SECS seconds of traffic, "check=addr,addr ..." for
# every check probed meanwhile (who probed it, sorted).
owners() {
	local from
	from=$(wc -l < "$LOG")
	sleep "$1"
	tail -n "+$(( from + 1 ))" "$LOG" | "$SW_PY" -c '
import re, sys
seen = {}
for line in sys.stdin:
    m = re.match(r"(\S+) .*\"GET /ok\?c=(\w+) ", line)
    if m:
        seen.setdefault(m.group(2), set()).add(m.group(1))
print(" ".join("%s=%s" % (c, ",".join(sorted(a))) for c, a in sorted(seen.items())))'
}
# shared OWNERS: every check by one node, both nodes busy, "both" by both.
shared() {
	"$SW_PY" -c '
import sys
o = dict(kv.split("=") for kv in sys.argv[1].split())
singles = [o.get("c%02d" % i, "") for i in range(1, 13)]
ok = all(a in ("127.0.0.2", "127.0.0.3") for a in singles) and \
    {"127.0.0.2", "127.0.0.3"} <= set(singles) and \
    o.get("both") == "127.0.0.2,127.0.0.3"
sys.exit(0 if ok else 1)' "$1"
}

start_daemon
"$SWD" -f -c "$CONF2" </dev/null >>"$SW_TMP/beta.log" 2>&1 &
BETA=$!
_sw_track "$BETA" sitewatchd
wait_until 20 "grep -q 'assign: 2 live node' '$SW_LOG' && grep -q 'assign: 2 live node' '$SW_TMP/beta.log'" ||
    fail "the nodes did not see each other"
deadline=$(( SECONDS + 20 ))
until o=$(owners 3) && shared "$o"; do
	[ "$SECONDS" -lt "$deadline" ] || fail "checks not shared: $o"
done
echo "shared: $o"

# beta killed: alpha takes every check.
kill -KILL "$BETA"
wait "$BETA" 2>/dev/null || true
_sw_untrack "$BETA"
t0=$SECONDS
deadline=$(( SECONDS + 20 ))
until o=$(owners 2) && "$SW_PY" -c '
import sys
o = dict(kv.split("=") for kv in sys.argv[1].split())
sys.exit(0 if all(o.get(c) == "127.0.0.2" for c in ["c%02d" % i for i in range(1, 13)] + ["both"]) else 1)' "$o"; do
	[ "$SECONDS" -lt "$deadline" ] || fail "alpha did not take over: $o"
done
echo "alpha alone after about $(( SECONDS - t0 )) s: $o"
assert_contains "$(cat "$SW_LOG")" "assign: 1 live node(s), this one probes 13 of 13 checks" \
    "alpha says it probes everything"

# beta back: shared again.
"$SWD" -f -c "$CONF2" </dev/null >>"$SW_TMP/beta.log" 2>&1 &
BETA=$!
_sw_track "$BETA" sitewatchd
deadline=$(( SECONDS + 25 ))
until o=$(owners 3) && shared "$o"; do
	[ "$SECONDS" -lt "$deadline" ] || fail "checks not shared again: $o"
done
_sw_stop_pid "$BETA" 12
stop_daemon
exit 0
