"""`?`: every binding of the active keymap, by where it works."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from swarmtui.ui.keymap import BindingInfo, binding_registry, effective_keys

if TYPE_CHECKING:
    from swarmtui.ui.app import SwarmApp

SCOPE_TITLES = {
    "global": "Everywhere",
    "dashboard": "Dashboard",
    "table": "Tables",
    "detail": "Detail views",
    "logs": "Logs",
    "command": "Command bar",
    "wall": "Wall screen",
    "plan": "Plan preview",
}


def binding_registry_for_app() -> dict[str, BindingInfo]:
    from swarmtui.ui.alerts_screen import AlertsScreen
    from swarmtui.ui.app import SwarmApp
    from swarmtui.ui.command_bar import CommandBar
    from swarmtui.ui.dashboard import DashboardScreen
    from swarmtui.ui.detail import DetailScreen
    from swarmtui.ui.diagnosis import DiagnosisScreen
    from swarmtui.ui.jobs_screen import JobsScreen
    from swarmtui.ui.keyed_table import KeyedTable
    from swarmtui.ui.logs_screen import LogScreen
    from swarmtui.ui.plan_screen import PlanScreen
    from swarmtui.ui.wall import WallScreen

    return binding_registry({
        "global": [SwarmApp],
        "dashboard": [DashboardScreen],
        "table": [KeyedTable],
        "detail": [DetailScreen],
        "logs": [LogScreen],
        "command": [CommandBar],
        "wall": [WallScreen],
        "plan": [PlanScreen],
        "jobs": [JobsScreen],
        "diagnosis": [DiagnosisScreen],
        "alerts": [AlertsScreen],
    })


def key_label(key: str) -> str:
    return {"question_mark": "?", "slash": "/", "colon": ":", "escape": "esc"}.get(key, key)


MUTATING = frozenset({"undo", "jobs-cancel", "scale-up", "scale-down", "restart", "rollback",
                      "drain", "activate", "plan-yes", "plan-enter", "diagnosis-rollback",
                      "diagnosis-restart", "diagnosis-drain", "diagnosis-activate"})


def help_table(registry: dict[str, BindingInfo], keymap: dict[str, str], name: str,
               readonly: bool = False) -> Table:
    keys = effective_keys(registry, keymap)
    table = Table(title=f"Keys — keymap {name}", title_justify="left", expand=True,
                  show_edge=False, pad_edge=False)
    table.add_column("where", style="dim", no_wrap=True)
    table.add_column("key", style="bold", no_wrap=True)
    table.add_column("does", no_wrap=True)  # a keymap id can be cut short, what a key does not
    table.add_column("id", style="dim", no_wrap=True, overflow="ellipsis")
    for scope, title in SCOPE_TITLES.items():
        for info in (i for i in registry.values() if i.scope == scope):
            if readonly and info.id in MUTATING:
                continue  # read-only: there is no way to change anything
            table.add_row(Text(title), Text(", ".join(key_label(k) for k in keys[info.id])),
                          Text(info.description), Text(info.id))
            title = ""
    return table


class HelpScreen(ModalScreen[None]):
    CSS = """
    HelpScreen { align: center middle; }
    #help { width: 100%; max-width: 100; height: 90%; border: round $accent;
            background: $surface; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "Close", show=False),
    ]

    def compose(self) -> ComposeResult:
        app = cast("SwarmApp", self.app)
        registry = binding_registry_for_app()
        with VerticalScroll(id="help"):
            yield Static(help_table(registry, app.keymap, app.settings.keymap, app.readonly))
            yield Static(Text(
                "\nKeymaps map these ids to keys: copy keymaps/default.yaml to "
                "~/.config/swarmtui/keymaps/NAME.yaml and start with --keymap NAME.",
                style="dim"))

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
