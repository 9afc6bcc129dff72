"""Finding the services and nodes a sentence talks about, in the live state.

Operators say "web" for `shop_web`, "worker 3" for `worker-3`, "the manager" for
the leader, and make typos ("wbe", "wroker-2", "prometeus"). Resolution is
tolerant but never guesses between two candidates, and never takes one number for
another: "worker-9" is not a typo of "worker-1". An ambiguous or unknown reference
is reported, not chosen.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass

from swarmtui.swarm.model import ClusterState, Node, Service

LEADER_WORDS = re.compile(r"\b(?:the\s+)?(?:manager|leader|leader node|manager node)\b")
FILLER = frozenset({"the", "a", "an", "service", "services", "stack", "app", "container",
                    "containers", "node", "on", "of", "to", "for", "in", "my", "our", "please"})
WORD = re.compile(r"[a-z0-9][\w.-]*[a-z0-9]|[a-z0-9]")
TOKEN = re.compile(r"[\w-]+(?:\.[\w-]+)*")  # a word of a name: shop_web, node-exporter, v1.2


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


@dataclass
class NameIndex:
    """Every name a sentence may use for the cluster's services and nodes, built once per
    state: a sentence then costs lookups, not a pass over thousands of services."""

    services: dict[str, set[str]]  # alias → service names
    nodes: dict[str, str]  # "worker-3", "worker 3", "worker3" → worker-3
    by_length: dict[int, list[tuple[str, str, str]]]  # len → (alias, its digits, service)
    node_names: list[tuple[str, str, str]]  # (lower-cased name, its digits, name)
    words: frozenset[str]  # every word of every name
    stacks: frozenset[str]
    longest: int  # the most words an alias has


_last: tuple[weakref.ref[ClusterState], NameIndex] | None = None


def name_index(state: ClusterState) -> NameIndex:
    global _last
    if _last is not None and _last[0]() is state:
        return _last[1]
    services: dict[str, set[str]] = {}
    by_length: dict[int, list[tuple[str, str, str]]] = {}
    for service in state.services:
        for alias in service_aliases(service):
            services.setdefault(alias, set()).add(service.name)
            by_length.setdefault(len(alias), []).append(
                (alias, re.sub(r"\D", "", alias), service.name))
    nodes: dict[str, str] = {}
    for node in state.nodes:
        parts = re.split(r"[-_ ]", node.name.lower())
        for joiner in ("-", "_", " ", ""):
            nodes.setdefault(joiner.join(parts), node.name)
        nodes.setdefault(node.name.lower(), node.name)
    words = {w for name in [*services, *nodes] for w in re.findall(r"[a-z0-9]+", name)}
    for node in state.nodes:  # a node by its ID, whole or as docker shows it (12 characters)
        for form in (node.id.lower(), node.id[:12].lower()):
            nodes.setdefault(form, node.id)
    index = NameIndex(services, nodes, by_length,
                      [(n.name.lower(), re.sub(r"\D", "", n.name), n.name) for n in state.nodes],
                      frozenset(words), frozenset(s.stack.lower() for s in state.services
                                                  if s.stack),
                      max((len(a.split()) for a in [*services, *nodes]), default=1))
    _last = (weakref.ref(state), index)
    return index


def _spans(text: str, longest: int) -> list[tuple[int, int, str]]:
    """Runs of one to `longest` words, longest first: the places a name can stand."""
    words = list(TOKEN.finditer(text))
    spans = []
    for size in range(min(longest, len(words)), 0, -1):
        for i in range(len(words) - size + 1):
            start, end = words[i].start(), words[i + size - 1].end()
            spans.append((start, end, text[start:end]))
    return spans


def find_nodes(text: str, state: ClusterState, vocabulary: frozenset[str] = frozenset()
               ) -> list[Found]:
    index = name_index(state)
    found: list[Found] = []
    for start, end, words in _spans(text, 3):
        name = index.nodes.get(words)
        if name is not None and not _overlaps(start, end, found):
            found.append(Found("node", name, start, end))
    if found:
        return found
    for match in WORD.finditer(text):
        word = match[0]
        if word in vocabulary or word in FILLER:
            continue
        digits = re.sub(r"\D", "", word)
        for lowered, node_digits, name in index.node_names:
            if digits == node_digits and is_typo_of(word, lowered):
                found.append(Found("node", name, match.start(), match.end(), typo=True))
    return found


def _overlaps(start: int, end: int, found: list[Found]) -> bool:
    return any(f.start < end and start < f.end for f in found)


def leader(state: ClusterState) -> Node | None:
    return next((n for n in state.nodes if n.leader), None)


def find_services(text: str, state: ClusterState, taken: list[Found],
                  vocabulary: frozenset[str] = frozenset()) -> list[Found]:
    """Exact aliases first (longest wins), then typo-tolerant words if nothing matched."""
    index = name_index(state)
    found: list[Found] = []
    for start, end, words in _spans(text, index.longest):
        names = index.services.get(words)
        if names and not _overlaps(start, end, taken) and not _overlaps(start, end, found):
            found.extend(Found("service", name, start, end) for name in sorted(names))
    if found:
        return found
    for match in WORD.finditer(text):
        word = match[0]
        if word in vocabulary or word in FILLER or word.isdigit():
            continue
        if _overlaps(match.start(), match.end(), taken):
            continue
        for name in fuzzy_service(word, state):
            found.append(Found("service", name, match.start(), match.end(), typo=True))
    return found


def fuzzy_service(word: str, state: ClusterState) -> list[str]:
    """Services with an alias within a typo of `word` (e.g. "prometeus", "wbe")."""
    if word in FILLER:
        return []
    index = name_index(state)
    digits = re.sub(r"\D", "", word)
    return sorted({service
                   for length in range(len(word) - 2, len(word) + 3)
                   for alias, alias_digits, service in index.by_length.get(length, ())
                   if alias_digits == digits and is_typo_of(word, alias)})


def stacks(state: ClusterState) -> frozenset[str]:
    return name_index(state).stacks
