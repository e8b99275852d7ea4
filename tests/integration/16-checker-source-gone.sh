#!/bin/bash
# 16-checker-source-gone: probes leave from [daemon] source; when that
# address disappears while the daemon runs, the checks cannot be made:
# they are unknown (the message names the source address), no ticket,
# no client mail; staff get one "impaired" mail, the dashboard a banner,
# /metrics the count.  When the address is back, checks count again.
set -eu
. "$top_srcdir/tests/lib/common.sh"

# A documentation address (TEST-NET-1), varied so parallel runs differ.
SRC=192.0.2.$((RANDOM % 200 + 20))
ip addr add "$SRC/32" dev lo 2>/dev/null ||
    skip "cannot add an address to lo (needs root and iproute2)"
sw_on_exit "ip addr del $SRC/32 dev lo 2>/dev/null || true"

start_nginx
write_config daemon.source="$SRC" defaults.interval=1 defaults.timeout=1 \
    defaults.retries=1 smtp.staff=staff@example.com
add_site shop "Shop Ltd" en owner@shop.example
add_check shop shop-home "$NGINX_URL/ok?from=source"
start_daemon
B=http://127.0.0.1:$SW_HTTP_PORT
state() { json_get "$(curl -s -m 5 "$B/api/v1/checks")" "0.$1" 2>/dev/null || true; }
wait_until 15 '[ "$(state state)" = up ]' || fail "shop-home never came up"
access=$SW_TMP/nginx/logs/access.log
grep -q "^$SRC .*from=source" "$access" ||
    fail "nginx did not see the check from $SRC: $(tail -n 3 "$access")"

ip addr del "$SRC/32" dev lo
wait_until 10 '[ "$(state state)" = unknown ]' ||
    fail "shop-home is $(state state), not unknown, without its source"
msg=$(state message)
assert_contains "$msg" "local fault" "the message names a local fault"
assert_contains "$msg" "source address" "the message names the source"
sleep 3
assert_eq unknown "$(state state)" "still unknown"
assert_not_contains "$(cat "$SW_LOG")" "-> down" "the check went down"

http_req GET "$B/api/v1/tickets?status=open"
assert_eq "[]" "$HTTP_BODY" "open tickets"
http_req GET "$B/metrics"
assert_contains "$HTTP_BODY" "sitewatch_checker_impaired 1" "metrics: impaired"
n=$(printf '%s\n' "$HTTP_BODY" |
    sed -n 's/^sitewatch_checker_local_failures_total{kind="source"} //p')
assert_ge "${n:-0}" 2 "local failures of kind source"
http_req GET "$B/"
assert_contains "$HTTP_BODY" 'id="impaired"' "dashboard banner"

# Mail: one staff note (the outbox, no smtp host), nothing for the client.
wait_until 10 'ls "$SW_STATE_DIR"/outbox/*.eml >/dev/null 2>&1' ||
    fail "no staff mail about the impaired monitor"
mails=$(cat "$SW_STATE_DIR"/outbox/*.eml)
assert_eq 1 "$(ls "$SW_STATE_DIR"/outbox/*.eml | wc -l)" "mails queued"
assert_contains "$mails" "staff@example.com" "the mail goes to staff"
assert_contains "$mails" "impaired" "the mail says the monitor is impaired"
assert_not_contains "$mails" "owner@shop.example" "no client mail"
n=$(grep -c "checker impaired" "$SW_LOG" || true)
assert_eq 1 "$n" "impaired is logged once"

ip addr add "$SRC/32" dev lo
wait_until 10 '[ "$(state state)" = up ]' ||
    fail "shop-home did not come back with its source address"
stop_daemon
