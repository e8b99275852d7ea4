#!/bin/bash
# 08-check-usage: `sitewatch check` exits 3 when it cannot run at all:
# unknown check NAME, malformed URL, no argument.  Options may stand
# after the operand; the plain-text form names state and cause.
set -eu
. "$top_srcdir/tests/lib/common.sh"

start_nginx
write_config
add_check site known "$NGINX_URL/ok"

check_json no-such-check
assert_eq 3 "$CHECK_RC" "unknown NAME: exit status"

check_json "http://"
assert_eq 3 "$CHECK_RC" "URL without host: exit status"

sw_run timeout 30 "$SWC" -c "$SW_CONF" check
assert_eq 3 "$RUN_RC" "no operand: exit status"

# --json before the operand, -c after the verb.
sw_run timeout 30 "$SWC" check --json -c "$SW_CONF" known
assert_eq 0 "$RUN_RC" "options anywhere: exit status"
assert_json "$RUN_OUT" 'j["name"] == "known" and j["state"] == "up"' \
    "options anywhere: JSON"

# Text output for people.
sw_run timeout 30 "$SWC" -c "$SW_CONF" check known
assert_eq 0 "$RUN_RC" "text: exit status"
assert_contains "$RUN_OUT" "up" "text: names the state"
sw_run timeout 30 "$SWC" -c "$SW_CONF" check "$NGINX_URL/status/503"
assert_eq 2 "$RUN_RC" "text, 503: exit status"
assert_contains "$RUN_OUT" "503" "text, 503: names the status"
