"""Alert history (`H`, `:alerts`): what fires now — silenced alerts too — and what resolved.

The dashboard's pane shows what needs attention; this view answers "what
happened while I was away": every firing alert with its state (acknowledged,
silenced until when), and the recently resolved ones with how long they lasted.
On a live swarm the list of resolved alerts, acknowledgements and silences
outlives the console (see `AlertBook.attach`). Enter opens a firing alert's
diagnosis; `S` lifts the selected alert's silence.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from swarmtui.alerts.model import Alert, format_duration
from swarmtui.swarm.logtext import clean
from swarmtui.ui.app import ClusterChanged
from swarmtui.ui.rows import SEVERITY_VARIABLES, alert_key, alert_row_key

if TYPE_CHECKING:
    from swarmtui.ui.app import SwarmApp

COLUMNS = (("state", 11), ("severity", 8), ("subject", 18), ("rule", 16), ("began", 8),
           ("lasted", 7), ("summary", None))


def local_time(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "—"
    local = moment.astimezone()
    same_day = local.date() == now.astimezone().date()
    return local.strftime("%H:%M:%S" if same_day else "%m-%d %H:%M")


class AlertsScreen(Screen[None]):
    CSS = """
    #alerts-title { height: 1; padding: 0 1; background: $panel; }
    #alert-history { height: 1fr; border: round $foreground 25%; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="alerts-back"),
        Binding("enter", "open", "Diagnose", id="alerts-open"),
        Binding("S", "unsilence", "Lift silence", id="alerts-unsilence"),
    ]

    @property
    def swarm(self) -> SwarmApp:
        return cast("SwarmApp", self.app)

    def compose(self) -> ComposeResult:
        yield Static(id="alerts-title")
        table: DataTable[Text] = DataTable(id="alert-history", cursor_type="row")
        for label, width in COLUMNS:
            table.add_column(label, width=width)
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self.show()
        self.query_one("#alert-history", DataTable).focus()

    def on_cluster_changed(self, _message: ClusterChanged) -> None:
        self.show()

    def on_screen_resume(self) -> None:
        self.show()  # back from a diagnosis that acknowledged or silenced

    def entries(self) -> list[tuple[str, Alert, str]]:
        """(row key, alert, state) — firing first, most severe and oldest first."""
        app = self.swarm
        book = app.alert_book
        firing = sorted([*book.all_firing(), *app.external_alerts],
                        key=lambda a: (-a.severity, a.first_seen or app.alert_time()))
        rows: list[tuple[str, Alert, str]] = []
        seen: set[tuple[str, str, str]] = set()
        for alert in firing:
            if alert.key in seen:  # Alertmanager may send two of one name and subject
                continue
            seen.add(alert.key)
            silence = app.silence_of(alert)
            if silence is not None:
                until, _who = silence
                state = f"muted {until.astimezone().strftime('%H:%M')}" if until else "muted"
            else:
                state = "acked" if alert.acknowledged else "firing"
            rows.append((alert_row_key(alert), alert, state))
        for number, alert in enumerate(book.resolved):
            rows.append((f"resolved:{number}", alert, "resolved"))
        return rows

    def show(self) -> None:
        app = self.swarm
        now = app.alert_time()
        palette = app.palette
        entries = self.entries()
        firing = sum(1 for _, _, state in entries if state != "resolved")
        muted = sum(1 for _, _, state in entries if state.startswith("muted"))
        self.query_one("#alerts-title", Static).update(Text(
            f"Alerts: {firing} firing"
            + (f" ({muted} silenced)" if muted else "")
            + f" · {len(entries) - firing} resolved"
            + (" · enter diagnoses" if firing else "")))
        table = self.query_one("#alert-history", DataTable)
        selected = self._selected_key(table)
        table.clear()
        for key, alert, state in entries:
            silence = app.silence_of(alert) if state != "resolved" else None
            summary = clean(alert.summary) + (f" — silenced by {clean(silence[1])}"
                                              if silence is not None and silence[1] else "")
            style = palette[SEVERITY_VARIABLES[int(alert.severity)]]
            state_style = {"firing": f"bold {style}", "resolved": "dim"}.get(state, "")
            table.add_row(
                Text(state, style=state_style),
                Text(alert.severity.label, style=style),
                Text(clean(alert.subject)),
                Text(clean(alert.rule) + ("" if alert.origin == "swarmtui" else " ⇢")),
                Text(local_time(alert.first_seen, now)),
                Text(format_duration(alert.duration(app.alert_time(alert.origin)))),
                Text(summary),
                key=key,
            )
        if selected is not None and selected in table.rows:
            table.move_cursor(row=table.get_row_index(selected))

    @staticmethod
    def _selected_key(table: DataTable[Text]) -> str | None:
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return None if key.value is None else str(key.value)

    def _selected_alert(self) -> tuple[str, str, str] | None:
        """The selected firing alert's key; None on a resolved one."""
        key = self._selected_key(self.query_one("#alert-history", DataTable))
        if key is None or key.startswith("resolved:"):
            return None
        return alert_key(key)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`S` is offered only on a silenced alert (the footer says what it can do)."""
        if action == "unsilence":
            tables = self.query("#alert-history").results(DataTable)
            table = next(iter(tables), None)
            if table is None:
                return None
            key = self._selected_key(table)
            return any(k == key and state.startswith("muted")
                       for k, _, state in self.entries())
        return True

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self.refresh_bindings()

    def on_data_table_row_selected(self, _event: DataTable.RowSelected) -> None:
        self.action_open()  # the table takes enter itself

    def action_open(self) -> None:
        from swarmtui.ui.diagnosis import DiagnosisScreen

        selected = self._selected_alert()
        if selected is None:
            self.notify("a resolved alert has nothing left to diagnose", timeout=3)
            return
        self.app.push_screen(DiagnosisScreen(selected))

    def action_unsilence(self) -> None:
        selected = self._selected_alert()
        said = self.swarm.lift_silence(selected) if selected is not None else None
        if said is None:
            self.notify("the selected alert is not silenced", timeout=3)
            return
        self.notify(said, timeout=6)
        self.show()

    def action_back(self) -> None:
        self.dismiss()
