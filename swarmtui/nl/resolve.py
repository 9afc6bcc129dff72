"""Finding the services and nodes a sentence talks about, in the live state.

Operators say "web" for `shop_web`, "worker 3" for `worker-3`, "the manager" for
the leader, and make typos. Resolution is tolerant but never guesses between
two candidates: an ambiguous or unknown reference is reported, not chosen.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from swarmtui.swarm.model import ClusterState, Node, Service

LEADER_WORDS = re.compile(r"\b(?:the\s+)?(?:manager|leader|leader node|manager node)\b")
FILLER = frozenset({"the", "a", "an", "service", "services", "stack", "app", "container",
                    "containers", "node", "on", "of", "to", "for", "in", "my", "our", "please"})


@dataclass(frozen=True, slots=True)
class Found:
    kind: str  # service | node
    name: str
    start: int
    end: int


def service_aliases(service: Service) -> set[str]:
    """`shop_web` answers to shop_web, web and shop-web; `monitoring_node-exporter` to
    node-exporter."""
    name = service.name.lower()
    aliases = {name, name.replace("_", "-"), name.replace("_", " ")}
    if service.stack and name.startswith(f"{service.stack.lower()}_"):
        short = name[len(service.stack) + 1:]
        aliases |= {short, short.replace("-", " ")}
    elif "_" in name:
        aliases.add(name.split("_", 1)[1])
    return aliases


def node_pattern(node: Node) -> re.Pattern[str]:
    """`worker-3` also as `worker 3` and `worker3`."""
    parts = re.split(r"[-_ ]", node.name.lower())
    body = r"[-_ ]?".join(re.escape(p) for p in parts)
    return re.compile(rf"(?<![\w-]){body}(?![\w-])")


def find_nodes(text: str, state: ClusterState) -> list[Found]:
    found = []
    for node in state.nodes:
        for match in node_pattern(node).finditer(text):
            found.append(Found("node", node.name, match.start(), match.end()))
    return found


def leader(state: ClusterState) -> Node | None:
    return next((n for n in state.nodes if n.leader), None)


def find_services(text: str, state: ClusterState, taken: list[Found]) -> list[Found]:
    """Exact aliases first (longest wins), then one typo-tolerant word if nothing matched."""
    spans = [(f.start, f.end) for f in taken]
    found: list[Found] = []
    candidates: list[tuple[str, Service]] = []
    for service in state.services:
        for alias in service_aliases(service):
            candidates.append((alias, service))
    candidates.sort(key=lambda c: -len(c[0]))
    for alias, service in candidates:
        for match in re.finditer(rf"(?<![\w.-]){re.escape(alias)}(?![\w-])", text):
            span = (match.start(), match.end())
            if any(a < span[1] and span[0] < b for a, b in spans):
                continue
            found.append(Found("service", service.name, *span))
            spans.append(span)
    return found


def fuzzy_service(word: str, state: ClusterState) -> list[str]:
    """Services whose alias is within a typo of `word` (e.g. "prometeus")."""
    if len(word) < 4 or word in FILLER:
        return []
    names = set()
    for service in state.services:
        for alias in service_aliases(service):
            if difflib.SequenceMatcher(None, word, alias).ratio() >= 0.84:
                names.add(service.name)
    return sorted(names)
