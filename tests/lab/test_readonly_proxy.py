"""--readonly, checked on the wire: a proxy in front of the lab's socket records every request."""

from __future__ import annotations

import contextlib
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
        attempt = cli("--readonly", "--host", host, "do", "scale web to 5", answer="y\n")
        assert attempt.returncode == 1
        assert "read-only mode: refused POST" in attempt.stdout
        drain = cli("--readonly", "do", "--host", host, "drain worker-2", answer="y\n")
        assert "read-only mode: refused POST" in drain.stdout
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
        # Control: without --readonly the same proxy does see the change go by.
        label = cli("do", "--host", host, "label worker-2 with zone=b", answer="y\n")
        assert label.returncode == 0, label.stdout + label.stderr
        assert "POST" in proxy.methods
        docker(lab, "node", "update", "--label-rm", "zone", "worker-2")
    finally:
        proxy.close()
