"""Fashion-MNIST loader shared by the Python benchmarks (numpy only).

Reads the IDX files of Debian's `dataset-fashion-mnist` package and returns
float32 images scaled by 1/255, shape (N, 784), and int64 labels, shape (N,).
"""
import gzip
import os

import numpy as np

DEFAULT_DIR = os.environ.get("FMNIST_DIR", "/usr/share/datasets/fashion-mnist")


def _read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    ndim = magic & 0xFF
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    return arr.reshape(dims)


def load(data_dir=DEFAULT_DIR):
    def p(name):
        return os.path.join(data_dir, name)

    x_train = _read_idx(p("train-images-idx3-ubyte.gz")).reshape(-1, 784).astype(np.float32) / np.float32(255.0)
    y_train = _read_idx(p("train-labels-idx1-ubyte.gz")).astype(np.int64)
    x_test = _read_idx(p("t10k-images-idx3-ubyte.gz")).reshape(-1, 784).astype(np.float32) / np.float32(255.0)
    y_test = _read_idx(p("t10k-labels-idx1-ubyte.gz")).astype(np.int64)
    assert x_train.shape == (60000, 784) and x_test.shape == (10000, 784)
    return x_train, y_train, x_test, y_test
