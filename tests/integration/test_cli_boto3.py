"""`swf-runtime api` against moto_server, checked with boto3 as a second client.

Each test drives the CLI ($SWF_RUNTIME_BIN) in a subprocess and reads the
result back with boto3, or the other way round, in a domain of its own. The
input errors (unknown operation, malformed JSON, unknown member, --all-pages
on an operation without pages) must be reported before anything is sent: the
CLI is pointed at a listening socket that must see no connection, and at a
port where nothing listens, and must still fail with the input error at once.

Run from tests/integration:  python3 -m unittest -v test_cli_boto3
"""

import json
import os
import select
import socket
import subprocess
import tempfile
import time
import unittest

import boto3
from botocore.config import Config

from moto_server import MotoServer, free_loopback_port

REGION = "us-east-1"
ACCESS_KEY = "AKIDCLIINTEGRATION"
SECRET_KEY = "cli/integration/secret/key/for/moto"
CLI_TIMEOUT = 60  # seconds; every call here should take well under one
PROMPT = 5.0      # seconds within which an input error must be reported

SERVER = None
BIN = None


def setUpModule():
    global SERVER, BIN
    BIN = os.environ.get("SWF_RUNTIME_BIN")
    if not BIN or not os.access(BIN, os.X_OK):
        raise RuntimeError("SWF_RUNTIME_BIN must name the built swf-runtime executable (ctest sets it); got %r"
                           % BIN)
    server = MotoServer()
    unittest.addModuleCleanup(server.remove_log)
    unittest.addModuleCleanup(server.stop)
    SERVER = server.start()


def boto():
    return boto3.client("swf", region_name=REGION, endpoint_url=SERVER.endpoint_url,
                        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                        config=Config(retries={"mode": "standard", "max_attempts": 1},
                                      connect_timeout=5, read_timeout=30))


def cli_env():
    env = dict(os.environ)
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL",
                 "AWS_ENDPOINT_URL_SWF", "AWS_DEFAULT_REGION"):
        env.pop(name, None)
    env.update(AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY, AWS_REGION=REGION,
               AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull,
               AWS_EC2_METADATA_DISABLED="true")
    return env


def cli(operation, request=None, *, endpoint_url=None, all_pages=False, input_file=None, stdin=None):
    """Runs `swf-runtime api OPERATION`; request is a dict (sent as JSON) or a raw string."""
    args = [BIN, "api", operation, "--endpoint-url", endpoint_url or SERVER.endpoint_url]
    if request is not None:
        args += ["--input", request if isinstance(request, str) else json.dumps(request)]
    if input_file is not None:
        args += ["--input-file", input_file]
    if all_pages:
        args.append("--all-pages")
    return subprocess.run(args, input=stdin, capture_output=True, text=True, timeout=CLI_TIMEOUT, env=cli_env())


class CliCase(unittest.TestCase):
    def ok(self, operation, request=None, **kwargs):
        """The CLI's response as JSON, after checking it succeeded."""
        p = cli(operation, request, **kwargs)
        self.assertEqual(p.returncode, 0, "%s failed (exit %d): %s" % (operation, p.returncode, p.stderr))
        self.assertEqual(p.stderr, "")
        return json.loads(p.stdout)

    def register(self, domain, with_cli=False):
        """A domain with one workflow type and one activity type."""
        domain_req = {"name": domain, "workflowExecutionRetentionPeriodInDays": "1"}
        workflow_req = {"domain": domain, "name": "cli.workflow", "version": "1",
                        "defaultTaskList": {"name": domain + "-decisions"},
                        "defaultTaskStartToCloseTimeout": "30", "defaultExecutionStartToCloseTimeout": "600",
                        "defaultChildPolicy": "TERMINATE"}
        activity_req = {"domain": domain, "name": "cli.activity", "version": "1",
                        "defaultTaskList": {"name": domain + "-activities"},
                        "defaultTaskStartToCloseTimeout": "300", "defaultTaskHeartbeatTimeout": "300",
                        "defaultTaskScheduleToStartTimeout": "300", "defaultTaskScheduleToCloseTimeout": "600"}
        if with_cli:
            self.assertEqual(self.ok("register-domain", domain_req), {})
            self.assertEqual(self.ok("RegisterWorkflowType", workflow_req), {})
            self.assertEqual(self.ok("register-activity-type", activity_req), {})
        else:
            b = boto()
            b.register_domain(**domain_req)
            b.register_workflow_type(**workflow_req)
            b.register_activity_type(**activity_req)

    def start(self, domain, workflow_id, input=None):
        req = {"domain": domain, "workflowId": workflow_id, "workflowType": {"name": "cli.workflow", "version": "1"}}
        if input is not None:
            req["input"] = input
        run_id = self.ok("start-workflow-execution", req)["runId"]
        self.assertTrue(run_id)
        return run_id


class RegistrationTest(CliCase):
    def test_cli_registers_and_boto3_reads_back(self):
        domain = "cli-registers"
        self.register(domain, with_cli=True)
        b = boto()
        d = b.describe_domain(name=domain)
        self.assertEqual(d["domainInfo"]["status"], "REGISTERED")
        self.assertEqual(d["configuration"]["workflowExecutionRetentionPeriodInDays"], "1")
        w = b.describe_workflow_type(domain=domain, workflowType={"name": "cli.workflow", "version": "1"})
        self.assertEqual(w["configuration"]["defaultTaskList"], {"name": domain + "-decisions"})
        self.assertEqual(w["configuration"]["defaultTaskStartToCloseTimeout"], "30")
        self.assertEqual(w["configuration"]["defaultExecutionStartToCloseTimeout"], "600")
        self.assertEqual(w["configuration"]["defaultChildPolicy"], "TERMINATE")
        types = b.list_activity_types(domain=domain, registrationStatus="REGISTERED")["typeInfos"]
        self.assertEqual([t["activityType"] for t in types], [{"name": "cli.activity", "version": "1"}])
        names = [i["name"] for i in b.list_domains(registrationStatus="REGISTERED")["domainInfos"]]
        self.assertIn(domain, names)

        # Registering again is SWF's fault, passed through: exit 1.
        p = cli("RegisterDomain", {"name": domain, "workflowExecutionRetentionPeriodInDays": "1"})
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertTrue(p.stderr.startswith("DomainAlreadyExistsFault: "), p.stderr)

    def test_boto3_registers_and_cli_describes(self):
        domain = "boto3-registers"
        self.register(domain, with_cli=False)
        d = self.ok("describe-domain", {"name": domain})
        self.assertEqual(d["domainInfo"]["name"], domain)
        self.assertEqual(d["domainInfo"]["status"], "REGISTERED")
        self.assertEqual(d["configuration"], {"workflowExecutionRetentionPeriodInDays": "1"})
        w = self.ok("DescribeWorkflowType",
                    {"domain": domain, "workflowType": {"name": "cli.workflow", "version": "1"}})
        self.assertEqual(w["typeInfo"]["workflowType"], {"name": "cli.workflow", "version": "1"})
        self.assertEqual(w["configuration"]["defaultTaskList"], {"name": domain + "-decisions"})
        self.assertEqual(w["configuration"]["defaultChildPolicy"], "TERMINATE")
        a = self.ok("describe-activity-type",
                    {"domain": domain, "activityType": {"name": "cli.activity", "version": "1"}})
        self.assertEqual(a["configuration"]["defaultTaskHeartbeatTimeout"], "300")
        self.assertEqual(a["configuration"]["defaultTaskList"], {"name": domain + "-activities"})
        listed = self.ok("ListWorkflowTypes", {"domain": domain, "registrationStatus": "REGISTERED"})
        self.assertEqual([t["workflowType"] for t in listed["typeInfos"]], [{"name": "cli.workflow", "version": "1"}])


class WorkflowTest(CliCase):
    def test_one_activity_between_cli_and_boto3(self):
        domain = "cli-workflow"
        self.register(domain)
        run_id = self.start(domain, "cli-order-7", input="workflow input")
        execution = {"workflowId": "cli-order-7", "runId": run_id}
        b = boto()

        # The start scheduled a decision task: boto3 takes it and decides.
        task = b.poll_for_decision_task(domain=domain, taskList={"name": domain + "-decisions"}, identity="boto3")
        self.assertTrue(task.get("taskToken"))
        self.assertEqual(task["workflowExecution"], execution)
        self.assertEqual(task["events"][0]["eventType"], "WorkflowExecutionStarted")
        self.assertEqual(task["events"][0]["workflowExecutionStartedEventAttributes"]["input"], "workflow input")
        b.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[{
            "decisionType": "ScheduleActivityTask",
            "scheduleActivityTaskDecisionAttributes": {
                "activityId": "charge", "activityType": {"name": "cli.activity", "version": "1"},
                "input": "activity input", "taskList": {"name": domain + "-activities"}}}])

        activity = self.ok("poll-for-activity-task",
                           {"domain": domain, "taskList": {"name": domain + "-activities"}, "identity": "cli"})
        self.assertTrue(activity["taskToken"])
        self.assertEqual(activity["activityId"], "charge")
        self.assertEqual(activity["input"], "activity input")
        self.assertEqual(activity["workflowExecution"], execution)

        p = cli("RecordActivityTaskHeartbeat", {"taskToken": activity["taskToken"], "details": "half way"})
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.strip(), '{"cancelRequested":false}')

        done = self.ok("RespondActivityTaskCompleted",
                       {"taskToken": activity["taskToken"], "result": "activity result"})
        self.assertEqual(done, {})

        events = b.get_workflow_execution_history(domain=domain, execution=execution)["events"]
        completed = [e for e in events if e["eventType"] == "ActivityTaskCompleted"]
        self.assertEqual(len(completed), 1, [e["eventType"] for e in events])
        self.assertEqual(completed[0]["activityTaskCompletedEventAttributes"]["result"], "activity result")

        # Every page of the history, one event per page where SWF pages.
        merged = self.ok("GetWorkflowExecutionHistory",
                         {"domain": domain, "execution": execution, "maximumPageSize": 1}, all_pages=True)
        self.assertNotIn("nextPageToken", merged)
        self.assertEqual([(e["eventId"], e["eventType"]) for e in merged["events"]],
                         [(e["eventId"], e["eventType"]) for e in events])
        self.assertEqual([e["eventType"] for e in merged["events"]],
                         ["WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted",
                          "DecisionTaskCompleted", "ActivityTaskScheduled", "ActivityTaskStarted",
                          "ActivityTaskCompleted", "DecisionTaskScheduled"])

        self.assertEqual(self.ok("terminate-workflow-execution",
                                 {"domain": domain, "workflowId": "cli-order-7", "runId": run_id}), {})

    def test_signal_and_terminate_seen_by_boto3(self):
        domain = "cli-signal"
        self.register(domain)
        run_id = self.start(domain, "cli-signalled")
        self.assertEqual(self.ok("signal-workflow-execution",
                                 {"domain": domain, "workflowId": "cli-signalled", "runId": run_id,
                                  "signalName": "approve", "input": "signal payload"}), {})
        self.assertEqual(self.ok("TerminateWorkflowExecution",
                                 {"domain": domain, "workflowId": "cli-signalled", "runId": run_id,
                                  "reason": "operator stopped it", "details": "details of the stop"}), {})
        b = boto()
        execution = {"workflowId": "cli-signalled", "runId": run_id}
        events = b.get_workflow_execution_history(domain=domain, execution=execution)["events"]
        signalled = [e for e in events if e["eventType"] == "WorkflowExecutionSignaled"]
        self.assertEqual(len(signalled), 1, [e["eventType"] for e in events])
        attrs = signalled[0]["workflowExecutionSignaledEventAttributes"]
        self.assertEqual((attrs["signalName"], attrs["input"]), ("approve", "signal payload"))
        self.assertEqual(events[-1]["eventType"], "WorkflowExecutionTerminated")
        self.assertEqual(events[-1]["workflowExecutionTerminatedEventAttributes"]["reason"], "operator stopped it")
        self.assertEqual(events[-1]["workflowExecutionTerminatedEventAttributes"]["details"], "details of the stop")

        info = b.describe_workflow_execution(domain=domain, execution=execution)["executionInfo"]
        self.assertEqual((info["executionStatus"], info["closeStatus"]), ("CLOSED", "TERMINATED"))
        closed = b.list_closed_workflow_executions(domain=domain, startTimeFilter={"oldestDate": 0})
        self.assertEqual([i["execution"] for i in closed["executionInfos"]], [execution])

        listed = self.ok("list-closed-workflow-executions",
                         {"domain": domain, "startTimeFilter": {"oldestDate": 0}}, all_pages=True)
        self.assertEqual([(i["execution"], i["closeStatus"]) for i in listed["executionInfos"]],
                         [(execution, "TERMINATED")])


class InputFileTest(CliCase):
    def test_input_file_and_stdin(self):
        domain = "cli-input-file"
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "register.json")
            with open(path, "w") as f:
                json.dump({"name": domain, "workflowExecutionRetentionPeriodInDays": "3",
                           "description": "from a file"}, f)
            self.assertEqual(self.ok("register-domain", input_file=path), {})
        d = boto().describe_domain(name=domain)
        self.assertEqual(d["configuration"]["workflowExecutionRetentionPeriodInDays"], "3")
        self.assertEqual(d["domainInfo"]["description"], "from a file")

        described = self.ok("DescribeDomain", input_file="-", stdin=json.dumps({"name": domain}))
        self.assertEqual(described["domainInfo"]["description"], "from a file")

        p = cli("describe-domain", input_file=os.path.join(tempfile.gettempdir(), "swfrt-no-such-input.json"))
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertTrue(p.stderr.startswith("InvalidInput: "), p.stderr)


def limited_memory():
    """preexec_fn: a child that would read a device until memory runs out stops at 2 GiB."""
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


class UnreadableInputTest(CliCase):
    """What is not a file or a pipe, or is larger than SWF would take, is
    refused at once with exit 2 and a message naming it; before, a directory
    aborted the CLI (uncaught std::ios_base::failure, exit 134) and /dev/zero
    was read until bad_alloc."""

    def commands(self, input_file):
        """api, start and signal, each reading its input from input_file."""
        conn = ["--endpoint-url", SERVER.endpoint_url, "--domain", "cli-unreadable-input"]
        return {
            "api": [BIN, "api", "register-domain", "--endpoint-url", SERVER.endpoint_url,
                    "--input-file", input_file],
            "start": [BIN, "start"] + conn + ["--workflow-type", "cli.workflow:1", "--workflow-id", "w",
                                              "--input-file", input_file],
            "signal": [BIN, "signal"] + conn + ["--workflow-id", "w", "--name", "s", "--input-file", input_file],
        }

    def assert_refused(self, args, *expected, stdin=subprocess.DEVNULL):
        started = time.monotonic()
        p = subprocess.run(args, stdin=stdin, capture_output=True, text=True, timeout=CLI_TIMEOUT,
                           env=cli_env(), preexec_fn=limited_memory)
        self.assertLess(time.monotonic() - started, PROMPT, p.stderr)
        self.assertEqual(p.returncode, 2, "exit %d: %s" % (p.returncode, p.stderr))
        self.assertEqual(p.stdout, "")
        self.assertTrue(p.stderr.startswith("InvalidInput: "), p.stderr)
        for e in expected:
            self.assertIn(e, p.stderr)

    def test_a_directory_a_device_and_an_oversized_file(self):
        with tempfile.TemporaryDirectory() as tmp:
            big = os.path.join(tmp, "big.json")
            with open(big, "wb") as f:
                f.truncate(3 << 20)  # sparse: SWF takes requests of at most 1 MB
            cases = [(tmp, "%s: cannot read the input file: Is a directory" % tmp),
                     ("/dev/zero", "/dev/zero: cannot read the input file: it is a character device"),
                     (big, "%s: cannot read the input file: it is 3 MiB, larger than the 2 MiB limit" % big)]
            for path, message in cases:
                for command, args in self.commands(path).items():
                    with self.subTest(command=command, input_file=path):
                        self.assert_refused(args, message)

    def test_standard_input_from_a_device(self):
        for command, args in self.commands("-").items():
            with self.subTest(command=command):
                with open("/dev/zero", "rb") as zero:
                    self.assert_refused(args, "standard input (-): cannot read the input file: "
                                              "it is a character device", stdin=zero)


class FaultTest(CliCase):
    def test_swf_fault_exits_1(self):
        p = cli("describe-domain", {"name": "cli-no-such-domain"})
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual(p.stdout, "")
        self.assertTrue(p.stderr.startswith("UnknownResourceFault: "), p.stderr)
        self.assertIn("cli-no-such-domain", p.stderr)


class InputErrorTest(unittest.TestCase):
    """Input errors exit 2 with the error on stderr and send nothing."""

    def check_not_sent(self, operation, request=None, all_pages=False):
        """Runs the CLI against a listener that must see no connection and
        against a port where nothing listens; returns the CompletedProcess."""
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen(8)
            url = "http://127.0.0.1:%d" % listener.getsockname()[1]
            began = time.monotonic()
            p = cli(operation, request, endpoint_url=url, all_pages=all_pages)
            elapsed = time.monotonic() - began
            readable, _, _ = select.select([listener], [], [], 0)
            self.assertEqual(readable, [], "%s connected to the endpoint despite an input error" % operation)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertEqual(p.stdout, "")
        self.assertLess(elapsed, PROMPT)

        dead = "http://127.0.0.1:%d" % free_loopback_port()
        began = time.monotonic()
        q = cli(operation, request, endpoint_url=dead, all_pages=all_pages)
        self.assertLess(time.monotonic() - began, PROMPT)
        self.assertEqual(q.returncode, 2, q.stderr)
        self.assertEqual(q.stderr, p.stderr)
        return p

    def test_unknown_operation_suggests_the_close_name(self):
        p = self.check_not_sent("RegisterDomian", {"name": "x"})
        self.assertTrue(p.stderr.startswith("UnknownOperation: "), p.stderr)
        self.assertIn("did you mean RegisterDomain?", p.stderr)
        p = self.check_not_sent("list-domain", {"registrationStatus": "REGISTERED"})
        self.assertTrue(p.stderr.startswith("UnknownOperation: "), p.stderr)
        self.assertIn("did you mean list-domains?", p.stderr)

    def test_malformed_json(self):
        p = self.check_not_sent("register-domain", '{"name": ')
        self.assertTrue(p.stderr.startswith("DecodeError: "), p.stderr)
        self.assertIn("malformed JSON", p.stderr)

    def test_unknown_member_is_named(self):
        p = self.check_not_sent("RegisterDomain",
                                {"name": "x", "workflowExecutionRetentionPeriodInDays": "1", "colour": "red"})
        self.assertTrue(p.stderr.startswith("DecodeError: "), p.stderr)
        self.assertIn("colour", p.stderr)

    def test_all_pages_on_an_operation_without_pages(self):
        p = self.check_not_sent("describe-domain", {"name": "x"}, all_pages=True)
        self.assertTrue(p.stderr.startswith("InvalidArgument: "), p.stderr)
        self.assertIn("DescribeDomain", p.stderr)


if __name__ == "__main__":
    unittest.main()
