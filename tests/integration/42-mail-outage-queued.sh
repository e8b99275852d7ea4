#!/bin/bash
# 42-mail-outage-queued: the daemon's alert mail survives an SMTP outage
# and a restart, and is delivered exactly once.
#
#   SMTP answers 451  -> the mail stays queued, retried with backoff
#                        (smtp.retry_min=1, retry_max=2 shorten 30 s..1 h)
#   daemon stopped    -> the row is still queued in sitewatch.db
#   SMTP accepts,     -> the restarted daemon delivers it, once, and marks
#   daemon restarted     it sent; no second copy arrives later
set -eu
. "$top_srcdir/tests/lib/common.sh"
mail_asan
use_db
rcpt_tries() {
	local n
	n=$(grep -c "^RCPT ops@example.com" "$SMTP_LOG" 2>/dev/null) || true
	echo "${n:-0}"
}

start_nginx
start_smtp tempfail
write_mail_config "$SMTP_PORT" 2
add_site shop "Shop Ltd"
add_check shop broken "$NGINX_URL/status/503" interval=1 timeout=1 \
    retries=1 recover=1
start_daemon

wait_until 30 '[ "$(rcpt_tries)" -ge 3 ]' ||
    fail "the mail was not retried during the outage"
assert_eq 0 "$(smtp_count)" "nothing delivered during the outage"
assert_eq "queued" "$(q "SELECT status FROM outbox")" "queued"
TRIES=$(q "SELECT attempts FROM outbox")
[ "$TRIES" -ge 2 ] || fail "attempts not counted ($TRIES)"
assert_contains "$(q "SELECT last_error FROM outbox")" "451" \
    "the server's answer is kept"
# Staff see the waiting mail in the metrics (refreshed every few seconds).
queued_metric() {
	local m
	m=$(http_get "http://127.0.0.1:$SW_HTTP_PORT/metrics") || return 1
	printf '%s\n' "$m" |
	    sed -n 's/^sitewatch_mail_queue{status="queued"} //p'
}
wait_until 15 '[ "$(queued_metric)" = 1 ]' ||
    fail "/metrics does not show the queued mail (got '$(queued_metric)')"
stop_daemon
assert_eq "1|queued" "$(q "SELECT count(*), min(status) FROM outbox")" \
    "still queued after the stop"

smtp_set_mode accept
start_daemon
wait_until 20 '[ "$(smtp_count)" -ge 1 ]' ||
    fail "the queued mail was not delivered after the restart"
wait_until 5 '[ "$(q "SELECT status FROM outbox")" = sent ]' ||
    fail "the delivered mail is not marked sent"
sleep 3
assert_eq 1 "$(smtp_count)" "delivered exactly once"
assert_eq 1 "$(q "SELECT count(*) FROM outbox")" "no second mail queued"
stop_daemon
exit 0
