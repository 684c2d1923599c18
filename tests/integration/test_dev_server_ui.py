"""The dev server's web page (--ui), read through headless Chromium: the
index lists the domain and its executions with their status, and an
execution's page shows its whole history as a timeline, each event in the
row of its kind, names escaped.

Run from tests/integration:  SWF_RUNTIME_BIN=... python3 -m unittest -v test_dev_server_ui
"""

import html.parser
import os
import shutil
import subprocess
import unittest

from dev_server import DevServer, client

DOMAIN = "ui"


class Rows(html.parser.HTMLParser):
    """The rows of the tables of a page: (class, [cell texts]), and its links."""

    def __init__(self):
        super().__init__()
        self.rows, self.links = [], []
        self._row, self._cell = None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr":
            self._row = (a.get("class", ""), [])
        elif tag in ("td", "th") and self._row is not None:
            self._cell = ""
        elif tag == "a":
            self.links.append(a.get("href", ""))

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row[1].append(self._cell.strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


class WebPageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        binary = os.environ.get("SWF_RUNTIME_BIN")
        if not binary:
            raise unittest.SkipTest("SWF_RUNTIME_BIN is unset (CTest sets it to the built swf-runtime)")
        cls.chromium = shutil.which("chromium")
        if cls.chromium is None:
            raise RuntimeError("chromium is not on PATH: install the Debian package chromium "
                               "(./deploy/install-deps.sh --tests does)")
        cls.server = DevServer(binary, args=["--ui"])
        cls.addClassCleanup(cls.server.stop)
        cls.server.start()
        cls.swf = client(cls.server.endpoint_url, read_timeout=10)

    def dom(self, path):
        p = subprocess.run([self.chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                            "--dump-dom", self.server.endpoint_url + path],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        page = Rows()
        page.feed(p.stdout)
        return p.stdout, page

    def test_the_index_and_an_execution_timeline(self):
        swf = self.swf
        swf.register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="1")
        swf.register_workflow_type(domain=DOMAIN, name="wf", version="1", defaultTaskList={"name": "deciders"},
                                   defaultExecutionStartToCloseTimeout="60", defaultTaskStartToCloseTimeout="10",
                                   defaultChildPolicy="TERMINATE")
        swf.register_activity_type(domain=DOMAIN, name="act", version="1", defaultTaskList={"name": "workers"},
                                   defaultTaskScheduleToStartTimeout="NONE", defaultTaskScheduleToCloseTimeout="NONE",
                                   defaultTaskStartToCloseTimeout="NONE", defaultTaskHeartbeatTimeout="NONE")
        wid = "order <42> & co"
        run = swf.start_workflow_execution(domain=DOMAIN, workflowId=wid,
                                           workflowType={"name": "wf", "version": "1"})["runId"]
        t = swf.poll_for_decision_task(domain=DOMAIN, taskList={"name": "deciders"})
        swf.respond_decision_task_completed(taskToken=t["taskToken"], decisions=[
            {"decisionType": "ScheduleActivityTask", "scheduleActivityTaskDecisionAttributes": {
                "activityId": "charge", "activityType": {"name": "act", "version": "1"}}},
            {"decisionType": "StartTimer", "startTimerDecisionAttributes": {"timerId": "wait", "startToFireTimeout": "0"}}])
        a = swf.poll_for_activity_task(domain=DOMAIN, taskList={"name": "workers"})
        swf.respond_activity_task_completed(taskToken=a["taskToken"], result="charged")
        swf.signal_workflow_execution(domain=DOMAIN, workflowId=wid, signalName="shipped")
        t = swf.poll_for_decision_task(domain=DOMAIN, taskList={"name": "deciders"})
        swf.respond_decision_task_completed(taskToken=t["taskToken"], decisions=[
            {"decisionType": "CompleteWorkflowExecution", "completeWorkflowExecutionDecisionAttributes": {"result": "ok"}}])
        events = swf.get_workflow_execution_history(domain=DOMAIN, execution={"workflowId": wid, "runId": run})["events"]

        text, index = self.dom("/")
        self.assertIn(">" + DOMAIN + "<", text)
        executions = [cells for cls, cells in index.rows if cls == "execution"]
        self.assertEqual(executions, [[wid, "wf:1", "COMPLETED", executions[0][3]]])
        self.assertNotIn("<42>", text, "the workflow id was not escaped")
        link = [l for l in index.links if l.startswith("/execution?")]
        self.assertEqual(len(link), 1)

        text, timeline = self.dom(link[0])
        rows = [(cls, cells) for cls, cells in timeline.rows if cls.startswith("event")]
        self.assertEqual([cells[2] for _, cells in rows], [e["eventType"] for e in events])
        self.assertEqual([int(cells[0]) for _, cells in rows], [e["eventId"] for e in events])
        kinds = {cells[2]: cls.split()[-1] for cls, cells in rows}
        self.assertEqual(kinds["ActivityTaskCompleted"], "activity")
        self.assertEqual(kinds["TimerFired"], "timer")
        self.assertEqual(kinds["WorkflowExecutionSignaled"], "signal")
        self.assertEqual(kinds["DecisionTaskStarted"], "decision")
        self.assertEqual(kinds["WorkflowExecutionCompleted"], "close")
        completed = [cells for _, cells in rows if cells[2] == "ActivityTaskCompleted"][0]
        self.assertIn('"result":"charged"', completed[3])

        text, _ = self.dom("/execution?domain=ui&workflowId=nope&runId=nope")
        self.assertIn("No execution nope", text)


if __name__ == "__main__":
    unittest.main()
