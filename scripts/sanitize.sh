#!/usr/bin/env bash
# Builds nabla with AddressSanitizer and UndefinedBehaviorSanitizer (clang-14) into build-asan/
# and runs every test under them: any sanitizer report, in a test or in a `nabla` process a test
# starts, fails the run. The same build folder also builds the fuzzers of fuzz/ (the library is
# compiled once, with coverage instrumentation for them), which scripts/fuzz.sh runs.
# Usage: scripts/sanitize.sh [--build-only] [ctest arguments]. NABLA_ASAN_BUILD_DIR and NABLA_JOBS
# as in scripts/build.sh; ccache is used when installed (CCACHE_DISABLE=1 turns it off).
set -uo pipefail
cd "$(dirname "$0")/.."
build=${NABLA_ASAN_BUILD_DIR:-build-asan}
jobs=${NABLA_JOBS:-$(nproc)}
start=$(date +%s)

flags="-O1 -gline-tables-only -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined"
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
if [ ! -f "$build/CMakeCache.txt" ]; then
  # Debug keeps assertions (nabla's and Eigen's) on; its flags are replaced by -O1 and line
  # tables (all a sanitizer's stack trace needs; full debug info compiles 8% slower). A unity
  # build, as scripts/build.sh makes.
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
    -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_C_FLAGS="$flags" \
    -DCMAKE_CXX_FLAGS_DEBUG="" -DCMAKE_C_FLAGS_DEBUG="" \
    -DNABLA_CUDA=OFF -DNABLA_BENCH=OFF -DNABLA_MPI=OFF -DNABLA_NATIVE=OFF -DNABLA_FUZZ=ON \
    -DCMAKE_UNITY_BUILD=ON "${launcher[@]}" ||
    exit 1
fi
cmake --build "$build" -j "$jobs" || exit 1
built=$(date +%s)
[ "${1:-}" = "--build-only" ] && exit 0

# Every process writes its reports into $reports (one file per process), so a report in a child
# process (the `nabla` runs of test_cli, the guarded loads) fails the run even when the test that
# started it only looked at its exit code.
reports="$PWD/$build/sanitizer-reports"
rm -rf "$reports" && mkdir -p "$reports"
suppressions="$PWD/scripts/lsan.supp"
# allocator_may_return_null: a huge malloc fails as it does under glibc (libhdf5 mallocs what a
# damaged file's metadata declares, then reports an error) instead of being a report.
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1:detect_odr_violation=2:allocator_may_return_null=1:log_path=$reports/asan"
export LSAN_OPTIONS="suppressions=$suppressions:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$reports/ubsan"
( cd "$build" && ctest -j "$jobs" --output-on-failure --timeout 1800 "$@" )
status=$?
end=$(date +%s)

echo
# A report file holds an error; files with warnings only ("failed to allocate", when a huge malloc
# returns null as allowed above) are not reports.
found=$(grep -lE "ERROR: |runtime error|SUMMARY: " "$reports"/* 2>/dev/null | sort)
if [ -n "$found" ]; then
  echo "== sanitizer reports =="
  for f in $found; do
    echo "-- $f"
    cat "$f"
  done
  status=1
fi
log="$build/Testing/Temporary/LastTest.log"
cases=$(grep -E "^\[doctest\] test cases:" "$log" 2>/dev/null)
count() { echo "$cases" | grep -Eo "[0-9]+ $1" | awk '{s+=$1} END {print s+0}'; }
echo "== sanitize: $(count passed) test cases passed, $(count failed) failed, $(count skipped) skipped;" \
  "$(echo "$found" | grep -c . ) sanitizer reports; build $((built - start)) s, tests $((end - built)) s =="
exit "$status"
