"""Detail views of one service or one node, following the live state."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.events import ScreenResume
from textual.screen import Screen
from textual.widgets import Footer, Static

from swarmtui.report import human_bytes, node_status
from swarmtui.swarm.logtext import clean
from swarmtui.swarm.model import ClusterState, Node, Service
from swarmtui.swarm.secrets import mask_argv, mask_env, mask_labels
from swarmtui.ui.app import ClusterChanged
from swarmtui.ui.keyed_table import KeyedTable
from swarmtui.ui.rows import TASK_COLUMNS, health_style, task_rows
from swarmtui.ui.status_bar import StatusBar

if TYPE_CHECKING:
    from swarmtui.ui.app import SwarmApp


def short_image(image: str) -> str:
    """`repo:tag@sha256:0123456789ab…`: the digest kept recognisable, not 64 characters."""
    name, at, digest = image.partition("@")
    if not at:
        return image
    algorithm, _, value = digest.partition(":")
    return f"{name}@{algorithm}:{value[:12]}…"


def nanos(value: Any) -> str:
    if not value:
        return "—"
    seconds = int(value) / 1e9
    return f"{seconds:g}s"


def _grid(rows: list[tuple[str, RenderableType]]) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True, min_width=12)
    grid.add_column(overflow="fold")
    for label, value in rows:
        if isinstance(value, Text):
            value = Text(clean(value.plain), style=value.style, spans=value.spans)
        grid.add_row(Text(clean(label)), value)
    return grid


def _section(title: str, rows: list[tuple[str, RenderableType]]) -> RenderableType | None:
    if not rows:
        return None
    return Group(Text(title, style="bold underline"), _grid(rows), Text(""))


def _sections(*parts: RenderableType | None) -> Group:
    return Group(*(part for part in parts if part is not None))


def _mapping(values: Mapping[str, Any]) -> list[tuple[str, RenderableType]]:
    return [(str(k), Text(str(v))) for k, v in sorted(values.items())]


def service_sections(service: Service, state: ClusterState, palette: Any) -> RenderableType:
    spec = service.spec
    template = spec.get("TaskTemplate") or {}
    container = template.get("ContainerSpec") or {}
    placement = template.get("Placement") or {}
    health = Text(str(service.health), style=health_style(service.health, palette))
    if service.health_reason:
        health.append(f"  {service.health_reason}", style="")
    overview = [
        ("health", health),
        ("image", Text(short_image(service.image))),
        ("mode", Text(f"{service.mode_label}   replicas {service.counts}")),
        ("stack", Text(service.stack or "—")),
        ("created", Text(f"{service.created_at:%Y-%m-%d %H:%M:%S}" if service.created_at
                         else "—")),
        ("updated", Text(f"{service.updated_at:%Y-%m-%d %H:%M:%S}" if service.updated_at
                         else "—")),
    ]
    if container.get("Args") or container.get("Command"):
        argv = [*(container.get("Command") or []), *(container.get("Args") or [])]
        overview.append(("command", Text(" ".join(mask_argv(argv)))))
    if service.tty:
        overview.append(("tty", Text("yes (logs are raw output)")))
    scheduling: list[tuple[str, RenderableType]] = [
        ("constraints", Text("\n".join(service.constraints) or "—")),
    ]
    if placement.get("Preferences"):
        prefs = [str(p.get("Spread", {}).get("SpreadDescriptor", p))
                 for p in placement["Preferences"]]
        scheduling.append(("spread", Text(", ".join(prefs))))
    if placement.get("MaxReplicas"):
        scheduling.append(("max per node", Text(str(placement["MaxReplicas"]))))
    networking: list[tuple[str, RenderableType]] = []
    if service.ports:
        networking.append(("ports", Text("\n".join(f"{p} ({p.mode})" for p in service.ports))))
    for network in template.get("Networks") or []:
        name = state.network_names.get(network.get("Target", ""), network.get("Target", "")[:12])
        aliases = ", ".join(network.get("Aliases") or [])
        networking.append(("network", Text(f"{name}" + (f"  aliases {aliases}" if aliases
                                                         else ""))))
    mounts = [
        ("mount", Text(f"{m.get('Type', '?')} {m.get('Source') or '(anonymous)'} → "
                       f"{m.get('Target', '?')}" + (" (read-only)" if m.get("ReadOnly") else "")))
        for m in container.get("Mounts") or []
    ]
    resources = []
    for kind in ("Limits", "Reservations"):
        values = (template.get("Resources") or {}).get(kind) or {}
        parts = []
        if values.get("NanoCPUs"):
            parts.append(f"{values['NanoCPUs'] / 1e9:g} CPU")
        if values.get("MemoryBytes"):
            parts.append(human_bytes(values["MemoryBytes"]))
        if parts:
            resources.append((kind.lower(), Text(", ".join(parts))))
    updates = []
    for key, label in (("UpdateConfig", "update"), ("RollbackConfig", "rollback")):
        config = spec.get(key) or {}
        if config:
            updates.append((label, Text(
                f"parallelism {config.get('Parallelism', 1)}, delay {nanos(config.get('Delay'))}, "
                f"on failure {config.get('FailureAction', 'pause')}, monitor "
                f"{nanos(config.get('Monitor'))}, max failure ratio "
                f"{config.get('MaxFailureRatio', 0)}, order {config.get('Order', 'stop-first')}"
            )))
    if service.update_status is not None:
        status = service.update_status
        line = Text(status.label, style=health_style(service.health, palette))
        if status.started_at:
            line.append(f"  started {status.started_at:%H:%M:%S}", style="")
        if status.completed_at:
            line.append(f"  completed {status.completed_at:%H:%M:%S}", style="")
        if status.message:
            line.append(f"\n{status.message}", style="")
        updates.append(("status", line))
    env = mask_env(container.get("Env") or [])
    return _sections(
        _section("Overview", overview),
        _section("Scheduling", scheduling),
        _section("Networking", networking),
        _section("Mounts", mounts),
        _section("Resources", resources),
        _section("Updates", updates),
        _section("Labels", _mapping(mask_labels(dict(service.labels)))),
        _section("Environment", [(e.partition("=")[0], Text(e.partition("=")[2])) for e in env]),
    )


def node_sections(node: Node, state: ClusterState, palette: Any) -> RenderableType:
    node_state = Text(node.state, style=f"bold {palette['node-down']}" if node.is_down else "")
    if node.message:
        node_state.append(f"  {node.message}", style="")
    manager = node_status(node) or "—"
    if node.manager_address:
        manager += f"  (raft {node.manager_address})"
    overview = [
        ("role", Text(node.role)),
        ("manager", Text(manager)),
        ("availability", Text(node.availability)),
        ("state", node_state),
        ("address", Text(node.address or "—")),
        ("engine", Text(node.engine_version or "—")),
        ("platform", Text(f"{node.os}/{node.architecture}".strip("/") or "—")),
        ("resources", Text(f"{node.cpus:g} CPU, {human_bytes(node.memory_bytes)}")),
        ("tasks", Text(f"{state.running_tasks_on(node.id)} running")),
        ("id", Text(node.id)),
    ]
    return _sections(_section("Node", overview), _section("Labels", _mapping(node.labels)))


class DetailScreen(Screen[None]):
    CSS = """
    #detail { height: 2fr; padding: 0 1; }
    #detail-tasks { height: 1fr; min-height: 5; border: round $foreground 25%; }
    #detail-tasks:focus { border: round $accent; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="back"),
        Binding("l", "logs", "Logs", id="detail-logs"),
    ]
    kind = "service"

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key

    @property
    def swarm(self) -> SwarmApp:
        return cast("SwarmApp", self.app)

    def compose(self) -> ComposeResult:
        yield StatusBar()
        with VerticalScroll(id="detail"):
            yield Static(id="body")
        yield KeyedTable(TASK_COLUMNS, id="detail-tasks", filter_columns=(0, 1, 3))
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#detail-tasks", KeyedTable).set_title("Tasks")
        self.query_one("#detail", VerticalScroll).focus()
        self.show_cluster()

    def on_cluster_changed(self, _message: ClusterChanged) -> None:
        self.show_cluster()

    def on_screen_resume(self, _event: ScreenResume) -> None:
        self.show_cluster()

    def show_cluster(self) -> None:
        app = self.swarm
        self.query_one(StatusBar).show(app.state, app.status, app.mode_label,
                                       app.source.description, app.alerts, app.now())
        state = app.state
        if state is None:
            return
        self.render_detail(state)

    def render_detail(self, state: ClusterState) -> None:
        raise NotImplementedError

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_logs(self) -> None:
        self.notify("logs are per service or task", severity="warning")


class ServiceDetailScreen(DetailScreen):
    def render_detail(self, state: ClusterState) -> None:
        service = state.service(self.key)
        body = self.query_one("#body", Static)
        if service is None:
            body.update(Text("this service no longer exists", style="bold"))
            return
        self.sub_title = service.name
        body.update(Group(Text(clean(f"Service {service.name}"), style="bold reverse"), Text(""),
                          service_sections(service, state, self.swarm.palette)))
        tasks = self.query_one("#detail-tasks", KeyedTable)
        tasks.set_rows(task_rows(state, state.tasks_of(service.id), self.swarm.palette))
        tasks.set_title(f"Task history of {service.name}")

    def action_logs(self) -> None:
        from swarmtui.ui.logs_screen import LogScreen

        tasks = self.query_one("#detail-tasks", KeyedTable)
        if tasks.has_focus and tasks.selected_key:
            self.app.push_screen(LogScreen(self.key, task_id=tasks.selected_key))
        else:
            self.app.push_screen(LogScreen(self.key))


class NodeDetailScreen(DetailScreen):
    def render_detail(self, state: ClusterState) -> None:
        node = state.node(self.key)
        body = self.query_one("#body", Static)
        if node is None:
            body.update(Text("this node is no longer in the swarm", style="bold"))
            return
        body.update(Group(Text(clean(f"Node {node.name}"), style="bold reverse"), Text(""),
                          node_sections(node, state, self.swarm.palette)))
        tasks = self.query_one("#detail-tasks", KeyedTable)
        tasks.set_rows(task_rows(state, state.tasks_on(node.id), self.swarm.palette))
        tasks.set_title(f"Tasks on {node.name}")
