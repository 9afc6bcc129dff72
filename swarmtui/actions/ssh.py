"""SSH to nodes with asyncssh: fixed probe commands, argv-checked commands, pooled.

A node is reached at its `Status.Addr` (port, user, key and known_hosts from the
settings; `~/.ssh/config` applies as asyncssh reads it), unless the settings
override host, port, user, key or a jump host for that node by name; a jump
host is checked against the same known_hosts. Host keys are checked
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
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import asyncssh

from swarmtui.config import NodeSSH
from swarmtui.swarm.model import Node

PROBES: dict[str, list[str]] = {
    "disk": ["df", "-h"],
    "memory": ["free", "-m"],
    "load": ["cat", "/proc/loadavg"],
    "uptime": ["uptime"],
    "docker": ["systemctl", "status", "docker", "--no-pager"],  # as ACTIONS.md names it
}
CLOSE_SECONDS = 3.0  # how long a cancelled command gets to go before its channel is dropped
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
    nodes: dict[str, NodeSSH] = field(default_factory=dict)


OnLine = Callable[[str, str], None]  # (stream "stdout" | "stderr", line)


@dataclass(frozen=True, slots=True)
class Target:
    """Where and as whom to connect for one node, overrides applied."""

    host: str
    port: int | None
    options: dict[str, Any]
    jump: str | None


def parse_jump(jump: str) -> tuple[str | None, str, int | None]:
    """`[user@]host[:port]` → (user, host, port)."""
    user, _, rest = jump.rpartition("@")
    host, _, port = rest.partition(":")
    if not host or (port and not port.isdigit()):
        raise SSHError(f"jump host {jump!r} is not [user@]host[:port]")
    return user or None, host, int(port) if port else None


class SSHRunner:
    def __init__(self, settings: SSHSettings | None = None) -> None:
        self.settings = settings or SSHSettings()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="swarmtui-ssh",
                                        daemon=True)
        self._thread.start()
        self._connections: dict[str, asyncssh.SSHClientConnection] = {}
        self._limit: asyncio.Semaphore | None = None

    def run(self, node: Node, argv: list[str], on_line: OnLine | None = None,
            cancel: threading.Event | None = None, terminal: bool = False) -> SSHResult:
        """Blocking: run `argv` on `node`; `on_line` sees each output line as it comes.

        With `terminal` it runs under a pseudo-terminal, as `ssh -t` would: its
        output is what a terminal shows (stderr interleaved), and cancelling hangs
        it up — sshd may refuse to deliver signals, a hang-up always arrives.
        """
        future = asyncio.run_coroutine_threadsafe(
            self._run(node, argv, on_line, cancel, terminal), self._loop)
        try:
            return future.result(self.settings.timeout * 2 + 5)
        except TimeoutError:
            future.cancel()
            raise SSHError(f"{node.name}: no answer within {self.settings.timeout:.0f}s") \
                from None

    def probe(self, node: Node, probe: str, on_line: OnLine | None = None) -> SSHResult:
        return self.run(node, PROBES[probe], on_line)

    async def _run(self, node: Node, argv: list[str], on_line: OnLine | None,
                   cancel: threading.Event | None, terminal: bool) -> SSHResult:
        if self._limit is None:
            self._limit = asyncio.Semaphore(self.settings.concurrency)
        command = shlex.join(argv)  # the remote shell sees each word literally
        async with self._limit:
            connection = await self._connect(node)
            try:
                options = {"term_type": "dumb", "term_size": (200, 50)} if terminal else {}
                process = await connection.create_process(command, **options)
                try:
                    out, err, status = await asyncio.wait_for(
                        self._collect(process, on_line, cancel), self.settings.timeout)
                finally:
                    await self._hang_up(process)
            except TimeoutError:
                raise SSHError(f"{node.name}: `{command}` did not finish within "
                               f"{self.settings.timeout:.0f}s") from None
            except (asyncssh.Error, OSError) as exc:
                self._connections.pop(node.name, None)
                raise SSHError(f"{node.name}: {exc}") from None
        return SSHResult(node.name, command, status, out, err)

    @staticmethod
    async def _hang_up(process: asyncssh.SSHClientProcess[str]) -> None:
        """Close the session; a command that outlives its terminal's hang-up (or runs
        without one) must not hold the job: after a moment the channel is dropped, and
        the command's next output has nowhere to go."""
        process.close()
        try:
            await asyncio.wait_for(process.wait_closed(), CLOSE_SECONDS)
        except TimeoutError:
            process.channel.abort()

    @staticmethod
    async def _collect(process: asyncssh.SSHClientProcess[str], on_line: OnLine | None,
                       cancel: threading.Event | None) -> tuple[str, str, int | None]:
        """Both streams line by line, bounded, until the command exits or is cancelled."""
        kept: dict[str, list[str]] = {"stdout": [], "stderr": []}
        size = {"stdout": 0, "stderr": 0}

        async def pump(name: str, stream: Any) -> None:
            async for line in stream:
                if not line:  # the end of the stream, not an empty line ("\n")
                    continue
                if size[name] < MAX_OUTPUT:
                    kept[name].append(line)
                    size[name] += len(line)
                if on_line is not None:
                    on_line(name, line.rstrip("\r\n"))

        async def cancelled() -> None:
            while cancel is not None and not cancel.is_set():
                await asyncio.sleep(0.2)

        pumps = asyncio.ensure_future(
            asyncio.gather(pump("stdout", process.stdout), pump("stderr", process.stderr)))
        # a stopped command's streams end in an error nobody waits for: consumed here
        pumps.add_done_callback(lambda done: done.cancelled() or done.exception())
        stop = asyncio.ensure_future(cancelled()) if cancel is not None else None
        stopped = True
        try:
            await asyncio.wait({pumps} | ({stop} if stop else set()),
                               return_when=asyncio.FIRST_COMPLETED)
            stopped = not pumps.done()
        finally:
            if stopped:  # cancelled or timed out: stop the remote command
                with contextlib.suppress(Exception):
                    process.terminate()
                process.close()
                pumps.cancel()
            if stop is not None:
                stop.cancel()
        if stopped:
            status: int | None = -1
        else:
            pumps.result()
            status = (await process.wait(check=False)).exit_status
        text = {name: "".join(lines)[:MAX_OUTPUT].replace("\r\n", "\n")
                for name, lines in kept.items()}
        return text["stdout"], text["stderr"], status

    def target(self, node: Node) -> Target:
        """The address and options for `node`: its swarm address unless overridden."""
        settings = self.settings
        override = settings.nodes.get(node.name, NodeSSH())
        options: dict[str, Any] = {"connect_timeout": settings.timeout}
        username = override.user or settings.username
        if username:
            options["username"] = username
        port = override.port or settings.port
        if port:
            options["port"] = port
        if override.key:
            options["client_keys"] = [override.key]
        elif settings.client_keys is not None:
            options["client_keys"] = list(settings.client_keys)
        if settings.known_hosts is not None:
            options["known_hosts"] = settings.known_hosts
        host = override.host or node.address
        if not host:
            raise SSHError(f"{node.name}: the swarm reports no address for it; set "
                           f"ssh.nodes.{node.name}.host in the config")
        return Target(host, port, options, override.jump)

    async def _connect(self, node: Node) -> asyncssh.SSHClientConnection:
        cached = self._connections.get(node.name)
        if cached is not None and not cached.is_closed():
            return cached
        target = self.target(node)
        options = dict(target.options)
        where = f"{node.name} ({target.host})"
        try:
            if target.jump:
                options["tunnel"] = await self._jump(target)
                where = f"{node.name} ({target.host} via {target.jump})"
            connection = await asyncssh.connect(target.host, **options)
        except asyncssh.HostKeyNotVerifiable:
            raise SSHError(await self._untrusted(node.name, target.host, target.port)) \
                from None
        except asyncssh.PermissionDenied:
            raise SSHError(f"{where}: SSH authentication failed") from None
        except (TimeoutError, OSError, asyncssh.Error) as exc:
            raise SSHError(f"{where}: cannot connect: {exc}") from None
        self._connections[node.name] = connection
        return connection

    async def _jump(self, target: Target) -> asyncssh.SSHClientConnection:
        """The bastion connection, with the same key checks and keys as the node's."""
        assert target.jump is not None
        user, host, port = parse_jump(target.jump)
        options = {k: v for k, v in target.options.items() if k not in ("username", "port")}
        if user or "username" in target.options:
            options["username"] = user or target.options["username"]
        if port:
            options["port"] = port
        key = f"jump:{target.jump}"
        cached = self._connections.get(key)
        if cached is not None and not cached.is_closed():
            return cached
        try:
            connection = await asyncssh.connect(host, **options)
        except asyncssh.HostKeyNotVerifiable:
            raise SSHError(await self._untrusted(f"jump host {host}", host, port)) from None
        except (TimeoutError, OSError, asyncssh.Error) as exc:
            raise SSHError(f"jump host {target.jump}: cannot connect: {exc}") from None
        self._connections[key] = connection
        return connection

    async def _untrusted(self, name: str, host: str, port: int | None) -> str:
        port = port or 22
        fingerprint = "unknown"
        with contextlib.suppress(Exception):
            key = await asyncssh.get_server_host_key(host, port)
            if key is not None:
                fingerprint = key.get_fingerprint()
        where = f"-p {port} " if port != 22 else ""
        known = self.settings.known_hosts or "~/.ssh/known_hosts"
        return (f"{name} ({host}): host key {fingerprint} is not in {known}; "
                f"refused. If it is right, trust it with: ssh-keyscan {where}{host} "
                f">> {shlex.quote(known) if known[0] != '~' else known}")

    def close(self) -> None:
        async def shut() -> None:
            for connection in self._connections.values():
                connection.close()
            self._connections.clear()

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(shut(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
