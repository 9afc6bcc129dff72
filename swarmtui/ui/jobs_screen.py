"""The jobs view: every plan run this session, and the selected one's progress and output.

`ssh.run` and `node.probe` output streams in here line by line. `c` cancels the
selected job where that is safe: before its next step, while it waits on a
verification, or by hanging up a command running on a node.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Log, Static

from swarmtui.actions.jobs import Job
from swarmtui.swarm.logtext import clean

if TYPE_CHECKING:
    from swarmtui.ui.app import SwarmApp

STATE_STYLES = {"running": "bold cyan", "done": "green", "failed": "bold red",
                "cancelled": "yellow"}
REFRESH_SECONDS = 0.25


def age(job: Job, now: object) -> str:
    from datetime import datetime

    assert isinstance(now, datetime)
    seconds = int(((job.finished or now) - job.started).total_seconds())
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


def wrapped(line: str, width: int) -> list[str]:
    """A line cut at word breaks to fit `width`, its continuations indented under it; an
    answer's explanations and a command's output are read, not scrolled sideways to."""
    if width < 20 or len(line) <= width:
        return [line]
    indent = " " * (len(line) - len(line.lstrip(" ")))
    return textwrap.wrap(line, width, initial_indent="", subsequent_indent=indent + "    ",
                         break_on_hyphens=False, drop_whitespace=False) or [line]


class JobsScreen(Screen[None]):
    CSS = """
    #jobs-title { height: 1; padding: 0 1; background: $panel; }
    #jobs { height: auto; max-height: 40%; border: round $foreground 25%; }
    #job-output { height: 1fr; border: round $accent; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="jobs-back"),
        Binding("c", "cancel_job", "Cancel job", id="jobs-cancel"),
    ]

    def __init__(self, select: int | None = None) -> None:
        super().__init__()
        self.selected = select
        self._shown: tuple[int, int] | None = None  # (job number, lines written so far)

    @property
    def swarm(self) -> SwarmApp:
        return cast("SwarmApp", self.app)

    def compose(self) -> ComposeResult:
        yield Static(id="jobs-title")
        table: DataTable[Text] = DataTable(id="jobs", cursor_type="row")
        for label, width in (("#", 3), ("state", 9), ("time", 6), ("steps", 24),
                             ("request", None)):
            table.add_column(label, width=width)
        yield table
        yield Log(id="job-output", max_lines=5000)
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_jobs()
        self.set_interval(REFRESH_SECONDS, self.refresh_jobs)
        self.query_one("#jobs", DataTable).focus()

    def refresh_jobs(self) -> None:
        board = self.swarm.jobs
        table = self.query_one("#jobs", DataTable)
        now = self.swarm.now()
        running = len(board.running)
        self.query_one("#jobs-title", Static).update(
            f"Jobs — {len(board.jobs)} this session, {running} running"
            + ("   c cancels the selected job" if running else ""))
        for job in board.jobs:
            key = str(job.number)
            cells = (Text(f"{job.number}"), Text(job.state, style=STATE_STYLES[job.state]),
                     Text(age(job, now)), Text(", ".join(job.steps) or "—"),
                     Text(clean(job.title)))
            if key in table.rows:
                for column, cell in zip(table.columns, cells, strict=True):
                    table.update_cell(key, column, cell)
            else:
                table.add_row(*cells, key=key)
        if self.selected is None and board.jobs:
            self.selected = board.jobs[-1].number
        if self.selected is not None and str(self.selected) in table.rows:
            row = table.get_row_index(str(self.selected))
            if table.cursor_row != row:
                table.move_cursor(row=row)
        self._show_output()

    def on_resize(self) -> None:
        """Lines are wrapped to the pane's width: a new width writes them again."""
        self._shown = None
        self.call_after_refresh(self._show_output)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None:
            self.selected = int(event.row_key.value)
            self._show_output()

    def _show_output(self) -> None:
        job = self.swarm.jobs.get(self.selected) if self.selected is not None else None
        log = self.query_one("#job-output", Log)
        if job is None:
            return
        width = log.scrollable_content_region.width - 1
        if width <= 0:  # not laid out yet: lines are wrapped to the width they will have
            self.call_after_refresh(self._show_output)
            return
        seen = self._shown[1] if self._shown and self._shown[0] == job.number else None
        if seen is None:
            log.clear()
            log.border_title = f"job {job.number}: {clean(job.title)}"
            seen = 0
        lines, written = job.lines_since(seen)
        if lines:
            log.write_lines(part for line in lines for part in wrapped(clean(line), width))
        self._shown = (job.number, written)
        log.border_subtitle = job.state if not job.running else f"running: {job.current}"

    def action_cancel_job(self) -> None:
        job = self.swarm.jobs.get(self.selected) if self.selected is not None else None
        if job is None or not job.running:
            self.swarm.notify("no running job selected", severity="warning", timeout=3)
            return
        job.cancel.set()
        job.write("— cancel requested")
        what = ("the command on the node is hung up and its session closed" if job.remote
                else "a change already sent to the engine stays; the job stops before its "
                "next step")
        self.swarm.notify(f"job {job.number}: cancelling — {what}", timeout=5)

    def action_back(self) -> None:
        self.dismiss()
