#!/usr/bin/env bash
# Runs every test (CTest over the doctest suites) and prints each suite's doctest summary and a
# total. Arguments go to ctest, e.g. scripts/test.sh -R engine.
set -uo pipefail
cd "$(dirname "$0")/.."
build=${NABLA_BUILD_DIR:-build}

( cd "$build" && ctest --output-on-failure --timeout 1200 "$@" )
status=$?
echo
skips=$(grep -E "^\[test_[a-z_]+\] skipped: " "$build/Testing/Temporary/LastTest.log" | sort -u)
if [ -n "$skips" ]; then
  echo "== skipped, and why =="
  echo "$skips" | sed 's/^/  /'
fi
echo "== doctest summaries =="
grep -E "^\[doctest\] test cases:" "$build/Testing/Temporary/LastTest.log" | sed 's/^/  /'
cases=$(grep -E "^\[doctest\] test cases:" "$build/Testing/Temporary/LastTest.log")
count() { echo "$cases" | grep -Eo "[0-9]+ $1" | awk '{s+=$1} END {print s+0}'; }
passed=$(count passed); failed=$(count failed); skipped=$(count skipped)
echo "== total: ${passed} test cases passed, ${failed} failed, ${skipped} skipped =="

exit "$status"
