"""Options shared by every command that reads a cluster."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from swarmtui.swarm.endpoint import open_source
from swarmtui.swarm.model import ClusterState
from swarmtui.swarm.parse import MalformedData, build_state
from swarmtui.swarm.source import Source, SourceError


def add_source_options(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    """On subcommands the defaults are suppressed, so `swarmtui -H X status` keeps X."""
    default = None if top else argparse.SUPPRESS
    group = parser.add_argument_group("cluster")
    group.add_argument("-H", "--host", default=default,
                       help="engine address: unix://…, tcp://…, ssh://user@host")
    group.add_argument("--context", default=default, help="a docker CLI context name")
    group.add_argument("--snapshot", metavar="FILE", default=default,
                       help="replay a recorded cluster instead")


def source_from_args(args: argparse.Namespace, *, readonly: bool = False) -> Source:
    """The engine every command uses, chosen like the console chooses it: flags, then
    SWARMTUI_* variables, then the config file (`host`, `context`, `readonly`), then the
    docker CLI's own rules. A bad config file stops here, as a ConfigError naming it."""
    from swarmtui.config import load_settings

    settings = load_settings({"host": args.host, "context": args.context,
                              "readonly": True if getattr(args, "readonly", False) else None})
    return open_source(
        host=settings.host,
        context=settings.context,
        snapshot=args.snapshot,
        readonly=readonly or settings.readonly,
    )


def read_state(source: Source) -> ClusterState:
    """Connect, fetch once, build the state (blocking; for one-shot commands)."""
    source.connect()
    raw = source.fetch()
    try:
        return build_state(raw, 1, raw.fetched_at or datetime.now(UTC))
    except MalformedData as exc:
        raise SourceError(f"{source.description}: malformed cluster data: {exc}",
                          "bad-data") from None


def state_once(args: argparse.Namespace) -> ClusterState:
    """The cluster as the command line names it, read once without changing anything."""
    source = source_from_args(args, readonly=True)
    try:
        return read_state(source)
    finally:
        source.close()


def fail(error: SourceError | str, code: int = 1) -> int:
    message = error.message if isinstance(error, SourceError) else error
    print(f"swarmtui: {message}", file=sys.stderr)
    return code
