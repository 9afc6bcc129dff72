"""Diagnosis: the evidence behind an alert and the remedies one key away.

Pure functions of the cluster state (log lines are fetched by the screen and
passed in). Evidence is what an operator would otherwise dig out with
`docker service ps --no-trunc`, `docker node inspect` and `docker service logs`:
the failing tasks with exit codes and errors, the scheduler's message, each
placement constraint against each node's facts and labels, recent image changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from swarmtui.actions.plan import Step
from swarmtui.alerts.model import Alert, format_duration
from swarmtui.swarm.model import ClusterState, Node, Service, Task

CONSTRAINT = re.compile(r"^\s*(?P<key>[\w.\-/]+)\s*(?P<op>==|!=)\s*(?P<value>.+?)\s*$")
RECENT = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Remedy:
    key: str  # the key that proposes it
    label: str
    step: Step | None  # None: a view, not a change (e.g. logs)


@dataclass(frozen=True, slots=True)
class Diagnosis:
    alert: Alert
    facts: list[tuple[str, str]]
    failing: list[Task]
    constraints: list[tuple[str, list[str], list[str]]]  # (constraint, nodes ok, nodes not)
    unsatisfied: list[str]  # constraints no node meets
    remedies: list[Remedy]
    service: Service | None = None
    node: Node | None = None


def node_fact(node: Node, key: str) -> str | None:
    """The value a placement constraint's key has on `node` (None if we cannot know)."""
    if key == "node.id":
        return node.id
    if key == "node.hostname":
        return node.hostname
    if key == "node.role":
        return node.role
    if key == "node.platform.os":
        return node.os
    if key == "node.platform.arch":
        return node.architecture
    if key.startswith("node.labels."):
        return node.labels.get(key.removeprefix("node.labels."), "")
    return None  # engine.labels.* are not in the node list


def check_constraint(expression: str, node: Node) -> bool | None:
    match = CONSTRAINT.match(expression)
    if match is None:
        return None
    fact = node_fact(node, match["key"])
    if fact is None:
        return None
    equal = fact == match["value"]
    return equal if match["op"] == "==" else not equal


def placement(service: Service, state: ClusterState
              ) -> list[tuple[str, list[str], list[str]]]:
    """Each constraint with the nodes that meet it and those that don't, each of those
    with what it has instead ("worker-2 (gpu=false)", "pop-os (no labels.gpu)")."""
    table = []
    for expression in service.constraints:
        ok, not_ok = [], []
        match = CONSTRAINT.match(expression)
        for candidate in state.nodes:
            verdict = check_constraint(expression, candidate)
            if verdict or verdict is None or match is None:
                ok.append(candidate.name)
                continue
            fact = node_fact(candidate, match["key"])
            key = match["key"].removeprefix("node.")
            not_ok.append(f"{candidate.name} ({key.removeprefix('labels.')}={fact})" if fact
                          else f"{candidate.name} (no {key})")
        table.append((expression, ok, not_ok))
    return table


def image_changed_recently(service: Service, now: datetime) -> bool:
    previous = service.previous_spec or {}
    before = ((previous.get("TaskTemplate") or {}).get("ContainerSpec") or {}).get("Image")
    changed = before is not None and before != service.image
    return changed and service.updated_at is not None and now - service.updated_at < RECENT


def diagnose(alert: Alert, state: ClusterState, now: datetime) -> Diagnosis:
    service = state.service_named(alert.subject)
    node = state.node_named(alert.subject)
    facts: list[tuple[str, str]] = [("alert", f"{alert.severity.label} · {alert.rule}"),
                                    ("summary", alert.summary)]
    if alert.detail:
        facts.append(("detail", alert.detail))
    facts.append(("firing for", format_duration(alert.duration(now))))
    failing: list[Task] = []
    constraints: list[tuple[str, list[str], list[str]]] = []
    unsatisfied: list[str] = []
    remedies: list[Remedy] = []
    ours = alert.origin == "swarmtui"  # another system's alert: evidence, no remedies
    if service is not None:
        tasks = state.tasks_of(service.id)
        failing = sorted((t for t in tasks if t.state in ("failed", "rejected", "pending")
                          or (t.error and t.state != "running")),
                         key=lambda t: t.timestamp or now, reverse=True)[:8]
        facts.append(("service", f"{service.name} · {service.counts} · {service.health}"))
        facts.append(("image", service.image))
        if service.previous_spec is not None:
            before = ((service.previous_spec.get("TaskTemplate") or {})
                      .get("ContainerSpec") or {}).get("Image")
            if before and before != service.image:
                facts.append(("previous image", str(before)))
        constraints = placement(service, state)
        unsatisfied = [expression for expression, ok, _ in constraints if not ok]
        remedies.append(Remedy("l", f"follow {service.name}'s logs", None))
        update = service.update_status if ours else None
        if alert.rule == "update-paused" and update is not None and update.state == "paused":
            remedies.append(Remedy("b", f"roll {service.name} back to its previous spec",
                                   Step("service.rollback", {"service": service.name})))
        if alert.rule == "crash-loop" and ours:
            if image_changed_recently(service, now):
                remedies.append(Remedy("b", "roll back: the image changed within the hour",
                                       Step("service.rollback", {"service": service.name})))
            remedies.append(Remedy("R", f"restart {service.name}",
                                   Step("service.restart", {"service": service.name})))
        if alert.rule in ("service-degraded", "image-drift") and ours:
            remedies.append(Remedy("R", f"restart {service.name}",
                                   Step("service.restart", {"service": service.name})))
    if node is not None:
        facts.append(("node", f"{node.name} · {node.role} · {node.state} · "
                              f"{node.availability} · {node.address}"))
        if node.labels:
            facts.append(("labels", ", ".join(f"{k}={v}" for k, v in sorted(node.labels.items()))))
        if alert.rule == "node-down" and ours and node.availability != "drain":
            remedies.append(Remedy("D", f"drain {node.name}: move its tasks elsewhere",
                                   Step("node.drain", {"node": state.node_ref(node)})))
        if alert.rule in ("node-drained", "node-paused") and ours:
            remedies.append(Remedy("A", f"activate {node.name}",
                                   Step("node.activate", {"node": state.node_ref(node)})))
    return Diagnosis(alert, facts, failing, constraints, unsatisfied, remedies, service, node)
