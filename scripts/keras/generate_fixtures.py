#!/usr/bin/env python3
"""Generate Keras HDF5 fixtures for nabla's loader tests.

Runs under either
  * tf-keras 2   (package ``tf_keras``; flavor ``tfkeras2``), or
  * Keras 3      (package ``keras`` >= 3; flavor ``keras3``).

The flavor is detected: if ``tf_keras`` can be imported it is used, unless
``--flavor keras3`` is given. For every case it writes into the output
directory (default: <repo>/tests/data/keras):

  <case>.<flavor>.model.h5    model.save(...) in the legacy HDF5 format
  <case>.<flavor>.weights.h5  save_weights(...) (tf-keras 2: legacy layout;
                              Keras 3: its own ``.weights.h5`` layout)

and merges its entries into ``manifest.json`` (entries of the other flavor
are kept, so running the script once per environment gives one manifest).
The second set (Functional models, more layers, Keras 3 ``.keras`` archives)
goes to <out>/functional/ with its own manifest: see functional_fixtures.py.

See scripts/keras/README.md for how to create the environments.
"""

import argparse
import json
import os
import sys
import zlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

ACTIVATIONS = [
    "linear", "relu", "relu6", "leaky_relu", "elu", "selu", "sigmoid",
    "hard_sigmoid", "tanh", "softmax", "log_softmax", "softplus", "softsign",
    "gelu", "swish", "silu", "mish", "exponential",
]
N_ROWS = 5


def import_keras(flavor):
    """Return (keras module, flavor, tensorflow version or None)."""
    if flavor in (None, "tfkeras2"):
        try:
            os.environ["TF_USE_LEGACY_KERAS"] = "1"
            import tf_keras as keras  # noqa: F401
            flavor = "tfkeras2"
        except ImportError:
            if flavor == "tfkeras2":
                raise
            os.environ.pop("TF_USE_LEGACY_KERAS", None)
            flavor = None
    if flavor in (None, "keras3"):
        os.environ.pop("TF_USE_LEGACY_KERAS", None)
        import keras
        if int(keras.__version__.split(".")[0]) < 3:
            sys.exit("keras %s is not Keras 3" % keras.__version__)
        flavor = "keras3"
    try:
        import tensorflow as tf
        tf_version = tf.__version__
    except ImportError:
        tf_version = None
    return keras, flavor, tf_version


# ---------------------------------------------------------------- cases
# Each builder gets (keras, flavor) and returns (model, input_shape) where
# input_shape excludes the batch dimension. A builder may raise SkipCase.

class SkipCase(Exception):
    pass


def inp(keras, shape):
    return keras.Input(shape=shape)


def dense_act(act):
    def build(keras, flavor):
        try:
            keras.activations.get(act)
        except Exception as e:  # unknown activation in this version
            raise SkipCase("activation %r unknown to keras %s: %s"
                           % (act, keras.__version__, e))
        m = keras.Sequential([inp(keras, (4,)),
                              keras.layers.Dense(3, activation=act)])
        return m, (4,)
    return build


def dense_nobias(keras, flavor):
    return keras.Sequential([inp(keras, (5,)),
                             keras.layers.Dense(3, use_bias=False)]), (5,)


def activation_layer(keras, flavor):
    return keras.Sequential([inp(keras, (4,)),
                             keras.layers.Dense(4),
                             keras.layers.Activation("tanh"),
                             keras.layers.Dense(2)]), (4,)


def leaky_kwargs(flavor, slope):
    return {"alpha": slope} if flavor == "tfkeras2" else {"negative_slope": slope}


def leakyrelu_layer(keras, flavor):
    return keras.Sequential([
        inp(keras, (4,)),
        keras.layers.Dense(4),
        keras.layers.LeakyReLU(**leaky_kwargs(flavor, 0.15)),
        keras.layers.Dense(2)]), (4,)


def dense_activation_object(keras, flavor):
    # activation given as a layer object: serialized as a nested
    # {"class_name": "LeakyReLU", "config": {...}} inside the Dense config.
    act = keras.layers.LeakyReLU(**leaky_kwargs(flavor, 0.15))
    return keras.Sequential([inp(keras, (4,)),
                             keras.layers.Dense(3, activation=act)]), (4,)


def dropout(keras, flavor):
    return keras.Sequential([inp(keras, (4,)),
                             keras.layers.Dense(5, activation="relu"),
                             keras.layers.Dropout(0.5),
                             keras.layers.Dense(2)]), (4,)


def flatten(keras, flavor):
    return keras.Sequential([inp(keras, (2, 3)),
                             keras.layers.Flatten(),
                             keras.layers.Dense(3, activation="relu")]), (2, 3)


def batchnorm(keras, flavor):
    return keras.Sequential([inp(keras, (4,)),
                             keras.layers.Dense(5),
                             keras.layers.BatchNormalization(),
                             keras.layers.Dense(2)]), (4,)


def batchnorm_nocenter(keras, flavor):
    return keras.Sequential([inp(keras, (4,)),
                             keras.layers.BatchNormalization(center=False,
                                                             epsilon=0.01),
                             keras.layers.Dense(2)]), (4,)


def batchnorm_noscale(keras, flavor):
    return keras.Sequential([inp(keras, (4,)),
                             keras.layers.BatchNormalization(scale=False,
                                                             momentum=0.9),
                             keras.layers.Dense(2)]), (4,)


def layernorm(keras, flavor):
    return keras.Sequential([inp(keras, (5,)),
                             keras.layers.Dense(4),
                             keras.layers.LayerNormalization(),
                             keras.layers.Dense(2)]), (5,)


def no_input_layer(keras, flavor):
    if flavor != "tfkeras2":
        raise SkipCase("tf-keras 2 only: Keras 3 deprecates input_shape on "
                       "layers in favour of an explicit keras.Input")
    return keras.Sequential([keras.layers.Dense(4, activation="relu",
                                                input_shape=(3,)),
                             keras.layers.Dense(2)]), (3,)


def mlp(keras, flavor):
    L = keras.layers
    return keras.Sequential([inp(keras, (6,)),
                             L.Dense(16, activation="relu"),
                             L.Dropout(0.2),
                             L.BatchNormalization(),
                             L.Dense(16, activation="relu"),
                             L.Dropout(0.2),
                             L.BatchNormalization(),
                             L.Dense(3, activation="softmax")]), (6,)


# (case name, builder, compile?, train one step before setting weights?)
CASES = [("dense_" + a, dense_act(a), i % 2 == 0, False)
         for i, a in enumerate(ACTIVATIONS)]
CASES += [
    ("dense_nobias", dense_nobias, False, False),
    ("activation_layer", activation_layer, True, False),
    ("leakyrelu_layer", leakyrelu_layer, True, False),
    ("dense_activation_object", dense_activation_object, False, False),
    ("dropout", dropout, True, False),
    ("flatten", flatten, True, False),
    ("batchnorm", batchnorm, True, False),
    ("batchnorm_nocenter", batchnorm_nocenter, False, False),
    ("batchnorm_noscale", batchnorm_noscale, True, False),
    ("layernorm", layernorm, True, False),
    ("no_input_layer", no_input_layer, True, False),
    # mlp is trained for one small epoch so the .model.h5 holds
    # optimizer_weights too; then the weights are overwritten.
    ("mlp", mlp, True, True),
]


# ---------------------------------------------------------------- helpers

def weight_path(w):
    return getattr(w, "path", None) or w.name


def set_random_weights(model, rng, np):
    new = []
    for w in model.weights:
        shape = tuple(int(d) for d in w.shape)
        p = weight_path(w)
        if "moving_variance" in p:
            v = rng.uniform(0.5, 2.0, shape)
        elif "gamma" in p:
            v = rng.uniform(0.5, 1.5, shape)
        else:
            v = rng.uniform(-1.0, 1.0, shape)
        new.append(v.astype(np.float32))
    model.set_weights(new)


def to_list(a):
    # float32 -> Python float is exact; json writes the shortest repr of
    # that double, which round-trips to the same float32.
    return [to_list(x) for x in a] if a.ndim > 1 else [float(x) for x in a]


def layer_list(model):
    out = []
    for layer in model.layers:
        out.append({
            "name": layer.name,
            "class_name": layer.__class__.__name__,
            "weights": [{"name": weight_path(w),
                         "shape": [int(d) for d in w.shape]}
                        for w in layer.weights],
        })
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--out", default=os.path.join(here, "..", "..", "tests",
                                                  "data", "keras"))
    ap.add_argument("--flavor", choices=["tfkeras2", "keras3"])
    ap.add_argument("--cases", nargs="*", help="only these cases")
    ap.add_argument("--set", choices=["all", "sequential", "functional"],
                    default="all", help="sequential: <out>/*.h5 and manifest.json; "
                    "functional: <out>/functional/ (functional_fixtures.py)")
    args = ap.parse_args()

    keras, flavor, tf_version = import_keras(args.flavor)
    import numpy as np
    import h5py

    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    backend = keras.backend.backend() if hasattr(keras.backend, "backend") \
        else "tensorflow"
    print("flavor=%s keras=%s tensorflow=%s backend=%s h5py=%s numpy=%s"
          % (flavor, keras.__version__, tf_version, backend, h5py.__version__,
             np.__version__))
    if args.set in ("all", "sequential"):
        sequential_set(keras, flavor, tf_version, backend, out, args, np, h5py)
    if args.set in ("all", "functional"):
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import functional_fixtures
        versions = {"keras_version": keras.__version__,
                    "tensorflow_version": tf_version, "backend": backend,
                    "h5py_version": h5py.__version__,
                    "numpy_version": np.__version__,
                    "python_version": sys.version.split()[0]}
        functional_fixtures.run(keras, flavor, versions, out, args.cases, np,
                                h5py)


def sequential_set(keras, flavor, tf_version, backend, out, args, np, h5py):
    """The first set: Sequential models, <out>/*.h5 and <out>/manifest.json."""
    entries, skipped = [], []
    for name, builder, compile_it, train in CASES:
        if args.cases and name not in args.cases:
            continue
        keras.backend.clear_session()
        seed = zlib.crc32(name.encode()) & 0x7FFFFFFF
        keras.utils.set_random_seed(seed)
        rng = np.random.default_rng(seed)
        try:
            model, in_shape = builder(keras, flavor)
        except SkipCase as e:
            print("skip %-28s %s" % (name, e))
            skipped.append({"case": name, "flavor": flavor,
                            "keras_version": keras.__version__,
                            "reason": str(e)})
            continue
        if compile_it:
            n_out = int(model.output_shape[-1])
            last = model.layers[-1]
            act = getattr(last, "activation", None)
            act_name = getattr(act, "__name__", "")
            loss = ("categorical_crossentropy" if act_name == "softmax"
                    else "mse")
            model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                          loss=loss, metrics=["mae"] if loss == "mse" else
                          ["accuracy"])
            if train:
                xt = rng.normal(size=(16,) + in_shape).astype(np.float32)
                yt = np.eye(n_out, dtype=np.float32)[
                    rng.integers(0, n_out, 16)]
                model.fit(xt, yt, epochs=1, batch_size=8, verbose=0)
        set_random_weights(model, rng, np)
        x = rng.normal(size=(N_ROWS,) + in_shape).astype(np.float32)
        y = np.asarray(model.predict(x, verbose=0), dtype=np.float32)

        model_json = model.to_json()
        common = {
            "case": name, "flavor": flavor,
            "keras_version": keras.__version__,
            "tensorflow_version": tf_version, "backend": backend,
            "compiled": bool(compile_it), "trained_one_epoch": bool(train),
            "model_json": model_json,
            "input_shape": list(in_shape),
            "input": to_list(x), "output": to_list(y),
            "layers": layer_list(model),
        }

        model_file = "%s.%s.model.h5" % (name, flavor)
        model.save(os.path.join(out, model_file))
        if flavor == "keras3":
            weights_file = "%s.keras3.weights.h5" % name
            w_layout = "keras3_weights_h5"
        else:
            weights_file = "%s.tfkeras2.weights.h5" % name
            w_layout = "legacy_h5"
        # tf-keras picks the layout from the file name: a name ending in
        # ".weights.h5" selects the Keras 3 style layout even in tf-keras,
        # so the legacy file is written under a plain ".h5" name and renamed.
        if flavor == "tfkeras2":
            save_name = os.path.join(out, "%s.tfkeras2.tmp-legacy.h5" % name)
        else:
            save_name = os.path.join(out, weights_file)
        model.save_weights(save_name)

        # Round-trip through Keras itself as a sanity check.
        m2 = keras.models.load_model(os.path.join(out, model_file),
                                     compile=False)
        y2 = np.asarray(m2.predict(x, verbose=0))
        m3 = keras.models.model_from_json(model_json)
        m3.load_weights(save_name)
        y3 = np.asarray(m3.predict(x, verbose=0))
        if save_name != os.path.join(out, weights_file):
            os.replace(save_name, os.path.join(out, weights_file))
        if not (np.allclose(y, y2, rtol=1e-6, atol=1e-6)
                and np.allclose(y, y3, rtol=1e-6, atol=1e-6)):
            sys.exit("round trip mismatch for %s" % name)

        entries.append(dict(common, file=model_file, kind="model",
                            layout="legacy_h5"))
        entries.append(dict(common, file=weights_file, kind="weights",
                            layout=w_layout))
        print("ok   %-28s %s, %s" % (name, model_file, weights_file))

    # Merge with an existing manifest: keep other flavors' entries.
    mpath = os.path.join(out, "manifest.json")
    manifest = {"files": [], "skipped": [], "generators": {}}
    if os.path.exists(mpath):
        with open(mpath) as f:
            manifest = json.load(f)
    done = {e["case"] for e in entries} | {s["case"] for s in skipped}
    if not args.cases:
        done = None  # full run: replace everything of this flavor

    def keep(e):
        return e["flavor"] != flavor or (done is not None
                                         and e["case"] not in done)
    manifest["files"] = [e for e in manifest.get("files", []) if keep(e)]
    manifest["skipped"] = [s for s in manifest.get("skipped", []) if keep(s)]
    manifest["files"] += entries
    manifest["skipped"] += skipped
    manifest["files"].sort(key=lambda e: (e["flavor"], e["case"], e["kind"]))
    manifest["skipped"].sort(key=lambda e: (e["flavor"], e["case"]))
    manifest.setdefault("generators", {})[flavor] = {
        "script": "scripts/keras/generate_fixtures.py",
        "keras_version": keras.__version__,
        "tensorflow_version": tf_version, "backend": backend,
        "h5py_version": h5py.__version__, "numpy_version": np.__version__,
        "python_version": sys.version.split()[0],
    }
    manifest["layouts"] = {
        "legacy_h5": "Keras 2 legacy HDF5 (model_weights/<layer>/... for "
                     "model files; layer groups at the root for weights "
                     "files)",
        "keras3_weights_h5": "Keras 3 .weights.h5 layout (layers/<name>/"
                             "vars/<i>), NOT the legacy layout",
    }
    with open(mpath, "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote %d files, %d skipped -> %s" % (len(entries), len(skipped),
                                                 mpath))


if __name__ == "__main__":
    main()
