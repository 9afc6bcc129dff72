"""`swarmtui snapshot OUT.json`: record a live cluster for a bug report or a demo."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from swarmtui.commands.common import add_source_options, fail, source_from_args
from swarmtui.swarm.source import SourceError


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "snapshot", help="record the live cluster to a JSON file (secrets masked)"
    )
    parser.add_argument("out", metavar="OUT.json", help="file to write")
    parser.add_argument("--log-tail", type=int, default=200, help="log lines kept per service")
    add_source_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from swarmtui.swarm.engine import EngineSource
    from swarmtui.swarm.recording import record

    if args.snapshot:
        return fail("snapshot records a live cluster; --snapshot makes no sense here", 2)
    try:
        source = source_from_args(args, readonly=True)
        assert isinstance(source, EngineSource)
        try:
            source.connect()
            data = record(source, log_tail=args.log_tail)
        finally:
            source.close()
    except SourceError as exc:
        return fail(exc)
    out = Path(args.out)
    try:
        tmp = out.with_name(f".{out.name}.tmp")
        with open(tmp, "w", encoding="utf-8", opener=lambda p, f: os.open(p, f, 0o600)) as fh:
            json.dump(data, fh, indent=1, sort_keys=True)
        tmp.replace(out)
    except OSError as exc:
        return fail(f"cannot write {out}: {exc.strerror}")
    print(
        f"recorded {len(data['nodes'])} nodes, {len(data['services'])} services, "
        f"{len(data['tasks'])} tasks to {out} (environment secrets masked)"
    )
    return 0
