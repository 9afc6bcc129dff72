"""Finding the services and nodes a sentence talks about, in the live state.

Operators say "web" for `shop_web`, "worker 3" for `worker-3`, "the manager" for
the leader, and make typos ("wbe", "wroker-2", "prometeus"). Resolution is
tolerant but never guesses between two candidates, and never takes one number for
another: "worker-9" is not a typo of "worker-1". An ambiguous or unknown reference
is reported, not chosen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from swarmtui.swarm.model import ClusterState, Node, Service

LEADER_WORDS = re.compile(r"\b(?:the\s+)?(?:manager|leader|leader node|manager node)\b")
FILLER = frozenset({"the", "a", "an", "service", "services", "stack", "app", "container",
                    "containers", "node", "on", "of", "to", "for", "in", "my", "our", "please"})
WORD = re.compile(r"[a-z0-9][\w.-]*[a-z0-9]|[a-z0-9]")


@dataclass(frozen=True, slots=True)
class Found:
    kind: str  # service | node
    name: str
    start: int
    end: int
    typo: bool = False  # matched within a typo, not exactly


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


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of neighbours is one edit), or
    `limit + 1` once it is certain to exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return previous[-1]


def is_typo_of(word: str, name: str) -> bool:
    """One slip in a short word (in a three-letter word only a swap), two in a long one;
    the digits must be the same."""
    if word == name or len(word) < 3 or abs(len(word) - len(name)) > 2:
        return False
    if re.sub(r"\D", "", word) != re.sub(r"\D", "", name):
        return False
    limit = 1 if len(name) <= 6 else 2
    distance = edit_distance(word, name, limit)
    if len(word) == 3 or len(name) == 3:
        return distance == 1 and sorted(word) == sorted(name)
    return distance <= limit


def find_nodes(text: str, state: ClusterState, vocabulary: frozenset[str] = frozenset()
               ) -> list[Found]:
    found = []
    for node in state.nodes:
        for match in node_pattern(node).finditer(text):
            found.append(Found("node", node.name, match.start(), match.end()))
    if found:
        return found
    for match in WORD.finditer(text):
        word = match[0]
        if word in vocabulary or word in FILLER:
            continue
        for node in state.nodes:
            if is_typo_of(word, node.name.lower()):
                found.append(Found("node", node.name, match.start(), match.end(), typo=True))
    return found


def leader(state: ClusterState) -> Node | None:
    return next((n for n in state.nodes if n.leader), None)


def find_services(text: str, state: ClusterState, taken: list[Found],
                  vocabulary: frozenset[str] = frozenset()) -> list[Found]:
    """Exact aliases first (longest wins), then typo-tolerant words if nothing matched."""
    spans = [(f.start, f.end) for f in taken]
    found: list[Found] = []
    candidates: list[tuple[str, Service]] = []
    for service in state.services:
        for alias in service_aliases(service):
            candidates.append((alias, service))
    candidates.sort(key=lambda c: -len(c[0]))
    for alias, service in candidates:
        if alias not in text:
            continue
        for match in re.finditer(rf"(?<![\w.-]){re.escape(alias)}(?![\w-])", text):
            span = (match.start(), match.end())
            if any(a < span[1] and span[0] < b for a, b in spans):
                continue
            found.append(Found("service", service.name, *span))
            spans.append(span)
    if found:
        return found
    for match in WORD.finditer(text):
        word = match[0]
        if word in vocabulary or word in FILLER or word.isdigit():
            continue
        if any(a < match.end() and match.start() < b for a, b in spans):
            continue
        for name in fuzzy_service(word, state):
            found.append(Found("service", name, match.start(), match.end(), typo=True))
    return found


def fuzzy_service(word: str, state: ClusterState) -> list[str]:
    """Services with an alias within a typo of `word` (e.g. "prometeus", "wbe")."""
    if word in FILLER:
        return []
    return sorted({service.name for service in state.services
                   if any(is_typo_of(word, alias) for alias in service_aliases(service))})


def stacks(state: ClusterState) -> set[str]:
    return {s.stack.lower() for s in state.services if s.stack}
