#!/usr/bin/env python3
"""Baseline for bench/history_bench.cpp: parses the same
GetWorkflowExecutionHistory response page with Python's json.loads and with
botocore's JSONParser (what boto3 and py_swf run on every page) and prints
the time per page.

Usage: history_baseline.py PAGE_FILE [--seconds S]

Output (one "key value" per line):
    bytes <int>
    json_loads_events <int>
    json_loads_ns_per_page <float>
    botocore_version <str>
    botocore_events <int>
    botocore_ns_per_page <float>
Exits 2 when botocore is not installed (the json.loads lines are printed
before that).
"""
import argparse
import json
import sys
import time


def measure(fn, seconds, min_runs=3):
    """Mean ns per call of fn over at least min_runs calls and `seconds`."""
    fn()  # warm-up: first-call caches (botocore shape resolution, imports)
    budget = seconds * 1e9
    runs = 0
    start = time.perf_counter_ns()
    while True:
        fn()
        runs += 1
        elapsed = time.perf_counter_ns() - start
        if runs >= min_runs and elapsed >= budget:
            return elapsed / runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", help="file holding one response body")
    parser.add_argument("--seconds", type=float, default=3.0, help="time budget per parser")
    args = parser.parse_args()

    with open(args.page, "rb") as f:
        body = f.read()
    print("bytes", len(body))

    doc = json.loads(body)
    print("json_loads_events", len(doc["events"]))
    print("json_loads_ns_per_page", measure(lambda: json.loads(body), args.seconds))
    sys.stdout.flush()

    try:
        import botocore
        import botocore.parsers
        import botocore.session
    except ImportError:
        print("botocore is not installed", file=sys.stderr)
        return 2

    # The service model comes from botocore's own data files through its
    # loader, exactly as a boto3 client gets it.
    session = botocore.session.get_session()
    shape = session.get_service_model("swf").operation_model("GetWorkflowExecutionHistory").output_shape
    # Default timestamp parsing (datetime objects), as a boto3 client does.
    json_parser = botocore.parsers.JSONParser()

    def parse():
        # A fresh dict per call: the parser may annotate the response.
        return json_parser.parse({"body": body, "headers": {}, "status_code": 200}, shape)

    parsed = parse()
    print("botocore_version", botocore.__version__)
    print("botocore_events", len(parsed.get("events", [])))
    print("botocore_ns_per_page", measure(parse, args.seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
