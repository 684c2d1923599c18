"""`swf-runtime replay` and the example plugin's coroutine workflows.

ReplayFileTest replays canned histories (tests/workflow/histories/seed_*.json
for MyWorkflow 1.0, replay_histories/ for the other examples) through the
CLI ($SWF_RUNTIME_BIN) and the example plugin ($SWF_PLUGIN_DIR) and checks
the decisions printed, the exit codes and the messages: 0 decisions, 2 bad
arguments or input, 4 the history disagrees with the code, 5 the decider
failed. It needs no server.

ReplayEndToEndTest runs fan_out, timer_then_greet and wait_for_approval under
`swf-runtime run` against moto_server (started on a free loopback port and
stopped), with boto3 as the second client that starts, signals and reads
back the executions, and then replays what `swf-runtime history --json`
printed, and the history fetched by replay itself. moto has no Lambda:
MyWorkflow is covered by the canned histories only.

Run from tests/integration:  python3 -m unittest -v test_replay
"""

import json
import os
import subprocess
import tempfile
import time
import unittest
import urllib.request

import test_runtime_e2e as e2e

HERE = os.path.dirname(os.path.abspath(__file__))
SEED_HISTORIES = os.path.join(HERE, "..", "workflow", "histories")
HISTORIES = os.path.join(HERE, "replay_histories")
CLI_TIMEOUT = 60  # seconds for one replay or history command

EXIT_OK, EXIT_SERVICE, EXIT_USAGE, EXIT_NON_DETERMINISM, EXIT_DECIDER_FAILED = 0, 1, 2, 4, 5


def setUpModule():
    # The environment checks and paths of the runtime's end-to-end tests.
    e2e.setUpModule()


def load(directory, name):
    with open(os.path.join(directory, name + ".json")) as f:
        return json.load(f)


def complete(result):
    return [{"decisionType": "CompleteWorkflowExecution",
             "completeWorkflowExecutionDecisionAttributes": {"result": result}}]


def schedule_add(i):
    return {"decisionType": "ScheduleActivityTask",
            "scheduleActivityTaskDecisionAttributes": {
                "activityId": str(i), "activityType": {"name": "add", "version": "1"},
                "input": json.dumps({"a": i, "b": i}, separators=(",", ":"))}}


def replay(*args, stdin=None, env=None):
    return subprocess.run([e2e.BIN, "replay", "--plugin", e2e.EXAMPLE_PLUGIN] + list(args), input=stdin,
                          capture_output=True, text=True, timeout=CLI_TIMEOUT, env=env or e2e.child_env())


class ReplayCase(unittest.TestCase):
    def setUp(self):
        work = tempfile.TemporaryDirectory(prefix="swfrt-replay-")
        self.addCleanup(work.cleanup)
        self.work = work.name

    def write(self, name, text):
        path = os.path.join(self.work, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def assert_decisions(self, p, expected):
        self.assertEqual(p.returncode, EXIT_OK, "stdout:\n%s\nstderr:\n%s" % (p.stdout, p.stderr))
        self.assertEqual(p.stderr, "")
        # One JSON array on one line.
        self.assertTrue(p.stdout.endswith("\n") and p.stdout.count("\n") == 1, p.stdout)
        self.assertEqual(json.loads(p.stdout), expected)

    def assert_refused(self, p, code, *expected):
        self.assertEqual(p.returncode, code, "stdout:\n%s\nstderr:\n%s" % (p.stdout, p.stderr))
        self.assertEqual(p.stdout, "")
        for e in expected:
            self.assertIn(e, p.stderr)


class ReplayFileTest(ReplayCase):
    def seed(self, name):
        return os.path.join(SEED_HISTORIES, name + ".json")

    def history(self, name):
        return os.path.join(HISTORIES, name + ".json")

    # ---- decisions ----

    def test_seed_example_through_its_life(self):
        self.assert_decisions(replay("--workflow", "MyWorkflow", self.seed("seed_first_decision_task")),
                              [{"decisionType": "ScheduleLambdaFunction",
                                "scheduleLambdaFunctionDecisionAttributes": {
                                    "id": "l1", "name": "some_lambda_func", "input": "\"some input\""}}])
        # At the decision task after some_lambda_func returned 40: 40 + 2.
        h = load(SEED_HISTORIES, "seed_complete")
        h["events"] = h["events"][:9]
        self.assert_decisions(replay("--workflow", "MyWorkflow", self.write("after_l1.json", json.dumps(h))),
                              [{"decisionType": "ScheduleLambdaFunction",
                                "scheduleLambdaFunctionDecisionAttributes": {
                                    "id": "l2", "name": "other_lambda_func", "input": "42"}}])
        # The whole history: its last decision task completes with other_lambda_func's result.
        self.assert_decisions(replay("--workflow", "MyWorkflow", "--version", "1.0", self.seed("seed_complete")),
                              complete("{\"answer\":42}"))

    def test_seed_example_fails_on_bad_input(self):
        self.assert_decisions(replay("--workflow", "MyWorkflow", self.seed("seed_bad_input")),
                              [{"decisionType": "FailWorkflowExecution",
                                "failWorkflowExecutionDecisionAttributes": {
                                    "reason": "BAD_INPUT", "details": "Received bad input"}}])

    def test_fan_out_schedules_the_second_batch(self):
        self.assert_decisions(replay("--workflow", "fan_out", self.history("fan_out_second_batch")),
                              [schedule_add(6), schedule_add(7)])

    def test_timer_then_greet_greets_once_the_timer_fired(self):
        self.assert_decisions(replay("--workflow", "timer_then_greet", self.history("timer_then_greet_fired")),
                              [{"decisionType": "ScheduleActivityTask",
                                "scheduleActivityTaskDecisionAttributes": {
                                    "activityId": "1", "activityType": {"name": "greet", "version": "1"},
                                    "input": "1"}}])

    def test_wait_for_approval_signaled_or_timed_out(self):
        # The signal won: the timer is canceled with the answer.
        self.assert_decisions(replay("--workflow", "wait_for_approval", self.history("wait_for_approval_signaled")),
                              [{"decisionType": "CancelTimer", "cancelTimerDecisionAttributes": {"timerId": "t1"}}]
                              + complete("approved: alice"))
        self.assert_decisions(replay("--workflow", "wait_for_approval",
                                     self.history("wait_for_approval_timed_out")),
                              complete("timed out"))

    def test_parent_of_fan_out_returns_what_its_child_returned(self):
        self.assert_decisions(replay("--workflow", "parent_of_fan_out", "--execution", "parent:run-of-the-parent",
                                     self.history("parent_of_fan_out_child_completed")),
                              complete("\"the child summed to 12\""))
        # Its first decision task: the child, named after the run.
        h = load(HISTORIES, "parent_of_fan_out_child_completed")
        h["events"] = h["events"][:3]
        self.assert_decisions(replay("--workflow", "parent_of_fan_out", "--execution", "parent:run-of-the-parent",
                                     self.write("first.json", json.dumps(h))),
                              [{"decisionType": "StartChildWorkflowExecution",
                                "startChildWorkflowExecutionDecisionAttributes": {
                                    "workflowId": "run-of-the-parent:c1",
                                    "workflowType": {"name": "fan_out", "version": "1"},
                                    "input": "3", "taskList": {"name": "example-decisions"}}}])

    def test_countdown_continues_as_new_after_three_steps(self):
        self.assert_decisions(replay("--workflow", "countdown", self.history("countdown_continues")),
                              [{"decisionType": "ContinueAsNewWorkflowExecution",
                                "continueAsNewWorkflowExecutionDecisionAttributes": {"input": "1"}}])
        # A run with nothing left completes.
        h = load(HISTORIES, "countdown_continues")
        h["events"] = h["events"][:3]
        h["events"][0]["workflowExecutionStartedEventAttributes"]["input"] = "0"
        self.assert_decisions(replay("--workflow", "countdown", self.write("zero.json", json.dumps(h))),
                              complete("\"done\""))
        # Typed input: text that is no number fails the run.
        h["events"][0]["workflowExecutionStartedEventAttributes"]["input"] = "\"four\""
        self.assert_decisions(replay("--workflow", "countdown", self.write("four.json", json.dumps(h))),
                              [{"decisionType": "FailWorkflowExecution",
                                "failWorkflowExecutionDecisionAttributes": {
                                    "reason": "InvalidInput",
                                    "details": "the input cannot be read: not a JSON number: \"\"four\"\""}}])

    def test_cancellable_booking_cleans_up_and_ends_canceled(self):
        h = load(HISTORIES, "cancellable_booking_canceled")
        at = {e["eventId"]: e for e in h["events"]}
        self.assertEqual(at[13]["eventType"], "WorkflowExecutionCancelRequested")

        def upto(n, name):
            cut = dict(h, events=[e for e in h["events"] if e["eventId"] <= n])
            return self.write(name, json.dumps(cut))

        # The decision task after the request: the sleep is asked to stop.
        self.assert_decisions(replay("--workflow", "cancellable_booking", upto(15, "requested.json")),
                              [{"decisionType": "RequestCancelActivityTask",
                                "requestCancelActivityTaskDecisionAttributes": {"activityId": "2"}}])
        # Once canceled: the clean-up activity.
        self.assert_decisions(replay("--workflow", "cancellable_booking", upto(20, "canceled.json")),
                              [{"decisionType": "ScheduleActivityTask",
                                "scheduleActivityTaskDecisionAttributes": {
                                    "activityId": "3", "activityType": {"name": "greet", "version": "1"},
                                    "input": "\"release\""}}])
        # After it: the execution ends canceled.
        self.assert_decisions(replay("--workflow", "cancellable_booking", self.history("cancellable_booking_canceled")),
                              [{"decisionType": "CancelWorkflowExecution",
                                "cancelWorkflowExecutionDecisionAttributes": {
                                    "details": "released the reservation after a cancel request"}}])

    def test_retry_fail_waits_before_the_next_attempt(self):
        self.assert_decisions(replay("--workflow", "retry_fail", self.history("retry_fail_first_failure")),
                              [{"decisionType": "StartTimer",
                                "startTimerDecisionAttributes": {"timerId": "t1", "startToFireTimeout": "1"}}])

    def test_raw_decider_is_replayed_too(self):
        # greeting (a raw decider) on another workflow's history: it schedules greet on the input.
        self.assert_decisions(replay("--workflow", "greeting", self.history("timer_then_greet_fired")),
                              [{"decisionType": "ScheduleActivityTask",
                                "scheduleActivityTaskDecisionAttributes": {
                                    "activityId": "greet-1", "activityType": {"name": "greet", "version": "1"},
                                    "input": "1"}}])

    def test_pages_one_after_another_as_an_array_and_from_stdin(self):
        h = load(HISTORIES, "fan_out_second_batch")
        events = h["events"]
        pages = [{"events": events[:7], "nextPageToken": "page-2"},
                 {"events": events[7:15], "nextPageToken": "page-3"},
                 {"events": events[15:]}]
        expected = [schedule_add(6), schedule_add(7)]
        concatenated = self.write("pages.json", "".join(json.dumps(p, indent=2) + "\n" for p in pages))
        self.assert_decisions(replay("--workflow", "fan_out", concatenated), expected)
        compact = self.write("compact.json", "".join(json.dumps(p) for p in pages))
        self.assert_decisions(replay("--workflow", "fan_out", compact), expected)
        array = self.write("array.json", json.dumps(pages))
        self.assert_decisions(replay("--workflow", "fan_out", array), expected)
        self.assert_decisions(replay("--workflow", "fan_out", "-", stdin=json.dumps(h)), expected)

    # ---- the history disagrees with the code ----

    def test_changed_lambda_name_is_non_determinism_with_both_sides(self):
        h = load(SEED_HISTORIES, "seed_complete")
        attrs = h["events"][4]["lambdaFunctionScheduledEventAttributes"]
        self.assertEqual(attrs["name"], "some_lambda_func")
        attrs["name"] = "renamed_lambda_func"
        p = replay("--workflow", "MyWorkflow", self.write("renamed.json", json.dumps(h)))
        self.assert_refused(p, EXIT_NON_DETERMINISM, "non-determinism at history event 5",
                            "the history records LambdaFunctionScheduled (id \"l1\", function renamed_lambda_func)",
                            "the code now issues ScheduleLambdaFunction (id \"l1\", function some_lambda_func)")

    def test_changed_activity_name_is_non_determinism_with_both_sides(self):
        h = load(HISTORIES, "fan_out_second_batch")
        scheduled = [e for e in h["events"] if e["eventType"] == "ActivityTaskScheduled"]
        scheduled[2]["activityTaskScheduledEventAttributes"]["activityType"]["name"] = "sum"
        p = replay("--workflow", "fan_out", self.write("sum.json", json.dumps(h)))
        self.assert_refused(p, EXIT_NON_DETERMINISM, "history event %d" % scheduled[2]["eventId"], "sum", "add")
        first, rest = p.stderr.split(" where the code now issues ")
        self.assertIn("sum", first)
        self.assertIn("add", rest)
        self.assertNotIn("sum", rest)

    def test_another_workflow_on_a_history_is_non_determinism(self):
        p = replay("--workflow", "fan_out", self.seed("seed_complete"))
        self.assert_refused(p, EXIT_NON_DETERMINISM, "LambdaFunctionScheduled", "FailWorkflowExecution")

    # ---- the decider fails ----

    def test_uncaught_workflow_exception_is_a_decider_failure(self):
        p = replay("--workflow", "MyWorkflow", self.seed("seed_lambda_failed"))
        self.assert_refused(p, EXIT_DECIDER_FAILED, "the decider of MyWorkflow:1.0 failed",
                            "swfrt::workflow::lambda_failed", "some_lambda_func", "boom")

    # ---- bad input ----

    def test_malformed_files(self):
        h = load(HISTORIES, "fan_out_second_batch")
        events = h["events"]
        text = json.dumps(h)
        cases = {
            "not JSON": ("not json at all\n", "expected a JSON object or array"),
            "cut short": (text[:len(text) // 2], "is not terminated"),
            "invalid JSON": ('{"events": [1, ]}', "not valid JSON"),
            "not a page": ("[1, 2]", "page 1: expected a JSON object with events"),
            "wrong member type": ('{"events": {"eventId": 1}}', "events"),
            "empty": ("  \n", "no history"),
            "no events": ('{"events": []}', "no events"),
            "first page missing": (json.dumps({"events": events[5:]}), "not WorkflowExecutionStarted"),
            "pages out of order": (json.dumps({"events": events[:5]}) + json.dumps({"events": events[3:]}),
                                   "event 4 follows event 5"),
            "no decision task": (json.dumps({"events": events[:2]}), "DecisionTaskStarted"),
        }
        for what, (content, message) in cases.items():
            with self.subTest(what):
                path = self.write("bad.json", content)
                self.assert_refused(replay("--workflow", "fan_out", path), EXIT_USAGE, message)
        missing = os.path.join(self.work, "no-such-history.json")
        self.assert_refused(replay("--workflow", "fan_out", missing), EXIT_USAGE, missing, "cannot read")

    def test_event_ids_must_count_from_one_without_gaps(self):
        h = load(HISTORIES, "fan_out_second_batch")
        events = h["events"]
        self.assertEqual([e["eventId"] for e in events], list(range(1, len(events) + 1)))

        def renumbered(first):
            return [dict(e, eventId=first + i) for i, e in enumerate(events)]

        cases = {
            # A page missing in the middle was replayed and reported as non-determinism (exit 4).
            "a page missing": (json.dumps({"events": events[:7]}) + json.dumps({"events": events[10:]}),
                               "event 11 follows event 7: events 8 to 10 are missing: is a page missing?"),
            "one event missing": (json.dumps({"events": events[:4] + events[5:]}),
                                  "event 6 follows event 4: event 5 is missing: is a page missing?"),
            # Accepted before.
            "first id -1": (json.dumps({"events": renumbered(-1)}),
                            "the history's first event has id -1; SWF numbers events from 1"),
            "first id 0": (json.dumps({"events": renumbered(0)}),
                           "the history's first event has id 0; SWF numbers events from 1"),
            "first id 2": (json.dumps({"events": renumbered(2)}),
                           "the history's first event has id 2; SWF numbers events from 1"),
        }
        for what, (content, message) in cases.items():
            with self.subTest(what):
                path = self.write("gap.json", content)
                self.assert_refused(replay("--workflow", "fan_out", path), EXIT_USAGE, path + ": " + message)

    def test_unreadable_history_files(self):
        """A directory aborted replay (uncaught std::ios_base::failure, exit
        134); /dev/zero was read until bad_alloc. Both are refused at once."""
        def limited_memory():
            import resource
            resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

        def run(path, stdin=subprocess.DEVNULL):
            return subprocess.run([e2e.BIN, "replay", "--plugin", e2e.EXAMPLE_PLUGIN, "--workflow", "fan_out", path],
                                  stdin=stdin, capture_output=True, text=True, timeout=CLI_TIMEOUT,
                                  env=e2e.child_env(), preexec_fn=limited_memory)

        big = os.path.join(self.work, "big.json")
        with open(big, "wb") as f:
            f.truncate(257 << 20)  # sparse
        for path, message in [(self.work, "%s: cannot read the history file: Is a directory" % self.work),
                              ("/dev/zero", "/dev/zero: cannot read the history file: it is a character device"),
                              (big, "%s: cannot read the history file: it is 257 MiB, larger than the 256 MiB "
                                    "limit" % big)]:
            with self.subTest(path):
                self.assert_refused(run(path), EXIT_USAGE, message)
        with open("/dev/zero", "rb") as zero:
            self.assert_refused(run("-", stdin=zero), EXIT_USAGE,
                                "standard input (-): cannot read the history file: it is a character device")

    def test_unknown_workflow_lists_the_registered_ones(self):
        p = replay("--workflow", "no_such_workflow", self.seed("seed_complete"))
        self.assert_refused(p, EXIT_USAGE, "no workflow named no_such_workflow")
        for registered in ("MyWorkflow:1.0", "fan_out:1", "timer_then_greet:1", "wait_for_approval:1",
                           "greeting:1", "chain:1"):
            self.assertIn(registered, p.stderr)

    def test_unknown_version(self):
        p = replay("--workflow", "MyWorkflow", "--version", "2.0", self.seed("seed_complete"))
        self.assert_refused(p, EXIT_USAGE, "MyWorkflow", "1.0", "not 2.0")

    def test_usage_errors(self):
        seed = self.seed("seed_complete")
        self.assert_refused(replay("--workflow", "MyWorkflow"), EXIT_USAGE, "give a HISTORY file")
        self.assert_refused(replay("--workflow", "MyWorkflow", "--execution", "wf"), EXIT_USAGE,
                            "--execution needs --domain")
        self.assert_refused(replay("--workflow", "MyWorkflow", "--domain", "d", seed), EXIT_USAGE,
                            "a HISTORY file needs none")
        self.assert_refused(replay("--workflow", "MyWorkflow", "--execution", ":run", "--domain", "d"), EXIT_USAGE,
                            "WORKFLOW_ID or WORKFLOW_ID:RUN_ID")
        p = subprocess.run([e2e.BIN, "replay", "--workflow", "MyWorkflow", seed], capture_output=True, text=True,
                           timeout=CLI_TIMEOUT, env=e2e.child_env())
        self.assertEqual(p.returncode, EXIT_USAGE, p.stderr)
        self.assertIn("--plugin", p.stderr)
        not_a_plugin = self.write("not-a-plugin.so", "text\n")
        p = subprocess.run([e2e.BIN, "replay", "--plugin", not_a_plugin, "--workflow", "MyWorkflow", seed],
                           capture_output=True, text=True, timeout=CLI_TIMEOUT, env=e2e.child_env())
        self.assertEqual(p.returncode, EXIT_USAGE, p.stderr)
        self.assertIn("not a loadable shared library", p.stderr)


# ---- end to end ----

DOMAIN = "e2e-replay"
DECISIONS = "example-decisions"    # the examples' default decision task list
ACTIVITIES = "example-activities"  # add's and greet's default activity task list
# moto's timers are threading.Timer objects in the server: if it has them,
# a 1 s timer fires within a few seconds.
TIMER_WITHIN = 15.0


class ReplayEndToEndTest(e2e.RuntimeCase, ReplayCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.config_path = cls.write_config("replay.yaml", e2e.config_text(
            endpoint_url=cls.endpoint_url, domain=DOMAIN, grace=1, workers=[
                {"kind": "decision", "task_list": DECISIONS, "pollers": 2, "max_concurrent": 4,
                 "handlers": ["fan_out", "timer_then_greet", "wait_for_approval", "retry_fail", "review", "shop"]},
                {"kind": "activity", "task_list": ACTIVITIES, "pollers": 2, "max_concurrent": 8,
                 "handlers": ["add", "greet", "fail", "charge"]}]))
        cls.runtime = e2e.RuntimeProcess(cls.config_path)
        cls.addClassCleanup(cls.runtime.terminate)
        cls.runtime.start().wait_ready()

    def setUp(self):
        super().setUp()
        self.assertTrue(self.runtime.running(), "swf-runtime is no longer running; log:\n%s"
                        % self.runtime.log_tail())

    def start(self, workflow_id, name, input):
        run_id = self.swf.start_workflow_execution(domain=DOMAIN, workflowId=workflow_id,
                                                   workflowType={"name": name, "version": "1"},
                                                   input=input)["runId"]
        execution = {"workflowId": workflow_id, "runId": run_id}
        self.addCleanup(self.terminate, execution)
        return execution

    def terminate(self, execution):
        try:
            self.swf.terminate_workflow_execution(domain=DOMAIN, reason="test over", **execution)
        except e2e.ClientError:
            pass  # already closed

    def events(self, execution):
        return e2e.history_of(self.swf, DOMAIN, execution)

    def closed(self, execution):
        info = self.swf.describe_workflow_execution(domain=DOMAIN, execution=execution)["executionInfo"]
        return info if info["executionStatus"] == "CLOSED" else None

    def wait(self, what, probe, within):
        return e2e.wait_until(what, probe, within, lambda: "; runtime log:\n" + self.runtime.log_tail(),
                              runtime=self.runtime)

    def assert_completed(self, execution, result, within):
        info = self.wait("%s closed" % execution["workflowId"], lambda: self.closed(execution), within)
        events = self.events(execution)
        self.assertEqual(info["closeStatus"], "COMPLETED",
                         "%s: %s" % (execution["workflowId"], json.dumps(events[-3:], default=str)))
        self.assertEqual(events[-1]["workflowExecutionCompletedEventAttributes"]["result"], result)
        return events

    def assert_closed(self, execution, status, within):
        info = self.wait("%s closed" % execution["workflowId"], lambda: self.closed(execution), within)
        events = self.events(execution)
        self.assertEqual(info["closeStatus"], status,
                         "%s: %s" % (execution["workflowId"], json.dumps(events[-3:], default=str)))
        return events

    def assert_replays_to_its_close(self, execution, name, events, prefix=()):
        """The run's exported history, and the history replay fetches itself,
        replay to the decisions the history records last (prefix: those
        before the close decision)."""
        last = events[-1]
        if last["eventType"] == "WorkflowExecutionFailed":
            a = last["workflowExecutionFailedEventAttributes"]
            close = [{"decisionType": "FailWorkflowExecution",
                      "failWorkflowExecutionDecisionAttributes": {"reason": a["reason"], "details": a["details"]}}]
        elif last["eventType"] == "WorkflowExecutionCanceled":
            close = [{"decisionType": "CancelWorkflowExecution",
                      "cancelWorkflowExecutionDecisionAttributes": {
                          "details": last["workflowExecutionCanceledEventAttributes"]["details"]}}]
        else:
            close = complete(last["workflowExecutionCompletedEventAttributes"]["result"])
        expected = list(prefix) + close
        exported = subprocess.run([e2e.BIN, "history", "--config", self.config_path, "--domain", DOMAIN,
                                   "--workflow-id", execution["workflowId"], "--run-id", execution["runId"],
                                   "--json"], capture_output=True, text=True, timeout=CLI_TIMEOUT,
                                  env=e2e.child_env())
        self.assertEqual(exported.returncode, 0, exported.stderr)
        self.assertEqual([e["eventId"] for e in json.loads(exported.stdout)["events"]],
                         [e["eventId"] for e in events])
        path = self.write(execution["workflowId"] + ".json", exported.stdout)
        self.assert_decisions(replay("--workflow", name, path), expected)
        # Fetched by replay: the named run, and the latest run of the id.
        for target in ("%s:%s" % (execution["workflowId"], execution["runId"]), execution["workflowId"]):
            with self.subTest(execution=target):
                self.assert_decisions(replay("--workflow", name, "--execution", target, "--domain", DOMAIN,
                                             "--config", self.config_path), expected)

    def test_shop_takes_an_order_and_gives_a_receipt_through_the_json_converter(self):
        execution = self.start("shop-1", "shop", json.dumps({"id": "o-1", "cents": 250}))
        events = self.assert_completed(execution, '{"charged":250,"order_id":"o-1"}', 60)
        scheduled = [e["activityTaskScheduledEventAttributes"] for e in events
                     if e["eventType"] == "ActivityTaskScheduled"]
        self.assertEqual([(s["activityType"]["name"], json.loads(s["input"])) for s in scheduled],
                         [("charge", {"id": "o-1", "cents": 250})])
        # The activity's line, through the runtime's log, with the task's coordinates.
        lines = [line for line in self.runtime.log().splitlines() if "charging order o-1" in line]
        self.assertEqual(len(lines), 1, self.runtime.log_tail())
        self.assertIn("shop-1", lines[0])
        self.assertIn("charge:1", lines[0])
        self.assert_replays_to_its_close(execution, "shop", events)

    def test_shop_fails_an_order_that_is_not_json_with_invalid_input(self):
        execution = self.start("shop-bad", "shop", "order o-2, please")
        events = self.assert_closed(execution, "FAILED", 60)
        failed = events[-1]["workflowExecutionFailedEventAttributes"]
        self.assertEqual(failed["reason"], "InvalidInput")
        self.assertIn("is not JSON", failed["details"])
        self.assertNotIn("ActivityTaskScheduled", [e["eventType"] for e in events])

    def test_fan_out_of_twelve_adds_in_batches_of_five(self):
        execution = self.start("fan-out-12", "fan_out", "12")
        events = self.assert_completed(execution, str(sum(i + i for i in range(1, 13))), 90)
        scheduled = [e for e in events if e["eventType"] == "ActivityTaskScheduled"]
        self.assertEqual([json.loads(e["activityTaskScheduledEventAttributes"]["input"]) for e in scheduled],
                         [{"a": i, "b": i} for i in range(1, 13)])
        # Three decisions scheduled them: 5, 5 and 2.
        batches = {}
        for e in scheduled:
            done = e["activityTaskScheduledEventAttributes"]["decisionTaskCompletedEventId"]
            batches[done] = batches.get(done, 0) + 1
        self.assertEqual([batches[k] for k in sorted(batches)], [5, 5, 2])
        # No batch was scheduled before the previous one had completed.
        completed_at = {e["activityTaskCompletedEventAttributes"]["scheduledEventId"]: e["eventId"]
                        for e in events if e["eventType"] == "ActivityTaskCompleted"}
        first_of = sorted(batches)
        for earlier, later in zip(first_of, first_of[1:]):
            for e in scheduled:
                if e["activityTaskScheduledEventAttributes"]["decisionTaskCompletedEventId"] == earlier:
                    self.assertLess(completed_at[e["eventId"]], later)
        self.assert_replays_to_its_close(execution, "fan_out", events)

    def test_timer_then_greet(self):
        execution = self.start("timer-then-greet", "timer_then_greet", "1")

        def outcome():
            events = self.events(execution)
            kinds = [e["eventType"] for e in events]
            if "WorkflowExecutionCompleted" in kinds or "WorkflowExecutionFailed" in kinds:
                return events
            started = [e for e in events if e["eventType"] == "TimerStarted"]
            overdue = started and time.time() - started[0]["eventTimestamp"].timestamp() > TIMER_WITHIN
            if overdue and "TimerFired" not in kinds:
                return events
            return None

        events = self.wait("timer_then_greet closed or its timer overdue", outcome, TIMER_WITHIN + 30)
        kinds = [e["eventType"] for e in events]
        started = [e["timerStartedEventAttributes"] for e in events if e["eventType"] == "TimerStarted"]
        self.assertEqual([(t["timerId"], t["startToFireTimeout"]) for t in started], [("t1", "1")])
        if "TimerFired" not in kinds:
            self.skipTest("moto_server did not fire a 1 s timer within %.0f s (history: %s), so "
                          "timer_then_greet cannot go on here; its replay is tested from "
                          "replay_histories/timer_then_greet_fired.json" % (TIMER_WITHIN, ", ".join(kinds)))
        events = self.assert_completed(execution, "Hello, 1!", 30)
        self.assertLess(kinds.index("TimerFired"), [e["eventType"] for e in events].index("ActivityTaskScheduled"))
        self.assert_replays_to_its_close(execution, "timer_then_greet", events)

    def test_wait_for_approval_completes_after_a_signal(self):
        execution = self.start("approval", "wait_for_approval", "\"order-1\"")
        # The signal goes once the workflow waits (its bounding timer started).
        self.wait("the approval timer started",
                  lambda: any(e["eventType"] == "TimerStarted" for e in self.events(execution)), 30)
        self.swf.signal_workflow_execution(domain=DOMAIN, signalName="approve", input="x", **execution)
        events = self.assert_completed(execution, "approved: x", 30)
        # The signal won: the last decision task canceled the timer and completed.
        cancel = {"decisionType": "CancelTimer", "cancelTimerDecisionAttributes": {"timerId": "t1"}}
        kinds = [e["eventType"] for e in events]
        if "TimerCanceled" in kinds:
            self.assert_replays_to_its_close(execution, "wait_for_approval", events, prefix=[cancel])
            return
        # moto records the canceled timer as "TimerCancelled", which is no SWF
        # event type: the exporter prints it as moto sent it (an unknown
        # value keeps its text) instead of refusing the history, and the
        # history, with SWF's name restored, replays to the same decisions.
        self.assertIn("TimerCancelled", kinds)
        exported = subprocess.run([e2e.BIN, "history", "--config", self.config_path, "--domain", DOMAIN,
                                   "--workflow-id", execution["workflowId"], "--run-id", execution["runId"],
                                   "--json"], capture_output=True, text=True, timeout=CLI_TIMEOUT,
                                  env=e2e.child_env())
        self.assertEqual(exported.returncode, 0, exported.stderr)
        self.assertIn("TimerCancelled", [e["eventType"] for e in json.loads(exported.stdout)["events"]])
        # The JSON as moto sends it (boto3 drops the attributes it has no model for).
        request = urllib.request.Request(
            self.endpoint_url, method="POST",
            data=json.dumps({"domain": DOMAIN, "execution": execution}).encode(),
            headers={"Content-Type": "application/x-amz-json-1.0",
                     "X-Amz-Target": "SimpleWorkflowService.GetWorkflowExecutionHistory",
                     # moto routes by the service the credential scope names.
                     "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20240101/%s/swf/aws4_request, "
                                      "SignedHeaders=host, Signature=0" % e2e.REGION})
        with urllib.request.urlopen(request, timeout=CLI_TIMEOUT) as answer:
            raw = json.loads(answer.read())
        for e in raw["events"]:
            if e["eventType"] == "TimerCancelled":
                e["eventType"] = "TimerCanceled"
                e["timerCanceledEventAttributes"] = e.pop("timerCancelledEventAttributes")
        path = self.write("approval.json", json.dumps({"events": raw["events"]}))
        self.assert_decisions(replay("--workflow", "wait_for_approval", path), [cancel] + complete("approved: x"))

    def test_retry_fail_gives_up_after_three_attempts_with_timers_between(self):
        execution = self.start("retry-fail", "retry_fail", "\"nope\"")
        events = self.assert_closed(execution, "FAILED", 2 * TIMER_WITHIN + 30)
        attempts = [e["activityTaskScheduledEventAttributes"]["activityId"] for e in events
                    if e["eventType"] == "ActivityTaskScheduled"]
        self.assertEqual(attempts, ["1", "2", "3"])
        timers = [(e["timerStartedEventAttributes"]["timerId"], e["timerStartedEventAttributes"]["startToFireTimeout"])
                  for e in events if e["eventType"] == "TimerStarted"]
        self.assertEqual(timers, [("t1", "1"), ("t2", "2")])
        failed = events[-1]["workflowExecutionFailedEventAttributes"]
        self.assertEqual(failed["reason"], "GAVE_UP")
        self.assertIn("attempt 3 failed", failed["details"])
        self.assert_replays_to_its_close(execution, "retry_fail", events)

    def review(self, workflow_id, comments, verdict, status):
        execution = self.start(workflow_id, "review", "{}")
        self.wait("%s's first decision task answered" % workflow_id,
                  lambda: any(e["eventType"] == "DecisionTaskCompleted" for e in self.events(execution)), 30)
        for c in comments:
            self.swf.signal_workflow_execution(domain=DOMAIN, signalName="comment", input=json.dumps(c), **execution)
        self.swf.signal_workflow_execution(domain=DOMAIN, signalName="verdict", input=json.dumps(verdict),
                                           **execution)
        events = self.assert_closed(execution, status, 30)
        markers = [(e["markerRecordedEventAttributes"]["markerName"], e["markerRecordedEventAttributes"]["details"])
                   for e in events if e["eventType"] == "MarkerRecorded"]
        self.assertEqual(markers, [("comment", json.dumps(c)) for c in comments])
        # The markers the last decision task recorded come before its close decision.
        last_task = max(i for i, e in enumerate(events) if e["eventType"] == "DecisionTaskCompleted")
        prefix = [{"decisionType": "RecordMarker", "recordMarkerDecisionAttributes": {
                      "markerName": e["markerRecordedEventAttributes"]["markerName"],
                      "details": e["markerRecordedEventAttributes"]["details"]}}
                  for e in events[last_task:] if e["eventType"] == "MarkerRecorded"]
        self.assert_replays_to_its_close(execution, "review", events, prefix=prefix)
        return events

    def test_review_approved_records_each_comment_in_a_marker(self):
        events = self.review("review-approve", ["looks good", "ship it"], "approve", "COMPLETED")
        self.assertEqual(events[-1]["workflowExecutionCompletedEventAttributes"]["result"],
                         "\"approved after 2 comment(s)\"")

    def test_review_rejected_fails(self):
        events = self.review("review-reject", ["no"], "reject", "FAILED")
        a = events[-1]["workflowExecutionFailedEventAttributes"]
        self.assertEqual((a["reason"], a["details"]), ("REJECTED", "rejected after 1 comment(s)"))

    def test_review_withdrawn_ends_canceled(self):
        events = self.review("review-withdraw", [], "withdraw", "CANCELED")
        self.assertEqual(events[-1]["workflowExecutionCanceledEventAttributes"]["details"],
                         "withdrawn after 0 comment(s)")

    def test_fetching_what_swf_does_not_have_is_a_service_error(self):
        fetch = ("--workflow", "fan_out", "--config", self.config_path)
        self.assert_refused(replay("--execution", "no-such-workflow-id", "--domain", DOMAIN, *fetch), EXIT_SERVICE,
                            "UnknownResourceFault", "no-such-workflow-id")
        self.assert_refused(replay("--execution", "some-id:some-run", "--domain", "no-such-domain", *fetch),
                            EXIT_SERVICE, "UnknownResourceFault")


if __name__ == "__main__":
    unittest.main()
