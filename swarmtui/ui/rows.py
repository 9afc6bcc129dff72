"""ClusterState → table rows. Pure functions: each row is (key, cells)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text

from swarmtui.report import node_status
from swarmtui.swarm.model import ClusterState, Health, Node, Service, Task


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    width: int | None = None


NODE_COLUMNS = (
    Column("name", "NODE"),
    Column("role", "ROLE"),
    Column("state", "STATE"),
    Column("availability", "AVAIL"),
    Column("manager", "MANAGER"),
    Column("address", "ADDRESS"),
    Column("tasks", "TASKS"),
    Column("engine", "ENGINE"),
)

SERVICE_COLUMNS = (
    Column("name", "SERVICE"),
    Column("replicas", "REPLICAS"),
    Column("health", "HEALTH"),
    Column("mode", "MODE"),
    Column("image", "IMAGE"),
    Column("detail", "DETAIL"),
)

TASK_COLUMNS = (
    Column("name", "TASK"),
    Column("node", "NODE"),
    Column("desired", "DESIRED"),
    Column("state", "STATE"),
    Column("since", "SINCE"),
    Column("error", "ERROR"),
)

Row = tuple[str, tuple[Text, ...]]

DETAIL_WIDTH = 72


def cell(value: object, style: str = "", limit: int | None = None) -> Text:
    """A table cell as Text: plain strings would be parsed as markup by DataTable."""
    text = Text(str(value), style=style, end="", no_wrap=True, overflow="ellipsis")
    if limit is not None and text.cell_len > limit:
        text.truncate(limit, overflow="ellipsis")
    return text


def cells(*values: object) -> tuple[Text, ...]:
    return tuple(v if isinstance(v, Text) else cell(v) for v in values)

HEALTH_CLASSES = {
    Health.OK: "ok",
    Health.COMPLETED: "completed",
    Health.UPDATING: "updating",
    Health.DEGRADED: "degraded",
    Health.PENDING: "pending",
    Health.UPDATE_PAUSED: "paused",
    Health.ROLLBACK: "failing",
    Health.FAILING: "failing",
}

HEALTH_STYLES = {
    "ok": "green",
    "completed": "green",
    "updating": "cyan",
    "degraded": "yellow",
    "pending": "yellow",
    "paused": "bold yellow",
    "failing": "bold red",
}


def health_text(health: Health) -> Text:
    return cell(health, HEALTH_STYLES[HEALTH_CLASSES[health]])


def node_row(state: ClusterState, node: Node) -> Row:
    node_state = cell(node.state, "bold red" if node.is_down else "")
    availability = cell(node.availability, "" if node.availability == "active" else "yellow")
    return node.id, cells(
        node.name,
        node.role,
        node_state,
        availability,
        node_status(node),
        node.address,
        str(state.running_tasks_on(node.id)),
        node.engine_version,
    )


def service_row(service: Service) -> Row:
    counts = service.counts
    short = counts.running < counts.desired and service.health is not Health.COMPLETED
    return service.id, cells(
        service.name,
        cell(counts, "yellow" if short else ""),
        health_text(service.health),
        service.mode_label,
        service.short_image,
        cell(service.health_reason if service.health is not Health.OK else "",
             limit=DETAIL_WIDTH),
    )


def _ago(state: ClusterState, task: Task) -> str:
    if task.timestamp is None:
        return ""
    seconds = max(0, int((state.fetched_at - task.timestamp).total_seconds()))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"


TASK_STATE_STYLES = {
    "running": "green",
    "complete": "green",
    "failed": "red",
    "rejected": "red",
    "pending": "yellow",
    "orphaned": "red",
}


def task_row(state: ClusterState, task: Task) -> Row:
    label = state.task_state_label(task)
    style = "bold red" if "node" in label else TASK_STATE_STYLES.get(task.state, "")
    error = task.error
    if task.exit_code and f"({task.exit_code})" not in error:
        error = f"exit {task.exit_code}: {error}" if error else f"exit {task.exit_code}"
    return task.id, cells(
        state.task_name(task),
        state.node_name(task.node_id),
        task.desired_state,
        cell(label, style),
        _ago(state, task),
        cell(error, limit=DETAIL_WIDTH),
    )


def node_rows(state: ClusterState) -> list[Row]:
    return [node_row(state, n) for n in state.nodes]


def service_rows(state: ClusterState) -> list[Row]:
    return [service_row(s) for s in state.services]


def task_rows(state: ClusterState, tasks: Sequence[Task]) -> list[Row]:
    """Current tasks first (by slot or node), then history, newest first."""
    def order(task: Task) -> tuple[int, str, float]:
        current = task.desired_state in ("running", "ready", "complete")
        stamp = task.timestamp.timestamp() if task.timestamp else 0.0
        return (0 if current else 1, state.task_name(task), -stamp)

    return [task_row(state, t) for t in sorted(tasks, key=order)]
