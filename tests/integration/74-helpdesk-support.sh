#!/bin/bash
# 74-helpdesk-support: how fast support answered, to the second.
#
# Two sites go down.  The dashboard lists both tickets as not
# acknowledged, oldest first, with their age.  Alice acknowledges the
# shop's ticket from the CLI at least 3 s after it opened, Bob the blog's
# through the API a little later; the shop recovers.  `report --support
# --json` then gives, per staff member and per site, the tickets, how many
# were acknowledged, the median and p90 time to acknowledge and the median
# time to resolve, equal to the seconds the tickets themselves record;
# --csv says the same.
set -eu
. "$top_srcdir/tests/lib/common.sh"

start_nginx
OK_FILE=$SW_TMP/nginx/html/ok.txt
mv "$OK_FILE" "$SW_TMP/ok.txt.saved"	# /ok now answers 404
TOKEN=tok-$$-$RANDOM
write_config "daemon.api_token=$TOKEN"
add_site shop "Shop Ltd" en
add_check shop shop-home "$NGINX_URL/ok" interval=1 timeout=1 retries=1 \
    recover=1
add_site blog "Blog Ltd" en
add_check blog blog-home "$NGINX_URL/status/503" interval=1 timeout=1 \
    retries=1 recover=1
T0=$(date +%s)
start_daemon
B=http://127.0.0.1:$SW_HTTP_PORT

wait_json 20 "$B/api/v1/tickets?status=open" 'len(j) == 2' ||
    fail "no two open tickets: $WAIT_BODY"
TJ=$WAIT_BODY
id_of() {
	"$SW_PY" -c 'import json,sys; print([t["id"] for t in json.loads(sys.argv[1]) if t["check"] == sys.argv[2]][0])' "$TJ" "$1"
}
SHOP=$(id_of shop-home)
BLOG=$(id_of blog-home)

# The dashboard: both waiting, the oldest first, each with its age.
wait_page 10 "$B/" 'Not acknowledged (2)' ||
    fail "the dashboard does not list two tickets as waiting: $WAIT_BODY"
U=${WAIT_BODY#*id=\"unacked\"}
U=${U%%</section>*}
first=$(printf '%s\n' "$U" | grep -o 'data-ticket="[0-9]*"' | head -1)
OLDEST=$("$SW_PY" -c 'import json,sys; print(min((t["opened_at"], t["id"]) for t in json.loads(sys.argv[1]))[1])' "$TJ")
assert_eq "data-ticket=\"$OLDEST\"" "$first" \
    "the oldest first"
printf '%s\n' "$U" | grep -Eq 'class="age" data-since="[0-9T:-]+Z">[0-9]+ s' ||
    fail "no age in: $U"

# The page's script keeps the list current (headless Chromium runs it).
if command -v chromium >/dev/null 2>&1; then
	timeout 90 chromium --headless --no-sandbox --disable-gpu \
	    --disable-quic --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync \
	    --user-data-dir="$SW_TMP/chr" --virtual-time-budget=8000 \
	    --dump-dom "$B/" > "$SW_TMP/dash.html" 2>>"$SW_TMP/chromium.log" ||
	    fail "chromium failed on /"
	D=$(cat "$SW_TMP/dash.html")
	assert_contains "$D" 'id="unacked" data-rendered="js"><h2>Not acknowledged (2)</h2>' \
	    "the script rebuilt the unacknowledged list"
	assert_contains "$D" "<li class=\"sev-critical\" data-ticket=\"$OLDEST\">#$OLDEST " \
	    "the script's list starts with the oldest"
fi

# epoch FIELD JSON: an ISO time field of a ticket as epoch seconds.
epoch() {
	local iso
	iso=$(json_get "$2" "$1")
	date -u -d "$iso" +%s
}
sw_run "$SWC" -c "$SW_CONF" ticket show "$SHOP" --json
OPENED=$(epoch opened_at "$RUN_OUT")
# Acknowledge at a known moment: 3 s after the opening at least.
while [ "$(date +%s)" -lt $(( OPENED + 3 )) ]; do sleep 0.2; done
sw_run "$SWC" -c "$SW_CONF" ticket ack "$SHOP" --by alice
assert_eq 0 "$RUN_RC" "alice acks: $RUN_ERR"
sleep 1
CODE=$(curl -sS -m 10 -o "$SW_TMP/body" -w '%{http_code}' -X POST \
    -H "Authorization: Bearer $TOKEN" -d '{"by": "bob"}' \
    "$B/api/v1/tickets/$BLOG/ack") || CODE=000
assert_eq 200 "$CODE" "bob acks through the API: $(cat "$SW_TMP/body")"
sw_run "$SWC" -c "$SW_CONF" ticket note "$BLOG" --by carol "looked too"
assert_eq 0 "$RUN_RC" "carol notes: $RUN_ERR"

# Only the unacknowledged ones wait.
wait_page 10 "$B/" "Not acknowledged (0)" ||
    fail "the acked tickets still wait: $WAIT_BODY"

# The shop recovers: its ticket resolves.
mv "$SW_TMP/ok.txt.saved" "$OK_FILE"
wait_until 20 '"$SWC" -c "$SW_CONF" ticket show "$SHOP" --json |
    grep -q "\"status\": \"resolved\""' || fail "the shop's ticket did not resolve"

sw_run "$SWC" -c "$SW_CONF" ticket show "$SHOP" --json
S=$RUN_OUT
TTA_SHOP=$(( $(epoch acknowledged_at "$S") - OPENED ))
TTR_SHOP=$(( $(epoch resolved_at "$S") - OPENED ))
assert_ge "$TTA_SHOP" 3 "alice acked 3 s or more after the opening"
sw_run "$SWC" -c "$SW_CONF" ticket show "$BLOG" --json
TTA_BLOG=$(( $(epoch acknowledged_at "$RUN_OUT") - $(epoch opened_at "$RUN_OUT") ))

sw_run "$SWC" -c "$SW_CONF" report --support --json --start "$(( T0 - 60 ))"
assert_eq 0 "$RUN_RC" "report --support --json: $RUN_ERR"
R=$RUN_OUT
row() { echo "[r for r in j if r.get('$1') == '$2'][0]"; }
assert_json "$R" "$(row by alice) == {'by': 'alice', 'tickets': 1, 'acknowledged': 1, 'mtta_s': $TTA_SHOP, 'p90_tta_s': $TTA_SHOP, 'mttr_s': $TTR_SHOP}" \
    "alice's row, to the second"
assert_json "$R" "$(row by bob) == {'by': 'bob', 'tickets': 1, 'acknowledged': 1, 'mtta_s': $TTA_BLOG, 'p90_tta_s': $TTA_BLOG, 'mttr_s': None}" \
    "bob's row: not resolved yet"
assert_json "$R" "$(row by carol) == {'by': 'carol', 'tickets': 1, 'acknowledged': 0, 'mtta_s': None, 'p90_tta_s': None, 'mttr_s': None}" \
    "carol only noted"
assert_json "$R" "$(row site 'Shop Ltd')['mtta_s'] == $TTA_SHOP and $(row site 'Shop Ltd')['mttr_s'] == $TTR_SHOP and $(row site 'Shop Ltd')['tickets'] == 1" \
    "the shop's row"
assert_json "$R" "$(row site 'Blog Ltd')['acknowledged'] == 1 and $(row site 'Blog Ltd')['mtta_s'] == $TTA_BLOG" \
    "the blog's row"
assert_json "$R" 'len(j) == 5' "three staff, two sites"

sw_run "$SWC" -c "$SW_CONF" report --support --csv --start "$(( T0 - 60 ))"
assert_eq 0 "$RUN_RC" "report --support --csv: $RUN_ERR"
assert_eq "by,site,tickets,acknowledged,mtta_s,p90_tta_s,mttr_s" \
    "$(printf '%s\n' "$RUN_OUT" | head -1)" "CSV header"
assert_contains "$RUN_OUT" "alice,,1,1,$TTA_SHOP,$TTA_SHOP,$TTR_SHOP" "alice in CSV"
sw_run "$SWC" -c "$SW_CONF" report --support --start "$(( T0 - 60 ))"
assert_contains "$RUN_OUT" "alice" "text report"
# A period before the tickets: nothing.
sw_run "$SWC" -c "$SW_CONF" report --support --json --start "$(( T0 - 7200 ))" --end "$(( T0 - 3600 ))"
assert_json "$RUN_OUT" 'j == []' "no tickets in an earlier period"
stop_daemon
exit 0
