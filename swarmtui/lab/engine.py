"""One node's Docker engine: a dockerd inside the node's namespaces."""

from __future__ import annotations

import json
import os
import signal
import socket
import time
from pathlib import Path

import docker

from swarmtui.lab.host import LabError, process_alive, read_pid, spawn_detached
from swarmtui.lab.layout import CGROUP_PREFIX, STATE_DIR, netns_path, node_dir, node_socket_path

DOCKERD = "/usr/sbin/dockerd"
READY_TIMEOUT = 45.0


def dockerd_command(name: str, netns: str) -> list[str]:
    """dockerd in the node's network namespace, with its own hostname (UTS namespace).

    Every path is under the node's state dir, so nodes never share files with
    each other or with a host engine; a managed containerd comes with it.
    """
    home = node_dir(name)
    return [
        "nsenter", f"--net={netns_path(netns)}",
        "unshare", "--uts",
        # $$ is dockerd's pid-to-be: every step from here on execs, none forks.
        "sh", "-c", 'echo $$ > "$0/launch.pid" && hostname "$1" && shift && exec "$@"',
        str(home), name,
        "env",
        "DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1",  # no registry: never try to pull
        f"TMPDIR={home / 'tmp'}",  # containerd's stack dumps land here, not in /tmp
        DOCKERD,
        "--host", f"unix://{node_socket_path(name)}",
        "--data-root", str(home / "data"),
        "--exec-root", str(home / "exec"),
        "--pidfile", str(home / "dockerd.pid"),
        "--config-file", str(home / "daemon.json"),
        "--cgroup-parent", f"{CGROUP_PREFIX}{name}",
        "--exec-opt", "native.cgroupdriver=cgroupfs",
        "--bridge", "none",
        "--iptables=false",
        "--ip-masq=false",
        "--userland-proxy=false",
    ]


def start_dockerd(name: str, netns: str) -> None:
    home = node_dir(name)
    (home / "tmp").mkdir(parents=True, exist_ok=True)
    # The engine's identity key goes under the node, not into the host's /etc/docker.
    config = {"deprecated-key-path": str(home / "key.json")}
    (home / "daemon.json").write_text(json.dumps(config) + "\n")
    for stale in (home / "dockerd.pid", home / "launch.pid", node_socket_path(name)):
        stale.unlink(missing_ok=True)
    spawn_detached(dockerd_command(name, netns), home / "dockerd.log")


def wait_until_ready(name: str, timeout: float = READY_TIMEOUT) -> int:
    """Wait for the node's socket to answer /_ping; returns dockerd's pid."""
    sock = node_socket_path(name)
    launched = node_dir(name) / "launch.pid"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ping(sock):
            pid = dockerd_pid(name)
            if pid:
                return pid
        launch_pid = read_pid(launched)
        if launch_pid and not process_alive(launch_pid):
            raise LabError(f"dockerd on {name} exited: {_last_error(name)}")
        time.sleep(0.1)
    raise LabError(f"dockerd on {name} did not answer within {timeout:.0f}s: {_last_error(name)}")


def ping(sock: Path, timeout: float = 2.0) -> bool:
    """Whether the engine behind `sock` answers GET /_ping with 200."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(timeout)
            conn.connect(str(sock))
            conn.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
            reply = conn.recv(4096)
    except OSError:
        return False
    status_line = reply.split(b"\r\n", 1)[0].split()
    return len(status_line) >= 2 and status_line[1] == b"200"


def dockerd_pid(name: str) -> int:
    pid = read_pid(node_dir(name) / "dockerd.pid")
    return pid if process_alive(pid, str(STATE_DIR)) else 0


def kill_dockerd(name: str, sig: signal.Signals, timeout: float = 60.0) -> None:
    """Send `sig` to the node's dockerd and wait until it is gone."""
    pid = dockerd_pid(name)
    if not pid:
        return
    os.kill(pid, sig)
    deadline = time.monotonic() + timeout
    while process_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if process_alive(pid):
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while process_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)


def api(name: str, timeout: int = 60) -> docker.APIClient:
    """Low-level Engine API client for one node (never the host's engine)."""
    return docker.APIClient(base_url=f"unix://{node_socket_path(name)}", timeout=timeout)


def _last_error(name: str) -> str:
    log = node_dir(name) / "dockerd.log"
    try:
        lines = log.read_text(errors="replace").splitlines()
    except OSError:
        return "no log"
    errors = [ln for ln in lines if "level=fatal" in ln or "level=error" in ln or "failed" in ln]
    return (errors or lines or ["empty log"])[-1][-300:] + f" (see {log})"
