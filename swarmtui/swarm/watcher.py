"""Keeps a `ClusterState` current: events, polling, reconnection.

One asyncio task runs fetch → publish → wait, so refreshes never overlap.
It wakes early when the swarm event stream reports a service or node change
(debounced, so a burst of events costs one refresh); tasks have no events,
so it also polls every `poll_interval` seconds. Blocking SDK calls run in
worker threads; the event stream is read by one thread that reconnects with
backoff from the time of the last event it saw and drops duplicates (C-15).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from swarmtui.swarm.model import ClusterState, Connection
from swarmtui.swarm.parse import MalformedData, build_state
from swarmtui.swarm.source import EventStream, Source, SourceError

# Failures only an operator can fix: retry, but slowly.
OPERATOR_FIXES = frozenset({"permission", "not-manager", "not-swarm", "api-version"})
# A refresh (fetch + parse) may keep the console and the leader busy for at most this share
# of the time: on a cluster whose task list takes 1.5 s to fetch, polls come every 7.5 s and
# a burst of events waits out the rest, instead of one refresh after another.
BUSY_SHARE = 0.2


@dataclass(frozen=True, slots=True)
class ConnectionStatus:
    state: Connection
    message: str = ""
    retry_in: float | None = None
    events_live: bool = True
    since: datetime | None = None
    kind: str = ""  # the SourceError kind while disconnected (e.g. "no-leader")

    @property
    def label(self) -> str:
        if self.state is Connection.DISCONNECTED:
            return "disconnected, retrying"
        if self.state is Connection.CONNECTED and not self.events_live:
            return "reconnecting…"
        return str(self.state)


def _event_key(event: Mapping[str, Any]) -> tuple[Any, ...]:
    actor = event.get("Actor") or {}
    return (event.get("timeNano"), event.get("Type"), event.get("Action"), actor.get("ID"))


def _event_time(event: Mapping[str, Any]) -> float | None:
    if isinstance(event.get("timeNano"), int):
        return event["timeNano"] / 1e9
    if isinstance(event.get("time"), int | float):
        return float(event["time"])
    return None


class ClusterWatcher:
    def __init__(
        self,
        source: Source,
        *,
        on_state: Callable[[ClusterState], None],
        on_status: Callable[[ConnectionStatus], None] | None = None,
        on_event: Callable[[Mapping[str, Any]], None] | None = None,
        poll_interval: float = 2.0,
        debounce: float = 0.1,
        max_backoff: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.source = source
        self.poll_interval = poll_interval
        self.refresh_cost = 0.0  # seconds the last fetch + parse took
        self._clock = clock
        self.debounce = debounce
        self.max_backoff = max_backoff
        self._on_state = on_state
        self._on_status = on_status
        self._on_event = on_event
        self.state: ClusterState | None = None
        self.status = ConnectionStatus(Connection.CONNECTING, source.description)
        self.refreshes = 0
        self._version = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._stopping = threading.Event()
        self._events_stop = threading.Event()
        self._events_thread: threading.Thread | None = None
        self._stream: EventStream | None = None
        self._stream_lock = threading.Lock()
        self._last_event_time: float | None = None
        self._seen: deque[tuple[Any, ...]] = deque(maxlen=2048)
        self._seen_set: set[tuple[Any, ...]] = set()

    # -- the refresh loop -------------------------------------------------

    async def run(self) -> None:
        """Run until `stop()`; never raises for cluster trouble, it reports it."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        backoff = 1.0
        connected = False
        try:
            while not self._stopping.is_set():
                try:
                    if not connected:
                        await asyncio.to_thread(self.source.connect)
                        connected = True
                    started = self._clock()
                    raw = await asyncio.to_thread(self.source.fetch)
                except SourceError as exc:
                    connected = False
                    await self._stop_events()
                    if exc.kind in OPERATOR_FIXES:
                        backoff = self.max_backoff
                    await self._report_down(exc.message, backoff, exc.kind)
                    await self._sleep(backoff)
                    backoff = min(backoff * 2, self.max_backoff)
                    continue
                backoff = 1.0
                try:
                    self._publish(raw)
                    self.refresh_cost = self._clock() - started
                except MalformedData as exc:
                    await self._report_down(
                        f"{self.source.description}: malformed cluster data: {exc}",
                        self.max_backoff)
                    await self._sleep(self.max_backoff if self.source.is_live else None)
                    continue
                self._start_events()  # after the first state, so events can be named
                if not self.source.is_live:
                    await self._sleep(None)
                    continue
                await self._wait_for_change()
        finally:
            await self._stop_events()

    def _publish(self, raw: Any) -> None:
        self._version += 1
        self.refreshes += 1
        state = build_state(raw, self._version, raw.fetched_at or datetime.now(UTC))
        self.state = state
        if self.status.state is not Connection.CONNECTED:
            self._set_status(ConnectionStatus(Connection.CONNECTED, self.source.description))
        self._on_state(state)

    async def _report_down(self, message: str, retry_in: float, kind: str = "") -> None:
        since = self.status.since if self.status.state is Connection.DISCONNECTED else None
        self._set_status(
            ConnectionStatus(
                Connection.DISCONNECTED, message, retry_in, False, since or datetime.now(UTC),
                kind,
            )
        )

    def _set_status(self, status: ConnectionStatus) -> None:
        self.status = status
        if self._on_status is not None:
            self._on_status(status)

    async def _sleep(self, seconds: float | None) -> None:
        """Sleep, but wake at once on stop (and, when `seconds` is None, only then)."""
        assert self._wake is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopped_or_woken(wake=seconds is None), seconds)
        self._wake.clear()

    async def _stopped_or_woken(self, wake: bool) -> None:
        assert self._wake is not None
        while not self._stopping.is_set():
            await self._wake.wait()
            if wake or self._stopping.is_set():
                return
            self._wake.clear()

    @property
    def poll_period(self) -> float:
        """The configured interval, or longer where a refresh is expensive."""
        return max(self.poll_interval, self.refresh_cost / BUSY_SHARE)

    @property
    def quiet_gap(self) -> float:
        """The least time between refreshes, even when events ask for one sooner."""
        return max(self.debounce, self.refresh_cost * (1 / BUSY_SHARE - 1))

    async def _wait_for_change(self) -> None:
        assert self._wake is not None
        loop = asyncio.get_running_loop()
        waited_from = loop.time()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), self.poll_period)
            if not self._stopping.is_set():
                # let a burst of events settle, and an expensive refresh not run back to back
                rest = max(self.debounce, self.quiet_gap - (loop.time() - waited_from))
                deadline = loop.time() + rest
                while not self._stopping.is_set() and (left := deadline - loop.time()) > 0:
                    await asyncio.sleep(min(left, 0.25))
        self._wake.clear()

    def refresh_soon(self) -> None:
        """Ask for a refresh; safe from any thread."""
        if self._loop is not None and self._wake is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def stop(self) -> None:
        self._stopping.set()
        if self._loop is not None and self._wake is not None:
            self._wake.set()
        await self._stop_events()

    # -- the event stream -------------------------------------------------

    def _start_events(self) -> None:
        if self._events_thread is not None or not self.source.is_live:
            return
        self._events_stop.clear()
        self._events_thread = threading.Thread(
            target=self._read_events, name="swarmtui-events", daemon=True
        )
        self._events_thread.start()

    async def _stop_events(self) -> None:
        thread = self._events_thread
        if thread is None:
            return
        self._events_stop.set()
        with self._stream_lock:
            stream = self._stream
        if stream is not None:
            with contextlib.suppress(Exception):
                stream.close()
        await asyncio.to_thread(thread.join, 5.0)
        self._events_thread = None

    def _read_events(self) -> None:
        backoff = 0.5
        first = True
        while not self._events_stop.is_set():
            try:
                stream = self.source.open_events(self._last_event_time)
            except SourceError:
                self._events_stop.wait(backoff)
                backoff = min(backoff * 2, self.max_backoff)
                continue
            with self._stream_lock:
                self._stream = stream
            if not first:
                self._call_in_loop(self._events_back)
            first = False
            try:
                for event in stream:
                    backoff = 0.5
                    self._accept(event)
            except Exception:  # a cut stream surfaces as whatever the transport raises
                pass
            finally:
                with self._stream_lock:
                    self._stream = None
                with contextlib.suppress(Exception):
                    stream.close()
            if self._events_stop.is_set():
                break
            self._call_in_loop(self._events_lost)
            self._events_stop.wait(backoff)
            backoff = min(backoff * 2, self.max_backoff)

    def _accept(self, event: Mapping[str, Any]) -> None:
        key = _event_key(event)
        if key in self._seen_set:
            return  # a replay after reconnecting with `since`
        if len(self._seen) == self._seen.maxlen:
            self._seen_set.discard(self._seen[0])
        self._seen.append(key)
        self._seen_set.add(key)
        when = _event_time(event)
        if when is not None:
            self._last_event_time = when
        self._call_in_loop(self._handle_event, event)

    def _call_in_loop(self, callback: Callable[..., None], *args: Any) -> None:
        if self._loop is not None and not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(callback, *args)

    def _handle_event(self, event: Mapping[str, Any]) -> None:
        if self._on_event is not None:
            self._on_event(self._with_name(event))
        if self._wake is not None:
            self._wake.set()

    def _with_name(self, event: Mapping[str, Any]) -> Mapping[str, Any]:
        """Node events may carry an empty name: resolve it by id from the state (C-15)."""
        actor = event.get("Actor") or {}
        attributes = actor.get("Attributes") or {}
        if attributes.get("name") or self.state is None:
            return event
        name = ""
        if event.get("Type") == "node":
            node = self.state.node(actor.get("ID"))
            name = node.name if node else ""
        elif event.get("Type") == "service":
            service = self.state.service(actor.get("ID", ""))
            name = service.name if service else ""
        if not name:
            return event
        return {**event, "Actor": {**actor, "Attributes": {**attributes, "name": name}}}

    def _events_lost(self) -> None:
        if self.status.state is Connection.CONNECTED:
            self._set_status(
                ConnectionStatus(Connection.CONNECTED, self.source.description, events_live=False)
            )

    def _events_back(self) -> None:
        if self.status.state is Connection.CONNECTED:
            self._set_status(ConnectionStatus(Connection.CONNECTED, self.source.description))
        if self._wake is not None:
            self._wake.set()  # we may have missed changes: refresh in full
