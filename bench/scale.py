"""Make a large cluster out of the recorded one, for benchmarks.

Every record is real: the recorded nodes, services and tasks are cloned with
new ids (and names), so the large cluster has the recorded shapes — crash
loops, pending tasks, paused updates, jobs — at 25 to 500 times the count.
"""

from __future__ import annotations

import copy
import hashlib
import json
import sys
from pathlib import Path
from typing import Any


def new_id(kind: str, old: str, copy_number: int) -> str:
    digest = hashlib.sha1(f"{kind}:{old}:{copy_number}".encode()).hexdigest()
    return digest[:25]


def scale(data: dict[str, Any], nodes: int = 100, services: int = 2000,
          tasks: int = 20000) -> dict[str, Any]:
    out = copy.deepcopy(data)
    base_nodes, base_services, base_tasks = data["nodes"], data["services"], data["tasks"]
    out["nodes"] = []
    for i in range(nodes):
        node = copy.deepcopy(base_nodes[i % len(base_nodes)])
        node["ID"] = new_id("node", node["ID"], i)
        node.setdefault("Description", {})["Hostname"] = f"node-{i:03d}"
        node.setdefault("Status", {})["Addr"] = f"10.{i // 250}.{i % 250}.10"
        if i >= len(base_nodes) and "ManagerStatus" in node:
            del node["ManagerStatus"]  # keep one leader
            node["Spec"]["Role"] = "worker"
        out["nodes"].append(node)
    node_ids = [n["ID"] for n in out["nodes"]]
    service_map: dict[tuple[str, int], str] = {}
    out["services"] = []
    for i in range(services):
        original = base_services[i % len(base_services)]
        service = copy.deepcopy(original)
        copy_number = i // len(base_services)
        service["ID"] = new_id("service", original["ID"], copy_number)
        service["Spec"]["Name"] = f"{original['Spec']['Name']}-{copy_number:03d}"
        service_map[(original["ID"], copy_number)] = service["ID"]
        out["services"].append(service)
    copies = -(-services // len(base_services))
    out["tasks"] = []
    i = -1
    while len(out["tasks"]) < tasks:
        i += 1
        original = base_tasks[i % len(base_tasks)]
        task = copy.deepcopy(original)
        round_number = i // len(base_tasks)
        copy_number = round_number % copies
        target = service_map.get((original["ServiceID"], copy_number))
        if target is None:
            continue
        task["ID"] = new_id("task", original["ID"], round_number)
        task["ServiceID"] = target
        if task.get("NodeID"):
            task["NodeID"] = node_ids[(i * 7) % len(node_ids)]
        out["tasks"].append(task)
    out["logs"] = {f"{name}-000": lines for name, lines in data.get("logs", {}).items()}
    return out


if __name__ == "__main__":
    source, target = Path(sys.argv[1]), Path(sys.argv[2])
    scaled = scale(json.loads(source.read_text()))
    target.write_text(json.dumps(scaled))
    print(f"{len(scaled['nodes'])} nodes, {len(scaled['services'])} services, "
          f"{len(scaled['tasks'])} tasks → {target}")
