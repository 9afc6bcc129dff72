"""The offline translator: a sentence → a Plan, deterministic, no network.

It knows the words operators use ("bounce", "cordon", "evacuate", "nuke",
"roll back", "bump"), number words and relative changes ("up by 2", "double"),
several steps ("and", "then", commas), and it asks back rather than guess when
a target is unknown, ambiguous, missing, or the request is unsafe.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from swarmtui.actions.plan import Plan, Step
from swarmtui.nl.resolve import LEADER_WORDS, Found, find_nodes, find_services, fuzzy_service
from swarmtui.nl.resolve import leader as leader_of
from swarmtui.swarm.model import ClusterState, Service

NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
    "twenty": 20, "a single": 1, "single": 1, "a couple of": 2, "a couple": 2,
}
SPLIT = re.compile(r"\s*(?:,?\s+and\s+then\s+|,?\s+then\s+|;\s*|,\s*(?:and\s+)?|\s+and\s+)\s*")
EVERYTHING = re.compile(r"\b(everything|all services|all nodes|every service|every node|"
                        r"the whole cluster|all of them)\b")
DATABASE_WORDS = re.compile(r"\b(?:the\s+)?(database|db)\b")
DURATION = re.compile(r"(?:last|past)\s+(\d+)\s*(s|sec|secs|seconds?|m|mins?|minutes?|h|hrs?|"
                      r"hours?|d|days?)\b")


class AskBack(Exception):
    """The sentence cannot be made into a safe plan; the message is the question."""


@dataclass
class Clause:
    text: str  # lower-cased, numbers as digits
    original: str  # as typed, for values such as LOG_LEVEL=debug
    nodes: list[Found]
    services: list[Found]

    def has(self, *words: str) -> bool:
        return any(re.search(rf"\b{re.escape(w)}\b", self.text) for w in words)


def normalise(sentence: str) -> str:
    text = sentence.strip().lower().rstrip("?.!")
    text = text.replace("’", "'")
    for word, number in sorted(NUMBER_WORDS.items(), key=lambda kv: -len(kv[0])):
        text = re.sub(rf"\b{word}\b", str(number), text)
    return text


class OfflineTranslator:
    name = "offline"

    def translate(self, sentence: str, state: ClusterState) -> Plan:
        try:
            steps = [self._clause(part, original, state)
                     for part, original in self._clauses(sentence)]
        except AskBack as question:
            return Plan.ask(str(question), sentence)
        return Plan(tuple(steps), None, sentence, self.name)

    # -- splitting --------------------------------------------------------

    def _clauses(self, sentence: str) -> list[tuple[str, str]]:
        text = normalise(sentence)
        if not text:
            raise AskBack("what would you like to do?")
        if EVERYTHING.search(text) and re.search(
                r"\b(remove|delete|rm|nuke|kill|stop|drain|restart|scale)\b", text):
            raise AskBack("that would change everything at once; name the services or nodes "
                          "one by one")
        lowered = SPLIT.split(text)
        originals = re.split(SPLIT.pattern, sentence.strip().rstrip("?.!"), flags=re.IGNORECASE)
        if len(originals) != len(lowered):
            originals = lowered
        return [(low, orig) for low, orig in zip(lowered, originals, strict=True) if low]

    # -- one clause -------------------------------------------------------

    def _clause(self, text: str, original: str, state: ClusterState) -> Step:
        nodes = find_nodes(text, state)
        services = find_services(text, state, nodes)
        clause = Clause(text, original, nodes, services)
        for matches, build in self._intents():
            if matches(clause):
                return build(clause, state)
        raise AskBack(f"I don't know how to do {original.strip()!r}; try `scale web to 3`, "
                      "`drain worker-2`, `restart api`, `logs of web`")

    def _intents(self) -> list[tuple[Callable[[Clause], bool], Callable[[Clause, ClusterState],
                                                                        Step]]]:
        return [
            (lambda c: c.has("backup") or "back up" in c.text, self._backup),
            (lambda c: c.has("label", "labels") and c.has("remove", "delete", "drop", "rm",
                                                            "unset", "strip"),
             self._label_remove),
            (lambda c: c.has("label", "tag") and "=" in c.text, self._label_add),
            (lambda c: c.has("log", "logs"), self._logs),
            (lambda c: c.has("why", "diagnose", "wrong", "investigate", "debug") and
             not c.has("set"), self._diagnose),
            (lambda c: bool(re.search(r"\b(which|what|list|show)\b.*\bservices?\b", c.text)),
             self._query_services),
            (lambda c: bool(re.search(r"\b(running on|tasks on|what's on|what is on|ps)\b",
                                      c.text)), self._query_tasks),
            (lambda c: c.has("check", "probe", "how much", "show") and
             c.has("disk", "memory", "ram", "load", "uptime", "space"), self._probe),
            (lambda c: bool(re.match(r"(run|exec|execute)\b", c.text)), self._ssh_run),
            (lambda c: c.has("promote"), self._node_step("node.promote")),
            (lambda c: c.has("demote"), self._node_step("node.demote")),
            (lambda c: c.has("drain", "evacuate", "empty"), self._node_step("node.drain")),
            (lambda c: c.has("cordon") and not c.has("uncordon"), self._node_step("node.pause")),
            (lambda c: c.has("pause") and bool(c.nodes), self._node_step("node.pause")),
            (lambda c: c.has("activate", "uncordon", "undrain", "resume", "enable") or
             "back into service" in c.text or "back in service" in c.text or
             "back online" in c.text, self._node_step("node.activate")),
            (lambda c: "=" in c.text and c.has("set", "env", "environment", "add"),
             self._env_set),
            (lambda c: c.has("unset") or (c.has("remove", "delete") and c.has("env", "variable")),
             self._env_unset),
            (lambda c: c.has("roll back", "rollback", "revert", "undo the update"),
             self._service_step("service.rollback")),
            (lambda c: c.has("scale", "replicas", "replica", "instances", "double", "halve")
             or bool(re.search(r"\b(up|down) by\b", c.text)), self._scale),
            (lambda c: c.has("restart", "bounce", "kick", "recycle", "reboot", "redeploy",
                             "force update"), self._service_step("service.restart")),
            (lambda c: c.has("update", "upgrade", "deploy", "bump", "image", "version"),
             self._update_image),
            (lambda c: c.has("remove", "delete", "rm", "nuke", "destroy", "kill"),
             self._service_step("service.remove")),
            (lambda c: c.has("show", "inspect", "describe", "details") and bool(c.services),
             self._service_step("view.service")),
            (lambda c: c.has("show", "inspect", "describe", "details") and bool(c.nodes),
             self._node_step("view.node")),
            (lambda c: c.has("alerts", "alert", "problems", "incidents"),
             lambda c, s: Step("view.alerts")),
        ]

    # -- targets ----------------------------------------------------------

    def _service(self, clause: Clause, state: ClusterState, verb: str) -> Service:
        names = sorted({f.name for f in clause.services})
        if len(names) > 1:
            raise AskBack(f"which service did you mean for {verb}: {', '.join(names)}?")
        if names:
            service = state.service_named(names[0])
            assert service is not None
            return service
        if clause.nodes:
            node = clause.nodes[0].name
            raise AskBack(f"{node} is a node, and {verb} works on services; "
                          "which service did you mean?")
        role = DATABASE_WORDS.search(clause.text)
        if role is not None:
            matches = sorted(s.name for s in state.services
                             if re.search(r"(db|postgres|mysql|maria|mongo|sql|redis|couch)",
                                          s.name))
            if len(matches) == 1:
                service = state.service_named(matches[0])
                assert service is not None
                return service
            if matches:
                raise AskBack(f"{len(matches)} services could be {role[0]!r}: "
                              f"{', '.join(matches)} — which one?")
        words = [w for w in re.findall(r"[\w.-]+", clause.text)
                 if w not in verb.split() and not w.isdigit()]
        guesses = sorted({name for word in words for name in fuzzy_service(word, state)})
        if len(guesses) == 1:
            service = state.service_named(guesses[0])
            assert service is not None
            return service
        if len(guesses) > 1:
            raise AskBack(f"which service did you mean: {', '.join(guesses)}?")
        unknown = [w for w in words if w not in VERBISH and len(w) > 2]
        if unknown:
            raise AskBack(f"there is no service called {unknown[-1]!r}; "
                          f"services: {', '.join(s.name for s in state.services)}")
        raise AskBack(f"which service should I {verb}?")

    def _node(self, clause: Clause, state: ClusterState, verb: str) -> str:
        names = sorted({f.name for f in clause.nodes})
        if len(names) > 1:
            raise AskBack(f"which node did you mean for {verb}: {', '.join(names)}?")
        if names:
            return names[0]
        if LEADER_WORDS.search(clause.text):
            node = leader_of(state)
            if node is not None:
                return node.name
        raise AskBack(f"which node should I {verb}? nodes: "
                      f"{', '.join(n.name for n in state.nodes)}")

    # -- builders ---------------------------------------------------------

    def _service_step(self, action: str) -> Callable[[Clause, ClusterState], Step]:
        verb = action.split(".")[1].replace("_", " ")

        def build(clause: Clause, state: ClusterState) -> Step:
            return Step(action, {"service": self._service(clause, state, verb).name})
        return build

    def _node_step(self, action: str) -> Callable[[Clause, ClusterState], Step]:
        verb = action.split(".")[1]

        def build(clause: Clause, state: ClusterState) -> Step:
            return Step(action, {"node": self._node(clause, state, verb)})
        return build

    def _backup(self, clause: Clause, state: ClusterState) -> Step:
        return Step("backup.create")

    def _scale(self, clause: Clause, state: ClusterState) -> Step:
        service = self._service(clause, state, "scale")
        if service.mode.is_global or service.mode.is_job:
            raise AskBack(f"{service.name} is a {service.mode_label} service: it runs "
                          f"{'one task per node' if service.mode.is_global else 'to completion'}"
                          " and cannot be scaled")
        current = service.replicas or 0
        text = clause.text
        if match := re.search(r"\bup by (\d+)", text):
            target = current + int(match[1])
        elif match := re.search(r"\bdown by (\d+)", text):
            target = current - int(match[1])
        elif re.search(r"\bdouble\b", text):
            target = current * 2
        elif re.search(r"\bhalve\b|\bhalf\b", text):
            target = current // 2
        elif match := re.search(r"\b(?:to|=|at)\s*(\d+)\b", text) or \
                re.search(r"\b(\d+)\s*(?:replicas?|instances?|copies)\b", text):
            target = int(match[1])
        else:
            raise AskBack(f"scale {service.name} to how many replicas? "
                          f"(now {current})")
        if target < 0:
            raise AskBack(f"{service.name} has {current} replicas; it can't go below 0")
        return Step("service.scale", {"service": service.name, "replicas": target})

    def _update_image(self, clause: Clause, state: ClusterState) -> Step:
        service = self._service(clause, state, "update")
        original = clause.original
        image = re.search(r"(?<![\w.-])([\w.-]+(?:/[\w.-]+)+(?::[\w.-]+)?|[\w.-]+:[\w.-]+)",
                          original)
        if image and "=" not in image[1]:
            return Step("service.update_image", {"service": service.name, "image": image[1]})
        version = re.search(r"\b(?:version|to|tag|v)\s*v?(\d+(?:\.\d+)*[\w.-]*)", clause.text)
        if version:
            repository = service.image.split("@")[0].rsplit(":", 1)[0]
            return Step("service.update_image",
                        {"service": service.name, "image": f"{repository}:{version[1]}"})
        raise AskBack(f"update {service.name} to which image or version?")

    def _env_set(self, clause: Clause, state: ClusterState) -> Step:
        service = self._service(clause, state, "set variables on")
        found = re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=('[^']*'|\"[^\"]*\"|\S+)",
                           clause.original)
        # a quoted value is one value, quotes removed: NAME='two words'
        pairs = {name: value[1:-1] if len(value) >= 2 and value[0] == value[-1] in "'\""
                 else value for name, value in found}
        if not pairs:
            raise AskBack("set which variable? e.g. `set LOG_LEVEL=debug on api`")
        return Step("service.update_env", {"service": service.name, "set": pairs})

    def _env_unset(self, clause: Clause, state: ClusterState) -> Step:
        service = self._service(clause, state, "unset variables on")
        names = [n for n in re.findall(r"\b([A-Z_][A-Z0-9_]+)\b", clause.original)]
        if not names:
            raise AskBack("unset which variable?")
        return Step("service.update_env", {"service": service.name, "unset": names})

    def _label_add(self, clause: Clause, state: ClusterState) -> Step:
        node = self._node(clause, state, "label")
        match = re.search(r"([\w.-]+)=([\w.-]+)", clause.original)
        if match is None:
            raise AskBack("which label? e.g. `label worker-2 with gpu=true`")
        return Step("node.label_add", {"node": node, "key": match[1], "value": match[2]})

    def _label_remove(self, clause: Clause, state: ClusterState) -> Step:
        node = self._node(clause, state, "unlabel")
        match = re.search(r"(?:the\s+)?([\w.-]+)\s+label", clause.text) or \
            re.search(r"label\s+([\w.-]+)", clause.text)
        if match is None or match[1] in ("the", "a"):
            raise AskBack(f"remove which label from {node}?")
        return Step("node.label_remove", {"node": node, "key": match[1]})

    def _logs(self, clause: Clause, state: ClusterState) -> Step:
        service = self._service(clause, state, "show logs of")
        params: dict[str, object] = {"service": service.name}
        grep = re.search(r"\b(errors?|warnings?|panics?|exceptions?|timeouts?)\b", clause.text)
        if grep:
            params["grep"] = grep[1].rstrip("s") if grep[1] != "s" else grep[1]
        if match := re.search(r"\b(?:grep|matching|containing)\s+['\"]?([^'\"\s]+)", clause.text):
            params["grep"] = match[1]
        if match := DURATION.search(clause.text):
            params["since"] = f"{match[1]}{match[2][0]}"
        if match := re.search(r"\b(?:last|tail)\s+(\d+)\s+lines?\b", clause.text):
            params["tail"] = int(match[1])
        return Step("view.logs", params)

    def _diagnose(self, clause: Clause, state: ClusterState) -> Step:
        return Step("diagnose.service",
                    {"service": self._service(clause, state, "diagnose").name})

    def _query_services(self, clause: Clause, state: ClusterState) -> Step:
        params: dict[str, object] = {}
        for word, value in (("degraded", "degraded"), ("failing", "failing"),
                            ("failed", "failing"), ("broken", "failing"),
                            ("pending", "pending"), ("updating", "updating")):
            if clause.has(word):
                params["state"] = value
                break
        if clause.nodes:
            params["node"] = clause.nodes[0].name
        return Step("query.services", params)

    def _query_tasks(self, clause: Clause, state: ClusterState) -> Step:
        if clause.nodes or LEADER_WORDS.search(clause.text):
            return Step("query.tasks", {"node": self._node(clause, state, "list")})
        return Step("query.tasks", {"service": self._service(clause, state, "list").name})

    def _probe(self, clause: Clause, state: ClusterState) -> Step:
        node = self._node(clause, state, "probe")
        for words, probe in ((("disk", "space"), "disk"), (("memory", "ram"), "memory"),
                             (("load",), "load"), (("uptime",), "uptime")):
            if clause.has(*words):
                return Step("node.probe", {"node": node, "probe": probe})
        return Step("node.probe", {"node": node, "probe": "docker"})

    def _ssh_run(self, clause: Clause, state: ClusterState) -> Step:
        node = self._node(clause, state, "run it on")
        match = re.match(r"\s*(?:run|exec|execute)\s+(.+?)\s+on\s+", clause.original,
                         re.IGNORECASE)
        if match is None:
            raise AskBack(f"run what on {node}? e.g. `run uptime on {node}`")
        command = match[1].strip().strip("`'\"")
        return Step("ssh.run", {"node": node, "command": command})


VERBISH = frozenset({
    "scale", "restart", "bounce", "kick", "drain", "cordon", "show", "me", "the", "logs",
    "log", "of", "to", "up", "down", "by", "and", "then", "please", "service", "services",
    "roll", "back", "rollback", "update", "deploy", "remove", "delete", "set", "why", "is",
    "failing", "what", "it", "them", "replicas", "replica", "node", "nodes", "a", "an",
    "version", "image", "all", "run", "on", "for", "with", "from", "in", "last", "minutes",
    "stack", "nuke", "kill", "destroy", "reboot", "recycle", "redeploy", "instances", "double",
    "halve", "bump", "upgrade",
})
