#!/usr/bin/env python3
"""Reference workload in PyTorch (eager): MLP 784-256-128-10, Adam 1e-3, batch 128.

Prints
  VERSION framework=torch version=<torch.__version__> ...
  RESULT framework=torch threads=N batch=128 epoch_s_median=<s> test_acc=<acc>
Per-epoch details go to stderr. With --predict1 R it only times R calls of the
model on one sample under torch.inference_mode() (a C++ service's call) and prints
  RESULT framework=torch case=predict1 threads=N us_median=<us>
"""
import argparse
import os
import statistics
import sys
import time


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--predict1", type=int, default=0,
                    help="only time this many single-sample predicts")
    return ap.parse_args()


args = parse_args()
# Thread settings must be in the environment before torch (and its OpenMP) loads.
for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[var] = str(args.threads)

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

sys.dont_write_bytecode = True  # keep __pycache__ out of the repo
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fmnist_data  # noqa: E402


def predict1(model, x1):
    """Median latency of the model on one sample, in inference mode."""
    model.eval()
    times = []
    with torch.inference_mode():
        for _ in range(args.predict1 + 100):  # the first 100 warm up
            t0 = time.perf_counter()
            model(x1)
            times.append(time.perf_counter() - t0)
    print(f"RESULT framework=torch case=predict1 threads={args.threads} "
          f"us_median={1e6 * statistics.median(times[100:]):.2f}", flush=True)


def main():
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(args.threads)
    torch.manual_seed(args.seed)

    x_train, y_train, x_test, y_test = fmnist_data.load()
    x_train = torch.from_numpy(x_train)
    y_train = torch.from_numpy(y_train)
    x_test = torch.from_numpy(x_test)
    y_test = torch.from_numpy(y_test)

    model = nn.Sequential(
        nn.Linear(784, 256), nn.ReLU(),
        nn.Linear(256, 128), nn.ReLU(),
        nn.Linear(128, 10),
    )
    for m in model:
        if isinstance(m, nn.Linear):  # Keras defaults: glorot_uniform, zeros
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()

    print(f"VERSION framework=torch version={torch.__version__} numpy={np.__version__} "
          f"python={sys.version.split()[0]} intraop={torch.get_num_threads()} "
          f"interop={torch.get_num_interop_threads()}", flush=True)
    if args.predict1:
        predict1(model, x_test[:1].clone())
        return

    n = x_train.shape[0]
    bs = args.batch
    times = []
    for epoch in range(args.epochs):
        model.train()
        t0 = time.perf_counter()
        perm = torch.randperm(n)
        total = 0.0
        for i in range(0, n, bs):
            idx = perm[i:i + bs]
            xb = x_train.index_select(0, idx)
            yb = y_train.index_select(0, idx)
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * idx.shape[0]
        dt = time.perf_counter() - t0
        times.append(dt)
        print(f"epoch {epoch + 1}/{args.epochs} time_s={dt:.4f} train_loss={total / n:.4f}",
              file=sys.stderr, flush=True)

    model.eval()
    with torch.no_grad():
        pred = model(x_test).argmax(dim=1)
        acc = (pred == y_test).float().mean().item()

    print(f"RESULT framework=torch threads={args.threads} batch={bs} "
          f"epoch_s_median={statistics.median(times):.4f} test_acc={acc:.4f}", flush=True)


if __name__ == "__main__":
    main()
