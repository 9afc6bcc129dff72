"""`ssh://user@host[:port][/remote/docker.sock]`: the engine's socket over asyncssh.

asyncssh forwards a local Unix socket to the remote engine's socket, so the
docker SDK talks to it as if it were local. The tunnel owns a small event
loop in its own thread; `close()` ends both. Host keys are checked against
known_hosts and `~/.ssh/config` is honoured, as asyncssh does by default.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import asyncssh

from swarmtui.swarm.engine import EngineSource
from swarmtui.swarm.source import SourceError

DEFAULT_REMOTE_SOCKET = "/var/run/docker.sock"


@dataclass(frozen=True, slots=True)
class SSHTarget:
    host: str
    port: int | None
    username: str | None
    remote_socket: str

    @classmethod
    def parse(cls, url: str) -> SSHTarget:
        parts = urlsplit(url)
        if parts.scheme != "ssh" or not parts.hostname:
            raise SourceError(f"not an ssh:// address: {url}", "error")
        try:
            port = parts.port
        except ValueError:
            port = -1
        if port is not None and not 1 <= port <= 65535:
            raise SourceError(f"{url}: the port must be a number from 1 to 65535", "error")
        return cls(
            host=parts.hostname,
            port=port,
            username=unquote(parts.username) if parts.username else None,
            remote_socket=parts.path or DEFAULT_REMOTE_SOCKET,
        )


class SSHTunnel:
    def __init__(
        self,
        url: str,
        *,
        known_hosts: str | tuple[()] | None = (),
        client_keys: list[str] | None = None,
        connect_timeout: float = 10.0,
    ) -> None:
        self.target = SSHTarget.parse(url)
        self._known_hosts = known_hosts
        self._client_keys = client_keys
        self._timeout = connect_timeout
        self._dir = tempfile.mkdtemp(prefix="swarmtui-ssh-")
        self.local_socket = os.path.join(self._dir, "docker.sock")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._conn: asyncssh.SSHClientConnection | None = None
        self._listener: Any = None

    @property
    def url(self) -> str:
        return f"unix://{self.local_socket}"

    def open(self) -> str:
        """Connect (blocking) and return the local `unix://` URL to hand the SDK."""
        if self._conn is not None and not self._conn.is_closed():
            return self.url
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
            self._thread = threading.Thread(
                target=self._loop.run_forever, name="swarmtui-ssh", daemon=True
            )
            self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._connect(), self._loop)
        try:
            future.result(self._timeout + 5)
        except SourceError:
            raise
        except Exception as exc:
            raise self._explain(exc) from None
        return self.url

    async def _connect(self) -> None:
        kwargs: dict[str, Any] = {"connect_timeout": self._timeout}
        if self.target.port:
            kwargs["port"] = self.target.port
        if self.target.username:
            kwargs["username"] = self.target.username
        if self._known_hosts != ():
            kwargs["known_hosts"] = self._known_hosts
        if self._client_keys is not None:
            kwargs["client_keys"] = self._client_keys
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.local_socket)
        self._conn = await asyncssh.connect(self.target.host, **kwargs)
        self._listener = await self._conn.forward_local_path(
            self.local_socket, self.target.remote_socket
        )

    def _explain(self, exc: Exception) -> SourceError:
        where = f"ssh://{self.target.host}"
        if isinstance(exc, asyncssh.HostKeyNotVerifiable):
            return SourceError(
                f"{where}: host key not trusted ({exc.reason}); add it to known_hosts "
                f"(ssh-keyscan {self.target.host} >> ~/.ssh/known_hosts) after checking it",
                "unreachable",
            )
        if isinstance(exc, asyncssh.PermissionDenied):
            return SourceError(f"{where}: SSH authentication failed", "permission")
        if isinstance(exc, TimeoutError | asyncio.TimeoutError):
            return SourceError(f"{where}: SSH connection timed out", "unreachable")
        if isinstance(exc, OSError):
            return SourceError(f"{where}: {exc.strerror or exc}", "unreachable")
        return SourceError(f"{where}: {exc}", "unreachable")

    def close(self) -> None:
        loop = self._loop
        if loop is None:
            return

        async def shut() -> None:
            if self._listener is not None:
                self._listener.close()
            if self._conn is not None:
                self._conn.close()
                with contextlib.suppress(Exception):
                    await self._conn.wait_closed()

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(shut(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(5)
        loop.close()
        self._loop = None
        self._conn = None
        with contextlib.suppress(OSError):
            Path(self.local_socket).unlink(missing_ok=True)
            os.rmdir(self._dir)


class TunnelledEngineSource(EngineSource):
    """An engine behind `ssh://`: the tunnel opens before each (re)connect."""

    def __init__(self, tunnel: SSHTunnel, **kwargs: Any) -> None:
        super().__init__(tunnel.url, **kwargs)
        self.tunnel = tunnel

    def connect(self) -> Any:
        self.base_url = self.tunnel.open()
        return super().connect()

    def close(self) -> None:
        super().close()
        self.tunnel.close()
