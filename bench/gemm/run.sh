#!/usr/bin/env bash
# Runs every GEMM comparison executable that was built (nabla_gemm_<library>) and prints one
# table per timing mode: rows are the cases, columns the libraries, GFLOP/s (median).
#   bench/gemm/run.sh [--build DIR] [--quick] [--modes 1,lib2,split2,pair2]
# OpenBLAS's kernel is left to its own detection: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are
# unset for these runs only. Single-thread rates are measured in thread CPU time (robust on a
# busy machine); two-thread rates in wall time (meaningful only on an idle one).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUILD="$HERE/../../build"
ARGS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build) BUILD="$2"; shift ;;
    --quick) ARGS+=(--quick) ;;
    --modes) ARGS+=(--modes "$2"); shift ;;
    *) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
  esac
  shift
done
OUT="$(mktemp -d "${TMPDIR:-/tmp}/nabla-gemm.XXXXXX")"
libs=()
for lib in nabla eigen openblas nabla_openblas blis dnnl xsmm; do
  exe="$BUILD/bench/gemm/nabla_gemm_$lib"
  [[ -x "$exe" ]] || { echo "[gemm] $lib: not built (library not found)" >&2; continue; }
  echo "[gemm] $lib" >&2
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$exe" "${ARGS[@]}" >"$OUT/$lib.out" 2>"$OUT/$lib.res" ||
    { echo "[gemm] $lib failed; see $OUT" >&2; continue; }
  libs+=("$lib")
done
echo "== sgemm GFLOP/s, median; $(lscpu | sed -n 's/^Model name:[[:space:]]*//p'), $(nproc) CPUs," \
     "load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M UTC') =="
for lib in "${libs[@]}"; do head -n 1 "$OUT/$lib.out"; done
for lib in "${libs[@]}"; do cat "$OUT/$lib.res"; done | grep '^RESULT ' | sed 's/^RESULT //' | awk -F'|' '
  { if (!($1 in known)) { known[$1] = 1; libs[++nl] = $1 }
    key = $2 SUBSEP $3; v[$1, key] = $4; if (!(($2) in seen)) { seen[$2] = 1; cases[++n] = $2 }
    modes[$3] = 1; if ($5 + 0 > 1e-4) bad[$1, key] = "!" }
  END {
    split("1 lib2 split2 pair2", ml, " ")
    title["1"] = "1 thread (thread CPU time)"; title["lib2"] = "2 threads of the library (wall)"
    title["split2"] = "2 threads, output split in two (wall)"
    title["pair2"] = "2 threads, two whole products at once, one per thread (wall)"
    for (mi = 1; mi <= 4; mi++) {
      m = ml[mi]; if (!(m in modes)) continue
      printf "\n-- %s --\n%-40s", title[m], "case"
      for (l = 1; l <= nl; l++) printf " %9s", libs[l]
      printf "\n"
      for (i = 1; i <= n; i++) {
        printf "%-40s", cases[i]
        for (l = 1; l <= nl; l++) {
          k = cases[i] SUBSEP m
          printf " %9s", ((libs[l], k) in v) ? v[libs[l], k] bad[libs[l], k] : "-"
        }
        printf "\n"
      }
    }
    print "\n(! marks a result off by more than 1e-4 relative; - not measured or not supported)"
  }'
echo "[gemm] raw output in $OUT" >&2
