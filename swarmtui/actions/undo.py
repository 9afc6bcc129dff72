"""The undo stack: the spec of every object just before we changed it.

Kept in memory and, when given a path, in a JSON file in the state directory
(mode 0600: a service spec holds its environment, which `undo` must put back),
so `u` after a restart still undoes the last change. Records belong to the
swarm they were taken from (its cluster ID): a console pointed at another
cluster never sees, or undoes, them.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from swarmtui.config import state_dir

KEEP = 50  # records per cluster


@dataclass(frozen=True, slots=True)
class UndoRecord:
    kind: str  # service-update | service-create | service-remove | node-update | irreversible
    target_id: str
    name: str
    spec: dict[str, Any]
    description: str
    cluster: str = ""  # the swarm's cluster ID


def default_path() -> Path:
    return state_dir() / "undo.json"


class UndoStack:
    def __init__(self, path: Path | None = None, cluster: str = "") -> None:
        self.path = path
        self.cluster = cluster
        self._lock = threading.Lock()
        self._records: list[UndoRecord] = self._load()

    def _load(self) -> list[UndoRecord]:
        if self.path is None:
            return []
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return [UndoRecord(**item) for item in data if isinstance(item, dict)]
        except (OSError, ValueError, TypeError):
            return []  # a missing or damaged file is an empty stack, not a crash

    def _save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump([asdict(r) for r in self._records], handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)

    def _mine(self) -> list[int]:
        return [i for i, r in enumerate(self._records) if r.cluster == self.cluster]

    def push(self, record: UndoRecord) -> None:
        with self._lock:
            self._records.append(record)
            mine = self._mine()
            for index in reversed(mine[:-KEEP]):
                del self._records[index]
            self._save()

    def pop(self) -> UndoRecord | None:
        with self._lock:
            mine = self._mine()
            if not mine:
                return None
            record = self._records.pop(mine[-1])
            self._save()
            return record

    def peek(self) -> UndoRecord | None:
        with self._lock:
            mine = self._mine()
            return self._records[mine[-1]] if mine else None

    def __len__(self) -> int:
        with self._lock:
            return len(self._mine())
