#!/bin/bash
# 21-rrd-graph: `sitewatch graph` draws valid PNG and SVG images of the
# asked size for every metric and period, and refuses bad requests with a
# message and a non-zero exit.
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/integration/rrd-fixture.bash"

rrd_fixture_config

# png_dims FILE: "W H" from the IHDR chunk, or fail unless it is a PNG.
png_dims() {
	/usr/bin/python3 - "$1" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read(24)
if b[:8] != b"\x89PNG\r\n\x1a\n" or b[12:16] != b"IHDR":
    sys.exit("not a PNG: %r" % b[:16])
print("%d %d" % struct.unpack(">II", b[16:24]))
PY
}

for m in time availability phases; do
	out=$SW_TMP/$m.png
	sw_run "$SWC" -c "$SW_CONF" graph shop-home --metric "$m" -o "$out"
	assert_eq 0 "$RUN_RC" "graph --metric $m ($RUN_ERR)"
	assert_contains "$(file -b "$out")" "PNG image data, 800 x 300" "default size, $m"
done

# Options in any order, explicit size and period.
out=$SW_TMP/week.png
sw_run "$SWC" -c "$SW_CONF" graph --width 640 -o "$out" shop-home --period week --height 240
assert_eq 0 "$RUN_RC" "graph with --width/--height ($RUN_ERR)"
assert_eq "640 240" "$(png_dims "$out")" "PNG of the asked size"

# Explicit start/end over the pattern, availability, as SVG.
out=$SW_TMP/a.svg
sw_run "$SWC" -c "$SW_CONF" graph shop-home --metric availability \
    --start "$(iso "$T0")" --end "$(( T0 + 6000 ))" --format svg \
    --width 500 --height 200 -o "$out"
assert_eq 0 "$RUN_RC" "svg graph ($RUN_ERR)"
assert_contains "$(file -b "$out")" "SVG" "file says SVG"
assert_contains "$(head -c 2000 "$out")" 'width="500pt" height="200pt"' "SVG of the asked size"
/usr/bin/python3 -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' "$out" ||
    fail "the SVG is not well-formed XML"
# The .svg name alone picks the format.
sw_run "$SWC" -c "$SW_CONF" graph shop-home -o "$SW_TMP/b.svg"
assert_eq 0 "$RUN_RC" "graph -o x.svg"
assert_contains "$(file -b "$SW_TMP/b.svg")" "SVG" ".svg picks SVG"

# A check with no data yet gives a clear error, not an empty file.
sw_run "$SWC" -c "$SW_CONF" graph shop-empty -o "$SW_TMP/e.png"
[ "$RUN_RC" -ne 0 ] || fail "graph of a check without data exits 0"
assert_contains "$RUN_ERR" "shop-empty.rrd" "the missing file is named"
assert_no_file "$SW_TMP/e.png" "no image written on error"

# Bad requests.
sw_run "$SWC" -c "$SW_CONF" graph no-such-check -o "$SW_TMP/x.png"
assert_eq 3 "$RUN_RC" "unknown check"
assert_contains "$RUN_ERR" "unknown check: no-such-check" "unknown check named"
sw_run "$SWC" -c "$SW_CONF" graph shop-home
[ "$RUN_RC" -ne 0 ] || fail "graph without -o exits 0"
assert_contains "$RUN_ERR" "-o FILE" "missing -o explained"
sw_run "$SWC" -c "$SW_CONF" graph shop-home --metric speed -o "$SW_TMP/x.png"
[ "$RUN_RC" -ne 0 ] || fail "unknown metric exits 0"
assert_contains "$RUN_ERR" "unknown metric: speed" "bad metric named"
sw_run "$SWC" -c "$SW_CONF" graph shop-home --format gif -o "$SW_TMP/x.gif"
[ "$RUN_RC" -ne 0 ] || fail "unknown format exits 0"
sw_run "$SWC" -c "$SW_CONF" graph shop-home --width 5 -o "$SW_TMP/x.png"
[ "$RUN_RC" -ne 0 ] || fail "tiny width exits 0"
sw_run "$SWC" -c "$SW_CONF" graph shop-home --start "$T0" --end "$T0" -o "$SW_TMP/x.png"
[ "$RUN_RC" -ne 0 ] || fail "empty period exits 0"
sw_run "$SWC" -c "$SW_CONF" graph shop-home --period decade -o "$SW_TMP/x.png"
[ "$RUN_RC" -ne 0 ] || fail "unknown period exits 0"
assert_no_file "$SW_TMP/x.png" "no image written on bad requests"
exit 0
