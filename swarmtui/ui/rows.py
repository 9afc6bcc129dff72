"""ClusterState → table rows. Pure functions: each row is (key, cells)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from rich.console import Console, ConsoleOptions
from rich.measure import Measurement
from rich.text import Text

from swarmtui.alerts.model import Alert, format_duration
from swarmtui.report import node_status
from swarmtui.swarm.logtext import clean
from swarmtui.swarm.model import ClusterState, Health, Node, Service, Task
from swarmtui.ui.themes import DEFAULT_PALETTE, Palette


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


class Cell(Text):
    """A one-line table cell. DataTable measures every cell of every new row; Text's own
    measurement also finds the longest word, which a no-wrap cell never needs."""

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        width = self.cell_len
        return Measurement(width, width)


def cell(value: object, style: str = "", limit: int | None = None) -> Text:
    """A table cell as Text: plain strings would be parsed as markup by DataTable."""
    text = Cell(clean(str(value)), style=style, end="", no_wrap=True, overflow="ellipsis")
    if limit is not None and text.cell_len > limit:
        text.truncate(limit, overflow="ellipsis")
    return text


def cells(*values: object) -> tuple[Text, ...]:
    return tuple(v if isinstance(v, Text) else cell(v) for v in values)

HEALTH_VARIABLES = {
    Health.OK: "health-ok",
    Health.COMPLETED: "health-completed",
    Health.UPDATING: "health-updating",
    Health.UNKNOWN: "health-pending",
    Health.DEGRADED: "health-degraded",
    Health.PENDING: "health-pending",
    Health.UPDATE_PAUSED: "health-paused",
    Health.ROLLBACK: "health-failing",
    Health.FAILING: "health-failing",
}
LOUD = frozenset({Health.UPDATE_PAUSED, Health.ROLLBACK, Health.FAILING})


def health_style(health: Health, palette: Palette = DEFAULT_PALETTE) -> str:
    colour = palette[HEALTH_VARIABLES[health]]
    return f"bold {colour}" if health in LOUD else colour


def health_text(health: Health, palette: Palette = DEFAULT_PALETTE) -> Text:
    return cell(health, health_style(health, palette))


def node_row(state: ClusterState, node: Node, palette: Palette = DEFAULT_PALETTE) -> Row:
    node_state = cell(node.state, f"bold {palette['node-down']}" if node.is_down else "")
    availability = cell(node.availability,
                        "" if node.availability == "active" else palette["health-degraded"])
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


def service_row(service: Service, palette: Palette = DEFAULT_PALETTE) -> Row:
    counts = service.counts
    short = counts.running < counts.desired and service.health is not Health.COMPLETED
    return service.id, cells(
        service.name,
        cell(counts, palette["health-degraded"] if short else ""),
        health_text(service.health, palette),
        service.mode_label,
        service.short_image,
        cell(service.health_reason if service.health is not Health.OK else "",
             limit=DETAIL_WIDTH),
    )


def clock_time(when: datetime | None) -> str:
    """A local wall-clock time: unlike "53s ago" it does not change while nothing happens,
    so an idle screen stays idle (no redraw every refresh)."""
    if when is None:
        return ""
    try:
        return when.astimezone().strftime("%H:%M:%S")
    except (OverflowError, ValueError, OSError):  # year 9999 from someone else's data
        return "?"


TASK_STATE_VARIABLES = {
    "running": "health-ok",
    "complete": "health-completed",
    "failed": "health-failing",
    "rejected": "health-failing",
    "pending": "health-pending",
    "orphaned": "health-failing",
}


def task_row(state: ClusterState, task: Task, palette: Palette = DEFAULT_PALETTE) -> Row:
    label = state.task_state_label(task)
    variable = TASK_STATE_VARIABLES.get(task.state)
    style = palette[variable] if variable else ""
    if "node" in label:
        style = f"bold {palette['node-down']}"
    error = task.error
    if task.exit_code and f"({task.exit_code})" not in error:
        error = f"exit {task.exit_code}: {error}" if error else f"exit {task.exit_code}"
    return task.id, cells(
        state.task_name(task),
        state.node_name(task.node_id),
        task.desired_state,
        cell(label, style),
        clock_time(task.timestamp),
        cell(error, limit=DETAIL_WIDTH),
    )


def node_rows(state: ClusterState, palette: Palette = DEFAULT_PALETTE) -> list[Row]:
    return [node_row(state, n, palette) for n in state.nodes]


def service_rows(state: ClusterState, palette: Palette = DEFAULT_PALETTE) -> list[Row]:
    return [service_row(s, palette) for s in state.services]


def task_rows(state: ClusterState, tasks: Sequence[Task],
              palette: Palette = DEFAULT_PALETTE) -> list[Row]:
    """Current tasks first (by slot or node), then history, newest first."""
    def order(task: Task) -> tuple[int, str, float]:
        current = task.desired_state in ("running", "ready", "complete")
        stamp = task.timestamp.timestamp() if task.timestamp else 0.0
        return (0 if current else 1, state.task_name(task), -stamp)

    return [task_row(state, t, palette) for t in sorted(tasks, key=order)]


ALERT_COLUMNS = (
    Column("severity", "SEVERITY"),
    Column("subject", "SUBJECT"),
    Column("summary", "SUMMARY"),
    Column("since", "SINCE"),
    Column("origin", "FROM"),
)

SEVERITY_VARIABLES = {3: "health-failing", 2: "health-degraded", 1: "health-updating"}


duration_label = format_duration


def alert_row_key(alert: Alert) -> str:
    """A row key that any rule or subject text (`|` included) cannot make ambiguous."""
    return json.dumps(list(alert.key))


def alert_key(row_key: str) -> tuple[str, str, str] | None:
    try:
        origin, rule, subject = json.loads(row_key)
    except (ValueError, TypeError):
        return None
    return str(origin), str(rule), str(subject)


def alert_rows(alerts: Sequence[Alert], palette: Palette = DEFAULT_PALETTE) -> list[Row]:
    rows = []
    for alert in alerts:
        style = palette[SEVERITY_VARIABLES[int(alert.severity)]]
        rows.append((alert_row_key(alert), cells(
            cell(alert.severity.label + (" ✓" if alert.acknowledged else ""),
                 f"bold {style}" if alert.severity >= 3 and not alert.acknowledged else style),
            alert.subject,
            cell(alert.summary, limit=DETAIL_WIDTH),
            clock_time(alert.first_seen),
            alert.origin,
        )))
    return rows
