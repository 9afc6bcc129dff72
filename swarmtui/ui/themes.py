"""Theme files (`themes/*.yaml`) → Textual themes with swarmtui's own variables.

Each theme sets Textual's base colours and the app variables the console
uses for health states (`$health-ok`, `$health-failing`, …). Bundled themes
ship in the wheel; users drop more into `<config dir>/themes/`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual.color import Color, ColorParseError
from textual.theme import Theme

from swarmtui.config import ConfigError, config_dir, read_yaml

BASE_COLOURS = ("primary", "secondary", "accent", "foreground", "background", "surface",
                "panel", "success", "warning", "error", "boost")

VARIABLE_DEFAULTS = {
    "health-ok": "#5FB760",
    "health-completed": "#7FA886",
    "health-updating": "#4FB3D9",
    "health-degraded": "#E5A33B",
    "health-pending": "#D9C24F",
    "health-paused": "#F08A30",
    "health-failing": "#F0505E",
    "node-down": "#F0505E",
    "changed": "#3B4A62",
    "log-stderr": "#F08A8A",
    "log-match": "#F0A030",
}


def bundled_dir(kind: str) -> Path:
    """`themes` or `keymaps`: inside the installed package, or at the repository top."""
    package = Path(__file__).resolve().parent.parent
    installed = package / kind
    return installed if installed.is_dir() else package.parent / kind


def data_files(kind: str) -> list[Path]:
    """The bundled `kind/*.yaml` files, then the user's in the config dir."""
    files = sorted(bundled_dir(kind).glob("*.yaml"))
    user = config_dir() / kind
    if user.is_dir():
        files += sorted(user.glob("*.yaml"))
    return files


def theme_files() -> list[Path]:
    return data_files("themes")


def _colour(path: Path, name: str, value: Any) -> str:
    try:
        Color.parse(str(value))
    except ColorParseError:
        raise ConfigError(f"{path}: field '{name}': {value!r} is not a colour") from None
    return str(value)


def load_theme(path: Path) -> Theme:
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping with at least 'name' and 'primary'")
    for required in ("name", "primary"):
        if not data.get(required):
            raise ConfigError(f"{path}: field '{required}' is missing")
    unknown = set(data) - {"name", "dark", "variables", *BASE_COLOURS}
    if unknown:
        raise ConfigError(f"{path}: unknown field '{sorted(unknown)[0]}'")
    colours = {k: _colour(path, k, data[k]) for k in BASE_COLOURS if data.get(k) is not None}
    variables = data.get("variables") or {}
    if not isinstance(variables, dict):
        raise ConfigError(f"{path}: field 'variables' must be a mapping")
    for key, value in variables.items():
        if key not in VARIABLE_DEFAULTS:
            raise ConfigError(
                f"{path}: field 'variables.{key}' is not a swarmtui variable "
                f"(known: {', '.join(VARIABLE_DEFAULTS)})"
            )
        _colour(path, f"variables.{key}", value)
    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        raise ConfigError(f"{path}: field 'dark' must be true or false")
    return Theme(
        name=str(data["name"]),
        dark=dark,
        variables={**VARIABLE_DEFAULTS, **{k: str(v) for k, v in variables.items()}},
        **colours,
    )


@dataclass(frozen=True, slots=True)
class Palette:
    """The colours row renderers use, read from the active theme's variables."""

    colours: dict[str, str]

    def __getitem__(self, name: str) -> str:
        return self.colours.get(name, VARIABLE_DEFAULTS.get(name, ""))

    @classmethod
    def from_variables(cls, variables: dict[str, str]) -> Palette:
        return cls({k: variables.get(k, v) for k, v in VARIABLE_DEFAULTS.items()})


DEFAULT_PALETTE = Palette(dict(VARIABLE_DEFAULTS))
