"""The plan preview: steps, risk, equivalent commands, changes; Cancel has the focus.

Enter on Run confirms a low-risk plan; a high-risk plan needs `y`; a destructive
step needs the target's name typed. Nothing runs from here: the screen only
returns the operator's confirmation.
"""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from swarmtui.actions.catalog import Risk
from swarmtui.actions.plan import Plan
from swarmtui.actions.preview import StepPreview, confirmation_needed, plan_risk
from swarmtui.swarm.logtext import clean
from swarmtui.swarm.secrets import mask_sentence

RISK_STYLES = {Risk.READ: "dim", Risk.LOW: "green", Risk.HIGH: "bold yellow",
               Risk.DESTRUCTIVE: "bold white on red"}


def preview_table(previews: list[StepPreview]) -> Table:
    table = Table(expand=True, show_edge=False, pad_edge=False, box=None)
    table.add_column("#", width=2)
    table.add_column("risk", no_wrap=True)
    table.add_column("step")
    for number, item in enumerate(previews, 1):
        body = Text(item.summary, style="bold")
        if item.change:
            body.append(f"\n{item.change}", style="cyan")
        body.append(f"\n$ {item.command}", style="dim")
        if item.problem:
            body.append(f"\n✗ refused: {item.problem}", style="bold red")
        table.add_row(str(number), Text(f" {item.risk} ", style=RISK_STYLES[item.risk]), body)
    return table


class PlanScreen(ModalScreen[str | None]):
    """Returns the confirmation the operator gave, or None for cancel."""

    CSS = """
    PlanScreen { align: center middle; }
    #plan { width: 90%; max-width: 110; height: auto; max-height: 90%;
            border: round $accent; background: $surface; padding: 0 1; }
    #plan-buttons { height: 3; align-horizontal: right; }
    #plan-confirm { display: none; }
    #plan-confirm.-needed { display: block; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="plan-cancel"),
        Binding("y", "confirm_high", "Confirm high risk", id="plan-yes"),
        Binding("enter", "enter", "Run (low risk)", id="plan-enter", priority=True),
    ]

    def __init__(self, plan: Plan, previews: list[StepPreview], readonly: bool) -> None:
        super().__init__()
        self.plan = plan
        self.previews = previews
        self.readonly = readonly
        self.risk = plan_risk(previews)
        self.needed = confirmation_needed(previews)
        self.refused = any(p.problem for p in previews)

    def compose(self) -> ComposeResult:
        with Vertical(id="plan"):
            title = Text(f"Plan for: {mask_sentence(clean(self.plan.sentence))}", style="bold")
            title.append(f"   {self.risk} risk", style=RISK_STYLES[self.risk])
            yield Static(title)
            yield Static(preview_table(self.previews))
            if self.readonly:
                yield Static(Text("read-only mode: this plan can be looked at, not run",
                                  style="bold yellow"))
            elif self.refused:
                yield Static(Text("a step is refused: nothing will run", style="bold red"))
            elif self.risk is Risk.DESTRUCTIVE:
                yield Static(Text(f"type {self.needed} to confirm", style="bold"))
            elif self.risk is Risk.HIGH:
                yield Static(Text("press y to run this high-risk plan", style="bold"))
            yield Input(placeholder=f"type {self.needed}", id="plan-confirm",
                        select_on_focus=False,  # the first key typed must not be replaced
                        classes="-needed" if self._typed_confirmation else "")
            with Horizontal(id="plan-buttons"):
                yield Button("Cancel", id="plan-cancel-button", variant="default")
                yield Button("Run", id="plan-run", variant="warning",
                             disabled=self.readonly or self.refused or (self.risk is not Risk.LOW
                             and self.risk is not Risk.READ))

    @property
    def _typed_confirmation(self) -> bool:
        return self.risk is Risk.DESTRUCTIVE and not (self.readonly or self.refused)

    def on_mount(self) -> None:
        self.query_one("#plan-cancel-button", Button).focus()  # the default is not to act

    def on_key(self, event: events.Key) -> None:
        """A destructive plan: typing goes to the name field, whatever has the focus (Enter
        on the focused Cancel still cancels)."""
        field = self.query_one("#plan-confirm", Input)
        if self._typed_confirmation and event.is_printable and event.character \
                and not field.has_focus:
            event.stop()
            event.prevent_default()
            field.focus()
            field.insert_text_at_cursor(event.character)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "plan-run":
            self.dismiss("y")
        else:
            self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        typed = " ".join(event.value.split())
        if typed == self.needed:
            self.dismiss(typed)
        else:
            self.notify(f"type {self.needed} exactly, or esc to cancel", severity="warning")

    def action_enter(self) -> None:
        """Enter runs a low-risk plan; for anything riskier it is the focused Cancel."""
        field = self.query_one("#plan-confirm", Input)
        if field.has_focus:
            self.on_input_submitted(Input.Submitted(field, field.value))
        elif self.risk in (Risk.LOW, Risk.READ) and not (self.readonly or self.refused):
            self.dismiss("y")
        else:
            self.dismiss(None)

    def action_confirm_high(self) -> None:
        if self.risk is Risk.HIGH and not (self.readonly or self.refused):
            self.dismiss("y")

    def action_cancel(self) -> None:
        self.dismiss(None)
