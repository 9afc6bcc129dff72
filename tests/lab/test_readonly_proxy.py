"""--readonly, checked on the wire: a proxy in front of the lab's socket records every request."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import docker

pytestmark = pytest.mark.lab

REQUEST_LINE = re.compile(
    rb"(?:^|\r\n)(GET|HEAD|POST|PUT|DELETE|PATCH|OPTIONS) (\S+) HTTP/1\.[01]\r\n")


class RecordingProxy:
    """A Unix-socket proxy to a Docker socket that keeps (method, path) of every request."""

    def __init__(self, listen: Path, upstream: str) -> None:
        self.upstream = upstream
        self.requests: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self.server = socket.socket(socket.AF_UNIX)
        self.server.bind(str(listen))
        self.server.listen(16)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.socket(socket.AF_UNIX)
            upstream.connect(self.upstream)
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False),
                             daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, record: bool) -> None:
        pending = b""
        try:
            while chunk := source.recv(65536):
                if record:
                    pending = (pending + chunk)[-4096:]
                    for method, path in REQUEST_LINE.findall(pending):
                        with self._lock:
                            self.requests.append((method.decode(), path.decode()))
                    cut = pending.rfind(b"\r\n")
                    pending = pending[cut + 2:] if cut >= 0 else pending
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            for end in (source, target):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    @property
    def methods(self) -> set[str]:
        with self._lock:
            return {method for method, _ in self.requests}

    def close(self) -> None:
        self.server.close()


def test_read_only_sends_nothing_but_reads_to_the_engine(lab, tmp_path):
    proxy = RecordingProxy(tmp_path / "docker.sock", lab.first_manager.socket)
    host = f"unix://{tmp_path}/docker.sock"
    try:
        def cli(*args: str, answer: str = "") -> subprocess.CompletedProcess[str]:
            return subprocess.run([sys.executable, "-m", "swarmtui", *args], input=answer,
                                  capture_output=True, text=True, timeout=180)

        status = cli("status", "--host", host)
        assert status.returncode == 0, status.stderr
        refusal = "read-only mode: this plan changes the cluster; nothing ran"
        attempt = cli("--readonly", "--host", host, "do", "scale web to 5", answer="y\n")
        assert attempt.returncode == 1
        assert refusal in attempt.stderr and "[y/N]" not in attempt.stdout  # never offered
        drain = cli("--readonly", "do", "--host", host, "drain worker-2", answer="y\n")
        assert refusal in drain.stderr
        # read-only and the engine from the config file bind every command, not the console's
        config = tmp_path / "config.yaml"
        config.write_text(f"readonly: true\nhost: {host}\n")
        configured = subprocess.run([sys.executable, "-m", "swarmtui", "do", "scale web to 5"],
                                    input="y\n", capture_output=True, text=True, timeout=180,
                                    env={**os.environ, "SWARMTUI_CONFIG": str(config)})
        assert refusal in configured.stderr, configured.stdout
        snapshot = cli("snapshot", str(tmp_path / "snap.json"), "--host", host)
        assert snapshot.returncode == 0, snapshot.stderr
        with proxy._lock:
            seen = list(proxy.requests)
        assert any(path.endswith("/services?status=1") or "/services" in path
                   for _, path in seen)
        assert proxy.methods <= {"GET", "HEAD"}, seen
        replicas = docker(lab, "service", "inspect", "--format",
                          "{{.Spec.Mode.Replicated.Replicas}}", "shop_web").strip()
        assert replicas == "3"
        # The console, read-only: keys, sentences, undo and — going round the UI — its
        # executor itself; then restore and the autopilot, read-only.
        asyncio.run(drive_a_read_only_console(host))
        made = cli("backup", "--host", host, "--out", str(tmp_path))
        assert made.returncode == 0, made.stderr
        archive = made.stdout.strip()
        docker(lab, "service", "update", "--detach", "--env-add", "DRILL=1", "shop_web")
        try:
            restore = cli("--readonly", "restore", "--host", host, archive, answer="restore\n")
            assert restore.returncode == 1 and "read-only mode: restore refused" in restore.stderr
            policy = tmp_path / "policy.yaml"
            policy.write_text("remedies:\n  rollback-paused-update: {max_per_hour: 1}\n")
            watch = cli("--readonly", "watch", "--host", host, "--autopilot", str(policy),
                        "--for", "1")
            assert watch.returncode == 2 and "--readonly forbids it" in watch.stderr
        finally:
            docker(lab, "service", "update", "--detach", "--env-rm", "DRILL", "shop_web")
        with proxy._lock:
            seen = list(proxy.requests)
        assert proxy.methods <= {"GET", "HEAD"}, [r for r in seen if r[0] not in ("GET", "HEAD")]
        assert len(seen) > 20  # the console really talked to the engine through the proxy
        # Control: without --readonly the same proxy does see the change go by.
        label = cli("do", "--host", host, "label worker-2 with zone=b", answer="y\n")
        assert label.returncode == 0, label.stdout + label.stderr
        assert "POST" in proxy.methods
        docker(lab, "node", "update", "--label-rm", "zone", "worker-2")
    finally:
        proxy.close()


async def drive_a_read_only_console(host: str) -> None:
    from swarmtui.actions.plan import Plan, Step
    from swarmtui.config import Settings
    from swarmtui.swarm.engine import EngineSource
    from swarmtui.ui.app import SwarmApp
    from tests.conftest import until

    app = SwarmApp(EngineSource(host, readonly=True), settings=Settings(readonly=True,
                                                                      poll_interval=1.0))
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.state is not None, 30, "first state")
        await pilot.press("s")  # the services pane, a service selected
        for key in ("plus", "minus", "R", "b", "u"):
            await pilot.press(key)
        await pilot.press("n", "D", "A")
        app.propose("scale web to 5 and drain worker-2")
        app.propose("remove shop_web")
        await pilot.pause(0.5)
        refusals = [str(n.message) for n in app._notifications]
        assert any("read-only mode" in text for text in refusals), refusals
        # round the UI: the executor's own engine client refuses before a byte is sent
        result = await asyncio.to_thread(
            app.executor().run, Plan((Step("service.scale", {"service": "shop_web",
                                                             "replicas": 5}),)))
        assert not result.ok and "read-only mode: refused POST" in result.summary
        await pilot.press("r")
        await pilot.pause(1.5)  # a few refreshes through the proxy
