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
    # The spec as the engine held it just after the change: if it differs at undo time,
    # someone changed it since, and putting `spec` back would silently revert them too.
    after: dict[str, Any] | None = None


def changed_paths(before: Any, now: Any, path: str = "") -> list[str]:
    """Where two specs differ, as dotted paths (`Mode.Replicated.Replicas`)."""
    if isinstance(before, dict) and isinstance(now, dict):
        found: list[str] = []
        for key in sorted(set(before) | set(now), key=str):
            found += changed_paths(before.get(key), now.get(key), f"{path}.{key}" if path
                                   else str(key))
        return found
    return [] if before == now else [path or "(all)"]


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


def _get(spec: Any, *path: str) -> Any:
    for key in path:
        spec = spec.get(key) if isinstance(spec, dict) else None
    return spec


def _env_names(spec: Any) -> dict[str, str]:
    env = _get(spec, "TaskTemplate", "ContainerSpec", "Env") or []
    return dict(str(item).partition("=")[::2] for item in env)


def spec_changes(now: Any, then: Any) -> list[str]:
    """What putting `then` back changes against `now`, field by field, no values of env."""
    changes = []
    for label, path in (("replicas", ("Mode", "Replicated", "Replicas")),
                        ("image", ("TaskTemplate", "ContainerSpec", "Image")),
                        ("availability", ("Availability",)), ("role", ("Role",))):
        before, after = _get(now, *path), _get(then, *path)
        if before != after:
            shown = [str(v).split("@")[0] if v is not None else "—" for v in (before, after)]
            changes.append(f"{label} {shown[0]} → {shown[1]}")
    env_now, env_then = _env_names(now), _env_names(then)
    changes += [f"+{k}" for k in env_then if k not in env_now]
    changes += [f"-{k}" for k in env_now if k not in env_then]
    changes += [f"~{k}" for k in env_then if k in env_now and env_now[k] != env_then[k]]
    labels_now, labels_then = _get(now, "Labels") or {}, _get(then, "Labels") or {}
    if labels_now != labels_then:
        changes += [f"label +{k}" for k in labels_then if k not in labels_now]
        changes += [f"label -{k}" for k in labels_now if k not in labels_then]
        changes += [f"label ~{k}" for k in labels_then
                    if k in labels_now and labels_now[k] != labels_then[k]]
    return changes


def describe_undo(record: UndoRecord, current_spec: Any) -> tuple[str, str, str]:
    """(summary, equivalent command, what changes) of undoing `record`; `current_spec` is
    the object's spec now (None when it is gone)."""
    if record.kind == "irreversible":
        return (f"{record.description} cannot be undone", "—",
                "nothing is changed; u again goes on to the change before it")
    if record.kind == "service-create":
        image = str(_get(record.spec, "TaskTemplate", "ContainerSpec", "Image") or "?")
        return (record.description, f"docker service create … {record.name} (its recorded spec)",
                f"{record.name} comes back: image {image.split('@')[0]}")
    if record.kind == "service-remove":
        return (record.description, f"docker service rm {record.name}",
                f"{record.name} and its tasks go away")
    what = "docker node update" if record.kind == "node-update" else "docker service update"
    changes = spec_changes(current_spec or {}, record.spec)
    return (record.description, f"{what} … {record.name} (its recorded spec)",
            ", ".join(changes) if changes else "the recorded spec, as it is now")
