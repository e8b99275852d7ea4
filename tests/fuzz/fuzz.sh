#!/bin/sh
# fuzz.sh -- build the libFuzzer harnesses with clang and run each one for
# a bounded time.  Called by `make fuzz` (mk/fuzz.am), which passes:
#   FUZZ_CC        clang (libFuzzer needs it; the normal build may be gcc)
#   FUZZ_CPPFLAGS  include paths and the pkg-config CFLAGS configure found
#   FUZZ_LIBS      the matching libraries
#   FUZZ_SECONDS   seconds per harness (default 30)
#   FUZZ_TARGETS   which harnesses (default: all)
#   srcdir         the source tree
# Binaries go to tests/fuzz/bin/, inputs the fuzzer finds to
# tests/fuzz/scratch/<target>/ (never into the repository's corpus), and
# crashers to tests/fuzz/artifacts/.  The exit status is non-zero when a
# harness found something.
set -eu

: "${FUZZ_CC:=clang}"
: "${FUZZ_SECONDS:=30}"
: "${FUZZ_TARGETS:=config template status mime util api probe}"
: "${FUZZ_CPPFLAGS:=}"
: "${FUZZ_LIBS:=}"
: "${srcdir:=.}"

# The project's sources the harnesses exercise, and what they call.
lib_srcs="src/log.c src/utf8.c src/xmalloc.c src/util.c src/conf_keys.c src/config.c
	src/config_read.c src/config_text.c src/config_types.c src/config_maint.c
	src/config_status.c src/template.c src/mime.c src/store.c
	src/store_sqlite.c src/store_sqlite_tickets.c src/store_sqlite_mail.c
	src/ticket_json.c src/bodyscan.c src/result.c src/web_body.c"
flags="-g -O1 -fno-omit-frame-pointer -std=gnu11 -D_GNU_SOURCE
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"

mkdir -p tests/fuzz/bin/obj tests/fuzz/artifacts
# Say plainly when the compiler cannot build a fuzzer at all.
probe=tests/fuzz/bin/obj/probe
printf 'int LLVMFuzzerTestOneInput(const char *d, long n)\n%s\n' \
    '{ (void)d; (void)n; return 0; }' >"$probe.c"
if ! $FUZZ_CC -fsanitize=fuzzer "$probe.c" -o "$probe" 2>/dev/null; then
	echo "make fuzz: '$FUZZ_CC -fsanitize=fuzzer' does not link;" \
	    "it needs clang with libFuzzer (Debian: libclang-rt-14-dev)" >&2
	exit 1
fi
rm -f "$probe" "$probe.c"
objs=
for s in $lib_srcs; do
	o=tests/fuzz/bin/obj/$(basename "$s" .c).o
	# fuzzer-no-link: coverage for libFuzzer, main() from the harness.
	# shellcheck disable=SC2086
	$FUZZ_CC $flags -fsanitize=fuzzer-no-link -I"$srcdir/include" \
	    $FUZZ_CPPFLAGS -c "$srcdir/$s" -o "$o"
	objs="$objs $o"
done

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
supp=$srcdir/tests/lsan.supp
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$supp:print_suppressions=0}"

status=0
summary=
for t in $FUZZ_TARGETS; do
	bin=tests/fuzz/bin/fuzz_$t
	# shellcheck disable=SC2086
	$FUZZ_CC $flags -I"$srcdir/include" -I"$srcdir/tests/fuzz" \
	    $FUZZ_CPPFLAGS "$srcdir/tests/fuzz/fuzz_$t.c" $objs \
	    $FUZZ_LIBS -o "$bin"
	scratch=tests/fuzz/scratch/$t
	mkdir -p "$scratch"
	dict=
	if [ -f "$srcdir/tests/fuzz/$t.dict" ]; then
		dict=-dict=$srcdir/tests/fuzz/$t.dict
	fi
	log=tests/fuzz/scratch/$t.log
	echo "fuzz_$t: ${FUZZ_SECONDS} s, log in $log"
	# New inputs land in the first folder: the scratch one.
	if "$bin" -max_total_time="$FUZZ_SECONDS" -timeout=10 \
	    -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 \
	    -artifact_prefix="tests/fuzz/artifacts/$t-" $dict \
	    "$scratch" "$srcdir/tests/fuzz/corpus/$t" >"$log" 2>&1; then
		res=ok
	else
		res=FAILED
		status=1
		tail -n 40 "$log"
	fi
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
	summary="$summary
fuzz_$t: $res, ${runs:-?} runs, ${rate:-?} exec/s, ${cov:-cov: ?}"
done
echo "$summary"
exit $status
