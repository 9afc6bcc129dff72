"""Following a service's merged logs, or one task's, with grep, pause and save."""

from __future__ import annotations

import contextlib
import os
import re
import textwrap
import time
import zlib
from collections import deque
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from rich.highlighter import Highlighter
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Input, Log, Static

from swarmtui.swarm.logstream import LogFollower, LogRequest
from swarmtui.swarm.logtext import LogLine, grep_pattern, parse_duration, prefix
from swarmtui.ui.themes import Palette

if TYPE_CHECKING:
    from swarmtui.ui.app import SwarmApp

PREFIX_COLOURS = ("#6FB3E0", "#C792EA", "#89DDFF", "#F78C6C", "#C3E88D", "#FFCB6B",
                  "#82AAFF", "#F07178")
STDOUT_BAR, STDERR_BAR = " │ ", " ┃ "
FLUSH_SECONDS = 0.1
# Each write scrolls the view, and a scroll repaints every visible line: a trickle of
# lines is held up to BATCH_SECONDS so that it costs one redraw, not one per line.
BATCH_SECONDS = 0.5
BATCH_LINES = 50
TAIL_HINT = "tail takes a whole number of lines, 1 or more"


def parse_tail(value: str) -> int:
    """`500` → 500; a ValueError saying what tail takes for anything else."""
    text = value.strip()
    if not text.isdigit() or int(text) < 1:  # isdigit: no sign, no point, no exponent
        raise ValueError(TAIL_HINT)
    return int(text)


class LogHighlighter(Highlighter):
    """Colours each task's prefix, marks stderr, and highlights grep matches."""

    def __init__(self) -> None:
        self.pattern: re.Pattern[str] | None = None
        self.palette: Palette | None = None

    def highlight(self, text: Text) -> None:
        plain = text.plain
        for bar, is_err in ((STDERR_BAR, True), (STDOUT_BAR, False)):
            cut = plain.find(bar)
            if cut > 0:
                label = plain[:cut].rsplit(" ", 1)[-1]
                colour = PREFIX_COLOURS[zlib.crc32(label.encode()) % len(PREFIX_COLOURS)]
                text.stylize(colour, cut - len(label), cut)
                if is_err and self.palette is not None:
                    text.stylize(self.palette["log-stderr"], cut + 1, len(plain))
                break
        if self.pattern is not None and self.palette is not None:
            for match in self.pattern.finditer(plain):
                if match.end() > match.start():
                    text.stylize(f"bold reverse {self.palette['log-match']}",
                                 match.start(), match.end())


class LogScreen(Screen[None]):
    CSS = """
    #log-header { height: 1; background: $panel; padding: 0 1; }
    #log { height: 1fr; border: none; }
    #log-input { height: 1; border: none; padding: 0 1; background: $boost; display: none; }
    #log-input.-open { display: block; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="logs-back"),
        Binding("p", "toggle_pause", "Pause", id="logs-pause"),
        Binding("slash", "grep", "Grep", id="logs-grep"),
        Binding("colon", "options", "since/tail/save", show=False, id="logs-options"),
        Binding("t", "toggle_timestamps", "Timestamps", show=False, id="logs-timestamps"),
        Binding("w", "toggle_wrap", "Wrap", show=False, id="logs-wrap"),
        Binding("S", "save", "Save", id="logs-save"),
        Binding("end", "follow", "Follow", show=False, id="logs-follow"),
    ]

    def __init__(self, service_id: str, task_id: str | None = None, *, grep: str = "",
                 since: str | None = None, tail: int | None = None) -> None:
        super().__init__()
        self.service_id = service_id
        self.task_id = task_id
        self.tail = tail  # asked for (":tail", "last 50 lines"); None: the configured default
        self.follower: LogFollower | None = None
        self.buffer: deque[LogLine] = deque()
        self.paused = False
        self.pending = 0
        self.timestamps = False
        self.wrap = False
        self.grep = grep
        self.since: int | None = None  # seconds back from the cluster's now
        if since:
            with contextlib.suppress(ValueError):  # the validator checked it already
                self.since = parse_duration(since)
        self.highlighter = LogHighlighter()
        self.highlighter.pattern = grep_pattern(grep)
        self._prefixes: dict[tuple[str, str], str] = {}
        self._input_mode = "grep"
        self._header = ""
        self._last_write = 0.0

    @property
    def swarm(self) -> SwarmApp:
        return cast("SwarmApp", self.app)

    @property
    def title_text(self) -> str:
        state = self.swarm.state
        service = state.service(self.service_id) if state else None
        name = service.name if service else self.service_id[:12]
        if self.task_id:
            return f"logs of task {self.task_id[:12]} ({name})"
        return f"logs of {name}"

    def compose(self) -> ComposeResult:
        yield Static(id="log-header")
        log = Log(id="log", max_lines=self.swarm.settings.log_max_lines, highlight=True)
        log.highlighter = self.highlighter
        yield log
        yield Input(id="log-input")
        yield Footer()

    def on_mount(self) -> None:
        self.buffer = deque(maxlen=self.swarm.settings.log_max_lines)
        self.highlighter.palette = self.swarm.palette
        self._start(self.tail or self.swarm.settings.log_tail)
        self.set_interval(FLUSH_SECONDS, self.flush)
        self.query_one(Log).focus()
        self._show_header()

    def _start(self, tail: int) -> None:
        if self.follower is not None:
            self.follower.close()
        state = self.swarm.state
        service = state.service(self.service_id) if state else None
        source = self.swarm.source
        # Epoch seconds back from the wall clock, as both sources take it: the engine as
        # is, a recording counting the same span back from its capture (as log_tail does).
        since = time.time() - self.since if self.since is not None else None
        request = LogRequest(self.service_id, self.task_id, tail=tail, since=since,
                             follow=source.is_live, tty=bool(service and service.tty))
        self.follower = LogFollower(source, request,  # type: ignore[arg-type]
                                    max_lines=self.swarm.settings.log_max_lines).start()

    @property
    def since_time(self) -> datetime | None:
        """Where `since` begins: counted back from a recording's capture, or from now."""
        if self.since is None:
            return None
        state = self.swarm.state
        now = self.swarm.now() if self.swarm.source.is_live or state is None \
            else state.fetched_at
        return now - timedelta(seconds=self.since)

    def on_unmount(self) -> None:
        if self.follower is not None:
            self.follower.close()

    # -- writing ----------------------------------------------------------

    def format(self, line: LogLine) -> str:
        key = (line.task_id, line.node_id)
        label = self._prefixes.get(key)
        if label is None:
            label = prefix(line, self.swarm.state)
            if self.swarm.state is not None:
                self._prefixes[key] = label
        bar = STDERR_BAR if line.stream == "stderr" else STDOUT_BAR
        stamp = ""
        if self.timestamps and line.timestamp is not None:
            stamp = line.timestamp.astimezone().strftime("%H:%M:%S.%f")[:-3] + " "
        return f"{stamp}{label}{bar}{line.text}"

    def _visible(self, lines: list[LogLine]) -> list[str]:
        pattern = grep_pattern(self.grep)
        shown = [self.format(line) for line in lines
                 if pattern is None or pattern.search(line.text)]
        if not self.wrap:
            return shown
        width = max(20, self.query_one(Log).scrollable_content_region.width - 1)
        wrapped: list[str] = []
        for text in shown:
            wrapped.extend(textwrap.wrap(text, width, subsequent_indent="    ",
                                         drop_whitespace=False) or [""])
        return wrapped

    def flush(self) -> None:
        """Move what the reader thread collected onto the screen, in one batch."""
        if self.follower is None:
            return
        now = time.monotonic()
        trickle = self.follower.waiting < BATCH_LINES and now - self._last_write < BATCH_SECONDS
        if trickle and self.follower.running:
            self._show_header()
            return  # a trickle waits to share one redraw; a burst is written at once
        lines = self.follower.drain()
        self._last_write = now
        if lines:
            self.buffer.extend(lines)
            if self.paused:
                self.pending += len(lines)
            else:
                self.query_one(Log).write_lines(self._visible(lines[-self.buffer.maxlen:]))
        self._show_header()

    def rebuild(self) -> None:
        log = self.query_one(Log)
        log.clear()
        log.write_lines(self._visible(list(self.buffer)), scroll_end=True)
        self.pending = 0

    def _show_header(self) -> None:
        follower = self.follower
        parts = [self.title_text]
        if follower is not None and follower.error:
            parts.append(f"⚠ {follower.error}")
        elif not self.swarm.source.is_live:
            parts.append("recorded")
        elif follower is not None and follower.running:
            parts.append("following")
        else:
            parts.append("ended")
        state = self.swarm.state
        service = state.service(self.service_id) if state else None
        if service is not None and service.tty:
            parts.append("raw output (tty)")
        parts.append(f"{len(self.buffer)} lines")
        if self.grep:
            parts.append(f"grep /{self.grep}/")
        since = self.since_time
        if since is not None:
            parts.append(f"since {since.astimezone():%H:%M:%S}")
        if self.tail:
            each = "" if self.task_id else " per task"  # as docker counts it (moby#32331)
            parts.append(f"last {self.tail} lines{each}")
        if self.paused:
            parts.append(f"PAUSED ({self.pending} new, p to resume)")
        if follower is not None and follower.dropped:
            parts.append(f"{follower.dropped} dropped in bursts")
        header = " · ".join(parts)
        if header != self._header:  # an unchanged header costs nothing to leave alone
            self._header = header
            self.query_one("#log-header", Static).update(Text(header, no_wrap=True,
                                                              overflow="ellipsis"))

    # -- keys -------------------------------------------------------------

    def action_back(self) -> None:
        field = self.query_one("#log-input", Input)
        if field.has_class("-open"):
            field.remove_class("-open")
            self.query_one(Log).focus()
            return
        self.app.pop_screen()

    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        if not self.paused:
            self.rebuild()
        self._show_header()

    def action_follow(self) -> None:
        self.paused = False
        self.rebuild()
        self.query_one(Log).scroll_end(animate=False)

    def action_toggle_timestamps(self) -> None:
        self.timestamps = not self.timestamps
        self.rebuild()

    def action_toggle_wrap(self) -> None:
        self.wrap = not self.wrap
        self.rebuild()
        self.notify(f"wrap {'on' if self.wrap else 'off'}", timeout=1)

    def action_grep(self) -> None:
        self._open_input("grep", self.grep, "grep (regular expression, Enter to apply)")

    def action_options(self) -> None:
        self._open_input("options", "", "since 10m · tail 500 · save FILE")

    def _open_input(self, mode: str, value: str, placeholder: str) -> None:
        self._input_mode = mode
        field = self.query_one("#log-input", Input)
        field.value = value
        field.placeholder = placeholder
        field.add_class("-open")
        self.set_focus(field)  # at once: keys typed right after '/' must land in the field

    def on_input_changed(self, event: Input.Changed) -> None:
        if self._input_mode == "grep":
            self.grep = event.value
            self.highlighter.pattern = grep_pattern(self.grep)
            self.rebuild()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.input.remove_class("-open")
        self.query_one(Log).focus()
        if self._input_mode == "options":
            self.apply_option(event.value.strip())

    def apply_option(self, text: str) -> None:
        verb, _, value = text.partition(" ")
        try:
            if verb == "since":
                self.since, self.tail = parse_duration(value), None
                self.restart(0)
            elif verb == "tail":
                self.tail, self.since = parse_tail(value), None
                self.restart(self.tail)
            elif verb == "save":
                if value:
                    self.save(Path(value).expanduser())
                else:
                    self.action_save()
            else:
                self.notify("options: since 10m · tail 500 · save FILE", severity="warning")
        except ValueError as exc:
            self.notify(str(exc), severity="warning")

    def restart(self, tail: int) -> None:
        """Fetch again with a new since or tail (checked before anything is dropped)."""
        self.buffer.clear()
        self._start(tail)
        self.rebuild()

    def action_save(self) -> None:
        stamp = self.swarm.now().astimezone().strftime("%Y%m%d-%H%M%S")
        stem = f"swarmtui-{self.title_text.split()[-1]}-{stamp}"
        for attempt in range(1, 100):  # a name of its own, even for two saves in one second
            path = Path.cwd() / (f"{stem}.log" if attempt == 1 else f"{stem}-{attempt}.log")
            if not path.exists():
                break
        self.save(path)

    def save(self, path: Path) -> None:
        pattern = grep_pattern(self.grep)
        lines = [self.format(line) for line in self.buffer
                 if pattern is None or pattern.search(line.text)]
        try:
            # Created, never replaced (O_EXCL: no race with a file appearing meanwhile,
            # and a symlink is not followed); 0600: logs can hold what the service leaks.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            self.notify(f"{path} exists; give a new name", severity="warning")
            return
        except OSError as exc:
            self.notify(f"cannot save to {path}: {exc.strerror}", severity="error")
            return
        try:
            with open(fd, "w", encoding="utf-8") as file:
                file.write("\n".join(lines) + "\n")
        except OSError as exc:
            self.notify(f"cannot save to {path}: {exc.strerror}", severity="error")
            return
        self.notify(f"saved {len(lines)} lines to {path}", timeout=4)
