"""HTTP to one spool server with the standard library: keep-alive connections, JSON bodies, errors as typed exceptions."""
from __future__ import annotations

import http.client
import json
import select
import socket
import ssl
import threading
import time
from typing import Any, Dict, List, Mapping, Optional, Tuple
from urllib.parse import urlencode, urlsplit

from .errors import RateLimited, SpoolConnectionError, StorageUnavailable, error_from_answer

VERSION = "0.1.0"

#: A connection unused for longer than this is opened again rather than trusted (servers close idle ones).
IDLE_REOPEN_S = 20.0

_NO_BODY = object()

#: Bounds on an answer's head, as http.client keeps them: a line's length and the number of headers.
_MAX_LINE = 65536
_MAX_HEADERS = 100


class _BadAnswer(Exception):
    """What came back is not an HTTP answer this client can read."""


class Answer:
    """A whole HTTP answer: its status, its headers (names in lower case) and its body."""

    __slots__ = ("status", "headers", "body")

    def __init__(self, status: int, headers: Dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def getheader(self, name: str) -> Optional[str]:
        return self.headers.get(name.lower())


class Connection:
    """
    One keep-alive connection for one thread at a time; ``abort()`` from another thread breaks a
    request in flight. JSON requests (``exchange``) speak HTTP/1.1 on the socket themselves:
    ``http.client`` spent about 200–235 µs of CPU a request (most of it parsing the answer's
    headers with the e-mail parser) against about 70 µs, and a worker makes one per batch, a
    producer one per job. A streamed answer (server-sent events, ``send``) goes through
    ``http.client``, which reads its chunks as they come.
    """

    def __init__(self, host: str, port: Optional[int], tls: Optional[ssl.SSLContext]) -> None:
        """``tls``: the context an https: server's certificate is checked with; None for http:."""
        self._host, self._port, self._tls = host, port, tls
        self._conn: Optional[http.client.HTTPConnection] = None
        self._sock: Optional[socket.socket] = None
        self._reader: Any = None
        self._last_used = 0.0
        self._aborted = False

    # JSON requests

    def exchange(self, method: str, target: str, body: Optional[bytes], headers: Dict[str, str], timeout: float) -> Answer:
        """Sends a request and reads its whole answer; the connection stays open for the next request when the server allows it."""
        if self._aborted:
            raise SpoolConnectionError("the request was aborted")
        head = _request_head(method, target, self._host_header(), headers, body)
        try:
            sock = self._socket(timeout)
            sock.sendall(head + body if body else head)
            answer, close = _read_answer(self._reader, method)
        except (OSError, _BadAnswer) as err:
            self.close()
            raise SpoolConnectionError(_describe(err, self._aborted)) from err
        self._last_used = time.monotonic()
        if close:
            self.close()
        return answer

    def _socket(self, timeout: float) -> socket.socket:
        sock = self._sock
        if sock is not None and (time.monotonic() - self._last_used > IDLE_REOPEN_S or _dropped(sock)):
            self._close_socket()
            sock = None
        if sock is None:
            host = self._host[1:-1] if self._host.startswith("[") else self._host
            port = self._port or (80 if self._tls is None else 443)
            sock = socket.create_connection((host, port), timeout)
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                if self._tls is not None:
                    sock = self._tls.wrap_socket(sock, server_hostname=host)
            except BaseException:
                sock.close()
                raise
            self._sock, self._reader = sock, sock.makefile("rb")
        sock.settimeout(timeout)
        return sock

    def _host_header(self) -> str:
        return self._host if self._port is None else f"{self._host}:{self._port}"

    def _close_socket(self) -> None:
        sock, reader = self._sock, self._reader
        self._sock = self._reader = None
        if reader is not None:
            reader.close()
        if sock is not None:
            sock.close()

    # Streamed answers

    def send(self, method: str, target: str, body: Optional[bytes], headers: Dict[str, str], timeout: float) -> http.client.HTTPResponse:
        """Sends a request and returns its response with the body still unread (for a stream)."""
        if self._aborted:
            raise SpoolConnectionError("the request was aborted")
        conn = self._open(timeout)
        try:
            conn.request(method, target, body=body, headers=headers)
            return conn.getresponse()
        except (OSError, http.client.HTTPException) as err:
            self.close()
            raise SpoolConnectionError(_describe(err, self._aborted)) from err

    def read(self, response: http.client.HTTPResponse) -> bytes:
        """Reads a whole response body of ``send``'s."""
        try:
            data = response.read()
        except (OSError, http.client.HTTPException) as err:
            self.close()
            raise SpoolConnectionError(_describe(err, self._aborted)) from err
        self._last_used = time.monotonic()
        if response.will_close:
            self.close()
        return data

    def _open(self, timeout: float) -> http.client.HTTPConnection:
        conn = self._conn
        if conn is not None and (time.monotonic() - self._last_used > IDLE_REOPEN_S or (conn.sock is not None and _dropped(conn.sock))):
            conn.close()
            conn = None
        if conn is None:
            if self._tls is not None:
                conn = http.client.HTTPSConnection(self._host, self._port, timeout=timeout, context=self._tls)
            else:
                conn = http.client.HTTPConnection(self._host, self._port, timeout=timeout)
            self._conn = conn
        conn.timeout = timeout
        if conn.sock is not None:
            conn.sock.settimeout(timeout)
        return conn

    def abort(self) -> None:
        """Breaks the request in flight (e.g. a long poll) and refuses further ones."""
        self._aborted = True
        conn = self._conn
        for sock in (self._sock, conn.sock if conn is not None else None):
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self._close_socket()
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()


def _request_head(method: str, target: str, host: str, headers: Dict[str, str], body: Optional[bytes]) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", f"host: {host}"]
    for name, value in headers.items():
        if "\r" in value or "\n" in value or "\r" in name or "\n" in name or ":" in name:
            raise ValueError(f"invalid HTTP header {name!r}: {value!r}")
        lines.append(f"{name}: {value}")
    if body is not None:
        lines.append(f"content-length: {len(body)}")
    lines.append("\r\n")
    return "\r\n".join(lines).encode("latin-1")


def _line(reader: Any) -> bytes:
    line = reader.readline(_MAX_LINE + 1)
    if len(line) > _MAX_LINE:
        raise _BadAnswer("an answer line is too long")
    return line


def _read_answer(reader: Any, method: str) -> Tuple[Answer, bool]:
    """Reads one answer; also says whether the server closes the connection after it."""
    status_line = _line(reader)
    if not status_line:
        raise _BadAnswer("the server closed the connection without answering")
    try:
        version, code = status_line.split(None, 2)[:2]
        status = int(code)
    except ValueError:
        raise _BadAnswer(f"not an HTTP answer: {status_line[:80]!r}") from None
    if not version.startswith(b"HTTP/1.") or not 100 <= status <= 999:
        raise _BadAnswer(f"not an HTTP answer: {status_line[:80]!r}")
    headers: Dict[str, str] = {}
    for _ in range(_MAX_HEADERS + 1):
        line = _line(reader)
        if line in (b"\r\n", b"\n"):
            break
        if not line:
            raise _BadAnswer("the answer was cut off")
        name, sep, value = line.decode("latin-1").partition(":")
        if not sep:
            raise _BadAnswer(f"a malformed header: {line[:80]!r}")
        headers[name.strip().lower()] = value.strip()
    else:
        raise _BadAnswer("too many headers")
    connection = headers.get("connection", "").lower()
    close = connection == "close" or (version == b"HTTP/1.0" and connection != "keep-alive")
    if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
        return Answer(status, headers, b""), close
    if headers.get("transfer-encoding", "").lower() == "chunked":
        return Answer(status, headers, _read_chunks(reader)), close
    length = headers.get("content-length")
    if length is None:
        return Answer(status, headers, reader.read()), True
    try:
        size = int(length)
    except ValueError:
        raise _BadAnswer(f"a malformed content-length: {length!r}") from None
    body = reader.read(size) if size > 0 else b""
    if len(body) < size:
        raise _BadAnswer("the answer was cut off")
    return Answer(status, headers, body), close


def _read_chunks(reader: Any) -> bytes:
    parts: List[bytes] = []
    while True:
        line = _line(reader)
        try:
            size = int(line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise _BadAnswer(f"a malformed chunk size: {line[:80]!r}") from None
        if size == 0:
            while _line(reader) not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b"".join(parts)
        chunk = reader.read(size)
        if len(chunk) < size or _line(reader) not in (b"\r\n", b"\n"):
            raise _BadAnswer("the answer was cut off")
        parts.append(chunk)


def _dropped(sock: socket.socket) -> bool:
    """An idle keep-alive socket that reads as ready was closed by the server (or has stray bytes): do not reuse it."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def _describe(err: BaseException, aborted: bool) -> str:
    if aborted:
        return "the request was aborted"
    if isinstance(err, socket.timeout):
        return "the server did not answer in time"
    if isinstance(err, _BadAnswer):
        return f"connection to spool failed: {err}"
    return f"connection to spool failed: {err.__class__.__name__}: {err}".rstrip(": ")


class Transport:
    """Requests to one server: a connection per thread, JSON in and out, non-2xx answers raised as ``SpoolError``."""

    def __init__(
        self, url: str, token: Optional[str] = None, timeout: float = 30.0, headers: Optional[Mapping[str, str]] = None, ssl_context: Optional[ssl.SSLContext] = None
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"spool URL must be http(s)://host[:port]: {url!r}")
        self._host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
        self._port = parts.port
        self._prefix = parts.path.rstrip("/")
        # One context for every connection: made once, it reads the trusted certificates once.
        self._tls = (ssl_context or ssl.create_default_context()) if parts.scheme == "https" else None
        self.timeout = timeout
        self._headers = {"user-agent": f"spool-python/{VERSION}", "accept": "application/json", **{k.lower(): v for k, v in (headers or {}).items()}}
        if token:
            self._headers["authorization"] = f"Bearer {token}"
        self._local = threading.local()
        self._opened: List[Connection] = []
        self._opened_lock = threading.Lock()

    def connection(self) -> Connection:
        """A connection of its own, e.g. for a long poll another thread may need to abort."""
        return Connection(self._host, self._port, self._tls)

    def _thread_connection(self) -> Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self.connection()
            self._local.conn = conn
            with self._opened_lock:
                self._opened.append(conn)
        return conn

    def close(self) -> None:
        """Closes the keep-alive connections of every thread (a later request opens a new one)."""
        with self._opened_lock:
            opened, self._opened = self._opened, []
        for conn in opened:
            conn.close()
        self._local = threading.local()

    def target(self, path: str, query: Optional[Mapping[str, Any]] = None) -> str:
        pairs = [(k, _query_value(v)) for k, v in (query or {}).items() if v is not None]
        return self._prefix + path + (f"?{urlencode(pairs)}" if pairs else "")

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Optional[Mapping[str, Any]] = None,
        body: Any = _NO_BODY,
        headers: Optional[Mapping[str, str]] = None,
        timeout: Optional[float] = None,
        conn: Optional[Connection] = None,
        retry_s: float = 0.0,
    ) -> Any:
        """Sends one request and returns the parsed JSON answer (None for an empty one)."""
        return self.request_with_status(method, path, query=query, body=body, headers=headers, timeout=timeout, conn=conn, retry_s=retry_s)[1]

    def request_with_status(
        self,
        method: str,
        path: str,
        *,
        query: Optional[Mapping[str, Any]] = None,
        body: Any = _NO_BODY,
        headers: Optional[Mapping[str, str]] = None,
        timeout: Optional[float] = None,
        conn: Optional[Connection] = None,
        retry_s: float = 0.0,
    ) -> Tuple[int, Any]:
        """Sends one request; with ``retry_s`` (for calls that are safe to send twice) it is sent again after a transient failure until that many seconds have passed."""
        until = time.monotonic() + retry_s
        pause = 0.1
        while True:
            try:
                return self._send_once(method, path, query=query, body=body, headers=headers, timeout=timeout, conn=conn)
            except (SpoolConnectionError, StorageUnavailable, RateLimited) as err:
                wait = getattr(err, "retry_after", None) or pause
                if time.monotonic() + wait > until:
                    raise
                time.sleep(wait)
                pause = min(pause * 2, 2.0)

    def _send_once(
        self,
        method: str,
        path: str,
        *,
        query: Optional[Mapping[str, Any]],
        body: Any,
        headers: Optional[Mapping[str, str]],
        timeout: Optional[float],
        conn: Optional[Connection],
    ) -> Tuple[int, Any]:
        sent_headers = dict(self._headers)
        payload: Optional[bytes] = None
        if body is not _NO_BODY:
            payload = json.dumps(body, separators=(",", ":"), allow_nan=False).encode("utf-8")
            sent_headers["content-type"] = "application/json"
        elif method in ("POST", "PUT"):
            payload = b""
        sent_headers.update({k.lower(): v for k, v in (headers or {}).items()})
        connection = conn or self._thread_connection()
        answer = connection.exchange(method, self.target(path, query), payload, sent_headers, timeout or self.timeout)
        data = _parse(answer.body)
        if answer.status >= 400:
            raise error_from_answer(answer.status, data, answer.getheader("retry-after"))
        return answer.status, data

    def open_stream(self, path: str, query: Mapping[str, Any], headers: Mapping[str, str], timeout: float) -> Tuple[Connection, http.client.HTTPResponse]:
        """Opens a streamed GET (server-sent events) on a connection of its own; the caller closes the connection."""
        conn = self.connection()
        sent = {**self._headers, "accept": "text/event-stream", **{k.lower(): v for k, v in headers.items()}}
        response = conn.send("GET", self.target(path, query), None, sent, timeout)
        if response.status >= 400:
            data = _parse(conn.read(response))
            conn.close()
            raise error_from_answer(response.status, data, response.getheader("retry-after"))
        return conn, response


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _parse(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw.decode("utf-8"))
    except ValueError:
        return raw.decode("utf-8", "replace")
