"""The diagnosis of one alert: evidence, the last log lines, and remedies one key away.

Remedies are plans proposed through the same preview as everything else; in
read-only mode they are listed but refused. `a` acknowledges the alert, `S`
silences it for an hour (again: lifts the silence).
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import TYPE_CHECKING, ClassVar, cast

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from swarmtui.actions.plan import Plan
from swarmtui.alerts.diagnose import Diagnosis, diagnose
from swarmtui.alerts.model import Alert
from swarmtui.swarm.logtext import clean, parse_duration
from swarmtui.ui.app import ClusterChanged

if TYPE_CHECKING:
    from swarmtui.ui.app import SwarmApp

LOG_LINES = 15
DEFAULT_SILENCE = "1h"
FAILED_TASKS = 3  # the newest failed tasks whose own logs are shown
TASK_LINES = 6


def evidence(diagnosis: Diagnosis, log_lines: list[str] | None,
             node_names: dict[str, str] | None = None,
             task_names: dict[str, str] | None = None) -> RenderableType:
    parts: list[RenderableType] = []
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for label, value in diagnosis.facts:
        grid.add_row(label, Text(clean(value)))
    parts += [grid, Text("")]
    parts.append(Text("Remedies", style="bold underline"))
    if not diagnosis.remedies:
        parts.append(Text("none proposed for this alert", style="dim"))
    for remedy in diagnosis.remedies:
        line = Text(f" {remedy.key} ", style="reverse bold")
        line.append(f"  {remedy.label}")
        if remedy.step is not None:
            line.append(f"   ({remedy.step.action})", style="dim")
        parts.append(line)
    parts.append(Text(" a  acknowledge   S  silence (1h, or as typed; again: lift)   esc  back\n",
                      style="dim"))
    if diagnosis.failing:
        tasks = Table(title="Tasks that failed or wait", title_justify="left", expand=True,
                      box=None, show_edge=False, title_style="bold underline")
        for column in ("task", "node", "state", "exit", "error / scheduler message", "when"):
            tasks.add_column(column, overflow="fold")
        for task in diagnosis.failing:
            node = (node_names or {}).get(task.node_id or "", (task.node_id or "—")[:12])
            name = (task_names or {}).get(task.id, task.id[:12])
            tasks.add_row(name, node, task.state, task.exit_label,
                          Text(clean(task.error or task.message)),
                          task.timestamp.strftime("%H:%M:%S") if task.timestamp else "")
        parts += [tasks, Text("")]
    if diagnosis.constraints:
        placement = Table(title="Placement constraints", title_justify="left", box=None,
                          show_edge=False, title_style="bold underline", expand=True)
        placement.add_column("constraint")
        placement.add_column("nodes that meet it", overflow="fold")
        placement.add_column("nodes that don't", overflow="fold")
        for expression, ok, not_ok in diagnosis.constraints:
            placement.add_row(Text(clean(expression), style="bold red" if not ok else ""),
                              ", ".join(ok) or Text("none", style="bold red"),
                              ", ".join(not_ok))
        parts += [placement]
        if diagnosis.unsatisfied:
            parts.append(Text("No node satisfies: " + "; ".join(diagnosis.unsatisfied)
                              + " — add the label to a node, or change the constraint.",
                              style="bold red"))
        parts.append(Text(""))
    if diagnosis.service is not None:
        failed = any(t.state == "failed" for t in diagnosis.failing)
        whose = "its failed tasks" if failed else diagnosis.service.name
        parts.append(Text(f"Last log lines of {whose}", style="bold underline"))
        if log_lines is None:
            parts.append(Text("fetching…", style="dim"))
        elif not log_lines:
            parts.append(Text("(no log lines)", style="dim"))
        else:
            parts += [Text(clean(line)) for line in log_lines]
        parts.append(Text(""))
    return Group(*parts)


class DiagnosisScreen(Screen[None]):
    CSS = """
    #diagnosis-title { height: 1; padding: 0 1; background: $panel; text-style: bold; }
    #diagnosis-body { padding: 0 1; }
    #silence-for { display: none; }
    #silence-for.-shown { display: block; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="diagnosis-back"),
        Binding("l", "logs", "Logs", id="diagnosis-logs"),
        Binding("b", "remedy('b')", "Roll back", id="diagnosis-rollback", show=False),
        Binding("R", "remedy('R')", "Restart", id="diagnosis-restart", show=False),
        Binding("D", "remedy('D')", "Drain", id="diagnosis-drain", show=False),
        Binding("A", "remedy('A')", "Activate", id="diagnosis-activate", show=False),
        Binding("a", "acknowledge", "Ack", id="diagnosis-ack"),
        Binding("S", "silence", "Silence", id="diagnosis-silence"),
    ]

    def __init__(self, key: tuple[str, str, str]) -> None:
        super().__init__()
        self.key = key
        self.alert: Alert | None = None
        self.log_lines: list[str] | None = None
        self.shown: RenderableType = ""

    @property
    def swarm(self) -> SwarmApp:
        return cast("SwarmApp", self.app)

    def compose(self) -> ComposeResult:
        yield Static(id="diagnosis-title")
        with VerticalScroll():
            yield Static(id="diagnosis-body")
        yield Input(placeholder="silence for how long? 30m, 4h, 2d — enter silences, esc "
                                "cancels", id="silence-for")
        yield Footer()

    def on_mount(self) -> None:
        self.show()
        diagnosis = self.diagnosis()
        if diagnosis is not None and diagnosis.service is not None:
            # the failed tasks' own last words when they ran; else the service's last lines
            failed = [t.id for t in diagnosis.failing if t.state == "failed"][:FAILED_TASKS]
            names = {t.id: self.swarm.state.task_name(t) for t in diagnosis.failing} \
                if self.swarm.state is not None else {}
            threading.Thread(target=self._fetch_logs,
                             args=(diagnosis.service.id, failed, names), daemon=True,
                             name="diagnosis-logs").start()

    def _fetch_logs(self, service_id: str, failed: list[str], names: dict[str, str]) -> None:
        """Last lines, once, with GETs — never following."""
        from swarmtui.swarm.logstream import LogRequest
        from swarmtui.swarm.logtext import parse_line

        def tail(task_id: str | None, count: int) -> list[str]:
            stream = self.swarm.source.open_logs(  # type: ignore[attr-defined]
                LogRequest(service_id, task_id, tail=count, follow=False))
            try:
                return [f"{'!' if name == 'stderr' else ' '} {parse_line(name, raw).text}"
                        for name, raw in stream][-count:]
            finally:
                stream.close()

        lines: list[str] = []
        try:
            for task_id in failed:
                lines.append(f"— task {names.get(task_id, task_id[:12])} ({task_id[:12]}):")
                lines += tail(task_id, TASK_LINES) or ["  (no output)"]
            if not failed:
                lines = tail(None, LOG_LINES)
        except Exception as exc:  # evidence is best effort; say why it is missing
            lines.append(f"(logs unavailable: {exc})")
        self.app.call_from_thread(self._got_logs, lines)

    def _got_logs(self, lines: list[str]) -> None:
        self.log_lines = lines
        self.show()

    def diagnosis(self) -> Diagnosis | None:
        app = self.swarm
        known = [*app.alerts, *app.alert_book.all_firing(), *app.external_alerts]
        alert = next((a for a in known if a.key == self.key), None) or self.alert
        if alert is None or app.state is None:
            return None
        self.alert = alert
        return diagnose(alert, app.state, app.alert_time(alert.origin))

    def show(self) -> None:
        diagnosis = self.diagnosis()
        title = self.query_one("#diagnosis-title", Static)
        body = self.query_one("#diagnosis-body", Static)
        if diagnosis is None:
            title.update("Diagnosis")
            body.update("this alert is no longer known")
            return
        alert = diagnosis.alert
        book = self.swarm.alert_book
        firing = {a.key for a in [*self.swarm.alerts, *book.all_firing(),
                                  *self.swarm.external_alerts]}
        silence = self.swarm.silence_of(alert)
        if alert.key not in firing:
            state = " — resolved"
        elif silence is not None:
            until, who = silence
            state = " — silenced" + (f" by {who}" if who else "") + (
                f" until {until.astimezone().strftime('%H:%M')}" if until else "")
        else:
            state = " — acknowledged" if alert.acknowledged else ""
        title.update(Text(clean(f"Diagnosis: {alert.rule} on {alert.subject}{state}")))
        state = self.swarm.state
        names = {n.id: n.name for n in state.nodes} if state is not None else {}
        tasks = {t.id: state.task_name(t) for t in diagnosis.failing} if state else {}
        self.shown = evidence(diagnosis, self.log_lines, names, tasks)
        body.update(self.shown)

    def on_cluster_changed(self, _message: ClusterChanged) -> None:
        self.show()

    def action_back(self) -> None:
        field = self.query_one("#silence-for", Input)
        if field.has_class("-shown"):  # esc closes the question, not the screen
            field.remove_class("-shown")
            self.query_one(VerticalScroll).focus()
            return
        self.dismiss()

    def action_logs(self) -> None:
        from swarmtui.ui.logs_screen import LogScreen

        diagnosis = self.diagnosis()
        if diagnosis is not None and diagnosis.service is not None:
            self.app.push_screen(LogScreen(diagnosis.service.id))

    def action_remedy(self, key: str) -> None:
        diagnosis = self.diagnosis()
        remedy = next((r for r in diagnosis.remedies if r.key == key), None) \
            if diagnosis else None
        if remedy is None or remedy.step is None:
            self.notify(f"no remedy on {key} for this alert", severity="warning", timeout=3)
            return
        if self.swarm.refuse_in_readonly(f"the remedy on {key} ({remedy.step.action})"):
            return
        self.swarm._preview(Plan((remedy.step,), None, remedy.label, "key"), "key")

    def action_acknowledge(self) -> None:
        if self.swarm.alert_book.acknowledge(self.key):
            self.swarm.evaluate_alerts()
            self.notify("acknowledged", timeout=2)
        elif self.key[0] != "swarmtui":
            self.notify(f"this alert comes from {self.key[0]}: acknowledge it there, or "
                        "silence it here with S", severity="warning", timeout=5)
        else:
            self.notify("this alert is no longer firing", timeout=3)
        self.show()

    def action_silence(self) -> None:
        """Lift a silence; else ask for how long (1h unless another duration is typed)."""
        said = self.swarm.lift_silence(self.key)
        if said is not None:
            self.notify(said, timeout=6)
            self.show()
            return
        field = self.query_one("#silence-for", Input)
        field.value = DEFAULT_SILENCE
        field.add_class("-shown")
        field.focus()
        field.action_select_all()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            seconds = parse_duration(event.value or DEFAULT_SILENCE, "a silence")
            if seconds <= 0:
                raise ValueError("a silence needs a duration above zero, such as 30m")
        except ValueError as exc:
            self.notify(str(exc), severity="warning", timeout=5)
            return
        message = self.swarm.silence_alert(
            self.key, self.swarm.alert_time(self.key[0]) + timedelta(seconds=seconds))
        self.notify(message, timeout=5)
        self.dismiss()

