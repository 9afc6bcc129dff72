"""What a plan will do, in words an operator checks before saying yes."""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from swarmtui.actions.catalog import CATALOG, Risk, step_risk
from swarmtui.actions.plan import Plan, Step
from swarmtui.actions.project import after
from swarmtui.actions.ssh import PROBES
from swarmtui.actions.validate import walk
from swarmtui.swarm.model import ClusterState, Node, Service
from swarmtui.swarm.secrets import mask_value

RISK_ORDER = (Risk.READ, Risk.LOW, Risk.HIGH, Risk.DESTRUCTIVE)


@dataclass(frozen=True, slots=True)
class StepPreview:
    step: Step
    risk: Risk
    summary: str
    command: str
    change: str  # the spec diff in one line: "replicas 3 → 5"
    problem: str | None


def describe(step: Step, state: ClusterState) -> tuple[str, str, str]:
    action = CATALOG[step.action]
    values = {k: (v if not isinstance(v, dict) else ", ".join(f"{a}={b}" for a, b in v.items()))
              for k, v in step.params.items()}
    shown = dict(values)
    host = step.params.get("node")
    node = state.node(str(host)) if host else None
    if node is not None and node.name != host:  # named by its ID: say which node that is
        shown["node"] = f"{node.name} ({node.id[:12]})"
        host = node.address or host  # its hostname would be ambiguous to ssh as well
    try:
        summary, command = action.summary.format(**shown), action.cli.format(**values)
    except (KeyError, IndexError):
        summary, command = step.action, action.cli
    if step.action == "node.probe" and step.params.get("probe") in PROBES:
        command = f"ssh {host} {shlex.join(PROBES[step.params['probe']])}"
    if step.action == "ssh.run" and _parses(str(step.params.get("command", ""))):
        argv = shlex.split(str(step.params["command"]))
        # exactly what runs, under a terminal (-t) so that stopping it hangs it up
        command = f"ssh -t {host} {shlex.join(argv)}"
    if step.action == "view.logs":
        params = step.params
        flags = [f"--since {shlex.quote(str(params['since']))}"] if params.get("since") else []
        flags += [f"--tail {int(params['tail'])}"] if str(params.get("tail", "")).isdigit() else []
        command = f"docker service logs {' '.join([*flags, str(params.get('service'))])}"
        if params.get("grep"):
            command += f" 2>&1 | grep -i {shlex.quote(str(params['grep']))}"
    if step.action == "service.update_env":
        # the value as typed, so a slip shows before it runs; a secret-looking one masked
        parts = [f"--env-add {shlex.quote(f'{k}={mask_value(str(k), str(v))}')}"
                 for k, v in (step.params.get("set") or {}).items()]
        parts += [f"--env-rm {k}" for k in step.params.get("unset") or []]
        command = f"docker service update {' '.join(parts)} {step.params.get('service')}"
    return summary, command, _change(step, state)


def _parses(command: str) -> bool:
    try:
        shlex.split(command)
    except ValueError:
        return False
    return True


def _change(step: Step, state: ClusterState) -> str:
    params = step.params
    service = state.service_named(str(params.get("service", ""))) if "service" in params else None
    node = state.node_named(str(params.get("node", ""))) if "node" in params else None
    if step.action == "service.scale" and service is not None:
        return f"replicas {service.replicas} → {params['replicas']}"
    if step.action == "service.update_image" and service is not None:
        return f"image {service.short_image} → {params['image']}"
    if step.action == "service.rollback" and service is not None and service.previous_spec:
        image = ((service.previous_spec.get("TaskTemplate") or {}).get("ContainerSpec") or {}
                 ).get("Image", "?")
        return f"image {service.short_image} → {str(image).split('@')[0]} (previous spec)"
    if step.action == "service.update_env":
        added = ", ".join(f"+{k}" for k in params.get("set") or {})
        removed = ", ".join(f"-{k}" for k in params.get("unset") or [])
        return " ".join(p for p in (added, removed) if p)
    if step.action == "service.remove" and service is not None:
        return f"{service.name} and its {service.counts.running} running tasks go away"
    if step.action in ("node.drain", "node.pause", "node.activate") and node is not None:
        wanted = step.action.split(".")[1].replace("activate", "active")
        moved = f", {_moving(state, node)}" if wanted == "drain" else ""
        return f"availability {node.availability} → {wanted}{moved}"
    if step.action in ("node.promote", "node.demote") and node is not None:
        return f"role {node.role} → {'manager' if step.action == 'node.promote' else 'worker'}"
    return ""


NODE_CHANGES = ("node.drain", "node.label_add", "node.label_remove", "node.demote",
                "node.promote")


def stranded(step: Step, before: ClusterState) -> list[str]:
    """Services running on the step's node that will have to leave it and that no other
    node can take: `remove label db from worker-1` when only worker-1 has db=true."""
    from swarmtui.alerts.diagnose import check_constraint

    node = before.node_named(str(step.params.get("node", "")))
    if step.action not in NODE_CHANGES or node is None:
        return []
    later = after(step, before)
    changed = later.node(node.id) or node

    def fits(service: Service, candidate: Node) -> bool:
        return all(check_constraint(c, candidate) is not False for c in service.constraints)

    names = []
    for service_id in {t.service_id for t in before.tasks_on(node.id)
                       if t.desired_state == "running"}:
        service = before.service(service_id)
        if service is None or service.mode.is_global:
            continue
        if changed.availability != "drain" and fits(service, changed):
            continue  # it stays where it is
        if not any(fits(service, other) for other in later.nodes if other.id != node.id
                   and other.availability == "active" and not other.is_down):
            names.append(service.name)
    return sorted(names)


def _moving(state: ClusterState, node: Node) -> str:
    """A drain's effect on the node's running tasks: replicated ones move, a global
    service's task stops (it runs on every node that is not drained)."""
    running = [t for t in state.tasks_on(node.id) if t.state == "running"]
    local = sum(1 for t in running if (s := state.service(t.service_id)) is not None
                and s.mode.is_global)
    text = f"{len(running) - local} tasks move"
    return f"{text}, {local} global tasks stop" if local else text


def preview(plan: Plan, state: ClusterState) -> list[StepPreview]:
    previews = []
    for step, (check, seen) in zip(plan.steps, walk(plan, state), strict=True):
        action = CATALOG.get(step.action)
        if action is None:
            previews.append(StepPreview(step, Risk.HIGH, step.action, "", "", check.problem))
            continue
        summary, command, change = describe(step, seen)  # as the steps before leave it
        risk = step_risk(step.action, step.params)
        lost = stranded(step, seen)
        if lost:  # what the operator would not see from the change itself
            change = "; ".join(p for p in (change, f"{', '.join(lost)} can run on no other "
                                           "node and will stop") if p)
            risk = max(risk, Risk.HIGH, key=RISK_ORDER.index)
        previews.append(StepPreview(step, risk, summary, command, change, check.problem))
    return previews


def plan_risk(previews: list[StepPreview]) -> Risk:
    return max((p.risk for p in previews), key=RISK_ORDER.index, default=Risk.READ)


def confirmation_needed(previews: list[StepPreview]) -> str:
    """What the operator must type: 'y' for low/high risk; for destructive steps every
    target's name, in order, separated by spaces ("shop_web shop_api"): one typed name
    never confirms the loss of another."""
    targets: list[str] = []
    for item in previews:
        if item.risk is Risk.DESTRUCTIVE:
            target = str(item.step.params.get("service") or item.step.params.get("node"))
            if target not in targets:
                targets.append(target)
    return " ".join(targets) if targets else "y"
