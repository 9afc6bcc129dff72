"""SSH to nodes with asyncssh: fixed probe commands, argv-checked commands, pooled.

A node is reached at its `Status.Addr` (port, user, key and known_hosts from the
settings; `~/.ssh/config` applies as asyncssh reads it). Host keys are checked
against known_hosts; an unknown key is refused with its fingerprint and the
command that would trust it. Connections are kept per node and a semaphore
bounds how many commands run at once. One event loop in its own thread serves
the blocking callers (the executor runs in worker threads).
"""

from __future__ import annotations

import asyncio
import contextlib
import shlex
import threading
from dataclasses import dataclass
from typing import Any

import asyncssh

from swarmtui.swarm.model import Node

PROBES: dict[str, list[str]] = {
    "disk": ["df", "-h"],
    "memory": ["free", "-m"],
    "load": ["cat", "/proc/loadavg"],
    "uptime": ["uptime"],
    "docker": ["docker", "version", "--format", "{{.Server.Version}}"],
}
MAX_OUTPUT = 64 * 1024


class SSHError(Exception):
    """One line saying what went wrong reaching or running on a node."""


@dataclass(frozen=True, slots=True)
class SSHResult:
    node: str
    command: str  # exactly what ran, shell-quoted
    exit_status: int | None
    stdout: str
    stderr: str


@dataclass(frozen=True, slots=True)
class SSHSettings:
    username: str | None = None
    port: int | None = None
    client_keys: tuple[str, ...] | None = None
    known_hosts: str | None = None  # None: asyncssh's default (~/.ssh/known_hosts)
    timeout: float = 15.0
    concurrency: int = 4


class SSHRunner:
    def __init__(self, settings: SSHSettings | None = None) -> None:
        self.settings = settings or SSHSettings()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="swarmtui-ssh",
                                        daemon=True)
        self._thread.start()
        self._connections: dict[str, asyncssh.SSHClientConnection] = {}
        self._limit: asyncio.Semaphore | None = None

    def run(self, node: Node, argv: list[str]) -> SSHResult:
        """Blocking: run `argv` on `node` and return its output and exit status."""
        future = asyncio.run_coroutine_threadsafe(self._run(node, argv), self._loop)
        try:
            return future.result(self.settings.timeout * 2 + 5)
        except TimeoutError:
            future.cancel()
            raise SSHError(f"{node.name}: no answer within {self.settings.timeout:.0f}s") \
                from None

    def probe(self, node: Node, probe: str) -> SSHResult:
        return self.run(node, PROBES[probe])

    async def _run(self, node: Node, argv: list[str]) -> SSHResult:
        if self._limit is None:
            self._limit = asyncio.Semaphore(self.settings.concurrency)
        command = shlex.join(argv)  # the remote shell sees each word literally
        async with self._limit:
            connection = await self._connect(node)
            try:
                process = await asyncio.wait_for(
                    connection.run(command, check=False), self.settings.timeout)
            except TimeoutError:
                raise SSHError(f"{node.name}: `{command}` did not finish within "
                               f"{self.settings.timeout:.0f}s") from None
            except (asyncssh.Error, OSError) as exc:
                self._connections.pop(node.name, None)
                raise SSHError(f"{node.name}: {exc}") from None
        return SSHResult(node.name, command, process.exit_status,
                         str(process.stdout or "")[:MAX_OUTPUT],
                         str(process.stderr or "")[:MAX_OUTPUT])

    async def _connect(self, node: Node) -> asyncssh.SSHClientConnection:
        cached = self._connections.get(node.name)
        if cached is not None and not cached.is_closed():
            return cached
        settings = self.settings
        options: dict[str, Any] = {"connect_timeout": settings.timeout}
        if settings.username:
            options["username"] = settings.username
        if settings.port:
            options["port"] = settings.port
        if settings.client_keys is not None:
            options["client_keys"] = list(settings.client_keys)
        if settings.known_hosts is not None:
            options["known_hosts"] = settings.known_hosts
        if not node.address:
            raise SSHError(f"{node.name}: the swarm reports no address for it")
        try:
            connection = await asyncssh.connect(node.address, **options)
        except asyncssh.HostKeyNotVerifiable:
            raise SSHError(await self._untrusted(node)) from None
        except asyncssh.PermissionDenied:
            raise SSHError(f"{node.name} ({node.address}): SSH authentication failed") from None
        except (TimeoutError, OSError, asyncssh.Error) as exc:
            raise SSHError(f"{node.name} ({node.address}): cannot connect: {exc}") from None
        self._connections[node.name] = connection
        return connection

    async def _untrusted(self, node: Node) -> str:
        port = self.settings.port or 22
        fingerprint = "unknown"
        with contextlib.suppress(Exception):
            key = await asyncssh.get_server_host_key(node.address, port)
            if key is not None:
                fingerprint = key.get_fingerprint()
        where = f"-p {port} " if port != 22 else ""
        return (f"{node.name} ({node.address}): host key {fingerprint} is not in known_hosts; "
                f"refused. If it is right, trust it with: ssh-keyscan {where}{node.address} "
                f">> ~/.ssh/known_hosts")

    def close(self) -> None:
        async def shut() -> None:
            for connection in self._connections.values():
                connection.close()
            self._connections.clear()

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(shut(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
