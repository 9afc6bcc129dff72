"""Alertmanager, over its v2 HTTP API: read its active alerts, optionally push ours.

Its alerts are shown beside swarmtui's own, labelled by origin. Mapping:
`alertname` → rule; the first of `service`, `node`, `instance`, `job` labels →
subject; `severity` (critical, warning, info; default warning); the
`summary` or `description` annotation → summary. Pushing sends swarmtui's
firing alerts with `source=swarmtui`, each valid for a few refresh periods,
so they end by themselves if swarmtui stops. Silencing one of Alertmanager's
alerts from the console creates a silence in Alertmanager itself (matching the
alert's labels), so the team's pager goes quiet too, not only this screen.
"""

from __future__ import annotations

import base64
import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from swarmtui.alerts.model import Alert, Severity
from swarmtui.swarm.parse import parse_time
from swarmtui.swarm.secrets import mask_text

ORIGIN = "alertmanager"
SEVERITY = {"critical": Severity.CRITICAL, "page": Severity.CRITICAL, "error": Severity.CRITICAL,
            "warning": Severity.WARNING, "warn": Severity.WARNING, "info": Severity.INFO,
            "none": Severity.INFO}
SUBJECT_LABELS = ("service", "node", "instance", "job")


class AlertmanagerError(Exception):
    """One line: why Alertmanager could not be read or written."""


MAX_ANSWER = 32 * 1024 * 1024


def _split_credentials(url: str) -> tuple[str, dict[str, str]]:
    """`http://user:pw@host/…` → the URL without them and a Basic auth header."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None:
        return url, {}
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port:
        netloc += f":{parts.port}"
    token = base64.b64encode(f"{urllib.parse.unquote(parts.username)}:"
                             f"{urllib.parse.unquote(parts.password or '')}".encode()).decode()
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc)), {
        "Authorization": f"Basic {token}"}


def _request(url: str, method: str = "GET", body: Any = None, timeout: float = 5.0) -> Any:
    shown = mask_text(url)  # a password in the URL never reaches the screen
    try:
        plain, auth = _split_credentials(url)
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(plain, data=data, method=method,
                                         headers={"Content-Type": "application/json",
                                                  "Accept": "application/json", **auth})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            payload = response.read(MAX_ANSWER + 1)
    except urllib.error.HTTPError as exc:
        raise AlertmanagerError(f"{shown}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise AlertmanagerError(f"{shown}: cannot reach Alertmanager ({reason})") from None
    except (http.client.HTTPException, ValueError) as exc:  # a broken answer or URL
        raise AlertmanagerError(f"{shown}: {type(exc).__name__}: {exc}"[:300]) from None
    if len(payload) > MAX_ANSWER:
        raise AlertmanagerError(f"{shown}: the answer is larger than 32 MB")
    if not payload:
        return None
    try:
        return json.loads(payload)
    except (ValueError, RecursionError):
        raise AlertmanagerError(f"{shown}: the answer is not JSON") from None


def to_alert(raw: Any) -> Alert | None:
    if not isinstance(raw, dict):
        return None
    labels = raw.get("labels") if isinstance(raw.get("labels"), dict) else {}
    annotations = raw.get("annotations") if isinstance(raw.get("annotations"), dict) else {}
    name = str(labels.get("alertname", "alert"))
    subject = next((str(labels[k]) for k in SUBJECT_LABELS if labels.get(k)), name)
    severity = SEVERITY.get(str(labels.get("severity", "warning")).lower(), Severity.WARNING)
    summary = str(annotations.get("summary") or annotations.get("description") or name)
    detail = str(annotations.get("description") or "") if annotations.get("summary") else ""
    started = parse_time(raw.get("startsAt"))
    status = raw.get("status") if isinstance(raw.get("status"), dict) else {}
    silences = status.get("silencedBy") if isinstance(status.get("silencedBy"), list) else []
    return Alert(name, subject, severity, summary, detail, origin=ORIGIN, first_seen=started,
                 last_seen=parse_time(raw.get("updatedAt")) or started,
                 labels=tuple(sorted((str(k), str(v)) for k, v in labels.items())),
                 silenced_by=tuple(str(s) for s in silences if isinstance(s, str)))


def fetch_alerts(base_url: str) -> list[Alert]:
    """Active and silenced, uninhibited alerts — except the ones swarmtui pushed itself.

    A silenced one carries `silenced_by`: the console leaves it out of the pane and
    lists it, with who silenced it, in the alert history.
    """
    url = (f"{base_url.rstrip('/')}/api/v2/alerts?active=true&silenced=true"
           "&inhibited=false&unprocessed=true")
    answer = _request(url)
    if not isinstance(answer, list):
        raise AlertmanagerError(f"{mask_text(url)}: expected a list of alerts")
    alerts = []
    for raw in answer:
        labels = raw.get("labels") if isinstance(raw, dict) else None
        if isinstance(labels, dict) and labels.get("source") == "swarmtui":
            continue  # our own, pushed: already in the pane
        alert = to_alert(raw)
        if alert is not None:
            alerts.append(alert)
    return alerts


@dataclass(frozen=True, slots=True)
class Silence:
    id: str
    created_by: str
    comment: str
    ends: datetime | None

    @property
    def ours(self) -> bool:
        """Made from a swarmtui console: one may lift it from here."""
        return self.comment.startswith(COMMENT)


COMMENT = "silenced from swarmtui"


def fetch_silences(base_url: str) -> dict[str, Silence]:
    """Alertmanager's active silences by ID."""
    url = f"{base_url.rstrip('/')}/api/v2/silences"
    answer = _request(url)
    if not isinstance(answer, list):
        raise AlertmanagerError(f"{mask_text(url)}: expected a list of silences")
    found = {}
    for raw in answer:
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            continue
        status = raw.get("status") if isinstance(raw.get("status"), dict) else {}
        if status.get("state") != "active":
            continue
        found[raw["id"]] = Silence(raw["id"], str(raw.get("createdBy") or "someone"),
                                   str(raw.get("comment") or ""), parse_time(raw.get("endsAt")))
    return found


def create_silence(base_url: str, alert: Alert, now: datetime, until: datetime,
                   author: str) -> str:
    """Silence `alert` in Alertmanager itself (every label matched exactly); its ID."""
    if not alert.labels:
        raise AlertmanagerError("this alert has no labels to match a silence on")
    body = {
        "matchers": [{"name": k, "value": v, "isRegex": False, "isEqual": True}
                     for k, v in alert.labels],
        "startsAt": now.isoformat(), "endsAt": until.isoformat(),
        "createdBy": author, "comment": f"{COMMENT} by {author}",
    }
    answer = _request(f"{base_url.rstrip('/')}/api/v2/silences", "POST", body)
    silence = answer.get("silenceID") if isinstance(answer, dict) else None
    if not isinstance(silence, str) or not silence:
        raise AlertmanagerError(f"{mask_text(base_url)}: no silence ID in the answer")
    return silence


def expire_silence(base_url: str, silence: str) -> None:
    """End a silence made by `create_silence` now."""
    quoted = urllib.parse.quote(silence, safe="")
    _request(f"{base_url.rstrip('/')}/api/v2/silence/{quoted}", "DELETE")


def push_alerts(base_url: str, alerts: list[Alert], now: datetime,
                valid_for: float = 120.0) -> int:
    """Send swarmtui's firing alerts; each ends after `valid_for` unless sent again."""
    body = []
    for alert in alerts:
        if alert.origin != "swarmtui":
            continue
        body.append({
            "labels": {"alertname": alert.rule, "subject": alert.subject,
                       "severity": alert.severity.label, "source": "swarmtui"},
            "annotations": {"summary": alert.summary, "description": alert.detail},
            "startsAt": (alert.first_seen or now).isoformat(),
            "endsAt": (now + timedelta(seconds=valid_for)).isoformat(),
        })
    if body:
        _request(f"{base_url.rstrip('/')}/api/v2/alerts", "POST", body)
    return len(body)
