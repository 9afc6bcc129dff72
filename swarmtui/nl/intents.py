"""What one clause asks for: the intents of the offline translator, in order.

A clause is read with the names it mentions replaced by `SVC` and `NODE` (its
`bare` text), so a service called "backup" or a node called "worker-2" never
reads as the verb "back up" or the role "worker". The first intent whose words
match builds the step; a builder that lacks a target or a value asks back.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from swarmtui.actions.plan import Step
from swarmtui.actions.validate import check_command
from swarmtui.nl.resolve import FILLER, LEADER_WORDS, Found, leader, name_index, stacks
from swarmtui.nl.words import WORDS
from swarmtui.swarm.model import ClusterState, Service

MUTATING = ("scale", "restart", "bounce", "kick", "drain", "evacuate", "remove", "delete",
            "rm", "nuke", "kill", "destroy", "stop", "update", "upgrade", "deploy", "pause",
            "cordon", "promote", "demote", "rollback", "revert", "label", "set", "unset",
            "recycle", "redeploy", "activate", "reboot")
DATABASE_WORDS = re.compile(r"\b(?:the\s+)?(database|db)\b")
DB_NAMES = re.compile(r"(db|postgres|mysql|maria|mongo|sql|redis|couch|elastic)")
DURATION = re.compile(r"\b(?:last|past|since|previous|recent)\s+(\d+)?\s*(s|secs?|seconds?|m|"
                      r"mins?|minutes?|h|hrs?|hours?|d|days?)\b|\bsince\s+(\d+)([smhd])\b")
IMAGE = re.compile(r"(?<![\w.=-])([\w.-]+(?::\d+)?(?:/[\w.-]+)+(?::[\w.-]+)?|[\w.-]+:[\w.-]+)"
                   r"(?:@sha256:[0-9a-f]{64})?")


class AskBack(Exception):
    """The sentence cannot be made into a safe plan; the message is the question."""


@dataclass
class Clause:
    text: str  # lower-cased, numbers as digits, slips mended
    original: str  # as typed, for values such as LOG_LEVEL=debug and image references
    nodes: list[Found]
    services: list[Found]
    bare: str  # `text` with the names found replaced by SVC / NODE

    def has(self, *words: str) -> bool:
        return any(re.search(rf"\b{re.escape(w)}\b", self.bare) for w in words)

    def matches(self, pattern: str) -> re.Match[str] | None:
        return re.search(pattern, self.bare)

    @property
    def targets(self) -> list[Found]:
        return sorted(self.nodes + self.services, key=lambda f: f.start)

    def only_names(self) -> bool:
        """Nothing but names and filler words: "web", "the worker-2 node"."""
        rest = re.sub(r"\b(SVC|NODE)\b", " ", self.bare)
        return all(w in FILLER for w in re.findall(r"[\w'-]+", rest))

    def unknown_words(self, state: ClusterState) -> list[str]:
        known = WORDS | stacks(state)
        return [w for w in re.findall(r"[a-z][\w.-]*", self.bare)
                if w not in known and len(w) > 2 and w not in ("svc", "node")]


def bare_text(text: str, found: list[Found]) -> str:
    for item in sorted(found, key=lambda f: -f.start):
        marker = "SVC" if item.kind == "service" else "NODE"
        text = f"{text[:item.start]}{marker}{text[item.end:]}"
    return text


# -- targets -----------------------------------------------------------------

def one_service(clause: Clause, state: ClusterState, verb: str) -> Service:
    names = sorted({f.name for f in clause.services})
    if len(names) > 1:
        guessed = all(f.typo for f in clause.services)
        raise AskBack(f"{'did you mean' if guessed else 'which service for ' + verb}: "
                      f"{', '.join(names)}?")
    if names:
        service = state.service_named(names[0])
        assert service is not None
        return service
    if clause.nodes:
        raise AskBack(f"{clause.nodes[0].name} is a node, and {verb} works on services; "
                      "which service did you mean?")
    role = DATABASE_WORDS.search(clause.bare)
    if role is not None:
        matches = sorted(s.name for s in state.services if DB_NAMES.search(s.name))
        if len(matches) == 1:
            service = state.service_named(matches[0])
            assert service is not None
            return service
        if matches:
            raise AskBack(f"{len(matches)} services could be {role[0]!r}: "
                          f"{', '.join(matches)} — which one?")
    unknown = clause.unknown_words(state)
    if unknown:
        raise AskBack(f"there is no service called {unknown[-1]!r}; "
                      f"services: {', '.join(s.name for s in state.services)}")
    raise AskBack(f"which service should I {verb}?")


def one_node(clause: Clause, state: ClusterState, verb: str) -> str:
    names = sorted({f.name for f in clause.nodes})
    if len(names) > 1:
        raise AskBack(f"which node did you mean for {verb}: {', '.join(names)}?")
    if names:
        return names[0]
    if LEADER_WORDS.search(clause.bare):
        node = leader(state)
        if node is not None:
            return node.name
    listing = ", ".join(n.name for n in state.nodes)
    unknown = [w for w in clause.unknown_words(state) if re.search(r"\d|-", w)]
    if unknown:
        raise AskBack(f"there is no node called {unknown[-1]!r}; nodes: {listing}")
    if clause.services:
        raise AskBack(f"{clause.services[0].name} is a service, and {verb} works on nodes; "
                      f"which node? nodes: {listing}")
    raise AskBack(f"which node should I {verb}? nodes: {listing}")


# -- builders ----------------------------------------------------------------

Builder = Callable[[Clause, ClusterState], Step]


def service_step(action: str, verb: str) -> Builder:
    def build(clause: Clause, state: ClusterState) -> Step:
        return Step(action, {"service": one_service(clause, state, verb).name})
    return build


def node_step(action: str, verb: str) -> Builder:
    def build(clause: Clause, state: ClusterState) -> Step:
        return Step(action, {"node": one_node(clause, state, verb)})
    return build


def scale(clause: Clause, state: ClusterState) -> Step:
    service = one_service(clause, state, "scale")
    if service.mode.is_global or service.mode.is_job:
        raise AskBack(f"{service.name} is a {service.mode_label} service: it runs "
                      f"{'one task per node' if service.mode.is_global else 'to completion'}"
                      " and cannot be scaled")
    current = service.replicas or 0
    if clause.matches(r"\d[.,]\d|\d\s*e\s*\d"):  # 4.9, 1,000, 1e9: never guessed at
        raise AskBack(f"replicas are a whole number: scale {service.name} to how many? "
                      f"(now {current})")
    target = scale_target(clause, current)
    if target is None:
        raise AskBack(f"scale {service.name} to how many replicas? (now {current})")
    if target < 0:
        raise AskBack(f"{service.name} has {current} replicas; it can't go below 0")
    return Step("service.scale", {"service": service.name, "replicas": target})


def scale_target(clause: Clause, current: int) -> int | None:
    down = clause.has("down", "decrease", "reduce", "lower", "shrink", "remove", "drop", "fewer",
                      "less", "minus", "cut", "kill", "take")
    sign = -1 if down else 1
    if match := clause.matches(r"(?<!by )\b(?:to|=|at)\s*(\d+)\b|SVC\s*=\s*(\d+)\b"):
        return int(match[1] or match[2])
    for words, factor in ((("double", "twice"), 2.0), (("triple", "thrice"), 3.0),
                          (("quadruple",), 4.0), (("halve", "half"), 0.5)):
        if clause.has(*words):
            return int(current * factor)
    if match := (clause.matches(r"\bby (\d+)\b") or
                 clause.matches(r"\b(\d+) (?:more|fewer|less|extra|additional)\b") or
                 clause.matches(r"\b(?:add|remove|drop|kill|take away|cut)\s+(\d+)\b")):
        return current + sign * int(match[1])
    if clause.matches(r"\b(?:a|an|another|1)\s+(?:more\s+|extra\s+|additional\s+)?(?:SVC\s+)?"
                      r"(?:replica|instance|copy|task|container)\b") or \
            clause.has("another", "1 more", "1 less", "1 fewer"):
        return current + sign
    if match := (clause.matches(r"\b(\d+)\s*(?:replicas?|instances?|copies|tasks)\b") or
                 clause.matches(r"\bscale\s+SVC\s+(\d+)\b")):
        return int(match[1])
    return None


def update_image(clause: Clause, state: ClusterState) -> Step:
    service = one_service(clause, state, "update")
    aliases = {f.name.lower() for f in clause.services}
    for match in IMAGE.finditer(clause.original):
        reference = match[0]
        repository, _, tag = reference.rpartition(":")
        if "=" in reference:
            continue
        if repository.lower() in aliases or repository.lower().endswith(
                tuple(f"_{a}" for a in aliases)):
            return Step("service.update_image", {"service": service.name,
                                                 "image": _with_tag(service, tag)})
        return Step("service.update_image", {"service": service.name, "image": reference})
    version = (clause.matches(r"\b(version|to|tag|v|release)\s*v?(\d+(?:\.\d+)*[\w.-]*)") or
               clause.matches(r"(?<![\w.])(v?)(\d+\.\d+[\w.-]*)"))
    if version:
        if "." not in version[2] and version[1] == "to":
            raise AskBack(f"{version[2]} for {service.name}: replicas "
                          f"(`scale {service.name} to {version[2]}`) or an image version "
                          f"(`update {service.name} to version {version[2]}`)?")
        return Step("service.update_image", {"service": service.name,
                                             "image": _with_tag(service, version[2])})
    raise AskBack(f"update {service.name} to which image or version?")


def _with_tag(service: Service, tag: str) -> str:
    repository = service.image.split("@")[0]
    if ":" in repository.rsplit("/", 1)[-1]:
        repository = repository.rsplit(":", 1)[0]
    return f"{repository}:{tag}"


def env_set(clause: Clause, state: ClusterState) -> Step:
    service = one_service(clause, state, "set variables on")
    found = re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=('[^']*'|\"[^\"]*\"|\S+)", clause.original)
    # a quoted value is one value, quotes removed: NAME='two words'
    pairs = {name: value[1:-1] if len(value) >= 2 and value[0] == value[-1] in "'\""
             else value for name, value in found}
    if not pairs:
        match = re.search(r"\bset\s+(?:the\s+)?(?:env(?:ironment)?\s+)?(?:var(?:iable)?\s+)?"
                          r"([A-Z_][A-Z0-9_]*)\s+to\s+('[^']*'|\"[^\"]*\"|\S+)", clause.original)
        if match:
            value = match[2]
            pairs = {match[1]: value[1:-1] if value[0] in "'\"" else value}
    if not pairs:
        raise AskBack("set which variable? e.g. `set LOG_LEVEL=debug on api`")
    return Step("service.update_env", {"service": service.name, "set": pairs})


def env_unset(clause: Clause, state: ClusterState) -> Step:
    service = one_service(clause, state, "unset variables on")
    aliases = name_index(state).services
    names = [n for n in re.findall(r"\b([A-Z_][A-Z0-9_]+)\b", clause.original)
             if n.lower() not in aliases and n.lower() not in ("env", "var", "vars", "variable")]
    after = re.search(r"\b(?:unset|var|variable|env)\s+([A-Za-z_][A-Za-z0-9_]*)\b",
                      clause.original)
    if not names and after and after[1].lower() not in WORDS:
        names = [after[1]]
    if not names:
        raise AskBack("unset which variable?")
    return Step("service.update_env", {"service": service.name, "unset": names})


def label_add(clause: Clause, state: ClusterState) -> Step:
    node = one_node(clause, state, "label")
    match = re.search(r"([\w.-]+)=([\w.-]+)", clause.original)
    if match is None:
        raise AskBack("which label? e.g. `label worker-2 with gpu=true`")
    return Step("node.label_add", {"node": node, "key": match[1], "value": match[2]})


def label_remove(clause: Clause, state: ClusterState) -> Step:
    node = one_node(clause, state, "unlabel")
    text = bare_text(clause.text, clause.nodes)  # a label may be called like a service: db
    not_keys = {"the", "a", "NODE", "from", "on", "of", "remove", "delete", "drop", "rm",
                "strip", "clear", "unset", "take", "off", "its", "that", "this"}
    for pattern in (r"([\w.-]+)\s+label", r"\blabel\s+([\w.-]+)",
                    r"\bunlabel\s+(?:NODE\s+)?([\w.-]+)"):
        keys = [k for k in re.findall(pattern, text) if k not in not_keys]
        if keys:
            return Step("node.label_remove", {"node": node, "key": keys[0]})
    raise AskBack(f"remove which label from {node}?")


def logs(clause: Clause, state: ClusterState) -> Step:
    service = one_service(clause, state, "show logs of")
    params: dict[str, object] = {"service": service.name}
    if grep := clause.matches(r"\b(errors?|warnings?|warn|panics?|exceptions?|timeouts?|"
                              r"fatal|critical)\b"):
        params["grep"] = grep[1].removesuffix("s")
    match = re.search(r"\b(?:grep(?:\s+for)?|matching|containing|mentioning|that say|with the "
                      r"(?:word|text))\s+(?:'([^']+)'|\"([^\"]+)\"|(\S+))", clause.original,
                      re.IGNORECASE)
    if match and (match[1] or match[2] or match[3].lower() not in WORDS):
        params["grep"] = match[1] or match[2] or match[3]
    if match := DURATION.search(clause.bare):
        number = match[1] or match[3] or "1"
        unit = (match[2] or match[4])[0]
        params["since"] = f"{number}{unit}"
    elif clause.matches(r"\b(?:since|from)\s+yesterday\b"):
        params["since"] = "1d"
    elif clause.matches(r"\bsince\b"):  # a since we cannot read is asked about, not dropped
        raise AskBack(f"logs of {service.name} since when? say 30m, 2h or 1d")
    if match := (clause.matches(r"\b(?:last|tail|latest)\s+(\d+)(?:\s+lines?)?\b(?!\s*[smhd])")
                 or clause.matches(r"\b(\d+)\s+lines\b")):
        params["tail"] = int(match[1])
    return Step("view.logs", params)


def diagnose(clause: Clause, state: ClusterState) -> Step:
    """"why is X failing" diagnoses X; "what's wrong?" with nothing named lists every
    service short of what it should be."""
    if not clause.targets and clause.has("wrong", "broken") and \
            not DATABASE_WORDS.search(clause.bare) and not clause.unknown_words(state):
        return Step("query.services", {"state": "degraded"})  # anything wrong at all
    return Step("diagnose.service", {"service": one_service(clause, state, "diagnose").name})


STATE_WORDS = (("degraded", "degraded"), ("unhealthy", "degraded"), ("failing", "failing"),
               ("failed", "failing"), ("broken", "degraded"), ("crashing", "failing"),
               ("down", "failing"), ("wrong", "degraded"), ("pending", "pending"),
               ("stuck", "pending"), ("unscheduled", "pending"), ("updating", "updating"),
               ("rolling", "updating"), ("all", "all"))


def query_services(clause: Clause, state: ClusterState) -> Step:
    params: dict[str, object] = {}
    for word, value in STATE_WORDS:
        if clause.has(word):
            params["state"] = value
            break
    if clause.nodes:
        params["node"] = clause.nodes[0].name
    named = [s for s in stacks(state) if re.search(rf"\b{re.escape(s)}\b", clause.bare)]
    if len(named) == 1:
        params["stack"] = named[0]
    return Step("query.services", params)


def query_tasks(clause: Clause, state: ClusterState) -> Step:
    params: dict[str, object] = {}
    match = clause.matches(r"\b(failed|failing|running|pending|rejected|complete|completed|"
                           r"shutdown|orphaned)\s+(?:SVC\s+)?(?:tasks?|containers?)\b")
    if clause.nodes or (LEADER_WORDS.search(clause.bare) and not clause.services):
        params["node"] = one_node(clause, state, "list")
    elif clause.services or not match:  # "show failed tasks": the whole cluster's
        params["service"] = one_service(clause, state, "list").name
    if match:
        params["state"] = {"failing": "failed", "completed": "complete"}.get(match[1], match[1])
    return Step("query.tasks", params)


PROBE_WORDS = ((("disk", "disks", "space", "storage", "df", "filesystem"), "disk"),
               (("memory", "ram", "mem", "swap"), "memory"),
               (("load", "cpu", "busy"), "load"),
               (("uptime", "up since", "how long"), "uptime"),
               (("docker", "dockerd", "daemon", "engine"), "docker"))


def probe(clause: Clause, state: ClusterState) -> Step:
    node = one_node(clause, state, "probe")
    for words, name in PROBE_WORDS:
        if clause.has(*words):
            return Step("node.probe", {"node": node, "probe": name})
    return Step("node.probe", {"node": node, "probe": "docker"})


# Where the node stands in "run CMD on NODE", "on NODE run CMD", "ssh NODE [and run] CMD":
# names inside the command (ping worker-2) are its arguments, never its target.
SSH_TARGET = (re.compile(r"^\s*(?:please\s+)?(?:run|exec|execute)\s+.+\s+on\s+(.+)$"),
              re.compile(r"^\s*(?:on|at)\s+(.+?)\s+(?:run|exec|execute)\s"),
              re.compile(r"^\s*ssh\s+(?:to\s+|into\s+)?((?:the\s+)?\S+)"))


def _within(found: list[Found], start: int, end: int) -> list[Found]:
    return [replace(f, start=f.start - start, end=f.end - start)
            for f in found if f.start >= start and f.end <= end]


def ssh_target(clause: Clause) -> Clause:
    """The part of the clause that names the node a command runs on."""
    for form in SSH_TARGET:
        match = form.match(clause.text)
        if match is None:
            continue
        start, end = match.span(1)
        nodes = _within(clause.nodes, start, end)
        services = _within(clause.services, start, end)
        text = clause.text[start:end]
        return Clause(text, text, nodes, services, bare_text(text, nodes + services))
    return clause


def ssh_run(clause: Clause, state: ClusterState) -> Step:
    node = one_node(ssh_target(clause), state, "run it on")
    match = (re.match(r"\s*(?:please\s+)?(?:run|exec|execute)\s+(.+)\s+on\s+", clause.original,
                      re.IGNORECASE) or
             re.match(r"\s*(?:on|at)\s+(?:the\s+)?\S+\s+(?:run|exec|execute)\s+(.+)$",
                      clause.original, re.IGNORECASE) or
             re.match(r"\s*ssh\s+(?:to\s+|into\s+)?(?:the\s+)?\S+\s+(?:and\s+)?(?:run\s+)?(.+)$",
                      clause.original, re.IGNORECASE))
    if match is None:
        raise AskBack(f"run what on {node}? e.g. `run uptime on {node}`")
    command = match[1].strip().strip("`'\"")
    problem = check_command(command)
    if problem:
        raise AskBack(f"I won't run {command!r} on {node}: {problem}")
    return Step("ssh.run", {"node": node, "command": command})


def start_or_stop(clause: Clause, state: ClusterState) -> Step:
    service = one_service(clause, state, "stop")
    if clause.has("start"):
        raise AskBack(f"start {service.name}: to how many replicas? "
                      f"e.g. `scale {service.name} to 1`")
    raise AskBack(f"stop {service.name}: scale it to 0 (`scale {service.name} to 0`, "
                  f"undoable) or remove it (`remove {service.name}`)?")


def restart(clause: Clause, state: ClusterState) -> Step:
    if clause.nodes and not clause.services:
        raise AskBack(f"swarmtui does not reboot nodes; `drain {clause.nodes[0].name}` moves its "
                      f"tasks away, then reboot it over your own SSH session")
    return service_step("service.restart", "restart")(clause, state)


def view_target(clause: Clause, state: ClusterState) -> Step:
    if clause.services and not clause.nodes:
        return service_step("view.service", "show")(clause, state)
    return node_step("view.node", "show")(clause, state)


# -- the table ---------------------------------------------------------------

Matcher = Callable[[Clause], bool]

SHOW = ("show", "inspect", "describe", "details", "detail", "info", "status", "about", "open",
        "view", "display", "see", "look", "get", "what's", "whats")


def _mutates(c: Clause) -> bool:
    return c.has(*MUTATING)


def _query_services(c: Clause) -> bool:
    if c.has("stack") and not c.services and c.has("what", "which", "list", "show", "in"):
        return True
    if c.has("services", "ls") and (not c.services or c.has("list", "which", "what", "show")):
        return True
    return not c.services and bool(c.matches(
        r"\b(what|which|anything|any|who)\b.*\b(failing|failed|broken|degraded|pending|updating|"
        r"unhealthy|crashing|stuck)\b"))


def _query_tasks(c: Clause) -> bool:
    return bool(c.matches(r"\b(tasks?|containers?|ps)\b") or
                c.matches(r"\b(running|runs|run|is|'s|scheduled|placed|deployed)\s+on\s+NODE")
                or c.matches(r"\bwhat(?:'s| is)?\s+on\b") or
                (c.services and c.matches(r"\bwhere\b|\bwhich nodes?\b")))


def _runs_on_a_node(c: Clause) -> bool:
    """"run … on NODE": whatever words the command holds (logs, rm, add), it is a command."""
    target = ssh_target(c)
    return target is not c and (bool(target.nodes) or bool(LEADER_WORDS.search(target.bare)))


INTENTS: list[tuple[Matcher, Builder]] = [
    (_runs_on_a_node, ssh_run),
    (lambda c: c.has("unlabel") or (c.has("label", "labels") and c.has(
        "remove", "delete", "drop", "rm", "unset", "strip", "clear")), label_remove),
    (lambda c: c.has("label", "tag") and "=" in c.bare and bool(c.nodes), label_add),
    (lambda c: c.has("unset") or (c.has("remove", "delete", "drop", "rm", "clear", "strip") and
                                  c.has("env", "environment", "var", "vars", "variable",
                                        "variables")), env_unset),
    (lambda c: ("=" in c.bare and not c.matches(r"SVC\s*=\s*\d") and c.has(
        "set", "env", "environment", "add", "export", "change", "configure", "put", "var",
        "variable")) or bool(re.search(r"\bset\s+(?:the\s+)?(?:env\w*\s+)?(?:var\w*\s+)?"
                                       r"[A-Z_][A-Z0-9_]*\s+to\b", c.original)), env_set),
    (lambda c: c.has("log", "logs"), logs),
    (lambda c: c.has("why", "diagnose", "investigate", "troubleshoot", "wrong", "debug") or
     bool(c.matches(r"\bwhat happened\b|\bproblem with\b")), diagnose),
    (lambda c: bool(re.match(r"\s*(?:please\s+)?(run|exec|execute)\b|\s*ssh\b", c.text) or
                    c.matches(r"^\s*(?:on|at)\s+(?:the\s+)?(?:NODE|manager|leader)\s+"
                              r"(?:run|exec|execute)\b")), ssh_run),
    (lambda c: (bool(c.nodes) or bool(LEADER_WORDS.search(c.bare))) and not c.services and
     not _mutates(c) and any(c.has(*words) for words, _ in PROBE_WORDS), probe),
    (lambda c: not _mutates(c) and _query_services(c), query_services),
    # "how many replicas does web have": a question about it, never a scale
    (lambda c: bool(c.services) and not _mutates(c) and not re.search(r"\d", c.bare) and
     bool(c.matches(r"^\s*(?:how many|how much|what(?:'s| is)? the (?:replica|scale))\b")),
     view_target),
    (lambda c: not _mutates(c) and _query_tasks(c), query_tasks),
    (lambda c: c.has("promote") or bool(c.nodes and c.matches(r"\bmake\b.*\bmanager\b")),
     node_step("node.promote", "promote")),
    (lambda c: c.has("demote") or bool(c.nodes and c.matches(r"\bmake\b.*\bworker\b")),
     node_step("node.demote", "demote")),
    (lambda c: c.has("drain", "evacuate", "empty", "offline", "maintenance") or
     bool(c.matches(r"\bout of (rotation|service)\b|\b(move|get|take|shift)\b.*\boff\b.*NODE")),
     node_step("node.drain", "drain")),
    (lambda c: (c.has("cordon") and not c.has("uncordon")) or
     bool(c.nodes and c.matches(r"\bstop scheduling\b|\bno new (tasks|work)\b|\bunschedulable\b"))
     or
     (c.has("pause", "freeze") and bool(c.nodes) and not c.services),
     node_step("node.pause", "pause")),
    (lambda c: c.has("activate", "reactivate", "uncordon", "undrain", "unpause", "resume",
                     "enable") or
     bool(c.matches(r"\bback (into|in|to) (service|rotation|work|active)\b|\bback online\b")) or
     (bool(c.nodes) and not c.services and bool(c.matches(r"\b(put|bring|let|return)\b")) and
      c.has("back", "return")), node_step("node.activate", "activate")),
    (lambda c: c.has("roll back", "rollback", "revert", "roll-back") or
     bool(c.matches(r"\broll\b.*\bback\b|\bundo\b.*\b(update|deploy|deployment|upgrade|rollout|"
                    r"release)\b|\bprevious (version|image|release)\b")),
     service_step("service.rollback", "roll back")),
    (lambda c: c.has("scale", "replicas", "replica", "instances", "copies", "double", "twice",
                     "triple", "thrice", "quadruple", "halve", "increase", "decrease", "reduce",
                     "grow", "shrink") or
     bool(c.matches(r"\b(up|down) by\b|\b(\d+|another) (more|fewer|less)\b|SVC\s*=\s*\d")) or
     (c.has("bump", "add") and bool(c.matches(r"\bby \d+|\badd \d+\b"))), scale),
    (lambda c: c.has("restart", "bounce", "kick", "recycle", "reboot", "redeploy", "respawn",
                     "cycle", "force update", "force-update"), restart),
    (lambda c: c.has("stop", "start", "halt", "shutdown", "shut down") and bool(c.services),
     start_or_stop),
    (lambda c: c.has("update", "upgrade", "downgrade", "deploy", "bump", "image", "version",
                     "rollout", "roll out", "release") or
     (c.has("switch", "move", "change", "use", "set") and bool(IMAGE.search(c.original))),
     update_image),
    (lambda c: c.has("remove", "delete", "rm", "nuke", "destroy", "kill", "purge", "teardown",
                     "tear down", "get rid of"), service_step("service.remove", "remove")),
    # on the text, not the bare one: "take a backup" also where a service is called backup
    (lambda c: bool(re.search(r"\bback ?ups?\b", c.text)) and not c.has(*SHOW),
     lambda c, s: Step("backup.create")),
    (lambda c: c.has(*SHOW) and bool(c.services or c.nodes), view_target),
    (lambda c: c.has("alerts", "alert", "problems", "incidents", "firing", "alarms"),
     lambda c, s: Step("view.alerts")),
    # a name alone: show it
    (lambda c: len(c.targets) == 1 and c.only_names(), view_target),
]
