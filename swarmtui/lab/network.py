"""The lab's private network: one bridge, one namespace + veth per node."""

from __future__ import annotations

import os
import shutil

from swarmtui.lab.host import LabError, run
from swarmtui.lab.layout import (
    BRIDGE,
    HOST_ADDRESS,
    IPTABLES_COMMENT,
    NETNS_PREFIX,
    VETH_PREFIX,
    NodePlan,
    netns_path,
)


def create_bridge() -> None:
    run(["ip", "link", "add", BRIDGE, "type", "bridge"])
    run(["ip", "addr", "add", f"{HOST_ADDRESS}/24", "dev", BRIDGE])
    run(["ip", "link", "set", BRIDGE, "up"])


def create_node_netns(node: NodePlan) -> None:
    """A namespace with lo and eth0 (veth to the bridge) holding the node's address.

    No default route: image pulls fail at once instead of hanging on a registry
    that cannot be reached.
    """
    run(["ip", "netns", "add", node.netns])
    run(["ip", "link", "add", node.veth, "type", "veth", "peer", "name", "eth0",
         "netns", node.netns])
    run(["ip", "link", "set", node.veth, "master", BRIDGE, "up"])
    inside = ["nsenter", f"--net={netns_path(node.netns)}", "ip"]
    run([*inside, "addr", "add", f"{node.address}/24", "dev", "eth0"])
    run([*inside, "link", "set", "eth0", "up"])
    run([*inside, "link", "set", "lo", "up"])


def allow_bridge_forwarding() -> None:
    """Let traffic cross the bridge even when a host dockerd set FORWARD to DROP.

    Bridged frames pass the iptables FORWARD chain when br_netfilter is on;
    the rule carries a comment so down can find and remove exactly it.
    """
    try:
        run(["iptables", "-I", "FORWARD", "-i", BRIDGE, "-o", BRIDGE,
             "-m", "comment", "--comment", IPTABLES_COMMENT, "-j", "ACCEPT"])
    except LabError:
        # No usable iptables: harmless as long as nothing filters forwarding.
        if "-P FORWARD ACCEPT" not in run(["iptables", "-S", "FORWARD"], check=False):
            raise


def remove_forwarding_rules() -> None:
    if shutil.which("iptables") is None:
        return
    rules = run(["iptables", "-S", "FORWARD"], check=False).splitlines()
    for rule in rules:
        if f"--comment {IPTABLES_COMMENT}" in rule and rule.startswith("-A "):
            run(["iptables", "-D", *rule.split()[1:]], check=False)


def remove_netns_and_links() -> None:
    """Delete every namespace, veth and bridge carrying the lab's names."""
    for name in lab_netns_names():
        run(["ip", "netns", "del", name], check=False)
    for line in run(["ip", "-o", "link", "show"], check=False).splitlines():
        fields = line.split(":")
        if len(fields) < 2:
            continue
        link = fields[1].strip().split("@")[0]
        if link.startswith(VETH_PREFIX) or link == BRIDGE:
            run(["ip", "link", "del", link], check=False)


def lab_netns_names() -> list[str]:
    try:
        names = os.listdir("/var/run/netns")
    except OSError:
        return []
    return sorted(n for n in names if n.startswith(NETNS_PREFIX))
