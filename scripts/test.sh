#!/bin/sh
# Set up a fresh Debian 12 machine and run the whole test suite:
# install dependencies, build with warnings as errors and with
# AddressSanitizer/UndefinedBehaviorSanitizer, then `make check`.
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
		tail -n 60 "${f%.trs}.log"
	done
fi
pass=$(cat $(find tests -name '*.trs') 2>/dev/null | grep -c '^:test-result: PASS' || true)
fail=$(cat $(find tests -name '*.trs') 2>/dev/null | grep -c -E '^:test-result: (FAIL|ERROR)' || true)
skip=$(cat $(find tests -name '*.trs') 2>/dev/null | grep -c '^:test-result: SKIP' || true)
echo "tests: $pass passed, $fail failed, $skip skipped"
exit "$status"
