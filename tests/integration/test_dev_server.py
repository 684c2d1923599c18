"""`swf-runtime dev-server` against SWF's documented behaviour, with boto3.

The dev server is a local SWF endpoint; these tests hold it to SWF's rules
with an independent client (boto3) and an independent emulator (moto_server):

- MotoScenarioTest runs the conformance scenarios on moto_server alone: it
  needs no swf-runtime, and proves the scenarios and their expected histories
  right where moto is right.
- ConformanceTest runs the same scenarios on moto_server and on the dev
  server; each dev-server history must be the expected one exactly (types,
  ids, key attributes) and keep every rule of swf_history_check, and moto's
  must be the same once its known deviations, named where they apply, are
  undone.
- DevServerTest asserts the sequences SWF documents for what moto lacks:
  child workflows, continue-as-new, cancel requests, external signals, the
  refused close, history and decision task paging.
- BadInputTest asserts the faults (code and HTTP 400) for bad requests.
- DevServerLaunchTest asserts the command line contract: the banner,
  --domain, exit 0 on SIGTERM.

The dev-server classes read the binary from SWF_RUNTIME_BIN (ctest sets it)
and are skipped when it is unset; a binary without a dev-server command fails
them. moto_server must be on PATH (. ./deploy/python-env.sh;
swfrt_python_env). Where SWF's documentation leaves an order open, the
tests accept each possible order and say so.

Run from tests/integration:  python3 -m unittest -v test_dev_server
"""

import copy
import json
import os
import subprocess
import threading
import time
import unittest

from botocore.exceptions import ClientError

from dev_server import DevServer, client
from moto_server import MotoServer
from swf_history_check import check_history

WAIT = 10.0          # seconds within which an event SWF owes (timer, timeout) must appear
POLL_TIMEOUT = 20    # the clients' read timeout: longer than any poll a test expects to wait,
                     # shorter than the 60 s long poll, so a poll that finds nothing fails fast
WORKFLOW = {"name": "conformance.workflow", "version": "1"}
ACTIVITY = {"name": "conformance.activity", "version": "1"}
ACTIVITY_TIMEOUTS = {"scheduleToStartTimeout": "60", "scheduleToCloseTimeout": "120",
                     "startToCloseTimeout": "60", "heartbeatTimeout": "60"}


def dev_server_binary():
    """$SWF_RUNTIME_BIN, after checking it has a dev-server command; skips
    the caller when the variable is unset."""
    binary = os.environ.get("SWF_RUNTIME_BIN")
    if not binary:
        raise unittest.SkipTest("SWF_RUNTIME_BIN is not set: it names the built swf-runtime, whose dev-server "
                                "these tests run (ctest sets it)")
    if not os.access(binary, os.X_OK):
        raise AssertionError("SWF_RUNTIME_BIN=%r is not an executable file" % binary)
    try:
        p = subprocess.run([binary, "dev-server", "--help"], stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=30)
    except subprocess.TimeoutExpired:
        raise AssertionError("`%s dev-server --help` did not end within 30 s" % binary)
    if p.returncode != 0:
        raise AssertionError("%s has no dev-server command: `dev-server --help` exited %d\nstdout: %s\nstderr: %s"
                             % (binary, p.returncode, p.stdout[-2000:], p.stderr[-2000:]))
    return binary


def start_moto(case_class):
    server = MotoServer()
    case_class.addClassCleanup(server.remove_log)
    case_class.addClassCleanup(server.stop)
    return server.start()


def start_dev_server(case_class, binary, domains=()):
    server = DevServer(binary, domains=domains)
    case_class.addClassCleanup(server.remove_log)
    case_class.addClassCleanup(server.stop)
    return server.start()


# -- decisions ----------------------------------------------------------------------

def decision(kind, **attrs):
    return {"decisionType": kind, kind[:1].lower() + kind[1:] + "DecisionAttributes": attrs}


def schedule_activity(activity_id, task_list, activity_type=ACTIVITY, **attrs):
    attrs = dict(ACTIVITY_TIMEOUTS, **attrs)
    return decision("ScheduleActivityTask", activityId=activity_id, activityType=activity_type,
                    taskList=task_list, **attrs)


def complete_workflow(result):
    return decision("CompleteWorkflowExecution", result=result)


# -- one server's client and domain ----------------------------------------------

class Swf:
    """A server's boto3 client and one test's domain, with the steps the
    scenarios take. name is "moto" or "dev-server"."""

    def __init__(self, name, endpoint_url, domain, parameter_validation=True):
        self.name = name
        self.domain = domain
        self.boto = client(endpoint_url, read_timeout=POLL_TIMEOUT, parameter_validation=parameter_validation)
        self.decisions = {"name": domain + "-decisions"}
        self.activities = {"name": domain + "-activities"}

    @property
    def is_moto(self):
        return self.name == "moto"

    def register(self, workflow_type=WORKFLOW, task_start_to_close="30", execution_start_to_close="600",
                 domain=True):
        if domain:
            self.boto.register_domain(name=self.domain, workflowExecutionRetentionPeriodInDays="1")
        self.boto.register_workflow_type(domain=self.domain, name=workflow_type["name"],
                                         version=workflow_type["version"], defaultTaskList=self.decisions,
                                         defaultTaskStartToCloseTimeout=task_start_to_close,
                                         defaultExecutionStartToCloseTimeout=execution_start_to_close,
                                         defaultChildPolicy="TERMINATE")
        if domain:
            self.boto.register_activity_type(domain=self.domain, name=ACTIVITY["name"], version=ACTIVITY["version"],
                                             defaultTaskList=self.activities, defaultTaskStartToCloseTimeout="60",
                                             defaultTaskHeartbeatTimeout="60", defaultTaskScheduleToStartTimeout="60",
                                             defaultTaskScheduleToCloseTimeout="120")
        return self

    def start(self, workflow_id, workflow_type=WORKFLOW, **kwargs):
        run_id = self.boto.start_workflow_execution(domain=self.domain, workflowId=workflow_id,
                                                    workflowType=workflow_type, **kwargs)["runId"]
        assert run_id, "%s: StartWorkflowExecution returned no runId" % self.name
        return {"workflowId": workflow_id, "runId": run_id}

    def poll_decision(self, task_list=None, identity="decider", **kwargs):
        """A decision task, which must be there now (the caller made sure one is scheduled)."""
        task = self.boto.poll_for_decision_task(domain=self.domain, taskList=task_list or self.decisions,
                                                identity=identity, **kwargs)
        assert task.get("taskToken"), "%s: PollForDecisionTask found no task on %s" % (self.name, task_list)
        return task

    def decide(self, task, *decisions, **kwargs):
        self.boto.respond_decision_task_completed(taskToken=task["taskToken"], decisions=list(decisions), **kwargs)

    def poll_activity(self, task_list=None, identity="worker"):
        task = self.boto.poll_for_activity_task(domain=self.domain, taskList=task_list or self.activities,
                                                identity=identity)
        assert task.get("taskToken"), "%s: PollForActivityTask found no task" % self.name
        return task

    def signal(self, execution, name, input):
        # moto_server needs input; SWF does not.
        self.boto.signal_workflow_execution(domain=self.domain, workflowId=execution["workflowId"],
                                            runId=execution["runId"], signalName=name, input=input)

    def history(self, execution, **kwargs):
        """Every event, all pages."""
        events, token = [], None
        for _ in range(1000):
            page = self.boto.get_workflow_execution_history(
                domain=self.domain, execution=execution, **dict(kwargs, **({"nextPageToken": token} if token else {})))
            events += page["events"]
            token = page.get("nextPageToken")
            if not token:
                return events
        raise AssertionError("%s: GetWorkflowExecutionHistory gave 1000 pages" % self.name)

    def wait_for(self, execution, event_type, count=1, within=WAIT):
        """The history once it holds count events of event_type (bounded)."""
        deadline = time.monotonic() + within
        while True:
            events = self.history(execution)
            if sum(1 for e in events if e["eventType"] == event_type) >= count:
                return events
            if time.monotonic() >= deadline:
                raise AssertionError("%s: no %s within %.0f s; history:\n%s"
                                     % (self.name, event_type, within, table(events)))
            time.sleep(0.05)

    def describe(self, execution):
        return self.boto.describe_workflow_execution(domain=self.domain, execution=execution)


# -- comparing histories --------------------------------------------------------

def attrs_of(event):
    for key, value in event.items():
        if key.endswith("EventAttributes"):
            return value
    return {}


def table(events):
    return "\n".join("  %3s %-45s %s" % (e.get("eventId"), e.get("eventType"),
                                        json.dumps(attrs_of(e), sort_keys=True, default=str)[:160])
                     for e in events)


def types(events):
    return [e["eventType"] for e in events]


def seconds_between(earlier, later):
    return (later["eventTimestamp"] - earlier["eventTimestamp"]).total_seconds()


def key_view(events, expected):
    """The events as (eventType, the attributes expected names) pairs, to
    compare two servers by what the scenario fixes."""
    view = []
    for i, e in enumerate(events):
        keys = expected[i][1].keys() if i < len(expected) else ()
        attrs = attrs_of(e)
        view.append((e["eventType"], None if e.get("_attributes_lost") else {k: attrs.get(k) for k in keys}))
    return view


def renumbered(events, drop):
    """events without the ids in drop, numbered 1.. again, the references to
    the remaining events rewritten."""
    kept = [copy.deepcopy(e) for e in events if e["eventId"] not in drop]
    new_id = {e["eventId"]: i for i, e in enumerate(kept, start=1)}
    for e in kept:
        e["eventId"] = new_id[e["eventId"]]
        attrs = attrs_of(e)
        for member, value in list(attrs.items()):
            if member.endswith("EventId") and value in new_id:
                attrs[member] = new_id[value]
    return kept


def moto_extra_decision_tasks(events):
    """moto deviation: moto_server schedules another decision task for each new
    event (a signal, say) while one is still open. SWF keeps one: "there can be
    only one decision task open at any time for a given workflow execution"
    (Developer Guide, Developing Deciders); the open task shows the new event."""
    drop, open_task = set(), False
    for e in events:
        if e["eventType"] == "DecisionTaskScheduled":
            if open_task:
                drop.add(e["eventId"])
            open_task = True
        elif e["eventType"] in ("DecisionTaskCompleted", "DecisionTaskTimedOut"):
            open_task = False
    return renumbered(events, drop)


def moto_timer_cancelled(events):
    """moto deviation: moto_server records a cancelled timer as "TimerCancelled"
    with timerCancelledEventAttributes; SWF's event type is TimerCanceled (API
    Reference, HistoryEvent), so botocore drops moto's attributes."""
    events = copy.deepcopy(events)
    for e in events:
        if e["eventType"] == "TimerCancelled":
            e["eventType"] = "TimerCanceled"
            e["_attributes_lost"] = True
    return events


class HistoryAssertions(unittest.TestCase):
    def assertHistory(self, swf, events, expected):
        """events are expected: same ids and types in order, and each expected
        attribute equal. Attributes the expected entry does not name may be anything."""
        problems = []
        for i, (event_type, want) in enumerate(expected, start=1):
            if i > len(events):
                problems.append("event %d: missing, expected %s" % (i, event_type))
                continue
            e = events[i - 1]
            if e["eventId"] != i or e["eventType"] != event_type:
                problems.append("event %d: %s %s, expected %s" % (i, e["eventId"], e["eventType"], event_type))
                continue
            if e.get("_attributes_lost"):
                continue
            got = attrs_of(e)
            for key, value in want.items():
                if got.get(key) != value:
                    problems.append("event %d %s: %s is %r, expected %r" % (i, event_type, key, got.get(key), value))
        for e in events[len(expected):]:
            problems.append("event %s: %s, expected nothing more" % (e["eventId"], e["eventType"]))
        if problems:
            self.fail("%s history differs from SWF's:\n%s\nhistory:\n%s"
                      % (swf.name, "\n".join(problems), table(events)))

    def assertRules(self, swf, events):
        problems = check_history(events)
        if problems:
            self.fail("%s history breaks SWF's rules:\n%s\nhistory:\n%s"
                      % (swf.name, "\n".join(problems), table(events)))

    def assertSubsequence(self, swf, events, wanted):
        """The event types in wanted appear in this order (others may come between)."""
        it = iter(types(events))
        missing = [t for t in wanted if not any(t == x for x in it)]
        if missing:
            self.fail("%s history lacks %s in the order %s:\n%s" % (swf.name, missing, wanted, table(events)))

    def only(self, events, event_type):
        found = [e for e in events if e["eventType"] == event_type]
        self.assertEqual(len(found), 1, "one %s expected:\n%s" % (event_type, table(events)))
        return found[0]

    def assertClosed(self, swf, execution, close_status):
        info = swf.describe(execution)["executionInfo"]
        self.assertEqual((info["executionStatus"], info.get("closeStatus")), ("CLOSED", close_status), swf.name)


# -- expected events ----------------------------------------------------------------

def started(swf, **attrs):
    defaults = dict(workflowType=WORKFLOW, taskList=swf.decisions, childPolicy="TERMINATE",
                    executionStartToCloseTimeout="600", taskStartToCloseTimeout="30")
    return ("WorkflowExecutionStarted", dict(defaults, **attrs))


def dt_scheduled(swf, timeout="30"):
    return ("DecisionTaskScheduled", dict(taskList=swf.decisions, startToCloseTimeout=timeout))


def dt_started(scheduled, identity="decider"):
    return ("DecisionTaskStarted", dict(scheduledEventId=scheduled, identity=identity))


def dt_completed(scheduled, started_id):
    return ("DecisionTaskCompleted", dict(scheduledEventId=scheduled, startedEventId=started_id))


def activity_scheduled(swf, activity_id, completed, **attrs):
    return ("ActivityTaskScheduled", dict(activityId=activity_id, activityType=ACTIVITY, taskList=swf.activities,
                                          decisionTaskCompletedEventId=completed, **dict(ACTIVITY_TIMEOUTS, **attrs)))


# -- the conformance scenarios --------------------------------------------------------

class Scenarios:
    """A mixin for a HistoryAssertions class. Each test runs its scenario on every server of the class: run(swf)
    returns (history, expected, moto deviations); the dev server's history
    must be the expected one and keep SWF's rules, moto's must be the
    expected one once the named deviations are undone, and the two must
    agree event by event."""

    servers = ()  # (name, endpoint_url) pairs, set by setUpClass

    def conform(self, run):
        views = {}
        for name, url in self.servers:
            with self.subTest(server=name):
                swf = Swf(name, url, self.id().rsplit(".", 1)[-1].replace("_", "-")[:60])
                events, expected, deviations = run(swf)
                if swf.is_moto:
                    for deviation in deviations:
                        events = deviation(events)
                self.assertHistory(swf, events, expected)
                if not any(e.get("_attributes_lost") for e in events):
                    self.assertRules(swf, events)
                views[name] = key_view(events, expected)
        if len(views) == 2:
            dev, moto = views["dev-server"], views["moto"]
            # Where moto's attributes are lost (a deviation), the types alone are compared.
            dev = [(t, None if i < len(moto) and moto[i][1] is None else a) for i, (t, a) in enumerate(dev)]
            self.assertEqual(dev, moto, "the dev server and moto_server disagree")

    def test_registration(self):
        """RegisterDomain, RegisterWorkflowType, RegisterActivityType, read back."""
        for name, url in self.servers:
            with self.subTest(server=name):
                swf = Swf(name, url, "conformance-registration").register()
                d = swf.boto.describe_domain(name=swf.domain)
                w = swf.boto.describe_workflow_type(domain=swf.domain, workflowType=WORKFLOW)
                a = swf.boto.describe_activity_type(domain=swf.domain, activityType=ACTIVITY)
                listed = swf.boto.list_workflow_types(domain=swf.domain, registrationStatus="REGISTERED")
                view = {
                    "domain": (d["domainInfo"]["name"], d["domainInfo"]["status"],
                               d["configuration"]["workflowExecutionRetentionPeriodInDays"]),
                    "workflow": (w["typeInfo"]["workflowType"], w["typeInfo"]["status"],
                                 {k: w["configuration"].get(k) for k in (
                                     "defaultTaskList", "defaultTaskStartToCloseTimeout",
                                     "defaultExecutionStartToCloseTimeout", "defaultChildPolicy")}),
                    "activity": (a["typeInfo"]["activityType"], a["typeInfo"]["status"],
                                 {k: a["configuration"].get(k) for k in (
                                     "defaultTaskList", "defaultTaskStartToCloseTimeout", "defaultTaskHeartbeatTimeout",
                                     "defaultTaskScheduleToStartTimeout", "defaultTaskScheduleToCloseTimeout")}),
                    "listed": [t["workflowType"] for t in listed["typeInfos"]],
                }
                self.assertEqual(view, {
                    "domain": (swf.domain, "REGISTERED", "1"),
                    "workflow": (WORKFLOW, "REGISTERED", {
                        "defaultTaskList": swf.decisions, "defaultTaskStartToCloseTimeout": "30",
                        "defaultExecutionStartToCloseTimeout": "600", "defaultChildPolicy": "TERMINATE"}),
                    "activity": (ACTIVITY, "REGISTERED", {
                        "defaultTaskList": swf.activities, "defaultTaskStartToCloseTimeout": "60",
                        "defaultTaskHeartbeatTimeout": "60", "defaultTaskScheduleToStartTimeout": "60",
                        "defaultTaskScheduleToCloseTimeout": "120"}),
                    "listed": [WORKFLOW],
                })

    def test_activity_completed(self):
        """Start, decide, schedule an activity, complete it, decide, complete the workflow."""
        def run(swf):
            swf.register()
            execution = swf.start("order-1", input="order input")
            first = swf.poll_decision()
            self.assertEqual(first["workflowExecution"], execution)
            self.assertEqual(first["workflowType"], WORKFLOW)
            self.assertEqual(first["startedEventId"], 3)
            self.assertEqual(first.get("previousStartedEventId", 0), 0)
            self.assertEqual(types(first["events"]),
                             ["WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted"])
            swf.decide(first, schedule_activity("charge", swf.activities, input="activity input"))

            task = swf.poll_activity()
            self.assertEqual((task["activityId"], task["activityType"], task.get("input"), task["startedEventId"],
                              task["workflowExecution"]), ("charge", ACTIVITY, "activity input", 6, execution))
            swf.boto.respond_activity_task_completed(taskToken=task["taskToken"], result="activity result")

            second = swf.poll_decision()
            self.assertEqual((second["startedEventId"], second.get("previousStartedEventId")), (9, 3))
            self.assertEqual(types(second["events"]), types(swf.history(execution)))
            swf.decide(second, complete_workflow("workflow result"))
            self.assertClosed(swf, execution, "COMPLETED")
            return swf.history(execution), [
                started(swf, input="order input"),
                dt_scheduled(swf),
                dt_started(2),
                dt_completed(2, 3),
                activity_scheduled(swf, "charge", 4, input="activity input"),
                ("ActivityTaskStarted", dict(scheduledEventId=5, identity="worker")),
                ("ActivityTaskCompleted", dict(scheduledEventId=5, startedEventId=6, result="activity result")),
                dt_scheduled(swf),
                dt_started(8),
                dt_completed(8, 9),
                ("WorkflowExecutionCompleted", dict(decisionTaskCompletedEventId=10, result="workflow result")),
            ], []
        self.conform(run)

    def test_signal_open_execution(self):
        """A signal to an execution whose decision task is scheduled joins that task."""
        def run(swf):
            swf.register()
            execution = swf.start("signalled-1")
            swf.signal(execution, "approve", "by alice")
            task = swf.poll_decision()
            if not swf.is_moto:  # moto_server's task has a second DecisionTaskScheduled
                self.assertEqual(types(task["events"]), ["WorkflowExecutionStarted", "DecisionTaskScheduled",
                                                         "WorkflowExecutionSignaled", "DecisionTaskStarted"])
            swf.decide(task, complete_workflow("approved"))
            return swf.history(execution), [
                started(swf),
                dt_scheduled(swf),
                ("WorkflowExecutionSignaled", dict(signalName="approve", input="by alice")),
                dt_started(2),
                dt_completed(2, 4),
                ("WorkflowExecutionCompleted", dict(decisionTaskCompletedEventId=5, result="approved")),
            ], [moto_extra_decision_tasks]
        self.conform(run)

    def test_timer_fires(self):
        """A 1 s timer fires and schedules a decision task."""
        def run(swf):
            swf.register()
            execution = swf.start("timer-1")
            swf.decide(swf.poll_decision(), decision("StartTimer", timerId="t1", startToFireTimeout="1",
                                                     control="wake up"))
            events = swf.wait_for(execution, "DecisionTaskScheduled", count=2)
            fired = self.only(events, "TimerFired")
            self.assertGreaterEqual(seconds_between(self.only(events, "TimerStarted"), fired), 0.95,
                                    "%s fired the 1 s timer early" % swf.name)
            swf.decide(swf.poll_decision(), complete_workflow("woke"))
            return swf.history(execution), [
                started(swf),
                dt_scheduled(swf),
                dt_started(2),
                dt_completed(2, 3),
                ("TimerStarted", dict(timerId="t1", startToFireTimeout="1", control="wake up",
                                      decisionTaskCompletedEventId=4)),
                ("TimerFired", dict(timerId="t1", startedEventId=5)),
                dt_scheduled(swf),
                dt_started(7),
                dt_completed(7, 8),
                ("WorkflowExecutionCompleted", dict(decisionTaskCompletedEventId=9, result="woke")),
            ], []
        self.conform(run)

    def test_timer_canceled(self):
        """A 60 s timer cancelled by the decision that closes the execution."""
        def run(swf):
            swf.register()
            execution = swf.start("timer-2")
            swf.decide(swf.poll_decision(), decision("StartTimer", timerId="t1", startToFireTimeout="60"))
            swf.signal(execution, "enough", "now")
            swf.decide(swf.poll_decision(), decision("CancelTimer", timerId="t1"), complete_workflow("canceled"))
            return swf.history(execution), [
                started(swf),
                dt_scheduled(swf),
                dt_started(2),
                dt_completed(2, 3),
                ("TimerStarted", dict(timerId="t1", startToFireTimeout="60", decisionTaskCompletedEventId=4)),
                ("WorkflowExecutionSignaled", dict(signalName="enough", input="now")),
                dt_scheduled(swf),
                dt_started(7),
                dt_completed(7, 8),
                ("TimerCanceled", dict(timerId="t1", startedEventId=5, decisionTaskCompletedEventId=9)),
                ("WorkflowExecutionCompleted", dict(decisionTaskCompletedEventId=9, result="canceled")),
            ], [moto_timer_cancelled]
        self.conform(run)

    def test_activity_failed(self):
        def run(swf):
            swf.register()
            execution = swf.start("failing-activity-1")
            swf.decide(swf.poll_decision(), schedule_activity("charge", swf.activities))
            task = swf.poll_activity()
            swf.boto.respond_activity_task_failed(taskToken=task["taskToken"], reason="card declined",
                                                  details="insufficient funds")
            swf.decide(swf.poll_decision(), complete_workflow("gave up"))
            return swf.history(execution), [
                started(swf),
                dt_scheduled(swf),
                dt_started(2),
                dt_completed(2, 3),
                activity_scheduled(swf, "charge", 4),
                ("ActivityTaskStarted", dict(scheduledEventId=5, identity="worker")),
                ("ActivityTaskFailed", dict(scheduledEventId=5, startedEventId=6, reason="card declined",
                                            details="insufficient funds")),
                dt_scheduled(swf),
                dt_started(8),
                dt_completed(8, 9),
                ("WorkflowExecutionCompleted", dict(decisionTaskCompletedEventId=10, result="gave up")),
            ], []
        self.conform(run)

    def test_workflow_failed(self):
        def run(swf):
            swf.register()
            execution = swf.start("failing-workflow-1")
            swf.decide(swf.poll_decision(), decision("FailWorkflowExecution", reason="bad order", details="no items"))
            self.assertClosed(swf, execution, "FAILED")
            return swf.history(execution), [
                started(swf),
                dt_scheduled(swf),
                dt_started(2),
                dt_completed(2, 3),
                ("WorkflowExecutionFailed", dict(decisionTaskCompletedEventId=4, reason="bad order",
                                                 details="no items")),
            ], []
        self.conform(run)

    def test_close_decision_not_last(self):
        """A close decision with another after it: the whole answer is refused
        (SWF's ValidationException and message), nothing of it is applied,
        and the decider may answer the same task again."""
        def run(swf):
            swf.register()
            execution = swf.start("close-not-last-1")
            task = swf.poll_decision()
            error = assert_fault(self, "ValidationException", swf.boto.respond_decision_task_completed,
                                 taskToken=task["taskToken"],
                                 decisions=[complete_workflow("early"), schedule_activity("late", swf.activities)])
            self.assertEqual(error["Message"], "Close must be last decision in list")
            self.assertEqual(types(swf.history(execution)),
                             ["WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted"])
            swf.decide(task, complete_workflow("done"))
            self.assertClosed(swf, execution, "COMPLETED")
            return swf.history(execution), [
                started(swf),
                dt_scheduled(swf),
                dt_started(2),
                dt_completed(2, 3),
                ("WorkflowExecutionCompleted", dict(decisionTaskCompletedEventId=4, result="done")),
            ], []
        self.conform(run)

    def test_terminate(self):
        """TerminateWorkflowExecution while a decision task runs."""
        def run(swf):
            swf.register()
            execution = swf.start("terminated-1")
            swf.poll_decision()
            swf.boto.terminate_workflow_execution(domain=swf.domain, workflowId=execution["workflowId"],
                                                  runId=execution["runId"], reason="operator", details="stop it")
            self.assertClosed(swf, execution, "TERMINATED")
            events = swf.history(execution)
            # cause: "If set, indicates that the workflow execution was
            # automatically terminated" (API Reference); an operator's
            # terminate may leave it out or say OPERATOR_INITIATED.
            self.assertIn(attrs_of(events[-1]).get("cause"), (None, "OPERATOR_INITIATED"))
            return events, [
                started(swf),
                dt_scheduled(swf),
                dt_started(2),
                ("WorkflowExecutionTerminated", dict(reason="operator", details="stop it", childPolicy="TERMINATE")),
            ], []
        self.conform(run)

    def test_schedule_activity_task_failed(self):
        """ScheduleActivityTask of an unregistered type: ScheduleActivityTaskFailed
        ACTIVITY_TYPE_DOES_NOT_EXIST, and a new decision task."""
        missing = {"name": "no.such.activity", "version": "1"}

        def run(swf):
            swf.register()
            execution = swf.start("unknown-activity-1")
            swf.decide(swf.poll_decision(), schedule_activity("ghost", swf.activities, activity_type=missing))
            swf.decide(swf.poll_decision(), complete_workflow("no activity"))
            return swf.history(execution), [
                started(swf),
                dt_scheduled(swf),
                dt_started(2),
                dt_completed(2, 3),
                ("ScheduleActivityTaskFailed", dict(activityId="ghost", activityType=missing,
                                                    cause="ACTIVITY_TYPE_DOES_NOT_EXIST",
                                                    decisionTaskCompletedEventId=4)),
                dt_scheduled(swf),
                dt_started(6),
                dt_completed(6, 7),
                ("WorkflowExecutionCompleted", dict(decisionTaskCompletedEventId=8, result="no activity")),
            ], []
        self.conform(run)

    def test_reverse_order(self):
        """GetWorkflowExecutionHistory reverseOrder gives the same events, last first."""
        def run(swf):
            swf.register()
            execution = swf.start("reversed-1")
            swf.signal(execution, "one", "1")
            swf.decide(swf.poll_decision(), complete_workflow("done"))
            forward = swf.history(execution)
            backward = swf.history(execution, reverseOrder=True)
            self.assertEqual([(e["eventId"], e["eventType"]) for e in backward],
                             [(e["eventId"], e["eventType"]) for e in reversed(forward)], swf.name)
            return forward, [
                started(swf),
                dt_scheduled(swf),
                ("WorkflowExecutionSignaled", dict(signalName="one", input="1")),
                dt_started(2),
                dt_completed(2, 4),
                ("WorkflowExecutionCompleted", dict(decisionTaskCompletedEventId=5, result="done")),
            ], [moto_extra_decision_tasks]
        self.conform(run)

    def test_decision_task_timeout(self):
        """A decision task not answered within its 1 s start-to-close timeout:
        DecisionTaskTimedOut START_TO_CLOSE and a new DecisionTaskScheduled
        ("For timeouts related to decision tasks and activity tasks, Amazon
        SWF adds an event to the workflow execution history ... Amazon SWF also
        schedules a decision task", Developer Guide, Timeout Types).

        moto deviation: moto_server answers the late RespondDecisionTaskCompleted
        with an internal error (HTTP 500) where SWF refuses it as an unknown
        task; the refusal is asserted on the dev server only."""
        quick = {"name": "conformance.quick-decider", "version": "1"}

        def run(swf):
            swf.register()
            swf.register(workflow_type=quick, task_start_to_close="1", domain=False)
            execution = swf.start("slow-decider-1", workflow_type=quick)
            late = swf.poll_decision()
            events = swf.wait_for(execution, "DecisionTaskScheduled", count=2)
            timed_out = self.only(events, "DecisionTaskTimedOut")
            self.assertGreaterEqual(seconds_between(self.only(events, "DecisionTaskStarted"), timed_out), 0.95,
                                    "%s timed the decision task out before its 1 s" % swf.name)
            if not swf.is_moto:
                assert_fault(self, "UnknownResourceFault", swf.boto.respond_decision_task_completed,
                             taskToken=late["taskToken"], decisions=[complete_workflow("late")])
            swf.decide(swf.poll_decision(), complete_workflow("in time"))
            quick_dt = dt_scheduled(swf, timeout="1")
            return swf.history(execution), [
                ("WorkflowExecutionStarted", dict(workflowType=quick, taskList=swf.decisions,
                                                  taskStartToCloseTimeout="1")),
                quick_dt,
                dt_started(2),
                ("DecisionTaskTimedOut", dict(timeoutType="START_TO_CLOSE", scheduledEventId=2, startedEventId=3)),
                quick_dt,
                dt_started(5),
                dt_completed(5, 6),
                ("WorkflowExecutionCompleted", dict(decisionTaskCompletedEventId=7, result="in time")),
            ], []
        self.conform(run)

    def test_activity_heartbeat_timeout(self):
        """An activity with a 1 s heartbeat timeout that stops beating:
        ActivityTaskTimedOut HEARTBEAT with the last heartbeat's details ("if
        the task times out, the workflow execution history contains a
        ActivityTaskTimedOut event that contains the information from the last
        heartbeat", API Reference, RecordActivityTaskHeartbeat), then a decision
        task. The worker's late heartbeat and result are refused: "If the
        activity worker subsequently attempts to record a heartbeat or returns a
        result, the activity worker receives an UnknownResource fault" (API
        Reference, RegisterActivityType).

        moto deviation: moto_server answers the late calls with an internal
        error (HTTP 500); the refusal is asserted on the dev server only."""
        def run(swf):
            swf.register()
            execution = swf.start("silent-worker-1")
            swf.decide(swf.poll_decision(), schedule_activity("silent", swf.activities, heartbeatTimeout="1"))
            task = swf.poll_activity()
            beat = swf.boto.record_activity_task_heartbeat(taskToken=task["taskToken"], details="25%")
            self.assertEqual(beat["cancelRequested"], False)
            events = swf.wait_for(execution, "DecisionTaskScheduled", count=2)
            self.assertGreaterEqual(seconds_between(self.only(events, "ActivityTaskStarted"),
                                                    self.only(events, "ActivityTaskTimedOut")), 0.95,
                                    "%s timed the activity out before its 1 s" % swf.name)
            if not swf.is_moto:
                assert_fault(self, "UnknownResourceFault", swf.boto.record_activity_task_heartbeat,
                             taskToken=task["taskToken"])
                assert_fault(self, "UnknownResourceFault", swf.boto.respond_activity_task_completed,
                             taskToken=task["taskToken"], result="too late")
            swf.decide(swf.poll_decision(), complete_workflow("timed out"))
            return swf.history(execution), [
                started(swf),
                dt_scheduled(swf),
                dt_started(2),
                dt_completed(2, 3),
                activity_scheduled(swf, "silent", 4, heartbeatTimeout="1"),
                ("ActivityTaskStarted", dict(scheduledEventId=5, identity="worker")),
                ("ActivityTaskTimedOut", dict(timeoutType="HEARTBEAT", scheduledEventId=5, startedEventId=6,
                                              details="25%")),
                dt_scheduled(swf),
                dt_started(8),
                dt_completed(8, 9),
                ("WorkflowExecutionCompleted", dict(decisionTaskCompletedEventId=10, result="timed out")),
            ], []
        self.conform(run)

    def test_workflow_execution_timeout(self):
        """An execution with a 1 s start-to-close timeout closes with
        WorkflowExecutionTimedOut START_TO_CLOSE."""
        def run(swf):
            swf.register()
            execution = swf.start("short-lived-1", executionStartToCloseTimeout="1")
            events = swf.wait_for(execution, "WorkflowExecutionTimedOut")
            self.assertGreaterEqual(seconds_between(events[0], events[-1]), 0.95,
                                    "%s timed the execution out before its 1 s" % swf.name)
            self.assertClosed(swf, execution, "TIMED_OUT")
            return swf.history(execution), [
                started(swf, executionStartToCloseTimeout="1"),
                dt_scheduled(swf),
                ("WorkflowExecutionTimedOut", dict(timeoutType="START_TO_CLOSE", childPolicy="TERMINATE")),
            ], []
        self.conform(run)

    def test_long_poll(self):
        """A poll with no task waits, and is answered when a task arrives.

        moto deviation: moto_server does not long-poll; it answers at once
        (after a 1 s pause) with an empty task. SWF: "This action initiates a
        long poll, where the service holds the HTTP connection open and
        responds as soon a task becomes available" (API Reference,
        PollForDecisionTask)."""
        for name, url in self.servers:
            with self.subTest(server=name):
                swf = Swf(name, url, "conformance-long-poll").register()
                answer = {}

                def poll():
                    began = time.monotonic()
                    answer["task"] = swf.boto.poll_for_decision_task(domain=swf.domain, taskList=swf.decisions,
                                                                     identity="waiting")
                    answer["at"] = time.monotonic() - began

                poller = threading.Thread(target=poll, daemon=True)
                poller.start()
                if swf.is_moto:
                    poller.join(timeout=WAIT)
                    self.assertFalse(poller.is_alive())
                    self.assertEqual(answer["task"].get("taskToken", ""), "")
                    continue
                poller.join(timeout=1.5)
                self.assertTrue(poller.is_alive(), "the dev server answered a poll with no task at once: %r" % answer)
                started_at = time.monotonic()
                execution = swf.start("long-polled-1")
                poller.join(timeout=WAIT)
                self.assertFalse(poller.is_alive(), "the waiting poll was not answered when the task arrived")
                self.assertLess(time.monotonic() - started_at, 5.0)
                self.assertEqual(answer["task"]["workflowExecution"], execution)
                swf.decide(answer["task"], complete_workflow("polled"))
                events = swf.history(execution)
                self.assertEqual(attrs_of(self.only(events, "DecisionTaskStarted"))["identity"], "waiting")
                self.assertRules(swf, events)


class MotoScenarioTest(Scenarios, HistoryAssertions):
    """The conformance scenarios on moto_server alone (no swf-runtime needed)."""

    @classmethod
    def setUpClass(cls):
        cls.servers = (("moto", start_moto(cls).endpoint_url),)


class ConformanceTest(Scenarios, HistoryAssertions):
    """The conformance scenarios on moto_server and on the dev server."""

    @classmethod
    def setUpClass(cls):
        binary = dev_server_binary()
        moto = start_moto(cls)
        dev = start_dev_server(cls, binary)
        cls.servers = (("moto", moto.endpoint_url), ("dev-server", dev.endpoint_url))


# -- what moto lacks, on the dev server alone ------------------------------------------

class DevServerCase(HistoryAssertions):
    @classmethod
    def setUpClass(cls):
        cls.server = start_dev_server(cls, dev_server_binary())

    def swf(self, **kwargs):
        domain = self.id().rsplit(".", 1)[-1].replace("_", "-")[:60]
        return Swf("dev-server", self.server.endpoint_url, domain, **kwargs)


class DevServerTest(DevServerCase):
    """What moto_server lacks. (It has no Lambda tasks either; SWF does not
    document what a ScheduleLambdaFunction does without a Lambda role or
    function, so there is no Lambda test here.)"""

    def test_child_workflow(self):
        """moto deviation: no child workflows (StartChildWorkflowExecution is
        NotImplementedError in moto_server)."""
        swf = self.swf().register()
        child_type = {"name": "conformance.child", "version": "1"}
        swf.register(workflow_type=child_type, domain=False)
        children = {"name": swf.domain + "-children"}
        parent = swf.start("parent-1")
        swf.decide(swf.poll_decision(), decision(
            "StartChildWorkflowExecution", workflowId="child-1", workflowType=child_type, input="child input",
            taskList=children, executionStartToCloseTimeout="600", taskStartToCloseTimeout="30",
            childPolicy="TERMINATE", control="my child"))
        events = swf.wait_for(parent, "ChildWorkflowExecutionStarted")
        self.assertEqual(types(events)[:5], ["WorkflowExecutionStarted", "DecisionTaskScheduled",
                                             "DecisionTaskStarted", "DecisionTaskCompleted",
                                             "StartChildWorkflowExecutionInitiated"])
        initiated = attrs_of(events[4])
        self.assertEqual((initiated["workflowId"], initiated["workflowType"], initiated["taskList"],
                          initiated["childPolicy"], initiated.get("input"), initiated.get("control"),
                          initiated["decisionTaskCompletedEventId"]),
                         ("child-1", child_type, children, "TERMINATE", "child input", "my child", 4))
        child_started = self.only(events, "ChildWorkflowExecutionStarted")
        child = attrs_of(child_started)["workflowExecution"]
        self.assertEqual((child["workflowId"], attrs_of(child_started)["workflowType"],
                          attrs_of(child_started)["initiatedEventId"]), ("child-1", child_type, 5))

        child_events = swf.history(child)
        first = attrs_of(child_events[0])
        self.assertEqual((first.get("parentWorkflowExecution"), first.get("parentInitiatedEventId"),
                          first.get("input"), first["taskList"], first["workflowType"]),
                         (parent, 5, "child input", children, child_type))
        swf.decide(swf.poll_decision(task_list=children), complete_workflow("child result"))
        self.assertRules(swf, swf.history(child))

        events = swf.wait_for(parent, "ChildWorkflowExecutionCompleted")
        completed = attrs_of(self.only(events, "ChildWorkflowExecutionCompleted"))
        self.assertEqual((completed["workflowExecution"], completed["workflowType"], completed["initiatedEventId"],
                          completed["startedEventId"], completed.get("result")),
                         (child, child_type, 5, child_started["eventId"], "child result"))
        # The parent has a decision task for the completion. Whether SWF also
        # schedules one for ChildWorkflowExecutionStarted is not documented;
        # either way only one is open, which assertRules checks.
        task = swf.poll_decision()
        self.assertIn("ChildWorkflowExecutionCompleted", types(task["events"]))
        swf.decide(task, complete_workflow("parent done"))
        events = swf.history(parent)
        self.assertSubsequence(swf, events, ["StartChildWorkflowExecutionInitiated", "ChildWorkflowExecutionStarted",
                                             "ChildWorkflowExecutionCompleted", "DecisionTaskStarted",
                                             "DecisionTaskCompleted", "WorkflowExecutionCompleted"])
        self.assertRules(swf, events)

    def test_continue_as_new(self):
        """moto deviation: no ContinueAsNewWorkflowExecution."""
        swf = self.swf().register()
        first = swf.start("countdown-1", input="2")
        swf.decide(swf.poll_decision(), decision(
            "ContinueAsNewWorkflowExecution", input="1", taskList=swf.decisions, childPolicy="TERMINATE",
            executionStartToCloseTimeout="600", taskStartToCloseTimeout="30"))
        events = swf.history(first)
        self.assertEqual(types(events), ["WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted",
                                         "DecisionTaskCompleted", "WorkflowExecutionContinuedAsNew"])
        continued = attrs_of(events[-1])
        self.assertEqual((continued["decisionTaskCompletedEventId"], continued.get("input"), continued["taskList"],
                          continued["childPolicy"], continued["workflowType"],
                          continued.get("executionStartToCloseTimeout"), continued.get("taskStartToCloseTimeout")),
                         (4, "1", swf.decisions, "TERMINATE", WORKFLOW, "600", "30"))
        self.assertRules(swf, events)
        self.assertClosed(swf, first, "CONTINUED_AS_NEW")

        second = {"workflowId": "countdown-1", "runId": continued["newExecutionRunId"]}
        self.assertNotEqual(second["runId"], first["runId"])
        new_events = swf.history(second)
        self.assertEqual(types(new_events), ["WorkflowExecutionStarted", "DecisionTaskScheduled"])
        self.assertEqual((attrs_of(new_events[0]).get("continuedExecutionRunId"), attrs_of(new_events[0]).get("input"),
                          attrs_of(new_events[0])["workflowType"]), (first["runId"], "1", WORKFLOW))
        info = swf.describe(second)["executionInfo"]
        self.assertEqual(info["executionStatus"], "OPEN")
        task = swf.poll_decision()
        self.assertEqual(task["workflowExecution"], second)
        swf.decide(task, complete_workflow("lift off"))
        self.assertRules(swf, swf.history(second))
        self.assertClosed(swf, second, "COMPLETED")

    def test_request_cancel_workflow_execution(self):
        """moto deviation: no RequestCancelWorkflowExecution."""
        swf = self.swf().register()
        execution = swf.start("cancelled-1")
        swf.decide(swf.poll_decision())
        swf.boto.request_cancel_workflow_execution(domain=swf.domain, workflowId=execution["workflowId"],
                                                   runId=execution["runId"])
        info = swf.describe(execution)["executionInfo"]
        self.assertEqual((info["executionStatus"], info["cancelRequested"]), ("OPEN", True))
        task = swf.poll_decision()
        self.assertIn("WorkflowExecutionCancelRequested", types(task["events"]))
        swf.decide(task, decision("CancelWorkflowExecution", details="as asked"))
        events = swf.history(execution)
        self.assertHistory(swf, events, [
            started(swf),
            dt_scheduled(swf),
            dt_started(2),
            dt_completed(2, 3),
            ("WorkflowExecutionCancelRequested", {}),
            dt_scheduled(swf),
            dt_started(6),
            dt_completed(6, 7),
            ("WorkflowExecutionCanceled", dict(decisionTaskCompletedEventId=8, details="as asked")),
        ])
        # Asked for by an API call, not by another execution.
        self.assertNotIn("externalWorkflowExecution", attrs_of(events[4]))
        self.assertRules(swf, events)
        self.assertClosed(swf, execution, "CANCELED")

    def test_request_cancel_activity_task(self):
        """moto deviation: no RequestCancelActivityTask; its heartbeat always
        answers cancelRequested false."""
        swf = self.swf().register()
        execution = swf.start("cancelled-activity-1")
        swf.decide(swf.poll_decision(), schedule_activity("sleep", swf.activities))
        task = swf.poll_activity()
        self.assertEqual(swf.boto.record_activity_task_heartbeat(taskToken=task["taskToken"])["cancelRequested"],
                         False)
        swf.signal(execution, "stop", "please")
        swf.decide(swf.poll_decision(), decision("RequestCancelActivityTask", activityId="sleep"))
        beat = swf.boto.record_activity_task_heartbeat(taskToken=task["taskToken"], details="stopping")
        self.assertEqual(beat["cancelRequested"], True)
        swf.boto.respond_activity_task_canceled(taskToken=task["taskToken"], details="stopped")
        events = swf.history(execution)
        self.assertEqual(types(events)[:11], [
            "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted",
            "ActivityTaskScheduled", "ActivityTaskStarted", "WorkflowExecutionSignaled", "DecisionTaskScheduled",
            "DecisionTaskStarted", "DecisionTaskCompleted", "ActivityTaskCancelRequested"])
        self.assertEqual(attrs_of(events[10]), {"activityId": "sleep", "decisionTaskCompletedEventId": 10})
        canceled = attrs_of(self.only(events, "ActivityTaskCanceled"))
        self.assertEqual((canceled["scheduledEventId"], canceled["startedEventId"],
                          canceled.get("latestCancelRequestedEventId"), canceled.get("details")), (5, 6, 11, "stopped"))
        # The cancellation is news for the decider. (Whether
        # ActivityTaskCancelRequested schedules a decision task of its own is
        # not documented; assertRules holds it to one open task either way.)
        task = swf.poll_decision()
        self.assertIn("ActivityTaskCanceled", types(task["events"]))
        swf.decide(task, complete_workflow("stopped"))
        self.assertRules(swf, swf.history(execution))
        self.assertSubsequence(swf, swf.history(execution), ["ActivityTaskCancelRequested", "ActivityTaskCanceled",
                                                             "DecisionTaskStarted", "WorkflowExecutionCompleted"])

    def test_signal_external_workflow_execution(self):
        """moto deviation: no SignalExternalWorkflowExecution."""
        swf = self.swf().register()
        receivers = {"name": swf.domain + "-receivers"}
        receiver = swf.start("receiver-1", taskList=receivers)
        sender = swf.start("sender-1")
        swf.decide(swf.poll_decision(), decision(
            "SignalExternalWorkflowExecution", workflowId=receiver["workflowId"], runId=receiver["runId"],
            signalName="ping", input="from the sender", control="c1"))
        events = swf.wait_for(sender, "ExternalWorkflowExecutionSignaled")
        self.assertEqual(types(events)[:6], ["WorkflowExecutionStarted", "DecisionTaskScheduled",
                                             "DecisionTaskStarted", "DecisionTaskCompleted",
                                             "SignalExternalWorkflowExecutionInitiated",
                                             "ExternalWorkflowExecutionSignaled"])
        initiated = attrs_of(events[4])
        self.assertEqual((initiated["workflowId"], initiated.get("runId"), initiated["signalName"],
                          initiated.get("input"), initiated.get("control"), initiated["decisionTaskCompletedEventId"]),
                         ("receiver-1", receiver["runId"], "ping", "from the sender", "c1", 4))
        self.assertEqual(attrs_of(events[5]), {"workflowExecution": receiver, "initiatedEventId": 5})
        # The delivery is news for the sender's decider: a decision task.
        swf.wait_for(sender, "DecisionTaskScheduled", count=2)
        swf.decide(swf.poll_decision(), complete_workflow("sent"))
        self.assertRules(swf, swf.history(sender))

        received = swf.history(receiver)
        self.assertEqual(types(received), ["WorkflowExecutionStarted", "DecisionTaskScheduled",
                                           "WorkflowExecutionSignaled"])
        self.assertEqual(attrs_of(received[2]), {"signalName": "ping", "input": "from the sender",
                                                 "externalWorkflowExecution": sender, "externalInitiatedEventId": 5})
        swf.decide(swf.poll_decision(task_list=receivers), complete_workflow("pinged"))
        self.assertRules(swf, swf.history(receiver))

    def test_domain_that_retains_nothing(self):
        """Retention NONE (or 0): SWF deletes an execution's record and history as soon as it closes."""
        swf = self.swf()
        swf.boto.register_domain(name=swf.domain, workflowExecutionRetentionPeriodInDays="NONE")
        self.assertEqual(swf.boto.describe_domain(name=swf.domain)["configuration"],
                         {"workflowExecutionRetentionPeriodInDays": "NONE"})
        swf.register(domain=False)
        execution = swf.start("fleeting-1")
        open_execution = swf.start("lasting-1")
        swf.decide(swf.poll_decision(), complete_workflow("gone"))
        deadline = time.monotonic() + 5
        while True:
            try:
                swf.boto.get_workflow_execution_history(domain=swf.domain, execution=execution)
            except ClientError as e:
                self.assertEqual(e.response["Error"]["Code"], "UnknownResourceFault")
                break
            self.assertLess(time.monotonic(), deadline, "the closed execution is still there")
            time.sleep(0.05)
        closed = swf.boto.list_closed_workflow_executions(domain=swf.domain, startTimeFilter={"oldestDate": 0})
        self.assertEqual(closed["executionInfos"], [])
        self.assertEqual(types(swf.history(open_execution))[0], "WorkflowExecutionStarted")

    def test_close_refused_while_a_signal_arrived(self):
        """A close decision over a signal that arrived during the decision task
        fails with UNHANDLED_DECISION, and a new decision task is scheduled.

        moto deviation: moto_server accepts the close."""
        swf = self.swf().register()
        execution = swf.start("unhandled-1")
        task = swf.poll_decision()
        swf.signal(execution, "late", "too late")
        swf.decide(task, complete_workflow("too soon"))
        info = swf.describe(execution)["executionInfo"]
        self.assertEqual(info["executionStatus"], "OPEN")
        again = swf.poll_decision()
        self.assertEqual(types(again["events"])[-4:], ["DecisionTaskCompleted", "CompleteWorkflowExecutionFailed",
                                                       "DecisionTaskScheduled", "DecisionTaskStarted"])
        swf.decide(again, complete_workflow("now"))
        events = swf.history(execution)
        self.assertHistory(swf, events, [
            started(swf),
            dt_scheduled(swf),
            dt_started(2),
            ("WorkflowExecutionSignaled", dict(signalName="late", input="too late")),
            dt_completed(2, 3),
            ("CompleteWorkflowExecutionFailed", dict(cause="UNHANDLED_DECISION", decisionTaskCompletedEventId=5)),
            dt_scheduled(swf),
            dt_started(7),
            dt_completed(7, 8),
            ("WorkflowExecutionCompleted", dict(decisionTaskCompletedEventId=9, result="now")),
        ])
        self.assertRules(swf, events)

    def test_history_paging(self):
        """maximumPageSize, nextPageToken and reverseOrder of
        GetWorkflowExecutionHistory. maximumPageSize is "an upper limit only".

        moto deviation: moto_server ignores maximumPageSize and answers one page."""
        swf = self.swf().register()
        execution = swf.start("paged-1")
        for i in range(6):
            swf.signal(execution, "s%d" % i, str(i))
        swf.decide(swf.poll_decision())
        whole = swf.boto.get_workflow_execution_history(domain=swf.domain, execution=execution)
        self.assertNotIn("nextPageToken", whole)
        self.assertEqual(len(whole["events"]), 10)
        for reverse in (False, True):
            with self.subTest(reverseOrder=reverse):
                pages, token = [], None
                for _ in range(20):
                    kwargs = {"nextPageToken": token} if token else {}
                    page = swf.boto.get_workflow_execution_history(domain=swf.domain, execution=execution,
                                                                   maximumPageSize=3, reverseOrder=reverse, **kwargs)
                    self.assertLessEqual(len(page["events"]), 3)
                    pages.append(page["events"])
                    token = page.get("nextPageToken")
                    if not token:
                        break
                self.assertIsNone(token, "more than 20 pages of 3 for 10 events")
                self.assertGreaterEqual(len(pages), 4)
                merged = [e["eventId"] for p in pages for e in p]
                self.assertEqual(merged, list(range(10, 0, -1)) if reverse else list(range(1, 11)))
        # botocore's paginator reads the same pages.
        paginator = swf.boto.get_paginator("get_workflow_execution_history")
        merged = paginator.paginate(domain=swf.domain, execution=execution,
                                    PaginationConfig={"PageSize": 4}).build_full_result()
        self.assertEqual([e["eventId"] for e in merged["events"]], list(range(1, 11)))
        self.assertRules(swf, whole["events"])

    def test_poll_for_decision_task_paging(self):
        """A decision task's history in pages: the first poll starts the task;
        the next calls with nextPageToken (other arguments unchanged) return the
        rest of the same task at once.

        moto deviation: moto_server ignores maximumPageSize."""
        swf = self.swf().register()
        execution = swf.start("poll-paged-1")
        for i in range(5):
            swf.signal(execution, "s%d" % i, str(i))
        first = swf.poll_decision(maximumPageSize=2)
        self.assertLessEqual(len(first["events"]), 2)
        self.assertTrue(first.get("nextPageToken"), "7 events in pages of 2 but no nextPageToken")
        self.assertEqual((first["workflowExecution"], first["workflowType"], first["startedEventId"]),
                         (execution, WORKFLOW, 8))
        events, token = list(first["events"]), first["nextPageToken"]
        for _ in range(20):
            began = time.monotonic()
            page = swf.boto.poll_for_decision_task(domain=swf.domain, taskList=swf.decisions, identity="decider",
                                                   maximumPageSize=2, nextPageToken=token)
            self.assertLess(time.monotonic() - began, 5.0, "a page of a decision task waited like a new poll")
            self.assertLessEqual(len(page["events"]), 2)
            events += page["events"]
            token = page.get("nextPageToken")
            if not token:
                break
        self.assertIsNone(token)
        history = swf.history(execution)
        self.assertEqual([e["eventId"] for e in events], list(range(1, 9)))
        self.assertEqual(types(events), types(history))
        self.assertEqual(types(history).count("DecisionTaskStarted"), 1, "paging started another decision task")
        swf.decide(first, complete_workflow("read it all"))
        self.assertRules(swf, swf.history(execution))


# -- bad input ------------------------------------------------------------------------

def assert_fault(case, code, call, **kwargs):
    """call(**kwargs) fails with the SWF fault code and HTTP 400; returns the error."""
    with case.assertRaises(ClientError, msg="%s(%s) did not fail" % (call.__name__, kwargs)) as caught:
        call(**kwargs)
    response = caught.exception.response
    case.assertEqual(response["Error"]["Code"], code, response)
    case.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], 400, response)
    return response["Error"]


class BadInputTest(DevServerCase):
    def assertFault(self, code, call, **kwargs):
        return assert_fault(self, code, call, **kwargs)

    def test_unknown_domain(self):
        swf = self.swf()
        self.assertFault("UnknownResourceFault", swf.boto.describe_domain, name="no-such-domain")
        self.assertFault("UnknownResourceFault", swf.boto.register_workflow_type, domain="no-such-domain",
                         name="w", version="1")
        self.assertFault("UnknownResourceFault", swf.boto.start_workflow_execution, domain="no-such-domain",
                         workflowId="w", workflowType=WORKFLOW, taskList={"name": "t"},
                         executionStartToCloseTimeout="60", taskStartToCloseTimeout="10", childPolicy="TERMINATE")
        began = time.monotonic()
        self.assertFault("UnknownResourceFault", swf.boto.poll_for_decision_task, domain="no-such-domain",
                         taskList={"name": "t"})
        self.assertLess(time.monotonic() - began, 5.0, "a poll in an unknown domain waited")

    def test_domain_already_exists(self):
        swf = self.swf().register()
        self.assertFault("DomainAlreadyExistsFault", swf.boto.register_domain, name=swf.domain,
                         workflowExecutionRetentionPeriodInDays="1")

    def test_type_already_exists(self):
        swf = self.swf().register()
        self.assertFault("TypeAlreadyExistsFault", swf.boto.register_workflow_type, domain=swf.domain,
                         name=WORKFLOW["name"], version=WORKFLOW["version"])
        self.assertFault("TypeAlreadyExistsFault", swf.boto.register_activity_type, domain=swf.domain,
                         name=ACTIVITY["name"], version=ACTIVITY["version"])

    def test_workflow_execution_already_started(self):
        swf = self.swf().register()
        swf.start("once-1")
        self.assertFault("WorkflowExecutionAlreadyStartedFault", swf.boto.start_workflow_execution,
                         domain=swf.domain, workflowId="once-1", workflowType=WORKFLOW)

    def test_default_undefined(self):
        """Start without a task list, of a type registered without a default one."""
        swf = self.swf()
        bare = {"name": "conformance.bare", "version": "1"}
        swf.boto.register_domain(name=swf.domain, workflowExecutionRetentionPeriodInDays="1")
        swf.boto.register_workflow_type(domain=swf.domain, name=bare["name"], version=bare["version"],
                                        defaultTaskStartToCloseTimeout="30",
                                        defaultExecutionStartToCloseTimeout="600", defaultChildPolicy="TERMINATE")
        self.assertFault("DefaultUndefinedFault", swf.boto.start_workflow_execution, domain=swf.domain,
                         workflowId="no-task-list-1", workflowType=bare)
        # With the task list given, the same start is fine.
        swf.start("no-task-list-1", workflow_type=bare, taskList={"name": "given"})

    def test_missing_required_member(self):
        """The server refuses what botocore would have refused before sending."""
        swf = self.swf(parameter_validation=False).register()
        self.assertFault("ValidationException", swf.boto.register_domain, name=swf.domain + "-2")
        self.assertFault("ValidationException", swf.boto.start_workflow_execution, domain=swf.domain,
                         workflowType=WORKFLOW)
        self.assertFault("ValidationException", swf.boto.poll_for_decision_task, domain=swf.domain)

    def test_too_long_string(self):
        swf = self.swf(parameter_validation=False).register()
        self.assertFault("ValidationException", swf.boto.register_domain, name="d" * 257,
                         workflowExecutionRetentionPeriodInDays="1")
        self.assertFault("ValidationException", swf.boto.start_workflow_execution, domain=swf.domain,
                         workflowId="w" * 257, workflowType=WORKFLOW)
        execution = swf.start("long-signal-1")
        self.assertFault("ValidationException", swf.boto.signal_workflow_execution, domain=swf.domain,
                         workflowId=execution["workflowId"], signalName="s" * 257)
        self.assertFault("ValidationException", swf.boto.signal_workflow_execution, domain=swf.domain,
                         workflowId=execution["workflowId"], signalName="s", input="x" * 32769)

    def test_unknown_task_token(self):
        swf = self.swf().register()
        token = "not-a-task-token-the-server-ever-gave"
        self.assertFault("UnknownResourceFault", swf.boto.respond_decision_task_completed, taskToken=token,
                         decisions=[])
        self.assertFault("UnknownResourceFault", swf.boto.respond_activity_task_completed, taskToken=token)
        self.assertFault("UnknownResourceFault", swf.boto.record_activity_task_heartbeat, taskToken=token)

    def test_second_answer_to_the_same_task(self):
        swf = self.swf().register()
        execution = swf.start("answered-twice-1")
        decision_task = swf.poll_decision()
        swf.decide(decision_task, schedule_activity("once", swf.activities))
        self.assertFault("UnknownResourceFault", swf.boto.respond_decision_task_completed,
                         taskToken=decision_task["taskToken"], decisions=[complete_workflow("twice")])
        activity_task = swf.poll_activity()
        swf.boto.respond_activity_task_completed(taskToken=activity_task["taskToken"], result="first")
        self.assertFault("UnknownResourceFault", swf.boto.respond_activity_task_completed,
                         taskToken=activity_task["taskToken"], result="second")
        self.assertFault("UnknownResourceFault", swf.boto.respond_activity_task_failed,
                         taskToken=activity_task["taskToken"], reason="second")
        self.assertFault("UnknownResourceFault", swf.boto.record_activity_task_heartbeat,
                         taskToken=activity_task["taskToken"])
        events = swf.history(execution)
        self.assertEqual(types(events).count("ActivityTaskCompleted"), 1)
        self.assertEqual(types(events).count("DecisionTaskCompleted"), 1)
        self.assertRules(swf, events)


class DevServerLaunchTest(unittest.TestCase):
    """The command line contract: the banner, --domain, exit 0 on SIGTERM."""

    def test_banner_domains_and_sigterm(self):
        server = DevServer(dev_server_binary(), domains=["launch-one", "launch-two"])
        self.addCleanup(server.remove_log)
        self.addCleanup(server.stop)
        server.start()
        self.assertRegex(server.banner, r"^swf-runtime dev-server listening on http://127\.0\.0\.1:[0-9]+; "
                                        r"state in memory$")
        self.assertNotEqual(server.port, 0)
        boto = client(server.endpoint_url, read_timeout=POLL_TIMEOUT)
        for name in ("launch-one", "launch-two"):
            d = boto.describe_domain(name=name)
            self.assertEqual((d["domainInfo"]["status"], d["configuration"]["workflowExecutionRetentionPeriodInDays"]),
                             ("REGISTERED", "1"))
        self.assertEqual(server.stop(), 0, "exit status on SIGTERM; stderr:\n%s" % server.log_tail())
        self.assertEqual(server.extra_stdout, b"", "it printed more than its banner line")


if __name__ == "__main__":
    unittest.main()
