"""`swarmtui status [--json]`: nodes and services, once, for people or scripts."""

from __future__ import annotations

import argparse
import json
import sys

from rich.console import Console

from swarmtui.commands.common import add_source_options, fail, source_from_args
from swarmtui.report import nodes_table, services_table, state_json
from swarmtui.swarm.model import ClusterState
from swarmtui.swarm.parse import build_state
from swarmtui.swarm.source import Source, SourceError


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("status", help="print nodes and services once")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    add_source_options(parser)
    parser.set_defaults(func=run)


def read_state(source: Source) -> ClusterState:
    from datetime import UTC, datetime

    source.connect()
    raw = source.fetch()
    return build_state(raw, 1, raw.fetched_at or datetime.now(UTC))


def run(args: argparse.Namespace) -> int:
    try:
        source = source_from_args(args, readonly=True)
        try:
            state = read_state(source)
        finally:
            source.close()
    except SourceError as exc:
        return fail(exc)
    if args.json:
        json.dump(state_json(state), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    console = Console(width=None if sys.stdout.isatty() else 200)
    engine = state.engine
    console.print(
        f"[bold]{engine.name}[/] engine {engine.engine_version} (API {engine.api_version}) · "
        f"{len(state.nodes)} nodes · {len(state.services)} services"
    )
    console.print(nodes_table(state))
    console.print(services_table(state))
    return 0
