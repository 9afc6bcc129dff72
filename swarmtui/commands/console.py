"""`swarmtui` with no subcommand: the live console."""

from __future__ import annotations

import argparse
from pathlib import Path

from swarmtui.commands.common import fail, source_from_args
from swarmtui.swarm.source import SourceError

DEMO_CLUSTER = Path(__file__).resolve().parent.parent / "data" / "demo-cluster.json"


def run(args: argparse.Namespace) -> int:
    from swarmtui.ui.app import SwarmApp  # textual loads only for the console

    if args.demo:
        args.snapshot = str(DEMO_CLUSTER)
    try:
        source = source_from_args(args)
    except SourceError as exc:
        return fail(exc)
    mode = "read-only" if args.readonly else "live"
    if not source.is_live:
        mode = "demo" if args.demo else "snapshot"
    app = SwarmApp(source, mode=mode, poll_interval=args.poll)
    app.run()
    return 0
