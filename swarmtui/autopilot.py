"""Autopilot: chosen remediations, applied by themselves, through the same path as a person's.

Off unless a policy file is given (`--autopilot POLICY.yaml`), and impossible
in read-only mode. Each remedy answers one alert with one plan, which runs
through the executor — validated, applied, verified, audited with source
"autopilot" — and is announced. Every remedy has a rate limit (at most so many
runs an hour, and never the same subject again within its cool-down) and the
policy may be a dry run, which announces what it would do and does nothing.

    # POLICY.yaml
    dry_run: false
    scope: {services: ["shop_*"], nodes: ["worker-*"]}   # optional globs
    remedies:
      rollback-paused-update: {max_per_hour: 3}
      restart-failing-service: {after: 2m, max_per_hour: 2}
      drain-down-node: {after: 5m, max_per_hour: 1}
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from swarmtui.actions.plan import Plan, Step
from swarmtui.alerts.model import Alert
from swarmtui.alerts.rules import _seconds
from swarmtui.config import ConfigError, read_yaml
from swarmtui.swarm.model import ClusterState, Health


@dataclass(frozen=True, slots=True)
class Remedy:
    name: str
    answers: str  # the alert rule it answers
    describe: str
    after: float = 0.0  # seconds the alert must have been firing
    max_per_hour: int = 3
    cooldown: float = 600.0  # seconds before the same subject is touched again
    enabled: bool = False


REMEDIES: dict[str, Remedy] = {r.name: r for r in (
    Remedy("rollback-paused-update", "update-paused",
           "roll back a service whose update paused"),
    Remedy("restart-failing-service", "crash-loop",
           "restart a service whose tasks all fail", after=120.0, max_per_hour=2),
    Remedy("drain-down-node", "node-down",
           "drain a node that has been down for a while", after=300.0, max_per_hour=1),
)}


@dataclass(frozen=True, slots=True)
class Policy:
    remedies: dict[str, Remedy]
    dry_run: bool = False
    services: tuple[str, ...] = ("*",)
    nodes: tuple[str, ...] = ("*",)
    path: str = ""


def load_policy(path: Path) -> Policy:
    """The policy file, checked field by field; a mistake is one `ConfigError` line."""
    data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("remedies"), dict) \
            or not data["remedies"]:
        raise ConfigError(f"{path}: expected `remedies:` naming at least one of "
                          f"{', '.join(REMEDIES)}")
    for key in data:
        if key not in ("dry_run", "scope", "remedies"):
            raise ConfigError(f"{path}: unknown field '{key}' (known: dry_run, scope, remedies)")
    dry_run = data.get("dry_run", False)
    if not isinstance(dry_run, bool):
        raise ConfigError(f"{path}: field 'dry_run' must be true or false, not {dry_run!r}")
    scope = data.get("scope") or {}
    if not isinstance(scope, dict) or set(scope) - {"services", "nodes"}:
        raise ConfigError(f"{path}: field 'scope' takes services and nodes (lists of globs)")
    globs: dict[str, tuple[str, ...]] = {}
    for key in ("services", "nodes"):
        value = scope.get(key, ["*"])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{path}: field 'scope.{key}' must be a list of names or globs")
        globs[key] = tuple(value)
    remedies = dict(REMEDIES)
    for name, settings in data["remedies"].items():
        if name not in REMEDIES:
            raise ConfigError(f"{path}: unknown remedy {name!r} (known: {', '.join(REMEDIES)})")
        remedy = replace(REMEDIES[name], enabled=True)
        if settings is not None and not isinstance(settings, dict):
            raise ConfigError(f"{path}: field 'remedies.{name}' must be a mapping such as "
                              "{max_per_hour: 2} (or {} for the defaults)")
        for key, value in (settings or {}).items():
            where = f"{path}: field 'remedies.{name}.{key}'"
            if key == "enabled":
                if not isinstance(value, bool):
                    raise ConfigError(f"{where} must be true or false, not {value!r}")
                remedy = replace(remedy, enabled=value)
            elif key in ("after", "cooldown"):
                seconds = _seconds(value)
                if seconds is None or seconds < 0:
                    raise ConfigError(f"{where} must be a duration such as 90s or 5m, "
                                      f"not {value!r}")
                remedy = replace(remedy, **{key: seconds})
            elif key == "max_per_hour":
                if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 60:
                    raise ConfigError(f"{where} must be a whole number from 1 to 60, "
                                      f"not {value!r}")
                remedy = replace(remedy, max_per_hour=value)
            else:
                raise ConfigError(f"{where} is unknown (known: enabled, after, cooldown, "
                                  "max_per_hour)")
        remedies[name] = remedy
    return Policy(remedies, dry_run, globs["services"], globs["nodes"], str(path))


@dataclass(frozen=True, slots=True)
class Decision:
    remedy: str
    subject: str
    plan: Plan
    reason: str  # the alert it answers, for the announcement and the audit


@dataclass
class Autopilot:
    policy: Policy
    _runs: dict[str, list[datetime]] = field(default_factory=dict)  # remedy → run times
    _last: dict[tuple[str, str], datetime] = field(default_factory=dict)

    def decide(self, alerts: list[Alert], state: ClusterState, now: datetime) -> list[Decision]:
        """The remedies due now; each is counted against its rate limit when returned."""
        decisions = []
        for alert in alerts:
            for remedy in self.policy.remedies.values():
                if not remedy.enabled or remedy.answers != alert.rule or alert.origin != \
                        "swarmtui":
                    continue
                decision = self._consider(remedy, alert, state, now)
                if decision is not None:
                    decisions.append(decision)
        return decisions

    def _consider(self, remedy: Remedy, alert: Alert, state: ClusterState,
                  now: datetime) -> Decision | None:
        if alert.duration(now) < remedy.after:
            return None
        plan = self._plan(remedy, alert, state)
        if plan is None:
            return None
        last = self._last.get((remedy.name, alert.subject))
        if last is not None and (now - last).total_seconds() < remedy.cooldown:
            return None
        runs = [t for t in self._runs.get(remedy.name, []) if now - t < timedelta(hours=1)]
        if len(runs) >= remedy.max_per_hour:
            return None
        self._runs[remedy.name] = [*runs, now]
        self._last[(remedy.name, alert.subject)] = now
        reason = f"{alert.rule}: {alert.summary}"
        return Decision(remedy.name, alert.subject, plan, reason)

    def _plan(self, remedy: Remedy, alert: Alert, state: ClusterState) -> Plan | None:
        sentence = f"autopilot {remedy.name} {alert.subject}"
        if remedy.answers == "node-down":
            node = state.node_named(alert.subject)
            if node is None or node.availability == "drain" or \
                    not _matches(node.name, self.policy.nodes):
                return None
            return Plan((Step("node.drain", {"node": state.node_ref(node)}),), sentence=sentence,
                        source="autopilot")
        service = state.service_named(alert.subject)
        if service is None or not _matches(service.name, self.policy.services):
            return None
        if remedy.answers == "update-paused":
            if service.update_status is None or service.update_status.state != "paused":
                return None  # a paused rollback is not rolled back again
            return Plan((Step("service.rollback", {"service": service.name}),),
                        sentence=sentence, source="autopilot")
        if service.health is not Health.FAILING or service.counts.running > 0:
            return None  # only when every task fails
        return Plan((Step("service.restart", {"service": service.name}),), sentence=sentence,
                    source="autopilot")


def _matches(name: str, globs: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(name, g) for g in globs)


Announce = Callable[[str], None]


def carry_out(decision: Decision, executor: Any, dry_run: bool, announce: Announce) -> bool:
    """Run (or, in a dry run, only announce) one decision; True when it worked."""
    step = decision.plan.steps[0]
    target = step.params.get("service") or step.params.get("node")
    if dry_run:
        announce(f"autopilot (dry run) would {step.action} {target} — {decision.reason}")
        return True
    announce(f"autopilot: {step.action} {target} — {decision.reason}")
    result = executor.run(decision.plan, origin="autopilot",
                          confirmation=f"policy {decision.remedy}")
    announce(f"autopilot: {step.action} {target}: {result.summary}")
    return bool(result.ok)
