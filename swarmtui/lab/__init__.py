"""A real multi-node Docker Swarm on one Linux machine, for tests and demos.

Each node is a network namespace with its own dockerd, hostname and sshd,
joined over a private bridge. Needs root on Linux.

    info = lab.up(nodes=4, managers=1, stack="demo")   # LabInfo
    os.environ["DOCKER_HOST"] = info.docker_host
    lab.fault("node-down", "worker-2")
    lab.down()
"""

from swarmtui.lab.faults import FAULT_KINDS, fault
from swarmtui.lab.host import LabError
from swarmtui.lab.layout import STATE_DIR
from swarmtui.lab.lifecycle import docker_host, down, is_up, node_socket, status, up
from swarmtui.lab.state import LabInfo, NodeInfo

__all__ = [
    "FAULT_KINDS",
    "STATE_DIR",
    "LabError",
    "LabInfo",
    "NodeInfo",
    "docker_host",
    "down",
    "fault",
    "is_up",
    "node_socket",
    "status",
    "up",
]
