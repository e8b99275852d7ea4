#!/bin/bash
# 17-cli-status: `sitewatch status` shows what the daemon found, from the
# db and the RRD files, while the daemon runs and after it stopped:
#   - an answering site is up with a response time and 100 % uptime;
#   - a failing site is down (cause http) with its open ticket;
#   - a check the daemon never ran shows as unknown, not up.
set -eu
. "$top_srcdir/tests/lib/common.sh"

start_nginx
write_config defaults.interval=1 defaults.timeout=1
add_site web "Web Ltd"
add_check web st-ok "$NGINX_URL/ok"
add_check web st-500 "$NGINX_URL/status/500" retries=2

# Before any run: unknown, never "up".
sw_run "$SWC" -c "$SW_CONF" status --json
assert_eq 0 "$RUN_RC" "status exits 0 before the daemon ran"
assert_json "$RUN_OUT" 'len(j) == 2 and all(c["state"] == "unknown" and c["ticket"] is None for c in j)' \
    "both checks unknown before the first run"
assert_no_file "$SW_STATE_DIR/sitewatch.db"

start_daemon
wait_until 30 '"$SWC" -c "$SW_CONF" status --json 2>/dev/null |
    "$SW_PY" -c "import json,sys; j={c[\"name\"]: c for c in json.load(sys.stdin)}; sys.exit(0 if j[\"st-ok\"][\"state\"] == \"up\" and j[\"st-ok\"][\"stale\"] is False and j[\"st-ok\"][\"uptime_24h\"] == 100 and j[\"st-500\"][\"ticket\"] else 1)"' ||
    fail "status never showed st-ok up (100 % over 24 h) and a ticket for st-500"
stop_daemon

sw_run "$SWC" -c "$SW_CONF" status --json
assert_eq 0 "$RUN_RC" "status exits 0 with the daemon stopped"
ok=$(json_get "$RUN_OUT" 0)
assert_json "$RUN_OUT" '[c["name"] for c in j] == ["st-ok", "st-500"]' "config order"
# The SPEC's fields first, then what /api/v1/checks adds (one renderer).
assert_json "$RUN_OUT" 'list(j[0].keys()) == ["name", "site", "url", "state", "cause", "since", "last_total_ms", "uptime_24h", "uptime_30d", "ticket", "message", "http_status", "last_at", "stale", "downtime_24h_s", "downtime_30d_s"]' \
    "the SPEC fields, then the API's"
# The daemon is stopped: what it recorded is no longer current.
assert_json "$RUN_OUT" 'all(c["stale"] is True for c in j)' "stale with the daemon stopped"
assert_json "$RUN_OUT" 'j[0]["state"] == "up" and j[0]["cause"] == "ok" and j[0]["site"] == "Web Ltd"' "st-ok up"
assert_json "$RUN_OUT" 'j[0]["last_total_ms"] > 0 and j[0]["since"].endswith("Z")' "st-ok time and since"
assert_json "$RUN_OUT" 'j[0]["uptime_24h"] == 100 and j[0]["uptime_30d"] == 100' "st-ok uptime 100 %"
assert_json "$RUN_OUT" 'j[0]["ticket"] is None' "no ticket for st-ok"
assert_json "$RUN_OUT" 'j[1]["state"] == "down" and j[1]["cause"] == "http"' "st-500 down/http"
assert_json "$RUN_OUT" 'j[1]["uptime_24h"] == 0' "st-500 uptime 0 %"
# The daemon saves the last HTTP status with the check's state.
assert_json "$RUN_OUT" 'j[0]["http_status"] == 200 and j[1]["http_status"] == 500' \
    "http_status of the last result, from the saved state"
tid=$(sqlite3 "$SW_STATE_DIR/sitewatch.db" "SELECT id FROM tickets WHERE check_name='st-500' AND status!='resolved'")
assert_json "$RUN_OUT" "j[1]['ticket'] == $tid" "st-500 shows its open ticket"

sw_run "$SWC" -c "$SW_CONF" status
assert_eq 0 "$RUN_RC" "text status exits 0"
assert_contains "$RUN_OUT" "#$tid" "text shows the ticket"
assert_contains "$(echo "$RUN_OUT" | grep st-ok)" "100.00%" "text shows uptime"
assert_contains "$(echo "$RUN_OUT" | grep st-ok)" "up(stale)" "text never shows a plain up with no daemon"
assert_contains "$RUN_OUT" "sitewatchd is not running" "text says why"

sw_run "$SWC" -c "$SW_CONF" status --bogus
assert_eq 3 "$RUN_RC" "unknown option is a usage error"
