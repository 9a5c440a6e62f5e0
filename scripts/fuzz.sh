#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ (in build-asan/, with AddressSanitizer and UBSan, as
# scripts/sanitize.sh configures it) and runs each for SECONDS (default 60), starting from its seed
# corpus fuzz/corpus/<target>. Fails on any crash, sanitizer report, timeout (an input taking more
# than 10 s) or out-of-memory (more than 2 GB); prints the executions of every target. Inputs
# found along the way go to build-asan/fuzz-corpus/<target> (kept between runs); a failing input
# is saved as build-asan/fuzz-artifacts/<target>-crash-... (see fuzz/README.md). Targets run in
# parallel, one per core (NABLA_FUZZ_JOBS).
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   e.g. scripts/fuzz.sh 20, scripts/fuzz.sh 300 npy
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift $(( $# > 0 ? 1 : 0 ))
build=${NABLA_ASAN_BUILD_DIR:-build-asan}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(model_json run_config graph_json keras_h5 keras_zip npy idx csv)

NABLA_ASAN_BUILD_DIR="$build" scripts/sanitize.sh --build-only || exit 1

artifacts="$PWD/$build/fuzz-artifacts"
mkdir -p "$artifacts"
# allocator_may_return_null: libhdf5 mallocs whatever size a file's metadata declares (a cache
# entry of 8 TB) and reports an error when that fails, as it does under glibc; only resident
# memory (-rss_limit_mb) and nabla's own behaviour are findings, so single large requests are
# not (-malloc_limit_mb far above any real one).
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:check_initialization_order=1:allocator_may_return_null=1"
export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
# One worker thread: inputs are small, and a fuzzer should not compete with itself for cores.
export NABLA_NUM_THREADS=1

# Runs one target; its summary line goes to $build/fuzz-<target>.result, its output to .log.
fuzz_one() {
  local t=$1 exe="$build/fuzz/fuzz_$1" seeds="fuzz/corpus/$1" work="$build/fuzz-corpus/$1"
  local log="$build/fuzz-$1.log" rc execs corpus line
  mkdir -p "$work"
  "$exe" "$work" "$seeds" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -malloc_limit_mb=1048576 -print_final_stats=1 -artifact_prefix="$artifacts/$t-" \
    >"$log" 2>&1
  rc=$?
  execs=$(grep -Eo "stat::number_of_executed_units: [0-9]+" "$log" | awk '{print $2}' | tail -1)
  corpus=$(find "$work" -type f | wc -l)
  line="fuzz_$t: ${execs:-?} executions in ${seconds} s, ${corpus} inputs in its corpus"
  if [ $rc -ne 0 ]; then
    line="$line: FAILED (exit $rc)"
    {
      grep -E "ERROR: |runtime error|SUMMARY: |Test unit written|ALARM|out-of-memory" "$log" | head -20
      echo "   (full output: $log)"
    } >&2
  fi
  echo "$line" | tee "$build/fuzz-$t.result"
}

# Targets run NABLA_FUZZ_JOBS at a time (default: one per core), each on one core.
jobs=${NABLA_FUZZ_JOBS:-$(nproc)}
for t in "${targets[@]}"; do
  [ -x "$build/fuzz/fuzz_$t" ] || { echo "fuzz: no fuzzer '$t' ($build/fuzz/fuzz_$t)" >&2; exit 2; }
  rm -f "$build/fuzz-$t.result"
done
echo "== fuzzing ${#targets[@]} targets for ${seconds} s each, ${jobs} at a time =="
running=0
for t in "${targets[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
  fuzz_one "$t" &
  running=$((running + 1))
done
wait

status=0
echo
echo "== fuzz summary =="
for t in "${targets[@]}"; do
  line=$(cat "$build/fuzz-$t.result" 2>/dev/null || echo "fuzz_$t: no result")
  echo "  $line"
  case "$line" in *"executions in"*"corpus") ;; *) status=1 ;; esac
done
exit "$status"
