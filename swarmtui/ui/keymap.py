"""Keymap files (`keymaps/*.yaml`): binding ids → keys, checked before use.

A keymap maps the `id` of a binding to one key or a comma-separated list:

    cursor-down: j,down
    focus-nodes: "1"

Unknown ids and two bindings of one scope on the same key are reported by
file and line. Bundled keymaps ship in the wheel; users add their own in
`<config dir>/keymaps/`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml
from textual.binding import Binding
from textual.keys import KEY_NAME_REPLACEMENTS, Keys

from swarmtui.config import ConfigError, config_dir, read_yaml
from swarmtui.ui.themes import bundled_dir, data_files


@dataclass(frozen=True, slots=True)
class BindingInfo:
    id: str
    scope: str  # "global" bindings are live everywhere; others only in their widget or screen
    keys: str  # the default keys
    description: str


def binding_registry(scopes: Mapping[str, Iterable[object]]) -> dict[str, BindingInfo]:
    """Every binding with an id, from the `BINDINGS` of the classes in each scope."""
    registry: dict[str, BindingInfo] = {}
    for scope, classes in scopes.items():
        for cls in classes:
            for binding in getattr(cls, "BINDINGS", []):
                if isinstance(binding, Binding) and binding.id:
                    registry.setdefault(
                        binding.id,
                        BindingInfo(binding.id, scope, binding.key,
                                    binding.description or binding.action),
                    )
    return registry


def keymap_path(name: str) -> Path:
    """A keymap by name (user's first) or by path."""
    candidate = Path(name)
    if candidate.suffix in (".yaml", ".yml") and candidate.exists():
        return candidate
    for folder in (config_dir() / "keymaps", bundled_dir("keymaps")):
        path = folder / f"{name}.yaml"
        if path.exists():
            return path
    known = sorted({p.stem for p in available_keymaps()})
    raise ConfigError(f"no keymap named {name!r} (known: {', '.join(known)})")


def available_keymaps() -> list[Path]:
    return data_files("keymaps")


MODIFIERS = ("ctrl+", "shift+", "alt+", "super+", "meta+", "hyper+")
NAMED_KEYS = frozenset(k.value for k in Keys) | frozenset(KEY_NAME_REPLACEMENTS.values()) \
    | {"enter", "tab", "space", "backspace", "delete", "insert"}
RESERVED = {"ctrl+p": "it opens the command palette", "ctrl+c": "it copies / interrupts"}


def valid_key(key: str) -> bool:
    """A key Textual can deliver: a character, a named key, with modifiers or not."""
    base = key
    while base.startswith(MODIFIERS):
        base = base.split("+", 1)[1]
    if len(base) == 1 and base.isprintable():
        return True
    if key in NAMED_KEYS or base in NAMED_KEYS or base.lower() in NAMED_KEYS:
        return True
    try:  # Textual names punctuation by its Unicode name: question_mark, colon, …
        unicodedata.lookup(base.replace("_", " "))
    except KeyError:
        return False
    return True


def _split(keys: str) -> list[str]:
    return [k.strip() for k in keys.split(",") if k.strip()]


def load_keymap(path: Path, registry: Mapping[str, BindingInfo]) -> dict[str, str]:
    """The keymap in `path`, validated: unknown ids and clashes name file and line."""
    root = read_yaml(path, nodes=True)
    if root is None:
        return {}
    if not isinstance(root, yaml.MappingNode):
        raise ConfigError(f"{path}: expected 'binding-id: key' lines")
    keymap: dict[str, str] = {}
    lines: dict[str, int] = {}
    for key_node, value_node in root.value:
        line = key_node.start_mark.line + 1
        binding_id = str(key_node.value)
        if binding_id in lines:
            raise ConfigError(f"{path} line {line}: '{binding_id}' is mapped twice "
                              f"(also line {lines[binding_id]})")
        if binding_id not in registry:
            raise ConfigError(
                f"{path} line {line}: unknown binding id '{binding_id}' "
                f"(see `?` in the console for the ids)"
            )
        if not isinstance(value_node, yaml.ScalarNode) or not _split(str(value_node.value)):
            raise ConfigError(f"{path} line {line}: '{binding_id}' needs a key, e.g. 'ctrl+x'")
        for key in _split(str(value_node.value)):
            if key in RESERVED:
                raise ConfigError(f"{path} line {line}: '{key}' cannot be bound to "
                                  f"'{binding_id}': {RESERVED[key]}")
            if not valid_key(key):
                raise ConfigError(f"{path} line {line}: '{key}' is not a key name (try 'x', "
                                  "'X', 'ctrl+x', 'f5', 'pagedown', 'question_mark')")
        keymap[binding_id] = ",".join(_split(str(value_node.value)))
        lines[binding_id] = line
    _check_clashes(path, keymap, lines, registry)
    return keymap


def effective_keys(registry: Mapping[str, BindingInfo], keymap: Mapping[str, str]
                   ) -> dict[str, list[str]]:
    return {bid: _split(keymap.get(bid, info.keys)) for bid, info in registry.items()}


def _check_clashes(path: Path, keymap: Mapping[str, str], lines: Mapping[str, int],
                   registry: Mapping[str, BindingInfo]) -> None:
    keys = effective_keys(registry, keymap)
    owners: dict[tuple[str, str], str] = {}
    for binding_id in sorted(keys, key=lambda b: (b not in keymap, lines.get(b, 0))):
        scope = registry[binding_id].scope
        for key in keys[binding_id]:
            for other_scope in _live_with(scope, registry):
                other = owners.get((other_scope, key))
                if other and other != binding_id:
                    culprit = binding_id if binding_id in keymap else other
                    where = f"{path} line {lines[culprit]}" if culprit in lines else str(path)
                    raise ConfigError(
                        f"{where}: key '{key}' is bound to both '{other}' and '{binding_id}'"
                    )
            owners[(scope, key)] = binding_id


# Scopes whose bindings are live at the same moment (a screen and the tables on it).
TOGETHER = frozenset({("dashboard", "table"), ("detail", "table")})


def _live_with(scope: str, registry: Mapping[str, BindingInfo]) -> set[str]:
    if scope == "global":
        return {info.scope for info in registry.values()}
    partners = {b for a, b in TOGETHER if a == scope} | {a for a, b in TOGETHER if b == scope}
    return {scope, "global", *partners}
