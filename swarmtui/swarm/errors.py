"""Turn docker SDK and socket exceptions into one-line `SourceError`s (C-12, C-13)."""

from __future__ import annotations

from collections.abc import Iterator

from swarmtui.swarm.source import SourceError


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception, its causes and the exceptions tucked into its args."""
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for nested in (current.__cause__, current.__context__, *current.args):
            if isinstance(nested, BaseException):
                stack.append(nested)


def _socket_path(base_url: str) -> str:
    for prefix in ("unix://", "http+unix://"):
        if base_url.startswith(prefix):
            return base_url[len(prefix):]
    return base_url


def explain(exc: BaseException, base_url: str) -> SourceError:
    """The most specific reason we can name for failing to talk to `base_url`."""
    if isinstance(exc, SourceError):
        return exc
    text = " ".join(str(e) for e in _causes(exc))
    for cause in _causes(exc):
        if isinstance(cause, PermissionError):
            return SourceError(
                f"permission denied on {_socket_path(base_url)}: add your user to the "
                "'docker' group, run as root, or use a remote context (--host)",
                "permission",
            )
        if isinstance(cause, FileNotFoundError):
            return SourceError(
                f"no Docker socket at {_socket_path(base_url)}: is the daemon running? "
                "Check DOCKER_HOST or pass --host",
                "no-socket",
            )
        if isinstance(cause, ConnectionRefusedError):
            return SourceError(
                f"connection refused by {base_url}: the daemon is not listening there",
                "refused",
            )
    if "Permission denied" in text:
        return SourceError(f"permission denied on {_socket_path(base_url)}", "permission")
    if "No such file or directory" in text:
        return SourceError(f"no Docker socket at {_socket_path(base_url)}", "no-socket")
    if "Connection refused" in text:
        return SourceError(f"connection refused by {base_url}", "refused")
    if "does not have a leader" in text or "no leader" in text.lower():
        return SourceError(
            "the swarm does not have a leader: quorum is lost", "no-leader"
        )
    if "not a swarm manager" in text:
        return SourceError("this node is not a swarm manager", "not-manager")
    if "timed out" in text.lower() or "timeout" in text.lower():
        return SourceError(f"{base_url} did not answer in time", "unreachable")
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return SourceError(f"cannot talk to {base_url}: {first_line}", "unreachable")
