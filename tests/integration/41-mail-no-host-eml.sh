#!/bin/bash
# 41-mail-no-host-eml: with no smtp host (the default), mail-test writes
# the message to state_dir/outbox/<id>.eml (whole, never half: written
# under a temporary name and renamed) and the queue row is marked sent.
set -eu
. "$top_srcdir/tests/lib/common.sh"

use_db
INSPECT=$top_srcdir/tests/integration/mail_inspect.py

write_config "smtp.from=Site Support <support@example.com>"
sw_run "$SWC" -c "$SW_CONF" mail-test owner@shop.example
assert_eq 0 "$RUN_RC" "mail-test exit status ($RUN_ERR)"
EML=$SW_STATE_DIR/outbox/1.eml
assert_contains "$RUN_OUT" "$EML" "mail-test prints the .eml path"
assert_file_exists "$EML"
assert_eq "" "$(ls -A "$SW_STATE_DIR/outbox" | grep -v '^1\.eml$' || true)" \
    "no temporary file left behind"
J=$("$SW_PY" "$INSPECT" "$EML")
assert_json "$J" 'j[0]["to"] == "owner@shop.example" and
    j[0]["subject"] == "sitewatch test mail / deneme e-postası" and
    "çğıİöşü" in j[0]["body"] and j[0]["crlf"]' "the .eml is the message"
assert_eq "sent|1" "$(q "SELECT status, attempts FROM outbox WHERE id = 1")" \
    "row marked sent"

# A second one gets the next id; a bad address is refused up front.
sw_run "$SWC" -c "$SW_CONF" mail-test ops@example.com
assert_eq 0 "$RUN_RC" "second mail-test"
assert_file_exists "$SW_STATE_DIR/outbox/2.eml"
sw_run "$SWC" -c "$SW_CONF" mail-test "not an address"
assert_eq 3 "$RUN_RC" "a bad address is a usage error"
sw_run "$SWC" -c "$SW_CONF" mail-test
assert_eq 3 "$RUN_RC" "no address is a usage error"
exit 0
