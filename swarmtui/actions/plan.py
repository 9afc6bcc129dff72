"""A plan is data: ordered steps from the catalog, or a question back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Step:
    action: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"action": self.action, "params": dict(self.params)}


@dataclass(frozen=True, slots=True)
class Plan:
    steps: tuple[Step, ...] = ()
    clarify: str | None = None  # set when the translator asks back instead of guessing
    sentence: str = ""
    source: str = "offline"  # offline, llm, key, autopilot

    @property
    def asks_back(self) -> bool:
        return self.clarify is not None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"steps": [s.as_json() for s in self.steps]}
        if self.clarify is not None:
            data["clarify"] = self.clarify
        return data

    @classmethod
    def ask(cls, question: str, sentence: str = "") -> Plan:
        return cls((), question, sentence)
