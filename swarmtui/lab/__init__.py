"""A real multi-node Docker Swarm on one Linux machine, for tests and demos.

Each node is a network namespace (`stl-<node>`) on the bridge `stl-br0`
(10.77.0.0/24, host side .1, nodes from .11) with its own dockerd, hostname and
sshd. Needs root on Linux; never touches the host's engine or /var/run/docker.sock.

    info = lab.up(nodes=4, managers=1, stack="demo")   # LabInfo, ~25 s
    os.environ["DOCKER_HOST"] = info.docker_host       # the first manager (pop-os)
    lab.fault("node-down", "worker-2")                  # and node-up, daemon-restart,
    lab.down()                                          # break-update, crash

Everything lives under STATE_DIR (/run/swarmtui-lab): lab.json (the LabInfo),
ssh/ (client key, known_hosts), images/, and one dir per node with its socket,
data and exec roots, logs and sshd config. `up` replaces any previous or crashed
lab; `down` removes everything and is safe to repeat.
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
