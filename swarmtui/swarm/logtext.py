"""One log line: parsed from the engine's `timestamps=1&details=1` form, made safe.

Application output is hostile input for a terminal: colour codes, cursor
movement, erase sequences, carriage returns, invalid UTF-8, 100 kB lines.
`clean()` keeps the text and removes everything that could move the cursor
or change the terminal's state (C-11).
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import unquote

from swarmtui.swarm.model import ClusterState
from swarmtui.swarm.parse import parse_time

MAX_LINE = 8192  # characters kept of one line; the rest is counted, not shown

# CSI (colours, cursor moves, erase), OSC (titles, hyperlinks), and lone ESC sequences.
ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b[@-Z\\-_]"
    r"|\x9b[0-?]*[ -/]*[@-~]"
)
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """Printable text only: escapes removed, `\\r` resolved as a terminal would."""
    if "\r" in text:
        text = text.rstrip("\r")
        text = text.rsplit("\r", 1)[-1]  # a carriage return rewrites the line from its start
    if "\x1b" in text or "\x9b" in text:
        text = ANSI.sub("", text)
    text = CONTROL.sub("", text.replace("\t", "    "))
    if len(text) > MAX_LINE:
        text = f"{text[:MAX_LINE]} … [{len(text) - MAX_LINE} more characters]"
    return text


@dataclass(frozen=True, slots=True)
class LogLine:
    stream: str  # stdout | stderr
    text: str
    timestamp: datetime | None = None
    details: Mapping[str, str] = field(default_factory=dict)

    @property
    def task_id(self) -> str:
        return self.details.get("com.docker.swarm.task.id", "")

    @property
    def node_id(self) -> str:
        return self.details.get("com.docker.swarm.node.id", "")

    @property
    def service_id(self) -> str:
        return self.details.get("com.docker.swarm.service.id", "")


def _details(token: str) -> dict[str, str] | None:
    if "=" not in token:
        return None
    pairs: dict[str, str] = {}
    for item in token.split(","):
        key, sep, value = item.partition("=")
        if not sep:
            return None
        pairs[unquote(key)] = unquote(value)
    return pairs


def parse_line(stream: str, raw: str, *, timestamps: bool = True, details: bool = True) -> LogLine:
    """`TIMESTAMP k=v,k=v message` as the engine sends it with both options on."""
    rest = raw
    stamp = None
    if timestamps:
        head, _, tail = rest.partition(" ")
        stamp = parse_time(head)
        if stamp is not None:
            rest = tail
    found: dict[str, str] = {}
    if details:
        head, sep, tail = rest.partition(" ")
        parsed = _details(head)
        if parsed is not None:
            found, rest = parsed, tail
        elif not sep and head == "":
            rest = tail
    return LogLine(stream=stream, text=clean(rest), timestamp=stamp, details=found)


def prefix(line: LogLine, state: ClusterState | None) -> str:
    """`web.1.ioi5z@worker-1`: the task by name, its id shortened, the node by name (C-09)."""
    task_id = line.task_id
    if state is None or not task_id:
        return task_id[:12] or "?"
    task = next((t for t in state.tasks_of(line.service_id) if t.id == task_id), None)
    node = state.node_name(line.node_id or (task.node_id if task else None))
    if task is None:
        service = state.service(line.service_id)
        name = service.name if service else line.service_id[:12]
        return f"{name}.{task_id[:5]}@{node}"
    service = state.service(task.service_id)
    if service is not None and service.mode.is_global:
        return f"{service.name}.{task_id[:5]}@{node}"
    return f"{state.task_name(task)}.{task_id[:5]}@{node}"


SINCE = re.compile(r"^(\d+)([smhd])$")


def parse_duration(value: str, what: str = "since") -> int:
    """`10m` → 600 seconds; a ValueError naming `what` for anything else."""
    match = SINCE.match(value.strip())
    if not match:
        raise ValueError(f"{what} takes a duration such as 30s, 10m, 2h, 1d — not {value!r}")
    seconds = int(match[1]) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[match[2]]
    if seconds > 10 * 365 * 86400:
        raise ValueError(f"{what} {value}: that is more than ten years")
    return seconds


def parse_since(value: str) -> float:
    """`10m` → ten minutes ago, as an epoch time."""
    return time.time() - parse_duration(value)


def grep_pattern(text: str) -> re.Pattern[str] | None:
    if not text:
        return None
    try:
        return re.compile(text, re.IGNORECASE)
    except re.error:
        return re.compile(re.escape(text), re.IGNORECASE)
