"""Alerts: what needs an operator's attention, with a lifecycle.

An `Alert` is keyed by what it is about (rule + subject), so the same problem
seen on every refresh is one alert whose `last_seen` moves; when a refresh no
longer reports it, it resolves by itself.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import IntEnum


def format_duration(seconds: float) -> str:
    """`42s`, `3m05s`, `2h10m`: how long, as an operator reads it."""
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


class Severity(IntEnum):
    INFO = 1
    WARNING = 2
    CRITICAL = 3

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Alert:
    rule: str  # e.g. "node-down", "crash-loop"
    subject: str  # what it is about: a node or service name
    severity: Severity
    summary: str
    detail: str = ""
    origin: str = "swarmtui"  # or "alertmanager"
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    resolved_at: datetime | None = None
    acknowledged: bool = False

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.origin, self.rule, self.subject)

    @property
    def firing(self) -> bool:
        return self.resolved_at is None

    def duration(self, now: datetime) -> float:
        start = self.first_seen or now
        end = self.resolved_at or now
        return max(0.0, (end - start).total_seconds())


@dataclass(frozen=True, slots=True)
class Finding:
    """What a rule reports on one evaluation, before lifecycle bookkeeping."""

    rule: str
    subject: str
    severity: Severity
    summary: str
    detail: str = ""
    since: datetime | None = None  # when the cluster's own data says it began, if it does


class AlertBook:
    """Turns each evaluation's findings into alerts that fire, persist and resolve."""

    def __init__(self, keep_resolved: int = 50) -> None:
        self._firing: dict[tuple[str, str, str], Alert] = {}
        self._resolved: list[Alert] = []
        self._keep_resolved = keep_resolved
        self._silenced: dict[tuple[str, str, str], datetime] = {}  # key → until
        self._now: datetime | None = None

    def acknowledge(self, key: tuple[str, str, str]) -> bool:
        """Someone is on it: kept in the list, marked, no longer counted as unhandled."""
        alert = self._firing.get(key)
        if alert is None:
            return False
        self._firing[key] = replace(alert, acknowledged=True)
        return True

    def silence(self, key: tuple[str, str, str], until: datetime) -> None:
        """Hidden from the firing list until `until`; it still resolves by itself."""
        self._silenced[key] = until

    def is_silenced(self, key: tuple[str, str, str], now: datetime) -> bool:
        until = self._silenced.get(key)
        return until is not None and until > now

    def silenced(self) -> list[Alert]:
        now = self._now
        return [a for k, a in self._firing.items()
                if k in self._silenced and (now is None or self._silenced[k] > now)]

    def update(self, findings: list[Finding], now: datetime) -> list[Alert]:
        seen: set[tuple[str, str, str]] = set()
        for finding in findings:
            key = ("swarmtui", finding.rule, finding.subject)
            seen.add(key)
            current = self._firing.get(key)
            if current is None:
                began = finding.since if finding.since is not None and finding.since < now \
                    else now
                self._firing[key] = Alert(
                    finding.rule, finding.subject, finding.severity, finding.summary,
                    finding.detail, first_seen=began, last_seen=now,
                )
            else:
                self._firing[key] = replace(
                    current, severity=finding.severity, summary=finding.summary,
                    detail=finding.detail, last_seen=now,
                )
        for key in [k for k in self._firing if k not in seen]:
            self._resolved.insert(0, replace(self._firing.pop(key), resolved_at=now))
            self._silenced.pop(key, None)
        del self._resolved[self._keep_resolved:]
        for key in [k for k, until in self._silenced.items() if until <= now]:
            del self._silenced[key]
        self._now = now
        return self.firing()

    def firing(self) -> list[Alert]:
        """Most severe first, then oldest first; silenced alerts left out."""
        return sorted(
            (a for k, a in self._firing.items() if k not in self._silenced),
            key=lambda a: (-a.severity, a.first_seen or datetime.min),
        )

    @property
    def resolved(self) -> list[Alert]:
        return list(self._resolved)
