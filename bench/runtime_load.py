#!/usr/bin/env python3
"""Load: swf-runtime run against swf-runtime dev-server on loopback, with the
dev server's own capacity measured beside it in the same run (the
baseline), so that it is plain whether the server or the runtime limits
the rate.

Starts the dev server and a runtime with the example plugin (greeting: one
decision task, one greet activity, one more decision task), starts N
greeting workflows with boto3 from a few threads, and times until every one
is closed. Then runs bench/dev_server_polls_bench (held polls handed tasks
per second on one server thread) as the baseline.

Usage: runtime_load.py BUILD_DIR [--workflows N]   (default 400)
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))

from dev_server import DevServer, client  # noqa: E402

DOMAIN = "load"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--workflows", type=int, default=400)
    a = ap.parse_args()
    a.build = os.path.abspath(a.build)
    binary = os.path.join(a.build, "runtime", "swf-runtime")
    plugin = os.path.join(a.build, "plugins", "libswfrt_example_plugin.so")
    server = DevServer(binary, args=["--long-poll-seconds", "2"]).start()
    tmp = tempfile.mkdtemp(prefix="swfrt-load-")
    config = os.path.join(tmp, "load.yaml")
    with open(config, "w") as f:
        f.write("\n".join([
            "swf:", "  region: us-east-1", "  endpoint_url: %s" % server.endpoint_url,
            "  credentials:", "    access_key_id: AKIDLOAD", "    secret_access_key: load/secret",
            "runtime:", "  threads: 2", "  shutdown_grace: 5",
            "plugins:", "  - %s" % plugin,
            "domains:", "  - name: %s" % DOMAIN, "    retention_days: 1", "    register: true",
            "workers:",
            "  - kind: decision", "    domain: %s" % DOMAIN, "    task_list: example-decisions",
            "    pollers: 4", "    max_concurrent: 32", "    handlers: [greeting]",
            "  - kind: activity", "    domain: %s" % DOMAIN, "    task_list: example-activities",
            "    pollers: 4", "    max_concurrent: 32", "    handlers: [greet]",
            "metrics:", "  listen: 127.0.0.1:0", "log:", "  level: warn", "  format: text", ""]))
    runtime = subprocess.Popen([binary, "run", config], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    swf = client(server.endpoint_url, read_timeout=10)
    try:
        deadline = time.monotonic() + 30
        while True:
            if runtime.poll() is not None:
                print("swf-runtime exited: %s" % runtime.stderr.read().decode(errors="replace")[-2000:])
                return 1
            try:
                swf.describe_workflow_type(domain=DOMAIN, workflowType={"name": "greeting", "version": "1"})
                break
            except Exception:
                if time.monotonic() > deadline:
                    print("the runtime registered nothing within 30 s")
                    return 1
                time.sleep(0.2)
        time.sleep(1)  # the pollers are up
        started = time.monotonic()

        def starter(k):
            c = client(server.endpoint_url, read_timeout=10)
            for i in range(k, a.workflows, 4):
                c.start_workflow_execution(domain=DOMAIN, workflowId="load-%d" % i,
                                           workflowType={"name": "greeting", "version": "1"}, input="n%d" % i)
        threads = [threading.Thread(target=starter, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        closed = 0
        while time.monotonic() - started < 300:
            closed = swf.count_closed_workflow_executions(domain=DOMAIN, startTimeFilter={"oldestDate": 0})["count"]
            if closed >= a.workflows:
                break
            time.sleep(0.05)
        took = time.monotonic() - started
    finally:
        runtime.terminate()
        runtime.wait(timeout=30)
        server.stop()
    if closed < a.workflows:
        print("only %d of %d workflows closed" % (closed, a.workflows))
        return 1
    tasks = a.workflows * 3  # two decision tasks and one activity task each
    print("swf-runtime run against the dev server, %d greeting workflows (4 + 4 pollers, 2 threads)" % a.workflows)
    print("  workflows completed     %8.0f per second (%.2f s)" % (a.workflows / took, took))
    print("  tasks answered          %8.0f per second (decision and activity)" % (tasks / took))
    base = subprocess.run([os.path.join(a.build, "bench", "dev_server_polls_bench"), "2000"],
                          capture_output=True, text=True, timeout=120)
    m = re.search(r"handed a task\s+(\d+) per second", base.stdout)
    if not m:
        print("baseline failed: %s" % base.stdout + base.stderr)
        return 1
    print("baseline: the dev server alone hands held polls tasks at %s per second (one thread)" % m.group(1))
    print("  the runtime's rate is %.0f%% of what the server can serve" % (100.0 * tasks / took / int(m.group(1))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
