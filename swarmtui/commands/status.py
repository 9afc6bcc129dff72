"""`swarmtui status [--json]`: nodes and services, once, for people or scripts."""

from __future__ import annotations

import argparse
import json
import sys

from rich.console import Console
from rich.markup import escape

from swarmtui.commands.common import add_source_options, fail, state_once
from swarmtui.report import nodes_table, services_table, state_json
from swarmtui.swarm.source import SourceError


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("status", help="print nodes and services once")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    add_source_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        state = state_once(args)
    except SourceError as exc:
        return fail(exc)
    if args.json:
        json.dump(state_json(state), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    console = Console(width=None if sys.stdout.isatty() else 200)
    engine = state.engine
    api = f" (API {engine.api_version})" if engine.api_version else ""
    console.print(
        f"[bold]{escape(engine.name)}[/] engine {escape(engine.engine_version or '?')}{api} · "
        f"{len(state.nodes)} nodes · {len(state.services)} services"
    )
    console.print(nodes_table(state))
    console.print(services_table(state))
    return 0
