"""`swf-runtime run` end to end while SWF misbehaves.

The runtime ($SWF_RUNTIME_BIN, with the example plugin from $SWF_PLUGIN_DIR
and its default retry settings) talks to moto_server through
FaultInjectingProxy (fault_proxy.py), which throttles, fails, resets and
loses the answers of a fraction of its calls, registration included. boto3
starts workflows of the example plugin that end on their own (greeting,
chain, fan_out, timer_then_greet) directly against moto, waits (bounded)
until every one is closed and then checks, against moto again:

- every execution completed (closeStatus COMPLETED) with its result;
- no history holds a DecisionTaskTimedOut or ActivityTaskTimedOut event;
- moto accepted no task token's answer twice, and accepted an answer for
  every task token a poll delivered to the runtime.

All problems are reported together, with the proxy's record of every answer
to the tasks concerned, the faults it injected and the runtime's log.

  SWFRT_FAULT_WORKFLOWS  workflows to run (default 12)
  SWFRT_FAULT_RATE       fraction of calls given a fault (default 0.30)
  SWFRT_FAULT_SEED       seed of the fault draws (default 1)
  SWFRT_FAULT_WAIT       seconds to wait for all to close (default max(90, 40 + 2 per workflow))

Run from tests/integration:  python3 -m unittest -v test_faults_e2e
(tests/fault_run.sh runs the long version against build/.)
"""

import json
import os
import re
import subprocess
import sys
import time
import unittest

import test_runtime_e2e as e2e
from fault_proxy import FaultInjectingProxy


def env_number(name, default, kind, low, high):
    text = os.environ.get(name, "")
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise ValueError("%s must be a number from %s to %s, got %r" % (name, low, high, text))
    return value


WORKFLOWS = env_number("SWFRT_FAULT_WORKFLOWS", 12, int, 1, 10000)
RATE = env_number("SWFRT_FAULT_RATE", 0.30, float, 0.0, 1.0)
SEED = os.environ.get("SWFRT_FAULT_SEED") or "1"
# moto times a decision task out 30 s (the examples' task start-to-close
# timeout) after it started, lazily on the next call: waiting longer lets a
# task the runtime dropped show up in the history as timed out.
CLOSE_WITHIN = env_number("SWFRT_FAULT_WAIT", max(90.0, 40.0 + 2.0 * WORKFLOWS), float, 1.0, 86400.0)
# Registration goes through the faults too, with backoff between attempts.
READY_WITHIN = 60.0

DOMAIN = "e2e-faults"
DECISIONS = "example-decisions"    # the examples' default decision task list
ACTIVITIES = "example-activities"  # greet's and add's default activity task list
TIMED_OUT = ("DecisionTaskTimedOut", "ActivityTaskTimedOut")


def setUpModule():
    # The environment checks and paths of the runtime's end-to-end tests.
    e2e.setUpModule()


def workflow_plan(i):
    """(workflow type, input, expected result) of the i-th workflow."""
    kind = i % 4
    if kind == 0:
        return "greeting", "w%d" % i, "Hello, w%d!" % i
    if kind == 1:
        # add on the input, then greet on the sum.
        return "chain", json.dumps({"a": i, "b": 2}), "Hello, %d!" % (i + 2)
    if kind == 2:
        # add {"a":k,"b":k} for k = 1..n, five at a time: the sum is n (n + 1).
        n = 3 + i % 8
        return "fan_out", str(n), str(n * (n + 1))
    # A 1 s timer (moto fires it from a thread of its own), then greet.
    return "timer_then_greet", "1", "Hello, 1!"


def runtime_config(endpoint_url):
    text = e2e.config_text(endpoint_url=endpoint_url, domain=DOMAIN, grace=5, workers=[
        {"kind": "decision", "task_list": DECISIONS, "pollers": 2, "max_concurrent": 4,
         "handlers": ["greeting", "chain", "fan_out", "timer_then_greet"]},
        {"kind": "activity", "task_list": ACTIVITIES, "pollers": 2, "max_concurrent": 8,
         "handlers": ["greet", "add"]}])
    # The runtime's own retry defaults are what is under test: drop the
    # retry section config_text writes.
    retry = "  retry:\n    max_attempts: 3\n"
    if retry not in text:
        raise RuntimeError("config_text no longer writes %r; update runtime_config" % retry)
    return text.replace(retry, "")


def warnings_of(log, limit=60):
    lines = [l for l in log.splitlines() if re.match(r"^\S+ (warn|error) ", l)]
    return lines[-limit:]


def event_line(e):
    kind = e["eventType"]
    attrs = e.get(kind[0].lower() + kind[1:] + "EventAttributes", {})
    keep = {k: v for k, v in attrs.items() if k in ("activityId", "timeoutType", "scheduledEventId", "startedEventId",
                                                     "result", "reason", "details", "timerId", "cause")}
    return "%d %s %s" % (e["eventId"], kind, json.dumps(keep, default=str) if keep else "")


class FaultInjectionTest(e2e.RuntimeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.proxy = FaultInjectingProxy(cls.port, rate=RATE, seed=SEED).start()
        cls.addClassCleanup(cls.proxy.stop)
        cls.runtime = cls.start_runtime("faults.yaml", runtime_config(cls.proxy.endpoint_url))
        try:
            cls.runtime.wait_ready(READY_WITHIN)
        except RuntimeError:
            print("\n" + cls.proxy.summary(), file=sys.stderr)
            raise

    def describe(self, wid, run_id):
        return self.swf.describe_workflow_execution(
            domain=DOMAIN, execution={"workflowId": wid, "runId": run_id})["executionInfo"]

    def wait_closed(self, runs):
        """The ids still open after CLOSE_WITHIN seconds (sooner when the runtime exits)."""
        deadline = time.monotonic() + CLOSE_WITHIN
        still_open = set(runs)
        while still_open and self.runtime.running():
            for wid in sorted(still_open):
                if self.describe(wid, runs[wid][0])["executionStatus"] == "CLOSED":
                    still_open.discard(wid)
            if not still_open or time.monotonic() >= deadline:
                break
            time.sleep(1.0)
        return still_open

    def problems_of_execution(self, wid, run_id, name, input, expected):
        problems = []
        info = self.describe(wid, run_id)
        events = e2e.history_of(self.swf, DOMAIN, {"workflowId": wid, "runId": run_id})
        label = "%s (%s %r)" % (wid, name, input)
        if info["executionStatus"] != "CLOSED":
            scheduled = {e["eventId"]: e["activityTaskScheduledEventAttributes"]["activityId"]
                         for e in events if e["eventType"] == "ActivityTaskScheduled"}
            started = {e["activityTaskStartedEventAttributes"]["scheduledEventId"]
                       for e in events if e["eventType"] == "ActivityTaskStarted"}
            ended = set()
            for e in events:
                for key in ("activityTaskCompletedEventAttributes", "activityTaskFailedEventAttributes",
                            "activityTaskTimedOutEventAttributes", "activityTaskCanceledEventAttributes"):
                    if key in e:
                        ended.add(e[key]["scheduledEventId"])
            problems.append("%s still open after %.0f s; activities started, not ended: %s; scheduled, not "
                            "started: %s; last events:\n      %s"
                            % (label, CLOSE_WITHIN, sorted(scheduled[k] for k in started - ended),
                               sorted(scheduled[k] for k in set(scheduled) - started - ended),
                               "\n      ".join(event_line(e) for e in events[-6:])))
        elif info.get("closeStatus") != "COMPLETED":
            problems.append("%s closed %s, not COMPLETED; last events:\n      %s"
                            % (label, info.get("closeStatus"), "\n      ".join(event_line(e) for e in events[-4:])))
        else:
            result = events[-1].get("workflowExecutionCompletedEventAttributes", {}).get("result")
            if result != expected:
                problems.append("%s completed with %r, expected %r" % (label, result, expected))
        for e in events:
            if e["eventType"] in TIMED_OUT:
                problems.append("%s: %s" % (label, event_line(e)))
        return problems

    def test_every_workflow_completes_exactly_once_despite_faults(self):
        runs = {}  # workflow id -> (run id, type, input, expected result)
        for i in range(WORKFLOWS):
            name, input, expected = workflow_plan(i)
            wid = "faults-%04d-%s" % (i, name)
            run_id = self.swf.start_workflow_execution(domain=DOMAIN, workflowId=wid,
                                                       workflowType={"name": name, "version": "1"},
                                                       input=input)["runId"]
            runs[wid] = (run_id, name, input, expected)
        began = time.monotonic()
        still_open = self.wait_closed(runs)
        took = time.monotonic() - began

        problems = []
        if not self.runtime.running():
            problems.append("swf-runtime exited (status %s) while the workflows ran"
                            % self.runtime.process.returncode)
        for wid in sorted(runs):
            problems += self.problems_of_execution(wid, *runs[wid])
        for token, attempts in sorted(self.proxy.answered_twice().items()):
            poll, wid, what = self.proxy.task_of(token)
            problems.append("moto accepted %d answers for one task (%s of %s, token %s...): %s"
                            % (sum(a.succeeded for a in attempts), what, wid, token[:8], attempts))
        for token, (poll, wid, what, attempts) in sorted(self.proxy.never_answered().items(), key=lambda kv: kv[1][1]):
            problems.append("%s delivered %s of %s (token %s...) to the runtime; moto accepted no answer for it: %s"
                            % (poll, what, wid, token[:8], attempts or "never answered"))

        closed = len(runs) - len(still_open)
        print("\n%d of %d workflows closed in %.1f s\n%s" % (closed, len(runs), took, self.proxy.summary()),
              file=sys.stderr)
        retried = sorted(self.proxy.retried_after_lost_answer().items(), key=lambda kv: kv[1][0].at)
        if retried:
            print("answers sent again after a lost answer (the first 20 of %d):" % len(retried), file=sys.stderr)
            for token, attempts in retried[:20]:
                poll, wid, what = self.proxy.task_of(token)
                print("  %s of %s: %s" % (what, wid, attempts), file=sys.stderr)
        if problems:
            log = self.runtime.log()
            print("\n%d problems:\n  %s" % (len(problems), "\n  ".join(problems)), file=sys.stderr)
            print("\nthe runtime's last warnings and errors:\n  %s" % "\n  ".join(warnings_of(log)), file=sys.stderr)
            print("\nthe runtime's log tail:\n%s" % self.runtime.log_tail(6000), file=sys.stderr)
            self.fail("%d problems with %d workflows under %.0f%% faults (seed %s); the first:\n  %s"
                      % (len(problems), len(runs), 100 * RATE, SEED, "\n  ".join(problems[:10])))


class LostAnswerTest(e2e.RuntimeCase):
    """One lost answer at a time, where it hurts: the request took effect in
    moto, the connection was reset before a byte of the answer."""

    def proxy(self, script):
        p = FaultInjectingProxy(self.port, rate=0.0, script=script).start()
        self.addCleanup(p.stop)
        return p

    def cli(self, proxy, *args):
        env = e2e.child_env()
        env.update(AWS_ACCESS_KEY_ID=e2e.ACCESS_KEY, AWS_SECRET_ACCESS_KEY=e2e.SECRET_KEY)
        return subprocess.run([e2e.BIN] + list(args) + ["--endpoint-url", proxy.endpoint_url, "--region", e2e.REGION],
                              capture_output=True, text=True, timeout=60, env=env)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # As the runtime's configuration registers it, so that its own
        # registration finds it equal.
        cls.swf.register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="1",
                                description="swf-runtime end-to-end test")
        cls.swf.register_workflow_type(domain=DOMAIN, name="lost", version="1", defaultTaskList={"name": "lost"},
                                       defaultTaskStartToCloseTimeout="30",
                                       defaultExecutionStartToCloseTimeout="600", defaultChildPolicy="TERMINATE")

    def test_start_whose_answer_was_lost_reports_the_run_it_started(self):
        proxy = self.proxy({"StartWorkflowExecution": ["lost_answer"]})
        p = self.cli(proxy, "start", "--domain", DOMAIN, "--workflow-type", "lost:1", "--workflow-id", "lost-start")
        self.assertEqual(p.returncode, 0, p.stderr)
        open_runs = self.swf.list_open_workflow_executions(
            domain=DOMAIN, startTimeFilter={"oldestDate": 0}, executionFilter={"workflowId": "lost-start"})
        # moto ignores executionFilter: the client checks the id itself, and so does this test.
        runs = [i["execution"]["runId"] for i in open_runs["executionInfos"]
                if i["execution"]["workflowId"] == "lost-start"]
        self.assertEqual(len(runs), 1, open_runs)
        self.assertEqual(p.stdout.strip(), runs[0])
        self.assertEqual(proxy.requests["StartWorkflowExecution"], 2)

    def test_signal_whose_answer_was_lost_is_not_sent_twice(self):
        run_id = self.swf.start_workflow_execution(domain=DOMAIN, workflowId="lost-signal",
                                                   workflowType={"name": "lost", "version": "1"})["runId"]
        proxy = self.proxy({"SignalWorkflowExecution": ["lost_answer"]})
        p = self.cli(proxy, "signal", "--domain", DOMAIN, "--workflow-id", "lost-signal", "--name", "ping",
                     "--input", "once")
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("may have taken effect", p.stderr)
        self.assertEqual(proxy.requests["SignalWorkflowExecution"], 1)
        events = e2e.history_of(self.swf, DOMAIN, {"workflowId": "lost-signal", "runId": run_id})
        self.assertEqual([e["eventType"] for e in events].count("WorkflowExecutionSignaled"), 1)

    def test_an_answer_whose_reply_was_lost_is_settled_by_its_effect(self):
        # The pool once resent such an answer at once and logged its
        # UnknownResourceFault as a failure; now the retry finds the token
        # used and the answer counts as ambiguous, not lost.
        proxy = self.proxy({"RespondActivityTaskCompleted": ["lost_answer"],
                            "RespondDecisionTaskCompleted": ["lost_answer"]})
        text = runtime_config(proxy.endpoint_url)
        rt = self.start_runtime("lost.yaml", text, cleanup=self.addCleanup).wait_ready(READY_WITHIN)
        run_id = self.swf.start_workflow_execution(domain=DOMAIN, workflowId="lost-answer",
                                                   workflowType={"name": "greeting", "version": "1"},
                                                   input="again")["runId"]
        execution = {"workflowId": "lost-answer", "runId": run_id}
        e2e.wait_until("the workflow closed", lambda: self.swf.describe_workflow_execution(
            domain=DOMAIN, execution=execution)["executionInfo"]["executionStatus"] == "CLOSED", 60, runtime=rt)
        events = e2e.history_of(self.swf, DOMAIN, execution)
        self.assertEqual(events[-1]["eventType"], "WorkflowExecutionCompleted")
        self.assertEqual(events[-1]["workflowExecutionCompletedEventAttributes"]["result"], "Hello, again!")
        self.assertEqual(proxy.answered_twice(), {})
        # The workflow may close while the worker still retries the answer
        # whose reply was lost (SWF took the first attempt): wait for it.
        for kind, task_list in (("activity", ACTIVITIES), ("decision", DECISIONS)):
            def settled():
                metrics = e2e.http_get(rt.metrics_port, "/metrics")[1]
                return e2e.metric_value(metrics, "swfrt_task_answers_total",
                                        {"kind": kind, "domain": DOMAIN, "task_list": task_list,
                                         "outcome": "ambiguous"}) is not None
            e2e.wait_until("the %s answer settled by its effect" % kind, settled, 30, runtime=rt)
            metrics = e2e.http_get(rt.metrics_port, "/metrics")[1]
            ambiguous = e2e.metric_value(metrics, "swfrt_task_answers_total",
                                         {"kind": kind, "domain": DOMAIN, "task_list": task_list,
                                          "outcome": "ambiguous"})
            self.assertEqual(ambiguous, 1, "%s answers settled by their effect; metrics:\n%s" % (kind, metrics))
        self.assertNotIn("answering the activity task failed", rt.log())
        self.assertNotIn("answering the decision task failed", rt.log())


if __name__ == "__main__":
    unittest.main()
