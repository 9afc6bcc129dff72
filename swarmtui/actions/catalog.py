"""The action vocabulary (shared/ACTIONS.md) as data: names, parameters, risk, CLI.

Every producer of plans — the offline translator, an LLM, a key binding — uses
these names; the validator and the executor look them up here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Risk(StrEnum):
    READ = "read"  # changes nothing; allowed in read-only mode
    LOW = "low"  # reversible
    HIGH = "high"  # disrupts running work
    DESTRUCTIVE = "destructive"  # loses state; typed confirmation


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    kind: str  # service, node, int, str, duration, mapping, list, enum
    required: bool = True
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Action:
    name: str
    risk: Risk
    cli: str
    summary: str
    params: tuple[Param, ...] = field(default_factory=tuple)

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


SERVICE = Param("service", "service")
NODE = Param("node", "node")
SERVICE_STATES = ("degraded", "failing", "pending", "updating", "all")
PROBES = ("disk", "memory", "load", "uptime", "docker")

CATALOG: dict[str, Action] = {a.name: a for a in (
    Action("view.service", Risk.READ, "docker service inspect {service}",
           "show service {service}", (SERVICE,)),
    Action("view.node", Risk.READ, "docker node inspect {node}", "show node {node}", (NODE,)),
    Action("view.logs", Risk.READ, "docker service logs {service}", "logs of {service}",
           (SERVICE, Param("grep", "str", False), Param("since", "duration", False),
            Param("tail", "int", False))),
    Action("view.alerts", Risk.READ, "—", "show alerts"),
    Action("query.services", Risk.READ, "docker service ls", "list services",
           (Param("state", "enum", False, SERVICE_STATES), Param("node", "node", False),
            Param("stack", "str", False))),
    Action("query.tasks", Risk.READ, "docker service ps / docker node ps", "list tasks",
           (Param("service", "service", False), Param("node", "node", False),
            Param("state", "str", False))),
    Action("diagnose.service", Risk.READ,
           "docker service ps --no-trunc {service}; docker service logs --tail 50 {service}",
           "diagnose {service}", (SERVICE,)),
    Action("node.probe", Risk.READ, "ssh {node} <probe>", "probe {probe} on {node}",
           (NODE, Param("probe", "enum", True, PROBES))),
    Action("service.scale", Risk.LOW, "docker service scale {service}={replicas}",
           "scale {service} to {replicas}", (SERVICE, Param("replicas", "int"))),
    Action("service.update_image", Risk.HIGH, "docker service update --image {image} {service}",
           "update {service} to {image}", (SERVICE, Param("image", "str"))),
    Action("service.rollback", Risk.HIGH, "docker service rollback {service}",
           "roll back {service}", (SERVICE,)),
    Action("service.restart", Risk.HIGH, "docker service update --force {service}",
           "restart {service}", (SERVICE,)),
    Action("service.update_env", Risk.HIGH, "docker service update --env-add/--env-rm {service}",
           "change the environment of {service}",
           (SERVICE, Param("set", "mapping", False), Param("unset", "list", False))),
    Action("service.remove", Risk.DESTRUCTIVE, "docker service rm {service}", "remove {service}",
           (SERVICE,)),
    Action("node.drain", Risk.HIGH, "docker node update --availability drain {node}",
           "drain {node}", (NODE,)),
    Action("node.pause", Risk.LOW, "docker node update --availability pause {node}",
           "pause {node}", (NODE,)),
    Action("node.activate", Risk.LOW, "docker node update --availability active {node}",
           "activate {node}", (NODE,)),
    Action("node.promote", Risk.HIGH, "docker node promote {node}", "promote {node}", (NODE,)),
    Action("node.demote", Risk.HIGH, "docker node demote {node}", "demote {node}", (NODE,)),
    Action("node.label_add", Risk.LOW, "docker node update --label-add {key}={value} {node}",
           "label {node} {key}={value}",
           (NODE, Param("key", "str"), Param("value", "str"))),
    Action("node.label_remove", Risk.LOW, "docker node update --label-rm {key} {node}",
           "remove label {key} from {node}", (NODE, Param("key", "str"))),
    Action("ssh.run", Risk.HIGH, "ssh {node} {command}", "run `{command}` on {node}",
           (NODE, Param("command", "str"))),
    Action("backup.create", Risk.READ, "(backup of every service spec, node label, network)",
           "take a backup"),
)}


MANY_REPLICAS = 100


def step_risk(action: str, params: dict) -> Risk:
    """The risk of one step: its action's, raised where the values make it worse — scaling
    to zero stops every task, and to hundreds can crowd out every other service: high."""
    risk = CATALOG[action].risk
    replicas = params.get("replicas") if action == "service.scale" else None
    if replicas == 0 or (isinstance(replicas, int) and replicas > MANY_REPLICAS):
        return Risk.HIGH  # none left, or enough to crowd every node
    return risk
