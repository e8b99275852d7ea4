#!/bin/bash
# 15-first-contact: sitewatch as a new user meets it (SPEC "Installation").
# The shipped source (`make distdir`, what the tarball holds) is built with
# ./configure --prefix=$SW_TMP/p and installed; then, with nothing but the
# listen port changed and one checks.d file added:
#   - the layout: programs in sbin/bin, templates, example config and
#     checks.d, man pages, the unit;
#   - --version (one line) and --help exit 0 on both programs;
#   - the installed `sitewatchd -t` passes on the installed config, with
#     no -c: the default is the installed file;
#   - the installed daemon runs that config, probes nginx, answers on its
#     port, and the installed `sitewatch status`, typed in a folder that
#     holds another sitewatch.conf, sees the check up;
#   - a config written by hand in a folder of its own, without
#     templates_dir or with SPEC's `templates_dir = templates`, passes
#     the installed `sitewatchd -t`: the installed templates are used,
#     and it says so; a templates_dir that names a missing folder fails;
#   - a second `make install` keeps the admin's edited sitewatch.conf;
#   - the man pages pass `mandoc -T lint`, the unit `systemd-analyze verify`.
set -eu
# Configure and build take a minute or two on a loaded machine.
SW_TEST_TIMEOUT=${SW_TEST_TIMEOUT:-900}
. "$top_srcdir/tests/lib/common.sh"

# The outer make's command line (TESTS=...) and job server are not ours.
unset MAKEFLAGS MFLAGS MAKELEVEL SITEWATCH_CONF

P=$SW_TMP/p
SRC=$SW_TMP/src
BUILD_LOG=$SW_TMP/build.log

sw_run make -C "$top_builddir" distdir distdir="$SRC" top_distdir="$SRC"
[ "$RUN_RC" -eq 0 ] || fail "make distdir failed: $RUN_ERR"
(
	cd "$SRC" &&
	./configure --prefix="$P" CFLAGS=-O0 &&
	make -j2 &&
	make install
) > "$BUILD_LOG" 2>&1 || fail "configure, make or make install failed" \
    "(see build.log)"

for f in sbin/sitewatchd bin/sitewatch \
    share/sitewatch/templates/mail/en/down.txt \
    share/sitewatch/templates/mail/tr/up.txt \
    share/sitewatch/templates/html/layout.html \
    etc/sitewatch/sitewatch.conf etc/sitewatch/checks.d/example.conf \
    share/man/man1/sitewatch.1 share/man/man5/sitewatch.conf.5 \
    share/man/man8/sitewatchd.8 lib/systemd/system/sitewatchd.service; do
	assert_file_exists "$P/$f" "installed"
done
CONF=$P/etc/sitewatch/sitewatch.conf
assert_contains "$(cat "$CONF")" "state_dir     = $P/var/lib/sitewatch" \
    "installed state_dir"
assert_contains "$(cat "$CONF")" \
    "templates_dir = $P/share/sitewatch/templates" "installed templates_dir"

# --version and --help.
for prog in sbin/sitewatchd bin/sitewatch; do
	name=$(basename "$prog")
	sw_run "$P/$prog" --version
	assert_eq 0 "$RUN_RC" "$name --version: exit status"
	[[ $RUN_OUT =~ ^$name\ [0-9]+\.[0-9]+\.[0-9]+$ ]] ||
	    fail "$name --version printed '$RUN_OUT', not one line" \
	    "'$name X.Y.Z'"
	sw_run "$P/$prog" --help
	assert_eq 0 "$RUN_RC" "$name --help: exit status"
	assert_contains "$RUN_OUT" "usage: $name" "$name --help"
	assert_contains "$RUN_OUT" "$CONF" "$name --help names the default -c"
done

# -t with nothing else: the default -c is the installed config.
sw_run "$P/sbin/sitewatchd" -t
assert_eq 0 "$RUN_RC" "installed sitewatchd -t: exit status ($RUN_ERR)"

# A config written by hand, elsewhere, as SPEC shows it.
HAND=$SW_TMP/hand
mkdir -p "$HAND/checks.d"
for tpl in "" "templates_dir = templates" "templates_dir = nowhere"; do
	cat > "$HAND/sitewatch.conf" <<EOT
[daemon]
state_dir = var
checks_dir = checks.d
$tpl
listen = 127.0.0.1:$(free_port)

[smtp]
from = Monitor <monitor@example.com>
EOT
	sw_run "$P/sbin/sitewatchd" -t -c "$HAND/sitewatch.conf"
	if [ "$tpl" = "templates_dir = nowhere" ]; then
		assert_eq 1 "$RUN_RC" "hand-written config, $tpl: -t fails"
		assert_contains "$RUN_ERR" "$HAND/nowhere/mail" \
		    "hand-written config, $tpl: the error names the folder"
		continue
	fi
	assert_eq 0 "$RUN_RC" "hand-written config, '$tpl': -t ($RUN_ERR)"
	assert_contains "$RUN_ERR" \
	    "using the installed templates in $P/share/sitewatch/templates" \
	    "hand-written config, '$tpl': -t says which templates"
done

# What an admin does: another port, one site of their own.
start_nginx
port=$(free_port) || fail "no free port"
sed -i "s|^listen[ 	]*=.*|listen = 127.0.0.1:$port|" "$CONF"
cat > "$P/etc/sitewatch/checks.d/first.conf" <<EOT
[site]
name = First Ltd

[check first-ok]
url = $NGINX_URL/ok
interval = 1
EOT
sw_run "$P/sbin/sitewatchd" -t
assert_eq 0 "$RUN_RC" "sitewatchd -t after the admin's edits ($RUN_ERR)"

# A second install keeps the edited config.
(cd "$SRC" && make install) >> "$BUILD_LOG" 2>&1 ||
    fail "second make install failed"
assert_contains "$(cat "$CONF")" "listen = 127.0.0.1:$port" \
    "make install kept the admin's sitewatch.conf"

# The installed daemon, no -c.
SW_LOG=$SW_TMP/installed-sitewatchd.log
"$P/sbin/sitewatchd" -f </dev/null >>"$SW_LOG" 2>&1 &
SWD_PID=$!
_sw_track "$SWD_PID" sitewatchd
pidfile=$P/var/lib/sitewatch/sitewatchd.pid
wait_until 20 '[ "$(cat "$pidfile" 2>/dev/null)" = "$SWD_PID" ]' ||
    fail "the installed daemon wrote no pid file $pidfile"
daemon_alive || fail "the installed daemon exited"

# first-ok up, as the installed CLI sees it from a folder holding another
# sitewatch.conf (the source tree's).  A failed command is "not yet".
status_up() {
	local out
	out=$(cd "$top_srcdir" && timeout 30 "$P/bin/sitewatch" status --json \
	    2>/dev/null) || return 1
	"$SW_PY" -c '
import json, sys
j = json.loads(sys.argv[1])
sys.exit(0 if any(c["name"] == "first-ok" and c["state"] == "up"
                  for c in j) else 1)
' "$out" 2>/dev/null
}
wait_until 30 status_up ||
    fail "the installed sitewatch status never saw first-ok up"
sw_run bash -c "cd '$top_srcdir' && '$P/bin/sitewatch' status"
assert_eq 0 "$RUN_RC" "sitewatch status (text): exit status"
assert_contains "$RUN_OUT" "first-ok" "sitewatch status lists first-ok"
grep -q '"GET /ok HTTP' "$SW_TMP/nginx/logs/access.log" ||
    fail "nginx never saw the check"
http_req GET "http://127.0.0.1:$port/api/v1/checks"
assert_eq 200 "$HTTP_STATUS" "the installed daemon answers on its port"
stop_daemon

# The man pages and the unit, as installed.
if command -v mandoc >/dev/null; then
	for m in man1/sitewatch.1 man5/sitewatch.conf.5 man8/sitewatchd.8; do
		sw_run mandoc -T lint -W warning "$P/share/man/$m"
		assert_eq 0 "$RUN_RC" "mandoc -T lint $m: $RUN_OUT $RUN_ERR"
	done
else
	echo "mandoc not installed: man pages not linted" >&2
	nolint=1
fi
if command -v systemd-analyze >/dev/null; then
	# Its Documentation= pages are looked up with man(1).
	sw_run env MANPATH="$P/share/man" systemd-analyze verify \
	    "$P/lib/systemd/system/sitewatchd.service"
	assert_eq 0 "$RUN_RC" "systemd-analyze verify: $RUN_OUT $RUN_ERR"
	assert_contains "$(cat "$P/lib/systemd/system/sitewatchd.service")" \
	    "ExecStart=$P/sbin/sitewatchd -f -c $CONF" "unit's ExecStart"
else
	skip "systemd-analyze not installed (scripts/install-deps.sh)"
fi
[ -z "${nolint:-}" ] || skip "mandoc not installed (scripts/install-deps.sh)"
