"""The command bar: `/` filters a pane, `:` takes a console command or a sentence.

In command mode it remembers what was typed (persisted, secrets masked, Up and
Down recall it), completes the word being typed from service, node and command
names (→ accepts), and shows under the bar what the offline translator makes
of the sentence so far — before anything is previewed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from textual.binding import Binding, BindingType
from textual.suggester import Suggester
from textual.widgets import Input

from swarmtui.config import state_dir
from swarmtui.nl.words import WORDS
from swarmtui.swarm.logtext import clean
from swarmtui.swarm.secrets import mask_sentence

if TYPE_CHECKING:
    from swarmtui.swarm.model import ClusterState
    from swarmtui.ui.app import SwarmApp
    from swarmtui.ui.keyed_table import KeyedTable

HISTORY_KEEP = 500
IDLE_PLACEHOLDER = "/ filter   : command   ? help"


def masked_for_history(text: str) -> str:
    """What may be written to disk: secret-looking values replaced by the mask."""
    return mask_sentence(text)


class History:
    """Lines typed after `:`, oldest first, in a file in the state directory."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else state_dir() / "history"
        try:
            lines = self.path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            lines = []
        self.lines = [line for line in lines if line.strip()][-HISTORY_KEEP:]

    def add(self, text: str) -> None:
        line = masked_for_history(" ".join(clean(text).split()))  # no escapes kept on disk
        if not line or (self.lines and self.lines[-1] == line):
            return
        self.lines.append(line)
        del self.lines[:-HISTORY_KEEP]
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
                handle.write(line + "\n")
        except OSError:
            pass  # history is a convenience: a read-only home must not stop the console


class NameSuggester(Suggester):
    """Completes the last word with a console verb, a service or a node name."""

    def __init__(self, bar: CommandBar) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.bar = bar

    async def get_suggestion(self, value: str) -> str | None:
        if self.bar.mode != "command" or not value or value.endswith(" "):
            return None
        head, _, word = value.rpartition(" ")
        lowered = word.lower()
        if head and lowered in WORDS:  # "bring it back" is English, not the start of backup
            return None
        matches = [name for name in self.bar.names(first=not head)
                   if name.lower().startswith(lowered) and len(name) > len(word)]
        if not matches:
            return None
        # as a shell completes: the one name, or as far as every match agrees ("sh" →
        # "shop_" when shop_api and shop_web both fit), never one of several picked
        common = os.path.commonprefix([m.lower() for m in matches])  # noqa: RUF071 (by character)
        completion = matches[0] if len(matches) == 1 else matches[0][:len(common)]
        if len(completion) <= len(word):
            return None
        return f"{head}{' ' if head else ''}{word}{completion[len(word):]}"


class CommandBar(Input):
    DEFAULT_CSS = """
    CommandBar { height: 1; border: none; padding: 0 1; background: $panel; }
    CommandBar:focus { border: none; background: $boost; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Back", id="command-cancel"),
        Binding("up", "history(-1)", "Earlier", id="command-history-back", show=False),
        Binding("down", "history(1)", "Later", id="command-history-forward", show=False),
    ]

    def __init__(self, history: History | None = None) -> None:
        super().__init__(placeholder=IDLE_PLACEHOLDER, id="command-bar")
        self.suggester = NameSuggester(self)
        self.mode = "command"
        self.target: KeyedTable | None = None
        self.history = history if history is not None else History()
        self._recall: int | None = None  # index into history while browsing it

    def names(self, first: bool) -> list[str]:
        from swarmtui.ui.commands import VERBS

        state: ClusterState | None = cast("SwarmApp", self.app).state
        names = list(VERBS) if first else []
        if state is not None:
            names += sorted(s.name for s in state.services)
            names += sorted(n.name for n in state.nodes)
        return names

    def open(self, mode: str, target: KeyedTable | None) -> None:
        self.mode = mode
        self.target = target
        self._recall = None
        prompt = "/" if mode == "filter" else ":"
        self.value = target.filter_text if mode == "filter" and target else ""
        self.placeholder = f"{prompt} filter {target.id}" if mode == "filter" and target \
            else ": a sentence (scale web to 4) or a command (jobs, undo, theme, logs, help)"
        # At once, not via focus(): keys typed right after ':' must land here.
        self.screen.set_focus(self)

    def remember(self, text: str) -> None:
        if self.mode == "command" and text.strip():
            self.history.add(text)
        self._recall = None

    def action_history(self, direction: int) -> None:
        if self.mode != "command" or not self.history.lines:
            return
        lines = self.history.lines
        index = len(lines) if self._recall is None else self._recall
        index = max(0, min(len(lines), index + direction))
        self._recall = index
        self.value = lines[index] if index < len(lines) else ""
        self.cursor_position = len(self.value)

    def action_leave(self) -> None:
        if self.mode == "filter" and self.target is not None:
            self.target.set_filter("")
        self.value = ""
        self._recall = None
        self.placeholder = IDLE_PLACEHOLDER
        if self.target is not None:
            self.target.focus()
        else:
            self.screen.focus_next()


def intent_hint(text: str, state: ClusterState | None) -> str:
    """What the offline translator understands of `text`, in one line."""
    from swarmtui.actions.preview import preview
    from swarmtui.nl.offline import OfflineTranslator
    from swarmtui.ui.commands import VERBS

    text = text.strip()
    if not text:
        return ""
    verb = text.split()[0]
    if verb in VERBS or verb in ("q", "exit", "?"):
        return f"console command: {verb}"
    if state is None:
        return "waiting for the cluster state"
    plan = OfflineTranslator().translate(text, state)
    if plan.asks_back:
        return f"? {plan.clarify}"
    if not plan.steps:
        return "…"
    items = preview(plan, state)
    parts = [f"{item.summary} [{item.risk}]" + (" ✗" if item.problem else "")
             for item in items]
    return "→ " + " · then ".join(parts) + "   (Enter previews)"
