#!/bin/sh
# Set up a fresh Debian 12 machine and run the whole test suite:
# install dependencies, build with warnings as errors and with
# AddressSanitizer/UndefinedBehaviorSanitizer, then `make check`; then
# the release build, with the valgrind scenario.
set -e
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./autogen.sh >/dev/null
./configure --enable-werror --enable-sanitizers >/dev/null
make -j2 >/dev/null
status=0
make -j2 check || status=$?
# Show the logs of what failed: CI keeps nothing else.
if [ "$status" -ne 0 ]; then
	for f in $(grep -l '^:test-result: FAIL' $(find tests -name '*.trs') 2>/dev/null); do
		echo "==== ${f%.trs}.log"
		# The reason first: the tail is often the servers' logs.
		grep -m 5 -E '^(FAIL|SKIP): ' "${f%.trs}.log" || true
		tail -n 60 "${f%.trs}.log"
	done
fi
count() {
	cat $(find tests -name '*.trs') 2>/dev/null | grep -c -E "^:test-result: ($1)" || true
}
pass=$(count PASS); fail=$(count 'FAIL|ERROR'); skip=$(count SKIP)

# The tarball builds, installs and uninstalls cleanly (`make distcheck`).
# Its inner `make check` runs only the unit tests: the scenarios ran above,
# and 15-first-contact builds and installs the shipped tree already.
units=$(ls tests/unit/test_*.c | sed 's/\.c$//' | tr '\n' ' ')
make -j2 distcheck TESTS="$units" >distcheck.log 2>&1 || {
	status=1
	echo "==== make distcheck failed"
	tail -n 60 distcheck.log
}

# The release build (jemalloc, no sanitizer), as scripts/run.sh makes
# it, with the daemon under valgrind's memcheck: 72-valgrind skips in
# the sanitizer build above, and so does 18-checker-memory (an address
# space cap cannot apply to a sanitizer's shadow memory).
make distclean >/dev/null
./configure --enable-werror >/dev/null
make -j2 >/dev/null
make check TESTS='tests/integration/72-valgrind.sh tests/integration/18-checker-memory.sh' || status=$?
if [ "$(count 'FAIL|ERROR')" -ne 0 ]; then
	tail -n 60 tests/integration/72-valgrind.sh.log \
	    tests/integration/18-checker-memory.sh.log
fi
pass=$((pass + $(count PASS))); fail=$((fail + $(count 'FAIL|ERROR')))
skip=$((skip + $(count SKIP)))
echo "tests: $pass passed, $fail failed, $skip skipped"
exit "$status"
