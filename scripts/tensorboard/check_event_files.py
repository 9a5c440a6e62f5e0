"""Loads event files written by `nabla train` with the real TensorBoard and checks them.

Usage: check_event_files.py LOG_DIR HISTORY_JSON

LOG_DIR holds the train/ and validation/ runs of nabla's TensorBoard callback (a run with
validation data, histogram_freq 1 and write_graph true); HISTORY_JSON is the run's history.json,
the values the scalars must equal. Every check prints one line "ok: ..." or "FAIL: ..."; the exit
status is the number of failures.

Two readers are used: tensorboard.backend.event_processing.event_accumulator (the documented
reader of one run) and the MultiplexerDataProvider over a plugin_event_multiplexer, which is what
the TensorBoard server's Scalars, Histograms and Graphs dashboards read.
"""

import json
import math
import os
import sys

from tensorboard import context
from tensorboard.backend.event_processing import data_provider
from tensorboard.backend.event_processing import event_accumulator
from tensorboard.backend.event_processing import plugin_event_multiplexer
from tensorboard.compat.proto import graph_pb2
from tensorboard.util import tensor_util

failures = 0


def check(ok, what):
    global failures
    print(("ok: " if ok else "FAIL: ") + what)
    failures += 0 if ok else 1


def close(a, b):
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-7)


def accumulator(run_dir):
    acc = event_accumulator.EventAccumulator(
        run_dir,
        size_guidance={
            event_accumulator.TENSORS: 0,
            event_accumulator.SCALARS: 0,
            event_accumulator.HISTOGRAMS: 0,
        },
    )
    return acc.Reload()


def series(acc, tag):
    """step -> value of a TF2 scalar series (a rank-0 tensor with plugin "scalars")."""
    return {e.step: float(tensor_util.make_ndarray(e.tensor_proto)) for e in acc.Tensors(tag)}


def main(log_dir, history_path):
    with open(history_path) as f:
        history = json.load(f)
    epochs = len(history["loss"])
    train = accumulator(os.path.join(log_dir, "train"))
    val = accumulator(os.path.join(log_dir, "validation"))

    # ---- scalars, as event_accumulator reads them ----
    for acc, run, prefix in ((train, "train", ""), (val, "validation", "val_")):
        for key in ("loss", "accuracy"):
            tag = "epoch_" + key
            got = series(acc, tag)
            want = {i: v for i, v in enumerate(history[prefix + key])}
            check(
                set(got) == set(want) and all(close(got[s], want[s]) for s in want),
                f"{run}/{tag}: {len(got)} steps equal history.json's {prefix + key}",
            )
            plugin = acc.SummaryMetadata(tag).plugin_data.plugin_name
            check(plugin == "scalars", f"{run}/{tag}: plugin {plugin!r}")
    lr = series(train, "epoch_learning_rate")
    check(
        len(lr) == epochs and all(close(lr[i], history["lr"][i]) for i in range(epochs)),
        f"train/epoch_learning_rate: {len(lr)} steps equal history.json's lr",
    )
    check(not any(t.startswith("epoch_val_") for t in train.Tags()["tensors"]),
          "no val_ tags in the train run")

    # ---- histograms ----
    hist_tags = sorted(t for t in train.Tags()["tensors"]
                       if train.SummaryMetadata(t).plugin_data.plugin_name == "histograms")
    check(hist_tags == ["dense/bias/histogram", "dense/kernel/histogram",
                        "dense_1/bias/histogram", "dense_1/kernel/histogram"],
          f"histogram tags {hist_tags}")
    sizes = {"dense/kernel": 4 * 16, "dense/bias": 16, "dense_1/kernel": 16 * 3, "dense_1/bias": 3}
    for tag in hist_tags:
        events = train.Tensors(tag)
        buckets = tensor_util.make_ndarray(events[-1].tensor_proto)
        weight = tag[: -len("/histogram")]
        check(len(events) == epochs and buckets.shape == (30, 3)
              and buckets[:, 2].sum() == sizes[weight],
              f"{tag}: {len(events)} steps, buckets {buckets.shape}, "
              f"count {buckets[:, 2].sum():.0f} = {sizes[weight]} weights")

    # ---- the graph ----
    graph = train.Graph()
    nodes = {n.name: n for n in graph.node}
    check(len(nodes) > 50, f"graph: {len(nodes)} nodes")
    mm = nodes.get("dense/MatMul")
    check(mm is not None and mm.op == "MatMul" and len(mm.input) == 2
          and all(i in nodes for i in mm.input),
          f"graph: dense/MatMul op {mm.op if mm else None} inputs {list(mm.input) if mm else None}")
    if mm is not None:
        shape = [d.size for d in mm.attr["_output_shapes"].list.shape[0].dim]
        check(mm.attr["T"].type == 1 and shape == [-1, 16],
              f"graph: dense/MatMul T={mm.attr['T'].type} (DT_FLOAT) _output_shapes {shape}")
    check(any(n.startswith("training/") for n in nodes), "graph: has the training/ scope")
    check(any(i.startswith("^") for n in graph.node for i in n.input),
          "graph: control inputs written as ^name")
    check(graph_pb2.GraphDef.FromString(graph.SerializeToString()) == graph,
          "graph: GraphDef round-trips through TensorBoard's own proto")

    # ---- what the dashboards read: the server's data provider ----
    multiplexer = plugin_event_multiplexer.EventMultiplexer()
    multiplexer.AddRunsFromDirectory(log_dir)
    multiplexer.Reload()
    provider = data_provider.MultiplexerDataProvider(multiplexer, log_dir)
    ctx = context.RequestContext()
    scalars = provider.read_scalars(ctx, experiment_id="", plugin_name="scalars", downsample=1000)
    check(sorted(scalars) == ["train", "validation"], f"Scalars dashboard runs {sorted(scalars)}")
    check({"epoch_loss", "epoch_accuracy", "epoch_learning_rate"} <= set(scalars["train"]),
          f"Scalars dashboard train tags {sorted(scalars['train'])}")
    got = [d.value for d in scalars["validation"]["epoch_loss"]]
    check(len(got) == epochs and all(close(a, b) for a, b in zip(got, history["val_loss"])),
          "Scalars dashboard validation/epoch_loss equals val_loss")
    hists = provider.read_tensors(ctx, experiment_id="", plugin_name="histograms", downsample=1000)
    check(sorted(hists.get("train", {})) == hist_tags,
          f"Histograms dashboard tags {sorted(hists.get('train', {}))}")
    check(multiplexer.Graph("train").node == graph.node, "Graphs dashboard reads the same graph")
    keras = provider.list_blob_sequences(ctx, experiment_id="", plugin_name="graph_keras_model")
    check("keras" in keras.get("train", {}),
          "Graphs dashboard has the Keras model config (conceptual graph)")

    print(f"{failures} failed" if failures else "all checks passed")
    return failures


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
