"""The plugin and program a team builds against the installed package only
(tests/runtime/out_of_tree_test.sh builds them into $SWF_OUT_OF_TREE_DIR),
run end to end: `swf-runtime run` loads the trip plugin; the trip client,
linked against SwfRuntime::client, starts a trip and signals it; boto3
reads the history back; `swf-runtime replay` replays it through the same
plugin. Against moto_server, which has no child workflows, the trip is
approved without its child leg; against `swf-runtime dev-server` it runs
the leg as a child workflow.

Run from tests/integration:  python3 -m unittest -v test_out_of_tree
"""

import json
import os
import subprocess
import unittest

import test_runtime_e2e as e2e

DOMAIN = "out-of-tree"


class TripCase:
    """The trip, run against cls.endpoint_url (set by the endpoint's class)."""

    @classmethod
    def start_trip_runtime(cls):
        e2e.setUpModule()
        out = os.environ.get("SWF_OUT_OF_TREE_DIR", "")
        cls.plugin = os.path.join(out, "libswfrt_trip_plugin.so")
        cls.client = os.path.join(out, "swfrt_trip_client")
        if not os.path.isfile(cls.plugin) or not os.access(cls.client, os.X_OK):
            raise RuntimeError("SWF_OUT_OF_TREE_DIR must hold the out-of-tree trip plugin and client "
                               "(the out_of_tree_plugin test builds them); got %r" % out)
        cls.runtime = cls.start_runtime("trip.yaml", e2e.config_text(
            endpoint_url=cls.endpoint_url, domain=DOMAIN, plugins=[cls.plugin],
            workers=[{"kind": "decision", "task_list": "trip-decisions", "handlers": ["trip", "leg"]},
                     {"kind": "activity", "task_list": "trip-activities", "handlers": ["shout", "count"]}]))
        cls.runtime.wait_ready()

    def trip_client(self, *args):
        env = e2e.child_env()
        env.update(AWS_ACCESS_KEY_ID=e2e.ACCESS_KEY, AWS_SECRET_ACCESS_KEY=e2e.SECRET_KEY,
                   AWS_REGION=e2e.REGION, AWS_ENDPOINT_URL_SWF=self.endpoint_url)
        p = subprocess.run([self.client] + list(args), env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, "trip_client %s: %s" % (" ".join(args), p.stderr))
        return p.stdout.strip()

    def run_trip(self, approval, result, activity_results):
        run_id = self.trip_client("start", DOMAIN, "trip-1", "go")
        self.assertTrue(run_id)
        execution = {"workflowId": "trip-1", "runId": run_id}

        def timer_fired():
            return any(e["eventType"] == "TimerFired" for e in e2e.history_of(self.swf, DOMAIN, execution))
        e2e.wait_until("the trip's timer fires", timer_fired, 30, runtime=self.runtime)
        self.assertEqual(self.trip_client("status", DOMAIN, "trip-1", run_id), "OPEN")
        self.trip_client("signal", DOMAIN, "trip-1", "approve", approval)

        def closed():
            return self.trip_client("status", DOMAIN, "trip-1", run_id) != "OPEN"
        e2e.wait_until("the trip closes", closed, 30, runtime=self.runtime,
                       on_timeout=lambda: "; log:\n" + self.runtime.log_tail())
        self.assertEqual(self.trip_client("status", DOMAIN, "trip-1", run_id), "COMPLETED")

        events = e2e.history_of(self.swf, DOMAIN, execution)
        types = [e["eventType"] for e in events]
        done = [e for e in events if e["eventType"] == "WorkflowExecutionCompleted"]
        self.assertEqual(done[0]["workflowExecutionCompletedEventAttributes"]["result"], result)
        for t in ("ActivityTaskCompleted", "TimerFired", "WorkflowExecutionSignaled"):
            self.assertIn(t, types)
        results = [e["activityTaskCompletedEventAttributes"]["result"]
                   for e in events if e["eventType"] == "ActivityTaskCompleted"]
        self.assertEqual(results, activity_results)  # the blocking activity, then the coroutine one
        self.assertIn("counting", self.runtime.log())  # the coroutine activity's own log line

        # The recorded history, fetched from SWF, replays through the same
        # plugin to the same close.
        env = e2e.child_env()
        env.update(AWS_ACCESS_KEY_ID=e2e.ACCESS_KEY, AWS_SECRET_ACCESS_KEY=e2e.SECRET_KEY)
        p = subprocess.run([e2e.BIN, "replay", "--plugin", self.plugin, "--workflow", "trip",
                            "--execution", "trip-1:" + run_id, "--domain", DOMAIN,
                            "--endpoint-url", self.endpoint_url, "--region", e2e.REGION],
                           env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        decisions = json.loads(p.stdout)
        self.assertEqual([d["decisionType"] for d in decisions], ["CompleteWorkflowExecution"])
        self.assertEqual(decisions[0]["completeWorkflowExecutionDecisionAttributes"]["result"], result)
        return events


class OutOfTreeTest(TripCase, e2e.RuntimeCase):
    """Against moto_server: no child workflows there, so no leg."""

    endpoint = "moto"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_trip_runtime()

    def test_a_trip_runs_to_its_result_and_replays_to_its_close(self):
        self.run_trip("approved", "GO! 3 approved", ["GO!", "3"])


class OutOfTreeDevServerTest(TripCase, e2e.DevServerRuntimeCase):
    """Against the dev server, with the leg: a coroutine workflow with an
    activity, a timer, a signal and a child, all from the installed package."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_trip_runtime()

    def test_a_trip_with_its_child_leg_runs_to_its_result_and_replays_to_its_close(self):
        events = self.run_trip("with-leg", "GO! 3 with-leg leg:GO!", ["GO!", "3"])
        types = [e["eventType"] for e in events]
        for t in ("StartChildWorkflowExecutionInitiated", "ChildWorkflowExecutionStarted",
                  "ChildWorkflowExecutionCompleted"):
            self.assertIn(t, types)
        leg = [e for e in events if e["eventType"] == "ChildWorkflowExecutionCompleted"][0]
        attrs = leg["childWorkflowExecutionCompletedEventAttributes"]
        self.assertEqual(attrs["workflowExecution"]["workflowId"], "trip-1-leg")
        self.assertEqual(attrs["result"], "leg:GO!")


if __name__ == "__main__":
    unittest.main()
