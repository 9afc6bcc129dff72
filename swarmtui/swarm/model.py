"""The cluster as swarmtui sees it: immutable, typed records.

Everything here is built from raw Engine API JSON by `swarmtui.swarm.parse`.
Records never raise on odd input: an unknown mode or state is kept as the
engine's own string, and a missing field becomes `None` or an empty value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from typing import Any


class ServiceMode(StrEnum):
    REPLICATED = "replicated"
    GLOBAL = "global"
    REPLICATED_JOB = "replicated job"
    GLOBAL_JOB = "global job"
    UNKNOWN = "unknown"

    @property
    def is_job(self) -> bool:
        return self in (ServiceMode.REPLICATED_JOB, ServiceMode.GLOBAL_JOB)

    @property
    def is_global(self) -> bool:
        return self in (ServiceMode.GLOBAL, ServiceMode.GLOBAL_JOB)


class Health(StrEnum):
    """A service's health class, in the order an operator should look at them."""

    FAILING = "failing"
    UPDATE_PAUSED = "update-paused"
    ROLLBACK = "rollback"
    PENDING = "pending"
    DEGRADED = "degraded"
    UPDATING = "updating"
    UNKNOWN = "unknown"  # a mode this version does not know: counts can't be trusted
    COMPLETED = "completed"
    OK = "ok"

    @property
    def rank(self) -> int:
        return list(Health).index(self)


class Connection(StrEnum):
    CONNECTING = "connecting"
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    hostname: str
    role: str
    availability: str
    state: str
    address: str
    leader: bool = False
    reachability: str | None = None
    manager_address: str | None = None
    engine_version: str = ""
    os: str = ""
    architecture: str = ""
    nano_cpus: int = 0
    memory_bytes: int = 0
    labels: Mapping[str, str] = field(default_factory=dict)
    message: str = ""

    @property
    def name(self) -> str:
        """What operators call the node: its hostname, else its short id."""
        return self.hostname or self.id[:12]

    @property
    def is_manager(self) -> bool:
        return self.role == "manager"

    @property
    def is_down(self) -> bool:
        return self.state in ("down", "disconnected", "unknown")

    @property
    def cpus(self) -> float:
        return self.nano_cpus / 1e9


@dataclass(frozen=True, slots=True)
class Task:
    id: str
    service_id: str
    node_id: str | None
    slot: int | None
    desired_state: str
    state: str
    message: str = ""
    error: str = ""
    exit_code: int | None = None
    container_id: str = ""
    image: str = ""
    timestamp: datetime | None = None
    created_at: datetime | None = None
    job_iteration: int | None = None

    @property
    def exit_label(self) -> str:
        """The exit code as a person should read it: only for a container that ran and
        stopped (a rejected task never started; the engine still says 0)."""
        if self.exit_code is None or self.state not in ("failed", "complete", "shutdown"):
            return ""
        return str(self.exit_code)


@dataclass(frozen=True, slots=True)
class UpdateStatus:
    state: str
    message: str = ""
    started_at: datetime | None = None
    completed_at: datetime | None = None

    @property
    def label(self) -> str:
        """The state as an operator reads it (C-08): a rollback is not a success."""
        return {
            "updating": "updating",
            "paused": "update paused",
            "completed": "updated",
            "rollback_started": "rolling back",
            "rollback_paused": "rollback paused",
            "rollback_completed": "rolled back",
        }.get(self.state, self.state or "—")


@dataclass(frozen=True, slots=True)
class PublishedPort:
    published: int | None
    target: int | None
    protocol: str = "tcp"
    mode: str = "ingress"

    def __str__(self) -> str:
        left = f"*:{self.published}" if self.published else "*"
        return f"{left}->{self.target}/{self.protocol}"


@dataclass(frozen=True, slots=True)
class ReplicaCounts:
    """Replica figures exactly as `docker service ls` prints them."""

    running: int
    desired: int
    completed: int = 0
    total_completions: int | None = None  # jobs only
    max_per_node: int = 0
    on_down_nodes: int = 0  # tasks reported running whose node is down (C-04)

    def __str__(self) -> str:
        text = f"{self.running}/{self.desired}"
        if self.total_completions is not None:
            return f"{text} ({self.completed}/{self.total_completions} completed)"
        if self.max_per_node:
            return f"{text} (max {self.max_per_node} per node)"
        return text


@dataclass(frozen=True, slots=True)
class Service:
    id: str
    name: str
    mode: ServiceMode
    image: str
    counts: ReplicaCounts
    health: Health
    health_reason: str = ""
    stack: str = ""
    mode_raw: str = ""
    replicas: int | None = None  # the spec's replica count, replicated services only
    ports: tuple[PublishedPort, ...] = ()
    constraints: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    update_status: UpdateStatus | None = None
    tty: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None
    spec: Mapping[str, Any] = field(default_factory=dict)
    previous_spec: Mapping[str, Any] | None = None  # what `docker service rollback` returns to

    @property
    def mode_label(self) -> str:
        return self.mode_raw if self.mode is ServiceMode.UNKNOWN else str(self.mode)

    @property
    def short_image(self) -> str:
        """The image without its digest, which only makes columns wide."""
        return self.image.split("@", 1)[0]

    @property
    def ports_label(self) -> str:
        return ", ".join(str(p) for p in self.ports)


@dataclass(frozen=True, slots=True)
class EngineInfo:
    """Facts about the engine we talk to and the swarm it belongs to."""

    name: str = ""
    engine_version: str = ""
    api_version: str = ""
    min_api_version: str = ""
    node_id: str = ""
    node_address: str = ""
    cluster_id: str = ""
    local_node_state: str = ""
    control_available: bool = False
    remote_managers: tuple[str, ...] = ()
    managers: int = 0
    nodes: int = 0


@dataclass(frozen=True)
class ClusterState:
    """One consistent picture of the cluster, as of `fetched_at`."""

    version: int
    fetched_at: datetime
    engine: EngineInfo
    nodes: tuple[Node, ...]
    services: tuple[Service, ...]
    tasks: tuple[Task, ...]
    network_names: Mapping[str, str] = field(default_factory=dict)

    @cached_property
    def _nodes_by_id(self) -> dict[str, Node]:
        return {n.id: n for n in self.nodes}

    @cached_property
    def _services_by_id(self) -> dict[str, Service]:
        return {s.id: s for s in self.services}

    @cached_property
    def _tasks_by_service(self) -> dict[str, list[Task]]:
        grouped: dict[str, list[Task]] = {}
        for task in self.tasks:
            grouped.setdefault(task.service_id, []).append(task)
        return grouped

    @cached_property
    def _tasks_by_node(self) -> dict[str, list[Task]]:
        grouped: dict[str, list[Task]] = {}
        for task in self.tasks:
            if task.node_id:
                grouped.setdefault(task.node_id, []).append(task)
        return grouped

    def node(self, node_id: str | None) -> Node | None:
        return self._nodes_by_id.get(node_id) if node_id else None

    def service(self, service_id: str) -> Service | None:
        return self._services_by_id.get(service_id)

    def service_named(self, name: str) -> Service | None:
        return next((s for s in self.services if s.name == name), None)

    def nodes_named(self, name: str) -> list[Node]:
        """The node with this ID, or every node with this hostname: a node rebuilt and
        joined again leaves its old entry (down) under the same name."""
        by_id = self._nodes_by_id.get(name)
        if by_id is not None:
            return [by_id]
        return [n for n in self.nodes if n.name == name]

    def node_named(self, name: str) -> Node | None:
        """The one node a name or ID means; None when none does or the name is ambiguous
        (as `docker node` refuses it)."""
        found = self.nodes_named(name)
        return found[0] if len(found) == 1 else None

    def node_ref(self, node: Node) -> str:
        """How a plan names this node: its hostname, or its ID when another node has
        the same hostname."""
        return node.name if len(self.nodes_named(node.name)) == 1 else node.id

    def tasks_of(self, service_id: str) -> list[Task]:
        return self._tasks_by_service.get(service_id, [])

    def tasks_on(self, node_id: str) -> list[Task]:
        return self._tasks_by_node.get(node_id, [])

    def node_name(self, node_id: str | None) -> str:
        """A task's node as a name; a dash when it has none (C-03)."""
        if not node_id:
            return "—"
        node = self.node(node_id)
        return node.name if node else node_id[:12]

    def running_tasks_on(self, node_id: str) -> int:
        return sum(1 for t in self.tasks_on(node_id) if t.state == "running")

    def task_name(self, task: Task) -> str:
        """`web.2` for replicated tasks, `mon.<node>` for global ones (C-05)."""
        service = self.service(task.service_id)
        base = service.name if service else task.service_id[:12]
        if service is not None and service.mode.is_global:
            return f"{base}.{self.node_name(task.node_id)}"
        if task.slot:
            return f"{base}.{task.slot}"
        if task.node_id:
            return f"{base}.{self.node_name(task.node_id)}"
        return f"{base}.{task.id[:12]}"

    def task_state_label(self, task: Task) -> str:
        """The task's state, saying so when its node is down (C-04)."""
        node = self.node(task.node_id)
        if task.state == "running" and node is not None and node.is_down:
            return f"running (node {node.state})"
        return task.state
