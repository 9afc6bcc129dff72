"""Where the lab lives: node names, addresses, interface names and file paths.

Everything the lab creates is named from here, so cleanup can find it again
from a fresh process (and after a crash) without touching anything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

STATE_DIR = Path("/run/swarmtui-lab")
STATE_FILE = STATE_DIR / "lab.json"
SSH_DIR = STATE_DIR / "ssh"
IMAGE_TAR = STATE_DIR / "images" / "busybox.tar"

BRIDGE = "stl-br0"
NETNS_PREFIX = "stl-"
VETH_PREFIX = "stl-v"
CGROUP_PREFIX = "swarmtui-lab-"
IPTABLES_COMMENT = "swarmtui-lab"

SUBNET_PREFIX = "10.77.0"
HOST_ADDRESS = f"{SUBNET_PREFIX}.1"
FIRST_NODE_OCTET = 11
SWARM_PORT = 2377
SSH_PORT = 22

FIRST_MANAGER = "pop-os"
MAX_NODES = 20


@dataclass(frozen=True)
class NodePlan:
    """One node to create: its name, role and where it lives."""

    index: int  # 1-based, in creation order
    name: str
    role: str  # "manager" | "worker"

    @property
    def address(self) -> str:
        return f"{SUBNET_PREFIX}.{FIRST_NODE_OCTET + self.index - 1}"

    @property
    def netns(self) -> str:
        return f"{NETNS_PREFIX}{self.name}"

    @property
    def veth(self) -> str:
        return f"{VETH_PREFIX}{self.index}"

    @property
    def cgroup_parent(self) -> str:
        return f"{CGROUP_PREFIX}{self.name}"

    @property
    def dir(self) -> Path:
        return node_dir(self.name)

    @property
    def socket(self) -> Path:
        return node_socket_path(self.name)


def node_dir(name: str) -> Path:
    return STATE_DIR / name


def node_socket_path(name: str) -> Path:
    return node_dir(name) / "docker.sock"


def netns_path(netns: str) -> Path:
    return Path("/var/run/netns") / netns


def plan_nodes(nodes: int, managers: int) -> list[NodePlan]:
    """Managers first (pop-os, manager-2, …), then worker-1, worker-2, …"""
    if not 1 <= nodes <= MAX_NODES:
        raise ValueError(f"--nodes must be between 1 and {MAX_NODES}, not {nodes}")
    if not 1 <= managers <= nodes:
        raise ValueError(f"--managers must be between 1 and --nodes ({nodes}), not {managers}")
    names = [FIRST_MANAGER] + [f"manager-{i}" for i in range(2, managers + 1)]
    names += [f"worker-{i}" for i in range(1, nodes - managers + 1)]
    return [
        NodePlan(index=i, name=name, role="manager" if i <= managers else "worker")
        for i, name in enumerate(names, start=1)
    ]


# What `lab up --stack` and `lab fault` accept; kept here so the command line
# can offer them without loading the docker SDK.
STACKS = ("demo", "none")
NODE_FAULTS = ("node-down", "node-up", "daemon-restart")
SERVICE_FAULTS = ("break-update", "crash")
FAULT_KINDS = NODE_FAULTS + SERVICE_FAULTS
