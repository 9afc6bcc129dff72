"""The dashboard: nodes, services, the tasks of the selection, alerts, a command bar."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.events import ScreenResume
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from swarmtui.actions.plan import Plan, Step
from swarmtui.swarm.logtext import clean
from swarmtui.swarm.model import Node, Service
from swarmtui.ui.app import ClusterChanged
from swarmtui.ui.command_bar import CommandBar, intent_hint
from swarmtui.ui.keyed_table import KeyedTable
from swarmtui.ui.rows import (
    ALERT_COLUMNS,
    NODE_COLUMNS,
    SERVICE_COLUMNS,
    TASK_COLUMNS,
    alert_key,
    alert_rows,
    node_rows,
    service_rows,
    task_rows,
)
from swarmtui.ui.status_bar import StatusBar

if TYPE_CHECKING:
    from swarmtui.ui.app import SwarmApp

PANES = ("nodes", "services", "tasks", "alerts")


class DashboardScreen(Screen[None]):
    CSS = """
    #panes { height: 1fr; }
    KeyedTable {
        border: round $foreground 25%;
        border-title-color: $text-muted;
        border-subtitle-color: $accent;
        scrollbar-size-vertical: 1;
        scrollbar-size-horizontal: 0;
    }
    KeyedTable:focus { border: round $accent; border-title-color: $text; }
    #nodes { height: auto; max-height: 9; }
    #services { height: 2fr; min-height: 5; }
    #tasks { height: 1fr; min-height: 4; }
    #alerts { height: auto; max-height: 7; }
    #alerts.-empty { display: none; }
    #intent-hint { height: 1; padding: 0 1; color: $text-muted; background: $panel;
                   display: none; }
    #intent-hint.-shown { display: block; }
    DashboardScreen.-compact #nodes { max-height: 6; }
    DashboardScreen.-compact #services { min-height: 4; }
    DashboardScreen.-compact #tasks { min-height: 3; }
    DashboardScreen.-compact #alerts { display: none; }
    DashboardScreen.-compact.-show-alerts #alerts { display: block; height: 1fr; max-height: 100%; }
    DashboardScreen.-compact.-show-alerts #tasks { display: none; }
    """
    COMPACT_HEIGHT = 34
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "focus_pane('nodes')", "Nodes", id="focus-nodes", show=False),
        Binding("s", "focus_pane('services')", "Services", id="focus-services", show=False),
        Binding("t", "focus_pane('tasks')", "Tasks", id="focus-tasks", show=False),
        Binding("a", "focus_pane('alerts')", "Alerts", id="focus-alerts", show=False),
        Binding("slash", "filter", "Filter", id="filter"),
        Binding("escape", "clear_filter", "Clear filter", id="clear-filter", show=False),
        Binding("colon", "command", "Command", id="command"),
        Binding("l", "logs", "Logs", id="logs"),
        Binding("r", "refresh", "Refresh", id="refresh", show=False),
        Binding("plus", "scale(1)", "Scale +1", id="scale-up", show=False),
        Binding("minus", "scale(-1)", "Scale -1", id="scale-down", show=False),
        Binding("R", "service_step('service.restart')", "Restart", id="restart", show=False),
        Binding("b", "service_step('service.rollback')", "Roll back", id="rollback",
                show=False),
        Binding("D", "node_step('node.drain')", "Drain node", id="drain", show=False),
        Binding("A", "node_step('node.activate')", "Activate node", id="activate",
                show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.tasks_of: tuple[str, str] | None = None  # ("service" | "node", id)
        self._last_pane = "services"

    @property
    def swarm(self) -> SwarmApp:
        return cast("SwarmApp", self.app)

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Vertical(id="panes"):
            yield KeyedTable(NODE_COLUMNS, id="nodes", filter_columns=(0, 1, 5))
            yield KeyedTable(SERVICE_COLUMNS, id="services", filter_columns=(0, 2, 3, 4))
            yield KeyedTable(TASK_COLUMNS, id="tasks", filter_columns=(0, 1, 3, 5))
            yield KeyedTable(ALERT_COLUMNS, id="alerts", filter_columns=(1, 2), classes="-empty")
        yield Static(id="intent-hint")
        yield CommandBar()
        yield Footer()

    def on_resize(self) -> None:
        self.set_class(self.size.height < self.COMPACT_HEIGHT, "-compact")

    def on_mount(self) -> None:
        for pane in PANES:
            table = self.pane(pane)
            table.set_title(pane.capitalize())
            table.highlight_seconds = self.swarm.settings.highlight_seconds
        self.pane("services").focus()
        self.show_cluster()

    def pane(self, name: str) -> KeyedTable:
        return self.query_one(f"#{name}", KeyedTable)

    # -- following the cluster --------------------------------------------

    def on_cluster_changed(self, message: ClusterChanged) -> None:
        self.show_cluster(status_only=message.status_only)

    def on_screen_resume(self, _event: ScreenResume) -> None:
        self.show_cluster()

    def show_cluster(self, status_only: bool = False) -> None:
        app = self.swarm
        state = app.state
        palette = app.palette
        self.query_one(StatusBar).show(state, app.status, app.mode_label, app.source.description,
                                       app.alerts, app.now())
        if status_only:
            return
        highlight = f"on {palette['changed']}"
        for pane in PANES:
            self.pane(pane).highlight_style = highlight
        if state is None:
            return
        nodes, services = self.pane("nodes"), self.pane("services")
        with self.app.batch_update():
            nodes.set_rows(node_rows(state, palette))
            services.set_rows(service_rows(state, palette))
            nodes.set_title("Nodes", len(state.nodes))
            services.set_title("Services", len(state.services))
            if self.tasks_of is None and services.selected_key:
                self.tasks_of = ("service", services.selected_key)
            self._show_tasks()
            alerts = self.pane("alerts")
            alerts.set_rows(alert_rows(app.alerts, palette))
            alerts.set_title("Alerts", len(app.alerts))
            alerts.set_class(not app.alerts, "-empty")

    def _show_tasks(self) -> None:
        state = self.swarm.state
        table = self.pane("tasks")
        if state is None or self.tasks_of is None:
            table.set_rows([])
            table.set_title("Tasks")
            return
        kind, key = self.tasks_of
        if kind == "service":
            service = state.service(key)
            tasks = state.tasks_of(key)
            title = f"Tasks of {service.name}" if service else "Tasks"
        else:
            node = state.node(key)
            tasks = state.tasks_on(key)
            title = f"Tasks on {node.name}" if node else "Tasks"
        table.set_rows(task_rows(state, tasks, self.swarm.palette))
        table.set_title(title, len(tasks))

    def on_keyed_table_filtered(self, event: KeyedTable.Filtered) -> None:
        """A filter that hides the service (or node) the tasks pane follows moves the
        tasks pane to what the cursor is on now, or to nothing when nothing matches."""
        table = event.table
        kind = {"services": "service", "nodes": "node"}.get(table.id or "")
        if kind is None or self.tasks_of is None or self.tasks_of[0] != kind \
                or self.tasks_of[1] in table.shown_keys:
            return
        key = table.selected_key
        self.tasks_of = (kind, key) if key else None
        self._show_tasks()

    # -- selection --------------------------------------------------------

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        table = event.data_table
        if table.id not in ("services", "nodes") or event.row_key is None \
                or event.row_key.value is None:
            return
        if not table.has_focus and self.tasks_of is not None:
            return  # a sync moved the cursor, not the operator
        kind = "service" if table.id == "services" else "node"
        self.tasks_of = (kind, str(event.row_key.value))
        self._show_tasks()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value if event.row_key is not None else None
        state = self.swarm.state
        if key is None or state is None:
            return
        table_id = event.data_table.id
        if table_id == "services":
            self.open_detail("service", str(key))
        elif table_id == "nodes":
            self.open_detail("node", str(key))
        elif table_id == "tasks":
            task = next((t for t in state.tasks if t.id == key), None)
            if task is not None:
                self.open_detail("service", task.service_id)
        elif table_id == "alerts":
            from swarmtui.ui.diagnosis import DiagnosisScreen

            alert = alert_key(str(key))
            if alert is not None:
                self.app.push_screen(DiagnosisScreen(alert))

    def open_detail(self, kind: str, key: str) -> None:
        from swarmtui.ui.detail import NodeDetailScreen, ServiceDetailScreen

        screen = ServiceDetailScreen(key) if kind == "service" else NodeDetailScreen(key)
        self.app.push_screen(screen)

    def action_clear_filter(self) -> None:
        """esc on a filtered pane shows all its rows again."""
        focused = self.focused
        if isinstance(focused, KeyedTable) and focused.filter_text:
            focused.set_filter("")

    def jump_to(self, kind: str, key: str) -> None:
        pane = self.pane("services" if kind == "service" else "nodes")
        pane.set_filter("")
        pane.focus()
        pane.select_key(key)
        self.tasks_of = (kind, key)
        self._show_tasks()

    # -- actions ----------------------------------------------------------

    def on_descendant_focus(self) -> None:
        focused = self.focused
        if isinstance(focused, KeyedTable) and focused.id:
            self._last_pane = focused.id

    def action_focus_pane(self, pane: str) -> None:
        table = self.pane(pane)
        if pane == "alerts" and not self.swarm.alerts:
            self.notify("no alerts firing", timeout=2)
            return
        self.set_class(pane == "alerts", "-show-alerts")
        table.focus()

    def action_filter(self) -> None:
        self.query_one(CommandBar).open("filter", self.pane(self._last_pane))

    def action_command(self) -> None:
        self.query_one(CommandBar).open("command", self.pane(self._last_pane))

    def action_refresh(self) -> None:
        self.swarm.watcher.refresh_soon()
        self.notify("refreshing", timeout=1)

    def action_logs(self) -> None:
        from swarmtui.ui.logs_screen import LogScreen

        state = self.swarm.state
        if state is None:
            return
        pane = self.pane(self._last_pane)
        key = pane.selected_key
        if self._last_pane == "tasks" and key:
            task = next((t for t in state.tasks if t.id == key), None)
            if task is not None:
                self.app.push_screen(LogScreen(task.service_id, task_id=task.id))
                return
        service_id = None
        if self._last_pane == "services":
            service_id = key
        elif self.tasks_of and self.tasks_of[0] == "service":
            service_id = self.tasks_of[1]
        if service_id is None or state.service(service_id) is None:
            self.notify("select a service or a task to see its logs", severity="warning")
            return
        self.app.push_screen(LogScreen(service_id))

    # -- keys that propose plans (the same preview as a sentence) ----------

    def _selected(self, pane: str) -> str | None:
        if self._last_pane != pane:
            return None
        return self.pane(pane).selected_key

    def _propose(self, step: Step, words: str) -> None:
        if self.swarm.refuse_in_readonly(words):
            return
        self.swarm._preview(Plan((step,), None, words, "key"), "key")

    def _selected_service(self) -> Service | None:
        state, key = self.swarm.state, self._selected("services")
        service = state.service(key) if state and key else None
        if service is None:
            self.notify("select a service first", severity="warning")
        return service

    def _selected_node(self) -> Node | None:
        state, key = self.swarm.state, self._selected("nodes")
        node = state.node(key) if state and key else None
        if node is None:
            self.notify("select a node first (n)", severity="warning")
        return node

    def action_scale(self, delta: int) -> None:
        service = self._selected_service()
        if service is None:
            return
        target = max(0, (service.replicas or 0) + delta)
        self._propose(Step("service.scale", {"service": service.name, "replicas": target}),
                      f"scale {service.name} to {target}")

    def action_service_step(self, action: str) -> None:
        service = self._selected_service()
        if service is None:
            return
        self._propose(Step(action, {"service": service.name}),
                      f"{action.split('.')[1]} {service.name}")

    def action_node_step(self, action: str) -> None:
        node = self._selected_node()
        if node is None:
            return
        state = self.swarm.state
        ref = state.node_ref(node) if state is not None else node.name  # this row's node
        self._propose(Step(action, {"node": ref}), f"{action.split('.')[1]} {node.name}")

    def on_input_changed(self, event: Input.Changed) -> None:
        bar = self.query_one(CommandBar)
        if event.input is not bar:
            return
        if bar.mode == "filter" and bar.target is not None:
            bar.target.set_filter(event.value)
        self.show_hint(event.value if bar.mode == "command" and bar.has_focus else "")

    def show_hint(self, text: str) -> None:
        hint = self.query_one("#intent-hint", Static)
        line = intent_hint(text, self.swarm.state) if text.strip() else ""
        hint.update(Text(clean(line)))  # typed text and names: never markup
        hint.set_class(bool(line), "-shown")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        bar = self.query_one(CommandBar)
        if event.input is not bar:
            return
        target = bar.target
        if bar.mode == "command":
            bar.remember(event.value)
            self.run_command(event.value.strip())
            bar.value = ""
            self.show_hint("")
        if target is not None:
            target.focus()

    def run_command(self, text: str) -> None:
        from swarmtui.ui.commands import run_console_command

        run_console_command(self, text)
