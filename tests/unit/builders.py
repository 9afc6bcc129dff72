"""Minimal Engine API objects, shaped like the cases in shared/cases.md."""

from __future__ import annotations

from typing import Any


def node(
    node_id: str,
    hostname: str | None = None,
    *,
    role: str = "worker",
    state: str = "ready",
    availability: str = "active",
    leader: bool = False,
) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "ID": node_id,
        "Spec": {"Role": role, "Availability": availability},
        "Status": {"State": state, "Addr": "10.0.0.1"},
    }
    if hostname is not None:
        raw["Description"] = {"Hostname": hostname}
    if role == "manager":
        raw["ManagerStatus"] = {"Leader": leader, "Reachability": "reachable",
                                "Addr": "10.0.0.1:2377"}
    return raw


def service(
    service_id: str,
    name: str,
    mode: dict[str, Any],
    *,
    status: dict[str, int] | None = None,
    update: dict[str, Any] | None = None,
    constraints: list[str] | None = None,
) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "ID": service_id,
        "Spec": {
            "Name": name,
            "Mode": mode,
            "TaskTemplate": {"ContainerSpec": {"Image": "img:1"}},
        },
    }
    if constraints:
        raw["Spec"]["TaskTemplate"]["Placement"] = {"Constraints": constraints}
    if status is not None:
        raw["ServiceStatus"] = status
    if update is not None:
        raw["UpdateStatus"] = update
    return raw


def task(
    task_id: str,
    service_id: str,
    *,
    node_id: str | None = None,
    slot: int | None = None,
    desired: str = "running",
    state: str = "running",
    err: str | None = None,
    exit_code: int | None = None,
    timestamp: str = "2026-12-03T16:00:00Z",
) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "ID": task_id,
        "ServiceID": service_id,
        "DesiredState": desired,
        "Status": {"State": state, "Timestamp": timestamp},
        "Spec": {"ContainerSpec": {"Image": "img:1"}},
    }
    if node_id is not None:
        raw["NodeID"] = node_id
    if slot is not None:
        raw["Slot"] = slot
    if err is not None:
        raw["Status"]["Err"] = err
    if exit_code is not None:
        raw["Status"]["ContainerStatus"] = {"ExitCode": exit_code}
    return raw


def cluster(nodes, services, tasks, captured_at: int = 1796313600) -> dict[str, Any]:
    return {"nodes": nodes, "services": services, "tasks": tasks, "captured_at": captured_at,
            "info": {}, "version": {}}
