"""A loopback HTTP proxy in front of moto_server that injects SWF's faults.

FaultInjectingProxy(moto_port, rate=0.30, seed=1) listens on 127.0.0.1, port 0,
and forwards each request (one POST, named by X-Amz-Target) to moto_server.
With probability `rate` a request gets one fault, drawn uniformly from:

  throttling           HTTP 400 ThrottlingException; moto never sees the request
  internal_failure     HTTP 500 InternalFailure; moto never sees the request
  service_unavailable  HTTP 503 ServiceUnavailable; moto never sees the request
  reset                the connection is reset (RST) before forwarding
  lost_answer          forwarded, so it takes effect in moto, then the
                       connection is reset without a byte of the answer

These are what SWF and the network between do to a worker: the first four
must be retried, the last is the hard one, since a retry of an answer by
task token then finds the task already closed (moto says
UnknownResourceFault), a retried registration finds its type registered, and
a retried start finds its workflow id running.

The draws come from one random.Random per operation, seeded with (seed,
operation): the n-th call of an operation gets the same fault in every run
with the same seed, however threads interleave the operations. Which task
the n-th answer belongs to, and how many polls run, still depend on timing.

For every answer by task token (RespondActivityTaskCompleted, ...Failed,
...Canceled, RespondDecisionTaskCompleted) the proxy records each attempt:
the fault it injected, or moto's status and fault type (moto answers a
second answer for a task it completed with 400 UnknownResourceFault, and an
unknown token with 400 ValidationException). It also records every task
token a PollFor*Task answer delivered, so a test can check that each task
handed to the worker was accepted by moto exactly once.
"""

import collections
import http.client
import http.server
import json
import random
import socket
import struct
import threading
import time

from loopback import LoopbackServer

FAULTS = ("throttling", "internal_failure", "service_unavailable", "reset", "lost_answer")

# Faults that are an HTTP answer made up by the proxy: (status, body).
ERROR_ANSWERS = {
    "throttling": (400, {"__type": "com.amazon.coral.availability#ThrottlingException",
                         "message": "Rate exceeded"}),
    "internal_failure": (500, {"__type": "com.amazon.coral.service#InternalFailure"}),
    "service_unavailable": (503, {"__type": "com.amazon.coral.service#ServiceUnavailable",
                                  "message": "Service unavailable"}),
}

ANSWERS = ("RespondActivityTaskCompleted", "RespondActivityTaskFailed", "RespondActivityTaskCanceled",
           "RespondDecisionTaskCompleted")
POLLS = ("PollForActivityTask", "PollForDecisionTask")
UPSTREAM_TIMEOUT = 90.0  # seconds; above the runtime's long-poll read timeout
HOP_BY_HOP = ("connection", "content-length", "transfer-encoding", "keep-alive", "date", "server")


class Attempt:
    """One answer by task token as the proxy saw it."""

    def __init__(self, at, operation, injected, status, fault_type, reached):
        self.at = at                  # seconds since the proxy was made
        self.operation = operation
        self.injected = injected      # the fault injected, or None
        self.status = status          # moto's HTTP status, or the injected one (0: reset)
        self.fault_type = fault_type  # the fault type of a failed answer ("" on success)
        self.reached = reached        # moto saw the request (it took effect on a 200)

    @property
    def succeeded(self):
        """moto accepted the answer (whether or not the worker heard of it)."""
        return self.reached and 200 <= self.status < 300

    def __repr__(self):
        if not self.reached:
            what = "injected " + self.injected
        else:
            what = "ok" if 200 <= self.status < 300 else "%d %s" % (self.status, self.fault_type)
            if self.injected:
                what += ", answer lost"
        return "+%.1fs %s: %s" % (self.at, self.operation, what)


class FaultInjectingProxy:
    """The proxy described at the top of this file: start(), endpoint_url for
    the worker, stop(); then summary() and the records answered_twice(),
    never_answered(), retried_after_lost_answer() and task_of(token)."""

    def __init__(self, upstream_port, rate=0.30, seed=1, faults=FAULTS, script=None):
        """script: {operation: [fault or None, ...]}: the first calls of those
        operations get these faults in turn (and none after), instead of draws."""
        if not 0.0 <= rate <= 1.0:
            raise ValueError("fault rate must be from 0 to 1, got %r" % rate)
        unknown = set(faults) - set(FAULTS)
        if unknown:
            raise ValueError("unknown faults %s; known: %s" % (sorted(unknown), ", ".join(FAULTS)))
        self.upstream_port = upstream_port
        self.rate = rate
        self.seed = seed
        self.faults = tuple(faults)
        self.script = {op: list(fs) for op, fs in (script or {}).items()}
        for fs in self.script.values():
            bad = set(f for f in fs if f is not None) - set(FAULTS)
            if bad:
                raise ValueError("unknown faults %s in the script" % sorted(bad))
        self.made_at = time.monotonic()
        self.lock = threading.Lock()
        self._random = {}                                   # operation -> random.Random
        self.requests = collections.Counter()               # operation -> requests received
        self.injected = collections.Counter()               # (operation, fault) -> count
        self.spared = collections.Counter()                 # operation -> lost answers not injected
        self.answers = collections.defaultdict(list)        # task token -> [Attempt], in order
        self.delivered = {}                                 # task token -> (poll operation, workflow id, what)
        self._abort = set()                                 # sockets to reset instead of closing
        proxy = self

        class handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                operation = self.headers.get("X-Amz-Target", "").rpartition(".")[2]
                answer = proxy._handle(operation, self.headers, body)
                if answer is None:
                    with proxy.lock:
                        proxy._abort.add(self.connection)
                    self.close_connection = True
                    return
                status, headers, payload = answer
                self.send_response(status)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        class server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def shutdown_request(self, request):
                with proxy.lock:
                    abort = request in proxy._abort
                    proxy._abort.discard(request)
                if not abort:
                    return super().shutdown_request(request)
                # SO_LINGER with a zero timeout: close() sends RST, not FIN.
                try:
                    request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                except OSError:
                    pass
                self.close_request(request)

        self.loopback = LoopbackServer(handler, server_class=server, name="fault-proxy")

    @property
    def endpoint_url(self):
        return self.loopback.endpoint_url

    def start(self):
        self.loopback.start()
        return self

    def stop(self):
        self.loopback.stop()

    def _draw(self, operation):
        """The fault for this call of `operation`, or None."""
        with self.lock:
            self.requests[operation] += 1
            if operation in self.script:
                queue = self.script[operation]
                return queue.pop(0) if queue else None
            r = self._random.get(operation)
            if r is None:
                r = self._random[operation] = random.Random("%s:%s" % (self.seed, operation))
            # Two draws every time, so the stream does not depend on the outcome.
            hit, pick = r.random(), r.randrange(len(self.faults))
        return self.faults[pick] if hit < self.rate else None

    def _count(self, operation, fault):
        with self.lock:
            self.injected[(operation, fault)] += 1

    def _record_answer(self, operation, body, injected, status, answer, reached):
        token = json.loads(body or b"{}").get("taskToken", "")
        fault_type = ""
        if not 200 <= status < 300:
            try:
                fault_type = json.loads(answer or b"{}").get("__type", "").rpartition("#")[2]
            except ValueError:
                fault_type = "(not JSON)"
        attempt = Attempt(time.monotonic() - self.made_at, operation, injected, status, fault_type, reached)
        with self.lock:
            self.answers[token].append(attempt)

    def _handle(self, operation, headers, body):
        """(status, headers, body) to answer with, or None to reset the connection."""
        fault = self._draw(operation)
        if fault in ERROR_ANSWERS or fault == "reset":
            self._count(operation, fault)
            status, error = ERROR_ANSWERS.get(fault, (0, {}))
            payload = json.dumps(error).encode()
            if operation in ANSWERS:
                self._record_answer(operation, body, fault, status, payload, reached=False)
            if fault == "reset":
                return None
            return status, [("Content-Type", "application/x-amz-json-1.0")], payload
        status, kept, answer = self._forward(headers, body)
        lost = fault == "lost_answer"
        if operation in POLLS and status == 200:
            task = json.loads(answer or b"{}")
            if task.get("taskToken"):
                if lost:
                    # SWF can lose such an answer too: the task then times
                    # out (moto runs timeouts lazily, and times activity
                    # tasks out on heartbeats only, i.e. never for the
                    # example's types). The test checks that the runtime
                    # loses nothing it could have kept, so a poll that
                    # carried a task is always delivered.
                    lost = False
                    with self.lock:
                        self.spared[operation] += 1
                what = task.get("activityId") or "decision task started at event %s" % task.get("startedEventId")
                with self.lock:
                    self.delivered[task["taskToken"]] = (
                        operation, task.get("workflowExecution", {}).get("workflowId"), what)
        if operation in ANSWERS:
            self._record_answer(operation, body, fault if lost else None, status, answer, reached=True)
        if lost:
            self._count(operation, fault)
            return None
        return status, kept, answer

    def _forward(self, headers, body):
        conn = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=UPSTREAM_TIMEOUT)
        try:
            forward = {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP}
            conn.request("POST", "/", body=body, headers=forward)
            r = conn.getresponse()
            status, answer = r.status, r.read()
            kept = [(k, v) for k, v in r.getheaders() if k.lower() not in HOP_BY_HOP]
        finally:
            conn.close()
        return status, kept, answer

    # ---- what a test reads ----

    def task_of(self, token):
        """(poll operation, workflow id, what) of a delivered task token."""
        with self.lock:
            return self.delivered.get(token, ("?", "?", "?"))

    def answered_twice(self):
        """{task token: attempts} for tokens moto accepted more than one answer for."""
        with self.lock:
            return {t: list(a) for t, a in self.answers.items() if sum(x.succeeded for x in a) > 1}

    def never_answered(self):
        """{task token: (poll, workflow id, what, attempts)} for tasks delivered
        to the worker that moto never accepted an answer for."""
        with self.lock:
            return {t: d + (list(self.answers.get(t, [])),) for t, d in self.delivered.items()
                    if not any(x.succeeded for x in self.answers.get(t, []))}

    def retried_after_lost_answer(self):
        """{task token: attempts} for answers the worker sent again after
        the proxy had lost moto's answer to an earlier one."""
        with self.lock:
            out = {}
            for t, attempts in self.answers.items():
                lost = [i for i, a in enumerate(attempts) if a.reached and a.injected == "lost_answer"]
                if lost and len(attempts) > lost[0] + 1:
                    out[t] = list(attempts)
            return out

    def summary(self):
        """A table: per operation, requests and each fault injected."""
        with self.lock:
            ops = sorted(self.requests)
            columns = list(self.faults) + ["spared"]
            rows = [["operation", "requests"] + columns]
            for op in ops:
                rows.append([op, str(self.requests[op])] + [str(self.injected[(op, f)]) for f in self.faults]
                            + [str(self.spared[op])])
            rows.append(["total", str(sum(self.requests.values()))]
                        + [str(sum(n for (_, f), n in self.injected.items() if f == fault)) for fault in self.faults]
                        + [str(sum(self.spared.values()))])
            # What moto said to an answer that reached it after an earlier one had.
            again = collections.Counter()
            for attempts in self.answers.values():
                reached = [a for a in attempts if a.reached]
                for a in reached[1:]:
                    again["%s: %s" % (a.operation, "ok" if a.succeeded else a.fault_type)] += 1
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        lines = ["faults injected (rate %.2f, seed %s; spared = lost answers not injected on a poll that "
                 "carried a task):" % (self.rate, self.seed)]
        lines += ["  " + "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths)))
                  for r in rows]
        lines.append("answers by task token that reached moto after an earlier one had: %s"
                     % (", ".join("%s x%d" % kv for kv in sorted(again.items())) or "none"))
        return "\n".join(lines)
