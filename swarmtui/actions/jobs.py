"""Jobs: each confirmed plan (or undo) as it runs — progress, output, outcome.

A `Job` is written from the worker thread that runs the plan and read by the
UI thread; the board hands out snapshots of the lines, so neither waits on the
other. A job can be cancelled: the executor stops before the next step, stops
waiting on a verification, or hangs up a running `ssh.run`.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime

from swarmtui.swarm.secrets import mask_sentence

MAX_LINES = 5000


@dataclass
class Job:
    number: int
    title: str
    origin: str
    steps: tuple[str, ...]
    started: datetime
    remote: bool = False  # has a step that runs on a node over SSH
    state: str = "running"  # running | done | failed | cancelled
    current: str = "starting"
    summary: str = ""
    finished: datetime | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    _lines: deque[str] = field(default_factory=lambda: deque(maxlen=MAX_LINES))
    _written: int = 0  # lines ever written, so readers can ask for what is new
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def running(self) -> bool:
        return self.state == "running"

    def write(self, line: str) -> None:
        with self._lock:
            self._lines.append(line)
            self._written += 1

    def lines_since(self, seen: int) -> tuple[list[str], int]:
        """Lines written after the first `seen` (those still kept), and the new count."""
        with self._lock:
            fresh = min(self._written - seen, len(self._lines))
            return list(self._lines)[len(self._lines) - fresh:], self._written

    def finish(self, ok: bool, summary: str, when: datetime) -> None:
        self.state = ("cancelled" if self.cancel.is_set() and not ok
                      else "done" if ok else "failed")
        self.summary = summary
        self.current = summary
        self.finished = when
        self.write(f"— {self.state}: {summary}")


class JobBoard:
    """The session's jobs, newest last."""

    def __init__(self) -> None:
        self.jobs: list[Job] = []
        self._numbers = itertools.count(1)

    def start(self, title: str, origin: str, steps: tuple[str, ...], when: datetime,
              remote: bool = False) -> Job:
        # the sentence as typed can hold a value ("set DB_PASSWORD=x"): shown masked
        job = Job(next(self._numbers), mask_sentence(title), origin, steps, when, remote)
        self.jobs.append(job)
        return job

    def get(self, number: int) -> Job | None:
        return next((j for j in self.jobs if j.number == number), None)

    @property
    def running(self) -> list[Job]:
        return [j for j in self.jobs if j.running]
