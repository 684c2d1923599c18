"""`swf-runtime dev-server` on a free loopback port, for the Python tests.

DevServer(binary).start() runs `BINARY dev-server --listen 127.0.0.1:0
[--domain NAME]...` in a process group of its own and reads the one line it
prints when it listens:

    swf-runtime dev-server listening on http://127.0.0.1:PORT; state in memory

(bounded: ready_within seconds; if the line does not come, or is not that
line, start() stops the process and raises RuntimeError with its stderr).
stop() ends the group: SIGTERM, then SIGKILL after a grace period; it
asserts nothing, and leaves the exit status in returncode and whatever was
printed after the banner in extra_stdout for the tests that check them.
client(endpoint_url) is a boto3 SWF client for any SWF endpoint on loopback.
"""

import os
import re
import select
import subprocess
import tempfile
import threading
import time

import boto3
from botocore.config import Config

from server_process import LoggedServer, stop_group

REGION = "us-east-1"
ACCESS_KEY = "AKIDDEVSERVERTESTS"
SECRET_KEY = "dev/server/tests/secret/key/not/checked"
BANNER = re.compile(r"^swf-runtime dev-server listening on (http://127\.0\.0\.1:([0-9]{1,5})); state in "
                    r"(memory|[^;]+)(; time skipping)?(; web page at /)?$")


def client(endpoint_url, read_timeout=70, parameter_validation=True):
    """A boto3 SWF client for endpoint_url with dummy credentials and no
    retries. read_timeout should exceed the 60 s long poll where a poll may
    have to wait; parameter_validation=False sends what botocore would refuse,
    so that the server is the one to refuse it."""
    return boto3.client("swf", region_name=REGION, endpoint_url=endpoint_url,
                        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                        config=Config(retries={"mode": "standard", "max_attempts": 1},
                                      connect_timeout=5, read_timeout=read_timeout,
                                      parameter_validation=parameter_validation))


class DevServer(LoggedServer):
    def __init__(self, binary, domains=(), ready_within=20.0, stop_grace=5.0, args=()):
        self.binary = binary
        self.domains = list(domains)
        self.args = list(args)  # more flags, e.g. --long-poll-seconds 2
        self.ready_within = ready_within
        self.stop_grace = stop_grace
        self.process = None
        self.endpoint_url = None
        self.port = None
        self.banner = None
        self.returncode = None
        self.extra_stdout = b""
        self.log_path = None
        self._drain = None

    @property
    def command(self):
        args = [self.binary, "dev-server", "--listen", "127.0.0.1:0"]
        for name in self.domains:
            args += ["--domain", name]
        return args + self.args

    def start(self):
        """Starts the server; raises RuntimeError saying why it is not serving."""
        fd, self.log_path = tempfile.mkstemp(prefix="swfrt-dev-server-", suffix=".log")
        os.close(fd)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                            stderr=log, start_new_session=True)
        try:
            line = self._read_banner()
        except BaseException:
            self.stop()
            raise
        match = BANNER.match(line)
        if match is None:
            self.stop()
            raise RuntimeError("%s printed %r where it should print its banner "
                               "'swf-runtime dev-server listening on http://127.0.0.1:PORT; state in memory'; "
                               "stderr (%s):\n%s" % (" ".join(self.command), line, self.log_path, self.log_tail()))
        self.banner = line
        self.endpoint_url = match.group(1)
        self.port = int(match.group(2))
        # Whatever it prints later is kept, and read so a full pipe never blocks it.
        self._drain = threading.Thread(target=self._drain_stdout, name="dev-server-stdout", daemon=True)
        self._drain.start()
        return self

    def _read_banner(self):
        deadline = time.monotonic() + self.ready_within
        stdout = self.process.stdout
        data = b""
        while b"\n" not in data:
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError("%s printed no banner line within %.0f s (so far %r); stderr (%s):\n%s"
                                   % (" ".join(self.command), self.ready_within, data, self.log_path,
                                      self.log_tail()))
            readable, _, _ = select.select([stdout], [], [], min(left, 0.2))
            if not readable:
                if self.process.poll() is not None:
                    break
                continue
            chunk = os.read(stdout.fileno(), 4096)
            if not chunk:
                break
            data += chunk
        if b"\n" not in data:
            try:
                self.process.wait(timeout=self.stop_grace)
            except subprocess.TimeoutExpired:
                pass  # it closed its stdout but runs on; stop() ends it
            raise RuntimeError("%s exited (status %s) before printing its banner line (printed %r); stderr (%s):\n%s"
                               % (" ".join(self.command), self.process.returncode, data, self.log_path,
                                  self.log_tail()))
        line, _, rest = data.partition(b"\n")
        self.extra_stdout = rest
        return line.decode("utf-8", "replace").rstrip("\r")

    def _drain_stdout(self):
        stdout = self.process.stdout if self.process else None
        if stdout is None:
            return
        try:
            while True:
                chunk = os.read(stdout.fileno(), 4096)
                if not chunk:
                    return
                self.extra_stdout += chunk
        except (OSError, ValueError):
            return

    def stop(self):
        """SIGTERM to the group, SIGKILL after stop_grace; returns the exit status."""
        if self.process is None:
            return self.returncode
        process, self.process = self.process, None
        stop_group(process, self.stop_grace)
        if self._drain is not None:
            self._drain.join(timeout=self.stop_grace)
        if process.stdout is not None:
            process.stdout.close()
        self.returncode = process.returncode
        return self.returncode
