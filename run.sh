#!/usr/bin/env bash
# Sets up simnas on Debian 12 -- packages (apt, idempotent), data, build -- then runs it.
#
#   ./run.sh search [flags]    the main job: `simnas search` (default device: this machine's CPU)
#   ./run.sh test              the whole test suite (CTest)
#   ./run.sh bench             the speed benchmarks (Google Benchmark)
#   ./run.sh package           a Debian package (build/simnas_*.deb), checked by unpacking it
#                              into a temp root and searching with it from another folder
#   ./run.sh SUBCOMMAND ...    any other simnas subcommand, e.g. ./run.sh devices
#
# Data: copied from $SIMNAS_DATA_MIRROR when set (or ../shared/data when present), else
# downloaded from the upstream repositories. Build: ./build (Release, -j2), only what the command
# needs: the CLI for search and the other subcommands, everything for test and package, the
# benchmarks for bench.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"

PACKAGES=(build-essential cmake pkg-config curl ca-certificates
  libtorch-dev libopenblas0-pthread
  nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev libsqlitecpp-dev libsqlite3-dev libeigen3-dev
  libgtest-dev libgmock-dev libbenchmark-dev gnuplot-nox libssl-dev zlib1g-dev libyaml-cpp-dev
  libonnx-dev libprotobuf-dev libopencv-dnn-dev
  libopenmpi-dev openmpi-bin
  pybind11-dev python3-dev python3-numpy python3-pytest python3-opencv python3-matplotlib)

install_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "run.sh: installing ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# build [TARGET...]: the given targets (none: all).
build() {
  if [ ! -f build/CMakeCache.txt ]; then
    cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  local targets=()
  for t in "$@"; do targets+=(--target "$t"); done
  # Compiler messages are shown, progress lines are not; the build's own status decides.
  (if cmake --build build -j2 "${targets[@]}" 2>&1; then s=0; else s=1; fi; echo "$s" >build/.build-status) |
    grep -vE '^\[ *[0-9]+%\]|Consolidate compiler|^gmake|Built target' || true
  [ "$(cat build/.build-status)" = 0 ] && test -x build/simnas || { echo "run.sh: build failed" >&2; exit 1; }
}

fetch_data() {
  if [ -z "${SIMNAS_DATA_MIRROR:-}" ] && [ -d ../shared/data ]; then
    export SIMNAS_DATA_MIRROR="$(readlink -f ../shared/data)"
  fi
  SIMNAS_DATA="${SIMNAS_DATA:-$PWD/data}" build/simnas data fetch
}

install_packages
case "${1:-search}" in
  test | package) build ;;
  bench) build simnas_cli $(for f in bench/*_bench.cpp; do basename "$f" .cpp; done) ;;
  *) build simnas_cli ;;
esac
fetch_data
export SIMNAS_DATA="${SIMNAS_DATA:-$PWD/data}"

case "${1:-search}" in
  test)
    shift || true
    ctest --test-dir build --output-on-failure -j2 "$@"
    ;;
  bench)
    shift || true
    for b in build/bench/*_bench; do [ -x "$b" ] && "$b" "$@"; done
    if [ -d build/python/simnas ]; then
      PYTHONPATH=build/python SIMNAS_CLI=build/simnas /usr/bin/python3 bench/python_device_bench.py
    fi
    ;;
  package)
    (cd build && cpack -G DEB >/dev/null)
    deb=$(ls -t build/simnas_*.deb | head -n 1)
    root=$(mktemp -d)
    trap 'rm -rf "$root"' EXIT
    dpkg-deb -x "$deb" "$root"
    (cd "$root" && "$root/usr/bin/simnas" --data "$SIMNAS_DATA" --store "$root/probes.sqlite" \
      search --device table:pixel3 --budget-ms 20 >/dev/null)
    # A command that opens the LibTorch plugin (a cell's weights), found beside libsimnas.so.
    (cd "$root" && "$root/usr/bin/simnas" --data "$SIMNAS_DATA" --cache "$root/cache" \
      export --index 0 --out "$root/cell.onnx" >/dev/null)
    # The Python module of the package, imported from another folder.
    for site in "$root"/usr/lib/python3*/dist-packages; do
      [ -d "$site/simnas" ] || continue
      (cd "$root" && SIMNAS_DATA="$SIMNAS_DATA" PYTHONPATH="$site" /usr/bin/python3 -c \
        "import simnas; simnas.configure(store='$root/py.sqlite'); assert simnas.search(device='table:pixel3', budget_ms=20).feasible")
    done
    echo "run.sh: $deb works from $root (simnas search --device table:pixel3 --budget-ms 20; simnas export --index 0;" \
      "import simnas; simnas.search(device='table:pixel3', budget_ms=20))"
    ;;
  *)
    exec build/simnas "$@"
    ;;
esac
