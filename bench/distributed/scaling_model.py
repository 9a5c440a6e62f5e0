#!/usr/bin/env python3
"""Expected step time and efficiency of data-parallel training on N machines (bench/README.md).

A step's compute on one machine: 6 x parameters x rows per rank floating-point operations (the
forward pass 2 per parameter and row, the backward pass 4) at FLOPS per second. Its gradient
all-reduce, a ring: each machine sends and receives 2(N-1)/N x gradient bytes, in 2(N-1)
messages of LATENCY seconds each, over a link of BANDWIDTH bytes per second. Efficiency is the
one-machine step time over the N-machine step time, with no overlap of communication and the
backward pass (nabla overlaps where the plan allows, so this is the pessimistic end).

    bench/distributed/scaling_model.py [--flops 1e12] [--rows 128]

Standard library only.
"""
import argparse

NETWORKS = [("25 Gb/s Ethernet", 25e9 / 8, 25e-6), ("200 Gb/s InfiniBand", 200e9 / 8, 2e-6)]
MODELS = [("reference MLP 784-256-128-10", 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10),
          ("100-million-parameter MLP", 100_000_000)]
MACHINES = [4, 16, 64]


def step(params, rows, flops, n, bandwidth, latency):
    compute = 6.0 * params * rows / flops
    grad_bytes = 4.0 * params
    comm = 2.0 * (n - 1) / n * grad_bytes / bandwidth + 2 * (n - 1) * latency
    return compute, comm


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--flops", type=float, default=1e12, help="FLOP/s of one machine (1e12)")
    p.add_argument("--rows", type=int, default=128, help="rows per rank and step (128)")
    a = p.parse_args()
    print(f"{a.rows} rows per machine and step (global batch {a.rows} x N), "
          f"{a.flops / 1e12:g} TFLOP/s per machine, no overlap\n")
    print("| model | network | N | compute ms | all-reduce ms | step ms | efficiency |")
    print("|---|---|---|---|---|---|---|")
    for model, params in MODELS:
        for net, bandwidth, latency in NETWORKS:
            for n in MACHINES:
                compute, comm = step(params, a.rows, a.flops, n, bandwidth, latency)
                print(f"| {model} | {net} | {n} | {compute * 1e3:.2f} | {comm * 1e3:.2f} | "
                      f"{(compute + comm) * 1e3:.2f} | {compute / (compute + comm):.0%} |")
    # compute / comm = 6 P b / F / (8 P / B) = 0.75 b B / F for large N: the model size cancels.
    for net, bandwidth, _ in NETWORKS:
        rows = 4 * a.flops / (0.75 * bandwidth)
        print(f"\n{net}: 80% efficiency for large models needs >= {rows:.0f} rows per machine "
              f"and step at {a.flops / 1e12:g} TFLOP/s", end="")
    print()


if __name__ == "__main__":
    main()
