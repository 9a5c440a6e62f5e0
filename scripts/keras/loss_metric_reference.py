"""Reference values for tests/test_losses.cc and tests/test_metrics.cc.

Each loss and metric is computed twice: with plain Python math (float64, written from the
formulas in Keras's documentation) and with Keras 3 itself (TensorFlow backend, float32). The
script checks that the two agree and prints the plain-math values, which the tests hold as
literals. Documentation only: no test runs it.

    /opt/kerasenv-k3/bin/python scripts/keras/loss_metric_reference.py
"""
import math
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

EPS = 1e-7

# ---------------------------------------------------------------- data (mirrored in the tests)
REG_TRUE = [[1.0, -2.0], [0.5, 3.0], [0.2, 1.5]]
REG_PRED = [[1.5, -1.0], [0.0, 2.0], [0.3, 4.0]]
WEIGHTS3 = [0.5, 2.0, 1.0]

HINGE_PRED = [[0.3, -0.8], [1.2, 0.4], [-0.5, 2.0]]
HINGE_TRUE01 = [[0, 1], [1, 1], [0, 0]]
HINGE_TRUE_PM = [[-1, 1], [1, -1], [-1, 1]]

KL_TRUE = [[0.2, 0.8, 0.0], [0.5, 0.25, 0.25]]
KL_PRED = [[0.3, 0.6, 0.1], [0.4, 0.4, 0.2]]

BCE_TRUE = [[0, 1, 1], [1, 0, 0]]
BCE_LOGITS = [[-1.2, 0.3, 2.0], [0.7, -0.4, -2.5]]
BCE_PROBS = [[0.2, 0.6, 0.9], [0.7, 0.4, 0.1]]
WEIGHTS2 = [0.25, 1.5]

CCE_TRUE = [[0, 0, 1, 0], [1, 0, 0, 0], [0, 0, 0, 1]]
SPARSE_TRUE = [2, 0, 3]
CCE_LOGITS = [[1.0, -0.5, 2.0, 0.1], [0.3, 0.3, -1.0, 1.2], [-2.0, 0.5, 0.0, 1.0]]
CCE_PROBS = [[0.1, 0.2, 0.6, 0.1], [0.5, 0.3, 0.1, 0.1], [0.25, 0.25, 0.25, 0.25]]
LS = 0.1
BLS = 0.2


# ---------------------------------------------------------------- plain math
def mean(xs):
    return sum(xs) / len(xs)


def reduce(per_sample, weights=None):
    """sum_over_batch_size: sum(loss_i * w_i) / batch."""
    weights = weights or [1.0] * len(per_sample)
    return sum(v * w for v, w in zip(per_sample, weights)) / len(per_sample)


def rows(fn, y_true, y_pred):
    return [fn(t, p) for t, p in zip(y_true, y_pred)]


def mse(t, p):
    return mean([(a - b) ** 2 for a, b in zip(t, p)])


def mae(t, p):
    return mean([abs(a - b) for a, b in zip(t, p)])


def mape(t, p):
    return 100 * mean([abs((a - b) / max(abs(a), EPS)) for a, b in zip(t, p)])


def huber(delta):
    def f(t, p):
        out = []
        for a, b in zip(t, p):
            e = abs(b - a)
            out.append(0.5 * e * e if e <= delta else delta * e - 0.5 * delta * delta)
        return mean(out)

    return f


def log_cosh(t, p):
    return mean([math.log(math.cosh(b - a)) for a, b in zip(t, p)])


def hinge_rows(y_true, y_pred):
    flat = [v for r in y_true for v in r]
    binary = all(v in (0, 1) for v in flat)
    conv = [[2 * v - 1 if binary else v for v in r] for r in y_true]
    return rows(lambda t, p: mean([max(1 - a * b, 0) for a, b in zip(t, p)]), conv, y_pred)


def kl(t, p):
    s = 0.0
    for a, b in zip(t, p):
        a = min(max(a, EPS), 1)
        b = min(max(b, EPS), 1)
        s += a * math.log(a / b)
    return s


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


def bce(ls, from_logits):
    def f(t, p):
        out = []
        for a, b in zip(t, p):
            a = a * (1 - ls) + 0.5 * ls
            q = sigmoid(b) if from_logits else min(max(b, EPS), 1 - EPS)
            out.append(-(a * math.log(q) + (1 - a) * math.log(1 - q)))
        return mean(out)

    return f


def softmax(xs):
    m = max(xs)
    e = [math.exp(x - m) for x in xs]
    return [v / sum(e) for v in e]


def cce(ls, from_logits):
    def f(t, p):
        n = len(t)
        t = [a * (1 - ls) + ls / n for a in t]
        q = softmax(p) if from_logits else [v / sum(p) for v in p]
        q = q if from_logits else [min(max(v, EPS), 1 - EPS) for v in q]
        return -sum(a * math.log(b) for a, b in zip(t, q))

    return f


def scce(from_logits):
    def f(label, p):
        if from_logits:
            return -math.log(softmax(p)[label])
        # Keras (TensorFlow backend): clipped probabilities' logs as logits.
        return -math.log(softmax([math.log(min(max(v, EPS), 1 - EPS)) for v in p])[label])

    return f


# ---------------------------------------------------------------- Keras
def keras_loss(loss, y_true, y_pred, w=None):
    kw = {} if w is None else {"sample_weight": np.array(w, "float32")}
    return float(loss(np.array(y_true, "float32"), np.array(y_pred, "float32"), **kw))


def check(label, ours, theirs, tol=2e-6):
    ok = abs(ours - theirs) <= tol * max(1.0, abs(ours))
    print(f"{label:46s} {ours:.17g}" + ("" if ok else f"   KERAS DISAGREES: {theirs!r}"))
    assert ok, label


def losses():
    L = keras.losses
    cases = [
        ("mse", L.MeanSquaredError(), rows(mse, REG_TRUE, REG_PRED), REG_TRUE, REG_PRED),
        ("mae", L.MeanAbsoluteError(), rows(mae, REG_TRUE, REG_PRED), REG_TRUE, REG_PRED),
        ("mape", L.MeanAbsolutePercentageError(), rows(mape, REG_TRUE, REG_PRED), REG_TRUE,
         REG_PRED),
        ("huber(1)", L.Huber(), rows(huber(1.0), REG_TRUE, REG_PRED), REG_TRUE, REG_PRED),
        ("huber(0.7)", L.Huber(delta=0.7), rows(huber(0.7), REG_TRUE, REG_PRED), REG_TRUE,
         REG_PRED),
        ("log_cosh", L.LogCosh(), rows(log_cosh, REG_TRUE, REG_PRED), REG_TRUE, REG_PRED),
        ("hinge 0/1", L.Hinge(), hinge_rows(HINGE_TRUE01, HINGE_PRED), HINGE_TRUE01,
         HINGE_PRED),
        ("hinge -1/1", L.Hinge(), hinge_rows(HINGE_TRUE_PM, HINGE_PRED), HINGE_TRUE_PM,
         HINGE_PRED),
        ("kl", L.KLDivergence(), rows(kl, KL_TRUE, KL_PRED), KL_TRUE, KL_PRED),
    ]
    for from_logits, pred in ((True, BCE_LOGITS), (False, BCE_PROBS)):
        for ls in (0.0, BLS):
            cases.append((f"bce logits={from_logits} ls={ls}",
                          L.BinaryCrossentropy(from_logits=from_logits, label_smoothing=ls),
                          rows(bce(ls, from_logits), BCE_TRUE, pred), BCE_TRUE, pred))
    for from_logits, pred in ((True, CCE_LOGITS), (False, CCE_PROBS)):
        for ls in (0.0, LS):
            cases.append((f"cce logits={from_logits} ls={ls}",
                          L.CategoricalCrossentropy(from_logits=from_logits, label_smoothing=ls),
                          rows(cce(ls, from_logits), CCE_TRUE, pred), CCE_TRUE, pred))
        cases.append((f"scce logits={from_logits}",
                      L.SparseCategoricalCrossentropy(from_logits=from_logits),
                      rows(scce(from_logits), SPARSE_TRUE, pred), SPARSE_TRUE, pred))
    for label, loss, per_sample, t, p in cases:
        w = WEIGHTS2 if len(per_sample) == 2 else WEIGHTS3
        print(f"{label:46s} per sample {[round(v, 12) for v in per_sample]}")
        check(label, reduce(per_sample), keras_loss(loss, t, p))
        check(label + " weighted", reduce(per_sample, w), keras_loss(loss, t, p, w))


# ---------------------------------------------------------------- metrics
AUC_TRUE = [1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0, 1, 0]
AUC_PRED = [0.91, 0.12, 0.45, 0.77, 0.53, 0.08, 0.66, 0.41, 0.29, 0.35, 0.72, 0.88, 0.5, 0.19,
            0.62, 0.97]
AUC_WEIGHTS = [1.0, 0.5, 2.0, 1.0, 1.5, 1.0, 0.25, 1.0, 3.0, 1.0, 0.5, 1.0, 1.0, 2.0, 1.0, 0.75]


def metrics():
    M = keras.metrics
    t = np.array(AUC_TRUE, "float32")
    p = np.array(AUC_PRED, "float32")
    w = np.array(AUC_WEIGHTS, "float32")
    for name, metric in (("auc", M.AUC()), ("precision", M.Precision()), ("recall", M.Recall())):
        for weighted in (False, True):
            metric.reset_state()
            # Three batches, as the test feeds them.
            for lo, hi in ((0, 5), (5, 11), (11, 16)):
                kw = {"sample_weight": w[lo:hi]} if weighted else {}
                metric.update_state(t[lo:hi], p[lo:hi], **kw)
            value = float(metric.result())
            ours = plain_confusion(name, AUC_WEIGHTS if weighted else [1.0] * len(t))
            check(f"{name} weighted={weighted}", ours, value, tol=1e-6)


def plain_confusion(name, w):
    pos = [wi * yi for wi, yi in zip(w, AUC_TRUE)]
    neg = [wi * (1 - yi) for wi, yi in zip(w, AUC_TRUE)]
    if name != "auc":
        tp = sum(a for a, q in zip(pos, AUC_PRED) if q > 0.5)
        fp = sum(b for b, q in zip(neg, AUC_PRED) if q > 0.5)
        fn = sum(a for a, q in zip(pos, AUC_PRED) if q <= 0.5)
        return tp / (tp + fp) if name == "precision" else tp / (tp + fn)
    n = 200
    thresholds = [-EPS] + [(i + 1) / (n - 1) for i in range(n - 2)] + [1 + EPS]
    tpr, fpr = [], []
    for th in thresholds:
        tp = sum(a for a, q in zip(pos, AUC_PRED) if q > th)
        fp = sum(b for b, q in zip(neg, AUC_PRED) if q > th)
        tpr.append(tp / sum(pos))
        fpr.append(fp / sum(neg))
    return sum((fpr[j] - fpr[j + 1]) * (tpr[j] + tpr[j + 1]) / 2 for j in range(n - 1))


if __name__ == "__main__":
    print("keras", keras.__version__, "backend", keras.backend.backend())
    losses()
    metrics()
