#!/usr/bin/env bash
# Installs nabla from a build folder into a temporary prefix and uses it the way a program of
# yours would: the layout (SONAME, headers without internals, CMake and pkg-config files, the CUDA
# plugin where built), examples/ configured with find_package(nabla 0.2) and its quickstart run on
# 64 Fashion-MNIST images, a one-file program built from pkg-config's flags, and the Debian
# package from cpack (its Depends, its files, and the same program built against it unpacked).
# Run by CTest as test_install (tests/CMakeLists.txt), which passes:
#   scripts/test_install.sh BUILD_DIR VERSION LIBDIR WITH_CUDA(0|1) CXX GENERATOR
# and CMAKE and CPACK, the cmake and cpack that configured the build, in the environment.
set -euo pipefail  # (so never "cmd | grep -q": grep exiting early fails cmd)

if [ $# -ne 6 ]; then
  echo "usage: $0 BUILD_DIR VERSION LIBDIR WITH_CUDA CXX GENERATOR" >&2
  exit 2
fi
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$1" && pwd)
version=$2 libdir=$3 with_cuda=$4 cxx=$5 generator=$6
soversion=${version%.*}
cmake=${CMAKE:-cmake} cpack=${CPACK:-cpack}
data=$src/tests/data/fashion-mnist-tiny

tmp=$(mktemp -d "${TMPDIR:-/tmp}/nabla_install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

say() { echo "[test_install] $* ($SECONDS s)"; }
fail() {
  echo "[test_install] FAIL: $*" >&2
  exit 1
}
# Runs a command quietly; on failure shows its output and fails with the message given.
quiet() {
  local what=$1 log
  shift
  log=$tmp/$(echo "$what" | tr -c 'a-z0-9' _).log
  "$@" >"$log" 2>&1 || { cat "$log" >&2; fail "$what: $*"; }
}
# A one-file program: the version and a computation, through the umbrella header alone.
cat >"$tmp/hello.cc" <<'EOF'
#include <nabla/nabla.h>

#include <iostream>

int main() {
  nabla::Tensor t({1.f, 2.f, 3.f});
  std::cout << nabla::version() << " " << nabla::reduce_sum(t * 2.f).item<float>() << "\n";
}
EOF
# Builds hello.cc with the pkg-config flags of the nabla.pc in $1 (prefix= set to $2), runs it.
check_pkg_config() {
  local pcdir=$1 root=$2 flags out
  flags=$(PKG_CONFIG_PATH=$pcdir pkg-config --define-variable=prefix="$root" --cflags --libs nabla) ||
    fail "pkg-config --cflags --libs nabla (in $pcdir)"
  quiet "compile hello.cc with pkg-config" \
    "$cxx" -std=c++20 "$tmp/hello.cc" $flags -Wl,-rpath,"$root/$libdir" -o "$tmp/hello"
  out=$("$tmp/hello") || fail "hello (built with pkg-config flags $flags) failed"
  [ "$out" = "$version 12" ] || fail "hello printed '$out', expected '$version 12'"
}

# 1. cmake --install.
quiet "cmake --install" "$cmake" --install "$build" --prefix "$prefix"
say "installed into a temporary prefix"
lib=$prefix/$libdir/libnabla.so.$version
[ -f "$lib" ] || fail "no $lib"
soname=$(readelf -d "$lib" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[ "$soname" = "libnabla.so.$soversion" ] || fail "SONAME is '$soname', not libnabla.so.$soversion"
[ "$(readlink "$prefix/$libdir/libnabla.so")" = "libnabla.so.$soversion" ] ||
  fail "lib/libnabla.so does not link to libnabla.so.$soversion"
out=$("$prefix/bin/nabla" --version) || fail "nabla --version failed"
[ "$out" = "nabla $version" ] || fail "nabla --version printed '$out'"

headers=$prefix/include/nabla
for h in nabla.h framework/nabla.h framework/core/version.h framework/keras/model.h \
  layers/dense.h losses/losses.h optimizers/adam.h framework/distributed/strategy.h; do
  [ -f "$headers/$h" ] || fail "public header $h is not installed"
done
for internal in framework/keras/train_step.h framework/keras/model_state.h \
  framework/runtime/plan.h framework/ops/dispatch.h framework/backend framework/cpu \
  framework/cuda; do
  [ ! -e "$headers/$internal" ] || fail "internal $internal is installed"
done
if grep -rEn '#[[:space:]]*include[[:space:]]*[<"](Eigen/|unsupported/Eigen|hdf5|H5|zip\.h|zlib\.h|mpi\.h|google/protobuf|nlohmann/json\.hpp)' "$headers"; then
  fail "installed headers include a private dependency (above)"
fi
cmake_dir=$prefix/$libdir/cmake/nabla
for f in nablaConfig.cmake nablaConfigVersion.cmake nablaTargets.cmake; do
  [ -f "$cmake_dir/$f" ] || fail "no $cmake_dir/$f"
done
if grep -En 'Eigen|hdf5|HDF5|zip|ZLIB|protobuf|MPI::|libmpi' "$cmake_dir"/nablaTargets*.cmake; then
  fail "the exported target names a private dependency (above)"
fi

# 2. The CUDA plugin, where built: beside libnabla, and the installed command loads that one (not
# the build folder's), so that a missing GPU, not a missing plugin, is what it reports.
if [ "$with_cuda" = 1 ]; then
  [ -f "$prefix/$libdir/libnabla_cuda.so" ] || fail "no $prefix/$libdir/libnabla_cuda.so"
  code=0
  LD_DEBUG=files LD_DEBUG_OUTPUT=$tmp/ld "$prefix/bin/nabla" train "$src/configs/xor.json" \
    --device cuda --epochs 1 --verbose 0 --output-dir "$tmp/xor" >"$tmp/cuda.log" 2>&1 || code=$?
  loaded=$(cat "$tmp"/ld.* | sed -n 's/.*file=\([^ ]*libnabla_cuda\.so\) .*generating link map.*/\1/p')
  [ -n "$loaded" ] || { cat "$tmp/cuda.log" >&2; fail "the installed nabla did not load a CUDA plugin"; }
  case "$(cd "$(dirname "$loaded")" && pwd -P)" in
    "$(cd "$prefix/$libdir" && pwd -P)") ;;
    *) fail "the installed nabla loaded $loaded, not the installed plugin" ;;
  esac
  if [ $code -ne 0 ]; then
    grep -q "is not available" "$tmp/cuda.log" && ! grep -q "could not be loaded" "$tmp/cuda.log" ||
      { cat "$tmp/cuda.log" >&2; fail "nabla train --device cuda: expected 'GPU not available'"; }
    say "CUDA plugin loaded from the prefix; $(head -1 "$tmp/cuda.log")"
  else
    say "CUDA plugin loaded from the prefix; trained on the GPU"
  fi
fi

# 3. examples/ as a project of its own: find_package(nabla 0.2) with HDF5, Eigen, protobuf, MPI
# and zlib made unfindable (a program never needs them), built, and the quickstart run.
quiet "configure examples/" "$cmake" -S "$src/examples" -B "$tmp/examples" -G "$generator" \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_DISABLE_FIND_PACKAGE_HDF5=ON -DCMAKE_DISABLE_FIND_PACKAGE_Eigen3=ON \
  -DCMAKE_DISABLE_FIND_PACKAGE_Protobuf=ON -DCMAKE_DISABLE_FIND_PACKAGE_MPI=ON \
  -DCMAKE_DISABLE_FIND_PACKAGE_ZLIB=ON
grep -q "^nabla_DIR:PATH=$cmake_dir\$" "$tmp/examples/CMakeCache.txt" ||
  fail "examples/ did not find nabla in the temporary prefix"
quiet "build examples/" "$cmake" --build "$tmp/examples"
say "examples/ built against the prefix"
libs=$(ldd "$tmp/examples/quickstart")
grep -q "libnabla.so.$soversion => $prefix/$libdir/" <<<"$libs" ||
  fail "quickstart does not load the installed libnabla: $(grep nabla <<<"$libs")"
mkdir "$tmp/run"
(cd "$tmp/run" && "$tmp/examples/quickstart" "$data") >"$tmp/quickstart.log" 2>&1 ||
  { cat "$tmp/quickstart.log" >&2; fail "quickstart failed"; }
grep -q "^image 0 is class" "$tmp/quickstart.log" || fail "quickstart printed no class"
out=$("$prefix/bin/nabla" summary "$tmp/run/fashion_mlp.h5") || fail "nabla summary fashion_mlp.h5"
grep -q "Total params: 235,146" <<<"$out" || fail "unexpected summary of fashion_mlp.h5: $out"
say "quickstart trained on $data and saved a model the installed nabla reads"

# 4. pkg-config.
[ "$(PKG_CONFIG_PATH=$prefix/$libdir/pkgconfig pkg-config --modversion nabla)" = "$version" ] ||
  fail "pkg-config --modversion nabla is not $version"
grep -qx "prefix=$prefix" "$prefix/$libdir/pkgconfig/nabla.pc" || fail "nabla.pc: prefix is not $prefix"

# 5. The Debian package.
if ! command -v dpkg-deb >/dev/null || ! command -v dpkg-shlibdeps >/dev/null; then
  check_pkg_config "$prefix/$libdir/pkgconfig" "$prefix"
  say "pkg-config flags built and ran a program"
  echo "[test_install] skipped: the Debian package (dpkg-deb and dpkg-shlibdeps are not installed)"
  exit 0
fi
quiet "cpack -G DEB" "$cpack" --config "$build/CPackConfig.cmake" -G DEB -B "$tmp/deb"
debs=("$tmp"/deb/nabla_"$version"_*.deb)
[ -f "${debs[0]}" ] || fail "cpack made no nabla_${version}_*.deb: $(ls "$tmp/deb")"
deb=${debs[0]}
say "cpack made $(basename "$deb")"
[ "$(dpkg-deb -f "$deb" Package)" = nabla ] || fail "Package is not nabla"
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "Version is not $version"
depends=$(dpkg-deb -f "$deb" Depends)
for d in libhdf5 zlib1g libzip libprotobuf-lite libstdc++6 libc6 nlohmann-json3-dev; do
  grep -q "$d" <<<"$depends" || fail "Depends lacks $d: $depends"
done
dpkg-deb -c "$deb" >"$tmp/deb.list"
for f in "usr/$libdir/libnabla.so.$version" "usr/$libdir/libnabla.so" usr/bin/nabla \
  usr/include/nabla/nabla.h usr/include/nabla/framework/keras/model.h \
  "usr/$libdir/cmake/nabla/nablaConfig.cmake" "usr/$libdir/pkgconfig/nabla.pc"; do
  grep -q " \./$f\( ->.*\)\?\$" "$tmp/deb.list" || fail "the package lacks /$f"
done
if grep -E "train_step\.h|/backend/|Eigen" "$tmp/deb.list"; then
  fail "the package holds internal headers (above)"
fi
root=$tmp/root
dpkg -x "$deb" "$root"
grep -qx "prefix=/usr" "$root/usr/$libdir/pkgconfig/nabla.pc" || fail "the package's nabla.pc: prefix is not /usr"
out=$("$root/usr/bin/nabla" --version) || fail "the package's nabla --version failed"
[ "$out" = "nabla $version" ] || fail "the package's nabla --version printed '$out'"
check_pkg_config "$root/usr/$libdir/pkgconfig" "$root/usr"
say "the package unpacked: its nabla runs, its pkg-config flags built and ran a program"
if [ "$with_cuda" = 1 ]; then
  cuda_debs=("$tmp"/deb/nabla-cuda_"$version"_*.deb)
  [ -f "${cuda_debs[0]}" ] || fail "cpack made no nabla-cuda_${version}_*.deb"
  grep -q "nabla (= $version)" <<<"$(dpkg-deb -f "${cuda_debs[0]}" Depends)" ||
    fail "nabla-cuda does not depend on nabla (= $version)"
  grep -q " \./usr/$libdir/libnabla_cuda.so\$" <<<"$(dpkg-deb -c "${cuda_debs[0]}")" ||
    fail "nabla-cuda lacks /usr/$libdir/libnabla_cuda.so"
  say "cpack made $(basename "${cuda_debs[0]}")"
fi
say "passed"
