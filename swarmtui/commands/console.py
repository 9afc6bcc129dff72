"""`swarmtui` with no subcommand: the live console."""

from __future__ import annotations

import argparse

from swarmtui.commands.common import fail, source_from_args
from swarmtui.swarm.source import SourceError


def run(args: argparse.Namespace) -> int:
    from swarmtui.ui.app import SwarmApp  # textual loads only for the console

    try:
        source = source_from_args(args)
    except SourceError as exc:
        return fail(exc)
    mode = "snapshot" if not source.is_live else "read-only" if args.readonly else "live"
    app = SwarmApp(source, mode=mode, poll_interval=args.poll)
    app.run()
    return 0
