#!/bin/bash
# 76-helpdesk-migrate: `sitewatch migrate --to URI` takes a site's
# confirmed subscribers along to PostgreSQL (not the unconfirmed: they
# ask again), and a second run with --force copies none twice.
set -eu
. "$top_srcdir/tests/lib/common.sh"
command -v sqlite3 >/dev/null 2>&1 || skip "sqlite3 is not installed"
sq() {
	sqlite3 -cmd ".timeout 5000" "$SW_STATE_DIR/sitewatch.db" "$1"
}

start_nginx
write_config
add_site shop "Shop Ltd" en
add_check shop shop-home "$NGINX_URL/ok" interval=1 timeout=1
start_daemon
wait_until 20 '[ "$(sq "SELECT count(*) FROM check_state" 2>/dev/null)" = 1 ]' ||
    fail "the daemon made no database"
stop_daemon
sq "INSERT INTO subscribers (site, email, token, created_at, confirmed_at)
    VALUES ('shop', 'kept@example.org', 'aa11', 1000, 1100),
           ('shop', 'asked@example.org', 'bb22', 1000, NULL)"

start_postgres
SW_TEST_DB=pg
use_db
sw_run "$SWC" -c "$SW_CONF" migrate --to "$PG_URI"
assert_eq 0 "$RUN_RC" "migrate: $RUN_ERR"
assert_contains "$RUN_OUT" "1 subscribers (0 there already)" "migrate counts the subscribers"
assert_eq "shop|kept@example.org|aa11|1000|1100" \
    "$(q "SELECT site, email, token, created_at, confirmed_at FROM subscribers")" \
    "the confirmed subscriber, as it was"
sw_run "$SWC" -c "$SW_CONF" migrate --to "$PG_URI" --force
assert_eq 0 "$RUN_RC" "migrate --force: $RUN_ERR"
assert_contains "$RUN_OUT" "0 subscribers (1 there already)" "none copied twice"
assert_eq 1 "$(q "SELECT count(*) FROM subscribers")" "one row"
exit 0
