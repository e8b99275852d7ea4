#!/bin/bash
# 73-notify-hang: a channel whose endpoint takes the request and never
# answers delays neither the checks (their RRD rows keep coming, one a
# second) nor the mail (the staff alert arrives at once); the request is
# cut at its timeout and retried, and once the endpoint answers again
# the message is delivered.  SIGTERM during a hanging request ends the
# daemon at once (the request is left queued), and the next run sends it.
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$SW_LIB/hooks.bash"
mail_asan
use_db

start_nginx
start_smtp accept
start_hooks
hook_mode hang
write_mail_config "$SMTP_PORT" 2
add_site shop "Shop Ltd"
add_check shop broken "$NGINX_URL/status/503" interval=1 timeout=1 \
    retries=1 recover=1
add_check shop healthy "$NGINX_URL/ok" interval=1 timeout=1
cat >> "$SW_CONF" <<CONF
[notify slow]
type = webhook
url  = $HOOK_URL/never
CONF
start_daemon
T0=$(date +%s)
wait_until 15 '[ "$(hook_count)" -ge 1 ]' ||
    fail "the webhook request was not made"
# The request hangs now; mail and checks go on.
wait_until 8 '[ "$(smtp_count)" -ge 1 ]' ||
    fail "the staff mail waited for the hanging channel"
assert_eq queued "$(q "SELECT status FROM outbox WHERE channel = 'slow'")" \
    "the notification waits"
h0=$(nginx_hits /ok)
sleep 6
h1=$(nginx_hits /ok)
assert_ge "$((h1 - h0))" 5 "the healthy check ran on schedule (6 s)"
T1=$(date +%s)
ROWS=$(rrd_known_rows "$SW_STATE_DIR/rrd/healthy.rrd" "$T0" "$T1") ||
    fail "healthy.rrd cannot be read"
assert_ge "$ROWS" "$((T1 - T0 - 4))" \
    "RRD rows kept coming ($ROWS in $((T1 - T0)) s)"
# Cut at its timeout, retried; delivered once the endpoint answers.
wait_until 15 '[ -n "$(q "SELECT last_error FROM outbox
    WHERE channel = '"'slow'"' AND attempts >= 1")" ]' ||
    fail "the hanging request was not cut at its timeout"
assert_contains "$(q "SELECT last_error FROM outbox WHERE channel = 'slow'")" \
    "imeout" "the wait ended by the timeout"
# The retry hangs too: a stop does not wait for it.
N=$(hook_count)
wait_until 15 '[ "$(hook_count)" -gt "$N" ]' || fail "no retry"
sleep 1
stop_daemon
assert_le "$SWD_STOP_MS" 3000 "stop time with a request hanging (ms)"
assert_eq queued "$(q "SELECT status FROM outbox WHERE channel = 'slow'")" \
    "still queued after the stop"
hook_mode 200
start_daemon
wait_until 20 '[ "$(q "SELECT status FROM outbox
    WHERE channel = '"'slow'"'")" = sent ]' ||
    fail "not delivered after the endpoint came back"
assert_eq 1 "$(hook_reqs_where 'r["answer"] == "200"' | wc -w)" \
    "delivered once"
stop_daemon
exit 0
