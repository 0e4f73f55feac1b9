"""
The transport's own HTTP/1.1 against loopback servers that answer as scripted, some of them
badly on purpose: chunked and close-delimited bodies, a connection the server closes, an
answer cut off, a kept-alive connection dropped while idle, an abort, an error with its
retry hint. (Against the real server, every other test module goes through it too.)
"""
from __future__ import annotations

import socket
import threading
import time
import unittest
from typing import Callable, List, Optional

from spool_client import SpoolConnectionError, StorageUnavailable
from spool_client.transport import Transport

#: What a scripted server does with one request on a connection: write bytes back, or None to close it.
Reply = Callable[[bytes], Optional[bytes]]


class ScriptedServer:
    """A loopback server: each request (read up to its blank line and Content-Length body) gets the next reply in turn."""

    def __init__(self, replies: List[Reply]) -> None:
        self.replies = list(replies)
        self.connections = 0
        self.requests: List[bytes] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.closing = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.closing = True
        self.listener.close()

    def _serve(self) -> None:
        while not self.closing:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._talk, args=(conn,), daemon=True).start()

    def _talk(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        reader = conn.makefile("rb")
        try:
            while self.replies:
                head = b""
                while not head.endswith(b"\r\n\r\n"):
                    line = reader.readline()
                    if not line:
                        return
                    head += line
                length = 0
                for line in head.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                request = head + (reader.read(length) if length else b"")
                self.requests.append(request)
                script = self.replies.pop(0)
                reply = script(request)
                if reply is None:
                    return
                conn.sendall(reply)
                if getattr(script, "close_after", False):
                    return
        except OSError:
            return
        finally:
            reader.close()
            conn.close()


def answer(body: bytes, status: str = "200 OK", headers: str = "") -> Reply:
    return lambda _request: f"HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n{headers}\r\n".encode() + body


def then_close(reply: Reply) -> Reply:
    """The reply, then the connection closed without a word."""
    def closing(request: bytes) -> Optional[bytes]:
        return reply(request)
    closing.close_after = True  # type: ignore[attr-defined]
    return closing


class TransportTests(unittest.TestCase):
    def serve(self, *replies: Reply) -> ScriptedServer:
        server = ScriptedServer(list(replies))
        self.addCleanup(server.close)
        return server

    def transport(self, server: ScriptedServer, timeout: float = 5.0) -> Transport:
        transport = Transport(server.url, token="secret", timeout=timeout)
        self.addCleanup(transport.close)
        return transport

    def test_a_request_carries_its_headers_and_body_and_keeps_its_connection(self) -> None:
        server = self.serve(answer(b'{"a":1}'), answer(b'{"b":2}'))
        transport = self.transport(server)
        self.assertEqual(transport.request("POST", "/v1/x", body={"n": 1}), {"a": 1})
        self.assertEqual(transport.request("GET", "/v1/y", query={"q": "a b"}), {"b": 2})
        self.assertEqual(server.connections, 1)
        first, second = server.requests
        self.assertTrue(first.startswith(b"POST /v1/x HTTP/1.1\r\n"))
        self.assertIn(f"host: 127.0.0.1:{server.port}\r\n".encode(), first)
        self.assertIn(b"authorization: Bearer secret\r\n", first)
        self.assertIn(b"content-type: application/json\r\n", first)
        self.assertTrue(first.endswith(b'content-length: 7\r\n\r\n{"n":1}'))
        self.assertTrue(second.startswith(b"GET /v1/y?q=a+b HTTP/1.1\r\n"))
        self.assertNotIn(b"content-length", second)

    def test_chunked_and_close_delimited_bodies(self) -> None:
        chunked = lambda _r: b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n3;x=y\r\n:1}\r\n0\r\n\r\n"  # noqa: E731
        until_close = then_close(lambda _r: b"HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n[1,2]")
        server = self.serve(chunked, until_close, answer(b"true"))
        transport = self.transport(server)
        self.assertEqual(transport.request("GET", "/a"), {"a": 1})
        self.assertEqual(transport.request("GET", "/b"), [1, 2])
        # The server closed after the close-delimited answer: the next request opens a new connection.
        self.assertEqual(transport.request("GET", "/c"), True)
        self.assertEqual(server.connections, 2)

    def test_a_connection_the_server_closes_when_it_says_so_is_not_used_again(self) -> None:
        # The server keeps its side open: only the header tells the client not to reuse it.
        server = self.serve(answer(b"1", headers="connection: close\r\n"), answer(b"2"))
        transport = self.transport(server)
        self.assertEqual(transport.request("GET", "/a"), 1)
        self.assertEqual(transport.request("GET", "/b"), 2)
        self.assertEqual(server.connections, 2)

    def test_a_kept_alive_connection_dropped_while_idle_is_replaced(self) -> None:
        server = self.serve(then_close(answer(b"1")), answer(b"2"))
        transport = self.transport(server)
        self.assertEqual(transport.request("GET", "/a"), 1)
        # The server closed its side after answering, without saying so (as an idle timeout does).
        time.sleep(0.1)
        self.assertEqual(transport.request("GET", "/b"), 2)
        self.assertEqual(server.connections, 2)

    def test_an_answer_cut_off_is_a_connection_error(self) -> None:
        server = self.serve(then_close(lambda _r: b'HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{"partial"'), answer(b"3"))
        transport = self.transport(server)
        with self.assertRaises(SpoolConnectionError) as caught:
            transport.request("GET", "/a")
        self.assertIn("cut off", str(caught.exception))
        self.assertEqual(transport.request("GET", "/b"), 3)

    def test_no_answer_at_all_and_not_http_are_connection_errors(self) -> None:
        server = self.serve(lambda _r: None, lambda _r: b"SSH-2.0-OpenSSH\r\n\r\n")
        transport = self.transport(server)
        with self.assertRaises(SpoolConnectionError) as closed:
            transport.request("GET", "/a")
        self.assertIn("without answering", str(closed.exception))
        with self.assertRaises(SpoolConnectionError) as garbled:
            transport.request("GET", "/b")
        self.assertIn("not an HTTP answer", str(garbled.exception))

    def test_an_error_answer_is_raised_with_its_retry_hint(self) -> None:
        body = b'{"error":{"code":"storage_unavailable","message":"disk full"}}'
        server = self.serve(answer(body, status="503 Service Unavailable", headers="retry-after: 7\r\n"))
        transport = self.transport(server)
        with self.assertRaises(StorageUnavailable) as caught:
            transport.request("POST", "/v1/x", body={})
        self.assertEqual(caught.exception.retry_after, 7.0)
        self.assertEqual(caught.exception.status, 503)

    def test_a_server_that_never_answers_times_out_and_an_abort_breaks_the_wait(self) -> None:
        silent = lambda _r: b""  # noqa: E731 — reads the request, answers nothing
        # A third reply keeps the server reading each connection after its silence.
        server = self.serve(silent, silent, silent)
        transport = self.transport(server, timeout=0.3)
        started = time.monotonic()
        with self.assertRaises(SpoolConnectionError) as timed_out:
            transport.request("GET", "/slow")
        self.assertIn("did not answer in time", str(timed_out.exception))
        self.assertLess(time.monotonic() - started, 3)

        conn = transport.connection()
        threading.Timer(0.2, conn.abort).start()
        started = time.monotonic()
        with self.assertRaises(SpoolConnectionError) as aborted:
            transport.request("GET", "/long-poll", conn=conn, timeout=30)
        self.assertIn("aborted", str(aborted.exception))
        self.assertLess(time.monotonic() - started, 5)
        with self.assertRaises(SpoolConnectionError):
            transport.request("GET", "/after", conn=conn)

    def test_a_header_with_a_line_break_is_refused_before_anything_is_sent(self) -> None:
        server = self.serve(answer(b"1"))
        transport = self.transport(server)
        with self.assertRaises(ValueError):
            transport.request("GET", "/a", headers={"x-bad": "a\r\nx-injected: 1"})
        self.assertEqual(server.requests, [])


if __name__ == "__main__":
    unittest.main()
