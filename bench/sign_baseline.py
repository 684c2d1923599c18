#!/usr/bin/env python3
"""Baseline for bench/sign_bench.cpp: signs the same SWF PollForDecisionTask
request with botocore's SigV4Auth (what boto3 and py_swf use) and prints the
signature and the time per request.

Output (one "key value" per line):
    signature <hex>
    ns_per_request <float>
Exits 2 when botocore is not installed.
"""
import argparse
import datetime
import sys
import time

# Keep in sync with the request built in sign_bench.cpp.
REGION = "us-east-1"
SERVICE = "swf"
HOST = "swf.us-east-1.amazonaws.com"
ACCESS_KEY = "ASIAEXAMPLEEXAMPLE01"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = (
    "IQoJb3JpZ2luX2VjEXAMPLEaCXVzLWVhc3QtMSJHMEUCIQDexampleexampleexampleexampleexample"
    "AiBexampleexampleexampleexampleexampleexampleKpwDCBAQARoMMTIzNDU2Nzg5MDEyIgxexample"
    "exampleexampleexampleexampleexampleexampleexampleexampleexampleexampleexample=="
)
TARGET = "SimpleWorkflowService.PollForDecisionTask"
BODY = (
    '{"domain":"orders-prod","taskList":{"name":"order-decisions"},'
    '"identity":"worker-7f3c@ip-10-0-12-34.ec2.internal:4242","maximumPageSize":1000,'
    '"reverseOrder":false,"startAtPreviousStartedEvent":true,'
    '"nextPageToken":"AAAAKgAAAAIAAAAAAAAAAzsvvH5L7tEXAMPLEtokenAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="}'
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--timestamp", default="20240102T030405Z", help="signing time, SigV4 format")
    args = parser.parse_args()

    try:
        import botocore.auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
    except ImportError:
        print("botocore is not installed", file=sys.stderr)
        return 2

    fixed = datetime.datetime.strptime(args.timestamp, "%Y%m%dT%H%M%SZ")
    # botocore reads the clock inside add_auth; a fixed time makes the
    # signature comparable with ours.
    botocore.auth.get_current_datetime = lambda: fixed

    creds = Credentials(ACCESS_KEY, SECRET_KEY, SESSION_TOKEN)
    auth = botocore.auth.SigV4Auth(creds, SERVICE, REGION)

    req = AWSRequest(
            method="POST",
            url="https://" + HOST + "/",
            data=BODY,
        headers={
            "Host": HOST,
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": TARGET,
        },
    )
    auth.add_auth(req)
    signature = req.headers["Authorization"].rsplit("Signature=", 1)[1]

    # The same request is signed again each time (add_auth drops the previous
    # signing headers first), exactly what the C++ benchmark does.
    n = max(1, args.iterations)
    start = time.perf_counter_ns()
    for _ in range(n):
        auth.add_auth(req)
    elapsed = time.perf_counter_ns() - start

    print("signature", signature)
    print("ns_per_request", elapsed / n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
