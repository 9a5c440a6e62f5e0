#!/usr/bin/env bash
# Real Keras reads nabla's files: builds nabla_export_models, writes every case into a temporary
# folder, and loads each file with tf-keras 2 and with Keras 3 (check_nabla_files.py), printing
# the Keras versions and a table per version. Exit status 1 when either version fails a check.
#
# Not part of scripts/test.sh: it needs the two Keras environments of scripts/keras/README.md,
# found at KERAS_TF2_PYTHON and KERAS3_PYTHON (default /opt/kerasenv-tf2 and /opt/kerasenv-k3).
# Arguments go to check_nabla_files.py, e.g. --cases dense_relu mlp. KEEP=1 keeps the folder.
set -uo pipefail
cd "$(dirname "$0")/../.."
build=${NABLA_BUILD_DIR:-build}
tf2=${KERAS_TF2_PYTHON:-/opt/kerasenv-tf2/bin/python}
k3=${KERAS3_PYTHON:-/opt/kerasenv-k3/bin/python}

if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release || exit 1
fi
cmake --build "$build" --target nabla_export_models -j "${NABLA_JOBS:-2}" || exit 1

out=$(mktemp -d -t nabla_keras_files.XXXXXX)
if [ "${KEEP:-0}" = 1 ]; then
  echo "files kept in $out"
else
  trap 'rm -rf "$out"' EXIT
fi
"$build/scripts/keras/nabla_export_models" "$out" || exit 1

status=0
for python in "$tf2" "$k3"; do
  echo
  echo "== $python"
  # TensorFlow's start-up chatter goes to stderr; Keras's own warnings are kept.
  "$python" scripts/keras/check_nabla_files.py "$out" "$@" 2> >(grep -Ev \
    "^(WARNING: All log messages|I0000|E0000|W0000)|oneDNN|cpu_feature_guard|rebuild TensorFlow" >&2) ||
    status=1
done
echo
[ "$status" = 0 ] && echo "== both Keras versions read every file" ||
  echo "== a Keras version failed a check (see the FAIL rows above)"
exit "$status"
