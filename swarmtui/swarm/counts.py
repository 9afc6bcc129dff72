"""Replica counts, the way `docker service ls` shows them.

Two paths that must agree: the engine's `ServiceStatus` (API ≥ 1.41) and the
service's tasks (older engines, or a status that is missing). Either way a task
reported running on a node that is down does not count as running (C-04), and a
global service's target comes from its tasks, never from the node count (C-01).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from swarmtui.swarm.model import Node, ReplicaCounts, ServiceMode, Task


def _job_iteration(raw_service: Mapping[str, Any]) -> int | None:
    status = raw_service.get("JobStatus")
    if not isinstance(status, Mapping):
        return None
    iteration = status.get("JobIteration")
    return int(iteration.get("Index", 0)) if isinstance(iteration, Mapping) else 0


def _on_down_node(task: Task, nodes: Mapping[str, Node]) -> bool:
    node = nodes.get(task.node_id or "")
    return node is not None and node.is_down


def counts_from_tasks(
    mode: ServiceMode,
    spec_mode: Mapping[str, Any],
    tasks: Iterable[Task],
    nodes: Mapping[str, Node],
    job_iteration: int | None,
) -> tuple[int, int, int]:
    """(running, desired, completed) computed from tasks, as swarmkit does."""
    running = desired = completed = 0
    for task in tasks:
        if mode.is_job and job_iteration is not None and task.job_iteration != job_iteration:
            continue
        if mode.is_job and task.state == "complete":
            completed += 1
        if task.state == "running" and not _on_down_node(task, nodes):
            running += 1
        if mode is ServiceMode.GLOBAL and task.desired_state == "running":
            desired += 1
        if mode is ServiceMode.GLOBAL_JOB and task.desired_state == "complete" != task.state:
            desired += 1
    if mode is ServiceMode.REPLICATED:
        desired = int(spec_mode.get("Replicated", {}).get("Replicas") or 0)
    elif mode is ServiceMode.REPLICATED_JOB:
        desired = int(spec_mode.get("ReplicatedJob", {}).get("MaxConcurrent") or 0)
    return running, desired, completed


def replica_counts(
    raw_service: Mapping[str, Any],
    mode: ServiceMode,
    tasks: list[Task],
    nodes: Mapping[str, Node],
) -> ReplicaCounts:
    spec = raw_service.get("Spec") or {}
    spec_mode = spec.get("Mode") or {}
    on_down = sum(1 for t in tasks if t.state == "running" and _on_down_node(t, nodes))
    status = raw_service.get("ServiceStatus")
    if isinstance(status, Mapping) and mode is not ServiceMode.UNKNOWN:
        running = max(0, int(status.get("RunningTasks") or 0) - on_down)
        desired = int(status.get("DesiredTasks") or 0)
        completed = int(status.get("CompletedTasks") or 0)
    else:
        running, desired, completed = counts_from_tasks(
            mode, spec_mode, tasks, nodes, _job_iteration(raw_service)
        )
    total: int | None = None
    if mode is ServiceMode.REPLICATED_JOB:
        job = spec_mode.get("ReplicatedJob") or {}
        total = int(job.get("TotalCompletions") or job.get("MaxConcurrent") or 1)
    elif mode is ServiceMode.GLOBAL_JOB:
        total = desired + completed
    placement = (spec.get("TaskTemplate") or {}).get("Placement") or {}
    return ReplicaCounts(
        running=running,
        desired=desired,
        completed=completed,
        total_completions=total,
        max_per_node=int(placement.get("MaxReplicas") or 0),
        on_down_nodes=on_down,
    )
