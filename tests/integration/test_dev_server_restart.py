"""The dev server with --db under load, killed with SIGKILL and restarted on
the same file: every start, signal and answer it acknowledged is there
afterwards, tokens handed out before still answer their tasks, and a timer
started before the kill fires after the restart. A second server on the
same file is refused.

Run from tests/integration:  SWF_RUNTIME_BIN=... python3 -m unittest -v test_dev_server_restart
"""

import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError, ReadTimeoutError

from dev_server import DevServer, client
from test_runtime_e2e import history_of

DOMAIN = "restart"


def history(swf, execution):
    return history_of(swf, DOMAIN, execution)


class RestartTest(unittest.TestCase):
    def setUp(self):
        self.binary = os.environ.get("SWF_RUNTIME_BIN")
        if not self.binary:
            raise unittest.SkipTest("SWF_RUNTIME_BIN is unset (CTest sets it to the built swf-runtime)")
        self.tmp = tempfile.mkdtemp(prefix="swfrt-restart-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.db = os.path.join(self.tmp, "state.db")

    def server(self):
        s = DevServer(self.binary, args=["--db", self.db, "--long-poll-seconds", "1"])
        self.addCleanup(s.stop)
        s.start()
        self.assertIn("state in " + self.db, s.banner)
        return s

    def kill(self, s):
        os.killpg(s.process.pid, signal.SIGKILL)
        s.process.wait(timeout=10)

    def test_a_killed_server_restarts_with_every_acknowledged_request(self):
        s = self.server()
        swf = client(s.endpoint_url, read_timeout=10)
        swf.register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="1")
        swf.register_workflow_type(domain=DOMAIN, name="wf", version="1", defaultTaskList={"name": "deciders"},
                                   defaultExecutionStartToCloseTimeout="3600", defaultTaskStartToCloseTimeout="300",
                                   defaultChildPolicy="TERMINATE")
        swf.register_activity_type(domain=DOMAIN, name="act", version="1", defaultTaskList={"name": "workers"},
                                   defaultTaskScheduleToStartTimeout="NONE", defaultTaskScheduleToCloseTimeout="NONE",
                                   defaultTaskStartToCloseTimeout="NONE", defaultTaskHeartbeatTimeout="NONE")
        # One execution with a timer, an activity handed out and a decision task handed out.
        run = swf.start_workflow_execution(domain=DOMAIN, workflowId="keeper",
                                           workflowType={"name": "wf", "version": "1"})["runId"]
        keeper = {"workflowId": "keeper", "runId": run}
        task = swf.poll_for_decision_task(domain=DOMAIN, taskList={"name": "deciders"})
        swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[
            {"decisionType": "StartTimer", "startTimerDecisionAttributes": {"timerId": "t", "startToFireTimeout": "3"}},
            {"decisionType": "ScheduleActivityTask", "scheduleActivityTaskDecisionAttributes": {
                "activityId": "a", "activityType": {"name": "act", "version": "1"}}}])
        activity = swf.poll_for_activity_task(domain=DOMAIN, taskList={"name": "workers"})
        self.assertTrue(activity.get("taskToken"))

        # Load: starts and signals from two threads until the kill; each
        # acknowledged one is noted.
        acknowledged = {"starts": set(), "signals": []}
        lock = threading.Lock()
        stop = threading.Event()

        def load(worker):
            c = client(s.endpoint_url, read_timeout=5)
            i = 0
            while not stop.is_set():
                i += 1
                wid = "load-%d-%d" % (worker, i)
                try:
                    r = c.start_workflow_execution(domain=DOMAIN, workflowId=wid,
                                                   workflowType={"name": "wf", "version": "1"})
                    with lock:
                        acknowledged["starts"].add((wid, r["runId"]))
                    c.signal_workflow_execution(domain=DOMAIN, workflowId="keeper", signalName="sig",
                                                input="%d-%d" % (worker, i))
                    with lock:
                        acknowledged["signals"].append("%d-%d" % (worker, i))
                except (ClientError, ConnectionClosedError, EndpointConnectionError, ReadTimeoutError, OSError):
                    return  # the server is gone
        threads = [threading.Thread(target=load, args=(w,)) for w in range(2)]
        for t in threads:
            t.start()
        time.sleep(1.5)
        self.kill(s)
        stop.set()
        for t in threads:
            t.join(20)
        self.assertGreater(len(acknowledged["starts"]), 5, "the load did not get going before the kill")

        s2 = self.server()
        swf = client(s2.endpoint_url, read_timeout=10)
        for wid, rid in acknowledged["starts"]:
            events = history(swf, {"workflowId": wid, "runId": rid})
            self.assertEqual(events[0]["eventType"], "WorkflowExecutionStarted", wid)
        signals = [e["workflowExecutionSignaledEventAttributes"]["input"] for e in history(swf, keeper)
                   if e["eventType"] == "WorkflowExecutionSignaled"]
        missing = set(acknowledged["signals"]) - set(signals)
        self.assertFalse(missing, "acknowledged signals lost in the kill: %s" % sorted(missing)[:10])
        # The activity's token from before the kill still answers it.
        swf.respond_activity_task_completed(taskToken=activity["taskToken"], result="after the restart")
        # The timer started before the kill fires after the restart.
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            types = [e["eventType"] for e in history(swf, keeper)]
            if "TimerFired" in types:
                break
            time.sleep(0.2)
        self.assertIn("TimerFired", types)
        self.assertIn("ActivityTaskCompleted", types)

    def test_a_second_server_on_the_same_file_is_refused(self):
        s = self.server()
        p = subprocess.run([self.binary, "dev-server", "--listen", "127.0.0.1:0", "--db", self.db],
                           capture_output=True, text=True, timeout=20)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(self.db, p.stderr)
        self.assertIn("locked", p.stderr)
        self.assertIsNone(s.process.poll(), "the first server ended")


if __name__ == "__main__":
    unittest.main()
