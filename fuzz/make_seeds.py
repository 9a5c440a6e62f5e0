#!/usr/bin/env python3
"""Writes the synthetic seed inputs of fuzz/corpus (npy, idx, csv, model_json, run_config).

Standard library only. The HDF5 and graph seeds are real files copied from tests/data/keras and
written by nabla itself; fuzz/corpus/README.md lists every seed's source.
Usage: python3 fuzz/make_seeds.py   (from the repository root)
"""
import gzip
import json
import os
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")


def write(target, name, data):
    os.makedirs(os.path.join(CORPUS, target), exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(os.path.join(CORPUS, target, name), mode) as f:
        f.write(data)


def npy(descr, shape, payload, version=1):
    shape_text = "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape_text)
    prefix = 10 if version == 1 else 12
    header += " " * ((64 - (prefix + len(header) + 1) % 64) % 64) + "\n"
    length = struct.pack("<H", len(header)) if version == 1 else struct.pack("<I", len(header))
    return b"\x93NUMPY" + bytes([version, 0]) + length + header.encode("latin1") + payload


def npy_seeds():
    write("npy", "f4_2x3.npy", npy("<f4", (2, 3), struct.pack("<6f", 0, 1.5, -2, 3e38, 1e-40, 7)))
    write("npy", "f8_4.npy", npy("<f8", (4,), struct.pack("<4d", 1, -1, 1e300, float("nan"))))
    write("npy", "i4_3.npy", npy("<i4", (3,), struct.pack("<3i", 0, -5, 2**31 - 1)))
    write("npy", "i8_2.npy", npy("<i8", (2,), struct.pack("<2q", -2**63, 2**40)))
    write("npy", "u1_2x2x2.npy", npy("|u1", (2, 2, 2), bytes(range(8))))
    write("npy", "b1_scalar.npy", npy("|b1", (), b"\x01"))
    write("npy", "f4_v2.npy", npy("<f4", (1, 2), struct.pack("<2f", 3, 4), version=2))


def idx(dims, payload):
    return bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + payload


def idx_seeds():
    write("idx", "images_2x3x3.idx", idx((2, 3, 3), bytes(range(18))))
    write("idx", "labels_5.idx", idx((5,), bytes([0, 1, 2, 9, 255])))
    write("idx", "images_1x4x4.idx.gz", gzip.compress(idx((1, 4, 4), bytes(range(16))), mtime=0))


def csv_seeds():
    with open(os.path.join(ROOT, "configs", "data", "iris_train.csv")) as f:
        write("csv", "iris_head.csv", "".join(f.readlines()[:8]))
    write("csv", "xor.csv", open(os.path.join(ROOT, "configs", "data", "xor.csv")).read())
    write("csv", "quoted.csv", 'a,"b, c",label\n1,"2.5",x\n\n-3e2, .5 ,"y ""z"""\n')
    write("csv", "bom_crlf.csv", "\ufeffx1,x2,y\r\n1,2,0\r\n3,4,1\r\n")
    write("csv", "non_finite.csv", "f,g,label\nnan,1,0\ninf,-inf,1\n1e400,0x1A,2\n")


def json_seeds():
    with open(os.path.join(ROOT, "tests", "data", "keras", "manifest.json")) as f:
        manifest = json.load(f)
    seen = set()
    for entry in manifest["files"]:
        case = entry["case"]
        if entry["kind"] != "model" or (case, entry["flavor"]) in seen or len(seen) >= 16:
            continue
        if case.startswith("dense_") and case not in ("dense_relu", "dense_activation_object",
                                                      "dense_nobias", "dense_leaky_relu"):
            continue
        seen.add((case, entry["flavor"]))
        write("model_json", "%s.%s.json" % (case, entry["flavor"]), entry["model_json"])
    for name in ("iris", "xor", "diabetes", "fashion_mnist_mlp"):
        with open(os.path.join(ROOT, "configs", name + ".json")) as f:
            config = json.load(f)
        write("model_json", "config_%s.json" % name, json.dumps(config["model"]))
        write("run_config", name + ".json", json.dumps(config, separators=(",", ":")))


if __name__ == "__main__":
    npy_seeds()
    idx_seeds()
    csv_seeds()
    json_seeds()
