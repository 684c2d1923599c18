"""A threaded HTTP server on 127.0.0.1, port 0, for the tests' own peers
(proxies in front of moto_server, scripted misbehaving servers): started
and stopped by the test, its request threads daemons so a held request never
keeps the test process alive."""

import http.server
import threading


class LoopbackServer:
    def __init__(self, handler_class, server_class=http.server.ThreadingHTTPServer, tls_context=None,
                 name="loopback-server"):
        self.server = server_class(("127.0.0.1", 0), handler_class)
        self.server.daemon_threads = True
        if tls_context is not None:
            self.server.socket = tls_context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, name=name, daemon=True)

    @property
    def port(self):
        return self.server.server_address[1]

    @property
    def endpoint_url(self):
        return "http://127.0.0.1:%d" % self.port

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)
