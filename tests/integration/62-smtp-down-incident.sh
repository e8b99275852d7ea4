#!/bin/bash
# 62-smtp-down-incident: a real incident while our own SMTP server is in
# trouble, without restarting the daemon (42 covers 451 + restart, 43
# 5xx, 40 a silent server for mail-test):
#   SMTP silent (takes TCP, never greets) -> checks keep their schedule
#                                            (the session is off the loop)
#   SMTP down (nothing listens)           -> the mail stays queued
#   SMTP back on the same port            -> the alert is delivered, once;
#                                            no second copy arrives later
#   SIGTERM                               -> exit 0 in time
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/faults.bash"
# libesmtp over-reads its own header names (see the file): not ours.
ASAN_OPTIONS="suppressions=$top_srcdir/tests/integration/mail-asan.supp${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export ASAN_OPTIONS
command -v sqlite3 >/dev/null 2>&1 || skip "sqlite3 is not installed"
DB=$SW_STATE_DIR/sitewatch.db
q() {
	sqlite3 -cmd '.timeout 5000' "$DB" "$1" 2>/dev/null
}

start_nginx
P=$(free_port)
# Phase 1: a silent mail server on P.
"$SW_PY" "$SW_LIB/hang_server.py" "$P" "$SW_TMP/smtphang.ready" 120 \
    </dev/null >"$SW_TMP/smtphang.log" 2>&1 &
HPID=$!
_sw_track "$HPID" smtphang
wait_until 10 "[ -s '$SW_TMP/smtphang.ready' ]" || fail "hang server"

write_config smtp.retry_min=1 smtp.retry_max=2 smtp.host=127.0.0.1 "smtp.port=$P" smtp.starttls=no \
    smtp.staff=ops@example.com smtp.group_window=1
add_site shop "Shop Ltd"
add_check shop broken "$NGINX_URL/status/503" interval=1 timeout=1 \
    retries=1 recover=1
add_check shop healthy "$NGINX_URL/ok" interval=1 timeout=1
ALOG=$SW_TMP/nginx/logs/access.log
ok_hits() {
	grep -c 'GET /ok ' "$ALOG" || true
}
start_daemon
wait_until 15 '[ "$(q "SELECT count(*) FROM outbox")" = 1 ]' ||
    fail "the alert was not queued"
# The sender is stuck in a silent session: checks must not notice.
h0=$(ok_hits)
sleep 5
h1=$(ok_hits)
assert_ge "$((h1 - h0))" 4 "healthy check ran on schedule while SMTP hung"
assert_eq queued "$(q "SELECT status FROM outbox")" "queued while silent"

# Phase 2: the mail server is down: refused connections.
_sw_stop_pid "$HPID" 5
# Negative on purpose: the refused connection is what is waited for.
wait_until 10 '! port_open "$P"' || fail "port $P still open"
wait_until 20 '[ "$(q "SELECT attempts FROM outbox")" -ge 2 ]' ||
    fail "no retry while the server was down"
assert_eq queued "$(q "SELECT status FROM outbox")" "queued while down"
assert_ge "$(q "SELECT count(*) FROM tickets WHERE status='open'")" 1 \
    "the incident is open"

# Phase 3: back on the same port.
base=$SW_TMP/smtp-back
mkdir -p "$base/mail"
SMTP_DIR=$base/mail
"$SW_PY" "$SW_LIB/smtp_server.py" --port "$P" --dir "$SMTP_DIR" \
    --mode accept --log "$base/smtp.log" --ready "$base/ready" \
    </dev/null >"$base/stderr" 2>&1 &
_sw_track "$!" smtp
wait_until 15 "[ -s '$base/ready' ]" || fail "smtp server did not start"
wait_until 20 '[ "$(smtp_count)" -ge 1 ]' ||
    fail "the queued alert was not delivered after the server came back"
wait_until 5 '[ "$(q "SELECT status FROM outbox")" = sent ]' ||
    fail "the delivered mail is not marked sent"
sleep 4
assert_eq 1 "$(smtp_count)" "delivered exactly once"
assert_eq 1 "$(q "SELECT count(*) FROM outbox")" "no second mail queued"
assert_contains "$(cat "$(smtp_messages)")" "broken" "the alert names the check"
stop_daemon
assert_le "$SWD_STOP_MS" 10000 "stop time (ms)"
exit 0
