"""The live source: a Docker Engine reached through the docker SDK.

Every call here blocks; callers run them in worker threads, never on an
asyncio loop. Read-only mode is enforced in `EngineClient.request`, the one
place every HTTP request passes through, so no code path can mutate the
cluster while it is on.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import docker
from docker.api.client import APIClient

from swarmtui.swarm.errors import explain
from swarmtui.swarm.logs import demux, split_lines, tty_lines
from swarmtui.swarm.logstream import LogRequest
from swarmtui.swarm.model import EngineInfo
from swarmtui.swarm.parse import MalformedData, RawCluster, parse_engine
from swarmtui.swarm.source import EventStream, SourceError

STATUS_API = (1, 41)  # first API version whose /services takes ?status=true
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ReadOnlyViolation(SourceError):
    def __init__(self, method: str, url: str) -> None:
        super().__init__(
            f"read-only mode: refused {method} {url.split('/v1.', 1)[-1]}", "read-only"
        )


class EngineClient(APIClient):
    """The SDK's low-level client, counting requests and able to refuse writes."""

    def __init__(self, *args: Any, readonly: bool = False, **kwargs: Any) -> None:
        self.readonly = readonly
        self.request_counts: Counter[str] = Counter()
        self._count_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        verb = method.upper()
        if self.readonly and verb not in READ_METHODS:
            raise ReadOnlyViolation(verb, url)
        with self._count_lock:
            self.request_counts[verb] += 1
        return super().request(method, url, *args, **kwargs)

    @property
    def total_requests(self) -> int:
        return sum(self.request_counts.values())


class HTTPLogStream:
    """An engine log response as (stream, line) pairs: framed, or raw for TTY services."""

    def __init__(self, response: Any, tty: bool) -> None:
        self._response = response
        self._tty = tty

    def __iter__(self) -> Iterator[tuple[str, str]]:
        chunks = self._response.iter_content(chunk_size=None)
        return tty_lines(chunks) if self._tty else split_lines(demux(chunks))

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._response.close()


def _api_tuple(version: str) -> tuple[int, int]:
    try:
        major, minor = version.split(".")[:2]
        return int(major), int(minor)
    except ValueError:
        return (0, 0)


class EngineSource:
    """A Docker Engine that should be a swarm manager."""

    is_live = True

    def __init__(
        self,
        base_url: str,
        *,
        tls: Any = False,
        timeout: float = 15.0,
        readonly: bool = False,
        description: str | None = None,
        api_version: str | None = None,
    ) -> None:
        self.base_url = base_url
        self.description = description or base_url
        self._tls = tls
        self._timeout = timeout
        self._readonly = readonly
        self._api_version = api_version  # pinned (DOCKER_API_VERSION), else negotiated
        self._client: EngineClient | None = None
        self._version: dict[str, Any] = {}
        self._engine: EngineInfo | None = None

    @property
    def readonly(self) -> bool:
        return self._readonly

    @property
    def client(self) -> EngineClient:
        if self._client is None:
            raise SourceError(f"not connected to {self.base_url}", "unreachable")
        return self._client

    @property
    def engine(self) -> EngineInfo | None:
        return self._engine

    def connect(self) -> EngineInfo:
        """Negotiate the API version and check, once, that this is a manager (C-12, C-14)."""
        self._drop_client()
        try:
            client = EngineClient(
                base_url=self.base_url,
                version=self._api_version or "auto",
                timeout=self._timeout,
                tls=self._tls,
                readonly=self._readonly,
            )
            version = client.version(api_version=False)
            self._version = version
            info = client.info()
        except docker.errors.APIError as exc:
            raise self._api_error(exc) from None
        except Exception as exc:
            raise explain(exc, self.base_url) from None
        self._client = client
        self._version = version
        try:
            engine = parse_engine(info, version)
        except MalformedData as exc:
            raise SourceError(f"{self.base_url}: unreadable /info: {exc}", "bad-data") from None
        self._check_swarm(engine, info)
        self._engine = engine
        return engine

    def _api_error(self, exc: docker.errors.APIError) -> SourceError:
        text = str(exc.explanation or exc)
        if "too old" in text or "too new" in text or "API version" in text:
            engine = self._version.get("ApiVersion", "?")
            lowest = self._version.get("MinAPIVersion", "?")
            asked = self._api_version or "negotiated"
            return SourceError(
                f"API version mismatch: swarmtui used API {asked}, the engine at "
                f"{self.base_url} speaks {lowest} to {engine} ({text.strip()})",
                "api-version",
            )
        if exc.status_code == 503 and "not a swarm manager" in text:
            return SourceError(
                f"{self.base_url} is not a swarm manager: connect to a manager", "not-manager"
            )
        return explain(exc, self.base_url)

    def _check_swarm(self, engine: EngineInfo, info: dict[str, Any]) -> None:
        state = engine.local_node_state
        if state == "inactive" or not state:
            raise SourceError(
                f"{self.description} ({engine.name or 'engine'}) is not part of a swarm: "
                "run `docker swarm init`, or connect to a manager with --host",
                "not-swarm",
            )
        if state == "locked":
            raise SourceError(
                f"the swarm on {self.description} is locked: run `docker swarm unlock`",
                "not-swarm",
            )
        if state == "error":
            error = (info.get("Swarm") or {}).get("Error") or "unknown error"
            raise SourceError(f"swarm error on {self.description}: {error}", "not-swarm")
        if not engine.control_available:
            managers = ", ".join(engine.remote_managers) or "none known"
            raise SourceError(
                f"connected to a worker ({engine.name}) — connect to a manager instead; "
                f"managers: {managers}",
                "not-manager",
            )

    def fetch(self) -> RawCluster:
        """Four API calls, whatever the cluster's size (C-16)."""
        client = self.client
        try:
            info = client.info()
            nodes = client.nodes()
            if _api_tuple(client.api_version) >= STATUS_API:
                services = client.services(status=True)
            else:
                services = client.services()
            tasks = client.tasks()
        except docker.errors.APIError as exc:
            raise self._api_error(exc) from None
        except Exception as exc:
            raise explain(exc, self.base_url) from None
        return RawCluster(info=info, version=self._version, nodes=nodes, services=services,
                          tasks=tasks)

    def open_events(self, since: float | None) -> EventStream:
        """Swarm events for services and nodes; no read timeout, so idle is not an error."""
        try:
            return self.client.events(
                since=f"{since:.9f}" if since else None,
                filters={"type": ["service", "node"]},
                decode=True,
            )
        except Exception as exc:
            raise explain(exc, self.base_url) from None

    def open_logs(self, request: LogRequest) -> HTTPLogStream:
        """A service's merged logs, or one task's, streamed; `close()` from any thread."""
        client = self.client
        kind, ident = ("tasks", request.task_id) if request.task_id else (
            "services", request.service_id)
        params: dict[str, Any] = {
            "stdout": 1, "stderr": 1, "timestamps": 1, "details": 1,
            "follow": int(request.follow), "tail": request.tail if request.tail else "all",
        }
        if request.since:
            params["since"] = f"{request.since:.9f}"
        url = f"{client.base_url}/v{client.api_version}/{kind}/{ident}/logs"
        try:
            response = client.get(url, params=params, stream=True, timeout=(10, None))
            response.raise_for_status()
        except docker.errors.APIError as exc:
            raise self._api_error(exc) from None
        except Exception as exc:
            status = getattr(getattr(exc, "response", None), "status_code", None)
            if status == 404:
                raise SourceError(f"no such {kind[:-1]}: {ident}", "error") from None
            raise explain(exc, self.base_url) from None
        return HTTPLogStream(response, request.tty)

    def close(self) -> None:
        self._drop_client()

    def _drop_client(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
