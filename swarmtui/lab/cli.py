"""`swarmtui lab …`: run a real multi-node swarm on this machine.

Progress goes to stderr and the `export DOCKER_HOST=…` line to stdout, so
`eval "$(swarmtui lab up)"` works.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from swarmtui.lab.layout import FAULT_KINDS, MAX_NODES, STACKS

Handler = Callable[[argparse.Namespace], int]


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    lab = subparsers.add_parser(
        "lab",
        help="run a real multi-node swarm on this machine (root, Linux)",
        description="A real Docker Swarm on one Linux machine: each node a network "
        "namespace with its own dockerd and sshd. Needs root.",
    )
    lab.set_defaults(func=lambda _args: _help(lab))
    actions = lab.add_subparsers(dest="lab_action", metavar="ACTION")

    up = actions.add_parser("up", help="start a fresh lab (replacing any previous one)")
    up.add_argument("--nodes", type=int, default=4, help=f"nodes, 1-{MAX_NODES} (default 4)")
    up.add_argument("--managers", type=int, default=1, help="managers among them (default 1)")
    up.add_argument("--stack", choices=STACKS, default="demo",
                    help="what to deploy: the recorded demo cluster, or nothing")
    up.set_defaults(func=_later("_up"))

    actions.add_parser("down", help="remove everything the lab made").set_defaults(
        func=_later("_down"))
    actions.add_parser("status", help="per node: address, dockerd, sshd; exit 1 if down") \
        .set_defaults(func=_later("_status"))
    actions.add_parser("env", help="print the export DOCKER_HOST=… line").set_defaults(
        func=_later("_env"))

    inject = actions.add_parser("fault", help="inject a fault into the running lab")
    inject.add_argument("kind", choices=FAULT_KINDS, metavar="KIND",
                        help=", ".join(FAULT_KINDS))
    inject.add_argument("target", metavar="TARGET", help="node (node-*, daemon-restart) "
                        "or service (break-update, crash)")
    inject.set_defaults(func=_later("_fault"))


def _later(name: str) -> Handler:
    """The handler `name`, loaded when it runs: parsing needs no docker SDK."""

    def run(args: argparse.Namespace) -> int:
        from swarmtui.lab import commands

        return int(commands.guarded(getattr(commands, name))(args))

    return run


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 0
