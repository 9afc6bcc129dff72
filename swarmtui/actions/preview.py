"""What a plan will do, in words an operator checks before saying yes."""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from swarmtui.actions.catalog import CATALOG, Risk, step_risk
from swarmtui.actions.plan import Plan, Step
from swarmtui.actions.ssh import PROBES
from swarmtui.actions.validate import StepCheck, validate
from swarmtui.swarm.model import ClusterState
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
        moved = f", {state.running_tasks_on(node.id)} tasks move" if wanted == "drain" else ""
        return f"availability {node.availability} → {wanted}{moved}"
    if step.action in ("node.promote", "node.demote") and node is not None:
        return f"role {node.role} → {'manager' if step.action == 'node.promote' else 'worker'}"
    return ""


def preview(plan: Plan, state: ClusterState) -> list[StepPreview]:
    checks: list[StepCheck] = validate(plan, state)
    previews = []
    for step, check in zip(plan.steps, checks, strict=True):
        action = CATALOG.get(step.action)
        if action is None:
            previews.append(StepPreview(step, Risk.HIGH, step.action, "", "", check.problem))
            continue
        summary, command, change = describe(step, state)
        previews.append(StepPreview(step, step_risk(step.action, step.params), summary,
                                    command, change, check.problem))
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
