"""Console commands typed after `:` — navigation and view settings only.

Changes to the cluster arrive as previewed plans through the command bar's
translator; nothing here mutates anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from swarmtui.ui.app import SwarmApp
    from swarmtui.ui.dashboard import DashboardScreen

HELP = ("commands: theme NAME · logs SERVICE · service NAME · node NAME · filter TEXT · "
        "jobs · alerts · undo · help · quit")
VERBS = ("theme", "logs", "service", "node", "filter", "jobs", "alerts", "undo", "help", "quit")


def _resolve(names: list[str], wanted: str) -> str | None:
    """An exact name, else the only name containing `wanted`."""
    if wanted in names:
        return wanted
    matches = [n for n in names if wanted.lower() in n.lower()]
    return matches[0] if len(matches) == 1 else None


def run_console_command(screen: DashboardScreen, text: str) -> None:
    app = cast("SwarmApp", screen.app)
    verb, _, argument = text.partition(" ")
    argument = argument.strip()
    state = app.state
    if verb in ("q", "quit", "exit"):
        app.call_later(app.action_quit)
    elif verb in ("help", "?", ""):
        if verb:
            app.action_help()
    elif verb == "theme":
        themes = sorted(app.theme_names)
        name = _resolve(themes, argument) or _resolve(themes, f"swarmtui-{argument}")
        if not argument:
            app.notify(f"theme {app.theme}; themes: {', '.join(themes)} (:theme NAME switches)")
        elif name is None:
            app.notify(f"no theme {argument!r}; themes: {', '.join(themes)}", severity="warning")
        else:
            app.theme = name
    elif verb in ("logs", "service", "node") and state is not None:
        if verb == "node":
            name = _resolve([n.name for n in state.nodes], argument)
            target = state.node_named(name) if name else None
        else:
            name = _resolve([s.name for s in state.services], argument)
            target = state.service_named(name) if name else None
        if target is None:
            app.notify(f"no single {'node' if verb == 'node' else 'service'} matches "
                       f"{argument!r}", severity="warning")
        elif verb == "logs":
            from swarmtui.ui.logs_screen import LogScreen

            app.push_screen(LogScreen(target.id))
        else:
            screen.jump_to(verb, target.id)
            screen.open_detail(verb, target.id)
    elif verb == "jobs":
        app.action_jobs()
    elif verb in ("alerts", "history"):
        app.action_alert_history()
    elif verb == "undo":
        app.action_undo()
    elif verb == "filter":
        screen.pane("services").set_filter(argument)
    else:
        app.propose(text)  # anything else is a sentence: translated into a previewed plan
