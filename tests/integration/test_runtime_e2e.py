"""`swf-runtime run`, `check` and `register` end to end against the local SWF
endpoint: `swf-runtime dev-server` by default, moto_server (an independent
third-party emulator) for the classes that name it as a peer.

The runtime ($SWF_RUNTIME_BIN) runs as a subprocess with a configuration
written into a temporary directory and the example plugin from
$SWF_PLUGIN_DIR; boto3 is the second, independent client that starts
workflows, plays the decider where the test needs to schedule activities
itself, and reads every outcome back from the workflow history. Each class
starts its own endpoint and stops it; every runtime it starts is stopped
in a cleanup (SIGTERM, then SIGKILL), and every wait has a bound.

Run from tests/integration:  python3 -m unittest -v test_runtime_e2e
"""

import http.client
import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from loopback import LoopbackServer
from moto_server import MotoServer
from swf_history_check import check_history

ROOT_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

REGION = "us-east-1"
ACCESS_KEY = "AKIDRUNTIMEE2E"
SECRET_KEY = "runtime/e2e/secret/key/for/moto"
READY_WITHIN = 20.0    # seconds from exec to /healthz answering "ready"
STOP_WITHIN = 20.0     # seconds a runtime gets to exit after SIGTERM
CHECK_TIMEOUT = 30.0   # seconds for `check` and `register`
# moto answers an empty poll after 1 s, so a task waits up to about that long
# before a poller picks it up.
TASK_WITHIN = 15.0

BIN = None
PLUGIN_DIR = None
EXAMPLE_PLUGIN = None


def setUpModule():
    global BIN, PLUGIN_DIR, EXAMPLE_PLUGIN
    BIN = os.environ.get("SWF_RUNTIME_BIN")
    if not BIN or not os.access(BIN, os.X_OK):
        raise RuntimeError("SWF_RUNTIME_BIN must name the built swf-runtime executable (ctest sets it); got %r"
                           % BIN)
    PLUGIN_DIR = os.environ.get("SWF_PLUGIN_DIR")
    if not PLUGIN_DIR or not os.path.isdir(PLUGIN_DIR):
        raise RuntimeError("SWF_PLUGIN_DIR must name the directory of the built plugins (ctest sets it); got %r"
                           % PLUGIN_DIR)
    EXAMPLE_PLUGIN = os.path.join(PLUGIN_DIR, "libswfrt_example_plugin.so")
    if not os.path.isfile(EXAMPLE_PLUGIN):
        raise RuntimeError("%s is missing; build the swfrt_example_plugin target" % EXAMPLE_PLUGIN)


def plugin(name):
    path = os.path.join(PLUGIN_DIR, "libswfrt_test_plugin_%s.so" % name)
    if not os.path.isfile(path):
        raise RuntimeError("%s is missing; build the swfrt_test_plugin_%s target" % (path, name))
    return path


def child_env():
    """The environment of swf-runtime: no AWS settings from the machine leak in."""
    env = dict(os.environ)
    for name in list(env):
        if name.startswith("AWS_"):
            del env[name]
    env.update(AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull,
               AWS_EC2_METADATA_DISABLED="true")
    return env


def q(s):
    """A YAML scalar for any string (a JSON string is a YAML double-quoted scalar)."""
    return json.dumps(s)


def config_text(*, endpoint_url, domain=None, workers=(), grace=1, plugins=None, register_domain=True,
                metrics_listen="127.0.0.1:0", retention_days=1):
    """A swf-runtime YAML configuration. workers: dicts with kind, task_list,
    handlers and optionally pollers, max_concurrent, domain."""
    lines = [
        "swf:",
        "  region: %s" % REGION,
        "  endpoint_url: %s" % q(endpoint_url),
        "  credentials:",
        "    access_key_id: %s" % q(ACCESS_KEY),
        "    secret_access_key: %s" % q(SECRET_KEY),
        "  retry:",
        "    max_attempts: 3",
        "runtime:",
        "  threads: 2",
        "  shutdown_grace: %s" % grace,
        "plugins:",
    ]
    for p in (plugins if plugins is not None else [EXAMPLE_PLUGIN]):
        lines.append("  - %s" % q(p))
    if domain:
        lines += ["domains:",
                  "  - name: %s" % q(domain),
                  "    retention_days: %d" % retention_days,
                  "    description: swf-runtime end-to-end test",
                  "    register: %s" % ("true" if register_domain else "false")]
    lines.append("workers:" if workers else "workers: []")
    for w in workers:
        lines += ["  - kind: %s" % w["kind"],
                  "    domain: %s" % q(w.get("domain", domain)),
                  "    task_list: %s" % q(w["task_list"]),
                  "    pollers: %d" % w.get("pollers", 1),
                  "    max_concurrent: %d" % w.get("max_concurrent", 4),
                  "    handlers: [%s]" % ", ".join(w["handlers"])]
        if "register" in w:
            lines.append("    register: %s" % ("true" if w["register"] else "false"))
        if "sticky" in w:
            lines.append("    sticky_schedule_to_start: %s" % w["sticky"])
    lines += ["metrics:",
              "  listen: %s" % q(metrics_listen),
              "log:",
              "  level: info",
              "  format: text"]
    return "\n".join(lines) + "\n"


def boto(endpoint_url):
    return boto3.client("swf", region_name=REGION, endpoint_url=endpoint_url,
                        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                        config=Config(retries={"mode": "standard", "max_attempts": 1},
                                      connect_timeout=5, read_timeout=30))


def http_get(port, path, timeout=5.0):
    """(status, body) of GET http://127.0.0.1:port/path."""
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def metric_value(text, name, labels):
    """The sum of the samples of family `name` in the Prometheus text whose
    labels include `labels` (a dict), as `sum(name{labels})` would give; None
    when there is none."""
    total = None
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)$', line)
        if not m or m.group(1) != name:
            continue
        found = dict(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(3) or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            total = (total or 0) + float(m.group(4))
    return total


class RuntimeProcess:
    """One `swf-runtime run` subprocess, its output in a file."""

    def __init__(self, config_path, args=()):
        self.config_path = config_path
        self.args = list(args)
        self.log_path = config_path + ".log"
        self.process = None
        self.started_at = None
        self.metrics_port = None

    def start(self):
        with open(self.log_path, "wb") as log:
            self.started_at = time.monotonic()
            self.process = subprocess.Popen([BIN, "run", self.config_path] + self.args,
                                            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                            env=child_env(), start_new_session=True)
        return self

    def log(self):
        with open(self.log_path, "r", errors="replace") as f:
            return f.read()

    def log_tail(self, max_chars=4000):
        text = self.log()
        return text if len(text) <= max_chars else "..." + text[-max_chars:]

    def running(self):
        return self.process is not None and self.process.poll() is None

    def wait_ready(self, within=READY_WITHIN):
        """Waits until /healthz answers 200 "ready"; raises with the log otherwise."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if not self.running():
                raise RuntimeError("swf-runtime exited (status %s) before it was ready; log:\n%s"
                                   % (self.process.returncode, self.log_tail()))
            if self.metrics_port is None:
                m = re.search(r"metrics and health endpoint listening address=127\.0\.0\.1:(\d+)", self.log())
                if m:
                    self.metrics_port = int(m.group(1))
            if self.metrics_port is not None:
                try:
                    status, body = http_get(self.metrics_port, "/healthz", timeout=2)
                    if status == 200 and body.strip() == "ready":
                        return self
                except OSError:
                    pass
            time.sleep(0.05)
        raise RuntimeError("swf-runtime was not ready within %.0f s; log:\n%s" % (within, self.log_tail()))

    def wait_exit(self, within):
        """The exit status, or None when it is still running after `within` seconds."""
        try:
            return self.process.wait(timeout=within)
        except subprocess.TimeoutExpired:
            return None

    def terminate(self, within=STOP_WITHIN):
        """SIGTERM, then SIGKILL after `within` seconds; the exit status (None when killed)."""
        if self.process is None:
            return None
        if self.process.poll() is not None:
            return self.process.returncode
        try:
            os.kill(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        status = self.wait_exit(within)
        if status is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=10)
        return status


class Driver:
    """The test as the decider of one workflow execution whose decision tasks
    go to a task list of its own, which the runtime does not poll: it
    schedules activities on the runtime's task lists directly."""

    workflow_type = {"name": "e2e.driver", "version": "1"}

    @classmethod
    def register_type(cls, swf, domain):
        swf.register_workflow_type(domain=domain, name=cls.workflow_type["name"], version=cls.workflow_type["version"],
                                   defaultTaskList={"name": "e2e-driver-default"},
                                   defaultTaskStartToCloseTimeout="60",
                                   defaultExecutionStartToCloseTimeout="3600", defaultChildPolicy="TERMINATE")

    def __init__(self, swf, domain, workflow_id):
        self.swf = swf
        self.domain = domain
        self.workflow_id = workflow_id
        self.task_list = "driver-" + workflow_id
        self.run_id = swf.start_workflow_execution(domain=domain, workflowId=workflow_id,
                                                   workflowType=self.workflow_type,
                                                   taskList={"name": self.task_list})["runId"]

    @property
    def execution(self):
        return {"workflowId": self.workflow_id, "runId": self.run_id}

    def poll_decision_task(self, within=TASK_WITHIN):
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            task = self.swf.poll_for_decision_task(domain=self.domain, taskList={"name": self.task_list},
                                                   identity="e2e-driver")
            if task.get("taskToken"):
                return task
        raise AssertionError("no decision task for %s within %.0f s" % (self.workflow_id, within))

    def decide(self, decisions):
        """Answers the next decision task with `decisions`."""
        task = self.poll_decision_task()
        self.swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=decisions)

    def schedule(self, activities):
        """activities: dicts with id, name, input, task_list and optional heartbeat_timeout."""
        decisions = []
        for a in activities:
            attrs = {"activityId": a["id"], "activityType": {"name": a["name"], "version": a.get("version", "1")},
                     "input": a["input"], "taskList": {"name": a["task_list"]}}
            if "heartbeat_timeout" in a:
                attrs["heartbeatTimeout"] = a["heartbeat_timeout"]
            decisions.append({"decisionType": "ScheduleActivityTask", "scheduleActivityTaskDecisionAttributes": attrs})
        self.decide(decisions)

    def history(self):
        return history_of(self.swf, self.domain, self.execution)

    def outcomes(self):
        """{activity id: (event type, attributes)} for every activity that has ended."""
        events = self.history()
        ids = {e["eventId"]: e["activityTaskScheduledEventAttributes"]["activityId"]
               for e in events if e["eventType"] == "ActivityTaskScheduled"}
        out = {}
        for e in events:
            for kind in ("ActivityTaskCompleted", "ActivityTaskFailed", "ActivityTaskCanceled",
                         "ActivityTaskTimedOut"):
                if e["eventType"] == kind:
                    attrs = e[kind[0].lower() + kind[1:] + "EventAttributes"]
                    out[ids[attrs["scheduledEventId"]]] = (kind, attrs)
        return out

    def started_ids(self):
        events = self.history()
        ids = {e["eventId"]: e["activityTaskScheduledEventAttributes"]["activityId"]
               for e in events if e["eventType"] == "ActivityTaskScheduled"}
        return {ids[e["activityTaskStartedEventAttributes"]["scheduledEventId"]]
                for e in events if e["eventType"] == "ActivityTaskStarted"}

    def terminate(self):
        try:
            self.swf.terminate_workflow_execution(domain=self.domain, workflowId=self.workflow_id,
                                                  runId=self.run_id, reason="test over")
        except ClientError:
            pass  # already closed


def history_of(swf, domain, execution):
    events, token = [], None
    while True:
        kwargs = {"domain": domain, "execution": execution}
        if token:
            kwargs["nextPageToken"] = token
        page = swf.get_workflow_execution_history(**kwargs)
        events += page["events"]
        token = page.get("nextPageToken")
        if not token:
            return events


def wait_until(what, probe, within, on_timeout=lambda: "", runtime=None):
    """Calls probe() until it returns something true; returns that, or fails
    after `within` seconds, or at once when `runtime` has exited."""
    deadline = time.monotonic() + within
    while True:
        value = probe()
        if value:
            return value
        if runtime is not None and not runtime.running():
            raise AssertionError("%s: swf-runtime exited (status %s) while waiting; log:\n%s"
                                 % (what, runtime.process.returncode, runtime.log_tail()))
        if time.monotonic() >= deadline:
            raise AssertionError("%s: not within %.0f s%s" % (what, within, on_timeout()))
        time.sleep(0.2)


class RuntimeCase(unittest.TestCase):
    """A class with its own local SWF endpoint and temporary directory: the
    dev server by default (polls held 1 s, so that a runtime's shutdown does
    not wait a minute for its polls in flight), moto_server for a class that
    sets `endpoint = "moto"` (an independent peer)."""

    endpoint = "dev-server"

    @classmethod
    def server_args(cls):
        """More flags for the dev server."""
        return []

    @classmethod
    def setUpClass(cls):
        cls.moto = None
        if cls.endpoint == "moto":
            cls.moto = MotoServer()
            cls.addClassCleanup(cls.moto.remove_log)
            cls.addClassCleanup(cls.moto.stop)
            cls.moto.start()
            cls.endpoint_url = cls.moto.endpoint_url
            cls.port = cls.moto.port
        else:
            from dev_server import DevServer
            setUpModule()  # BIN, for classes of other modules too
            cls.server = DevServer(BIN, args=["--long-poll-seconds", "1"] + cls.server_args())
            cls.addClassCleanup(cls.server.stop)
            cls.server.start()
            cls.endpoint_url = cls.server.endpoint_url
            cls.port = cls.server.port
        cls.swf = boto(cls.endpoint_url)
        cls.tmp = tempfile.mkdtemp(prefix="swfrt-e2e-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)

    @classmethod
    def write_config(cls, name, text):
        path = os.path.join(cls.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    @classmethod
    def start_runtime(cls, name, text, args=(), cleanup=None):
        """Writes the config and starts `swf-runtime run` on it; it is always terminated in a cleanup."""
        rt = RuntimeProcess(cls.write_config(name, text), args)
        (cleanup or cls.addClassCleanup)(rt.terminate)
        return rt.start()


# The dev server's classes (RuntimeCase's default endpoint).
DevServerRuntimeCase = RuntimeCase


# ---- a runtime with three task lists, shared by the tests of one class ----

DOMAIN = "e2e-runtime"
DECISIONS = "example-decisions"    # greeting's default decision task list
ACTIVITIES = "example-activities"  # greet's default activity task list
SECOND = "e2e-activities-2"        # served only when scheduled there explicitly


class RunningRuntimeTest(RuntimeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        text = config_text(endpoint_url=cls.endpoint_url, domain=DOMAIN, grace=1, workers=[
            {"kind": "decision", "task_list": DECISIONS, "pollers": 2, "max_concurrent": 4,
             "handlers": ["greeting"]},
            {"kind": "activity", "task_list": ACTIVITIES, "pollers": 2, "max_concurrent": 4,
             "handlers": ["greet"]},
            {"kind": "activity", "task_list": SECOND, "pollers": 2, "max_concurrent": 4,
             "handlers": ["greet", "add", "sleep", "fail", "slow_blocking"]},
        ])
        cls.runtime = cls.start_runtime("runtime.yaml", text).wait_ready()
        Driver.register_type(cls.swf, DOMAIN)
        cls.swf.register_activity_type(domain=DOMAIN, name="mystery", version="1",
                                       defaultTaskList={"name": SECOND},
                                       defaultTaskStartToCloseTimeout="60", defaultTaskHeartbeatTimeout="NONE",
                                       defaultTaskScheduleToStartTimeout="300",
                                       defaultTaskScheduleToCloseTimeout="360")

    def setUp(self):
        self.assertTrue(self.runtime.running(), "swf-runtime is no longer running; log:\n%s"
                        % self.runtime.log_tail())

    def driver(self, workflow_id):
        d = Driver(self.swf, DOMAIN, workflow_id)
        self.addCleanup(d.terminate)
        return d

    def log_note(self):
        return "; runtime log:\n" + self.runtime.log_tail()

    def wait(self, what, probe, within):
        return wait_until(what, probe, within, self.log_note, runtime=self.runtime)

    def wait_outcomes(self, driver, ids, within=TASK_WITHIN):
        def probe():
            out = driver.outcomes()
            return out if set(ids) <= set(out) else None
        return self.wait("outcomes of %s" % sorted(ids), probe, within)

    def test_greeting_workflows_and_activities_on_several_task_lists_at_once(self):
        names = ["Ada", "Grace", "Edsger", "Barbara", "Donald", "Frances"]
        runs = {}
        for i, name in enumerate(names):
            runs["greeting-%d" % i] = self.swf.start_workflow_execution(
                domain=DOMAIN, workflowId="greeting-%d" % i, workflowType={"name": "greeting", "version": "1"},
                input=name)["runId"]
        # While those run, the second activity task list gets work of its own.
        driver = self.driver("several-lists")
        sums = {"sum-%d" % i: (i, 10 * i) for i in range(6)}
        driver.schedule([{"id": k, "name": "add", "input": json.dumps({"a": a, "b": b}), "task_list": SECOND}
                         for k, (a, b) in sums.items()])

        def all_closed():
            infos = {}
            for wid, run_id in runs.items():
                info = self.swf.describe_workflow_execution(
                    domain=DOMAIN, execution={"workflowId": wid, "runId": run_id})["executionInfo"]
                if info["executionStatus"] != "CLOSED":
                    return None
                infos[wid] = info
            return infos

        infos = self.wait("6 greeting workflows closed", all_closed, 40)
        for i, name in enumerate(names):
            wid = "greeting-%d" % i
            self.assertEqual(infos[wid]["closeStatus"], "COMPLETED", wid)
            events = history_of(self.swf, DOMAIN, {"workflowId": wid, "runId": runs[wid]})
            completed = [e for e in events if e["eventType"] == "WorkflowExecutionCompleted"]
            self.assertEqual(len(completed), 1, wid)
            self.assertEqual(completed[0]["workflowExecutionCompletedEventAttributes"]["result"],
                             "Hello, %s!" % name)
            greet_tasks = [e["activityTaskScheduledEventAttributes"] for e in events
                           if e["eventType"] == "ActivityTaskScheduled"]
            self.assertEqual([a["taskList"]["name"] for a in greet_tasks], [ACTIVITIES])
        outcomes = self.wait_outcomes(driver, sums)
        for k, (a, b) in sums.items():
            kind, attrs = outcomes[k]
            self.assertEqual(kind, "ActivityTaskCompleted", (k, attrs))
            self.assertEqual(float(attrs["result"]), float(a + b), k)
        # Each worker took its tasks from its own task list.
        log = self.runtime.log()
        self.assertIn("task_list=%s type=greeting:1" % DECISIONS, log)
        self.assertIn("task_list=%s type=greet:1" % ACTIVITIES, log)
        self.assertIn("task_list=%s type=add:1" % SECOND, log)

    def test_coroutine_and_blocking_handlers_answer_with_their_results(self):
        driver = self.driver("handlers")
        wanted = {
            "add-ints": ("add", json.dumps({"a": 2, "b": 3}), "5"),
            "add-fractions": ("add", '{"a": 1.5, "b": -4}', "-2.5"),
            "greet": ("greet", "Ada", "Hello, Ada!"),
            "greet-unicode": ("greet", "Zoë 😀", "Hello, Zoë 😀!"),
            "slow-blocking": ("slow_blocking", "0.5", "slept 0.5 s"),
            "sleep": ("sleep", "0.3", "slept 0.3 s"),
        }
        driver.schedule([{"id": k, "name": n, "input": i, "task_list": SECOND} for k, (n, i, _) in wanted.items()])
        outcomes = self.wait_outcomes(driver, wanted)
        for k, (_, _, result) in wanted.items():
            kind, attrs = outcomes[k]
            self.assertEqual(kind, "ActivityTaskCompleted", (k, attrs))
            self.assertEqual(attrs.get("result"), result, k)

    def test_handler_exceptions_fail_the_task_with_reason_and_details(self):
        driver = self.driver("failures")
        long_ascii = "".join(chr(ord("a") + i % 26) for i in range(1000))
        # 32768 is SWF's limit on details, counted in UTF-16 units as SWF
        # counts: two-byte UTF-8 characters must not be cut by a byte count.
        at_limit = "é" * 32768
        # Real SWF and the dev server refuse an input this long; moto takes
        # it, which lets the runtime's own cut of details to the limit be
        # seen: that case runs in the moto class (RunningRuntimeMotoTest).
        over_limit = "x" * 40000
        activities = [
            {"id": "fail", "name": "fail", "input": "boom", "task_list": SECOND},
            {"id": "bad-add", "name": "add", "input": "not json", "task_list": SECOND},
            {"id": "fail-long", "name": "fail", "input": long_ascii, "task_list": SECOND},
            {"id": "fail-at-limit", "name": "fail", "input": at_limit, "task_list": SECOND},
        ]
        if self.endpoint == "moto":
            activities.append({"id": "fail-over-limit", "name": "fail", "input": over_limit, "task_list": SECOND})
        driver.schedule(activities)
        outcomes = self.wait_outcomes(driver, [a["id"] for a in activities])
        for k in outcomes:
            self.assertEqual(outcomes[k][0], "ActivityTaskFailed", (k, outcomes[k][1].get("reason")))
            self.assertLessEqual(len(outcomes[k][1].get("reason", "")), 256, k)
        self.assertEqual(outcomes["fail"][1]["reason"], "std::runtime_error")
        self.assertEqual(outcomes["fail"][1]["details"], "boom")
        self.assertEqual(outcomes["bad-add"][1]["reason"], "BAD_INPUT")
        self.assertIn("got: not json", outcomes["bad-add"][1]["details"])
        self.assertEqual(outcomes["fail-long"][1]["reason"], "std::runtime_error")
        self.assertEqual(outcomes["fail-long"][1]["details"], long_ascii)
        self.assertEqual(outcomes["fail-at-limit"][1]["details"], at_limit)
        if self.endpoint != "moto":
            return
        details = outcomes["fail-over-limit"][1]["details"]
        self.assertEqual(len(details), 32768)
        self.assertTrue(details.endswith(" [truncated]"), details[-40:])
        self.assertEqual(details[:-len(" [truncated]")], over_limit[:32768 - len(" [truncated]")])

    def test_unknown_activity_type_is_failed_not_dropped(self):
        driver = self.driver("unknown-type")
        driver.schedule([{"id": "mystery", "name": "mystery", "input": "?", "task_list": SECOND}])
        kind, attrs = self.wait_outcomes(driver, ["mystery"])["mystery"]
        self.assertEqual(kind, "ActivityTaskFailed", attrs)
        self.assertEqual(attrs["reason"], "UnknownActivityType")
        self.assertIn("mystery:1", attrs.get("details", ""))

    def test_heartbeats_keep_a_long_task_alive_past_its_heartbeat_timeout(self):
        # sleep heartbeats every second from the handler; the runtime passes
        # them on at most every 3 s (its type's heartbeat timeout is 30 s).
        # Without them moto would time the task out 7 s after scheduling it.
        driver = self.driver("heartbeats")
        driver.schedule([{"id": "sleep", "name": "sleep", "input": "10", "task_list": SECOND,
                          "heartbeat_timeout": "7"}])
        kind, attrs = self.wait_outcomes(driver, ["sleep"], within=25)["sleep"]
        self.assertEqual(kind, "ActivityTaskCompleted", attrs)
        self.assertEqual(attrs["result"], "slept 10 s")
        status, text = http_get(self.runtime.metrics_port, "/metrics")
        self.assertEqual(status, 200)
        sent = metric_value(text, "swfrt_heartbeats_total", {"type": "sleep:1"})
        self.assertIsNotNone(sent, "no swfrt_heartbeats_total for sleep:1")
        self.assertGreaterEqual(sent, 2)

    def test_cancel_requested_by_the_decider_answers_activity_task_canceled(self):
        driver = self.driver("cancel")
        driver.schedule([{"id": "sleep", "name": "sleep", "input": "30", "task_list": SECOND,
                          "heartbeat_timeout": "20"}])
        self.wait("sleep started", lambda: "sleep" in driver.started_ids(), TASK_WITHIN)
        # A signal gives the decider a decision task to answer with the cancel request.
        self.swf.signal_workflow_execution(domain=DOMAIN, workflowId=driver.workflow_id, runId=driver.run_id,
                                           signalName="cancel-please", input="")
        refused = None
        try:
            driver.decide([{"decisionType": "RequestCancelActivityTask",
                            "requestCancelActivityTaskDecisionAttributes": {"activityId": "sleep"}}])
        except ClientError as e:
            refused = "%s: %s" % (e.response.get("Error", {}).get("Code"), e.response.get("Error", {}).get("Message"))
        recorded = any(e["eventType"] == "ActivityTaskCancelRequested" for e in driver.history())
        if refused is not None or not recorded:
            # The emulator cannot carry a cancel request: say so rather than
            # pass. (moto 5.x raises NotImplementedError for this decision,
            # answers every heartbeat with cancelRequested false and has no
            # RespondActivityTaskCanceled; CancelThroughHeartbeatTest drives
            # the runtime's side of cancellation instead.)
            self.assertNotIn("sleep", driver.outcomes(), "the running task ended without a cancel request")
            self.skipTest("moto_server does not record a RequestCancelActivityTask decision (RespondDecisionTask"
                          "Completed: %s; ActivityTaskCancelRequested in the history: %s)"
                          % (refused or "accepted", recorded))
        kind, attrs = self.wait_outcomes(driver, ["sleep"], within=10)["sleep"]
        self.assertEqual(kind, "ActivityTaskCanceled", attrs)

    def test_heartbeat_on_a_closed_execution_stops_the_handler_unanswered(self):
        # SWF (and moto) answer a heartbeat for a task of a closed execution
        # with UnknownResourceFault: the handler is stopped and the task,
        # which nobody can answer any more, is left alone.
        driver = self.driver("closed-under-task")
        driver.schedule([{"id": "sleep", "name": "sleep", "input": "30", "task_list": SECOND}])
        self.wait("sleep started", lambda: "sleep" in driver.started_ids(), TASK_WITHIN)
        before = metric_value(http_get(self.runtime.metrics_port, "/metrics")[1], "swfrt_tasks_unanswered_total",
                              {"kind": "activity", "reason": "task_unknown"}) or 0
        self.swf.terminate_workflow_execution(domain=DOMAIN, workflowId=driver.workflow_id, runId=driver.run_id,
                                              reason="closed under a running task")

        def stopped():
            return re.search(r"no longer knows the task.*workflow_id=%s .*activity_id=sleep" % driver.workflow_id,
                             self.runtime.log())
        self.wait("the handler stopped on UnknownResourceFault", stopped, 10)
        self.wait("the task left unanswered", lambda: re.search(
            r"activity task no longer known to SWF.*not answered.*workflow_id=%s " % driver.workflow_id,
            self.runtime.log()), 5)
        after = metric_value(http_get(self.runtime.metrics_port, "/metrics")[1], "swfrt_tasks_unanswered_total",
                             {"kind": "activity", "reason": "task_unknown"})
        self.assertGreaterEqual(after or 0, before + 1)
        self.assertEqual(driver.outcomes(), {})

    def test_metrics_and_health_over_http(self):
        wid = "metrics-greeting"
        run_id = self.swf.start_workflow_execution(domain=DOMAIN, workflowId=wid,
                                                   workflowType={"name": "greeting", "version": "1"},
                                                   input="metrics")["runId"]
        self.wait("greeting closed", lambda: self.swf.describe_workflow_execution(
            domain=DOMAIN, execution={"workflowId": wid, "runId": run_id})["executionInfo"]["executionStatus"]
            == "CLOSED", 30)
        status, body = http_get(self.runtime.metrics_port, "/healthz")
        self.assertEqual((status, body.strip()), (200, "ready"))
        status, text = http_get(self.runtime.metrics_port, "/metrics")
        self.assertEqual(status, 200)
        completed = metric_value(text, "swfrt_tasks_completed_total", {"kind": "activity", "type": "greet:1"})
        self.assertIsNotNone(completed, "no swfrt_tasks_completed_total for greet:1 in:\n" + text)
        self.assertGreaterEqual(completed, 1)
        decided = metric_value(text, "swfrt_tasks_completed_total", {"kind": "decision", "type": "greeting:1"})
        self.assertGreaterEqual(decided or 0, 2)  # schedule greet, then complete
        self.assertEqual(metric_value(text, "swfrt_ready", {}), 1)
        self.assertEqual(metric_value(text, "swfrt_slots", {"kind": "activity", "domain": DOMAIN,
                                                         "task_list": SECOND}), 4)
        self.assertGreaterEqual(metric_value(text, "swfrt_polls_total",
                                             {"kind": "decision", "task_list": DECISIONS}) or 0, 1)
        self.assertIn("# TYPE swfrt_handler_seconds histogram", text)
        status, _ = http_get(self.runtime.metrics_port, "/no-such-page")
        self.assertEqual(status, 404)


# ---- cancellation through the heartbeat answer ----

DEV_DOMAIN = "e2e-dev"


class DevServerWorkflowsTest(DevServerRuntimeCase):
    """The example plugin's workflows through `swf-runtime run` against the
    dev server, for what moto_server cannot run: child workflows, signals
    between executions, continue-as-new, cancellation of a workflow and of
    its activity through the heartbeat, Lambda functions the example plugin
    registers (the dev server runs them with --plugin)."""

    @classmethod
    def server_args(cls):
        return ["--plugin", EXAMPLE_PLUGIN]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        text = config_text(endpoint_url=cls.endpoint_url, domain=DEV_DOMAIN, grace=2, workers=[
            {"kind": "decision", "task_list": DECISIONS, "pollers": 2, "max_concurrent": 8,
             "handlers": ["parent_of_fan_out", "fan_out", "countdown", "cancellable_booking", "relay", "review",
                          "MyWorkflow"]},
            {"kind": "activity", "task_list": ACTIVITIES, "pollers": 2, "max_concurrent": 8,
             "handlers": ["greet", "add", "sleep"]},
        ])
        cls.runtime = cls.start_runtime("dev.yaml", text).wait_ready()

    def setUp(self):
        self.assertTrue(self.runtime.running(), "swf-runtime is no longer running; log:\n%s" % self.runtime.log_tail())

    def start(self, workflow, workflow_id, input_text, version="1", **more):
        return self.swf.start_workflow_execution(domain=DEV_DOMAIN, workflowId=workflow_id,
                                                 workflowType={"name": workflow, "version": version},
                                                 input=input_text, **more)["runId"]

    def test_lambda_functions_of_a_plugin_run_for_the_workflow(self):
        role = "arn:aws:iam::123456789012:role/swf-lambda"
        run = self.start("MyWorkflow", "lambda-1", "3", version="1.0", lambdaRole=role)
        info, events = self.closed("lambda-1", run)
        types = [e["eventType"] for e in events]
        self.assertEqual(info["closeStatus"], "COMPLETED", types)
        self.assertEqual(types.count("LambdaFunctionCompleted"), 2)
        results = [e["lambdaFunctionCompletedEventAttributes"]["result"] for e in events
                   if e["eventType"] == "LambdaFunctionCompleted"]
        self.assertEqual(results, ["4", "12"])  # 3 + 1, then (4 + 2) * 2
        done = [e for e in events if e["eventType"] == "WorkflowExecutionCompleted"][0]
        self.assertEqual(done["workflowExecutionCompletedEventAttributes"]["result"], "12")

    def test_a_lambda_function_that_throws_and_one_without_a_role_record_swfs_failures(self):
        role = "arn:aws:iam::123456789012:role/swf-lambda"
        run = self.start("MyWorkflow", "lambda-2", '"not a number"', version="1.0", lambdaRole=role)
        execution = {"workflowId": "lambda-2", "runId": run}

        def failed():
            return [e for e in history_of(self.swf, DEV_DOMAIN, execution) if e["eventType"] == "LambdaFunctionFailed"]
        event = wait_until("the Lambda function fails", failed, 30, runtime=self.runtime)[0]
        attrs = event["lambdaFunctionFailedEventAttributes"]
        self.assertEqual(attrs["reason"], "std::invalid_argument")
        self.assertIn("takes a whole number", attrs["details"])
        run = self.start("MyWorkflow", "lambda-3", "3", version="1.0")  # no lambdaRole

        def refused():
            return [e for e in history_of(self.swf, DEV_DOMAIN, {"workflowId": "lambda-3", "runId": run})
                    if e["eventType"] == "StartLambdaFunctionFailed"]
        event = wait_until("the Lambda function is refused", refused, 30, runtime=self.runtime)[0]
        self.assertEqual(event["startLambdaFunctionFailedEventAttributes"]["cause"], "ASSUME_ROLE_FAILED")

    def closed(self, workflow_id, run_id, within=30):
        execution = {"workflowId": workflow_id, "runId": run_id}

        def probe():
            info = self.swf.describe_workflow_execution(domain=DEV_DOMAIN, execution=execution)["executionInfo"]
            return info if info["executionStatus"] == "CLOSED" else None
        info = wait_until("%s closes" % workflow_id, probe, within, lambda: "; log:\n" + self.runtime.log_tail(),
                          runtime=self.runtime)
        return info, history_of(self.swf, DEV_DOMAIN, execution)

    def test_a_child_workflow_runs_and_its_result_reaches_the_parent(self):
        run = self.start("parent_of_fan_out", "parent-1", "3")
        info, events = self.closed("parent-1", run)
        self.assertEqual(info["closeStatus"], "COMPLETED")
        types = [e["eventType"] for e in events]
        for t in ("StartChildWorkflowExecutionInitiated", "ChildWorkflowExecutionStarted",
                  "ChildWorkflowExecutionCompleted"):
            self.assertIn(t, types)
        child = [e for e in events if e["eventType"] == "ChildWorkflowExecutionCompleted"][0]
        result = child["childWorkflowExecutionCompletedEventAttributes"]["result"]
        done = [e for e in events if e["eventType"] == "WorkflowExecutionCompleted"][0]
        self.assertEqual(done["workflowExecutionCompletedEventAttributes"]["result"],
                         '"the child summed to %s"' % result)
        # The child's own history names its parent.
        kid = child["childWorkflowExecutionCompletedEventAttributes"]["workflowExecution"]
        kid_events = history_of(self.swf, DEV_DOMAIN, kid)
        started = kid_events[0]["workflowExecutionStartedEventAttributes"]
        self.assertEqual(started["parentWorkflowExecution"]["runId"], run)

    def test_a_parent_signals_its_child_and_returns_the_childs_result(self):
        run = self.start("relay", "relay-1", '"approve"')
        info, events = self.closed("relay-1", run)
        self.assertEqual(info["closeStatus"], "COMPLETED", [e["eventType"] for e in events])
        types = [e["eventType"] for e in events]
        self.assertEqual(types.count("ExternalWorkflowExecutionSignaled"), 2)
        self.assertIn("TimerCanceled", types)  # the start deadline, canceled once the child started
        done = [e for e in events if e["eventType"] == "WorkflowExecutionCompleted"][0]
        self.assertEqual(done["workflowExecutionCompletedEventAttributes"]["result"], '"approved after 1 comment(s)"')

    def test_continue_as_new_runs_until_the_count_is_done(self):
        run = self.start("countdown", "countdown-1", "7")
        runs = [run]
        # 7 adds, three per run: three runs, the first two continued as new.
        for _ in range(3):
            info, events = self.closed("countdown-1", runs[-1])
            if info["closeStatus"] != "CONTINUED_AS_NEW":
                break
            runs.append(events[-1]["workflowExecutionContinuedAsNewEventAttributes"]["newExecutionRunId"])
        self.assertEqual(len(runs), 3)
        self.assertEqual(info["closeStatus"], "COMPLETED")
        first = history_of(self.swf, DEV_DOMAIN, {"workflowId": "countdown-1", "runId": runs[1]})[0]
        attrs = first["workflowExecutionStartedEventAttributes"]
        self.assertEqual(attrs["continuedExecutionRunId"], runs[0])
        self.assertEqual(attrs["input"], "4")

    def test_a_cancel_request_cancels_the_running_activity_and_the_workflow(self):
        run = self.start("cancellable_booking", "booking-1", "30")
        execution = {"workflowId": "booking-1", "runId": run}

        def sleeping():
            return any(e["eventType"] == "ActivityTaskStarted" and
                       e["activityTaskStartedEventAttributes"]["scheduledEventId"] in
                       [x["eventId"] for x in history_of(self.swf, DEV_DOMAIN, execution)
                        if x["eventType"] == "ActivityTaskScheduled" and
                        x["activityTaskScheduledEventAttributes"]["activityType"]["name"] == "sleep"]
                       for e in history_of(self.swf, DEV_DOMAIN, execution))
        wait_until("the sleep activity starts", sleeping, 30, runtime=self.runtime)
        self.swf.request_cancel_workflow_execution(domain=DEV_DOMAIN, workflowId="booking-1")
        info, events = self.closed("booking-1", run, within=40)
        types = [e["eventType"] for e in events]
        self.assertEqual(info["closeStatus"], "CANCELED", types)
        # The decider asked for the activity's cancel; its heartbeat told the
        # handler, which was answered canceled; then the clean-up ran.
        self.assertIn("WorkflowExecutionCancelRequested", types)
        self.assertIn("ActivityTaskCancelRequested", types)
        self.assertIn("ActivityTaskCanceled", types)
        greets = [e["activityTaskScheduledEventAttributes"]["input"] for e in events
                  if e["eventType"] == "ActivityTaskScheduled" and
                  e["activityTaskScheduledEventAttributes"]["activityType"]["name"] == "greet"]
        self.assertEqual(greets, ['"reserve"', '"release"'])


class DevServerStickyTest(DevServerRuntimeCase):
    """The decision task list override (RespondDecisionTaskCompleted.taskList
    with taskListScheduleToStartTimeout) through `swf-runtime run`: a sticky
    decision worker's executions come back on its own task list; once it is
    gone (kill -9), the dev server times the waiting decision task out
    (SCHEDULE_TO_START) and gives it back to the shared list, where another
    runtime takes the execution over and finishes it."""

    def runtime(self, name):
        text = config_text(endpoint_url=self.endpoint_url, domain=DEV_DOMAIN, grace=1, workers=[
            {"kind": "decision", "task_list": DECISIONS, "pollers": 2, "max_concurrent": 4,
             "handlers": ["review"], "sticky": 2}])
        rt = self.start_runtime(name, text, cleanup=self.addCleanup).wait_ready()
        m = re.search(r"sticky_task_list=(\S+)", rt.log())
        self.assertIsNotNone(m, rt.log_tail())
        return rt, m.group(1)

    def test_a_sticky_workers_executions_come_back_to_it_and_to_the_shared_list_when_it_is_gone(self):
        first, first_list = self.runtime("sticky-first.yaml")
        self.assertTrue(first_list.startswith(DECISIONS + "-sticky-"), first_list)
        execution = {"workflowId": "sticky-1", "runId": self.swf.start_workflow_execution(
            domain=DEV_DOMAIN, workflowId="sticky-1", workflowType={"name": "review", "version": "1"})["runId"]}

        def events():
            return history_of(self.swf, DEV_DOMAIN, execution)

        def of_type(t, where=None):
            return [e for e in (where or events()) if e["eventType"] == t]

        def wait(what, probe, runtime, within=30):
            return wait_until(what, probe, within, lambda: "; log:\n" + runtime.log_tail(), runtime=runtime)

        done = wait("the first decision task is answered", lambda: of_type("DecisionTaskCompleted"), first)[0]
        attrs = done["decisionTaskCompletedEventAttributes"]
        self.assertEqual((attrs["taskList"]["name"], attrs["taskListScheduleToStartTimeout"]), (first_list, "2"))
        self.swf.signal_workflow_execution(domain=DEV_DOMAIN, workflowId="sticky-1", signalName="comment",
                                           input='"c1"')
        wait("the first comment is recorded", lambda: of_type("MarkerRecorded"), first)
        scheduled = of_type("DecisionTaskScheduled")
        self.assertEqual(scheduled[-1]["decisionTaskScheduledEventAttributes"]["taskList"]["name"], first_list,
                         "the signal's decision task went to the shared list")
        self.assertEqual(scheduled[-1]["decisionTaskScheduledEventAttributes"]["scheduleToStartTimeout"], "2")

        # The worker dies; its held polls end (within the dev server's 1 s).
        os.killpg(first.process.pid, signal.SIGKILL)
        first.process.wait(timeout=10)
        time.sleep(1.5)
        self.swf.signal_workflow_execution(domain=DEV_DOMAIN, workflowId="sticky-1", signalName="comment",
                                           input='"c2"')
        timed_out = wait_until("the decision task on the dead worker's list times out",
                               lambda: of_type("DecisionTaskTimedOut"), 10)[0]
        self.assertEqual(timed_out["decisionTaskTimedOutEventAttributes"]["timeoutType"], "SCHEDULE_TO_START")
        history = events()
        at = history.index(timed_out)
        stranded = history[timed_out["decisionTaskTimedOutEventAttributes"]["scheduledEventId"] - 1]
        self.assertEqual(stranded["decisionTaskScheduledEventAttributes"]["taskList"]["name"], first_list)
        self.assertGreaterEqual((timed_out["eventTimestamp"] - stranded["eventTimestamp"]).total_seconds(), 2.0)
        back = history[at + 1]
        self.assertEqual((back["eventType"], back["decisionTaskScheduledEventAttributes"]["taskList"]["name"]),
                         ("DecisionTaskScheduled", DECISIONS))
        self.assertNotIn("scheduleToStartTimeout", back["decisionTaskScheduledEventAttributes"])

        # Another runtime takes it over from the shared list and keeps it.
        second, second_list = self.runtime("sticky-second.yaml")
        self.assertNotEqual(second_list, first_list)
        wait("the second comment is recorded", lambda: len(of_type("MarkerRecorded")) == 2, second)
        self.swf.signal_workflow_execution(domain=DEV_DOMAIN, workflowId="sticky-1", signalName="verdict",
                                           input='"approve"')
        closed = wait("the review closes", lambda: of_type("WorkflowExecutionCompleted"), second)[0]
        self.assertEqual(closed["workflowExecutionCompletedEventAttributes"]["result"],
                         '"approved after 2 comment(s)"')
        history = events()
        taken = [e for e in history[at:] if e["eventType"] == "DecisionTaskCompleted"]
        self.assertEqual([e["decisionTaskCompletedEventAttributes"].get("taskList", {}).get("name") for e in taken],
                         [second_list] * (len(taken) - 1) + [None],
                         "the second runtime's answers name its own list, but for the close")
        self.assertEqual(check_history(history), [])


class DevServerChildPolicyTest(DevServerRuntimeCase):
    """Each child policy through the runtime: the test is the parent's
    decider (a Driver on a task list of its own) and starts the example
    plugin's review workflow as its child, which swf-runtime run decides;
    then the parent is terminated with the policy under test."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        text = config_text(endpoint_url=cls.endpoint_url, domain=DEV_DOMAIN, grace=2, workers=[
            {"kind": "decision", "task_list": DECISIONS, "pollers": 2, "handlers": ["review"]},
        ])
        cls.runtime = cls.start_runtime("children.yaml", text).wait_ready()
        Driver.register_type(cls.swf, DEV_DOMAIN)

    def child_of_a_terminated_parent(self, policy):
        parent = Driver(self.swf, DEV_DOMAIN, "parent-" + policy.lower())
        self.addCleanup(parent.terminate)
        kid_id = "kid-" + policy.lower()
        parent.decide([{"decisionType": "StartChildWorkflowExecution",
                        "startChildWorkflowExecutionDecisionAttributes": {
                            "workflowId": kid_id, "workflowType": {"name": "review", "version": "1"}, "input": '""'}}])
        started = wait_until("the child starts", lambda: [
            e for e in parent.history() if e["eventType"] == "ChildWorkflowExecutionStarted"], 20, runtime=self.runtime)
        kid = started[0]["childWorkflowExecutionStartedEventAttributes"]["workflowExecution"]
        wait_until("the runtime decides the child", lambda: any(
            e["eventType"] == "DecisionTaskCompleted" for e in history_of(self.swf, DEV_DOMAIN, kid)), 20,
            runtime=self.runtime)
        self.swf.terminate_workflow_execution(domain=DEV_DOMAIN, workflowId=parent.workflow_id, runId=parent.run_id,
                                              reason="policy test", childPolicy=policy)
        return kid

    def info(self, execution):
        return self.swf.describe_workflow_execution(domain=DEV_DOMAIN, execution=execution)["executionInfo"]

    def test_terminate_terminates_the_child(self):
        kid = self.child_of_a_terminated_parent("TERMINATE")
        self.assertEqual(self.info(kid).get("closeStatus"), "TERMINATED")
        last = history_of(self.swf, DEV_DOMAIN, kid)[-1]
        self.assertEqual(last["workflowExecutionTerminatedEventAttributes"]["cause"], "CHILD_POLICY_APPLIED")

    def test_request_cancel_asks_the_child_which_the_runtime_then_decides(self):
        kid = self.child_of_a_terminated_parent("REQUEST_CANCEL")

        def decided_after_the_request():
            events = history_of(self.swf, DEV_DOMAIN, kid)
            types = [e["eventType"] for e in events]
            if "WorkflowExecutionCancelRequested" not in types:
                return None
            at = types.index("WorkflowExecutionCancelRequested")
            return events if "DecisionTaskCompleted" in types[at:] else None
        events = wait_until("the child's decider sees the cancel request", decided_after_the_request, 20,
                            runtime=self.runtime)
        request = [e for e in events if e["eventType"] == "WorkflowExecutionCancelRequested"][0]
        self.assertEqual(request["workflowExecutionCancelRequestedEventAttributes"]["cause"], "CHILD_POLICY_APPLIED")
        info = wait_until("the child closes", lambda: (lambda i: i if i["executionStatus"] == "CLOSED" else None)(
            self.info(kid)), 20, runtime=self.runtime)
        self.assertEqual(info["closeStatus"], "CANCELED")

    def test_abandon_leaves_the_child_running_to_its_own_end(self):
        kid = self.child_of_a_terminated_parent("ABANDON")
        self.assertEqual(self.info(kid)["executionStatus"], "OPEN")
        self.swf.signal_workflow_execution(domain=DEV_DOMAIN, workflowId=kid["workflowId"], runId=kid["runId"],
                                           signalName="verdict", input='"approve"')
        info = wait_until("the abandoned child completes", lambda: (lambda i: i if i["executionStatus"] == "CLOSED"
                                                                      else None)(self.info(kid)), 20, runtime=self.runtime)
        self.assertEqual(info["closeStatus"], "COMPLETED")


class DevServerTimeoutsAndPagesTest(DevServerRuntimeCase):
    """Timeouts the dev server fires on time while swf-runtime run works, and
    a history long enough that its decision tasks come in pages."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        text = config_text(endpoint_url=cls.endpoint_url, domain=DEV_DOMAIN, grace=2, workers=[
            {"kind": "decision", "task_list": DECISIONS, "pollers": 2, "handlers": ["fan_out", "review"]},
            {"kind": "activity", "task_list": ACTIVITIES, "pollers": 4, "max_concurrent": 8,
             "handlers": ["add", "sleep"]},
        ])
        cls.runtime = cls.start_runtime("timeouts.yaml", text).wait_ready()
        Driver.register_type(cls.swf, DEV_DOMAIN)

    def driver(self, workflow_id):
        d = Driver(self.swf, DEV_DOMAIN, workflow_id)
        self.addCleanup(d.terminate)
        return d

    def test_activity_timeouts_while_the_runtime_runs_or_nobody_polls(self):
        d = self.driver("activity-timeouts")
        d.decide([
            {"decisionType": "ScheduleActivityTask", "scheduleActivityTaskDecisionAttributes": {
                "activityId": "too-slow", "activityType": {"name": "sleep", "version": "1"}, "input": "30",
                "taskList": {"name": ACTIVITIES}, "startToCloseTimeout": "1", "scheduleToCloseTimeout": "60",
                "heartbeatTimeout": "20"}},
            {"decisionType": "ScheduleActivityTask", "scheduleActivityTaskDecisionAttributes": {
                "activityId": "never-taken", "activityType": {"name": "sleep", "version": "1"}, "input": "1",
                "taskList": {"name": "nobody-polls-this"}, "scheduleToStartTimeout": "1"}},
            {"decisionType": "ScheduleActivityTask", "scheduleActivityTaskDecisionAttributes": {
                "activityId": "out-of-time", "activityType": {"name": "sleep", "version": "1"}, "input": "30",
                "taskList": {"name": ACTIVITIES}, "scheduleToCloseTimeout": "2"}},
            # The task names a heartbeat timeout shorter than its type's: the
            # runtime heartbeats by the type's, so SWF hears too little.
            {"decisionType": "ScheduleActivityTask", "scheduleActivityTaskDecisionAttributes": {
                "activityId": "too-quiet", "activityType": {"name": "sleep", "version": "1"}, "input": "30",
                "taskList": {"name": ACTIVITIES}, "heartbeatTimeout": "1"}}])
        outcomes = wait_until("all four time out", lambda: (lambda o: o if len(o) == 4 else None)(d.outcomes()), 20,
                              runtime=self.runtime)
        for activity in outcomes:
            self.assertEqual(outcomes[activity][0], "ActivityTaskTimedOut", activity)
        self.assertEqual(outcomes["too-slow"][1]["timeoutType"], "START_TO_CLOSE")
        self.assertEqual(outcomes["never-taken"][1]["timeoutType"], "SCHEDULE_TO_START")
        self.assertEqual(outcomes["out-of-time"][1]["timeoutType"], "SCHEDULE_TO_CLOSE")
        self.assertEqual(outcomes["too-quiet"][1]["timeoutType"], "HEARTBEAT")
        # The runtime's handler went on; its late answer is refused and it goes on polling.
        self.assertIn("too-slow", d.started_ids())
        self.assertTrue(self.runtime.running())

    def test_the_execution_times_out_while_its_workflow_waits(self):
        run = self.swf.start_workflow_execution(domain=DEV_DOMAIN, workflowId="review-timeout",
                                                workflowType={"name": "review", "version": "1"}, input='""',
                                                executionStartToCloseTimeout="2")["runId"]
        execution = {"workflowId": "review-timeout", "runId": run}
        info = wait_until("the execution times out", lambda: (lambda i: i if i["executionStatus"] == "CLOSED" else None)(
            self.swf.describe_workflow_execution(domain=DEV_DOMAIN, execution=execution)["executionInfo"]), 20,
            runtime=self.runtime)
        self.assertEqual(info["closeStatus"], "TIMED_OUT")
        last = history_of(self.swf, DEV_DOMAIN, execution)[-1]
        self.assertEqual(last["eventType"], "WorkflowExecutionTimedOut")

    def test_a_history_past_one_page_is_decided_from_all_its_pages(self):
        # 300 add activities, five at a time: about 1,300 events, so the
        # last decision tasks come in two pages of SWF's 1,000.
        run = self.swf.start_workflow_execution(domain=DEV_DOMAIN, workflowId="fan-out-300",
                                                workflowType={"name": "fan_out", "version": "1"}, input="300")["runId"]
        execution = {"workflowId": "fan-out-300", "runId": run}
        info = wait_until("fan_out 300 completes", lambda: (lambda i: i if i["executionStatus"] == "CLOSED" else None)(
            self.swf.describe_workflow_execution(domain=DEV_DOMAIN, execution=execution)["executionInfo"]), 120,
            lambda: "; log:\n" + self.runtime.log_tail(), runtime=self.runtime)
        events = history_of(self.swf, DEV_DOMAIN, execution)
        self.assertEqual(info["closeStatus"], "COMPLETED", [e["eventType"] for e in events][-5:])
        self.assertGreater(len(events), 1000)
        done = events[-1]["workflowExecutionCompletedEventAttributes"]["result"]
        self.assertEqual(done, str(sum(2 * i for i in range(1, 301))))


class DevServerEventLimitTest(DevServerRuntimeCase):
    """A workflow the runtime decides grows past SWF's 25,000 events (review
    records every "comment" signal in a marker): the dev server terminates
    it with EVENT_LIMIT_EXCEEDED, and the runtime goes on serving."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        text = config_text(endpoint_url=cls.endpoint_url, domain=DEV_DOMAIN, grace=2, workers=[
            {"kind": "decision", "task_list": DECISIONS, "pollers": 2, "handlers": ["review", "greeting"]},
            {"kind": "activity", "task_list": ACTIVITIES, "pollers": 2, "handlers": ["greet"]},
        ])
        cls.runtime = cls.start_runtime("limit.yaml", text).wait_ready()

    def test_an_execution_past_25000_events_is_terminated_and_the_runtime_goes_on(self):
        run = self.swf.start_workflow_execution(domain=DEV_DOMAIN, workflowId="chatty",
                                                workflowType={"name": "review", "version": "1"}, input='""')["runId"]
        execution = {"workflowId": "chatty", "runId": run}
        closed = threading.Event()

        def comments(k):
            c = boto(self.endpoint_url)
            for i in range(6000):
                if closed.is_set():
                    return
                try:
                    c.signal_workflow_execution(domain=DEV_DOMAIN, workflowId="chatty", runId=run,
                                                signalName="comment", input='"%d-%d"' % (k, i))
                except ClientError:
                    closed.set()  # the execution is gone: terminated
                    return
        threads = [threading.Thread(target=comments, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(240)
        info = self.swf.describe_workflow_execution(domain=DEV_DOMAIN, execution=execution)["executionInfo"]
        self.assertEqual(info.get("closeStatus"), "TERMINATED", "24,000 signals did not reach the limit")
        events = history_of(self.swf, DEV_DOMAIN, execution)
        self.assertLessEqual(len(events), 25000)
        last = events[-1]["workflowExecutionTerminatedEventAttributes"]
        self.assertEqual(last["cause"], "EVENT_LIMIT_EXCEEDED")
        self.assertGreater(sum(1 for e in events if e["eventType"] == "MarkerRecorded"), 1000,
                           "the runtime did not decide while the history grew")
        # The runtime goes on: another workflow runs to its end.
        run2 = self.swf.start_workflow_execution(domain=DEV_DOMAIN, workflowId="after-the-limit",
                                                 workflowType={"name": "greeting", "version": "1"}, input="Ada")["runId"]
        done = wait_until("a workflow after the limit completes", lambda: (lambda i: i if i["executionStatus"] == "CLOSED"
                          else None)(self.swf.describe_workflow_execution(
                              domain=DEV_DOMAIN, execution={"workflowId": "after-the-limit", "runId": run2})["executionInfo"]),
                          30, runtime=self.runtime)
        self.assertEqual(done["closeStatus"], "COMPLETED")


class DevServerThrottledTest(DevServerRuntimeCase):
    """A runtime against a dev server that throttles its polls (token
    buckets of 2, refilled at 2 a second): the pollers back off on
    ThrottlingException and every workflow still completes."""

    @classmethod
    def server_args(cls):
        fd, path = tempfile.mkstemp(prefix="swfrt-throttle-", suffix=".txt")
        with os.fdopen(fd, "w") as f:
            f.write("# polls only\nPollForDecisionTask 2 2\nPollForActivityTask 2 2\n")
        cls.addClassCleanup(os.remove, path)
        return ["--throttle", path]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        text = config_text(endpoint_url=cls.endpoint_url, domain=DEV_DOMAIN, grace=2, workers=[
            {"kind": "decision", "task_list": DECISIONS, "pollers": 3, "handlers": ["greeting"]},
            {"kind": "activity", "task_list": ACTIVITIES, "pollers": 3, "handlers": ["greet"]},
        ])
        cls.runtime = cls.start_runtime("throttled.yaml", text).wait_ready()

    def test_throttled_polls_back_off_and_the_work_gets_done(self):
        runs = {}
        for name in ("Ada", "Grace", "Linus"):
            runs[name] = self.swf.start_workflow_execution(
                domain=DEV_DOMAIN, workflowId="throttled-" + name, workflowType={"name": "greeting", "version": "1"},
                input=name)["runId"]
        for name, run in runs.items():
            execution = {"workflowId": "throttled-" + name, "runId": run}

            def done():
                info = self.swf.describe_workflow_execution(domain=DEV_DOMAIN, execution=execution)["executionInfo"]
                return info["executionStatus"] == "CLOSED" and info
            info = wait_until("throttled-%s closes" % name, done, 60, lambda: "; log:\n" + self.runtime.log_tail(),
                              runtime=self.runtime)
            self.assertEqual(info["closeStatus"], "COMPLETED")
            events = history_of(self.swf, DEV_DOMAIN, execution)
            result = [e for e in events if e["eventType"] == "WorkflowExecutionCompleted"][0]
            self.assertEqual(result["workflowExecutionCompletedEventAttributes"]["result"], "Hello, %s!" % name)
        # Three polls a second on each list against two refilled: the
        # buckets run dry within seconds, whether or not the workflows were
        # done before.
        def throttled():
            status, text = http_get(self.runtime.metrics_port, "/metrics")
            self.assertEqual(status, 200)
            return sum(metric_value(text, "swfrt_polls_failed_total",
                                    {"kind": kind, "code": "ThrottlingException"}) or 0
                       for kind in ("decision", "activity"))
        wait_until("six pollers on buckets of two are throttled", throttled, 30,
                   lambda: "; log:\n" + self.runtime.log_tail(), runtime=self.runtime)


class RunningRuntimeMotoTest(RunningRuntimeTest):
    """The same tests against moto_server, an independent peer."""

    endpoint = "moto"


class CancelInjectingProxy:
    """A loopback HTTP proxy in front of moto_server that plays SWF's part of
    activity cancellation, which moto lacks: it learns task tokens from
    PollForActivityTask answers, answers RecordActivityTaskHeartbeat with
    cancelRequested true for the activities the test names (after moto has
    recorded the heartbeat), and records RespondActivityTaskCanceled calls
    itself. Everything else is passed through unchanged."""

    def __init__(self, upstream_port):
        self.upstream_port = upstream_port
        self.lock = threading.Lock()
        self.token_of = {}       # activity id -> task token
        self.cancel = set()      # task tokens whose heartbeats say cancelRequested
        self.heartbeats = {}     # task token -> heartbeats seen
        self.canceled = {}       # task token -> details of RespondActivityTaskCanceled
        proxy = self

        class handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                operation = self.headers.get("X-Amz-Target", "").rpartition(".")[2]
                status, headers, answer = proxy.handle(operation, self.headers, body)
                self.send_response(status)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self.loopback = LoopbackServer(handler, name="cancel-proxy")

    @property
    def endpoint_url(self):
        return self.loopback.endpoint_url

    def start(self):
        self.loopback.start()
        return self

    def stop(self):
        self.loopback.stop()

    def request_cancel(self, activity_id):
        with self.lock:
            self.cancel.add(self.token_of[activity_id])

    def handle(self, operation, headers, body):
        request = json.loads(body or b"{}")
        if operation == "RespondActivityTaskCanceled":
            with self.lock:
                self.canceled[request["taskToken"]] = request.get("details")
            return 200, [("Content-Type", "application/x-amz-json-1.0")], b"{}"
        conn = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=90)
        try:
            forward = {k: v for k, v in headers.items() if k.lower() not in ("connection", "content-length")}
            conn.request("POST", "/", body=body, headers=forward)
            r = conn.getresponse()
            status, answer = r.status, r.read()
            kept = [(k, v) for k, v in r.getheaders()
                    if k.lower() not in ("connection", "content-length", "transfer-encoding")]
        finally:
            conn.close()
        if status == 200 and operation == "PollForActivityTask":
            task = json.loads(answer or b"{}")
            if task.get("taskToken"):
                with self.lock:
                    self.token_of[task["activityId"]] = task["taskToken"]
        elif status == 200 and operation == "RecordActivityTaskHeartbeat":
            with self.lock:
                token = request["taskToken"]
                self.heartbeats[token] = self.heartbeats.get(token, 0) + 1
                if token in self.cancel:
                    answer = json.dumps({"cancelRequested": True}).encode()
        return status, kept, answer


class CancelThroughHeartbeatTest(RuntimeCase):
    # Its proxy plays SWF's part of activity cancellation in front of moto,
    # which lacks it (the dev server's own cancellation is tested in
    # DevServerWorkflowsTest).
    endpoint = "moto"
    DOMAIN = "e2e-cancel"
    TASK_LIST = "cancel-activities"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.proxy = CancelInjectingProxy(cls.port).start()
        cls.addClassCleanup(cls.proxy.stop)
        cls.swf.register_domain(name=cls.DOMAIN, workflowExecutionRetentionPeriodInDays="1")
        Driver.register_type(cls.swf, cls.DOMAIN)
        text = config_text(endpoint_url=cls.proxy.endpoint_url, domain=cls.DOMAIN, register_domain=False, workers=[
            {"kind": "activity", "task_list": cls.TASK_LIST, "pollers": 2, "handlers": ["sleep", "slow_blocking"]}])
        cls.runtime = cls.start_runtime("cancel.yaml", text).wait_ready()

    def cancel_running(self, name):
        driver = Driver(self.swf, self.DOMAIN, "cancel-" + name)
        self.addCleanup(driver.terminate)
        driver.schedule([{"id": name, "name": name, "input": "30", "task_list": self.TASK_LIST,
                          "heartbeat_timeout": "20"}])
        wait_until("%s started" % name, lambda: name in driver.started_ids(), TASK_WITHIN,
                   runtime=self.runtime)
        wait_until("the proxy saw the task", lambda: name in self.proxy.token_of, 5)
        token = self.proxy.token_of[name]
        self.proxy.request_cancel(name)
        asked = time.monotonic()
        # The runtime passes the handler's heartbeats on every 3 s at most;
        # the next one learns of the cancel request.
        details = wait_until("RespondActivityTaskCanceled for %s" % name,
                             lambda: self.proxy.canceled.get(token), 10, runtime=self.runtime)
        self.assertLess(time.monotonic() - asked, 10)
        self.assertGreaterEqual(self.proxy.heartbeats.get(token, 0), 1)
        # What the handler returned once its stop token fired.
        self.assertEqual(details, "stopped")
        # Answered as canceled only: moto saw neither a completion nor a failure.
        self.assertEqual(driver.outcomes(), {})
        return driver

    def counted_canceled(self, type_label):
        # Counted once the answer has come back from the proxy.
        def probe():
            text = http_get(self.runtime.metrics_port, "/metrics")[1]
            return metric_value(text, "swfrt_tasks_canceled_total", {"kind": "activity", "type": type_label})
        return wait_until("swfrt_tasks_canceled_total for " + type_label, probe, 5)

    def test_coroutine_handler_is_stopped_and_answered_canceled(self):
        self.cancel_running("sleep")
        self.assertEqual(self.counted_canceled("sleep:1"), 1)
        self.assertIn("cancel requested for activity task", self.runtime.log())

    def test_blocking_handler_is_stopped_and_answered_canceled(self):
        self.cancel_running("slow_blocking")
        self.assertEqual(self.counted_canceled("slow_blocking:1"), 1)


# ---- SIGTERM while tasks run ----

class ShutdownTest(RuntimeCase):
    DOMAIN = "e2e-shutdown"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.swf.register_domain(name=cls.DOMAIN, workflowExecutionRetentionPeriodInDays="1")
        Driver.register_type(cls.swf, cls.DOMAIN)

    def run_slow_tasks(self, name, grace, seconds, count=3):
        task_list = "shutdown-" + name
        text = config_text(endpoint_url=self.endpoint_url, domain=self.DOMAIN, register_domain=False,
                           grace=grace, workers=[
            {"kind": "activity", "task_list": task_list, "pollers": 2, "max_concurrent": 4,
             "handlers": ["slow_blocking"]}])
        rt = self.start_runtime(name + ".yaml", text, cleanup=self.addCleanup).wait_ready()
        driver = Driver(self.swf, self.DOMAIN, name)
        self.addCleanup(driver.terminate)
        ids = ["slow-%d" % i for i in range(count)]
        driver.schedule([{"id": k, "name": "slow_blocking", "input": seconds, "task_list": task_list}
                         for k in ids])
        wait_until("%d tasks started" % count, lambda: set(ids) <= driver.started_ids(), TASK_WITHIN, runtime=rt)
        self.assertEqual(driver.outcomes(), {}, "tasks ended before SIGTERM; use longer ones")
        os.kill(rt.process.pid, signal.SIGTERM)
        return rt, driver, ids

    def test_sigterm_waits_for_running_tasks_and_answers_each(self):
        rt, driver, ids = self.run_slow_tasks("drain", grace=20, seconds="3")
        signalled = time.monotonic()
        # While draining, health says so.
        def draining():
            status, body = http_get(rt.metrics_port, "/healthz")
            return body.strip() if status == 503 else None
        self.assertEqual(wait_until("healthz 503 while draining", draining, 2), "draining")
        status = rt.wait_exit(STOP_WITHIN)
        self.assertEqual(status, 0, "exit status after SIGTERM; log:\n" + rt.log_tail())
        self.assertLess(time.monotonic() - signalled, 10)
        outcomes = driver.outcomes()
        for k in ids:
            self.assertIn(k, outcomes, "task %s was not answered; log:\n%s" % (k, rt.log_tail()))
            self.assertEqual(outcomes[k][0], "ActivityTaskCompleted", outcomes[k])
            self.assertEqual(outcomes[k][1]["result"], "slept 3 s")
        log = rt.log()
        self.assertIn("shutting down", log)
        self.assertRegex(log, r'reason="?SIGTERM')
        self.assertRegex(log, r"tasks_running=%d" % len(ids))

    def test_sigterm_after_the_grace_period_stops_handlers_and_still_answers(self):
        rt, driver, ids = self.run_slow_tasks("grace", grace=0.5, seconds="60", count=2)
        signalled = time.monotonic()
        status = rt.wait_exit(STOP_WITHIN)
        self.assertEqual(status, 0, "exit status after SIGTERM; log:\n" + rt.log_tail())
        self.assertLess(time.monotonic() - signalled, 10)
        outcomes = driver.outcomes()
        for k in ids:
            self.assertIn(k, outcomes, "task %s was not answered; log:\n%s" % (k, rt.log_tail()))
            # The handler saw its stop token and returned early: what it
            # returned then is not a result, so the task is failed, saying why.
            self.assertEqual(outcomes[k][0], "ActivityTaskFailed", outcomes[k])
            self.assertEqual(outcomes[k][1]["reason"], "WorkerShutdown")
            self.assertIn("stopped the handler after its grace period", outcomes[k][1]["details"])
            self.assertIn("stopped", outcomes[k][1]["details"])
        self.assertIn("shutdown grace period over", rt.log())


# ---- --max-tasks and --max-time ----

class LimitsTest(RuntimeCase):
    DOMAIN = "e2e-limits"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.swf.register_domain(name=cls.DOMAIN, workflowExecutionRetentionPeriodInDays="1")
        Driver.register_type(cls.swf, cls.DOMAIN)

    def test_max_tasks_exits_after_one_task(self):
        # One poller and one slot: once the first task is in, nothing else can be polled.
        text = config_text(endpoint_url=self.endpoint_url, domain=self.DOMAIN, register_domain=False, workers=[
            {"kind": "activity", "task_list": "limits", "pollers": 1, "max_concurrent": 1,
             "handlers": ["greet"]}])
        rt = self.start_runtime("max-tasks.yaml", text, ["--max-tasks", "1"], cleanup=self.addCleanup)
        rt.wait_ready()
        driver = Driver(self.swf, self.DOMAIN, "max-tasks")
        self.addCleanup(driver.terminate)
        driver.schedule([{"id": "first", "name": "greet", "input": "one", "task_list": "limits"},
                         {"id": "second", "name": "greet", "input": "two", "task_list": "limits"}])
        status = rt.wait_exit(STOP_WITHIN)
        self.assertEqual(status, 0, "--max-tasks 1 did not end the run; log:\n" + rt.log_tail())
        outcomes = driver.outcomes()
        self.assertEqual(len(outcomes), 1, "--max-tasks 1 took more than one task: %s; log:\n%s"
                         % (sorted(outcomes), rt.log_tail()))
        (kind, attrs), = outcomes.values()
        self.assertEqual(kind, "ActivityTaskCompleted")
        self.assertIn(attrs["result"], ("Hello, one!", "Hello, two!"))
        self.assertEqual(len(driver.started_ids()), 1)
        log = rt.log()
        self.assertIn("--max-tasks reached", log)
        self.assertIn("stopped tasks_received=1", log)

    def test_max_time_exits_in_time(self):
        text = config_text(endpoint_url=self.endpoint_url, domain=self.DOMAIN, register_domain=False, workers=[
            {"kind": "activity", "task_list": "limits-idle", "pollers": 2, "handlers": ["greet"]},
            {"kind": "decision", "task_list": "limits-idle-decisions", "handlers": ["greeting"]}])
        rt = self.start_runtime("max-time.yaml", text, ["--max-time", "3"], cleanup=self.addCleanup)
        status = rt.wait_exit(15)
        elapsed = time.monotonic() - rt.started_at
        self.assertEqual(status, 0, "--max-time 3 did not end the run; log:\n" + rt.log_tail())
        # Three seconds, then the polls in flight (an empty moto poll takes 1 s) come back.
        self.assertGreaterEqual(elapsed, 3.0)
        self.assertLess(elapsed, 6.0)
        self.assertIn("--max-time reached", rt.log())


# ---- check and register ----

def location_of(text, needle, occurrence=1):
    """1-based (line, column) of the occurrence-th `needle` in text."""
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


class CheckTest(RuntimeCase):
    """`check` connects to nothing; the endpoint is a port nobody listens on."""

    ENDPOINT = "http://127.0.0.1:9"

    def check(self, name, text):
        path = self.write_config(name, text)
        p = subprocess.run([BIN, "check", path], capture_output=True, text=True, timeout=CHECK_TIMEOUT,
                           env=child_env(), stdin=subprocess.DEVNULL)
        return path, p

    def good_workers(self):
        return [{"kind": "decision", "task_list": "d", "handlers": ["greeting", "chain"]},
                {"kind": "activity", "task_list": "a", "pollers": 2, "handlers": ["greet", "add:1"]}]

    def assert_refused(self, p, *expected):
        self.assertEqual(p.returncode, 2, "stdout:\n%s\nstderr:\n%s" % (p.stdout, p.stderr))
        for e in expected:
            self.assertIn(e, p.stderr)
        self.assertIn("nothing started", p.stderr)

    def test_good_config_is_ok(self):
        path, p = self.check("good.yaml", config_text(endpoint_url=self.ENDPOINT, domain="d",
                                                      workers=self.good_workers()))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("%s: ok" % path, p.stdout)
        self.assertIn("2 workers", p.stdout)
        self.assertIn("6 activity types, 13 workflow types from 1 plugins", p.stdout)

    def test_unknown_key_names_file_line_and_column(self):
        text = config_text(endpoint_url=self.ENDPOINT, domain="d", workers=self.good_workers())
        text = text.replace("    pollers: 2\n", "    pollers: 2\n    pollrs: 3\n")
        path, p = self.check("unknown-key.yaml", text)
        line, col = location_of(text, "pollrs")
        self.assert_refused(p, '%s:%d:%d: unknown key "pollrs"' % (path, line, col))

    def test_unregistered_handler_names_the_handler_and_its_position(self):
        text = config_text(endpoint_url=self.ENDPOINT, domain="d", workers=[
            {"kind": "activity", "task_list": "a", "handlers": ["greet", "no_such_activity"]},
            {"kind": "decision", "task_list": "d", "handlers": ["greeting:2"]}])
        path, p = self.check("unknown-handler.yaml", text)
        line, col = location_of(text, "no_such_activity")
        wline, wcol = location_of(text, "greeting:2")
        self.assert_refused(
            p,
            "%s:%d:%d: handler 'no_such_activity' is not an activity type registered by any plugin" % (path, line, col),
            "%s:%d:%d: handler 'greeting:2' is not a workflow type registered by any plugin" % (path, wline, wcol),
            "2 errors")

    def test_values_out_of_range_and_not_allowed_are_all_reported(self):
        text = config_text(endpoint_url=self.ENDPOINT, domain="d", workers=self.good_workers())
        text = text.replace("pollers: 2", "pollers: 0").replace("kind: decision", "kind: decider")
        path, p = self.check("bad-values.yaml", text)
        pline, pcol = location_of(text, "pollers: 0")
        pcol += len("pollers: ")
        kline, kcol = location_of(text, "decider")
        self.assert_refused(p,
                            "%s:%d:%d: workers[0].kind: expected one of activity, decision" % (path, kline, kcol),
                            "%s:%d:%d: workers[1].pollers: expected an integer from 1 to 100, got 0"
                            % (path, pline, pcol),
                            "2 errors")

    def plugin_errors(self, name, plugin_paths):
        text = config_text(endpoint_url=self.ENDPOINT, domain="d", plugins=plugin_paths,
                           workers=[{"kind": "activity", "task_list": "a", "handlers": ["greet"]}])
        return text, self.check(name, text)

    def test_plugin_without_entry_point(self):
        lib = plugin("no_entry")
        text, (path, p) = self.plugin_errors("no-entry.yaml", [EXAMPLE_PLUGIN, lib])
        line, col = location_of(text, q(lib))
        self.assert_refused(p, "%s:%d:%d: %s" % (path, line, col, lib), "does not export swfrt_plugin_entry")

    def test_plugin_of_another_abi_version(self):
        lib = plugin("bad_abi")
        text, (path, p) = self.plugin_errors("bad-abi.yaml", [EXAMPLE_PLUGIN, lib])
        line, col = location_of(text, q(lib))
        # The test plugin answers the SDK's ABI version plus one.
        with open(os.path.join(ROOT_DIR, "include", "swfrt", "sdk.hpp")) as f:
            abi = int(re.search(r"abi_version = (\d+);", f.read()).group(1))
        self.assert_refused(p, "%s:%d:%d: %s" % (path, line, col, lib),
                            "plugin ABI version %d, this swf-runtime needs %d" % (abi + 1, abi))

    def test_plugin_built_against_another_swf_model(self):
        lib = plugin("bad_model")
        text, (path, p) = self.plugin_errors("bad-model.yaml", [EXAMPLE_PLUGIN, lib])
        line, col = location_of(text, q(lib))
        with open(os.path.join(ROOT_DIR, "swf", "model", "fingerprint.hpp")) as f:
            ours = re.search(r'model_fingerprint\[\] = "([^"]+)"', f.read()).group(1)
        self.assert_refused(p, "%s:%d:%d: %s" % (path, line, col, lib),
                            "plugin built against SWF model swf-2012-01-25/0000000000000000, "
                            "this swf-runtime has %s" % ours)

    def test_plugin_that_is_not_a_shared_library(self):
        lib = os.path.join(self.tmp, "not-a-plugin.so")
        with open(lib, "w") as f:
            f.write("this is a text file, not an ELF shared object\n")
        text, (path, p) = self.plugin_errors("text-plugin.yaml", [EXAMPLE_PLUGIN, lib])
        line, col = location_of(text, q(lib))
        self.assert_refused(p, "%s:%d:%d: %s" % (path, line, col, lib), "not a loadable shared library")

    def test_missing_plugin_file(self):
        lib = os.path.join(self.tmp, "no-such-plugin.so")
        text, (path, p) = self.plugin_errors("missing-plugin.yaml", [EXAMPLE_PLUGIN, lib])
        line, col = location_of(text, q(lib))
        self.assert_refused(p, "%s:%d:%d: %s: cannot load plugin" % (path, line, col, lib))

    def test_plugin_registering_a_type_twice(self):
        lib = plugin("duplicate")
        _, (path, p) = self.plugin_errors("duplicate.yaml", [EXAMPLE_PLUGIN, lib])
        self.assert_refused(p, lib, "greet", "already registered by", EXAMPLE_PLUGIN)

    def test_run_refuses_a_bad_config_before_starting(self):
        text = config_text(endpoint_url=self.ENDPOINT, domain="d", workers=[
            {"kind": "activity", "task_list": "a", "handlers": ["no_such_activity"]}])
        path = self.write_config("run-refused.yaml", text)
        started = time.monotonic()
        p = subprocess.run([BIN, "run", path], capture_output=True, text=True, timeout=CHECK_TIMEOUT,
                           env=child_env(), stdin=subprocess.DEVNULL)
        self.assertEqual(p.returncode, 2, p.stderr)
        line, col = location_of(text, "no_such_activity")
        self.assertIn("%s:%d:%d: handler 'no_such_activity'" % (path, line, col), p.stderr)
        self.assertLess(time.monotonic() - started, 5)


class RegisterTest(RuntimeCase):
    DOMAIN = "e2e-register"

    def register(self, name, text):
        path = self.write_config(name, text)
        return subprocess.run([BIN, "register", path], capture_output=True, text=True, timeout=CHECK_TIMEOUT,
                              env=child_env(), stdin=subprocess.DEVNULL)

    def test_register_creates_domain_and_types_and_is_idempotent(self):
        text = config_text(endpoint_url=self.endpoint_url, domain=self.DOMAIN, workers=[
            {"kind": "decision", "task_list": "d", "handlers": ["greeting"]},
            {"kind": "activity", "task_list": "a", "handlers": ["greet", "sleep"]}])
        for attempt in (1, 2):
            p = self.register("register.yaml", text)
            self.assertEqual(p.returncode, 0, "attempt %d:\n%s%s" % (attempt, p.stdout, p.stderr))
        domain = self.swf.describe_domain(name=self.DOMAIN)
        self.assertEqual(domain["domainInfo"]["status"], "REGISTERED")
        self.assertEqual(domain["configuration"]["workflowExecutionRetentionPeriodInDays"], "1")
        self.assertEqual(domain["domainInfo"].get("description"), "swf-runtime end-to-end test")
        greet = self.swf.describe_activity_type(domain=self.DOMAIN, activityType={"name": "greet", "version": "1"})
        self.assertEqual(greet["configuration"]["defaultTaskList"]["name"], "example-activities")
        self.assertEqual(greet["configuration"]["defaultTaskStartToCloseTimeout"], "60")
        sleep = self.swf.describe_activity_type(domain=self.DOMAIN, activityType={"name": "sleep", "version": "1"})
        self.assertEqual(sleep["configuration"]["defaultTaskHeartbeatTimeout"], "30")
        wf = self.swf.describe_workflow_type(domain=self.DOMAIN, workflowType={"name": "greeting", "version": "1"})
        self.assertEqual(wf["configuration"]["defaultTaskList"]["name"], "example-decisions")
        self.assertEqual(wf["configuration"]["defaultChildPolicy"], "TERMINATE")
        # Only what the workers serve is registered.
        with self.assertRaises(ClientError):
            self.swf.describe_activity_type(domain=self.DOMAIN, activityType={"name": "add", "version": "1"})

    def test_register_reports_a_domain_registered_differently(self):
        self.swf.register_domain(name="e2e-register-other", workflowExecutionRetentionPeriodInDays="5")
        text = config_text(endpoint_url=self.endpoint_url, domain="e2e-register-other", workers=[
            {"kind": "activity", "task_list": "a", "handlers": ["greet"]}])
        p = self.register("register-other.yaml", text)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("workflowExecutionRetentionPeriodInDays", p.stdout + p.stderr)


class NoRegistrationTest(RuntimeCase):
    """Workers with `register: false`, for credentials that may only poll:
    nothing is registered, and start-up checks the types exist."""
    DOMAIN = "e2e-no-register"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.swf.register_domain(name=cls.DOMAIN, workflowExecutionRetentionPeriodInDays="1")

    def config(self, task_list, handlers):
        return config_text(endpoint_url=self.endpoint_url, domain=self.DOMAIN, register_domain=False, workers=[
            {"kind": "activity", "task_list": task_list, "handlers": handlers, "register": False}])

    def registered_activity(self, name):
        try:
            return self.swf.describe_activity_type(domain=self.DOMAIN,
                                                   activityType={"name": name, "version": "1"})["typeInfo"]
        except ClientError:
            return None

    def test_missing_types_are_named_and_the_worker_does_not_start_or_register_them(self):
        rt = self.start_runtime("no-register-missing.yaml", self.config("nr-missing", ["greet", "add"]),
                                cleanup=self.addCleanup)
        status = rt.wait_exit(STOP_WITHIN)
        log = rt.log()
        self.assertNotEqual(status, 0, "run started without its types; log:\n" + rt.log_tail())
        for name in ("greet:1", "add:1"):
            self.assertIn("activity type %s is not registered in domain %s" % (name, self.DOMAIN), log)
        self.assertIn("register: false", log)
        self.assertIn("not registered and the workers do not register them", log)
        # Nothing was registered on the worker's behalf.
        self.assertIsNone(self.registered_activity("greet"))
        self.assertIsNone(self.registered_activity("add"))

    def test_the_register_command_checks_and_does_not_register(self):
        path = self.write_config("no-register-command.yaml", self.config("nr-command", ["slow_blocking"]))
        p = subprocess.run([BIN, "register", path], capture_output=True, text=True, timeout=CHECK_TIMEOUT,
                           env=child_env(), stdin=subprocess.DEVNULL)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("activity type slow_blocking:1 is not registered in domain %s" % self.DOMAIN,
                      p.stdout + p.stderr)
        self.assertIsNone(self.registered_activity("slow_blocking"))

    def test_a_deprecated_type_is_refused_by_name(self):
        self.swf.register_activity_type(domain=self.DOMAIN, name="fail", version="1")
        self.swf.deprecate_activity_type(domain=self.DOMAIN, activityType={"name": "fail", "version": "1"})
        rt = self.start_runtime("no-register-deprecated.yaml", self.config("nr-deprecated", ["fail"]),
                                cleanup=self.addCleanup)
        status = rt.wait_exit(STOP_WITHIN)
        self.assertNotEqual(status, 0, "run started with a deprecated type; log:\n" + rt.log_tail())
        self.assertIn("activity type fail:1 is deprecated in domain %s" % self.DOMAIN, rt.log())

    def test_registered_types_are_checked_and_the_worker_runs_them(self):
        self.swf.register_activity_type(domain=self.DOMAIN, name="sleep", version="1",
                                        defaultTaskStartToCloseTimeout="30", defaultTaskHeartbeatTimeout="30",
                                        defaultTaskScheduleToStartTimeout="30",
                                        defaultTaskScheduleToCloseTimeout="60")
        before = self.registered_activity("sleep")
        Driver.register_type(self.swf, self.DOMAIN)
        rt = self.start_runtime("no-register-ok.yaml", self.config("nr-ok", ["sleep"]), cleanup=self.addCleanup)
        rt.wait_ready()
        self.assertIn("activity type is registered", rt.log())
        driver = Driver(self.swf, self.DOMAIN, "no-register-ok")
        self.addCleanup(driver.terminate)
        driver.schedule([{"id": "s", "name": "sleep", "input": "0", "task_list": "nr-ok"}])
        wait_until("the sleep activity answered", lambda: driver.outcomes().get("s"), TASK_WITHIN,
                   runtime=rt)
        kind, _ = driver.outcomes()["s"]
        self.assertEqual(kind, "ActivityTaskCompleted", rt.log_tail())
        # The registration SWF holds is the one made here, untouched.
        self.assertEqual(self.registered_activity("sleep"), before)


if __name__ == "__main__":
    unittest.main()
