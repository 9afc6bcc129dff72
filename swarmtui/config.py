"""Settings: built-in defaults < config file < SWARMTUI_* environment < flags.

The config file is YAML at `$XDG_CONFIG_HOME/swarmtui/config.yaml`
(`SWARMTUI_CONFIG` names another file). A bad file is reported by file, line
and field; nothing here raises anything but `ConfigError`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml


class ConfigError(Exception):
    """A settings problem, as one line naming the file and the field."""


@dataclass(frozen=True, slots=True)
class NodeSSH:
    """How to reach one node over SSH when its swarm address is not the way in."""

    host: str | None = None
    port: int | None = None
    user: str | None = None
    key: str | None = None
    jump: str | None = None  # [user@]host[:port] of a bastion to go through


NODE_SSH_FIELDS = {
    "host": (str, None, "a host name or address"),
    "port": (int, lambda v: 1 <= v <= 65535, "a port number"),
    "user": (str, None, "a user name"),
    "key": (str, None, "the path of a private key"),
    "jump": (str, lambda v: _valid_jump(v), "a jump host as [user@]host[:port]"),
}


@dataclass(frozen=True, slots=True)
class Settings:
    host: str | None = None
    context: str | None = None
    theme: str = "swarmtui-dark"
    keymap: str = "default"
    poll_interval: float = 2.0
    readonly: bool = False
    wall_rotate_seconds: float = 15.0
    log_max_lines: int = 10_000
    log_tail: int = 200
    highlight_seconds: float = 1.5
    llm_api_key: str | None = None  # ANTHROPIC_API_KEY also counts
    llm_model: str = "claude-haiku-4-5"
    llm_base_url: str | None = None
    llm_timeout: float = 15.0
    llm_retries: int = 1
    ssh_user: str | None = None
    ssh_port: int | None = None
    ssh_key: str | None = None
    ssh_known_hosts: str | None = None  # default: ~/.ssh/known_hosts
    ssh_nodes: Mapping[str, NodeSSH] = field(default_factory=dict)  # per-node overrides
    alertmanager_url: str | None = None
    alertmanager_push: bool = False
    alertmanager_interval: float = 15.0
    sources: tuple[str, ...] = field(default=(), compare=False)  # where values came from
    origins: Mapping[str, str] = field(default_factory=dict, compare=False)  # field → where

    def origin(self, name: str) -> str:
        """Where a setting came from, to name it in a message: the file and its field,
        a variable, or a flag."""
        return self.origins.get(name, f"the default {name}")


# The engine addresses `swarm.endpoint.open_source` can open (a bare path is a socket).
ENGINE_SCHEMES = ("unix://", "tcp://", "http://", "https://", "npipe://", "ssh://")

# name → (type, check, description of a valid value)
FIELDS: dict[str, tuple[type, Any, str]] = {
    "host": (str, lambda v: v.startswith(("/", *ENGINE_SCHEMES)),
             "an engine address such as unix:///var/run/docker.sock, tcp://HOST:2376 "
             "or ssh://USER@HOST"),
    "context": (str, None, "a docker context name"),
    "theme": (str, None, "a theme name"),
    "keymap": (str, None, "a keymap name"),
    "poll_interval": (float, lambda v: 0.2 <= v <= 600, "a number of seconds from 0.2 to 600"),
    "readonly": (bool, None, "true or false"),
    "wall_rotate_seconds": (float, lambda v: 2 <= v <= 3600, "a number of seconds from 2 to 3600"),
    "log_max_lines": (int, lambda v: 100 <= v <= 1_000_000, "a whole number from 100 to 1000000"),
    "log_tail": (int, lambda v: 0 <= v <= 100_000, "a whole number from 0 to 100000"),
    "highlight_seconds": (float, lambda v: 0 <= v <= 60, "a number of seconds from 0 to 60"),
    "llm_api_key": (str, None, "an Anthropic API key"),
    "llm_model": (str, None, "a model name such as claude-haiku-4-5"),
    "llm_base_url": (str, lambda v: v.startswith(("http://", "https://")),
                     "a URL such as https://api.anthropic.com"),
    "llm_timeout": (float, lambda v: 1 <= v <= 300, "a number of seconds from 1 to 300"),
    "llm_retries": (int, lambda v: 0 <= v <= 10, "a whole number from 0 to 10"),
    "ssh_user": (str, None, "a user name"),
    "ssh_port": (int, lambda v: 1 <= v <= 65535, "a port number"),
    "ssh_key": (str, None, "the path of a private key"),
    "ssh_known_hosts": (str, None, "the path of a known_hosts file"),
    "ssh_nodes": (dict, None, "a mapping of node name to {host, port, user, key, jump}"),
    "alertmanager_url": (str, lambda v: v.startswith(("http://", "https://")),
                         "a URL such as http://127.0.0.1:9093"),
    "alertmanager_push": (bool, None, "true or false"),
    "alertmanager_interval": (float, lambda v: 1 <= v <= 3600,
                              "a number of seconds from 1 to 3600"),
}

# The command-line flag that sets a field, as `swarmtui --help` spells it, to name it in
# a message (`--poll`, not the field's name); others would be `--field-name`.
FLAGS = {"host": "--host", "context": "--context", "theme": "--theme", "keymap": "--keymap",
         "poll_interval": "--poll", "readonly": "--readonly",
         "alertmanager_url": "--alertmanager"}


def flag_for(name: str) -> str:
    return FLAGS.get(name, f"--{name.replace('_', '-')}")


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME", "~")).expanduser() / ".config")
    return Path(base) / "swarmtui"


def state_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    base = env.get("XDG_STATE_HOME") or str(
        Path(env.get("HOME", "~")).expanduser() / ".local" / "state"
    )
    return Path(base) / "swarmtui"


def config_file(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get("SWARMTUI_CONFIG"):
        return Path(env["SWARMTUI_CONFIG"])
    return config_dir(env) / "config.yaml"


BOOLEAN_WORDS = {"true": True, "yes": True, "1": True, "on": True,
                 "false": False, "no": False, "0": False, "off": False}


def _coerce(name: str, value: Any, source: str,
            table: Mapping[str, tuple[type, Any, str]] = FIELDS, label: str = "",
            *, from_text: bool = False) -> Any:
    """`value` checked and converted; `source` is the file (with `label`, the field as the
    file spells it), the variable or the flag it came from. Only a variable's text
    (`from_text`) may spell a boolean as 1/yes/on: in YAML a boolean is true or false."""
    kind, check, valid = table[name]
    original = value
    ok = True
    if kind is dict:
        return _node_overrides(value, source)
    if kind is bool:
        if from_text and isinstance(value, str):
            value = BOOLEAN_WORDS.get(value.lower(), value)
        ok = isinstance(value, bool)
    elif kind in (int, float):
        if isinstance(value, bool):
            ok = False
        else:
            try:
                number = float(value)
                value = int(number) if kind is int else number
                ok = kind is float or number == int(number)
            except (TypeError, ValueError, OverflowError):
                ok = False
    elif kind is str:
        ok = isinstance(value, str) and bool(value.strip())
    if ok and check is not None:
        ok = check(value)
    if not ok:
        shown = "(hidden)" if name == "llm_api_key" else repr(original)
        where = f"{source}: field '{label}'" if label else source
        raise ConfigError(f"{where} must be {valid}, not {shown}")
    return value


JUMP = re.compile(r"^(?:[^@\s]+@)?(?P<host>[^@\s:]+)(?::(?P<port>\d{1,5}))?$")


def _valid_jump(value: str) -> bool:
    match = JUMP.match(value)
    return match is not None and (match["port"] is None or 1 <= int(match["port"]) <= 65535)


def _node_overrides(value: Any, where: str) -> dict[str, NodeSSH]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: field 'ssh.nodes' must be {FIELDS['ssh_nodes'][2]}")
    overrides: dict[str, NodeSSH] = {}
    for node, options in value.items():
        if not isinstance(node, str) or not node.strip():
            raise ConfigError(f"{where}: field 'ssh.nodes' must be keyed by node names, "
                              f"not {node!r}")
        if not isinstance(options, dict):
            raise ConfigError(f"{where}: field 'ssh.nodes.{node}' must be a mapping of "
                              f"{', '.join(NODE_SSH_FIELDS)}")
        values = {}
        for key, item in options.items():
            if key not in NODE_SSH_FIELDS:
                raise ConfigError(f"{where}: unknown field 'ssh.nodes.{node}.{key}' (known: "
                                  f"{', '.join(NODE_SSH_FIELDS)})")
            values[key] = _coerce(key, item, where, NODE_SSH_FIELDS, f"ssh.nodes.{node}.{key}")
        overrides[str(node)] = NodeSSH(**values)
    return overrides


def read_yaml(path: Path, *, nodes: bool = False) -> Any:
    """A YAML file's data (or, with `nodes`, its node tree for line numbers).

    Every way a user's file can be unreadable becomes one `ConfigError` line.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        return yaml.compose(text) if nodes else yaml.safe_load(text)
    except (RecursionError, ValueError):  # absurd nesting, a 5000-digit number
        raise ConfigError(f"{path}: too deeply nested or too large to read") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path} line {mark.line + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ConfigError(f"{where}: {problem}") from None


def _read_file(path: Path) -> dict[str, Any]:
    try:
        if not path.exists():
            return {}
    except OSError as exc:  # a folder on the way we may not enter: said, not a traceback
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    data = read_yaml(path)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top")
    flat: dict[str, tuple[Any, str]] = {}  # field → (value, as the file spells it)
    for key, value in data.items():
        name = str(key).replace("-", "_")
        if name in FIELDS:
            flat[name] = (value, str(key))
        elif str(key) in SECTIONS or isinstance(value, dict):
            # sections: `logs: {max_lines: …}` → log_max_lines, named logs.max_lines
            if not isinstance(value, dict):
                known = ", ".join(sorted(f.split("_", 1)[1] for f in FIELDS
                                         if f.startswith(SECTIONS[str(key)] + "_")))
                raise ConfigError(f"{path}: field '{key}' must be a mapping of {known}")
            for sub, inner in value.items():
                flat[_section_field(str(key), str(sub))] = (inner, f"{key}.{sub}")
        else:
            flat[name] = (value, str(key))
    return flat


def _spelled(field_name: str) -> str:
    """A field as the file spells it: log_max_lines → logs.max_lines."""
    for section, prefix in SECTIONS.items():
        if field_name.startswith(prefix + "_"):
            return f"{section}.{field_name[len(prefix) + 1:]}"
    return field_name


SECTIONS = {"logs": "log", "wall": "wall", "llm": "llm", "ssh": "ssh",
            "alertmanager": "alertmanager"}


def _section_field(section: str, key: str) -> str:
    return f"{SECTIONS.get(section, section)}_{key}".replace("-", "_")


def load_settings(
    flags: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    env = os.environ if env is None else env
    path = config_file(env)
    values: dict[str, Any] = {}
    sources: list[str] = []
    origins: dict[str, str] = {}
    from_file = _read_file(path)
    for name, (value, shown) in from_file.items():
        if name not in FIELDS:
            known = ", ".join(sorted(_spelled(f) for f in FIELDS))
            raise ConfigError(f"{path}: unknown field '{shown}' (known: {known})")
        values[name] = _coerce(name, value, str(path), label=shown)
        origins[name] = f"{path}: field '{shown}'"
    if from_file:
        sources.append(str(path))
    for name, (kind, _check, _valid) in FIELDS.items():
        variable = f"SWARMTUI_{name.upper()}"
        if env.get(variable) and kind is not dict:
            values[name] = _coerce(name, env[variable], variable, from_text=True)
            sources.append(variable)
            origins[name] = variable
    if "llm_api_key" not in values and env.get("ANTHROPIC_API_KEY"):
        values["llm_api_key"] = env["ANTHROPIC_API_KEY"]
        origins["llm_api_key"] = "ANTHROPIC_API_KEY"
    for name, value in (flags or {}).items():
        if value is not None and name in FIELDS:
            values[name] = _coerce(name, value, flag_for(name))
            origins[name] = flag_for(name)
    return replace(Settings(), **values, sources=tuple(sources), origins=origins)


def ssh_configured(settings: Settings) -> bool:
    """Whether the operator told us how to reach nodes (probes run only then)."""
    return bool(settings.ssh_user or settings.ssh_key or settings.ssh_nodes)


def ssh_settings(settings: Settings) -> Any:
    """The SSH options for reaching nodes, from the settings."""
    from swarmtui.actions.ssh import SSHSettings

    return SSHSettings(
        username=settings.ssh_user,
        port=settings.ssh_port,
        client_keys=(settings.ssh_key,) if settings.ssh_key else None,
        known_hosts=settings.ssh_known_hosts,
        nodes=dict(settings.ssh_nodes),
    )


def setting_names() -> list[str]:
    return [f.name for f in fields(Settings) if f.name != "sources"]
