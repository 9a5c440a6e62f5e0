#!/usr/bin/env python3
"""The bench/compare workload in PyTorch on a GPU, to compare with bench_cuda_fmnist.

MLP 784-256-128-10 (relu), Adam 1e-3 (eps 1e-7, as Keras), batch 128, cross-entropy from
logits. The data set lives on the GPU; each epoch draws a permutation there and gathers every
batch with index_select, as nabla's fit loop does with its Gather kernel. TF32 is off unless
--tf32 (nabla's default is off too: NABLA_CUDA_TF32=1 turns it on).

Prints
  RESULT framework=torch device=cuda:0 batch=128 epoch_s_median=<s> test_acc=<acc>
Per-epoch details go to stderr.
"""
import argparse
import os
import statistics
import sys
import time

import torch
from torch import nn

sys.dont_write_bytecode = True  # keep __pycache__ out of the repo
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "compare"))
import fmnist_data  # noqa: E402


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", default="cuda:0")
    ap.add_argument("--tf32", action="store_true")
    return ap.parse_args()


def main():
    args = parse_args()
    torch.backends.cuda.matmul.allow_tf32 = args.tf32
    torch.backends.cudnn.allow_tf32 = args.tf32
    torch.manual_seed(args.seed)
    dev = torch.device(args.device)

    x_train, y_train, x_test, y_test = (torch.from_numpy(a).to(dev) for a in fmnist_data.load())
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                          nn.Linear(128, 10)).to(dev)
    for m in model:
        if isinstance(m, nn.Linear):  # Keras defaults: glorot_uniform, zeros
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()

    n, bs = x_train.shape[0], args.batch
    times = []
    for epoch in range(args.epochs):
        torch.cuda.synchronize(dev)
        t0 = time.perf_counter()
        perm = torch.randperm(n, device=dev)
        total = 0.0
        for i in range(0, n, bs):
            idx = perm[i:i + bs]
            xb, yb = x_train.index_select(0, idx), y_train.index_select(0, idx)
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * idx.shape[0]  # a host sync per step, as nabla's fit does
        torch.cuda.synchronize(dev)
        dt = time.perf_counter() - t0
        times.append(dt)
        print(f"epoch {epoch + 1}/{args.epochs} time_s={dt:.4f} train_loss={total / n:.4f}",
              file=sys.stderr, flush=True)

    with torch.no_grad():
        acc = (model(x_test).argmax(dim=1) == y_test).float().mean().item()
    print(f"RESULT framework=torch device={args.device} batch={bs} "
          f"epoch_s_median={statistics.median(times):.4f} test_acc={acc:.4f}", flush=True)


if __name__ == "__main__":
    main()
