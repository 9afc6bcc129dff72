"""Following a service's or a task's logs without ever blocking the UI.

A reader thread pulls lines from the source, parses and cleans them and
appends them to a bounded buffer; the UI drains the buffer on a timer and
writes what it got in one batch (one message per line would freeze it). If
the stream ends while following, the reader reconnects from the last
timestamp it saw and drops the lines it already has.
"""

from __future__ import annotations

import contextlib
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from swarmtui.swarm.logtext import LogLine, parse_line
from swarmtui.swarm.source import SourceError


class LogStream(Protocol):
    """(stream, raw line) pairs; closable from another thread."""

    def __iter__(self) -> Iterator[tuple[str, str]]: ...

    def close(self) -> None: ...


class LogSource(Protocol):
    def open_logs(self, request: LogRequest) -> LogStream: ...


@dataclass(frozen=True, slots=True)
class LogRequest:
    service_id: str
    task_id: str | None = None
    tail: int = 200
    since: float | None = None  # epoch seconds
    follow: bool = True
    tty: bool = False  # decided from the spec, never by sniffing the bytes (C-10)


class LogFollower:
    def __init__(self, source: LogSource, request: LogRequest, max_lines: int = 10_000) -> None:
        self.source = source
        self.request = request
        self._pending: deque[LogLine] = deque(maxlen=max_lines)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._stream: LogStream | None = None
        self._thread: threading.Thread | None = None
        self.received = 0
        self.dropped = 0  # lines that arrived faster than the UI drained and fell off the buffer
        self.error: str | None = None
        self.ended = False
        self._last: datetime | None = None
        self._recent: deque[tuple[datetime, str, str, str]] = deque(maxlen=4096)
        self._recent_set: set[tuple[datetime, str, str, str]] = set()

    def start(self) -> LogFollower:
        self._thread = threading.Thread(target=self._run, name="swarmtui-logs", daemon=True)
        self._thread.start()
        return self

    def drain(self) -> list[LogLine]:
        """Everything that arrived since the last drain; safe from any thread."""
        with self._lock:
            lines = list(self._pending)
            self._pending.clear()
        return lines

    def close(self) -> None:
        self._stop.set()
        stream = self._stream
        if stream is not None:
            with contextlib.suppress(Exception):
                stream.close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(5)

    @property
    def waiting(self) -> int:
        """Lines received and not yet drained."""
        return len(self._pending)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        request = self.request
        backoff = 0.5
        while not self._stop.is_set():
            try:
                self._stream = self.source.open_logs(request)
            except SourceError as exc:
                self.error = exc.message
                if not request.follow:
                    break
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 10)
                continue
            self.error = None
            try:
                for stream_name, raw in self._stream:
                    self._accept(parse_line(stream_name, raw))
                    backoff = 0.5
            except Exception as exc:  # a cut connection surfaces as whatever the transport raises
                if not self._stop.is_set():
                    self.error = f"log stream interrupted: {exc.__class__.__name__}"
            finally:
                with contextlib.suppress(Exception):
                    self._stream.close()
                self._stream = None
            if not request.follow or self._stop.is_set():
                break
            # Reconnect from the last line we have; the overlap is dropped in _accept.
            since = self._last.timestamp() if self._last else None
            request = LogRequest(request.service_id, request.task_id, 0 if since else request.tail,
                                 since, True, request.tty)
            self._stop.wait(backoff)
            backoff = min(backoff * 2, 10)
        self.ended = True

    def _accept(self, line: LogLine) -> None:
        if line.timestamp is not None:
            # After a reconnect from `since`, the engine repeats the lines at the seam.
            identity = (line.timestamp, line.task_id, line.stream, line.text)
            if identity in self._recent_set:
                return
            if len(self._recent) == self._recent.maxlen:
                self._recent_set.discard(self._recent[0])
            self._recent.append(identity)
            self._recent_set.add(identity)
            if self._last is None or line.timestamp > self._last:
                self._last = line.timestamp
        with self._lock:
            if len(self._pending) == self._pending.maxlen:
                self.dropped += 1
            self._pending.append(line)
            self.received += 1
