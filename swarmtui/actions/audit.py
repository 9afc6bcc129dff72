"""The audit trail: one JSON line per executed step, appended and fsynced.

It says who did what, from where (key, sentence, llm, autopilot), what was
confirmed and what came of it. It never holds secrets: environment values in
plans are replaced by a mask before anything is written.
"""

from __future__ import annotations

import getpass
import json
import os
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from swarmtui.actions.plan import Step
from swarmtui.config import state_dir
from swarmtui.swarm.secrets import MASK, mask_sentence


def default_path() -> Path:
    return state_dir() / "audit.jsonl"


def redact_params(step: Step) -> dict[str, Any]:
    """Step parameters fit for a log: variable names kept, their values never."""
    params = dict(step.params)
    if isinstance(params.get("set"), Mapping):
        params["set"] = {name: MASK for name in params["set"]}
    if isinstance(params.get("command"), str):  # a command typed for a node may hold a token
        params["command"] = mask_sentence(params["command"])
    return params


class AuditLog:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()
        self._lock = threading.Lock()

    def record(self, **fields: Any) -> dict[str, Any]:
        if isinstance(fields.get("sentence"), str):  # what was typed may hold a password
            fields["sentence"] = mask_sentence(fields["sentence"])
        entry = {"time": datetime.now(UTC).isoformat(), "user": _user(), **fields}
        line = json.dumps(entry, sort_keys=True, default=str) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(descriptor, line.encode())
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
        return entry

    def entries(self) -> list[dict[str, Any]]:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        return [json.loads(line) for line in lines if line.strip()]


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid())
