"""The host the lab runs on: root/Linux check, Debian packages, commands, processes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from swarmtui.lab.layout import STATE_DIR

Progress = Callable[[str], None]

# Debian package -> a file it installs that the lab needs.
REQUIRED_PACKAGES: dict[str, str] = {
    "docker.io": "/usr/sbin/dockerd",
    "busybox-static": "/bin/busybox",
    "openssh-server": "/usr/sbin/sshd",
    "iproute2": "/sbin/ip",
    "iptables": "/usr/sbin/iptables",
}
DOCKER_CLI = "/usr/bin/docker"  # Debian's client; /usr/local/bin/docker may be another one

# Host directories that daemons create on first use; the lab removes the ones it made.
SHARED_HOST_DIRS = (
    "/run/netns",
    "/run/sshd",
    "/run/docker",
    "/run/docker/plugins",
    "/run/containerd",
    "/run/containerd/s",
    "/opt/containerd",  # containerd's "opt" plugin, loaded by every managed containerd
    "/opt/containerd/bin",
    "/opt/containerd/lib",
    "/var/lib/docker",  # libnetwork writes load-balancer sandbox files here, whatever the root
    "/var/lib/docker/network",
    "/var/lib/docker/network/files",
)
CREATED_HOST_DIRS_FILE = STATE_DIR / "created-host-dirs"


class LabError(Exception):
    """A lab operation failed; the message is one line an operator can act on."""


def unsupported_reason() -> str | None:
    """Why the lab cannot run here, or None when it can."""
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        return "swarmtui lab needs root on Linux (network namespaces, dockerd)"
    return None


def require_supported() -> None:
    reason = unsupported_reason()
    if reason:
        raise LabError(reason)


def missing_packages() -> list[str]:
    return [pkg for pkg, path in REQUIRED_PACKAGES.items() if not _package_present(pkg, path)]


def _package_present(package: str, path: str) -> bool:
    if shutil.which("dpkg-query"):
        result = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", package],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0 or "install ok installed" not in result.stdout:
            return False
    return Path(path).exists() or shutil.which(Path(path).name) is not None


def ensure_packages(progress: Progress) -> None:
    """Install the Debian packages the lab needs, saying so first."""
    missing = missing_packages()
    if not missing:
        return
    if not shutil.which("apt-get"):
        raise LabError(f"missing packages {', '.join(missing)} and no apt-get to install them")
    progress(f"installing Debian packages: {' '.join(missing)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", *missing]
    if subprocess.run(install, env=env, check=False).returncode != 0:
        subprocess.run(["apt-get", "update"], env=env, check=False)
        result = subprocess.run(install, env=env, check=False)
        if result.returncode != 0:
            raise LabError(
                f"could not install {' '.join(missing)} (apt-get exited {result.returncode})"
            )
    still_missing = missing_packages()
    if still_missing:
        raise LabError(f"packages still missing after apt-get: {' '.join(still_missing)}")


def run(args: Sequence[str], *, check: bool = True) -> str:
    """Run a command; a failure becomes a one-line LabError naming the command."""
    result = subprocess.run(list(args), capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        last = detail[-1] if detail else f"exit status {result.returncode}"
        raise LabError(f"`{' '.join(args)}` failed: {last}")
    return result.stdout


def spawn_detached(args: Sequence[str], log: Path) -> None:
    """Start a long-running daemon outside our process tree, output to `log`.

    `setsid -f` forks it off and returns at once, so the daemon is never our
    child: it outlives this process and never lingers as our zombie.
    """
    with log.open("ab") as out:
        subprocess.run(
            ["setsid", "-f", *args],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
        )


def process_alive(pid: int, marker: str = "") -> bool:
    """Whether `pid` runs (not a zombie) and its command line contains `marker`."""
    if pid <= 0:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return False
    state = stat.rsplit(")", 1)[-1].split()[0]
    return state not in ("Z", "X") and marker in cmdline


def read_pid(path: Path) -> int:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return 0


def record_missing_host_dirs() -> None:
    """Note which shared host dirs do not exist yet, so down removes only those."""
    recorded = set(created_host_dirs())
    missing = [d for d in SHARED_HOST_DIRS if not os.path.lexists(d) and d not in recorded]
    if missing:
        CREATED_HOST_DIRS_FILE.parent.mkdir(parents=True, exist_ok=True)
        with CREATED_HOST_DIRS_FILE.open("a") as f:
            f.writelines(f"{d}\n" for d in missing)


def created_host_dirs() -> list[str]:
    try:
        return [line for line in CREATED_HOST_DIRS_FILE.read_text().splitlines() if line]
    except OSError:
        return []
