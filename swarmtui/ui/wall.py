"""The wall screen: read-only, readable across a room, rotating between views."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.events import ScreenResume
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Digits, Label, Static

from swarmtui.alerts.model import Severity
from swarmtui.swarm.model import Health
from swarmtui.ui.app import ClusterChanged
from swarmtui.ui.rows import HEALTH_VARIABLES, duration_label

if TYPE_CHECKING:
    from swarmtui.ui.app import SwarmApp

VIEWS = ("wall-services", "wall-nodes", "wall-alerts-list")
VIEW_TITLES = {"wall-services": "Services", "wall-nodes": "Nodes", "wall-alerts-list": "Alerts"}


class Tile(Vertical):
    DEFAULT_CSS = """
    Tile { width: 1fr; height: 7; border: heavy $panel-lighten-2; padding: 0 1; }
    Tile Label { width: 100%; text-align: center; text-style: bold; }
    Tile Digits { width: 100%; text-align: center; }
    Tile.-bad { border: heavy $error; }
    Tile.-warn { border: heavy $warning; }
    Tile.-good { border: heavy $success; }
    """

    def __init__(self, title: str, tile_id: str) -> None:
        super().__init__(id=tile_id)
        self._title = title

    def compose(self) -> ComposeResult:
        yield Label(self._title)
        yield Digits("-")

    def show(self, value: str, level: str) -> None:
        digits = self.query_one(Digits)
        if digits.value != value:
            digits.update(value)
        for name in ("-bad", "-warn", "-good"):
            self.set_class(name == f"-{level}", name)


class Box(Static):
    """One service or node on the wall: a coloured block with its name and counts."""

    DEFAULT_CSS = """
    Box { height: 4; padding: 0 1; text-style: bold; border: tall $background;
          text-wrap: nowrap; text-overflow: ellipsis; }
    """


class WallScreen(Screen[None]):
    CSS = """
    WallScreen { layout: vertical; }
    #wall-tiles { height: 7; }
    #wall-banner { height: 3; content-align: center middle; text-style: bold;
                   background: $error; color: $text; display: none; }
    #wall-banner.-firing { display: block; }
    ContentSwitcher { height: 1fr; }
    .wall-grid { grid-size: 4; grid-gutter: 0 1; grid-rows: 4; height: auto; }
    #wall-alerts-list { padding: 1 2; }
    #wall-footer { height: 1; background: $panel; padding: 0 1; text-wrap: nowrap;
                   text-overflow: ellipsis; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("right,space", "rotate(1)", "Next view", id="wall-next"),
        Binding("left", "rotate(-1)", "Previous view", id="wall-previous"),
        Binding("p", "toggle_rotation", "Hold view", id="wall-hold"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view = 0
        self.hold = False
        self.next_rotation = 0.0
        self._boxes: dict[str, dict[str, Box]] = {"wall-services": {}, "wall-nodes": {}}

    @property
    def swarm(self) -> SwarmApp:
        return cast("SwarmApp", self.app)

    def compose(self) -> ComposeResult:
        with Horizontal(id="wall-tiles"):
            yield Tile("NODES READY", "tile-nodes")
            yield Tile("SERVICES HEALTHY", "tile-services")
            yield Tile("ALERTS FIRING", "tile-alerts")
            yield Tile("TIME", "tile-clock")
        yield Static(id="wall-banner")
        with ContentSwitcher(initial=VIEWS[0]):
            yield Grid(id="wall-services", classes="wall-grid")
            yield Grid(id="wall-nodes", classes="wall-grid")
            yield Static(id="wall-alerts-list")
        yield Static(id="wall-footer")

    def on_mount(self) -> None:
        self.next_rotation = self.swarm.settings.wall_rotate_seconds
        self.set_interval(1.0, self.tick)
        self.tick()
        self.show_cluster()

    def on_cluster_changed(self, _message: ClusterChanged) -> None:
        self.show_cluster()

    def on_screen_resume(self, _event: ScreenResume) -> None:
        self.show_cluster()

    # -- rotation and the clock -------------------------------------------

    def tick(self) -> None:
        if not self.hold:
            self.next_rotation -= 1
            if self.next_rotation <= 0:
                self.action_rotate(1)
        clock = self.swarm.now().astimezone().strftime("%H:%M")
        self.query_one("#tile-clock", Tile).show(clock, "")
        self._show_footer()

    def action_rotate(self, step: int) -> None:
        self.view = (self.view + step) % len(VIEWS)
        self.query_one(ContentSwitcher).current = VIEWS[self.view]
        self.next_rotation = self.swarm.settings.wall_rotate_seconds
        self._show_footer()

    def action_toggle_rotation(self) -> None:
        self.hold = not self.hold
        self._show_footer()

    def _show_footer(self) -> None:
        app = self.swarm
        when = f"updated {app.state.fetched_at.astimezone():%H:%M:%S}" if app.state else "no data"
        rotation = "held (p)" if self.hold else f"next in {int(self.next_rotation)}s"
        self.query_one("#wall-footer", Static).update(Text(
            f"{VIEW_TITLES[VIEWS[self.view]]} ({self.view + 1}/{len(VIEWS)}) · {rotation} · "
            f"{app.status.label} · {when} · read-only wall · {app.source.description}",
            no_wrap=True, overflow="ellipsis"))

    # -- content ----------------------------------------------------------

    def show_cluster(self) -> None:
        app = self.swarm
        state = app.state
        if state is None:
            return
        palette = app.palette
        ready = sum(1 for n in state.nodes if not n.is_down)
        healthy = sum(1 for s in state.services if s.health in (Health.OK, Health.COMPLETED))
        firing = [a for a in app.alerts if a.firing and a.severity >= Severity.WARNING]
        critical = [a for a in firing if a.severity is Severity.CRITICAL]
        self.query_one("#tile-nodes", Tile).show(
            f"{ready}/{len(state.nodes)}", "good" if ready == len(state.nodes) else "bad")
        self.query_one("#tile-services", Tile).show(
            f"{healthy}/{len(state.services)}",
            "good" if healthy == len(state.services) else "warn")
        self.query_one("#tile-alerts", Tile).show(
            str(len(firing)), "bad" if critical else "warn" if firing else "good")
        banner = self.query_one("#wall-banner", Static)
        banner.set_class(bool(critical), "-firing")
        if critical:
            more = f"   (+{len(critical) - 1} more)" if len(critical) > 1 else ""
            banner.update(Text(f"⚠ {critical[0].summary}{more}", justify="center"))
        self._sync_boxes("wall-services", {
            # one line each, cut with … on a narrow screen; the health word before any detail
            s.id: (Text(f"{s.name}\n{s.counts.running}/{s.counts.desired} {s.health}"),
                   palette[HEALTH_VARIABLES[s.health]])
            for s in sorted(state.services, key=lambda s: (s.health.rank, s.name))
        })
        self._sync_boxes("wall-nodes", {
            n.id: (Text(f"{n.name}\n{n.state} · {n.availability} · "
                        f"{state.running_tasks_on(n.id)} tasks"),
                   palette["node-down"] if n.is_down else palette["health-degraded"]
                   if n.availability != "active" else palette["health-ok"])
            for n in state.nodes
        })
        lines = Text()
        for alert in firing:
            style = palette["health-failing"] if alert.severity is Severity.CRITICAL \
                else palette["health-degraded"]
            lines.append(f"{alert.severity.label.upper():9} ", style=f"bold {style}")
            lasted = duration_label(alert.duration(app.alert_time(alert.origin)))
            lines.append(f"{alert.summary}  ({lasted})\n")
        self.query_one("#wall-alerts-list", Static).update(lines or Text("No alerts firing."))
        self._show_footer()

    def _sync_boxes(self, grid_id: str, wanted: dict[str, tuple[Text, str]]) -> None:
        grid = self.query_one(f"#{grid_id}", Grid)
        boxes = self._boxes[grid_id]
        for key in [k for k in boxes if k not in wanted]:
            boxes.pop(key).remove()
        new: list[Widget] = []
        for key, (text, colour) in wanted.items():
            box = boxes.get(key)
            if box is None:
                box = boxes[key] = Box(text)
                new.append(box)
            else:
                box.update(text)
            box.styles.background = colour
            box.styles.color = "black"
        if new:
            grid.mount_all(new)
