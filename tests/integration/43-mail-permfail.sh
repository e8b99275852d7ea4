#!/bin/bash
# 43-mail-permfail: a 5xx is final.
#
#   mail-test against 550 -> exit 2, the answer printed, row "failed"
#   daemon alert vs 550   -> row "failed" with the answer, logged once,
#                            and not tried again (backoff shortened)
#   5xx at end of DATA    -> failed too
set -eu
. "$top_srcdir/tests/lib/common.sh"
# libesmtp over-reads its own header names (see the file): not ours.
ASAN_OPTIONS="suppressions=$top_srcdir/tests/integration/mail-asan.supp${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export ASAN_OPTIONS

command -v sqlite3 >/dev/null 2>&1 || skip "sqlite3 is not installed"
DB=$SW_STATE_DIR/sitewatch.db
q() {
	sqlite3 -cmd '.timeout 5000' "$DB" "$1" 2>/dev/null
}

start_nginx
start_smtp permfail
write_config smtp.retry_min=1 smtp.retry_max=1 smtp.host=127.0.0.1 "smtp.port=$SMTP_PORT" smtp.starttls=no \
    smtp.staff=ops@example.com smtp.group_window=1

sw_run "$SWC" -c "$SW_CONF" mail-test nobody@example.com
assert_eq 2 "$RUN_RC" "mail-test refused"
assert_contains "$RUN_ERR" "550" "the refusal is printed"
assert_eq "failed" "$(q "SELECT status FROM outbox WHERE
    recipients = 'nobody@example.com'")" "test mail failed"

add_site shop "Shop Ltd"
add_check shop broken "$NGINX_URL/status/500" interval=1 timeout=1 \
    retries=1 recover=1
start_daemon
wait_until 20 '[ "$(q "SELECT count(*) FROM outbox WHERE
    recipients = '"'ops@example.com'"' AND status = '"'failed'"'")" = 1 ]' ||
    fail "the refused alert is not marked failed"
sleep 4
assert_eq 1 "$(grep -c '^RCPT ops@example.com' "$SMTP_LOG")" \
    "a refused mail is not retried"
assert_contains "$(q "SELECT last_error FROM outbox WHERE
    recipients = 'ops@example.com'")" "550" "the answer is kept"
assert_eq 1 "$(grep -c 'failed for good' "$SW_LOG")" "logged once"
stop_daemon

# 554 after DATA is final as well.
smtp_set_mode permfail-data
sw_run "$SWC" -c "$SW_CONF" mail-test late@example.com
assert_eq 2 "$RUN_RC" "refused after DATA"
assert_contains "$RUN_ERR" "554" "the DATA answer is printed"
assert_eq 0 "$(smtp_count)" "nothing stored"
exit 0
