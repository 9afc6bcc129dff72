"""A real multi-node Docker Swarm on one Linux machine, for tests and demos.

Each node is a network namespace with its own dockerd, hostname and sshd,
joined over a private bridge. Needs root on Linux.

    info = lab.up(nodes=4, managers=1, stack="demo")   # LabInfo
    os.environ["DOCKER_HOST"] = info.docker_host
    lab.fault("node-down", "worker-2")
    lab.down()

The names below load on first use, so `swarmtui --help` does not pay for the
docker SDK.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "FAULT_KINDS": "swarmtui.lab.layout",
    "STATE_DIR": "swarmtui.lab.layout",
    "LabError": "swarmtui.lab.host",
    "LabInfo": "swarmtui.lab.state",
    "NodeInfo": "swarmtui.lab.state",
    "docker_host": "swarmtui.lab.lifecycle",
    "down": "swarmtui.lab.lifecycle",
    "is_up": "swarmtui.lab.lifecycle",
    "node_socket": "swarmtui.lab.lifecycle",
    "status": "swarmtui.lab.lifecycle",
    "up": "swarmtui.lab.lifecycle",
    "fault": "swarmtui.lab.faults",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'swarmtui.lab' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
