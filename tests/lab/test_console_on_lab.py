"""The console on the real lab: it follows the cluster with no key press."""

from __future__ import annotations

import asyncio
import time

import pytest

from swarmtui import lab as swarm_lab
from swarmtui.swarm.engine import EngineSource
from swarmtui.ui.app import SwarmApp
from swarmtui.ui.keyed_table import KeyedTable
from tests.conftest import docker

pytestmark = pytest.mark.lab


def cell(table: KeyedTable, first: str, column: int) -> str | None:
    for index in range(table.row_count):
        row = table.get_row_at(index)
        if str(row[0]) == first:
            return str(row[column])
    return None


async def until(pilot, predicate, timeout: float, what: str) -> float:
    started = time.monotonic()
    while not predicate():
        assert time.monotonic() - started < timeout, f"{what}: not seen in {timeout:.0f}s"
        await pilot.pause(0.2)
    return time.monotonic() - started


async def test_scaling_with_the_docker_cli_changes_the_row_by_itself(lab):
    app = SwarmApp(EngineSource(lab.docker_host), poll_interval=2.0)
    async with app.run_test(size=(120, 40)) as pilot:
        services = app.screen.query_one("#services", KeyedTable)
        await until(pilot, lambda: cell(services, "shop_web", 1) == "3/3", 30, "shop_web 3/3")
        services.focus()
        selected = services.selected_key
        try:
            await asyncio.to_thread(docker, lab, "service", "scale", "--detach", "shop_web=5")
            await until(pilot, lambda: (cell(services, "shop_web", 1) or "").endswith("/5"),
                        15, "shop_web desired 5")
            await until(pilot, lambda: cell(services, "shop_web", 1) == "5/5", 45,
                        "shop_web 5/5")
        finally:
            await asyncio.to_thread(docker, lab, "service", "scale", "--detach", "shop_web=3")
        await until(pilot, lambda: cell(services, "shop_web", 1) == "3/3", 45, "back to 3/3")
        assert services.selected_key == selected, "the selection moved during updates"


async def test_killing_a_workers_dockerd_shows_the_node_down_then_back(lab):
    app = SwarmApp(EngineSource(lab.docker_host), poll_interval=2.0)
    async with app.run_test(size=(120, 40)) as pilot:
        nodes = app.screen.query_one("#nodes", KeyedTable)
        await until(pilot, lambda: cell(nodes, "worker-2", 2) == "ready", 30, "worker-2 ready")
        try:
            await asyncio.to_thread(swarm_lab.fault, "node-down", "worker-2")
            await until(pilot, lambda: cell(nodes, "worker-2", 2) == "down", 60,
                        "worker-2 down")
            assert "1 down" in str(app.screen.query_one("#status").render())
        finally:
            await asyncio.to_thread(swarm_lab.fault, "node-up", "worker-2")
        await until(pilot, lambda: cell(nodes, "worker-2", 2) == "ready", 60, "worker-2 back")
