"""Node probes over SSH, turned into findings: disk nearly full, memory, load.

The same fixed commands as `node.probe` (`df -h`, `free -m`, `cat /proc/loadavg`),
parsed here; thresholds come from the rules (`disk-full.percent`,
`memory-high.percent`, `load-high.per_cpu`). A node that cannot be reached is
left out — node-down already speaks for it — and the reason is returned.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from swarmtui.alerts.model import Finding
from swarmtui.alerts.rules import Rule
from swarmtui.swarm.model import ClusterState, Node

PSEUDO_FILESYSTEMS = ("tmpfs", "devtmpfs", "overlay", "shm", "udev", "none", "nsfs")


def disk_usage(df_output: str) -> list[tuple[str, int]]:
    """(mount point, percent used) of each real filesystem in `df -h` output."""
    found = []
    for line in df_output.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 6 or not fields[4].endswith("%"):
            continue
        if fields[0] in PSEUDO_FILESYSTEMS or fields[5].startswith(("/proc", "/sys", "/dev")):
            continue
        try:
            found.append((fields[5], int(fields[4].rstrip("%"))))
        except ValueError:
            continue
    return found


def memory_used_percent(free_output: str) -> float | None:
    """Used memory as the kernel sees it (total - available), from `free -m`."""
    for line in free_output.splitlines():
        fields = line.split()
        if fields and fields[0] == "Mem:" and len(fields) >= 7:
            try:
                total, available = float(fields[1]), float(fields[6])
            except ValueError:
                return None
            return 100.0 * (total - available) / total if total else None
    return None


def load_per_cpu(loadavg: str, cpus: float) -> float | None:
    try:
        five_minutes = float(loadavg.split()[1])
    except (IndexError, ValueError):
        return None
    return five_minutes / cpus if cpus > 0 else None


def node_findings(node: Node, outputs: Mapping[str, str], rules: Mapping[str, Rule]
                  ) -> list[Finding]:
    found: list[Finding] = []
    disk, memory, load = rules["disk-full"], rules["memory-high"], rules["load-high"]
    if "disk" in outputs and disk.enabled:
        full = [(m, p) for m, p in disk_usage(outputs["disk"]) if p >= disk.params["percent"]]
        if full:
            worst = max(full, key=lambda item: item[1])
            found.append(Finding("disk-full", node.name, disk.severity,
                                 f"{node.name}: {worst[0]} is {worst[1]}% full",
                                 ", ".join(f"{m} {p}%" for m, p in full)))
    if "memory" in outputs and memory.enabled:
        used = memory_used_percent(outputs["memory"])
        if used is not None and used >= memory.params["percent"]:
            found.append(Finding("memory-high", node.name, memory.severity,
                                 f"{node.name}: memory {used:.0f}% used",
                                 "used = total - available, from free -m"))
    if "load" in outputs and load.enabled:
        per_cpu = load_per_cpu(outputs["load"], node.cpus)
        if per_cpu is not None and per_cpu >= load.params["per_cpu"]:
            found.append(Finding("load-high", node.name, load.severity,
                                 f"{node.name}: load {per_cpu:.1f} per CPU (5 min)",
                                 outputs["load"].strip()))
    return found


def probe_findings(state: ClusterState, runner: Any, rules: Mapping[str, Rule]
                   ) -> tuple[list[Finding], list[str]]:
    """Probe every ready node; the findings, and one line per node that could not be probed."""
    from swarmtui.actions.ssh import SSHError

    wanted = [name for rule, name in (("disk-full", "disk"), ("memory-high", "memory"),
                                      ("load-high", "load")) if rules[rule].enabled]
    def one(node: Node) -> tuple[list[Finding], str | None]:
        outputs: dict[str, str] = {}
        try:
            for probe in wanted:
                result = runner.probe(node, probe)
                if result.exit_status == 0:
                    outputs[probe] = result.stdout
        except SSHError as exc:
            return [], str(exc)
        return node_findings(node, outputs, rules), None

    nodes = [n for n in state.nodes if not n.is_down]
    width = max(1, min(len(nodes), getattr(getattr(runner, "settings", None), "concurrency", 4)))
    findings: list[Finding] = []
    problems: list[str] = []
    # the runner's own limit bounds the SSH sessions; these threads only wait on it
    with ThreadPoolExecutor(max_workers=width, thread_name_prefix="probe") as pool:
        for found, problem in pool.map(one, nodes):
            findings += found
            if problem:
                problems.append(problem)
    return findings, problems
