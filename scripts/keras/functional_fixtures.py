"""Write the second fixture set: tests/data/keras/functional/.

Called by generate_fixtures.py after the Sequential set, with the same Keras.
The cases are in functional_cases.py. Per case and flavor it writes

  <case>.<flavor>.model.h5                model.save(".h5"), Keras 2 legacy HDF5
  <case>.<flavor>.weights.h5              save_weights (tf-keras: legacy layout;
                                          Keras 3: its own layers/<name>/vars)
  <case>.keras3.keras                     model.save(".keras"), Keras 3 only
  <case>.keras3.after_step.weights.h5     next-step cases: the model's state
                                          (layers and optimizer/vars) after one
                                          more train_on_batch
  config_forms/...                        a few configs pretty-printed

and merges its entries into functional/manifest.json. Every file is loaded back
with Keras before the manifest is written; a next step is also taken from the
loaded .keras and must equal the in-memory model's next step.
"""

import io
import json
import os
import sys
import zipfile
import zlib

from functional_cases import CASES

N_ROWS = 5
BATCH = 8
CONFIG_FORM_CASES = ("functional_two_in_two_out", "functional_nested_sequential")


def weight_path(w):
    return getattr(w, "path", None) or w.name


def to_list(a):
    a = a.reshape(1) if a.ndim == 0 else a
    return [to_list(x) for x in a] if a.ndim > 1 else [float(x) for x in a]


def is_model(keras, layer):
    return isinstance(layer, keras.Model)


def leaf_layers(keras, model):
    """Every non-model layer, depth first in model.layers order."""
    for layer in model.layers:
        if is_model(keras, layer):
            yield from leaf_layers(keras, layer)
        else:
            yield layer


def set_random_weights(keras, model, rng, np):
    # Same draws in both flavors: layers in model.layers order, each layer's
    # weights in its own order. Normalization keeps what adapt() computed.
    for layer in leaf_layers(keras, model):
        if isinstance(layer, keras.layers.Normalization) or not layer.weights:
            continue
        new = [rng.uniform(-1.0, 1.0, tuple(int(d) for d in w.shape))
               .astype(np.float32) for w in layer.weights]
        layer.set_weights(new)


def input_names(keras, model):
    names = getattr(model, "input_names", None)
    if names:
        return list(names)
    first = getattr(model, "_layers", [None])[0]
    if isinstance(model, keras.Sequential) and isinstance(
            first, keras.layers.InputLayer):
        return [first.name]  # Keras 3: the Sequential's InputLayer
    return [t.name.split(":")[0] for t in model.inputs]


def output_names(model):
    names = getattr(model, "output_names", None)
    return list(names) if names else [model.layers[-1].name]


def structure(obj):
    return "dict" if isinstance(obj, dict) else (
        "list" if isinstance(obj, (list, tuple)) and len(obj) > 1 else "single")


def nested(model, tf2_attr, k3_attr, default):
    """The inputs or outputs as the model was built with them (dict, list, one)."""
    for attr in (tf2_attr, k3_attr):
        v = getattr(model, attr, None)
        if v is not None:
            return v
    return default


class Io:
    """Names, shapes and structure of a model's inputs and outputs."""

    def __init__(self, keras, model):
        self.in_names = input_names(keras, model)
        self.in_shapes = [[int(d) for d in t.shape[1:]] for t in model.inputs]
        self.out_names = output_names(model)
        self.out_shapes = [[int(d) for d in t.shape[1:]] for t in model.outputs]
        self.in_struct = structure(nested(model, "_nested_inputs",
                                          "_inputs_struct", model.inputs))
        self.out_struct = structure(nested(model, "_nested_outputs",
                                           "_outputs_struct", model.outputs))

    def draw(self, rng, np, rows):
        return {n: rng.normal(size=(rows,) + tuple(s)).astype(np.float32)
                for n, s in zip(self.in_names, self.in_shapes)}

    def feed(self, x):
        if self.in_struct == "dict":
            return dict(x)
        if self.in_struct == "list":
            return [x[n] for n in self.in_names]
        return x[self.in_names[0]]

    def outputs(self, y, np):
        if isinstance(y, dict):
            return {k: np.asarray(v, dtype=np.float32) for k, v in y.items()}
        if isinstance(y, (list, tuple)):
            return {n: np.asarray(v, dtype=np.float32)
                    for n, v in zip(self.out_names, y)}
        return {self.out_names[0]: np.asarray(y, dtype=np.float32)}

    def targets(self, compile_kwargs, rng, np, rows):
        loss = compile_kwargs["loss"]
        y = {}
        for n, s in zip(self.out_names, self.out_shapes):
            kind = loss.get(n) if isinstance(loss, dict) else loss
            if kind == "categorical_crossentropy":
                y[n] = np.eye(s[-1], dtype=np.float32)[rng.integers(0, s[-1], rows)]
            else:
                y[n] = rng.normal(size=(rows,) + tuple(s)).astype(np.float32)
        return y

    def feed_targets(self, y):
        if self.out_struct == "dict":
            return dict(y)
        if self.out_struct == "list":
            return [y[n] for n in self.out_names]
        return y[self.out_names[0]]

    def manifest(self):
        return {"inputs": [{"name": n, "shape": s}
                           for n, s in zip(self.in_names, self.in_shapes)],
                "outputs": [{"name": n, "shape": s}
                            for n, s in zip(self.out_names, self.out_shapes)],
                "input_structure": self.in_struct,
                "output_structure": self.out_struct}


def layer_list(keras, model):
    out = []
    for layer in model.layers:
        e = {"name": layer.name, "class_name": layer.__class__.__name__,
             "weights": [{"name": weight_path(w), "shape": [int(d) for d in w.shape]}
                         for w in layer.weights]}
        if is_model(keras, layer):
            e["layers"] = layer_list(keras, layer)
        out.append(e)
    return out


def h5_vars_layout(h5file):
    """Every `vars` group of a Keras 3 weights file: path, name attribute, shapes."""
    groups = []

    def visit(path, obj):
        if path.split("/")[-1] == "vars" and hasattr(obj, "keys"):
            keys = sorted(obj.keys(), key=int)
            name = obj.attrs.get("name")
            groups.append({"path": path,
                           "name": name.decode() if isinstance(name, bytes) else name,
                           "vars": [list(obj[k].shape) for k in keys]})
    h5file.visititems(visit)
    return groups


def zip_members(path):
    with zipfile.ZipFile(path) as zf:
        return [{"name": i.filename, "compress_type": i.compress_type,
                 "file_size": i.file_size, "compress_size": i.compress_size}
                for i in zf.infolist()]


def max_diff(a, b, np):
    return max((float(np.max(np.abs(np.asarray(a[k]) - np.asarray(b[k]))))
                if np.asarray(a[k]).size else 0.0) for k in a)


def optimizer_vars(model):
    opt = getattr(model, "optimizer", None)
    return list(getattr(opt, "variables", []) or []) if opt is not None else []


def check_identity(model, name, np):
    layer = model.get_layer(name)
    width = int(layer.input.shape[-1])
    t = np.linspace(-2.0, 2.0, N_ROWS * width, dtype=np.float32).reshape(N_ROWS, width)
    got = np.asarray(layer(t, training=False))
    if not np.array_equal(got, t):
        sys.exit("%s is not the identity at inference" % name)
    return {"layer": name, "checked": "layer(x, training=False) == x exactly"}


def dump_config_forms(out, name, flavor, files):
    import h5py
    cdir = os.path.join(out, "config_forms")
    os.makedirs(cdir, exist_ok=True)

    def write(fname, text):
        with open(os.path.join(cdir, fname), "w") as f:
            json.dump(json.loads(text), f, indent=1, sort_keys=False)
            f.write("\n")
    if "model" in files:
        with h5py.File(os.path.join(out, files["model"]), "r") as f:
            cfg = f.attrs["model_config"]
            write("%s.%s.model_config.json" % (name, flavor),
                  cfg.decode() if isinstance(cfg, bytes) else cfg)
    if "keras" in files:
        with zipfile.ZipFile(os.path.join(out, files["keras"])) as zf:
            write("%s.keras3.config.json" % name, zf.read("config.json").decode())
            write("%s.keras3.metadata.json" % name, zf.read("metadata.json").decode())


def build_and_train(c, keras, flavor, np):
    """The model of case c with its final weights, its Io, its compile kwargs, rng."""
    seed = zlib.crc32(c["name"].encode()) & 0x7FFFFFFF
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    model = c["build"](keras, flavor, rng)
    io_ = Io(keras, model)
    kwargs = c["compile"](keras) if c["compile"] else None
    if kwargs:
        model.compile(**kwargs)
        if c["epochs_before"]:
            xt, yt = io_.draw(rng, np, 16), io_.targets(kwargs, rng, np, 16)
            model.fit(io_.feed(xt), io_.feed_targets(yt),
                      epochs=c["epochs_before"], batch_size=8, verbose=0)
    set_random_weights(keras, model, rng, np)
    for _ in range(c["steps_after"]):
        xt, yt = io_.draw(rng, np, BATCH), io_.targets(kwargs, rng, np, BATCH)
        model.train_on_batch(io_.feed(xt), io_.feed_targets(yt))
    return model, io_, kwargs, rng


def save_files(c, keras, flavor, model, model_json, out):
    """Writes the case's files; returns ({kind: file}, [(kind, model loaded back)])."""
    name, files, loaded = c["name"], {}, []
    # The .keras first: Keras 3.15's legacy .h5 save pops "optimizer" out of
    # the model's compile config, so a .keras saved after it has none.
    if flavor == "keras3" and c["archive"]:
        files["keras"] = "%s.keras3.keras" % name
        model.save(os.path.join(out, files["keras"]))
        loaded.append(("keras", keras.models.load_model(
            os.path.join(out, files["keras"]))))
    if c["legacy"]:
        files["model"] = "%s.%s.model.h5" % (name, flavor)
        model.save(os.path.join(out, files["model"]))
        loaded.append(("model", keras.models.load_model(
            os.path.join(out, files["model"]), compile=False)))
        files["weights"] = "%s.%s.weights.h5" % (name, flavor)
        # tf-keras picks the layout from the name (see generate_fixtures.py).
        final = os.path.join(out, files["weights"])
        save_name = final if flavor == "keras3" else os.path.join(
            out, "%s.tfkeras2.tmp-legacy.h5" % name)
        model.save_weights(save_name)
        m3 = keras.models.model_from_json(model_json)
        m3.load_weights(save_name)
        loaded.append(("weights", m3))
        if save_name != final:
            os.replace(save_name, final)
    return files, loaded


def next_step(c, model, loaded, io_, kwargs, rng, x, out, np):
    """One more train_on_batch, in memory and from the loaded .keras: must agree."""
    # By position: Keras 3 restores optimizer/vars/<i> by index, and the slot
    # names may differ (a nested model's variables are named
    # "block_block_dense_1_kernel_momentum" before the save and
    # "block_dense_1_kernel_momentum" after the load).
    saved = dict(enumerate(np.asarray(v) for v in optimizer_vars(model)))
    restored = dict(enumerate(np.asarray(v) for v in optimizer_vars(loaded)))
    if len(saved) != len(restored) or max_diff(saved, restored, np) != 0.0:
        sys.exit("%s: Keras did not restore its optimizer state" % c["name"])
    bx, by = io_.draw(rng, np, BATCH), io_.targets(kwargs, rng, np, BATCH)
    res = model.train_on_batch(io_.feed(bx), io_.feed_targets(by), return_dict=True)
    res2 = loaded.train_on_batch(io_.feed(bx), io_.feed_targets(by),
                                 return_dict=True)

    def state(m):
        return dict(enumerate(np.asarray(v) for v in m.weights + optimizer_vars(m)))
    mem, lod = state(model), state(loaded)
    if set(mem) != set(lod) or max_diff(mem, lod, np) > 1e-6 \
            or abs(res["loss"] - res2["loss"]) > 1e-6:
        sys.exit("%s: the step from the loaded .keras differs" % c["name"])
    after = "%s.keras3.after_step.weights.h5" % c["name"]
    model.save_weights(os.path.join(out, after))
    y_after = io_.outputs(model.predict(io_.feed(x), verbose=0), np)
    return after, {
        "batch_x": {k: to_list(v) for k, v in bx.items()},
        "batch_y": {k: to_list(v) for k, v in by.items()},
        "train_on_batch": {k: float(v) for k, v in res.items()},
        "weights_after_file": after,
        "output_after": {k: to_list(v) for k, v in y_after.items()},
        "max_difference_resumed_vs_in_memory": max_diff(mem, lod, np),
    }


def file_entry(common, kind, f, flavor, out, step, h5py):
    e = dict(common, file=f, kind=kind)
    if kind != "weights":
        del e["model_json"]  # the file has its config; keeps the manifest small
    e["layout"] = {"model": "legacy_h5",
                   "weights": "keras3_weights_h5" if flavor == "keras3" else "legacy_h5",
                   "keras": "keras_zip", "after_step": "keras3_weights_h5"}[kind]
    if e["layout"] == "keras3_weights_h5":
        with h5py.File(os.path.join(out, f), "r") as h:
            e["weights_layout"] = h5_vars_layout(h)
    if kind == "keras":
        e["zip_members"] = zip_members(os.path.join(out, f))
        with zipfile.ZipFile(os.path.join(out, f)) as zf:
            with h5py.File(io.BytesIO(zf.read("model.weights.h5")), "r") as h:
                e["weights_layout"] = h5_vars_layout(h)
        if step:
            e["next_step"] = step
    return e


def run_case(c, keras, flavor, versions, out, np, h5py):
    name = c["name"]
    model, io_, kwargs, rng = build_and_train(c, keras, flavor, np)
    x = io_.draw(rng, np, N_ROWS)
    y = io_.outputs(model.predict(io_.feed(x), verbose=0), np)
    model_json = model.to_json()
    common = dict(versions, case=name, flavor=flavor, compiled=kwargs is not None,
                  epochs_before=c["epochs_before"], steps_after=c["steps_after"],
                  model_class=json.loads(model_json)["class_name"],
                  model_json=model_json, notes=c["notes"],
                  input={k: to_list(v) for k, v in x.items()},
                  output={k: to_list(v) for k, v in y.items()},
                  layers=layer_list(keras, model), **io_.manifest())
    if c["identity"]:
        common["identity_at_inference"] = check_identity(model, c["identity"], np)
    if kwargs and flavor == "keras3":
        common["optimizer_variables"] = [
            {"index": i, "path": weight_path(v), "shape": [int(d) for d in v.shape]}
            for i, v in enumerate(optimizer_vars(model))]

    files, loaded = save_files(c, keras, flavor, model, model_json, out)
    for kind, m in loaded:
        got = io_.outputs(m.predict(io_.feed(x), verbose=0), np)
        if set(got) != set(y) or max_diff(y, got, np) > 1e-6:
            sys.exit("round trip mismatch for %s (%s)" % (name, kind))
    step = None
    if c["next_step"] and flavor == "keras3":
        files["after_step"], step = next_step(c, model, dict(loaded)["keras"], io_,
                                              kwargs, rng, x, out, np)
    entries = [file_entry(common, kind, f, flavor, out, step, h5py)
               for kind, f in files.items()]
    if name in CONFIG_FORM_CASES:
        dump_config_forms(out, name, flavor, files)
    print("ok   %-32s %s" % (name, ", ".join(files.values())))
    return entries


LAYOUTS = {
    "legacy_h5": "Keras 2 legacy HDF5 (model_weights/<layer>/... for model files; "
                 "layer groups at the root for tf-keras weights files)",
    "keras3_weights_h5": "Keras 3 .weights.h5 layout (layers/<name>/vars/<i>, "
                         "optimizer/vars/<i>)",
    "keras_zip": "Keras 3 .keras zip: metadata.json, config.json, model.weights.h5 "
                 "(stored, not deflated); see scripts/keras/README.md",
}


def run(keras, flavor, versions, out_root, only, np, h5py):
    """Writes this flavor's files of the set and merges functional/manifest.json."""
    out = os.path.join(out_root, "functional")
    os.makedirs(out, exist_ok=True)
    entries, skipped = [], []
    for c in CASES:
        if only and c["name"] not in only:
            continue
        if flavor not in c["flavors"]:
            skipped.append({"case": c["name"], "flavor": flavor,
                            "keras_version": keras.__version__,
                            "reason": "Keras 3 only (a .keras archive)"})
            continue
        entries += run_case(c, keras, flavor, versions, out, np, h5py)

    mpath = os.path.join(out, "manifest.json")
    manifest = {"files": [], "skipped": [], "generators": {}}
    if os.path.exists(mpath):
        with open(mpath) as f:
            manifest = json.load(f)
    done = None if not only else ({e["case"] for e in entries}
                                  | {s["case"] for s in skipped})

    def keep(e):
        return e["flavor"] != flavor or (done is not None and e["case"] not in done)
    manifest["files"] = [e for e in manifest["files"] if keep(e)] + entries
    manifest["skipped"] = [s for s in manifest["skipped"] if keep(s)] + skipped
    manifest["files"].sort(key=lambda e: (e["flavor"], e["case"], e["kind"]))
    manifest["skipped"].sort(key=lambda e: (e["flavor"], e["case"]))
    manifest["generators"][flavor] = dict(
        versions, script="scripts/keras/generate_fixtures.py")
    manifest["layouts"] = LAYOUTS
    with open(mpath, "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote %d files, %d skipped -> %s" % (len(entries), len(skipped), mpath))
