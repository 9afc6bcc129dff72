"""Command-line entry point: `swarmtui [SUBCOMMAND]`.

Each subcommand lives in its own module and registers itself with
`add_parser(subparsers)`, setting `func` to a callable taking the parsed
arguments and returning an exit code.
"""

from __future__ import annotations

import argparse
import os
import sys

from swarmtui import __version__
from swarmtui.commands import console
from swarmtui.commands.common import add_source_options


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="swarmtui", description="A terminal operations console for Docker Swarm."
    )
    parser.add_argument("--version", action="version", version=f"swarmtui {__version__}")
    add_source_options(parser, top=True)
    console.add_console_options(parser)
    parser.set_defaults(func=console.run)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")

    from swarmtui.commands import backup, check, do, plan, snapshot, status, watch
    from swarmtui.lab import cli as lab_cli

    status.add_parser(subparsers)
    snapshot.add_parser(subparsers)
    plan.add_parser(subparsers)
    do.add_parser(subparsers)
    check.add_parser(subparsers)
    backup.add_parser(subparsers)
    watch.add_parser(subparsers)
    lab_cli.add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as other CLI tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
