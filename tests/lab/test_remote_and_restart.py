"""ssh:// engines over asyncssh, and a manager daemon restart (C-15), on the lab."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest

from swarmtui import lab as swarm_lab
from swarmtui.swarm.engine import EngineSource
from swarmtui.swarm.model import Connection
from swarmtui.swarm.watcher import ClusterWatcher
from tests.conftest import docker, swarmtui

pytestmark = pytest.mark.lab


def ssh_home(tmp_path, lab, *, trusted: bool):
    """A HOME whose ~/.ssh/config points at the lab's key (and, if trusted, its host keys)."""
    ssh = tmp_path / ".ssh"
    ssh.mkdir(mode=0o700)
    known = lab.known_hosts if trusted else str(ssh / "empty_known_hosts")
    if not trusted:
        (ssh / "empty_known_hosts").write_text("")
    (ssh / "config").write_text(
        f"Host {lab.first_manager.address}\n"
        f"  User root\n  IdentityFile {lab.ssh_key}\n  UserKnownHostsFile {known}\n"
    )
    return {"HOME": str(tmp_path), "DOCKER_HOST": ""}


def test_status_over_ssh_honours_ssh_config_and_known_hosts(lab, tmp_path):
    url = f"ssh://{lab.first_manager.address}{lab.first_manager.socket}"
    result = swarmtui("status", "--json", "--host", url, env=ssh_home(tmp_path, lab, trusted=True))
    assert result.returncode == 0, result.stderr
    names = {s["name"] for s in json.loads(result.stdout)["services"]}
    assert "shop_web" in names and len(names) == 15


def test_an_unknown_host_key_is_refused(lab, tmp_path):
    url = f"ssh://{lab.first_manager.address}{lab.first_manager.socket}"
    result = swarmtui("status", "--host", url, env=ssh_home(tmp_path, lab, trusted=False))
    assert result.returncode == 1
    assert "host key not trusted" in result.stderr and "Traceback" not in result.stderr


def test_a_manager_restart_is_shown_and_survived(lab):
    """The watcher shows `disconnected, retrying`, reconnects, and sees changes again."""
    statuses = []
    states = []

    async def scenario():
        watcher = ClusterWatcher(EngineSource(lab.docker_host), on_state=states.append,
                                 on_status=statuses.append, poll_interval=1.0, max_backoff=2.0)
        task = asyncio.create_task(watcher.run())
        try:
            while not states:
                await asyncio.sleep(0.1)
            await asyncio.to_thread(swarm_lab.fault, "daemon-restart", "pop-os")
            for _ in range(600):
                if any(s.state is Connection.DISCONNECTED for s in statuses) and \
                        watcher.status.state is Connection.CONNECTED and watcher.status.events_live:
                    break
                await asyncio.sleep(0.1)
            assert any(s.state is Connection.DISCONNECTED for s in statuses)
            assert watcher.status.state is Connection.CONNECTED
            # After the restart, an event-driven change still reaches us.
            seen = len(states)
            await asyncio.to_thread(docker, lab, "service", "update", "--detach",
                                    "--label-add", "drill=restart", "shop_web")
            for _ in range(300):
                web = states[-1].service_named("shop_web")
                if len(states) > seen and web and web.labels.get("drill") == "restart":
                    break
                await asyncio.sleep(0.1)
            assert states[-1].service_named("shop_web").labels.get("drill") == "restart"
        finally:
            await watcher.stop()
            await asyncio.wait_for(task, 10)

    asyncio.run(scenario())
    assert not [t for t in threading.enumerate() if t.name == "swarmtui-events" and t.is_alive()]
    down = next(s for s in statuses if s.state is Connection.DISCONNECTED)
    assert down.label == "disconnected, retrying"
