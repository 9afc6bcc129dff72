"""`swarmtui` with no subcommand: the live console."""

from __future__ import annotations

import argparse
from pathlib import Path

from swarmtui.commands.common import fail
from swarmtui.config import ConfigError, Settings, load_settings
from swarmtui.swarm.endpoint import open_source
from swarmtui.swarm.source import Source, SourceError

DEMO_CLUSTER = Path(__file__).resolve().parent.parent / "data" / "demo-cluster.json"


def add_console_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--demo", action="store_true",
                        help="replay the bundled recorded cluster (no engine needed)")
    parser.add_argument("--readonly", action="store_true", default=None,
                        help="refuse every change to the cluster, enforced on every request")
    parser.add_argument("--wall", action="store_true",
                        help="read-only wall screen for a TV: big tiles, rotating views")
    parser.add_argument("--theme", help="theme name (swarmtui-dark, swarmtui-light, "
                        "swarmtui-contrast, or one of yours)")
    parser.add_argument("--keymap", help="keymap name (default, vim, or one of yours)")
    parser.add_argument("--poll", type=float, metavar="SECONDS", dest="poll_interval",
                        help="task polling interval (tasks have no events; default 2)")
    parser.add_argument("--rules", type=Path, metavar="FILE",
                        help="alert rules file (default: ~/.config/swarmtui/rules.yaml)")
    parser.add_argument("--alertmanager", metavar="URL", dest="alertmanager_url",
                        help="show this Alertmanager's alerts beside swarmtui's own")
    parser.add_argument("--autopilot", type=Path, metavar="POLICY.yaml",
                        help="let the console apply the policy's remedies by itself "
                             "(off by default; refused in read-only mode)")


def settings_from(args: argparse.Namespace) -> Settings:
    return load_settings({
        "host": args.host,
        "context": args.context,
        "theme": args.theme,
        "keymap": args.keymap,
        "poll_interval": args.poll_interval,
        "readonly": True if (args.readonly or args.wall) else None,
        "alertmanager_url": args.alertmanager_url,
    })


def build_app(args: argparse.Namespace):  # -> SwarmApp, imported lazily: textual is heavy
    from swarmtui.ui.app import SwarmApp

    settings = settings_from(args)
    snapshot = str(DEMO_CLUSTER) if args.demo else args.snapshot
    source: Source = open_source(host=settings.host, context=settings.context,
                                 snapshot=snapshot, readonly=settings.readonly)
    mode = "read-only" if settings.readonly else "live"
    if not source.is_live:
        mode = "demo" if args.demo else "snapshot"
    if args.wall:
        mode = "wall"
    from swarmtui.alerts.rules import user_rules

    rules = user_rules(args.rules).rules
    autopilot = None
    if args.autopilot is not None:
        from swarmtui.autopilot import Autopilot, load_policy

        if settings.readonly or args.wall or not source.is_live:
            source.close()
            raise ConfigError("the autopilot changes the cluster, and this console is "
                              f"{'read-only' if source.is_live else 'a recording'}: "
                              "refusing to start")
        autopilot = Autopilot(load_policy(args.autopilot))
    return SwarmApp(source, settings=settings, mode=mode, wall=args.wall, rules=rules,
                    autopilot=autopilot)


def run(args: argparse.Namespace) -> int:
    try:
        app = build_app(args)
    except (SourceError, ConfigError) as exc:
        return fail(str(exc) if isinstance(exc, ConfigError) else exc, 2)
    app.run()
    return 0
