"""`--stack demo`: rebuild the recorded incident cluster on the lab's swarm.

The specs in demo_stack.json come from tests/fixtures/cluster-incident.json.
Order follows the recording: node labels, networks, services; once the healthy
tasks run (some on worker-3), shop_api gets its broken image update, worker-3 is
paused and the crash-looping shop_worker starts.

Services start one network at a time. dockerd 20.10's network database keys its
bulk-sync acknowledgements by peer only, so a node joining two overlay networks
at once can lose one acknowledgement and stall that task for 30 s.
"""

from __future__ import annotations

import copy
import json
import time
from collections import Counter
from importlib import resources
from typing import Any

import docker

from swarmtui.lab.cluster import (
    create_network,
    create_service,
    node_ids_by_hostname,
    update_node,
    update_service,
)
from swarmtui.lab.engine import api
from swarmtui.lab.host import Progress

Spec = dict[str, Any]
SETTLE_TIMEOUT = 40.0


def load_stack() -> dict[str, Any]:
    text = resources.files("swarmtui.lab").joinpath("demo_stack.json").read_text()
    stack: dict[str, Any] = json.loads(text)
    return stack


def deploy_demo(first_manager: str, progress: Progress) -> None:
    stack = load_stack()
    client = api(first_manager)
    node_ids = node_ids_by_hostname(client)
    for hostname, labels in stack["node_labels"].items():
        if hostname in node_ids:
            update_node(client, node_ids[hostname], Labels=labels)

    network_ids = {net["Name"]: create_network(client, net) for net in stack["networks"]}
    progress(f"demo: {len(network_ids)} overlay networks")
    # Crash loops come last: their tasks keep joining and leaving networks.
    crash_looping = [s for s in stack["services"] if s["Name"] in stack["crash_looping"]]
    labels = [stack["node_labels"].get(hostname, {}) for hostname in node_ids]
    awaited = {
        spec["Name"] for spec in stack["services"]
        if spec["Name"] in _steady_services(stack) | {u["service"] for u in stack["updates"]}
        and _placeable(spec, labels)
    }
    for network, wave in _by_network([s for s in stack["services"] if s not in crash_looping]):
        for spec in wave:
            create_service(client, _with_network_ids(spec, network_ids))
        names = {spec["Name"] for spec in wave}
        starting = _wait_running(client, names & awaited, len(node_ids))
        if starting:
            progress(f"demo: still starting after {SETTLE_TIMEOUT:.0f}s: {', '.join(starting)}")
        else:
            progress(f"demo: {network or 'no network'}: {_count(wave, 'service')}")
    for update in stack["updates"]:
        update_service(client, update["service"], _with_network_ids(update["spec"], network_ids))
        progress(f"demo: {update['service']} updating to {_image(update['spec'])} (will pause)")
    for hostname in stack["paused_nodes"]:
        if hostname in node_ids:
            update_node(client, node_ids[hostname], Availability="pause")
            progress(f"demo: {hostname} paused")
    for spec in crash_looping:
        create_service(client, _with_network_ids(spec, network_ids))
        progress(f"demo: {spec['Name']} created (crash-loops)")

    waiting = _wait_for_incident(client, stack)
    if waiting:
        progress(f"demo: not yet as recorded after {SETTLE_TIMEOUT:.0f}s: {', '.join(waiting)}")
    else:
        progress("demo: update paused, crash loop and pending task as recorded")


def _with_network_ids(spec: Spec, network_ids: dict[str, str]) -> Spec:
    spec = copy.deepcopy(spec)
    for attachment in spec.get("TaskTemplate", {}).get("Networks") or []:
        attachment["Target"] = network_ids.get(attachment["Target"], attachment["Target"])
    return spec


def _placeable(spec: Spec, node_labels: list[dict[str, str]]) -> bool:
    """False when a `node.labels.K == V` constraint matches no node (small labs)."""
    for constraint in spec["TaskTemplate"].get("Placement", {}).get("Constraints") or []:
        key, _, value = (part.strip() for part in constraint.partition("=="))
        if key.startswith("node.labels.") and not any(
            labels.get(key.removeprefix("node.labels.")) == value for labels in node_labels
        ):
            return False
    return True


def _by_network(specs: list[Spec]) -> list[tuple[str, list[Spec]]]:
    """Services grouped by their (first) network, in order of first appearance."""
    waves: dict[str, list[Spec]] = {}
    for spec in specs:
        attachments = spec["TaskTemplate"].get("Networks") or [{"Target": ""}]
        waves.setdefault(attachments[0]["Target"], []).append(spec)
    return list(waves.items())


def _image(spec: Spec) -> str:
    return str(spec["TaskTemplate"]["ContainerSpec"]["Image"])


def _steady_services(stack: dict[str, Any]) -> set[str]:
    """Services that end up fully running in the recording (no crash, constraint, job)."""
    broken = {*stack["crash_looping"], *stack["unschedulable"]}
    broken |= {u["service"] for u in stack["updates"]}
    return {
        spec["Name"]
        for spec in stack["services"]
        if spec["Name"] not in broken and "ReplicatedJob" not in spec["Mode"]
    }


def _wait_running(client: docker.APIClient, names: set[str], node_count: int) -> list[str]:
    """Wait until the named services run all their tasks (global: one per node).

    Returns the services still short of tasks when the wait timed out.
    """
    wanted: dict[str, tuple[str, int]] = {}
    for service in client.services():
        name = service["Spec"]["Name"]
        if name in names:
            mode = service["Spec"]["Mode"]
            replicas = node_count if "Global" in mode else mode["Replicated"]["Replicas"]
            wanted[service["ID"]] = (name, replicas)
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while True:
        tasks = client.tasks(filters={"desired-state": "running"})
        running = Counter(t["ServiceID"] for t in tasks if t["Status"]["State"] == "running")
        short = sorted(name for sid, (name, n) in wanted.items() if running[sid] < n)
        if not short or time.monotonic() > deadline:
            return short
        time.sleep(0.5)


def _wait_for_incident(client: docker.APIClient, stack: dict[str, Any]) -> list[str]:
    """Wait until the recorded trouble shows: paused update, failed and pending tasks,
    finished job. Returns what is still missing when the wait timed out."""
    jobs = [s["Name"] for s in stack["services"] if "ReplicatedJob" in s["Mode"]]
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while True:
        missing = [f"{u['service']} update paused" for u in stack["updates"]
                   if _update_state(client, u["service"]) != "paused"]
        missing += [f"{name} failing" for name in stack["crash_looping"]
                    if not _has_task(client, name, "failed")]
        missing += [f"{name} pending" for name in stack["unschedulable"]
                    if not _has_task(client, name, "pending", "no suitable node")]
        missing += [f"{name} complete" for name in jobs if not _has_task(client, name, "complete")]
        if not missing or time.monotonic() > deadline:
            return missing
        time.sleep(0.5)


def _update_state(client: docker.APIClient, service: str) -> str:
    return str((client.inspect_service(service).get("UpdateStatus") or {}).get("State", ""))


def _has_task(client: docker.APIClient, service: str, state: str, error: str = "") -> bool:
    return any(
        t["Status"]["State"] == state and error in t["Status"].get("Err", "")
        for t in client.tasks(filters={"service": service})
    )


def _count(items: list[Any], noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"
