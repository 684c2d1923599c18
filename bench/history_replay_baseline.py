#!/usr/bin/env python3
"""Baseline for bench/history_replay_bench.cpp: reads whole workflow
histories the way a Python decider does (every GetWorkflowExecutionHistory
page, events collected into one list), once with json.loads and once with
botocore's JSONParser on the swf service model (what boto3 and py_swf run
on every page), and prints the time per history.

Usage: history_replay_baseline.py DIR [--seconds S]

DIR holds one folder per history; each folder holds that history's pages as
page-NNNN.json (one response body each, in page order).

Output, one "HISTORY KEY VALUE" line per measurement (HISTORY is the
folder's name):
    HISTORY pages <int>
    HISTORY bytes <int>
    HISTORY json_loads_events <int>
    HISTORY json_loads_ns <float>      mean ns per history
    HISTORY botocore_events <int>
    HISTORY botocore_ns <float>        mean ns per history
and once "- botocore_version <str>". Exits 2 when botocore is not installed
(the json.loads lines are printed before that).
"""
import argparse
import json
import os
import sys
import time


def measure(fn, seconds, min_runs):
    """(mean ns per call of fn over at least min_runs calls and `seconds`,
    what the last call returned)."""
    budget = seconds * 1e9
    runs = 0
    start = time.perf_counter_ns()
    while True:
        out = fn()
        runs += 1
        elapsed = time.perf_counter_ns() - start
        if runs >= min_runs and elapsed >= budget:
            return elapsed / runs, out


def load(directory):
    """{history name: [page bytes, ...]}, smallest history first."""
    histories = {}
    for name in os.listdir(directory):
        folder = os.path.join(directory, name)
        if not os.path.isdir(folder):
            continue
        pages = []
        for page in sorted(p for p in os.listdir(folder) if p.endswith(".json")):
            with open(os.path.join(folder, page), "rb") as f:
                pages.append(f.read())
        histories[name] = pages
    return dict(sorted(histories.items(), key=lambda kv: sum(len(p) for p in kv[1])))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", help="folder with one sub-folder of pages per history")
    parser.add_argument("--seconds", type=float, default=1.0, help="time budget per parser and history")
    args = parser.parse_args()

    histories = load(args.dir)
    if not histories:
        print("no histories in " + args.dir, file=sys.stderr)
        return 1

    def json_loads_all(pages):
        events = []
        for body in pages:
            events.extend(json.loads(body)["events"])
        return events

    for name, pages in histories.items():
        print(name, "pages", len(pages))
        print(name, "bytes", sum(len(p) for p in pages))
        ns, events = measure(lambda: json_loads_all(pages), args.seconds, 2)
        print(name, "json_loads_events", len(events))
        print(name, "json_loads_ns", ns)
        sys.stdout.flush()

    try:
        import botocore
        import botocore.parsers
        import botocore.session
    except ImportError:
        print("botocore is not installed", file=sys.stderr)
        return 2

    # The service model comes from botocore's own data files through its
    # loader, exactly as a boto3 client gets it; default timestamp parsing
    # (datetime objects), as a boto3 client does.
    session = botocore.session.get_session()
    shape = session.get_service_model("swf").operation_model("GetWorkflowExecutionHistory").output_shape
    json_parser = botocore.parsers.JSONParser()

    def botocore_all(pages):
        events = []
        for body in pages:
            # A fresh dict per page: the parser may annotate the response.
            parsed = json_parser.parse({"body": body, "headers": {}, "status_code": 200}, shape)
            events.extend(parsed.get("events", []))
        return events

    print("-", "botocore_version", botocore.__version__)
    # Warm-up on the smallest history: first-call caches (shape resolution).
    botocore_all(next(iter(histories.values())))
    for name, pages in histories.items():
        ns, events = measure(lambda: botocore_all(pages), args.seconds, 2)
        print(name, "botocore_events", len(events))
        print(name, "botocore_ns", ns)
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
