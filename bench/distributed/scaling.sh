#!/usr/bin/env bash
# Data-parallel scaling on one machine: the reference workload (configs/fashion_mnist_mlp.json,
# MLP 784-256-128-10, global batch 128) trained by `nabla train` as 1 process x T threads and as
# N processes x T/N threads under mpirun, interleaved, ROUNDS times each. Prints the median time
# per epoch and per step of each (from history.json's epoch_seconds, the training and validation
# of an epoch), the speed-up, and the bytes each rank sends per step; with the all-reduce
# benchmark built (NABLA_BENCH=ON), the all-reduce's time per step and its share of a step.
#
#   bench/distributed/scaling.sh [BUILD_DIR] [RANKS] [EPOCHS] [ROUNDS]    defaults: build 2 2 3
#
# Needs Open MPI (mpirun) and the Fashion-MNIST files the config names. As root, export
# OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1. Meaningful only on an idle machine.
set -euo pipefail
build=${1:-build}
ranks=${2:-2}
epochs=${3:-2}
rounds=${4:-3}
root=$(cd "$(dirname "$0")/../.." && pwd)
config=$root/configs/fashion_mnist_mlp.json
cores=$(nproc)
threads=$cores
per_rank=$((cores / ranks > 0 ? cores / ranks : 1))
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Median epoch seconds of a history.json, the first epoch left out when there are several (it
# includes compiling the plans).
epoch_seconds() {
  python3 -c 'import json,sys,statistics
s = json.load(open(sys.argv[1]))["epoch_seconds"]
print(statistics.median(s[1:] if len(s) > 1 else s))' "$1"
}

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

one=() many=()
for ((r = 0; r < rounds; ++r)); do
  NABLA_NUM_THREADS=$threads "$build/nabla" train "$config" --epochs "$epochs" --verbose 0 \
    --output-dir "$work/one" > /dev/null
  one+=("$(epoch_seconds "$work/one/history.json")")
  mpirun --oversubscribe --bind-to none -np "$ranks" -x NABLA_NUM_THREADS=$per_rank \
    "$build/nabla" train "$config" --epochs "$epochs" --verbose 0 --output-dir "$work/many" \
    > /dev/null
  many+=("$(epoch_seconds "$work/many/history.json")")
done

# Fashion-MNIST's 60000 training rows less the validation split, in global batches of 128.
steps=$(python3 -c 'import json, math, sys
j = json.load(open(sys.argv[1]))
split = j["data"].get("validation_split", j["fit"].get("validation_split", 0))
print(math.ceil(round(60000 * (1 - split)) / j["fit"]["batch_size"]))' "$work/one/config.json")
params=$((784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10))
t1=$(median "${one[@]}")
tn=$(median "${many[@]}")
echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "reference workload: $config, $steps steps per epoch, $params parameters ($((params * 4)) gradient bytes)"
echo "epoch seconds, 1 x $threads threads: ${one[*]}"
echo "epoch seconds, $ranks x $per_rank threads: ${many[*]}"
python3 - "$t1" "$tn" "$steps" "$ranks" "$params" <<'EOF'
import sys
t1, tn, steps, n, params = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
print(f"1 process:  {t1:.2f} s/epoch, {1e3 * t1 / steps:.2f} ms/step")
print(f"{n} processes: {tn:.2f} s/epoch, {1e3 * tn / steps:.2f} ms/step")
print(f"speed-up {t1 / tn:.2f}x; each rank sends {2 * (n - 1) / n * params * 4 / 2**20:.2f} MiB per step (ring all-reduce)")
EOF

bench=$build/bench/distributed/nabla_allreduce_bench
if [[ -x $bench ]]; then
  out=$(mpirun --oversubscribe --bind-to none -np "$ranks" "$bench" --max-mib 1)
  echo "$out" | sed -n '/one step/,$p'
  us=$(echo "$out" | awk '/784-256-128-10/ {getline; print $4}')
  python3 -c "print(f'all-reduce: $us us per step, {$us / 1e3 / (1e3 * $tn / $steps) * 100:.1f}% of a $ranks-rank step')"
else
  echo "(build nabla_allreduce_bench, -DNABLA_BENCH=ON, for the all-reduce's share of a step)"
fi
