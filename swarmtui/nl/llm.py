"""The LLM translator: Claude proposes a plan through one tool; it never runs anything.

The tool's schema is generated from the action catalog, the system prompt holds
the vocabulary and a compact summary of the cluster (names, modes, counts,
health, node roles — no logs, no environment values). The proposal passes the
same validator as every other plan: an unknown action or name becomes a
question. Any failure (rate limit, server error, timeout, a malformed answer)
falls back to the offline translator, with a notice saying so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from swarmtui.actions.catalog import CATALOG
from swarmtui.actions.plan import Plan, Step
from swarmtui.actions.validate import first_problem
from swarmtui.nl.offline import OfflineTranslator
from swarmtui.swarm.model import ClusterState

DEFAULT_MODEL = "claude-haiku-4-5"
TOOL_NAME = "propose_plan"

# Strict tool use accepts a subset of JSON Schema: no numeric bounds, no string patterns
# or lengths, and every object closed (additionalProperties false, never a schema). Bounds
# are said in descriptions instead; the validator enforces them on every plan anyway.
# A mapping (env vars to set) travels as a list of {key, value} pairs.
KIND_SCHEMAS: dict[str, dict[str, Any]] = {
    "service": {"type": "string", "description": "a service name from the cluster summary"},
    "node": {"type": "string", "description": "a node name from the cluster summary"},
    "int": {"type": "integer", "description": "a whole number, 0 or more"},
    "str": {"type": "string"},
    "duration": {"type": "string", "description": "a duration: a number and s, m, h or d "
                                                  "(10m, 2h)"},
    "mapping": {"type": "array", "items": {
        "type": "object",
        "properties": {"key": {"type": "string"}, "value": {"type": "string"}},
        "required": ["key", "value"], "additionalProperties": False}},
    "list": {"type": "array", "items": {"type": "string"}},
}


def tool_schema() -> dict[str, Any]:
    """One step schema per action (anyOf), so each action's parameters are typed."""
    variants = []
    for action in CATALOG.values():
        properties: dict[str, Any] = {}
        for param in action.params:
            schema = dict(KIND_SCHEMAS.get(param.kind, {"type": "string"}))
            if param.kind == "enum":
                schema = {"type": "string", "enum": list(param.choices)}
            properties[param.name] = schema
        variants.append({
            "type": "object",
            "properties": {
                "action": {"type": "string", "enum": [action.name]},
                "params": {"type": "object", "properties": properties,
                           "required": [p.name for p in action.params if p.required],
                           "additionalProperties": False},
            },
            "required": ["action", "params"],
            "additionalProperties": False,
        })
    return {
        "type": "object",
        "properties": {
            "steps": {"type": "array", "items": {"anyOf": variants}},
            "clarify": {"type": "string",
                        "description": "a question back when the request is unknown, "
                                       "ambiguous, unsafe or missing a target"},
        },
        "required": ["steps"],
        "additionalProperties": False,
    }


def _params(action: str, raw: dict[str, Any]) -> dict[str, Any]:
    """The tool's parameters as a Step holds them: {key, value} pairs become a mapping."""
    params = dict(raw)
    spec = CATALOG.get(action)
    for param in spec.params if spec is not None else ():
        value = params.get(param.name)
        if param.kind == "mapping" and value is not None and not isinstance(value, list):
            raise ValueError(f"{param.name}: not a list of key/value pairs")
        if param.kind == "mapping" and isinstance(value, list):
            if not all(isinstance(pair, dict) and set(pair) == {"key", "value"}
                       and isinstance(pair["key"], str)
                       and isinstance(pair["value"], str | int | float)
                       and not isinstance(pair["value"], bool) for pair in value):
                raise ValueError(f"{param.name}: not a list of key/value pairs")
            params[param.name] = {str(p["key"]): str(p["value"]) for p in value}
    return params


def tool_definition() -> dict[str, Any]:
    return {
        "name": TOOL_NAME,
        "description": "Propose the plan of Docker Swarm actions for the operator's request. "
                       "The operator previews and confirms it; nothing runs without that.",
        "input_schema": tool_schema(),
        "strict": True,
    }


# A label the model may see: one short token each side. Anything longer or with spaces is
# free text someone typed into the cluster, and free text could carry instructions.
LABEL_TOKEN = re.compile(r"^[\w.:/-]{1,63}$")


def state_summary(state: ClusterState) -> str:
    """Names, modes, counts, health, roles: enough to resolve names, nothing private, and no
    free text from the cluster (Docker names and image references hold no spaces)."""
    lines = ["services:"]
    for service in state.services:
        lines.append(f"- {service.name} ({service.mode_label}, {service.counts}, "
                     f"{service.health}, image {service.short_image})")
    lines.append("nodes:")
    for node in state.nodes:
        role = "leader" if node.leader else node.role
        labels = ",".join(f"{k}={v}" for k, v in node.labels.items()
                          if LABEL_TOKEN.match(k) and LABEL_TOKEN.match(v))
        lines.append(f"- {node.name} ({role}, {node.state}, {node.availability}"
                     + (f", labels {labels}" if labels else "") + ")")
    return "\n".join(lines)


def system_prompt(state: ClusterState) -> str:
    vocabulary = "\n".join(f"- {a.name}({', '.join(p.name for p in a.params)}): {a.summary} "
                           f"[{a.risk}]" for a in CATALOG.values())
    return (
        "You translate a Docker Swarm operator's request into a plan by calling the "
        f"{TOOL_NAME} tool. Use only these actions:\n{vocabulary}\n"
        "Resolve names to the exact service and node names below; replicas are absolute. "
        "Ask back with `clarify` (and no steps) when a target is unknown, ambiguous or "
        "missing, when scaling a global service or a job, or when the request would change "
        "everything at once.\n\nThe cluster now:\n" + state_summary(state)
    )


@dataclass(frozen=True, slots=True)
class Translation:
    plan: Plan
    notice: str | None = None  # e.g. "LLM unavailable (rate limited): used the offline translator"


def translator_for(settings: Any, offline: bool = False) -> LLMTranslator | None:
    """The LLM translator when a key is configured (and not --offline), else None."""
    if offline or not settings.llm_api_key:
        return None
    return LLMTranslator(settings.llm_api_key, model=settings.llm_model,
                         base_url=settings.llm_base_url, timeout=settings.llm_timeout,
                         max_retries=settings.llm_retries)


class LLMTranslator:
    name = "llm"

    def __init__(self, api_key: str, *, model: str = DEFAULT_MODEL, base_url: str | None = None,
                 timeout: float = 15.0, max_retries: int = 1) -> None:
        from anthropic import AsyncAnthropic

        self.model = model
        self.client = AsyncAnthropic(api_key=api_key, base_url=base_url, timeout=timeout,
                                     max_retries=max_retries)
        self.offline = OfflineTranslator()

    async def translate(self, sentence: str, state: ClusterState) -> Translation:
        import anthropic

        try:
            message = await self.client.messages.create(
                model=self.model, max_tokens=1024, system=system_prompt(state),
                tools=[tool_definition()], tool_choice={"type": "auto"},
                messages=[{"role": "user", "content": sentence}],
            )
        except anthropic.RateLimitError:
            return self._fallback(sentence, state, "rate limited")
        except anthropic.APITimeoutError:
            return self._fallback(sentence, state, "timed out")
        except anthropic.APIStatusError as exc:
            return self._fallback(sentence, state, f"server error {exc.status_code}")
        except anthropic.APIError as exc:
            return self._fallback(sentence, state, exc.__class__.__name__)
        return self._read(message, sentence, state)

    def _fallback(self, sentence: str, state: ClusterState, why: str) -> Translation:
        return Translation(self.offline.translate(sentence, state),
                           f"LLM unavailable ({why}): used the offline translator")

    def _read(self, message: Any, sentence: str, state: ClusterState) -> Translation:
        content = list(getattr(message, "content", None) or [])
        call = next((block for block in content
                     if getattr(block, "type", "") == "tool_use"
                     and getattr(block, "name", None) == TOOL_NAME), None)
        if call is None:  # words, not a plan: shown as the model's, never as done
            text = " ".join(str(getattr(b, "text", "") or "") for b in content).strip()
            return Translation(Plan.ask(
                f"no plan came back; the model said: {text[:300]}" if text else
                "I could not make a plan of that; please rephrase", sentence))
        proposal = call.input if isinstance(call.input, dict) else {}
        raw_steps = proposal.get("steps", [])
        if not isinstance(raw_steps, list) or not all(
                isinstance(s, dict) and isinstance(s.get("action"), str) and
                isinstance(s.get("params") or {}, dict) for s in raw_steps):
            # the model's output is data to check, never trusted to have the right shape
            return Translation(Plan.ask("the proposed plan was malformed; please rephrase",
                                        sentence))
        try:
            steps = tuple(Step(s["action"], _params(s["action"], s.get("params") or {}))
                          for s in raw_steps)
        except ValueError:
            return Translation(Plan.ask("the proposed plan was malformed; please rephrase",
                                        sentence))
        if proposal.get("clarify"):  # a model unsure enough to ask gets no plan run
            return Translation(Plan.ask(str(proposal["clarify"]), sentence))
        plan = Plan(steps, None, sentence, self.name)
        problem = first_problem(plan, state)
        if problem is not None:
            return Translation(Plan.ask(f"the proposed plan was refused ({problem}); "
                                        "please rephrase", sentence))
        if not steps:
            return Translation(Plan.ask("nothing to do for that; please rephrase", sentence))
        return Translation(plan)

