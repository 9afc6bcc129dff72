"""What a running lab looks like, recorded as JSON so any process can find it."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from swarmtui.lab.layout import STATE_FILE


@dataclass(frozen=True)
class NodeInfo:
    """One lab node: a network namespace with its own dockerd and sshd."""

    name: str
    role: str  # "manager" | "worker"
    address: str
    socket: str  # path of this node's Docker socket
    netns: str
    dockerd_pid: int
    sshd_pid: int
    sshd_port: int

    @property
    def docker_host(self) -> str:
        return f"unix://{self.socket}"


@dataclass(frozen=True)
class LabInfo:
    """A running lab: its nodes and how to reach them."""

    state_dir: str
    bridge: str
    host_address: str
    stack: str | None
    nodes: tuple[NodeInfo, ...]
    ssh_key: str  # private key accepted by every node's sshd (user root)
    known_hosts: str  # host keys of every node, by address
    started_at: float

    @property
    def first_manager(self) -> NodeInfo:
        return self.nodes[0]

    @property
    def docker_host(self) -> str:
        return self.first_manager.docker_host

    def node(self, name: str) -> NodeInfo:
        for node in self.nodes:
            if node.name == name:
                return node
        names = ", ".join(n.name for n in self.nodes)
        raise KeyError(f"no lab node named {name!r} (nodes: {names})")

    def with_node(self, updated: NodeInfo) -> LabInfo:
        nodes = tuple(updated if n.name == updated.name else n for n in self.nodes)
        return replace(self, nodes=nodes)


def save(info: LabInfo, path: Path | None = None) -> None:
    path = path or STATE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(info), indent=2) + "\n")
    os.replace(tmp, path)


def load(path: Path | None = None) -> LabInfo | None:
    """The recorded lab, or None when there is none (or it is unreadable)."""
    path = path or STATE_FILE
    try:
        raw = json.loads(path.read_text())
        nodes = tuple(NodeInfo(**node) for node in raw.pop("nodes"))
        return LabInfo(nodes=nodes, **raw)
    except (OSError, ValueError, TypeError, KeyError):
        return None
