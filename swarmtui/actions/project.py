"""The cluster as a plan's earlier steps will leave it, for checking and previewing the
later ones: in "drain worker-2, then activate it" the second step meets a drained node,
and in "scale web to 4 and then to 5" it changes 4 replicas, not 3.

Only the spec changes a step asks for are projected (replicas, image, environment,
availability, role, labels); tasks and health are the engine's to report once it runs.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any, TypeVar

from swarmtui.actions.plan import Step
from swarmtui.swarm.model import ClusterState, Node, Service

T = TypeVar("T")


def _with_env(service: Service, params: dict[str, Any]) -> Service:
    spec = copy.deepcopy(dict(service.spec))
    container = spec.setdefault("TaskTemplate", {}).setdefault("ContainerSpec", {})
    env = {str(item).partition("=")[0]: str(item) for item in container.get("Env") or ()}
    for name in params.get("unset") or ():
        env.pop(name, None)
    for name, value in (params.get("set") or {}).items():
        env[str(name)] = f"{name}={value}"
    container["Env"] = list(env.values())
    return replace(service, spec=spec)


def _rolled_back(service: Service) -> Service:
    previous = dict(service.previous_spec or {})
    image = ((previous.get("TaskTemplate") or {}).get("ContainerSpec") or {}).get("Image")
    return replace(service, spec=previous, previous_spec=dict(service.spec),
                   image=str(image or service.image))


def _service_after(step: Step, service: Service) -> Service:
    params = dict(step.params)
    if step.action == "service.scale":
        return replace(service, replicas=params["replicas"])
    if step.action == "service.update_image":
        return replace(service, image=params["image"])
    if step.action == "service.update_env":
        return _with_env(service, params)
    if step.action == "service.rollback" and service.previous_spec:
        return _rolled_back(service)
    return service


def _node_after(step: Step, node: Node) -> Node:
    params = dict(step.params)
    availability = {"node.drain": "drain", "node.pause": "pause", "node.activate": "active"}
    if step.action in availability:
        return replace(node, availability=availability[step.action])
    if step.action in ("node.promote", "node.demote"):
        manager = step.action == "node.promote"
        return replace(node, role="manager" if manager else "worker",
                       reachability="reachable" if manager else None,
                       leader=node.leader and manager)
    if step.action == "node.label_add":
        return replace(node, labels={**node.labels, params["key"]: str(params["value"])})
    if step.action == "node.label_remove":
        return replace(node, labels={k: v for k, v in node.labels.items()
                                     if k != params["key"]})
    return node


def after(step: Step, state: ClusterState) -> ClusterState:
    """`state` as it will be once `step` has run (as far as a spec says)."""
    if "service" in step.params:
        service = state.service_named(str(step.params["service"]))
        changed = _service_after(step, service) if service is not None else None
        if changed is None or changed is service:
            return state
        return replace(state, services=_swapped(state.services, service, changed))
    if "node" in step.params and step.action.startswith("node.") \
            and step.action != "node.probe":
        node = state.node_named(str(step.params["node"]))
        moved = _node_after(step, node) if node is not None else None
        if moved is None or moved is node:
            return state
        return replace(state, nodes=_swapped(state.nodes, node, moved))
    return state


def _swapped(items: tuple[T, ...], old: object, new: T) -> tuple[T, ...]:
    return tuple(new if item is old else item for item in items)
