"""Which engine to talk to: --host, DOCKER_HOST, a docker context, or the default.

Precedence follows the docker CLI: an explicit `--host` wins, then
`DOCKER_HOST`, then `--context` / `DOCKER_CONTEXT` / the CLI's current
context, then the local socket.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from swarmtui.swarm.recorded import RecordedSource
from swarmtui.swarm.source import Source, SourceError

DEFAULT_HOST = "unix:///var/run/docker.sock"


@dataclass(frozen=True, slots=True)
class Endpoint:
    url: str
    origin: str  # where the URL came from, for messages
    tls: Any = False


def _context_host(name: str) -> str:
    from docker.context import ContextAPI

    try:
        context = ContextAPI.get_context(name)
    except Exception as exc:  # the SDK raises several kinds for a broken store
        raise SourceError(f"docker context {name!r}: {exc}", "error") from None
    if context is None:
        raise SourceError(f"docker context {name!r} does not exist", "error")
    return context.Host or DEFAULT_HOST


def _current_context(env: Mapping[str, str]) -> str | None:
    if env.get("DOCKER_CONTEXT"):
        return env["DOCKER_CONTEXT"]
    from docker.context.config import get_current_context_name

    name = get_current_context_name()
    return None if name in (None, "default") else name


def resolve_endpoint(
    host: str | None = None,
    context: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Endpoint:
    env = os.environ if env is None else env
    if host:
        return Endpoint(_normalise(host), "--host")
    if env.get("DOCKER_HOST"):
        tls: Any = False
        if env.get("DOCKER_TLS_VERIFY") or env.get("DOCKER_CERT_PATH"):
            from docker.utils import kwargs_from_env

            try:
                tls = kwargs_from_env(environment=dict(env)).get("tls", False)
            except Exception as exc:  # the SDK's TLSParameterError and friends
                raise SourceError(f"DOCKER_TLS_VERIFY/DOCKER_CERT_PATH: {exc}", "error") from None
        return Endpoint(_normalise(env["DOCKER_HOST"]), "DOCKER_HOST", tls)
    name = context or _current_context(env)
    if name:
        return Endpoint(_normalise(_context_host(name)), f"docker context {name}")
    return Endpoint(DEFAULT_HOST, "default socket")


def _normalise(url: str) -> str:
    if url.startswith("/"):
        return f"unix://{url}"
    return url


def open_source(
    *,
    host: str | None = None,
    context: str | None = None,
    snapshot: str | Path | None = None,
    readonly: bool = False,
) -> Source:
    """The source the command line asked for; raises `SourceError` for bad input."""
    if snapshot:
        return RecordedSource(snapshot)
    endpoint = resolve_endpoint(host, context)
    api_version = os.environ.get("DOCKER_API_VERSION") or None
    # The docker SDK and asyncssh load only when a live engine is asked for.
    from swarmtui.swarm.engine import EngineSource

    if endpoint.url.startswith("ssh://"):
        from swarmtui.swarm.tunnel import SSHTunnel, TunnelledEngineSource

        tunnel = SSHTunnel(endpoint.url)
        return TunnelledEngineSource(
            tunnel, readonly=readonly, description=endpoint.url, api_version=api_version
        )
    if not endpoint.url.startswith(("unix://", "tcp://", "http://", "https://", "npipe://")):
        raise SourceError(
            f"unsupported Docker host {endpoint.url!r} (from {endpoint.origin}): "
            "use unix://, tcp:// or ssh://",
            "error",
        )
    return EngineSource(endpoint.url, tls=endpoint.tls, readonly=readonly, api_version=api_version)
