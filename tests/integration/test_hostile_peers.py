"""`swf-runtime` against peers that misbehave, on loopback only.

A small scripted HTTP(S) server of the test's own plays SWF badly: it holds
requests without answering, answers with SWF's InvalidSignatureException
quoting the canonical request (security token included, as SWF does), or
with a 2 MiB error body. Checked through the process: its exit status, its
log, its printed errors. Every wait is bounded.

Run from tests/integration:  python3 -m unittest -v test_hostile_peers
"""

import http.server
import json
import os
import shutil
import signal
import ssl
import subprocess
import tempfile
import threading
import time
import unittest

import test_runtime_e2e as e2e
from loopback import LoopbackServer

SESSION_TOKEN = "FwoGZXIvYXdzEXAMPLEsessionTOKENthatMUSTnotBEloggedAAAA"
SECRET_KEY = "hostile/peer/secret/KEYthatMUSTnotBElogged"


def setUpModule():
    e2e.setUpModule()


class ScriptedPeer:
    """A threaded HTTP server on 127.0.0.1:0; `behaviour(handler, body)` answers each request."""

    def __init__(self, behaviour, tls_context=None):
        peer = self
        self.behaviour = behaviour
        self.requests = 0
        self.lock = threading.Lock()

        class handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length) if length else b""
                with peer.lock:
                    peer.requests += 1
                peer.behaviour(self, body)

        self.loopback = LoopbackServer(handler, tls_context=tls_context, name="scripted-peer")
        self.port = self.loopback.port

    def start(self):
        self.loopback.start()
        return self

    def stop(self):
        self.loopback.stop()


def answer(handler, status, body, content_type="application/x-amz-json-1.0"):
    data = body if isinstance(body, bytes) else body.encode()
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


def invalid_signature(handler, body):
    # SWF quotes the canonical request it expected, with every signed header.
    token = handler.headers.get("X-Amz-Security-Token", "")
    message = ("The request signature we calculated does not match the signature you provided. The Canonical "
               "String for this request should have been\n'POST\n/\n\ncontent-type:application/x-amz-json-1.0\n"
               "host:127.0.0.1\nx-amz-date:20260101T000000Z\nx-amz-security-token:%s\nx-amz-target:%s\n\n"
               "content-type;host;x-amz-date;x-amz-security-token;x-amz-target\nabc'\n\nAuthorization: %s"
               % (token, handler.headers.get("X-Amz-Target", ""), handler.headers.get("Authorization", "")))
    answer(handler, 400, json.dumps({"__type": "com.amazon.coral.service#InvalidSignatureException",
                                     "message": message}))


def huge_error(handler, body):
    answer(handler, 500, json.dumps({"__type": "com.amazon.coral.availability#InternalFailure",
                                     "message": "x" * (2 * 1024 * 1024)}))


def hold(handler, body):
    time.sleep(30)  # longer than the test waits; the server thread is a daemon


def config_with_token(endpoint_url, directory):
    text = e2e.config_text(endpoint_url=endpoint_url, domain="hostile", workers=[
        {"kind": "activity", "task_list": "acts", "handlers": ["greet"]}])
    text = text.replace("    secret_access_key: %s\n" % e2e.q(e2e.SECRET_KEY),
                        "    secret_access_key: %s\n    session_token: %s\n" % (e2e.q(SECRET_KEY),
                                                                               e2e.q(SESSION_TOKEN)))
    path = os.path.join(directory, "runtime.yaml")
    with open(path, "w") as f:
        f.write(text)
    return path


class HostilePeerTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="swfrt-hostile-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def peer(self, behaviour, tls_context=None):
        p = ScriptedPeer(behaviour, tls_context).start()
        self.addCleanup(p.stop)
        return p

    def runtime(self, config_path):
        r = e2e.RuntimeProcess(config_path).start()
        self.addCleanup(r.terminate)
        return r

    def test_sigterm_during_start_up_registration_exits_cleanly_with_a_log_line(self):
        peer = self.peer(hold)
        r = self.runtime(config_with_token("http://127.0.0.1:%d" % peer.port, self.dir))
        deadline = time.monotonic() + 10
        while peer.requests == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertGreater(peer.requests, 0, "the runtime never sent its registration")
        os.kill(r.process.pid, signal.SIGTERM)
        status = r.wait_exit(5)
        self.assertEqual(status, 0, "exit status %r; log:\n%s" % (status, r.log_tail()))
        self.assertIn("shutdown requested during start-up registration", r.log())

    def test_the_session_token_and_secrets_never_reach_the_log(self):
        peer = self.peer(invalid_signature)
        r = self.runtime(config_with_token("http://127.0.0.1:%d" % peer.port, self.dir))
        self.assertIsNotNone(r.wait_exit(20), "the runtime did not give up on a refused registration")
        log = r.log()
        self.assertIn("InvalidSignatureException", log)
        self.assertIn("x-amz-security-token:<redacted>", log)
        self.assertNotIn(SESSION_TOKEN, log)
        self.assertNotIn(SESSION_TOKEN[:20], log)
        self.assertNotIn(SECRET_KEY, log)
        self.assertNotIn("Signature=" + "0", log)  # no signature value (hex) follows Signature=
        for line in log.splitlines():
            i = line.find("Signature=")
            if i >= 0:
                self.assertTrue(line[i:].startswith("Signature=<redacted>"), line)

    def test_api_prints_a_redacted_error_without_the_token(self):
        peer = self.peer(invalid_signature)
        env = e2e.child_env()
        env.update(AWS_ACCESS_KEY_ID="ASIAEXAMPLEEXAMPLE12", AWS_SECRET_ACCESS_KEY=SECRET_KEY,
                   AWS_SESSION_TOKEN=SESSION_TOKEN)
        p = subprocess.run([e2e.BIN, "api", "ListDomains", "--input", '{"registrationStatus":"REGISTERED"}',
                            "--endpoint-url", "http://127.0.0.1:%d" % peer.port, "--region", e2e.REGION],
                           capture_output=True, text=True, timeout=30, env=env)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("InvalidSignatureException", p.stderr)
        self.assertNotIn(SESSION_TOKEN, p.stderr + p.stdout)
        self.assertNotIn(SECRET_KEY, p.stderr + p.stdout)

    def test_a_two_megabyte_error_body_is_logged_cut_short(self):
        peer = self.peer(huge_error)
        r = self.runtime(config_with_token("http://127.0.0.1:%d" % peer.port, self.dir))
        # Registration keeps trying through 5xx answers: let it fail twice
        # (six 2 MiB answers), then stop it.
        deadline = time.monotonic() + 30
        while r.log().count("registration failed; trying again") < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertGreaterEqual(r.log().count("registration failed; trying again"), 2, r.log_tail())
        self.assertEqual(r.terminate(), 0, r.log_tail())
        self.assertGreaterEqual(peer.requests, 6)
        size = os.path.getsize(r.log_path)
        self.assertLess(size, 200 * 1024, "the log grew to %d bytes" % size)
        self.assertIn("more bytes]", r.log())


def make_private_ca(directory):
    """A CA and a localhost certificate made with the openssl command; (ca.pem, cert.pem, key.pem)."""
    ca_key, ca_pem = os.path.join(directory, "ca.key"), os.path.join(directory, "ca.pem")
    key, csr, cert = (os.path.join(directory, n) for n in ("srv.key", "srv.csr", "srv.pem"))
    ext = os.path.join(directory, "ext.cnf")
    with open(ext, "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    run = lambda *a: subprocess.run(a, check=True, capture_output=True, timeout=60)
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca_pem,
        "-days", "2", "-subj", "/CN=swfrt test CA")
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=localhost")
    run("openssl", "x509", "-req", "-in", csr, "-CA", ca_pem, "-CAkey", ca_key, "-CAcreateserial", "-out", cert,
        "-days", "2", "-extfile", ext)
    return ca_pem, cert, key


class PrivateCaTest(unittest.TestCase):
    """`swf-runtime api` trusts a private CA from --ca-file, AWS_CA_BUNDLE or the profile's ca_bundle."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="swfrt-ca-")
        cls.ca, cert, key = make_private_ca(cls.dir)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)

        def domains(handler, body):
            answer(handler, 200, json.dumps({"domainInfos": [{"name": "private-ca", "status": "REGISTERED"}]}))

        cls.peer = ScriptedPeer(domains, ctx).start()

    @classmethod
    def tearDownClass(cls):
        cls.peer.stop()
        shutil.rmtree(cls.dir, True)

    def api(self, extra_args=(), extra_env=None):
        env = e2e.child_env()
        env.update(AWS_ACCESS_KEY_ID="AKIDPRIVATECA", AWS_SECRET_ACCESS_KEY="private/ca/secret")
        env.update(extra_env or {})
        return subprocess.run([e2e.BIN, "api", "ListDomains", "--input", '{"registrationStatus":"REGISTERED"}',
                               "--endpoint-url", "https://localhost:%d" % self.peer.port, "--region", e2e.REGION]
                              + list(extra_args), capture_output=True, text=True, timeout=30, env=env)

    def test_an_untrusted_private_ca_is_refused(self):
        p = self.api()
        self.assertNotEqual(p.returncode, 0, p.stdout)
        self.assertIn("TlsVerificationFailed", p.stderr)

    def test_ca_file_flag(self):
        p = self.api(["--ca-file", self.ca])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("private-ca", p.stdout)

    def test_aws_ca_bundle(self):
        p = self.api(extra_env={"AWS_CA_BUNDLE": self.ca})
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("private-ca", p.stdout)

    def test_profile_ca_bundle(self):
        config = os.path.join(self.dir, "config")
        with open(config, "w") as f:
            f.write("[default]\nca_bundle = %s\n" % self.ca)
        p = self.api(extra_env={"AWS_CONFIG_FILE": config})
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("private-ca", p.stdout)

    def test_an_unreadable_ca_file_is_a_clear_error(self):
        p = self.api(["--ca-file", os.path.join(self.dir, "missing.pem")])
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("InvalidCaBundle", p.stderr)
        self.assertIn("missing.pem", p.stderr)


if __name__ == "__main__":
    unittest.main()
