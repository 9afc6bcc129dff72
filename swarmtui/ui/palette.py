"""Command palette providers: jump to a service or node, switch theme.

They read the state the app already holds; nothing here calls Docker.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from swarmtui.ui.app import SwarmApp


class JumpCommands(Provider):
    def _targets(self) -> list[tuple[str, str, Callable[[], None]]]:
        app: SwarmApp = self.app  # type: ignore[assignment]
        state = app.state
        if state is None:
            return []
        targets = []
        for service in state.services:
            targets.append((f"Jump to service {service.name}",
                            f"{service.counts} · {service.health}",
                            partial(self._jump, "service", service.id)))
        for node in state.nodes:
            targets.append((f"Jump to node {node.name}", f"{node.role} · {node.state}",
                            partial(self._jump, "node", node.id)))
        return targets

    def _jump(self, kind: str, key: str) -> None:
        from swarmtui.ui.dashboard import DashboardScreen

        for screen in reversed(self.app.screen_stack):
            if isinstance(screen, DashboardScreen):
                while self.app.screen is not screen:
                    self.app.pop_screen()
                screen.jump_to(kind, key)
                return

    async def discover(self) -> Hits:
        for text, help_text, command in self._targets():
            yield DiscoveryHit(text, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, help_text, command in self._targets():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), command, help=help_text)


class ThemeCommands(Provider):
    def _themes(self) -> list[str]:
        return sorted(getattr(self.app, "theme_names", []))

    def _set(self, name: str) -> None:
        self.app.theme = name
        self.app.notify(f"theme: {name}", timeout=2)

    async def _hits(self, query: str | None) -> AsyncIterator[Hit | DiscoveryHit]:
        matcher = self.matcher(query or "")
        for name in self._themes():
            text = f"Switch theme: {name}"
            if query is None:
                yield DiscoveryHit(text, partial(self._set, name))
            elif (score := matcher.match(text)) > 0:
                yield Hit(score, matcher.highlight(text), partial(self._set, name))

    async def discover(self) -> Hits:
        async for hit in self._hits(None):
            yield hit

    async def search(self, query: str) -> Hits:
        async for hit in self._hits(query):
            yield hit
