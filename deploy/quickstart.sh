#!/usr/bin/env bash
# From a fresh Debian 12 machine to workflows run end to end: installs the
# dependencies, builds swf-runtime and the example plugin, starts the local
# SWF endpoint (`swf-runtime dev-server`) on a free loopback port, runs
# `swf-runtime run deploy/examples/quickstart.yaml`, starts a few workflows
# with `swf-runtime start`, waits until they complete, prints their results
# and history, and stops the runtime with SIGTERM. Everything stays on
# 127.0.0.1; nothing here needs Python.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
# Share cache hits between checkouts in other folders.
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1

say() { printf '\n--- %s\n' "$*"; }

# GET http://127.0.0.1:PORT/PATH with bash alone; prints the body of a 200.
http_get() {
  local response
  exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
  response="$(cat <&3)"
  exec 3<&-
  case "$response" in
    "HTTP/1."?" 200 "*) printf '%s\n' "${response#*$'\r\n\r\n'}" ;;
    *) return 1 ;;
  esac
}
# A loopback port nothing listens on.
free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  return 1
}

say "installing dependencies"
./deploy/install-deps.sh

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

log="$(mktemp)"
say "starting the local SWF endpoint: swf-runtime dev-server --listen 127.0.0.1:0"
"$bin" dev-server --listen 127.0.0.1:0 >"$log" 2>&1 &
server_pid=$!
runtime_pid=""
runtime_log="$(mktemp)"
cleanup() {
  [ -n "$runtime_pid" ] && kill "$runtime_pid" 2>/dev/null && wait "$runtime_pid" 2>/dev/null
  kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null
  rm -f "$log" "$runtime_log"
}
trap cleanup EXIT
endpoint=""
for _ in $(seq 1 100); do
  endpoint="$(sed -n 's/^swf-runtime dev-server listening on \(http:[^;]*\);.*/\1/p' "$log")"
  [ -n "$endpoint" ] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then cat "$log" >&2; echo "quickstart: the dev server exited" >&2; exit 1; fi
  sleep 0.1
done
[ -n "$endpoint" ] || { cat "$log" >&2; echo "quickstart: the dev server did not start" >&2; exit 1; }
head -n 1 "$log"

export AWS_ACCESS_KEY_ID=quickstart AWS_SECRET_ACCESS_KEY=quickstart AWS_REGION=us-east-1
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_SWF
export SWF_ENDPOINT="$endpoint" SWF_PLUGIN_DIR="$root/build/plugins"
metrics_port="$(free_port)"
export SWF_METRICS_LISTEN="127.0.0.1:$metrics_port"
config="$root/deploy/examples/quickstart.yaml"
ops=(--config "$config" --domain quickstart)

say "checking the configuration and the example plugin"
"$bin" check "$config"

say "starting the workers: swf-runtime run deploy/examples/quickstart.yaml"
"$bin" run "$config" >"$runtime_log" 2>&1 &
runtime_pid=$!
for _ in $(seq 1 100); do
  if http_get "$metrics_port" /healthz >/dev/null 2>&1; then break; fi
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
  # The result member of the WorkflowExecutionCompleted event.
  result="$("$bin" history "${ops[@]}" --workflow-id "hello-$name" --run-id "${runs[$name]}" --json | tr -d '\n' |
    sed -n 's/.*"workflowExecutionCompletedEventAttributes" *: *{[^}]*"result" *: *"\([^"]*\)".*/\1/p')"
  echo "hello-$name -> $result"
  [ "$result" = "Hello, $name!" ] || { echo "quickstart: unexpected result for $name" >&2; cat "$runtime_log" >&2; exit 1; }
done

say "history of hello-Ada"
"$bin" history "${ops[@]}" --workflow-id hello-Ada --run-id "${runs[Ada]}"

say "a few metrics"
http_get "$metrics_port" /metrics | grep -E '^swfrt_tasks_(received|completed)_total' || true

say "stopping the workers with SIGTERM (polls in flight end within 60 s, as SWF's long polls do; a task one brings is still run)"
kill -TERM "$runtime_pid"
status=0
wait "$runtime_pid" || status=$?
runtime_pid=""
tail -n 3 "$runtime_log"
[ "$status" -eq 0 ] || { echo "quickstart: swf-runtime exited with $status" >&2; exit 1; }
say "quickstart finished: three workflows ran through swf-runtime against the local SWF endpoint"
