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
    except Exception as exc:  # a bug: one line for the operator, the details kept for us
        return _crashed(exc)


def _crashed(exc: Exception) -> int:
    """Config and engine errors are one line; anything else too, with a traceback on disk."""
    import traceback

    from swarmtui.config import ConfigError, state_dir
    from swarmtui.swarm.logtext import clean
    from swarmtui.swarm.source import SourceError

    if isinstance(exc, ConfigError):
        print(f"swarmtui: {clean(str(exc))}", file=sys.stderr)
        return 2
    if isinstance(exc, SourceError):
        print(f"swarmtui: {clean(exc.message)}", file=sys.stderr)
        return 1
    where = "no file could be written"
    try:
        path = state_dir() / "crash.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
            handle.write("".join(traceback.format_exception(exc)) + "\n")
        where = f"details in {path}"
    except OSError:
        pass
    print(f"swarmtui: unexpected error: {type(exc).__name__}: {clean(str(exc))[:300]} "
          f"({where})", file=sys.stderr)
    return 70
