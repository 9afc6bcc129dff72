"""The alert rules: conditions over the cluster's states, each with a grace period.

`RuleEngine.evaluate(state, now)` returns the findings that have held for at
least their rule's grace period; `AlertBook` turns those into alerts that fire,
persist and resolve. Rules are plain functions of one state (crash loops read
the task history Docker keeps, so one state holds five minutes of failures);
what needs time — grace periods, "down for longer than" — is the engine's.

Thresholds, severities, grace periods and intervals come from `RULES` and may
be changed in a YAML file (`rules:` mapping rule name → settings); a bad file
is reported by file and field.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from swarmtui.alerts.model import Finding, Severity
from swarmtui.config import ConfigError, read_yaml
from swarmtui.swarm.model import ClusterState, Health, Service, Task

SEVERITIES = {s.label: s for s in Severity}


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    severity: Severity
    summary: str  # what the rule is about, for `swarmtui check --list` and the docs
    grace: float = 0.0  # seconds a condition must hold before it fires
    enabled: bool = True
    params: Mapping[str, float] = field(default_factory=dict)


RULES: dict[str, Rule] = {r.name: r for r in (
    Rule("node-down", Severity.CRITICAL, "a node is down, disconnected or unknown"),
    Rule("manager-unreachable", Severity.CRITICAL, "a manager is not reachable by the others"),
    Rule("quorum-at-risk", Severity.CRITICAL,
         "reachable managers are not a majority, or one more loss would make it so"),
    Rule("quorum-lost", Severity.CRITICAL, "the swarm has no leader: nothing can change"),
    Rule("single-manager", Severity.WARNING, "one manager: losing it loses the swarm's control"),
    Rule("service-degraded", Severity.WARNING, "fewer tasks running than desired",
         grace=30.0),
    Rule("crash-loop", Severity.CRITICAL, "a service's tasks keep failing",
         params={"failures": 3, "window": 300}),
    Rule("tasks-pending", Severity.WARNING, "tasks the scheduler cannot place", grace=5.0),
    Rule("update-paused", Severity.CRITICAL, "a rolling update paused or was rolled back"),
    Rule("image-drift", Severity.WARNING, "running tasks of one service run different images",
         grace=60.0),
    Rule("node-drained", Severity.INFO, "a node is drained"),
    Rule("node-paused", Severity.INFO, "a node is paused"),
    Rule("disk-full", Severity.WARNING, "a node's filesystem is nearly full (SSH probe)",
         params={"percent": 90, "interval": 300}),
    Rule("memory-high", Severity.WARNING, "a node's memory is nearly used up (SSH probe)",
         params={"percent": 90, "interval": 300}),
    Rule("load-high", Severity.WARNING, "a node's load per CPU is high (SSH probe)",
         params={"per_cpu": 2.0, "interval": 300}),
)}

PROBE_RULES = ("disk-full", "memory-high", "load-high")


def _service_tasks(state: ClusterState, service: Service) -> list[Task]:
    return state.tasks_of(service.id)


def node_rules(state: ClusterState, rules: Mapping[str, Rule]) -> list[Finding]:
    found: list[Finding] = []
    for node in state.nodes:
        subject = state.node_ref(node)  # its ID when a rebuilt node took over its name
        if node.is_down:
            role = "manager " if node.is_manager else ""
            found.append(Finding("node-down", subject, rules["node-down"].severity,
                                 f"{role}node {node.name} is {node.state}",
                                 node.message or f"last known address {node.address}"))
        elif node.availability in ("drain", "pause"):
            rule = "node-drained" if node.availability == "drain" else "node-paused"
            word = "drained" if node.availability == "drain" else "paused"
            found.append(Finding(rule, subject, rules[rule].severity,
                                 f"node {node.name} is {word}",
                                 "its tasks were moved elsewhere" if word == "drained"
                                 else "no new tasks are scheduled on it"))
        if node.is_manager and node.reachability not in (None, "reachable"):
            found.append(Finding("manager-unreachable", subject,
                                 rules["manager-unreachable"].severity,
                                 f"manager {node.name} is {node.reachability}",
                                 f"manager address {node.manager_address or node.address}"))
    managers = [n for n in state.nodes if n.is_manager]
    reachable = [n for n in managers if n.reachability == "reachable"]
    majority = len(managers) // 2 + 1
    if len(managers) == 1:
        found.append(Finding("single-manager", managers[0].name,
                             rules["single-manager"].severity,
                             f"{managers[0].name} is the only manager",
                             "if it is lost the swarm cannot be changed; "
                             "promote two more nodes for a quorum of 3"))
    elif managers and len(reachable) < majority:
        found.append(Finding("quorum-at-risk", "swarm", rules["quorum-at-risk"].severity,
                             f"only {len(reachable)} of {len(managers)} managers reachable: "
                             f"not a majority ({majority} needed)",
                             "the swarm cannot elect a leader or change anything"))
    elif managers and len(reachable) == majority and len(reachable) < len(managers):
        found.append(Finding("quorum-at-risk", "swarm", rules["quorum-at-risk"].severity,
                             f"{len(reachable)} of {len(managers)} managers reachable: "
                             "one more loss and the swarm loses its quorum",
                             ", ".join(n.name for n in managers if n not in reachable)
                             + " unreachable"))
    return found


def _failures(state: ClusterState, service: Service, window: float,
              now: datetime) -> list[Task]:
    since = now - timedelta(seconds=window)
    return [t for t in _service_tasks(state, service)
            if t.state in ("failed", "rejected") and t.timestamp is not None
            and t.timestamp >= since]


def _earliest(times: Any) -> datetime | None:
    return min((t for t in times if t is not None), default=None)


def describe_failures(tasks: list[Task]) -> str:
    codes = sorted({t.exit_code for t in tasks if t.exit_code is not None
                    and t.state == "failed"})
    errors = sorted({t.error for t in tasks if t.error})
    parts = []
    if codes:
        parts.append("exit codes " + ", ".join(str(c) for c in codes))
    if errors:
        parts.append("; ".join(errors[:3]))
    return " — ".join(parts)


def service_rules(state: ClusterState, rules: Mapping[str, Rule],
                  now: datetime) -> list[Finding]:
    found: list[Finding] = []
    crash = rules["crash-loop"]
    for service in state.services:
        tasks = _service_tasks(state, service)
        failures = _failures(state, service, crash.params["window"], now)
        looping = len(failures) >= crash.params["failures"]
        if looping:
            found.append(Finding(
                "crash-loop", service.name, crash.severity,
                f"{service.name}: {len(failures)} tasks failed in the last "
                f"{crash.params['window'] / 60:g} min ({service.counts} running)",
                describe_failures(failures)))
        update = service.update_status
        if update is not None and update.state in ("paused", "rollback_paused",
                                                   "rollback_completed"):
            found.append(Finding("update-paused", service.name,
                                 rules["update-paused"].severity,
                                 f"{service.name}: {update.label}",
                                 update.message or "no message from the engine"))
        pending = [t for t in tasks if t.state == "pending" and t.desired_state == "running"]
        if pending:
            message = pending[0].error or pending[0].message or "waiting to be scheduled"
            found.append(Finding("tasks-pending", service.name, rules["tasks-pending"].severity,
                                 f"{service.name}: {len(pending)} task"
                                 f"{'s' if len(pending) > 1 else ''} pending",
                                 message,  # the scheduler's words, verbatim
                                 since=_earliest(t.created_at or t.timestamp for t in pending)))
        degraded = (service.health in (Health.DEGRADED, Health.FAILING)
                    and service.counts.running < service.counts.desired)
        if degraded and not looping and not pending:
            found.append(Finding("service-degraded", service.name,
                                 rules["service-degraded"].severity,
                                 f"{service.name}: {service.counts} running",
                                 service.health_reason,
                                 since=_earliest(t.timestamp for t in tasks
                                                 if t.desired_state == "running"
                                                 and t.state != "running")))
        images = {t.image for t in tasks if t.state == "running" and
                  t.desired_state == "running" and t.image}
        updating = update is not None and update.state in ("updating", "rollback_started")
        if len(images) > 1 and not updating:
            found.append(Finding("image-drift", service.name, rules["image-drift"].severity,
                                 f"{service.name}: running tasks use {len(images)} images",
                                 ", ".join(sorted(images)),
                                 since=max((t.timestamp for t in tasks if t.state == "running"
                                            and t.timestamp), default=None)))
    return found


Probe = Callable[[ClusterState], list[Finding]]


@dataclass
class RuleEngine:
    """Applies the rules to each new state and holds conditions through their grace."""

    rules: dict[str, Rule] = field(default_factory=lambda: dict(RULES))
    _since: dict[tuple[str, str], datetime] = field(default_factory=dict)

    def conditions(self, state: ClusterState, now: datetime) -> list[Finding]:
        found = node_rules(state, self.rules) + service_rules(state, self.rules, now)
        return [f for f in found if self.rules[f.rule].enabled]

    def evaluate(self, state: ClusterState, now: datetime,
                 extra: list[Finding] | None = None) -> list[Finding]:
        """The findings that have held for their grace period (probe results in `extra`)."""
        found = self.conditions(state, now) + [
            f for f in extra or [] if f.rule not in self.rules or self.rules[f.rule].enabled]
        held: list[Finding] = []
        current = set()
        for finding in found:
            key = (finding.rule, finding.subject)
            current.add(key)
            since = self._since.setdefault(key, now)
            if finding.since is not None and finding.since < since:
                since = self._since[key] = finding.since  # the data says it began earlier
            grace = self.rules[finding.rule].grace if finding.rule in self.rules else 0.0
            if (now - since).total_seconds() >= grace:
                held.append(finding)
        for key in [k for k in self._since if k not in current]:
            del self._since[key]
        return held

    def lost_quorum(self, message: str) -> Finding:
        return Finding("quorum-lost", "swarm", self.rules["quorum-lost"].severity,
                       "the swarm has no leader: quorum is lost", message)


# -- configuration ----------------------------------------------------------

MAX_SECONDS = 7 * 86400.0  # a week: longer grace periods and windows mean nothing here


def _seconds(value: Any) -> float | None:
    """`30`, `30s`, `5m`, `1h` → seconds; None for anything else (NaN and inf too)."""
    seconds: float | None = None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip()
        units = {"s": 1, "m": 60, "h": 3600}
        try:
            if text and text[-1] in units:
                seconds = float(text[:-1]) * units[text[-1]]
            else:
                seconds = float(text)
        except (ValueError, OverflowError):
            return None
    if seconds is None or not math.isfinite(seconds) or not 0 <= seconds <= MAX_SECONDS:
        return None
    return seconds


# Thresholds that are not durations: what each one counts, and so what it may be.
COUNTS = ("failures",)  # whole numbers: 2.5 failures cannot happen
PERCENTAGES = ("percent",)


def _threshold(key: str, value: Any, where: str) -> float:
    """A rule's threshold checked by what it measures; booleans are refused (True is 1)."""
    number = not isinstance(value, bool) and isinstance(value, int | float) \
        and math.isfinite(value)
    if key in PERCENTAGES:
        if not number or not 0 < value <= 100:
            raise ConfigError(f"{where} must be a percentage above 0 and at most 100, "
                              f"not {value!r}")
        return float(value)
    if not number or not 0 < value <= 1_000_000:
        raise ConfigError(f"{where} must be a positive number, not {value!r}")
    if key in COUNTS:
        if value != int(value):
            raise ConfigError(f"{where} must be a whole number (a count), not {value!r}")
        return int(value)
    return float(value)


def load_rules(path: Path) -> dict[str, Rule]:
    """RULES with the file's changes; every mistake is one `ConfigError` naming the field."""
    data = read_yaml(path)
    rules = dict(RULES)
    if data is None:
        return rules
    if not isinstance(data, dict) or not isinstance(data.get("rules", {}), dict):
        raise ConfigError(f"{path}: expected `rules:` mapping rule names to their settings")
    extra = [str(key) for key in data if key != "rules"]
    if extra:  # `rule:` for `rules:` would otherwise leave every rule as it was, silently
        raise ConfigError(f"{path}: unknown field {extra[0]!r} (the file holds `rules:`)")
    for name, settings in (data.get("rules") or {}).items():
        if name not in RULES:
            raise ConfigError(f"{path}: unknown rule {name!r} (known: {', '.join(RULES)})")
        if settings is None:
            continue
        if not isinstance(settings, dict):
            raise ConfigError(f"{path}: field 'rules.{name}' must be a mapping such as "
                              "{enabled: false} or {grace: 1m}")
        rule = rules[name]
        params = dict(rule.params)
        for key, value in settings.items():
            where = f"{path}: field 'rules.{name}.{key}'"
            if key == "enabled":
                if not isinstance(value, bool):
                    raise ConfigError(f"{where} must be true or false, not {value!r}")
                rule = replace(rule, enabled=value)
            elif key == "severity":
                if not isinstance(value, str) or value not in SEVERITIES:
                    raise ConfigError(f"{where} must be one of {', '.join(SEVERITIES)}, "
                                      f"not {value!r}")
                rule = replace(rule, severity=SEVERITIES[value])
            elif key == "grace" or key in ("window", "interval"):
                seconds = _seconds(value)
                if seconds is None or (key != "grace" and seconds < 1):
                    raise ConfigError(f"{where} must be a duration such as 30, 30s or 5m "
                                      f"(at most a week{'' if key == 'grace' else ', at least 1s'})"
                                      f", not {value!r}")
                if key == "grace":
                    rule = replace(rule, grace=seconds)
                elif key in params:
                    params[key] = seconds
                else:
                    raise ConfigError(f"{where}: rule {name} has no {key}")
            elif key in params:
                params[key] = _threshold(key, value, where)
            else:
                known = ", ".join(["enabled", "severity", "grace", *rule.params])
                raise ConfigError(f"{where} is unknown (known: {known})")
        rules[name] = replace(rule, params=params)
    return rules


def user_rules(path: Path | None = None) -> RuleEngine:
    """The rules file named, else the user's if there is one, else the built-in rules."""
    from swarmtui.config import config_dir

    if path is None:
        default = config_dir() / "rules.yaml"
        path = default if default.exists() else None
    return RuleEngine(load_rules(path)) if path is not None else RuleEngine()
