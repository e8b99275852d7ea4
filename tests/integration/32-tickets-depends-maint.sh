#!/bin/bash
# 32-tickets-depends-maint: checks that must NOT open tickets.
#
#   front    /status/500              -> its own critical ticket
#   cart     /status/502, depends=front -> no ticket; its failure is a
#                                          "dependent-failure" event on
#                                          front's ticket
#   planned  /status/500 inside a one-off maintenance window -> no ticket
#   cut      every canary fails       -> results unknown: no ticket (own
#                                          daemon, second half)
set -eu
. "$top_srcdir/tests/lib/common.sh"

use_db

start_nginx
from=$(date -d '-1 hour' +%Y-%m-%dT%H:%M)
to=$(date -d '+1 hour' +%Y-%m-%dT%H:%M)
write_config
add_site shop "Shop Ltd"
add_check shop front "$NGINX_URL/status/500" interval=1 timeout=1 retries=2
add_check shop cart "$NGINX_URL/status/502" interval=1 timeout=1 retries=2 \
    depends=front
add_check shop planned "$NGINX_URL/status/500" interval=1 timeout=1 \
    retries=1 "maintenance=$from/$to"

start_daemon
wait_until 15 '[ "$(q "SELECT count(*) FROM tickets
    WHERE check_name='"'front'"'")" = 1 ]' || fail "front has no ticket"
FRONT=$(q "SELECT id FROM tickets WHERE check_name='front'")
wait_until 10 '[ "$(q "SELECT count(*) FROM ticket_events
    WHERE ticket_id=$FRONT AND kind='"'dependent-failure'"'")" -ge 1 ]' ||
    fail "cart's failure was not noted on front's ticket"
# Several more results of every check.
sleep 4
assert_eq front "$(q "SELECT check_name FROM tickets ORDER BY id")" \
    "only front has a ticket"
assert_eq 1 "$(q "SELECT count(*) FROM ticket_events
    WHERE kind='dependent-failure'")" "the dependent failure is noted once"
assert_contains "$(q "SELECT text FROM ticket_events
    WHERE kind='dependent-failure'")" "cart" "the note names the check"
# Held checks are still watched: their state is down.
assert_eq "down down" "$(q "SELECT state FROM check_state
    WHERE name IN ('cart','planned') ORDER BY name" | tr '\n' ' ' |
    sed 's/ $//')" "held checks' state"
assert_contains "$(cat "$SW_LOG")" "held: maintenance" "log says why"
stop_daemon

# The checker cut off: the canary fails, so every result is unknown.
rm -rf "$SW_STATE_DIR"
reset_db
write_config "daemon.canary=http://127.0.0.1:$CLOSED_PORT/"
rm -f "$SW_CHECKS_DIR"/*.conf
add_site shop "Shop Ltd"
add_check shop lonely "$NGINX_URL/status/500" interval=1 timeout=1 retries=2
start_daemon
wait_until 10 '[ -n "$(q "SELECT state FROM check_state
    WHERE name='"'lonely'"'")" ]' || fail "no result for lonely"
sleep 3
assert_eq unknown "$(q "SELECT state FROM check_state
    WHERE name='lonely'")" "canary down: unknown"
assert_eq 0 "$(q "SELECT count(*) FROM tickets")" "canary down: no ticket"
stop_daemon
exit 0
