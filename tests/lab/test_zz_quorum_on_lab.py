"""A 3-manager lab: healthy, `check` says OK; two managers lost, the quorum is lost and said so.

Runs last (by name): it replaces the session's demo lab with a 3-manager one.
"""

from __future__ import annotations

import json

import pytest

from swarmtui import lab as swarm_lab
from swarmtui.config import Settings
from swarmtui.swarm.engine import EngineSource
from swarmtui.swarm.model import Connection
from swarmtui.ui.app import SwarmApp
from swarmtui.ui.keyed_table import KeyedTable
from tests.conftest import docker, swarmtui, until

pytestmark = pytest.mark.lab

FOREVER = "trap 'exit 0' TERM; while true; do sleep 1; done"


@pytest.fixture(scope="module")
def three_managers(lab):
    swarm_lab.down()
    info = swarm_lab.up(nodes=3, managers=3, stack=None)
    yield info
    swarm_lab.down()  # the last lab test: the unit tests after it run on a quiet machine


def test_a_healthy_three_manager_swarm_checks_ok(three_managers):
    lab = three_managers
    docker(lab, "service", "create", "--name", "calm", "--replicas", "2", "lab/busybox:1.35",
           "sh", "-c", FOREVER)  # waits until converged
    result = swarmtui("check", "--host", lab.docker_host)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("OK - no alerts on ")


async def test_losing_two_of_three_managers_loses_quorum_and_the_console_keeps_the_last_state(
        three_managers):
    lab = three_managers
    others = [n.name for n in lab.nodes[1:]]
    app = SwarmApp(EngineSource(lab.docker_host), settings=Settings(poll_interval=1.0))
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.state is not None and len(app.state.nodes) == 3, 30,
                    "three managers")
        last_good = app.state
        for name in others:
            swarm_lab.fault("node-down", name)
        await until(pilot, lambda: any(a.rule == "quorum-lost" for a in app.alerts), 90,
                    "quorum-lost")
        assert app.status.state is Connection.DISCONNECTED
        assert "does not have a leader" in app.status.message
        assert app.state is not None and app.state.version >= last_good.version
        nodes = app.screen.query_one("#nodes", KeyedTable)
        assert nodes.row_count == 3  # still browsing the last good state
        status = str(app.screen.query_one("#status").render())
        assert "last update" in status and "quorum is lost" in status  # stale, and why
        check = swarmtui("check", "--json", "--host", lab.docker_host)
        assert check.returncode == 2
        report = json.loads(check.stdout)
        assert [a["rule"] for a in report["alerts"]] == ["quorum-lost"]
