#!/usr/bin/env bash
# Installs whatever nabla needs that this Debian machine lacks (clang-14, its sanitizer and
# libFuzzer runtimes and llvm-14's symbolizer are for scripts/sanitize.sh and scripts/fuzz.sh).
# Idempotent: apt-get runs only when a package is missing. Usage: scripts/setup.sh
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libeigen3-dev libhdf5-dev nlohmann-json3-dev libcxxopts-dev doctest-dev zlib1g-dev libzip-dev
  libbenchmark-dev hdf5-tools dataset-fashion-mnist libprotobuf-dev protobuf-compiler
  libopenmpi-dev openmpi-bin dpkg-dev file libopenblas-dev
  clang-14 libclang-rt-14-dev llvm-14
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages are installed"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
