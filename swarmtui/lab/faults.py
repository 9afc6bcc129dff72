"""Incidents on demand: lose a node, restart an engine, break an update, crash a service."""

from __future__ import annotations

import signal
from dataclasses import replace
from typing import Any

import docker

from swarmtui.lab import engine, host, sshd, teardown
from swarmtui.lab.cluster import update_service
from swarmtui.lab.host import LabError, Progress
from swarmtui.lab.layout import FAULT_KINDS, NODE_FAULTS
from swarmtui.lab.lifecycle import current, log_progress
from swarmtui.lab.state import LabInfo, NodeInfo, save

MISSING_IMAGE = "lab/busybox:0.0-missing"
CRASH_SCRIPT = (
    "echo 'worker starting'; sleep 2; "
    "echo 'panic: runtime error: invalid memory address or nil pointer dereference' >&2; "
    "exit 1"
)


def fault(kind: str, target: str, progress: Progress = log_progress) -> None:
    """Inject a fault: `kind` is one of FAULT_KINDS, `target` a node or service name."""
    host.require_supported()
    if kind not in FAULT_KINDS:
        raise LabError(f"unknown fault {kind!r} (known: {', '.join(FAULT_KINDS)})")
    info = current()
    if kind in NODE_FAULTS:
        node = _node(info, target)
        if kind == "node-down" and not engine.dockerd_pid(node.name):
            progress(f"{node.name}: dockerd already down")
        elif kind == "node-down":
            engine.kill_dockerd(node.name, signal.SIGKILL)
            progress(f"{node.name}: dockerd killed (SIGKILL)")
        elif kind == "node-up":
            _start_engine(info, node, progress)
        else:
            engine.kill_dockerd(node.name, signal.SIGTERM)
            progress(f"{node.name}: dockerd stopped")
            _start_engine(info, node, progress)
    else:
        client = _manager_api(info)
        spec = _service_spec(client, target)
        if kind == "break-update":
            _break_update(spec)
            progress(f"{target}: updating to {MISSING_IMAGE} (failure action pause)")
        else:
            _crash_loop(spec)
            progress(f"{target}: now exits 1 after a panic")
        update_service(client, target, spec)


def _start_engine(info: LabInfo, node: NodeInfo, progress: Progress) -> None:
    """Start the node's dockerd again on the same data root, so it rejoins the swarm."""
    pid = engine.dockerd_pid(node.name)
    if pid:
        progress(f"{node.name}: dockerd already running (pid {pid})")
    else:
        teardown.kill_node_containers(node.name)
        engine.start_dockerd(node.name, node.netns)
        pid = engine.wait_until_ready(node.name)
        progress(f"{node.name}: dockerd started (pid {pid})")
    sshd_pid = sshd.sshd_pid(node.name) or sshd.start_sshd(node.name, node.address, pid)
    save(info.with_node(replace(node, dockerd_pid=pid, sshd_pid=sshd_pid)))


def _break_update(spec: dict[str, Any]) -> None:
    spec["TaskTemplate"]["ContainerSpec"]["Image"] = MISSING_IMAGE
    update = spec.setdefault("UpdateConfig", {})
    update.update({"FailureAction": "pause", "MaxFailureRatio": 0})
    update.setdefault("Parallelism", 1)
    update.setdefault("Monitor", 3_000_000_000)


def _crash_loop(spec: dict[str, Any]) -> None:
    container = spec["TaskTemplate"]["ContainerSpec"]
    container.pop("Command", None)
    container["Args"] = ["sh", "-c", CRASH_SCRIPT]
    spec["TaskTemplate"]["RestartPolicy"] = {"Condition": "any", "Delay": 5_000_000_000}


def _node(info: LabInfo, name: str) -> NodeInfo:
    try:
        return info.node(name)
    except KeyError as exc:
        raise LabError(exc.args[0]) from exc


def _service_spec(client: docker.APIClient, name: str) -> dict[str, Any]:
    try:
        return dict(client.inspect_service(name)["Spec"])
    except docker.errors.NotFound as exc:
        raise LabError(f"no service named {name!r}") from exc


def _manager_api(info: LabInfo) -> docker.APIClient:
    """A client for the first manager whose engine is running."""
    for node in info.nodes:
        if node.role == "manager" and engine.dockerd_pid(node.name):
            return engine.api(node.name)
    raise LabError("no lab manager is running")
