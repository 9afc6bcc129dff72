"""Plain renderings of a `ClusterState`: JSON for scripts, tables for people."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.table import Table
from rich.text import Text

from swarmtui.swarm.logtext import clean
from swarmtui.swarm.model import ClusterState, Health, Node, Service


def human_bytes(count: int) -> str:
    size = float(count)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{count} B"


def node_status(node: Node) -> str:
    if node.leader:
        return "Leader"
    if node.is_manager:
        return (node.reachability or "unknown").capitalize()
    return ""


def node_json(state: ClusterState, node: Node) -> dict[str, Any]:
    return {
        "id": node.id,
        "hostname": node.name,
        "role": node.role,
        "leader": node.leader,
        "manager_status": node_status(node) or None,
        "reachability": node.reachability,
        "availability": node.availability,
        "state": node.state,
        "address": node.address,
        "engine_version": node.engine_version,
        "cpus": node.cpus,
        "memory_bytes": node.memory_bytes,
        "labels": dict(node.labels),
        "tasks_running": state.running_tasks_on(node.id),
    }


def service_json(service: Service) -> dict[str, Any]:
    update = service.update_status
    return {
        "id": service.id,
        "name": service.name,
        "stack": service.stack or None,
        "mode": service.mode_label,
        "replicas": str(service.counts),
        "running": service.counts.running,
        "desired": service.counts.desired,
        "completed": service.counts.completed,
        "image": service.image,
        "ports": [str(p) for p in service.ports],
        "health": str(service.health),
        "reason": service.health_reason,
        "update": {"state": update.state, "message": update.message} if update else None,
    }


def state_json(state: ClusterState) -> dict[str, Any]:
    engine = state.engine
    return {
        "cluster": {
            "id": engine.cluster_id,
            "engine": engine.name,
            "engine_version": engine.engine_version,
            "api_version": engine.api_version,
            "fetched_at": state.fetched_at.isoformat(),
        },
        "nodes": [node_json(state, n) for n in state.nodes],
        "services": [service_json(s) for s in state.services],
    }


HEALTH_STYLE = {
    Health.OK: "green",
    Health.COMPLETED: "dim green",
    Health.UPDATING: "cyan",
    Health.UNKNOWN: "magenta",
    Health.DEGRADED: "yellow",
    Health.PENDING: "yellow",
    Health.UPDATE_PAUSED: "bold yellow",
    Health.ROLLBACK: "bold red",
    Health.FAILING: "bold red",
}


def _table(title: str) -> Table:
    return Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)


def _fill(table: Table, rows: list[tuple[str | Text, ...]], whole: int) -> Table:
    """Add `rows`; the first `whole` columns keep their full width, the rest give way."""
    for index, column in enumerate(table.columns[:whole]):
        widths = [_text(row[index]).cell_len for row in rows]
        column.min_width = max([len(str(column.header)), *widths])
    for row in rows:
        table.add_row(*(_text(cell) for cell in row))
    return table


def _text(cell: str | Text) -> Text:
    """Cells are data, never markup: a task error such as `[/srv/data]` stays as it is."""
    return cell if isinstance(cell, Text) else Text(clean(cell))


def nodes_table(state: ClusterState) -> Table:
    table = _table("Nodes")
    for column in ("HOSTNAME", "ROLE", "STATUS", "AVAILABILITY", "MANAGER", "ADDRESS"):
        table.add_column(column, no_wrap=True)
    for column in ("ENGINE", "CPU", "MEMORY", "TASKS"):
        table.add_column(column, no_wrap=True, overflow="ellipsis")
    rows = [
        (
            node.name,
            node.role,
            Text(clean(node.state), style="red") if node.is_down else node.state,
            node.availability,
            node_status(node),
            node.address,
            node.engine_version,
            f"{node.cpus:g}",
            human_bytes(node.memory_bytes),
            str(state.running_tasks_on(node.id)),
        )
        for node in state.nodes
    ]
    return _fill(table, rows, 6)


def services_table(state: ClusterState) -> Table:
    table = _table("Services")
    for column in ("NAME", "MODE", "REPLICAS", "HEALTH"):
        table.add_column(column, no_wrap=True)
    ports = any(service.ports for service in state.services)  # no column of blanks
    for column in ("IMAGE", *(("PORTS",) if ports else ()), "DETAIL"):
        table.add_column(column, no_wrap=True, overflow="ellipsis")
    rows = [
        (
            service.name,
            service.mode_label,
            str(service.counts),
            Text(str(service.health), style=HEALTH_STYLE.get(service.health, "")),
            service.short_image,
            *((service.ports_label,) if ports else ()),
            service.health_reason if service.health is not Health.OK else "",
        )
        for service in state.services
    ]
    return _fill(table, rows, 6 if ports else 5)
