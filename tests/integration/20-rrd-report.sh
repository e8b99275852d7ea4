#!/bin/bash
# 20-rrd-report: `sitewatch report` over an RRD file with a known pattern
# (tests/integration/rrd-fixture.bash): exact uptime with the
# maintenance window excluded, downtime, unknown time apart, incidents
# from the ticket store or from the data, mean and p95 bucket; JSON, CSV
# and text; clear errors for unknown checks and bad arguments.
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/integration/rrd-fixture.bash"

rrd_fixture_config
S=$T0
E=$(( T0 + 6000 ))

# JSON, options after the check name too.
sw_run "$SWC" -c "$SW_CONF" report shop-home --start "$S" --json --end "$E"
assert_eq 0 "$RUN_RC" "report exits 0 ($RUN_ERR)"
assert_json "$RUN_OUT" 'len(j) == 1 and sorted(j[0]) == sorted(["name",
    "site", "start", "end", "uptime_pct", "downtime_s", "unknown_s",
    "maintenance_s", "incidents", "mean_ms", "p95_ms"])' "exactly the SPEC fields"
assert_json "$RUN_OUT" 'j[0]["name"] == "shop-home" and j[0]["site"] == "Shop, Ltd"' "name and site"
assert_eq "$(iso "$S")" "$(json_get "$RUN_OUT" 0.start)" "start in ISO 8601 UTC"
assert_eq "$(iso "$E")" "$(json_get "$RUN_OUT" 0.end)" "end in ISO 8601 UTC"
assert_eq 87.5 "$(json_get "$RUN_OUT" 0.uptime_pct)" "uptime: 4200 of 4800 known s"
assert_eq 600 "$(json_get "$RUN_OUT" 0.downtime_s)" "downtime"
assert_eq 600 "$(json_get "$RUN_OUT" 0.unknown_s)" "unknown time apart"
assert_eq 600 "$(json_get "$RUN_OUT" 0.maintenance_s)" "maintenance excluded"
assert_eq 1 "$(json_get "$RUN_OUT" 0.incidents)" "one down spell (no ticket store)"
assert_eq 85.7 "$(json_get "$RUN_OUT" 0.mean_ms)" "mean of successful checks"
assert_eq 500 "$(json_get "$RUN_OUT" 0.p95_ms)" "p95 bucket"

# Incidents come from the ticket store once it exists.
/usr/bin/python3 - "$SW_STATE_DIR/sitewatch.db" "$S" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1]); t0 = int(sys.argv[2])
db.execute("CREATE TABLE tickets (id INTEGER PRIMARY KEY, check_name TEXT, opened_at INTEGER)")
db.executemany("INSERT INTO tickets (check_name, opened_at) VALUES (?, ?)",
    [("shop-home", t0 + 10), ("shop-home", t0 + 3700), ("shop-home", t0 + 6000),
     ("shop-empty", t0 + 5)])
db.commit()
PY
sw_run "$SWC" -c "$SW_CONF" report --json --start "$(iso "$S")" --end "$(iso "$E")"
assert_eq 0 "$RUN_RC" "report of every check ($RUN_ERR)"
assert_json "$RUN_OUT" '[r["name"] for r in j] == ["shop-home", "shop-empty"]' "every check when none is named"
assert_eq 2 "$(json_get "$RUN_OUT" 0.incidents)" "tickets opened in [start, end)"
assert_eq 1 "$(json_get "$RUN_OUT" 1.incidents)" "tickets of the other check"
assert_eq null "$(json_get "$RUN_OUT" 1.uptime_pct)" "no data: no uptime"
assert_eq 6000 "$(json_get "$RUN_OUT" 1.unknown_s)" "no data: all unknown"
assert_eq null "$(json_get "$RUN_OUT" 1.p95_ms)" "no data: no p95"

# CSV: a header and one quoted row per check.
sw_run "$SWC" -c "$SW_CONF" report shop-home --csv --start "$S" --end "$E"
assert_eq 0 "$RUN_RC" "csv exits 0"
assert_eq "name,site,start,end,uptime_pct,downtime_s,unknown_s,maintenance_s,incidents,mean_ms,p95_ms" \
    "$(echo "$RUN_OUT" | sed -n 1p)" "csv header"
assert_eq "shop-home,\"Shop, Ltd\",$(iso "$S"),$(iso "$E"),87.500,600,600,600,2,85.7,500" \
    "$(echo "$RUN_OUT" | sed -n 2p)" "csv row"

# Text table.
sw_run "$SWC" -c "$SW_CONF" report --start "$S" --end "$E"
assert_eq 0 "$RUN_RC" "text exits 0"
assert_contains "$RUN_OUT" "87.500%" "text shows uptime"
assert_contains "$RUN_OUT" "shop-empty" "text lists every check"

# --period works from now (the pattern lies within the last day).
sw_run "$SWC" -c "$SW_CONF" report shop-home --period day --json
assert_eq 0 "$RUN_RC" "--period day"
assert_eq 87.5 "$(json_get "$RUN_OUT" 0.uptime_pct)" "day: same uptime"
assert_eq 600 "$(json_get "$RUN_OUT" 0.downtime_s)" "day: same downtime"

# Errors: non-zero exit and a message that says what is wrong.
sw_run "$SWC" -c "$SW_CONF" report no-such-check --json
[ "$RUN_RC" -ne 0 ] || fail "unknown check exits 0"
assert_contains "$RUN_ERR" "unknown check: no-such-check" "unknown check named"
sw_run "$SWC" -c "$SW_CONF" report --start yesterday
[ "$RUN_RC" -ne 0 ] || fail "bad time exits 0"
assert_contains "$RUN_ERR" "bad time: yesterday" "bad time named"
sw_run "$SWC" -c "$SW_CONF" report --period fortnight
[ "$RUN_RC" -ne 0 ] || fail "bad period exits 0"
assert_contains "$RUN_ERR" "unknown period" "bad period named"
sw_run "$SWC" -c "$SW_CONF" report --start "$E" --end "$S"
[ "$RUN_RC" -ne 0 ] || fail "end before start exits 0"
sw_run "$SWC" -c "$SW_CONF" report --period day --start "$S"
[ "$RUN_RC" -ne 0 ] || fail "--period with --start exits 0"
sw_run "$SWC" -c "$SW_CONF" report --bogus
[ "$RUN_RC" -ne 0 ] || fail "unknown option exits 0"
exit 0
