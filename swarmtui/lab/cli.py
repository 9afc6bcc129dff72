"""`swarmtui lab …`: run a real multi-node swarm on this machine.

Progress goes to stderr and the `export DOCKER_HOST=…` line to stdout, so
`eval "$(swarmtui lab up)"` works.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable

import docker
import requests

from swarmtui.lab import engine, host, lifecycle, sshd
from swarmtui.lab.faults import FAULT_KINDS, fault
from swarmtui.lab.host import LabError
from swarmtui.lab.layout import MAX_NODES
from swarmtui.lab.state import LabInfo

Handler = Callable[[argparse.Namespace], int]
UNSUPPORTED_EXIT = 2
_STARTED = time.monotonic()


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
    up.add_argument("--stack", choices=lifecycle.STACKS, default="demo",
                    help="what to deploy: the recorded demo cluster, or nothing")
    up.set_defaults(func=_guarded(_up))

    actions.add_parser("down", help="remove everything the lab made").set_defaults(
        func=_guarded(_down))
    actions.add_parser("status", help="per node: address, dockerd, sshd; exit 1 if down") \
        .set_defaults(func=_guarded(_status))
    actions.add_parser("env", help="print the export DOCKER_HOST=… line").set_defaults(
        func=_guarded(_env))

    inject = actions.add_parser("fault", help="inject a fault into the running lab")
    inject.add_argument("kind", choices=FAULT_KINDS, metavar="KIND",
                        help=", ".join(FAULT_KINDS))
    inject.add_argument("target", metavar="TARGET", help="node (node-*, daemon-restart) "
                        "or service (break-update, crash)")
    inject.set_defaults(func=_guarded(_fault))


def _up(args: argparse.Namespace) -> int:
    info = lifecycle.up(nodes=args.nodes, managers=args.managers, stack=args.stack,
                        progress=_say)
    print(_export_line(info), flush=True)
    return 0


def _down(_args: argparse.Namespace) -> int:
    lifecycle.down(progress=_say)
    _say("lab down")
    return 0


def _status(_args: argparse.Namespace) -> int:
    info = lifecycle.status()
    if info is None:
        print("lab: not up")
        return 1
    up = lifecycle.is_up(info)
    print(f"lab: {'up' if up else 'NOT ANSWERING'} — {len(info.nodes)} nodes, "
          f"stack {info.stack or 'none'}, state {info.state_dir}")
    rows = [("NODE", "ROLE", "ADDRESS", "DOCKERD", "SSHD", "SOCKET")]
    for node in info.nodes:
        dockerd_pid = engine.dockerd_pid(node.name)
        sshd_pid = sshd.sshd_pid(node.name)
        rows.append((
            node.name,
            node.role,
            node.address,
            f"up pid {dockerd_pid}" if dockerd_pid else "DOWN",
            f"up :{node.sshd_port} pid {sshd_pid}" if sshd_pid else "DOWN",
            node.socket,
        ))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    print(f"ssh: ssh -i {info.ssh_key} -o UserKnownHostsFile={info.known_hosts} "
          f"root@{info.first_manager.address}")
    return 0 if up else 1


def _env(_args: argparse.Namespace) -> int:
    print(_export_line(lifecycle.current()))
    return 0


def _fault(args: argparse.Namespace) -> int:
    fault(args.kind, args.target, progress=_say)
    return 0


def _export_line(info: LabInfo) -> str:
    return f"export DOCKER_HOST={info.docker_host}"


def _guarded(handler: Handler) -> Handler:
    """Root/Linux check first; every failure becomes one line and a non-zero exit."""

    def run(args: argparse.Namespace) -> int:
        reason = host.unsupported_reason()
        if reason:
            print(reason, file=sys.stderr)
            return UNSUPPORTED_EXIT
        try:
            return handler(args)
        except LabError as exc:
            return _fail(str(exc))
        except docker.errors.APIError as exc:
            return _fail(f"Docker API error: {exc.explanation or exc}")
        except (docker.errors.DockerException, requests.RequestException, OSError,
                subprocess.SubprocessError) as exc:
            return _fail(f"{type(exc).__name__}: {exc}")

    return run


def _fail(message: str) -> int:
    first_line = message.strip().splitlines()[0] if message.strip() else "failed"
    print(f"swarmtui lab: {first_line}", file=sys.stderr)
    return 1


def _say(line: str) -> None:
    print(f"lab [{time.monotonic() - _STARTED:5.1f}s] {line}", file=sys.stderr, flush=True)


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 0
