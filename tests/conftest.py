"""Shared fixtures: the recorded cluster, and the real lab for integration tests."""

from __future__ import annotations

import copy
import json
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from swarmtui.swarm.model import ClusterState
from swarmtui.swarm.parse import RawCluster, build_state

FIXTURES = Path(__file__).parent / "fixtures"
INCIDENT = FIXTURES / "cluster-incident.json"

# Screens show local times: pin the zone so snapshots mean the same everywhere.
os.environ["TZ"] = "UTC"
# History, undo records and the audit trail of the tests' own runs stay out of the
# developer's home: every test session gets fresh XDG state and config directories.
os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="swarmtui-test-state-")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="swarmtui-test-config-")
time.tzset()


def demo_app(*, wall: bool = False, **settings: Any):
    """The console on the recorded incident, with a clock frozen a minute after capture."""
    from swarmtui.config import Settings
    from swarmtui.swarm.recorded import RecordedSource
    from swarmtui.ui.app import SwarmApp

    source = RecordedSource(INCIDENT)
    app = SwarmApp(source, settings=Settings(highlight_seconds=0, **settings),
                   mode="wall" if wall else "snapshot", wall=wall)
    frozen = datetime.fromtimestamp(source.data["captured_at"] + 60, UTC)
    app.clock = lambda: frozen
    return app


@pytest.fixture(scope="session")
def incident_raw() -> dict[str, Any]:
    return json.loads(INCIDENT.read_text())


@pytest.fixture
def incident(incident_raw: dict[str, Any]) -> dict[str, Any]:
    """A private deep copy of the recording, free to edit."""
    return copy.deepcopy(incident_raw)


def state_from(data: dict[str, Any], *, without_status: bool = False) -> ClusterState:
    services = data["services"]
    if without_status:
        services = [{k: v for k, v in s.items() if k != "ServiceStatus"} for s in services]
    raw = RawCluster(
        info=data.get("info", {}),
        version=data.get("version", {}),
        nodes=data.get("nodes", []),
        services=services,
        tasks=data.get("tasks", []),
    )
    when = datetime.fromtimestamp(data.get("captured_at", 0), UTC)
    return build_state(raw, 1, when)


# -- the lab ------------------------------------------------------------------

DOCKER_CLI = "/usr/bin/docker"  # Debian's client; another docker may come first on PATH


@pytest.fixture(scope="session")
def lab():
    """A real 4-node swarm with the demo stack, started once for the whole run.

    The lab needs root on Linux: elsewhere these tests fail with the lab's own
    message rather than pass silently.
    """
    import os

    from swarmtui import lab as swarm_lab

    keep = os.environ.get("SWARMTUI_KEEP_LAB") == "1"  # for developers iterating: reuse it
    running = swarm_lab.status() if keep else None
    reusable = running and swarm_lab.is_up(running) and running.stack == "demo" \
        and len(running.nodes) == 4
    info = running if reusable \
        else swarm_lab.up(nodes=4, managers=1, stack="demo")
    try:
        yield info
    finally:
        if not keep:
            swarm_lab.down()


async def until(pilot, predicate, timeout: float, what: str) -> float:
    """Wait (letting the app run) until `predicate()` holds; fail after `timeout` seconds."""
    import time

    started = time.monotonic()
    while not predicate():
        assert time.monotonic() - started < timeout, f"{what}: not seen in {timeout:.0f}s"
        await pilot.pause(0.05)
    return time.monotonic() - started


def docker(lab_info, *args: str, host: str | None = None, check: bool = True) -> str:
    """Run Debian's docker CLI against a lab node (the first manager by default)."""
    import subprocess

    result = subprocess.run(
        [DOCKER_CLI, "-H", host or lab_info.docker_host, *args],
        capture_output=True, text=True, timeout=120,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def swarmtui(*args: str, env: dict[str, str] | None = None, user: str | None = None,
             input: str | None = None):
    """Run the installed `swarmtui` command line as a user would."""
    import os
    import subprocess
    import sys

    command = [sys.executable, "-m", "swarmtui", *args]
    if user is not None:
        command = ["setpriv", f"--reuid={user}", "--regid=65534", "--clear-groups", *command]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=120, input=input,
        env={**os.environ, **(env or {})}, cwd=Path(__file__).parent.parent,
    )


def eventually(check, timeout: float = 30.0, interval: float = 0.5):
    """Call `check` until it returns a truthy value or raises no AssertionError."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if result or result is None:
                return result
        except AssertionError:
            if time.monotonic() > deadline:
                raise
        else:
            if time.monotonic() > deadline:
                raise AssertionError(f"still false after {timeout:.0f}s")
        time.sleep(interval)
