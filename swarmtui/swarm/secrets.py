"""Secret-looking values in service specs, masked before they reach a screen or a file."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from typing import Any

MASK = "••••••"
SECRET_NAME = re.compile(r"KEY|SECRET|TOKEN|PASSWORD|PASSWD|PASS|CREDENTIAL|AUTH|PRIVATE", re.I)
URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^:/@\s]*):(?P<pw>[^@/\s]+)@",
                             re.I)


def is_secret_name(name: str) -> bool:
    return bool(SECRET_NAME.search(name))


def mask_value(name: str, value: str) -> str:
    """The whole value for a secret-looking name; only the password inside a URL otherwise."""
    if is_secret_name(name):
        return MASK if value else value
    return URL_CREDENTIALS.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", value)


def mask_env(env: Iterable[str]) -> list[str]:
    """`["K=V", …]` as in a ContainerSpec, with secret values masked."""
    masked = []
    for entry in env:
        name, sep, value = str(entry).partition("=")
        masked.append(f"{name}{sep}{mask_value(name, value)}" if sep else name)
    return masked


def _mask_container_spec(container: Any) -> None:
    if isinstance(container, dict) and isinstance(container.get("Env"), list):
        container["Env"] = mask_env(container["Env"])


def mask_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """A copy of a ServiceSpec (or TaskSpec) with every environment masked."""
    spec = copy.deepcopy(spec)
    _mask_container_spec((spec.get("TaskTemplate") or {}).get("ContainerSpec"))
    _mask_container_spec(spec.get("ContainerSpec"))
    return spec


def mask_service(raw: dict[str, Any]) -> dict[str, Any]:
    """A raw service or task object with its spec, previous spec and env masked."""
    raw = dict(raw)
    for key in ("Spec", "PreviousSpec"):
        if isinstance(raw.get(key), dict):
            raw[key] = mask_spec(raw[key])
    return raw
