#!/usr/bin/env bash
# Trains configs/iris.json with a TensorBoard callback (20% held out for validation, histograms
# every epoch, the graph) and checks the event files with the real TensorBoard.
# Usage: scripts/tensorboard/check_nabla_tensorboard.sh [RUN_DIR]
#   RUN_DIR: where the run goes (kept, e.g. for `tensorboard --logdir RUN_DIR/logs`); a temporary
#   directory, removed afterwards, when omitted. PYTHON (default /opt/tbenv/bin/python) is the
#   interpreter with TensorBoard installed (see README.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
python=${PYTHON:-/opt/tbenv/bin/python}
if [ $# -ge 1 ]; then
  run=$(mkdir -p "$1" && cd "$1" && pwd)
else
  run=$(mktemp -d)
  trap 'rm -rf "$run"' EXIT
fi
[ -x "$root/build/nabla" ] || { echo "build nabla first: scripts/build.sh" >&2; exit 1; }

python3 - "$root/configs" "$run" <<'PY'
import json, sys
configs, run = sys.argv[1], sys.argv[2]
with open(f"{configs}/iris.json") as f:
    c = json.load(f)
for split in ("train", "test"):
    c["data"][split]["path"] = f"{configs}/{c['data'][split]['path']}"
c["data"]["validation_split"] = 0.2
c["fit"]["epochs"] = 20
c["output"]["dir"] = run
c["callbacks"] = [{"class_name": "TensorBoard",
                   "config": {"log_dir": "logs", "histogram_freq": 1, "write_graph": True}}]
with open(f"{run}/config.in.json", "w") as f:
    json.dump(c, f, indent=2)
PY
"$root/build/nabla" train "$run/config.in.json" --verbose 0
"$python" "$root/scripts/tensorboard/check_event_files.py" "$run/logs" "$run/history.json"
