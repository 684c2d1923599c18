"""What the local SWF endpoints of the Python tests (DevServer, MotoServer)
share: a process group of their own that stop_group() ends, and a log file."""

import os
import signal
import subprocess


def stop_group(process, grace):
    """SIGTERM to the process group of `process`, SIGKILL after `grace` seconds."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=grace)


class LoggedServer:
    """A server process whose output goes to log_path; subclasses start() and stop() it."""

    log_path = None

    def remove_log(self):
        if self.log_path and os.path.exists(self.log_path):
            os.unlink(self.log_path)
        self.log_path = None

    def log(self):
        if not self.log_path or not os.path.exists(self.log_path):
            return ""
        with open(self.log_path, "r", errors="replace") as f:
            return f.read()

    def log_tail(self, max_chars=3000):
        text = self.log()
        return text if len(text) <= max_chars else "..." + text[-max_chars:]

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False
