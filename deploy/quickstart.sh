#!/usr/bin/env bash
# From a fresh Debian 12 machine to workflows run end to end: installs the
# dependencies, builds swf-runtime and the example plugin, starts a local SWF
# endpoint (moto_server) on a free loopback port, runs
# `swf-runtime run deploy/examples/quickstart.yaml`, starts a few workflows
# with `swf-runtime start`, waits until they complete, prints their results
# and history, and stops the runtime with SIGTERM. Everything stays on
# 127.0.0.1.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
# Share cache hits between checkouts in other folders.
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1

say() { printf '\n--- %s\n' "$*"; }

say "installing dependencies"
./deploy/install-deps.sh
# shellcheck source=python-env.sh
. ./deploy/python-env.sh
if ! swfrt_python_env; then
  echo "quickstart: the local SWF endpoint needs moto_server: pip install \"moto[server]\"" >&2
  exit 1
fi

say "building swf-runtime"
# The same compiler and build type as ./tests/run.sh, so that one ccache
# serves both.
if [ ! -f build/build.ninja ]; then
  echo "first build in this checkout: compiling swf-runtime and the example plugin (the SWF client, the"
  echo "workflow library and the runtime) takes about 10 minutes on 2 cores with an empty compiler cache,"
  echo "a minute or two when ccache already holds a build of this tree (tests/run.sh fills the same cache)."
fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=g++ >/dev/null
ninja -C build swf-runtime swfrt_example_plugin
bin="$root/build/runtime/swf-runtime"

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
log="$(mktemp)"
say "starting moto_server on 127.0.0.1:$port"
moto_server -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
moto_pid=$!
runtime_pid=""
runtime_log="$(mktemp)"
cleanup() {
  [ -n "$runtime_pid" ] && kill "$runtime_pid" 2>/dev/null && wait "$runtime_pid" 2>/dev/null
  kill "$moto_pid" 2>/dev/null; wait "$moto_pid" 2>/dev/null
  rm -f "$log" "$runtime_log"
}
trap cleanup EXIT
for _ in $(seq 1 100); do
  if python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null; then break; fi
  if ! kill -0 "$moto_pid" 2>/dev/null; then cat "$log" >&2; echo "quickstart: moto_server exited" >&2; exit 1; fi
  sleep 0.2
done

export AWS_ACCESS_KEY_ID=quickstart AWS_SECRET_ACCESS_KEY=quickstart AWS_REGION=us-east-1
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_SWF
export SWF_ENDPOINT="http://127.0.0.1:$port" SWF_PLUGIN_DIR="$root/build/plugins"
metrics_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export SWF_METRICS_LISTEN="127.0.0.1:$metrics_port"
config="$root/deploy/examples/quickstart.yaml"
ops=(--config "$config" --domain quickstart)

say "checking the configuration and the example plugin"
"$bin" check "$config"

say "starting the workers: swf-runtime run deploy/examples/quickstart.yaml"
"$bin" run "$config" >"$runtime_log" 2>&1 &
runtime_pid=$!
for _ in $(seq 1 100); do
  if python3 -c "import urllib.request; urllib.request.urlopen('http://$SWF_METRICS_LISTEN/healthz', timeout=1)" 2>/dev/null; then break; fi
  if ! kill -0 "$runtime_pid" 2>/dev/null; then cat "$runtime_log" >&2; echo "quickstart: swf-runtime exited" >&2; exit 1; fi
  sleep 0.2
done
echo "ready: http://$SWF_METRICS_LISTEN/healthz"

say "starting three workflows"
names=(Ada Grace Linus)
declare -A runs
for name in "${names[@]}"; do
  runs[$name]="$("$bin" start "${ops[@]}" --workflow-type greeting:1 --workflow-id "hello-$name" --input "$name")"
  echo "hello-$name: run ${runs[$name]}"
done

say "waiting until they complete"
for _ in $(seq 1 120); do
  closed="$("$bin" list "${ops[@]}" --closed | grep -c COMPLETED || true)"
  [ "$closed" -ge "${#names[@]}" ] && break
  sleep 0.5
done
"$bin" list "${ops[@]}" --closed
for name in "${names[@]}"; do
  result="$("$bin" history "${ops[@]}" --workflow-id "hello-$name" --run-id "${runs[$name]}" --json |
    python3 -c 'import json, sys; e = json.load(sys.stdin)["events"]; print([x for x in e if x["eventType"] == "WorkflowExecutionCompleted"][0]["workflowExecutionCompletedEventAttributes"]["result"])')"
  echo "hello-$name -> $result"
  [ "$result" = "Hello, $name!" ] || { echo "quickstart: unexpected result for $name" >&2; cat "$runtime_log" >&2; exit 1; }
done

say "history of hello-Ada"
"$bin" history "${ops[@]}" --workflow-id hello-Ada --run-id "${runs[Ada]}"

say "a few metrics"
python3 -c "import urllib.request; print(urllib.request.urlopen('http://$SWF_METRICS_LISTEN/metrics', timeout=2).read().decode())" |
  grep -E '^swfrt_tasks_(received|completed)_total' || true

say "stopping the workers with SIGTERM"
kill -TERM "$runtime_pid"
status=0
wait "$runtime_pid" || status=$?
runtime_pid=""
tail -n 3 "$runtime_log"
[ "$status" -eq 0 ] || { echo "quickstart: swf-runtime exited with $status" >&2; exit 1; }
say "quickstart finished: three workflows ran through swf-runtime against the local SWF endpoint"
