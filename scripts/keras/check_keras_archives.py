#!/usr/bin/env python3
"""Check every .keras archive under tests/data/keras.

Each must be a readable zip (CRCs checked) holding config.json, metadata.json
and model.weights.h5; metadata.json must name a keras_version, config.json a
class_name and a config. With h5py importable, model.weights.h5 must open and
hold layers/, and optimizer/vars exactly when the manifest says the model was
compiled. With Keras 3 importable (run it with /opt/kerasenv-k3/bin/python),
each archive is also loaded and must predict the manifest's outputs within
1e-6.

    /opt/kerasenv-k3/bin/python scripts/keras/check_keras_archives.py [DIR]

Exit status 1 if any check fails.
"""

import io
import json
import os
import sys
import zipfile

REQUIRED = ("config.json", "metadata.json", "model.weights.h5")


def manifest_entries(root):
    entries = {}
    for dirpath, _, names in os.walk(root):
        if "manifest.json" in names:
            with open(os.path.join(dirpath, "manifest.json")) as f:
                for e in json.load(f)["files"]:
                    entries[os.path.join(dirpath, e["file"])] = e
    return entries


def check_zip(path):
    with zipfile.ZipFile(path) as zf:
        bad = zf.testzip()
        if bad is not None:
            return "CRC error in member %s" % bad
        names = zf.namelist()
        missing = [m for m in REQUIRED if m not in names]
        if missing:
            return "missing member(s) %s" % ", ".join(missing)
        meta = json.loads(zf.read("metadata.json"))
        if "keras_version" not in meta:
            return "metadata.json has no keras_version"
        config = json.loads(zf.read("config.json"))
        if "class_name" not in config or "config" not in config:
            return "config.json has no class_name/config"
    return None


def check_weights(path, entry):
    try:
        import h5py
    except ImportError:
        return None
    with zipfile.ZipFile(path) as zf:
        data = zf.read("model.weights.h5")
        config = json.loads(zf.read("config.json"))
    with h5py.File(io.BytesIO(data), "r") as h:
        if "layers" not in h:
            return "model.weights.h5 has no layers/ group"
        has_opt = "optimizer/vars" in h
    if entry is not None and has_opt != entry["compiled"]:
        return "optimizer/vars %s but the manifest says compiled=%s" % (
            "present" if has_opt else "absent", entry["compiled"])
    if has_opt != ("optimizer" in config.get("compile_config", {})):
        return "optimizer/vars and compile_config.optimizer disagree"
    return None


def check_load(path, entry):
    try:
        import keras
        import numpy as np
        if int(keras.__version__.split(".")[0]) < 3:
            return None
    except ImportError:
        return None
    if entry is None:
        return "not in any manifest.json"
    model = keras.models.load_model(path)
    x = {k: np.asarray(v, dtype=np.float32) for k, v in entry["input"].items()}
    if entry["input_structure"] == "list":
        feed = [x[i["name"]] for i in entry["inputs"]]
    elif entry["input_structure"] == "dict":
        feed = x
    else:
        feed = x[entry["inputs"][0]["name"]]
    y = model.predict(feed, verbose=0)
    names = [o["name"] for o in entry["outputs"]]
    if not isinstance(y, dict):
        y = dict(zip(names, y if isinstance(y, (list, tuple)) else [y]))
    for n in names:
        if np.max(np.abs(np.asarray(y[n]) - np.asarray(entry["output"][n]))) > 1e-6:
            return "predictions of output %s differ from the manifest" % n
    return None


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        here, "..", "..", "tests", "data", "keras")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    entries = manifest_entries(root)
    archives = sorted(os.path.join(d, n) for d, _, names in os.walk(root)
                      for n in names if n.endswith(".keras"))
    passed = failed = 0
    for path in archives:
        entry = entries.get(path)
        try:
            err = (check_zip(path) or check_weights(path, entry)
                   or check_load(path, entry))
        except Exception as e:  # a corrupt archive: report it, go on
            err = "%s: %s" % (type(e).__name__, e)
        rel = os.path.relpath(path, root)
        if err:
            failed += 1
            print("FAIL %s: %s" % (rel, err))
        else:
            passed += 1
            print("ok   %s" % rel)
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed or not archives else 0)


if __name__ == "__main__":
    main()
