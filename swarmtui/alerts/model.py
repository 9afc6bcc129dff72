"""Alerts: what needs an operator's attention, with a lifecycle.

An `Alert` is keyed by what it is about (rule + subject), so the same problem
seen on every refresh is one alert whose `last_seen` moves; when a refresh no
longer reports it, it resolves by itself.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import IntEnum
from pathlib import Path
from typing import Any


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
    labels: tuple[tuple[str, str], ...] = ()  # an Alertmanager alert's, to silence it there
    silenced_by: tuple[str, ...] = ()  # the Alertmanager silences that hold it

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


Key = tuple[str, str, str]
_EPOCH = datetime.fromtimestamp(0, UTC)
RESTORED_ACK_WAIT = 600.0  # seconds an acknowledgement read back waits for its alert


def _alert_record(alert: Alert) -> dict[str, Any]:
    times = {name: (value.isoformat() if value is not None else None)
             for name in ("first_seen", "last_seen", "resolved_at")
             for value in [getattr(alert, name)]}
    return {"rule": alert.rule, "subject": alert.subject, "severity": int(alert.severity),
            "summary": alert.summary, "origin": alert.origin,
            "acknowledged": alert.acknowledged, **times}


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("a time without a zone")
    return moment


def _key(value: Any) -> Key:
    if not (isinstance(value, list) and len(value) == 3 and all(isinstance(v, str) for v in value)):
        raise ValueError("not an alert key")
    return (value[0], value[1], value[2])


def _alert_from(record: Any) -> Alert:
    if not isinstance(record, dict) or _time(record.get("resolved_at")) is None:
        raise ValueError("not a resolved alert")
    return Alert(str(record["rule"]), str(record["subject"]), Severity(int(record["severity"])),
                 str(record["summary"]), origin=str(record.get("origin", "swarmtui")),
                 first_seen=_time(record.get("first_seen")),
                 last_seen=_time(record.get("last_seen")),
                 resolved_at=_time(record.get("resolved_at")),
                 acknowledged=bool(record.get("acknowledged", False)))


class AlertBook:
    """Turns each evaluation's findings into alerts that fire, persist and resolve.

    Given a file (`attach`), what an operator decided outlives the console: which
    alerts are acknowledged, which are silenced until when, and the recently
    resolved ones. The file holds no detail text (task errors, log lines), only
    what the alerts list shows.
    """

    def __init__(self, keep_resolved: int = 50) -> None:
        self._firing: dict[Key, Alert] = {}
        self._resolved: list[Alert] = []
        self._keep_resolved = keep_resolved
        self._silenced: dict[Key, datetime] = {}  # key → until
        self._acknowledged: set[Key] = set()
        self._restored: dict[Key, datetime | None] = {}  # acks read back, until seen firing
        self._now: datetime | None = None
        self.path: Path | None = None

    # -- the file -------------------------------------------------------------

    def attach(self, path: Path) -> str | None:
        """Read decisions kept in `path` and keep them there; a damaged file is named."""
        self.path = path
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError("not an object")
            acknowledged = {_key(k) for k in data.get("acknowledged", [])}
            silenced = {_key(item[:3]): _time(item[3]) for item in data.get("silenced", [])
                        if isinstance(item, list) and len(item) == 4}
            resolved = [_alert_from(r) for r in data.get("resolved", [])]
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError, KeyError, IndexError) as exc:
            return f"{path}: not read ({exc}); alert decisions start afresh"
        for key in acknowledged - self._acknowledged:
            if key in self._firing:
                self._acknowledged.add(key)
                self._firing[key] = replace(self._firing[key], acknowledged=True)
            else:
                self._restored[key] = None
        for key, until in silenced.items():
            if until is not None:
                self._silenced.setdefault(key, until)
        known = {(a.key, a.resolved_at) for a in self._resolved}
        self._resolved.extend(a for a in resolved if (a.key, a.resolved_at) not in known)
        self._resolved.sort(key=lambda a: a.resolved_at or self._now or _EPOCH, reverse=True)
        del self._resolved[self._keep_resolved:]
        return None

    def _save(self) -> None:
        if self.path is None:
            return
        data = {
            "acknowledged": sorted(list(k) for k in self._acknowledged | self._restored.keys()),
            "silenced": [[*k, until.isoformat()] for k, until in sorted(self._silenced.items())],
            "resolved": [_alert_record(a) for a in self._resolved],
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(".tmp")
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                json.dump(data, handle)
            os.replace(temporary, self.path)
        except OSError:
            pass  # a full or read-only disk costs the memory of decisions, never the console

    # -- decisions --------------------------------------------------------------

    def acknowledge(self, key: Key) -> bool:
        """Someone is on it: kept in the list, marked, no longer counted as unhandled."""
        alert = self._firing.get(key)
        if alert is None:
            return False
        self._firing[key] = replace(alert, acknowledged=True)
        self._acknowledged.add(key)
        self._save()
        return True

    def silence(self, key: Key, until: datetime) -> None:
        """Hidden from the firing list until `until`, resolved or not in between."""
        self._silenced[key] = until
        self._save()

    def unsilence(self, key: Key) -> bool:
        found = self._silenced.pop(key, None) is not None
        if found:
            self._save()
        return found

    def silenced_until(self, key: Key) -> datetime | None:
        until = self._silenced.get(key)
        return until if until is not None and (self._now is None or until > self._now) \
            else None

    def is_silenced(self, key: tuple[str, str, str], now: datetime) -> bool:
        until = self._silenced.get(key)
        return until is not None and until > now

    def silenced(self) -> list[Alert]:
        now = self._now
        return [a for k, a in self._firing.items()
                if k in self._silenced and (now is None or self._silenced[k] > now)]

    def update(self, findings: list[Finding], now: datetime) -> list[Alert]:
        seen: set[Key] = set()
        changed = False
        for finding in findings:
            key = ("swarmtui", finding.rule, finding.subject)
            seen.add(key)
            current = self._firing.get(key)
            if current is None and key in self._restored:
                del self._restored[key]
                self._acknowledged.add(key)  # acknowledged before a restart: still is
            if current is None:
                began = finding.since if finding.since is not None and finding.since < now \
                    else now
                self._firing[key] = Alert(
                    finding.rule, finding.subject, finding.severity, finding.summary,
                    finding.detail, first_seen=began, last_seen=now,
                    acknowledged=key in self._acknowledged,
                )
            else:
                self._firing[key] = replace(
                    current, severity=finding.severity, summary=finding.summary,
                    detail=finding.detail, last_seen=now,
                )
        for key in [k for k in self._firing if k not in seen]:
            self._resolved.insert(0, replace(self._firing.pop(key), resolved_at=now))
            changed = True
        del self._resolved[self._keep_resolved:]
        # An acknowledgement ends with its alert; one read back after a restart waits
        # for its alert for a while (grace periods), then is forgotten. A silence ends
        # with its time, whatever the alert does.
        for key in self._acknowledged - self._firing.keys():
            self._acknowledged.discard(key)
            changed = True
        for key, since in list(self._restored.items()):
            if since is None:
                self._restored[key] = now
            elif (now - since).total_seconds() > RESTORED_ACK_WAIT:
                del self._restored[key]
                changed = True
        for key in [k for k, until in self._silenced.items() if until <= now]:
            del self._silenced[key]
            changed = True
        self._now = now
        if changed:
            self._save()
        return self.firing()

    def firing(self) -> list[Alert]:
        """Most severe first, then oldest first; silenced alerts left out."""
        return sorted(
            (a for k, a in self._firing.items() if k not in self._silenced),
            key=lambda a: (-a.severity, a.first_seen or datetime.min),
        )

    def all_firing(self) -> list[Alert]:
        """Every firing alert, silenced ones included, most severe and oldest first."""
        return sorted(self._firing.values(),
                      key=lambda a: (-a.severity, a.first_seen or datetime.min))

    @property
    def resolved(self) -> list[Alert]:
        """Recently resolved, newest first (kept across restarts when attached)."""
        return list(self._resolved)
