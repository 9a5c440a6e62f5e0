#!/usr/bin/env bash
# Side-by-side driver for the reference workload (see README.md in this folder).
#
#   bench/compare/run.sh [--install] [--epochs E] [--threads "1 2"]
#                        [--nabla-cmd CMD] [--out FILE]
#                        [--frameworks "torch keras libtorch"]
#                        [--libtorch-blas openblas|system|both]
#                        [--no-serving] [--no-scale] [--quick]
#
# Runs every framework at every thread count, picks each framework's best
# thread count (lowest median epoch time) and prints a table; then predict of
# one sample (nabla, torch.inference_mode, Keras model(x, training=False)), the
# tiny model's step and predict at batch 1024 at every thread count; then
# nabla's scale cases (4096-wide MLP at batch 512 with its peak memory, and a
# width x batch table) at the largest thread count. All of it is printed, and
# optionally written to --out FILE. Keras runs from the venv, else from
# /opt/kerasenv-k3 when that exists. Everything installed or built lives outside the repo:
#   venv     $NABLA_COMPARE_VENV     (default ~/.cache/nabla-compare-venv)
#   build    $NABLA_COMPARE_BUILD    (default ~/.cache/nabla-compare-build)
#   OpenBLAS $NABLA_COMPARE_OPENBLAS (default ~/.cache/nabla-compare-openblas)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$HERE/../.." && pwd)"
VENV="${NABLA_COMPARE_VENV:-$HOME/.cache/nabla-compare-venv}"
BUILD="${NABLA_COMPARE_BUILD:-$HOME/.cache/nabla-compare-build}"
OBLAS_ROOT="${NABLA_COMPARE_OPENBLAS:-$HOME/.cache/nabla-compare-openblas}"
DATA_DIR="${FMNIST_DIR:-/usr/share/datasets/fashion-mnist}"

EPOCHS=3
THREADS="1 2"
INSTALL=0
OUT=""
FRAMEWORKS="torch keras libtorch"
LIBTORCH_BLAS="openblas"
SERVING=1
SCALE=1
QUICK=""
PREDICT1_CALLS=2000
# ---- nabla hook -------------------------------------------------------------
# The nabla side is an external command (flag --nabla-cmd or env NABLA_CMD),
# run from the repository root once per thread count. If CMD contains the
# placeholders {threads} / {epochs} they are substituted; otherwise
# "--threads N --epochs E" is appended. OMP_NUM_THREADS, NABLA_THREADS and
# NABLA_EPOCHS are exported too. Its stdout must contain a line
#   RESULT framework=nabla threads=N batch=128 epoch_s_median=<s> test_acc=<acc>
# (and optionally a "VERSION framework=nabla ..." line).
NABLA_CMD="${NABLA_CMD:-}"
# By default nabla's own benchmark, when it has been built (scripts/build.sh).
if [[ -z "$NABLA_CMD" && -x "$(dirname "$0")/../../build/bench/nabla_bench" ]]; then
  NABLA_CMD="build/bench/nabla_bench --epoch-only --threads {threads} --epochs {epochs}"
fi
# -----------------------------------------------------------------------------

usage() { sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --install) INSTALL=1 ;;
    --epochs) EPOCHS="$2"; shift ;;
    --threads) THREADS="$2"; shift ;;
    --nabla-cmd) NABLA_CMD="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    --frameworks) FRAMEWORKS="$2"; shift ;;
    --libtorch-blas) LIBTORCH_BLAS="$2"; shift ;;
    --no-serving) SERVING=0 ;;
    --no-scale) SCALE=0 ;;
    --quick) QUICK="--quick"; PREDICT1_CALLS=300 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
case "$LIBTORCH_BLAS" in openblas|system|both) ;; *) echo "run.sh: --libtorch-blas must be openblas|system|both" >&2; exit 2 ;; esac

log() { echo "[compare] $*" >&2; }
SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
APT_UPDATED=0
apt_update_once() { [[ $APT_UPDATED -eq 1 ]] || { $SUDO apt-get update -qq; APT_UPDATED=1; }; }
apt_install() {  # install Debian packages only if absent
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  log "apt-get install ${missing[*]}"
  apt_update_once
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
}

# Debian's libtorch links the generic libblas.so.3, which by default is the
# (very slow) reference BLAS. Rather than switching the system-wide BLAS
# alternative, we unpack libopenblas0-openmp under OBLAS_ROOT and point only the
# libtorch run at it with LD_LIBRARY_PATH.
openblas_dir() {
  local d
  for d in "$OBLAS_ROOT/usr/lib/x86_64-linux-gnu/openblas-openmp" /usr/lib/x86_64-linux-gnu/openblas-openmp; do
    [[ -e "$d/libblas.so.3" ]] && { echo "$d"; return 0; }
  done
  return 1
}

PY_PKGS=(torch tensorflow-cpu keras)
PY_MODS=(torch tensorflow keras)

do_install() {
  [[ -e "$DATA_DIR/train-images-idx3-ubyte.gz" ]] || apt_install dataset-fashion-mnist
  command -v g++ >/dev/null || apt_install g++
  apt_install libtorch-dev
  if ! openblas_dir >/dev/null; then
    log "unpacking libopenblas0-openmp into $OBLAS_ROOT (no system-wide install)"
    apt_update_once
    local tmp; tmp="$(mktemp -d)"
    (cd "$tmp" && apt-get download libopenblas0-openmp >/dev/null)
    mkdir -p "$OBLAS_ROOT"
    dpkg -x "$tmp"/libopenblas0-openmp_*.deb "$OBLAS_ROOT"
    rm -rf "$tmp"
  fi
  if [[ ! -x "$VENV/bin/python" ]]; then
    log "creating venv $VENV"
    python3 -m venv "$VENV" 2>/dev/null || { apt_install python3-venv; python3 -m venv "$VENV"; }
    "$VENV/bin/pip" install -q --upgrade pip
  fi
  local missing=() i
  for i in "${!PY_PKGS[@]}"; do
    "$VENV/bin/python" -c "import ${PY_MODS[$i]}" >/dev/null 2>&1 || missing+=("${PY_PKGS[$i]}")
  done
  if [[ ${#missing[@]} -gt 0 ]]; then
    log "pip install ${missing[*]} (into $VENV)"
    "$VENV/bin/pip" install -q "${missing[@]}"
  fi
}

build_libtorch() {  # (re)build the libtorch binary when the source is newer
  local bin="$BUILD/libtorch_mlp" src="$HERE/libtorch_mlp.cpp"
  [[ -x "$bin" && "$bin" -nt "$src" ]] && return 0
  [[ -e /usr/include/torch/csrc/api/include/torch/torch.h ]] || return 1
  mkdir -p "$BUILD"
  log "building $bin"
  g++ -O2 -std=c++17 "$src" -o "$bin" \
      -I/usr/include/torch/csrc/api/include -ltorch -ltorch_cpu -lc10
}

[[ $INSTALL -eq 1 ]] && do_install

PY="python3"; [[ -x "$VENV/bin/python" ]] && PY="$VENV/bin/python"
# The Python that can import a framework: the venv's, else a preinstalled Keras env.
py_for() {  # py_for torch|keras
  local mods="$1"; [[ "$1" == keras ]] && mods="keras, tensorflow"
  local p
  for p in "$PY" /opt/kerasenv-k3/bin/python; do
    [[ -x "$p" || "$p" == python3 ]] && "$p" -c "import $mods" >/dev/null 2>&1 && { echo "$p"; return 0; }
  done
  return 1
}
NABLA_BENCH="$REPO_ROOT/build/bench/nabla_bench"
LOGDIR="$(mktemp -d "${TMPDIR:-/tmp}/nabla-compare.XXXXXX")"
RESULTS="$LOGDIR/results.txt"   # framework threads median acc
VERSIONS="$LOGDIR/versions.txt"
CASES="$LOGDIR/cases.txt"       # RESULT lines of the other cases (case=...)
: >"$RESULTS"; : >"$VERSIONS"; : >"$CASES"

# run_one LABEL THREADS CMD...  -> appends its RESULT to $RESULTS
run_one() {
  local label="$1" t="$2"; shift 2
  local so="$LOGDIR/$label.t$t.out" se="$LOGDIR/$label.t$t.err"
  log "$label threads=$t epochs=$EPOCHS"
  if ! OMP_NUM_THREADS="$t" OPENBLAS_NUM_THREADS="$t" MKL_NUM_THREADS="$t" "$@" >"$so" 2>"$se"; then
    log "  FAILED ($label threads=$t); last lines of stderr:"; tail -n 5 "$se" >&2
    return 0
  fi
  record "$so"
}
record() {  # pull RESULT/VERSION lines out of a stdout log
  grep '^VERSION ' "$1" | head -n 1 >>"$VERSIONS" || true
  grep '^RESULT .*case=' "$1" >>"$CASES" || true
  local line
  while read -r line; do
    local fw th med acc
    fw=$(sed -n 's/.*framework=\([^ ]*\).*/\1/p' <<<"$line")
    th=$(sed -n 's/.*threads=\([^ ]*\).*/\1/p' <<<"$line")
    med=$(sed -n 's/.*epoch_s_median=\([^ ]*\).*/\1/p' <<<"$line")
    acc=$(sed -n 's/.*test_acc=\([^ ]*\).*/\1/p' <<<"$line")
    echo "$fw $th $med $acc" >>"$RESULTS"
    log "  -> median epoch ${med}s, test_acc $acc"
  done < <(grep '^RESULT ' "$1" | grep -v 'case=' || true)
}

for fw in $FRAMEWORKS; do
  case "$fw" in
    torch|keras)
      if ! fwpy="$(py_for "$fw")"; then
        log "SKIP $fw: not importable by $PY (run with --install)"; continue
      fi
      for t in $THREADS; do
        run_one "$fw" "$t" "$fwpy" "$HERE/${fw}_mlp.py" --threads "$t" --epochs "$EPOCHS"
      done ;;
    libtorch)
      if ! build_libtorch; then log "SKIP libtorch: libtorch-dev missing (run with --install)"; continue; fi
      ob="$(openblas_dir || true)"
      blases="$LIBTORCH_BLAS"; [[ "$blases" == both ]] && blases="openblas system"
      for b in $blases; do
        if [[ "$b" == openblas && -z "$ob" ]]; then
          log "SKIP libtorch+OpenBLAS: not unpacked (run with --install); trying system BLAS"; b=system
        fi
        for t in $THREADS; do
          if [[ "$b" == openblas ]]; then
            run_one libtorch "$t" env LD_LIBRARY_PATH="$ob${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
              NABLA_COMPARE_BLAS=openblas-openmp "$BUILD/libtorch_mlp" --threads "$t" --epochs "$EPOCHS"
          else
            name=libtorch; [[ "$LIBTORCH_BLAS" == both ]] && name=libtorch-refblas
            run_one "$name" "$t" "$BUILD/libtorch_mlp" --threads "$t" --epochs "$EPOCHS" --name "$name"
          fi
        done
      done ;;
    *) log "unknown framework '$fw' (torch keras libtorch)" ;;
  esac
done

# ---- nabla hook (see top of file) -------------------------------------------
if [[ -n "$NABLA_CMD" ]]; then
  for t in $THREADS; do
    if [[ "$NABLA_CMD" == *"{threads}"* || "$NABLA_CMD" == *"{epochs}"* ]]; then
      cmd="${NABLA_CMD//\{threads\}/$t}"; cmd="${cmd//\{epochs\}/$EPOCHS}"
    else
      cmd="$NABLA_CMD --threads $t --epochs $EPOCHS"
    fi
    (cd "$REPO_ROOT" && export NABLA_THREADS="$t" NABLA_EPOCHS="$EPOCHS" && run_one nabla "$t" bash -c "$cmd")
  done
fi
# -----------------------------------------------------------------------------

# ---- serving and overhead: predict of one sample, tiny step, predict 1024 ----
if [[ $SERVING -eq 1 ]]; then
  for t in $THREADS; do
    if [[ -x "$NABLA_BENCH" ]]; then
      (cd "$REPO_ROOT" && run_one nabla-serving "$t" "$NABLA_BENCH" --serving-only --threads "$t" $QUICK)
    fi
    for fw in $FRAMEWORKS; do
      [[ "$fw" == torch || "$fw" == keras ]] || continue
      fwpy="$(py_for "$fw")" || continue
      run_one "$fw-predict1" "$t" "$fwpy" "$HERE/${fw}_mlp.py" --threads "$t" --predict1 "$PREDICT1_CALLS"
    done
  done
fi
# ---- scale: nabla's 4096-wide MLP and the width x batch table -----------------
SCALE_TXT="$LOGDIR/scale.txt"; : >"$SCALE_TXT"
if [[ $SCALE -eq 1 && -x "$NABLA_BENCH" ]]; then
  tmax="$(tr ' ' '\n' <<<"$THREADS" | sort -n | tail -n 1)"
  (cd "$REPO_ROOT" && run_one nabla-scale "$tmax" "$NABLA_BENCH" --scale --threads "$tmax" $QUICK)
  sed -n '/^== scale/,$p' "$LOGDIR/nabla-scale.t$tmax.out" | grep -v '^RESULT' >"$SCALE_TXT" || true
fi

if [[ ! -s "$RESULTS" && ! -s "$CASES" ]]; then log "no results (logs in $LOGDIR)"; exit 1; fi

cpu_model="$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)"
cpus="$(lscpu | sed -n 's/^CPU(s):[[:space:]]*//p' | head -n 1)"
cores="$(lscpu | awk -F: '/^Core\(s\) per socket/{c=$2} /^Socket\(s\)/{s=$2} END{gsub(/ /,"",c); gsub(/ /,"",s); if (c && s) print c*s}')"
table="$(
  echo "== nabla bench/compare: MLP 784-256-128-10, Adam 1e-3, batch 128, Fashion-MNIST 60k =="
  echo "date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "machine: ${cpu_model:-unknown CPU}; ${cpus:-?} CPUs (${cores:-?} physical cores); load avg at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "epochs:  $EPOCHS (median epoch wall time; test accuracy after last epoch); threads tried: $THREADS"
  echo
  echo "versions:"
  awk '{ f=$2; if (!(f in seen)) { seen[f]=1; sub(/^VERSION /, "  "); gsub(/ (intraop|interop)=[^ ]*/, ""); print } }' "$VERSIONS"
  echo
  echo "all runs:"
  awk '{printf "  %-18s threads=%-3s epoch_s=%-9s test_acc=%s\n", $1, $2, $3, $4}' "$RESULTS"
  echo
  awk '
    { if (!($1 in best) || $3 < best[$1]) { best[$1]=$3; bt[$1]=$2; ba[$1]=$4 }
      if (!($1 in seen)) { seen[$1]=1; order[++n]=$1 } }
    END {
      nab = ("nabla" in best) ? best["nabla"] : 0
      printf "%-18s %12s %15s %9s %14s\n", "framework", "best_threads", "epoch_s_median", "test_acc", "time/nabla"
      for (i = 1; i <= n; i++) {
        f = order[i]
        r = (nab > 0) ? sprintf("%.2f", best[f] / nab) : "n/a"
        printf "%-18s %12s %15.4f %9.4f %14s\n", f, bt[f], best[f], ba[f], r
      }
      if (nab == 0) print "(time/nabla: no nabla result; pass --nabla-cmd CMD)"
      else print "(time/nabla > 1: the peer is slower than nabla)"
    }' "$RESULTS"
  if [[ -s "$CASES" ]]; then
    echo
    echo "serving and overhead (median; per thread count):"
    awk '
      function field(k,   i, a) { for (i = 2; i <= NF; i++) { split($i, a, "="); if (a[1] == k) return a[2] } return "" }
      { c = field("case"); f = field("framework"); t = field("threads") }
      c == "predict1"    { printf "  %-34s %-8s threads=%-2s %10s us\n", "predict, batch 1", f, t, field("us_median") }
      c == "tiny_step"   { printf "  %-34s %-8s threads=%-2s %10s us\n", "train step, 2-16-1 batch 32", f, t, field("us_median") }
      c == "predict1024" { printf "  %-34s %-8s threads=%-2s %10s samples/s (%s GFLOP/s)\n", "predict, batch 1024", f, t, field("samples_per_s"), field("gflops") }
      c == "sgemm_peak"  { printf "  %-34s %-8s threads=%-2s %10s GFLOP/s\n", "sgemm 1024^3 (the peak used)", f, t, field("gflops") }
    ' "$CASES" | sort -s -k1,3
  fi
  if [[ -s "$SCALE_TXT" ]]; then
    echo
    cat "$SCALE_TXT"
  fi
)"
echo "$table"
if [[ -n "$OUT" ]]; then
  mkdir -p "$(dirname "$OUT")"; echo "$table" >"$OUT"; log "table written to $OUT"
fi
log "per-run logs: $LOGDIR"
