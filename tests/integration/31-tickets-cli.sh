#!/bin/bash
# 31-tickets-cli: `sitewatch tickets` and `sitewatch ticket` without the
# daemon: exit codes, error messages, JSON fields, options anywhere after
# the verb, the timeline, and what a staff action may not do.
set -eu
. "$top_srcdir/tests/lib/common.sh"

use_db

start_nginx
write_config
add_site shop "Shop <b>Ltd</b>"
add_check shop broken "$NGINX_URL/status/503" interval=1 timeout=1 \
    retries=1 renotify=0
C=("$SWC" -c "$SW_CONF")

# No db yet: an empty list, and "no such ticket".
sw_run "${C[@]}" tickets --json
assert_eq 0 "$RUN_RC" "tickets without a db: $RUN_ERR"
assert_json "$RUN_OUT" 'j == []' "empty list"
sw_run "${C[@]}" ticket show 1
assert_eq 1 "$RUN_RC" "show without a db"
assert_contains "$RUN_ERR" "no ticket 1" "show without a db"

# Let the daemon open one ticket, then stop it.
start_daemon
wait_until 15 '[ "$(q "SELECT count(*) FROM tickets")" = 1 ]' ||
    fail "no ticket opened"
stop_daemon
ID=$(q "SELECT id FROM tickets")

sw_run "${C[@]}" tickets
assert_eq 0 "$RUN_RC" "tickets"
assert_contains "$RUN_OUT" "broken" "text list"
assert_contains "$RUN_OUT" "HTTP 503" "text list"

sw_run "${C[@]}" ticket show "$ID" --json
assert_eq 0 "$RUN_RC" "show --json"
assert_json "$RUN_OUT" 'sorted(j.keys()) == sorted(["id", "check", "site",
    "severity", "status", "cause", "summary", "opened_at",
    "acknowledged_by", "acknowledged_at", "resolved_at", "downtime_s",
    "events"])' "ticket keys"
assert_json "$RUN_OUT" '(j["site"] == "Shop <b>Ltd</b>" and
    j["check"] == "broken" and j["status"] == "open" and
    j["severity"] == "critical" and j["cause"] == "http")' "ticket values"
assert_json "$RUN_OUT" '(sorted(j["events"][0].keys()) ==
    ["at", "by", "kind", "text"])' "event keys"

# Bad arguments: exit 1 and a message that says what is wrong.
sw_run "${C[@]}" ticket show 999
assert_eq 1 "$RUN_RC" "unknown id"
assert_contains "$RUN_ERR" "no ticket 999" "unknown id"
sw_run "${C[@]}" ticket show abc
assert_eq 1 "$RUN_RC" "bad id"
assert_contains "$RUN_ERR" "bad ticket id" "bad id"
sw_run "${C[@]}" ticket ack "$ID"
assert_eq 1 "$RUN_RC" "ack without --by"
assert_contains "$RUN_ERR" "--by" "ack without --by"
sw_run "${C[@]}" ticket frobnicate "$ID"
assert_eq 1 "$RUN_RC" "unknown action"
sw_run "${C[@]}" ticket note "$ID" --by ayse
assert_eq 1 "$RUN_RC" "note without text"
sw_run "${C[@]}" tickets --bogus
assert_eq 1 "$RUN_RC" "unknown option"
sw_run "${C[@]}" ticket ack 999 --by ayse
assert_eq 1 "$RUN_RC" "ack of an unknown id"
assert_eq 1 "$(q "SELECT count(*) FROM ticket_events")" \
    "refused actions leave no trace"

# Options anywhere after the verb; the note is the rest of the words.
sw_run "${C[@]}" ticket --by ayse ack --json "$ID" --note "looking at it"
assert_eq 0 "$RUN_RC" "ack: $RUN_ERR"
assert_json "$RUN_OUT" '(j["status"] == "acknowledged" and
    j["acknowledged_by"] == "ayse" and j["acknowledged_at"] is not None)' \
    "ack --json"
sw_run "${C[@]}" ticket ack "$ID" --by mehmet
assert_eq 1 "$RUN_RC" "second ack"
assert_contains "$RUN_ERR" "already acknowledged" "second ack"
sw_run "${C[@]}" ticket note "$ID" restarted php-fpm --by ayse
assert_eq 0 "$RUN_RC" "note: $RUN_ERR"
assert_eq "ticket $ID noted" "$RUN_OUT" "note output"
sw_run "${C[@]}" tickets --open --json
assert_json "$RUN_OUT" 'len(j) == 1' "acknowledged is still --open"
sw_run "${C[@]}" ticket resolve "$ID" --by ayse --json
assert_eq 0 "$RUN_RC" "resolve: $RUN_ERR"
assert_json "$RUN_OUT" '(j["status"] == "resolved" and
    j["downtime_s"] >= 0 and j["resolved_at"] is not None)' "resolved"
assert_json "$RUN_OUT" '([e["kind"] for e in j["events"]] ==
    ["opened", "acknowledged", "note", "resolved"])' "timeline order"
assert_json "$RUN_OUT" '(j["events"][1]["text"] == "looking at it" and
    j["events"][2]["text"] == "restarted php-fpm" and
    j["events"][2]["by"] == "ayse" and j["events"][0]["by"] is None)' \
    "timeline texts"
sw_run "${C[@]}" ticket ack "$ID" --by ayse
assert_eq 1 "$RUN_RC" "ack of a resolved ticket"
assert_contains "$RUN_ERR" "already resolved" "ack of a resolved ticket"
sw_run "${C[@]}" ticket resolve "$ID" --by ayse
assert_eq 1 "$RUN_RC" "resolve twice"
sw_run "${C[@]}" tickets --json
assert_json "$RUN_OUT" 'j == []' "nothing open"
sw_run "${C[@]}" tickets --all --json
assert_json "$RUN_OUT" 'len(j) == 1' "--all"

# The text view shows the timeline with terminal-safe text.
sw_run "${C[@]}" ticket show "$ID"
assert_eq 0 "$RUN_RC" "show"
assert_contains "$RUN_OUT" "restarted php-fpm" "show text"
assert_contains "$RUN_OUT" "resolved" "show text"
exit 0
