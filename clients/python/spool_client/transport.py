"""HTTP to one spool server with the standard library: keep-alive connections, JSON bodies, errors as typed exceptions."""
from __future__ import annotations

import http.client
import json
import select
import socket
import threading
import time
from typing import Any, Dict, List, Mapping, Optional, Tuple
from urllib.parse import urlencode, urlsplit

from .errors import RateLimited, SpoolConnectionError, StorageUnavailable, error_from_answer

VERSION = "0.1.0"

#: A connection unused for longer than this is opened again rather than trusted (servers close idle ones).
IDLE_REOPEN_S = 20.0

_NO_BODY = object()


class Connection:
    """One keep-alive connection for one thread at a time; ``abort()`` from another thread breaks a request in flight."""

    def __init__(self, scheme: str, host: str, port: Optional[int]) -> None:
        self._scheme, self._host, self._port = scheme, host, port
        self._conn: Optional[http.client.HTTPConnection] = None
        self._last_used = 0.0
        self._aborted = False

    def _open(self, timeout: float) -> http.client.HTTPConnection:
        conn = self._conn
        if conn is not None and (time.monotonic() - self._last_used > IDLE_REOPEN_S or _dropped(conn)):
            conn.close()
            conn = None
        if conn is None:
            kind = http.client.HTTPSConnection if self._scheme == "https" else http.client.HTTPConnection
            conn = kind(self._host, self._port, timeout=timeout)
            self._conn = conn
        conn.timeout = timeout
        if conn.sock is not None:
            conn.sock.settimeout(timeout)
        return conn

    def send(self, method: str, target: str, body: Optional[bytes], headers: Dict[str, str], timeout: float) -> http.client.HTTPResponse:
        """Sends a request and returns its response with the body still unread."""
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
        """Reads a whole response body; the connection stays open for the next request when the server allows it."""
        try:
            data = response.read()
        except (OSError, http.client.HTTPException) as err:
            self.close()
            raise SpoolConnectionError(_describe(err, self._aborted)) from err
        self._last_used = time.monotonic()
        if response.will_close:
            self.close()
        return data

    def abort(self) -> None:
        """Breaks the request in flight (e.g. a long poll) and refuses further ones."""
        self._aborted = True
        conn = self._conn
        sock = conn.sock if conn is not None else None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()


def _dropped(conn: http.client.HTTPConnection) -> bool:
    """An idle keep-alive socket that reads as ready was closed by the server (or has stray bytes): do not reuse it."""
    sock = conn.sock
    if sock is None:
        return False
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
    return f"connection to spool failed: {err.__class__.__name__}: {err}".rstrip(": ")


class Transport:
    """Requests to one server: a connection per thread, JSON in and out, non-2xx answers raised as ``SpoolError``."""

    def __init__(self, url: str, token: Optional[str] = None, timeout: float = 30.0, headers: Optional[Mapping[str, str]] = None) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"spool URL must be http(s)://host[:port]: {url!r}")
        self._scheme = parts.scheme
        self._host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
        self._port = parts.port
        self._prefix = parts.path.rstrip("/")
        self.timeout = timeout
        self._headers = {"user-agent": f"spool-python/{VERSION}", "accept": "application/json", **{k.lower(): v for k, v in (headers or {}).items()}}
        if token:
            self._headers["authorization"] = f"Bearer {token}"
        self._local = threading.local()
        self._opened: List[Connection] = []
        self._opened_lock = threading.Lock()

    def connection(self) -> Connection:
        """A connection of its own, e.g. for a long poll another thread may need to abort."""
        return Connection(self._scheme, self._host, self._port)

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
        response = connection.send(method, self.target(path, query), payload, sent_headers, timeout or self.timeout)
        raw = connection.read(response)
        data = _parse(raw)
        if response.status >= 400:
            raise error_from_answer(response.status, data, response.getheader("retry-after"))
        return response.status, data

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
