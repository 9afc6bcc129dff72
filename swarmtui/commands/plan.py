"""`swarmtui plan "sentence"`: the plan a sentence becomes, without running it."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from swarmtui.actions.catalog import CATALOG
from swarmtui.actions.plan import Plan
from swarmtui.actions.validate import validate
from swarmtui.commands.common import add_source_options, fail, state_once
from swarmtui.nl.offline import OfflineTranslator
from swarmtui.swarm.source import SourceError


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("plan", help="show the plan a sentence becomes (runs nothing)")
    parser.add_argument("sentence", nargs="+", help='e.g. "drain worker-2 and scale web to 4"')
    parser.add_argument("--json", action="store_true", help="the plan as JSON (ACTIONS.md form)")
    parser.add_argument("--offline", action="store_true",
                        help="use the built-in translator even when an LLM is configured")
    add_source_options(parser)
    parser.set_defaults(func=run)


def translate(sentence: str, state: Any, offline: bool) -> tuple[Plan, str | None]:
    """The LLM's plan when a key is configured, else the offline translator's."""
    from swarmtui.config import ConfigError, load_settings
    from swarmtui.nl.llm import translator_for

    try:
        llm = translator_for(load_settings(), offline)
    except ConfigError as exc:
        return OfflineTranslator().translate(sentence, state), f"{exc}; used offline"
    if llm is None:
        return OfflineTranslator().translate(sentence, state), None
    result = asyncio.run(llm.translate(sentence, state))
    return result.plan, result.notice


def run(args: argparse.Namespace) -> int:
    sentence = " ".join(args.sentence)
    try:
        state = state_once(args)
    except SourceError as exc:
        return fail(exc)
    plan, notice = translate(sentence, state, offline=args.offline)
    if notice:
        print(f"note: {notice}", file=sys.stderr)
    checks = validate(plan, state)
    problems = [f"step {n}: {c.problem}" for n, c in enumerate(checks, 1) if not c.ok]
    if args.json:
        data = plan.as_json()
        if problems:
            data["problems"] = problems  # the executor would refuse these steps
        json.dump(data, sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif plan.asks_back:
        print(f"? {plan.clarify}")
    else:
        for number, step in enumerate(plan.steps, 1):
            action = CATALOG[step.action]
            values = {k: v for k, v in step.params.items()}
            try:
                summary, cli = action.summary.format(**values), action.cli.format(**values)
            except (KeyError, IndexError):
                summary, cli = step.action, action.cli
            print(f"{number}. [{action.risk}] {summary}\n   $ {cli}")
            if not checks[number - 1].ok:
                print(f"   ✗ refused: {checks[number - 1].problem}")
    return 1 if plan.asks_back or problems else 0
