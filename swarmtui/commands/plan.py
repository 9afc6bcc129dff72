"""`swarmtui plan "sentence"`: the plan a sentence becomes, without running it."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from swarmtui.actions.plan import Plan
from swarmtui.actions.preview import StepPreview, preview
from swarmtui.commands.common import add_source_options, fail, state_once
from swarmtui.nl.offline import OfflineTranslator
from swarmtui.swarm.logtext import clean
from swarmtui.swarm.secrets import mask_sentence, mask_value
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
    previews = preview(plan, state)
    problems = [f"step {n}: {p.problem}" for n, p in enumerate(previews, 1) if p.problem]
    if args.json:
        data = shown_json(plan)
        if problems:
            data["problems"] = problems  # the executor would refuse these steps
        json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    elif plan.asks_back:
        print(f"? {clean(plan.clarify or '')}")
    else:
        print_preview(previews)
    return 1 if plan.asks_back or problems else 0


def shown_json(plan: Plan) -> dict[str, Any]:
    """The plan as ACTIONS.md writes it, secret-looking values masked as on the screen: a
    terminal, a pipe and a CI log are all places a password must not land."""
    data = plan.as_json()
    for step in data["steps"]:
        params = step["params"]
        if isinstance(params.get("set"), dict):
            params["set"] = {k: mask_value(str(k), str(v)) for k, v in params["set"].items()}
        if isinstance(params.get("command"), str):
            params["command"] = mask_sentence(params["command"])
    if data.get("clarify"):
        data["clarify"] = mask_sentence(data["clarify"])
    return data


def print_preview(previews: list[StepPreview]) -> None:
    """Each step: its risk, what it does and changes, the equivalent command, a refusal."""
    for number, item in enumerate(previews, 1):
        change = f"  ({item.change})" if item.change else ""
        print(f"{number}. [{item.risk}] {item.summary}{change}\n   $ {item.command}")
        if item.problem:
            print(f"   ✗ refused: {item.problem}")
