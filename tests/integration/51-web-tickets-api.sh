#!/bin/bash
# 51-web-tickets-api: staff act on a real ticket through the HTTP API and
# the change is what `sitewatch ticket show` reads from the db: ack (with
# a note), a note, resolve; a second ack or resolve is refused (409).  The
# pages follow: the timeline on /check/NAME shows the staff (escaped),
# /status shows "working on it" but no staff names.  After a reload that
# drops api_token, writes answer 403 (the API is read-only).
set -eu
. "$top_srcdir/tests/lib/common.sh"

start_nginx
TOKEN=tok-$$-$RANDOM
write_config defaults.interval=1 defaults.timeout=1 "daemon.api_token=$TOKEN"
add_site shop "Shop Ltd" en
add_check shop shop-cart "$NGINX_URL/status/503" retries=2
add_check shop shop-home "$NGINX_URL/ok"
start_daemon
B=http://127.0.0.1:$SW_HTTP_PORT
AUTH="Authorization: Bearer $TOKEN"

# call METHOD PATH [curl args]: sets CODE and BODY.
call() {
	local m=$1 p=$2
	shift 2
	CODE=$(curl -sS -m 10 -o "$SW_TMP/body" -w '%{http_code}' -X "$m" \
	    "$@" "$B$p") || CODE=000
	BODY=$(cat "$SW_TMP/body")
}
# show ID: the ticket as the CLI reads it from the db (TICKET).
show() {
	sw_run "$SWC" -c "$SW_CONF" ticket show "$1" --json
	assert_eq 0 "$RUN_RC" "sitewatch ticket show $1: $RUN_ERR"
	TICKET=$RUN_OUT
}

wait_json 20 "$B/api/v1/tickets?status=open" 'len(j) == 1' ||
    fail "no open ticket through the API: $WAIT_BODY"
call GET '/api/v1/tickets?status=open'
assert_eq 200 "$CODE" "open tickets"
ID=$(json_get "$BODY" 0.id)
assert_json "$BODY" 'j[0]["check"] == "shop-cart" and j[0]["status"] == "open" and j[0]["severity"] == "critical"' "the ticket"

call GET "/api/v1/tickets/$ID"
assert_eq 200 "$CODE" "one ticket"
assert_json "$BODY" 'j["id"] == '"$ID"' and set(j) >= {"id","check","site","severity","status","cause","summary","opened_at","acknowledged_by","acknowledged_at","resolved_at","downtime_s","events"}' "SPEC ticket fields"

# The check list names the ticket (within a refresh period).
wait_json 10 "$B/api/v1/checks" "str(j[0]['ticket']) == '$ID'" ||
    fail "api/v1/checks does not name ticket $ID: $WAIT_BODY"

# ---- ack with a note
call POST "/api/v1/tickets/$ID/ack" -H "$AUTH" -H 'Content-Type: application/json' \
    -d '{"by": "alice", "text": "looking into it"}'
assert_eq 200 "$CODE" "ack: $BODY"
assert_json "$BODY" 'j["status"] == "acknowledged" and j["acknowledged_by"] == "alice"' "ack answer"
show "$ID"
assert_json "$TICKET" 'j["status"] == "acknowledged" and j["acknowledged_by"] == "alice" and j["acknowledged_at"]' "CLI sees the ack"
assert_json "$TICKET" 'any(e["by"] == "alice" and "looking into it" in (e["text"] or "") for e in j["events"])' "CLI sees the ack note"

call POST "/api/v1/tickets/$ID/ack" -H "$AUTH" -d '{"by": "bob"}'
assert_eq 409 "$CODE" "second ack"
assert_json "$BODY" '"error" in j' "409 is a JSON error"

# ---- a note with markup
call POST "/api/v1/tickets/$ID/note" -H "$AUTH" \
    -d '{"by": "bob <b>", "text": "upstream <script>alert(3)</script> restarted"}'
assert_eq 200 "$CODE" "note: $BODY"
show "$ID"
assert_json "$TICKET" 'any(e["kind"] == "note" and e["by"] == "bob <b>" and e["text"] == "upstream <script>alert(3)</script> restarted" for e in j["events"])' "CLI sees the note"

call GET /check/shop-cart
assert_eq 200 "$CODE" "check page"
assert_contains "$BODY" 'upstream &lt;script&gt;alert(3)&lt;/script&gt; restarted' "timeline note escaped"
assert_contains "$BODY" 'by bob &lt;b&gt;' "timeline name escaped"
assert_not_contains "$BODY" '<script>alert(3)' "raw note"
assert_contains "$BODY" 'looking into it' "ack note in the timeline"

# The public page: plain words, no staff names or notes.
wait_page 10 "$B/status/shop" "Our support team is working on it." ||
    fail "/status/shop does not say the ticket is being worked on: $WAIT_BODY"
call GET /status/shop
for leak in alice bob 'looking into' upstream; do
	assert_not_contains "$BODY" "$leak" "/status leaks '$leak'"
done
assert_contains "$BODY" "Reference #$ID" "/status gives the ticket number"

# ---- resolve
call POST "/api/v1/tickets/$ID/resolve" -H "$AUTH" -d '{"by": "alice", "text": "fixed"}'
assert_eq 200 "$CODE" "resolve: $BODY"
assert_json "$BODY" 'j["status"] == "resolved" and j["resolved_at"] and j["downtime_s"] >= 0' "resolve answer"
show "$ID"
assert_json "$TICKET" 'j["status"] == "resolved" and any(e["kind"] == "resolved" or "fixed" in (e["text"] or "") for e in j["events"])' "CLI sees the resolve"
call POST "/api/v1/tickets/$ID/resolve" -H "$AUTH" -d '{"by": "alice"}'
assert_eq 409 "$CODE" "second resolve"
call GET '/api/v1/tickets?status=open'
assert_json "$BODY" 'all(t["id"] != '"$ID"' for t in j)' "resolved ticket not in the open list"
call GET '/api/v1/tickets?status=all'
assert_json "$BODY" 'any(t["id"] == '"$ID"' and t["status"] == "resolved" for t in j)' "resolved ticket in the full list"
call POST /api/v1/tickets/999999/note -H "$AUTH" -d '{"by": "alice", "text": "x"}'
assert_eq 404 "$CODE" "note on an unknown ticket"

# ---- no token configured: writes are forbidden, reads still work
write_config defaults.interval=1 defaults.timeout=1
reload_daemon
wait_until 10 '[ "$(curl -s -o /dev/null -w "%{http_code}" -X POST -H "$AUTH" -d "{\"by\":\"x\",\"text\":\"y\"}" $B/api/v1/tickets/$ID/note)" = 403 ]' ||
    fail "writes are not 403 after the token was removed"
call POST "/api/v1/tickets/$ID/note" -d '{"by": "x", "text": "y"}'
assert_eq 403 "$CODE" "403 without any Authorization too"
assert_json "$BODY" '"error" in j' "403 is a JSON error"
call GET "/api/v1/tickets/$ID"
assert_eq 200 "$CODE" "reads still work without a token"
show "$ID"
assert_json "$TICKET" 'not any(e["by"] == "x" for e in j["events"])' "the refused note was not written"

# ---- a restart keeps "since" (the daemon persisted it)
since=$(curl -s $B/api/v1/checks | "$SW_PY" -c 'import json,sys; print([c["since"] for c in json.load(sys.stdin) if c["name"] == "shop-cart"][0])')
[ "$since" != None ] || fail "no since for shop-cart"
daemon_alive || fail "sitewatchd died"
stop_daemon
sleep 1.2	# "since" has whole seconds: a restart must not look the same
start_daemon
wait_json 15 "$B/api/v1/checks" \
    "[c['since'] for c in j if c['name'] == 'shop-cart'][0] == '$since'" ||
    fail "since of shop-cart was $since, after a restart: $WAIT_BODY"
stop_daemon
