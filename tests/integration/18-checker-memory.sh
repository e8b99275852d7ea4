#!/bin/bash
# 18-checker-memory: memory pressure.  The running daemon's address space
# is capped (RLIMIT_AS, what `ulimit -v` sets) a few MB above what it
# uses, so a transfer that needs a resolver thread (8 MB of stack) cannot
# start.  A check added then is unknown (local fault), never down: no
# ticket, no client mail.  Sanitizer builds reserve terabytes of shadow
# memory and cannot run under such a cap: there it is skipped; CI runs it
# on the release build (scripts/test.sh).
set -eu
. "$top_srcdir/tests/lib/common.sh"

command -v prlimit >/dev/null 2>&1 || skip "prlimit is not installed"
if ldd "$SWD" 2>/dev/null | grep -q 'lib[at]san\|libubsan' ||
    grep -q '__asan_init' "$SWD" 2>/dev/null; then
	skip "sanitizer build: an address-space cap cannot apply (release build only)"
fi
start_nginx
# rrdcached: librrd's own writes map whole files, which the cap forbids.
start_rrdcached
write_config daemon.rrdcached="unix:$RRDCACHED_SOCK" defaults.interval=1 \
    defaults.timeout=1 defaults.retries=1 smtp.staff=staff@example.com
add_site shop "Shop Ltd" en owner@shop.example
# An address, not a name: no resolver thread for this one.
add_check shop shop-ip "$NGINX_URL/ok?ip"
start_daemon
B=http://127.0.0.1:$SW_HTTP_PORT
wait_until 15 '[ "$(json_get "$(curl -s -m 5 "$B/api/v1/checks")" 0.state)" = up ]' ||
    fail "shop-ip never came up"

vm=$(awk '/^VmSize:/ { print $2 }' "/proc/$SWD_PID/status")
prlimit --pid "$SWD_PID" --as=$(( (vm + 6144) * 1024 )): ||
    fail "cannot cap the daemon's address space"
# A name this time: the lookup needs a thread, which cannot start.
# (Not "localhost": libcurl answers that one itself, without a thread.)
add_check shop shop-name "http://$(hostname):$NGINX_PORT/ok?name"
reload_daemon
state() {
	curl -s -m 5 "$B/api/v1/checks" | "$SW_PY" -c '
import json, sys
for c in json.load(sys.stdin):
    if c["name"] == sys.argv[1]:
        print(c["state"], "|", c.get("message", ""))' "$1" 2>/dev/null || true
}
wait_until 15 'case "$(state shop-name)" in unknown*local*) true ;; *) false ;; esac' ||
    fail "shop-name is '$(state shop-name)', not unknown (local fault)"
sleep 3
case "$(state shop-name)" in
unknown*) ;;
*) fail "shop-name became '$(state shop-name)'" ;;
esac
daemon_alive || fail "sitewatchd died under memory pressure"
assert_not_contains "$(cat "$SW_LOG")" "-> down" "a check went down"
http_req GET "$B/api/v1/tickets?status=open"
assert_eq "[]" "$HTTP_BODY" "open tickets"
http_req GET "$B/metrics"
assert_contains "$HTTP_BODY" "sitewatch_checker_impaired 1" "metrics: impaired"
if ls "$SW_STATE_DIR"/outbox/*.eml >/dev/null 2>&1; then
	assert_not_contains "$(cat "$SW_STATE_DIR"/outbox/*.eml)" \
	    "owner@shop.example" "no client mail"
fi
# Lift the cap before stopping: shutting down must not be the test.
prlimit --pid "$SWD_PID" --as=unlimited:
stop_daemon
