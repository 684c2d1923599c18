#!/usr/bin/env bash
# From a fresh Debian 12 machine to a workflow run end to end: installs the
# dependencies, builds swf-runtime, starts a local SWF endpoint (moto_server)
# on a free loopback port and drives one workflow through `swf-runtime api`:
# register, start, decide, run the activity with a heartbeat, complete, and
# read the history back. Everything stays on 127.0.0.1.
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
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build swf-runtime
bin="$root/build/runtime/swf-runtime"

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
log="$(mktemp)"
say "starting moto_server on 127.0.0.1:$port"
moto_server -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
moto_pid=$!
trap 'kill "$moto_pid" 2>/dev/null; wait "$moto_pid" 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 1 100); do
  if python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null; then break; fi
  if ! kill -0 "$moto_pid" 2>/dev/null; then cat "$log" >&2; echo "quickstart: moto_server exited" >&2; exit 1; fi
  sleep 0.2
done

export AWS_ACCESS_KEY_ID=quickstart AWS_SECRET_ACCESS_KEY=quickstart AWS_REGION=us-east-1
export AWS_ENDPOINT_URL_SWF="http://127.0.0.1:$port"
unset AWS_PROFILE AWS_SESSION_TOKEN

api() {
  echo "\$ swf-runtime api $1 ${2:+--input '$2'} ${*:3}" >&2
  "$bin" api "$1" ${2:+--input "$2"} "${@:3}"
}
field() { python3 -c "import json, sys; d = json.load(sys.stdin); print(eval('d' + sys.argv[1]))" "$1"; }

domain=quickstart
wf='{"name":"hello","version":"1"}'
act='{"name":"greet","version":"1"}'

say "registering the domain and types"
api RegisterDomain '{"name":"'$domain'","workflowExecutionRetentionPeriodInDays":"1"}'
api register-workflow-type '{"domain":"'$domain'","name":"hello","version":"1","defaultTaskList":{"name":"deciders"},"defaultChildPolicy":"TERMINATE","defaultExecutionStartToCloseTimeout":"3600","defaultTaskStartToCloseTimeout":"30"}'
api register-activity-type '{"domain":"'$domain'","name":"greet","version":"1","defaultTaskList":{"name":"workers"},"defaultTaskScheduleToStartTimeout":"60","defaultTaskScheduleToCloseTimeout":"120","defaultTaskStartToCloseTimeout":"60","defaultTaskHeartbeatTimeout":"30"}'

say "starting a workflow"
run_id="$(api StartWorkflowExecution '{"domain":"'$domain'","workflowId":"hello-1","workflowType":'"$wf"',"input":"world"}' | field '["runId"]')"
echo "run id: $run_id"

say "deciding: schedule the activity"
token="$(api PollForDecisionTask '{"domain":"'$domain'","taskList":{"name":"deciders"},"identity":"quickstart"}' | field '["taskToken"]')"
api RespondDecisionTaskCompleted '{"taskToken":"'"$token"'","decisions":[{"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{"activityId":"greet-1","activityType":'"$act"',"input":"world"}}]}'

say "working: run the activity"
task="$(api PollForActivityTask '{"domain":"'$domain'","taskList":{"name":"workers"},"identity":"quickstart"}')"
token="$(echo "$task" | field '["taskToken"]')"
name="$(echo "$task" | field '["input"]')"
api RecordActivityTaskHeartbeat '{"taskToken":"'"$token"'","details":"halfway"}'
api RespondActivityTaskCompleted '{"taskToken":"'"$token"'","result":"Hello, '"$name"'!"}'

say "deciding: complete the workflow with the activity's result"
task="$(api PollForDecisionTask '{"domain":"'$domain'","taskList":{"name":"deciders"}}' --all-pages)"
token="$(echo "$task" | field '["taskToken"]')"
result="$(echo "$task" | python3 -c 'import json, sys; e = json.load(sys.stdin)["events"]; print([x for x in e if x["eventType"] == "ActivityTaskCompleted"][0]["activityTaskCompletedEventAttributes"]["result"])')"
api RespondDecisionTaskCompleted '{"taskToken":"'"$token"'","decisions":[{"decisionType":"CompleteWorkflowExecution","completeWorkflowExecutionDecisionAttributes":{"result":"'"$result"'"}}]}'

say "reading it back"
status="$(api DescribeWorkflowExecution '{"domain":"'$domain'","execution":{"workflowId":"hello-1","runId":"'"$run_id"'"}}' | field '["executionInfo"]["closeStatus"]')"
api GetWorkflowExecutionHistory '{"domain":"'$domain'","execution":{"workflowId":"hello-1","runId":"'"$run_id"'"},"maximumPageSize":5}' --all-pages |
  python3 -c 'import json, sys; [print("  %3d %s" % (e["eventId"], e["eventType"])) for e in json.load(sys.stdin)["events"]]'
echo "workflow hello-1 closed as $status with result: $result"
[ "$status" = "COMPLETED" ] || { echo "quickstart: expected COMPLETED" >&2; exit 1; }
say "quickstart finished: swf-runtime talked to the local SWF endpoint at $AWS_ENDPOINT_URL_SWF"
