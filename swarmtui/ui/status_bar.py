"""The one-line status bar: cluster, endpoint, connection, mode, freshness, counts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from rich.text import Text
from textual.widgets import Static

from swarmtui.alerts.model import Alert, Severity
from swarmtui.swarm.model import ClusterState, Connection, Health
from swarmtui.swarm.watcher import ConnectionStatus

CONNECTION_STYLES = {
    Connection.CONNECTING: "yellow",
    Connection.CONNECTED: "green",
    Connection.DISCONNECTED: "bold red",
}


def status_text(
    state: ClusterState | None,
    status: ConnectionStatus,
    mode: str,
    endpoint: str,
    now: datetime | None = None,
    alerts: Sequence[Alert] = (),
) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(" swarmtui ", style="bold reverse")
    if state is not None:
        text.append(f" {state.engine.name or 'swarm'}", style="bold")
    style = CONNECTION_STYLES[status.state]
    if status.state is Connection.CONNECTED and not status.events_live:
        style = "yellow"
    text.append(f" ● {status.label}", style=style)
    text.append(f" · {mode}", style="bold cyan")
    critical = [a for a in alerts if a.severity is Severity.CRITICAL and a.firing
                and not a.acknowledged]  # an acknowledged alert has someone on it
    if critical:
        text.append(f" · ⚠ {len(critical)} critical: {critical[0].summary}",
                    style="bold reverse red")
    if state is not None:
        down = sum(1 for n in state.nodes if n.is_down)
        unhealthy = sum(
            1 for s in state.services if s.health not in (Health.OK, Health.COMPLETED)
        )
        text.append(f" · {len(state.nodes)} nodes")
        if down:
            text.append(f" ({down} down)", style="bold red")
        text.append(f" · {len(state.services)} services")
        if unhealthy:
            text.append(f" ({unhealthy} unhealthy)", style="yellow")
        if status.state is Connection.DISCONNECTED and now is not None:
            when = state.fetched_at.astimezone().strftime("%H:%M:%S")
            stale = int((now - state.fetched_at).total_seconds())
            text.append(f" · last update {when} ({stale}s ago)", style="yellow")
    if status.state is Connection.DISCONNECTED and status.message:
        text.append(f" · {status.message}", style="red")
    if state is not None:
        engine = state.engine
        text.append(f" · engine {engine.engine_version} API {engine.api_version}", style="dim")
    text.append(f" · {endpoint}", style="dim")
    return text


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; text-wrap: nowrap; text-overflow: ellipsis; }
    """
    _shown: Text | None = None

    def show(
        self,
        state: ClusterState | None,
        status: ConnectionStatus,
        mode: str,
        endpoint: str,
        alerts: Sequence[Alert] = (),
        now: datetime | None = None,
    ) -> None:
        text = status_text(state, status, mode, endpoint, now or datetime.now(UTC), alerts)
        if text != self._shown:  # repainting an unchanged line still costs bytes on the wire
            self._shown = text
            self.update(text)
