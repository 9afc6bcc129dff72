"""The live console: nodes, services and the tasks of the selection."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Footer

from swarmtui.swarm.model import ClusterState
from swarmtui.swarm.source import Source
from swarmtui.swarm.watcher import ClusterWatcher, ConnectionStatus
from swarmtui.ui.keyed_table import KeyedTable
from swarmtui.ui.rows import (
    NODE_COLUMNS,
    SERVICE_COLUMNS,
    TASK_COLUMNS,
    node_rows,
    service_rows,
    task_rows,
)
from swarmtui.ui.status_bar import StatusBar


class StateUpdated(Message):
    def __init__(self, state: ClusterState) -> None:
        super().__init__()
        self.state = state


class StatusChanged(Message):
    def __init__(self, status: ConnectionStatus) -> None:
        super().__init__()
        self.status = status


class SwarmApp(App[None]):
    TITLE = "swarmtui"
    CSS = """
    Screen { layout: vertical; }
    #panes { height: 1fr; }
    KeyedTable {
        border: round $panel-lighten-2;
        border-title-color: $text-muted;
        scrollbar-size-vertical: 1;
    }
    KeyedTable:focus { border: round $accent; border-title-color: $text; }
    #nodes { height: auto; max-height: 9; }
    #services { height: 2fr; }
    #tasks { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("n", "focus_pane('nodes')", "Nodes", id="focus-nodes"),
        Binding("s", "focus_pane('services')", "Services", id="focus-services"),
        Binding("t", "focus_pane('tasks')", "Tasks", id="focus-tasks"),
        Binding("r", "refresh", "Refresh", id="refresh"),
    ]

    def __init__(
        self,
        source: Source,
        *,
        mode: str = "live",
        poll_interval: float = 2.0,
    ) -> None:
        super().__init__()
        self.source = source
        self.mode = mode
        self.state: ClusterState | None = None
        self.tasks_of: tuple[str, str] | None = None  # ("service" | "node", id)
        self.watcher = ClusterWatcher(
            source,
            on_state=lambda state: self.post_message(StateUpdated(state)),
            on_status=lambda status: self.post_message(StatusChanged(status)),
            on_event=self._on_event,
            poll_interval=poll_interval,
        )

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Vertical(id="panes"):
            yield KeyedTable(NODE_COLUMNS, id="nodes")
            yield KeyedTable(SERVICE_COLUMNS, id="services")
            yield KeyedTable(TASK_COLUMNS, id="tasks")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#nodes", KeyedTable).border_title = "Nodes"
        self.query_one("#services", KeyedTable).border_title = "Services"
        self.query_one("#tasks", KeyedTable).border_title = "Tasks"
        self.query_one("#services", KeyedTable).focus()
        self._show_status()
        self.run_worker(
            self.watcher.run(), name="watcher", group="watcher", exclusive=True,
            exit_on_error=False,
        )

    async def on_unmount(self) -> None:
        await self.shutdown_watcher()

    async def shutdown_watcher(self) -> None:
        await self.watcher.stop()
        self.source.close()

    async def action_quit(self) -> None:
        await self.shutdown_watcher()
        self.exit()

    def action_focus_pane(self, pane: str) -> None:
        self.query_one(f"#{pane}", KeyedTable).focus()

    def action_refresh(self) -> None:
        self.watcher.refresh_soon()

    def _on_event(self, event: Mapping[str, Any]) -> None:
        pass  # the event log pane arrives with the full console

    # -- applying state ---------------------------------------------------

    def on_state_updated(self, message: StateUpdated) -> None:
        state = message.state
        self.state = state
        nodes = self.query_one("#nodes", KeyedTable)
        services = self.query_one("#services", KeyedTable)
        with self.batch_update():
            nodes.sync(node_rows(state))
            services.sync(service_rows(state))
            nodes.border_title = f"Nodes ({len(state.nodes)})"
            services.border_title = f"Services ({len(state.services)})"
            if self.tasks_of is None and services.selected_key:
                self.tasks_of = ("service", services.selected_key)
            self._sync_tasks()
        self._show_status()

    def on_status_changed(self, message: StatusChanged) -> None:
        self._show_status()

    def _show_status(self) -> None:
        self.query_one(StatusBar).show(
            self.state, self.watcher.status, self.mode, self.source.description
        )

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        table = event.data_table
        if table.id not in ("services", "nodes") or event.row_key.value is None:
            return
        if not table.has_focus and self.tasks_of is not None:
            return  # a sync moved the cursor, not the operator
        kind = "service" if table.id == "services" else "node"
        self.tasks_of = (kind, str(event.row_key.value))
        self._sync_tasks()

    def _sync_tasks(self) -> None:
        state = self.state
        table = self.query_one("#tasks", KeyedTable)
        if state is None or self.tasks_of is None:
            table.sync([])
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
        table.sync(task_rows(state, tasks))
        table.border_title = f"{title} ({len(tasks)})"
