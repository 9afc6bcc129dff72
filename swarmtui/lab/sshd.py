"""Per-node sshd: the node's address and hostname, a session env pointing at its engine.

Keys and configs are the lab's own, under the state dir; the host's /etc/ssh
and its own sshd are never touched.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path

from swarmtui.lab.host import LabError, process_alive, read_pid, run, spawn_detached
from swarmtui.lab.layout import SSH_DIR, SSH_PORT, STATE_DIR, node_dir, node_socket_path

SSHD = "/usr/sbin/sshd"
CLIENT_KEY = SSH_DIR / "id_ed25519"
AUTHORIZED_KEYS = SSH_DIR / "authorized_keys"
KNOWN_HOSTS = SSH_DIR / "known_hosts"
PRIVSEP_DIR = Path("/run/sshd")


def make_client_key() -> Path:
    """The keypair the host (and tests) log in with, as root, on every node."""
    SSH_DIR.mkdir(parents=True, exist_ok=True)
    _keygen(CLIENT_KEY, "swarmtui-lab client")
    AUTHORIZED_KEYS.write_text(CLIENT_KEY.with_suffix(".pub").read_text())
    AUTHORIZED_KEYS.chmod(0o600)
    return CLIENT_KEY


def write_known_hosts(nodes: list[tuple[str, str]]) -> Path:
    """known_hosts naming each node by address and hostname: (name, address) pairs."""
    lines = []
    for name, address in nodes:
        key_type, key = _host_key(name).with_suffix(".pub").read_text().split()[:2]
        lines.append(f"{address},{name} {key_type} {key}\n")
    KNOWN_HOSTS.write_text("".join(lines))
    return KNOWN_HOSTS


def write_config(name: str, address: str) -> Path:
    home = node_dir(name)
    _keygen(_host_key(name), f"swarmtui-lab {name}")
    config = home / "sshd_config"
    config.write_text(
        "\n".join(
            [
                f"Port {SSH_PORT}",
                f"ListenAddress {address}",
                f"HostKey {_host_key(name)}",
                f"PidFile {home / 'sshd.pid'}",
                f"AuthorizedKeysFile {AUTHORIZED_KEYS}",
                "PermitRootLogin prohibit-password",
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "UsePAM no",
                "PrintMotd no",
                "PrintLastLog no",
                "AllowTcpForwarding yes",
                "AllowStreamLocalForwarding yes",
                f"SetEnv DOCKER_HOST=unix://{node_socket_path(name)}",
                "Subsystem sftp internal-sftp",
                "",
            ]
        )
    )
    return config


def start_sshd(name: str, address: str, dockerd_pid: int, timeout: float = 10.0) -> int:
    """Start sshd inside the namespaces of the node's dockerd; returns its pid."""
    PRIVSEP_DIR.mkdir(mode=0o755, exist_ok=True)
    home = node_dir(name)
    (home / "sshd.pid").unlink(missing_ok=True)
    spawn_detached(
        ["nsenter", f"--target={dockerd_pid}", "--net", "--uts",
         SSHD, "-D", "-f", str(home / "sshd_config"), "-E", str(home / "sshd.log")],
        home / "sshd.out",
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pid = sshd_pid(name)
        if pid and _answers(address):
            return pid
        time.sleep(0.05)
    raise LabError(f"sshd on {name} did not start; see {home / 'sshd.log'}")


def sshd_pid(name: str) -> int:
    pid = read_pid(node_dir(name) / "sshd.pid")
    return pid if process_alive(pid, str(STATE_DIR)) else 0


def _answers(address: str) -> bool:
    try:
        with socket.create_connection((address, SSH_PORT), timeout=1.0) as conn:
            return conn.recv(4).startswith(b"SSH-")
    except OSError:
        return False


def _host_key(name: str) -> Path:
    return node_dir(name) / "ssh_host_ed25519_key"


def _keygen(path: Path, comment: str) -> None:
    path.unlink(missing_ok=True)
    path.with_suffix(".pub").unlink(missing_ok=True)
    run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)])
