#!/usr/bin/env python3
"""Reference workload in Keras 3 on TensorFlow (CPU): model.fit, batch 128, shuffle.

MLP 784-256-128-10 (relu, relu, logits), sparse categorical cross-entropy from
logits, Adam(1e-3) with Keras defaults. Epoch wall time is taken by a callback
(on_epoch_begin -> on_epoch_end); fit() gets the in-memory float32 arrays and
shuffles them itself each epoch. Note: epoch 1 includes tf.function tracing,
which is why the median over >= 3 epochs is the number to compare.

Prints
  VERSION framework=keras version=<keras> tensorflow=<tf> ...
  RESULT framework=keras threads=N batch=128 epoch_s_median=<s> test_acc=<acc>
Per-epoch details go to stderr. With --predict1 R it only times R calls of
model(x, training=False) on one sample and prints
  RESULT framework=keras case=predict1 threads=N us_median=<us>
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
# Must be in the environment before TensorFlow loads.
os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["CUDA_VISIBLE_DEVICES"] = ""
for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
            "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
    os.environ[var] = str(args.threads)

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

tf.config.threading.set_intra_op_parallelism_threads(args.threads)
tf.config.threading.set_inter_op_parallelism_threads(args.threads)

import keras  # noqa: E402

sys.dont_write_bytecode = True  # keep __pycache__ out of the repo
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fmnist_data  # noqa: E402


class EpochTimer(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.times = []
        self._t0 = None

    def on_epoch_begin(self, epoch, logs=None):
        self._t0 = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        dt = time.perf_counter() - self._t0
        self.times.append(dt)
        loss = (logs or {}).get("loss", float("nan"))
        print(f"epoch {epoch + 1}/{args.epochs} time_s={dt:.4f} train_loss={loss:.4f}",
              file=sys.stderr, flush=True)


def main():
    keras.utils.set_random_seed(args.seed)
    x_train, y_train, x_test, y_test = fmnist_data.load()

    model = keras.Sequential([
        keras.Input(shape=(784,)),
        keras.layers.Dense(256, activation="relu"),   # glorot_uniform / zeros by default
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(10),
    ])
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-7),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )

    print(f"VERSION framework=keras version={keras.__version__} tensorflow={tf.__version__} "
          f"numpy={np.__version__} python={sys.version.split()[0]} "
          f"intraop={tf.config.threading.get_intra_op_parallelism_threads()} "
          f"interop={tf.config.threading.get_inter_op_parallelism_threads()} "
          f"jit_compile={getattr(model, 'jit_compile', 'n/a')}", flush=True)

    if args.predict1:
        x1 = tf.constant(x_test[:1])
        times = []
        for _ in range(args.predict1 + 100):  # the first 100 warm up
            t0 = time.perf_counter()
            model(x1, training=False)
            times.append(time.perf_counter() - t0)
        print(f"RESULT framework=keras case=predict1 threads={args.threads} "
              f"us_median={1e6 * statistics.median(times[100:]):.2f}", flush=True)
        return

    timer = EpochTimer()
    model.fit(x_train, y_train, batch_size=args.batch, epochs=args.epochs,
              shuffle=True, verbose=0, callbacks=[timer])

    logits = model.predict(x_test, batch_size=1000, verbose=0)
    acc = float(np.mean(np.argmax(logits, axis=1) == y_test))

    print(f"RESULT framework=keras threads={args.threads} batch={args.batch} "
          f"epoch_s_median={statistics.median(timer.times):.4f} test_acc={acc:.4f}", flush=True)


if __name__ == "__main__":
    main()
