#!/usr/bin/env python3
"""Records the histories of this folder from real runs (by hand, not in CI).

Starts moto_server on a free loopback port, registers the domain and the
example plugin's types with `swf-runtime register`, runs `swf-runtime run`
with the example plugin as decider and activity worker, and starts each
case's execution with boto3, the second client, which also signals or
terminates it where the case says so. Once every execution is closed (each
wait is bounded) it writes <case>.json here: the events exactly as
GetWorkflowExecutionHistory returned them (the raw response bodies, every
page merged into one "events" list), plus "execution" (workflowId, runId)
and "workflowType", sorted keys, indent 1. One change is made: moto's
"TimerCancelled" events get SWF's spelling, "TimerCanceled".

A case whose execution does not end as expected is reported and not
written; the exit status is then 1.

    python3 tests/workflow/histories/recorded/record.py [CASE ...]

Needs moto_server on PATH and boto3 (tests/run.sh installs both), and the
built swf-runtime and example plugin: $SWF_RUNTIME_BIN and $SWF_PLUGIN_DIR,
by default build/runtime/swf-runtime and build/plugins of this tree.
"""

import json
import os
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ left in tests/integration

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))

import test_runtime_e2e as e2e  # noqa: E402
from moto_server import MotoServer  # noqa: E402

DOMAIN = "recorded"
DECISIONS = "example-decisions"    # the examples' default decision task list
ACTIVITIES = "example-activities"  # their activities' default task list
IDENTITY = "swf-runtime-recorder"  # in place of hostname:pid, which differs per machine
CLOSE_WITHIN = 120.0               # seconds for any execution to close
WAITING_WITHIN = 30.0              # seconds for a workflow to reach the point a case acts at


def timer_started(events):
    return any(e["eventType"] == "TimerStarted" for e in events)


def signal_approve(swf, execution):
    swf.signal_workflow_execution(domain=DOMAIN, signalName="approve", input="alice", **execution)


def terminate(swf, execution):
    swf.terminate_workflow_execution(domain=DOMAIN, reason="recorder: no approval coming",
                                     details="terminated by the client while the workflow waited",
                                     childPolicy="TERMINATE", **execution)


# name: workflow type, input, the close status and last event attributes
# expected, and optionally an action taken once the history shows `when`.
CASES = {
    "fan_out": dict(workflow="fan_out", input="7", close="COMPLETED", result="56"),
    "fan_out_bad_input": dict(workflow="fan_out", input="many", close="FAILED",
                              reason="BAD_INPUT"),
    "timer_then_greet": dict(workflow="timer_then_greet", input="2", close="COMPLETED", result="Hello, 2!"),
    "wait_for_approval_signaled": dict(workflow="wait_for_approval", input="\"order-1\"", close="COMPLETED",
                                       result="approved: alice", when=timer_started, action=signal_approve),
    "wait_for_approval_timed_out": dict(workflow="wait_for_approval", input="\"order-2\"", close="COMPLETED",
                                        result="timed out"),
    "wait_for_approval_terminated": dict(workflow="wait_for_approval", input="\"order-3\"", close="TERMINATED",
                                         when=timer_started, action=terminate),
    "chain": dict(workflow="chain", input="{\"a\":1,\"b\":2}", close="COMPLETED", result="Hello, 3!"),
    "chain_activity_failed": dict(workflow="chain", input="not json", close="FAILED",
                                  reason="activity add-1 failed: BAD_INPUT"),
}

CLOSE_EVENT = {"COMPLETED": "WorkflowExecutionCompleted", "FAILED": "WorkflowExecutionFailed",
               "TERMINATED": "WorkflowExecutionTerminated"}


# moto spells one event type otherwise than SWF (and its API model) does; the
# files hold SWF's spelling so that they are what SWF itself would return.
MOTO_SPELLINGS = {"TimerCancelled": "TimerCanceled"}


def lower_first(s):
    return s[:1].lower() + s[1:]


def as_swf_spells(event):
    """The event with moto's misspelled event type (and attributes key) put right."""
    wrong = event["eventType"]
    right = MOTO_SPELLINGS.get(wrong)
    if right is None:
        return event
    event = dict(event, eventType=right)
    event[lower_first(right) + "EventAttributes"] = event.pop(lower_first(wrong) + "EventAttributes")
    return event


class RawHistory:
    """Keeps the body of every GetWorkflowExecutionHistory response boto3
    receives, so that what is saved is SWF's JSON, not boto3's parse of it."""

    def __init__(self, swf):
        self.bodies = []
        swf.meta.events.register("after-call.swf.GetWorkflowExecutionHistory", self.keep)

    def keep(self, http_response, **_):
        self.bodies.append(http_response.content)

    def fetch(self, swf, execution):
        """Every page's events, as returned."""
        events, token = [], None
        while True:
            self.bodies.clear()
            kwargs = {"domain": DOMAIN, "execution": execution}
            if token:
                kwargs["nextPageToken"] = token
            page = swf.get_workflow_execution_history(**kwargs)
            if len(self.bodies) != 1:
                raise RuntimeError("expected one response body per page, got %d" % len(self.bodies))
            events += [as_swf_spells(e) for e in json.loads(self.bodies[0])["events"]]
            token = page.get("nextPageToken")
            if not token:
                return events


def check_outcome(name, case, events):
    """None when the history ends as the case expects, else what is wrong."""
    last = events[-1] if events else {}
    expected = CLOSE_EVENT[case["close"]]
    if last.get("eventType") != expected:
        return "%s: last event %s, expected %s" % (name, last.get("eventType"), expected)
    attrs = last[lower_first(expected) + "EventAttributes"]
    for key in ("result", "reason"):
        if key in case and attrs.get(key) != case[key]:
            return "%s: %s %r, expected %r" % (name, key, attrs.get(key), case[key])
    return None


def main(names):
    unknown = [n for n in names if n not in CASES]
    if unknown:
        sys.exit("unknown case(s) %s; known: %s" % (", ".join(unknown), ", ".join(CASES)))
    selected = {n: CASES[n] for n in (names or CASES)}
    os.environ.setdefault("SWF_RUNTIME_BIN", os.path.join(ROOT, "build", "runtime", "swf-runtime"))
    os.environ.setdefault("SWF_PLUGIN_DIR", os.path.join(ROOT, "build", "plugins"))
    e2e.setUpModule()

    failures = []
    moto = MotoServer()
    with tempfile.TemporaryDirectory(prefix="swfrt-record-") as tmp, moto:
        text = e2e.config_text(endpoint_url=moto.endpoint_url, domain=DOMAIN, grace=1, workers=[
            {"kind": "decision", "task_list": DECISIONS, "pollers": 2, "max_concurrent": 4,
             "handlers": sorted({c["workflow"] for c in CASES.values()})},
            {"kind": "activity", "task_list": ACTIVITIES, "pollers": 2, "max_concurrent": 8,
             "handlers": ["add", "greet"]}])
        text = text.replace("runtime:\n", "runtime:\n  identity: %s\n" % e2e.q(IDENTITY), 1)
        config = os.path.join(tmp, "record.yaml")
        with open(config, "w") as f:
            f.write(text)
        p = subprocess.run([e2e.BIN, "register", config], capture_output=True, text=True,
                           timeout=e2e.CHECK_TIMEOUT, env=e2e.child_env(), stdin=subprocess.DEVNULL)
        if p.returncode != 0:
            sys.exit("swf-runtime register failed:\n%s%s" % (p.stdout, p.stderr))
        runtime = e2e.RuntimeProcess(config)
        try:
            runtime.start().wait_ready()
            swf = e2e.boto(moto.endpoint_url)
            raw = RawHistory(swf)
            runs = {}
            for name, case in selected.items():
                run_id = swf.start_workflow_execution(domain=DOMAIN, workflowId=name,
                                                      workflowType={"name": case["workflow"], "version": "1"},
                                                      input=case["input"])["runId"]
                runs[name] = {"workflowId": name, "runId": run_id}

            pending_actions = {n for n, c in selected.items() if "action" in c}
            started = time.monotonic()
            open_runs = set(runs)
            histories = {}
            while open_runs or pending_actions:
                if not runtime.running():
                    sys.exit("swf-runtime exited (status %s); log:\n%s"
                             % (runtime.process.returncode, runtime.log_tail()))
                elapsed = time.monotonic() - started
                for name in sorted(pending_actions):
                    case = selected[name]
                    if case["when"](e2e.history_of(swf, DOMAIN, runs[name])):
                        case["action"](swf, runs[name])
                        pending_actions.discard(name)
                    elif elapsed > WAITING_WITHIN:
                        failures.append("%s: never reached the point to act at" % name)
                        pending_actions.discard(name)
                        open_runs.discard(name)
                for name in sorted(open_runs - pending_actions):
                    info = swf.describe_workflow_execution(domain=DOMAIN, execution=runs[name])["executionInfo"]
                    if info["executionStatus"] == "CLOSED":
                        # At once: moto lets a timer still running at the close fire later and
                        # appends TimerFired and DecisionTaskScheduled after the close event.
                        histories[name] = raw.fetch(swf, runs[name])
                        open_runs.discard(name)
                if elapsed > CLOSE_WITHIN:
                    failures += ["%s: not closed within %.0f s" % (n, CLOSE_WITHIN) for n in sorted(open_runs)]
                    break
                time.sleep(0.5)

            for name, case in selected.items():
                if name not in histories:
                    continue
                events = histories[name]
                wrong = check_outcome(name, case, events)
                if wrong:
                    failures.append(wrong)
                    continue
                document = {"execution": runs[name],
                            "workflowType": {"name": case["workflow"], "version": "1"},
                            "events": events}
                path = os.path.join(HERE, name + ".json")
                with open(path, "w") as f:
                    json.dump(document, f, sort_keys=True, indent=1, ensure_ascii=False)
                    f.write("\n")
                print("%s: %d events, %s" % (os.path.relpath(path, ROOT), len(events), events[-1]["eventType"]))
        finally:
            status = runtime.terminate()
            if status not in (0, None) and not failures:
                failures.append("swf-runtime exited with status %s; log:\n%s" % (status, runtime.log_tail()))
    if failures:
        print("not recorded:\n  " + "\n  ".join(failures) + "\nmoto_server's log: " + moto.log_path,
              file=sys.stderr)
        return 1
    moto.remove_log()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
