"""The console on the real lab: it follows the cluster with no key press."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from swarmtui import lab as swarm_lab
from swarmtui.config import Settings
from swarmtui.swarm.engine import EngineSource
from swarmtui.ui.app import SwarmApp
from swarmtui.ui.keyed_table import KeyedTable
from tests.conftest import docker, until

pytestmark = pytest.mark.lab


def cell(table: KeyedTable, first: str, column: int) -> str | None:
    for index in range(table.row_count):
        row = table.get_row_at(index)
        if str(row[0]) == first:
            return str(row[column])
    return None


async def test_scaling_with_the_docker_cli_changes_the_row_by_itself(lab):
    app = SwarmApp(EngineSource(lab.docker_host), settings=Settings(poll_interval=2.0))
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
    app = SwarmApp(EngineSource(lab.docker_host), settings=Settings(poll_interval=2.0))
    async with app.run_test(size=(120, 40)) as pilot:
        nodes = app.screen.query_one("#nodes", KeyedTable)
        await until(pilot, lambda: cell(nodes, "worker-2", 2) == "ready", 30, "worker-2 ready")
        engine_says_down: list[float] = []
        stop = threading.Event()

        def watch_engine() -> None:  # when the manager itself first reports the node down
            while not stop.is_set() and not engine_says_down:
                state = docker(lab, "node", "inspect", "-f", "{{.Status.State}}", "worker-2",
                               check=False).strip()
                if state == "down":
                    engine_says_down.append(time.monotonic())
                stop.wait(0.2)

        def alert() -> bool:
            return any(a.rule == "node-down" and a.subject == "worker-2" for a in app.alerts)

        watcher = threading.Thread(target=watch_engine, daemon=True)
        try:
            await asyncio.to_thread(swarm_lab.fault, "node-down", "worker-2")
            watcher.start()
            await until(pilot, alert, 60, "node-down alert")
            fired = time.monotonic()
            await until(pilot, lambda: bool(engine_says_down), 5, "the engine's own word")
            # from the moment the engine knows, two refresh periods at the most
            lag = fired - engine_says_down[0]
            print(f"node-down alert {lag:.2f}s after the engine reported it")
            assert lag <= 2 * app.watcher.poll_period, lag
            assert cell(nodes, "worker-2", 2) == "down"
            assert "1 down" in str(app.screen.query_one("#status").render())
        finally:
            stop.set()
            await asyncio.to_thread(swarm_lab.fault, "node-up", "worker-2")
        await until(pilot, lambda: cell(nodes, "worker-2", 2) == "ready", 60, "worker-2 back")
        await until(pilot, lambda: not alert(), 2 * app.watcher.poll_period, "resolved")
        resolved = [a for a in app.alert_book.resolved if a.rule == "node-down"]
        assert resolved and resolved[0].resolved_at is not None


async def test_following_shop_web_logs_shows_all_three_replicas(lab):
    from textual.widgets import Log

    from swarmtui.ui.logs_screen import LogScreen

    app = SwarmApp(EngineSource(lab.docker_host), settings=Settings(log_tail=5))
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.state is not None, 30, "first state")
        web = app.state.service_named("shop_web")

        def running_slots() -> set[int | None]:
            return {t.slot for t in app.state.tasks_of(web.id) if t.state == "running"}

        # Earlier drills may have moved a replica; wait for all three to run again.
        await until(pilot, lambda: running_slots() == {1, 2, 3}, 90, "three shop_web replicas")
        app.push_screen(LogScreen(web.id))
        await pilot.pause(0.2)
        log = app.screen.query_one(Log)

        def replicas_seen() -> set[str]:
            return {line.split("@")[0].rsplit(".", 1)[0] for line in log.lines if "@" in line}

        await until(pilot, lambda: replicas_seen() == {"shop_web.1", "shop_web.2", "shop_web.3"},
                    20, "lines from shop_web.1, .2 and .3")
        assert app.screen.follower.running  # still following, not a one-off read
        before = log.line_count
        await until(pilot, lambda: log.line_count > before, 10, "new lines arriving")


async def test_a_sentence_runs_from_the_command_bar_and_u_undoes_it(lab):
    from swarmtui.ui.plan_screen import PlanScreen

    app = SwarmApp(EngineSource(lab.docker_host), settings=Settings(poll_interval=1.0))
    async with app.run_test(size=(120, 40)) as pilot:
        services = app.screen.query_one("#services", KeyedTable)
        await until(pilot, lambda: cell(services, "shop_postgres", 1) == "1/1", 60,
                    "shop_postgres 1/1")
        await pilot.press("colon", *"scale postgres to 2", "enter")
        await until(pilot, lambda: isinstance(app.screen, PlanScreen), 5, "the preview")
        await pilot.press("enter")  # low risk: Enter runs it
        await until(pilot, lambda: cell(services, "shop_postgres", 1) == "2/2", 90,
                    "shop_postgres 2/2 on screen")
        await pilot.press("u")  # previewed like any change: what it puts back
        await until(pilot, lambda: isinstance(app.screen, PlanScreen), 10, "the undo preview")
        assert app.screen.previews[0].change == "replicas 2 → 1"
        await pilot.pause(0.2)
        await pilot.press("y")
        await until(pilot, lambda: cell(services, "shop_postgres", 1) == "1/1", 90,
                    "undo back to 1/1")
