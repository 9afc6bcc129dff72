"""One validator for every plan, whoever produced it (translator, LLM, key, autopilot).

A step is checked against the catalog (the action exists, its parameters have
the right names and types) and against the live state (the names exist, the
change makes sense, it is not a no-op). Arguments are data: a value starting
with `-` could be read as an option by the docker CLI or a remote shell, and
is refused.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from swarmtui.actions.catalog import CATALOG, Param
from swarmtui.actions.plan import Plan, Step
from swarmtui.actions.project import after
from swarmtui.swarm.model import ClusterState, Node, Service

DURATION = re.compile(r"^\d+[smhd]\Z")
LABEL_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*\Z")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\Z")
IMAGE_REFERENCE = re.compile(
    r"^[\w][\w.-]*(?::\d+)?(?:/[\w.-]+)*(?::[\w.-]+)?(?:@sha256:[0-9a-f]{64})?\Z")
MAX_REPLICAS = 1000  # or ten times what a service has: a slip of the keyboard, not a plan
SHELL_OPERATORS = re.compile(r"[;&|<>`$\\\n\r]|\$\(")
# Programs that stop, wipe or cut off a node: swarmtui will not run them for anyone (a
# person or an LLM); an operator who means it has their own SSH session.
NODE_BREAKERS = frozenset({
    "reboot", "shutdown", "poweroff", "halt", "init", "telinit", "mkfs", "wipefs", "fdisk",
    "sfdisk", "parted", "dd", "shred", "kill", "killall", "pkill", "ifdown", "mkswap",
    "swapoff", "userdel", "passwd", "crontab", "chmod", "chown", "mv", "truncate", "nft",
    "rm", "rmdir", "unlink", "umount", "mount", "modprobe", "rmmod", "insmod", "tee", "cp",
    "ln", "install", "rsync", "scp", "sysctl", "usermod", "groupdel", "visudo", "ifconfig",
    "route", "wall", "fsck", "resize2fs", "lvremove", "vgremove", "pvremove", "losetup"})
WRAPPERS = frozenset({"sudo", "doas", "su", "env", "nohup", "nice", "timeout", "xargs", "sh",
                      "bash", "zsh", "dash", "ksh", "fish", "busybox", "nsenter", "chroot",
                      "systemd-run", "setsid", "watch", "flock", "stdbuf", "ionice", "taskset",
                      "runuser", "sg", "unshare", "strace", "script", "at", "batch", "expect",
                      "parallel", "chrt", "time", "ssh"})
INTERPRETERS = frozenset({"python", "python3", "perl", "ruby", "node", "php", "awk"})
BREAKING_SUBCOMMANDS = {
    "systemctl": {"stop", "restart", "disable", "mask", "kill", "poweroff", "reboot", "halt",
                  "isolate", "rescue", "emergency", "daemon-reload", "reload"},
    "service": {"stop", "restart", "reload"},
    "docker": {"rm", "rmi", "kill", "stop", "restart", "prune", "leave", "init", "join",
               "update", "scale", "create", "run", "exec", "start", "pause", "unpause",
               "promote", "demote", "rollback", "deploy", "load", "import", "commit"},
    "iptables": {"-F", "-X", "-D", "-A", "-I", "-P", "-Z", "-R", "-N", "--flush", "--delete",
                 "--append", "--insert", "--policy"},
    "ip": {"down", "del", "delete", "flush", "add", "change", "replace", "set"},
    "find": {"-delete", "-exec", "-execdir", "-ok", "-okdir", "-fprint", "-fprintf", "-fls"},
    "sed": {"-i", "--in-place"},
    "hostnamectl": {"set-hostname", "hostname"},
    "timedatectl": {"set-time", "set-timezone", "set-ntp"},
    "journalctl": {"--vacuum-size", "--vacuum-time", "--vacuum-files", "--rotate", "--flush"},
    **{manager: {"remove", "purge", "autoremove", "install", "upgrade", "dist-upgrade",
                 "full-upgrade", "erase", "reinstall", "downgrade", "del", "-r", "-P",
                 "--remove", "--purge", "-i", "--install"}
       for manager in ("apt", "apt-get", "aptitude", "dpkg", "yum", "dnf", "zypper", "apk",
                       "snap", "pip", "pip3", "rpm")},
}


@dataclass(frozen=True, slots=True)
class StepCheck:
    step: Step
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def validate(plan: Plan, state: ClusterState) -> list[StepCheck]:
    return [check for check, _ in walk(plan, state)]


def walk(plan: Plan, state: ClusterState) -> list[tuple[StepCheck, ClusterState]]:
    """Each step checked against the cluster as the steps before it leave it ("drain
    worker-2, then activate it" meets a drained node), and nothing may act on a service an
    earlier step removes. With each check, the state that step meets."""
    checks: list[tuple[StepCheck, ClusterState]] = []
    removed: dict[str, int] = {}
    for number, step in enumerate(plan.steps, 1):
        check = check_step(step, state)
        target = str(step.params.get("service", ""))
        service = state.service_named(target)
        name = service.name if service is not None else target
        if check.ok and name in removed:
            check = StepCheck(step, f"{name} is removed by step {removed[name]} before this")
        if step.action == "service.remove" and name not in removed:
            removed[name] = number
        checks.append((check, state))
        if check.ok:
            state = after(step, state)
    return checks


def first_problem(plan: Plan, state: ClusterState) -> str | None:
    for number, check in enumerate(validate(plan, state), 1):
        if not check.ok:
            return f"step {number} ({check.step.action}): {check.problem}"
    return None


def check_step(step: Step, state: ClusterState) -> StepCheck:
    action = CATALOG.get(step.action)
    if action is None:
        return StepCheck(step, f"unknown action {step.action!r}")
    params = dict(step.params)
    unknown = sorted(set(params) - {p.name for p in action.params})
    if unknown:
        return StepCheck(step, f"unknown parameter {unknown[0]!r}")
    for param in action.params:
        if param.name not in params:
            if param.required:
                return StepCheck(step, f"missing {param.name!r}")
            continue
        problem = _check_value(param, params[param.name], state)
        if problem:
            return StepCheck(step, problem)
    return StepCheck(step, _check_sense(step.action, params, state))


def _check_value(param: Param, value: Any, state: ClusterState) -> str | None:
    if isinstance(value, str) and value.startswith("-"):
        return f"{param.name} {value!r} starts with '-' and could be read as an option"
    if param.kind == "service":
        if not isinstance(value, str) or state.service_named(value) is None:
            return f"no service named {value!r}"
    elif param.kind == "node":
        if not isinstance(value, str) or not state.nodes_named(value):
            return f"no node named {value!r}"
        same = state.nodes_named(value)
        if len(same) > 1:
            which = ", ".join(f"{n.id[:12]} ({n.state}, {n.availability})" for n in same)
            return (f"{len(same)} nodes are named {value!r} ({which}); "
                    "name the one you mean by its ID")
    elif param.kind == "int":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            return f"{param.name} must be a whole number ≥ 0, not {value!r}"
    elif param.kind == "enum":
        if value not in param.choices:
            return f"{param.name} must be one of {', '.join(param.choices)}, not {value!r}"
    elif param.kind == "duration":
        if not isinstance(value, str) or not DURATION.match(value):
            return f"{param.name} must be a duration such as 10m, not {value!r}"
    elif param.kind == "mapping":
        if not isinstance(value, Mapping) or not value:
            return f"{param.name} must be a mapping of NAME: value"
        for key, inner in value.items():
            if not ENV_NAME.match(str(key)):
                return f"{key!r} is not a variable name"
            if not isinstance(inner, str | int | float | bool):
                return f"the value of {key} must be text"
    elif param.kind == "list":
        if not isinstance(value, list) or not value or not all(
                isinstance(v, str) and ENV_NAME.match(v) for v in value):
            return f"{param.name} must be a list of variable names"
    elif param.kind == "str" and (not isinstance(value, str) or not value.strip()):
        return f"{param.name} must be non-empty text"
    return None


def _service(params: Mapping[str, Any], state: ClusterState) -> Service:
    service = state.service_named(params["service"])
    assert service is not None  # checked by _check_value
    return service


def _node(params: Mapping[str, Any], state: ClusterState) -> Node:
    node = state.node_named(params["node"])
    assert node is not None
    return node


def _check_sense(action: str, params: Mapping[str, Any], state: ClusterState) -> str | None:
    """Refuse what Docker would refuse, what does nothing, and what is unsafe."""
    if action == "service.scale":
        service = _service(params, state)
        if service.mode.is_global or service.mode.is_job:
            return f"{service.name} is a {service.mode_label} service and cannot be scaled"
        if service.replicas == params["replicas"]:
            return f"{service.name} already has {service.replicas} replicas"
        limit = max(MAX_REPLICAS, 10 * (service.replicas or 0))
        if params["replicas"] > limit:
            return (f"{params['replicas']} replicas is more than swarmtui asks for at once "
                    f"(at most {limit} for {service.name}, which has {service.replicas}); "
                    "scale in steps")
    elif action == "service.update_image":
        service = _service(params, state)
        image = params["image"]
        if not IMAGE_REFERENCE.match(image):
            return f"{image!r} is not an image reference"
        if service.short_image == image:
            return f"{service.name} already runs {image}"
    elif action == "service.rollback":
        service = _service(params, state)
        if not service.previous_spec:
            return f"{service.name} has no previous spec to roll back to"
    elif action in ("service.restart", "service.remove", "diagnose.service", "view.service",
                    "view.logs"):
        _service(params, state)
        if action == "view.logs" and params.get("tail") == 0:
            return "tail 0 shows no lines; ask for 1 or more"
    elif action == "service.update_env":
        if not params.get("set") and not params.get("unset"):
            return "nothing to set or unset"
        both = set(params.get("set") or {}) & set(params.get("unset") or ())
        if both:
            return f"{', '.join(sorted(both))} would be both set and unset"
        service = _service(params, state)
        current = _env_of(service)
        changes = [k for k, v in (params.get("set") or {}).items() if current.get(k) != str(v)]
        changes += [k for k in params.get("unset") or () if k in current]
        if not changes:
            return f"{service.name}'s environment already is that: nothing would change"
    elif action in ("node.drain", "node.pause", "node.activate"):
        node = _node(params, state)
        wanted = {"node.drain": "drain", "node.pause": "pause", "node.activate": "active"}[action]
        if node.availability == wanted:
            return f"{node.name} is already {wanted}"
        others = [n for n in state.nodes if n.availability == "active" and not n.is_down
                  and n.id != node.id]
        if action in ("node.drain", "node.pause") and node.availability == "active" \
                and not others:
            return (f"{node.name} is the last active node; {wanted}ing it leaves no node "
                    "to run tasks")
    elif action == "node.promote":
        node = _node(params, state)
        if node.is_manager:
            return f"{node.name} is already a manager"
    elif action == "node.demote":
        node = _node(params, state)
        if not node.is_manager:
            return f"{node.name} is not a manager"
        if sum(1 for n in state.nodes if n.is_manager) <= 1:
            return f"{node.name} is the only manager; demoting it would leave no manager"
    elif action == "node.label_add":
        node = _node(params, state)
        if not LABEL_KEY.match(params["key"]):
            return f"{params['key']!r} is not a label key"
        if node.labels.get(params["key"]) == str(params["value"]):
            return f"{node.name} already has {params['key']}={params['value']}"
    elif action == "node.label_remove":
        node = _node(params, state)
        if params["key"] not in node.labels:
            return f"{node.name} has no label {params['key']!r}"
    elif action == "ssh.run":
        return check_command(params["command"])
    return None


def check_command(command: str) -> str | None:
    """A command for `ssh.run`: one program and its arguments, no shell syntax."""
    if SHELL_OPERATORS.search(command):
        return ("the command contains shell syntax (; & | < > ` $ \\); "
                "run one program with its arguments")
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        return f"the command does not parse: {exc}"
    if not argv:
        return "the command is empty"
    if argv[0].startswith("-"):
        return "the command starts with '-'"
    return _breaks_the_node(argv) or _only_looks(argv)


# What `ssh.run` runs: programs that look at a node. The refusals above give the reason
# for the well-known dangers; this list is the gate, so a danger nobody listed (a network
# manager, an editor, a downloader writing over a file) is refused too.
LOOKERS = frozenset({
    "uptime", "df", "free", "du", "ps", "top", "uname", "hostname", "hostnamectl", "cat",
    "head", "tail", "grep", "egrep", "fgrep", "zgrep", "zcat", "ls", "stat", "wc", "id",
    "whoami", "groups", "who", "w", "last", "date", "ip", "ss", "netstat", "ping", "ping6",
    "traceroute", "tracepath", "dig", "nslookup", "host", "getent", "curl", "lsblk",
    "findmnt", "dmesg", "journalctl", "systemctl", "docker", "iostat", "vmstat", "mpstat",
    "pidstat", "sar", "nproc", "lscpu", "lsmem", "lspci", "lsusb", "lsof", "sensors",
    "timedatectl", "chronyc", "ntpq", "file", "md5sum", "sha1sum", "sha256sum",
    "find", "tree", "iptables", "echo", "pgrep", "pstree", "nstat", "conntrack",
    "lsns", "readlink", "realpath", "basename", "dirname", "sort", "uniq", "cut", "diff"})
# Subcommands of the programs that also change things: only these look.
LOOKING_SUBCOMMANDS = {
    "docker": {"ps", "info", "version", "inspect", "logs", "images", "stats", "top", "port",
               "diff", "history", "events", "node", "service", "network", "volume",
               "container", "image", "system", "stack", "config", "secret"},
    "systemctl": {"status", "is-active", "is-enabled", "is-failed", "is-system-running",
                  "list-units", "list-timers", "list-unit-files", "list-sockets",
                  "list-dependencies", "show", "cat"},
    "hostnamectl": {"status", "show"},
    "timedatectl": {"status", "show", "timesync-status", "show-timesync"},
    "chronyc": {"tracking", "sources", "sourcestats", "activity"},
}
CONNTRACK_LISTS = {"-L", "--dump", "-S", "--stats", "-C", "--count"}  # its options are verbs
# `docker node ls`, `docker service ps web`: the second word of docker's object commands.
DOCKER_LOOKS = {"ls", "list", "ps", "inspect", "logs", "df", "info", "top", "port",
                "history", "stats", "diff", "services"}
WRITING_OPTIONS = {
    "curl": {"-o", "-O", "--output", "--remote-name", "--remote-name-all", "-T",
             "--upload-file", "-d", "--data", "--data-binary", "--data-raw",
             "--data-urlencode", "-F", "--form", "-X", "--request", "-K", "--config", "-c",
             "--cookie-jar", "-D", "--dump-header", "--output-dir", "--create-dirs"},
    "date": {"-s", "--set"},
    "dmesg": {"-C", "--clear", "-c", "--read-clear", "-D", "--console-off", "-E",
              "--console-on", "-n", "--console-level"},
    "sort": {"-o", "--output"},
    "tree": {"-o"},
    "sar": {"-o"},
    "hostname": {"-F", "--file", "-b", "--boot"},
    "ss": {"-K", "--kill"},
    "ping": {"-f"},  # a flood
}
# Files whose text is a secret: printed, it would sit in the jobs view and its saved logs.
SECRET_PATH = re.compile(
    r"/var/lib/docker/swarm|/etc/(g?shadow|sudoers)|/\.ssh/|/run/secrets|/etc/ssl/private"
    r"|/etc/ssh/|/\.docker/config|/\.aws/|/\.kube/|/\.netrc|/\.pgpass|/proc/[^/]*/environ"
    r"|(^|/)(id_[^/]*|[^/]*_key|[^/]*\.key|[^/]*key\.pem|[^/]*\.p12|[^/]*\.pfx"
    r"|key\.json|[^/]*\.env)\Z", re.IGNORECASE)


def _only_looks(argv: list[str]) -> str | None:
    program = argv[0].rsplit("/", 1)[-1]
    looks_only = "swarmtui only runs commands that look at a node; use your own SSH session"
    if program not in LOOKERS:
        return (f"swarmtui only runs programs that look at a node (uptime, df, free, ps, "
                f"journalctl, docker ps, systemctl status, …), and {program!r} is not one of "
                "them; use your own SSH session")
    args = argv[1:]
    options = {a.split("=", 1)[0] for a in args if a.startswith("-")}
    # short options run together: -qO- holds -O
    options |= {f"-{c}" for a in args if re.match(r"-[A-Za-z]{2,}", a) for c in a[1:]}
    writing = options & WRITING_OPTIONS.get(program, set())
    if writing:
        return f"`{program} {sorted(writing)[0]}` writes or changes something; {looks_only}"
    words = [a for a in args if not a.startswith("-")]
    allowed = LOOKING_SUBCOMMANDS.get(program)
    if allowed is not None and words and words[0] not in allowed:
        return f"`{program} {words[0]}` does more than look; {looks_only}"
    if program == "conntrack" and not options & CONNTRACK_LISTS:
        return f"`conntrack` without -L or -S can change the tables; {looks_only}"
    if program == "docker" and len(words) > 1 and words[0] in (
            "node", "service", "network", "volume", "container", "image", "system", "stack",
            "config", "secret") and words[1] not in DOCKER_LOOKS:
        return f"`docker {words[0]} {words[1]}` changes the swarm; {looks_only}"
    if program in ("hostname", "date") and any(not w.startswith("+") for w in words):
        return f"`{program} {words[0]}` sets the node's {program}; {looks_only}"
    if program == "ip" and "exec" in words:
        return "`ip netns exec` runs other programs; name the program itself"
    if program == "top" and not options & {"-b", "--batch"} and not any(
            re.match(r"-[A-Za-z]*b", a) for a in args):
        return "top is interactive; `top -b -n 1` prints one screenful"
    if program == "iptables" and not any(
            re.match(r"-[A-Za-z]*[LS][A-Za-z]*\Z", a) or a in ("--list", "--list-rules")
            for a in args):
        return f"iptables only with -L or -S, listing the rules; {looks_only}"
    if program in ("grep", "egrep", "fgrep", "zgrep") and options & {"-r", "-R", "--recursive",
                                                                "--dereference-recursive"}:
        return ("a recursive grep reads every file below a folder, keys and secrets "
                "included; grep named files, or use your own SSH session")
    secret = next((a for a in args if SECRET_PATH.search(a.rstrip("/"))), None)
    if secret is not None:
        return (f"{secret!r} holds keys or secrets; its text would stay in the jobs view "
                "and its logs — read it in your own SSH session")
    return None


def _breaks_the_node(argv: list[str]) -> str | None:
    program = argv[0].rsplit("/", 1)[-1]
    if program in WRAPPERS or (program in INTERPRETERS and len(argv) > 1):
        return (f"{program} runs other programs or code; name the program itself "
                "(it runs as the configured SSH user)")
    words = set(argv[1:]) | {a.split("=", 1)[0] for a in argv[1:] if a.startswith("-")}
    if program in NODE_BREAKERS or program.startswith("mkfs."):
        return (f"{program!r} can stop, wipe or cut off the node; swarmtui runs commands "
                "that look, not ones that break — use your own SSH session")
    if program == "sed" and any(re.match(r"-[a-zA-Z]*i|--in-place", a) for a in argv[1:]):
        return "`sed -i` edits files on the node; use your own SSH session"
    if program in BREAKING_SUBCOMMANDS and words & BREAKING_SUBCOMMANDS[program]:
        hits = words & BREAKING_SUBCOMMANDS[program]
        first = next(i for i, a in enumerate(argv) if a in hits or a.split("=", 1)[0] in hits)
        shown = " ".join(argv[:first + 1])
        return (f"`{shown}` changes the node or the swarm behind swarmtui's back; "
                "use the matching action (drain, restart, remove) or your own SSH session")
    return None


def _env_of(service: Service) -> dict[str, str]:
    """The environment in the service's spec, as NAME -> value (a bare NAME has no value)."""
    container = (service.spec.get("TaskTemplate") or {}).get("ContainerSpec") or {}
    env: dict[str, str] = {}
    for item in container.get("Env") or ():
        name, _, value = str(item).partition("=")
        env[name] = value
    return env
