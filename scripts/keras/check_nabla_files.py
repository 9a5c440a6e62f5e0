#!/usr/bin/env python3
"""Load nabla's saved .h5 files with real Keras and compare the predictions.

Runs under either
  * tf-keras 2   (package ``tf_keras``; flavor ``tfkeras2``), or
  * Keras 3      (package ``keras`` >= 3; flavor ``keras3``),
detected as generate_fixtures.py does (``--flavor`` forces one).

DIR is what ``nabla_export_models DIR`` wrote: per case ``<case>.model.h5``
and ``<case>.keras`` (Model::save), ``<case>.legacy_weights.h5`` and
``<case>.weights.h5`` (save_weights: Keras 2's legacy layout, Keras 3's
native one) and ``manifest.json`` (input rows, by input name for a model
with several inputs; nabla's predictions, a list for several outputs;
to_json()).
For every case it checks, on the same rows, within --atol of nabla:

  load_model   keras.models.load_model(<case>.model.h5, compile=False)
  compiled     load_model with the default compile=True: the training config
               must deserialize; the optimizer state column says whether
               Keras restored nabla's optimizer_weights or started fresh
  load_weights model_from_json(to_json()) then load_weights of the weights
               file in Keras 2's layout, under a name ending in ".h5" but
               not ".weights.h5" (both Keras versions pick their own new
               layout for that suffix, whatever the file holds)
  native_weights (Keras 3 only) load_weights of nabla's ".weights.h5", in
               Keras 3's native layout
  keras        (Keras 3 only) keras.models.load_model(<case>.keras): the
               .keras archive, compiled from its compile_config; for a
               compiled model the detail says whether Keras restored the
               archive's optimizer variables

and prints a table; the exit code is 1 if any check fails. A "known" row is a
difference that no file can avoid (see KNOWN): it is checked to be exactly
that difference and does not fail the run.

See scripts/keras/README.md ("Real Keras reads nabla's files").
"""

import argparse
import json
import logging
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate_fixtures import import_keras  # noqa: E402  (sets TF env vars)

# "hard_sigmoid" names two functions: Keras 3's relu6(x + 3) / 6 and tf-keras
# 2's clip(0.2 x + 0.5, 0, 1); each Keras reads the name its own way whatever
# keras_version the file carries. nabla's default is Keras 3's (slope 1/6);
# a model read from a Keras 2 file keeps Keras 2's (slope 0.2).
# (case, flavor) -> (reason, slope of nabla's function).
KNOWN = {
    ("dense_hard_sigmoid", "tfkeras2"):
        ("tf-keras 2's hard_sigmoid is clip(0.2x+0.5); nabla's is Keras 3's "
         "relu6(x+3)/6", 1.0 / 6.0),
    ("dense_hard_sigmoid_keras2", "keras3"):
        ("Keras 3's hard_sigmoid is relu6(x+3)/6; this model's is Keras 2's "
         "clip(0.2x+0.5)", 0.2),
}


# Files that a Keras version refuses for a reason outside nabla: (case,
# flavor) -> (methods, text of Keras's error, reason). Such a check is
# "known" only when it fails with that error; one that loads is judged as
# any other. Keras 3 reads the node indices of Keras 2's list-form configs
# as its own numbering, which starts a nested model's calls at 0; tf-keras
# starts them at 1 (a nested model's own first node) and needs that, so no
# list-form config serves both. Keras 3.15.1 refuses tf-keras 2.21's own
# .h5 of these models the same way (tests/data/keras/functional/
# functional_nested_*.tfkeras2.model.h5); it reads nabla's .keras.
NESTED_REASON = ("Keras 3 numbers a nested model's calls in Keras 2's "
                 "list-form config from 0, tf-keras from 1; Keras 3 refuses "
                 "tf-keras's own file alike (reads the .keras)")
KNOWN_ERRORS = {
    (case, "keras3"): (
        ("load_model", "compiled", "load_weights", "native_weights"),
        "The graph of the Functional model either has loops or "
        "disconnected nodes", NESTED_REASON)
    for case in ("functional_nested_sequential",
                 "functional_nested_functional")
}


class Captured(logging.Handler):
    """Collects the warnings Keras logs while restoring optimizer state."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def compare(np, got, want, atol):
    """`want` is one array, or a list (one per output) that `got` must
    match in length and order."""
    if isinstance(want, list):
        if not isinstance(got, (list, tuple)) or len(got) != len(want):
            return False, "%s outputs, nabla %d" % (
                len(got) if isinstance(got, (list, tuple)) else 1, len(want))
        worst = 0.0
        for g, w in zip(got, want):
            ok, detail = compare(np, g, w, atol)
            if not ok and not detail.startswith("max"):
                return False, detail
            worst = max(worst, float(np.max(np.abs(
                np.asarray(g, dtype=np.float64) - w))))
        return worst <= atol, "max |diff| %.2e" % worst
    got = np.asarray(got, dtype=np.float64)
    if got.shape != want.shape:
        return False, "shape %s, nabla %s" % (got.shape, want.shape)
    diff = float(np.max(np.abs(got - want)))
    return diff <= atol, "max |diff| %.2e" % diff


def known_difference(np, keras, model, x, got, want, slope, atol):
    """True if `got` is Keras's hard_sigmoid and `want` nabla's, of the
    same pre-activation (the case is one Dense layer)."""
    import tensorflow as tf  # both flavors run on TensorFlow
    kernel, bias = model.layers[-1].get_weights()
    z = x.astype(np.float64) @ kernel + bias
    keras_own = np.asarray(keras.activations.hard_sigmoid(
        tf.constant(z, tf.float32)), dtype=np.float64)
    nabla_own = np.clip(z * slope + 0.5, 0.0, 1.0)
    ok = (np.max(np.abs(got - keras_own)) <= atol
          and np.max(np.abs(want - nabla_own)) <= atol)
    return ok, "max |diff| %.2e" % float(np.max(np.abs(got - want)))


def optimizer_state(np, h5py, model, path, entry, log):
    """How Keras took nabla's optimizer state: 'restored' when Keras's
    optimizer variables hold the file's optimizer_weights (by position, as
    Keras's set_weights assigns them) and the iteration count is nabla's,
    else 'fresh' with Keras's warning."""
    opt = model.optimizer
    variables = opt.variables() if callable(opt.variables) else opt.variables
    with h5py.File(path, "r") as f:
        g = f["optimizer_weights"]
        names = [n.decode() if hasattr(n, "decode") else n
                 for n in g.attrs["weight_names"]]
        saved = [np.asarray(g[n]) for n in names]
    iterations = int(np.asarray(opt.iterations))
    values = [np.asarray(v) for v in variables]
    n = min(len(values), len(saved))
    same = all(a.shape == b.shape and np.array_equal(a, b)
               for a, b in zip(values[:n], saved[:n]))
    warned = list(dict.fromkeys(m.splitlines()[0] for m in log.messages
                                if "optimizer" in m))
    if same and not warned and iterations == entry["optimizer_iterations"]:
        note = ""
        if len(saved) > n:  # tf-keras's set_weights zips: the rest is unused
            note = "; not read by Keras: " + ", ".join(names[n:])
        elif len(values) > n:
            note = "; %d Keras variables keep their initial values" % (
                len(values) - n)
        return "restored (%d values, iterations %d%s)" % (n, iterations, note)
    return "fresh (%d values in the file, %d Keras variables): %s" % (
        len(saved), len(values), "; ".join(warned) or "values differ")


def archive_optimizer_state(np, h5py, model, path, log):
    """How Keras 3 took the optimizer variables of a .keras archive
    (optimizer/vars/<i> of its model.weights.h5, read by position):
    'restored' when Keras's optimizer holds them all, else 'fresh' with
    Keras's warning."""
    import io
    import zipfile
    with zipfile.ZipFile(path) as z:
        data = z.read("model.weights.h5")
    with h5py.File(io.BytesIO(data), "r") as f:
        g = f["optimizer/vars"]
        saved = [np.asarray(g[str(i)]) for i in range(len(g))]
    values = [np.asarray(v) for v in model.optimizer.variables]
    warned = list(dict.fromkeys(m.splitlines()[0] for m in log.messages
                                if "optimizer" in m))
    if len(values) == len(saved) and all(
            a.shape == b.shape and np.array_equal(a, b)
            for a, b in zip(values, saved)):
        return "restored (%d variables, iterations %d)" % (
            len(saved), int(np.asarray(model.optimizer.iterations)))
    return "fresh (%d variables in the archive, %d in Keras): %s" % (
        len(saved), len(values), "; ".join(warned) or "values differ")


def optimizer_config_diff(keras_config, nabla_config):
    """The optimizer arguments in which Keras's compiled optimizer differs
    from the file's (nabla's) config, as 'key Keras=.. nabla=..'."""
    out = []
    for key, want in sorted(nabla_config.items()):
        if key in ("name", "jit_compile", "is_legacy_optimizer"):
            continue
        got = keras_config.get(key)
        if isinstance(want, dict) or isinstance(got, dict):
            same = (isinstance(got, dict) and isinstance(want, dict)
                    and got.get("class_name") == want.get("class_name"))
        elif isinstance(want, float) and isinstance(got, (int, float)):
            same = abs(got - want) <= 1e-7 * max(1.0, abs(want))
        else:
            same = got == want
        if not same:
            def show(v):
                return v.get("class_name") if isinstance(v, dict) else v
            out.append("%s Keras=%s nabla=%s" % (key, show(got), show(want)))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("dir", help="output folder of nabla_export_models")
    ap.add_argument("--flavor", choices=["tfkeras2", "keras3"])
    ap.add_argument("--cases", nargs="*", help="only these cases")
    ap.add_argument("--atol", type=float, default=1e-5)
    args = ap.parse_args()

    keras, flavor, tf_version = import_keras(args.flavor)
    import numpy as np
    import h5py

    print("flavor=%s keras=%s tensorflow=%s h5py=%s numpy=%s python=%s"
          % (flavor, keras.__version__, tf_version, h5py.__version__,
             np.__version__, sys.version.split()[0]))
    with open(os.path.join(args.dir, "manifest.json")) as f:
        manifest = json.load(f)

    # Keras's log records (the optimizer-state warning, "No training
    # configuration found", tf.function retracing) go to the table's detail
    # column, not to stderr.
    log = Captured()
    logging.getLogger().addHandler(log)
    for name in ("absl", "tensorflow"):
        logging.getLogger(name).handlers = [log]
        logging.getLogger(name).propagate = False
    links = tempfile.mkdtemp(prefix="nabla_legacy_weights_")
    rows, failed = [], 0
    for entry in manifest["cases"]:
        case = entry["case"]
        if args.cases and case not in args.cases:
            continue
        # Several inputs go by name (Keras matches a dict to model.inputs'
        # names); several outputs come back as a list in model.outputs order.
        if "inputs" in entry:
            x = {name: np.asarray(rows, dtype=np.float32)
                 for name, rows in entry["inputs"].items()}
        else:
            x = np.asarray(entry["input"], dtype=np.float32)
        if "outputs" in entry:
            want = [np.asarray(o, dtype=np.float64) for o in entry["outputs"]]
        else:
            want = np.asarray(entry["output"], dtype=np.float64)
        model_path = os.path.join(args.dir, entry["model_file"])
        known = KNOWN.get((case, flavor))

        def check(method, load):
            """(status, detail) of one way of loading."""
            keras.backend.clear_session()
            log.messages.clear()
            try:
                model, extra = load()
                got = model.predict(x, verbose=0)
                if not isinstance(got, (list, tuple)):
                    got = np.asarray(got, dtype=np.float64)
            except Exception as e:  # Keras's refusal is the result
                refused = KNOWN_ERRORS.get((case, flavor))
                if (refused and method in refused[0]
                        and refused[1] in str(e)):
                    return "known", "%s (%s)" % (refused[2],
                                                 type(e).__name__)
                return "FAIL", "%s: %s" % (type(e).__name__,
                                           str(e).splitlines()[0][:160])
            if known:
                ok, detail = known_difference(np, keras, model, x, got, want,
                                              known[1], args.atol)
                return ("known" if ok else "FAIL"), "%s (%s)" % (known[0],
                                                                 detail)
            ok, detail = compare(np, got, want, args.atol)
            return ("pass" if ok else "FAIL"), "; ".join(
                [detail] + ([extra] if extra else []))

        def load_model():
            return keras.models.load_model(model_path, compile=False), ""

        def load_compiled():
            m = keras.models.load_model(model_path)
            if not entry["compiled"]:
                return m, ""
            if not getattr(m, "optimizer", None):
                raise RuntimeError("not compiled after load_model")
            with h5py.File(model_path, "r") as f:
                tc = json.loads(f.attrs["training_config"])
            diff = optimizer_config_diff(m.optimizer.get_config(),
                                         tc["optimizer_config"]["config"])
            return m, "optimizer %s, %s; state %s" % (
                type(m.optimizer).__name__,
                ("config differs: " + ", ".join(diff)) if diff
                else "config as saved",
                optimizer_state(np, h5py, m, model_path, entry, log))

        def load_weights():
            # The same file under a name that selects the legacy h5 loader.
            link = os.path.join(links, case + ".legacy.h5")
            if not os.path.lexists(link):
                os.symlink(os.path.abspath(
                    os.path.join(args.dir, entry["weights_file"])), link)
            m = keras.models.model_from_json(entry["model_json"])
            m.load_weights(link)
            return m, ""

        def load_native_weights():
            # Keras 3's own layout, which nabla writes for ".weights.h5".
            m = keras.models.model_from_json(entry["model_json"])
            m.load_weights(os.path.join(args.dir,
                                        entry["native_weights_file"]))
            return m, ""

        def load_archive():
            path = os.path.join(args.dir, entry["archive_file"])
            m = keras.models.load_model(path)
            if not entry["compiled"]:
                return m, ""
            if not getattr(m, "optimizer", None):
                raise RuntimeError("not compiled after load_model")
            return m, "optimizer %s; state %s" % (
                type(m.optimizer).__name__,
                archive_optimizer_state(np, h5py, m, path, log))

        methods = [("load_model", load_model), ("compiled", load_compiled),
                   ("load_weights", load_weights)]
        if flavor == "keras3":  # tf-keras 2 reads neither of these
            methods.append(("native_weights", load_native_weights))
            methods.append(("keras", load_archive))
        for method, load in methods:
            if method == "keras" and "archive_refused" in entry:
                # nabla does not write it: a .keras config cannot name
                # the function (see KNOWN).
                rows.append((case, method, "known", "not written: " +
                             entry["archive_refused"][:120]))
                continue
            status, detail = check(method, load)
            failed += status == "FAIL"
            rows.append((case, method, status, detail))

    width = max(len(r[0]) for r in rows)
    print("\n%-*s  %-12s  %-6s  %s" % (width, "case", "method", "result",
                                       "detail"))
    for case, method, status, detail in rows:
        print("%-*s  %-12s  %-6s  %s" % (width, case, method, status, detail))
    counts = {s: sum(r[2] == s for r in rows) for s in ("pass", "known",
                                                        "FAIL")}
    print("\n%s keras %s: %d checks, %d pass, %d known, %d FAIL"
          % (flavor, keras.__version__, len(rows), counts["pass"],
             counts["known"], counts["FAIL"]))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
