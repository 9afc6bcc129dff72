"""`swarmtui do "sentence"`: the plan, previewed, confirmed on the terminal, run and verified."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from swarmtui.actions.preview import confirmation_needed, plan_risk, preview
from swarmtui.actions.read import LOOKS, answer, log_tail
from swarmtui.commands.common import add_source_options, fail, read_state, source_from_args
from swarmtui.commands.plan import print_preview, translate
from swarmtui.swarm.logtext import clean
from swarmtui.swarm.source import SourceError


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("do", help="preview a sentence's plan, confirm, run it")
    parser.add_argument("sentence", nargs="+")
    parser.add_argument("--readonly", action="store_true", default=argparse.SUPPRESS,
                        help="refuse every change (the plan is shown, nothing runs)")
    add_source_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from swarmtui.actions.execute import Executor
    from swarmtui.config import ConfigError, load_settings, ssh_settings
    from swarmtui.swarm.engine import EngineSource

    sentence = " ".join(args.sentence)
    try:
        settings = load_settings()  # before anything is asked: a bad file stops us here
        source = source_from_args(args, readonly=bool(getattr(args, "readonly", False)))
        state = read_state(source)
    except ConfigError as exc:
        return fail(str(exc), 2)
    except SourceError as exc:
        return fail(exc)
    plan, notice = translate(sentence, state, offline=False)
    if notice:
        print(f"note: {notice}", file=sys.stderr)
    if plan.asks_back:
        print(f"? {clean(plan.clarify or '')}")
        return 1
    previews = preview(plan, state)
    print_preview(previews)
    if any(item.problem for item in previews):
        return fail("the plan was refused; nothing ran")
    looks = all(step.action in LOOKS for step in plan.steps)
    if looks and not isinstance(source, EngineSource):  # a recording answers, without logs
        for step in plan.steps:
            lines = answer(step, state)
            if step.action in ("view.logs", "diagnose.service"):
                lines += log_tail(source, step, state)
            for line in lines:
                print(f"  │ {clean(line)}")
        return 0
    if not isinstance(source, EngineSource):
        return fail("a recording cannot be changed; nothing ran")
    if not looks and source.readonly:  # never offer what cannot run
        return fail("read-only mode: this plan changes the cluster; nothing ran")
    typed = "(read)"  # reading changes nothing: no question asked
    if not looks:
        wanted = confirmation_needed(previews)
        prompt = (f"type {wanted!r} to run this {plan_risk(previews)}-risk plan"
                  if wanted != "y" else f"run this {plan_risk(previews)}-risk plan? [y/N]")
        print(prompt, end=" ", flush=True)
        typed = " ".join(sys.stdin.readline().split())
        if wanted == "y" and typed.lower() == "yes":
            typed = "y"
        if typed != wanted:
            print("cancelled; nothing ran")
            return 1
        try:  # the answer took its time: is the plan still what was shown?
            fresh = preview(plan, read_state(source))
        except SourceError as exc:
            return fail(exc)
        moved = [(a.change, b.change) for a, b in zip(previews, fresh, strict=True)
                 if (a.change, a.problem) != (b.change, b.problem)]
        if moved:
            return fail(f"the cluster changed while you decided ({moved[0][0] or '—'} is now "
                        f"{moved[0][1] or '—'}); nothing ran — run it again to see the plan")
    from swarmtui.actions.ssh import SSHRunner

    try:
        ssh = SSHRunner(ssh_settings(settings))
    except ConfigError as exc:
        return fail(str(exc), 2)
    from swarmtui.actions.undo import UndoStack, default_path

    executor = Executor(source, ssh=ssh, undo=UndoStack(default_path()))
    current: list[str] = []

    def said(step: Any, what: str) -> None:
        current[:] = [step.action]
        print(f"  {step.action}: {what}", flush=True)

    try:
        result = executor.run(plan, origin="sentence", confirmation=typed, progress=said,
                              output=lambda step, line: print(f"  │ {clean(line)}",
                                                              flush=True))
    except KeyboardInterrupt:
        where = current[0] if current else "the first step"
        print(f"\ninterrupted during {where}: it may have been applied (recorded so in "
              "the audit); `swarmtui status` shows the cluster as it is", file=sys.stderr)
        return 130
    for outcome in result.results:
        print(f"  {outcome.message}")
    ssh.close()
    source.close()
    print(result.summary)
    return 0 if result.ok else 1
