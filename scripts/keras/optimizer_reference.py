#!/usr/bin/env python3
"""Where the numbers in tests/test_optimizers.cc come from.

Each optimizer's first three updates of w0 = [1, -2, 3] with the gradients G are computed
twice: from the formulas written out in optimizers/*.h with plain Python floats, and by
Keras 3 itself (opt.apply_gradients on a float64 variable, so that float32 rounding
does not hide a difference in the formula). The two must agree to 1e-6;
the plain-float values are printed as the C++ literals the test uses. The schedules and the
clipping cases are printed the same way.

Run with the Keras 3 environment (see README.md):
    /opt/kerasenv-k3/bin/python scripts/keras/optimizer_reference.py
Not run by the tests.
"""

import math
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

W0 = [1.0, -2.0, 3.0]
G = [[0.1, -0.2, 0.3], [-0.5, 0.4, 0.01], [0.2, 0.0, 0.0]]
LR = 0.01


def run(step):
    """Three steps of `step(t, w, g, state)` (t = 1, 2, 3); returns w after each."""
    w, state, out = list(W0), {}, []
    for t, g in enumerate(G, start=1):
        w = [step(t, i, w[i], g[i], state) for i in range(len(w))]
        out.append(w)
    return out


def slot(state, name, i, init=0.0):
    return state.setdefault((name, i), init)


def sgd(momentum=0.0, nesterov=False, wd=0.0):
    def step(t, i, w, g, s):
        w -= w * wd * LR
        if momentum == 0:
            return w - LR * g
        m = momentum * slot(s, "m", i) - LR * g
        s[("m", i)] = m
        return w + (momentum * m - LR * g if nesterov else m)
    return step


def adam(b1=0.9, b2=0.999, eps=1e-7, amsgrad=False, wd=0.0):
    def step(t, i, w, g, s):
        w -= w * wd * LR
        alpha = LR * math.sqrt(1 - b2**t) / (1 - b1**t)
        m = slot(s, "m", i) + (g - slot(s, "m", i)) * (1 - b1)
        v = slot(s, "v", i) + (g * g - slot(s, "v", i)) * (1 - b2)
        s[("m", i)], s[("v", i)] = m, v
        if amsgrad:
            v = s[("vhat", i)] = max(slot(s, "vhat", i), v)
        return w - m * alpha / (math.sqrt(v) + eps)
    return step


def rmsprop(rho=0.9, momentum=0.0, eps=1e-7, centered=False):
    def step(t, i, w, g, s):
        vel = s[("vel", i)] = rho * slot(s, "vel", i) + (1 - rho) * g * g
        denom = vel + eps
        if centered:
            avg = s[("avg", i)] = rho * slot(s, "avg", i) + (1 - rho) * g
            denom = vel - avg * avg + eps
        inc = LR * g / math.sqrt(denom)
        if momentum > 0:
            inc = s[("mom", i)] = momentum * slot(s, "mom", i) + inc
        return w - inc
    return step


def adagrad(init=0.1, eps=1e-7):
    def step(t, i, w, g, s):
        acc = s[("acc", i)] = slot(s, "acc", i, init) + g * g
        return w - LR * g / math.sqrt(acc + eps)
    return step


def nadam(b1=0.9, b2=0.999, eps=1e-7):
    def step(t, i, w, g, s):
        u_t = b1 * (1 - 0.5 * 0.96**t)
        u_t1 = b1 * (1 - 0.5 * 0.96 ** (t + 1))
        if i == 0:  # once per step, before the updates, as Keras does
            s["u_product"] = s.get("u_product", 1.0) * u_t
        u_prod = s["u_product"]
        m = s[("m", i)] = slot(s, "m", i) + (g - slot(s, "m", i)) * (1 - b1)
        v = s[("v", i)] = slot(s, "v", i) + (g * g - slot(s, "v", i)) * (1 - b2)
        m_hat = u_t1 * m / (1 - u_prod * u_t1) + (1 - u_t) * g / (1 - u_prod)
        v_hat = v / (1 - b2**t)
        return w - LR * m_hat / (math.sqrt(v_hat) + eps)
    return step


CASES = {
    "sgd": (sgd(), "SGD", {}),
    "sgd_momentum": (sgd(0.9), "SGD", {"momentum": 0.9}),
    "sgd_nesterov": (sgd(0.9, True), "SGD", {"momentum": 0.9, "nesterov": True}),
    "sgd_weight_decay": (sgd(wd=0.5), "SGD", {"weight_decay": 0.5}),
    "adam": (adam(), "Adam", {}),
    "adam_amsgrad": (adam(amsgrad=True), "Adam", {"amsgrad": True}),
    "adamw": (adam(wd=0.004), "AdamW", {}),
    "rmsprop": (rmsprop(), "RMSprop", {}),
    "rmsprop_momentum_centered": (rmsprop(momentum=0.9, centered=True), "RMSprop",
                                  {"momentum": 0.9, "centered": True}),
    "rmsprop_centered": (rmsprop(centered=True), "RMSprop", {"centered": True}),
    "adagrad": (adagrad(), "Adagrad", {}),
    "nadam": (nadam(), "Nadam", {}),
}


def keras_run(keras, class_name, kwargs, grads=G, w0=W0, lr=LR):
    import numpy as np
    opt = getattr(keras.optimizers, class_name)(learning_rate=lr, **kwargs)
    w = keras.Variable(np.array(w0, "float64"), name="w")
    out = []
    for g in grads:
        opt.apply_gradients([(np.array(g, "float64"), w)])
        out.append([float(x) for x in np.asarray(w)])
    return out


def literal(rows):
    return "{" + ", ".join("{" + ", ".join(f"{x:.9g}" for x in r) + "}" for r in rows) + "}"


def check(name, ours, theirs, tol=1e-6):
    worst = max(abs(a - b) for r, q in zip(ours, theirs) for a, b in zip(r, q))
    assert worst < tol, f"{name}: plain floats and Keras differ by {worst}"


def main():
    import keras
    sched = keras.optimizers.schedules
    for name, (step, class_name, kwargs) in CASES.items():
        ours = run(step)
        check(name, ours, keras_run(keras, class_name, kwargs))
        print(f"{name}: {literal(ours)}")

    # Clipping, with SGD(lr=1) so the update is the clipped gradient itself.
    g = [3.0, -4.0, 0.0]
    for kw in ({"clipnorm": 1.0}, {"clipvalue": 2.5}):
        theirs = keras_run(keras, "SGD", kw, grads=[g], w0=[0.0] * 3, lr=1.0)
        norm = math.sqrt(sum(x * x for x in g))
        if "clipnorm" in kw:
            ours = [-x * 1.0 / max(norm, 1.0) for x in g]
        else:
            ours = [-min(max(x, -2.5), 2.5) for x in g]
        check(str(kw), [ours], theirs)
        print(f"{kw}: {literal([ours])}")
    # global_clipnorm over two variables: a = [3, 4], b = [12]; joint norm 13.
    import numpy as np
    opt = keras.optimizers.SGD(learning_rate=1.0, global_clipnorm=6.5)
    a = keras.Variable(np.zeros(2, "float32"))
    b = keras.Variable(np.zeros(1, "float32"))
    opt.apply_gradients([(np.array([3.0, 4.0], "float32"), a),
                         (np.array([12.0], "float32"), b)])
    ours = [-3.0 * 0.5, -4.0 * 0.5, -12.0 * 0.5]
    check("global_clipnorm", [ours], [list(np.asarray(a)) + list(np.asarray(b))])
    print(f"global_clipnorm 6.5: {literal([ours])}")

    # SGD following a schedule: lr at iterations 0, 1, 2 is 0.1 * 0.5^(t / 2).
    opt_kw = {"learning_rate": sched.ExponentialDecay(0.1, 2, 0.5)}
    theirs = keras_run(keras, "SGD", {}, lr=opt_kw["learning_rate"])
    w, ours = list(W0), []
    for t, g in enumerate(G):
        w = [x - 0.1 * 0.5 ** (t / 2) * gi for x, gi in zip(w, g)]
        ours.append(w)
    check("sgd_schedule", ours, theirs)
    print(f"sgd_schedule: {literal(ours)}")

    schedules = {
        "ExponentialDecay(0.1, 10, 0.5)": sched.ExponentialDecay(0.1, 10, 0.5),
        "ExponentialDecay(0.1, 10, 0.5, staircase)": sched.ExponentialDecay(0.1, 10, 0.5, True),
        "PiecewiseConstantDecay([2, 5], [1, 0.5, 0.1])":
            sched.PiecewiseConstantDecay([2, 5], [1.0, 0.5, 0.1]),
        "CosineDecay(0.1, 10)": sched.CosineDecay(0.1, 10),
        "CosineDecay(0.1, 10, alpha 0.1, warmup 3 to 0.2)":
            sched.CosineDecay(0.1, 10, alpha=0.1, warmup_steps=3, warmup_target=0.2),
    }
    steps = [0, 1, 2, 3, 5, 6, 8, 10, 13, 20]
    print("steps", steps)
    for name, s in schedules.items():
        print(f"{name}: {{{', '.join(f'{float(s(t)):.9g}' for t in steps)}}}")
        print("  config", keras.optimizers.schedules.serialize(s))


if __name__ == "__main__":
    main()
