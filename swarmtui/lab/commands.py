"""The `swarmtui lab` handlers: these load the docker SDK; the parser does not."""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable

import docker
import requests

from swarmtui.lab import engine, host, lifecycle, sshd
from swarmtui.lab.faults import fault
from swarmtui.lab.host import LabError
from swarmtui.lab.state import LabInfo

Handler = Callable[[argparse.Namespace], int]
UNSUPPORTED_EXIT = 2
_STARTED = time.monotonic()


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


def guarded(handler: Handler) -> Handler:
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
