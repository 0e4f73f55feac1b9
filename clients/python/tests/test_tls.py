"""
https: URLs against a loopback TLS server with a self-signed certificate for localhost and
127.0.0.1: trusted through ``ssl_context`` or the environment's ``SSL_CERT_FILE``, by name and
by address, for JSON requests (the client's own HTTP/1.1) and event streams (``http.client``);
refused, before any request is sent, when nothing trusts it.
"""
from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import List

from spool_client import Client, SpoolConnectionError

FIXTURES = Path(__file__).resolve().parents[2] / "typescript" / "test" / "fixtures"
CERT, KEY = str(FIXTURES / "localhost.crt"), str(FIXTURES / "localhost.key")
JOB = {"id": "7", "queue": "q", "state": "completed", "result": {"sum": 42}}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    paths: List[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        Handler.paths.append(self.path)
        status, kind, body = 404, "application/json", b'{"error": {"code": "not_found", "message": "no such path"}}'
        if self.path == "/v1/jobs/7":
            status, body = 200, json.dumps(JOB).encode()
        elif self.path.startswith("/v1/events?"):
            status, kind, body = 200, "text/event-stream", f"id: 3\nevent: job.completed\ndata: {json.dumps({'job': JOB})}\n\n".encode()
        self.send_response(status)
        self.send_header("content-type", kind)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class TlsServer:
    def __init__(self) -> None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(CERT, KEY)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        # A refused handshake fails in accept(), which the server logs and survives.
        self.httpd.handle_error = lambda *args: None  # type: ignore[method-assign]
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class TlsTest(unittest.TestCase):
    server: TlsServer

    @classmethod
    def setUpClass(cls) -> None:
        cls.server = TlsServer()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.server.close()

    def setUp(self) -> None:
        Handler.paths = []

    def urls(self) -> List[str]:
        return [f"https://localhost:{self.server.port}", f"https://127.0.0.1:{self.server.port}"]

    def test_a_context_that_trusts_the_certificate_reads_by_name_and_by_address(self) -> None:
        for url in self.urls():
            with self.subTest(url=url), Client(url, ssl_context=ssl.create_default_context(cafile=CERT)) as client:
                self.assertEqual(client.get_job("7"), JOB)
                self.assertEqual(client.wait_for_result("7", timeout=10), {"sum": 42})
        self.assertEqual(len(Handler.paths), 4)

    def test_the_environments_trusted_certificates_are_the_default(self) -> None:
        script = "import json, sys\nfrom spool_client import Client\nc = Client(sys.argv[1])\nprint(json.dumps([c.get_job('7'), c.wait_for_result('7', timeout=10)]))"
        env = {**os.environ, "SSL_CERT_FILE": CERT}
        for url in self.urls():
            with self.subTest(url=url):
                run = subprocess.run([sys.executable, "-c", script, url], env=env, cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True, timeout=60)
                self.assertEqual(run.returncode, 0, run.stderr)
                self.assertEqual(json.loads(run.stdout), [JOB, {"sum": 42}])

    def test_a_certificate_nothing_trusts_is_refused_before_a_request_is_sent(self) -> None:
        with Client(self.urls()[0], retry_s=0) as client:
            with self.assertRaises(SpoolConnectionError) as caught:
                client.get_job("7")
        self.assertIn("CERTIFICATE_VERIFY_FAILED", str(caught.exception))
        self.assertEqual(Handler.paths, [])


if __name__ == "__main__":
    unittest.main()
