"""The swarm itself: init and join over the bridge, then nodes, networks and services
created from raw Engine API specs (exactly as recorded, no SDK reshaping)."""

from __future__ import annotations

import time
from typing import Any

import docker

from swarmtui.lab.engine import api
from swarmtui.lab.host import LabError
from swarmtui.lab.layout import SWARM_PORT, NodePlan

Spec = dict[str, Any]


def init_swarm(first: NodePlan) -> dict[str, str]:
    """`swarm init` on the first manager; returns the join tokens by role."""
    client = api(first.name)
    client.init_swarm(advertise_addr=first.address, listen_addr=f"0.0.0.0:{SWARM_PORT}")
    tokens = client.inspect_swarm()["JoinTokens"]
    return {"manager": tokens["Manager"], "worker": tokens["Worker"]}


def join_swarm(node: NodePlan, first: NodePlan, tokens: dict[str, str]) -> None:
    """`swarm join` with the node's own address as advertise address."""
    try:
        api(node.name).join_swarm(
            remote_addrs=[f"{first.address}:{SWARM_PORT}"],
            join_token=tokens[node.role],
            listen_addr=f"0.0.0.0:{SWARM_PORT}",
            advertise_addr=node.address,
        )
    except docker.errors.APIError as exc:
        raise LabError(f"{node.name} could not join the swarm: {exc.explanation}") from exc


def wait_all_ready(first: NodePlan, count: int, timeout: float = 30.0) -> None:
    """Wait until the managers see `count` nodes in state ready."""
    client = api(first.name)
    deadline = time.monotonic() + timeout
    ready = 0
    while time.monotonic() < deadline:
        ready = sum(1 for n in client.nodes() if n["Status"]["State"] == "ready")
        if ready >= count:
            return
        time.sleep(0.2)
    raise LabError(f"only {ready} of {count} nodes became ready within {timeout:.0f}s")


def node_ids_by_hostname(client: docker.APIClient) -> dict[str, str]:
    return {n["Description"]["Hostname"]: n["ID"] for n in client.nodes()}


def update_node(client: docker.APIClient, node_id: str, **spec_changes: object) -> None:
    """Apply changes to a node's spec (labels, availability) at its current version."""
    node = client.inspect_node(node_id)
    spec = {**node["Spec"], **spec_changes}
    client.update_node(node_id, node["Version"]["Index"], spec)


def create_network(client: docker.APIClient, net: Spec) -> str:
    body = {**net, "CheckDuplicate": True}
    return str(_post(client, "/networks/create", body)["Id"])


def create_service(client: docker.APIClient, spec: Spec) -> str:
    return str(_post(client, "/services/create", spec)["ID"])


def update_service(client: docker.APIClient, name: str, spec: Spec) -> None:
    """Replace a service's spec at its current version (what `docker service update` does)."""
    current = client.inspect_service(name)
    _post(client, f"/services/{current['ID']}/update", spec,
          params={"version": current["Version"]["Index"]})


def _post(client: docker.APIClient, path: str, body: Spec,
          params: dict[str, Any] | None = None) -> dict[str, Any]:
    url = f"{client.base_url}/v{client.api_version}{path}"
    response = client.post(url, json=body, params=params or {}, timeout=60)
    if response.status_code >= 400:
        try:
            message = response.json().get("message", response.text)
        except ValueError:
            message = response.text
        raise LabError(f"POST {path} failed ({response.status_code}): {message.strip()}")
    return response.json() if response.content else {}
