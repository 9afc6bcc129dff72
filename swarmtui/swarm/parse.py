"""Raw Engine API JSON → typed records.

Engines differ (20.10 to current), jobs and services without a status exist,
nodes can lack hostnames: every getter here tolerates a missing key or a
`null` where an object was expected.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from swarmtui.swarm.counts import replica_counts
from swarmtui.swarm.health import classify
from swarmtui.swarm.model import (
    ClusterState,
    EngineInfo,
    Node,
    PublishedPort,
    Service,
    ServiceMode,
    Task,
    UpdateStatus,
)

Json = Mapping[str, Any]


class MalformedData(ValueError):
    """Engine data of a shape no engine sends; says which object and what was wrong."""


@dataclass(frozen=True, slots=True)
class RawCluster:
    """What one refresh fetched, still as the engine sent it."""

    info: Json
    version: Json
    nodes: list[Json]
    services: list[Json]
    tasks: list[Json]
    fetched_at: datetime | None = None  # set by recordings; live fetches use "now"


def dig(obj: Any, *path: str, default: Any = None) -> Any:
    """`obj[a][b]…`, or `default` as soon as a level is missing or not a mapping."""
    for key in path:
        if not isinstance(obj, Mapping):
            return default
        obj = obj.get(key)
        if obj is None:
            return default
    return obj


def parse_time(value: Any) -> datetime | None:
    """Engine timestamps (nanoseconds, `Z`); the zero time means "never"."""
    if not isinstance(value, str) or not value or value.startswith("0001-"):
        return None
    try:
        stamp = datetime.fromisoformat(value)  # 3.11 reads Z and truncates nanoseconds
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def parse_node(raw: Json) -> Node:
    manager = dig(raw, "ManagerStatus") or {}
    address = dig(raw, "Status", "Addr", default="")
    manager_address = manager.get("Addr") if isinstance(manager, Mapping) else None
    if address in ("", "0.0.0.0") and manager_address:
        # Some engines report 0.0.0.0 for managers; the raft address is the real one.
        address = manager_address.rsplit(":", 1)[0]
    return Node(
        id=str(raw.get("ID", "")),
        hostname=str(dig(raw, "Description", "Hostname", default="")),
        role=str(dig(raw, "Spec", "Role", default="worker")),
        availability=str(dig(raw, "Spec", "Availability", default="active")),
        state=str(dig(raw, "Status", "State", default="unknown")),
        address=str(address),
        leader=bool(manager.get("Leader")) if isinstance(manager, Mapping) else False,
        reachability=manager.get("Reachability") if isinstance(manager, Mapping) else None,
        manager_address=manager_address,
        engine_version=dig(raw, "Description", "Engine", "EngineVersion", default=""),
        os=dig(raw, "Description", "Platform", "OS", default=""),
        architecture=dig(raw, "Description", "Platform", "Architecture", default=""),
        nano_cpus=int(dig(raw, "Description", "Resources", "NanoCPUs", default=0)),
        memory_bytes=int(dig(raw, "Description", "Resources", "MemoryBytes", default=0)),
        labels=dict(dig(raw, "Spec", "Labels", default={})),
        message=dig(raw, "Status", "Message", default=""),
    )


def parse_task(raw: Json) -> Task:
    status = raw.get("Status") or {}
    container_status = status.get("ContainerStatus") or {}
    exit_code = container_status.get("ExitCode")
    iteration = raw.get("JobIteration")
    spec = raw.get("Spec") or {}
    return Task(
        id=str(raw.get("ID", "")),
        service_id=str(raw.get("ServiceID", "")),
        node_id=raw.get("NodeID") or None,
        slot=raw.get("Slot") or None,
        desired_state=str(raw.get("DesiredState", "")),
        state=status.get("State") or "unknown",
        message=status.get("Message") or "",
        error=status.get("Err") or "",
        exit_code=exit_code if isinstance(exit_code, int) else None,
        container_id=container_status.get("ContainerID") or "",
        image=(spec.get("ContainerSpec") or {}).get("Image") or "",
        timestamp=parse_time(status.get("Timestamp")),
        created_at=parse_time(raw.get("CreatedAt")),
        job_iteration=int(iteration.get("Index", 0)) if isinstance(iteration, Mapping) else None,
    )


def service_mode(spec: Json) -> tuple[ServiceMode, str]:
    mode = spec.get("Mode")
    if not isinstance(mode, Mapping) or not mode:
        return ServiceMode.UNKNOWN, "unknown"
    key = next(iter(mode))
    known = {
        "Replicated": ServiceMode.REPLICATED,
        "Global": ServiceMode.GLOBAL,
        "ReplicatedJob": ServiceMode.REPLICATED_JOB,
        "GlobalJob": ServiceMode.GLOBAL_JOB,
    }
    return known.get(key, ServiceMode.UNKNOWN), key


def parse_ports(raw: Json) -> tuple[PublishedPort, ...]:
    ports = dig(raw, "Endpoint", "Ports") or dig(raw, "Spec", "EndpointSpec", "Ports") or []
    return tuple(
        PublishedPort(
            published=p.get("PublishedPort"),
            target=p.get("TargetPort"),
            protocol=p.get("Protocol", "tcp"),
            mode=p.get("PublishMode", "ingress"),
        )
        for p in ports
        if isinstance(p, Mapping)
    )


def parse_update_status(raw: Json) -> UpdateStatus | None:
    status = raw.get("UpdateStatus")
    if not isinstance(status, Mapping) or not status.get("State"):
        return None
    return UpdateStatus(
        state=str(status["State"]),
        message=str(status.get("Message", "")),
        started_at=parse_time(status.get("StartedAt")),
        completed_at=parse_time(status.get("CompletedAt")),
    )


def parse_service(
    raw: Json, tasks: list[Task], nodes: Mapping[str, Node], now: datetime | None = None
) -> Service:
    spec = raw.get("Spec") or {}
    mode, mode_raw = service_mode(spec)
    container = dig(spec, "TaskTemplate", "ContainerSpec", default={})
    labels = dict(spec.get("Labels") or {})
    update_status = parse_update_status(raw)
    counts = replica_counts(raw, mode, tasks, nodes)
    health, reason = classify(mode, counts, update_status, tasks, now)
    return Service(
        id=str(raw.get("ID", "")),
        name=str(spec.get("Name", raw.get("ID", ""))),
        mode=mode,
        mode_raw=mode_raw,
        image=str(container.get("Image", "")),
        counts=counts,
        health=health,
        health_reason=reason,
        stack=labels.get("com.docker.stack.namespace", ""),
        replicas=dig(spec, "Mode", "Replicated", "Replicas"),
        ports=parse_ports(raw),
        constraints=tuple(dig(spec, "TaskTemplate", "Placement", "Constraints", default=[])),
        labels=labels,
        update_status=update_status,
        tty=bool(container.get("TTY")),
        created_at=parse_time(raw.get("CreatedAt")),
        updated_at=parse_time(raw.get("UpdatedAt")),
        spec=spec,
        previous_spec=raw.get("PreviousSpec") or None,
    )


def parse_engine(info: Json, version: Json) -> EngineInfo:
    try:
        return _parse_engine(info, version)
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        raise MalformedData(f"info: {exc}") from None


def _parse_engine(info: Json, version: Json) -> EngineInfo:
    swarm = info.get("Swarm") or {}
    return EngineInfo(
        name=str(info.get("Name", "")),
        engine_version=str(version.get("Version") or info.get("ServerVersion", "")),
        api_version=str(version.get("ApiVersion", "")),
        min_api_version=str(version.get("MinAPIVersion", "")),
        node_id=str(swarm.get("NodeID", "")),
        node_address=str(swarm.get("NodeAddr", "")),
        cluster_id=str(dig(swarm, "Cluster", "ID", default="")),
        local_node_state=str(swarm.get("LocalNodeState", "")),
        control_available=bool(swarm.get("ControlAvailable")),
        remote_managers=tuple(
            str(m.get("Addr", "")) for m in swarm.get("RemoteManagers") or [] if m
        ),
        managers=int(swarm.get("Managers") or 0),
        nodes=int(swarm.get("Nodes") or 0),
    )


def _each(kind: str, items: Any, parse: Any) -> list[Any]:
    if not isinstance(items, list):
        raise MalformedData(f"'{kind}' is not a list")
    parsed = []
    for index, item in enumerate(items):
        try:
            if not isinstance(item, Mapping):
                raise TypeError("not an object")
            parsed.append(parse(item))
        except (TypeError, ValueError, AttributeError, KeyError, OverflowError) as exc:
            raise MalformedData(f"{kind}[{index}]: {exc}") from None
    return parsed


def build_state(raw: RawCluster, version: int, fetched_at: datetime) -> ClusterState:
    """The typed state; raises `MalformedData` naming the first object it cannot read."""
    try:
        return _build_state(raw, version, fetched_at)
    except MalformedData:
        raise
    except (TypeError, ValueError, AttributeError, KeyError, OverflowError) as exc:
        raise MalformedData(str(exc)) from None


def _build_state(raw: RawCluster, version: int, fetched_at: datetime) -> ClusterState:
    nodes = tuple(_each("nodes", raw.nodes, parse_node))
    tasks = tuple(_each("tasks", raw.tasks, parse_task))
    by_node = {n.id: n for n in nodes}
    by_service: dict[str, list[Task]] = {}
    for task in tasks:
        by_service.setdefault(task.service_id, []).append(task)
    services = tuple(sorted(
        _each("services", raw.services, lambda s: parse_service(
            s, by_service.get(str(s.get("ID", "")), []), by_node, fetched_at)),
        key=lambda s: s.name,
    ))
    networks: dict[str, str] = {}
    for task in raw.tasks:
        for attachment in task.get("NetworksAttachments") or []:
            if not isinstance(attachment, Mapping):
                continue
            network = attachment.get("Network") or {}
            name = dig(network, "Spec", "Name")
            if network.get("ID") and name:
                networks[network["ID"]] = name
    return ClusterState(
        network_names=networks,
        version=version,
        fetched_at=fetched_at,
        engine=parse_engine(raw.info if isinstance(raw.info, Mapping) else {},
                            raw.version if isinstance(raw.version, Mapping) else {}),
        nodes=tuple(sorted(nodes, key=lambda n: (not n.is_manager, n.name))),
        services=services,
        tasks=tasks,
    )
