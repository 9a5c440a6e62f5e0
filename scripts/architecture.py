#!/usr/bin/env python3
"""Draws nabla's folder-level include graph from the code: docs/architecture.svg.

Reads the table of layers in docs/architecture.md (between "layers:begin" and "layers:end"),
scans every #include "..." of the sources, and writes a Graphviz DOT graph with one box per
folder, placed in its layer's row, and one edge per pair of folders that include each other
(labelled with the number of include lines). Edges that look up or sideways are drawn red: the
layering test (tests/test_layering.cc) fails on them.

Usage: scripts/architecture.py            (writes docs/architecture.dot and, with Graphviz's
                                           `dot` installed, docs/architecture.svg)
"""
import collections
import pathlib
import re
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
TOPS = ["framework", "layers", "losses", "optimizers", "apps", "include", "examples", "bench",
        "fuzz", "scripts"]


def read_layers():
    layers, inside = {}, False
    for line in (ROOT / "docs" / "architecture.md").read_text().splitlines():
        if "layers:begin" in line:
            inside = True
        if "layers:end" in line:
            inside = False
        m = re.match(r"^\|\s*(\d+)\s*\|([^|]*)\|", line)
        if inside and m:
            for folder in re.findall(r"`([^`]+)`", m.group(2)):
                layers[folder] = int(m.group(1))
    return layers


def folder_of(path, layers):
    best = ""
    for folder in layers:
        if (path == folder or path.startswith(folder + "/")) and len(folder) > len(best):
            best = folder
    return best


def main():
    layers = read_layers()
    edges = collections.Counter()
    for top in TOPS:
        for path in sorted((ROOT / top).rglob("*")) if (ROOT / top).exists() else []:
            if path.suffix not in (".h", ".cc", ".cu", ".cuh"):
                continue
            src = folder_of(str(path.relative_to(ROOT)), layers)
            for inc in re.findall(r'^\s*#\s*include\s+"([^"]+/[^"]+)"', path.read_text(),
                                  re.M):
                dst = folder_of(inc, layers)
                if src and dst and src != dst:
                    edges[(src, dst)] += 1
    by_level = collections.defaultdict(list)
    for folder, level in layers.items():
        by_level[level].append(folder)
    out = ["digraph nabla {", '  rankdir=TB; nodesep=0.3; ranksep=0.45;',
           '  node [shape=box, style="rounded,filled", fillcolor="#eef3fb", fontname="Helvetica",'
           ' fontsize=11];', '  edge [color="#7a869a", arrowsize=0.6, fontsize=8,'
           ' fontcolor="#7a869a"];']
    for level in sorted(by_level):
        names = " ".join(f'"{f}"' for f in sorted(by_level[level]))
        out.append(f'  {{ rank=same; "layer {level}" [shape=plaintext, style="", '
                   f'fontcolor="#9aa5b8"]; {names} }}')
    for level in sorted(by_level)[:-1]:  # higher layers above lower ones
        nxt = min(lv for lv in by_level if lv > level)
        out.append(f'  "layer {nxt}" -> "layer {level}" [style=invis];')
    for (a, b), n in sorted(edges.items()):
        bad = layers[b] > layers[a] or (layers[b] == layers[a])
        color = ', color="#d0312d", fontcolor="#d0312d", penwidth=2' if bad else ""
        out.append(f'  "{a}" -> "{b}" [label="{n}"{color}];')
    out.append("}")
    dot_file = ROOT / "docs" / "architecture.dot"
    dot_file.write_text("\n".join(out) + "\n")
    if shutil.which("dot"):
        subprocess.run(["dot", "-Tsvg", str(dot_file), "-o", str(ROOT / "docs" / "architecture.svg")],
                       check=True)
    else:
        print("Graphviz's dot is not installed: wrote only docs/architecture.dot", file=sys.stderr)


if __name__ == "__main__":
    main()
