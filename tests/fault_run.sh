#!/usr/bin/env bash
# The long fault-injection run: tests/integration/test_faults_e2e.py with 100
# workflows (30 % of the runtime's calls to SWF throttled, failed, reset or
# their answers lost) against the swf-runtime and plugins already built in
# build/. Builds nothing.
#
#   SWFRT_FAULT_WORKFLOWS  workflows per run (default here 100)
#   SWFRT_FAULT_RATE       fraction of calls given a fault (default 0.30)
#   SWFRT_FAULT_SEEDS      seeds, one run each (default "1")
#   SWFRT_FAULT_WAIT       seconds to wait for the workflows to close (default: the test's)
#   SWF_RUNTIME_BIN        the binary (default: the swf-runtime found under build/)
#   SWF_PLUGIN_DIR         the plugins (default: build/plugins)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=../deploy/python-env.sh
. ./deploy/python-env.sh
swfrt_python_env

if [ -z "${SWF_RUNTIME_BIN:-}" ]; then
  SWF_RUNTIME_BIN="$(find "$root/build" -name swf-runtime -type f -perm -u+x 2>/dev/null | head -n 1)"
fi
if [ -z "$SWF_RUNTIME_BIN" ] || [ ! -x "$SWF_RUNTIME_BIN" ]; then
  echo "fault_run: no swf-runtime executable under $root/build; build it first (or set SWF_RUNTIME_BIN)" >&2
  exit 2
fi
export SWF_RUNTIME_BIN
export SWF_PLUGIN_DIR="${SWF_PLUGIN_DIR:-$root/build/plugins}"
export SWFRT_FAULT_WORKFLOWS="${SWFRT_FAULT_WORKFLOWS:-100}"
export PYTHONDONTWRITEBYTECODE=1

cd tests/integration
failed=""
for seed in ${SWFRT_FAULT_SEEDS:-1}; do
  printf '\n=== %s workflows, fault rate %s, seed %s (%s)\n' "$SWFRT_FAULT_WORKFLOWS" \
    "${SWFRT_FAULT_RATE:-0.30}" "$seed" "$(date +%H:%M:%S)"
  SWFRT_FAULT_SEED="$seed" python3 -m unittest -v test_faults_e2e || failed="$failed $seed"
done
if [ -n "$failed" ]; then
  echo "fault_run: failed with seed(s):$failed" >&2
  exit 1
fi
echo "fault_run: passed"
