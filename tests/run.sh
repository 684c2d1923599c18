#!/usr/bin/env bash
# Sets everything up and runs every test: installs the dependencies, builds
# with g++ (RelWithDebInfo) and runs the unit and integration tests, builds
# the unit tests with clang under AddressSanitizer + UndefinedBehaviorSanitizer
# and runs them, then runs each libFuzzer target for a bounded time.
#
#   SWFRT_FUZZ_SECONDS  seconds per fuzz target (default 45; 0 skips fuzzing)
#   SWFRT_JOBS          parallel build jobs (default: number of cores)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
fuzz_seconds="${SWFRT_FUZZ_SECONDS:-45}"
jobs="${SWFRT_JOBS:-$(nproc)}"
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
# Share cache hits between checkouts in other folders.
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-5G}"

step() { printf '\n=== %s (%s)\n' "$*" "$(date +%H:%M:%S)"; }

step "dependencies"
./deploy/install-deps.sh --tests
# shellcheck source=../deploy/python-env.sh
. ./deploy/python-env.sh
swfrt_python_env

if [ ! -d ../shared ]; then
  echo "note: ../shared is absent: the SigV4 suite, model round trips and the generator check say so and skip"
fi

step "g++ build"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=g++ \
  -DSWFRT_BENCH=ON -DSWFRT_TESTS=ON >/dev/null
ninja -C build -j "$jobs"

step "unit tests (g++)"
ctest --test-dir build -L unit -j "$jobs" --output-on-failure --timeout 300

step "integration tests against the dev server, with moto_server as a peer (g++)"
ctest --test-dir build -L integration --output-on-failure --timeout 600

step "clang build with ASan + UBSan and libFuzzer targets"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ \
  -DSWFRT_SANITIZE=ON -DSWFRT_FUZZ=ON -DSWFRT_BENCH=OFF -DSWFRT_TESTS=ON >/dev/null
unit_targets=$(ninja -C build-asan -t targets all | sed -n 's/^\(swfrt_[a-z]*_tests\): phony$/\1/p' | grep -v integration)
# shellcheck disable=SC2086
ninja -C build-asan -j "$jobs" $unit_targets decode_fuzz canonical_fuzz inputs_fuzz service_fuzz

step "unit tests (clang, ASan + UBSan)"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
ctest --test-dir build-asan -L unit -j "$jobs" --output-on-failure --timeout 600

# One fuzz target per core at a time: each runs single-threaded.
fuzz_one() {
  local target="$1" work max_len=4096
  work="$(mktemp -d)"
  cp -r "tests/fuzz/corpus/${target}/." "$work/"
  # The decode seeds include documents nested 100,000 deep (300 KB):
  # inputs that large must stay reachable by mutation.
  [ "$target" = decode ] && max_len=524288
  [ "$target" = inputs ] && max_len=65536
  [ "$target" = service ] && max_len=65536
  local status=0
  (cd "$work" && "$root/build-asan/tests/fuzz/${target}_fuzz" -max_total_time="$fuzz_seconds" \
    -max_len="$max_len" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 "$work" >"$work.log" 2>&1) || status=$?
  printf -- '--- fuzz %s (%ss): exit %d\n' "$target" "$fuzz_seconds" "$status"
  tail -n 12 "$work.log"
  rm -rf "$work" "$work.log"
  return "$status"
}

if [ "$fuzz_seconds" -gt 0 ]; then
  step "fuzz decode, canonical, inputs and service for ${fuzz_seconds}s each, ${jobs} at a time"
  targets=(decode canonical inputs service)
  failed=0
  for ((i = 0; i < ${#targets[@]}; i += jobs)); do
    pids=()
    for ((k = i; k < i + jobs && k < ${#targets[@]}; ++k)); do
      out="$(mktemp)"
      fuzz_one "${targets[$k]}" >"$out" 2>&1 &
      pids+=("$!:$out")
    done
    for entry in "${pids[@]}"; do
      wait "${entry%%:*}" || failed=1
      cat "${entry#*:}"
      rm -f "${entry#*:}"
    done
  done
  [ "$failed" -eq 0 ] || { echo "a fuzz target failed (its output is above)"; exit 1; }
fi

step "all tests passed"
