"""The offline translator: a sentence → a Plan, deterministic, no network.

It knows the words operators use ("bounce", "cordon", "evacuate", "nuke",
"roll back", "bump"), number words and relative changes ("up by 2", "double",
"one more"), typos in names and verbs, several steps ("and", "then", commas)
including shared verbs and values ("restart web and api", "scale web and api to
2") and pronouns ("drain worker-2, then bring it back"), and it asks back rather
than guess when a target is unknown, ambiguous, missing, or the request is unsafe.
"""

from __future__ import annotations

import re

from swarmtui.actions.plan import Plan, Step
from swarmtui.actions.project import after
from swarmtui.nl.intents import INTENTS, AskBack, Clause, bare_text
from swarmtui.nl.resolve import find_nodes, find_services, name_index
from swarmtui.nl.words import WORDS, mend_slips, normalise
from swarmtui.swarm.model import ClusterState

SPLIT = re.compile(r"\s*(?:,?\s*(?:and\s+)?(?:then|after that|afterwards|followed by)\s+|;\s*|"
                   r",\s*(?:and\s+)?|\s+and\s+|\s+&\s+)\s*", re.IGNORECASE)
FIRST = re.compile(r"^\s*(?:first|firstly)\s*,?\s+", re.IGNORECASE)
EVERYTHING = re.compile(r"\b(everything|all(?: of)?(?: the)? (?:services|nodes|containers|stacks|"
                        r"workers|managers|replicas)|every (?:single )?(?:service|node|container|"
                        r"stack|worker)|the (?:whole|entire) (?:cluster|swarm)|all of them)\b")
CHANGES = re.compile(r"\b(remove|delete|rm|nuke|kill|stop|drain|restart|scale|destroy|update|"
                     r"upgrade|bounce|kick|evacuate|pause|cordon|demote|promote|roll ?back|"
                     r"redeploy|set|unset)\b")
PRONOUN = re.compile(r"\b(it|its|them|this one|that one|that|this)\b")
SETTING = re.compile(r"^[a-z_][a-z0-9_]*=", re.IGNORECASE)
SSH_TO = re.compile(r"^ssh\s+(?:to\s+|into\s+)?(?:the\s+)?\S+$")  # "ssh to X and run Y"
RUN = re.compile(r"^(?:run|exec|execute)\s")
LAST_RESORT = len(INTENTS) - 1  # "a name alone: show it" never decides a clause has a verb


class OfflineTranslator:
    name = "offline"

    def translate(self, sentence: str, state: ClusterState) -> Plan:
        try:
            steps = self._steps(sentence, state)
        except AskBack as question:
            return Plan.ask(str(question), sentence)
        return Plan(tuple(steps), None, sentence, self.name)

    def _steps(self, sentence: str, state: ClusterState) -> list[Step]:
        text = normalise(sentence)
        if not text:
            raise AskBack("what would you like to do?")
        vocabulary = WORDS
        text = mend_slips(text, name_index(state).words)
        if EVERYTHING.search(text) and CHANGES.search(text):
            raise AskBack("that would change everything at once; name the services or nodes "
                          "one by one")
        clauses: list[Clause] = []
        for low, original in _pieces(text, sentence):
            clause = _read(low, original, state, vocabulary)
            previous = clauses[-1] if clauses else None
            if previous is not None and not clause.targets and previous.targets and \
                    PRONOUN.search(clause.bare):
                name = previous.targets[0].name
                clause = _read(PRONOUN.sub(name, low, count=1),
                               PRONOUN.sub(name, original, count=1), state, vocabulary)
            if previous is not None and clause.targets and _intent(clause) is None:
                if previous.targets:
                    clause, clauses[-1] = _share_verb(previous, clause, state, vocabulary)
                else:  # "check disk and memory on worker-2": "memory…" takes "check"
                    verb = previous.text.split()[0] + " "
                    clause = _read(verb + clause.text, verb + clause.original, state,
                                   vocabulary)
            if previous is not None and not previous.targets and clause.targets:
                clauses[-1] = _borrow_target(previous, clause, state, vocabulary)
            if previous is not None and previous.targets and not clause.targets and \
                    BARE_COUNT.match(clause.text):  # "scale web to 4, then to 5"
                lead = f"{previous.text.split()[0]} {previous.targets[0].name} "
                clause = _read(lead + clause.text, lead + clause.original, state, vocabulary)
            clauses.append(clause)
        steps = []
        for clause in clauses:  # each as the ones before leave the cluster: "then double it"
            steps.append(_build(clause, state))  # doubles what the step before it set
            state = after(steps[-1], state)
        return steps


BARE_COUNT = re.compile(r"^\s*(?:(?:and|then)\s+)*(?:up\s+|down\s+)?to\s+\d+\s*$")


def _pieces(text: str, sentence: str) -> list[tuple[str, str]]:
    """The clauses of a sentence, lower-cased and as typed; `A=1 and B=2` stays one."""
    text = FIRST.sub("", text)
    original = FIRST.sub("", sentence.strip().rstrip("?.!"))
    lowered = SPLIT.split(text)
    originals = SPLIT.split(original)
    if len(originals) != len(lowered):
        originals = lowered
    pieces: list[tuple[str, str]] = []
    for low, orig in zip(lowered, originals, strict=True):
        if not low:
            continue
        joins_setting = SETTING.match(low) and "=" in pieces[-1][0] if pieces else False
        joins_ssh = pieces and RUN.match(low) and SSH_TO.match(pieces[-1][0])
        if joins_setting or joins_ssh:
            pieces[-1] = (f"{pieces[-1][0]} and {low}", f"{pieces[-1][1]} and {orig}")
        else:
            pieces.append((low, orig))
    if not pieces:
        raise AskBack("what would you like to do?")
    return pieces


def _read(text: str, original: str, state: ClusterState, vocabulary: frozenset[str]) -> Clause:
    nodes = find_nodes(text, state, vocabulary)
    services = find_services(text, state, nodes, vocabulary)
    return Clause(text, original, nodes, services, bare_text(text, nodes + services))


def _intent(clause: Clause) -> int | None:
    for number, (matches, _build_step) in enumerate(INTENTS[:LAST_RESORT]):
        if matches(clause):
            return number
    return None


def _share_verb(previous: Clause, clause: Clause, state: ClusterState,
                vocabulary: frozenset[str]) -> tuple[Clause, Clause]:
    """`restart web and api`: "api" takes "restart"; `scale web and api to 2`: "scale web"
    also takes "to 2"."""
    verb = previous.text[:previous.targets[0].start]
    verb_original = previous.original[:len(verb)] if \
        previous.original.lower().startswith(verb) else verb
    tail = clause.text[clause.targets[-1].end:]
    if not previous.text[previous.targets[-1].end:].strip() and tail.strip():
        original_tail = clause.original[len(clause.original) - len(tail):] if \
            clause.original.lower().endswith(tail) else tail
        previous = _read(previous.text + tail, previous.original + original_tail, state,
                         vocabulary)
    joined = _read(verb + clause.text, verb_original + clause.original, state, vocabulary)
    return joined, previous


def _borrow_target(previous: Clause, clause: Clause, state: ClusterState,
                   vocabulary: frozenset[str]) -> Clause:
    """"check disk and memory on worker-2": "check disk" also means on worker-2 — only
    where it could not be done without a target."""
    if _builds(previous, state):
        return previous
    start = clause.targets[0].start
    preposition = re.search(r"\b(?:on|of|for|from|in|at)\s+(?:the\s+)?$", clause.text[:start])
    tail = clause.text[preposition.start() if preposition else start:]
    candidate = _read(f"{previous.text} {tail}", f"{previous.original} {tail}", state,
                      vocabulary)
    return candidate if _builds(candidate, state) else previous


def _builds(clause: Clause, state: ClusterState) -> bool:
    try:
        _build(clause, state)
    except AskBack:
        return False
    return True


def _build(clause: Clause, state: ClusterState) -> Step:
    for matches, build in INTENTS:
        if matches(clause):
            return build(clause, state)
    raise AskBack(f"I don't know how to do {clause.original.strip()!r}; try `scale web to 3`, "
                  "`drain worker-2`, `restart api`, `logs of web`")
