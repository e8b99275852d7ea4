#!/bin/bash
# 71-least-privilege: sitewatchd started as root with [daemon] user =
# nobody:
#   - the process runs as nobody (real, effective, saved, fs uid and gid);
#   - its state files are not readable by others: sitewatch.db, every RRD
#     file, every outbox .eml (no "other" permission bits), and the state
#     folders are not world-writable;
#   - it still works as nobody: records, opens a ticket, writes the mail,
#     reloads on SIGHUP, stops with 0;
#   - the SMTP password and the API token never appear in the daemon's log
#     nor in `sitewatchd -t` output (valid or not).
set -eu
. "$top_srcdir/tests/lib/common.sh"
[ "$(id -u)" = 0 ] || skip "not root"
id nobody >/dev/null 2>&1 || skip "no user nobody"
command -v sqlite3 >/dev/null 2>&1 || skip "sqlite3 is not installed"
DB=$SW_STATE_DIR/sitewatch.db
PW=Smtp-Secret-7f3a91
TOK=Api-Token-c0ffee42
# nobody must reach its files through the scenario's private temp dir.
chmod 755 "$SW_TMP"

start_nginx
write_config daemon.user=nobody "daemon.api_token=$TOK" \
    smtp.staff=ops@example.com smtp.group_window=1 "smtp.password=$PW" \
    smtp.user=sitewatch
add_site web "Web Ltd" en owner@web.example
add_check web healthy "$NGINX_URL/ok" interval=1 timeout=1
add_check web broken "$NGINX_URL/status/503" interval=1 timeout=1 retries=1
chmod -R a+rX "$SW_CHECKS_DIR" "$SW_CONF"

sw_run "$SWD" -t -c "$SW_CONF"
assert_eq 0 "$RUN_RC" "sitewatchd -t ($RUN_OUT $RUN_ERR)"
all_t=$RUN_OUT$RUN_ERR
start_daemon -v
wait_until 15 '[ -n "$(ls "$SW_STATE_DIR/outbox" 2>/dev/null | grep "\.eml$")" ]' ||
    fail "no alert mail written as nobody"
wait_until 10 '[ -s "$SW_STATE_DIR/rrd/healthy.rrd" ] &&
    [ -s "$SW_STATE_DIR/rrd/broken.rrd" ]' || fail "no RRD files as nobody"

uids=$(awk '$1 == "Uid:" { print $2, $3, $4, $5 }' "/proc/$SWD_PID/status")
gids=$(awk '$1 == "Gid:" { print $2, $3, $4, $5 }' "/proc/$SWD_PID/status")
nb=$(id -u nobody)
ng=$(id -g nobody)
assert_eq "$nb $nb $nb $nb" "$uids" "runs as nobody (Uid)"
assert_eq "$ng $ng $ng $ng" "$gids" "runs as nobody's group (Gid)"
assert_eq "$ng" "$(awk '$1 == "Groups:" { print $2 }' "/proc/$SWD_PID/status")" \
    "no supplementary groups kept from root"

reload_daemon
wait_until 10 'grep -q "configuration reloaded" "$SW_LOG"' ||
    fail "no reload as nobody"
sleep 2
stop_daemon

# perm_ok FILE: no bits for others.
for f in "$DB" "$SW_STATE_DIR"/rrd/*.rrd "$SW_STATE_DIR"/outbox/*.eml; do
	[ -e "$f" ] || fail "missing $f"
	m=$(stat -c %a "$f")
	case $m in
	*0) ;;
	*) fail "$f is mode $m: readable by others" ;;
	esac
	assert_eq nobody "$(stat -c %U "$f")" "$f owned by the daemon user"
done
for f in "$DB"-wal "$DB"-shm; do
	[ -e "$f" ] || continue
	case $(stat -c %a "$f") in *0) ;; *) fail "$f readable by others" ;; esac
done
for d in "$SW_STATE_DIR" "$SW_STATE_DIR/rrd" "$SW_STATE_DIR/outbox"; do
	m=$(stat -c %a "$d")
	case $m in
	*[2367]) fail "$d is mode $m: writable by others" ;;
	esac
done

# No secret in any output.
for s in "$PW" "$TOK"; do
	assert_not_contains "$(cat "$SW_LOG")" "$s" "secret in the daemon log"
	assert_not_contains "$all_t" "$s" "secret in sitewatchd -t output"
	! grep -rqa "$s" "$SW_STATE_DIR/outbox" || fail "secret in a mail"
done
# A broken configuration must not echo the secrets back either.
echo "bogus_key = $PW" >> "$SW_CONF"
sed -i "s/^api_token = .*/api_token = $TOK\nlisten = not-an-address:$TOK/" \
    "$SW_CONF"
sw_run "$SWD" -t -c "$SW_CONF"
assert_eq 1 "$RUN_RC" "sitewatchd -t on a bad config"
for s in "$PW" "$TOK"; do
	assert_not_contains "$RUN_OUT$RUN_ERR" "$s" "secret in sitewatchd -t errors"
done
exit 0
