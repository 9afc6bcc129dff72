"""Where cluster state comes from: one interface, a live engine or a recording."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Protocol

from swarmtui.swarm.model import EngineInfo
from swarmtui.swarm.parse import RawCluster


class SourceError(Exception):
    """A failure an operator can act on, as one line, never a traceback.

    `kind` lets callers react without parsing text: unreachable, permission,
    no-socket, refused, not-manager, not-swarm, api-version, no-leader,
    bad-snapshot, error.
    """

    def __init__(self, message: str, kind: str = "error") -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind


class EventStream(Protocol):
    """A blocking iterator of decoded events that another thread may close."""

    def __iter__(self) -> Iterator[Mapping[str, Any]]: ...

    def close(self) -> None: ...


class Source(Protocol):
    """Everything the state layer needs from a cluster."""

    description: str
    is_live: bool

    def connect(self) -> EngineInfo:
        """Check the endpoint once, up front; raise `SourceError` if unusable."""
        ...

    def fetch(self) -> RawCluster:
        """One refresh: a fixed number of API calls whatever the cluster's size."""
        ...

    def open_events(self, since: float | None) -> EventStream:
        """Swarm-scope events (services, nodes) from `since` (epoch seconds) on."""
        ...

    def close(self) -> None: ...
