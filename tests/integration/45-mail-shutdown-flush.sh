#!/bin/bash
# 45-mail-shutdown-flush: an alert still waiting for its group window is
# not lost when the daemon stops: SIGTERM renders it into the queue, and
# the next start delivers it (here: no smtp host, so an .eml file).
set -eu
. "$top_srcdir/tests/lib/common.sh"

use_db

start_nginx
write_config smtp.staff=ops@example.com smtp.group_window=600
add_site shop "Shop Ltd" en owner@shop.example
add_check shop broken "$NGINX_URL/status/500" interval=1 timeout=1 \
    retries=1 recover=1
start_daemon
wait_until 15 'grep -q "check broken: .* opened" "$SW_LOG"' ||
    fail "no ticket opened"
sleep 1
# Counted in a folder known to exist: a missing one is not "no mail".
assert_file_exists "$SW_STATE_DIR/outbox" "the daemon made its outbox"
assert_eq 0 "$(find "$SW_STATE_DIR/outbox" -maxdepth 1 -name '*.eml' |
    wc -l)" "nothing sent inside the group window"
stop_daemon
assert_eq "2|queued|queued" "$(q "SELECT count(*), min(status), max(status)
    FROM outbox")" "staff and client mails queued at shutdown"

start_daemon
wait_until 10 '[ "$(q "SELECT count(*) FROM outbox WHERE status =
    '"'sent'"'")" = 2 ]' || fail "the queued mails were not sent on restart"
assert_eq 2 "$(ls "$SW_STATE_DIR/outbox" | grep -c '\.eml$')" "two .eml files"
grep -l "^Subject: DOWN: broken" "$SW_STATE_DIR"/outbox/*.eml >/dev/null ||
    fail "no staff mail among the .eml files"
stop_daemon
exit 0
