"""Options shared by every command that reads a cluster."""

from __future__ import annotations

import argparse
import sys

from swarmtui.swarm.endpoint import open_source
from swarmtui.swarm.source import Source, SourceError


def add_source_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("cluster")
    group.add_argument("-H", "--host", help="engine address: unix://…, tcp://…, ssh://user@host")
    group.add_argument("--context", help="a docker CLI context name")
    group.add_argument("--snapshot", metavar="FILE", help="replay a recorded cluster instead")


def source_from_args(args: argparse.Namespace, *, readonly: bool = False) -> Source:
    return open_source(
        host=args.host,
        context=args.context,
        snapshot=args.snapshot,
        readonly=readonly or bool(getattr(args, "readonly", False)),
    )


def fail(error: SourceError | str, code: int = 1) -> int:
    message = error.message if isinstance(error, SourceError) else error
    print(f"swarmtui: {message}", file=sys.stderr)
    return code
