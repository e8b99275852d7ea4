#!/bin/bash
# 72-valgrind: the daemon runs a busy scenario under valgrind's memcheck
# (checks up, down with a ticket and a mail, TLS, a hanging site, a huge
# body; web pages, API, metrics and a graph; a reload) and stops with no
# memory error and nothing definitely lost.
#
# Skipped in a sanitizer build (ASan and valgrind exclude each other):
# run it from a plain `./configure && make` tree.
set -eu
. "$top_srcdir/tests/lib/common.sh"

command -v valgrind >/dev/null 2>&1 || skip "valgrind is not installed"
if ldd "$SWD" 2>/dev/null | grep -q libasan; then
	skip "sanitizer build: valgrind needs a plain build"
fi

VG_LOG=$SW_TMP/valgrind.log
# somalloc: the daemon links jemalloc; memcheck must replace its malloc
# as it does the C library's.
cat > "$SW_TMP/vg-sitewatchd" <<WRAP
#!/bin/sh
exec valgrind --quiet --error-exitcode=99 --leak-check=full \\
    --soname-synonyms=somalloc=*jemalloc* \\
    --errors-for-leak-kinds=definite --show-leak-kinds=definite \\
    --suppressions=$top_srcdir/tests/valgrind.supp \\
    --log-file=$VG_LOG "$top_builddir/sitewatchd" "\$@"
WRAP
chmod +x "$SW_TMP/vg-sitewatchd"
SWD=$SW_TMP/vg-sitewatchd
SW_START_TIMEOUT=60

start_nginx
write_config defaults.interval=2 defaults.timeout=1 daemon.api_token=vgtoken
add_site web "Web Ltd" en owner@web.example
add_check web vg-ok "$NGINX_URL/ok"
add_check web vg-500 "$NGINX_URL/status/500" retries=1
add_check web vg-tls "$NGINX_TLS_URL/ok" "ca_file=$TEST_CA"
add_check web vg-hang "http://127.0.0.1:$HANG_PORT/"
add_check web vg-huge "$NGINX_URL/huge" max_body=2000000
start_daemon

web="http://127.0.0.1:$SW_HTTP_PORT"
wait_until 60 '[ -n "$(sqlite3 "$SW_STATE_DIR/sitewatch.db" \
    "SELECT id FROM tickets WHERE check_name = '"'vg-500'"'" 2>/dev/null)" ]' ||
    fail "no ticket for vg-500 under valgrind"
for path in / /status/web /check/vg-ok /api/v1/checks /api/v1/tickets \
    /metrics "/graph/vg-ok.png?period=day&metric=time"; do
	http_req GET "$web$path"
	assert_eq 200 "$HTTP_STATUS" "GET $path"
done
tid=$(sqlite3 "$SW_STATE_DIR/sitewatch.db" \
    "SELECT id FROM tickets WHERE check_name = 'vg-500'")
http_req POST "$web/api/v1/tickets/$tid/ack" -H "Authorization: Bearer vgtoken" \
    -H 'Content-Type: application/json' -d '{"by": "vg", "text": "looking"}'
assert_eq 200 "$HTTP_STATUS" "ack through the API"
reload_daemon
sleep 4
daemon_alive || fail "the daemon died under valgrind"
stop_daemon
assert_eq 0 "$SWD_EXIT" "valgrind found no error (exit 99 otherwise)"
assert_not_contains "$(cat "$VG_LOG")" "Invalid " "no invalid access"
assert_not_contains "$(cat "$VG_LOG")" "uninitialised" "no uninitialised use"
assert_not_contains "$(cat "$VG_LOG")" "definitely lost" "nothing lost"
