"""`swarmtui watch [--rules F] [--autopilot POLICY] [--for SECONDS]`: headless alerts.

For a systemd unit or a tmux pane: one line when an alert fires or resolves
(`FIRING critical crash-loop: …`, `RESOLVED …`), one when the connection is lost
or back, and — with `--autopilot` — the remedies the policy applies, through
the same executor and audit trail as the console. Stops on Ctrl-C or SIGTERM,
or after `--for` seconds. Read-only unless an autopilot policy is given.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from swarmtui.alerts.model import Alert, AlertBook
from swarmtui.alerts.rules import user_rules
from swarmtui.commands.common import add_source_options, fail, source_from_args
from swarmtui.config import ConfigError
from swarmtui.swarm.logtext import clean
from swarmtui.swarm.model import ClusterState, Connection
from swarmtui.swarm.watcher import ClusterWatcher, ConnectionStatus

if TYPE_CHECKING:
    from swarmtui.alerts.rules import RuleEngine
    from swarmtui.autopilot import Autopilot, Decision
    from swarmtui.swarm.source import Source


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("watch", help="print alerts as they fire and resolve; "
                                                 "optionally run the autopilot")
    parser.add_argument("--rules", type=Path, metavar="FILE", help="alert rules file")
    parser.add_argument("--autopilot", type=Path, metavar="POLICY.yaml",
                        help="apply the policy's remedies (refused with --readonly)")
    parser.add_argument("--readonly", action="store_true", default=argparse.SUPPRESS,
                        help="refuse every change")
    parser.add_argument("--for", type=float, dest="duration", metavar="SECONDS",
                        help="stop after this long (default: until Ctrl-C)")
    parser.add_argument("--poll", type=float, default=2.0, metavar="SECONDS",
                        help="task polling interval")
    add_source_options(parser)
    parser.set_defaults(func=run)


def say(line: str) -> None:
    stamp = datetime.now(UTC).astimezone().strftime("%H:%M:%S")
    print(clean(f"{stamp} {line}"), flush=True)


def describe(alert: Alert) -> str:
    detail = f" — {alert.detail}" if alert.detail else ""
    return f"{alert.severity.label} {alert.rule}: {alert.summary}{detail}"


def run(args: argparse.Namespace) -> int:
    readonly = bool(getattr(args, "readonly", False))
    try:
        engine = user_rules(args.rules)
        autopilot = None
        if args.autopilot is not None:
            from swarmtui.autopilot import Autopilot, load_policy

            if readonly:
                return fail("the autopilot changes the cluster and --readonly forbids it: "
                            "refusing to start", 2)
            autopilot = Autopilot(load_policy(args.autopilot))
    except ConfigError as exc:
        return fail(str(exc), 2)
    source = source_from_args(args, readonly=autopilot is None or readonly)
    if autopilot is not None and not source.is_live:
        source.close()
        return fail("the autopilot needs a live engine, not a recording", 2)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_watch(source, engine, autopilot, args))
    return 0


async def _watch(source: Source, engine: RuleEngine, autopilot: Autopilot | None,
                 args: argparse.Namespace) -> None:
    book = AlertBook()
    shown: dict[tuple[str, str, str], Alert] = {}
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    executor = None
    busy = threading.Lock()
    last_status: list[ConnectionStatus] = []
    last_findings: list = []

    def on_status(status: ConnectionStatus) -> None:
        before = last_status[-1].state if last_status else None
        last_status[:] = [status]
        if status.state is Connection.DISCONNECTED and before is not Connection.DISCONNECTED:
            say(f"DISCONNECTED {status.message}")
            if status.kind == "no-leader":
                findings = [*last_findings, engine.lost_quorum(status.message)]
                publish(book.update(findings, datetime.now(UTC)))
        elif status.state is Connection.CONNECTED and before is Connection.DISCONNECTED:
            say("CONNECTED again")

    def publish(alerts: list[Alert]) -> None:
        current = {a.key: a for a in alerts}
        for key, alert in current.items():
            if key not in shown:
                say(f"FIRING {describe(alert)}")
        for key, alert in shown.items():
            if key not in current:
                say(f"RESOLVED {alert.rule}: {alert.summary}")
        shown.clear()
        shown.update(current)

    def on_state(state: ClusterState) -> None:
        nonlocal executor
        findings = engine.evaluate(state, state.fetched_at)
        last_findings[:] = findings
        alerts = book.update(findings, state.fetched_at)
        publish(alerts)
        if autopilot is None:
            return
        for decision in autopilot.decide(alerts, state, state.fetched_at):
            if executor is None:
                from swarmtui.actions.execute import Executor
                from swarmtui.actions.undo import UndoStack
                from swarmtui.actions.undo import default_path as undo_path

                executor = Executor(source, undo=UndoStack(undo_path()))
            threading.Thread(target=act, args=(decision,), daemon=True,
                             name=f"autopilot {decision.subject}").start()

    def act(decision: Decision) -> None:
        from swarmtui.autopilot import carry_out

        assert autopilot is not None
        with busy:  # one remedy at a time, like a careful operator
            try:
                carry_out(decision, executor, autopilot.policy.dry_run, say)
            except Exception as exc:  # said, never raised: the watch goes on
                say(f"autopilot could not act: {exc}")

    watcher = ClusterWatcher(source, on_state=lambda s: loop.call_soon_threadsafe(on_state, s),
                             on_status=on_status, poll_interval=args.poll)
    task = asyncio.create_task(watcher.run())
    say(f"watching {source.description}" + (f" with autopilot {args.autopilot}"
                                             if autopilot else " (read-only)"))
    try:
        if args.duration:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), args.duration)
        else:
            await stop.wait()
    finally:
        await watcher.stop()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 10)
        source.close()
        sys.stdout.flush()
