"""The recorded source: a cluster captured as raw Engine API JSON.

The file format is the one in `tests/fixtures/` and what `swarmtui snapshot`
writes: `info`, `version`, `nodes`, `services`, `tasks`, `networks`, `configs`,
`secrets`, `events`, `logs` and `captured_at` (epoch seconds). A recording
never changes, so it is fetched once and replays deterministically.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from swarmtui.swarm.logstream import LogRequest
from swarmtui.swarm.logtext import parse_line
from swarmtui.swarm.model import EngineInfo
from swarmtui.swarm.parse import MalformedData, RawCluster, parse_engine, parse_time
from swarmtui.swarm.source import SourceError

REQUIRED = ("nodes", "services", "tasks")


class ReplayedEvents:
    """The recorded events once, then silence until closed (a recording is still)."""

    def __init__(self, events: list[Mapping[str, Any]], since: float | None) -> None:
        self._events = [e for e in events if since is None or e.get("time", 0) >= since]
        self._closed = threading.Event()

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        for event in self._events:
            if self._closed.is_set():
                return
            yield event
        self._closed.wait()

    def close(self) -> None:
        self._closed.set()


class ReplayedLogs:
    """Recorded log lines; when following, silence afterwards until closed."""

    def __init__(self, lines: list[tuple[str, str]], follow: bool) -> None:
        self._lines = lines
        self._follow = follow
        self._closed = threading.Event()

    def __iter__(self) -> Iterator[tuple[str, str]]:
        for line in self._lines:
            if self._closed.is_set():
                return
            yield line
        if self._follow:
            self._closed.wait()

    def close(self) -> None:
        self._closed.set()


class RecordedSource:
    is_live = False

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.description = f"snapshot {self.path.name}"
        self.data = self._load()

    def _load(self) -> dict[str, Any]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise SourceError(f"{self.path}: no such snapshot file", "bad-snapshot") from None
        except IsADirectoryError:
            raise SourceError(f"{self.path}: is a directory, not a snapshot file",
                              "bad-snapshot") from None
        except UnicodeDecodeError:
            raise SourceError(f"{self.path}: not UTF-8 text (is this a snapshot?)",
                              "bad-snapshot") from None
        except OSError as exc:
            raise SourceError(f"{self.path}: {exc.strerror}", "bad-snapshot") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SourceError(
                f"{self.path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
                "bad-snapshot",
            ) from None
        except (ValueError, RecursionError) as exc:
            raise SourceError(f"{self.path}: unreadable JSON ({exc.__class__.__name__})",
                              "bad-snapshot") from None
        if not isinstance(data, dict):
            raise SourceError(f"{self.path}: expected a JSON object at the top", "bad-snapshot")
        for key in ("info", "version"):
            if key in data and not isinstance(data[key], dict | type(None)):
                raise SourceError(f"{self.path}: field '{key}' must be an object",
                                  "bad-snapshot")
        for key in REQUIRED:
            if not isinstance(data.get(key), list):
                raise SourceError(
                    f"{self.path}: field '{key}' is missing or not a list "
                    "(is this a swarmtui snapshot?)",
                    "bad-snapshot",
                )
        return data

    @property
    def captured_at(self) -> datetime:
        stamp = self.data.get("captured_at")
        if isinstance(stamp, int | float) and not isinstance(stamp, bool):
            try:
                return datetime.fromtimestamp(stamp, UTC)
            except (OverflowError, ValueError, OSError):
                pass  # an impossible time: fall back to when the file was written
        return datetime.fromtimestamp(self.path.stat().st_mtime, UTC)

    def connect(self) -> EngineInfo:
        try:
            return parse_engine(self.data.get("info") or {}, self.data.get("version") or {})
        except MalformedData as exc:
            raise SourceError(f"{self.path}: {exc}", "bad-snapshot") from None

    def fetch(self) -> RawCluster:
        return RawCluster(
            info=self.data.get("info") or {},
            version=self.data.get("version") or {},
            nodes=self.data["nodes"],
            services=self.data["services"],
            tasks=self.data["tasks"],
            fetched_at=self.captured_at,
        )

    def open_events(self, since: float | None) -> ReplayedEvents:
        return ReplayedEvents(list(self.data.get("events") or []), since)

    def recorded_logs(self, service_name: str) -> list[Mapping[str, Any]]:
        """The recorded lines of one service; a malformed section is said, not hidden."""
        logs = self.data.get("logs") or {}
        if not isinstance(logs, Mapping):
            raise SourceError(f"{self.path}: 'logs' is not an object", "bad-snapshot")
        entries = logs.get(service_name) or []
        if not isinstance(entries, list):
            raise SourceError(f"{self.path}: logs.{service_name} is not a list", "bad-snapshot")
        for index, entry in enumerate(entries):
            if not isinstance(entry, Mapping):
                raise SourceError(f"{self.path}: logs.{service_name}[{index}] is not an object",
                                  "bad-snapshot")
        return list(entries)

    def open_logs(self, request: LogRequest) -> ReplayedLogs:
        service = next((s for s in self.data["services"] if s.get("ID") == request.service_id), {})
        name = (service.get("Spec") or {}).get("Name", "")
        entries = self.recorded_logs(name)
        if request.task_id:
            marker = f"com.docker.swarm.task.id={request.task_id}"
            entries = [e for e in entries if marker in str(e.get("line", ""))]
        if request.since is not None:
            # "since 10m" in a recording: the last ten minutes before it was captured
            cut = self.captured_at.timestamp() - (time.time() - request.since)
            entries = [e for e in entries if _stamp(str(e.get("line", ""))) >= cut]
        lines = [(str(e.get("stream", "stdout")), str(e.get("line", ""))) for e in entries]
        if request.tail:
            lines = last_per_task(lines, request.tail)
        return ReplayedLogs(lines, request.follow)

    def close(self) -> None:
        pass


def last_per_task(lines: list[tuple[str, str]], tail: int) -> list[tuple[str, str]]:
    """The last `tail` lines of each task, in their order: `docker service logs --tail N`
    counts per task (moby/moby#32331), and a recording answers as the engine would."""
    seen: Counter[str] = Counter()
    kept = []
    for stream, raw in reversed(lines):
        task = parse_line(stream, raw).task_id
        seen[task] += 1
        if seen[task] <= tail:
            kept.append((stream, raw))
    kept.reverse()
    return kept


def _stamp(line: str) -> float:
    """The engine's timestamp at the head of a recorded line, as epoch seconds (0: none)."""
    stamp = parse_time(line.partition(" ")[0])
    return stamp.timestamp() if stamp is not None else 0.0
