#!/bin/bash
# 48-report-mail: `sitewatch report-mail SITE` sends each client address
# of the site one multipart/mixed mail in the site's language: per check
# the period's uptime, downtime, unknown time, incidents with their start
# (site time zone) and duration, mean and p95, the same figures as
# `sitewatch report`, with a PNG of the check's load time attached.  The
# data is the known pattern of rrd-fixture.bash; the mail goes through the
# real SMTP server and is read back with Python's email package.
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/integration/rrd-fixture.bash"
mail_asan

INSPECT=$top_srcdir/tests/integration/mail_inspect.py
start_smtp accept
rrd_fixture_config smtp.host=127.0.0.1 "smtp.port=$SMTP_PORT" \
    smtp.starttls=no daemon.public_url=https://status.example.com \
    "smtp.organization=Örnek Destek A.Ş." "smtp.contact=+90 212 555 01 01"
# The fixture's site, made a Turkish client with two addresses.
f=$SW_CHECKS_DIR/shop.conf
sed -i -e 's/^language = .*/language = tr/' \
    -e 's/^client_email = .*/client_email = ali@shop.example, ayse@shop.example/' "$f"
sed -i '/^\[site\]/a timezone = Europe/Istanbul\nreport = monthly' "$f"
S=$T0
E=$(( T0 + 6000 ))

sw_run "$SWD" -t -c "$SW_CONF"
assert_eq 0 "$RUN_RC" "the configuration with report = monthly is valid ($RUN_ERR)"

# One incident of the check in the period, resolved after 10 minutes.
# (Listing the mail queue makes the store with its schema.)
sw_run "$SWC" -c "$SW_CONF" mail-test --queue --json
assert_eq 0 "$RUN_RC" "the store is made ($RUN_ERR)"
"$SW_PY" - "$SW_STATE_DIR/sitewatch.db" "$S" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1]); t0 = int(sys.argv[2])
db.execute("INSERT INTO tickets (check_name, site, severity, status, cause,"
    " opened_at, resolved_at, downtime_s) VALUES ('shop-home', 'Shop, Ltd',"
    " 'critical', 'resolved', 'http', ?, ?, 600)", (t0 + 3600, t0 + 4200))
db.commit()
PY
sw_run "$SWC" -c "$SW_CONF" report shop-home --start "$S" --end "$E" --json
assert_eq 0 "$RUN_RC" "report ($RUN_ERR)"
REPORT=$RUN_OUT

sw_run "$SWC" -c "$SW_CONF" report-mail shop --start "$S" --end "$E"
assert_eq 0 "$RUN_RC" "report-mail exits 0 ($RUN_ERR)"
assert_eq 2 "$(smtp_count)" "one mail a client address"
J=$("$SW_PY" "$INSPECT" $(smtp_messages))
assert_json "$J" 'sorted(m["rcpt"] for m in j) == ["ali@shop.example", "ayse@shop.example"]' \
    "each client address, each its own mail"
assert_json "$J" 'all(m["subject"].startswith("Shop, Ltd: ") and "site raporunuz" in m["subject"] for m in j)' \
    "Turkish subject"
assert_json "$J" 'all(m["content_type"] == "multipart/mixed" and m["charset"] == "utf-8" for m in j)' \
    "multipart/mixed with a UTF-8 text part"
B=$(json_get "$J" 0.body)
want=$(json_get "$REPORT" 0.uptime_pct)
assert_contains "$B" "Erişilebilirlik:      $(printf '%.3f' "$want") %" "uptime as report gives it"
assert_contains "$B" "Erişilemediği süre:   10 dk" "downtime: 600 s"
assert_contains "$B" "Ölçülemeyen süre:     10 dk" "unknown time apart"
assert_contains "$B" "Kesinti sayısı:       1" "one incident"
local_start=$(TZ=Europe/Istanbul date -d "@$(( S + 3600 ))" '+%Y-%m-%d %H:%M')
assert_contains "$B" "- $local_start +03 (Europe/Istanbul), 10 dk" \
    "the incident's start in the site's zone, and its duration"
assert_contains "$B" "Ortalama açılış süresi: 86 ms" "mean (85.7 ms)"
assert_contains "$B" "açılış süresi: ≤ 500 ms" "p95 as a bound"
assert_contains "$B" "https://status.example.com/status/shop" "the site's own status page"
assert_json "$J" '"Saygılarımızla,\r\nÖrnek Destek A.Ş.\r\n+90 212 555 01 01" in j[0]["body"]' \
    "signed with [smtp] organization and contact"
assert_json "$J" 'all(len(m["parts"]) == 1 and m["parts"][0]["filename"] == "shop-home.png"
    and m["parts"][0]["type"] == "image/png" and m["parts"][0]["png"]
    and m["parts"][0]["size"] > 2000 for m in j)' "a PNG of the check attached"
assert_json "$J" 'all(m["crlf"] and m["ascii_headers"] and m["max_line"] <= 78 for m in j)' \
    "CRLF, 7-bit headers, short lines"

# --to: one address only.
sw_run "$SWC" -c "$SW_CONF" report-mail shop --start "$S" --end "$E" --to boss@shop.example
assert_eq 0 "$RUN_RC" "report-mail --to ($RUN_ERR)"
assert_eq 3 "$(smtp_count)" "one more mail"
J=$("$SW_PY" "$INSPECT" $(smtp_messages))
assert_json "$J" 'sum(m["rcpt"] == "boss@shop.example" for m in j) == 1' "sent to --to"

# SMTP down: the mail stays queued (exit 1), not lost.
smtp_set_mode tempfail
sw_run "$SWC" -c "$SW_CONF" report-mail shop --start "$S" --end "$E" --to late@shop.example
assert_eq 1 "$RUN_RC" "a temporary failure leaves it queued ($RUN_OUT $RUN_ERR)"
sw_run "$SWC" -c "$SW_CONF" mail-test --queue --json
assert_json "$RUN_OUT" 'any(m["to"] == "late@shop.example" and m["status"] == "queued" for m in j)' \
    "queued for the daemon to retry"
smtp_set_mode accept

# The daemon: report = monthly sends the past calendar month's report once.
# The check's data is moved into that month (the pattern, three days in).
lm_start=$(date -d "$(date +%Y-%m-01) -1 month" +%s)
lm_end=$(date -d "$(date +%Y-%m-01)" +%s)
period="$(date -d "@$lm_start" +%F) - $(date -d "@$(( lm_end - 1 ))" +%F)"
lm_key=$(date -d "@$lm_start" +%Y-%m)
rm -f "$SW_STATE_DIR/rrd/shop-home.rrd"
rrd_make_layout "$SW_STATE_DIR/rrd/shop-home.rrd" 60 $(( lm_start + 3 * 86400 ))
rrd_feed_pattern "$SW_STATE_DIR/rrd/shop-home.rrd" $(( lm_start + 3 * 86400 ))
reports() {	# the monthly report mails the sink holds
	[ "$(smtp_count)" -gt 0 ] || { echo 0; return; }
	"$SW_PY" "$INSPECT" $(smtp_messages) |
	    "$SW_PY" -c 'import json, sys
print(sum(sys.argv[1] in m["subject"] for m in json.load(sys.stdin)))' "$period"
}
start_daemon
wait_until 60 '[ "$(reports)" -ge 2 ]' ||
    fail "no monthly report mails within 60 s ($(reports))"
J=$("$SW_PY" "$INSPECT" $(smtp_messages))
assert_json "$J" "sorted(m['rcpt'] for m in j if '$period' in m['subject']) == ['ali@shop.example', 'ayse@shop.example']" \
    "the past month's report to each client address"
assert_json "$J" "all(m['parts'][0]['png'] for m in j if '$period' in m['subject'])" "with its graph"
assert_eq "shop/$lm_key" "$("$SW_PY" -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT key FROM sent_once WHERE kind = ?", ("report",)).fetchone()[0])' "$SW_STATE_DIR/sitewatch.db")" \
    "recorded as sent"
# A restart does not send it again: the daemon says so, the sink agrees.
stop_daemon
start_daemon
wait_until 60 "grep -q 'report $lm_key for Shop, Ltd: sent already' '$SW_LOG'" ||
    fail "the restarted daemon did not look at the monthly report"
sleep 1
assert_eq 2 "$(reports)" "still one report a client address after a restart"
stop_daemon

# Errors: an unknown site, a broken template named by file and line.
sw_run "$SWC" -c "$SW_CONF" report-mail nosuch
assert_eq 3 "$RUN_RC" "unknown site"
assert_contains "$RUN_ERR" "no site nosuch" "says which"
cp -r "$top_srcdir/templates" "$SW_TMP/tpl"
printf 'Subject: x\n\n{{nope}}\n' > "$SW_TMP/tpl/mail/tr/report.txt"
sed -i "s|^templates_dir = .*|templates_dir = $SW_TMP/tpl|" "$SW_CONF"
sw_run "$SWD" -t -c "$SW_CONF"
[ "$RUN_RC" -ne 0 ] || fail "-t accepted a broken report template"
assert_contains "$RUN_ERR" "$SW_TMP/tpl/mail/tr/report.txt:3" "names its file and line"
