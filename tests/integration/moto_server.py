"""moto_server, a third-party SWF emulator, on a free loopback port.

The Python integration tests start one with MotoServer().start(), which waits
(bounded) until it accepts TCP connections, and stop it with stop(), which
ends its whole process group: SIGTERM, then SIGKILL after a grace period.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time

from server_process import LoggedServer, stop_group

INSTALL_HINT = ('moto_server is not on PATH; install it with: pip install "moto[server]" '
                '(tests/run.sh does)')


def free_loopback_port():
    """A port the kernel considers free on 127.0.0.1 (bound to port 0, read, closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def accepts_connections(port, timeout=0.5):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


class MotoServer(LoggedServer):
    def __init__(self, ready_within=30.0, stop_grace=5.0):
        self.ready_within = ready_within
        self.stop_grace = stop_grace
        self.port = None
        self.process = None
        self.log_path = None

    @property
    def endpoint_url(self):
        return "http://127.0.0.1:%d" % self.port

    def start(self):
        """Starts moto_server; raises RuntimeError saying why it is not serving."""
        program = shutil.which("moto_server")
        if program is None:
            raise RuntimeError(INSTALL_HINT)
        fd, self.log_path = tempfile.mkstemp(prefix="swfrt-moto-", suffix=".log")
        os.close(fd)
        deadline = time.monotonic() + self.ready_within
        # A moto that exits at once most likely lost its port to another
        # process between our probe and its bind: try a fresh port.
        for _ in range(3):
            self.port = free_loopback_port()
            with open(self.log_path, "ab") as log:
                self.process = subprocess.Popen(
                    [program, "-H", "127.0.0.1", "-p", str(self.port)],
                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True)
            while True:
                if self.process.poll() is not None:
                    break
                if accepts_connections(self.port):
                    return self
                if time.monotonic() >= deadline:
                    self.stop()
                    raise RuntimeError("moto_server on port %d did not accept connections within %.0f s; "
                                       "log %s:\n%s" % (self.port, self.ready_within, self.log_path,
                                                        self.log_tail()))
                time.sleep(0.05)
            code = self.process.returncode
            self.process = None
            if time.monotonic() >= deadline:
                break
        raise RuntimeError("moto_server on port %d exited (status %s) before accepting connections; log %s:\n%s"
                           % (self.port, code, self.log_path, self.log_tail()))

    def stop(self):
        if self.process is None:
            return
        process, self.process = self.process, None
        stop_group(process, self.stop_grace)
